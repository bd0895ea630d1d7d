//! Persistence behind one trait, so handlers never see SQL: the embedded SQLite store and the
//! PostgreSQL one that several nodes share behave alike. Row types stay here; routes convert them to wire types.

mod callbacks;
mod chat;
mod community;
mod copy;
mod error;
mod postgres;
mod postgres_callbacks;
mod postgres_chat;
mod postgres_community;
mod privacy;
mod rows;
mod sqlite;
mod sqlite_callbacks;
mod sqlite_chat;
mod sqlite_community;
mod stored;

use crate::faq::Content;
use accueil_protocol::{AgentRole, FaqEvent, LinkPurpose, Locale};
use async_trait::async_trait;
pub use callbacks::{Booking, CallResult, CallbackCaps, CallbackRow, CallbackStore, DueWebhook, NewCallback, Refusal};
pub use chat::{
    CannedReplyRow, ChatStore, ChatTimings, ConversationFilter, ConversationRow, MessageRow, Progress, TeamRow,
};
pub use community::{CommunityStore, NewPost, PostRow, ThreadFilter, ThreadSort};
pub use copy::{CopyReport, copy};
pub use error::{StoreError, StoreResult};
pub use postgres::PostgresStore;
pub use privacy::{
    Attached, ErasedRows, ExpiredRows, IdentityClaim, OwnPostRow, PrivacyStore, ReportRow, RetentionCutoffs,
    SessionData,
};
pub use sqlite::SqliteStore;

/// Opens the store `database_url` names: `sqlite://…` (or `sqlite::memory:`) for the embedded file,
/// `postgres://…` / `postgresql://…` for a PostgreSQL server that several nodes may share.
pub async fn open(database_url: &str) -> Result<std::sync::Arc<dyn Store>, StoreError> {
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        Ok(std::sync::Arc::new(PostgresStore::open(database_url).await?))
    } else {
        Ok(std::sync::Arc::new(SqliteStore::open(database_url).await?))
    }
}

/// Seconds since the Unix epoch, UTC: the only time representation stored.
pub type UnixTime = i64;

#[derive(Debug, Clone, PartialEq)]
pub struct VisitorSessionRow {
    pub id: i64,
    pub site: String,
    pub locale: Option<Locale>,
    pub created_at: UnixTime,
    /// When it was last used, to the hour (`PrivacyStore::touch_visitor_session`).
    pub last_seen_at: UnixTime,
    /// Whom the host page said the visitor is; `verified` when the brand's signature held.
    pub customer: Option<CustomerRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRow {
    pub id: Option<String>,
    pub name: Option<String>,
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AgentRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub sites: SiteScope,
    pub role: AgentRole,
    /// `false` once an administrator deactivated it: it cannot sign in, and has no session.
    pub active: bool,
    /// Until when sign-in is refused after too many wrong passwords in a row.
    pub locked_until: Option<UnixTime>,
}

impl AgentRow {
    /// Invited and not yet arrived: the password is chosen through the invitation's link.
    pub fn invited(&self) -> bool {
        self.password_hash.is_empty()
    }
}

/// A link sent by email that sets an account's password once: the hash of its token (the token itself
/// is only in the mail), what it is for, and when it stops working.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLink {
    pub token_hash: Vec<u8>,
    pub purpose: LinkPurpose,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
}

/// A link used: the account as it is now, and the sessions it had, which ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Redeemed {
    pub agent: AgentRow,
    pub ended: Vec<Vec<u8>>,
}

/// A conversation as the dashboard sees it: (created, closed, rating, first reply from the team).
pub type ConversationTimes = (UnixTime, Option<UnixTime>, Option<i64>, Option<UnixTime>);

/// What the dashboard is computed from, for one site and period: a few columns per conversation,
/// callback and community question, and the FAQ's anonymous daily counts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DashboardRows {
    pub conversations: Vec<ConversationTimes>,
    /// (created, window start, status).
    pub callbacks: Vec<(UnixTime, UnixTime, String)>,
    /// (created, first answer).
    pub questions: Vec<(UnixTime, Option<UnixTime>)>,
    pub reports: i64,
    /// (day, searches, without a good answer).
    pub searches: Vec<(String, i64, i64)>,
    /// (answers read, helpful, not helpful).
    pub reads: (i64, i64, i64),
}

/// The dashboard's queries, written once for both backends (`?` placeholders; PostgreSQL numbers
/// them). Sums and computed columns are cast so both decode them as 64-bit integers.
pub(crate) mod dashboard_sql {
    pub const CONVERSATIONS: &str = "SELECT c.created_at, c.closed_at, CAST(c.rating AS BIGINT) AS rating,
        (SELECT MIN(m.created_at) FROM chat_messages m WHERE m.conversation_id = c.id AND m.author = 'agent') AS first_reply
        FROM conversations c WHERE c.site = ? AND c.created_at >= ? AND c.created_at < ?";
    pub const CALLBACKS: &str =
        "SELECT created_at, slot_start, status FROM callbacks WHERE site = ? AND created_at >= ? AND created_at < ?";
    pub const QUESTIONS: &str = "SELECT t.created_at,
        (SELECT MIN(a.created_at) FROM community_posts a WHERE a.thread_id = t.id) AS first_answer
        FROM community_posts t WHERE t.site = ? AND t.thread_id IS NULL AND t.created_at >= ? AND t.created_at < ?";
    pub const REPORTS: &str = "SELECT COUNT(*) FROM community_reports r JOIN community_posts p ON p.id = r.post_id
        WHERE p.site = ? AND r.created_at >= ? AND r.created_at < ?";
    pub const SEARCHES: &str = "SELECT day, CAST(SUM(searches) AS BIGINT), CAST(SUM(unanswered) AS BIGINT)
        FROM faq_search_stats WHERE site = ? AND day >= ? AND day <= ? GROUP BY day";
    pub const READS: &str = "SELECT CAST(COALESCE(SUM(views), 0) AS BIGINT), CAST(COALESCE(SUM(helpful), 0) AS BIGINT),
        CAST(COALESCE(SUM(not_helpful), 0) AS BIGINT) FROM faq_entry_stats WHERE site = ? AND day >= ? AND day <= ?";

    /// `?` placeholders as PostgreSQL's `$1`, `$2`...
    pub fn numbered(sql: &str) -> String {
        let mut out = String::with_capacity(sql.len() + 8);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push_str(&format!("${n}"));
            } else {
                out.push(c);
            }
        }
        out
    }
}

/// Wrong passwords in a row that lock an account, and for how long.
pub const LOCK_AFTER_FAILURES: i64 = 10;
pub const LOCK_SECONDS: i64 = 15 * 60;

/// The audit entry of a link used by its account's owner.
fn link_audit(agent: &AgentRow, purpose: LinkPurpose, at: UnixTime) -> NewAudit {
    NewAudit {
        at,
        actor_id: agent.id,
        actor: agent.name.clone(),
        action: match purpose {
            LinkPurpose::Invitation => "invitation_accepted",
            LinkPurpose::Reset => "password_reset",
        },
        subject: agent.email.clone(),
        before: None,
        after: None,
    }
}

fn purpose_name(purpose: LinkPurpose) -> &'static str {
    match purpose {
        LinkPurpose::Invitation => "invitation",
        LinkPurpose::Reset => "reset",
    }
}

fn purpose_from_name(name: &str) -> LinkPurpose {
    if name == "invitation" { LinkPurpose::Invitation } else { LinkPurpose::Reset }
}

/// A change to the team, recorded in the same transaction as the change.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAudit {
    pub at: UnixTime,
    pub actor_id: i64,
    pub actor: String,
    pub action: &'static str,
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A site's settings as the store keeps them.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSettings {
    /// The site's section as TOML, secrets included.
    pub toml: String,
    /// 1 when the file first seeded them, one more at each change.
    pub revision: u64,
    /// The SHA-256 of the file's section that seeded them last, to see when the file itself changed.
    pub seed_fingerprint: Option<String>,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub at: UnixTime,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What deactivating an account ended: its sessions (by token hash) and the conversations it had,
/// now waiting again (by public id).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Deactivated {
    pub sessions: Vec<Vec<u8>>,
    pub released: Vec<String>,
}

/// The sites an agent works on. Everything an agent reads or changes in the console belongs to one
/// site, and is refused (as if it did not exist) outside this scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteScope {
    /// Every site, present and future (the first administrator).
    Every,
    /// These sites only; none is a valid scope (an agent with nothing to work on yet).
    Only(Vec<String>),
}

impl SiteScope {
    /// How the "every site" scope is stored and written on the command line.
    pub const EVERY: &'static str = "*";

    pub fn includes(&self, site: &str) -> bool {
        match self {
            SiteScope::Every => true,
            SiteScope::Only(sites) => sites.iter().any(|s| s == site),
        }
    }

    /// Whether two agents share at least one site (so they may see each other in the team).
    pub fn overlaps(&self, other: &SiteScope) -> bool {
        match (self, other) {
            (SiteScope::Every, _) | (_, SiteScope::Every) => true,
            (SiteScope::Only(mine), theirs) => mine.iter().any(|site| theirs.includes(site)),
        }
    }

    /// The scope of stored site names (`*` among them means every site).
    pub fn from_stored(sites: Vec<String>) -> SiteScope {
        if sites.iter().any(|s| s == Self::EVERY) { SiteScope::Every } else { SiteScope::Only(sites) }
    }

    /// The names to store.
    pub fn to_stored(&self) -> Vec<String> {
        match self {
            SiteScope::Every => vec![Self::EVERY.to_owned()],
            SiteScope::Only(sites) => sites.clone(),
        }
    }
}

/// A snapshot in a site's FAQ history.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotRow {
    pub id: i64,
    pub source: String,
    pub fingerprint: String,
    pub created_at: UnixTime,
}

/// What the console's gap report reads, already aggregated over the period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaqStats {
    /// (normalised query, searches without a good answer), most first.
    pub unanswered: Vec<(String, i64)>,
    /// (entry, views, helpful, not helpful), least helpful first.
    pub entries: Vec<(String, i64, i64, i64)>,
    /// (entry, comment) of "not helpful" votes, newest first.
    pub comments: Vec<(String, String)>,
    /// (normalised query, entry, helpful votes), most first.
    pub helpful_queries: Vec<(String, String, i64)>,
}

/// What a node hears from the others sharing its database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// Other nodes' (or this node's own) short wake-up texts, as many as had arrived, in order.
    Wakes(Vec<String>),
    /// The listening connection was lost and is back: wakes sent meanwhile are lost, catch up.
    Resumed,
}

/// A stored message with where it belongs, for a node that heard of it from another.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberedMessage {
    pub conversation: i64,
    pub public_id: String,
    pub site: String,
    pub message: MessageRow,
}

/// A node's ear on the others: `heard` waits for the next wake.
#[async_trait]
pub trait NodeListener: Send {
    async fn heard(&mut self) -> Result<Heard, StoreError>;
}

#[async_trait]
pub trait Store: CallbackStore + ChatStore + CommunityStore + PrivacyStore + Send + Sync + 'static {
    /// Tells every node sharing this database (itself included) short texts, in order: wake-ups,
    /// never the data itself, which the others read from the database. Nothing to do where one node
    /// owns the database (SQLite).
    async fn wake_nodes(&self, _texts: &[String]) -> Result<(), StoreError> {
        Ok(())
    }

    /// Many messages at once, each named by its conversation's public id and its number, with their
    /// conversation's id and site: what another node stored, read in one query.
    async fn messages_numbered(&self, _wanted: &[(String, u64)]) -> Result<Vec<NumberedMessage>, StoreError> {
        Ok(Vec::new())
    }

    /// Counts one hit of a rate limit's `key` for every node at once, in its window (which starts at
    /// its first hit and lasts `length` seconds): (hits so far, this one included; the window's end).
    /// Only called where limits are shared (`Limiter::shared`): one node counts in memory.
    async fn count_hit(&self, key: &str, now: UnixTime, length: i64) -> Result<(u32, UnixTime), StoreError> {
        let hits = self.add_hits(now, &[(key.to_owned(), length, 1)]).await?;
        hits.into_iter().next().ok_or_else(|| StoreError::Corrupt("a counted hit vanished".to_owned()))
    }

    /// Adds many hits at once: (key, window length in seconds, hits to add) each; (the totals after,
    /// the windows' ends), in the same order. Only called where limits are shared.
    async fn add_hits(
        &self,
        _now: UnixTime,
        _batch: &[(String, i64, u32)],
    ) -> Result<Vec<(u32, UnixTime)>, StoreError> {
        Err(StoreError::Fault("this store does not share rate limits".to_owned()))
    }

    /// Forgets the rate-limit windows that ended before `now`.
    async fn sweep_hits(&self, _now: UnixTime) -> Result<(), StoreError> {
        Ok(())
    }

    /// Webhook deliveries not yet made nor given up.
    async fn webhook_backlog(&self) -> Result<u64, StoreError>;

    /// The connections this node holds to the database: (open, idle).
    fn pool_status(&self) -> (u32, usize);

    /// Takes a connection from the pool and gives it back: timed, what a request waits before its
    /// first query (sampled for `/metrics`).
    async fn take_connection(&self) -> Result<(), StoreError>;

    /// Starts hearing the wakes of `wake_nodes`; `None` where there are no other nodes (SQLite).
    async fn node_listener(&self) -> Result<Option<Box<dyn NodeListener>>, StoreError> {
        Ok(None)
    }

    /// Fails when the database cannot take a write (for `/readyz`).
    async fn ping(&self) -> Result<(), StoreError>;

    async fn insert_visitor_session(
        &self,
        token_hash: &[u8],
        site: &str,
        locale: Option<Locale>,
        now: UnixTime,
    ) -> Result<VisitorSessionRow, StoreError>;
    async fn visitor_session(&self, token_hash: &[u8]) -> Result<Option<VisitorSessionRow>, StoreError>;

    /// `StoreError::Duplicate` when an agent already has this email (compared case-insensitively).
    /// A new account. With `invitation`, its first link and the audit entry of the invitation are
    /// written in the same transaction (and the password hash is empty until the link is used).
    #[allow(clippy::too_many_arguments)]
    async fn insert_agent(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        sites: &SiteScope,
        role: AgentRole,
        now: UnixTime,
        invitation: Option<(&NewLink, &NewAudit)>,
    ) -> Result<AgentRow, StoreError>;
    /// Stores a new link for account `agent_id`, and `audit` if any, unless one of the same purpose was
    /// made less than `min_gap` seconds before: `false` then. Expired links go at the same time.
    async fn insert_agent_link(
        &self,
        agent_id: i64,
        link: &NewLink,
        min_gap: i64,
        audit: Option<&NewAudit>,
    ) -> Result<bool, StoreError>;
    /// What an unexpired link is for, and its active account.
    async fn agent_link(&self, token_hash: &[u8], now: UnixTime)
    -> Result<Option<(LinkPurpose, AgentRow)>, StoreError>;
    /// Uses an unexpired link of an active account, in one transaction: sets the password, lifts a
    /// lockout, deletes the account's links of that purpose and its sessions, and records it in the
    /// audit log. `None` when the link is unknown, used, expired, or its account deactivated.
    async fn redeem_agent_link(
        &self,
        token_hash: &[u8],
        now: UnixTime,
        password_hash: &str,
    ) -> Result<Option<Redeemed>, StoreError>;
    /// Counts a sign-in with a wrong password: the `LOCK_AFTER_FAILURES`th in a row locks the account
    /// until `now + LOCK_SECONDS`.
    async fn login_failed(&self, agent_id: i64, now: UnixTime) -> Result<(), StoreError>;
    /// A sign-in that succeeded: the count of wrong passwords starts again.
    async fn login_succeeded(&self, agent_id: i64) -> Result<(), StoreError>;
    /// What the dashboard of `site` is computed from: what was created in `[from, to)`, and the FAQ's
    /// counts of the days `from_day` to `to_day`.
    async fn dashboard_rows(
        &self,
        site: &str,
        (from, to): (UnixTime, UnixTime),
        (from_day, to_day): (&str, &str),
    ) -> Result<DashboardRows, StoreError>;
    /// An account by its id; `None` when there is none.
    async fn agent_by_id(&self, agent_id: i64) -> Result<Option<AgentRow>, StoreError>;
    async fn agent_by_email(&self, email: &str) -> Result<Option<AgentRow>, StoreError>;
    async fn insert_agent_session(
        &self,
        token_hash: &[u8],
        agent_id: i64,
        now: UnixTime,
        expires_at: UnixTime,
    ) -> Result<(), StoreError>;
    /// The agent behind an unexpired console session.
    async fn agent_for_session(&self, token_hash: &[u8], now: UnixTime) -> Result<Option<AgentRow>, StoreError>;
    async fn delete_agent_session(&self, token_hash: &[u8]) -> Result<(), StoreError>;
    /// Every account, by name.
    async fn accounts(&self) -> Result<Vec<AgentRow>, StoreError>;
    /// Sets an account's role and sites and records `audit`, in one transaction; `None` when there is
    /// no such account.
    async fn change_account(
        &self,
        id: i64,
        role: AgentRole,
        sites: &SiteScope,
        audit: &NewAudit,
    ) -> Result<Option<AgentRow>, StoreError>;
    /// Deactivates an active account and records `audit`, in one transaction: its sessions are deleted
    /// and its assigned conversations wait again. `None` when there is no such active account.
    async fn deactivate_account(&self, id: i64, audit: &NewAudit) -> Result<Option<Deactivated>, StoreError>;
    /// Sets an account's password hash, ends its sessions but `keep` (the one that changed it) and
    /// records `audit`, in one transaction: the token hashes of the sessions ended.
    async fn set_password(
        &self,
        id: i64,
        password_hash: &str,
        keep: &[u8],
        audit: &NewAudit,
    ) -> Result<Vec<Vec<u8>>, StoreError>;
    /// The latest `limit` entries of the audit log, newest first.
    async fn audit_log(&self, limit: u32) -> Result<Vec<AuditRow>, StoreError>;

    /// A site's settings as last saved; `None` before the file first seeds them.
    async fn site_settings(&self, site: &str) -> Result<Option<StoredSettings>, StoreError>;
    /// Saves a site's settings as the revision after `expected` (0: none stored yet) and records
    /// `audit`, in one transaction; `seed_fingerprint`, when given, replaces the file section's
    /// fingerprint. `false`, saving nothing, when the stored revision is not `expected`.
    async fn save_site_settings(
        &self,
        site: &str,
        toml: &str,
        seed_fingerprint: Option<&str>,
        expected: i64,
        audit: &NewAudit,
    ) -> Result<bool, StoreError>;

    /// Stores `content` as a new snapshot of `site` and publishes it, in one transaction.
    async fn publish_faq_snapshot(
        &self,
        site: &str,
        source: &str,
        content: &Content,
        now: UnixTime,
    ) -> Result<i64, StoreError>;
    /// The published snapshot of `site`, if any.
    async fn published_faq(&self, site: &str) -> Result<Option<SnapshotRow>, StoreError>;
    /// A site's snapshots, newest first.
    async fn faq_snapshots(&self, site: &str) -> Result<Vec<SnapshotRow>, StoreError>;
    async fn faq_content(&self, snapshot: i64) -> Result<Content, StoreError>;
    async fn publish_existing_faq(&self, site: &str, snapshot: i64) -> Result<(), StoreError>;
    /// Adds one visitor event to the day's counts.
    async fn record_faq_event(&self, site: &str, locale: Locale, day: &str, event: &FaqEvent)
    -> Result<(), StoreError>;
    async fn faq_stats(&self, site: &str, locale: Locale, since_day: &str) -> Result<FaqStats, StoreError>;
}
