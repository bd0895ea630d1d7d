//! The only code of the widget that speaks HTTP to the Accueil server, in `accueil_protocol` types.
//! The widget document is served by the Accueil server itself, so URLs are relative to it.

use accueil_protocol::{ErrorBody, SiteConfig};
use gloo_net::http::Request;

#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// No answer, or an answer that is not the JSON we expect (offline, proxy page, ...).
    Unreachable,
    /// The server answered with an error.
    Refused { status: u16, body: Option<ErrorBody> },
}

/// Owns its argument, for resources whose fetcher must be `'static`.
pub async fn site_config_for(site: String) -> Result<SiteConfig, ApiFailure> {
    site_config(&site).await
}

pub async fn site_config(site: &str) -> Result<SiteConfig, ApiFailure> {
    let url = format!("/v1/sites/{}/config", String::from(js_sys::encode_uri_component(site)));
    let response = Request::get(&url).send().await.map_err(|_| ApiFailure::Unreachable)?;
    if response.ok() {
        response.json().await.map_err(|_| ApiFailure::Unreachable)
    } else {
        Err(ApiFailure::Refused { status: response.status(), body: response.json().await.ok() })
    }
}
