//! Links sent by email that set a console account's password once: asking for one when the password is
//! forgotten, reading what a link is for, and using it (which signs in). Invitations make the same
//! kind of link (`console_team`); both are sent from here.

use super::agent::{long_enough, session_ended, signed_in};
use crate::error::Error;
use crate::extract::ApiJson;
use crate::limits::Limit;
use crate::mail::Notice;
use crate::secrets::{hash_password, new_token, token_hash};
use crate::startup::AppState;
use crate::store::NewLink;
use accueil_protocol::{FieldCode, ForgottenPassword, LinkInfo, LinkPassword, LinkPurpose, LinkToken, Locale};
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use std::net::SocketAddr;

/// An invitation waits three days: long enough for a weekend, short enough to be forgotten safely.
pub const INVITATION_HOURS: i64 = 72;
/// A reset link is used at once or asked for again.
const RESET_HOURS: i64 = 1;
/// At most one reset mail per account in this many seconds, whoever asks: nobody fills a colleague's
/// inbox from the sign-in page.
const RESET_GAP_SECONDS: i64 = 5 * 60;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/agent/password/forgotten", post(forgotten))
        .route("/v1/agent/link", post(link_info))
        .route("/v1/agent/link/password", post(link_password))
}

/// A new link's token (for the mail) and what the store keeps of it.
pub(super) fn new_link(purpose: LinkPurpose, hours: i64) -> Result<(String, NewLink), Error> {
    let token = new_token()?;
    let now = crate::now();
    let link = NewLink { token_hash: token_hash(&token), purpose, created_at: now, expires_at: now + hours * 3600 };
    Ok((token, link))
}

/// Where a link's token takes its reader: the console, which reads the token from the fragment (never
/// sent to a server, so it stays out of access logs and `Referer`s).
pub(super) fn console_link(state: &AppState, purpose: LinkPurpose, token: &str) -> String {
    let name = match purpose {
        LinkPurpose::Invitation => "invitation",
        LinkPurpose::Reset => "reset",
    };
    format!("{}/console/#{name}={token}", state.config.public_url)
}

/// Hands `notice` to the mail transport to `to`; `Unavailable` when there is none or it refused.
pub(super) async fn send_notice(state: &AppState, to: &str, notice: &Notice) -> Result<(), Error> {
    let mail = state
        .config
        .mail
        .as_ref()
        .ok_or_else(|| Error::Unavailable("email is not set up on this server".to_owned()))?;
    crate::mail::send(mail, to, notice).await.map_err(|error| {
        tracing::error!(%error, "a console mail could not be handed to the mail transport");
        Error::Unavailable("the email could not be sent now; try again later".to_owned())
    })
}

/// Answers the same whether or not an account has this email: the mail, if any, is sent after the
/// answer, so its time does not tell either.
async fn forgotten(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<ForgottenPassword>,
) -> Result<Response, Error> {
    state.limits.check(Limit::PasswordForgotten, peer.ip()).await?;
    let email = request.email.trim();
    if email.is_empty() {
        return Err(Error::Validation {
            message: "enter the email address of your account".to_owned(),
            fields: Error::field_coded("email", FieldCode::Required, "enter your email address"),
        });
    }
    if state.config.mail.is_none() {
        return Err(Error::Unavailable("email is not set up on this server; ask an administrator".to_owned()));
    }
    let agent = state.store.agent_by_email(email).await?.filter(|a| a.active && !a.invited());
    if let Some(agent) = agent {
        let (token, link) = new_link(LinkPurpose::Reset, RESET_HOURS)?;
        if state.store.insert_agent_link(agent.id, &link, RESET_GAP_SECONDS, None).await? {
            let notice = Notice::password_reset(
                request.locale == Locale::En,
                &agent.name,
                console_link(&state, LinkPurpose::Reset, &token),
                RESET_HOURS,
            );
            tokio::spawn(async move {
                // Logged where it fails; the person asks again after a while.
                let _ = send_notice(&state, &agent.email, &notice).await;
            });
        }
    }
    Ok(StatusCode::ACCEPTED.into_response())
}

fn unknown_link() -> Error {
    Error::NotFound("this link is unknown, already used or expired".to_owned())
}

async fn link_info(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<LinkToken>,
) -> Result<Response, Error> {
    state.limits.check(Limit::AccountLink, peer.ip()).await?;
    let (purpose, agent) =
        state.store.agent_link(&token_hash(&request.token), crate::now()).await?.ok_or_else(unknown_link)?;
    Ok((super::no_store(), Json(LinkInfo { purpose, name: agent.name, email: agent.email })).into_response())
}

async fn link_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<LinkPassword>,
) -> Result<Response, Error> {
    state.limits.check(Limit::AccountLink, peer.ip()).await?;
    let hash = token_hash(&request.token);
    // Checked before the slow hash, so an unknown link answers at once and costs nothing.
    state.store.agent_link(&hash, crate::now()).await?.ok_or_else(unknown_link)?;
    long_enough("password", &request.password)?;
    let password = request.password;
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| Error::Internal(e.to_string()))??;
    let redeemed =
        state.store.redeem_agent_link(&hash, crate::now(), &password_hash).await?.ok_or_else(unknown_link)?;
    for token_hash in redeemed.ended {
        session_ended(&state, token_hash);
    }
    signed_in(&state, redeemed.agent).await
}
