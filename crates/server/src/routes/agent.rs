//! Console sign-in: agents log in with email and password and hold an HttpOnly, SameSite=Strict cookie.

use super::no_store;
use crate::error::Error;
use crate::extract::{AGENT_COOKIE, ApiJson, SignedInAgent};
use crate::limits::Limit;
use crate::now;
use crate::secrets::{decoy_hash, new_token, token_hash, verify_password};
use crate::startup::AppState;
use crate::store::AgentRow;
use accueil_protocol::{Agent, AgentLogin, FieldCode};
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::net::SocketAddr;

/// A console session lasts a working day; agents sign in again the next morning.
const SESSION_SECONDS: i64 = 12 * 60 * 60;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/agent/login", post(login))
        .route("/v1/agent/logout", post(logout))
        .route("/v1/agent/me", get(me))
}

impl From<AgentRow> for Agent {
    fn from(row: AgentRow) -> Agent {
        Agent { id: row.id, email: row.email, name: row.name, role: row.role }
    }
}

fn session_cookie(state: &AppState, value: &str, max_age: i64) -> String {
    let secure = if state.config.secure_cookies() { "; Secure" } else { "" };
    format!("{AGENT_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<AgentLogin>,
) -> Result<Response, Error> {
    // Before any password check: guessing stays slow even with valid-looking requests.
    state.limits.check(Limit::AgentLogin, peer.ip()).await?;
    let email = request.email.trim();
    let mut fields = Vec::new();
    if email.is_empty() {
        fields.extend(Error::field_coded("email", FieldCode::Required, "enter your email address"));
    }
    if request.password.is_empty() {
        fields.extend(Error::field_coded("password", FieldCode::Required, "enter your password"));
    }
    if !fields.is_empty() {
        return Err(Error::Validation { message: "email and password are both required".to_owned(), fields });
    }
    let agent = state.store.agent_by_email(email).await?;
    // Argon2 is slow on purpose: run it off the async workers, and run it even for unknown emails.
    let stored = agent.as_ref().map_or_else(|| decoy_hash().to_owned(), |a| a.password_hash.clone());
    let password = request.password;
    let verified = tokio::task::spawn_blocking(move || verify_password(&password, &stored))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
    // A deactivated account is refused like a wrong password: nothing says it exists.
    let agent = agent.filter(|a| verified && a.active).ok_or_else(|| Error::Unauthorized {
        message: "this email and password do not match an agent".to_owned(),
        fields: Vec::new(),
    })?;
    let token = new_token()?;
    let now = now();
    state.store.insert_agent_session(&token_hash(&token), agent.id, now, now + SESSION_SECONDS).await?;
    let cookie = session_cookie(&state, &token, SESSION_SECONDS);
    Ok(([(SET_COOKIE, cookie)], no_store(), Json(Agent::from(agent))).into_response())
}

async fn logout(State(state): State<AppState>, agent: SignedInAgent) -> Result<Response, Error> {
    state.store.delete_agent_session(&agent.token_hash).await?;
    // The console's live connection ends with the session, in this tab and any other.
    state.relay.wake(crate::relay::Wake::AgentSignedOut { token_hash: crate::relay::encode_hex(&agent.token_hash) });
    state.hub.revoke(crate::chat::Revoked::Agent(agent.token_hash));
    let cookie = session_cookie(&state, "", 0);
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, cookie)]).into_response())
}

async fn me(agent: SignedInAgent) -> Response {
    (no_store(), Json(Agent::from(agent.agent))).into_response()
}
