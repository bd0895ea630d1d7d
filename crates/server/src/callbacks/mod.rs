//! Callback requests beside their routes: phone numbers, slots, the wire views of a stored request,
//! and the background work (webhook deliveries, erasure of closed requests' numbers).

pub mod maintenance;
pub mod phone;
pub mod slots;

use crate::rfc3339;
use crate::store::CallbackRow;
use accueil_protocol::{AgentCallback, AgentRef, Callback, CallbackStatus};

/// The request as its visitor sees it: no agent, no notes.
pub fn visitor_view(row: CallbackRow) -> Callback {
    Callback {
        id: row.public_id,
        status: row.status,
        asap: row.asap,
        start: rfc3339(row.slot_start),
        end: rfc3339(row.slot_end),
        phone: row.phone_national,
        topic: row.topic,
        created_at: rfc3339(row.created_at),
    }
}

/// The request as agents (and the brand's webhook) see it.
pub fn agent_view(row: CallbackRow) -> AgentCallback {
    AgentCallback {
        id: row.public_id,
        site: row.site,
        status: row.status,
        asap: row.asap,
        start: rfc3339(row.slot_start),
        end: rfc3339(row.slot_end),
        phone: row.phone_e164,
        name: row.name,
        topic: row.topic,
        locale: row.locale,
        context: row.context,
        consent_version: row.consent_version,
        created_at: rfc3339(row.created_at),
        agent: row.agent.map(|(id, name)| AgentRef { id, name }),
        outcome: row.outcome,
        notes: row.notes,
        attempts: row.attempts,
        customer: row.customer.map(crate::routes::customer_view),
    }
}

/// Whether a request is over (nothing more will happen to it).
pub fn is_closed(status: CallbackStatus) -> bool {
    matches!(status, CallbackStatus::Done | CallbackStatus::Missed | CallbackStatus::Cancelled)
}
