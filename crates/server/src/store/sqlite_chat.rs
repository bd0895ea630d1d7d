//! The SQLite side of `ChatStore`.

use super::Refusal;
use super::StoreError;
use super::UnixTime;
use super::chat::{
    CannedReplyRow, ChatStore, ChatTimings, ConversationFilter, ConversationRow, MESSAGE_COLUMNS, MessageRow, Progress,
    RETURNING_MESSAGE, TeamRow,
};
use super::rows::ReturningRows;
use super::rows::{ReadRow, canned_reply, conversation, message, team_member};
use super::sqlite::SqliteStore;
use super::stored::{self, author_text};
use accueil_protocol::{ConversationStatus, Locale, MessageAuthor, Presence, VisitContext};
use async_trait::async_trait;

const SELECT: &str = "SELECT c.*, a.name AS agent_name, s.customer_id, s.customer_name, s.customer_verified FROM conversations c LEFT JOIN agents a ON a.id = c.agent_id
    LEFT JOIN visitor_sessions s ON s.id = c.session_id";

const OPEN: &str = "SELECT c.*, a.name AS agent_name, s.customer_id, s.customer_name, s.customer_verified FROM conversations c LEFT JOIN agents a ON a.id = c.agent_id
    LEFT JOIN visitor_sessions s ON s.id = c.session_id
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
    ) -> Result<ConversationRow, StoreError> {
        let _writing = self.chat_writes.lock().await;
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
        .bind(stored::to_json(context)?)
        .bind(now)
        .fetch_all(&mut *tx)
        .await
        .first_row()?;
        let row = sqlx::query(&format!("{SELECT} WHERE c.id = ?")).bind(id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        conversation(&row)
    }

    async fn open_conversation_of(&self, session_id: i64) -> Result<Option<ConversationRow>, StoreError> {
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
    ) -> Result<(MessageRow, bool), StoreError> {
        let _writing = self.chat_writes.lock().await;
        // One statement: the next number from the conversation (open only), and the trigger of
        // migration 0007 moves `last_seq`; a retried `client_id` inserts nothing.
        let inserted = sqlx::query(&format!(
            "INSERT INTO chat_messages (conversation_id, seq, author, agent_id, body, client_id, created_at)
             SELECT c.id, c.last_seq + 1, ?, ?, ?, ?, ? FROM conversations c WHERE c.id = ? AND c.status != 'closed'
             ON CONFLICT (conversation_id, author, client_id) DO NOTHING {RETURNING_MESSAGE}",
        ))
        .bind(author_text(author))
        .bind(agent)
        .bind(body)
        .bind(client_id)
        .bind(now)
        .bind(conversation)
        .fetch_all(&self.pool)
        .await
        .first_row_if_any()?;
        if let Some(row) = inserted {
            return Ok((message(&row)?, true));
        }
        let existing =
            sqlx::query(&format!("{MESSAGE_COLUMNS} WHERE m.conversation_id = ? AND m.author = ? AND m.client_id = ?"))
                .bind(conversation)
                .bind(author_text(author))
                .bind(client_id)
                .fetch_optional(&self.pool)
                .await?;
        match existing {
            Some(row) => Ok((message(&row)?, false)),
            None => Err(StoreError::Ended),
        }
    }

    async fn conversation(&self, public_id: &str) -> Result<Option<ConversationRow>, StoreError> {
        let row =
            sqlx::query(&format!("{SELECT} WHERE c.public_id = ?")).bind(public_id).fetch_optional(&self.pool).await?;
        row.as_ref().map(conversation).transpose()
    }

    async fn site_conversations(
        &self,
        site: &str,
        filter: ConversationFilter,
    ) -> Result<Vec<ConversationRow>, StoreError> {
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

    async fn claim_conversation(
        &self,
        public_id: &str,
        agent: i64,
        now: UnixTime,
    ) -> Result<Result<ConversationRow, Refusal>, StoreError> {
        let _writing = self.chat_writes.lock().await;
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
        sqlx::query(
            "UPDATE conversations SET status = 'assigned', agent_id = ?, claimed_at = COALESCE(claimed_at, ?) WHERE id = ?",
        )
        .bind(agent)
        .bind(now)
        .bind(current.id)
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query(&format!("{SELECT} WHERE c.id = ?")).bind(current.id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(Ok(conversation(&row)?))
    }

    async fn close_conversation(&self, public_id: &str, now: UnixTime) -> Result<Option<ConversationRow>, StoreError> {
        sqlx::query(
            "UPDATE conversations SET status = 'closed', closed_at = ? WHERE public_id = ? AND status != 'closed'",
        )
        .bind(now)
        .bind(public_id)
        .execute(&self.pool)
        .await?;
        self.conversation(public_id).await
    }

    async fn messages_after(&self, conversation: i64, after: u64, limit: u32) -> Result<Vec<MessageRow>, StoreError> {
        let rows =
            sqlx::query(&format!("{MESSAGE_COLUMNS} WHERE m.conversation_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?"))
                .bind(conversation)
                .bind(i64::try_from(after).unwrap_or(i64::MAX))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(message).collect()
    }

    async fn record_progress(
        &self,
        public_id: &str,
        progress: Progress,
        seq: u64,
    ) -> Result<Option<ConversationRow>, StoreError> {
        let set = match progress {
            Progress::AgentRead => {
                "agent_read_seq = ?1, agent_delivered_seq = MAX(agent_delivered_seq, ?1) WHERE agent_read_seq < ?1"
            }
            Progress::VisitorRead => "visitor_read_seq = ?1 WHERE visitor_read_seq < ?1",
        };
        let writing = self.chat_writes.lock().await;
        let changed = sqlx::query(&format!("UPDATE conversations SET {set} AND ?1 <= last_seq AND public_id = ?2"))
            .bind(i64::try_from(seq).unwrap_or(i64::MAX))
            .bind(public_id)
            .execute(&self.pool)
            .await?;
        drop(writing);
        if changed.rows_affected() == 0 {
            return Ok(None);
        }
        self.conversation(public_id).await
    }

    async fn record_deliveries(&self, marks: &[(String, u64)]) -> Result<Vec<(i64, u64, u64)>, StoreError> {
        let _writing = self.chat_writes.lock().await;
        let mut tx = self.pool.begin().await?;
        let mut moved = Vec::new();
        for (public_id, seq) in marks {
            let row = sqlx::query(
                "UPDATE conversations SET agent_delivered_seq = ?1
                 WHERE public_id = ?2 AND agent_delivered_seq < ?1 AND ?1 <= last_seq
                 RETURNING id, agent_delivered_seq, agent_read_seq",
            )
            .bind(i64::try_from(*seq).unwrap_or(i64::MAX))
            .bind(public_id)
            .fetch_all(&mut *tx)
            .await
            .first_row_if_any()?;
            if let Some(row) = row {
                moved.push((row.int("id")?, row.seq("agent_delivered_seq")?, row.seq("agent_read_seq")?));
            }
        }
        tx.commit().await?;
        Ok(moved)
    }

    async fn rate_conversation(&self, conversation: i64, score: u8) -> Result<(), StoreError> {
        sqlx::query("UPDATE conversations SET rating = ? WHERE id = ?")
            .bind(i64::from(score))
            .bind(conversation)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn transfer_conversation(
        &self,
        public_id: &str,
        from: i64,
        to: i64,
    ) -> Result<Result<ConversationRow, Refusal>, StoreError> {
        let _writing = self.chat_writes.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM agents WHERE id = ?").bind(to).fetch_optional(&mut *tx).await?;
        if exists.is_none() {
            return Ok(Err(Refusal::NotFound));
        }
        let moved = sqlx::query(
            "UPDATE conversations SET agent_id = ? WHERE public_id = ? AND agent_id = ? AND status = 'assigned'",
        )
        .bind(to)
        .bind(public_id)
        .bind(from)
        .execute(&mut *tx)
        .await?;
        let row =
            sqlx::query(&format!("{SELECT} WHERE c.public_id = ?")).bind(public_id).fetch_optional(&mut *tx).await?;
        tx.commit().await?;
        match (row, moved.rows_affected()) {
            (None, _) => Ok(Err(Refusal::NotFound)),
            (Some(_), 0) => Ok(Err(Refusal::Conflict("take this conversation before handing it over"))),
            (Some(row), _) => Ok(Ok(conversation(&row)?)),
        }
    }

    async fn set_presence(&self, agent: i64, presence: Presence) -> Result<(), StoreError> {
        sqlx::query("UPDATE agents SET presence = ? WHERE id = ?")
            .bind(stored::presence_text(presence))
            .bind(agent)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn presence(&self, agent: i64) -> Result<Presence, StoreError> {
        let text: Option<String> = sqlx::query_scalar("SELECT presence FROM agents WHERE id = ?")
            .bind(agent)
            .fetch_optional(&self.pool)
            .await?;
        Ok(stored::presence(text.as_deref().unwrap_or("online")))
    }

    async fn team(&self) -> Result<Vec<TeamRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.name, a.role, a.presence, a.last_seen_at,
                 (SELECT group_concat(site, char(10)) FROM agent_sites WHERE agent_id = a.id) AS sites
             FROM agents a ORDER BY a.name, a.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(team_member).collect()
    }

    async fn canned_replies(&self, site: &str) -> Result<Vec<CannedReplyRow>, StoreError> {
        let rows = sqlx::query("SELECT id, title, body FROM canned_replies WHERE site = ? ORDER BY title, id")
            .bind(site)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(canned_reply).collect()
    }

    async fn add_canned_reply(
        &self,
        site: &str,
        title: &str,
        body: &str,
        now: UnixTime,
    ) -> Result<CannedReplyRow, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO canned_replies (site, title, body, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(site)
        .bind(title)
        .bind(body)
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .first_row()?;
        Ok(CannedReplyRow { id, title: title.to_owned(), body: body.to_owned() })
    }

    async fn queue_position(&self, conversation: i64) -> Result<Option<u32>, StoreError> {
        // The order of `site_conversations(Waiting)`: oldest first, by id among the same second.
        let position: Option<i64> = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM conversations w
                     WHERE w.site = c.site AND w.status = 'waiting'
                       AND (w.created_at < c.created_at OR (w.created_at = c.created_at AND w.id <= c.id)))
             FROM conversations c WHERE c.id = ? AND c.status = 'waiting'",
        )
        .bind(conversation)
        .fetch_optional(&self.pool)
        .await?;
        Ok(position.map(|p| u32::try_from(p).unwrap_or(u32::MAX)))
    }

    async fn waiting_count(&self, site: &str) -> Result<u32, StoreError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM conversations WHERE site = ? AND status = 'waiting'")
            .bind(site)
            .fetch_one(&self.pool)
            .await?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    async fn chat_timings(&self, site: &str, now: UnixTime) -> Result<ChatTimings, StoreError> {
        let handling = sqlx::query_scalar(
            "SELECT closed_at - claimed_at FROM conversations
             WHERE site = ? AND claimed_at IS NOT NULL AND closed_at > ? ORDER BY closed_at DESC LIMIT 50",
        )
        .bind(site)
        .bind(now - 7 * 86_400)
        .fetch_all(&self.pool)
        .await?;
        let waits = sqlx::query_scalar(
            "SELECT claimed_at - created_at FROM conversations
             WHERE site = ? AND claimed_at > ? ORDER BY claimed_at DESC LIMIT 50",
        )
        .bind(site)
        .bind(now - 3600)
        .fetch_all(&self.pool)
        .await?;
        Ok(ChatTimings { handling, waits })
    }

    async fn canned_reply_site(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT site FROM canned_replies WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn delete_canned_reply(&self, id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM canned_replies WHERE id = ?").bind(id).execute(&self.pool).await?;
        Ok(done.rows_affected() > 0)
    }
}
