//! The console side of callbacks: the queue of a site, claiming a request (one agent wins), and
//! recording how the call went, which the visitor's widget then shows.

use super::no_store;
use crate::callbacks::{agent_view, slots};
use crate::error::Error;
use crate::extract::{ApiJson, FrontDesk, SignedInAgent};
use crate::now;
use crate::startup::AppState;
use crate::store::{CallResult, CallbackRow, Refusal};
use accueil_protocol::{AgentCallbacks, CallbackOutcome, CallbackResult};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::collections::HashMap;

const MAX_NOTES_CHARS: usize = 2000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/agent/callbacks", get(queue))
        .route("/v1/agent/callbacks/{id}/claim", post(claim))
        .route("/v1/agent/callbacks/{id}/outcome", post(outcome))
}

async fn queue(
    State(state): State<AppState>,
    FrontDesk(signed_in): FrontDesk,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
    let bad = |field: &str, reason: &str| Error::InvalidRequest {
        message: "bad query".to_owned(),
        fields: Error::field(field, reason),
    };
    let site = query.get("site").ok_or_else(|| bad("site", "missing"))?;
    signed_in.check_site(site)?;
    if state.sites.get(site).is_none_or(|s| s.callback.is_none()) {
        return Err(Error::NotFound(format!("site `{site}` does not offer callbacks")));
    }
    let open = match query.get("state").map(String::as_str) {
        None | Some("open") => true,
        Some("closed") => false,
        Some(_) => return Err(bad("state", "`open` or `closed`")),
    };
    // The console polls its queue: that is the agent's presence for "as soon as possible".
    state.store.touch_agent(signed_in.agent.id, now()).await?;
    let rows = state.store.site_callbacks(site, open).await?;
    Ok((no_store(), Json(AgentCallbacks { callbacks: rows.into_iter().map(agent_view).collect() })).into_response())
}

fn refused(refusal: Refusal) -> Error {
    super::refused(refusal, "callback request")
}

/// A callback request of a site the agent works on; another site's is as unknown as none.
async fn callback_of(state: &AppState, signed_in: &SignedInAgent, id: &str) -> Result<CallbackRow, Error> {
    state
        .store
        .callback(id)
        .await?
        .filter(|row| signed_in.works_on(&row.site))
        .ok_or_else(|| refused(Refusal::NotFound))
}

async fn claim(
    State(state): State<AppState>,
    FrontDesk(signed_in): FrontDesk,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    callback_of(&state, &signed_in, &id).await?;
    let row = state.store.claim_callback(&id, signed_in.agent.id).await?.map_err(refused)?;
    Ok((no_store(), Json(agent_view(row))).into_response())
}

async fn outcome(
    State(state): State<AppState>,
    FrontDesk(signed_in): FrontDesk,
    Path(id): Path<String>,
    ApiJson(result): ApiJson<CallbackResult>,
) -> Result<Response, Error> {
    let invalid = |field: &str, reason: &str| Error::Validation {
        message: "the call result is not valid".to_owned(),
        fields: Error::field(field, reason),
    };
    if result.outcome == CallbackOutcome::Unknown {
        return Err(invalid("outcome", "reached, no_answer or wrong_number"));
    }
    if result.notes.chars().count() > MAX_NOTES_CHARS {
        return Err(invalid("notes", "at most 2000 characters"));
    }
    let current = callback_of(&state, &signed_in, &id).await?;
    let site = state.sites.get(&current.site).ok_or_else(|| Error::Internal("callback of an unknown site".into()))?;
    let settings = site.callback.as_ref().ok_or_else(|| Error::Internal("callbacks switched off".into()))?;
    let now = now();
    let retry = match (&result.retry, result.outcome) {
        (None, _) => None,
        (Some(_), outcome) if outcome != CallbackOutcome::NoAnswer => {
            return Err(invalid("retry", "only a call without answer is tried again"));
        }
        (Some(start), _) => {
            let start =
                start.parse::<jiff::Timestamp>().map_err(|_| invalid("retry", "not an RFC 3339 time"))?.as_second();
            let window = slots::upcoming(&site, settings, now).into_iter().find(|(s, _)| *s == start);
            Some(window.ok_or_else(|| invalid("retry", "not a future slot within opening hours"))?)
        }
    };
    let call = CallResult { outcome: result.outcome, notes: result.notes.trim().to_owned(), retry };
    let row = state
        .store
        .record_call(&id, signed_in.agent.id, &call, now, settings.webhook.is_some())
        .await?
        .map_err(refused)?;
    state.webhook_wake.notify_one();
    Ok((no_store(), Json(agent_view(row))).into_response())
}
