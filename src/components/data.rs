//! "Your data": everything the server holds about the visitor, in plain words, how long each kind is
//! kept, the file to download (as the server wrote it) and erasing it all after one confirmation.
//! A visitor who never sent anything is told so, and nothing is asked of the server.

use super::app::{Loading, use_widget};
use super::callback::{status_key, window_text};
use crate::api::{self, ApiFailure};
use crate::clock;
use crate::i18n::Key;
use crate::i18n::data::{DataKey, text};
use crate::session;
use accueil_protocol::{
    ConversationStatus, DataCallback, DataConversation, DataPost, Erased, Locale, MessageAuthor, PostStatus,
    VisitorData,
};
use leptos::prelude::*;
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// What was read: the server's text (the file offered) and its meaning.
type Held = Rc<(String, VisitorData)>;

#[component]
pub fn DataView() -> impl IntoView {
    let widget = use_widget();
    let site = widget.site();
    let token = StoredValue::new(session::stored(&site));
    let held: Loading<Held> = RwSignal::new_local(None);
    // `Some(None)`: erased, without the server saying what (it was gone already).
    let erased = RwSignal::new(None::<Option<Erased>>);
    let load = move || {
        let Some(token) = token.get_value() else { return };
        held.set(None);
        leptos::task::spawn_local(async move { held.set(Some(api::my_data(&token).await.map(Rc::new))) });
    };
    load();
    let on_erased = move |what: Option<Erased>| {
        session::forget_everything(&widget.site());
        token.set_value(None);
        widget.set_unread(0);
        erased.set(Some(what));
    };
    view! {
        <section class="aw-channel aw-data">
            {move || {
                let locale = widget.locale.get();
                let t = move |key| text(locale, key);
                if let Some(what) = erased.get() {
                    return erased_view(what, locale).into_any();
                }
                if token.with_value(Option::is_none) {
                    return view! { <p class="aw-note">{t(DataKey::NothingStored)}</p> }.into_any();
                }
                match held.get() {
                    None => view! { <p class="aw-status" role="status">{widget.t(Key::Loading)}</p> }.into_any(),
                    // Erased meanwhile (from another tab): nothing is held any more.
                    Some(Err(ApiFailure::Refused { status: 401, .. })) => {
                        session::forget_everything(&widget.site());
                        view! { <p class="aw-note">{t(DataKey::NothingStored)}</p> }.into_any()
                    }
                    Some(Err(_)) => view! {
                        <div class="aw-failure" role="alert">
                            <p>{widget.t(Key::LoadFailed)}</p>
                            <button class="aw-button" type="button" on:click=move |_| load()>{widget.t(Key::Retry)}</button>
                        </div>
                    }
                    .into_any(),
                    Some(Ok(held)) => view! {
                        {held_view(&held.1, locale)}
                        <Actions held=held token=token on_erased=on_erased />
                    }
                    .into_any(),
                }
            }}
        </section>
    }
}

fn held_view(data: &VisitorData, locale: Locale) -> impl IntoView + use<> {
    let t = move |key| text(locale, key);
    let none_or = |empty: bool, key: DataKey, list: AnyView| {
        if empty { view! { <p class="aw-hint">{t(key)}</p> }.into_any() } else { list }
    };
    let conversations = data.conversations.iter().map(|c| conversation_item(c, locale)).collect_view();
    let calls = data.callbacks.iter().map(|c| call_item(c, locale)).collect_view();
    let posts = data.posts.iter().map(|p| post_item(p, locale)).collect_view();
    let retention = data.retention;
    let mut kept = vec![
        (DataKey::KeptChats, retention.chat_days),
        (DataKey::KeptSessions, retention.inactive_session_days),
        (DataKey::KeptReports, retention.report_days),
    ];
    kept.extend(retention.phone_days.map(|days| (DataKey::KeptNumbers, days)));
    view! {
        <p>{format!("{} {}.", t(DataKey::Since), clock::date_with_year(&data.session.created_at, locale))}</p>
        <h2 class="aw-subtitle">{t(DataKey::Conversations)}</h2>
        {none_or(data.conversations.is_empty(), DataKey::NoConversations, view! { <ul class="aw-calls">{conversations}</ul> }.into_any())}
        <h2 class="aw-subtitle">{t(DataKey::Calls)}</h2>
        {none_or(data.callbacks.is_empty(), DataKey::NoCalls, view! { <ul class="aw-calls">{calls}</ul> }.into_any())}
        <h2 class="aw-subtitle">{t(DataKey::Posts)}</h2>
        {none_or(data.posts.is_empty(), DataKey::NoPosts, view! { <ul class="aw-calls">{posts}</ul> }.into_any())}
        <p>{format!("{} {}", t(DataKey::Votes), data.votes.len())}</p>
        <p>{format!("{} {}", t(DataKey::Reports), data.reports.len())}</p>
        <h2 class="aw-subtitle">{t(DataKey::KeptFor)}</h2>
        <ul class="aw-hours">
            {kept
                .into_iter()
                .map(|(key, days)| view! {
                    <li><span>{t(key)}</span><span class="aw-hours-time">{format!("{days} {}", t(DataKey::Days))}</span></li>
                })
                .collect_view()}
        </ul>
    }
}

fn conversation_item(conversation: &DataConversation, locale: Locale) -> impl IntoView + use<> {
    let t = move |key| text(locale, key);
    let status = if conversation.status == ConversationStatus::Closed { DataKey::Ended } else { DataKey::Ongoing };
    let agent = conversation.agent.clone().unwrap_or_else(|| t(DataKey::Agent).to_owned());
    let messages = conversation
        .messages
        .iter()
        .map(|message| {
            let who = if message.author == MessageAuthor::Visitor { t(DataKey::You).to_owned() } else { agent.clone() };
            view! { <li><strong>{who} " : "</strong>{message.body.clone()}</li> }
        })
        .collect_view();
    view! {
        <li class="aw-call">
            <p>
                <strong>{clock::date_with_year(&conversation.created_at, locale)}</strong>
                {format!(" · {}", t(status))}
            </p>
            {conversation.rating.map(|score| view! { <p>{format!("{} {score}", t(DataKey::YourRating))}</p> })}
            <details>
                <summary>{format!("{} {}", t(DataKey::Messages), conversation.messages.len())}</summary>
                <ul class="aw-data-messages">{messages}</ul>
            </details>
        </li>
    }
}

/// A number shown by its last two digits only: the rest is in the downloaded file.
fn number_end(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    digits[digits.len().saturating_sub(2)..].iter().collect()
}

fn call_item(call: &DataCallback, locale: Locale) -> impl IntoView + use<> {
    let t = move |key| text(locale, key);
    let when = if call.asap {
        crate::i18n::text(locale, Key::Asap).to_owned()
    } else {
        window_text(&call.start, &call.end, locale)
    };
    view! {
        <li class="aw-call">
            <p><strong>{crate::i18n::text(locale, status_key(call.status))}</strong>{format!(" · {when}")}</p>
            <p>{call.topic.clone()}</p>
            {call.phone.as_deref().map(|phone| view! { <p>{format!("{} {}", t(DataKey::Number), number_end(phone))}</p> })}
            <p class="aw-hint">{format!("{} {}", t(DataKey::ConsentGiven), call.consent_version)}</p>
            {call.consent_text.clone().map(|consent| view! { <p class="aw-hint">"« " {consent} " »"</p> })}
        </li>
    }
}

fn post_item(post: &DataPost, locale: Locale) -> impl IntoView + use<> {
    let t = move |key| text(locale, key);
    let kind = if post.thread.is_none() { DataKey::Question } else { DataKey::AnswerTo };
    let state = match post.status {
        PostStatus::Pending => Some(DataKey::Pending),
        PostStatus::Hidden => Some(DataKey::Hidden),
        PostStatus::Visible | PostStatus::Unknown => None,
    };
    view! {
        <li class="aw-call">
            <p>
                <strong>{t(kind)}</strong>
                {format!(" · {}", post.pseudonym)}
                {state.map(|key| format!(" · {}", t(key)))}
            </p>
            {post.title.clone().map(|title| view! { <p>{title}</p> })}
            // A question asked in its title alone has that title as its body too.
            {(post.title.as_ref() != Some(&post.body)).then(|| view! { <p class="aw-hint">{post.body.clone()}</p> })}
        </li>
    }
}

/// Download, and erase after one confirmation.
#[component]
fn Actions(
    held: Held,
    token: StoredValue<Option<String>>,
    on_erased: impl Fn(Option<Erased>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let widget = use_widget();
    let t = move |key| text(widget.locale.get(), key);
    let confirming = RwSignal::new(false);
    let erasing = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let question = NodeRef::<leptos::html::P>::new();
    Effect::new(move |_| {
        if confirming.get()
            && let Some(question) = question.get()
        {
            let _ = question.focus();
        }
    });
    let erase = move || {
        let Some(token) = token.get_value() else { return };
        if erasing.get_untracked() {
            return;
        }
        erasing.set(true);
        failed.set(false);
        leptos::task::spawn_local(async move {
            match api::erase_my_data(&token).await {
                Ok(what) => on_erased(Some(what)),
                // Already erased (another tab): nothing is held, here too.
                Err(ApiFailure::Refused { status: 401, .. }) => on_erased(None),
                Err(_) => failed.set(true),
            }
            erasing.set(false);
        });
    };
    view! {
        <h2 class="aw-subtitle">{move || t(DataKey::Download)}</h2>
        <p class="aw-hint">{move || t(DataKey::DownloadHint)}</p>
        <button class="aw-button" type="button" on:click=move |_| download(&held.0)>
            {move || t(DataKey::Download)}
        </button>
        <h2 class="aw-subtitle">{move || t(DataKey::EraseAll)}</h2>
        <p class="aw-hint">{move || t(DataKey::EraseHint)}</p>
        <Show
            when=move || confirming.get()
            fallback=move || view! {
                <button class="aw-button aw-button--quiet" type="button" on:click=move |_| confirming.set(true)>
                    {move || t(DataKey::EraseAll)}
                </button>
            }
        >
            <div class="aw-note aw-data-confirm" role="group" aria-labelledby="aw-erase-question">
                <p id="aw-erase-question" tabindex="-1" node_ref=question>{move || t(DataKey::EraseConfirm)}</p>
                <button
                    class="aw-button aw-button--danger"
                    type="button"
                    aria-disabled=move || erasing.get().to_string()
                    on:click=move |_| erase()
                >
                    {move || if erasing.get() { t(DataKey::Erasing) } else { t(DataKey::EraseYes) }}
                </button>
                <button class="aw-button aw-button--quiet" type="button" on:click=move |_| confirming.set(false)>
                    {move || t(DataKey::Cancel)}
                </button>
            </div>
        </Show>
        <Show when=move || failed.get()>
            <p class="aw-field-error" role="alert">{move || t(DataKey::EraseFailed)}</p>
        </Show>
    }
}

fn erased_view(what: Option<Erased>, locale: Locale) -> impl IntoView {
    let t = move |key| text(locale, key);
    let what = what.unwrap_or_default();
    let lines = [
        (DataKey::ConversationsCount, what.conversations),
        (DataKey::Messages, what.messages),
        (DataKey::CallsCount, what.callbacks),
        (DataKey::CancelledCalls, what.cancelled_callbacks),
        (DataKey::PostsCount, what.posts),
        (DataKey::Anonymised, what.anonymised_posts),
        (DataKey::Votes, what.votes),
        (DataKey::Reports, what.reports),
    ];
    let summary = NodeRef::<leptos::html::Div>::new();
    request_animation_frame(move || {
        if let Some(summary) = summary.get_untracked() {
            let _ = summary.focus();
        }
    });
    view! {
        <div class="aw-data-erased" role="status" tabindex="-1" node_ref=summary>
            <p class="aw-note">{t(DataKey::Erased)}</p>
            <ul class="aw-hours">
                {lines
                    .into_iter()
                    .filter(|(_, count)| *count > 0)
                    .map(|(label, count)| view! {
                        <li><span>{t(label)}</span><span class="aw-hours-time">{count}</span></li>
                    })
                    .collect_view()}
            </ul>
        </div>
    }
}

/// Offers the server's text as the file `accueil-data.json`, through a link to it in memory.
fn download(json: &str) {
    let offered = (|| {
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(json));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("application/json");
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
        let document = web_sys::window()?.document()?;
        let link: web_sys::HtmlAnchorElement = document.create_element("a").ok()?.dyn_into().ok()?;
        link.set_href(&url);
        link.set_download("accueil-data.json");
        link.click();
        // The browser has started the download once the click returns; the memory can go after.
        set_timeout(move || drop(web_sys::Url::revoke_object_url(&url)), std::time::Duration::from_secs(10));
        Some(())
    })();
    if offered.is_none() {
        leptos::logging::warn!("the data file could not be offered");
    }
}
