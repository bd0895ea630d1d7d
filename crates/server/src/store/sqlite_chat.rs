//! The SQLite side of `ChatStore`.

use super::Refusal;
use super::UnixTime;
use super::chat::{ChatStore, ConversationFilter, ConversationRow, MessageRow};
use super::sqlite::SqliteStore;
use crate::error::Error;
use accueil_protocol::{ConversationStatus, Locale, MessageAuthor, VisitContext};
use async_trait::async_trait;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

fn conversation(row: &SqliteRow) -> Result<ConversationRow, Error> {
    let status: String = row.try_get("status")?;
    let last_seq: i64 = row.try_get("last_seq")?;
    Ok(ConversationRow {
        id: row.try_get("id")?,
        public_id: row.try_get("public_id")?,
        site: row.try_get("site")?,
        session_id: row.try_get("session_id")?,
        status: serde_json::from_value(serde_json::Value::String(status)).unwrap_or(ConversationStatus::Unknown),
        last_seq: u64::try_from(last_seq).unwrap_or(0),
        agent: row.try_get::<Option<i64>, _>("agent_id")?.zip(row.try_get::<Option<String>, _>("agent_name")?),
        locale: Locale::from_tag(&row.try_get::<String, _>("locale")?).unwrap_or(Locale::Fr),
        context: serde_json::from_str(&row.try_get::<String, _>("context")?).unwrap_or_default(),
        created_at: row.try_get("created_at")?,
    })
}

const SELECT: &str = "SELECT c.*, a.name AS agent_name FROM conversations c LEFT JOIN agents a ON a.id = c.agent_id";

fn message(row: &SqliteRow) -> Result<MessageRow, Error> {
    let author: String = row.try_get("author")?;
    let seq: i64 = row.try_get("seq")?;
    Ok(MessageRow {
        seq: u64::try_from(seq).unwrap_or(0),
        author: serde_json::from_value(serde_json::Value::String(author)).unwrap_or(MessageAuthor::Unknown),
        body: row.try_get("body")?,
        client_id: row.try_get("client_id")?,
        created_at: row.try_get("created_at")?,
    })
}

fn author_text(author: MessageAuthor) -> &'static str {
    match author {
        MessageAuthor::Visitor | MessageAuthor::Unknown => "visitor",
        MessageAuthor::Agent => "agent",
    }
}

const OPEN: &str = "SELECT c.*, a.name AS agent_name FROM conversations c LEFT JOIN agents a ON a.id = c.agent_id
    WHERE c.session_id = ? AND c.status != 'closed'";

#[async_trait]
impl ChatStore for SqliteStore {
    async fn open_conversation(
        &self,
        public_id: &str,
        site: &str,
        session_id: i64,
        locale: Locale,
        context: &VisitContext,
        now: UnixTime,
    ) -> Result<ConversationRow, Error> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(row) = sqlx::query(OPEN).bind(session_id).fetch_optional(&mut *tx).await? {
            return conversation(&row);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO conversations (public_id, site, session_id, status, locale, context, created_at)
             VALUES (?, ?, ?, 'waiting', ?, ?, ?) RETURNING id",
        )
        .bind(public_id)
        .bind(site)
        .bind(session_id)
        .bind(locale.tag())
        .bind(serde_json::to_string(context).map_err(|e| Error::Internal(e.to_string()))?)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let row = sqlx::query(&format!("{SELECT} WHERE c.id = ?")).bind(id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        conversation(&row)
    }

    async fn open_conversation_of(&self, session_id: i64) -> Result<Option<ConversationRow>, Error> {
        let row = sqlx::query(OPEN).bind(session_id).fetch_optional(&self.pool).await?;
        row.as_ref().map(conversation).transpose()
    }

    async fn add_message(
        &self,
        conversation: i64,
        author: MessageAuthor,
        agent: Option<i64>,
        client_id: Option<&str>,
        body: &str,
        now: UnixTime,
    ) -> Result<(MessageRow, bool), Error> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(client_id) = client_id {
            let existing =
                sqlx::query("SELECT * FROM chat_messages WHERE conversation_id = ? AND author = ? AND client_id = ?")
                    .bind(conversation)
                    .bind(author_text(author))
                    .bind(client_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(row) = existing {
                return Ok((message(&row)?, false));
            }
        }
        let seq: i64 =
            sqlx::query_scalar("UPDATE conversations SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq")
                .bind(conversation)
                .fetch_one(&mut *tx)
                .await?;
        let row = sqlx::query(
            "INSERT INTO chat_messages (conversation_id, seq, author, agent_id, body, client_id, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *",
        )
        .bind(conversation)
        .bind(seq)
        .bind(author_text(author))
        .bind(agent)
        .bind(body)
        .bind(client_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((message(&row)?, true))
    }

    async fn conversation(&self, public_id: &str) -> Result<Option<ConversationRow>, Error> {
        let row =
            sqlx::query(&format!("{SELECT} WHERE c.public_id = ?")).bind(public_id).fetch_optional(&self.pool).await?;
        row.as_ref().map(conversation).transpose()
    }

    async fn site_conversations(&self, site: &str, filter: ConversationFilter) -> Result<Vec<ConversationRow>, Error> {
        let (condition, agent) = match filter {
            ConversationFilter::Waiting => ("c.status = 'waiting'", None),
            ConversationFilter::Mine(agent) => ("c.status = 'assigned' AND c.agent_id = ?", Some(agent)),
            ConversationFilter::All => ("c.status != 'closed'", None),
        };
        let sql = format!("{SELECT} WHERE c.site = ? AND {condition} ORDER BY c.created_at, c.id LIMIT 200");
        let mut query = sqlx::query(&sql).bind(site);
        if let Some(agent) = agent {
            query = query.bind(agent);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(conversation).collect()
    }

    async fn claim_conversation(&self, public_id: &str, agent: i64) -> Result<Result<ConversationRow, Refusal>, Error> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let Some(row) =
            sqlx::query(&format!("{SELECT} WHERE c.public_id = ?")).bind(public_id).fetch_optional(&mut *tx).await?
        else {
            return Ok(Err(Refusal::NotFound));
        };
        let current = conversation(&row)?;
        match (current.status, &current.agent) {
            (ConversationStatus::Assigned, Some((owner, _))) if *owner == agent => return Ok(Ok(current)),
            (ConversationStatus::Waiting, _) => {}
            (ConversationStatus::Closed, _) => return Ok(Err(Refusal::Conflict("this conversation is closed"))),
            _ => return Ok(Err(Refusal::Conflict("another agent has taken this conversation"))),
        }
        sqlx::query("UPDATE conversations SET status = 'assigned', agent_id = ? WHERE id = ?")
            .bind(agent)
            .bind(current.id)
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query(&format!("{SELECT} WHERE c.id = ?")).bind(current.id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(Ok(conversation(&row)?))
    }

    async fn close_conversation(&self, public_id: &str, now: UnixTime) -> Result<Option<ConversationRow>, Error> {
        sqlx::query(
            "UPDATE conversations SET status = 'closed', closed_at = ? WHERE public_id = ? AND status != 'closed'",
        )
        .bind(now)
        .bind(public_id)
        .execute(&self.pool)
        .await?;
        self.conversation(public_id).await
    }

    async fn messages_after(&self, conversation: i64, after: u64, limit: u32) -> Result<Vec<MessageRow>, Error> {
        let rows =
            sqlx::query("SELECT * FROM chat_messages WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?")
                .bind(conversation)
                .bind(i64::try_from(after).unwrap_or(i64::MAX))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(message).collect()
    }
}
