//! The form that changes a site's settings (administrators): brand and colours with a live preview
//! and the contrast check, languages, channels, allowed origins, hours and closures, chat, callbacks,
//! community and retention. Saved as a whole; the server checks it by the file's rules and applies it
//! on every node at once; a refusal shows next to its field.

use crate::api::{self, ApiFailure};
use crate::i18n::Key;
use crate::use_console;
use accueil_protocol::{
    CallbackForm, Closure, IdentityForm, LauncherPosition, Locale, OpeningHours, SettingsChange, SettingsForm,
    SiteSettings, Weekday,
};
use leptos::prelude::*;

const WEEK: [(Weekday, Key); 7] = [
    (Weekday::Mon, Key::Monday),
    (Weekday::Tue, Key::Tuesday),
    (Weekday::Wed, Key::Wednesday),
    (Weekday::Thu, Key::Thursday),
    (Weekday::Fri, Key::Friday),
    (Weekday::Sat, Key::Saturday),
    (Weekday::Sun, Key::Sunday),
];

/// The kinds of numbers a site may call back (libphonenumber's names), in the order they are offered.
const NUMBER_TYPES: [(&str, Key); 9] = [
    ("mobile", Key::TypeMobile),
    ("fixed_line", Key::TypeFixedLine),
    ("fixed_line_or_mobile", Key::TypeFixedLineOrMobile),
    ("voip", Key::TypeVoip),
    ("toll_free", Key::TypeTollFree),
    ("uan", Key::TypeUan),
    ("premium_rate", Key::TypePremiumRate),
    ("shared_cost", Key::TypeSharedCost),
    ("personal_number", Key::TypePersonalNumber),
];

/// What a form control reads and writes of the settings.
type Read<T> = fn(&SettingsForm) -> T;
type Write<T> = fn(&mut SettingsForm, T);

/// The whole form for `site`, starting from `loaded`; `saved` receives the server's answer.
#[component]
pub fn SettingsEditor(site: String, loaded: SiteSettings, saved: Callback<SiteSettings>) -> impl IntoView {
    let console = use_console();
    let form = RwSignal::new(loaded.form.clone());
    let revision = RwSignal::new(loaded.revision);
    let failure = RwSignal::new(None::<ApiFailure>);
    let done = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let (site, change) =
            (site.clone(), SettingsChange { revision: revision.get_untracked(), form: form.get_untracked() });
        saving.set(true);
        done.set(false);
        leptos::task::spawn_local(async move {
            match api::change_settings(&site, &change).await {
                Ok(answer) => {
                    failure.set(None);
                    form.set(answer.form.clone());
                    revision.set(answer.revision);
                    done.set(true);
                    saved.run(answer);
                }
                Err(refused) => failure.set(Some(refused)),
            }
            saving.set(false);
        });
    };
    let summary = move || {
        failure.get().map(|f| match f {
            ApiFailure::Refused { status: 409, .. } => console.t(Key::SettingsStale),
            ApiFailure::Refused { status: 422, .. } => console.t(Key::SettingsRefused),
            _ => console.t(Key::Unreachable),
        })
    };
    view! {
        <form class="ac-settings" aria-labelledby="ac-settings-title" on:submit=submit novalidate>
            <h2 id="ac-settings-title">{console.t(Key::EditSettings)}</h2>
            <p class="ac-hint">{console.t(Key::EditSettingsHint)}</p>
            <fieldset>
                <legend>{console.t(Key::Brand)}</legend>
                {text(form, failure, "name", console.t(Key::BrandName), |f| f.name.clone(), |f, v| f.name = v)}
                <ColourPicker form failure />
                <label for="ac-set-position">{console.t(Key::LauncherCorner)}</label>
                <select
                    id="ac-set-position"
                    on:change=move |e| {
                        let left = event_target_value(&e) == "bottom_left";
                        form.update(|f| f.position = if left { LauncherPosition::BottomLeft } else { LauncherPosition::BottomRight });
                    }
                >
                    <option value="bottom_right" selected=move || form.with(|f| f.position == LauncherPosition::BottomRight)>
                        {console.t(Key::BottomRight)}
                    </option>
                    <option value="bottom_left" selected=move || form.with(|f| f.position == LauncherPosition::BottomLeft)>
                        {console.t(Key::BottomLeft)}
                    </option>
                </select>
            </fieldset>
            <fieldset>
                <legend>{console.t(Key::LanguagesAndChannels)}</legend>
                {[(Locale::Fr, Key::French), (Locale::En, Key::English)].map(|(locale, key)| {
                    let on = move || form.with(|f| f.locales.contains(&locale));
                    check(format!("locale-{}", locale.tag()), console.t(key), on, move |checked| {
                        form.update(|f| {
                            f.locales.retain(|l| *l != locale);
                            if checked {
                                f.locales.push(locale);
                            }
                        })
                    })
                })}
                <label for="ac-set-default-locale">{console.t(Key::DefaultLanguage)}</label>
                <select
                    id="ac-set-default-locale"
                    on:change=move |e| {
                        let chosen = Locale::from_tag(&event_target_value(&e));
                        form.update(|f| if let Some(chosen) = chosen.filter(|l| f.locales.contains(l)) {
                            // The default language is the first.
                            f.locales.retain(|l| *l != chosen);
                            f.locales.insert(0, chosen);
                        });
                    }
                >
                    {move || form.with(|f| f.locales.clone()).into_iter().enumerate().map(|(i, locale)| {
                        let name = if locale == Locale::Fr { console.t(Key::French) } else { console.t(Key::English) };
                        view! { <option value=locale.tag() selected=i == 0>{name}</option> }
                    }).collect_view()}
                </select>
                {error_of(failure, "locales")}
                {check("faq".to_owned(), console.t(Key::Faq), move || form.with(|f| f.features.faq), move |on| form.update(|f| f.features.faq = on))}
                {check("chat".to_owned(), console.t(Key::ChannelChat), move || form.with(|f| f.features.chat), move |on| form.update(|f| f.features.chat = on))}
                {check("callback".to_owned(), console.t(Key::Callbacks), move || form.with(|f| f.features.callback), move |on| {
                    form.update(|f| {
                        f.features.callback = on;
                        if on && f.callback.is_none() {
                            f.callback = Some(new_callback(&f.locales));
                        }
                    })
                })}
                {error_of(failure, "features")}
                {check("community".to_owned(), console.t(Key::Community), move || form.with(|f| f.features.community), move |on| form.update(|f| f.features.community = on))}
                {lines(form, failure, "allowed_origins", console.t(Key::AllowedOrigins), console.t(Key::OnePerLine), |f| f.allowed_origins.clone(), |f, v| f.allowed_origins = v)}
            </fieldset>
            <Hours form failure />
            <fieldset>
                <legend>{console.t(Key::ChannelChat)}</legend>
                {number(form, failure, "long_wait_minutes", console.t(Key::LongWait), |f| f.long_wait_minutes, |f, v| f.long_wait_minutes = v)}
            </fieldset>
            {move || form.with(|f| f.features.callback && f.callback.is_some()).then(|| view! { <CallbackFields form failure /> })}
            <fieldset>
                <legend>{console.t(Key::Community)}</legend>
                {check("pre-moderation".to_owned(), console.t(Key::PreModeration), move || form.with(|f| f.community.pre_moderation), move |on| form.update(|f| f.community.pre_moderation = on))}
                {lines(form, failure, "community.word_filter", console.t(Key::WordFilter), console.t(Key::OnePerLine), |f| f.community.word_filter.clone(), |f, v| f.community.word_filter = v)}
            </fieldset>
            <IdentityFields form failure />
            <fieldset>
                <legend>{console.t(Key::Retention)}</legend>
                {number(form, failure, "retention.chat_days", console.t(Key::KeepChatsDays), |f| f.retention.chat_days, |f, v| f.retention.chat_days = v)}
                {number(form, failure, "retention.inactive_session_days", console.t(Key::KeepSessionsDays), |f| f.retention.inactive_session_days, |f, v| f.retention.inactive_session_days = v)}
                {number(form, failure, "retention.report_days", console.t(Key::KeepReportsDays), |f| f.retention.report_days, |f, v| f.retention.report_days = v)}
            </fieldset>
            <p role="alert" class="ac-field-error">{summary}</p>
            <p role="status">{move || done.get().then(|| console.t(Key::SettingsSaved))}</p>
            <button type="submit" class="ac-primary" disabled=move || saving.get()>{console.t(Key::SaveSettings)}</button>
        </form>
    }
}

/// Callback settings for a site that switches callbacks on: the file's defaults, and a consent text
/// to write in each language.
fn new_callback(locales: &[Locale]) -> CallbackForm {
    CallbackForm {
        slot_minutes: 30,
        capacity_per_slot: 2,
        days_ahead: 6,
        countries: vec!["FR".to_owned()],
        consent_version: String::new(),
        consent_text: locales.iter().map(|l| (*l, String::new())).collect(),
        phone_retention_days: 30,
        daily_cap_per_phone: 3,
        webhook_url: None,
        webhook_secret: None,
        webhook_secret_set: false,
        // The server's default: no premium-rate, shared-cost or personal numbers.
        number_types: ["fixed_line", "mobile", "fixed_line_or_mobile", "voip", "toll_free", "uan"]
            .map(str::to_owned)
            .to_vec(),
    }
}

/// The id of the control for the form's `field` (its path, as the server names it in a refusal).
fn id_of(field: &str) -> String {
    format!("ac-set-{}", field.replace(['.', '_'], "-"))
}

/// Why `field` was refused, next to it: what the setting must be in the administrator's language,
/// else the server's reason.
fn error_of(failure: RwSignal<Option<ApiFailure>>, field: &'static str) -> impl IntoView {
    let locale = use_console().locale;
    let reason = move || {
        let server = failure.get()?.field_reason(field)?;
        Some(crate::i18n::settings_rule(locale, field).map_or(server, str::to_owned))
    };
    view! { <p class="ac-field-error" id=format!("{}-error", id_of(field))>{reason}</p> }
}

fn invalid(failure: RwSignal<Option<ApiFailure>>, field: &'static str) -> impl Fn() -> String {
    move || failure.with(|f| f.as_ref().and_then(|f| f.field_reason(field)).is_some()).to_string()
}

fn text(
    form: RwSignal<SettingsForm>,
    failure: RwSignal<Option<ApiFailure>>,
    field: &'static str,
    label: &'static str,
    read: Read<String>,
    write: Write<String>,
) -> impl IntoView {
    let id = id_of(field);
    view! {
        <label for=id.clone()>{label}</label>
        <input id=id.clone() type="text" aria-describedby=format!("{id}-error") aria-invalid=invalid(failure, field)
            prop:value=move || form.with(read) on:input=move |e| form.update(|f| write(f, event_target_value(&e))) />
        {error_of(failure, field)}
    }
}

fn number(
    form: RwSignal<SettingsForm>,
    failure: RwSignal<Option<ApiFailure>>,
    field: &'static str,
    label: &'static str,
    read: Read<u32>,
    write: Write<u32>,
) -> impl IntoView {
    let id = id_of(field);
    view! {
        <label for=id.clone()>{label}</label>
        <input id=id.clone() type="number" inputmode="numeric" min="0" aria-describedby=format!("{id}-error")
            aria-invalid=invalid(failure, field) prop:value=move || form.with(read).to_string()
            on:input=move |e| form.update(|f| write(f, event_target_value(&e).trim().parse().unwrap_or(0))) />
        {error_of(failure, field)}
    }
}

/// A text area of one value per line.
fn lines(
    form: RwSignal<SettingsForm>,
    failure: RwSignal<Option<ApiFailure>>,
    field: &'static str,
    label: &'static str,
    hint: &'static str,
    read: Read<Vec<String>>,
    write: Write<Vec<String>>,
) -> impl IntoView {
    let id = id_of(field);
    view! {
        <label for=id.clone()>{label}</label>
        <textarea id=id.clone() rows="3" aria-describedby=format!("{id}-hint {id}-error") aria-invalid=invalid(failure, field)
            prop:value=move || form.with(read).join("\n")
            on:change=move |e| form.update(|f| write(f, event_target_value(&e).lines().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect()))
        ></textarea>
        <p class="ac-hint" id=format!("{id}-hint")>{hint}</p>
        {error_of(failure, field)}
    }
}

fn check(
    name: String,
    label: &'static str,
    on: impl Fn() -> bool + Send + Sync + 'static,
    set: impl Fn(bool) + 'static,
) -> impl IntoView {
    view! {
        <label class="ac-check">
            <input type="checkbox" name=format!("ac-set-{name}") prop:checked=on on:change=move |e| set(event_target_checked(&e)) />
            {label}
        </label>
    }
}

/// `#rrggbb` as its three channels.
fn rgb(hex: &str) -> Option<[u8; 3]> {
    let hex = hex.strip_prefix('#')?;
    if hex.len() != 6 {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// WCAG contrast ratio of two colours.
fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let luminance = |[r, g, b]: [u8; 3]| {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.039_28 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    };
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The text colour the widget writes on `background` (as the server picks it) and its contrast.
fn text_on(background: [u8; 3]) -> (&'static str, f64) {
    let (white, ink) = (contrast([0xff; 3], background), contrast([0x1a; 3], background));
    if white >= ink { ("#ffffff", white) } else { ("#1a1a1a", ink) }
}

/// The brand colour, as a colour well and as text, with a preview of the launcher and the widget's
/// header and the contrast of their text (WCAG AA asks for 4.5:1).
#[component]
fn ColourPicker(form: RwSignal<SettingsForm>, failure: RwSignal<Option<ApiFailure>>) -> impl IntoView {
    let console = use_console();
    let colour = move || form.with(|f| f.primary_color.clone());
    let valid = move || rgb(&colour()).map(|c| (format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]), text_on(c)));
    let fill = move || valid().map_or_else(|| "#cccccc".to_owned(), |(hex, _)| hex);
    let ink = move || valid().map_or("#1a1a1a", |(_, (ink, _))| ink);
    let ratio = move || {
        valid().map(|(_, (_, ratio))| {
            let verdict = if ratio >= 4.5 { console.t(Key::ContrastOk) } else { console.t(Key::ContrastLow) };
            format!("{} {ratio:.1}:1. {verdict}", console.t(Key::Contrast))
        })
    };
    let name = move || form.with(|f| f.name.clone());
    let left = move || form.with(|f| f.position == LauncherPosition::BottomLeft);
    view! {
        <label for="ac-set-primary-color">{console.t(Key::BrandColour)}</label>
        <div class="ac-colour">
            <input type="color" aria-label=console.t(Key::ColourWell) prop:value=fill
                on:input=move |e| form.update(|f| f.primary_color = event_target_value(&e)) />
            <input id="ac-set-primary-color" type="text" inputmode="text" spellcheck="false" maxlength="7"
                aria-describedby="ac-set-primary-color-contrast ac-set-primary-color-error" aria-invalid=invalid(failure, "primary_color")
                prop:value=colour on:input=move |e| form.update(|f| f.primary_color = event_target_value(&e).trim().to_owned()) />
        </div>
        <p class="ac-hint" id="ac-set-primary-color-contrast" aria-live="polite">{ratio}</p>
        {error_of(failure, "primary_color")}
        <svg class="ac-preview" viewBox="0 0 240 150" role="img" aria-labelledby="ac-preview-title">
            <title id="ac-preview-title">{console.t(Key::Preview)}</title>
            <rect x="0" y="0" width="240" height="150" rx="8" fill="#f4f1ec" />
            <rect x=move || if left() { "12" } else { "88" } y="10" width="140" height="96" rx="8" fill="#ffffff" stroke="#c8ccd2" />
            <rect x=move || if left() { "12" } else { "88" } y="10" width="140" height="28" rx="8" fill=fill />
            <text x=move || if left() { "22" } else { "98" } y="29" font-size="12" fill=ink>{name}</text>
            <circle cx=move || if left() { "34" } else { "206" } cy="126" r="18" fill=fill />
            <text x=move || if left() { "34" } else { "206" } y="131" font-size="14" text-anchor="middle" fill=ink>"?"</text>
        </svg>
    }
}

/// How the settings write a day that closes at midnight.
const MIDNIGHT: &str = "24:00";

/// A time as a time box shows it: midnight at the end of the day is 00:00 there.
fn shown_time(time: &str) -> String {
    if time == MIDNIGHT { "00:00".to_owned() } else { time.to_owned() }
}

/// Weekly opening spans and closures (public holidays, one-off closed days).
#[component]
fn Hours(form: RwSignal<SettingsForm>, failure: RwSignal<Option<ApiFailure>>) -> impl IntoView {
    let console = use_console();
    let spans = move || form.with(|f| f.business_hours.weekly.len());
    let closures = move || form.with(|f| f.business_hours.closures.len());
    let span_row = move |index: usize| {
        let group = format!("{} {}", console.t(Key::OpeningSpan), index + 1);
        let time = move |closes: bool| {
            let label = if closes { console.t(Key::Closes) } else { console.t(Key::Opens) };
            view! {
                <label>
                    {label}
                    <input type="time" prop:value=move || form.with(|f| f.business_hours.weekly.get(index).map(|s| if closes { shown_time(&s.closes) } else { s.opens.clone() }).unwrap_or_default())
                        on:input=move |e| {
                            let value = event_target_value(&e);
                            // Closing at 00:00 is closing at midnight, the end of the day ("24:00").
                            let value = if closes && value == "00:00" { MIDNIGHT.to_owned() } else { value };
                            form.update(|f| if let Some(span) = f.business_hours.weekly.get_mut(index) {
                                if closes { span.closes = value } else { span.opens = value }
                            })
                        } />
                </label>
            }
        };
        view! {
            <fieldset class="ac-span">
                <legend>{group.clone()}</legend>
                {WEEK.map(|(day, key)| check(format!("span-{index}-{day:?}"), console.t(key),
                    move || form.with(|f| f.business_hours.weekly.get(index).is_some_and(|s| s.days.contains(&day))),
                    move |on| form.update(|f| if let Some(span) = f.business_hours.weekly.get_mut(index) {
                        span.days.retain(|d| *d != day);
                        if on { span.days.push(day); span.days.sort_by_key(|d| WEEK.iter().position(|(w, _)| w == d)); }
                    })))}
                {time(false)}
                {time(true)}
                <button type="button" class="ac-secondary-dark" aria-label=format!("{} : {group}", console.t(Key::Remove))
                    on:click=move |_| form.update(|f| { if index < f.business_hours.weekly.len() { f.business_hours.weekly.remove(index); } })>
                    {console.t(Key::Remove)}
                </button>
            </fieldset>
        }
    };
    let closure_row = move |index: usize| {
        let group = format!("{} {}", console.t(Key::Closure), index + 1);
        let date = move |last: bool| {
            let label = if last { console.t(Key::LastDay) } else { console.t(Key::FirstDay) };
            view! {
                <label>
                    {label}
                    <input type="date" prop:value=move || form.with(|f| f.business_hours.closures.get(index).map(|c| if last { c.last_day.clone() } else { c.first_day.clone() }).unwrap_or_default())
                        on:input=move |e| {
                            let value = event_target_value(&e);
                            form.update(|f| if let Some(closure) = f.business_hours.closures.get_mut(index) {
                                if last { closure.last_day = value } else {
                                    // A one-day closure is the usual case: its last day follows its first.
                                    if closure.last_day.is_empty() || closure.last_day < value { closure.last_day = value.clone(); }
                                    closure.first_day = value;
                                }
                            })
                        } />
                </label>
            }
        };
        view! {
            <fieldset class="ac-span">
                <legend>{group.clone()}</legend>
                {date(false)}
                {date(true)}
                <label>
                    {console.t(Key::ClosureLabel)}
                    <input type="text" prop:value=move || form.with(|f| f.business_hours.closures.get(index).map(|c| c.label.clone()).unwrap_or_default())
                        on:input=move |e| {
                            let value = event_target_value(&e);
                            form.update(|f| if let Some(closure) = f.business_hours.closures.get_mut(index) { closure.label = value })
                        } />
                </label>
                <button type="button" class="ac-secondary-dark" aria-label=format!("{} : {group}", console.t(Key::Remove))
                    on:click=move |_| form.update(|f| { if index < f.business_hours.closures.len() { f.business_hours.closures.remove(index); } })>
                    {console.t(Key::Remove)}
                </button>
            </fieldset>
        }
    };
    view! {
        <fieldset>
            <legend>{console.t(Key::OpeningHours)}</legend>
            {text(form, failure, "business_hours.time_zone", console.t(Key::TimeZone), |f| f.business_hours.time_zone.clone(), |f, v| f.business_hours.time_zone = v)}
            {move || (0..spans()).map(span_row).collect_view()}
            {error_of(failure, "business_hours.weekly")}
            <button type="button" class="ac-secondary-dark" on:click=move |_| form.update(|f| f.business_hours.weekly.push(OpeningHours {
                days: vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri],
                opens: "09:00".into(),
                closes: "18:00".into(),
            }))>{console.t(Key::AddSpan)}</button>
            <h3>{console.t(Key::Closures)}</h3>
            <p class="ac-hint">{console.t(Key::ClosuresHint)}</p>
            {move || (0..closures()).map(closure_row).collect_view()}
            {error_of(failure, "business_hours.closures")}
            <button type="button" class="ac-secondary-dark" on:click=move |_| form.update(|f| f.business_hours.closures.push(Closure {
                first_day: String::new(),
                last_day: String::new(),
                label: String::new(),
            }))>{console.t(Key::AddClosure)}</button>
        </fieldset>
    }
}

#[component]
fn CallbackFields(form: RwSignal<SettingsForm>, failure: RwSignal<Option<ApiFailure>>) -> impl IntoView {
    let console = use_console();
    let update = move |change: Box<dyn FnOnce(&mut CallbackForm)>| {
        form.update(|f| {
            if let Some(c) = f.callback.as_mut() {
                change(c)
            }
        })
    };
    // The callback part shows only while the callback settings are there.
    let number_fields = view! {
        {number(form, failure, "callback.slot_minutes", console.t(Key::SlotMinutes), |f| f.callback.as_ref().map_or(0, |c| c.slot_minutes), |f, v| if let Some(c) = f.callback.as_mut() { c.slot_minutes = v })}
        {number(form, failure, "callback.capacity_per_slot", console.t(Key::CapacityPerSlot), |f| f.callback.as_ref().map_or(0, |c| c.capacity_per_slot), |f, v| if let Some(c) = f.callback.as_mut() { c.capacity_per_slot = v })}
        {number(form, failure, "callback.days_ahead", console.t(Key::DaysAhead), |f| f.callback.as_ref().map_or(0, |c| c.days_ahead), |f, v| if let Some(c) = f.callback.as_mut() { c.days_ahead = v })}
        {number(form, failure, "callback.phone_retention_days", console.t(Key::PhoneRetentionDays), |f| f.callback.as_ref().map_or(0, |c| c.phone_retention_days), |f, v| if let Some(c) = f.callback.as_mut() { c.phone_retention_days = v })}
        {number(form, failure, "callback.daily_cap_per_phone", console.t(Key::DailyCapPerPhone), |f| f.callback.as_ref().map_or(0, |c| c.daily_cap_per_phone), |f, v| if let Some(c) = f.callback.as_mut() { c.daily_cap_per_phone = v })}
    };
    let consent = move || {
        form.with(|f| f.locales.clone()).into_iter().map(|locale| {
            let id = format!("ac-set-consent-{}", locale.tag());
            view! {
                <label for=id.clone()>{format!("{} ({})", console.t(Key::ConsentText), locale.tag())}</label>
                <textarea id=id rows="3" aria-describedby="ac-set-callback-consent-text-error"
                    prop:value=move || form.with(|f| f.callback.as_ref().and_then(|c| c.consent_text.get(&locale).cloned()).unwrap_or_default())
                    on:input=move |e| { let v = event_target_value(&e); update(Box::new(move |c| { c.consent_text.insert(locale, v); })) }
                ></textarea>
            }
        }).collect_view()
    };
    let version = move || form.with(|f| f.callback.as_ref().map(|c| c.consent_version.clone()).unwrap_or_default());
    let secret_set = move || form.with(|f| f.callback.as_ref().is_some_and(|c| c.webhook_secret_set));
    view! {
        <fieldset>
            <legend>{console.t(Key::Callbacks)}</legend>
            {number_fields}
            <fieldset class="ac-span">
                <legend>{console.t(Key::NumberTypes)}</legend>
                {NUMBER_TYPES.iter().map(|(name, key)| {
                    let name = *name;
                    check(format!("type-{name}"), console.t(*key),
                        move || form.with(|f| f.callback.as_ref().is_some_and(|c| c.number_types.iter().any(|t| t == name))),
                        move |on| update(Box::new(move |c| {
                            c.number_types.retain(|t| t != name);
                            if on { c.number_types.push(name.to_owned()); }
                        })))
                }).collect_view()}
            </fieldset>
            {error_of(failure, "callback.number_types")}
            <label for="ac-set-callback-countries">{console.t(Key::Countries)}</label>
            <input id="ac-set-callback-countries" type="text" aria-describedby="ac-set-callback-countries-hint ac-set-callback-countries-error"
                aria-invalid=invalid(failure, "callback.countries")
                prop:value=move || form.with(|f| f.callback.as_ref().map(|c| c.countries.join(", ")).unwrap_or_default())
                on:change=move |e| { let v = event_target_value(&e); update(Box::new(move |c| c.countries = v.split(',').map(|s| s.trim().to_uppercase()).filter(|s| !s.is_empty()).collect())) } />
            <p class="ac-hint" id="ac-set-callback-countries-hint">{console.t(Key::CountriesHint)}</p>
            {error_of(failure, "callback.countries")}
            {consent}
            <p class="ac-hint">{move || format!("{} {}", console.t(Key::ConsentVersion), version())}</p>
            {error_of(failure, "callback.consent_text")}
            <label for="ac-set-callback-webhook-url">{console.t(Key::WebhookUrl)}</label>
            <input id="ac-set-callback-webhook-url" type="url" aria-describedby="ac-set-callback-webhook-url-error"
                aria-invalid=invalid(failure, "callback.webhook_url")
                prop:value=move || form.with(|f| f.callback.as_ref().and_then(|c| c.webhook_url.clone()).unwrap_or_default())
                on:input=move |e| { let v = event_target_value(&e); update(Box::new(move |c| c.webhook_url = Some(v).filter(|v| !v.trim().is_empty()))) } />
            {error_of(failure, "callback.webhook_url")}
            <label for="ac-set-callback-webhook-secret">{console.t(Key::WebhookSecret)}</label>
            <input id="ac-set-callback-webhook-secret" type="password" autocomplete="new-password"
                aria-describedby="ac-set-callback-webhook-secret-hint ac-set-callback-webhook-secret-error"
                aria-invalid=invalid(failure, "callback.webhook_secret")
                prop:value=move || form.with(|f| f.callback.as_ref().and_then(|c| c.webhook_secret.clone()).unwrap_or_default())
                on:input=move |e| { let v = event_target_value(&e); update(Box::new(move |c| c.webhook_secret = Some(v).filter(|v| !v.is_empty()))) } />
            <p class="ac-hint" id="ac-set-callback-webhook-secret-hint">
                {move || if secret_set() { console.t(Key::SecretKept) } else { console.t(Key::SecretNone) }}
            </p>
            {error_of(failure, "callback.webhook_secret")}
        </fieldset>
    }
}

/// How the brand's site vouches for its signed-in customers: an ES256 public key and/or shared
/// secrets (write-only), and how old a proof may be.
#[component]
fn IdentityFields(form: RwSignal<SettingsForm>, failure: RwSignal<Option<ApiFailure>>) -> impl IntoView {
    let console = use_console();
    let on = move || form.with(|f| f.identity.is_some());
    let update = move |change: Box<dyn FnOnce(&mut IdentityForm)>| {
        form.update(|f| {
            if let Some(i) = f.identity.as_mut() {
                change(i)
            }
        })
    };
    let secret = move |index: usize, label: Key| {
        let id = format!("ac-set-identity-secret-{index}");
        view! {
            <label for=id.clone()>{console.t(label)}</label>
            <input id=id type="password" autocomplete="new-password" aria-describedby="ac-set-identity-secrets-hint ac-set-identity-secrets-error"
                aria-invalid=invalid(failure, "identity.secrets")
                prop:value=move || form.with(|f| f.identity.as_ref().and_then(|i| i.new_secrets.as_ref()?.get(index).cloned()).unwrap_or_default())
                on:input=move |e| {
                    let value = event_target_value(&e);
                    update(Box::new(move |i| {
                        let mut secrets = i.new_secrets.take().unwrap_or_default();
                        secrets.resize(2, String::new());
                        secrets[index] = value;
                        i.new_secrets = Some(secrets).filter(|s| s.iter().any(|s| !s.is_empty()));
                    }))
                } />
        }
    };
    let stored = move || form.with(|f| f.identity.as_ref().map_or(0, |i| i.secrets_set));
    view! {
        <fieldset>
            <legend>{console.t(Key::IdentityTitle)}</legend>
            {check("identity".to_owned(), console.t(Key::VerifyIdentity), on, move |checked| form.update(|f| {
                f.identity = checked.then(|| f.identity.clone().unwrap_or(IdentityForm {
                    es256_public_key: None,
                    max_age_seconds: 600,
                    secrets_set: 0,
                    new_secrets: None,
                }));
            }))}
            {error_of(failure, "identity")}
            {move || on().then(|| view! {
                <label for="ac-set-identity-es256-public-key">{console.t(Key::Es256Key)}</label>
                <textarea id="ac-set-identity-es256-public-key" rows="4" spellcheck="false"
                    aria-describedby="ac-set-identity-es256-public-key-error" aria-invalid=invalid(failure, "identity.es256_public_key")
                    prop:value=move || form.with(|f| f.identity.as_ref().and_then(|i| i.es256_public_key.clone()).unwrap_or_default())
                    on:change=move |e| { let v = event_target_value(&e); update(Box::new(move |i| i.es256_public_key = Some(v).filter(|v| !v.trim().is_empty()))) }
                ></textarea>
                {error_of(failure, "identity.es256_public_key")}
                <label for="ac-set-identity-max-age-seconds">{console.t(Key::MaxAgeSeconds)}</label>
                <input id="ac-set-identity-max-age-seconds" type="number" inputmode="numeric" min="30"
                    aria-describedby="ac-set-identity-max-age-seconds-error" aria-invalid=invalid(failure, "identity.max_age_seconds")
                    prop:value=move || form.with(|f| f.identity.as_ref().map_or(0, |i| i.max_age_seconds).to_string())
                    on:input=move |e| { let v = event_target_value(&e).trim().parse().unwrap_or(0); update(Box::new(move |i| i.max_age_seconds = v)) } />
                {error_of(failure, "identity.max_age_seconds")}
                {secret(0, Key::NewSecret)}
                {secret(1, Key::PreviousSecret)}
                <p class="ac-hint" id="ac-set-identity-secrets-hint">
                    {move || format!("{} {}. {}", console.t(Key::SecretsStored), stored(), console.t(Key::LeaveEmptyToKeep))}
                </p>
                {error_of(failure, "identity.secrets")}
            })}
        </fieldset>
    }
}
