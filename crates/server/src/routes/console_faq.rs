//! The console side of the FAQ: the sites an agent works on, entries with their Markdown, editing one
//! entry (published at once as a new snapshot), preview, restoring the previous snapshot, and the gap
//! report built from visitors' anonymous events.

use super::faq::{site_and_locale, today};
use super::no_store;
use crate::error::Error;
use crate::extract::{ApiJson, ContentEditor, SignedInAgent};
use crate::faq::{Content, StoredEntry, normalize_query, render};
use crate::startup::AppState;
use crate::store::Store;
use accueil_protocol::{
    AgentSite, AgentSites, EntryFeedback, EntrySuggestion, FaqComment, FaqEdit, FaqEntry, FaqPreview, FaqPreviewed,
    FaqReport, FaqSource, FaqSourceEntry, FaqSynonyms, Locale, PhrasingProposal, QueryCount,
};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use std::collections::HashMap;

/// Answers are longer than other bodies; 64 KiB is a long article. No route reads more.
pub(super) const EDIT_BODY_LIMIT: usize = 64 * 1024;
/// A phrasing is proposed once visitors found the entry helpful after that search this many times.
const PROPOSAL_VOTES: i64 = 2;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/agent/sites", get(sites))
        .route("/v1/agent/faq/preview", post(preview))
        .route("/v1/agent/faq/{site}/restore", post(restore))
        .route("/v1/agent/faq/{site}/{locale}", get(source))
        .route("/v1/agent/faq/{site}/{locale}/report", get(report))
        .route("/v1/agent/faq/{site}/{locale}/{id}", put(edit))
        .route("/v1/agent/synonyms/{site}/{locale}", put(edit_synonyms))
        .layer(DefaultBodyLimit::max(EDIT_BODY_LIMIT))
}

async fn sites(State(state): State<AppState>, signed_in: SignedInAgent) -> Json<AgentSites> {
    let sites = state
        .config
        .sites
        .iter()
        .filter(|s| signed_in.works_on(&s.public.site))
        .map(|s| AgentSite {
            site: s.public.site.clone(),
            name: s.public.name.clone(),
            locales: s.public.locales.clone(),
        })
        .collect();
    Json(AgentSites { sites })
}

/// The published content of a site, or an empty FAQ when nothing was ever published.
async fn published_content(store: &dyn Store, site: &str) -> Result<(i64, Content), Error> {
    match store.published_faq(site).await? {
        Some(snapshot) => Ok((snapshot.id, store.faq_content(snapshot.id).await?)),
        None => Ok((0, Content::default())),
    }
}

async fn source(
    State(state): State<AppState>,
    ContentEditor(signed_in): ContentEditor,
    Path((site, locale)): Path<(String, String)>,
) -> Result<Response, Error> {
    signed_in.check_site(&site)?;
    let (site, locale) = site_and_locale(&state, &site, Some(&locale))?;
    let (version, content) = published_content(state.store.as_ref(), &site.public.site).await?;
    let synonyms =
        content.synonyms.iter().find(|(l, _)| *l == locale).map(|(_, groups)| groups.clone()).unwrap_or_default();
    let entries = content
        .entries
        .into_iter()
        .filter(|e| e.locale == locale)
        .map(|StoredEntry { markdown, public: e, .. }| FaqSourceEntry {
            id: e.id,
            question: e.question,
            phrasings: e.phrasings,
            tags: e.tags,
            category: e.category,
            order: e.order,
            updated: e.updated,
            markdown,
        })
        .collect();
    let body = FaqSource { site: site.public.site.clone(), locale, version, entries, synonyms };
    Ok((no_store(), Json(body)).into_response())
}

fn check_edit(edit: &FaqEdit, id: &str, known_ids: &[&str]) -> Result<(), Error> {
    let mut fields = Vec::new();
    if id.is_empty() || id.len() > 80 || !id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        fields.extend(Error::field("id", "use lowercase letters, digits and `-`"));
    }
    for (field, value, max) in
        [("question", &edit.question, 300), ("category", &edit.category, 100), ("markdown", &edit.markdown, 20_000)]
    {
        if value.trim().is_empty() {
            fields.extend(Error::field(field, "cannot be empty"));
        } else if value.chars().count() > max {
            fields.extend(Error::field(field, format!("at most {max} characters")));
        }
    }
    for (target, line) in render::internal_links(&edit.markdown) {
        if target != id && !known_ids.contains(&target.as_str()) {
            fields.extend(Error::field("markdown", format!("line {line}: no entry `{target}` to link to")));
        }
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation { message: "the entry cannot be published as it is".to_owned(), fields })
    }
}

fn clean_list(items: &[String]) -> Vec<String> {
    items.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
}

async fn edit(
    State(state): State<AppState>,
    ContentEditor(signed_in): ContentEditor,
    Path((site, locale, id)): Path<(String, String, String)>,
    ApiJson(edit): ApiJson<FaqEdit>,
) -> Result<Response, Error> {
    signed_in.check_site(&site)?;
    let (site, locale) = site_and_locale(&state, &site, Some(&locale))?;
    let (_, mut content) = published_content(state.store.as_ref(), &site.public.site).await?;
    let known: Vec<&str> =
        content.entries.iter().filter(|e| e.locale == locale).map(|e| e.public.id.as_str()).collect();
    check_edit(&edit, &id, &known)?;
    let public = FaqEntry {
        id: id.clone(),
        question: edit.question.trim().to_owned(),
        phrasings: clean_list(&edit.phrasings),
        tags: clean_list(&edit.tags),
        category: edit.category.trim().to_owned(),
        order: edit.order,
        updated: today(),
        html: render::to_html(&edit.markdown),
        text: render::to_text(&edit.markdown),
    };
    let stored = StoredEntry { locale, markdown: edit.markdown.trim().to_owned(), public: public.clone() };
    match content.entries.iter_mut().find(|e| e.locale == locale && e.public.id == id) {
        Some(existing) => *existing = stored,
        None => content.entries.push(stored),
    }
    state.store.publish_faq_snapshot(&site.public.site, "console", &content, crate::now()).await?;
    Ok((no_store(), Json(public)).into_response())
}

async fn edit_synonyms(
    State(state): State<AppState>,
    ContentEditor(signed_in): ContentEditor,
    Path((site, locale)): Path<(String, String)>,
    ApiJson(edit): ApiJson<FaqSynonyms>,
) -> Result<Response, Error> {
    signed_in.check_site(&site)?;
    let (site, locale) = site_and_locale(&state, &site, Some(&locale))?;
    let groups: Vec<Vec<String>> = edit.groups.iter().map(|g| clean_list(g)).filter(|g| !g.is_empty()).collect();
    let fields: Vec<_> = groups
        .iter()
        .enumerate()
        .filter(|(_, g)| g.len() < 2)
        .flat_map(|(i, g)| Error::field(&format!("groups.{i}"), format!("`{}` needs at least one synonym", g[0])))
        .collect();
    if !fields.is_empty() {
        return Err(Error::Validation { message: "each group needs two words or more".to_owned(), fields });
    }
    let (_, mut content) = published_content(state.store.as_ref(), &site.public.site).await?;
    content.synonyms.retain(|(l, _)| *l != locale);
    content.synonyms.push((locale, groups.clone()));
    state.store.publish_faq_snapshot(&site.public.site, "console", &content, crate::now()).await?;
    Ok((no_store(), Json(FaqSynonyms { groups })).into_response())
}

async fn preview(_editor: ContentEditor, ApiJson(preview): ApiJson<FaqPreview>) -> Json<FaqPreviewed> {
    Json(FaqPreviewed { html: render::to_html(&preview.markdown) })
}

async fn restore(
    State(state): State<AppState>,
    ContentEditor(signed_in): ContentEditor,
    Path(site): Path<String>,
) -> Result<StatusCode, Error> {
    signed_in.check_site(&site)?;
    let (site, _) = site_and_locale(&state, &site, None)?;
    let id = &site.public.site;
    let published = state.store.published_faq(id).await?.map(|s| s.id);
    let snapshots = state.store.faq_snapshots(id).await?;
    let previous = snapshots
        .iter()
        .find(|s| published.is_some_and(|p| s.id < p))
        .ok_or_else(|| Error::Conflict("there is no earlier FAQ snapshot to restore".to_owned()))?;
    state.store.publish_existing_faq(id, previous.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn report(
    State(state): State<AppState>,
    ContentEditor(signed_in): ContentEditor,
    Path((site, locale)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
    signed_in.check_site(&site)?;
    let (site, locale): (_, Locale) = site_and_locale(&state, &site, Some(&locale))?;
    let days = match query.get("days") {
        None => 30,
        Some(d) => d.parse::<i64>().ok().filter(|d| (1..=365).contains(d)).ok_or_else(|| Error::Validation {
            message: "days is out of range".to_owned(),
            fields: Error::field("days", "a whole number from 1 to 365"),
        })?,
    };
    let since_date = time::OffsetDateTime::now_utc() - time::Duration::days(days - 1);
    let since = format!("{:04}-{:02}-{:02}", since_date.year(), u8::from(since_date.month()), since_date.day());
    let stats = state.store.faq_stats(&site.public.site, locale, &since).await?;
    let (_, content) = published_content(state.store.as_ref(), &site.public.site).await?;
    let entry = |id: &str| content.entries.iter().find(|e| e.locale == locale && e.public.id == id).map(|e| &e.public);
    let question = |id: &str| entry(id).map(|e| e.question.clone()).unwrap_or_else(|| id.to_owned());
    let proposals = stats
        .helpful_queries
        .iter()
        .filter(|(_, _, votes)| *votes >= PROPOSAL_VOTES)
        .filter_map(|(query, id, votes)| {
            let e = entry(id)?;
            let already = std::iter::once(&e.question).chain(&e.phrasings).any(|p| normalize_query(p) == *query);
            (!already).then(|| PhrasingProposal {
                entry: id.clone(),
                question: e.question.clone(),
                phrasing: query.clone(),
                votes: *votes,
            })
        })
        .collect();
    // Each failed search with the entry closest to it, so the team can add it as a phrasing in one
    // action (embedding the queries is CPU work: off the async threads).
    // A search the team has since made a phrasing of is answered now: it leaves the list.
    let answered: std::collections::HashSet<String> = content
        .entries
        .iter()
        .filter(|e| e.locale == locale)
        .flat_map(|e| std::iter::once(&e.public.question).chain(&e.public.phrasings))
        .map(|p| normalize_query(p))
        .collect();
    let served = state.faq.get(state.store.as_ref(), &site.public.site, locale).await?;
    let faq = state.faq.clone();
    let unanswered = tokio::task::spawn_blocking(move || {
        stats
            .unanswered
            .into_iter()
            .filter(|(query, _)| !answered.contains(query))
            .map(|(query, searches)| {
                let suggestion = served
                    .as_ref()
                    .and_then(|s| s.closest(faq.encoder(), &query))
                    .map(|entry| EntrySuggestion { entry: entry.id.clone(), question: entry.question.clone() });
                QueryCount { query, searches, suggestion }
            })
            .collect()
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?;
    let body = FaqReport {
        site: site.public.site.clone(),
        locale,
        since,
        unanswered,
        entries: stats
            .entries
            .into_iter()
            .map(|(id, views, helpful, not_helpful)| EntryFeedback {
                question: question(&id),
                id,
                views,
                helpful,
                not_helpful,
            })
            .collect(),
        comments: stats.comments.into_iter().map(|(entry, comment)| FaqComment { entry, comment }).collect(),
        proposals,
    };
    Ok((no_store(), Json(body)).into_response())
}
