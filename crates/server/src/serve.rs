//! The HTTP server loop: accepts connections, holds each client address to a number of open
//! connections, closes a connection that does not send a complete request header in time (or sends
//! nothing), and on shutdown lets requests in flight finish. axum's own `serve` offers neither limit.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How long a client has to send a whole request header, from the moment the server waits for one
/// (a new connection, or a kept-alive one between requests): a slow or silent client is closed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits for requests in flight before it stops anyway.
const DRAIN_AT_MOST: Duration = Duration::from_secs(10);

/// Open connections per client address.
#[derive(Default)]
struct OpenConnections(Mutex<HashMap<IpAddr, usize>>);

/// One admitted connection, counted while it lives.
struct Admitted {
    open: Arc<OpenConnections>,
    address: IpAddr,
}

impl OpenConnections {
    /// A place for one more connection from `address`, or `None` past `cap` (0: no cap).
    fn admit(open: &Arc<OpenConnections>, address: IpAddr, cap: usize) -> Option<Admitted> {
        let mut counts = open.0.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(address).or_insert(0);
        if cap > 0 && *count >= cap {
            return None;
        }
        *count += 1;
        Some(Admitted { open: open.clone(), address })
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut counts = self.open.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.address);
            }
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then drains. `per_address` caps the
/// connections one client address may hold open at once (0: no cap); a connection past it is closed
/// as soon as it is accepted.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    per_address: usize,
    trusted: crate::proxies::TrustedProxies,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let trusted = Arc::new(trusted);
    let open = Arc::new(OpenConnections::default());
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors and the like: wait a little rather than spin.
                Err(error) => {
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        // A load balancer carries many clients' connections: they are capped one by one behind it.
        let cap = if trusted.trusts(peer.ip()) { 0 } else { per_address };
        let Some(admitted) = OpenConnections::admit(&open, peer.ip(), cap) else {
            tracing::warn!(address = %peer.ip(), "connection refused: too many open from this address");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let trusted = trusted.clone();
        let mut stop = stop.clone();
        connections.spawn(async move {
            let _admitted = admitted;
            let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                // What `ConnectInfo` reads: the per-address limits use it. Behind a trusted load
                // balancer, the client it names.
                let client = {
                    let forwarded: Vec<&str> =
                        request.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
                    trusted.client(peer, &forwarded)
                };
                request.extensions_mut().insert(ConnectInfo(client));
                router.clone().oneshot(request)
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = async { let _ = stop.wait_for(|stopping| *stopping).await; } => {
                    // Finish the request in flight, then close; an idle connection closes at once.
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
        // Finished connections leave the set as they go, so it holds only live ones.
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = stopping.send(true);
    let drained = tokio::time::timeout(DRAIN_AT_MOST, async { while connections.join_next().await.is_some() {} });
    if drained.await.is_err() {
        tracing::warn!("shutdown: requests still in flight after {} s were cut", DRAIN_AT_MOST.as_secs());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_holds_at_most_its_cap_and_a_closed_connection_frees_its_place() {
        let open = Arc::new(OpenConnections::default());
        let address: IpAddr = "192.0.2.7".parse().expect("an address");
        let first = OpenConnections::admit(&open, address, 2).expect("first");
        let _second = OpenConnections::admit(&open, address, 2).expect("second");
        assert!(OpenConnections::admit(&open, address, 2).is_none(), "the third is refused");
        assert!(OpenConnections::admit(&open, "192.0.2.8".parse().expect("another"), 2).is_some());
        drop(first);
        assert!(OpenConnections::admit(&open, address, 2).is_some(), "a place freed is taken again");
        assert!(OpenConnections::admit(&open, address, 0).is_some(), "0 means no cap");
    }
}
