//! The visitor side of the FAQ: the published entries of a locale (revalidated by ETag), the same
//! search on the server, and anonymous events that feed the product team's gap report.

use super::sites::unknown_site;
use crate::config::Site;
use crate::error::Error;
use crate::extract::ApiJson;
use crate::faq::published::Served;
use crate::limits::Limit;
use crate::startup::AppState;
use accueil_protocol::{FaqEvent, FaqEventReport, FaqSearchHit, FaqSearchResults, Locale};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

const MAX_RESULTS: usize = 50;
const MAX_COMMENT_CHARS: usize = 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/sites/{site}/faq", get(faq))
        .route("/v1/sites/{site}/faq/search", get(search))
        .route("/v1/sites/{site}/faq/events", post(record_event))
}

/// The site, and the locale asked for (default: the site's), which the site must offer.
pub(crate) fn site_and_locale(
    state: &AppState,
    site: &str,
    locale: Option<&str>,
) -> Result<(std::sync::Arc<Site>, Locale), Error> {
    let site = state.sites.get(site).ok_or_else(|| unknown_site(site))?;
    let locale = match locale {
        None => site.public.default_locale,
        Some(tag) => Locale::from_tag(tag).filter(|l| l.tag() == tag).ok_or_else(|| Error::InvalidRequest {
            message: "unknown locale".to_owned(),
            fields: Error::field("locale", format!("`{tag}` is not one of fr, en")),
        })?,
    };
    if !site.public.locales.contains(&locale) {
        return Err(Error::Validation {
            message: "this site does not offer that locale".to_owned(),
            fields: Error::field("locale", format!("site `{}` does not offer `{}`", site.public.site, locale.tag())),
        });
    }
    Ok((site, locale))
}

async fn published(state: &AppState, site: &Site, locale: Locale) -> Result<Arc<Served>, Error> {
    state
        .faq
        .get(state.store.as_ref(), &site.public.site, locale)
        .await?
        .ok_or_else(|| Error::NotFound(format!("site `{}` has no published FAQ", site.public.site)))
}

async fn faq(
    State(state): State<AppState>,
    Path(site): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let (site, locale) = site_and_locale(&state, &site, query.get("locale").map(String::as_str))?;
    Ok(published(&state, &site, locale).await?.json.respond(&headers))
}

async fn search(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(site): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<FaqSearchResults>, Error> {
    state.limits.check(Limit::FaqSearch, peer.ip()).await?;
    let (site, locale) = site_and_locale(&state, &site, query.get("locale").map(String::as_str))?;
    let q = query.get("q").ok_or_else(|| Error::InvalidRequest {
        message: "say what to search for".to_owned(),
        fields: Error::field("q", "missing query parameter"),
    })?;
    let k = match query.get("k") {
        None => 10,
        Some(k) => {
            k.parse::<usize>().ok().filter(|k| (1..=MAX_RESULTS).contains(k)).ok_or_else(|| Error::Validation {
                message: "k is out of range".to_owned(),
                fields: Error::field("k", format!("a whole number from 1 to {MAX_RESULTS}")),
            })?
        }
    };
    let served = published(&state, &site, locale).await?;
    // Embedding the query is CPU work of a millisecond or so: off the async threads.
    let encoder = state.faq.clone();
    let (q, searched) = (q.clone(), served.clone());
    let found = tokio::task::spawn_blocking(move || searched.search(encoder.encoder(), &q, k))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
    let hits = found
        .into_iter()
        .map(|found| {
            let entry = &served.entries[found.entry];
            FaqSearchHit { id: entry.id.clone(), question: entry.question.clone(), score: found.score }
        })
        .collect();
    Ok(Json(FaqSearchResults { hits }))
}

fn too_long(field: &str, max: usize) -> Error {
    Error::Validation {
        message: "a field is too long".to_owned(),
        fields: Error::field(field, format!("at most {max} characters")),
    }
}

async fn record_event(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(site): Path<String>,
    ApiJson(report): ApiJson<FaqEventReport>,
) -> Result<StatusCode, Error> {
    state.limits.check(Limit::FaqEvent, peer.ip()).await?;
    let (site, locale) = site_and_locale(&state, &site, Some(report.locale.tag()))?;
    let chars = |text: &Option<String>| text.as_deref().map_or(0, |t| t.chars().count());
    match &report.event {
        FaqEvent::Search { query, .. } if query.chars().count() > accueil_search::MAX_QUERY_CHARS => {
            return Err(too_long("event.query", accueil_search::MAX_QUERY_CHARS));
        }
        FaqEvent::View { query, .. } | FaqEvent::Vote { query, .. }
            if chars(query) > accueil_search::MAX_QUERY_CHARS =>
        {
            return Err(too_long("event.query", accueil_search::MAX_QUERY_CHARS));
        }
        FaqEvent::Vote { comment, .. } if chars(comment) > MAX_COMMENT_CHARS => {
            return Err(too_long("event.comment", MAX_COMMENT_CHARS));
        }
        FaqEvent::View { entry, .. } | FaqEvent::Vote { entry, .. } if entry.len() > 100 => {
            return Err(too_long("event.entry", 100));
        }
        _ => {}
    }
    let day = today();
    state.store.record_faq_event(&site.public.site, locale, &day, &report.event).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The UTC day, `YYYY-MM-DD`: the finest grain events are kept at.
pub(crate) fn today() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!("{:04}-{:02}-{:02}", now.year(), u8::from(now.month()), now.day())
}
