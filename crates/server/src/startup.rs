//! Builds the application from a `Config`: opens the store, loads the static files, binds the socket,
//! and runs until SIGTERM or Ctrl-C, finishing requests in flight.

use crate::assets::{Asset, AssetDir, Caching};
use crate::config::Config;
use crate::error::Error;
use crate::routes;
use crate::store::{self, Store};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tokio::net::TcpListener;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    /// Each site's settings as they run now (changed from the console without a restart).
    pub sites: Arc<crate::settings::Sites>,
    pub store: Arc<dyn Store>,
    pub files: Arc<Files>,
    pub faq: Arc<crate::faq::published::PublishedFaq>,
    pub limits: Arc<crate::limits::Limiter>,
    /// Wakes the callback maintenance task when a webhook event is queued.
    pub webhook_wake: Arc<tokio::sync::Notify>,
    /// Pushes stored chat messages to the live connections that follow their conversation.
    pub hub: Arc<crate::chat::Hub>,
    /// Wakes the other server nodes sharing the database (none with SQLite).
    pub relay: Arc<crate::relay::Relay>,
    pub metrics: Arc<crate::metrics::Metrics>,
}

/// The static files the server hands out, loaded once at start.
#[derive(Debug)]
pub struct Files {
    /// `accueil.js`, the loader host pages embed; it is part of the server, so it is compiled in.
    pub loader: Asset,
    /// `first-view.js`: the widget's first view closes the panel before (or without) the wasm.
    pub first_view_script: Asset,
    pub widget: AssetDir,
    pub console: AssetDir,
    pub demo_page: Option<AssetDir>,
}

/// The loader's source. Hand-written, dependency-free and small (the size check holds it to 3 KiB brotli).
pub const LOADER_JS: &str = include_str!("../loader/accueil.js");
/// The first view's script: its close button and Escape, until the wasm answers them.
pub const FIRST_VIEW_JS: &str = include_str!("../loader/first-view.js");

impl Files {
    pub fn load(config: &Config) -> Result<Files, Error> {
        let load_dir = |dir: Option<&Path>, name: &str| match dir {
            Some(dir) if dir.join(name).is_dir() => AssetDir::load(&dir.join(name)),
            Some(dir) => {
                tracing::warn!("{} has no {name}/: run `cargo xtask build`", dir.display());
                Ok(AssetDir::default())
            }
            None => Ok(AssetDir::default()),
        };
        Ok(Files {
            loader: Asset::new("accueil.js", LOADER_JS.as_bytes().to_vec(), Caching::MaxAge(300)),
            first_view_script: Asset::new("first-view.js", FIRST_VIEW_JS.as_bytes().to_vec(), Caching::MaxAge(300)),
            widget: load_dir(config.static_dir.as_deref(), "widget")?,
            console: load_dir(config.static_dir.as_deref(), "console")?,
            demo_page: config.demo_page_dir.as_deref().map(AssetDir::load).transpose()?,
        })
    }
}

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    state: AppState,
    /// With other nodes on the database: what this one hears from them, and its wakes to send.
    nodes: Option<(Box<dyn crate::store::NodeListener>, tokio::sync::mpsc::UnboundedReceiver<crate::relay::Wake>)>,
    /// `/metrics`, on an address of its own.
    metrics_listener: Option<TcpListener>,
}

impl Application {
    pub async fn build(config: Config) -> Result<Application, Error> {
        let store = store::open(&config.database_url).await?;
        for site in &config.sites {
            if let Some(dir) = &site.faq_dir {
                import_faq_if_changed(store.as_ref(), site, dir).await?;
            }
        }
        let files = Files::load(&config)?;
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| Error::Config(format!("cannot listen on {}: {e}", config.listen)))?;
        // Without a public URL, links in mails point at the listening address: the port the system
        // chose when the configuration asked for any (port 0), not 0.
        let mut config = config;
        if config.listen.port() == 0 && config.public_url == format!("http://{}", config.listen) {
            config.public_url = format!("http://{}", listener.local_addr()?);
        }
        // Listening starts before serving, so nothing another node does after this node is up is missed.
        let (relay, nodes) = match store.node_listener().await? {
            Some(listener) => {
                let (relay, wakes) = crate::relay::Relay::among_nodes()?;
                (relay, Some((listener, wakes)))
            }
            None => (crate::relay::Relay::alone(), None),
        };
        // With other nodes, a client's requests are counted wherever they land.
        let limits = match &nodes {
            Some(_) => crate::limits::Limiter::shared(store.clone()),
            None => crate::limits::Limiter::default(),
        };
        let sites = crate::settings::Sites::new(&config.sites, &config.public_url)?;
        sites.seed(store.as_ref(), crate::now()).await?;
        let encoder =
            crate::faq::semantic::load_model(crate::faq::semantic::model_dir(&config.search_model).as_deref());
        let state = AppState {
            config: Arc::new(config),
            sites: Arc::new(sites),
            store,
            files: Arc::new(files),
            faq: Arc::new(crate::faq::published::PublishedFaq::new(encoder)),
            limits: Arc::new(limits),
            webhook_wake: Arc::default(),
            hub: Arc::default(),
            relay: Arc::new(relay),
            metrics: Arc::default(),
        };
        let metrics_listener = match state.config.metrics_listen {
            Some(address) => Some(
                TcpListener::bind(address)
                    .await
                    .map_err(|e| Error::Config(format!("cannot listen on {address} for the metrics: {e}")))?,
            ),
            None => None,
        };
        Ok(Application { listener, router: routes::router(state.clone()), state, nodes, metrics_listener })
    }

    pub fn local_addr(&self) -> Result<SocketAddr, Error> {
        Ok(self.listener.local_addr()?)
    }

    /// Where `/metrics` is served, when `metrics_listen` is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener.as_ref().and_then(|listener| listener.local_addr().ok())
    }

    pub async fn run_until_stopped(self) -> Result<(), Error> {
        let state = self.state;
        let per_address = state.config.max_connections_per_address;
        let trusted = state.config.trusted_proxies.clone();
        let deliveries = tokio::spawn(state.hub.clone().store_deliveries(state.store.clone(), state.relay.clone()));
        let metrics =
            self.metrics_listener.map(|listener| tokio::spawn(crate::metrics::serve(state.clone(), listener)));
        let limits = tokio::spawn(state.limits.clone().sync_shared());
        let relaying = self.nodes.map(|(listener, wakes)| {
            (
                tokio::spawn(crate::relay::hear_nodes(state.clone(), listener)),
                tokio::spawn(crate::relay::send_wakes(state.clone(), wakes)),
            )
        });
        let maintenance =
            tokio::spawn(crate::callbacks::maintenance::run(state.sites, state.store, state.webhook_wake));
        let hub = state.hub.clone();
        let stopping = async move {
            shutdown_signal().await;
            // Live connections are long: tell them to reconnect (to this node once it is back, or to
            // another) rather than wait for them.
            hub.revoke(crate::chat::Revoked::ServerStopping);
        };
        let served = crate::serve::serve(self.listener, self.router, per_address, trusted, stopping).await;
        // The live connections were told to reconnect; their close frames go out before the process ends.
        state.hub.live_connections_closed(std::time::Duration::from_secs(5)).await;
        maintenance.abort();
        deliveries.abort();
        limits.abort();
        if let Some(metrics) = metrics {
            metrics.abort();
        }
        if let Some((hearing, sending)) = relaying {
            hearing.abort();
            sending.abort();
        }
        Ok(served?)
    }
}

/// Imports a site's FAQ folder at start when its content differs from the last import. A broken folder
/// is logged and changes nothing: the published FAQ stays as it was.
pub async fn import_faq_if_changed(store: &dyn Store, site: &crate::config::Site, dir: &Path) -> Result<(), Error> {
    let id = &site.public.site;
    match crate::faq::import::read_dir(dir, &site.public.locales) {
        Err(problems) => {
            for problem in problems {
                tracing::error!(site = %id, "FAQ not imported: {problem}");
            }
        }
        Ok(imported) => {
            for warning in &imported.warnings {
                tracing::warn!(site = %id, "FAQ: {warning}");
            }
            let fingerprint = imported.content.fingerprint();
            let snapshots = store.faq_snapshots(id).await?;
            let last_import = snapshots.iter().find(|s| s.source == "import");
            if last_import.is_none_or(|s| s.fingerprint != fingerprint) {
                let snapshot = store.publish_faq_snapshot(id, "import", &imported.content, crate::now()).await?;
                tracing::info!(site = %id, snapshot, entries = imported.content.entries.len(), "FAQ imported and published");
            }
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
