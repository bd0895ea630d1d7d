//! The callback channel: the visitor's requests with their status and a one-tap cancel, and the form
//! asking for a call (number checked as it is typed, a window shown in the visitor's own time, an
//! explicit consent box with the site's text).

use super::app::{Loading, use_widget};
use crate::api::{self, ApiFailure};
use crate::clock;
use crate::i18n::Key;
use crate::i18n::callback::CallbackKey;
use crate::session;
use accueil_protocol::{
    Callback, CallbackOptions, CallbackSlot, CallbackStatus, CallbackWhen, CreateCallback, ErrorCode, FieldCode,
    Locale, PhoneNumber,
};
use leptos::prelude::*;
use std::time::Duration;
use wasm_bindgen::JsCast;

/// The form's fields, for errors shown next to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Phone,
    Name,
    Topic,
    When,
    Consent,
    Form,
}

impl Field {
    /// The id of the control, for focus; the message under it is `<id>-msg`.
    fn id(self) -> &'static str {
        match self {
            Field::Phone => "aw-cb-phone",
            Field::Name => "aw-cb-name",
            Field::Topic => "aw-cb-topic",
            Field::When => "aw-cb-when",
            Field::Consent => "aw-cb-consent",
            Field::Form => "aw-cb-submit",
        }
    }
}

/// How long the number must rest before it is checked on the server.
const CHECK_AFTER: Duration = Duration::from_millis(500);
/// How often the status of open requests is refreshed while the view is open.
const REFRESH_EVERY: Duration = Duration::from_secs(15);

fn is_open(status: CallbackStatus) -> bool {
    matches!(status, CallbackStatus::Scheduled | CallbackStatus::InProgress)
}

pub(crate) fn status_key(status: CallbackStatus) -> CallbackKey {
    match status {
        CallbackStatus::Scheduled => CallbackKey::StatusScheduled,
        CallbackStatus::InProgress => CallbackKey::StatusInProgress,
        CallbackStatus::Done => CallbackKey::StatusDone,
        CallbackStatus::Missed => CallbackKey::StatusMissed,
        CallbackStatus::Cancelled | CallbackStatus::Unknown => CallbackKey::StatusCancelled,
    }
}

/// Where a server's field error goes, and what it says: chosen by the error's code, never its English.
fn problem_of(field: &str, code: FieldCode) -> (Field, CallbackKey) {
    match field {
        "phone.number" if code == FieldCode::LimitReached => (Field::Phone, CallbackKey::PhoneCapped),
        "phone.number" | "phone.country" => (Field::Phone, CallbackKey::PhoneInvalid),
        "name" => (Field::Name, CallbackKey::TooLong),
        "topic" if code == FieldCode::TooLong => (Field::Topic, CallbackKey::TooLong),
        "topic" => (Field::Topic, CallbackKey::TopicRequired),
        "consent" => (Field::Consent, CallbackKey::ConsentRequired),
        "when" | "when.start" | "consent_version" => (Field::When, CallbackKey::SlotGone),
        "session" => (Field::Form, CallbackKey::TooManyOpen),
        _ => (Field::Form, CallbackKey::SendFailed),
    }
}

/// "mardi 24 novembre, 14:00 – 14:30".
pub(crate) fn window_text(start: &str, end: &str, locale: Locale) -> String {
    format!("{}, {} – {}", clock::day(start, locale), clock::time(start, locale), clock::time(end, locale))
}

async fn pause(duration: Duration) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let millis = i32::try_from(duration.as_millis()).unwrap_or(i32::MAX);
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn focus(id: &str) {
    let element = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id));
    if let Some(element) = element.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = element.focus();
    }
}

/// What the visitor has typed, kept while the form re-renders (e.g. on a language switch).
#[derive(Clone, Copy)]
struct Draft {
    country: RwSignal<String>,
    number: RwSignal<String>,
    /// The number as its country writes it, once the server found it valid.
    checked: RwSignal<Option<String>>,
    name: RwSignal<String>,
    topic: RwSignal<String>,
    /// `asap` or the start of a slot.
    when: RwSignal<String>,
    consent: RwSignal<bool>,
    problems: RwSignal<Vec<(Field, CallbackKey)>>,
    /// Free slots offered after the chosen one filled up.
    alternatives: RwSignal<Vec<CallbackSlot>>,
    sending: RwSignal<bool>,
    /// One key per submitted content: retries of the same submit reuse it, a change makes a new one.
    key: StoredValue<Option<String>>,
    pending_check: StoredValue<Option<TimeoutHandle>>,
}

impl Draft {
    fn new(topic: String) -> Draft {
        Draft {
            country: RwSignal::new(String::new()),
            number: RwSignal::new(String::new()),
            checked: RwSignal::new(None),
            name: RwSignal::new(String::new()),
            topic: RwSignal::new(topic),
            when: RwSignal::new(String::new()),
            consent: RwSignal::new(false),
            problems: RwSignal::new(Vec::new()),
            alternatives: RwSignal::new(Vec::new()),
            sending: RwSignal::new(false),
            key: StoredValue::new(None),
            pending_check: StoredValue::new(None),
        }
    }

    fn problem(self, field: Field) -> Option<CallbackKey> {
        self.problems.with(|all| all.iter().find(|(f, _)| *f == field).map(|(_, k)| *k))
    }

    /// The visitor changed `field`: its message goes, and the next submit is a new request.
    fn changed(self, field: Field) {
        self.key.set_value(None);
        self.problems.update(|all| all.retain(|(f, _)| *f != field && *f != Field::Form));
    }

    /// Fills the country and the window from the options, unless the visitor already chose.
    fn settle(self, options: &CallbackOptions) {
        if !options.countries.iter().any(|c| c.country == self.country.get_untracked()) {
            let region = clock::browser_region().filter(|r| options.countries.iter().any(|c| c.country == *r));
            self.country.set(region.unwrap_or_else(|| options.default_country.clone()));
        }
        let when = self.when.get_untracked();
        let offered = (when == "asap" && options.asap) || options.slots.iter().any(|s| s.start == when);
        if !offered {
            let first =
                if options.asap { Some("asap".to_owned()) } else { options.slots.first().map(|s| s.start.clone()) };
            self.when.set(first.unwrap_or_default());
        }
    }

    /// Checks the number on the server (libphonenumber) once the visitor pauses typing.
    fn check_number(self, site: StoredValue<String>) {
        if let Some(handle) = self.pending_check.get_value() {
            handle.clear();
        }
        let typed = PhoneNumber { country: self.country.get_untracked(), number: self.number.get_untracked() };
        self.checked.set(None);
        if typed.number.chars().filter(char::is_ascii_digit).count() < 6 {
            return;
        }
        let check = move || {
            leptos::task::spawn_local(async move {
                let result = api::phone_check(&site.get_value(), &typed).await;
                if self.number.get_untracked() != typed.number || self.country.get_untracked() != typed.country {
                    return;
                }
                match result {
                    Ok(ok) => self.checked.set(Some(ok.national)),
                    Err(ApiFailure::Refused { status: 422, .. }) => {
                        self.problems.update(|all| all.push((Field::Phone, CallbackKey::PhoneInvalid)))
                    }
                    Err(_) => {}
                }
            });
        };
        self.pending_check.set_value(set_timeout_with_handle(check, CHECK_AFTER).ok());
    }

    /// Problems the visitor can fix before anything is sent.
    fn missing(self) -> Vec<(Field, CallbackKey)> {
        let checks = [
            (self.number.with_untracked(|n| n.trim().is_empty()), Field::Phone, CallbackKey::PhoneInvalid),
            (self.topic.with_untracked(|t| t.trim().is_empty()), Field::Topic, CallbackKey::TopicRequired),
            (self.when.with_untracked(String::is_empty), Field::When, CallbackKey::SlotGone),
            (!self.consent.get_untracked(), Field::Consent, CallbackKey::ConsentRequired),
        ];
        checks.into_iter().filter(|(missing, ..)| *missing).map(|(_, field, key)| (field, key)).collect()
    }
}

#[component]
pub fn CallbackView() -> impl IntoView {
    let widget = use_widget();
    let site = StoredValue::new(widget.site());
    let options: Loading<CallbackOptions> = RwSignal::new_local(None);
    let requests = RwSignal::new(Vec::<Callback>::new());
    let show_form = RwSignal::new(true);
    let draft = Draft::new(widget.query.get_untracked().trim().to_owned());

    let load_options = move || {
        let (site, locale) = (site.get_value(), widget.locale.get_untracked());
        leptos::task::spawn_local(async move {
            let loaded = api::callback_options(&site, locale).await;
            if let Ok(loaded) = &loaded {
                draft.settle(loaded);
            }
            options.set(Some(loaded));
        });
    };
    let refresh = move |first: bool| {
        let Some(token) = session::stored(&site.get_value()) else { return };
        leptos::task::spawn_local(async move {
            match api::my_callbacks(&token).await {
                Ok(mine) => {
                    if first && mine.callbacks.iter().any(|c| is_open(c.status)) {
                        show_form.set(false);
                    }
                    requests.set(mine.callbacks.into_iter().take(3).collect());
                }
                Err(ApiFailure::Refused { status: 401, .. }) => session::forget(&site.get_value()),
                Err(_) => {}
            }
        });
    };
    load_options();
    refresh(true);
    // The visitor sees an agent take and close their request without reloading.
    let poll = set_interval_with_handle(
        move || {
            if requests.with_untracked(|all| all.iter().any(|c| is_open(c.status))) {
                refresh(false);
            }
        },
        REFRESH_EVERY,
    )
    .ok();
    on_cleanup(move || {
        if let Some(poll) = poll {
            poll.clear();
        }
    });

    let cancel = move |id: String| {
        let Some(token) = session::stored(&site.get_value()) else { return };
        leptos::task::spawn_local(async move {
            if let Ok(cancelled) = api::cancel_callback(&token, &id).await {
                requests
                    .update(|all| all.iter_mut().filter(|c| c.id == cancelled.id).for_each(|c| *c = cancelled.clone()));
                show_form.set(true);
            }
        });
    };
    let booked = move |call: Callback| {
        requests.update(|all| all.insert(0, call));
        show_form.set(false);
        focus("aw-cb-confirmed");
    };

    // Texts are read once per render; the language switch re-renders (the draft survives).
    let calls = move || {
        let locale = widget.locale.get();
        let all = requests.get();
        (!all.is_empty()).then(|| {
            view! {
                <h2 class="aw-subtitle">{widget.t(CallbackKey::YourCalls)}</h2>
                <ul class="aw-calls">{all.into_iter().map(|call| call_card(call, locale, cancel)).collect_view()}</ul>
            }
        })
    };
    let form = move || {
        let _ = widget.locale.get();
        if !show_form.get() {
            return view! {
                <button class="aw-button aw-button--quiet" type="button" on:click=move |_| show_form.set(true)>
                    {widget.t(CallbackKey::AnotherCall)}
                </button>
            }
            .into_any();
        }
        match options.get() {
            None => view! { <p class="aw-status" role="status">{widget.t(Key::Loading)}</p> }.into_any(),
            Some(Err(_)) => view! { <p class="aw-note" role="alert">{widget.t(Key::LoadFailed)}</p> }.into_any(),
            Some(Ok(loaded)) => callback_form(loaded, draft, site, load_options, booked).into_any(),
        }
    };
    view! { <section class="aw-channel">{calls} {form}</section> }
}

fn call_card(call: Callback, locale: Locale, cancel: impl Fn(String) + Copy + 'static) -> impl IntoView {
    let t = |key| crate::i18n::text(locale, key);
    let open = is_open(call.status);
    let when = if call.asap {
        crate::i18n::text(locale, Key::Asap).to_owned()
    } else {
        window_text(&call.start, &call.end, locale)
    };
    let confirmed = (call.status == CallbackStatus::Scheduled)
        .then(|| view! { <p class="aw-hint" id="aw-cb-confirmed" tabindex="-1" role="status">{t(CallbackKey::Confirmed)}</p> });
    let id = call.id;
    let cancel_button = open.then(|| {
        view! {
            <button class="aw-button aw-button--quiet" type="button" on:click=move |_| cancel(id.clone())>
                {t(CallbackKey::CancelCall)}
            </button>
        }
    });
    view! {
        <li class="aw-call">
            <p class="aw-call-status" class:aw-call-status--open=open>{t(status_key(call.status))}</p>
            {confirmed}
            <p>{when}</p>
            <p>{call.phone}</p>
            <p class="aw-hint">{call.topic}</p>
            {cancel_button}
        </li>
    }
}

/// `aria-invalid` of a field, one closure type for every field.
fn invalid(draft: Draft, field: Field) -> impl Fn() -> Option<&'static str> + Copy {
    move || draft.problem(field).map(|_| "true")
}

/// The message under a field (empty, and hidden, while the field is fine).
fn message(draft: Draft, field: Field, locale: Locale) -> impl IntoView {
    view! {
        <p class="aw-field-error" id=format!("{}-msg", field.id()) tabindex="-1">
            {move || draft.problem(field).map(|key| crate::i18n::text(locale, key))}
        </p>
    }
}

fn callback_form(
    loaded: CallbackOptions,
    draft: Draft,
    site: StoredValue<String>,
    reload: impl Fn() + Copy + 'static,
    booked: impl Fn(Callback) + Copy + 'static,
) -> impl IntoView {
    let widget = use_widget();
    let locale = widget.locale.get_untracked();
    let t = move |key| crate::i18n::text(locale, key);
    let consent_version = loaded.consent.version.clone();

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if draft.sending.get_untracked() {
            return;
        }
        let mut missing = draft.missing();
        // A number the server already found invalid stays refused until it changes.
        if let Some(key) = draft.problem(Field::Phone).filter(|_| missing.iter().all(|(f, _)| *f != Field::Phone)) {
            missing.insert(0, (Field::Phone, key));
        }
        if let Some((field, _)) = missing.first() {
            focus(field.id());
            draft.problems.set(missing);
            return;
        }
        let choice = draft.when.get_untracked();
        let request = CreateCallback {
            phone: PhoneNumber { country: draft.country.get_untracked(), number: draft.number.get_untracked() },
            name: Some(draft.name.get_untracked()).filter(|n| !n.trim().is_empty()),
            topic: draft.topic.get_untracked(),
            when: if choice == "asap" { CallbackWhen::Asap } else { CallbackWhen::Slot { start: choice } },
            consent: true,
            consent_version: consent_version.clone(),
            locale,
            context: widget.visit_context(),
        };
        let idempotency = draft.key.get_value().unwrap_or_else(session::new_key);
        draft.key.set_value(Some(idempotency.clone()));
        draft.problems.set(Vec::new());
        draft.alternatives.set(Vec::new());
        draft.sending.set(true);
        leptos::task::spawn_local(async move {
            let result = book(&site.get_value(), &idempotency, &request, locale).await;
            draft.sending.set(false);
            match result {
                Ok(call) => {
                    draft.key.set_value(None);
                    // Consent is given per request: a further request asks for it again, about a
                    // topic of its own.
                    draft.consent.set(false);
                    draft.topic.set(String::new());
                    booked(call);
                }
                Err(failure) => refused(draft, &failure, reload),
            }
        });
    };

    let countries = loaded
        .countries
        .iter()
        .map(|c| {
            let selected = draft.country.get_untracked() == c.country;
            let label = format!("{} (+{})", clock::country_name(&c.country, locale), c.calling_code);
            view! { <option value=c.country.clone() selected=selected>{label}</option> }
        })
        .collect_view();
    let chosen = draft.when.get_untracked();
    let asap = loaded.asap.then(
        || view! { <option value="asap" selected=chosen == "asap">{crate::i18n::text(locale, Key::Asap)}</option> },
    );
    // Slots grouped by the visitor's local day.
    let mut days: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for slot in &loaded.slots {
        let day = clock::day(&slot.start, locale);
        // The closed select shows only the option, so each one names its day too.
        let label = window_text(&slot.start, &slot.end, locale);
        match days.last_mut() {
            Some((last, slots)) if *last == day => slots.push((slot.start.clone(), label)),
            _ => days.push((day, vec![(slot.start.clone(), label)])),
        }
    }
    let groups = days
        .into_iter()
        .map(|(day, slots)| {
            let options = slots
                .into_iter()
                .map(|(start, label)| {
                    let selected = start == chosen;
                    view! { <option value=start selected=selected>{label}</option> }
                })
                .collect_view();
            view! { <optgroup label=day>{options}</optgroup> }
        })
        .collect_view();
    let when_field = if loaded.asap || !loaded.slots.is_empty() {
        view! {
            <select
                id="aw-cb-when"
                class="aw-input"
                aria-invalid=invalid(draft, Field::When)
                aria-describedby="aw-cb-when-hint aw-cb-when-msg"
                prop:value=draft.when
                on:change=move |event| {
                    draft.when.set(event_target_value(&event));
                    draft.changed(Field::When);
                }
            >
                {asap}
                {groups}
            </select>
            <p class="aw-hint" id="aw-cb-when-hint">{t(CallbackKey::WhenHint)}</p>
        }
        .into_any()
    } else {
        view! { <p class="aw-note">{t(CallbackKey::NoSlots)}</p> }.into_any()
    };
    let alternatives = move || {
        draft
            .alternatives
            .get()
            .into_iter()
            .map(|offered| {
                let label = window_text(&offered.start, &offered.end, locale);
                view! {
                    <li>
                        <button class="aw-button aw-button--quiet" type="button" on:click=move |_| {
                            draft.when.set(offered.start.clone());
                            draft.alternatives.set(Vec::new());
                            draft.changed(Field::When);
                        }>{label}</button>
                    </li>
                }
            })
            .collect_view()
    };

    view! {
        <form class="aw-form" novalidate on:submit=submit>
            <p class="aw-hint">{t(CallbackKey::CallbackIntro)}</p>
            <div class="aw-field aw-phone">
                <div>
                    <label class="aw-label" for="aw-cb-country">{t(CallbackKey::Country)}</label>
                    <select
                        id="aw-cb-country"
                        class="aw-input"
                        autocomplete="tel-country-code"
                        on:change=move |event| {
                            draft.country.set(event_target_value(&event));
                            draft.changed(Field::Phone);
                            draft.check_number(site);
                        }
                    >
                        {countries}
                    </select>
                </div>
                <div>
                    <label class="aw-label" for="aw-cb-phone">{t(CallbackKey::PhoneLabel)}</label>
                    <input
                        id="aw-cb-phone"
                        class="aw-input"
                        type="tel"
                        inputmode="tel"
                        autocomplete="tel-national"
                        maxlength="40"
                        required
                        aria-invalid=invalid(draft, Field::Phone)
                        aria-describedby="aw-cb-phone-msg aw-cb-phone-ok"
                        prop:value=draft.number
                        on:input=move |event| {
                            draft.number.set(event_target_value(&event));
                            draft.changed(Field::Phone);
                            draft.check_number(site);
                        }
                    />
                    <p class="aw-hint" id="aw-cb-phone-ok">{move || draft.checked.get().map(|national| format!("✓ {national}"))}</p>
                    {message(draft, Field::Phone, locale)}
                </div>
            </div>
            <div class="aw-field">
                <label class="aw-label" for="aw-cb-name">{t(CallbackKey::NameLabel)}</label>
                <input
                    id="aw-cb-name"
                    class="aw-input"
                    type="text"
                    autocomplete="given-name"
                    maxlength="100"
                    aria-describedby="aw-cb-name-msg"
                    prop:value=draft.name
                    on:input=move |event| {
                        draft.name.set(event_target_value(&event));
                        draft.changed(Field::Name);
                    }
                />
                {message(draft, Field::Name, locale)}
            </div>
            <div class="aw-field">
                <label class="aw-label" for="aw-cb-topic">{t(CallbackKey::TopicLabel)}</label>
                <textarea
                    id="aw-cb-topic"
                    class="aw-input aw-textarea"
                    rows="2"
                    maxlength="500"
                    required
                    aria-invalid=invalid(draft, Field::Topic)
                    aria-describedby="aw-cb-topic-msg"
                    prop:value=draft.topic
                    on:input=move |event| {
                        draft.topic.set(event_target_value(&event));
                        draft.changed(Field::Topic);
                    }
                ></textarea>
                {message(draft, Field::Topic, locale)}
            </div>
            <div class="aw-field">
                <label class="aw-label" for="aw-cb-when">{t(CallbackKey::WhenLabel)}</label>
                {when_field}
                {message(draft, Field::When, locale)}
                <ul class="aw-alternatives">{alternatives}</ul>
            </div>
            <div class="aw-field aw-consent">
                <input
                    id="aw-cb-consent"
                    type="checkbox"
                    required
                    aria-invalid=invalid(draft, Field::Consent)
                    aria-describedby="aw-cb-consent-msg"
                    prop:checked=draft.consent
                    on:change=move |event| {
                        draft.consent.set(event_target_checked(&event));
                        draft.changed(Field::Consent);
                    }
                />
                <label for="aw-cb-consent">{loaded.consent.text}</label>
            </div>
            {message(draft, Field::Consent, locale)}
            <p class="aw-field-error" role="alert">{move || draft.problem(Field::Form).map(t)}</p>
            <button id="aw-cb-submit" class="aw-button" type="submit" aria-disabled=move || draft.sending.get().then_some("true")>
                {move || t(if draft.sending.get() { CallbackKey::Sending } else { CallbackKey::RequestCall })}
            </button>
        </form>
    }
}

/// Shows why the server refused a request, next to the fields it names.
fn refused(draft: Draft, failure: &ApiFailure, reload: impl Fn()) {
    let body = failure.body();
    if let Some(next) = body.filter(|b| b.error.code == ErrorCode::SlotFull).and_then(|b| b.next_slots.clone()) {
        draft.problems.set(vec![(Field::When, CallbackKey::SlotFull)]);
        draft.alternatives.set(next);
        focus("aw-cb-when-msg");
        return;
    }
    let found: Vec<(Field, CallbackKey)> = match body {
        Some(body) if !body.error.fields.is_empty() => {
            body.error.fields.iter().map(|f| problem_of(&f.field, f.code)).collect()
        }
        _ => vec![(Field::Form, CallbackKey::SendFailed)],
    };
    if found.iter().any(|(f, _)| *f == Field::When) {
        reload();
    }
    if let Some((field, _)) = found.first() {
        focus(field.id());
    }
    draft.problems.set(found);
}

/// Books with retries: a network failure tries again with the same idempotency key (so a request the
/// server took but whose answer was lost is not booked twice); an erased session is replaced once.
async fn book(site: &str, key: &str, request: &CreateCallback, locale: Locale) -> Result<Callback, ApiFailure> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let token = session::ensure(site, locale).await;
        let result = match token {
            Ok(token) => api::create_callback(&token, key, request).await,
            Err(failure) => Err(failure),
        };
        match result {
            Err(ApiFailure::Refused { status: 401, .. }) if attempt < 3 => session::forget(site),
            Err(ApiFailure::Unreachable) if attempt < 3 => pause(Duration::from_millis(800 * attempt)).await,
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_field_errors_land_next_to_the_right_field() {
        assert_eq!(problem_of("phone.number", FieldCode::Invalid), (Field::Phone, CallbackKey::PhoneInvalid));
        assert_eq!(problem_of("phone.number", FieldCode::LimitReached), (Field::Phone, CallbackKey::PhoneCapped));
        assert_eq!(problem_of("topic", FieldCode::TooLong), (Field::Topic, CallbackKey::TooLong));
        assert_eq!(problem_of("topic", FieldCode::Required), (Field::Topic, CallbackKey::TopicRequired));
        assert_eq!(problem_of("when.start", FieldCode::Gone), (Field::When, CallbackKey::SlotGone));
        assert_eq!(problem_of("session", FieldCode::LimitReached), (Field::Form, CallbackKey::TooManyOpen));
        assert_eq!(problem_of("something.new", FieldCode::Unknown), (Field::Form, CallbackKey::SendFailed));
    }
}
