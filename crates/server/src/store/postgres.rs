//! The PostgreSQL store, for deployments that outgrow one machine: any number of server nodes share
//! it. Same rows, same stored names and the same behaviour as the SQLite store; what differs is how
//! concurrent writers from several nodes are kept apart (row locks and one advisory lock, where SQLite
//! has its single writer).

use super::rows::{self, ReturningRows, agent, snapshot, visitor_session};
use super::stored::to_json;
use super::{
    AgentRow, AuditRow, DashboardRows, Deactivated, FaqStats, LOCK_AFTER_FAILURES, LOCK_SECONDS, NewAudit, NewLink,
    Redeemed, SiteScope, SnapshotRow, Store, StoreError, StoredSettings, UnixTime, VisitorSessionRow,
};
use crate::faq::{Content, StoredEntry, normalize_query};
use accueil_protocol::{AgentRole, FaqEvent, LinkPurpose, Locale};
use async_trait::async_trait;
use sqlx::postgres::{PgPoolOptions, PgRow};
use sqlx::{PgPool, Row};
use std::time::Duration;

super::rows::read_row!(PgRow);
super::privacy::privacy_store!(
    privacy,
    crate::store::PostgresStore,
    db = sqlx::Postgres,
    sql = crate::store::privacy::postgres_sql,
    begin = begin_write,
    erased = after_erasure
);

pub struct PostgresStore {
    pub(super) pool: PgPool,
}

impl PostgresStore {
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.pool.begin().await
    }

    /// Nothing to wipe: PostgreSQL's dead rows go with VACUUM, which the operator's database runs.
    async fn after_erasure(&self) {}

    /// Connects to `url` (`postgres://…`) and brings the schema up to date. Nodes starting together
    /// are safe: sqlx takes an advisory lock around the migrations.
    pub async fn open(url: &str) -> Result<PostgresStore, StoreError> {
        let pool =
            PgPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(5)).connect(url).await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(PostgresStore { pool })
    }
}

/// The one notification channel of the nodes: few channels, tiny payloads (see `relay.rs`).
const NODES_CHANNEL: &str = "accueil_nodes";

struct PostgresListener(sqlx::postgres::PgListener);

/// Wakes heard together at most.
const WAKE_BATCH: usize = 500;
/// A notification carries several wakes, a line each, up to this many bytes (PostgreSQL's limit is
/// 8,000): the other nodes then hear a batch at once and read it in one query, not one per wake.
const NOTIFICATION_BYTES: usize = 7_000;

/// `texts` joined a line each into payloads of at most `NOTIFICATION_BYTES` (a longer text alone).
fn payloads(texts: &[String]) -> Vec<String> {
    let mut payloads: Vec<String> = Vec::new();
    for text in texts {
        match payloads.last_mut() {
            Some(last) if last.len() + 1 + text.len() <= NOTIFICATION_BYTES => {
                last.push('\n');
                last.push_str(text);
            }
            _ => payloads.push(text.clone()),
        }
    }
    payloads
}

/// Writes the sites an account works on (its old ones already deleted, or none yet).
async fn write_sites(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    id: i64,
    sites: &SiteScope,
) -> Result<(), StoreError> {
    for site in sites.to_stored() {
        sqlx::query("INSERT INTO agent_sites (agent_id, site) VALUES ($1, $2)")
            .bind(id)
            .bind(site)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Writes `audit` in the transaction of the change it records.
async fn record_audit(tx: &mut sqlx::Transaction<'_, sqlx::Postgres>, audit: &NewAudit) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor, action, subject, before, after)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
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
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    agent_id: i64,
    link: &NewLink,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO agent_links (token_hash, agent_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
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
impl super::NodeListener for PostgresListener {
    async fn heard(&mut self) -> Result<super::Heard, StoreError> {
        // `try_recv` says when the connection was lost (and is reconnected by the next call): the
        // notifications sent meanwhile are gone, which the caller makes up for by reading the database.
        let Some(first) = self.0.try_recv().await? else { return Ok(super::Heard::Resumed) };
        // Those that arrived with it too: under load, one batch instead of one round of reads each.
        let mut texts: Vec<String> = first.payload().lines().map(str::to_owned).collect();
        while texts.len() < WAKE_BATCH
            && let Some(next) = self.0.next_buffered()
        {
            texts.extend(next.payload().lines().map(str::to_owned));
        }
        Ok(super::Heard::Wakes(texts))
    }
}

/// The columns of an agent, with its sites gathered in one column.
const AGENT_COLUMNS: &str = "a.id, a.email, a.name, a.password_hash, a.role, a.deactivated_at, a.locked_until,
    (SELECT string_agg(site, E'\\n') FROM agent_sites WHERE agent_id = a.id) AS sites";

#[async_trait]
impl Store for PostgresStore {
    async fn wake_nodes(&self, texts: &[String]) -> Result<(), StoreError> {
        // One statement for all: notifications are delivered in the order they were sent.
        sqlx::query("SELECT pg_notify($1, text) FROM unnest($2::TEXT[]) WITH ORDINALITY AS w(text, n) ORDER BY n")
            .bind(NODES_CHANNEL)
            .bind(payloads(texts))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn messages_numbered(&self, wanted: &[(String, u64)]) -> Result<Vec<super::NumberedMessage>, StoreError> {
        let (ids, numbers): (Vec<&str>, Vec<i64>) =
            wanted.iter().map(|(id, seq)| (id.as_str(), i64::try_from(*seq).unwrap_or(i64::MAX))).unzip();
        let rows = sqlx::query(
            "SELECT c.id AS conversation, c.public_id, c.site, m.*, a.name AS agent_name FROM unnest($1::TEXT[], $2::BIGINT[]) AS w(id, seq)
             JOIN conversations c ON c.public_id = w.id JOIN chat_messages m ON m.conversation_id = c.id AND m.seq = w.seq
             LEFT JOIN agents a ON a.id = m.agent_id
             ORDER BY c.id, m.seq",
        )
        .bind(ids)
        .bind(numbers)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                use super::rows::ReadRow;
                Ok(super::NumberedMessage {
                    conversation: row.int("conversation")?,
                    public_id: row.text("public_id")?,
                    site: row.text("site")?,
                    message: rows::message(row)?,
                })
            })
            .collect()
    }

    async fn add_hits(&self, now: UnixTime, batch: &[(String, i64, u32)]) -> Result<Vec<(u32, UnixTime)>, StoreError> {
        let keys: Vec<&str> = batch.iter().map(|(key, ..)| key.as_str()).collect();
        let lengths: Vec<i64> = batch.iter().map(|(_, length, _)| *length).collect();
        let hits: Vec<i32> = batch.iter().map(|(.., hits)| i32::try_from(*hits).unwrap_or(i32::MAX)).collect();
        // A window that ended starts again with these hits; a live one adds them.
        let rows: Vec<(String, i32, i64)> = sqlx::query_as(
            "INSERT INTO rate_windows (key, hits, expires_at)
             SELECT key, hits, $4 + length FROM unnest($1::TEXT[], $2::INTEGER[], $3::BIGINT[]) AS w(key, hits, length)
             ON CONFLICT (key) DO UPDATE SET
                 hits = CASE WHEN rate_windows.expires_at <= $4 THEN excluded.hits
                             ELSE rate_windows.hits + excluded.hits END,
                 expires_at = CASE WHEN rate_windows.expires_at <= $4 THEN excluded.expires_at
                                   ELSE rate_windows.expires_at END
             RETURNING key, hits, expires_at",
        )
        .bind(keys)
        .bind(hits)
        .bind(lengths)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        let totals: std::collections::HashMap<String, (u32, i64)> =
            rows.into_iter().map(|(key, hits, ends)| (key, (u32::try_from(hits).unwrap_or(0), ends))).collect();
        Ok(batch.iter().map(|(key, length, _)| totals.get(key).copied().unwrap_or((0, now + length))).collect())
    }

    async fn sweep_hits(&self, now: UnixTime) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM rate_windows WHERE expires_at <= $1").bind(now).execute(&self.pool).await?;
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

    async fn node_listener(&self) -> Result<Option<Box<dyn super::NodeListener>>, StoreError> {
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool).await?;
        listener.listen(NODES_CHANNEL).await?;
        Ok(Some(Box::new(PostgresListener(listener))))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        // A write, not a `SELECT 1`: a read-only standby or a full disk still answers reads.
        sqlx::query(
            "INSERT INTO readiness_probe (id, checked_at) VALUES (1, $1)
             ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
        )
        .bind(crate::now())
        .execute(&self.pool)
        .await?;
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
            "INSERT INTO visitor_sessions (token_hash, site, locale, created_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $4) RETURNING id, site, locale, created_at, last_seen_at, customer_id, customer_name, customer_verified",
        )
        .bind(token_hash)
        .bind(site)
        .bind(locale.map(Locale::tag))
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .first_row()?;
        visitor_session(&row)
    }

    async fn visitor_session(&self, token_hash: &[u8]) -> Result<Option<VisitorSessionRow>, StoreError> {
        let row = sqlx::query(super::privacy::SESSION_BY_TOKEN).bind(token_hash).fetch_optional(&self.pool).await?;
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
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO agents (email, name, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5)
             RETURNING id",
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
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM agent_links WHERE expires_at <= $1").bind(link.created_at).execute(&mut *tx).await?;
        // A gap of 0 (or less) lets any number of links be made.
        let recent: Option<i64> = if min_gap <= 0 {
            None
        } else {
            sqlx::query_scalar(
                "SELECT created_at FROM agent_links WHERE agent_id = $1 AND purpose = $2 AND created_at > $3 LIMIT 1",
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
             WHERE l.token_hash = $1 AND l.expires_at > $2 AND a.deactivated_at IS NULL"
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
        let mut tx = self.pool.begin().await?;
        let used = sqlx::query(
            "DELETE FROM agent_links WHERE token_hash = $1 AND expires_at > $2 RETURNING agent_id, purpose",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(used) = used else { return Ok(None) };
        let (agent_id, purpose): (i64, String) = (used.try_get("agent_id")?, used.try_get("purpose")?);
        let purpose = super::purpose_from_name(&purpose);
        let row =
            sqlx::query(&format!("SELECT {AGENT_COLUMNS} FROM agents a WHERE a.id = $1 AND a.deactivated_at IS NULL"))
                .bind(agent_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(mut agent) = row.as_ref().map(agent).transpose()? else { return Ok(None) };
        sqlx::query("UPDATE agents SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE id = $2")
            .bind(password_hash)
            .bind(agent_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM agent_links WHERE agent_id = $1 AND purpose = $2")
            .bind(agent_id)
            .bind(super::purpose_name(purpose))
            .execute(&mut *tx)
            .await?;
        let ended: Vec<Vec<u8>> =
            sqlx::query_scalar("DELETE FROM agent_sessions WHERE agent_id = $1 RETURNING token_hash")
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
                locked_until = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END
             WHERE id = $3",
        )
        .bind(LOCK_AFTER_FAILURES)
        .bind(now + LOCK_SECONDS)
        .bind(agent_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn login_succeeded(&self, agent_id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE agents SET failed_logins = 0 WHERE id = $1 AND failed_logins > 0")
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
        let conversations =
            sqlx::query_as(&numbered(CONVERSATIONS)).bind(site).bind(from).bind(to).fetch_all(&self.pool).await?;
        let callbacks =
            sqlx::query_as(&numbered(CALLBACKS)).bind(site).bind(from).bind(to).fetch_all(&self.pool).await?;
        let questions =
            sqlx::query_as(&numbered(QUESTIONS)).bind(site).bind(from).bind(to).fetch_all(&self.pool).await?;
        let reports =
            sqlx::query_scalar(&numbered(REPORTS)).bind(site).bind(from).bind(to).fetch_one(&self.pool).await?;
        let searches =
            sqlx::query_as(&numbered(SEARCHES)).bind(site).bind(from_day).bind(to_day).fetch_all(&self.pool).await?;
        let reads =
            sqlx::query_as(&numbered(READS)).bind(site).bind(from_day).bind(to_day).fetch_one(&self.pool).await?;
        Ok(DashboardRows { conversations, callbacks, questions, reports, searches, reads })
    }

    async fn agent_by_id(&self, agent_id: i64) -> Result<Option<AgentRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {AGENT_COLUMNS} FROM agents a WHERE a.id = $1"))
            .bind(agent_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(agent).transpose()
    }

    async fn agent_by_email(&self, email: &str) -> Result<Option<AgentRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {AGENT_COLUMNS} FROM agents a WHERE lower(a.email) = lower($1)"))
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
        sqlx::query("DELETE FROM agent_sessions WHERE expires_at <= $1").bind(now).execute(&self.pool).await?;
        sqlx::query(
            "INSERT INTO agent_sessions (token_hash, agent_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
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
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.deactivated_at IS NULL"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(agent).transpose()
    }

    async fn delete_agent_session(&self, token_hash: &[u8]) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM agent_sessions WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
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
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query("UPDATE agents SET role = $1 WHERE id = $2")
            .bind(role.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if updated.rows_affected() == 0 {
            return Ok(None);
        }
        sqlx::query("DELETE FROM agent_sites WHERE agent_id = $1").bind(id).execute(&mut *tx).await?;
        write_sites(&mut tx, id, sites).await?;
        record_audit(&mut tx, audit).await?;
        let row = sqlx::query(&format!("SELECT {AGENT_COLUMNS} FROM agents a WHERE a.id = $1"))
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        row.first().map(agent).transpose()
    }

    async fn deactivate_account(&self, id: i64, audit: &NewAudit) -> Result<Option<Deactivated>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query("UPDATE agents SET deactivated_at = $1 WHERE id = $2 AND deactivated_at IS NULL")
            .bind(audit.at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if updated.rows_affected() == 0 {
            return Ok(None);
        }
        let sessions: Vec<Vec<u8>> =
            sqlx::query_scalar("DELETE FROM agent_sessions WHERE agent_id = $1 RETURNING token_hash")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        let released: Vec<String> = sqlx::query_scalar(
            "UPDATE conversations SET status = 'waiting', agent_id = NULL
             WHERE agent_id = $1 AND status = 'assigned' RETURNING public_id",
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
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE agents SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let ended: Vec<Vec<u8>> = sqlx::query_scalar(
            "DELETE FROM agent_sessions WHERE agent_id = $1 AND token_hash != $2 RETURNING token_hash",
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
            sqlx::query("SELECT at, actor, action, subject, before, after FROM audit_log ORDER BY id DESC LIMIT $1")
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(rows::audit).collect()
    }

    async fn site_settings(&self, site: &str) -> Result<Option<StoredSettings>, StoreError> {
        let row: Option<(String, i64, Option<String>)> =
            sqlx::query_as("SELECT toml, revision, seed_fingerprint FROM site_settings WHERE site = $1")
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
                "INSERT INTO site_settings (site, toml, revision, seed_fingerprint, updated_at) VALUES ($1, $2, 1, $3, $4)
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
                "UPDATE site_settings SET toml = $2, revision = revision + 1,
                 seed_fingerprint = COALESCE($3, seed_fingerprint), updated_at = $4 WHERE site = $1 AND revision = $5",
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
            "INSERT INTO faq_snapshots (site, source, fingerprint, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
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
                 updated, markdown, html, body_text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
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
            sqlx::query("INSERT INTO faq_synonyms (snapshot_id, locale, groups) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(locale.tag())
                .bind(to_json(groups)?)
                .execute(&mut *tx)
                .await?;
        }
        publish(&mut *tx, site, id).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn published_faq(&self, site: &str) -> Result<Option<SnapshotRow>, StoreError> {
        let row = sqlx::query(
            "SELECT s.id, s.source, s.fingerprint, s.created_at FROM faq_published p
             JOIN faq_snapshots s ON s.id = p.snapshot_id WHERE p.site = $1",
        )
        .bind(site)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(snapshot).transpose()
    }

    async fn faq_snapshots(&self, site: &str) -> Result<Vec<SnapshotRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, source, fingerprint, created_at FROM faq_snapshots WHERE site = $1 ORDER BY id DESC",
        )
        .bind(site)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(snapshot).collect()
    }

    async fn faq_content(&self, snapshot_id: i64) -> Result<Content, StoreError> {
        let rows = sqlx::query(
            "SELECT locale, id, question, phrasings, tags, category, sort_order, updated, markdown, html, body_text
             FROM faq_entries WHERE snapshot_id = $1 ORDER BY locale, category, sort_order, id",
        )
        .bind(snapshot_id)
        .fetch_all(&self.pool)
        .await?;
        let entries = rows.iter().map(rows::faq_entry).collect::<Result<_, _>>()?;
        let synonyms = sqlx::query("SELECT locale, groups FROM faq_synonyms WHERE snapshot_id = $1 ORDER BY locale")
            .bind(snapshot_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(Content { entries, synonyms: synonyms.iter().map(rows::faq_synonyms).collect::<Result<_, _>>()? })
    }

    async fn publish_existing_faq(&self, site: &str, snapshot_id: i64) -> Result<(), StoreError> {
        publish(&self.pool, site, snapshot_id).await
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
                "INSERT INTO faq_entry_stats (site, locale, day, entry, {column}) VALUES ($1, $2, $3, $4, 1)
                 ON CONFLICT (site, locale, day, entry) DO UPDATE SET {column} = faq_entry_stats.{column} + 1"
            )
        };
        match event {
            FaqEvent::Search { query, results } => {
                sqlx::query(
                    "INSERT INTO faq_search_stats (site, locale, day, query, searches, unanswered)
                     VALUES ($1, $2, $3, $4, 1, $5)
                     ON CONFLICT (site, locale, day, query) DO UPDATE SET searches = faq_search_stats.searches + 1,
                         unanswered = faq_search_stats.unanswered + excluded.unanswered",
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
                        "INSERT INTO faq_query_helpful (site, locale, day, query, entry, votes)
                         VALUES ($1, $2, $3, $4, $5, 1) ON CONFLICT (site, locale, day, query, entry)
                         DO UPDATE SET votes = faq_query_helpful.votes + 1",
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
                    sqlx::query(
                        "INSERT INTO faq_comments (site, locale, day, entry, helpful, comment)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
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
        // SUM of BIGINT is NUMERIC in PostgreSQL: cast back, the counts fit.
        let unanswered = sqlx::query_as::<_, (String, i64)>(
            "SELECT query, SUM(unanswered)::BIGINT AS n FROM faq_search_stats
             WHERE site = $1 AND locale = $2 AND day >= $3
             GROUP BY query HAVING SUM(unanswered) > 0 ORDER BY n DESC, query LIMIT 20",
        )
        .bind(site)
        .bind(locale.tag())
        .bind(since_day)
        .fetch_all(&self.pool)
        .await?;
        let entries = sqlx::query_as::<_, (String, i64, i64, i64)>(
            "SELECT entry, SUM(views)::BIGINT, SUM(helpful)::BIGINT, SUM(not_helpful)::BIGINT AS nh
             FROM faq_entry_stats WHERE site = $1 AND locale = $2 AND day >= $3 GROUP BY entry
             ORDER BY SUM(not_helpful) - SUM(helpful) DESC, nh DESC, entry LIMIT 50",
        )
        .bind(site)
        .bind(locale.tag())
        .bind(since_day)
        .fetch_all(&self.pool)
        .await?;
        let comments = sqlx::query_as::<_, (String, String)>(
            "SELECT entry, comment FROM faq_comments WHERE site = $1 AND locale = $2 AND day >= $3 AND NOT helpful
             ORDER BY id DESC LIMIT 100",
        )
        .bind(site)
        .bind(locale.tag())
        .bind(since_day)
        .fetch_all(&self.pool)
        .await?;
        let helpful_queries = sqlx::query_as::<_, (String, String, i64)>(
            "SELECT query, entry, SUM(votes)::BIGINT AS n FROM faq_query_helpful
             WHERE site = $1 AND locale = $2 AND day >= $3
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

async fn publish<'c>(executor: impl sqlx::PgExecutor<'c>, site: &str, snapshot_id: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO faq_published (site, snapshot_id) VALUES ($1, $2)
         ON CONFLICT (site) DO UPDATE SET snapshot_id = excluded.snapshot_id",
    )
    .bind(site)
    .bind(snapshot_id)
    .execute(executor)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wakes_travel_a_line_each_in_as_few_notifications_as_fit() {
        let texts: Vec<String> = (0..300).map(|i| format!("node-a 1700000000000 message c_{i:020} {i}")).collect();
        let sent = payloads(&texts);
        assert!(sent.len() > 1 && sent.len() < 5, "{} notifications", sent.len());
        assert!(sent.iter().all(|p| p.len() <= NOTIFICATION_BYTES));
        let heard: Vec<String> = sent.iter().flat_map(|p| p.lines().map(str::to_owned)).collect();
        assert_eq!(heard, texts, "every wake, in order");
    }
}
