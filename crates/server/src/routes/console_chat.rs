//! The console side of the chat over HTTP: the open conversations of a site (waiting, mine, all) with
//! the visitor's context, taking one (one agent wins), replying, handing over, closing, the agent's
//! presence and team, and the site's canned replies.

use super::no_store;
use crate::chat::{agent_view, announce_change, conversation_view, message_view};
use crate::error::Error;
use crate::extract::{ApiJson, FrontDesk, SignedInAgent};
use crate::now;
use crate::relay::Wake;
use crate::startup::AppState;
use crate::store::{CannedReplyRow, ConversationFilter, ConversationRow, Refusal};
use accueil_protocol::{
    AgentConversations, AgentMessage, AgentPresence, AgentTeam, CannedReplies, CannedReply, ChatHistory, MessageAuthor,
    NewCannedReply, TeamMember, TransferConversation,
};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use std::collections::HashMap;

const MAX_MESSAGE_CHARS: usize = 2000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/agent/conversations", get(list))
        .route("/v1/agent/conversations/{id}/claim", post(claim))
        .route("/v1/agent/conversations/{id}/messages", get(history).post(reply))
        .route("/v1/agent/conversations/{id}/close", post(close))
        .route("/v1/agent/conversations/{id}/transfer", post(transfer))
        .route("/v1/agent/presence", get(presence).put(set_presence))
        .route("/v1/agent/team", get(team))
        .route("/v1/agent/canned-replies", get(canned_replies).post(add_canned_reply))
        .route("/v1/agent/canned-replies/{id}", delete(delete_canned_reply))
}

fn bad_query(field: &str, reason: &str) -> Error {
    Error::InvalidRequest { message: "bad query".to_owned(), fields: Error::field(field, reason) }
}

fn refused(refusal: Refusal) -> Error {
    super::refused(refusal, "conversation")
}

/// A conversation of a site the agent works on; another site's is as unknown as none.
async fn conversation_of(state: &AppState, signed_in: &SignedInAgent, id: &str) -> Result<ConversationRow, Error> {
    state
        .store
        .conversation(id)
        .await?
        .filter(|row| signed_in.works_on(&row.site))
        .ok_or_else(|| refused(Refusal::NotFound))
}

async fn list(
    State(state): State<AppState>,
    FrontDesk(signed_in): FrontDesk,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
    let site = query.get("site").ok_or_else(|| bad_query("site", "missing"))?;
    signed_in.check_site(site)?;
    if state.sites.get(site).is_none() {
        return Err(Error::NotFound(format!("no site is named `{site}`")));
    }
    let filter = match query.get("filter").map(String::as_str) {
        None | Some("waiting") => ConversationFilter::Waiting,
        Some("mine") => ConversationFilter::Mine(signed_in.agent.id),
        Some("all") => ConversationFilter::All,
        Some(_) => return Err(bad_query("filter", "`waiting`, `mine` or `all`")),
    };
    // The inbox polls this list: that is the agent's presence, which decides the availability visitors see.
    state.store.touch_agent(signed_in.agent.id, now()).await?;
    let mut conversations = Vec::new();
    for row in state.store.site_conversations(site, filter).await? {
        conversations.push(agent_view(&state, row).await?);
    }
    Ok((no_store(), Json(AgentConversations { conversations })).into_response())
}

async fn claim(
    State(state): State<AppState>,
    FrontDesk(signed_in): FrontDesk,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    conversation_of(&state, &signed_in, &id).await?;
    let row = state.store.claim_conversation(&id, signed_in.agent.id, now()).await?.map_err(refused)?;
    // The visitor learns who answers; the other consoles see it taken.
    Ok((no_store(), Json(announce_change(&state, row).await?)).into_response())
}

async fn history(
    State(state): State<AppState>,
    FrontDesk(signed_in): FrontDesk,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
    let after = match query.get("after") {
        None => 0,
        Some(text) => text.parse::<u64>().map_err(|_| bad_query("after", "a message number"))?,
    };
    let row = conversation_of(&state, &signed_in, &id).await?;
    let rows = state.store.messages_after(row.id, after, 1000).await?;
    let body =
        ChatHistory { conversation: conversation_view(&row), messages: rows.into_iter().map(message_view).collect() };
    Ok((no_store(), Json(body)).into_response())
}

async fn reply(
    State(state): State<AppState>,
    FrontDesk(signed_in): FrontDesk,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<AgentMessage>,
) -> Result<Response, Error> {
    let body = request.body.trim();
    if body.is_empty() || body.chars().count() > MAX_MESSAGE_CHARS || request.client_id.is_empty() {
        return Err(Error::Validation {
            message: "the message is not valid".to_owned(),
            fields: Error::field("body", "1 to 2000 characters, with a client_id"),
        });
    }
    let row = conversation_of(&state, &signed_in, &id).await?;
    if row.agent.as_ref().map(|(agent, _)| *agent) != Some(signed_in.agent.id) {
        return Err(Error::Conflict("take this conversation before replying".to_owned()));
    }
    let (message, is_new) = state
        .store
        .add_message(row.id, MessageAuthor::Agent, Some(signed_in.agent.id), Some(&request.client_id), body, now())
        .await?;
    let message = message_view(message);
    if is_new {
        state.hub.publish_message(&row, message.clone());
        state.metrics.messages_stored.inc();
        state.relay.wake(Wake::Message { conversation: row.public_id.clone(), seq: message.seq });
    }
    Ok((StatusCode::CREATED, no_store(), Json(message)).into_response())
}

async fn close(
    State(state): State<AppState>,
    FrontDesk(signed_in): FrontDesk,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    conversation_of(&state, &signed_in, &id).await?;
    let row = state.store.close_conversation(&id, now()).await?.ok_or_else(|| refused(Refusal::NotFound))?;
    Ok((no_store(), Json(announce_change(&state, row).await?)).into_response())
}

async fn transfer(
    State(state): State<AppState>,
    FrontDesk(signed_in): FrontDesk,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<TransferConversation>,
) -> Result<Response, Error> {
    let current = conversation_of(&state, &signed_in, &id).await?;
    // Only to a colleague who answers visitors on the conversation's site.
    let colleague = state
        .store
        .agent_by_id(request.agent)
        .await?
        .is_some_and(|agent| agent.role.works_the_front_desk() && agent.sites.includes(&current.site));
    if !colleague {
        return Err(Error::Validation {
            message: "no agent of this site has this id".to_owned(),
            fields: Error::field("agent", "not an agent of this conversation's site"),
        });
    }
    let moved = state.store.transfer_conversation(&id, signed_in.agent.id, request.agent).await?;
    let row = moved.map_err(refused)?;
    Ok((no_store(), Json(announce_change(&state, row).await?)).into_response())
}

async fn presence(State(state): State<AppState>, FrontDesk(signed_in): FrontDesk) -> Result<Response, Error> {
    let presence = state.store.presence(signed_in.agent.id).await?;
    Ok((no_store(), Json(AgentPresence { presence })).into_response())
}

async fn set_presence(
    State(state): State<AppState>,
    FrontDesk(signed_in): FrontDesk,
    ApiJson(request): ApiJson<AgentPresence>,
) -> Result<Response, Error> {
    state.store.set_presence(signed_in.agent.id, request.presence).await?;
    state.store.touch_agent(signed_in.agent.id, now()).await?;
    Ok((no_store(), Json(request)).into_response())
}

async fn team(State(state): State<AppState>, FrontDesk(signed_in): FrontDesk) -> Result<Response, Error> {
    let since = now() - super::callbacks::PRESENCE_SECONDS;
    let agents = state
        .store
        .team()
        .await?
        .into_iter()
        // The colleagues who answer visitors on the agent's sites, not every brand's staff.
        .filter(|row| row.role.works_the_front_desk() && row.sites.overlaps(&signed_in.agent.sites))
        .map(|row| TeamMember {
            id: row.id,
            name: row.name,
            presence: row.presence,
            connected: row.last_seen_at.is_some_and(|at| at >= since),
        })
        .collect();
    Ok((no_store(), Json(AgentTeam { agents })).into_response())
}

const MAX_CANNED_TITLE_CHARS: usize = 80;

async fn canned_replies(
    State(state): State<AppState>,
    FrontDesk(signed_in): FrontDesk,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
    let site = query.get("site").ok_or_else(|| bad_query("site", "missing"))?;
    signed_in.check_site(site)?;
    if state.sites.get(site).is_none() {
        return Err(Error::NotFound(format!("no site is named `{site}`")));
    }
    let replies = state.store.canned_replies(site).await?.into_iter().map(canned_reply).collect();
    Ok((no_store(), Json(CannedReplies { replies })).into_response())
}

async fn add_canned_reply(
    State(state): State<AppState>,
    FrontDesk(signed_in): FrontDesk,
    ApiJson(request): ApiJson<NewCannedReply>,
) -> Result<Response, Error> {
    let (title, body) = (request.title.trim(), request.body.trim());
    let mut fields = Vec::new();
    if state.sites.get(&request.site).is_none() || !signed_in.works_on(&request.site) {
        fields.extend(Error::field("site", "no site has this id"));
    }
    if title.is_empty() || title.chars().count() > MAX_CANNED_TITLE_CHARS {
        fields.extend(Error::field("title", "1 to 80 characters"));
    }
    if body.is_empty() || body.chars().count() > MAX_MESSAGE_CHARS {
        fields.extend(Error::field("body", "1 to 2000 characters"));
    }
    if !fields.is_empty() {
        return Err(Error::Validation { message: "the canned reply is not valid".to_owned(), fields });
    }
    let reply = state.store.add_canned_reply(&request.site, title, body, now()).await?;
    Ok((StatusCode::CREATED, no_store(), Json(canned_reply(reply))).into_response())
}

fn canned_reply(row: CannedReplyRow) -> CannedReply {
    CannedReply { id: row.id, title: row.title, body: row.body }
}

async fn delete_canned_reply(
    State(state): State<AppState>,
    FrontDesk(signed_in): FrontDesk,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    let found = match id.parse::<i64>() {
        Ok(id) => match state.store.canned_reply_site(id).await? {
            Some(site) if signed_in.works_on(&site) => state.store.delete_canned_reply(id).await?,
            _ => false,
        },
        Err(_) => false,
    };
    if !found {
        return Err(Error::NotFound("no such canned reply".to_owned()));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
