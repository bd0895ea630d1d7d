//! The chat channel: whether someone can answer (before the visitor types), the conversation over
//! the `/v1/live` WebSocket, messages shown as text with their sent state, and a connection that
//! resumes by itself (backoff with jitter, and at once when the phone comes back online or to the tab)
//! without losing or repeating a message.

use super::app::{View, use_widget};
use crate::api;
use crate::i18n::{Key, text};
use crate::session;
use accueil_protocol::{
    ChatAvailability, ChatMessage, ClientFrame, Conversation, ConversationStatus, Locale, MessageAuthor, ServerFrame,
};
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures::{FutureExt, SinkExt, StreamExt};
use gloo_net::websocket::Message;
use gloo_net::websocket::futures::WebSocket;
use leptos::prelude::*;

const LONGEST_BACKOFF_MS: f64 = 30_000.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    Idle,
    Connecting,
    Online,
    Offline,
}

/// The conversation as this tab knows it. Cheap to copy.
#[derive(Clone, Copy)]
struct Chat {
    messages: RwSignal<Vec<ChatMessage>>,
    /// Messages typed but not yet acknowledged: (client id, text). Sent again on every reconnect.
    pending: RwSignal<Vec<(String, String)>>,
    conversation: RwSignal<Option<Conversation>>,
    link: RwSignal<Link>,
    outgoing: StoredValue<Option<UnboundedSender<ClientFrame>>>,
    wake: StoredValue<Option<UnboundedSender<()>>>,
}

impl Chat {
    fn last_seq(self) -> u64 {
        self.messages.with_untracked(|all| all.last().map_or(0, |m| m.seq))
    }

    fn receive(self, frame: ServerFrame) {
        match frame {
            ServerFrame::Welcome { conversation } => self.conversation.set(conversation),
            ServerFrame::Conversation { conversation } => self.conversation.set(Some(conversation)),
            ServerFrame::Message { message } => {
                // Numbers say what is new: a message seen twice (resume, two ways) is kept once.
                if message.seq > self.last_seq() {
                    if let Some(id) = &message.client_id {
                        self.pending.update(|pending| pending.retain(|(pending_id, _)| pending_id != id));
                    }
                    self.messages.update(|all| all.push(message));
                }
            }
            ServerFrame::Ack { client_id, .. } => {
                self.pending.update(|pending| pending.retain(|(id, _)| *id != client_id));
            }
            ServerFrame::Error { .. } | ServerFrame::Pong | ServerFrame::Typing | ServerFrame::Receipt { .. } => {}
        }
    }

    fn queue(self, frame: ClientFrame) {
        self.outgoing.with_value(|sender| {
            if let Some(sender) = sender {
                let _ = sender.unbounded_send(frame);
            }
        });
    }

    fn nudge(self) {
        self.wake.with_value(|wake| {
            if let Some(wake) = wake {
                let _ = wake.unbounded_send(());
            }
        });
    }
}

fn live_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" { "wss" } else { "ws" };
    Some(format!("{scheme}://{}/v1/live", location.host().ok()?))
}

async fn pause_or_wake(millis: f64, wake: &mut UnboundedReceiver<()>) {
    let sleep = async {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis as i32);
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    };
    futures::select! {
        () = sleep.fuse() => {}
        _ = wake.next() => {}
    }
}

/// Keeps one connection open while the tab lives: hello (resuming after the last number held), start
/// when there is something to say, every unacknowledged message again, then frames both ways.
async fn keep_connected(
    chat: Chat,
    token: String,
    locale: Locale,
    mut outgoing: UnboundedReceiver<ClientFrame>,
    mut wake: UnboundedReceiver<()>,
    context: accueil_protocol::VisitContext,
) {
    let mut failures = 0u32;
    loop {
        chat.link.set(Link::Connecting);
        if let Some(socket) = live_url().and_then(|url| WebSocket::open(&url).ok()) {
            let (mut write, read) = socket.split();
            let mut read = read.fuse();
            let text = |frame: &ClientFrame| Message::Text(serde_json::to_string(frame).unwrap_or_default());
            let held = chat.conversation.with_untracked(|c| c.as_ref().map(|c| c.id.clone()));
            let hello = ClientFrame::Hello { token: token.clone(), after: Some(chat.last_seq()), conversation: held };
            let mut opening = vec![hello];
            let started = chat
                .conversation
                .with_untracked(|c| c.as_ref().is_some_and(|c| c.status != ConversationStatus::Closed));
            if started || chat.pending.with_untracked(|p| !p.is_empty()) {
                opening.push(ClientFrame::Start { locale, context: context.clone() });
            }
            for (client_id, body) in chat.pending.get_untracked() {
                opening.push(ClientFrame::Send { client_id, body });
            }
            let mut ok = true;
            for frame in &opening {
                ok = ok && write.send(text(frame)).await.is_ok();
            }
            while ok {
                futures::select! {
                    incoming = read.next() => match incoming {
                        Some(Ok(Message::Text(json))) => {
                            if let Ok(frame) = serde_json::from_str::<ServerFrame>(&json) {
                                if matches!(frame, ServerFrame::Welcome { .. }) {
                                    chat.link.set(Link::Online);
                                    failures = 0;
                                }
                                chat.receive(frame);
                            }
                        }
                        Some(Ok(Message::Bytes(_))) => {}
                        _ => ok = false,
                    },
                    frame = outgoing.next() => match frame {
                        Some(frame) => ok = write.send(text(&frame)).await.is_ok(),
                        None => return,
                    },
                    _ = wake.next() => {}
                }
            }
        }
        chat.link.set(Link::Offline);
        failures = failures.saturating_add(1);
        // Exponential backoff with jitter, so phones coming back together do not all retry at once.
        let ceiling = (500.0 * 2f64.powi(failures.min(10) as i32)).min(LONGEST_BACKOFF_MS);
        pause_or_wake(ceiling * (0.5 + js_sys::Math::random() / 2.0), &mut wake).await;
    }
}

#[component]
pub fn ChatView() -> impl IntoView {
    let widget = use_widget();
    let site = StoredValue::new(widget.site());
    let chat = Chat {
        messages: RwSignal::new(Vec::new()),
        pending: RwSignal::new(Vec::new()),
        conversation: RwSignal::new(None),
        link: RwSignal::new(Link::Idle),
        outgoing: StoredValue::new(None),
        wake: StoredValue::new(None),
    };
    let availability = RwSignal::new(None::<ChatAvailability>);
    leptos::task::spawn_local(async move {
        if let Ok(found) = api::chat_availability(&site.get_value()).await {
            availability.set(Some(found));
        }
    });
    let connect = move |token: String| {
        if chat.outgoing.with_value(Option::is_some) {
            return;
        }
        let (sender, receiver) = unbounded();
        let (waker, woken) = unbounded();
        chat.outgoing.set_value(Some(sender));
        chat.wake.set_value(Some(waker));
        let context = widget.visit_context();
        let locale = widget.locale.get_untracked();
        leptos::task::spawn_local(keep_connected(chat, token, locale, receiver, woken, context));
    };
    // A returning visitor sees their open conversation first.
    if let Some(token) = session::stored(&site.get_value()) {
        connect(token);
    }
    // Back online, back to the tab, or back from the page cache: resume now, not after the backoff.
    let _ = window_event_listener(leptos::ev::online, move |_| chat.nudge());
    let _ = window_event_listener(leptos::ev::pageshow, move |_| chat.nudge());
    let _ = window_event_listener(leptos::ev::visibilitychange, move |_| chat.nudge());

    // The search that led here is the first message's draft: the visitor need not type it again.
    let draft = RwSignal::new(widget.query.get_untracked().trim().to_owned());
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let body = draft.get_untracked().trim().to_owned();
        if body.is_empty() {
            return;
        }
        let client_id = session::new_key();
        chat.pending.update(|pending| pending.push((client_id.clone(), body.clone())));
        draft.set(String::new());
        let started =
            chat.conversation.with_untracked(|c| c.as_ref().is_some_and(|c| c.status != ConversationStatus::Closed));
        if chat.outgoing.with_value(Option::is_some) {
            if !started {
                chat.queue(ClientFrame::Start {
                    locale: widget.locale.get_untracked(),
                    context: widget.visit_context(),
                });
            }
            chat.queue(ClientFrame::Send { client_id, body });
        } else {
            // The first message: the session starts now, and the connection sends what is pending.
            leptos::task::spawn_local(async move {
                if let Ok(token) = session::ensure(&site.get_value(), widget.locale.get_untracked()).await {
                    connect(token);
                }
            });
        }
    };

    move || {
        let locale = widget.locale.get();
        let t = move |key| text(locale, key);
        let status = move || {
            let conversation = chat.conversation.get();
            match (chat.link.get(), conversation) {
                (Link::Offline, _) => Some(t(Key::Reconnecting).to_owned()),
                (_, Some(c)) if c.status == ConversationStatus::Closed => Some(t(Key::ConversationClosed).to_owned()),
                (_, Some(Conversation { agent: Some(agent), .. })) => Some(format!("{agent} {}", t(Key::AgentJoined))),
                (_, Some(c)) if c.status == ConversationStatus::Waiting => Some(t(Key::WaitingForAgent).to_owned()),
                _ => None,
            }
        };
        let intro = move || {
            availability.get().filter(|_| chat.messages.with(Vec::is_empty)).map(|found| match found.estimated_wait_minutes {
                Some(minutes) => view! {
                    <p class="aw-note">{t(Key::AgentAvailable)} " " {format!("{} {minutes} {}", t(Key::ExpectedWait), t(Key::Minutes))}</p>
                }
                .into_any(),
                None => view! {
                    <div class="aw-note">
                        <p>{t(Key::NobodyNow)}</p>
                        <button class="aw-button aw-button--quiet" type="button" on:click=move |_| widget.navigate(View::Callback)>
                            {t(Key::Callback)}
                        </button>
                    </div>
                }
                .into_any(),
            })
        };
        let bubble = move |author: MessageAuthor, body: String, state: Option<Key>| {
            let own = author == MessageAuthor::Visitor;
            view! {
                <li class="aw-bubble" class:aw-bubble--own=own>
                    <span class="aw-visually-hidden">{t(if own { Key::You } else { Key::TeamMember })} " : "</span>
                    <span class="aw-bubble-text">{body}</span>
                    {state.map(|key| view! { <span class="aw-bubble-state">{t(key)}</span> })}
                </li>
            }
        };
        view! {
            <section class="aw-channel aw-chat">
                {intro}
                <p class="aw-hint" role="status">{status}</p>
                <ol class="aw-messages" aria-live="polite">
                    {move || chat.messages.get().into_iter().map(|m| {
                        let state = (m.author == MessageAuthor::Visitor).then_some(Key::SentState);
                        bubble(m.author, m.body, state)
                    }).collect_view()}
                    {move || chat.pending.get().into_iter().map(|(_, body)| bubble(MessageAuthor::Visitor, body, Some(Key::SendingState))).collect_view()}
                </ol>
                <form class="aw-composer" on:submit=submit>
                    <label class="aw-label" for="aw-chat-input">{t(Key::MessageLabel)}</label>
                    <textarea
                        id="aw-chat-input"
                        class="aw-input aw-textarea"
                        rows="2"
                        maxlength="2000"
                        prop:value=draft
                        on:input=move |event| draft.set(event_target_value(&event))
                    ></textarea>
                    <button class="aw-button" type="submit">{t(Key::SendMessage)}</button>
                </form>
            </section>
        }
    }
}
