//! The console side of the chat: the open conversations of a site (waiting, mine, all) with the
//! visitor's context, taking one (one agent wins), replying, reading the history and closing.

use super::no_store;
use crate::chat::{agent_conversation_view, conversation_view, message_view};
use crate::error::Error;
use crate::extract::{ApiJson, SignedInAgent};
use crate::now;
use crate::startup::AppState;
use crate::store::{ConversationFilter, ConversationRow, Refusal};
use accueil_protocol::{AgentConversations, AgentMessage, ChatHistory, MessageAuthor, ServerFrame};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::collections::HashMap;

const MAX_MESSAGE_CHARS: usize = 2000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/agent/conversations", get(list))
        .route("/v1/agent/conversations/{id}/claim", post(claim))
        .route("/v1/agent/conversations/{id}/messages", get(history).post(reply))
        .route("/v1/agent/conversations/{id}/close", post(close))
}

fn bad_query(field: &str, reason: &str) -> Error {
    Error::InvalidRequest { message: "bad query".to_owned(), fields: Error::field(field, reason) }
}

fn refused(refusal: Refusal) -> Error {
    super::refused(refusal, "conversation")
}

async fn with_last_message(
    state: &AppState,
    row: ConversationRow,
) -> Result<accueil_protocol::AgentConversation, Error> {
    let last = state.store.messages_after(row.id, row.last_seq.saturating_sub(1), 1).await?.into_iter().next();
    Ok(agent_conversation_view(row, last.map(message_view)))
}

async fn list(
    State(state): State<AppState>,
    signed_in: SignedInAgent,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
    let site = query.get("site").ok_or_else(|| bad_query("site", "missing"))?;
    if state.config.site(site).is_none() {
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
        conversations.push(with_last_message(&state, row).await?);
    }
    Ok((no_store(), Json(AgentConversations { conversations })).into_response())
}

async fn claim(
    State(state): State<AppState>,
    signed_in: SignedInAgent,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    let row = state.store.claim_conversation(&id, signed_in.agent.id).await?.map_err(refused)?;
    // The visitor learns who answers.
    state.hub.publish(row.id, ServerFrame::Conversation { conversation: conversation_view(&row) });
    Ok((no_store(), Json(with_last_message(&state, row).await?)).into_response())
}

async fn history(
    State(state): State<AppState>,
    _agent: SignedInAgent,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
    let after = match query.get("after") {
        None => 0,
        Some(text) => text.parse::<u64>().map_err(|_| bad_query("after", "a message number"))?,
    };
    let row = state.store.conversation(&id).await?.ok_or_else(|| refused(Refusal::NotFound))?;
    let rows = state.store.messages_after(row.id, after, 1000).await?;
    let body =
        ChatHistory { conversation: conversation_view(&row), messages: rows.into_iter().map(message_view).collect() };
    Ok((no_store(), Json(body)).into_response())
}

async fn reply(
    State(state): State<AppState>,
    signed_in: SignedInAgent,
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
    let row = state.store.conversation(&id).await?.ok_or_else(|| refused(Refusal::NotFound))?;
    if row.agent.as_ref().map(|(agent, _)| *agent) != Some(signed_in.agent.id) {
        return Err(Error::Conflict("take this conversation before replying".to_owned()));
    }
    let (message, is_new) = state
        .store
        .add_message(row.id, MessageAuthor::Agent, Some(signed_in.agent.id), Some(&request.client_id), body, now())
        .await?;
    let message = message_view(message);
    if is_new {
        state.hub.publish(row.id, ServerFrame::Message { message: message.clone() });
    }
    Ok((StatusCode::CREATED, no_store(), Json(message)).into_response())
}

async fn close(
    State(state): State<AppState>,
    _agent: SignedInAgent,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    let row = state.store.close_conversation(&id, now()).await?.ok_or_else(|| refused(Refusal::NotFound))?;
    state.hub.publish(row.id, ServerFrame::Conversation { conversation: conversation_view(&row) });
    Ok((no_store(), Json(with_last_message(&state, row).await?)).into_response())
}
