//! How the store writes the protocol's enums in its text columns. These names are the database's, fixed
//! by its migrations: renaming a wire value must not change what past rows mean. Every backend stores
//! them alike, so a `store copy` moves rows unchanged.

use super::StoreError;
use accueil_protocol::{
    CallbackEventKind, CallbackOutcome, CallbackStatus, ConversationStatus, Locale, MessageAuthor, PostStatus, Presence,
};

pub fn locale(tag: &str) -> Result<Locale, StoreError> {
    Locale::from_tag(tag).ok_or_else(|| StoreError::Corrupt(format!("stored locale `{tag}` is unknown")))
}

pub fn conversation_status(text: &str) -> ConversationStatus {
    match text {
        "waiting" => ConversationStatus::Waiting,
        "assigned" => ConversationStatus::Assigned,
        "closed" => ConversationStatus::Closed,
        _ => ConversationStatus::Unknown,
    }
}

pub fn author(text: &str) -> MessageAuthor {
    match text {
        "visitor" => MessageAuthor::Visitor,
        "agent" => MessageAuthor::Agent,
        _ => MessageAuthor::Unknown,
    }
}

pub fn author_text(author: MessageAuthor) -> &'static str {
    match author {
        MessageAuthor::Visitor | MessageAuthor::Unknown => "visitor",
        MessageAuthor::Agent => "agent",
    }
}

pub fn presence(text: &str) -> Presence {
    if text == "away" { Presence::Away } else { Presence::Online }
}

pub fn presence_text(presence: Presence) -> &'static str {
    if presence == Presence::Away { "away" } else { "online" }
}

pub fn callback_status(text: &str) -> CallbackStatus {
    match text {
        "scheduled" => CallbackStatus::Scheduled,
        "in_progress" => CallbackStatus::InProgress,
        "done" => CallbackStatus::Done,
        "missed" => CallbackStatus::Missed,
        "cancelled" => CallbackStatus::Cancelled,
        _ => CallbackStatus::Unknown,
    }
}

pub fn outcome(text: &str) -> Option<CallbackOutcome> {
    match text {
        "reached" => Some(CallbackOutcome::Reached),
        "no_answer" => Some(CallbackOutcome::NoAnswer),
        "wrong_number" => Some(CallbackOutcome::WrongNumber),
        _ => None,
    }
}

pub fn outcome_text(outcome: CallbackOutcome) -> &'static str {
    match outcome {
        CallbackOutcome::Reached => "reached",
        CallbackOutcome::NoAnswer => "no_answer",
        CallbackOutcome::WrongNumber | CallbackOutcome::Unknown => "wrong_number",
    }
}

pub fn event(text: &str) -> Result<CallbackEventKind, StoreError> {
    match text {
        "created" => Ok(CallbackEventKind::Created),
        "cancelled" => Ok(CallbackEventKind::Cancelled),
        "closed" => Ok(CallbackEventKind::Closed),
        other => Err(StoreError::Corrupt(format!("stored webhook event `{other}` is unknown"))),
    }
}

pub fn event_text(event: CallbackEventKind) -> &'static str {
    match event {
        CallbackEventKind::Created => "created",
        CallbackEventKind::Cancelled => "cancelled",
        CallbackEventKind::Closed => "closed",
    }
}

pub fn post_status(text: &str) -> PostStatus {
    match text {
        "visible" => PostStatus::Visible,
        "pending" => PostStatus::Pending,
        _ => PostStatus::Hidden,
    }
}

pub fn post_status_text(status: PostStatus) -> &'static str {
    match status {
        PostStatus::Visible => "visible",
        PostStatus::Pending => "pending",
        PostStatus::Hidden | PostStatus::Unknown => "hidden",
    }
}

/// A JSON list column (phrasings, tags, synonym groups): empty when unreadable, as when absent.
pub fn json_list<T: serde::de::DeserializeOwned + Default>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_default()
}

pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    Ok(serde_json::to_string(value)?)
}
