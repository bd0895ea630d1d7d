//! Live chat beside its routes: the in-process hub that pushes each stored message to the connections
//! following its conversation, and the wire view of a stored message.

use crate::rfc3339;
use crate::store::{ConversationRow, MessageRow};
use accueil_protocol::{AgentConversation, AgentRef, ChatMessage, Conversation, ServerFrame};
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::broadcast;

/// Messages a slow connection may fall behind by before it is dropped (it then resumes from the
/// database): memory per conversation stays bounded whatever a client does.
const BACKLOG: usize = 64;

/// Per conversation, a broadcast channel of its new messages. Publishing happens after the message's
/// transaction commits, so a pushed message is always also in the database. In one process only: with
/// several server nodes, a connection resumes from the database on reconnect.
#[derive(Default)]
pub struct Hub {
    channels: Mutex<HashMap<i64, broadcast::Sender<ServerFrame>>>,
}

impl Hub {
    pub fn subscribe(&self, conversation: i64) -> broadcast::Receiver<ServerFrame> {
        let mut channels = self.channels.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Channels nobody follows any more go, so the map does not grow with every conversation ever.
        channels.retain(|_, sender| sender.receiver_count() > 0);
        channels.entry(conversation).or_insert_with(|| broadcast::channel(BACKLOG).0).subscribe()
    }

    /// Pushes a `message` or `conversation` frame to the conversation's connections.
    pub fn publish(&self, conversation: i64, frame: ServerFrame) {
        let channels = self.channels.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(sender) = channels.get(&conversation) {
            // No receiver is fine: nobody is connected, and the message is stored.
            let _ = sender.send(frame);
        }
    }
}

pub fn message_view(row: MessageRow) -> ChatMessage {
    ChatMessage {
        seq: row.seq,
        author: row.author,
        body: row.body,
        client_id: row.client_id,
        sent_at: rfc3339(row.created_at),
    }
}

pub fn conversation_view(row: &ConversationRow) -> Conversation {
    Conversation {
        id: row.public_id.clone(),
        status: row.status,
        last_seq: row.last_seq,
        agent: row.agent.as_ref().map(|(_, name)| name.clone()),
    }
}

pub fn agent_conversation_view(row: ConversationRow, last_message: Option<ChatMessage>) -> AgentConversation {
    AgentConversation {
        id: row.public_id,
        site: row.site,
        status: row.status,
        agent: row.agent.map(|(id, name)| AgentRef { id, name }),
        locale: row.locale,
        context: row.context,
        last_seq: row.last_seq,
        created_at: rfc3339(row.created_at),
        last_message,
    }
}
