//! The chat channel: whether someone can answer (before the visitor types), the conversation over
//! the `/v1/live` WebSocket, messages shown as text with their state (sending, sent, delivered, read),
//! the agent typing, ending the chat with a rating and the transcript by email, and a connection that
//! resumes by itself (backoff with jitter, and at once when the phone comes back online or to the tab)
//! without losing or repeating a message.

use super::app::{View, privacy_note, use_widget};
use crate::api;
use crate::clock;
use crate::i18n::chat::ChatKey;
use crate::i18n::{Key, text};
use crate::session;
use accueil_protocol::{
    ChatAvailability, ClientFrame, Conversation, ConversationStatus, Locale, MessageAuthor, ServerFrame,
    TranscriptRequest,
};
use accueil_transcript::{
    Arrival, Delivery, Follow, Followed, Outgoing, Transcript, Written, at_bottom, initials, place,
};
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures::{FutureExt, SinkExt, StreamExt};
use gloo_net::websocket::Message;
use gloo_net::websocket::futures::WebSocket;
use leptos::prelude::*;

const LONGEST_BACKOFF_MS: f64 = 30_000.0;
/// The agent's "typing" shows this long after their last keystroke was heard.
const TYPING_SHOWN_MS: u64 = 6_000;
/// The visitor's own typing is said at most this often.
const TYPING_EVERY_MS: f64 = 3_000.0;

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
    /// The messages in order, what was typed and not yet acknowledged (sent again on every reconnect),
    /// and how far the agents got with the visitor's messages.
    transcript: RwSignal<Transcript>,
    conversation: RwSignal<Option<Conversation>>,
    /// While waiting: the place in the queue and the rough wait in minutes.
    queue: RwSignal<Option<(u32, Option<u32>)>>,
    /// Whether the host shows the panel (from the widget).
    panel_open: RwSignal<bool>,
    /// Agent messages that arrived while the chat was not on screen (the launcher's badge).
    unseen: RwSignal<u32>,
    /// When the agent's typing was last heard, to hide it again.
    agent_typing: RwSignal<Option<f64>>,
    link: RwSignal<Link>,
    /// Set when the connection skipped a message: it is dropped and a new one resumes in order.
    resync: StoredValue<bool>,
    outgoing: StoredValue<Option<UnboundedSender<ClientFrame>>>,
    wake: StoredValue<Option<UnboundedSender<()>>>,
}

impl Chat {
    fn last_seq(self) -> u64 {
        self.transcript.with_untracked(Transcript::last_seq)
    }

    fn receive(self, frame: ServerFrame) {
        match frame {
            ServerFrame::Welcome { conversation: Some(conversation) } | ServerFrame::Conversation { conversation } => {
                self.enter(conversation);
            }
            ServerFrame::Welcome { conversation: None } => {}
            ServerFrame::Message { message } => {
                let from_agent = message.author != MessageAuthor::Visitor;
                let mut arrival = Arrival::AlreadyHeld;
                self.transcript.update(|transcript| arrival = transcript.receive(message));
                match arrival {
                    Arrival::New => {
                        if from_agent {
                            self.agent_typing.set(None);
                            if !self.on_screen() {
                                self.unseen.update(|n| *n += 1);
                            }
                        }
                        self.mark_read();
                    }
                    Arrival::AlreadyHeld => {}
                    // The server sends in order from what the client holds, so this is a connection
                    // that went wrong: a new one resumes from the last message held.
                    Arrival::Gap { .. } => self.reconnect(),
                }
            }
            ServerFrame::Typing => {
                let heard = js_sys::Date::now();
                self.agent_typing.set(Some(heard));
                set_timeout(
                    move || {
                        if self.agent_typing.get_untracked() == Some(heard) {
                            self.agent_typing.set(None);
                        }
                    },
                    std::time::Duration::from_millis(TYPING_SHOWN_MS),
                );
            }
            ServerFrame::Receipt { delivered, read } => {
                self.transcript.update(|transcript| transcript.receipt(delivered, read));
            }
            ServerFrame::Queue { position, estimated_wait_minutes } => {
                self.queue.set(Some((position, estimated_wait_minutes)));
            }
            ServerFrame::Ack { client_id, .. } => {
                self.transcript.update(|transcript| transcript.acknowledge(&client_id));
            }
            ServerFrame::Error { .. } | ServerFrame::Pong => {}
        }
    }

    /// The conversation as the server says it is now; another one than held starts empty.
    fn enter(self, conversation: Conversation) {
        self.transcript.update(|transcript| {
            transcript.enter(&conversation.id);
        });
        self.conversation.set(Some(conversation));
    }

    fn is_open(self) -> bool {
        self.conversation.with_untracked(|c| c.as_ref().is_some_and(|c| c.status != ConversationStatus::Closed))
    }

    /// The chat is in front of the visitor: the panel is open and the tab is visible.
    fn on_screen(self) -> bool {
        let hidden = web_sys::window().and_then(|w| w.document()).is_none_or(|d| d.hidden());
        !hidden && self.panel_open.get_untracked()
    }

    /// Tells the agent what is on screen, when it is.
    fn mark_read(self) {
        if !self.on_screen() {
            return;
        }
        self.unseen.set(0);
        let seq = self.last_seq();
        if seq > 0 && self.is_open() {
            self.queue(ClientFrame::Read { seq });
        }
    }

    fn queue(self, frame: ClientFrame) {
        // "Typing" is true only now: one queued while offline would show the agent a visitor typing
        // right after the reconnect, when nobody is.
        if matches!(frame, ClientFrame::Typing) && self.link.get_untracked() != Link::Online {
            return;
        }
        self.outgoing.with_value(|sender| {
            if let Some(sender) = sender {
                let _ = sender.unbounded_send(frame);
            }
        });
    }

    /// Drops the connection after this frame; the next one resumes after the last message held.
    fn reconnect(self) {
        self.resync.set_value(true);
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
            let unacknowledged = chat.transcript.with_untracked(|t| t.unacknowledged().to_vec());
            if chat.is_open() || !unacknowledged.is_empty() {
                opening.push(ClientFrame::Start { locale, context: context.clone() });
            }
            for Outgoing { client_id, body } in unacknowledged {
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
                                if chat.resync.get_value() {
                                    chat.resync.set_value(false);
                                    ok = false;
                                }
                            }
                        }
                        Some(Ok(Message::Bytes(_))) => {}
                        _ => ok = false,
                    },
                    frame = outgoing.next() => match frame {
                        Some(frame) => ok = write.send(text(&frame)).await.is_ok(),
                        None => return,
                    },
                    _ = wake.next() => {
                        if chat.resync.get_value() {
                            chat.resync.set_value(false);
                            ok = false;
                        }
                    }
                }
            }
        }
        chat.link.set(Link::Offline);
        failures = failures.saturating_add(1);
        // Exponential backoff with jitter, so phones coming back together do not all retry at once.
        let delay = accueil_transcript::reconnect_delay_ms(failures, LONGEST_BACKOFF_MS, js_sys::Math::random());
        pause_or_wake(delay, &mut wake).await;
    }
}

#[component]
pub fn ChatView() -> impl IntoView {
    let widget = use_widget();
    let site = StoredValue::new(widget.site());
    let chat = Chat {
        transcript: RwSignal::new(Transcript::default()),
        conversation: RwSignal::new(None),
        queue: RwSignal::new(None),
        panel_open: widget.panel_open,
        unseen: RwSignal::new(0),
        agent_typing: RwSignal::new(None),
        link: RwSignal::new(Link::Idle),
        resync: StoredValue::new(false),
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
    // The browser knows first that the network is gone: say so at once, rather than when the socket
    // finally times out, and let the connection go; `online` brings it back.
    let _ = window_event_listener(leptos::ev::offline, move |_| {
        if chat.link.get_untracked() != Link::Idle {
            chat.link.set(Link::Offline);
            chat.reconnect();
            chat.nudge();
        }
    });
    let _ = window_event_listener(leptos::ev::pageshow, move |_| chat.nudge());
    // Opening the panel reads what came meanwhile; the launcher's badge counts it until then.
    Effect::new(move |_| {
        if widget.panel_open.get() {
            chat.mark_read();
        }
    });
    Effect::new(move |previous: Option<u32>| {
        let unseen = chat.unseen.get();
        if previous.is_some_and(|p| p != unseen) {
            widget.set_unread(unseen);
        }
        unseen
    });
    let _ = window_event_listener(leptos::ev::visibilitychange, move |_| {
        chat.nudge();
        chat.mark_read();
    });

    // The search that led here is the first message's draft: the visitor need not type it again.
    let draft = RwSignal::new(widget.query.get_untracked().trim().to_owned());
    // When typing was last said; a sent message hides it on the other side, so the next keystroke
    // says it again at once.
    let last_typing = StoredValue::new(0.0);
    // Set by the visitor's own send: the chat shows it, wherever they had scrolled.
    let follow_own = StoredValue::new(false);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let body = draft.get_untracked().trim().to_owned();
        if body.is_empty() {
            return;
        }
        let client_id = session::new_key();
        follow_own.set_value(true);
        chat.transcript.update(|transcript| transcript.send(client_id.clone(), body.clone()));
        draft.set(String::new());
        last_typing.set_value(0.0);
        if chat.outgoing.with_value(Option::is_some) {
            if !chat.is_open() {
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

    // Typing is said while the visitor types, at most every few seconds, in a started conversation.
    let on_input = move |event: leptos::ev::Event| {
        draft.set(event_target_value(&event));
        let now = js_sys::Date::now();
        if chat.is_open() && now - last_typing.get_value() > TYPING_EVERY_MS {
            last_typing.set_value(now);
            chat.queue(ClientFrame::Typing);
        }
    };
    let confirming_end = RwSignal::new(false);

    // The history scrolls between the status line and the composer, both pinned: the newest message
    // stays in view for a visitor at the end of it; one who scrolled up to read stays there, with a
    // button to the new messages.
    // Found by id rather than held in a `NodeRef`, whose code for one more element type costs the
    // chat document's size budget more than this.
    let history = || web_sys::window()?.document()?.get_element_by_id("aw-chat-history");
    let newer_below = RwSignal::new(false);
    // Whether the visitor was at the end of the history when it last moved.
    let at_end = StoredValue::new(true);
    Effect::new(move |seen: Option<Followed>| {
        let count = chat.transcript.with(|t| t.messages().len() + t.unacknowledged().len());
        chat.agent_typing.track();
        let seen = seen.unwrap_or_default();
        let Some(list) = history() else { return seen };
        let own = follow_own.get_value();
        follow_own.set_value(false);
        let (top, visible, height) = (list.scroll_top(), list.client_height(), list.scroll_height());
        let (what, now) = seen.next(f64::from(top), f64::from(visible), f64::from(height), count, own);
        match what {
            Follow::Newest => {
                list.set_scroll_top(height);
                newer_below.set(false);
                at_end.set_value(true);
            }
            Follow::NewerBelow => newer_below.set(true),
            Follow::Stay => {}
        }
        now
    });
    let on_scroll = move |_| {
        let Some(list) = history() else { return };
        let end =
            at_bottom(f64::from(list.scroll_top()), f64::from(list.client_height()), f64::from(list.scroll_height()));
        at_end.set_value(end);
        if end {
            newer_below.set(false);
        }
    };
    // The on-screen keyboard shrinks the frame (the loader fits it to the visual viewport): a visitor
    // at the end keeps the newest message above the composer, as in a messenger.
    let _ = window_event_listener(leptos::ev::resize, move |_| {
        if let Some(list) = history()
            && at_end.get_value()
        {
            list.set_scroll_top(list.scroll_height());
        }
    });
    let to_newest = move |_| {
        if let Some(list) = history() {
            list.set_scroll_top(list.scroll_height());
        }
        newer_below.set(false);
    };

    move || {
        let locale = widget.locale.get();
        let t = move |key| text(locale, key);
        let status = move || {
            let conversation = chat.conversation.get();
            match (chat.link.get(), conversation) {
                (Link::Offline, _) => Some(t(ChatKey::Reconnecting).to_owned()),
                (_, Some(c)) if c.status == ConversationStatus::Closed => {
                    Some(t(ChatKey::ConversationClosed).to_owned())
                }
                (_, Some(Conversation { agent: Some(agent), .. })) => {
                    Some(format!("{agent} {}", t(ChatKey::AgentJoined)))
                }
                (_, Some(c)) if c.status == ConversationStatus::Waiting => Some(match chat.queue.get() {
                    Some((position, Some(minutes))) => format!(
                        "{} {} {position}. {} {minutes} {}",
                        t(ChatKey::WaitingForAgent),
                        t(ChatKey::QueuePlace),
                        t(ChatKey::ExpectedWait),
                        t(ChatKey::Minutes)
                    ),
                    Some((position, None)) => {
                        format!("{} {} {position}.", t(ChatKey::WaitingForAgent), t(ChatKey::QueuePlace))
                    }
                    None => t(ChatKey::WaitingForAgent).to_owned(),
                }),
                _ => None,
            }
        };
        let offer_callback = move || {
            view! {
                <button class="aw-button aw-button--quiet" type="button" on:click=move |_| widget.navigate(View::Callback)>
                    {text(locale, Key::Callback)}
                </button>
            }
        };
        // Before the first message, whether someone can answer and how soon; while nobody can (or the
        // wait is long) and no agent has joined, the callback stays one tap away.
        // A callback is offered only by a site that has switched callbacks on.
        let callbacks_on = move || widget.config.with(|c| matches!(c, Some(Ok(config)) if config.features.callback));
        let intro = move || {
            let found = availability.get()?;
            let first = chat.transcript.with(|t| t.messages().is_empty());
            let unanswered =
                chat.conversation.with(|c| c.as_ref().is_none_or(|c| c.status == ConversationStatus::Waiting));
            let note = match found.estimated_wait_minutes {
                Some(minutes) if found.long_wait => {
                    let choice = if callbacks_on() { ChatKey::LongWaitChoice } else { ChatKey::LongWaitLeaveMessage };
                    format!("{} {minutes} {}. {}", t(ChatKey::LongWait), t(ChatKey::Minutes), t(choice))
                }
                Some(minutes) => {
                    format!(
                        "{} {} {minutes} {}",
                        t(ChatKey::AgentAvailable),
                        t(ChatKey::ExpectedWait),
                        t(ChatKey::Minutes)
                    )
                }
                None if callbacks_on() => t(ChatKey::NobodyNow).to_owned(),
                None => t(ChatKey::NobodyNowNoCallback).to_owned(),
            };
            let offer = (found.estimated_wait_minutes.is_none() || found.long_wait) && unanswered && callbacks_on();
            (first || offer).then(|| {
                view! {
                    <div class="aw-note">
                        {first.then(|| view! { <p>{note}</p> })}
                        {offer.then(offer_callback)}
                    </div>
                }
            })
        };
        let typing = move || {
            chat.agent_typing.get().map(|_| {
                let who = chat
                    .conversation
                    .with(|c| c.as_ref().and_then(|c| c.agent.clone()))
                    .unwrap_or_else(|| t(ChatKey::TeamMember).to_owned());
                view! { <p class="aw-typing">{format!("{who} {}", t(ChatKey::IsTyping))}</p> }
            })
        };
        let current_status = move || chat.conversation.with(|c| c.as_ref().map(|c| c.status));
        let is_open = move || current_status().is_some_and(|s| s != ConversationStatus::Closed);
        let is_closed = move || current_status() == Some(ConversationStatus::Closed);
        let end_controls = move || {
            is_open().then(|| if confirming_end.get() {
                view! {
                    <div class="aw-confirm" role="group" aria-label=t(ChatKey::EndChat)>
                        <p>{t(ChatKey::EndChatConfirm)}</p>
                        <button class="aw-button" type="button" on:click=move |_| {
                            confirming_end.set(false);
                            chat.queue(ClientFrame::End);
                        }>{t(ChatKey::ConfirmEnd)}</button>
                        <button class="aw-button aw-button--quiet" type="button" on:click=move |_| confirming_end.set(false)>{t(ChatKey::KeepChatting)}</button>
                    </div>
                }.into_any()
            } else {
                view! {
                    <button class="aw-button aw-button--quiet aw-end" type="button" on:click=move |_| confirming_end.set(true)>{t(ChatKey::EndChat)}</button>
                }.into_any()
            })
        };
        view! {
            <section class="aw-channel aw-chat">
                <p class="aw-hint aw-chat-status" role="status">{status}</p>
                <div class="aw-chat-history" id="aw-chat-history" role="region" aria-label=t(ChatKey::Conversation) on:scroll=on_scroll>
                    <div class="aw-chat-note">{privacy_note(widget)}</div>
                    {intro}
                    <ol class="aw-messages" aria-live="polite">{move || messages(chat, locale)}</ol>
                    {move || newer_below.get().then(|| view! {
                        <button class="aw-button aw-newer" type="button" on:click=to_newest>{t(ChatKey::NewerMessages)}</button>
                    })}
                    <div role="status" class="aw-typing-zone">{typing}</div>
                    {move || is_closed().then(|| view! { <AfterChat chat=chat /> })}
                    {end_controls}
                </div>
                <form class="aw-composer aw-chat-composer" on:submit=submit>
                    <label class="aw-label" for="aw-chat-input">{move || t(if is_closed() { ChatKey::NewConversation } else { ChatKey::MessageLabel })}</label>
                    <div class="aw-chat-compose">
                        <textarea
                            id="aw-chat-input"
                            class="aw-input aw-textarea"
                            rows="1"
                            maxlength="2000"
                            prop:value=draft
                            on:input=on_input
                        ></textarea>
                        <button class="aw-button" type="submit">{t(ChatKey::SendMessage)}</button>
                    </div>
                </form>
            </section>
        }
    }
}

/// One message as the history shows it.
struct Shown {
    /// The agent's name for an agent's message (empty when unknown); none for the visitor's own.
    agent: Option<String>,
    body: String,
    sent_at: Option<String>,
    state: Option<ChatKey>,
}

/// The history as a messenger shows it: a separator for each day, runs by one author with the agent's
/// face and name at the top of theirs, and each message with its time (and, for the visitor's own,
/// how far it got).
fn messages(chat: Chat, locale: Locale) -> impl IntoView {
    let t = move |key| text(locale, key);
    let shown: Vec<Shown> = chat.transcript.with(|transcript| {
        let held = transcript.messages().iter().map(|m| Shown {
            agent: (m.author != MessageAuthor::Visitor).then(|| m.agent.clone().unwrap_or_default()),
            body: m.body.clone(),
            sent_at: Some(m.sent_at.clone()),
            state: transcript.delivery(m, MessageAuthor::Visitor).map(|delivery| match delivery {
                Delivery::Read => ChatKey::ReadState,
                Delivery::Delivered => ChatKey::DeliveredState,
                Delivery::Sent | Delivery::Sending => ChatKey::SentState,
            }),
        });
        let sending = transcript.unacknowledged().iter().map(|outgoing| Shown {
            agent: None,
            body: outgoing.body.clone(),
            sent_at: None,
            state: Some(ChatKey::SendingState),
        });
        held.chain(sending).collect()
    });
    let written: Vec<Written<Option<&str>>> = shown
        .iter()
        .map(|m| {
            let (day, minute) = clock::day_and_minute(m.sent_at.as_deref());
            Written { author: m.agent.as_deref(), day, minute }
        })
        .collect();
    let (today, yesterday) = (clock::day_and_minute(None).0, clock::yesterday());
    let placed = place(&written);
    shown
        .iter()
        .zip(placed)
        .zip(&written)
        .map(|((message, placement), at)| {
            let day = placement.starts_day.then(|| match at.day {
                d if d == today => t(ChatKey::Today).to_owned(),
                d if d == yesterday => t(ChatKey::Yesterday).to_owned(),
                _ => message.sent_at.as_deref().map(|sent| clock::day(sent, locale)).unwrap_or_default(),
            });
            let name =
                message.agent.as_deref().map(|name| if name.is_empty() { t(ChatKey::TeamMember) } else { name });
            // The agent's face and name head their run; every other message says who wrote it to
            // screen readers only.
            let head = name.filter(|_| placement.starts_run);
            let said_by = if head.is_some() { String::new() } else { format!("{} : ", name.unwrap_or(t(ChatKey::You))) };
            let time = message.sent_at.as_deref().map(|sent| clock::time(sent, locale)).unwrap_or_default();
            let meta = match message.state {
                Some(state) if time.is_empty() => t(state).to_owned(),
                Some(state) => format!("{time} · {}", t(state)),
                None => time,
            };
            view! {
                {day.map(|day| view! { <li class="aw-day">{day}</li> })}
                <li class="aw-message" class:aw-message--own=message.agent.is_none() class:aw-message--run=placement.starts_run>
                    {head.map(|name| view! {
                        <p class="aw-author"><span class="aw-avatar" aria-hidden="true">{initials(name)}</span><span>{name.to_owned()}</span></p>
                    })}
                    <span class="aw-visually-hidden">{said_by}</span>
                    <div class="aw-bubble">
                        <span class="aw-bubble-text">{message.body.clone()}</span>
                        <span class="aw-bubble-meta">{meta}</span>
                    </div>
                </li>
            }
        })
        .collect::<Vec<_>>()
}

/// After the chat: a 1-to-5 rating and the transcript by email (the address serves that and nothing else).
#[component]
fn AfterChat(chat: Chat) -> impl IntoView {
    let widget = use_widget();
    let site = widget.site();
    let conversation = chat.conversation.with_untracked(|c| c.as_ref().map(|c| c.id.clone())).unwrap_or_default();
    let token = StoredValue::new(session::stored(&site).unwrap_or_default());
    let conversation = StoredValue::new(conversation);
    let rated = RwSignal::new(None::<u8>);
    let email = RwSignal::new(String::new());
    let mail_state = RwSignal::new(None::<Result<(), ChatKey>>);
    let rate = move |score: u8| {
        rated.set(Some(score));
        leptos::task::spawn_local(async move {
            let _ = api::rate_chat(&token.get_value(), &conversation.get_value(), score).await;
        });
    };
    let send = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let address = email.get_untracked().trim().to_owned();
        leptos::task::spawn_local(async move {
            let request = TranscriptRequest { email: address };
            let outcome = match api::transcript(&token.get_value(), &conversation.get_value(), &request).await {
                Ok(()) => Ok(()),
                Err(api::ApiFailure::Refused { status: 422, .. }) => Err(ChatKey::EmailProblem),
                Err(_) => Err(ChatKey::TranscriptUnavailable),
            };
            mail_state.set(Some(outcome));
        });
    };
    move || {
        let t = move |key| widget.t(key);
        let problem = move || mail_state.get().and_then(Result::err);
        view! {
            <div class="aw-after">
                {move || match rated.get() {
                    Some(_) => view! { <p role="status">{t(ChatKey::RateThanks)}</p> }.into_any(),
                    None => view! {
                        <div class="aw-rating" role="group" aria-label=t(ChatKey::RateChat)>
                            <p>{t(ChatKey::RateChat)}</p>
                            {(1..=5u8).map(|score| view! {
                                <button class="aw-button aw-button--quiet" type="button" aria-label=format!("{score} {}", t(ChatKey::OutOfFive)) on:click=move |_| rate(score)>
                                    {score.to_string()}
                                </button>
                            }).collect_view()}
                        </div>
                    }.into_any(),
                }}
                {move || match mail_state.get() {
                    Some(Ok(())) => view! { <p role="status">{t(ChatKey::TranscriptSent)}</p> }.into_any(),
                    _ => view! {
                        <form class="aw-composer" on:submit=send novalidate>
                            <label class="aw-label" for="aw-transcript">{t(ChatKey::TranscriptLabel)}</label>
                            <p class="aw-hint" id="aw-transcript-hint">{t(ChatKey::TranscriptHint)}</p>
                            <input
                                id="aw-transcript"
                                class="aw-input"
                                type="email"
                                autocomplete="email"
                                inputmode="email"
                                aria-describedby="aw-transcript-hint aw-transcript-msg"
                                aria-invalid=move || problem().is_some().to_string()
                                prop:value=email
                                on:input=move |e| email.set(event_target_value(&e))
                            />
                            <p class="aw-field-error" id="aw-transcript-msg" role="alert">{move || problem().map(t)}</p>
                            <button class="aw-button aw-button--quiet" type="submit">{t(ChatKey::TranscriptSend)}</button>
                        </form>
                    }.into_any(),
                }}
            </div>
        }
    }
}
