//! The console's live connection, `/v1/agent/live`: every change in the open conversations pushed to
//! agents as it happens (new, taken, handed over, closed, messages, the visitor typing or reading),
//! and the agent's own typing and reading passed to the visitor. Authenticated by the agent's cookie at
//! the upgrade, from the console's own origin only.

use crate::error::Error;
use crate::extract::SignedInAgent;
use crate::now;
use crate::startup::AppState;
use crate::store::Progress;
use accueil_protocol::{AgentClientFrame, AgentServerFrame, MessageAuthor, ServerFrame};
use axum::Router;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};
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
    signed_in: SignedInAgent,
    headers: HeaderMap,
) -> Result<Response, Error> {
    // WebSockets are not bound by CORS: a page of another origin must not open an agent's connection,
    // so the browser's Origin has to be the host this request came to (clients that are not browsers
    // send no Origin, and have to hold the cookie anyway).
    let origin = headers.get(ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(HOST).and_then(|v| v.to_str().ok());
    if origin.is_some_and(|origin| origin.split_once("://").map(|(_, authority)| authority) != host) {
        return Err(Error::Unauthorized {
            message: "the console connects from its own origin only".to_owned(),
            fields: Error::field("origin", "not this server's origin"),
        });
    }
    let agent = signed_in.agent.id;
    // Present from the moment the console connects, renewed by the heartbeat.
    state.store.touch_agent(agent, now()).await?;
    Ok(ws
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .max_write_buffer_size(1024 * 1024)
        .on_upgrade(move |socket| serve(socket, state, agent)))
}

fn text(frame: &AgentServerFrame) -> Message {
    Message::Text(serde_json::to_string(frame).unwrap_or_default().into())
}

async fn serve(mut socket: WebSocket, state: AppState, agent: i64) {
    let mut pushed = state.hub.subscribe_agents();
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(json))) => {
                    match serde_json::from_str::<AgentClientFrame>(&json) {
                        Ok(AgentClientFrame::Ping) => {
                            if socket.send(text(&AgentServerFrame::Pong)).await.is_err() {
                                return;
                            }
                        }
                        Ok(frame) => handle(&state, agent, frame).await,
                        // The console is ours; a frame it cannot have sent is ignored.
                        Err(_) => {}
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            frame = pushed.recv() => match frame {
                Ok(frame) => {
                    let delivered = match &frame {
                        AgentServerFrame::Message { conversation, message } if message.author == MessageAuthor::Visitor => {
                            Some((conversation.clone(), message.seq))
                        }
                        _ => None,
                    };
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
                let _ = state.store.touch_agent(agent, now()).await;
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Moves the agents' progress and tells the visitor when it moved.
async fn receipt(state: &AppState, conversation: &str, progress: Progress, seq: u64) {
    if let Ok(Some(row)) = state.store.record_progress(conversation, progress, seq).await {
        let frame = ServerFrame::Receipt { delivered: row.agent_delivered, read: row.agent_read };
        state.hub.publish(row.id, frame);
    }
}

async fn handle(state: &AppState, agent: i64, frame: AgentClientFrame) {
    match frame {
        AgentClientFrame::Typing { conversation } => {
            // Only the agent who has the conversation types in it.
            if let Ok(Some(row)) = state.store.conversation(&conversation).await
                && row.agent.as_ref().is_some_and(|(owner, _)| *owner == agent)
            {
                state.hub.publish(row.id, ServerFrame::Typing);
            }
        }
        AgentClientFrame::Read { conversation, seq } => receipt(state, &conversation, Progress::AgentRead, seq).await,
        AgentClientFrame::Ping => {}
    }
}
