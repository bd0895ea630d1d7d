//! The HTTP surface: each module owns its routes and exposes a `router()`; they are merged here with
//! the layers every request goes through.

mod account_links;
mod agent;
mod agent_live;
mod callbacks;
mod community;
mod console_callbacks;
mod console_chat;
mod console_community;
mod console_dashboard;
mod console_faq;
mod console_settings;
mod console_team;
mod faq;
mod files;
mod health;
mod live;
mod sessions;
mod sites;

use crate::error::Error;
use crate::extract::BODY_LIMIT;
use crate::startup::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
/// Agents seen within this many seconds count as present.
pub use callbacks::PRESENCE_SECONDS;
use tower_http::trace::TraceLayer;

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .merge(sites::router())
        .merge(faq::router())
        .merge(sessions::router())
        .merge(agent::router())
        .merge(account_links::router())
        .merge(console_faq::router())
        .merge(callbacks::router())
        .merge(console_callbacks::router())
        .merge(community::router())
        .merge(console_community::router())
        .merge(console_dashboard::router())
        .merge(console_settings::router())
        .merge(live::router())
        .merge(console_chat::router())
        .merge(console_team::router())
        .merge(agent_live::router())
        .merge(files::router())
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
        .layer(axum::middleware::from_fn_with_state(state.clone(), console_changes_from_the_console_only))
        .layer(axum::middleware::from_fn(refuse_declared_oversize))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::metrics::time_requests))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

pub(crate) use sites::unknown_site;

/// A request whose `Content-Length` is past what any route reads is refused before a byte of its body
/// is read; each route's own, smaller limit is checked as its body is read.
async fn refuse_declared_oversize(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Result<axum::response::Response, Error> {
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > console_faq::EDIT_BODY_LIMIT as u64) {
        return Err(Error::PayloadTooLarge);
    }
    Ok(next.run(request).await)
}

/// Every console change (`/v1/agent/...` but reads) must come from the console's own origin: see
/// `extract::same_origin_only`.
async fn console_changes_from_the_console_only(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Result<axum::response::Response, Error> {
    if request.uri().path().starts_with("/v1/agent/") && !request.method().is_safe() {
        crate::extract::same_origin_only(request.headers(), &state.config.public_url)?;
    }
    Ok(next.run(request).await)
}

/// The HTTP error for a state change the store refused; `what` names the resource in the 404.
fn refused(refusal: crate::store::Refusal, what: &str) -> Error {
    match refusal {
        crate::store::Refusal::NotFound => Error::NotFound(format!("no such {what}")),
        crate::store::Refusal::Conflict(why) => Error::Conflict(why.to_owned()),
    }
}

/// Responses that carry a secret or personal data must not be stored by any cache.
fn no_store() -> [(axum::http::HeaderName, &'static str); 1] {
    [(axum::http::header::CACHE_CONTROL, "no-store")]
}

/// Who the brand's site said a visitor is, as visitors and agents see it.
pub fn customer_view(row: crate::store::CustomerRow) -> accueil_protocol::Customer {
    accueil_protocol::Customer { id: row.id, name: row.name, verified: row.verified }
}
