//! How a stored row becomes one of the store's row types, written once for every backend: each backend
//! only says how to read a column as an integer, a text, a flag or bytes (`ReadRow`).

use super::callbacks::CallbackRow;
use super::chat::{CannedReplyRow, ConversationRow, MessageRow, TeamRow};
use super::community::PostRow;
use super::stored;
use super::{AgentRow, AuditRow, SiteScope, SnapshotRow, StoreResult, VisitorSessionRow};
use crate::faq::StoredEntry;
use accueil_protocol::{AgentRole, FaqEntry, Locale};

/// One result row of any backend, read by column name.
pub trait ReadRow {
    fn int(&self, column: &str) -> StoreResult<i64>;
    fn maybe_int(&self, column: &str) -> StoreResult<Option<i64>>;
    fn text(&self, column: &str) -> StoreResult<String>;
    fn maybe_text(&self, column: &str) -> StoreResult<Option<String>>;
    fn flag(&self, column: &str) -> StoreResult<bool>;
    fn bytes(&self, column: &str) -> StoreResult<Vec<u8>>;

    /// A count or a message number: never negative.
    fn count(&self, column: &str) -> StoreResult<u32> {
        Ok(u32::try_from(self.int(column)?).unwrap_or(0))
    }

    fn seq(&self, column: &str) -> StoreResult<u64> {
        Ok(u64::try_from(self.int(column)?).unwrap_or(0))
    }
}

/// `ReadRow` for a sqlx row type whose columns decode to these Rust types.
macro_rules! read_row {
    ($row:ty) => {
        impl $crate::store::rows::ReadRow for $row {
            fn int(&self, column: &str) -> $crate::store::StoreResult<i64> {
                Ok(sqlx::Row::try_get(self, column)?)
            }
            fn maybe_int(&self, column: &str) -> $crate::store::StoreResult<Option<i64>> {
                Ok(sqlx::Row::try_get(self, column)?)
            }
            fn text(&self, column: &str) -> $crate::store::StoreResult<String> {
                Ok(sqlx::Row::try_get(self, column)?)
            }
            fn maybe_text(&self, column: &str) -> $crate::store::StoreResult<Option<String>> {
                Ok(sqlx::Row::try_get(self, column)?)
            }
            fn flag(&self, column: &str) -> $crate::store::StoreResult<bool> {
                Ok(sqlx::Row::try_get(self, column)?)
            }
            fn bytes(&self, column: &str) -> $crate::store::StoreResult<Vec<u8>> {
                Ok(sqlx::Row::try_get(self, column)?)
            }
        }
    };
}
pub(super) use read_row;

pub fn visitor_session(row: &impl ReadRow) -> StoreResult<VisitorSessionRow> {
    Ok(VisitorSessionRow {
        id: row.int("id")?,
        site: row.text("site")?,
        locale: row.maybe_text("locale")?.as_deref().and_then(Locale::from_tag),
        created_at: row.int("created_at")?,
        last_seen_at: row.int("last_seen_at")?,
        customer: customer(row),
    })
}

/// The customer columns a query joined in from the row's session (`customer_id`, `customer_name`,
/// `customer_verified`); none when the query did not (a webhook's delivery) or nobody was claimed.
pub fn customer(row: &impl ReadRow) -> Option<super::CustomerRow> {
    let id = row.maybe_text("customer_id").ok().flatten();
    let name = row.maybe_text("customer_name").ok().flatten();
    let verified = row.flag("customer_verified").unwrap_or(false);
    (id.is_some() || name.is_some() || verified).then_some(super::CustomerRow { id, name, verified })
}

/// An agent, from a query that gathered its sites in a `sites` column (newline-separated).
pub fn agent(row: &impl ReadRow) -> StoreResult<AgentRow> {
    Ok(AgentRow {
        id: row.int("id")?,
        email: row.text("email")?,
        name: row.text("name")?,
        password_hash: row.text("password_hash")?,
        sites: site_scope(row)?,
        role: role(row)?,
        active: row.maybe_int("deactivated_at")?.is_none(),
        locked_until: row.maybe_int("locked_until")?,
    })
}

pub fn audit(row: &impl ReadRow) -> StoreResult<AuditRow> {
    Ok(AuditRow {
        at: row.int("at")?,
        actor: row.text("actor")?,
        action: row.text("action")?,
        subject: row.text("subject")?,
        before: row.maybe_text("before")?,
        after: row.maybe_text("after")?,
    })
}

/// An account's `role` column; its CHECK allows only the three names.
fn role(row: &impl ReadRow) -> StoreResult<AgentRole> {
    Ok(AgentRole::from_name(&row.text("role")?).unwrap_or(AgentRole::Agent))
}

pub fn site_scope(row: &impl ReadRow) -> StoreResult<SiteScope> {
    let sites = row.maybe_text("sites")?.unwrap_or_default();
    Ok(SiteScope::from_stored(sites.lines().map(str::to_owned).collect()))
}

pub fn snapshot(row: &impl ReadRow) -> StoreResult<SnapshotRow> {
    Ok(SnapshotRow {
        id: row.int("id")?,
        source: row.text("source")?,
        fingerprint: row.text("fingerprint")?,
        created_at: row.int("created_at")?,
    })
}

/// One entry of a FAQ snapshot, in the columns of `faq_entries`.
pub fn faq_entry(row: &impl ReadRow) -> StoreResult<StoredEntry> {
    Ok(StoredEntry {
        locale: stored::locale(&row.text("locale")?)?,
        markdown: row.text("markdown")?,
        public: FaqEntry {
            id: row.text("id")?,
            question: row.text("question")?,
            phrasings: stored::json_list(&row.text("phrasings")?),
            tags: stored::json_list(&row.text("tags")?),
            category: row.text("category")?,
            order: row.int("sort_order")?,
            updated: row.text("updated")?,
            html: row.text("html")?,
            text: row.text("body_text")?,
        },
    })
}

/// One locale's synonym groups of a FAQ snapshot.
pub fn faq_synonyms(row: &impl ReadRow) -> StoreResult<(Locale, Vec<Vec<String>>)> {
    Ok((stored::locale(&row.text("locale")?)?, stored::json_list(&row.text("groups")?)))
}

/// A member of the team, from a query that gathered the agent's sites in a `sites` column.
pub fn team_member(row: &impl ReadRow) -> StoreResult<TeamRow> {
    Ok(TeamRow {
        id: row.int("id")?,
        name: row.text("name")?,
        sites: site_scope(row)?,
        role: role(row)?,
        presence: stored::presence(&row.text("presence")?),
        last_seen_at: row.maybe_int("last_seen_at")?,
    })
}

pub fn canned_reply(row: &impl ReadRow) -> StoreResult<CannedReplyRow> {
    Ok(CannedReplyRow { id: row.int("id")?, title: row.text("title")?, body: row.text("body")? })
}

/// A conversation with its agent's name joined in as `agent_name`.
pub fn conversation(row: &impl ReadRow) -> StoreResult<ConversationRow> {
    Ok(ConversationRow {
        id: row.int("id")?,
        public_id: row.text("public_id")?,
        site: row.text("site")?,
        session_id: row.int("session_id")?,
        status: stored::conversation_status(&row.text("status")?),
        last_seq: row.seq("last_seq")?,
        agent: row.maybe_int("agent_id")?.zip(row.maybe_text("agent_name")?),
        locale: Locale::from_tag(&row.text("locale")?).unwrap_or(Locale::Fr),
        context: serde_json::from_str(&row.text("context")?).unwrap_or_default(),
        created_at: row.int("created_at")?,
        agent_delivered: row.seq("agent_delivered_seq")?,
        agent_read: row.seq("agent_read_seq")?,
        visitor_read: row.seq("visitor_read_seq")?,
        rating: row.maybe_int("rating")?.and_then(|r| u8::try_from(r).ok()),
        closed_at: row.maybe_int("closed_at")?,
        customer: customer(row),
    })
}

pub fn message(row: &impl ReadRow) -> StoreResult<MessageRow> {
    Ok(MessageRow {
        seq: row.seq("seq")?,
        author: stored::author(&row.text("author")?),
        agent: row.maybe_text("agent_name")?,
        body: row.text("body")?,
        client_id: row.maybe_text("client_id")?,
        created_at: row.int("created_at")?,
    })
}

/// A callback request with its agent's name joined in as `agent_name`.
pub fn callback(row: &impl ReadRow) -> StoreResult<CallbackRow> {
    Ok(CallbackRow {
        public_id: row.text("public_id")?,
        site: row.text("site")?,
        session_id: row.int("session_id")?,
        phone_e164: row.maybe_text("phone_e164")?,
        phone_national: row.maybe_text("phone_national")?,
        name: row.maybe_text("name")?,
        topic: row.text("topic")?,
        locale: stored::locale(&row.text("locale")?)?,
        context: serde_json::from_str(&row.text("context")?).unwrap_or_default(),
        asap: row.flag("asap")?,
        slot_start: row.int("slot_start")?,
        slot_end: row.int("slot_end")?,
        consent_version: row.text("consent_version")?,
        status: stored::callback_status(&row.text("status")?),
        agent: row.maybe_int("agent_id")?.zip(row.maybe_text("agent_name")?),
        outcome: row.maybe_text("outcome")?.as_deref().and_then(stored::outcome),
        notes: row.text("notes")?,
        attempts: row.count("attempts")?,
        created_at: row.int("created_at")?,
        closed_at: row.maybe_int("closed_at")?,
        customer: customer(row),
    })
}

/// A community post with the columns of the backends' post query (thread, accepted answer, counts).
pub fn post(row: &impl ReadRow) -> StoreResult<PostRow> {
    Ok(PostRow {
        id: row.int("id")?,
        public_id: row.text("public_id")?,
        site: row.text("site")?,
        thread: row.maybe_text("thread_public")?,
        thread_title: row.maybe_text("thread_title")?,
        session_id: row.maybe_int("session_id")?,
        pseudonym: row.text("pseudonym")?,
        title: row.maybe_text("title")?,
        topic: row.maybe_text("topic")?,
        body: row.text("body")?,
        html: row.text("html")?,
        official: row.flag("official")?,
        status: stored::post_status(&row.text("status")?),
        accepted: row.maybe_text("accepted_public")?,
        score: row.int("score")?,
        answers: row.count("answer_count")?,
        reports: row.count("report_count")?,
        created_at: row.int("created_at")?,
    })
}

/// How a write's `RETURNING` rows are read: `fetch_all`, to the statement's end, and then these. An
/// autocommit statement commits only when it finishes stepping; sqlx's `fetch_one` and `fetch_optional`
/// stop at the first row and drop the statement, and with it the error of a failed commit, so a full
/// disk acknowledged writes it never stored. Never read a write with them, on any backend: PostgreSQL
/// too reports a failed commit after the rows.
pub trait ReturningRows<T> {
    fn first_row(self) -> Result<T, sqlx::Error>;
    fn first_row_if_any(self) -> Result<Option<T>, sqlx::Error>;
}

impl<T> ReturningRows<T> for Result<Vec<T>, sqlx::Error> {
    fn first_row(self) -> Result<T, sqlx::Error> {
        self?.into_iter().next().ok_or(sqlx::Error::RowNotFound)
    }

    fn first_row_if_any(self) -> Result<Option<T>, sqlx::Error> {
        Ok(self?.into_iter().next())
    }
}
