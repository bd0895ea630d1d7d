//! Live chat beside its routes: the in-process hub that pushes what happens in a conversation to the
//! visitor's connections following it and to every agent's console, counts connections per visitor
//! session, and the wire views of stored conversations and messages.

use crate::error::Error;
use crate::rfc3339;
use crate::store::{ConversationRow, MessageRow};
use accueil_protocol::{AgentConversation, AgentRef, AgentServerFrame, ChatMessage, Conversation, ServerFrame};
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::broadcast;

/// Messages a slow connection may fall behind by before it is dropped (it then resumes from the
/// database): memory per conversation stays bounded whatever a client does.
const BACKLOG: usize = 64;
/// Frames an agent's console may fall behind by: it hears every conversation of every site.
const AGENT_BACKLOG: usize = 4096;
/// Session ends a connection may fall behind by; past it, it closes to be safe.
const REVOKED_BACKLOG: usize = 256;
/// Live connections one visitor session may hold at once (tabs of one browser); more are refused.
pub const CONNECTIONS_PER_SESSION: usize = 5;

/// Per conversation, a broadcast channel of its new messages; one more channel for the agents'
/// consoles. Publishing happens after the message's transaction commits, so a pushed message is
/// always also in the database. In one process: with several server nodes, `relay.rs` pushes what
/// other nodes changed through here too.
pub struct Hub {
    channels: Mutex<HashMap<i64, Followed>>,
    agents: broadcast::Sender<AgentFrame>,
    /// Sessions that ended (signed out, erased): their live connections close at once.
    revoked: broadcast::Sender<Revoked>,
    /// Live connections (visitors' and consoles') open in this process, so shutdown can wait for them
    /// to say goodbye.
    live: std::sync::atomic::AtomicUsize,
    live_closed: tokio::sync::Notify,
    sessions: Mutex<HashMap<i64, usize>>,
    /// Visitor messages that reached a console, by conversation: the highest number, not yet stored.
    delivered: Mutex<HashMap<String, u64>>,
    delivered_wake: tokio::sync::Notify,
}

impl Default for Hub {
    fn default() -> Hub {
        Hub {
            channels: Mutex::default(),
            agents: broadcast::channel(AGENT_BACKLOG).0,
            revoked: broadcast::channel(REVOKED_BACKLOG).0,
            live: std::sync::atomic::AtomicUsize::new(0),
            live_closed: tokio::sync::Notify::new(),
            sessions: Mutex::default(),
            delivered: Mutex::default(),
            delivered_wake: tokio::sync::Notify::new(),
        }
    }
}

/// The visitor connections following one conversation, and the last message number pushed to them
/// (where a node that may have missed other nodes' messages catches up from).
struct Followed {
    sender: broadcast::Sender<ServerFrame>,
    pushed_up_to: u64,
}

/// A frame for the consoles, with the site it is about: a console passes on only its agent's sites.
#[derive(Debug, Clone)]
pub struct AgentFrame {
    pub site: std::sync::Arc<str>,
    pub frame: AgentServerFrame,
}

/// A session that ended while connections may still hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revoked {
    /// An agent's console session, by its token's hash (signed out).
    Agent(Vec<u8>),
    /// A visitor session, by id (erased).
    Visitor(i64),
    /// Every session on this node: the server is shutting down.
    ServerStopping,
}

/// The close code that sends a client to reconnect because the server is restarting (RFC 6455 1012).
pub const CLOSE_SERVER_RESTARTING: u16 = 1012;
/// The close code for a connection whose session ended (signed out, erased).
pub const CLOSE_SESSION_ENDED: u16 = 4401;

impl Revoked {
    /// What a live connection does with what its revocation channel said: close with this code and
    /// reason, or (`None`) go on. `is_mine` says whether an ended session is the connection's own.
    pub fn close_for(
        heard: Result<Revoked, broadcast::error::RecvError>,
        is_mine: impl Fn(&Revoked) -> bool,
    ) -> Option<(u16, &'static str)> {
        match heard {
            Ok(Revoked::ServerStopping) | Err(broadcast::error::RecvError::Closed) => {
                Some((CLOSE_SERVER_RESTARTING, "server restarting: reconnect"))
            }
            Ok(ended) if is_mine(&ended) => Some((CLOSE_SESSION_ENDED, "session ended")),
            Ok(_) => None,
            // Missed some: this one's may be among them; it closes, and the client comes back if its
            // session still exists.
            Err(broadcast::error::RecvError::Lagged(_)) => Some((CLOSE_SESSION_ENDED, "session ended")),
        }
    }
}

/// How long delivery marks gather before they are stored together: each message would otherwise cost
/// one more write per console that received it.
const DELIVERED_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// One live connection (a visitor's or a console's), counted while it lives.
pub struct LiveConnection(std::sync::Arc<Hub>);

impl Drop for LiveConnection {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        self.0.live_closed.notify_waiters();
    }
}

/// One live connection of a visitor session, counted while it lives.
pub struct SessionSlot {
    hub: std::sync::Arc<Hub>,
    session: i64,
}

impl Drop for SessionSlot {
    fn drop(&mut self) {
        let mut sessions = self.hub.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = sessions.get_mut(&self.session) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                sessions.remove(&self.session);
            }
        }
    }
}

impl Hub {
    /// A slot for one more connection of `session`, or `None` past the limit.
    pub fn admit(hub: &std::sync::Arc<Hub>, session: i64) -> Option<SessionSlot> {
        let mut sessions = hub.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = sessions.entry(session).or_insert(0);
        if *count >= CONNECTIONS_PER_SESSION {
            return None;
        }
        *count += 1;
        Some(SessionSlot { hub: hub.clone(), session })
    }

    /// Live connections open here: (visitors', all, consoles' included).
    pub fn connection_counts(&self) -> (usize, usize) {
        let visitors = self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner).values().sum();
        (visitors, self.live.load(std::sync::atomic::Ordering::SeqCst))
    }

    /// Counts a live connection until the returned guard is dropped.
    pub fn live_connection(hub: &std::sync::Arc<Hub>) -> LiveConnection {
        hub.live.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        LiveConnection(hub.clone())
    }

    /// Waits until every live connection has closed, or `at_most` passed (on shutdown, after telling
    /// them to reconnect: their close frames go out before the process ends).
    pub async fn live_connections_closed(&self, at_most: std::time::Duration) {
        let _ = tokio::time::timeout(at_most, async {
            loop {
                // Registered before the count is read, so a close in between is not missed.
                let closed = self.live_closed.notified();
                tokio::pin!(closed);
                closed.as_mut().enable();
                if self.live.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                    return;
                }
                closed.await;
            }
        })
        .await;
    }

    /// A visitor message up to `seq` of `conversation` is on an agent's screen.
    pub fn mark_delivered(&self, conversation: &str, seq: u64) {
        let mut delivered = self.delivered.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let held = delivered.entry(conversation.to_owned()).or_insert(0);
        *held = (*held).max(seq);
        drop(delivered);
        self.delivered_wake.notify_one();
    }

    /// Runs until the process ends: stores the delivery marks gathered, in one transaction every
    /// `DELIVERED_EVERY` at most, and tells each visitor how far the agents got.
    pub async fn store_deliveries(
        self: std::sync::Arc<Hub>,
        store: std::sync::Arc<dyn crate::store::Store>,
        relay: std::sync::Arc<crate::relay::Relay>,
    ) {
        loop {
            self.delivered_wake.notified().await;
            tokio::time::sleep(DELIVERED_EVERY).await;
            let marks: Vec<(String, u64)> = {
                let mut delivered = self.delivered.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                delivered.drain().collect()
            };
            match store.record_deliveries(&marks).await {
                Ok(moved) => {
                    for (id, delivered, read) in moved {
                        self.publish(id, ServerFrame::Receipt { delivered, read });
                    }
                    // The visitor may follow on another node.
                    for (conversation, _) in marks {
                        relay.wake(crate::relay::Wake::Receipts { conversation });
                    }
                }
                Err(error) => tracing::warn!(%error, "delivery receipts were not stored"),
            }
        }
    }

    /// Pushes a newly stored message to the visitor's connections and to the consoles of its site.
    pub fn publish_message(&self, conversation: &ConversationRow, message: ChatMessage) {
        self.publish_message_of(conversation.id, &conversation.public_id, &conversation.site, message);
    }

    /// `publish_message`, for a conversation known by its ids and site.
    pub fn publish_message_of(&self, conversation: i64, public_id: &str, site: &str, message: ChatMessage) {
        let frame = AgentServerFrame::Message { conversation: public_id.to_owned(), message: message.clone() };
        self.tell_agents(site, frame);
        self.publish(conversation, ServerFrame::Message { message });
    }

    pub fn subscribe_agents(&self) -> broadcast::Receiver<AgentFrame> {
        self.agents.subscribe()
    }

    /// Pushes a frame about `site` to the consoles of the agents who work on it.
    pub fn tell_agents(&self, site: &str, frame: AgentServerFrame) {
        // No console open is fine: the state is stored.
        let _ = self.agents.send(AgentFrame { site: site.into(), frame });
    }

    pub fn subscribe_revoked(&self) -> broadcast::Receiver<Revoked> {
        self.revoked.subscribe()
    }

    /// Closes the live connections of a session that just ended.
    pub fn revoke(&self, session: Revoked) {
        // No connection open is fine.
        let _ = self.revoked.send(session);
    }

    pub fn subscribe(&self, conversation: i64) -> broadcast::Receiver<ServerFrame> {
        let mut channels = self.channels.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Channels nobody follows any more go, so the map does not grow with every conversation ever.
        channels.retain(|_, followed| followed.sender.receiver_count() > 0);
        let followed = channels
            .entry(conversation)
            .or_insert_with(|| Followed { sender: broadcast::channel(BACKLOG).0, pushed_up_to: 0 });
        followed.sender.subscribe()
    }

    /// Pushes a frame to the visitor connections following the conversation.
    pub fn publish(&self, conversation: i64, frame: ServerFrame) {
        let mut channels = self.channels.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(followed) = channels.get_mut(&conversation) {
            if let ServerFrame::Message { message } = &frame {
                followed.pushed_up_to = followed.pushed_up_to.max(message.seq);
            }
            // No receiver is fine: nobody is connected, and the message is stored.
            let _ = followed.sender.send(frame);
        }
    }

    /// The conversations that visitor connections here follow, each with the last message number
    /// pushed to them (0 when none was pushed since they followed it: they read the history then).
    pub fn followed(&self) -> Vec<(i64, u64)> {
        let channels = self.channels.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        channels
            .iter()
            .filter(|(_, followed)| followed.sender.receiver_count() > 0 && followed.pushed_up_to > 0)
            .map(|(id, followed)| (*id, followed.pushed_up_to))
            .collect()
    }
}

pub fn message_view(row: MessageRow) -> ChatMessage {
    ChatMessage {
        seq: row.seq,
        author: row.author,
        agent: row.agent,
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

/// A conversation as the console shows it, with its last message for the inbox preview.
pub async fn agent_view(state: &crate::startup::AppState, row: ConversationRow) -> Result<AgentConversation, Error> {
    let last = state.store.messages_after(row.id, row.last_seq.saturating_sub(1), 1).await?.into_iter().next();
    Ok(agent_conversation_view(row, last.map(message_view)))
}

fn agent_conversation_view(row: ConversationRow, last_message: Option<ChatMessage>) -> AgentConversation {
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
        visitor_read: row.visitor_read,
        customer: row.customer.map(crate::routes::customer_view),
    }
}

/// Tells everyone about a conversation that changed (taken, handed over, ended): the visitor's
/// connections (who answers now, or that it ended), every console, and the waiting visitors whose place
/// in the queue moved, on this node and the others. The console's view of it, for the answer.
pub async fn announce_change(
    state: &crate::startup::AppState,
    row: ConversationRow,
) -> Result<AgentConversation, Error> {
    state.relay.wake(crate::relay::Wake::Changed { conversation: row.public_id.clone() });
    announce_change_here(state, row).await
}

/// `announce_change` to this node's connections only (what another node changed).
pub async fn announce_change_here(
    state: &crate::startup::AppState,
    row: ConversationRow,
) -> Result<AgentConversation, Error> {
    state.hub.publish(row.id, ServerFrame::Conversation { conversation: conversation_view(&row) });
    let site = row.site.clone();
    let view = agent_view(state, row).await?;
    state.hub.tell_agents(&site, AgentServerFrame::Changed { conversation: Box::new(view.clone()) });
    announce_queue(state, &site).await;
    Ok(view)
}

/// Minutes one agent takes per conversation until the site has measured its own.
const DEFAULT_HANDLING_SECONDS: i64 = 3 * 60;
/// Measurements needed before they replace the default.
const ENOUGH_SAMPLES: usize = 5;

/// The middle of `samples` (seconds), when there are enough of them to mean something.
fn median(samples: &[i64]) -> Option<i64> {
    if samples.len() < ENOUGH_SAMPLES {
        return None;
    }
    let mut sorted: Vec<i64> = samples.iter().map(|s| (*s).max(0)).collect();
    sorted.sort_unstable();
    Some(sorted[sorted.len() / 2])
}

/// What a site's waits are estimated from, read once per announcement.
pub struct WaitBasis {
    /// Within the site's business hours.
    pub open: bool,
    /// Agents of the site online now.
    pub agents: u32,
    pub timings: crate::store::ChatTimings,
}

impl WaitBasis {
    /// Reads the site's hours, agents online and recent timings, now.
    pub async fn of(state: &crate::startup::AppState, site: &crate::config::Site) -> Result<WaitBasis, Error> {
        let now = crate::now();
        let id = &site.public.site;
        Ok(WaitBasis {
            open: crate::callbacks::slots::is_open(site, now),
            agents: state.store.agents_seen_since(id, now - crate::routes::PRESENCE_SECONDS).await?,
            timings: state.store.chat_timings(id, now).await?,
        })
    }

    /// A rough wait in minutes for the conversation answered `position`th (1 is next), or `None`
    /// when nobody can answer now (outside hours, or no agent online). Each agent takes the site's
    /// measured time per conversation (the median of the last week, or 3 minutes before there is
    /// enough), so `position` conversations take `position × handling ÷ agents`; and the estimate is
    /// never shorter than what visitors waited in the last hour (median), which catches agents who are
    /// online but busy.
    pub fn estimate(&self, position: u32) -> Option<u32> {
        if !self.open || self.agents == 0 {
            return None;
        }
        let handling = median(&self.timings.handling).unwrap_or(DEFAULT_HANDLING_SECONDS);
        let by_queue = i64::from(position) * handling / i64::from(self.agents);
        let recently = median(&self.timings.waits).unwrap_or(0);
        let seconds = by_queue.max(recently);
        // Whole minutes, rounded up: "about 1 minute" at the least.
        Some(u32::try_from((seconds + 59) / 60).unwrap_or(u32::MAX).max(1))
    }
}

/// Each waiting conversation of `site` (by id) with its `queue` frame: its place (1 is next) and the
/// rough wait. Empty when the queue cannot be read: the last figures shown stay.
pub async fn queue_frames(state: &crate::startup::AppState, site: &str) -> Vec<(i64, ServerFrame)> {
    let Some(settings) = state.sites.get(site) else { return Vec::new() };
    let Ok(basis) = WaitBasis::of(state, &settings).await else { return Vec::new() };
    let Ok(waiting) = state.store.site_conversations(site, crate::store::ConversationFilter::Waiting).await else {
        return Vec::new();
    };
    (1u32..)
        .zip(waiting)
        .map(|(position, row)| {
            (row.id, ServerFrame::Queue { position, estimated_wait_minutes: basis.estimate(position) })
        })
        .collect()
}

/// The `queue` frame of one waiting conversation: its place and the rough wait; `None` when it is not
/// waiting (or the queue cannot be read). One count, not the whole queue: every new conversation asks.
pub async fn own_queue_frame(state: &crate::startup::AppState, site: &str, conversation: i64) -> Option<ServerFrame> {
    let position = state.store.queue_position(conversation).await.ok().flatten()?;
    let site_settings = state.sites.get(site)?;
    let basis = WaitBasis::of(state, &site_settings).await.ok()?;
    Some(ServerFrame::Queue { position, estimated_wait_minutes: basis.estimate(position) })
}

/// Tells every waiting visitor of `site` their place, after the queue moved (a conversation taken or
/// ended: those behind it move up). A new conversation joins at the end and moves nobody.
pub async fn announce_queue(state: &crate::startup::AppState, site: &str) {
    for (conversation, frame) in queue_frames(state, site).await {
        state.hub.publish(conversation, frame);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ChatTimings;

    #[test]
    fn the_wait_follows_the_queue_the_agents_and_what_the_site_measured() {
        let estimated_wait = |open, agents, position, timings: &ChatTimings| {
            WaitBasis { open, agents, timings: timings.clone() }.estimate(position)
        };
        let none = ChatTimings::default();
        assert_eq!(estimated_wait(false, 2, 1, &none), None, "closed");
        assert_eq!(estimated_wait(true, 0, 1, &none), None, "nobody online");
        // Before measurements: 3 minutes per conversation and agent.
        assert_eq!(estimated_wait(true, 1, 5, &none), Some(15));
        assert_eq!(estimated_wait(true, 3, 1, &none), Some(1));
        // A site whose agents take 10 minutes per conversation.
        let slow = ChatTimings { handling: vec![600; 8], waits: vec![] };
        assert_eq!(estimated_wait(true, 2, 3, &slow), Some(15));
        // Too few samples are no measurement.
        assert_eq!(estimated_wait(true, 1, 1, &ChatTimings { handling: vec![6000; 4], waits: vec![] }), Some(3));
        // Visitors waited 12 minutes in the last hour, though the queue is short: say so.
        let busy = ChatTimings { handling: vec![120; 10], waits: vec![700, 720, 720, 760, 800] };
        assert_eq!(estimated_wait(true, 4, 1, &busy), Some(12));
    }
}
