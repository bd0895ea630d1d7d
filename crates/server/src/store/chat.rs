//! The chat part of the store: conversations (one open per visitor session) and their messages,
//! numbered without gaps in the transaction that stores them.

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
        client_id: Option<&str>,
        body: &str,
        now: UnixTime,
    ) -> Result<(MessageRow, bool), Error>;
    /// Messages numbered after `after`, in order, at most `limit`.
    async fn messages_after(&self, conversation: i64, after: u64, limit: u32) -> Result<Vec<MessageRow>, Error>;
}
