//! The callback queue: requests by slot with the visitor's context, "take it" (one agent wins), and
//! how the call went, which the visitor's widget then shows. The queue refreshes itself, and reading
//! it tells the server this agent is present for "as soon as possible" requests.

use crate::api::{self, ApiFailure};
use crate::i18n::Key;
use crate::use_console;
use accueil_protocol::{AgentCallback, CallbackOutcome, CallbackResult, CallbackStatus, Locale};
use leptos::prelude::*;
use std::time::Duration;

const REFRESH_EVERY: Duration = Duration::from_secs(10);

fn status_key(status: CallbackStatus) -> Key {
    match status {
        CallbackStatus::Scheduled => Key::Scheduled,
        CallbackStatus::InProgress => Key::InProgress,
        CallbackStatus::Done => Key::Done,
        CallbackStatus::Missed => Key::Missed,
        CallbackStatus::Cancelled | CallbackStatus::Unknown => Key::Cancelled,
    }
}

/// "mar. 24 nov., 14:00 – 14:30" in the agent's own time zone.
fn window_text(start: &str, end: &str, locale: Locale) -> String {
    let format = |text: &str, options: &str| crate::local(text, locale, options);
    format!(
        "{} – {}",
        format(start, r#"{"weekday":"short","day":"numeric","month":"short","hour":"2-digit","minute":"2-digit"}"#),
        format(end, r#"{"hour":"2-digit","minute":"2-digit"}"#)
    )
}

#[component]
pub fn Callbacks(site: String, waiting: RwSignal<usize>) -> impl IntoView {
    let console = use_console();
    let site = StoredValue::new(site);
    let open = RwSignal::new(true);
    let queue = RwSignal::new(None::<Result<Vec<AgentCallback>, ApiFailure>>);
    let load = move || {
        let (site, which) = (site.get_value(), open.get_untracked());
        leptos::task::spawn_local(async move {
            let result = api::callbacks(&site, which).await.map(|q| q.callbacks);
            if let (true, Ok(all)) = (which, &result) {
                waiting.set(all.iter().filter(|c| c.status == CallbackStatus::Scheduled).count());
            }
            queue.set(Some(result));
        });
    };
    Effect::new(move |_| {
        let _ = open.get();
        load();
    });
    let poll = set_interval_with_handle(load, REFRESH_EVERY).ok();
    on_cleanup(move || {
        if let Some(poll) = poll {
            poll.clear();
        }
    });
    let tab = move |which: bool, key: Key| {
        view! {
            <button
                type="button"
                class="ac-locale"
                aria-pressed=move || (open.get() == which).to_string()
                on:click=move |_| open.set(which)
            >
                {console.t(key)}
            </button>
        }
    };
    view! {
        <h1>{console.t(Key::Callbacks)}</h1>
        <div class="ac-locales" role="group" aria-label=console.t(Key::Callbacks)>
            {tab(true, Key::ToCall)}
            {tab(false, Key::Closed)}
        </div>
        {move || match queue.get() {
            None => view! { <p role="status">{console.t(Key::Loading)}</p> }.into_any(),
            Some(Err(_)) => view! { <p class="ac-alert" role="alert">{console.t(Key::Unreachable)}</p> }.into_any(),
            Some(Ok(all)) if all.is_empty() => view! { <p class="ac-empty">{console.t(Key::NoCallbacks)}</p> }.into_any(),
            Some(Ok(all)) => view! {
                <ul class="ac-callbacks">
                    {all.into_iter().map(|call| view! { <CallbackItem call=call site=site reload=load /> }).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
}

#[component]
fn CallbackItem(
    call: AgentCallback,
    site: StoredValue<String>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let console = use_console();
    let locale = console.locale;
    let id = StoredValue::new(call.id.clone());
    let problem = RwSignal::new(None::<Key>);
    let claim = move |_| {
        leptos::task::spawn_local(async move {
            match api::claim_callback(&id.get_value()).await {
                Ok(_) => reload(),
                Err(ApiFailure::Refused { status: 409, .. }) => {
                    problem.set(Some(Key::TakenByOther));
                    reload();
                }
                Err(_) => problem.set(Some(Key::Unreachable)),
            }
        });
    };
    let when = if call.asap { console.t(Key::Asap).to_owned() } else { window_text(&call.start, &call.end, locale) };
    let heading = format!("{when} · {}", call.name.clone().unwrap_or_else(|| console.t(Key::Caller).to_owned()));
    let phone = call.phone.clone().map(|phone| {
        let href = format!("tel:{phone}");
        view! { <a class="ac-phone" href=href>{phone}</a> }.into_any()
    });
    let phone = phone.unwrap_or_else(|| view! { <span>{console.t(Key::Erased)}</span> }.into_any());
    let who = call.agent.as_ref().map(|a| format!(" {} {}", console.t(Key::By), a.name)).unwrap_or_default();
    let context = call.context.clone();
    let list = |items: Vec<String>| items.join(" · ");
    let can_claim = call.status == CallbackStatus::Scheduled;
    // Only the agent who took the request records its call; the others see who has it.
    let working =
        call.status == CallbackStatus::InProgress && call.agent.as_ref().is_some_and(|agent| agent.id == console.me());
    view! {
        <li class="ac-callback">
            <h2>{heading}</h2>
            <p class="ac-callback-phone">{phone}</p>
            <dl>
                {call.customer.as_ref().map(|c| view! {
                    <dt>{console.t(Key::Customer)}</dt>
                    <dd>{crate::i18n::customer_text(console.locale, c)}</dd>
                })}
                <dt>{console.t(Key::Topic)}</dt>
                <dd>{call.topic.clone()}</dd>
                <dt>{console.t(Key::State)}</dt>
                <dd>{format!("{}{who}", console.t(status_key(call.status)))}</dd>
                {context.page.clone().map(|page| view! { <dt>{console.t(Key::Page)}</dt> <dd>{page}</dd> })}
                {(!context.searches.is_empty()).then(|| view! { <dt>{console.t(Key::Searches)}</dt> <dd>{list(context.searches.clone())}</dd> })}
                {(!context.articles.is_empty()).then(|| view! { <dt>{console.t(Key::ArticlesRead)}</dt> <dd>{list(context.articles.clone())}</dd> })}
                {(!call.notes.is_empty()).then(|| view! { <dt>{console.t(Key::Notes)}</dt> <dd>{call.notes.clone()}</dd> })}
            </dl>
            <p class="ac-alert" role="alert" hidden=move || problem.get().is_none()>{move || problem.get().map(|k| console.t(k))}</p>
            {can_claim.then(|| view! {
                <button type="button" class="ac-primary" on:click=claim>{format!("{} — {when}", console.t(Key::Claim))}</button>
            })}
            {working.then(|| view! { <Outcome id=id site=site reload=reload /> })}
        </li>
    }
}

#[component]
fn Outcome(
    id: StoredValue<String>,
    site: StoredValue<String>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let console = use_console();
    let outcome = RwSignal::new(CallbackOutcome::Reached);
    let notes = RwSignal::new(String::new());
    let retry = RwSignal::new(String::new());
    let slots = RwSignal::new(Vec::new());
    let failed = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        if let Ok(options) = api::callback_slots(&site.get_value()).await {
            slots.set(options.slots);
        }
    });
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let retry = Some(retry.get_untracked())
            .filter(|r| !r.is_empty() && outcome.get_untracked() == CallbackOutcome::NoAnswer);
        let result = CallbackResult { outcome: outcome.get_untracked(), notes: notes.get_untracked(), retry };
        leptos::task::spawn_local(async move {
            match api::record_call(&id.get_value(), &result).await {
                Ok(_) => reload(),
                Err(_) => failed.set(true),
            }
        });
    };
    let name = format!("ac-outcome-{}", id.get_value());
    let choice = move |value: CallbackOutcome, key: Key| {
        let name = name.clone();
        view! {
            <label class="ac-choice">
                <input type="radio" name=name prop:checked=move || outcome.get() == value on:change=move |_| outcome.set(value) />
                {console.t(key)}
            </label>
        }
    };
    let notes_id = format!("ac-notes-{}", id.get_value());
    let retry_id = format!("ac-retry-{}", id.get_value());
    view! {
        <form class="ac-outcome" on:submit=save>
            <fieldset>
                <legend>{console.t(Key::CallOutcome)}</legend>
                {choice(CallbackOutcome::Reached, Key::Reached)}
                {choice(CallbackOutcome::NoAnswer, Key::NoAnswer)}
                {choice(CallbackOutcome::WrongNumber, Key::WrongNumber)}
            </fieldset>
            <Show when=move || outcome.get() == CallbackOutcome::NoAnswer>
                <label for=retry_id.clone()>{console.t(Key::RetryIn)}</label>
                <select id=retry_id.clone() on:change=move |e| retry.set(event_target_value(&e))>
                    <option value="">{console.t(Key::NoRetry)}</option>
                    {move || slots.get().into_iter().map(|slot| {
                        let label = window_text(&slot.start, &slot.end, console.locale);
                        view! { <option value=slot.start>{label}</option> }
                    }).collect_view()}
                </select>
            </Show>
            <label for=notes_id.clone()>{console.t(Key::Notes)}</label>
            <textarea id=notes_id rows="2" maxlength="2000" prop:value=notes on:input=move |e| notes.set(event_target_value(&e))></textarea>
            <p class="ac-alert" role="alert" hidden=move || !failed.get()>{console.t(Key::Unreachable)}</p>
            <div class="ac-actions">
                <button type="submit" class="ac-primary">{console.t(Key::Record)}</button>
            </div>
        </form>
    }
}
