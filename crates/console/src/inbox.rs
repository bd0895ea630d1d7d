//! The inbox: open conversations (waiting, mine, all) with the visitor's context beside each, taking
//! one (one agent wins), replying and ending it. It refreshes itself every few seconds, which is also
//! the agent's presence; a new waiting conversation shows in the page title.

use crate::api::{self, ApiFailure};
use crate::i18n::Key;
use crate::use_console;
use accueil_protocol::{AgentConversation, ChatMessage, ConversationStatus, MessageAuthor};
use leptos::prelude::*;
use std::time::Duration;

const REFRESH_EVERY: Duration = Duration::from_secs(3);

#[component]
pub fn Inbox(site: String, waiting: RwSignal<usize>) -> impl IntoView {
    let console = use_console();
    let site = StoredValue::new(site);
    let filter = RwSignal::new("waiting");
    let list = RwSignal::new(None::<Result<Vec<AgentConversation>, ApiFailure>>);
    let open = RwSignal::new(None::<String>);
    let load = move || {
        let which = filter.get_untracked();
        leptos::task::spawn_local(async move {
            let found = api::conversations(&site.get_value(), which).await.map(|l| l.conversations);
            if let (Ok(all), "waiting") = (&found, which) {
                waiting.set(all.len());
            }
            list.set(Some(found));
        });
    };
    Effect::new(move |_| {
        let _ = filter.get();
        load();
    });
    let poll = set_interval_with_handle(load, REFRESH_EVERY).ok();
    on_cleanup(move || {
        if let Some(poll) = poll {
            poll.clear();
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
        </div>
        <div class="ac-inbox">
            <div>
                {move || match list.get() {
                    None => view! { <p role="status">{console.t(Key::Loading)}</p> }.into_any(),
                    Some(Err(_)) => view! { <p class="ac-alert" role="alert">{console.t(Key::Unreachable)}</p> }.into_any(),
                    Some(Ok(all)) if all.is_empty() => view! { <p class="ac-empty">{console.t(Key::EmptyInbox)}</p> }.into_any(),
                    Some(Ok(all)) => view! {
                        <ul class="ac-callbacks">
                            {all.into_iter().map(|c| {
                                let id = c.id.clone();
                                let preview = c.last_message.map(|m| m.body).unwrap_or_default();
                                let searches = c.context.searches.join(" · ");
                                view! {
                                    <li class="ac-callback">
                                        <button type="button" class="ac-link" on:click=move |_| open.set(Some(id.clone()))>{preview}</button>
                                        <p class="ac-hint">{searches}</p>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
            </div>
            {move || open.get().map(|id| view! { <ConversationPane id=id reload=load /> })}
        </div>
    }
}

#[component]
fn ConversationPane(id: String, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let console = use_console();
    let id = StoredValue::new(id);
    let messages = RwSignal::new(Vec::<ChatMessage>::new());
    let details = RwSignal::new(None::<AgentConversation>);
    let draft = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Key>);
    let refresh = move || {
        leptos::task::spawn_local(async move {
            let after = messages.with_untracked(|all| all.last().map_or(0, |m| m.seq));
            if let Ok(history) = api::conversation_messages(&id.get_value(), after).await {
                messages.update(|all| all.extend(history.messages.into_iter().filter(|m| m.seq > after)));
            }
        });
    };
    refresh();
    let poll = set_interval_with_handle(refresh, Duration::from_secs(2)).ok();
    on_cleanup(move || {
        if let Some(poll) = poll {
            poll.clear();
        }
    });
    let take = move |_| {
        leptos::task::spawn_local(async move {
            match api::claim_conversation(&id.get_value()).await {
                Ok(found) => details.set(Some(found)),
                Err(ApiFailure::Refused { status: 409, .. }) => problem.set(Some(Key::TakenByOther)),
                Err(_) => problem.set(Some(Key::Unreachable)),
            }
            reload();
        });
    };
    let send = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let body = draft.get_untracked();
        let client_id = format!("{}", js_sys::Date::now());
        leptos::task::spawn_local(async move {
            match api::reply(&id.get_value(), client_id, body).await {
                Ok(_) => {
                    draft.set(String::new());
                    refresh();
                }
                Err(ApiFailure::Refused { status: 409, .. }) => problem.set(Some(Key::TakenByOther)),
                Err(_) => problem.set(Some(Key::Unreachable)),
            }
        });
    };
    let end = move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(found) = api::close_conversation(&id.get_value()).await {
                details.set(Some(found));
                reload();
            }
        });
    };
    let reply_id = format!("ac-reply-{}", id.get_value());
    // What the visitor searched and read before asking, beside the conversation.
    let context = move || {
        details.get().map(|d| {
            let items = [
                (Key::Page, d.context.page.clone().unwrap_or_default()),
                (Key::Searches, d.context.searches.join(" · ")),
                (Key::ArticlesRead, d.context.articles.join(" · ")),
            ];
            view! {
                <dl class="ac-context">
                    {items.into_iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| view! { <dt>{console.t(k)}</dt> <dd>{v}</dd> }).collect_view()}
                </dl>
            }
        })
    };
    view! {
        <section class="ac-callback" aria-label=console.t(Key::Inbox)>
            {context}
            <ol class="ac-messages">
                {move || messages.get().into_iter().map(|m| {
                    let who = if m.author == MessageAuthor::Visitor { Key::VisitorSaid } else { Key::AgentSaid };
                    view! { <li><strong>{console.t(who)} " : "</strong><span>{m.body}</span></li> }
                }).collect_view()}
            </ol>
            <p class="ac-alert" role="alert" hidden=move || problem.get().is_none()>{move || problem.get().map(|k| console.t(k))}</p>
            {move || {
                let mine = details.get().is_some_and(|d| d.status == ConversationStatus::Assigned);
                if mine {
                    view! {
                        <form on:submit=send>
                            <label for=reply_id.clone()>{console.t(Key::Reply)}</label>
                            <textarea id=reply_id.clone() rows="2" maxlength="2000" prop:value=draft on:input=move |e| draft.set(event_target_value(&e))></textarea>
                            <div class="ac-actions">
                                <button type="submit" class="ac-primary">{console.t(Key::Send)}</button>
                                <button type="button" class="ac-secondary-dark" on:click=end>{console.t(Key::CloseConversation)}</button>
                            </div>
                        </form>
                    }.into_any()
                } else {
                    view! { <button type="button" class="ac-primary" on:click=take>{console.t(Key::TakeConversation)}</button> }.into_any()
                }
            }}
        </section>
    }
}
