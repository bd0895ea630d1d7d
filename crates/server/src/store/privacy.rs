//! What a visitor session holds, for its holder to read, download and erase, and what each site's
//! retention erases when it is due. The SQL is written once, in PostgreSQL's `$1` style; SQLite reads
//! the same text with `?1` (`sqlite_sql`), and a macro writes the two backends' impls from one body.

use super::callbacks::CallbackRow;
use super::chat::{ConversationRow, MessageRow};
use super::rows::ReadRow;
use super::stored;
use super::{StoreError, StoreResult, UnixTime};
use accueil_protocol::PostStatus;
use async_trait::async_trait;

/// Everything stored for one session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionData {
    /// Oldest first, each with its messages in order.
    pub conversations: Vec<(ConversationRow, Vec<MessageRow>)>,
    /// Newest first.
    pub callbacks: Vec<CallbackRow>,
    pub posts: Vec<OwnPostRow>,
    /// The public ids of the posts the session voted for.
    pub votes: Vec<String>,
    pub reports: Vec<ReportRow>,
}

/// A community post as its author wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnPostRow {
    pub public_id: String,
    pub thread: Option<String>,
    pub title: Option<String>,
    pub body: String,
    pub pseudonym: String,
    pub status: PostStatus,
    pub created_at: UnixTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub post: String,
    pub reason: Option<String>,
    pub created_at: UnixTime,
}

/// What erasing one session took away.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ErasedRows {
    pub conversations: u32,
    pub messages: u32,
    pub callbacks: u32,
    /// Callbacks still to make when they were erased.
    pub open_callbacks: u32,
    /// Posts erased (not counting the anonymised ones).
    pub posts: u32,
    /// Questions others had answered: kept, attributed to nobody.
    pub anonymised_posts: u32,
    pub votes: u32,
    pub reports: u32,
}

/// What one site's retention pass erased.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExpiredRows {
    pub conversations: u64,
    pub sessions: u64,
    pub reports: u64,
}

/// The times before which a site no longer keeps each kind of item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionCutoffs {
    pub closed_conversations: UnixTime,
    pub unused_sessions: UnixTime,
    pub reports: UnixTime,
    /// Identity proofs past their age can no longer be used; their digests can go.
    pub now: UnixTime,
}

/// What the host page said about who the visitor is, once judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityClaim {
    pub customer_id: Option<String>,
    pub name: Option<String>,
    /// The brand's signature held: the session becomes (or joins) this customer's.
    pub verified: bool,
    /// For a verified claim: the proof's digest and until when it could be used, so that it is used
    /// by one session only.
    pub proof: Option<(Vec<u8>, UnixTime)>,
}

/// What attaching an identity did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attached {
    /// The session (its id now: a verified customer's other session, which this one joined).
    Session(i64),
    /// The proof was already used by another session: nothing changed.
    Replayed,
}

/// Inactive sessions erased per statement batch in one pass; the next pass takes the rest.
pub(super) const SESSIONS_PER_PASS: i64 = 500;

#[async_trait]
pub trait PrivacyStore {
    /// Everything the session holds.
    async fn session_data(&self, session: i64) -> Result<SessionData, StoreError>;
    /// Erases the session of `token_hash` and everything tied to it, in one transaction; `None` when
    /// there is no such session. A question someone else answered stays, attributed to nobody.
    async fn erase_visitor_session(&self, token_hash: &[u8]) -> Result<Option<ErasedRows>, StoreError>;
    /// Notes that the session was used now (for `inactive_session_days`).
    async fn touch_visitor_session(&self, session: i64, now: UnixTime) -> Result<(), StoreError>;
    /// Erases what `site` keeps no longer: closed conversations, unused sessions (never one with a
    /// callback still to make or a conversation still open) and reports older than the cutoffs.
    async fn erase_expired(&self, site: &str, cutoffs: RetentionCutoffs) -> Result<ExpiredRows, StoreError>;
    /// Records who the session's visitor is. A verified claim for a customer who already has a session
    /// on the site merges this one into it (conversations, callbacks, posts, votes; its token then opens
    /// that session), so a customer finds the same things on every device. A claim never undoes a
    /// verified identity.
    async fn attach_identity(&self, session: i64, claim: &IdentityClaim, now: UnixTime)
    -> Result<Attached, StoreError>;
}

/// The SQL text for SQLite: `$1` becomes `?1` (SQLite would read `$1` as a name).
pub(super) fn sqlite_sql(sql: &str) -> String {
    sql.replace('$', "?")
}

/// A session by any of its tokens (the first, in `visitor_sessions`, or one a device added by joining).
pub(super) const SESSION_BY_TOKEN: &str = "SELECT id, site, locale, created_at, last_seen_at, customer_id,
    customer_name, customer_verified FROM visitor_sessions
    WHERE id = (SELECT id FROM visitor_sessions WHERE token_hash = $1
                UNION ALL SELECT session_id FROM session_tokens WHERE token_hash = $1 LIMIT 1)";

pub(super) const SESSION_ID_BY_TOKEN: &str = "SELECT id FROM visitor_sessions WHERE token_hash = $1
    UNION ALL SELECT session_id AS id FROM session_tokens WHERE token_hash = $1";

pub(super) const PROOF_OWNER: &str = "SELECT session_id AS id FROM identity_proofs WHERE digest = $1";
pub(super) const PROOF_USED: &str = "INSERT INTO identity_proofs (digest, session_id, expires_at) VALUES ($1, $2, $3)";
pub(super) const CUSTOMER_SESSION: &str = "SELECT id FROM visitor_sessions
    WHERE site = (SELECT site FROM visitor_sessions WHERE id = $1) AND customer_id = $2 AND customer_verified
      AND id <> $1 ORDER BY id LIMIT 1";
pub(super) const SET_VERIFIED: &str =
    "UPDATE visitor_sessions SET customer_id = $2, customer_name = $3, customer_verified = TRUE WHERE id = $1";
pub(super) const SET_CLAIMED: &str =
    "UPDATE visitor_sessions SET customer_id = $2, customer_name = $3 WHERE id = $1 AND NOT customer_verified";
/// Joining a customer's session: a conversation still open on this device ends if theirs is open too
/// (one open conversation per session); `$3` is now.
pub(super) const CLOSE_SECOND_OPEN: &str = "UPDATE conversations SET status = 'closed', closed_at = $3
    WHERE session_id = $1 AND status <> 'closed'
      AND EXISTS (SELECT 1 FROM conversations o WHERE o.session_id = $2 AND o.status <> 'closed')";
/// Then everything of session `$1` moves to `$2`, keeping one of each vote, report and read mark.
pub(super) const JOIN: [&str; 14] = [
    "UPDATE conversations SET session_id = $2 WHERE session_id = $1",
    "UPDATE callbacks SET session_id = $2 WHERE session_id = $1",
    "UPDATE community_posts SET session_id = $2 WHERE session_id = $1",
    "DELETE FROM community_votes WHERE session_id = $1
        AND post_id IN (SELECT post_id FROM community_votes WHERE session_id = $2)",
    "UPDATE community_votes SET session_id = $2 WHERE session_id = $1",
    "DELETE FROM community_reports WHERE session_id = $1
        AND post_id IN (SELECT post_id FROM community_reports WHERE session_id = $2)",
    "UPDATE community_reports SET session_id = $2 WHERE session_id = $1",
    "DELETE FROM community_reads WHERE session_id = $1
        AND thread_id IN (SELECT thread_id FROM community_reads WHERE session_id = $2)",
    "UPDATE community_reads SET session_id = $2 WHERE session_id = $1",
    "DELETE FROM community_blocked_sessions WHERE session_id = $1
        AND EXISTS (SELECT 1 FROM community_blocked_sessions WHERE session_id = $2)",
    "UPDATE community_blocked_sessions SET session_id = $2 WHERE session_id = $1",
    "UPDATE identity_proofs SET session_id = $2 WHERE session_id = $1",
    "UPDATE session_tokens SET session_id = $2 WHERE session_id = $1",
    "INSERT INTO session_tokens (token_hash, session_id, created_at)
        SELECT token_hash, $2, created_at FROM visitor_sessions WHERE id = $1",
];

pub(super) const EXPIRED_PROOFS: &str = "DELETE FROM identity_proofs
    WHERE expires_at < $2 AND session_id IN (SELECT id FROM visitor_sessions WHERE site = $1)";

pub(super) const CONVERSATIONS: &str = "SELECT c.*, a.name AS agent_name FROM conversations c
    LEFT JOIN agents a ON a.id = c.agent_id WHERE c.session_id = $1 ORDER BY c.created_at, c.id";

pub(super) const MESSAGES: &str = "SELECT m.conversation_id, m.seq, m.author, m.body, m.client_id, m.created_at,
    a.name AS agent_name FROM chat_messages m JOIN conversations c ON c.id = m.conversation_id
    LEFT JOIN agents a ON a.id = m.agent_id
    WHERE c.session_id = $1 ORDER BY m.conversation_id, m.seq";

pub(super) const POSTS: &str = "SELECT p.public_id, t.public_id AS thread_public, p.title, p.body, p.pseudonym,
    p.status, p.created_at FROM community_posts p LEFT JOIN community_posts t ON t.id = p.thread_id
    WHERE p.session_id = $1 ORDER BY p.created_at, p.id";

pub(super) const VOTES: &str = "SELECT p.public_id FROM community_votes v JOIN community_posts p ON p.id = v.post_id
    WHERE v.session_id = $1 ORDER BY p.created_at, p.id";

pub(super) const REPORTS: &str = "SELECT p.public_id, r.reason, r.created_at FROM community_reports r
    JOIN community_posts p ON p.id = r.post_id WHERE r.session_id = $1 ORDER BY r.created_at, p.id";

/// Counted inside the erasing transaction, before the rows go.
pub(super) const COUNTS: &str = "SELECT
    (SELECT COUNT(*) FROM conversations WHERE session_id = $1) AS conversations,
    (SELECT COUNT(*) FROM chat_messages m JOIN conversations c ON c.id = m.conversation_id
        WHERE c.session_id = $1) AS messages,
    (SELECT COUNT(*) FROM callbacks WHERE session_id = $1) AS callbacks,
    (SELECT COUNT(*) FROM callbacks WHERE session_id = $1 AND status IN ('scheduled', 'in_progress'))
        AS open_callbacks,
    (SELECT COUNT(*) FROM community_posts WHERE session_id = $1) AS posts,
    (SELECT COUNT(*) FROM community_votes WHERE session_id = $1) AS votes,
    (SELECT COUNT(*) FROM community_reports WHERE session_id = $1) AS reports";

/// The session's questions that someone else answered stay, with those answers, as a visitor who
/// left's: no pseudonym, no link to the session. Everything else of the session goes with it
/// (foreign keys cascade).
pub(super) const ANONYMISE: &str = "UPDATE community_posts SET session_id = NULL, pseudonym = ''
    WHERE session_id = $1 AND thread_id IS NULL AND EXISTS (
        SELECT 1 FROM community_posts answer
        WHERE answer.thread_id = community_posts.id AND answer.session_id IS DISTINCT FROM $1)";

pub(super) const DELETE_SESSION: &str = "DELETE FROM visitor_sessions WHERE id = $1";

pub(super) const TOUCH: &str = "UPDATE visitor_sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2";

pub(super) const EXPIRED_CONVERSATIONS: &str =
    "DELETE FROM conversations WHERE site = $1 AND status = 'closed' AND closed_at < $2";

pub(super) const UNUSED_SESSIONS: &str = "SELECT s.id FROM visitor_sessions s
    WHERE s.site = $1 AND s.last_seen_at < $2
      AND NOT EXISTS (SELECT 1 FROM callbacks c
          WHERE c.session_id = s.id AND c.status IN ('scheduled', 'in_progress'))
      AND NOT EXISTS (SELECT 1 FROM conversations v WHERE v.session_id = s.id AND v.status <> 'closed')
    ORDER BY s.last_seen_at LIMIT $3";

pub(super) const EXPIRED_REPORTS: &str = "DELETE FROM community_reports
    WHERE created_at < $2 AND post_id IN (SELECT id FROM community_posts WHERE site = $1)";

pub(super) fn own_post(row: &impl ReadRow) -> StoreResult<OwnPostRow> {
    Ok(OwnPostRow {
        public_id: row.text("public_id")?,
        thread: row.maybe_text("thread_public")?,
        title: row.maybe_text("title")?,
        body: row.text("body")?,
        pseudonym: row.text("pseudonym")?,
        status: stored::post_status(&row.text("status")?),
        created_at: row.int("created_at")?,
    })
}

pub(super) fn report(row: &impl ReadRow) -> StoreResult<ReportRow> {
    Ok(ReportRow {
        post: row.text("public_id")?,
        reason: row.maybe_text("reason")?,
        created_at: row.int("created_at")?,
    })
}

pub(super) fn counts(row: &impl ReadRow, anonymised: u64) -> StoreResult<ErasedRows> {
    let anonymised = u32::try_from(anonymised).unwrap_or(u32::MAX);
    Ok(ErasedRows {
        conversations: row.count("conversations")?,
        messages: row.count("messages")?,
        callbacks: row.count("callbacks")?,
        open_callbacks: row.count("open_callbacks")?,
        posts: row.count("posts")?.saturating_sub(anonymised),
        anonymised_posts: anonymised,
        votes: row.count("votes")?,
        reports: row.count("reports")?,
    })
}

/// Puts each conversation's messages (rows read with `MESSAGES`) beside it.
pub(super) fn with_messages(
    conversations: Vec<ConversationRow>,
    messages: &[impl ReadRow],
) -> StoreResult<Vec<(ConversationRow, Vec<MessageRow>)>> {
    let mut grouped: Vec<(ConversationRow, Vec<MessageRow>)> =
        conversations.into_iter().map(|conversation| (conversation, Vec::new())).collect();
    for row in messages {
        let conversation = row.int("conversation_id")?;
        if let Some((_, list)) = grouped.iter_mut().find(|(c, _)| c.id == conversation) {
            list.push(super::rows::message(row)?);
        }
    }
    Ok(grouped)
}

/// Writes `PrivacyStore` for a backend, in a module of its own, from the SQL above: `sql` adapts a
/// statement's text, `begin` (a method of the store) starts a writing transaction, `erased` (another)
/// runs after anything was erased (SQLite wipes the bytes from its files).
macro_rules! privacy_store {
    ($module:ident, $store:path, db = $db:path, sql = $sql:path, begin = $begin:ident, erased = $erased:ident) => {
        mod $module {
            use $crate::store::privacy::{
                self as p, Attached, ErasedRows, ExpiredRows, IdentityClaim, RetentionCutoffs, SessionData,
            };
            use $crate::store::rows::{self, ReadRow};
            use $crate::store::{StoreError, UnixTime};

            #[async_trait::async_trait]
            impl p::PrivacyStore for $store {
                async fn session_data(&self, session: i64) -> Result<SessionData, StoreError> {
                    let read = async |sql: &str| sqlx::query(&$sql(sql)).bind(session).fetch_all(&self.pool).await;
                    let conversations = read(p::CONVERSATIONS).await?;
                    let conversations = conversations.iter().map(rows::conversation).collect::<Result<Vec<_>, _>>()?;
                    let messages = read(p::MESSAGES).await?;
                    let posts = read(p::POSTS).await?;
                    let votes = read(p::VOTES).await?;
                    let reports = read(p::REPORTS).await?;
                    Ok(SessionData {
                        conversations: p::with_messages(conversations, &messages)?,
                        callbacks: $crate::store::CallbackStore::session_callbacks(self, session).await?,
                        posts: posts.iter().map(p::own_post).collect::<Result<_, _>>()?,
                        votes: votes.iter().map(|row| row.text("public_id")).collect::<Result<_, _>>()?,
                        reports: reports.iter().map(p::report).collect::<Result<_, _>>()?,
                    })
                }

                async fn erase_visitor_session(&self, token_hash: &[u8]) -> Result<Option<ErasedRows>, StoreError> {
                    let mut tx = self.$begin().await?;
                    let found =
                        sqlx::query(&$sql(p::SESSION_ID_BY_TOKEN)).bind(token_hash).fetch_optional(&mut *tx).await?;
                    let Some(found) = found else { return Ok(None) };
                    let erased = erase_session(&mut tx, found.int("id")?).await?;
                    tx.commit().await?;
                    self.$erased().await;
                    Ok(Some(erased))
                }

                async fn touch_visitor_session(&self, session: i64, now: UnixTime) -> Result<(), StoreError> {
                    sqlx::query(&$sql(p::TOUCH)).bind(session).bind(now).execute(&self.pool).await?;
                    Ok(())
                }

                async fn erase_expired(
                    &self,
                    site: &str,
                    cutoffs: RetentionCutoffs,
                ) -> Result<ExpiredRows, StoreError> {
                    let mut tx = self.$begin().await?;
                    let mut expired = ExpiredRows::default();
                    expired.conversations = sqlx::query(&$sql(p::EXPIRED_CONVERSATIONS))
                        .bind(site)
                        .bind(cutoffs.closed_conversations)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    expired.reports = sqlx::query(&$sql(p::EXPIRED_REPORTS))
                        .bind(site)
                        .bind(cutoffs.reports)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    sqlx::query(&$sql(p::EXPIRED_PROOFS)).bind(site).bind(cutoffs.now).execute(&mut *tx).await?;
                    let unused = sqlx::query(&$sql(p::UNUSED_SESSIONS))
                        .bind(site)
                        .bind(cutoffs.unused_sessions)
                        .bind(p::SESSIONS_PER_PASS)
                        .fetch_all(&mut *tx)
                        .await?;
                    for row in &unused {
                        erase_session(&mut tx, row.int("id")?).await?;
                        expired.sessions += 1;
                    }
                    tx.commit().await?;
                    if expired != ExpiredRows::default() {
                        self.$erased().await;
                    }
                    Ok(expired)
                }

                async fn attach_identity(
                    &self,
                    session: i64,
                    claim: &IdentityClaim,
                    now: UnixTime,
                ) -> Result<Attached, StoreError> {
                    let mut tx = self.$begin().await?;
                    if let Some((digest, expires_at)) = &claim.proof {
                        let owner = sqlx::query(&$sql(p::PROOF_OWNER)).bind(digest).fetch_optional(&mut *tx).await?;
                        match owner {
                            Some(owner) if owner.int("id")? != session => return Ok(Attached::Replayed),
                            Some(_) => {}
                            None => {
                                sqlx::query(&$sql(p::PROOF_USED))
                                    .bind(digest)
                                    .bind(session)
                                    .bind(expires_at)
                                    .execute(&mut *tx)
                                    .await?;
                            }
                        }
                    }
                    // The session the identity lands on: this one, or the verified customer's other one,
                    // which this one joins.
                    let theirs = if claim.verified {
                        sqlx::query(&$sql(p::CUSTOMER_SESSION))
                            .bind(session)
                            .bind(&claim.customer_id)
                            .fetch_optional(&mut *tx)
                            .await?
                    } else {
                        None
                    };
                    let keep = match theirs {
                        None => session,
                        Some(theirs) => {
                            let into = theirs.int("id")?;
                            sqlx::query(&$sql(p::CLOSE_SECOND_OPEN))
                                .bind(session)
                                .bind(into)
                                .bind(now)
                                .execute(&mut *tx)
                                .await?;
                            for statement in p::JOIN {
                                sqlx::query(&$sql(statement)).bind(session).bind(into).execute(&mut *tx).await?;
                            }
                            sqlx::query(&$sql(p::DELETE_SESSION)).bind(session).execute(&mut *tx).await?;
                            into
                        }
                    };
                    // Verified: the name as signed now (it may have changed since). A claim: kept only
                    // where nothing was verified.
                    let record = if claim.verified { p::SET_VERIFIED } else { p::SET_CLAIMED };
                    sqlx::query(&$sql(record))
                        .bind(keep)
                        .bind(&claim.customer_id)
                        .bind(&claim.name)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(Attached::Session(keep))
                }
            }

            /// Erases one session inside `tx`, counting first what goes.
            async fn erase_session(
                tx: &mut sqlx::Transaction<'static, $db>,
                session: i64,
            ) -> Result<ErasedRows, StoreError> {
                let counts = sqlx::query(&$sql(p::COUNTS)).bind(session).fetch_one(&mut **tx).await?;
                let anonymised =
                    sqlx::query(&$sql(p::ANONYMISE)).bind(session).execute(&mut **tx).await?.rows_affected();
                sqlx::query(&$sql(p::DELETE_SESSION)).bind(session).execute(&mut **tx).await?;
                p::counts(&counts, anonymised)
            }
        }
    };
}
pub(super) use privacy_store;

/// The SQL text for PostgreSQL, as written.
pub(super) fn postgres_sql(sql: &str) -> String {
    sql.to_owned()
}
