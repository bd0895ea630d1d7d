//! Anonymous visitor sessions: created when a visitor first acts; everything they hold readable,
//! downloadable and erasable by their holder.

use super::{no_store, sites::unknown_site};
use crate::config::Site;
use crate::error::Error;
use crate::extract::{ApiJson, Visitor};
use crate::identity;
use crate::limits::Limit;
use crate::secrets::{new_token, token_hash};
use crate::startup::AppState;
use crate::store::{
    Attached, CallbackRow, ConversationRow, ErasedRows, IdentityClaim, MessageRow, SessionData, VisitorSessionRow,
};
use crate::{now, rfc3339};
use accueil_protocol::{
    CreateSession, DataCallback, DataConversation, DataPost, DataReport, DataVote, Erased, IdentityProof, Retention,
    Session, SessionCreated, VisitorData,
};
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
        .route("/v1/sessions/current/data", get(session_data))
        .route("/v1/sessions/current/identity", post(identify))
}

impl From<VisitorSessionRow> for Session {
    fn from(row: VisitorSessionRow) -> Session {
        Session {
            site: row.site,
            locale: row.locale,
            created_at: rfc3339(row.created_at),
            customer: row.customer.map(super::customer_view),
        }
    }
}

async fn create_session(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<CreateSession>,
) -> Result<Response, Error> {
    state.limits.check(Limit::SessionCreate, peer.ip()).await?;
    let site = state.sites.get(&request.site).ok_or_else(|| unknown_site(&request.site))?;
    if let Some(locale) = request.locale.filter(|l| !site.public.locales.contains(l)) {
        return Err(Error::Validation {
            message: "this site does not offer that locale".to_owned(),
            fields: Error::field("locale", format!("`{}` is not offered by site `{}`", locale.tag(), request.site)),
        });
    }
    let token = new_token()?;
    let mut row = state.store.insert_visitor_session(&token_hash(&token), &request.site, request.locale, now()).await?;
    let created = row.id;
    if let Some(proof) = &request.identity {
        apply_identity(&state, &site, row.id, proof).await?;
        row = state.store.visitor_session(&token_hash(&token)).await?.ok_or_else(session_gone)?;
    }
    let joined = row.id != created;
    let body = SessionCreated { token, session: row.into(), joined };
    Ok((StatusCode::CREATED, no_store(), Json(body)).into_response())
}

/// A session gone between the token's check and now (another tab erased it): the same 401 as a later
/// request gets.
fn session_gone() -> Error {
    Error::Unauthorized {
        message: "a valid visitor session token is required".to_owned(),
        fields: Error::field("authorization", "unknown or erased session"),
    }
}

/// Judges `proof` for the site and records the outcome on the session. A proof another session used
/// already (lifted from someone's page) counts as a claim only.
async fn apply_identity(state: &AppState, site: &Site, session: i64, proof: &IdentityProof) -> Result<(), Error> {
    let now = now();
    let (verdict, max_age) = match &site.identity {
        Some(settings) => (identity::verify(settings, &site.public.site, proof, now), settings.max_age_seconds),
        None => (identity::unverifiable(proof), 0),
    };
    let claim = identity::claim(verdict, proof, max_age, now);
    if state.store.attach_identity(session, &claim, now).await? == Attached::Replayed {
        tracing::info!(site = %site.public.site, "an identity proof another session used was refused");
        let claimed = IdentityClaim { verified: false, proof: None, ..claim };
        state.store.attach_identity(session, &claimed, now).await?;
    }
    Ok(())
}

/// `POST /v1/sessions/current/identity`: the host page said who the visitor is after the session began
/// (they signed in meanwhile). A verified customer with a session on another device joins it.
async fn identify(
    State(state): State<AppState>,
    visitor: Visitor,
    ApiJson(proof): ApiJson<IdentityProof>,
) -> Result<Response, Error> {
    let site = state.sites.get(&visitor.session.site).ok_or_else(|| unknown_site(&visitor.session.site))?;
    apply_identity(&state, &site, visitor.session.id, &proof).await?;
    let row = state.store.visitor_session(&visitor.token_hash).await?.ok_or_else(session_gone)?;
    Ok((no_store(), Json(Session::from(row))).into_response())
}

async fn current_session(visitor: Visitor) -> Response {
    (no_store(), Json(Session::from(visitor.session))).into_response()
}

/// The format name every downloaded file carries.
pub const DATA_FORMAT: &str = "accueil.visitor-data.v1";

async fn session_data(State(state): State<AppState>, visitor: Visitor) -> Result<Response, Error> {
    let data = state.store.session_data(visitor.session.id).await?;
    let site = state.sites.get(&visitor.session.site);
    Ok((no_store(), Json(visitor_data(visitor.session, site.as_deref(), data))).into_response())
}

fn visitor_data(session: VisitorSessionRow, site: Option<&Site>, data: SessionData) -> VisitorData {
    let retention = site.map(|site| Retention {
        chat_days: site.retention.chat_days,
        inactive_session_days: site.retention.inactive_session_days,
        report_days: site.retention.report_days,
        phone_days: site.callback.as_ref().map(|c| c.phone_retention_days),
    });
    VisitorData {
        format: DATA_FORMAT.to_owned(),
        exported_at: rfc3339(now()),
        session: session.into(),
        // A site removed from the configuration keeps nothing new: its sessions only wait to be erased.
        retention: retention.unwrap_or(Retention {
            chat_days: 0,
            inactive_session_days: 0,
            report_days: 0,
            phone_days: None,
        }),
        conversations: data.conversations.into_iter().map(|(c, messages)| conversation(c, messages)).collect(),
        callbacks: data.callbacks.into_iter().map(|row| callback(row, site)).collect(),
        posts: data
            .posts
            .into_iter()
            .map(|post| DataPost {
                id: post.public_id,
                thread: post.thread,
                title: post.title,
                body: post.body,
                pseudonym: post.pseudonym,
                status: post.status,
                created_at: rfc3339(post.created_at),
            })
            .collect(),
        votes: data.votes.into_iter().map(|post| DataVote { post }).collect(),
        reports: data
            .reports
            .into_iter()
            .map(|r| DataReport { post: r.post, reason: r.reason, created_at: rfc3339(r.created_at) })
            .collect(),
    }
}

fn conversation(row: ConversationRow, messages: Vec<MessageRow>) -> DataConversation {
    DataConversation {
        id: row.public_id,
        status: row.status,
        created_at: rfc3339(row.created_at),
        closed_at: row.closed_at.map(rfc3339),
        rating: row.rating,
        agent: row.agent.map(|(_, name)| name),
        messages: messages.into_iter().map(crate::chat::message_view).collect(),
    }
}

fn callback(row: CallbackRow, site: Option<&Site>) -> DataCallback {
    // The text agreed to, when the site still shows that version of it.
    let consent_text = site
        .and_then(|site| site.callback.as_ref())
        .filter(|settings| settings.consent_version == row.consent_version)
        .and_then(|settings| settings.consent_text.get(&row.locale).cloned());
    DataCallback {
        id: row.public_id,
        status: row.status,
        asap: row.asap,
        start: rfc3339(row.slot_start),
        end: rfc3339(row.slot_end),
        phone: row.phone_e164,
        name: row.name,
        topic: row.topic,
        consent_version: row.consent_version,
        consent_text,
        created_at: rfc3339(row.created_at),
        closed_at: row.closed_at.map(rfc3339),
    }
}

impl From<ErasedRows> for Erased {
    fn from(rows: ErasedRows) -> Erased {
        Erased {
            conversations: rows.conversations,
            messages: rows.messages,
            callbacks: rows.callbacks,
            cancelled_callbacks: rows.open_callbacks,
            posts: rows.posts,
            anonymised_posts: rows.anonymised_posts,
            votes: rows.votes,
            reports: rows.reports,
        }
    }
}

async fn erase_session(State(state): State<AppState>, visitor: Visitor) -> Result<Response, Error> {
    let erased = state.store.erase_visitor_session(&visitor.token_hash).await?.ok_or_else(session_gone)?;
    // Its live connections end with it: an erased session hears nothing more.
    state.hub.revoke(crate::chat::Revoked::Visitor(visitor.session.id));
    state.relay.wake(crate::relay::Wake::VisitorErased { session: visitor.session.id });
    Ok((no_store(), Json(Erased::from(erased))).into_response())
}
