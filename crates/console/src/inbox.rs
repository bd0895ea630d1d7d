//! The inbox: open conversations (waiting, mine, all) with the visitor's context beside each, taking
//! one (one agent wins), replying with canned replies at hand, handing over and ending it. Everything
//! arrives live over the console's connection: new messages, the visitor typing, what they have read.

use crate::api::{self, ApiFailure};
use crate::i18n::Key;
use crate::live::use_live;
use crate::local;
use crate::use_console;
use accueil_protocol::{
    AgentClientFrame, AgentConversation, AgentServerFrame, CannedReply, ChatMessage, ConversationStatus, MessageAuthor,
    NewCannedReply, TeamMember,
};
use accueil_transcript::{Arrival, Delivery, Follow, Followed, Transcript, Written, at_bottom, initials, place};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The visitor's "typing" shows this long after it was last heard.
const TYPING_SHOWN_MS: f64 = 6_000.0;
/// The agent's own typing is said at most this often.
const TYPING_EVERY_MS: f64 = 3_000.0;

#[component]
pub fn Inbox(site: String) -> impl IntoView {
    let console = use_console();
    let live = use_live();
    let site = StoredValue::new(site);
    let filter = RwSignal::new("waiting");
    let list = RwSignal::new(None::<Result<Vec<AgentConversation>, ApiFailure>>);
    let open = RwSignal::new(None::<AgentConversation>);
    let canned = RwSignal::new(Vec::<CannedReply>::new());
    let load = move || {
        let which = filter.get_untracked();
        leptos::task::spawn_local(async move {
            let found = api::conversations(&site.get_value(), which).await.map(|l| l.conversations);
            list.set(Some(found));
        });
    };
    let load_canned = move || {
        leptos::task::spawn_local(async move {
            if let Ok(found) = api::canned_replies(&site.get_value()).await {
                canned.set(found.replies);
            }
        });
    };
    load_canned();
    Effect::new(move |_| {
        // On start, on another filter, and on every (re)connection: what happened meanwhile is read again.
        let _ = (filter.get(), live.connected.get());
        load();
    });
    live.listen(move |frame| match frame {
        AgentServerFrame::Changed { .. } => load(),
        AgentServerFrame::Message { conversation, message } => {
            let mut known = false;
            list.update(|list| {
                if let Some(Ok(all)) = list {
                    known = show_last_message(all, conversation, message);
                }
            });
            if !known {
                load();
            }
        }
        _ => {}
    });
    // The next waiting conversation, one key away (N, outside a text field) or one click.
    let nothing_waiting = RwSignal::new(false);
    let next_waiting = move || {
        let current = open.with_untracked(|c| c.as_ref().map(|c| c.id.clone()));
        leptos::task::spawn_local(async move {
            let Ok(found) = api::conversations(&site.get_value(), "waiting").await else { return };
            let next = found.conversations.into_iter().find(|c| Some(&c.id) != current.as_ref());
            nothing_waiting.set(next.is_none());
            if next.is_some() {
                open.set(next);
            }
        });
    };
    let _ = window_event_listener(leptos::ev::keydown, move |event| {
        let typing = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if !typing
            && !event.ctrl_key()
            && !event.meta_key()
            && !event.alt_key()
            && event.key().eq_ignore_ascii_case("n")
        {
            event.prevent_default();
            next_waiting();
        }
    });
    let tab = move |which: &'static str, key: Key| {
        view! {
            <button type="button" class="ac-locale" aria-pressed=move || (filter.get() == which).to_string() on:click=move |_| filter.set(which)>
                {console.t(key)}
            </button>
        }
    };
    view! {
        <h1>{console.t(Key::Inbox)}</h1>
        <div class="ac-locales" role="group" aria-label=console.t(Key::Inbox)>
            {tab("waiting", Key::Waiting)}
            {tab("mine", Key::Mine)}
            {tab("all", Key::All)}
            <button type="button" class="ac-secondary-dark" aria-keyshortcuts="N" on:click=move |_| next_waiting()>
                {console.t(Key::NextWaiting)}
            </button>
        </div>
        <p class="ac-hint" role="status">{move || nothing_waiting.get().then(|| console.t(Key::NoneWaiting))}</p>
        <div class="ac-inbox">
            <div>
                {move || match list.get() {
                    None => view! { <p role="status">{console.t(Key::Loading)}</p> }.into_any(),
                    Some(Err(_)) => view! { <p class="ac-alert" role="alert">{console.t(Key::Unreachable)}</p> }.into_any(),
                    Some(Ok(all)) if all.is_empty() => view! { <p class="ac-empty">{console.t(Key::EmptyInbox)}</p> }.into_any(),
                    Some(Ok(all)) => view! {
                        <ul class="ac-callbacks">
                            {all.into_iter().map(|c| {
                                let preview = c.last_message.as_ref().map(|m| m.body.clone()).unwrap_or_default();
                                let searches = c.context.searches.join(" · ");
                                view! {
                                    <li class="ac-callback">
                                        <button type="button" class="ac-link" on:click=move |_| open.set(Some(c.clone()))>{preview}</button>
                                        <p class="ac-hint">{searches}</p>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
            </div>
            {move || open.get().map(|c| view! { <ConversationPane initial=c canned=canned /> })}
        </div>
        <CannedRepliesEditor site=site.get_value() canned=canned reload=load_canned />
    }
}

/// Shows `message` as the preview of its conversation in the list; false when the list does not hold
/// that conversation (a new one, or one another filter shows): the list is then read again.
fn show_last_message(list: &mut [AgentConversation], conversation: &str, message: &ChatMessage) -> bool {
    let Some(found) = list.iter_mut().find(|c| c.id == conversation) else { return false };
    // A late frame never replaces a newer preview.
    if found.last_message.as_ref().is_none_or(|shown| shown.seq < message.seq) {
        found.last_message = Some(message.clone());
        found.last_seq = found.last_seq.max(message.seq);
    }
    true
}

#[component]
fn ConversationPane(initial: AgentConversation, canned: RwSignal<Vec<CannedReply>>) -> impl IntoView {
    let console = use_console();
    let live = use_live();
    let me = console.me();
    let id = StoredValue::new(initial.id.clone());
    let transcript = RwSignal::new(Transcript::default());
    let details = RwSignal::new(initial);
    let draft = RwSignal::new(String::new());
    // Which canned reply "/" has chosen, and whether Escape put the list away until the next keystroke.
    let slash = RwSignal::new(0usize);
    let slash_dismissed = RwSignal::new(false);
    let problem = RwSignal::new(None::<Key>);
    let visitor_typing = RwSignal::new(None::<f64>);
    let team = RwSignal::new(Vec::<TeamMember>::new());
    // The newest message stays in view for an agent at the end of the list; one who scrolled up to
    // read stays there, with a button to the new messages.
    let messages = NodeRef::<leptos::html::Ol>::new();
    let newer_below = RwSignal::new(false);
    let follow_own = StoredValue::new(false);
    Effect::new(move |seen: Option<Followed>| {
        let count = transcript.with(|t| t.messages().len());
        let seen = seen.unwrap_or_default();
        let Some(list) = messages.get() else { return seen };
        let own = follow_own.get_value();
        follow_own.set_value(false);
        let (top, visible, height) = (list.scroll_top(), list.client_height(), list.scroll_height());
        let (what, now) = seen.next(f64::from(top), f64::from(visible), f64::from(height), count, own);
        match what {
            Follow::Newest => {
                list.set_scroll_top(height);
                newer_below.set(false);
            }
            Follow::NewerBelow => newer_below.set(true),
            Follow::Stay => {}
        }
        now
    });
    let on_scroll = move |_| {
        if let Some(list) = messages.get_untracked()
            && at_bottom(f64::from(list.scroll_top()), f64::from(list.client_height()), f64::from(list.scroll_height()))
        {
            newer_below.set(false);
        }
    };
    let to_newest = move |_| {
        if let Some(list) = messages.get_untracked() {
            list.set_scroll_top(list.scroll_height());
        }
        newer_below.set(false);
    };
    let mark_read = move || {
        let hidden = web_sys::window().and_then(|w| w.document()).is_none_or(|d| d.hidden());
        let last = transcript.with_untracked(Transcript::last_seq);
        if !hidden && last > 0 {
            live.tell(AgentClientFrame::Read { conversation: id.get_value(), seq: last });
        }
    };
    let catch_up = move || {
        leptos::task::spawn_local(async move {
            let after = transcript.with_untracked(Transcript::last_seq);
            if let Ok(history) = api::conversation_messages(&id.get_value(), after).await {
                // What the visitor had read when the list was loaded counts too (receipts only move forward).
                let read = details.with_untracked(|d| d.visitor_read);
                transcript.update(|transcript| {
                    transcript.catch_up(history.messages);
                    transcript.receipt(read, read);
                });
                mark_read();
            }
        });
    };
    Effect::new(move |_| {
        let _ = live.connected.get();
        catch_up();
    });
    live.listen(move |frame| match frame {
        AgentServerFrame::Message { conversation, message } if *conversation == id.get_value() => {
            let mut arrival = Arrival::AlreadyHeld;
            transcript.update(|transcript| arrival = transcript.receive(message.clone()));
            match arrival {
                Arrival::New => {
                    if message.author == MessageAuthor::Visitor {
                        visitor_typing.set(None);
                    }
                    mark_read();
                }
                Arrival::AlreadyHeld => {}
                // Read what is missing in order rather than show it out of order.
                Arrival::Gap { .. } => catch_up(),
            }
        }
        AgentServerFrame::Changed { conversation } if conversation.id == id.get_value() => {
            details.set((**conversation).clone());
        }
        AgentServerFrame::Typing { conversation } if *conversation == id.get_value() => {
            let heard = js_sys::Date::now();
            visitor_typing.set(Some(heard));
            set_timeout(
                move || {
                    if visitor_typing.get_untracked() == Some(heard) {
                        visitor_typing.set(None);
                    }
                },
                std::time::Duration::from_millis(TYPING_SHOWN_MS as u64),
            );
        }
        AgentServerFrame::Receipt { conversation, read } if *conversation == id.get_value() => {
            transcript.update(|transcript| transcript.receipt(*read, *read));
        }
        _ => {}
    });
    leptos::task::spawn_local(async move {
        if let Ok(found) = api::team().await {
            team.set(found.agents.into_iter().filter(|a| a.id != me).collect());
        }
    });
    let fail = move |failure: ApiFailure| {
        problem.set(Some(match failure {
            ApiFailure::Refused { status: 409, .. } => Key::TakenByOther,
            _ => Key::Unreachable,
        }));
    };
    let take = move |_| {
        leptos::task::spawn_local(async move {
            match api::claim_conversation(&id.get_value()).await {
                Ok(found) => details.set(found),
                Err(failure) => fail(failure),
            }
        });
    };
    let last_typing = StoredValue::new(0.0);
    let on_input = move |event: leptos::ev::Event| {
        draft.set(event_target_value(&event));
        slash_dismissed.set(false);
        let now = js_sys::Date::now();
        if now - last_typing.get_value() > TYPING_EVERY_MS {
            last_typing.set_value(now);
            live.tell(AgentClientFrame::Typing { conversation: id.get_value() });
        }
    };
    let send_now = move || {
        let body = draft.get_untracked();
        if body.trim().is_empty() {
            return;
        }
        let client_id = format!("{}-{}", js_sys::Date::now(), js_sys::Math::random());
        follow_own.set_value(true);
        leptos::task::spawn_local(async move {
            match api::reply(&id.get_value(), client_id, body).await {
                Ok(_) => {
                    draft.set(String::new());
                    problem.set(None);
                    // The message hid "typing" on the visitor's side: the next keystroke says it again.
                    last_typing.set_value(0.0);
                }
                Err(failure) => fail(failure),
            }
        });
    };
    let send = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        send_now();
    };
    // Typing "/" offers the canned replies whose title or text holds what follows it.
    let offered = move || {
        if slash_dismissed.get() {
            return None;
        }
        let wanted = draft.with(|d| d.strip_prefix('/').filter(|rest| !rest.contains('\n')).map(str::to_lowercase))?;
        let found: Vec<CannedReply> = canned.with(|all| {
            all.iter()
                .filter(|r| r.title.to_lowercase().contains(&wanted) || r.body.to_lowercase().contains(&wanted))
                .cloned()
                .collect()
        });
        (!found.is_empty()).then_some(found)
    };
    let use_canned = move |reply: &CannedReply| {
        draft.set(reply.body.clone());
        slash.set(0);
    };
    let on_keydown = move |event: leptos::ev::KeyboardEvent| {
        if event.is_composing() {
            return;
        }
        let offers = offered();
        match (event.key().as_str(), offers) {
            ("ArrowDown", Some(list)) => {
                event.prevent_default();
                slash.update(|i| *i = (*i + 1) % list.len());
            }
            ("ArrowUp", Some(list)) => {
                event.prevent_default();
                slash.update(|i| *i = (*i + list.len() - 1) % list.len());
            }
            ("Escape", Some(_)) => {
                event.prevent_default();
                slash_dismissed.set(true);
            }
            ("Enter", Some(list)) if !event.shift_key() => {
                event.prevent_default();
                use_canned(&list[slash.get_untracked().min(list.len() - 1)]);
            }
            ("Enter", None) if !event.shift_key() => {
                event.prevent_default();
                send_now();
            }
            _ => {}
        }
    };
    let end = move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(found) = api::close_conversation(&id.get_value()).await {
                details.set(found);
            }
        });
    };
    let hand_to = RwSignal::new(String::new());
    let transfer = move |_| {
        let Ok(agent) = hand_to.get_untracked().parse::<i64>() else { return };
        leptos::task::spawn_local(async move {
            match api::transfer(&id.get_value(), agent).await {
                Ok(found) => details.set(found),
                Err(failure) => fail(failure),
            }
        });
    };
    let insert_canned = move |event: leptos::ev::Event| {
        let chosen = event_target_value(&event);
        if let Some(reply) = canned.with_untracked(|all| all.iter().find(|r| r.id.to_string() == chosen).cloned()) {
            draft.update(|d| {
                if !d.is_empty() && !d.ends_with(char::is_whitespace) {
                    d.push(' ');
                }
                d.push_str(&reply.body);
            });
        }
    };
    let pane_id = id.get_value();
    let reply_id = format!("ac-reply-{pane_id}");
    let canned_id = format!("ac-canned-{pane_id}");
    let transfer_id = format!("ac-transfer-{pane_id}");
    // What the visitor searched and read before asking, beside the conversation.
    let context = move || {
        let d = details.get();
        let customer = d.customer.as_ref().map(|c| crate::i18n::customer_text(console.locale, c));
        let items = [
            (Key::Customer, customer.unwrap_or_default()),
            (Key::Page, d.context.page.clone().unwrap_or_default()),
            (Key::Searches, d.context.searches.join(" · ")),
            (Key::ArticlesRead, d.context.articles.join(" · ")),
        ];
        view! {
            <dl class="ac-context">
                {items.into_iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| view! { <dt>{console.t(k)}</dt> <dd>{v}</dd> }).collect_view()}
            </dl>
        }
    };
    let listbox_id = format!("ac-slash-{pane_id}");
    let listbox_id_value = StoredValue::new(listbox_id.clone());
    let hint_id = format!("ac-compose-hint-{pane_id}");
    view! {
        <section class="ac-conversation" aria-label=console.t(Key::Conversation)>
        <div class="ac-thread">
            <ol class="ac-messages" node_ref=messages on:scroll=on_scroll>
                {move || transcript.with(|transcript| thread(console, transcript))}
            </ol>
            {move || newer_below.get().then(|| view! {
                <button type="button" class="ac-newer" on:click=to_newest>{console.t(Key::NewerMessages)}</button>
            })}
            <p class="ac-hint" role="status">{move || visitor_typing.get().map(|_| console.t(Key::VisitorTyping))}</p>
            <p class="ac-alert" role="alert" hidden=move || problem.get().is_none()>{move || problem.get().map(|k| console.t(k))}</p>
            {move || {
                let d = details.get();
                let mine = d.status == ConversationStatus::Assigned && d.agent.as_ref().is_some_and(|a| a.id == me);
                match d.status {
                    ConversationStatus::Closed => view! { <p class="ac-hint">{console.t(Key::ConversationEnded)}</p> }.into_any(),
                    _ if mine => view! {
                        <form on:submit=send>
                            <label for=canned_id.clone()>{console.t(Key::CannedReplies)}</label>
                            <select id=canned_id.clone() on:change=insert_canned prop:value="">
                                <option value="">{console.t(Key::ChooseCanned)}</option>
                                {move || canned.get().into_iter().map(|r| view! { <option value=r.id.to_string()>{r.title}</option> }).collect_view()}
                            </select>
                            <label for=reply_id.clone()>{console.t(Key::Reply)}</label>
                            <p class="ac-hint" id=hint_id.clone()>{console.t(Key::ComposeHint)}</p>
                            <textarea
                                id=reply_id.clone()
                                rows="3"
                                maxlength="2000"
                                aria-describedby=hint_id.clone()
                                aria-autocomplete="list"
                                aria-controls=move || offered().map(|_| listbox_id_value.get_value())
                                aria-activedescendant=move || offered().map(|_| format!("{}-{}", listbox_id_value.get_value(), slash.get()))
                                prop:value=draft
                                on:input=on_input
                                on:keydown=on_keydown
                            ></textarea>
                            {move || offered().map(|list| {
                                let chosen = slash.get().min(list.len() - 1);
                                view! {
                                    <ul class="ac-slash" role="listbox" id=listbox_id_value.get_value() aria-label=console.t(Key::CannedReplies)>
                                        {list.into_iter().enumerate().map(|(i, reply)| {
                                            let id = format!("{}-{i}", listbox_id_value.get_value());
                                            let title = reply.title.clone();
                                            view! {
                                                <li role="option" id=id aria-selected=(i == chosen).to_string() on:mousedown=move |e| {
                                                    e.prevent_default();
                                                    use_canned(&reply);
                                                }>
                                                    <strong>{title}</strong>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }
                            })}
                            <div class="ac-actions">
                                <button type="submit" class="ac-primary">{console.t(Key::Send)}</button>
                                <button type="button" class="ac-secondary-dark" on:click=end>{console.t(Key::CloseConversation)}</button>
                            </div>
                        </form>
                        <div class="ac-actions">
                            <label for=transfer_id.clone()>{console.t(Key::HandTo)}</label>
                            <select id=transfer_id.clone() on:change=move |e| hand_to.set(event_target_value(&e))>
                                <option value="">{console.t(Key::ChooseAgent)}</option>
                                {move || team.get().into_iter().map(|a| {
                                    let state = if a.connected && a.presence == accueil_protocol::Presence::Online { Key::Online } else { Key::Away };
                                    view! { <option value=a.id.to_string()>{format!("{} ({})", a.name, console.t(state))}</option> }
                                }).collect_view()}
                            </select>
                            <button type="button" class="ac-secondary-dark" on:click=transfer>{console.t(Key::Transfer)}</button>
                        </div>
                    }.into_any(),
                    ConversationStatus::Waiting => view! {
                        <button type="button" class="ac-primary" on:click=take>{console.t(Key::TakeConversation)}</button>
                    }.into_any(),
                    _ => {
                        let name = d.agent.map(|a| a.name).unwrap_or_default();
                        view! { <p class="ac-hint">{format!("{} {name}", console.t(Key::HandledBy))}</p> }.into_any()
                    }
                }
            }}
        </div>
        <aside class="ac-side" aria-label=console.t(Key::AboutVisitor)>
            <h2>{console.t(Key::AboutVisitor)}</h2>
            {context}
        </aside>
        </section>
    }
}

/// The conversation as a messenger shows it: a separator for each day ("Today", "Yesterday", or the
/// date), runs by one author headed by their face and name, each message with its time and, for the
/// agents' own, whether the visitor read it.
fn thread(console: crate::Console, transcript: &Transcript) -> Vec<AnyView> {
    let locale = console.locale;
    let day_of = |rfc3339: &str| local(rfc3339, locale, r#"{"year":"numeric","month":"2-digit","day":"2-digit"}"#);
    let now = js_sys::Date::new_0().to_iso_string().as_string().unwrap_or_default();
    let yesterday = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(js_sys::Date::now() - 86_400_000.0))
        .to_iso_string()
        .as_string()
        .unwrap_or_default();
    let (today, yesterday) = (day_of(&now), day_of(&yesterday));
    let messages = transcript.messages();
    let days: Vec<String> = messages.iter().map(|m| day_of(&m.sent_at)).collect();
    // Days numbered by when they change, which is all `place` needs.
    let mut day_number = 0;
    let written: Vec<Written<Option<&str>>> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            if i > 0 && days[i] != days[i - 1] {
                day_number += 1;
            }
            let minute = (js_sys::Date::new(&wasm_bindgen::JsValue::from_str(&m.sent_at)).get_time() / 60_000.0) as i64;
            let author = (m.author != MessageAuthor::Visitor).then(|| m.agent.as_deref().unwrap_or_default());
            Written { author, day: day_number, minute }
        })
        .collect();
    let mut shown = Vec::with_capacity(messages.len() + 1);
    for ((m, placement), (day, at)) in messages.iter().zip(place(&written)).zip(days.iter().zip(&written)) {
        if placement.starts_day {
            let label = if *day == today {
                console.t(Key::Today).to_owned()
            } else if *day == yesterday {
                console.t(Key::Yesterday).to_owned()
            } else {
                local(&m.sent_at, locale, r#"{"weekday":"long","day":"numeric","month":"long"}"#)
            };
            shown.push(view! { <li class="ac-day">{label}</li> }.into_any());
        }
        let name = match at.author {
            None => console.t(Key::VisitorSaid).to_owned(),
            Some("") => console.t(Key::AgentSaid).to_owned(),
            Some(agent) => agent.to_owned(),
        };
        let time = local(&m.sent_at, locale, r#"{"hour":"2-digit","minute":"2-digit"}"#);
        let read = transcript.delivery(m, MessageAuthor::Agent) == Some(Delivery::Read);
        let meta = if read { format!("{time} · {}", console.t(Key::SeenByVisitor)) } else { time };
        let head = placement.starts_run.then(|| {
            view! { <p class="ac-author"><span class="ac-avatar" aria-hidden="true">{initials(&name)}</span><span>{name.clone()}</span></p> }
        });
        let said_by =
            (!placement.starts_run).then(|| view! { <span class="ac-visually-hidden">{format!("{name} : ")}</span> });
        shown.push(
            view! {
                <li class="ac-message" class:ac-message--agent=at.author.is_some() class:ac-message--run=placement.starts_run>
                    {head}
                    <div class="ac-bubble">
                        {said_by}
                        <span class="ac-bubble-text">{m.body.clone()}</span>
                        <span class="ac-bubble-meta">{meta}</span>
                    </div>
                </li>
            }
            .into_any(),
        );
    }
    shown
}

/// The site's canned replies: added and removed here, inserted from the reply box.
#[component]
fn CannedRepliesEditor(
    site: String,
    canned: RwSignal<Vec<CannedReply>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let console = use_console();
    let site = StoredValue::new(site);
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Key>);
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let reply = NewCannedReply { site: site.get_value(), title: title.get_untracked(), body: body.get_untracked() };
        leptos::task::spawn_local(async move {
            match api::add_canned_reply(&reply).await {
                Ok(_) => {
                    title.set(String::new());
                    body.set(String::new());
                    problem.set(None);
                    reload();
                }
                Err(ApiFailure::Refused { status: 422, .. }) => problem.set(Some(Key::CannedInvalid)),
                Err(_) => problem.set(Some(Key::Unreachable)),
            }
        });
    };
    let remove = move |id: i64| {
        leptos::task::spawn_local(async move {
            let _ = api::delete_canned_reply(id).await;
            reload();
        });
    };
    view! {
        <details class="ac-canned">
            <summary>{console.t(Key::CannedReplies)}</summary>
            <ul class="ac-callbacks">
                {move || canned.get().into_iter().map(|r| {
                    let label = format!("{} {}", console.t(Key::Delete), r.title);
                    view! {
                        <li class="ac-callback">
                            <strong>{r.title.clone()}</strong>
                            <p>{r.body}</p>
                            <button type="button" class="ac-secondary-dark" aria-label=label on:click=move |_| remove(r.id)>{console.t(Key::Delete)}</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form on:submit=add>
                <label for="ac-canned-title">{console.t(Key::CannedTitle)}</label>
                <input id="ac-canned-title" maxlength="80" prop:value=title on:input=move |e| title.set(event_target_value(&e)) />
                <label for="ac-canned-body">{console.t(Key::CannedBody)}</label>
                <textarea id="ac-canned-body" rows="3" maxlength="2000" prop:value=body on:input=move |e| body.set(event_target_value(&e))></textarea>
                <p class="ac-alert" role="alert" hidden=move || problem.get().is_none()>{move || problem.get().map(|k| console.t(k))}</p>
                <button type="submit" class="ac-primary">{console.t(Key::AddCanned)}</button>
            </form>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accueil_protocol::VisitContext;

    fn conversation(id: &str) -> AgentConversation {
        AgentConversation {
            id: id.to_owned(),
            site: "demo".to_owned(),
            status: ConversationStatus::Waiting,
            agent: None,
            locale: accueil_protocol::Locale::Fr,
            context: VisitContext::default(),
            last_seq: 0,
            created_at: "2026-12-02T10:00:00Z".to_owned(),
            last_message: None,
            visitor_read: 0,
            customer: None,
        }
    }

    fn message(seq: u64, body: &str) -> ChatMessage {
        ChatMessage {
            seq,
            author: MessageAuthor::Visitor,
            agent: None,
            body: body.to_owned(),
            client_id: None,
            sent_at: "2026-12-02T10:00:00Z".to_owned(),
        }
    }

    #[test]
    fn the_list_previews_the_newest_message_and_asks_for_a_reload_for_one_it_lacks() {
        let mut list = vec![conversation("cv_a"), conversation("cv_b")];
        assert!(show_last_message(&mut list, "cv_b", &message(2, "Bonjour")));
        assert!(show_last_message(&mut list, "cv_b", &message(1, "plus ancien")), "known, even when late");
        assert_eq!(
            list[1].last_message.as_ref().map(|m| m.body.as_str()),
            Some("Bonjour"),
            "a late frame does not win"
        );
        assert_eq!(list[1].last_seq, 2);
        assert!(list[0].last_message.is_none());
        assert!(!show_last_message(&mut list, "cv_new", &message(1, "Nouveau")), "not in the list: reload it");
    }
}
