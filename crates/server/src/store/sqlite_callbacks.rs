//! The SQLite side of `CallbackStore`. Caps and state changes are checked and written in one
//! `BEGIN IMMEDIATE` transaction, which takes SQLite's write lock first, so concurrent requests queue
//! instead of both passing a check.

use super::StoreError;
use super::UnixTime;
use super::callbacks::{
    Booking, CallResult, CallbackCaps, CallbackRow, CallbackStore, DueWebhook, NewCallback, Refusal,
};
use super::rows::{ReadRow, callback as callback_row};
use super::sqlite::SqliteStore;
use super::stored::{self, event_text, outcome_text};
use crate::secrets::new_public_id;
use accueil_protocol::{CallbackEventKind, CallbackOutcome, CallbackStatus};
use async_trait::async_trait;
use sqlx::{Row, Sqlite, Transaction};

/// Statuses that still hold a place in their slot.
const OPEN: &str = "('scheduled', 'in_progress')";

const SELECT: &str = "SELECT c.*, a.name AS agent_name, s.customer_id, s.customer_name, s.customer_verified
    FROM callbacks c LEFT JOIN agents a ON a.id = c.agent_id LEFT JOIN visitor_sessions s ON s.id = c.session_id";

async fn row_by_id(tx: &mut Transaction<'_, Sqlite>, public_id: &str) -> Result<Option<CallbackRow>, StoreError> {
    let row = sqlx::query(&format!("{SELECT} WHERE c.public_id = ?")).bind(public_id).fetch_optional(&mut **tx).await?;
    row.as_ref().map(callback_row).transpose()
}

/// Queues a webhook event in the transaction of the change it reports.
async fn enqueue_webhook(
    tx: &mut Transaction<'_, Sqlite>,
    public_id: &str,
    event: CallbackEventKind,
    now: UnixTime,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO webhook_deliveries (event_id, callback_id, event, occurred_at, next_attempt_at)
         SELECT ?, id, ?, ?, ? FROM callbacks WHERE public_id = ?",
    )
    .bind(new_public_id("ev").map_err(|e| StoreError::Fault(e.to_string()))?)
    .bind(event_text(event))
    .bind(now)
    .bind(now)
    .bind(public_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[async_trait]
impl CallbackStore for SqliteStore {
    async fn book_callback(&self, new: &NewCallback, caps: CallbackCaps) -> Result<Booking, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let replay = sqlx::query(&format!("{SELECT} WHERE c.session_id = ? AND c.idempotency_key = ?"))
            .bind(new.session_id)
            .bind(&new.idempotency_key)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = replay {
            let hash = row.bytes("request_hash")?;
            return Ok(Booking::Replayed { row: callback_row(&row)?, same_request: hash == new.request_hash });
        }
        let open: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM callbacks WHERE session_id = ? AND status IN {OPEN}"))
                .bind(new.session_id)
                .fetch_one(&mut *tx)
                .await?;
        if open >= i64::from(caps.open_per_session) {
            return Ok(Booking::SessionFull);
        }
        let day_ago = new.now - 86_400;
        let same_phone: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM callbacks WHERE phone_e164 = ? AND created_at > ?")
                .bind(&new.phone_e164)
                .bind(day_ago)
                .fetch_one(&mut *tx)
                .await?;
        if same_phone >= i64::from(caps.per_phone_per_day) {
            return Ok(Booking::PhoneCapReached);
        }
        if let Some(capacity) = caps.slot_capacity {
            let taken: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM callbacks WHERE site = ? AND slot_start = ? AND asap = 0 AND status IN {OPEN}"
            ))
            .bind(&new.site)
            .bind(new.slot_start)
            .fetch_one(&mut *tx)
            .await?;
            if taken >= i64::from(capacity) {
                return Ok(Booking::SlotFull);
            }
        }
        sqlx::query(
            "INSERT INTO callbacks (public_id, site, session_id, idempotency_key, request_hash, phone_e164,
                 phone_national, name, topic, locale, context, asap, slot_start, slot_end, consent_version,
                 consented_at, status, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?)",
        )
        .bind(&new.public_id)
        .bind(&new.site)
        .bind(new.session_id)
        .bind(&new.idempotency_key)
        .bind(&new.request_hash)
        .bind(&new.phone_e164)
        .bind(&new.phone_national)
        .bind(&new.name)
        .bind(&new.topic)
        .bind(new.locale.tag())
        .bind(stored::to_json(&new.context)?)
        .bind(new.asap)
        .bind(new.slot_start)
        .bind(new.slot_end)
        .bind(&new.consent_version)
        .bind(new.now)
        .bind(new.now)
        .execute(&mut *tx)
        .await?;
        if caps.webhook {
            enqueue_webhook(&mut tx, &new.public_id, CallbackEventKind::Created, new.now).await?;
        }
        let row = row_by_id(&mut tx, &new.public_id).await?.ok_or_else(|| StoreError::Corrupt("insert lost".into()))?;
        tx.commit().await?;
        Ok(Booking::Created(row))
    }

    async fn slot_bookings(&self, site: &str, from: UnixTime) -> Result<Vec<(UnixTime, u32)>, StoreError> {
        let rows = sqlx::query_as::<_, (i64, i64)>(&format!(
            "SELECT slot_start, COUNT(*) FROM callbacks
             WHERE site = ? AND slot_start >= ? AND asap = 0 AND status IN {OPEN} GROUP BY slot_start"
        ))
        .bind(site)
        .bind(from)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(start, n)| (start, u32::try_from(n).unwrap_or(u32::MAX))).collect())
    }

    async fn waiting_asap(&self, site: &str) -> Result<u32, StoreError> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM callbacks WHERE site = ? AND asap = 1 AND status = 'scheduled'")
                .bind(site)
                .fetch_one(&self.pool)
                .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    async fn session_callbacks(&self, session_id: i64) -> Result<Vec<CallbackRow>, StoreError> {
        let rows = sqlx::query(&format!("{SELECT} WHERE c.session_id = ? ORDER BY c.created_at DESC, c.id DESC"))
            .bind(session_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(callback_row).collect()
    }

    async fn session_callback(&self, session_id: i64, public_id: &str) -> Result<Option<CallbackRow>, StoreError> {
        let row = sqlx::query(&format!("{SELECT} WHERE c.session_id = ? AND c.public_id = ?"))
            .bind(session_id)
            .bind(public_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(callback_row).transpose()
    }

    async fn cancel_callback(
        &self,
        session_id: i64,
        public_id: &str,
        now: UnixTime,
        webhook: bool,
    ) -> Result<Result<CallbackRow, Refusal>, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let Some(row) = row_by_id(&mut tx, public_id).await?.filter(|row| row.session_id == session_id) else {
            return Ok(Err(Refusal::NotFound));
        };
        match row.status {
            CallbackStatus::Cancelled => return Ok(Ok(row)),
            CallbackStatus::Scheduled | CallbackStatus::InProgress => {}
            _ => return Ok(Err(Refusal::Conflict("this request is already closed"))),
        }
        sqlx::query("UPDATE callbacks SET status = 'cancelled', closed_at = ? WHERE public_id = ?")
            .bind(now)
            .bind(public_id)
            .execute(&mut *tx)
            .await?;
        if webhook {
            enqueue_webhook(&mut tx, public_id, CallbackEventKind::Cancelled, now).await?;
        }
        let row = row_by_id(&mut tx, public_id).await?.ok_or_else(|| StoreError::Corrupt("update lost".into()))?;
        tx.commit().await?;
        Ok(Ok(row))
    }

    async fn touch_agent(&self, agent_id: i64, now: UnixTime) -> Result<(), StoreError> {
        sqlx::query("UPDATE agents SET last_seen_at = ? WHERE id = ?")
            .bind(now)
            .bind(agent_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn agents_seen_since(&self, site: &str, since: UnixTime) -> Result<u32, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM agents a WHERE a.last_seen_at >= ? AND a.presence = 'online'
             AND EXISTS (SELECT 1 FROM agent_sites s WHERE s.agent_id = a.id AND s.site IN (?, '*'))",
        )
        .bind(since)
        .bind(site)
        .fetch_one(&self.pool)
        .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    async fn site_callbacks(&self, site: &str, open: bool) -> Result<Vec<CallbackRow>, StoreError> {
        let sql = if open {
            format!("{SELECT} WHERE c.site = ? AND c.status IN {OPEN} ORDER BY c.slot_start, c.id")
        } else {
            format!(
                "{SELECT} WHERE c.site = ? AND c.status NOT IN {OPEN} ORDER BY c.closed_at DESC, c.id DESC LIMIT 100"
            )
        };
        let rows = sqlx::query(&sql).bind(site).fetch_all(&self.pool).await?;
        rows.iter().map(callback_row).collect()
    }

    async fn callback(&self, public_id: &str) -> Result<Option<CallbackRow>, StoreError> {
        let row =
            sqlx::query(&format!("{SELECT} WHERE c.public_id = ?")).bind(public_id).fetch_optional(&self.pool).await?;
        row.as_ref().map(callback_row).transpose()
    }

    async fn claim_callback(&self, public_id: &str, agent_id: i64) -> Result<Result<CallbackRow, Refusal>, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let Some(row) = row_by_id(&mut tx, public_id).await? else { return Ok(Err(Refusal::NotFound)) };
        match (row.status, &row.agent) {
            (CallbackStatus::InProgress, Some((owner, _))) if *owner == agent_id => return Ok(Ok(row)),
            (CallbackStatus::InProgress, _) => {
                return Ok(Err(Refusal::Conflict("another agent has taken this request")));
            }
            (CallbackStatus::Scheduled, _) => {}
            _ => return Ok(Err(Refusal::Conflict("this request is closed"))),
        }
        sqlx::query("UPDATE callbacks SET status = 'in_progress', agent_id = ? WHERE public_id = ?")
            .bind(agent_id)
            .bind(public_id)
            .execute(&mut *tx)
            .await?;
        let row = row_by_id(&mut tx, public_id).await?.ok_or_else(|| StoreError::Corrupt("update lost".into()))?;
        tx.commit().await?;
        Ok(Ok(row))
    }

    async fn record_call(
        &self,
        public_id: &str,
        agent_id: i64,
        result: &CallResult,
        now: UnixTime,
        webhook: bool,
    ) -> Result<Result<CallbackRow, Refusal>, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let Some(row) = row_by_id(&mut tx, public_id).await? else { return Ok(Err(Refusal::NotFound)) };
        let mine = row.agent.as_ref().is_some_and(|(owner, _)| *owner == agent_id);
        if row.status != CallbackStatus::InProgress || !mine {
            return Ok(Err(Refusal::Conflict("claim this request before recording a call")));
        }
        let outcome = outcome_text(result.outcome);
        match result.retry {
            Some((start, end)) => {
                sqlx::query(
                    "UPDATE callbacks SET status = 'scheduled', agent_id = NULL, outcome = ?, notes = ?,
                         attempts = attempts + 1, asap = 0, slot_start = ?, slot_end = ? WHERE public_id = ?",
                )
                .bind(outcome)
                .bind(&result.notes)
                .bind(start)
                .bind(end)
                .bind(public_id)
                .execute(&mut *tx)
                .await?;
            }
            None => {
                let status = if result.outcome == CallbackOutcome::Reached { "done" } else { "missed" };
                sqlx::query(
                    "UPDATE callbacks SET status = ?, outcome = ?, notes = ?, attempts = attempts + 1, closed_at = ?
                     WHERE public_id = ?",
                )
                .bind(status)
                .bind(outcome)
                .bind(&result.notes)
                .bind(now)
                .bind(public_id)
                .execute(&mut *tx)
                .await?;
                if webhook {
                    enqueue_webhook(&mut tx, public_id, CallbackEventKind::Closed, now).await?;
                }
            }
        }
        let row = row_by_id(&mut tx, public_id).await?.ok_or_else(|| StoreError::Corrupt("update lost".into()))?;
        tx.commit().await?;
        Ok(Ok(row))
    }

    async fn erase_closed_phones(&self, site: &str, closed_before: UnixTime) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE callbacks SET phone_e164 = NULL, phone_national = NULL, name = NULL
             WHERE site = ? AND closed_at < ? AND (phone_e164 IS NOT NULL OR name IS NOT NULL)",
        )
        .bind(site)
        .bind(closed_before)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() > 0 {
            self.wipe_erased().await;
        }
        Ok(done.rows_affected())
    }

    async fn due_webhooks(&self, now: UnixTime, limit: u32) -> Result<Vec<DueWebhook>, StoreError> {
        let rows = sqlx::query(
            "SELECT w.id AS delivery_id, w.event_id, w.event, w.occurred_at, w.attempts AS delivery_attempts,
                    c.*, a.name AS agent_name
             FROM webhook_deliveries w JOIN callbacks c ON c.id = w.callback_id LEFT JOIN agents a ON a.id = c.agent_id
             WHERE w.delivered_at IS NULL AND w.failed_at IS NULL AND w.next_attempt_at <= ?
             ORDER BY w.next_attempt_at, w.id LIMIT ?",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let event: String = row.try_get("event")?;
                let attempts: i64 = row.try_get("delivery_attempts")?;
                Ok(DueWebhook {
                    id: row.try_get("delivery_id")?,
                    event_id: row.try_get("event_id")?,
                    event: stored::event(&event)?,
                    occurred_at: row.try_get("occurred_at")?,
                    attempts: u32::try_from(attempts).unwrap_or(0),
                    callback: callback_row(row)?,
                })
            })
            .collect()
    }

    async fn webhook_delivered(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM webhook_deliveries WHERE id = ?").bind(id).execute(&self.pool).await?;
        Ok(())
    }

    async fn webhook_failed(
        &self,
        id: i64,
        retry_at: Option<UnixTime>,
        error: &str,
        now: UnixTime,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = ?,
                 next_attempt_at = COALESCE(?, next_attempt_at), failed_at = CASE WHEN ? IS NULL THEN ? END
             WHERE id = ?",
        )
        .bind(error)
        .bind(retry_at)
        .bind(retry_at)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
