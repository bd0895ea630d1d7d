//! Persistence behind one trait, so handlers never see SQL and a PostgreSQL store can be added beside
//! the SQLite one without touching them. Row types stay here; routes convert them to wire types.

mod sqlite;

use crate::error::Error;
use accueil_protocol::Locale;
use async_trait::async_trait;
pub use sqlite::SqliteStore;

/// Seconds since the Unix epoch, UTC: the only time representation stored.
pub type UnixTime = i64;

#[derive(Debug, Clone, PartialEq)]
pub struct VisitorSessionRow {
    pub id: i64,
    pub site: String,
    pub locale: Option<Locale>,
    pub created_at: UnixTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AgentRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Fails when the database cannot answer (for `/readyz`).
    async fn ping(&self) -> Result<(), Error>;

    async fn insert_visitor_session(
        &self,
        token_hash: &[u8],
        site: &str,
        locale: Option<Locale>,
        now: UnixTime,
    ) -> Result<VisitorSessionRow, Error>;
    async fn visitor_session(&self, token_hash: &[u8]) -> Result<Option<VisitorSessionRow>, Error>;
    /// Erases the session and everything tied to it; false when there was none.
    async fn delete_visitor_session(&self, token_hash: &[u8]) -> Result<bool, Error>;

    /// `Error::Conflict` when an agent already has this email (compared case-insensitively).
    async fn insert_agent(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        now: UnixTime,
    ) -> Result<AgentRow, Error>;
    async fn agent_by_email(&self, email: &str) -> Result<Option<AgentRow>, Error>;
    async fn insert_agent_session(
        &self,
        token_hash: &[u8],
        agent_id: i64,
        now: UnixTime,
        expires_at: UnixTime,
    ) -> Result<(), Error>;
    /// The agent behind an unexpired console session.
    async fn agent_for_session(&self, token_hash: &[u8], now: UnixTime) -> Result<Option<AgentRow>, Error>;
    async fn delete_agent_session(&self, token_hash: &[u8]) -> Result<(), Error>;
}
