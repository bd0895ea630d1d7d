//! The callback part of the store: requests, their queue, and the webhook outbox. A trait of its own
//! so the callback vocabulary stays together; every `Store` is one.

use super::StoreError;
use super::UnixTime;
use accueil_protocol::{CallbackEventKind, CallbackOutcome, CallbackStatus, Locale, VisitContext};
use async_trait::async_trait;

/// A request as stored, with the claiming agent's name joined in.
#[derive(Debug, Clone, PartialEq)]
pub struct CallbackRow {
    pub public_id: String,
    pub site: String,
    pub session_id: i64,
    pub phone_e164: Option<String>,
    pub phone_national: Option<String>,
    pub name: Option<String>,
    pub topic: String,
    pub locale: Locale,
    pub context: VisitContext,
    pub asap: bool,
    pub slot_start: UnixTime,
    pub slot_end: UnixTime,
    pub consent_version: String,
    pub status: CallbackStatus,
    pub agent: Option<(i64, String)>,
    pub outcome: Option<CallbackOutcome>,
    pub notes: String,
    pub attempts: u32,
    pub created_at: UnixTime,
    pub closed_at: Option<UnixTime>,
    /// Who the brand's site said the visitor is, when the query joined it in.
    pub customer: Option<super::CustomerRow>,
}

/// A request to insert, already validated.
#[derive(Debug, Clone)]
pub struct NewCallback {
    pub public_id: String,
    pub site: String,
    pub session_id: i64,
    pub idempotency_key: String,
    /// SHA-256 of the request body: a key reused with another body is refused.
    pub request_hash: Vec<u8>,
    pub phone_e164: String,
    pub phone_national: String,
    pub name: Option<String>,
    pub topic: String,
    pub locale: Locale,
    pub context: VisitContext,
    pub asap: bool,
    pub slot_start: UnixTime,
    pub slot_end: UnixTime,
    pub consent_version: String,
    pub now: UnixTime,
}

/// The caps checked in the inserting transaction, so two requests racing for the last place cannot
/// both get it.
#[derive(Debug, Clone, Copy)]
pub struct CallbackCaps {
    /// Requests a slot takes; `None` for "as soon as possible".
    pub slot_capacity: Option<u32>,
    pub per_phone_per_day: u32,
    pub open_per_session: u32,
    pub webhook: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Booking {
    Created(CallbackRow),
    /// The same idempotency key came again: `same_request` says whether the body matched.
    Replayed {
        row: CallbackRow,
        same_request: bool,
    },
    SlotFull,
    PhoneCapReached,
    SessionFull,
}

/// Why a state change did not happen.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    NotFound,
    /// Claimed by another agent, already closed, or not claimed by this agent.
    Conflict(&'static str),
}

/// An outcome to record; `retry` reschedules a missed call.
#[derive(Debug, Clone)]
pub struct CallResult {
    pub outcome: CallbackOutcome,
    pub notes: String,
    pub retry: Option<(UnixTime, UnixTime)>,
}

/// A webhook delivery that is due.
#[derive(Debug, Clone, PartialEq)]
pub struct DueWebhook {
    pub id: i64,
    pub event_id: String,
    pub event: CallbackEventKind,
    pub occurred_at: UnixTime,
    pub attempts: u32,
    pub callback: CallbackRow,
}

#[async_trait]
pub trait CallbackStore {
    async fn book_callback(&self, new: &NewCallback, caps: CallbackCaps) -> Result<Booking, StoreError>;
    /// Requests per slot start of `site` from `from` on that still take a place (scheduled or in progress).
    async fn slot_bookings(&self, site: &str, from: UnixTime) -> Result<Vec<(UnixTime, u32)>, StoreError>;
    /// "As soon as possible" requests of `site` not yet taken by an agent.
    async fn waiting_asap(&self, site: &str) -> Result<u32, StoreError>;
    async fn session_callbacks(&self, session_id: i64) -> Result<Vec<CallbackRow>, StoreError>;
    async fn session_callback(&self, session_id: i64, public_id: &str) -> Result<Option<CallbackRow>, StoreError>;
    async fn cancel_callback(
        &self,
        session_id: i64,
        public_id: &str,
        now: UnixTime,
        webhook: bool,
    ) -> Result<Result<CallbackRow, Refusal>, StoreError>;

    /// Marks the agent present in the console.
    async fn touch_agent(&self, agent_id: i64, now: UnixTime) -> Result<(), StoreError>;
    /// Agents of `site` present since `since` and online (not away): those who can answer its visitors now.
    async fn agents_seen_since(&self, site: &str, since: UnixTime) -> Result<u32, StoreError>;
    /// Open requests by slot, or closed ones most recent first (at most 100).
    async fn site_callbacks(&self, site: &str, open: bool) -> Result<Vec<CallbackRow>, StoreError>;
    async fn callback(&self, public_id: &str) -> Result<Option<CallbackRow>, StoreError>;
    async fn claim_callback(&self, public_id: &str, agent_id: i64) -> Result<Result<CallbackRow, Refusal>, StoreError>;
    async fn record_call(
        &self,
        public_id: &str,
        agent_id: i64,
        result: &CallResult,
        now: UnixTime,
        webhook: bool,
    ) -> Result<Result<CallbackRow, Refusal>, StoreError>;
    /// Erases the number and name of requests of `site` closed before `closed_before`; how many.
    async fn erase_closed_phones(&self, site: &str, closed_before: UnixTime) -> Result<u64, StoreError>;

    async fn due_webhooks(&self, now: UnixTime, limit: u32) -> Result<Vec<DueWebhook>, StoreError>;
    /// Delivered: the outbox row goes.
    async fn webhook_delivered(&self, id: i64) -> Result<(), StoreError>;
    /// Failed once: try again at `retry_at`, or give up when `None`.
    async fn webhook_failed(
        &self,
        id: i64,
        retry_at: Option<UnixTime>,
        error: &str,
        now: UnixTime,
    ) -> Result<(), StoreError>;
}
