//! The chat part of the store: conversations (one open per visitor session) and their messages,
//! numbered without gaps in the transaction that stores them.

use super::Refusal;
use super::StoreError;
use super::UnixTime;
use accueil_protocol::{ConversationStatus, Locale, MessageAuthor, Presence, VisitContext};
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
    /// The visitor's messages up to this number reached an agent's console.
    pub agent_delivered: u64,
    /// An agent had the conversation on screen up to this number.
    pub agent_read: u64,
    /// The visitor had the conversation on screen up to this number.
    pub visitor_read: u64,
    /// The visitor's rating, 1 to 5.
    pub rating: Option<u8>,
    pub closed_at: Option<UnixTime>,
    pub customer: Option<super::CustomerRow>,
}

/// Which side's progress through a conversation a receipt moves forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Also moves delivery: what was read was delivered.
    AgentRead,
    VisitorRead,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TeamRow {
    pub id: i64,
    pub name: String,
    pub sites: super::SiteScope,
    pub role: accueil_protocol::AgentRole,
    pub presence: Presence,
    pub last_seen_at: Option<UnixTime>,
}

/// Seconds measured on a site's recent conversations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChatTimings {
    /// From taken to closed, for the conversations closed in the last week (newest first, 50 at most).
    pub handling: Vec<i64>,
    /// From started to taken, for the conversations taken in the last hour (newest first, 50 at most).
    pub waits: Vec<i64>,
}

/// Which open conversations an agent lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationFilter {
    Waiting,
    Mine(i64),
    All,
}

/// A site's prepared answer, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct CannedReplyRow {
    pub id: i64,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MessageRow {
    pub seq: u64,
    pub author: MessageAuthor,
    /// The name of the agent who wrote it (read as `agent_name`), so each message keeps its author
    /// after a hand-over.
    pub agent: Option<String>,
    pub body: String,
    pub client_id: Option<String>,
    pub created_at: UnixTime,
}

/// A message row with its agent's name, for `rows::message`; `m` is `chat_messages`.
pub(super) const MESSAGE_COLUMNS: &str =
    "SELECT m.*, a.name AS agent_name FROM chat_messages m LEFT JOIN agents a ON a.id = m.agent_id";

/// What an insert into `chat_messages` returns, for `rows::message`.
pub(super) const RETURNING_MESSAGE: &str = "RETURNING *, (SELECT name FROM agents WHERE id = agent_id) AS agent_name";

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
    ) -> Result<ConversationRow, StoreError>;
    async fn open_conversation_of(&self, session_id: i64) -> Result<Option<ConversationRow>, StoreError>;
    /// Stores a message as the next number, or finds the one already stored with this `client_id`
    /// (`false`: nothing new). `StoreError::Ended` when the conversation is closed.
    async fn add_message(
        &self,
        conversation: i64,
        author: MessageAuthor,
        agent: Option<i64>,
        client_id: Option<&str>,
        body: &str,
        now: UnixTime,
    ) -> Result<(MessageRow, bool), StoreError>;
    async fn conversation(&self, public_id: &str) -> Result<Option<ConversationRow>, StoreError>;
    /// Open conversations of `site`, oldest first.
    async fn site_conversations(
        &self,
        site: &str,
        filter: ConversationFilter,
    ) -> Result<Vec<ConversationRow>, StoreError>;
    /// One agent wins; another gets `Refusal::Conflict`.
    /// `now` is kept as when the conversation was first taken (for the measured waits).
    async fn claim_conversation(
        &self,
        public_id: &str,
        agent: i64,
        now: UnixTime,
    ) -> Result<Result<ConversationRow, Refusal>, StoreError>;
    /// The place of a waiting conversation in its site's queue (1 is next); `None` when it is not waiting.
    async fn queue_position(&self, conversation: i64) -> Result<Option<u32>, StoreError>;
    /// How many conversations of `site` wait for an agent.
    async fn waiting_count(&self, site: &str) -> Result<u32, StoreError>;
    /// What recent conversations of `site` measured, for the waits shown to visitors.
    async fn chat_timings(&self, site: &str, now: UnixTime) -> Result<ChatTimings, StoreError>;
    async fn close_conversation(&self, public_id: &str, now: UnixTime) -> Result<Option<ConversationRow>, StoreError>;
    /// Messages numbered after `after`, in order, at most `limit`.
    async fn messages_after(&self, conversation: i64, after: u64, limit: u32) -> Result<Vec<MessageRow>, StoreError>;
    /// Moves one side's progress forward to `seq` (never back, never past the last message); the
    /// conversation when something changed.
    async fn record_progress(
        &self,
        public_id: &str,
        progress: Progress,
        seq: u64,
    ) -> Result<Option<ConversationRow>, StoreError>;
    /// Moves the agents' delivery forward for many conversations in one transaction: (id, delivered,
    /// read) of each that moved.
    async fn record_deliveries(&self, marks: &[(String, u64)]) -> Result<Vec<(i64, u64, u64)>, StoreError>;
    /// The visitor's 1-to-5 rating of an ended conversation.
    async fn rate_conversation(&self, conversation: i64, score: u8) -> Result<(), StoreError>;
    /// Hands a conversation from the agent who has it to another; `Refusal::Conflict` when `from` does
    /// not have it, `Refusal::NotFound` when either is unknown.
    async fn transfer_conversation(
        &self,
        public_id: &str,
        from: i64,
        to: i64,
    ) -> Result<Result<ConversationRow, Refusal>, StoreError>;

    async fn set_presence(&self, agent: i64, presence: Presence) -> Result<(), StoreError>;
    async fn presence(&self, agent: i64) -> Result<Presence, StoreError>;
    /// Every agent, by name.
    async fn team(&self) -> Result<Vec<TeamRow>, StoreError>;

    async fn canned_replies(&self, site: &str) -> Result<Vec<CannedReplyRow>, StoreError>;
    async fn add_canned_reply(
        &self,
        site: &str,
        title: &str,
        body: &str,
        now: UnixTime,
    ) -> Result<CannedReplyRow, StoreError>;
    /// The site a canned reply belongs to; `None` when there is none.
    async fn canned_reply_site(&self, id: i64) -> Result<Option<String>, StoreError>;
    /// False when there was none.
    async fn delete_canned_reply(&self, id: i64) -> Result<bool, StoreError>;
}
