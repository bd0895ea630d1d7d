//! Console sign-in: agents log in with email and password and hold an HttpOnly, SameSite=Strict cookie.

use super::no_store;
use crate::error::Error;
use crate::extract::{AGENT_COOKIE, ApiJson, SignedInAgent, cookie};
use crate::limits::Limit;
use crate::now;
use crate::secrets::{
    MIN_PASSWORD_CHARS, decoy_hash, device_proof, hash_password, is_device_proof, new_token, token_hash,
    verify_password,
};
use crate::startup::AppState;
use crate::store::{AgentRow, NewAudit};
use accueil_protocol::{Agent, AgentLogin, ChangePassword, FieldCode};
use axum::extract::{ConnectInfo, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use std::net::SocketAddr;

/// A console session lasts a working day; agents sign in again the next morning.
const SESSION_SECONDS: i64 = 12 * 60 * 60;
/// The cookie of a browser that signed in to an account before, sent to the sign-in route only.
const DEVICE_COOKIE: &str = "accueil_device";
/// Remembered for six months of sign-ins.
const DEVICE_SECONDS: i64 = 183 * 24 * 60 * 60;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/agent/login", post(login))
        .route("/v1/agent/logout", post(logout))
        .route("/v1/agent/me", get(me))
        .route("/v1/agent/password", put(change_password))
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
    headers: HeaderMap,
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
    let now = now();
    // A locked account is refused even with the right password, so guessing on stops here; the lock
    // ends by itself, or when its owner sets a new password through a link sent by email. A browser
    // that signed in to it before (its device cookie) is not stopped: others' guesses never lock the
    // owner out of their own computer.
    let known_device = |a: &AgentRow| {
        cookie(&headers, DEVICE_COOKIE).is_some_and(|proof| is_device_proof(a.id, &a.password_hash, proof))
    };
    let locked = agent.as_ref().filter(|a| a.active && !known_device(a)).and_then(|a| a.locked_until);
    if let Some(until) = locked.filter(|until| *until > now) {
        return Err(Error::RateLimited { retry_after: u64::try_from(until - now).unwrap_or(1).max(1) });
    }
    // An address without an active account "locks" after as many tries as a real one, so counting
    // tries never tells whether an address has an account.
    if agent.as_ref().is_none_or(|a| !a.active) {
        state.limits.check_session(Limit::UnknownAccountLogin, address_key(email)).await?;
    }
    // Argon2 is slow on purpose: run it off the async workers, and run it even for unknown emails.
    let stored = agent.as_ref().map_or_else(|| decoy_hash().to_owned(), |a| a.password_hash.clone());
    let password = request.password;
    let verified = tokio::task::spawn_blocking(move || verify_password(&password, &stored))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
    match &agent {
        Some(known) if known.active && !verified && !known.invited() => state.store.login_failed(known.id, now).await?,
        Some(known) if verified => state.store.login_succeeded(known.id).await?,
        _ => {}
    }
    // A deactivated account is refused like a wrong password: nothing says it exists.
    let agent = agent.filter(|a| verified && a.active).ok_or_else(|| Error::Unauthorized {
        message: "this email and password do not match an agent".to_owned(),
        fields: Vec::new(),
    })?;
    signed_in(&state, agent).await
}

/// A number standing for a typed address (case and spaces aside), to count its tries by.
fn address_key(email: &str) -> i64 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(email.trim().to_lowercase().as_bytes());
    i64::from_be_bytes(digest[..8].try_into().unwrap_or_default())
}

/// Starts a console session for `agent`: the answer carries its cookie and the `Agent`.
pub(super) async fn signed_in(state: &AppState, agent: AgentRow) -> Result<Response, Error> {
    let token = new_token()?;
    let now = now();
    state.store.insert_agent_session(&token_hash(&token), agent.id, now, now + SESSION_SECONDS).await?;
    let session = session_cookie(state, &token, SESSION_SECONDS);
    let secure = if state.config.secure_cookies() { "; Secure" } else { "" };
    let device = format!(
        "{DEVICE_COOKIE}={}; Path=/v1/agent/login; HttpOnly; SameSite=Strict; Max-Age={DEVICE_SECONDS}{secure}",
        device_proof(agent.id, &agent.password_hash)
    );
    let cookies = AppendHeaders([(SET_COOKIE, session), (SET_COOKIE, device)]);
    Ok((cookies, no_store(), Json(Agent::from(agent))).into_response())
}

async fn logout(State(state): State<AppState>, agent: SignedInAgent) -> Result<Response, Error> {
    state.store.delete_agent_session(&agent.token_hash).await?;
    session_ended(&state, agent.token_hash);
    let cookie = session_cookie(&state, "", 0);
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, cookie)]).into_response())
}

/// Closes the console's live connections of a session the store just deleted, on every node: in this
/// tab and any other, at once.
pub(super) fn session_ended(state: &AppState, token_hash: Vec<u8>) {
    state.relay.wake(crate::relay::Wake::AgentSignedOut { token_hash: crate::relay::encode_hex(&token_hash) });
    state.hub.revoke(crate::chat::Revoked::Agent(token_hash));
}

/// Changes the signed-in account's password. The current one is asked first, so a session left open on
/// a shared computer cannot lock its owner out; the account's other sessions end (a stolen one too).
/// Tries are limited per account and per address, as each one is a guess of the current password.
async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    signed_in: SignedInAgent,
    ApiJson(request): ApiJson<ChangePassword>,
) -> Result<Response, Error> {
    state.limits.check(Limit::PasswordChange, peer.ip()).await?;
    state.limits.check_session(Limit::PasswordChange, signed_in.agent.id).await?;
    long_enough("new", &request.new)?;
    let (current, stored) = (request.current, signed_in.agent.password_hash.clone());
    let verified = tokio::task::spawn_blocking(move || verify_password(&current, &stored))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
    if !verified {
        return Err(Error::Validation {
            message: "the current password does not match".to_owned(),
            fields: Error::field("current", "does not match this account's password"),
        });
    }
    let new = request.new;
    let hash = tokio::task::spawn_blocking(move || hash_password(&new))
        .await
        .map_err(|e| Error::Internal(e.to_string()))??;
    let agent = &signed_in.agent;
    let audit = NewAudit {
        at: now(),
        actor_id: agent.id,
        actor: agent.name.clone(),
        action: "password_changed",
        subject: agent.email.clone(),
        before: None,
        after: None,
    };
    let ended = state.store.set_password(agent.id, &hash, &signed_in.token_hash, &audit).await?;
    for token_hash in ended {
        session_ended(&state, token_hash);
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Refuses a new password shorter than `MIN_PASSWORD_CHARS`, naming `field`.
pub(super) fn long_enough(field: &str, password: &str) -> Result<(), Error> {
    if password.chars().count() >= MIN_PASSWORD_CHARS {
        return Ok(());
    }
    Err(Error::Validation {
        message: "the new password is too short".to_owned(),
        fields: Error::field_coded(field, FieldCode::TooShort, format!("at least {MIN_PASSWORD_CHARS} characters")),
    })
}

async fn me(agent: SignedInAgent) -> Response {
    (no_store(), Json(Agent::from(agent.agent))).into_response()
}
