//! The console side of the community: the moderation queue (pending, hidden and reported posts),
//! approving, hiding, deleting and blocking an author, and answering as the brand.

use super::community::{ViewerMarks, answer_view, community_site};
use super::no_store;
use crate::community::render;
use crate::error::Error;
use crate::extract::{ApiJson, FrontDesk};
use crate::secrets::new_public_id;
use crate::startup::AppState;
use crate::store::{NewPost, PostRow};
use crate::{now, rfc3339};
use accueil_protocol::{ModeratedPost, Moderation, ModerationAction, ModerationQueue, OfficialAnswer, PostStatus};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::collections::HashMap;

const MAX_BODY_CHARS: usize = 5000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/agent/community/queue", get(queue))
        .route("/v1/agent/community/posts/{id}/moderate", post(moderate))
        .route("/v1/agent/community/threads/{id}/answers", post(official_answer))
}

fn moderated(row: PostRow, reasons: Vec<String>) -> ModeratedPost {
    ModeratedPost {
        thread: row.thread.clone().unwrap_or_else(|| row.public_id.clone()),
        thread_title: row.thread_title.or(row.title).unwrap_or_default(),
        id: row.public_id,
        html: row.html,
        pseudonym: row.pseudonym,
        status: row.status,
        reports: row.reports,
        reasons,
        created_at: rfc3339(row.created_at),
    }
}

async fn queue(
    State(state): State<AppState>,
    FrontDesk(signed_in): FrontDesk,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
    let site = query.get("site").ok_or_else(|| Error::InvalidRequest {
        message: "say which site".to_owned(),
        fields: Error::field("site", "missing query parameter"),
    })?;
    signed_in.check_site(site)?;
    let (site, _) = community_site(&state, site)?;
    let rows = state.store.moderation_queue(&site.public.site).await?;
    let posts = rows.into_iter().map(|(row, reasons)| moderated(row, reasons)).collect();
    Ok((no_store(), Json(ModerationQueue { posts })).into_response())
}

async fn moderate(
    State(state): State<AppState>,
    FrontDesk(signed_in): FrontDesk,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<Moderation>,
) -> Result<Response, Error> {
    let row = state.store.post(&id).await?.filter(|row| signed_in.works_on(&row.site));
    let row = row.ok_or_else(|| Error::NotFound("no such post".to_owned()))?;
    state.store.moderate(row.id, request.action, now()).await?;
    if request.action == ModerationAction::Delete {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let row = state.store.post(&id).await?.ok_or_else(|| Error::NotFound("no such post".to_owned()))?;
    Ok((no_store(), Json(moderated(row, Vec::new()))).into_response())
}

async fn official_answer(
    State(state): State<AppState>,
    FrontDesk(signed_in): FrontDesk,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<OfficialAnswer>,
) -> Result<Response, Error> {
    let thread = state.store.post(&id).await?.filter(|t| t.thread.is_none() && signed_in.works_on(&t.site));
    let thread = thread.ok_or_else(|| Error::NotFound("no such question".to_owned()))?;
    let (site, _) = community_site(&state, &thread.site)?;
    let body = request.body.trim();
    if body.is_empty() || body.chars().count() > MAX_BODY_CHARS {
        return Err(Error::Validation {
            message: "the answer is not valid".to_owned(),
            fields: Error::field("body", "1 to 5000 characters"),
        });
    }
    let post = NewPost {
        public_id: new_public_id("an")?,
        site: thread.site.clone(),
        thread_id: Some(thread.id),
        session_id: None,
        agent_id: Some(signed_in.agent.id),
        pseudonym: format!("{} · {}", signed_in.agent.name, site.public.name),
        title: None,
        topic: None,
        html: render(body),
        body: body.to_owned(),
        official: true,
        status: PostStatus::Visible,
        now: now(),
    };
    let row = state.store.insert_post(&post).await?;
    Ok((StatusCode::CREATED, no_store(), Json(answer_view(row, None, ViewerMarks::default(), None))).into_response())
}
