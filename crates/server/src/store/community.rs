//! The community part of the store: questions and answers (one table of posts), votes, reports,
//! what askers have read, and blocked sessions.

use super::StoreError;
use super::UnixTime;
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
    /// Folded words that a question's title or body must all contain, the last one as a prefix.
    pub search: Option<Vec<String>>,
}

#[async_trait]
pub trait CommunityStore {
    async fn insert_post(&self, post: &NewPost) -> Result<PostRow, StoreError>;
    /// Questions of `site` that `viewer` may see (visible ones and their own), 50 at most.
    async fn threads(
        &self,
        site: &str,
        sort: ThreadSort,
        filter: &ThreadFilter,
        viewer: Option<i64>,
    ) -> Result<Vec<PostRow>, StoreError>;
    async fn post(&self, public_id: &str) -> Result<Option<PostRow>, StoreError>;
    /// The answers of a question that `viewer` may see, oldest first.
    async fn answers(&self, thread_id: i64, viewer: Option<i64>) -> Result<Vec<PostRow>, StoreError>;
    /// Which of `posts` `session` voted for.
    async fn voted(&self, posts: &[i64], session: i64) -> Result<Vec<i64>, StoreError>;
    /// Which of `posts` `session` reported.
    async fn reported(&self, posts: &[i64], session: i64) -> Result<Vec<i64>, StoreError>;
    /// Sets or withdraws `session`'s vote; the post's new score.
    async fn vote(&self, post: i64, session: i64, up: bool) -> Result<i64, StoreError>;
    /// Records a report once per session; hides the post when `hide_at` sessions reported it. Whether
    /// this report was new.
    async fn report(
        &self,
        post: i64,
        session: i64,
        reason: Option<&str>,
        hide_at: u32,
        now: UnixTime,
    ) -> Result<bool, StoreError>;
    async fn accept(&self, thread: i64, answer: i64) -> Result<(), StoreError>;
    async fn mark_read(&self, thread: i64, session: i64, answers: u32) -> Result<(), StoreError>;
    /// The session's questions with (answers, answers seen).
    async fn my_threads(&self, session: i64) -> Result<Vec<(PostRow, u32)>, StoreError>;
    /// New text, and the status it has from now on (a pre-moderated site's edit waits for approval again).
    async fn edit_post(&self, post: i64, body: &str, html: &str, status: PostStatus) -> Result<(), StoreError>;
    async fn delete_post(&self, post: i64) -> Result<(), StoreError>;
    /// Pending, hidden or reported posts of `site`, oldest first, with the reasons given.
    async fn moderation_queue(&self, site: &str) -> Result<Vec<(PostRow, Vec<String>)>, StoreError>;
    async fn moderate(&self, post: i64, action: ModerationAction, now: UnixTime) -> Result<(), StoreError>;
    async fn is_blocked(&self, session: i64) -> Result<bool, StoreError>;
    /// Posts written by `session` since `since`.
    async fn posts_since(&self, session: i64, since: UnixTime) -> Result<u32, StoreError>;
    /// Every agent's display name, to refuse pseudonyms imitating them.
    async fn agent_names(&self) -> Result<Vec<String>, StoreError>;
}
