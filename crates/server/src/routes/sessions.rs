//! Anonymous visitor sessions: created when a visitor first acts, readable and erasable by their holder.

use super::{no_store, sites::unknown_site};
use crate::error::Error;
use crate::extract::{ApiJson, Visitor};
use crate::limits::Limit;
use crate::secrets::{new_token, token_hash};
use crate::startup::AppState;
use crate::store::VisitorSessionRow;
use crate::{now, rfc3339};
use accueil_protocol::{CreateSession, Session, SessionCreated};
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::net::SocketAddr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/sessions", post(create_session))
        .route("/v1/sessions/current", get(current_session).delete(erase_session))
}

impl From<VisitorSessionRow> for Session {
    fn from(row: VisitorSessionRow) -> Session {
        Session { site: row.site, locale: row.locale, created_at: rfc3339(row.created_at) }
    }
}

async fn create_session(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<CreateSession>,
) -> Result<Response, Error> {
    state.limits.check(Limit::SessionCreate, peer.ip()).await?;
    let site = state.config.site(&request.site).ok_or_else(|| unknown_site(&request.site))?;
    if let Some(locale) = request.locale.filter(|l| !site.public.locales.contains(l)) {
        return Err(Error::Validation {
            message: "this site does not offer that locale".to_owned(),
            fields: Error::field("locale", format!("`{}` is not offered by site `{}`", locale.tag(), request.site)),
        });
    }
    let token = new_token()?;
    let row = state.store.insert_visitor_session(&token_hash(&token), &request.site, request.locale, now()).await?;
    let body = SessionCreated { token, session: row.into() };
    Ok((StatusCode::CREATED, no_store(), Json(body)).into_response())
}

async fn current_session(visitor: Visitor) -> Response {
    (no_store(), Json(Session::from(visitor.session))).into_response()
}

async fn erase_session(State(state): State<AppState>, visitor: Visitor) -> Result<StatusCode, Error> {
    state.store.delete_visitor_session(&visitor.token_hash).await?;
    // Its live connections end with it: an erased session hears nothing more.
    state.hub.revoke(crate::chat::Revoked::Visitor(visitor.session.id));
    state.relay.wake(crate::relay::Wake::VisitorErased { session: visitor.session.id });
    Ok(StatusCode::NO_CONTENT)
}
