//! The community part of the store: questions and answers (one table of posts), votes, reports,
//! what askers have read, and blocked sessions.

use super::UnixTime;
use crate::error::Error;
use accueil_protocol::{ModerationAction, PostStatus};
use async_trait::async_trait;

/// A question or an answer as stored, with its counts.
#[derive(Debug, Clone, PartialEq)]
pub struct PostRow {
    pub id: i64,
    pub public_id: String,
    pub site: String,
    /// The question's public id, for an answer.
    pub thread: Option<String>,
    pub thread_title: Option<String>,
    pub session_id: Option<i64>,
    pub pseudonym: String,
    pub title: Option<String>,
    pub topic: Option<String>,
    pub body: String,
    pub html: String,
    pub official: bool,
    pub status: PostStatus,
    /// For a question: the accepted answer's public id.
    pub accepted: Option<String>,
    pub score: i64,
    /// For a question: its visible answers.
    pub answers: u32,
    pub reports: u32,
    pub created_at: UnixTime,
}

/// A post to store, already validated and rendered.
#[derive(Debug, Clone)]
pub struct NewPost {
    pub public_id: String,
    pub site: String,
    /// The question's internal id, for an answer.
    pub thread_id: Option<i64>,
    pub session_id: Option<i64>,
    pub agent_id: Option<i64>,
    pub pseudonym: String,
    pub title: Option<String>,
    pub topic: Option<String>,
    pub body: String,
    pub html: String,
    pub official: bool,
    pub status: PostStatus,
    pub now: UnixTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadSort {
    Recent,
    Top,
    Unanswered,
}

#[derive(Debug, Clone, Default)]
pub struct ThreadFilter {
    pub topic: Option<String>,
    /// An FTS5 query, already built from the visitor's words.
    pub search: Option<String>,
}

#[async_trait]
pub trait CommunityStore {
    async fn insert_post(&self, post: &NewPost) -> Result<PostRow, Error>;
    /// Questions of `site` that `viewer` may see (visible ones and their own), 50 at most.
    async fn threads(
        &self,
        site: &str,
        sort: ThreadSort,
        filter: &ThreadFilter,
        viewer: Option<i64>,
    ) -> Result<Vec<PostRow>, Error>;
    async fn post(&self, public_id: &str) -> Result<Option<PostRow>, Error>;
    /// The answers of a question that `viewer` may see, oldest first.
    async fn answers(&self, thread_id: i64, viewer: Option<i64>) -> Result<Vec<PostRow>, Error>;
    /// Which of `posts` `session` voted for.
    async fn voted(&self, posts: &[i64], session: i64) -> Result<Vec<i64>, Error>;
    /// Which of `posts` `session` reported.
    async fn reported(&self, posts: &[i64], session: i64) -> Result<Vec<i64>, Error>;
    /// Sets or withdraws `session`'s vote; the post's new score.
    async fn vote(&self, post: i64, session: i64, up: bool) -> Result<i64, Error>;
    /// Records a report once per session; hides the post when `hide_at` sessions reported it. Whether
    /// this report was new.
    async fn report(
        &self,
        post: i64,
        session: i64,
        reason: Option<&str>,
        hide_at: u32,
        now: UnixTime,
    ) -> Result<bool, Error>;
    async fn accept(&self, thread: i64, answer: i64) -> Result<(), Error>;
    async fn mark_read(&self, thread: i64, session: i64, answers: u32) -> Result<(), Error>;
    /// The session's questions with (answers, answers seen).
    async fn my_threads(&self, session: i64) -> Result<Vec<(PostRow, u32)>, Error>;
    /// New text, and the status it has from now on (a pre-moderated site's edit waits for approval again).
    async fn edit_post(&self, post: i64, body: &str, html: &str, status: PostStatus) -> Result<(), Error>;
    async fn delete_post(&self, post: i64) -> Result<(), Error>;
    /// Pending, hidden or reported posts of `site`, oldest first, with the reasons given.
    async fn moderation_queue(&self, site: &str) -> Result<Vec<(PostRow, Vec<String>)>, Error>;
    async fn moderate(&self, post: i64, action: ModerationAction, now: UnixTime) -> Result<(), Error>;
    async fn is_blocked(&self, session: i64) -> Result<bool, Error>;
    /// Posts written by `session` since `since`.
    async fn posts_since(&self, session: i64, since: UnixTime) -> Result<u32, Error>;
    /// Every agent's display name, to refuse pseudonyms imitating them.
    async fn agent_names(&self) -> Result<Vec<String>, Error>;
}
