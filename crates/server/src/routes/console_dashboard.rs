//! The dashboard in the console: a site's figures over 7, 30 or 90 days, as JSON for the charts and as
//! CSV to download. Anyone signed in sees it for their own sites; it names no visitor.

use super::no_store;
use crate::dashboard::{PERIODS, Period, csv, figures};
use crate::error::Error;
use crate::extract::SignedInAgent;
use crate::startup::AppState;
use accueil_protocol::Dashboard;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::collections::HashMap;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/v1/agent/dashboard", get(dashboard))
        .route("/v1/agent/dashboard.csv", get(dashboard_csv))
}

/// The figures the query asks for: `site` (one the agent works on) and `days` (7, 30 or 90; 30 unless
/// said).
async fn computed(
    state: &AppState,
    signed_in: &SignedInAgent,
    query: &HashMap<String, String>,
) -> Result<Dashboard, Error> {
    let site = query.get("site").map(String::as_str).unwrap_or_default();
    signed_in.check_site(site)?;
    let site = state.sites.get(site).ok_or_else(|| super::unknown_site(site))?;
    let days = match query.get("days") {
        None => 30,
        Some(days) => days.parse::<u32>().ok().filter(|d| PERIODS.contains(d)).ok_or_else(|| Error::Validation {
            message: "days must be 7, 30 or 90".to_owned(),
            fields: Error::field("days", "7, 30 or 90"),
        })?,
    };
    let period = Period::ending(crate::now(), days);
    let rows = state
        .store
        .dashboard_rows(&site.public.site, (period.from, period.to), (period.first_day(), period.last_day()))
        .await?;
    Ok(figures(&site.public.site, &period, &site.time_zone, &rows))
}

async fn dashboard(
    State(state): State<AppState>,
    signed_in: SignedInAgent,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
    let dashboard = computed(&state, &signed_in, &query).await?;
    Ok((no_store(), Json(dashboard)).into_response())
}

async fn dashboard_csv(
    State(state): State<AppState>,
    signed_in: SignedInAgent,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
    let dashboard = computed(&state, &signed_in, &query).await?;
    let name = format!("attachment; filename=\"accueil-{}-{}-{}.csv\"", dashboard.site, dashboard.from, dashboard.to);
    let headers = [(CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (CONTENT_DISPOSITION, name)];
    Ok((no_store(), headers, csv(&dashboard)).into_response())
}
