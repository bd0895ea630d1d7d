//! The embedded SQLite store: one database file, WAL mode, migrations applied at open.

use super::{AgentRow, Store, UnixTime, VisitorSessionRow};
use crate::error::Error;
use accueil_protocol::Locale;
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow};
use sqlx::{Row, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` (`sqlite://path` or `sqlite::memory:`) and
    /// brings its schema up to date.
    pub async fn open(url: &str) -> Result<SqliteStore, Error> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(SqliteStore { pool })
    }
}

fn visitor_session(row: &SqliteRow) -> Result<VisitorSessionRow, Error> {
    let locale: Option<String> = row.try_get("locale")?;
    Ok(VisitorSessionRow {
        id: row.try_get("id")?,
        site: row.try_get("site")?,
        locale: locale.as_deref().and_then(Locale::from_tag),
        created_at: row.try_get("created_at")?,
    })
}

fn agent(row: &SqliteRow) -> Result<AgentRow, Error> {
    Ok(AgentRow {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        password_hash: row.try_get("password_hash")?,
    })
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn insert_visitor_session(
        &self,
        token_hash: &[u8],
        site: &str,
        locale: Option<Locale>,
        now: UnixTime,
    ) -> Result<VisitorSessionRow, Error> {
        let row = sqlx::query(
            "INSERT INTO visitor_sessions (token_hash, site, locale, created_at) VALUES (?, ?, ?, ?)
             RETURNING id, site, locale, created_at",
        )
        .bind(token_hash)
        .bind(site)
        .bind(locale.map(Locale::tag))
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        visitor_session(&row)
    }

    async fn visitor_session(&self, token_hash: &[u8]) -> Result<Option<VisitorSessionRow>, Error> {
        let row = sqlx::query("SELECT id, site, locale, created_at FROM visitor_sessions WHERE token_hash = ?")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(visitor_session).transpose()
    }

    async fn delete_visitor_session(&self, token_hash: &[u8]) -> Result<bool, Error> {
        let done = sqlx::query("DELETE FROM visitor_sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn insert_agent(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        now: UnixTime,
    ) -> Result<AgentRow, Error> {
        let inserted = sqlx::query(
            "INSERT INTO agents (email, name, password_hash, created_at) VALUES (?, ?, ?, ?)
             RETURNING id, email, name, password_hash",
        )
        .bind(email)
        .bind(name)
        .bind(password_hash)
        .bind(now)
        .fetch_one(&self.pool)
        .await;
        match inserted {
            Ok(row) => agent(&row),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(Error::Conflict(format!("an agent with the email {email} already exists")))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn agent_by_email(&self, email: &str) -> Result<Option<AgentRow>, Error> {
        let row = sqlx::query("SELECT id, email, name, password_hash FROM agents WHERE email = ?")
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
    ) -> Result<(), Error> {
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

    async fn agent_for_session(&self, token_hash: &[u8], now: UnixTime) -> Result<Option<AgentRow>, Error> {
        let row = sqlx::query(
            "SELECT a.id, a.email, a.name, a.password_hash FROM agent_sessions s
             JOIN agents a ON a.id = s.agent_id WHERE s.token_hash = ? AND s.expires_at > ?",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(agent).transpose()
    }

    async fn delete_agent_session(&self, token_hash: &[u8]) -> Result<(), Error> {
        sqlx::query("DELETE FROM agent_sessions WHERE token_hash = ?").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }
}
