//! The chat part of the store: conversations (one open per visitor session) and their messages,
//! numbered without gaps in the transaction that stores them.

use super::Refusal;
use super::UnixTime;
use crate::error::Error;
use accueil_protocol::{ConversationStatus, Locale, MessageAuthor, VisitContext};
use async_trait::async_trait;

#[derive(Debug, Clone, PartialEq)]
pub struct ConversationRow {
    pub id: i64,
    pub public_id: String,
    pub site: String,
    pub session_id: i64,
    pub status: ConversationStatus,
    pub last_seq: u64,
    /// The agent who took it: (id, name).
    pub agent: Option<(i64, String)>,
    pub locale: Locale,
    pub context: VisitContext,
    pub created_at: UnixTime,
}

/// Which open conversations an agent lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationFilter {
    Waiting,
    Mine(i64),
    All,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MessageRow {
    pub seq: u64,
    pub author: MessageAuthor,
    pub body: String,
    pub client_id: Option<String>,
    pub created_at: UnixTime,
}

#[async_trait]
pub trait ChatStore {
    /// The session's open conversation, created now if there is none (atomically: two tabs starting
    /// together get the same one).
    #[allow(clippy::too_many_arguments)]
    async fn open_conversation(
        &self,
        public_id: &str,
        site: &str,
        session_id: i64,
        locale: Locale,
        context: &VisitContext,
        now: UnixTime,
    ) -> Result<ConversationRow, Error>;
    async fn open_conversation_of(&self, session_id: i64) -> Result<Option<ConversationRow>, Error>;
    /// Stores a message as the next number, or finds the one already stored with this `client_id`
    /// (`false`: nothing new).
    async fn add_message(
        &self,
        conversation: i64,
        author: MessageAuthor,
        agent: Option<i64>,
        client_id: Option<&str>,
        body: &str,
        now: UnixTime,
    ) -> Result<(MessageRow, bool), Error>;
    async fn conversation(&self, public_id: &str) -> Result<Option<ConversationRow>, Error>;
    /// Open conversations of `site`, oldest first.
    async fn site_conversations(&self, site: &str, filter: ConversationFilter) -> Result<Vec<ConversationRow>, Error>;
    /// One agent wins; another gets `Refusal::Conflict`.
    async fn claim_conversation(&self, public_id: &str, agent: i64) -> Result<Result<ConversationRow, Refusal>, Error>;
    async fn close_conversation(&self, public_id: &str, now: UnixTime) -> Result<Option<ConversationRow>, Error>;
    /// Messages numbered after `after`, in order, at most `limit`.
    async fn messages_after(&self, conversation: i64, after: u64, limit: u32) -> Result<Vec<MessageRow>, Error>;
}
