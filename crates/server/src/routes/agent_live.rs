//! The console's live connection, `/v1/agent/live`: every change in the open conversations pushed to
//! agents as it happens (new, taken, handed over, closed, messages, the visitor typing or reading),
//! and the agent's own typing and reading passed to the visitor. Authenticated by the agent's cookie at
//! the upgrade, from the console's own origin only.

use crate::chat::{AgentFrame, Revoked};
use crate::error::Error;
use crate::extract::{FrontDesk, SignedInAgent};
use crate::now;
use crate::startup::AppState;
use crate::store::Progress;
use accueil_protocol::{AgentClientFrame, AgentServerFrame, MessageAuthor, ServerFrame};
use axum::Router;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// Pings keep proxies from closing an idle console, and renew the agent's presence.
const HEARTBEAT: Duration = Duration::from_secs(25);
const MAX_FRAME_BYTES: usize = 4 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/agent/live", get(upgrade))
}

async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    FrontDesk(signed_in): FrontDesk,
    headers: HeaderMap,
) -> Result<Response, Error> {
    // WebSockets are not bound by CORS: a page of another origin must not open an agent's connection.
    crate::extract::same_origin_only(&headers, &state.config.public_url)?;
    // Present from the moment the console connects, renewed by the heartbeat.
    state.store.touch_agent(signed_in.agent.id, now()).await?;
    Ok(ws
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .max_write_buffer_size(1024 * 1024)
        .on_upgrade(move |socket| serve(socket, state, signed_in)))
}

fn text(frame: &AgentServerFrame) -> Message {
    Message::Text(serde_json::to_string(frame).unwrap_or_default().into())
}

async fn serve(mut socket: WebSocket, state: AppState, signed_in: SignedInAgent) {
    let _counted = crate::chat::Hub::live_connection(&state.hub);
    let agent = signed_in.agent.id;
    let mut pushed = state.hub.subscribe_agents();
    let mut revoked = state.hub.subscribe_revoked();
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    loop {
        tokio::select! {
            heard = revoked.recv() => {
                let mine = |ended: &Revoked| matches!(ended, Revoked::Agent(hash) if *hash == signed_in.token_hash);
                if let Some((code, reason)) = Revoked::close_for(heard, mine) {
                    let _ = socket.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
                    return;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(json))) => {
                    match serde_json::from_str::<AgentClientFrame>(&json) {
                        Ok(AgentClientFrame::Ping) => {
                            if socket.send(text(&AgentServerFrame::Pong)).await.is_err() {
                                return;
                            }
                        }
                        Ok(frame) => handle(&state, &signed_in, frame).await,
                        // The console is ours; a frame it cannot have sent is ignored.
                        Err(_) => {}
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            frame = pushed.recv() => match frame {
                // Another site's conversations are not this agent's to see.
                Ok(AgentFrame { site, .. }) if !signed_in.works_on(&site) => {}
                Ok(AgentFrame { frame, .. }) => {
                    let delivered = match &frame {
                        AgentServerFrame::Message { conversation, message } if message.author == MessageAuthor::Visitor => {
                            Some((conversation.clone(), message.seq))
                        }
                        _ => None,
                    };
                    state.metrics.frames_sent.inc();
                    if socket.send(text(&frame)).await.is_err() {
                        return;
                    }
                    // On an agent's screen now: the visitor sees it delivered (stored in batches).
                    if let Some((conversation, seq)) = delivered {
                        state.hub.mark_delivered(&conversation, seq);
                    }
                }
                // Fell behind: the console reconnects and reloads its lists.
                Err(RecvError::Lagged(_)) => {
                    let close = CloseFrame { code: 1013, reason: "too far behind: reload".into() };
                    let _ = socket.send(Message::Close(Some(close))).await;
                    return;
                }
                Err(RecvError::Closed) => return,
            },
            _ = heartbeat.tick() => {
                if let Err(error) = state.store.touch_agent(agent, now()).await {
                    tracing::warn!(%error, agent, "a console's presence was not renewed");
                }
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Moves the agents' progress and tells the visitor when it moved.
async fn receipt(state: &AppState, conversation: &str, progress: Progress, seq: u64) -> Result<(), Error> {
    if let Some(row) = state.store.record_progress(conversation, progress, seq).await? {
        let frame = ServerFrame::Receipt { delivered: row.agent_delivered, read: row.agent_read };
        state.hub.publish(row.id, frame);
        state.relay.wake(crate::relay::Wake::Receipts { conversation: row.public_id });
    }
    Ok(())
}

async fn handle(state: &AppState, signed_in: &SignedInAgent, frame: AgentClientFrame) {
    if let Err(error) = handle_frame(state, signed_in, frame).await {
        // Logged once, with its cause; the console keeps its connection and its state is stored.
        tracing::warn!(%error, agent = signed_in.agent.id, "a console frame could not be handled");
    }
}

async fn handle_frame(state: &AppState, signed_in: &SignedInAgent, frame: AgentClientFrame) -> Result<(), Error> {
    let conversation = match &frame {
        AgentClientFrame::Typing { conversation } | AgentClientFrame::Read { conversation, .. } => conversation,
        AgentClientFrame::Ping => return Ok(()),
    };
    // Only a conversation of the agent's sites; another is ignored like one that does not exist.
    let Some(row) = state.store.conversation(conversation).await?.filter(|row| signed_in.works_on(&row.site)) else {
        return Ok(());
    };
    match frame {
        // Only the agent who has the conversation types in it.
        AgentClientFrame::Typing { .. } => {
            if row.agent.as_ref().is_some_and(|(owner, _)| *owner == signed_in.agent.id) {
                state.hub.publish(row.id, ServerFrame::Typing);
                state.relay.wake(crate::relay::Wake::AgentTyping { conversation: row.public_id });
            }
            Ok(())
        }
        AgentClientFrame::Read { seq, .. } => receipt(state, &row.public_id, Progress::AgentRead, seq).await,
        AgentClientFrame::Ping => Ok(()),
    }
}
