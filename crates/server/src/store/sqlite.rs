//! The embedded SQLite store: one database file, WAL mode, migrations applied at open.

use super::StoreError;
use super::rows::{self, ReturningRows, agent, snapshot, visitor_session};
use super::stored::to_json;
use super::{
    AgentRow, AuditRow, DashboardRows, Deactivated, FaqStats, LOCK_AFTER_FAILURES, LOCK_SECONDS, NewAudit, NewLink,
    Redeemed, SiteScope, SnapshotRow, Store, StoredSettings, UnixTime, VisitorSessionRow,
};
use crate::faq::{Content, StoredEntry, normalize_query};
use accueil_protocol::{AgentRole, FaqEvent, LinkPurpose, Locale};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

super::rows::read_row!(SqliteRow);
super::privacy::privacy_store!(
    privacy,
    crate::store::SqliteStore,
    db = sqlx::Sqlite,
    sql = crate::store::privacy::sqlite_sql,
    begin = begin_write,
    erased = after_erasure
);

pub struct SqliteStore {
    pub(super) pool: SqlitePool,
    /// Taken by the chat's frequent writes before they start: they then queue here, in order, instead
    /// of meeting SQLite's busy handler, whose back-off sleeps turn contention into long stalls.
    pub(super) chat_writes: tokio::sync::Mutex<()>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` (`sqlite://path` or `sqlite::memory:`) and
    /// brings its schema up to date.
    pub async fn open(url: &str) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL syncs at checkpoints rather than at every commit: a commit survives the
            // server process crashing or restarting; only a power cut may lose the last ones. Chat
            // messages and receipts are small writes many times a second.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true)
            // Erased numbers, names and messages are overwritten with zeros in the file, not only
            // unlinked: see `wipe_erased`.
            .pragma("secure_delete", "ON");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(SqliteStore { pool, chat_writes: tokio::sync::Mutex::new(()) })
    }

    /// After an erasure: copies the WAL into the database and truncates it, so the old pages that still
    /// held the erased bytes leave the WAL file too (`secure_delete` zeroes them in the database file).
    /// A reader in the middle of a long query can keep it from completing; then the next erasure or
    /// SQLite's own checkpoint finishes the job, and the log says so.
    /// A transaction that writes: it takes SQLite's write lock at once, so it never fails half-way on
    /// an upgrade from reading.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// After an erasure: FTS5 deletes by adding markers, and the words stay in the index's segments
    /// until they are merged; merging them now (rare: a visitor erasing, a retention pass) takes the
    /// erased posts' words out. Then the bytes leave the WAL (`wipe_erased`).
    async fn after_erasure(&self) {
        if let Err(error) =
            sqlx::query("INSERT INTO community_search (community_search) VALUES ('optimize')").execute(&self.pool).await
        {
            tracing::warn!(%error, "erased posts' words may stay in the search index until its next merge");
        }
        self.wipe_erased().await;
    }

    pub(super) async fn wipe_erased(&self) {
        let checkpoint =
            sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(TRUNCATE)").fetch_all(&self.pool).await;
        match checkpoint.as_deref() {
            Ok([(0, _, _)]) => {}
            Ok(_) => tracing::warn!("erased data may stay in the WAL until the next checkpoint: readers were busy"),
            Err(error) => tracing::warn!(%error, "erased data may stay in the WAL until the next checkpoint"),
        }
    }
}

/// The columns of an agent, with its sites gathered in one column.
const AGENT_COLUMNS: &str = "a.id, a.email, a.name, a.password_hash, a.role, a.deactivated_at, a.locked_until,
    (SELECT group_concat(site, char(10)) FROM agent_sites WHERE agent_id = a.id) AS sites";

/// Writes the sites an account works on (its old ones already deleted, or none yet).
async fn write_sites(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    id: i64,
    sites: &SiteScope,
) -> Result<(), StoreError> {
    for site in sites.to_stored() {
        sqlx::query("INSERT INTO agent_sites (agent_id, site) VALUES (?, ?)")
            .bind(id)
            .bind(site)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Writes `audit` in the transaction of the change it records.
async fn record_audit(tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>, audit: &NewAudit) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor, action, subject, before, after)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(audit.at)
    .bind(audit.actor_id)
    .bind(&audit.actor)
    .bind(audit.action)
    .bind(&audit.subject)
    .bind(&audit.before)
    .bind(&audit.after)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes a link of account `agent_id`.
async fn insert_link(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    agent_id: i64,
    link: &NewLink,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO agent_links (token_hash, agent_id, purpose, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&link.token_hash)
    .bind(agent_id)
    .bind(super::purpose_name(link.purpose))
    .bind(link.created_at)
    .bind(link.expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        // A write, not a `SELECT 1`: reads still work on a full disk or a read-only file.
        sqlx::query(
            "INSERT INTO readiness_probe (id, checked_at) VALUES (1, ?)
             ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
        )
        .bind(crate::now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn webhook_backlog(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE delivered_at IS NULL AND failed_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn pool_status(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    async fn take_connection(&self) -> Result<(), StoreError> {
        drop(self.pool.acquire().await?);
        Ok(())
    }

    async fn insert_visitor_session(
        &self,
        token_hash: &[u8],
        site: &str,
        locale: Option<Locale>,
        now: UnixTime,
    ) -> Result<VisitorSessionRow, StoreError> {
        let row = sqlx::query(
            "INSERT INTO visitor_sessions (token_hash, site, locale, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)
             RETURNING id, site, locale, created_at, last_seen_at, customer_id, customer_name, customer_verified",
        )
        .bind(token_hash)
        .bind(site)
        .bind(locale.map(Locale::tag))
        .bind(now)
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .first_row()?;
        visitor_session(&row)
    }

    async fn visitor_session(&self, token_hash: &[u8]) -> Result<Option<VisitorSessionRow>, StoreError> {
        let row = sqlx::query(&super::privacy::sqlite_sql(super::privacy::SESSION_BY_TOKEN))
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(visitor_session).transpose()
    }

    async fn insert_agent(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        sites: &SiteScope,
        role: AgentRole,
        now: UnixTime,
        invitation: Option<(&NewLink, &NewAudit)>,
    ) -> Result<AgentRow, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let inserted = sqlx::query(
            "INSERT INTO agents (email, name, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(email)
        .bind(name)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(now)
        .fetch_all(&mut *tx)
        .await
        .first_row();
        let id: i64 = match inserted {
            Ok(row) => row.try_get("id")?,
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(StoreError::Duplicate("an agent with this email"));
            }
            Err(e) => return Err(e.into()),
        };
        write_sites(&mut tx, id, sites).await?;
        if let Some((link, audit)) = invitation {
            insert_link(&mut tx, id, link).await?;
            record_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(AgentRow {
            id,
            email: email.to_owned(),
            name: name.to_owned(),
            password_hash: password_hash.to_owned(),
            sites: sites.clone(),
            role,
            active: true,
            locked_until: None,
        })
    }

    async fn insert_agent_link(
        &self,
        agent_id: i64,
        link: &NewLink,
        min_gap: i64,
        audit: Option<&NewAudit>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("DELETE FROM agent_links WHERE expires_at <= ?").bind(link.created_at).execute(&mut *tx).await?;
        // A gap of 0 (or less) lets any number of links be made.
        let recent: Option<i64> = if min_gap <= 0 {
            None
        } else {
            sqlx::query_scalar(
                "SELECT created_at FROM agent_links WHERE agent_id = ? AND purpose = ? AND created_at > ? LIMIT 1",
            )
            .bind(agent_id)
            .bind(super::purpose_name(link.purpose))
            .bind(link.created_at - min_gap)
            .fetch_optional(&mut *tx)
            .await?
        };
        if recent.is_some() {
            return Ok(false);
        }
        insert_link(&mut tx, agent_id, link).await?;
        if let Some(audit) = audit {
            record_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn agent_link(
        &self,
        token_hash: &[u8],
        now: UnixTime,
    ) -> Result<Option<(LinkPurpose, AgentRow)>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT l.purpose, {AGENT_COLUMNS} FROM agent_links l JOIN agents a ON a.id = l.agent_id
             WHERE l.token_hash = ? AND l.expires_at > ? AND a.deactivated_at IS NULL"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let purpose: String = row.try_get("purpose")?;
        Ok(Some((super::purpose_from_name(&purpose), agent(&row)?)))
    }

    async fn redeem_agent_link(
        &self,
        token_hash: &[u8],
        now: UnixTime,
        password_hash: &str,
    ) -> Result<Option<Redeemed>, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let used =
            sqlx::query("DELETE FROM agent_links WHERE token_hash = ? AND expires_at > ? RETURNING agent_id, purpose")
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(used) = used else { return Ok(None) };
        let (agent_id, purpose): (i64, String) = (used.try_get("agent_id")?, used.try_get("purpose")?);
        let purpose = super::purpose_from_name(&purpose);
        let row =
            sqlx::query(&format!("SELECT {AGENT_COLUMNS} FROM agents a WHERE a.id = ? AND a.deactivated_at IS NULL"))
                .bind(agent_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(mut agent) = row.as_ref().map(agent).transpose()? else { return Ok(None) };
        sqlx::query("UPDATE agents SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?")
            .bind(password_hash)
            .bind(agent_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM agent_links WHERE agent_id = ? AND purpose = ?")
            .bind(agent_id)
            .bind(super::purpose_name(purpose))
            .execute(&mut *tx)
            .await?;
        let ended: Vec<Vec<u8>> =
            sqlx::query_scalar("DELETE FROM agent_sessions WHERE agent_id = ? RETURNING token_hash")
                .bind(agent_id)
                .fetch_all(&mut *tx)
                .await?;
        record_audit(&mut tx, &super::link_audit(&agent, purpose, now)).await?;
        tx.commit().await?;
        agent.password_hash = password_hash.to_owned();
        agent.locked_until = None;
        Ok(Some(Redeemed { agent, ended }))
    }

    async fn login_failed(&self, agent_id: i64, now: UnixTime) -> Result<(), StoreError> {
        // One statement, so that tries racing on several nodes each count.
        sqlx::query(
            "UPDATE agents SET failed_logins = failed_logins + 1,
                locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END
             WHERE id = ?",
        )
        .bind(LOCK_AFTER_FAILURES)
        .bind(now + LOCK_SECONDS)
        .bind(agent_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn login_succeeded(&self, agent_id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE agents SET failed_logins = 0 WHERE id = ? AND failed_logins > 0")
            .bind(agent_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn dashboard_rows(
        &self,
        site: &str,
        (from, to): (UnixTime, UnixTime),
        (from_day, to_day): (&str, &str),
    ) -> Result<DashboardRows, StoreError> {
        use super::dashboard_sql::*;
        let conversations = sqlx::query_as(CONVERSATIONS).bind(site).bind(from).bind(to).fetch_all(&self.pool).await?;
        let callbacks = sqlx::query_as(CALLBACKS).bind(site).bind(from).bind(to).fetch_all(&self.pool).await?;
        let questions = sqlx::query_as(QUESTIONS).bind(site).bind(from).bind(to).fetch_all(&self.pool).await?;
        let reports = sqlx::query_scalar(REPORTS).bind(site).bind(from).bind(to).fetch_one(&self.pool).await?;
        let searches = sqlx::query_as(SEARCHES).bind(site).bind(from_day).bind(to_day).fetch_all(&self.pool).await?;
        let reads = sqlx::query_as(READS).bind(site).bind(from_day).bind(to_day).fetch_one(&self.pool).await?;
        Ok(DashboardRows { conversations, callbacks, questions, reports, searches, reads })
    }

    async fn agent_by_id(&self, agent_id: i64) -> Result<Option<AgentRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {AGENT_COLUMNS} FROM agents a WHERE a.id = ?"))
            .bind(agent_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(agent).transpose()
    }

    async fn agent_by_email(&self, email: &str) -> Result<Option<AgentRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {AGENT_COLUMNS} FROM agents a WHERE a.email = ?"))
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(agent).transpose()
    }

    async fn insert_agent_session(
        &self,
        token_hash: &[u8],
        agent_id: i64,
        now: UnixTime,
        expires_at: UnixTime,
    ) -> Result<(), StoreError> {
        // Expired sessions are swept here rather than by a timer: logins are rare and cheap to piggyback on.
        sqlx::query("DELETE FROM agent_sessions WHERE expires_at <= ?").bind(now).execute(&self.pool).await?;
        sqlx::query("INSERT INTO agent_sessions (token_hash, agent_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(token_hash)
            .bind(agent_id)
            .bind(now)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn agent_for_session(&self, token_hash: &[u8], now: UnixTime) -> Result<Option<AgentRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {AGENT_COLUMNS} FROM agent_sessions s
             JOIN agents a ON a.id = s.agent_id
             WHERE s.token_hash = ? AND s.expires_at > ? AND a.deactivated_at IS NULL"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(agent).transpose()
    }

    async fn delete_agent_session(&self, token_hash: &[u8]) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM agent_sessions WHERE token_hash = ?").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }

    async fn accounts(&self) -> Result<Vec<AgentRow>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {AGENT_COLUMNS} FROM agents a ORDER BY a.name, a.id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(agent).collect()
    }

    async fn change_account(
        &self,
        id: i64,
        role: AgentRole,
        sites: &SiteScope,
        audit: &NewAudit,
    ) -> Result<Option<AgentRow>, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let updated = sqlx::query("UPDATE agents SET role = ? WHERE id = ?")
            .bind(role.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if updated.rows_affected() == 0 {
            return Ok(None);
        }
        sqlx::query("DELETE FROM agent_sites WHERE agent_id = ?").bind(id).execute(&mut *tx).await?;
        write_sites(&mut tx, id, sites).await?;
        record_audit(&mut tx, audit).await?;
        let row = sqlx::query(&format!("SELECT {AGENT_COLUMNS} FROM agents a WHERE a.id = ?"))
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        row.first().map(agent).transpose()
    }

    async fn deactivate_account(&self, id: i64, audit: &NewAudit) -> Result<Option<Deactivated>, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let updated = sqlx::query("UPDATE agents SET deactivated_at = ? WHERE id = ? AND deactivated_at IS NULL")
            .bind(audit.at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if updated.rows_affected() == 0 {
            return Ok(None);
        }
        let sessions: Vec<Vec<u8>> =
            sqlx::query_scalar("DELETE FROM agent_sessions WHERE agent_id = ? RETURNING token_hash")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        let released: Vec<String> = sqlx::query_scalar(
            "UPDATE conversations SET status = 'waiting', agent_id = NULL
             WHERE agent_id = ? AND status = 'assigned' RETURNING public_id",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        record_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(Some(Deactivated { sessions, released }))
    }

    async fn set_password(
        &self,
        id: i64,
        password_hash: &str,
        keep: &[u8],
        audit: &NewAudit,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("UPDATE agents SET password_hash = ? WHERE id = ?")
            .bind(password_hash)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let ended: Vec<Vec<u8>> = sqlx::query_scalar(
            "DELETE FROM agent_sessions WHERE agent_id = ? AND token_hash != ? RETURNING token_hash",
        )
        .bind(id)
        .bind(keep)
        .fetch_all(&mut *tx)
        .await?;
        record_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(ended)
    }

    async fn audit_log(&self, limit: u32) -> Result<Vec<AuditRow>, StoreError> {
        let rows =
            sqlx::query("SELECT at, actor, action, subject, before, after FROM audit_log ORDER BY id DESC LIMIT ?")
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(rows::audit).collect()
    }

    async fn site_settings(&self, site: &str) -> Result<Option<StoredSettings>, StoreError> {
        let row: Option<(String, i64, Option<String>)> =
            sqlx::query_as("SELECT toml, revision, seed_fingerprint FROM site_settings WHERE site = ?1")
                .bind(site)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(toml, revision, seed_fingerprint)| StoredSettings {
            toml,
            revision: u64::try_from(revision).unwrap_or(0),
            seed_fingerprint,
        }))
    }

    async fn save_site_settings(
        &self,
        site: &str,
        toml: &str,
        seed_fingerprint: Option<&str>,
        expected: i64,
        audit: &NewAudit,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        // One statement: a new site is inserted at revision 1 only when `expected` is 0, a known one
        // moves on only from `expected`, so two saves made from the same revision cannot both land.
        let saved = if expected == 0 {
            sqlx::query(
                "INSERT INTO site_settings (site, toml, revision, seed_fingerprint, updated_at) VALUES (?1, ?2, 1, ?3, ?4)
                 ON CONFLICT (site) DO NOTHING",
            )
            .bind(site)
            .bind(toml)
            .bind(seed_fingerprint)
            .bind(audit.at)
            .execute(&mut *tx)
            .await?
        } else {
            sqlx::query(
                "UPDATE site_settings SET toml = ?2, revision = revision + 1,
                 seed_fingerprint = COALESCE(?3, seed_fingerprint), updated_at = ?4 WHERE site = ?1 AND revision = ?5",
            )
            .bind(site)
            .bind(toml)
            .bind(seed_fingerprint)
            .bind(audit.at)
            .bind(expected)
            .execute(&mut *tx)
            .await?
        };
        if saved.rows_affected() != 1 {
            return Ok(false);
        }
        record_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn publish_faq_snapshot(
        &self,
        site: &str,
        source: &str,
        content: &Content,
        now: UnixTime,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO faq_snapshots (site, source, fingerprint, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(site)
        .bind(source)
        .bind(content.fingerprint())
        .bind(now)
        .fetch_all(&mut *tx)
        .await
        .first_row()?;
        for StoredEntry { locale, markdown, public: e } in &content.entries {
            sqlx::query(
                "INSERT INTO faq_entries (snapshot_id, locale, id, question, phrasings, tags, category, sort_order,
                 updated, markdown, html, body_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(id)
            .bind(locale.tag())
            .bind(&e.id)
            .bind(&e.question)
            .bind(to_json(&e.phrasings)?)
            .bind(to_json(&e.tags)?)
            .bind(&e.category)
            .bind(e.order)
            .bind(&e.updated)
            .bind(markdown)
            .bind(&e.html)
            .bind(&e.text)
            .execute(&mut *tx)
            .await?;
        }
        for (locale, groups) in &content.synonyms {
            sqlx::query("INSERT INTO faq_synonyms (snapshot_id, locale, groups) VALUES (?, ?, ?)")
                .bind(id)
                .bind(locale.tag())
                .bind(to_json(groups)?)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO faq_published (site, snapshot_id) VALUES (?, ?)
             ON CONFLICT (site) DO UPDATE SET snapshot_id = excluded.snapshot_id",
        )
        .bind(site)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn published_faq(&self, site: &str) -> Result<Option<SnapshotRow>, StoreError> {
        let row = sqlx::query(
            "SELECT s.id, s.source, s.fingerprint, s.created_at FROM faq_published p
             JOIN faq_snapshots s ON s.id = p.snapshot_id WHERE p.site = ?",
        )
        .bind(site)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(snapshot).transpose()
    }

    async fn faq_snapshots(&self, site: &str) -> Result<Vec<SnapshotRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, source, fingerprint, created_at FROM faq_snapshots WHERE site = ? ORDER BY id DESC",
        )
        .bind(site)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(snapshot).collect()
    }

    async fn faq_content(&self, snapshot_id: i64) -> Result<Content, StoreError> {
        let rows = sqlx::query(
            "SELECT locale, id, question, phrasings, tags, category, sort_order, updated, markdown, html, body_text
             FROM faq_entries WHERE snapshot_id = ? ORDER BY locale, category, sort_order, id",
        )
        .bind(snapshot_id)
        .fetch_all(&self.pool)
        .await?;
        let entries = rows.iter().map(rows::faq_entry).collect::<Result<_, _>>()?;
        let synonyms = sqlx::query("SELECT locale, groups FROM faq_synonyms WHERE snapshot_id = ? ORDER BY locale")
            .bind(snapshot_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(Content { entries, synonyms: synonyms.iter().map(rows::faq_synonyms).collect::<Result<_, _>>()? })
    }

    async fn publish_existing_faq(&self, site: &str, snapshot_id: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO faq_published (site, snapshot_id) VALUES (?, ?)
             ON CONFLICT (site) DO UPDATE SET snapshot_id = excluded.snapshot_id",
        )
        .bind(site)
        .bind(snapshot_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn record_faq_event(
        &self,
        site: &str,
        locale: Locale,
        day: &str,
        event: &FaqEvent,
    ) -> Result<(), StoreError> {
        let entry_stat = |column: &str| {
            format!(
                "INSERT INTO faq_entry_stats (site, locale, day, entry, {column}) VALUES (?, ?, ?, ?, 1)
                 ON CONFLICT (site, locale, day, entry) DO UPDATE SET {column} = {column} + 1"
            )
        };
        match event {
            FaqEvent::Search { query, results } => {
                sqlx::query(
                    "INSERT INTO faq_search_stats (site, locale, day, query, searches, unanswered) VALUES (?, ?, ?, ?, 1, ?)
                     ON CONFLICT (site, locale, day, query)
                     DO UPDATE SET searches = searches + 1, unanswered = unanswered + excluded.unanswered",
                )
                .bind(site)
                .bind(locale.tag())
                .bind(day)
                .bind(normalize_query(query))
                .bind(i64::from(*results == 0))
                .execute(&self.pool)
                .await?;
            }
            FaqEvent::View { entry, .. } => {
                sqlx::query(&entry_stat("views"))
                    .bind(site)
                    .bind(locale.tag())
                    .bind(day)
                    .bind(entry)
                    .execute(&self.pool)
                    .await?;
            }
            FaqEvent::Vote { entry, helpful, comment, query } => {
                let mut tx = self.pool.begin().await?;
                sqlx::query(&entry_stat(if *helpful { "helpful" } else { "not_helpful" }))
                    .bind(site)
                    .bind(locale.tag())
                    .bind(day)
                    .bind(entry)
                    .execute(&mut *tx)
                    .await?;
                if let (true, Some(query)) = (*helpful, query.as_deref().map(normalize_query).filter(|q| !q.is_empty()))
                {
                    sqlx::query(
                        "INSERT INTO faq_query_helpful (site, locale, day, query, entry, votes) VALUES (?, ?, ?, ?, ?, 1)
                         ON CONFLICT (site, locale, day, query, entry) DO UPDATE SET votes = votes + 1",
                    )
                    .bind(site)
                    .bind(locale.tag())
                    .bind(day)
                    .bind(query)
                    .bind(entry)
                    .execute(&mut *tx)
                    .await?;
                }
                if let Some(comment) = comment.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                    sqlx::query("INSERT INTO faq_comments (site, locale, day, entry, helpful, comment) VALUES (?, ?, ?, ?, ?, ?)")
                        .bind(site)
                        .bind(locale.tag())
                        .bind(day)
                        .bind(entry)
                        .bind(*helpful)
                        .bind(comment)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
            }
        }
        Ok(())
    }

    async fn faq_stats(&self, site: &str, locale: Locale, since_day: &str) -> Result<FaqStats, StoreError> {
        let unanswered = sqlx::query_as::<_, (String, i64)>(
            "SELECT query, SUM(unanswered) AS n FROM faq_search_stats WHERE site = ? AND locale = ? AND day >= ?
             GROUP BY query HAVING n > 0 ORDER BY n DESC, query LIMIT 20",
        )
        .bind(site)
        .bind(locale.tag())
        .bind(since_day)
        .fetch_all(&self.pool)
        .await?;
        let entries = sqlx::query_as::<_, (String, i64, i64, i64)>(
            "SELECT entry, SUM(views), SUM(helpful), SUM(not_helpful) AS nh FROM faq_entry_stats
             WHERE site = ? AND locale = ? AND day >= ? GROUP BY entry
             ORDER BY SUM(not_helpful) - SUM(helpful) DESC, nh DESC, entry LIMIT 50",
        )
        .bind(site)
        .bind(locale.tag())
        .bind(since_day)
        .fetch_all(&self.pool)
        .await?;
        let comments = sqlx::query_as::<_, (String, String)>(
            "SELECT entry, comment FROM faq_comments WHERE site = ? AND locale = ? AND day >= ? AND helpful = 0
             ORDER BY id DESC LIMIT 100",
        )
        .bind(site)
        .bind(locale.tag())
        .bind(since_day)
        .fetch_all(&self.pool)
        .await?;
        let helpful_queries = sqlx::query_as::<_, (String, String, i64)>(
            "SELECT query, entry, SUM(votes) AS n FROM faq_query_helpful WHERE site = ? AND locale = ? AND day >= ?
             GROUP BY query, entry ORDER BY n DESC, query LIMIT 50",
        )
        .bind(site)
        .bind(locale.tag())
        .bind(since_day)
        .fetch_all(&self.pool)
        .await?;
        Ok(FaqStats { unanswered, entries, comments, helpful_queries })
    }
}
