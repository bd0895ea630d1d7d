//! The visitor side of the community: questions of a site (sorted, by page topic, searched by the
//! database), a question with its answers, asking and answering under a pseudonym, votes, the asker's
//! accepted answer, reports, editing or deleting one's own posts, and new answers to one's questions.

use super::faq::site_and_locale;
use super::no_store;
use super::sites::unknown_site;
use crate::community::{HIDE_AFTER_REPORTS, filtered_word, pseudonym_problem, render, search_words};
use crate::config::{CommunitySettings, Site};
use crate::error::Error;
use crate::extract::{ApiJson, MaybeVisitor, Visitor};
use crate::limits::Limit;
use crate::secrets::new_public_id;
use crate::startup::AppState;
use crate::store::{NewPost, PostRow, ThreadFilter, ThreadSort};
use crate::{now, rfc3339};
use accueil_protocol::{
    AcceptAnswer, Answer, FaqSearchHit, FieldCode, FieldError, MyThread, MyThreads, NewAnswer, NewThread, PostStatus,
    ReportPost, SimilarQuestions, Thread, ThreadSummary, Threads, VoteCount, VoteRequest,
};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

const MAX_TITLE_CHARS: usize = 150;
const MIN_TITLE_CHARS: usize = 5;
const MAX_BODY_CHARS: usize = 5000;
const MAX_TOPIC_CHARS: usize = 100;
const MAX_REASON_CHARS: usize = 500;
/// Posts one session may write per hour, whatever its address.
const POSTS_PER_SESSION_PER_HOUR: u32 = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/sites/{site}/community/threads", get(threads))
        .route("/v1/sites/{site}/community/similar", get(similar))
        .route("/v1/community/threads", post(ask))
        .route("/v1/community/threads/{id}", get(thread))
        .route("/v1/community/threads/{id}/answers", post(answer))
        .route("/v1/community/threads/{id}/accept", post(accept))
        .route("/v1/community/posts/{id}", axum::routing::patch(edit).delete(delete))
        .route("/v1/community/posts/{id}/vote", put(vote))
        .route("/v1/community/posts/{id}/report", post(report))
        .route("/v1/community/mine", get(mine))
}

/// The site and its community settings; 404 when the site has no community.
pub(crate) fn community_site(state: &AppState, site: &str) -> Result<(Arc<Site>, CommunitySettings), Error> {
    let found = state.sites.get(site).ok_or_else(|| unknown_site(site))?;
    let settings = found.community.clone().ok_or_else(|| Error::NotFound(format!("site `{site}` has no community")))?;
    Ok((found, settings))
}

fn not_found() -> Error {
    Error::NotFound("no such post".to_owned())
}

pub(crate) fn summary(row: PostRow, viewer: Option<i64>) -> ThreadSummary {
    ThreadSummary {
        mine: viewer.is_some() && row.session_id == viewer,
        id: row.public_id,
        title: row.title.unwrap_or_default(),
        pseudonym: row.pseudonym,
        topic: row.topic,
        answers: row.answers,
        score: row.score,
        solved: row.accepted.is_some(),
        status: row.status,
        created_at: rfc3339(row.created_at),
    }
}

/// What the viewing session did to a post: voted for it, reported it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ViewerMarks {
    pub voted: bool,
    pub reported: bool,
}

pub(crate) fn answer_view(row: PostRow, accepted: Option<&str>, marks: ViewerMarks, viewer: Option<i64>) -> Answer {
    Answer {
        accepted: accepted == Some(row.public_id.as_str()),
        mine: viewer.is_some() && row.session_id == viewer,
        id: row.public_id,
        html: row.html,
        pseudonym: row.pseudonym,
        official: row.official,
        score: row.score,
        voted: marks.voted,
        reported: marks.reported,
        status: row.status,
        created_at: rfc3339(row.created_at),
    }
}

async fn threads(
    State(state): State<AppState>,
    Path(site): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    MaybeVisitor(visitor): MaybeVisitor,
) -> Result<Response, Error> {
    let (site, _) = community_site(&state, &site)?;
    let sort = match query.get("sort").map(String::as_str) {
        None | Some("recent") => ThreadSort::Recent,
        Some("top") => ThreadSort::Top,
        Some("unanswered") => ThreadSort::Unanswered,
        Some(_) => {
            return Err(Error::InvalidRequest {
                message: "unknown sort".to_owned(),
                fields: Error::field("sort", "`recent`, `top` or `unanswered`"),
            });
        }
    };
    let filter = ThreadFilter {
        topic: query.get("topic").filter(|t| !t.is_empty()).cloned(),
        search: query.get("q").and_then(|q| search_words(q)),
    };
    let viewer = visitor.as_ref().map(|v| v.session.id);
    let rows = state.store.threads(&site.public.site, sort, &filter, viewer).await?;
    let body = Threads { threads: rows.into_iter().map(|row| summary(row, viewer)).collect() };
    Ok((no_store(), Json(body)).into_response())
}

async fn similar(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(site): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<SimilarQuestions>, Error> {
    state.limits.check(Limit::FaqSearch, peer.ip()).await?;
    let (found, _) = community_site(&state, &site)?;
    let (_, locale) = site_and_locale(&state, &site, query.get("locale").map(String::as_str))?;
    let q = query.get("q").map(String::as_str).unwrap_or_default();
    let faq = match state.faq.get(state.store.as_ref(), &found.public.site, locale).await? {
        Some(served) => served
            .index
            .search(q, 3)
            .into_iter()
            .map(|hit| FaqSearchHit {
                question: served.entries[hit.entry].question.clone(),
                id: hit.id,
                score: hit.score,
            })
            .collect(),
        None => Vec::new(),
    };
    let threads = match search_words(q) {
        Some(search) => {
            let filter = ThreadFilter { topic: None, search: Some(search) };
            let rows = state.store.threads(&found.public.site, ThreadSort::Top, &filter, None).await?;
            rows.into_iter().take(3).map(|row| summary(row, None)).collect()
        }
        None => Vec::new(),
    };
    Ok(Json(SimilarQuestions { faq, threads }))
}

/// A question the viewer may see (visible, or their own), else 404.
async fn visible_thread(state: &AppState, id: &str, viewer: Option<i64>) -> Result<PostRow, Error> {
    let row = state.store.post(id).await?.ok_or_else(not_found)?;
    let theirs = viewer.is_some() && row.session_id == viewer;
    if row.thread.is_some() || (row.status != PostStatus::Visible && !theirs) {
        return Err(not_found());
    }
    Ok(row)
}

async fn thread_view(state: &AppState, row: PostRow, viewer: Option<i64>) -> Result<Thread, Error> {
    let mut answers = state.store.answers(row.id, viewer).await?;
    let ids: Vec<i64> = std::iter::once(row.id).chain(answers.iter().map(|a| a.id)).collect();
    let (voted, reported) = match viewer {
        Some(session) => (state.store.voted(&ids, session).await?, state.store.reported(&ids, session).await?),
        None => (Vec::new(), Vec::new()),
    };
    let marks = |id: i64| ViewerMarks { voted: voted.contains(&id), reported: reported.contains(&id) };
    let accepted = row.accepted.clone();
    // The accepted answer first, then the brand's, then the most useful.
    answers.sort_by_key(|a| {
        (accepted.as_deref() != Some(a.public_id.as_str()), !a.official, std::cmp::Reverse(a.score), a.created_at)
    });
    if let Some(session) = viewer.filter(|s| row.session_id == Some(*s)) {
        state.store.mark_read(row.id, session, row.answers).await?;
    }
    Ok(Thread {
        mine: viewer.is_some() && row.session_id == viewer,
        voted: voted.contains(&row.id),
        reported: reported.contains(&row.id),
        id: row.public_id,
        title: row.title.unwrap_or_default(),
        html: row.html,
        pseudonym: row.pseudonym,
        topic: row.topic,
        score: row.score,
        status: row.status,
        created_at: rfc3339(row.created_at),
        answers: answers
            .into_iter()
            .map(|a| {
                let marks = marks(a.id);
                answer_view(a, accepted.as_deref(), marks, viewer)
            })
            .collect(),
    })
}

async fn thread(
    State(state): State<AppState>,
    Path(id): Path<String>,
    MaybeVisitor(visitor): MaybeVisitor,
) -> Result<Response, Error> {
    let viewer = visitor.as_ref().map(|v| v.session.id);
    let row = visible_thread(&state, &id, viewer).await?;
    Ok((no_store(), Json(thread_view(&state, row, viewer).await?)).into_response())
}

/// Checks a post's text and pseudonym against the site's rules; every problem at once.
async fn check_post(
    state: &AppState,
    site: &Site,
    settings: &CommunitySettings,
    visitor: &Visitor,
    fields: &[(&str, &str, usize, usize)],
    pseudonym: &str,
) -> Result<(), Error> {
    if state.store.is_blocked(visitor.session.id).await? {
        return Err(Error::Validation {
            message: "this session may no longer post".to_owned(),
            fields: Error::field_coded("session", FieldCode::Blocked, "blocked by a moderator"),
        });
    }
    if state.store.posts_since(visitor.session.id, now() - 3600).await? >= POSTS_PER_SESSION_PER_HOUR {
        return Err(Error::RateLimited { retry_after: 3600 });
    }
    let mut problems = Vec::new();
    for (name, text, min, max) in fields {
        let length = text.trim().chars().count();
        let problem = if length == 0 && *min > 0 {
            Some((FieldCode::Required, "must not be empty".to_owned()))
        } else if length < *min {
            Some((FieldCode::TooShort, format!("at least {min} characters")))
        } else if length > *max {
            Some((FieldCode::TooLong, format!("at most {max} characters")))
        } else {
            filtered_word(text, &settings.word_filter)
                .map(|word| (FieldCode::NotAllowed, format!("the word `{word}` is not allowed here")))
        };
        if let Some((code, reason)) = problem {
            problems.push(FieldError { field: (*name).to_owned(), code, reason });
        }
    }
    let agents = state.store.agent_names().await?;
    let pseudonym_problem =
        pseudonym_problem(pseudonym.trim(), &site.public.name, &agents).map(|(c, r)| (c, r.to_owned())).or_else(|| {
            filtered_word(pseudonym, &settings.word_filter)
                .map(|w| (FieldCode::NotAllowed, format!("the word `{w}` is not allowed here")))
        });
    if let Some((code, reason)) = pseudonym_problem {
        problems.push(FieldError { field: "pseudonym".to_owned(), code, reason });
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation { message: "the post is not valid".to_owned(), fields: problems })
    }
}

/// A visitor's post as stored: trimmed, rendered, and pending where the site moderates first.
fn visitor_post(
    prefix: &str,
    site: &Site,
    settings: &CommunitySettings,
    visitor: &Visitor,
    pseudonym: &str,
    body: &str,
) -> Result<NewPost, Error> {
    Ok(NewPost {
        public_id: new_public_id(prefix)?,
        site: site.public.site.clone(),
        thread_id: None,
        session_id: Some(visitor.session.id),
        agent_id: None,
        pseudonym: pseudonym.trim().to_owned(),
        title: None,
        topic: None,
        html: render(body.trim()),
        body: body.trim().to_owned(),
        official: false,
        status: if settings.pre_moderation { PostStatus::Pending } else { PostStatus::Visible },
        now: now(),
    })
}

async fn ask(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    visitor: Visitor,
    ApiJson(request): ApiJson<NewThread>,
) -> Result<Response, Error> {
    state.limits.check(Limit::CommunityPost, peer.ip()).await?;
    let (site, settings) = community_site(&state, &visitor.session.site)?;
    let (site, settings) = (&*site, &settings);
    let topic = request.topic.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let mut fields = vec![
        ("title", request.title.as_str(), MIN_TITLE_CHARS, MAX_TITLE_CHARS),
        ("body", request.body.as_str(), 1, MAX_BODY_CHARS),
    ];
    if let Some(topic) = topic {
        fields.push(("topic", topic, 1, MAX_TOPIC_CHARS));
    }
    check_post(&state, site, settings, &visitor, &fields, &request.pseudonym).await?;
    let post = NewPost {
        title: Some(request.title.trim().to_owned()),
        topic: topic.map(str::to_owned),
        ..visitor_post("th", site, settings, &visitor, &request.pseudonym, &request.body)?
    };
    let row = state.store.insert_post(&post).await?;
    let view = thread_view(&state, row, Some(visitor.session.id)).await?;
    Ok((StatusCode::CREATED, no_store(), Json(view)).into_response())
}

async fn answer(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    visitor: Visitor,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<NewAnswer>,
) -> Result<Response, Error> {
    state.limits.check(Limit::CommunityPost, peer.ip()).await?;
    let viewer = Some(visitor.session.id);
    let thread = visible_thread(&state, &id, viewer).await?;
    if thread.site != visitor.session.site {
        return Err(not_found());
    }
    let (site, settings) = community_site(&state, &visitor.session.site)?;
    let (site, settings) = (&*site, &settings);
    check_post(
        &state,
        site,
        settings,
        &visitor,
        &[("body", request.body.as_str(), 1, MAX_BODY_CHARS)],
        &request.pseudonym,
    )
    .await?;
    let post = NewPost {
        thread_id: Some(thread.id),
        ..visitor_post("an", site, settings, &visitor, &request.pseudonym, &request.body)?
    };
    let row = state.store.insert_post(&post).await?;
    Ok((StatusCode::CREATED, no_store(), Json(answer_view(row, None, ViewerMarks::default(), viewer))).into_response())
}

/// A post of the visitor's site that they may see.
async fn post_for(state: &AppState, visitor: &Visitor, id: &str) -> Result<PostRow, Error> {
    let row = state.store.post(id).await?.ok_or_else(not_found)?;
    let theirs = row.session_id == Some(visitor.session.id);
    if row.site != visitor.session.site || (row.status != PostStatus::Visible && !theirs) {
        return Err(not_found());
    }
    Ok(row)
}

async fn vote(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    visitor: Visitor,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<VoteRequest>,
) -> Result<Response, Error> {
    state.limits.check(Limit::CommunityVote, peer.ip()).await?;
    let row = post_for(&state, &visitor, &id).await?;
    let score = state.store.vote(row.id, visitor.session.id, request.up).await?;
    Ok((no_store(), Json(VoteCount { score, voted: request.up })).into_response())
}

async fn report(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    visitor: Visitor,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ReportPost>,
) -> Result<StatusCode, Error> {
    state.limits.check(Limit::CommunityVote, peer.ip()).await?;
    let reason = request.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > MAX_REASON_CHARS) {
        return Err(Error::Validation {
            message: "the reason is too long".to_owned(),
            fields: Error::field("reason", "at most 500 characters"),
        });
    }
    let row = post_for(&state, &visitor, &id).await?;
    state.store.report(row.id, visitor.session.id, reason, HIDE_AFTER_REPORTS, now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn accept(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<AcceptAnswer>,
) -> Result<StatusCode, Error> {
    let thread = post_for(&state, &visitor, &id).await?;
    // Only the asker accepts; for anyone else the question might as well not exist.
    if thread.thread.is_some() || thread.session_id != Some(visitor.session.id) {
        return Err(not_found());
    }
    let answer =
        post_for(&state, &visitor, &request.answer).await.ok().filter(|a| a.thread.as_deref() == Some(id.as_str()));
    let answer = answer.ok_or_else(|| Error::Validation {
        message: "that is not an answer to this question".to_owned(),
        fields: Error::field("answer", "not an answer to this question"),
    })?;
    state.store.accept(thread.id, answer.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PostEdit {
    body: String,
}

/// One's own post, else 404 (the same as no post).
async fn own_post(state: &AppState, visitor: &Visitor, id: &str) -> Result<PostRow, Error> {
    let row = state.store.post(id).await?.ok_or_else(not_found)?;
    if row.session_id != Some(visitor.session.id) {
        return Err(not_found());
    }
    Ok(row)
}

async fn edit(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<PostEdit>,
) -> Result<Response, Error> {
    let row = own_post(&state, &visitor, &id).await?;
    let (site, settings) = community_site(&state, &visitor.session.site)?;
    let (site, settings) = (&*site, &settings);
    check_post(&state, site, settings, &visitor, &[("body", request.body.as_str(), 1, MAX_BODY_CHARS)], &row.pseudonym)
        .await?;
    let html = render(request.body.trim());
    // On a pre-moderated site an approved post that changes is a new text nobody approved: it waits
    // again. A hidden post stays hidden whatever its author writes.
    let status = match row.status {
        PostStatus::Visible if settings.pre_moderation => PostStatus::Pending,
        status => status,
    };
    state.store.edit_post(row.id, request.body.trim(), &html, status).await?;
    let edited = state.store.post(&id).await?.ok_or_else(not_found)?;
    let viewer = Some(visitor.session.id);
    let body = match edited.thread {
        Some(_) => serde_json::to_value(answer_view(edited, None, ViewerMarks::default(), viewer)),
        None => serde_json::to_value(thread_view(&state, edited, viewer).await?),
    }
    .map_err(|e| Error::Internal(e.to_string()))?;
    Ok((no_store(), Json(body)).into_response())
}

async fn delete(State(state): State<AppState>, visitor: Visitor, Path(id): Path<String>) -> Result<StatusCode, Error> {
    let row = own_post(&state, &visitor, &id).await?;
    state.store.delete_post(row.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn mine(State(state): State<AppState>, visitor: Visitor) -> Result<Response, Error> {
    let rows = state.store.my_threads(visitor.session.id).await?;
    let threads: Vec<MyThread> = rows
        .into_iter()
        .map(|(row, seen)| MyThread {
            unread: row.answers.saturating_sub(seen),
            answers: row.answers,
            id: row.public_id,
            title: row.title.unwrap_or_default(),
        })
        .collect();
    let unread = threads.iter().map(|t| t.unread).sum();
    Ok((no_store(), Json(MyThreads { threads, unread })).into_response())
}
