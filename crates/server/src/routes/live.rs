//! The visitor's live connection, `/v1/live`: authentication by a first `hello` frame (never a token
//! in the URL), starting the conversation, sending with client ids (a retry is acknowledged, never
//! stored twice), gap-free resume from the last number the client holds, and the history over HTTP.

use super::no_store;
use crate::chat::{
    Hub, Revoked, SessionSlot, WaitBasis, agent_view, announce_change, conversation_view, message_view, own_queue_frame,
};
use crate::error::Error;
use crate::extract::{ApiJson, Visitor};
use crate::limits::Limit;
use crate::now;
use crate::relay::Wake;
use crate::secrets::{new_public_id, token_hash};
use crate::startup::AppState;
use crate::store::{ConversationRow, Progress, StoreError};
use accueil_protocol::{AgentServerFrame, ChatHistory, ClientFrame, LiveErrorCode, MessageAuthor, ServerFrame};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// Largest frame and message a client may send; a larger one closes the connection with 1009.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;
/// What the WebSocket layer reads at most: a message between this and `MAX_FRAME_BYTES` is read whole,
/// so the close that refuses it is a clean handshake rather than a reset that may lose it.
const READ_AT_MOST_BYTES: usize = 4 * MAX_FRAME_BYTES;
/// The close code for a missing, late or unknown `hello`.
pub const CLOSE_UNAUTHORIZED: u16 = crate::chat::CLOSE_SESSION_ENDED;
/// The close code when the session already holds as many connections as it may.
pub const CLOSE_TOO_MANY: u16 = 4429;
/// A visitor's `typing` frames closer together than this are not passed on.
const TYPING_EVERY: Duration = Duration::from_secs(1);
const HELLO_WITHIN: Duration = Duration::from_secs(10);
const HEARTBEAT: Duration = Duration::from_secs(25);
const MAX_MESSAGE_CHARS: usize = 2000;
const MESSAGES_PER_SECOND: u32 = 5;
/// Messages sent per page when a client catches up.
const REPLAY_PAGE: u32 = 200;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/live", get(upgrade))
        .route("/v1/conversations/current/messages", get(history))
        .route("/v1/sites/{site}/chat/availability", get(availability))
        .route("/v1/conversations/{id}/rating", post(rate))
        .route("/v1/conversations/{id}/transcript", post(transcript))
}

async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
) -> Response {
    // Small buffers and a bounded write queue: an idle connection costs little, and a client that
    // does not read is dropped (it resumes) instead of growing the server's memory.
    ws.max_message_size(READ_AT_MOST_BYTES)
        .max_frame_size(READ_AT_MOST_BYTES)
        .read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
        .max_write_buffer_size(256 * 1024)
        .on_upgrade(move |socket| async move {
            let _counted = Hub::live_connection(&state.hub);
            if let Err(End::Fault(error)) = Connection::run(socket, state, peer.ip()).await {
                // Once per connection, with its cause, like an HTTP request's server fault.
                tracing::error!(%error, "a live connection ended on a server fault");
            }
        })
}

/// Why a connection ends early.
enum End {
    /// The client went away or broke the protocol: nothing for the operator.
    Closed,
    /// The server could not do its part (the database refused, most often); logged where the connection
    /// ends. The client was told with a `try again later` close and resumes.
    Fault(Error),
}

impl End {
    fn fault(error: impl Into<Error>) -> End {
        End::Fault(error.into())
    }
}

/// The close code that sends a client back to reconnect after a pause (RFC 6455 "try again later").
const CLOSE_TRY_AGAIN: u16 = 1013;

struct Connection {
    socket: WebSocket,
    state: AppState,
    session_id: i64,
    site: String,
    /// The client's address, for the limits per address.
    address: std::net::IpAddr,
    conversation: Option<(ConversationRow, broadcast::Receiver<ServerFrame>)>,
    /// The highest message number this client holds.
    sent_up_to: u64,
    window: (Instant, u32),
    last_typing: Option<Instant>,
    /// Counts this connection against its session's limit while it lives.
    _slot: SessionSlot,
}

fn frame_text(frame: &ServerFrame) -> Message {
    Message::Text(serde_json::to_string(frame).unwrap_or_default().into())
}

/// The close code for a protocol error the WebSocket layer reports: text that is not UTF-8 (1007),
/// a frame over the limit (1009), any other breach of the protocol (1002).
fn close_for(error: axum::Error) -> (u16, &'static str) {
    match error.into_inner().downcast::<tungstenite::Error>().map(|e| *e) {
        Ok(tungstenite::Error::Utf8(_)) => (1007, "text is not UTF-8"),
        Ok(tungstenite::Error::Capacity(_)) => (1009, "frame too large"),
        _ => (1002, "protocol error"),
    }
}

async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let _ = socket.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
}

impl Connection {
    async fn run(mut socket: WebSocket, state: AppState, address: std::net::IpAddr) -> Result<(), End> {
        let first = tokio::time::timeout(HELLO_WITHIN, socket.recv()).await;
        let hello = match first {
            Ok(Some(Ok(Message::Text(text)))) => serde_json::from_str::<ClientFrame>(&text).ok(),
            _ => None,
        };
        let Some(ClientFrame::Hello { token, after, conversation: known }) = hello else {
            close(&mut socket, CLOSE_UNAUTHORIZED, "send hello with a session token first").await;
            return Err(End::Closed);
        };
        let session = match state.store.visitor_session(&token_hash(&token)).await {
            Ok(session) => session,
            Err(error) => {
                close(&mut socket, CLOSE_TRY_AGAIN, "unavailable: try again later").await;
                return Err(End::fault(error));
            }
        };
        let Some(session) = session else {
            close(&mut socket, CLOSE_UNAUTHORIZED, "unknown or erased session").await;
            return Err(End::Closed);
        };
        crate::extract::note_use(state.store.as_ref(), &session).await;
        let Some(slot) = Hub::admit(&state.hub, session.id) else {
            close(&mut socket, CLOSE_TOO_MANY, "too many connections for this session").await;
            return Err(End::Closed);
        };
        let open = match state.store.open_conversation_of(session.id).await {
            Ok(open) => open,
            Err(error) => {
                close(&mut socket, CLOSE_TRY_AGAIN, "unavailable: try again later").await;
                return Err(End::fault(error));
            }
        };
        // `after` counts in the conversation the client names; another one is sent from its start.
        let same = known.is_none() || known.as_deref() == open.as_ref().map(|c| c.public_id.as_str());
        let mut connection = Connection {
            socket,
            state,
            session_id: session.id,
            site: session.site,
            address,
            conversation: None,
            sent_up_to: if same { after.unwrap_or(0) } else { 0 },
            window: (Instant::now(), 0),
            last_typing: None,
            _slot: slot,
        };
        let ended = connection.greet_and_serve(open).await;
        if let Err(End::Fault(_)) = &ended {
            // Said as a frame first, so the client can show why; then it reconnects after a pause and
            // sends again what was not acknowledged.
            let message = "the server cannot store this now; what was not acknowledged will be sent again";
            let _ = connection.refuse(LiveErrorCode::Unavailable, message).await;
            close(&mut connection.socket, CLOSE_TRY_AGAIN, "unavailable: try again later").await;
        }
        ended
    }

    async fn greet_and_serve(&mut self, open: Option<ConversationRow>) -> Result<(), End> {
        self.send(&ServerFrame::Welcome { conversation: open.as_ref().map(conversation_view) }).await?;
        if let Some(open) = open {
            let (id, waiting) = (open.id, open.status == accueil_protocol::ConversationStatus::Waiting);
            self.follow(open).await?;
            if waiting {
                // Its place in the queue, to this connection only: the queue itself did not move.
                if let Some(frame) = own_queue_frame(&self.state, &self.site, id).await {
                    self.send(&frame).await?;
                }
            }
        }
        self.serve().await
    }

    /// Counts one more of `limit` for this session and this address; true when either is over.
    /// (Owns what it reads: the connection itself, with its socket, stays on this task.)
    fn over_limit(&self, limit: Limit) -> impl std::future::Future<Output = bool> + Send + 'static {
        let (limits, session, address) = (self.state.limits.clone(), self.session_id, self.address);
        async move { limits.check_session(limit, session).await.is_err() || limits.check(limit, address).await.is_err() }
    }

    async fn send(&mut self, frame: &ServerFrame) -> Result<(), End> {
        self.state.metrics.frames_sent.inc();
        self.socket.send(frame_text(frame)).await.map_err(|_| End::Closed)
    }

    async fn refuse(&mut self, code: LiveErrorCode, message: impl Into<String>) -> Result<(), End> {
        self.send(&ServerFrame::Error { code, message: message.into() }).await
    }

    /// Subscribes to the conversation first, then sends what the client missed from the database: a
    /// message stored in between comes by both ways and is sent once.
    async fn follow(&mut self, conversation: ConversationRow) -> Result<(), End> {
        let receiver = self.state.hub.subscribe(conversation.id);
        let id = conversation.id;
        if self.conversation.as_ref().is_some_and(|(c, _)| c.id != id) {
            // Numbers count per conversation: a new one is sent from its first message.
            self.sent_up_to = 0;
        }
        let (delivered, read) = (conversation.agent_delivered, conversation.agent_read);
        self.conversation = Some((conversation, receiver));
        loop {
            let page = self.state.store.messages_after(id, self.sent_up_to, REPLAY_PAGE).await.map_err(End::fault)?;
            let full = page.len() == REPLAY_PAGE as usize;
            for row in page {
                self.sent_up_to = row.seq;
                self.send(&ServerFrame::Message { message: message_view(row) }).await?;
            }
            if !full {
                // Where the agents got to, when they got anywhere: the states of the visitor's messages.
                return if delivered > 0 { self.send(&ServerFrame::Receipt { delivered, read }).await } else { Ok(()) };
            }
        }
    }

    /// Sends the stored messages after the last one sent, up to `seq`.
    async fn send_stored_up_to(&mut self, seq: u64) -> Result<(), End> {
        let Some(id) = self.conversation.as_ref().map(|(c, _)| c.id) else { return Ok(()) };
        while self.sent_up_to < seq {
            let page = self.state.store.messages_after(id, self.sent_up_to, REPLAY_PAGE).await.map_err(End::fault)?;
            if page.is_empty() {
                return Ok(());
            }
            for row in page {
                self.sent_up_to = row.seq;
                self.send(&ServerFrame::Message { message: message_view(row) }).await?;
            }
        }
        Ok(())
    }

    async fn serve(&mut self) -> Result<(), End> {
        let mut heartbeat = tokio::time::interval(HEARTBEAT);
        heartbeat.tick().await;
        let mut revoked = self.state.hub.subscribe_revoked();
        // Anything from the client (a frame, the pong to our ping) says it is still there.
        let mut last_heard = Instant::now();
        loop {
            let pushed = async {
                match self.conversation.as_mut() {
                    Some((_, receiver)) => receiver.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                heard = revoked.recv() => {
                    let mine = |ended: &Revoked| *ended == Revoked::Visitor(self.session_id);
                    if let Some((code, reason)) = Revoked::close_for(heard, mine) {
                        close(&mut self.socket, code, reason).await;
                        return Err(End::Closed);
                    }
                }
                incoming = self.socket.recv() => {
                    last_heard = Instant::now();
                    match incoming {
                    Some(Ok(Message::Text(text))) if text.len() > MAX_FRAME_BYTES => {
                        close(&mut self.socket, 1009, "frame too large").await;
                        // Wait for the client's close, so the refusal reaches it.
                        let _ = tokio::time::timeout(Duration::from_secs(2), async {
                            while let Some(Ok(message)) = self.socket.recv().await {
                                if matches!(message, Message::Close(_)) {
                                    break;
                                }
                            }
                        })
                        .await;
                        return Err(End::Closed);
                    }
                    Some(Ok(Message::Text(text))) => self.handle(&text).await?,
                    Some(Ok(Message::Close(_))) | None => return Ok(()),
                    Some(Ok(_)) => {}
                    Some(Err(error)) => {
                        let (code, reason) = close_for(error);
                        close(&mut self.socket, code, reason).await;
                        return Err(End::Closed);
                    }
                    }
                }
                pushed = pushed => match pushed {
                    Ok(ServerFrame::Message { message }) if message.seq == self.sent_up_to + 1 => {
                        self.sent_up_to = message.seq;
                        self.send(&ServerFrame::Message { message }).await?;
                    }
                    // Past a gap: messages stored on another node may be pushed here after later ones
                    // stored on this node. The database has them all (a pushed message is committed):
                    // the client gets them in order, each once.
                    Ok(ServerFrame::Message { message }) if message.seq > self.sent_up_to => {
                        self.send_stored_up_to(message.seq).await?;
                    }
                    Ok(ServerFrame::Message { .. }) => {}
                    Ok(other) => self.send(&other).await?,
                    // Fell too far behind: the client reconnects and resumes from the database.
                    Err(_) => {
                        close(&mut self.socket, 1013, "too far behind: resume").await;
                        return Err(End::Closed);
                    }
                },
                _ = heartbeat.tick() => {
                    // Two pings without a pong: the peer is gone (a phone that lost the network without
                    // a word); its place in memory and in the session's count is freed.
                    if last_heard.elapsed() > HEARTBEAT * 2 + Duration::from_secs(5) {
                        return Err(End::Closed);
                    }
                    self.socket.send(Message::Ping(Vec::new().into())).await.map_err(|_| End::Closed)?;
                }
            }
        }
    }

    async fn handle(&mut self, text: &str) -> Result<(), End> {
        let frame = match crate::extract::parse_json::<ClientFrame>(text.as_bytes()) {
            Ok(frame) => frame,
            Err(Error::InvalidRequest { message, fields }) => {
                let reason = fields.first().map_or(message, |f| format!("{}: {}", f.field, f.reason));
                return self.refuse(LiveErrorCode::InvalidFrame, reason).await;
            }
            Err(other) => return self.refuse(LiveErrorCode::InvalidFrame, other.to_string()).await,
        };
        match frame {
            ClientFrame::Ping => self.send(&ServerFrame::Pong).await,
            ClientFrame::Hello { .. } => self.refuse(LiveErrorCode::InvalidFrame, "already authenticated").await,
            ClientFrame::Start { locale, context } => {
                // Only a new conversation counts (a reconnecting tab says `start` for the open one).
                let open = self.state.store.open_conversation_of(self.session_id).await.map_err(End::fault)?;
                if open.is_none() && self.over_limit(Limit::ConversationStart).await {
                    return self
                        .refuse(LiveErrorCode::RateLimited, "too many new conversations: try again later")
                        .await;
                }
                let public_id = new_public_id("cv").map_err(End::fault)?;
                let opened = self
                    .state
                    .store
                    .open_conversation(&public_id, &self.site, self.session_id, locale, &context, now())
                    .await
                    .map_err(End::fault)?;
                self.send(&ServerFrame::Conversation { conversation: conversation_view(&opened) }).await?;
                if self.conversation.as_ref().is_none_or(|(c, _)| c.id != opened.id) {
                    let view = agent_view(&self.state, opened.clone()).await.map_err(End::fault)?;
                    self.state.hub.tell_agents(&self.site, AgentServerFrame::Changed { conversation: Box::new(view) });
                    self.state.relay.wake(Wake::Started { conversation: opened.public_id.clone() });
                    let id = opened.id;
                    self.follow(opened).await?;
                    // It joins at the end: nobody else moves, so only this visitor hears its place.
                    if let Some(frame) = own_queue_frame(&self.state, &self.site, id).await {
                        self.state.hub.publish(id, frame);
                    }
                }
                Ok(())
            }
            ClientFrame::Send { client_id, body } => self.send_message(client_id, body).await,
            ClientFrame::Typing => {
                let recent = self.last_typing.is_some_and(|at| at.elapsed() < TYPING_EVERY);
                if let (false, Some((c, _))) = (recent, self.conversation.as_ref()) {
                    self.last_typing = Some(Instant::now());
                    let frame = AgentServerFrame::Typing { conversation: c.public_id.clone() };
                    self.state.hub.tell_agents(&self.site, frame);
                    self.state.relay.wake(Wake::VisitorTyping { conversation: c.public_id.clone() });
                }
                Ok(())
            }
            ClientFrame::Read { seq } => {
                let Some(public_id) = self.conversation.as_ref().map(|(c, _)| c.public_id.clone()) else {
                    return self.refuse(LiveErrorCode::NoConversation, "send `start` first").await;
                };
                let moved = self.state.store.record_progress(&public_id, Progress::VisitorRead, seq).await;
                if let Some(row) = moved.map_err(End::fault)? {
                    let read = row.visitor_read;
                    self.state.relay.wake(Wake::Receipts { conversation: public_id.clone() });
                    let frame = AgentServerFrame::Receipt { conversation: public_id, read };
                    self.state.hub.tell_agents(&self.site, frame);
                }
                Ok(())
            }
            ClientFrame::End => self.end().await,
        }
    }

    /// The visitor ends the conversation: every tab and the agents hear it; a later `start` opens a
    /// new one.
    async fn end(&mut self) -> Result<(), End> {
        let Some(public_id) = self.conversation.as_ref().map(|(c, _)| c.public_id.clone()) else {
            return self.refuse(LiveErrorCode::NoConversation, "no conversation to end").await;
        };
        let closed = self.state.store.close_conversation(&public_id, now()).await.map_err(End::fault)?;
        if let Some(row) = closed {
            announce_change(&self.state, row).await.map_err(End::fault)?;
        }
        Ok(())
    }

    async fn send_message(&mut self, client_id: String, body: String) -> Result<(), End> {
        let (start, count) = self.window;
        self.window = if start.elapsed() >= Duration::from_secs(1) { (Instant::now(), 1) } else { (start, count + 1) };
        if self.window.1 > MESSAGES_PER_SECOND {
            return self.refuse(LiveErrorCode::RateLimited, "at most 5 messages per second").await;
        }
        if self.over_limit(Limit::ChatMessage).await {
            return self.refuse(LiveErrorCode::RateLimited, "too many messages: wait a minute").await;
        }
        let Some(conversation) = self.conversation.as_ref().map(|(c, _)| c.id) else {
            return self.refuse(LiveErrorCode::NoConversation, "send `start` first").await;
        };
        let length = body.trim().chars().count();
        if length == 0 || length > MAX_MESSAGE_CHARS || client_id.is_empty() || client_id.len() > 100 {
            return self
                .refuse(LiveErrorCode::ValidationFailed, "a message is 1 to 2000 characters with a client_id")
                .await;
        }
        let stored = self
            .state
            .store
            .add_message(conversation, MessageAuthor::Visitor, None, Some(&client_id), body.trim(), now())
            .await;
        let (row, is_new) = match stored {
            Ok(stored) => stored,
            Err(StoreError::Ended) => {
                return self.refuse(LiveErrorCode::NoConversation, "this conversation has ended: `start` again").await;
            }
            Err(error) => return Err(End::fault(error)),
        };
        let seq = row.seq;
        if let (true, Some((followed, _))) = (is_new, self.conversation.as_ref()) {
            // After the commit: whoever follows the conversation gets it, this connection included.
            self.state.hub.publish_message(followed, message_view(row));
            self.state.metrics.messages_stored.inc();
            self.state.relay.wake(Wake::Message { conversation: followed.public_id.clone(), seq });
        }
        self.send(&ServerFrame::Ack { client_id, seq }).await
    }
}

async fn history(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
    let after = match query.get("after") {
        None => 0,
        Some(text) => text.parse::<u64>().map_err(|_| Error::InvalidRequest {
            message: "bad query".to_owned(),
            fields: Error::field("after", "a message number"),
        })?,
    };
    let conversation = state
        .store
        .open_conversation_of(visitor.session.id)
        .await?
        .ok_or_else(|| Error::NotFound("this session has no conversation".to_owned()))?;
    let rows = state.store.messages_after(conversation.id, after, 1000).await?;
    let body = ChatHistory {
        conversation: conversation_view(&conversation),
        messages: rows.into_iter().map(message_view).collect(),
    };
    Ok((no_store(), Json(body)).into_response())
}

async fn availability(
    State(state): State<AppState>,
    axum::extract::Path(site): axum::extract::Path<String>,
) -> Result<Response, Error> {
    let site = state.sites.get(&site).ok_or_else(|| super::sites::unknown_site(&site))?;
    let basis = WaitBasis::of(&state, &site).await?;
    let (open, agents) = (basis.open, basis.agents);
    let waiting = state.store.waiting_count(&site.public.site).await?;
    // A new conversation would come after every waiting one.
    let estimated_wait_minutes = basis.estimate(waiting.saturating_add(1));
    let long_wait = estimated_wait_minutes.is_some_and(|minutes| minutes > site.long_wait_minutes);
    let body = accueil_protocol::ChatAvailability { open, agents, waiting, estimated_wait_minutes, long_wait };
    Ok((no_store(), Json(body)).into_response())
}

/// A conversation of this visitor's session, open or ended; another session's is as unknown as one
/// that does not exist.
async fn own_conversation(state: &AppState, visitor: &Visitor, id: &str) -> Result<ConversationRow, Error> {
    state
        .store
        .conversation(id)
        .await?
        .filter(|row| row.session_id == visitor.session.id)
        .ok_or_else(|| Error::NotFound("no such conversation".to_owned()))
}

async fn rate(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<accueil_protocol::ChatRating>,
) -> Result<Response, Error> {
    let row = own_conversation(&state, &visitor, &id).await?;
    if !(1..=5).contains(&request.score) {
        return Err(Error::Validation {
            message: "the rating is not valid".to_owned(),
            fields: Error::field("score", "a whole number from 1 to 5"),
        });
    }
    if row.status != accueil_protocol::ConversationStatus::Closed {
        return Err(Error::Conflict("a conversation is rated once it has ended".to_owned()));
    }
    state.store.rate_conversation(row.id, request.score).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

async fn transcript(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    visitor: Visitor,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<accueil_protocol::TranscriptRequest>,
) -> Result<Response, Error> {
    let row = own_conversation(&state, &visitor, &id).await?;
    let email = request.email.trim();
    if let Some(reason) = crate::mail::address_problem(email) {
        return Err(Error::Validation {
            message: "this email address cannot be used".to_owned(),
            fields: Error::field("email", reason),
        });
    }
    state.limits.check(Limit::Transcript, peer.ip()).await?;
    state.limits.check_session(Limit::Transcript, visitor.session.id).await?;
    let mail = state.config.mail.as_ref().ok_or_else(|| Error::Unavailable("email is not set up here".to_owned()))?;
    let site = state.sites.get(&row.site).ok_or_else(|| super::sites::unknown_site(&row.site))?;
    let messages = state.store.messages_after(row.id, 0, 10_000).await?;
    let english = row.locale == accueil_protocol::Locale::En;
    let brand = site.public.name.clone();
    let lines = messages
        .into_iter()
        .map(|m| crate::mail::TranscriptLine {
            time: jiff::Timestamp::from_second(m.created_at)
                .map(|t| t.to_zoned_datetime(site.time_zone.clone()).strftime("%d/%m/%Y %H:%M").to_string())
                .unwrap_or_default(),
            who: match (m.author, english) {
                (MessageAuthor::Visitor, true) => "You".to_owned(),
                (MessageAuthor::Visitor, false) => "Vous".to_owned(),
                _ => brand.clone(),
            },
            body: m.body,
        })
        .collect();
    let (subject, intro) = if english {
        (format!("Your conversation with {brand}"), "Here is your conversation, as you asked.".to_owned())
    } else {
        (format!("Votre conversation avec {brand}"), "Voici votre conversation, comme vous l’avez demandé.".to_owned())
    };
    let transcript = crate::mail::Transcript { brand, subject, intro, lines };
    crate::mail::send(mail, email, &transcript).await.map_err(|error| {
        tracing::error!(%error, "a transcript could not be handed to the mail transport");
        Error::Unavailable("the email could not be sent now; try again later".to_owned())
    })?;
    Ok(axum::http::StatusCode::ACCEPTED.into_response())
}
