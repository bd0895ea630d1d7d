//! What a node tells its operator, in the Prometheus text format: `/metrics` on the node's own
//! `metrics_listen` address (never on the public one). Counters and latencies are kept as requests and
//! frames pass; the rest (connections, queues, webhook backlog, database pool) is read when scraped,
//! but for the wait for a database connection, sampled every `POOL_WAIT_SAMPLED_EVERY`.

use crate::startup::AppState;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    /// The route's pattern (`/v1/callbacks/{id}`), never the path itself: no ids in the labels.
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SiteLabels {
    pub site: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabels {
    pub kind: String,
}

fn latency_histogram() -> Histogram {
    // 0.5 ms to about 16 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RouteLabels, Histogram>,
    pub messages_stored: Counter,
    pub frames_sent: Counter,
    pub wakes_sent: Counter,
    pub wake_lag: Histogram,
    /// The two parts of the lag a node can time itself: telling the others, and pushing what they said.
    pub wake_send: Histogram,
    pub wake_apply: Histogram,
    connections: Family<KindLabels, Gauge>,
    queue: Family<SiteLabels, Gauge>,
    webhook_backlog: Gauge,
    pool_connections: Gauge,
    pool_idle: Gauge,
    pool_wait: Histogram,
}

/// How often the wait for a database connection is sampled (a request's wait, as it would be then).
pub const POOL_WAIT_SAMPLED_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::with_prefix("accueil");
        let requests = Family::<RouteLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register(
            "http_request_duration_seconds",
            "HTTP requests by route, until the answer's head",
            requests.clone(),
        );
        let messages_stored = Counter::default();
        registry.register("chat_messages_stored", "Chat messages stored by this node", messages_stored.clone());
        let frames_sent = Counter::default();
        registry.register("live_frames_sent", "Frames sent on this node's live connections", frames_sent.clone());
        let wakes_sent = Counter::default();
        registry.register("node_wakes_sent", "Wake-ups sent to the other nodes", wakes_sent.clone());
        let wake_lag = latency_histogram();
        registry.register(
            "node_wake_lag_seconds",
            "From another node's change to this node hearing of it",
            wake_lag.clone(),
        );
        let wake_send = latency_histogram();
        registry.register(
            "node_wake_send_seconds",
            "Telling the other nodes of a batch of changes (the notification's statement)",
            wake_send.clone(),
        );
        let wake_apply = latency_histogram();
        registry.register(
            "node_wake_apply_seconds",
            "Reading and pushing a batch of changes heard from the other nodes (the next batch waits meanwhile)",
            wake_apply.clone(),
        );
        let connections = Family::<KindLabels, Gauge>::default();
        registry.register("live_connections", "Live connections open on this node, by kind", connections.clone());
        let queue = Family::<SiteLabels, Gauge>::default();
        registry.register("chat_queue_length", "Conversations waiting for an agent, by site", queue.clone());
        let webhook_backlog = Gauge::default();
        registry.register("webhook_backlog", "Webhook deliveries not yet made", webhook_backlog.clone());
        let pool_connections = Gauge::default();
        registry.register(
            "database_pool_connections",
            "Database connections this node holds",
            pool_connections.clone(),
        );
        let pool_idle = Gauge::default();
        registry.register("database_pool_idle", "Of those, idle ones (none idle: requests wait)", pool_idle.clone());
        let pool_wait = latency_histogram();
        registry.register(
            "database_pool_wait_seconds",
            "The wait for a database connection, sampled every second (a pool too small shows here first)",
            pool_wait.clone(),
        );
        Metrics {
            registry,
            requests,
            messages_stored,
            frames_sent,
            wakes_sent,
            wake_lag,
            wake_send,
            wake_apply,
            connections,
            queue,
            webhook_backlog,
            pool_connections,
            pool_idle,
            pool_wait,
        }
    }
}

/// The text of `/metrics`, with the figures read now.
pub async fn render(state: &AppState) -> String {
    let metrics = &state.metrics;
    let (visitors, all) = state.hub.connection_counts();
    let gauge = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    metrics.connections.get_or_create(&KindLabels { kind: "visitor".into() }).set(gauge(visitors));
    metrics.connections.get_or_create(&KindLabels { kind: "console".into() }).set(gauge(all.saturating_sub(visitors)));
    for site in state.sites.all() {
        if let Ok(waiting) = state.store.waiting_count(&site.public.site).await {
            metrics.queue.get_or_create(&SiteLabels { site: site.public.site.clone() }).set(i64::from(waiting));
        }
    }
    if let Ok(backlog) = state.store.webhook_backlog().await {
        metrics.webhook_backlog.set(i64::try_from(backlog).unwrap_or(i64::MAX));
    }
    let (size, idle) = state.store.pool_status();
    metrics.pool_connections.set(i64::from(size));
    metrics.pool_idle.set(gauge(idle));
    let mut text = String::new();
    if prometheus_client::encoding::text::encode(&mut text, &metrics.registry).is_err() {
        tracing::warn!("the metrics could not be written");
    }
    text
}

/// Times each request by its route's pattern.
pub async fn time_requests(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let labels = RouteLabels { method: request.method().to_string(), route };
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    state.metrics.requests.get_or_create(&labels).observe(started.elapsed().as_secs_f64());
    response
}

/// Serves `/metrics` on `listener`, and samples the wait for a database connection, until the process
/// ends.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) {
    let sampling = tokio::spawn(sample_pool_wait(state.clone()));
    let router = axum::Router::new().route(
        "/metrics",
        axum::routing::get(|axum::extract::State(state): axum::extract::State<AppState>| async move {
            ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], render(&state).await)
        }),
    );
    if let Err(error) = axum::serve(listener, router.with_state(state)).await {
        tracing::error!(%error, "the metrics listener stopped");
    }
    sampling.abort();
}

async fn sample_pool_wait(state: AppState) {
    let mut every = tokio::time::interval(POOL_WAIT_SAMPLED_EVERY);
    loop {
        every.tick().await;
        let asked = std::time::Instant::now();
        let taken = state.store.take_connection().await;
        // A failure is counted too, with how long it took (the pool's acquire timeout, say).
        state.metrics.pool_wait.observe(asked.elapsed().as_secs_f64());
        if let Err(error) = taken {
            tracing::warn!(%error, "no database connection for the metrics' sample");
        }
    }
}
