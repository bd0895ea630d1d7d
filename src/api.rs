//! The only code of the widget that speaks HTTP to the Accueil server, in `accueil_protocol` types.
//! The widget document is served by the Accueil server itself, so URLs are relative to it.

use accueil_protocol::{ErrorBody, Faq, FaqEvent, FaqEventReport, Locale, SiteConfig};
use gloo_net::http::Request;

#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// No answer, or an answer that is not the JSON we expect (offline, proxy page, ...).
    Unreachable,
    /// The server answered with an error.
    Refused { status: u16, body: Option<ErrorBody> },
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

/// The published FAQ of `locale`; `None` when the site has none. The browser revalidates it with its
/// ETag, so a reopened widget does not download it again.
pub async fn faq(site: String, locale: Locale) -> Result<Option<Faq>, ApiFailure> {
    let url = format!("/v1/sites/{}/faq?locale={}", String::from(js_sys::encode_uri_component(&site)), locale.tag());
    let response = Request::get(&url).send().await.map_err(|_| ApiFailure::Unreachable)?;
    match response.status() {
        200 => response.json().await.map(Some).map_err(|_| ApiFailure::Unreachable),
        404 => Ok(None),
        status => Err(ApiFailure::Refused { status, body: response.json().await.ok() }),
    }
}

/// Reports a FAQ event. Fire and forget: feedback must never get in the visitor's way.
pub fn report(site: &str, locale: Locale, event: FaqEvent) {
    let url = format!("/v1/sites/{}/faq/events", String::from(js_sys::encode_uri_component(site)));
    let body = FaqEventReport { locale, event };
    leptos::task::spawn_local(async move {
        if let Ok(request) = Request::post(&url).json(&body) {
            let _ = request.send().await;
        }
    });
}
