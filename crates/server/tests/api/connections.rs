//! The server's own connection handling: a client that sends half a header (or nothing) is closed, an
//! address holds a bounded number of connections, and a body declared too large is refused before it
//! is read.

use crate::helpers::spawn_app_with;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads until the server closes the connection (or `within` passes); what it sent.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let read = tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    });
    read.await.ok().map(|()| String::from_utf8_lossy(&received).into_owned())
}

fn address(base: &str) -> String {
    base.trim_start_matches("http://").to_owned()
}

#[tokio::test]
async fn a_client_that_sends_half_a_header_or_nothing_is_closed() {
    // Arrange
    let app = spawn_app_with(|_| None).await;
    let mut half = TcpStream::connect(address(&app.base)).await.expect("connected");
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.expect("half a header");
    let mut silent = TcpStream::connect(address(&app.base)).await.expect("connected");
    let started = Instant::now();

    // Act and assert: both are closed once the header-read time is up, not kept forever.
    assert!(read_until_closed(&mut half, Duration::from_secs(20)).await.is_some(), "half a header: closed");
    assert!(read_until_closed(&mut silent, Duration::from_secs(20)).await.is_some(), "nothing sent: closed");
    assert!(started.elapsed() >= Duration::from_secs(9), "not before the client had its 10 seconds");
}

#[tokio::test]
async fn one_address_holds_at_most_its_cap_of_connections() {
    // Arrange: a cap of 3 connections per address.
    let app = spawn_app_with(|key| (key == "ACCUEIL_MAX_CONNECTIONS_PER_ADDRESS").then(|| "3".to_owned())).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut stream = TcpStream::connect(address(&app.base)).await.expect("connected");
        stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.expect("a request");
        let mut buffer = [0u8; 512];
        let n = stream.read(&mut buffer).await.expect("an answer");
        assert!(String::from_utf8_lossy(&buffer[..n]).starts_with("HTTP/1.1 200"), "within the cap: served");
        held.push(stream);
    }

    // Act: a fourth while the three are kept open.
    let mut fourth = TcpStream::connect(address(&app.base)).await.expect("the kernel accepts it");
    let _ = fourth.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let answer = read_until_closed(&mut fourth, Duration::from_secs(5)).await;

    // Assert: closed at once, unanswered; once one closes, a new one is served again.
    assert_eq!(answer.as_deref(), Some(""), "past the cap: closed without an answer");
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let response = app.client.get(app.url("/healthz")).send().await.expect("served");
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_body_declared_too_large_is_refused_before_it_is_sent() {
    // Arrange
    let app = spawn_app_with(|_| None).await;
    let mut stream = TcpStream::connect(address(&app.base)).await.expect("connected");

    // Act: 100 MB announced, not a byte of it sent.
    let head =
        "POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n";
    stream.write_all(head.as_bytes()).await.expect("headers");
    let mut buffer = [0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer))
        .await
        .expect("answered without waiting for the body")
        .expect("readable");

    // Assert
    let answer = String::from_utf8_lossy(&buffer[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("payload_too_large"), "{answer}");
}
