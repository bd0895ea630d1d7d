//! The PostgreSQL side of `CallbackStore`. Bookings check their caps under one transaction-scoped
//! advisory lock, so two nodes racing for a slot's last place cannot both get it; state changes lock the
//! request's row first. Webhook deliveries are leased with `FOR UPDATE SKIP LOCKED`, so with several
//! nodes each delivery is attempted by one of them, and one that dies mid-delivery only delays it.

use super::StoreError;
use super::UnixTime;
use super::callbacks::{
    Booking, CallResult, CallbackCaps, CallbackRow, CallbackStore, DueWebhook, NewCallback, Refusal,
};
use super::postgres::PostgresStore;
use super::rows::{ReadRow, callback as callback_row};
use super::stored::{self, event_text, outcome_text};
use crate::secrets::new_public_id;
use accueil_protocol::{CallbackEventKind, CallbackOutcome, CallbackStatus};
use async_trait::async_trait;
use sqlx::{Postgres, Transaction};

/// Statuses that still hold a place in their slot.
const OPEN: &str = "('scheduled', 'in_progress')";

const SELECT: &str = "SELECT c.*, a.name AS agent_name, s.customer_id, s.customer_name, s.customer_verified
    FROM callbacks c LEFT JOIN agents a ON a.id = c.agent_id LEFT JOIN visitor_sessions s ON s.id = c.session_id";

/// The advisory lock every booking takes: caps span sites (a phone's daily cap) and bookings are rare,
/// so one lock for all is simple and cheap.
const BOOKING_LOCK: i64 = 0x6163_6375_6569_6c01;

/// How long a node holds a webhook delivery it is attempting before another may take it: longer than
/// the 10 s the delivery's request may take.
const WEBHOOK_LEASE_SECONDS: i64 = 60;

async fn row_for_update(
    tx: &mut Transaction<'_, Postgres>,
    public_id: &str,
) -> Result<Option<CallbackRow>, StoreError> {
    let row = sqlx::query(&format!("{SELECT} WHERE c.public_id = $1 FOR UPDATE OF c"))
        .bind(public_id)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(callback_row).transpose()
}

async fn enqueue_webhook(
    tx: &mut Transaction<'_, Postgres>,
    public_id: &str,
    event: CallbackEventKind,
    now: UnixTime,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO webhook_deliveries (event_id, callback_id, event, occurred_at, next_attempt_at)
         SELECT $1, id, $2, $3, $3 FROM callbacks WHERE public_id = $4",
    )
    .bind(new_public_id("ev").map_err(|e| StoreError::Fault(e.to_string()))?)
    .bind(event_text(event))
    .bind(now)
    .bind(public_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn lost() -> StoreError {
    StoreError::Corrupt("a request changed in its own transaction vanished".into())
}

#[async_trait]
impl CallbackStore for PostgresStore {
    async fn book_callback(&self, new: &NewCallback, caps: CallbackCaps) -> Result<Booking, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(BOOKING_LOCK).execute(&mut *tx).await?;
        let replay = sqlx::query(&format!("{SELECT} WHERE c.session_id = $1 AND c.idempotency_key = $2"))
            .bind(new.session_id)
            .bind(&new.idempotency_key)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = replay {
            let same_request = row.bytes("request_hash")? == new.request_hash;
            return Ok(Booking::Replayed { row: callback_row(&row)?, same_request });
        }
        let open: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM callbacks WHERE session_id = $1 AND status IN {OPEN}"))
                .bind(new.session_id)
                .fetch_one(&mut *tx)
                .await?;
        if open >= i64::from(caps.open_per_session) {
            return Ok(Booking::SessionFull);
        }
        let same_phone: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM callbacks WHERE phone_e164 = $1 AND created_at > $2")
                .bind(&new.phone_e164)
                .bind(new.now - 86_400)
                .fetch_one(&mut *tx)
                .await?;
        if same_phone >= i64::from(caps.per_phone_per_day) {
            return Ok(Booking::PhoneCapReached);
        }
        if let Some(capacity) = caps.slot_capacity {
            let taken: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM callbacks WHERE site = $1 AND slot_start = $2 AND NOT asap AND status IN {OPEN}"
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
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'scheduled', $16)",
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
        .execute(&mut *tx)
        .await?;
        if caps.webhook {
            enqueue_webhook(&mut tx, &new.public_id, CallbackEventKind::Created, new.now).await?;
        }
        let row = row_for_update(&mut tx, &new.public_id).await?.ok_or_else(lost)?;
        tx.commit().await?;
        Ok(Booking::Created(row))
    }

    async fn slot_bookings(&self, site: &str, from: UnixTime) -> Result<Vec<(UnixTime, u32)>, StoreError> {
        let rows = sqlx::query_as::<_, (i64, i64)>(&format!(
            "SELECT slot_start, COUNT(*) FROM callbacks
             WHERE site = $1 AND slot_start >= $2 AND NOT asap AND status IN {OPEN} GROUP BY slot_start"
        ))
        .bind(site)
        .bind(from)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(start, n)| (start, u32::try_from(n).unwrap_or(u32::MAX))).collect())
    }

    async fn waiting_asap(&self, site: &str) -> Result<u32, StoreError> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM callbacks WHERE site = $1 AND asap AND status = 'scheduled'")
                .bind(site)
                .fetch_one(&self.pool)
                .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    async fn session_callbacks(&self, session_id: i64) -> Result<Vec<CallbackRow>, StoreError> {
        let rows = sqlx::query(&format!("{SELECT} WHERE c.session_id = $1 ORDER BY c.created_at DESC, c.id DESC"))
            .bind(session_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(callback_row).collect()
    }

    async fn session_callback(&self, session_id: i64, public_id: &str) -> Result<Option<CallbackRow>, StoreError> {
        let row = sqlx::query(&format!("{SELECT} WHERE c.session_id = $1 AND c.public_id = $2"))
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
        let mut tx = self.pool.begin().await?;
        let Some(row) = row_for_update(&mut tx, public_id).await?.filter(|row| row.session_id == session_id) else {
            return Ok(Err(Refusal::NotFound));
        };
        match row.status {
            CallbackStatus::Cancelled => return Ok(Ok(row)),
            CallbackStatus::Scheduled | CallbackStatus::InProgress => {}
            _ => return Ok(Err(Refusal::Conflict("this request is already closed"))),
        }
        sqlx::query("UPDATE callbacks SET status = 'cancelled', closed_at = $1 WHERE public_id = $2")
            .bind(now)
            .bind(public_id)
            .execute(&mut *tx)
            .await?;
        if webhook {
            enqueue_webhook(&mut tx, public_id, CallbackEventKind::Cancelled, now).await?;
        }
        let row = row_for_update(&mut tx, public_id).await?.ok_or_else(lost)?;
        tx.commit().await?;
        Ok(Ok(row))
    }

    async fn touch_agent(&self, agent_id: i64, now: UnixTime) -> Result<(), StoreError> {
        sqlx::query("UPDATE agents SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(agent_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn agents_seen_since(&self, site: &str, since: UnixTime) -> Result<u32, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM agents a WHERE a.last_seen_at >= $1 AND a.presence = 'online'
             AND EXISTS (SELECT 1 FROM agent_sites s WHERE s.agent_id = a.id AND s.site IN ($2, '*'))",
        )
        .bind(since)
        .bind(site)
        .fetch_one(&self.pool)
        .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    async fn site_callbacks(&self, site: &str, open: bool) -> Result<Vec<CallbackRow>, StoreError> {
        let sql = if open {
            format!("{SELECT} WHERE c.site = $1 AND c.status IN {OPEN} ORDER BY c.slot_start, c.id")
        } else {
            format!(
                "{SELECT} WHERE c.site = $1 AND c.status NOT IN {OPEN}
                 ORDER BY c.closed_at DESC NULLS LAST, c.id DESC LIMIT 100"
            )
        };
        let rows = sqlx::query(&sql).bind(site).fetch_all(&self.pool).await?;
        rows.iter().map(callback_row).collect()
    }

    async fn callback(&self, public_id: &str) -> Result<Option<CallbackRow>, StoreError> {
        let row =
            sqlx::query(&format!("{SELECT} WHERE c.public_id = $1")).bind(public_id).fetch_optional(&self.pool).await?;
        row.as_ref().map(callback_row).transpose()
    }

    async fn claim_callback(&self, public_id: &str, agent_id: i64) -> Result<Result<CallbackRow, Refusal>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let Some(row) = row_for_update(&mut tx, public_id).await? else { return Ok(Err(Refusal::NotFound)) };
        match (row.status, &row.agent) {
            (CallbackStatus::InProgress, Some((owner, _))) if *owner == agent_id => return Ok(Ok(row)),
            (CallbackStatus::InProgress, _) => {
                return Ok(Err(Refusal::Conflict("another agent has taken this request")));
            }
            (CallbackStatus::Scheduled, _) => {}
            _ => return Ok(Err(Refusal::Conflict("this request is closed"))),
        }
        sqlx::query("UPDATE callbacks SET status = 'in_progress', agent_id = $1 WHERE public_id = $2")
            .bind(agent_id)
            .bind(public_id)
            .execute(&mut *tx)
            .await?;
        let row = row_for_update(&mut tx, public_id).await?.ok_or_else(lost)?;
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
        let mut tx = self.pool.begin().await?;
        let Some(row) = row_for_update(&mut tx, public_id).await? else { return Ok(Err(Refusal::NotFound)) };
        let mine = row.agent.as_ref().is_some_and(|(owner, _)| *owner == agent_id);
        if row.status != CallbackStatus::InProgress || !mine {
            return Ok(Err(Refusal::Conflict("claim this request before recording a call")));
        }
        let outcome = outcome_text(result.outcome);
        match result.retry {
            Some((start, end)) => {
                sqlx::query(
                    "UPDATE callbacks SET status = 'scheduled', agent_id = NULL, outcome = $1, notes = $2,
                         attempts = attempts + 1, asap = false, slot_start = $3, slot_end = $4 WHERE public_id = $5",
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
                    "UPDATE callbacks SET status = $1, outcome = $2, notes = $3, attempts = attempts + 1,
                         closed_at = $4 WHERE public_id = $5",
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
        let row = row_for_update(&mut tx, public_id).await?.ok_or_else(lost)?;
        tx.commit().await?;
        Ok(Ok(row))
    }

    async fn erase_closed_phones(&self, site: &str, closed_before: UnixTime) -> Result<u64, StoreError> {
        // Idempotent: nodes running it together erase each number once.
        let done = sqlx::query(
            "UPDATE callbacks SET phone_e164 = NULL, phone_national = NULL, name = NULL
             WHERE site = $1 AND closed_at < $2 AND (phone_e164 IS NOT NULL OR name IS NOT NULL)",
        )
        .bind(site)
        .bind(closed_before)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    async fn due_webhooks(&self, now: UnixTime, limit: u32) -> Result<Vec<DueWebhook>, StoreError> {
        // Lease the due deliveries: moving their next attempt past the lease hides them from the other
        // nodes, and a node that dies before reporting leaves them due again when the lease ends.
        let rows = sqlx::query(
            "WITH leased AS (
                 UPDATE webhook_deliveries SET next_attempt_at = $1 + $3
                 WHERE id IN (SELECT id FROM webhook_deliveries
                              WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
                              ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
                 RETURNING id, event_id, event, occurred_at, attempts, callback_id)
             SELECT w.id AS delivery_id, w.event_id, w.event, w.occurred_at, w.attempts AS delivery_attempts,
                    c.*, a.name AS agent_name
             FROM leased w JOIN callbacks c ON c.id = w.callback_id LEFT JOIN agents a ON a.id = c.agent_id
             ORDER BY w.id",
        )
        .bind(now)
        .bind(i64::from(limit))
        .bind(WEBHOOK_LEASE_SECONDS)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DueWebhook {
                    id: row.int("delivery_id")?,
                    event_id: row.text("event_id")?,
                    event: stored::event(&row.text("event")?)?,
                    occurred_at: row.int("occurred_at")?,
                    attempts: row.count("delivery_attempts")?,
                    callback: callback_row(row)?,
                })
            })
            .collect()
    }

    async fn webhook_delivered(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM webhook_deliveries WHERE id = $1").bind(id).execute(&self.pool).await?;
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
            "UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = $1,
                 next_attempt_at = COALESCE($2, next_attempt_at), failed_at = CASE WHEN $2 IS NULL THEN $3 END
             WHERE id = $4",
        )
        .bind(error)
        .bind(retry_at)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
