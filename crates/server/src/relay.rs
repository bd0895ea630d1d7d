//! Live frames between server nodes that share one PostgreSQL database. A node that changes something
//! a live connection shows (a message, a conversation taken or ended, a receipt, typing, a session
//! that ended) pushes it to its own connections through the `Hub`, then wakes the other nodes with a
//! tiny text (`Wake`: what changed and where, never the data). Each other node reads what changed from
//! the database and pushes it to its own connections. A wake that is lost costs nothing that matters:
//! after its listening connection comes back, a node reads again what its connections follow
//! (`catch_up`), and clients fill any gap in message numbers from the history themselves. With SQLite
//! (one node) nothing of this runs.

use crate::chat::{Revoked, agent_view, announce_change_here, conversation_view, message_view};
use crate::startup::AppState;
use crate::store::{Heard, NodeListener};
use accueil_protocol::{AgentServerFrame, ServerFrame};
use tokio::sync::mpsc;

/// What another node should look up and push to its own connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wake {
    /// A message numbered `seq` was stored in the conversation.
    Message {
        conversation: String,
        seq: u64,
    },
    /// A visitor started the conversation: it joins the end of the queue, where nobody moves.
    Started {
        conversation: String,
    },
    /// The conversation was taken, handed over or ended (the queue may have moved).
    Changed {
        conversation: String,
    },
    /// Delivered or read marks of the conversation moved.
    Receipts {
        conversation: String,
    },
    VisitorTyping {
        conversation: String,
    },
    AgentTyping {
        conversation: String,
    },
    /// An agent signed out (the hex of its token's hash): its consoles close on every node.
    AgentSignedOut {
        token_hash: String,
    },
    /// A visitor session was erased: its connections close on every node.
    VisitorErased {
        session: i64,
    },
    /// A site's settings were changed in the console: every node reads them again.
    SettingsChanged {
        site: String,
    },
}

/// Milliseconds since the Unix epoch: when a wake was sent, for the lag the other nodes measure.
fn now_millis() -> u64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
}

impl Wake {
    /// `node sent-at-ms kind subject [seq]`: a few dozen bytes.
    fn encode(&self, node: &str, sent_at: u64) -> String {
        let head = format!("{node} {sent_at}");
        match self {
            Wake::Message { conversation, seq } => format!("{head} m {conversation} {seq}"),
            Wake::Started { conversation } => format!("{head} s {conversation}"),
            Wake::Changed { conversation } => format!("{head} c {conversation}"),
            Wake::Receipts { conversation } => format!("{head} r {conversation}"),
            Wake::VisitorTyping { conversation } => format!("{head} v {conversation}"),
            Wake::AgentTyping { conversation } => format!("{head} a {conversation}"),
            Wake::AgentSignedOut { token_hash } => format!("{head} o {token_hash}"),
            Wake::VisitorErased { session } => format!("{head} e {session}"),
            Wake::SettingsChanged { site } => format!("{head} p {site}"),
        }
    }

    /// The sending node, when it sent (ms), and its wake; `None` for a text this version does not know
    /// (a newer node's).
    fn decode(text: &str) -> Option<(&str, u64, Wake)> {
        let mut parts = text.split(' ');
        let (node, sent_at) = (parts.next()?, parts.next()?.parse().ok()?);
        let (kind, subject) = (parts.next()?, parts.next()?.to_owned());
        let wake = match kind {
            "m" => Wake::Message { conversation: subject, seq: parts.next()?.parse().ok()? },
            "s" => Wake::Started { conversation: subject },
            "c" => Wake::Changed { conversation: subject },
            "r" => Wake::Receipts { conversation: subject },
            "v" => Wake::VisitorTyping { conversation: subject },
            "a" => Wake::AgentTyping { conversation: subject },
            "o" => Wake::AgentSignedOut { token_hash: subject },
            "e" => Wake::VisitorErased { session: subject.parse().ok()? },
            "p" => Wake::SettingsChanged { site: subject },
            _ => return None,
        };
        Some((node, sent_at, wake))
    }
}

/// This node's side: its name among the nodes, and the wakes waiting to go out (in order, by one
/// task, so a handler never waits for them).
pub struct Relay {
    node: String,
    outbox: Option<mpsc::UnboundedSender<Wake>>,
}

impl Relay {
    /// A relay that sends nothing: the only node.
    pub fn alone() -> Relay {
        Relay { node: String::new(), outbox: None }
    }

    /// A relay among several nodes, and the receiving end of its outbox for `send_wakes`.
    pub fn among_nodes() -> Result<(Relay, mpsc::UnboundedReceiver<Wake>), crate::error::Error> {
        let (outbox, wakes) = mpsc::unbounded_channel();
        Ok((Relay { node: crate::secrets::new_public_id("node")?, outbox: Some(outbox) }, wakes))
    }

    /// Tells the other nodes; nothing when this is the only one.
    pub fn wake(&self, wake: Wake) {
        if let Some(outbox) = &self.outbox {
            // Closed only while the process ends.
            let _ = outbox.send(wake);
        }
    }
}

/// Wakes sent in one statement at most.
const SEND_BATCH: usize = 500;
/// How long a wake waits for the ones right behind it. Under load one statement then carries several
/// (one notification transaction here, one read on each other node, instead of one per message), at
/// the cost of this much delay.
const GATHER: std::time::Duration = std::time::Duration::from_millis(2);

/// Runs until the process ends: sends this node's wakes, in order, those waiting together.
pub async fn send_wakes(state: AppState, mut wakes: mpsc::UnboundedReceiver<Wake>) {
    let mut batch = Vec::new();
    while wakes.recv_many(&mut batch, SEND_BATCH).await > 0 {
        if batch.len() < SEND_BATCH {
            tokio::time::sleep(GATHER).await;
            while batch.len() < SEND_BATCH
                && let Ok(wake) = wakes.try_recv()
            {
                batch.push(wake);
            }
        }
        let sent_at = now_millis();
        let texts: Vec<String> = batch.drain(..).map(|wake| wake.encode(&state.relay.node, sent_at)).collect();
        state.metrics.wakes_sent.inc_by(texts.len() as u64);
        let sending = std::time::Instant::now();
        let sent = state.store.wake_nodes(&texts).await;
        state.metrics.wake_send.observe(sending.elapsed().as_secs_f64());
        if let Err(error) = sent {
            // The others miss a live push; their clients still find the change on their next read.
            tracing::warn!(%error, "the other nodes were not told of a change");
        }
    }
}

/// Runs until the process ends: hears the other nodes and pushes what they changed to this node's
/// connections.
pub async fn hear_nodes(state: AppState, mut listener: Box<dyn NodeListener>) {
    loop {
        match listener.heard().await {
            Ok(Heard::Wakes(texts)) => {
                let mut others = Vec::new();
                for text in &texts {
                    match Wake::decode(text) {
                        Some((node, _, _)) if node == state.relay.node => {}
                        Some((_, sent_at, wake)) => {
                            // Clocks of different machines: a lag below zero is counted as none.
                            state.metrics.wake_lag.observe(now_millis().saturating_sub(sent_at) as f64 / 1000.0);
                            others.push(wake);
                        }
                        None => tracing::debug!(text, "a wake this version does not know"),
                    }
                }
                let applying = std::time::Instant::now();
                let applied = apply_all(&state, others).await;
                state.metrics.wake_apply.observe(applying.elapsed().as_secs_f64());
                if let Err(error) = applied {
                    tracing::warn!(%error, "changes from another node were not pushed");
                }
            }
            Ok(Heard::Resumed) => {
                tracing::warn!("the connection hearing the other nodes was lost and is back: catching up");
                catch_up(&state).await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot hear the other nodes; trying again");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    }
}

/// Pushes what wakes say changed to this node's connections: the messages read in one query, the
/// rest one by one, in the order heard.
async fn apply_all(state: &AppState, wakes: Vec<Wake>) -> Result<(), crate::error::Error> {
    let wanted: Vec<(String, u64)> = wakes
        .iter()
        .filter_map(|wake| match wake {
            Wake::Message { conversation, seq } => Some((conversation.clone(), *seq)),
            _ => None,
        })
        .collect();
    if !wanted.is_empty() {
        for stored in state.store.messages_numbered(&wanted).await? {
            let message = message_view(stored.message);
            state.hub.publish_message_of(stored.conversation, &stored.public_id, &stored.site, message);
        }
    }
    // Each is read from the database as it is now: the same change heard twice in a batch is pushed once.
    let mut distinct: Vec<Wake> = Vec::new();
    for wake in wakes.into_iter().filter(|wake| !matches!(wake, Wake::Message { .. })) {
        if !distinct.contains(&wake) {
            distinct.push(wake);
        }
    }
    for wake in distinct {
        apply(state, wake).await?;
    }
    Ok(())
}

/// Pushes what a wake says changed to this node's connections, read from the database.
async fn apply(state: &AppState, wake: Wake) -> Result<(), crate::error::Error> {
    let conversation = match &wake {
        Wake::AgentSignedOut { token_hash } => {
            if let Some(hash) = decode_hex(token_hash) {
                state.hub.revoke(Revoked::Agent(hash));
            }
            return Ok(());
        }
        Wake::VisitorErased { session } => {
            state.hub.revoke(Revoked::Visitor(*session));
            return Ok(());
        }
        Wake::SettingsChanged { site } => {
            return state.sites.reload(state.store.as_ref(), site).await;
        }
        Wake::Message { conversation, .. }
        | Wake::Started { conversation }
        | Wake::Changed { conversation }
        | Wake::Receipts { conversation }
        | Wake::VisitorTyping { conversation }
        | Wake::AgentTyping { conversation } => conversation,
    };
    let Some(row) = state.store.conversation(conversation).await? else { return Ok(()) };
    match wake {
        // Read together, in `apply_all`.
        Wake::Message { .. } => {}
        Wake::Started { .. } => {
            let site = row.site.clone();
            let view = agent_view(state, row).await?;
            state.hub.tell_agents(&site, AgentServerFrame::Changed { conversation: Box::new(view) });
        }
        Wake::Changed { .. } => {
            announce_change_here(state, row).await?;
        }
        Wake::Receipts { .. } => {
            let read = row.visitor_read;
            state.hub.publish(row.id, ServerFrame::Receipt { delivered: row.agent_delivered, read: row.agent_read });
            state.hub.tell_agents(&row.site, AgentServerFrame::Receipt { conversation: row.public_id, read });
        }
        Wake::VisitorTyping { .. } => {
            state.hub.tell_agents(&row.site, AgentServerFrame::Typing { conversation: row.public_id });
        }
        Wake::AgentTyping { .. } => state.hub.publish(row.id, ServerFrame::Typing),
        Wake::AgentSignedOut { .. } | Wake::VisitorErased { .. } | Wake::SettingsChanged { .. } => {}
    }
    Ok(())
}

/// After wakes may have been lost: each conversation a visitor follows here gets the messages stored
/// after the last one pushed and its current state; every console gets each open conversation again
/// (with its last message and number, from which it fills its own gaps).
async fn catch_up(state: &AppState) {
    for (conversation, pushed_up_to) in state.hub.followed() {
        match state.store.messages_after(conversation, pushed_up_to, 500).await {
            Ok(missed) => {
                for message in missed {
                    state.hub.publish(conversation, ServerFrame::Message { message: message_view(message) });
                }
            }
            Err(error) => tracing::warn!(%error, conversation, "could not catch up a conversation"),
        }
    }
    for site in state.sites.all() {
        let id = &site.public.site;
        if let Err(error) = state.sites.reload(state.store.as_ref(), id).await {
            tracing::warn!(%error, site = %id, "could not read the site's settings again");
        }
        let open = state.store.site_conversations(id, crate::store::ConversationFilter::All).await;
        for row in open.unwrap_or_default() {
            state.hub.publish(row.id, ServerFrame::Conversation { conversation: conversation_view(&row) });
            if let Ok(view) = agent_view(state, row).await {
                state.hub.tell_agents(id, AgentServerFrame::Changed { conversation: Box::new(view) });
            }
        }
        crate::chat::announce_queue(state, id).await;
    }
}

pub fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wakes_survive_their_text_and_unknown_ones_are_ignored() {
        let wakes = [
            Wake::Message { conversation: "cv_1".into(), seq: 42 },
            Wake::Started { conversation: "cv_1".into() },
            Wake::Changed { conversation: "cv_1".into() },
            Wake::Receipts { conversation: "cv_1".into() },
            Wake::VisitorTyping { conversation: "cv_1".into() },
            Wake::AgentTyping { conversation: "cv_1".into() },
            Wake::AgentSignedOut { token_hash: encode_hex(&[0, 171, 255]) },
            Wake::VisitorErased { session: 7 },
            Wake::SettingsChanged { site: "demo".into() },
        ];
        for wake in wakes {
            assert_eq!(
                Wake::decode(&wake.encode("node_a", 1_700_000_000_123)),
                Some(("node_a", 1_700_000_000_123, wake.clone()))
            );
        }
        assert_eq!(Wake::decode("node_a 1 z cv_1"), None);
        assert_eq!(Wake::decode("node_a 1 m cv_1 not-a-number"), None);
        assert_eq!(Wake::decode("node_a m cv_1 2"), None, "no time: an older node's");
        assert_eq!(decode_hex(&encode_hex(&[0, 171, 255])), Some(vec![0, 171, 255]));
    }
}
