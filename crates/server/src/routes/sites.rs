//! A site's public configuration, as the widget reads it when it opens.

use crate::error::Error;
use crate::startup::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/sites/{site}/config", get(site_config))
}

async fn site_config(
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let asset = state.sites.config_json(&site).ok_or_else(|| unknown_site(&site))?;
    Ok(asset.respond(&headers))
}

pub(crate) fn unknown_site(site: &str) -> Error {
    Error::NotFound(format!("no site is named `{site}`"))
}
