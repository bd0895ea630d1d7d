//! The visitor side of callbacks: the options of the form (countries, free slots, consent text), the
//! phone check as the visitor types, booking with an idempotency key, reading and cancelling.

use super::faq::site_and_locale;
use super::no_store;
use super::sites::unknown_site;
use crate::callbacks::{phone, slots, visitor_view};
use crate::config::{CallbackSettings, Site};
use crate::error::Error;
use crate::extract::{ApiJson, Visitor};
use crate::limits::Limit;
use crate::secrets::new_public_id;
use crate::startup::AppState;
use crate::store::{Booking, CallbackCaps, NewCallback, Refusal, UnixTime};
use crate::{now, rfc3339};
use accueil_protocol::{
    CallbackOptions, CallbackSlot, CallbackWhen, Callbacks, ConsentText, CreateCallback, FieldCode, FieldError,
    PhoneChecked, PhoneNumber,
};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

/// Open requests one session may hold at once.
const OPEN_PER_SESSION: u32 = 3;
const MAX_TOPIC_CHARS: usize = 500;
const MAX_NAME_CHARS: usize = 100;
const MAX_PAGE_CHARS: usize = 2000;
const MAX_CONTEXT_ITEMS: usize = 20;
const MAX_CONTEXT_ITEM_CHARS: usize = 300;
/// An agent who had the console open this recently counts as present.
pub const PRESENCE_SECONDS: i64 = 120;
/// Slots offered instead of a full one.
const NEXT_SLOTS: usize = 3;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/sites/{site}/callback-options", get(options))
        .route("/v1/sites/{site}/phone-check", post(phone_check))
        .route("/v1/callbacks", post(create).get(list))
        .route("/v1/callbacks/{id}", get(read))
        .route("/v1/callbacks/{id}/cancel", post(cancel))
}

/// The site and its callback settings; 404 when the site does not offer callbacks.
fn callback_site(state: &AppState, site: &str) -> Result<(Arc<Site>, CallbackSettings), Error> {
    let found = state.sites.get(site).ok_or_else(|| unknown_site(site))?;
    let settings =
        found.callback.clone().ok_or_else(|| Error::NotFound(format!("site `{site}` does not offer callbacks")))?;
    Ok((found, settings))
}

/// Free slots from `now` on, with how many places each still has.
async fn free_slots(
    state: &AppState,
    site: &Site,
    settings: &CallbackSettings,
    now: UnixTime,
) -> Result<Vec<CallbackSlot>, Error> {
    let booked: HashMap<UnixTime, u32> = state.store.slot_bookings(&site.public.site, now).await?.into_iter().collect();
    Ok(slots::upcoming(site, settings, now)
        .into_iter()
        .filter_map(|(start, end)| {
            let free = settings.capacity_per_slot.saturating_sub(booked.get(&start).copied().unwrap_or(0));
            (free > 0).then(|| CallbackSlot { start: rfc3339(start), end: rfc3339(end), free })
        })
        .collect())
}

/// Someone can call now: the site is open and more agents are present than "as soon as possible"
/// requests wait.
async fn asap_available(state: &AppState, site: &Site, now: UnixTime) -> Result<bool, Error> {
    if !slots::is_open(site, now) {
        return Ok(false);
    }
    let present = state.store.agents_seen_since(&site.public.site, now - PRESENCE_SECONDS).await?;
    Ok(present > state.store.waiting_asap(&site.public.site).await?)
}

async fn options(
    State(state): State<AppState>,
    Path(site): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Error> {
    let (site, settings) = callback_site(&state, &site)?;
    let (site, settings) = (&*site, &settings);
    let (_, locale) = site_and_locale(&state, &site.public.site, query.get("locale").map(String::as_str))?;
    let now = now();
    let body = CallbackOptions {
        time_zone: site.public.business_hours.time_zone.clone(),
        countries: settings.countries.clone(),
        default_country: settings.countries[0].country.clone(),
        asap: asap_available(&state, site, now).await?,
        slots: free_slots(&state, site, settings, now).await?,
        consent: ConsentText {
            version: settings.consent_version.clone(),
            text: settings.consent_text.get(&locale).cloned().unwrap_or_default(),
        },
    };
    Ok((no_store(), Json(body)).into_response())
}

/// Checks the number against the site's countries; the reason goes with `field`.
fn checked_phone(settings: &CallbackSettings, number: &PhoneNumber, prefix: &str) -> Result<PhoneChecked, FieldError> {
    let field = |name: &str, reason: &str| FieldError {
        field: format!("{prefix}{name}"),
        code: FieldCode::Invalid,
        reason: reason.to_owned(),
    };
    let country = number.country.to_ascii_uppercase();
    if !settings.countries.iter().any(|c| c.country == country) {
        return Err(field("country", "not a country this site calls"));
    }
    let (checked, region) =
        phone::check(&country, &number.number, &settings.number_types).map_err(|reason| field("number", reason))?;
    if !settings.countries.iter().any(|c| c.country == region) {
        return Err(field("number", "a number of a country this site does not call"));
    }
    Ok(checked)
}

async fn phone_check(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(site): Path<String>,
    ApiJson(number): ApiJson<PhoneNumber>,
) -> Result<Response, Error> {
    state.limits.check(Limit::PhoneCheck, peer.ip()).await?;
    let (_, settings) = callback_site(&state, &site)?;
    let settings = &settings;
    let checked = checked_phone(settings, &number, "").map_err(|field| Error::Validation {
        message: "the phone number is not valid".to_owned(),
        fields: vec![field],
    })?;
    Ok((no_store(), Json(checked)).into_response())
}

fn idempotency_key(headers: &HeaderMap) -> Result<String, Error> {
    let bad = |reason: &str| Error::InvalidRequest {
        message: "an Idempotency-Key header is required".to_owned(),
        fields: Error::field("idempotency-key", reason),
    };
    let value = headers.get("idempotency-key").ok_or_else(|| bad("missing"))?;
    let key = value.to_str().map_err(|_| bad("use visible ASCII characters"))?.trim();
    if key.is_empty() || key.len() > 100 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad("1 to 100 visible ASCII characters"));
    }
    Ok(key.to_owned())
}

/// Every field problem of a request at once, so the form can mark them all.
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: &str, code: FieldCode, reason: &str) {
        self.0.push(FieldError { field: field.to_owned(), code, reason: reason.to_owned() });
    }

    fn too_long(&mut self, field: &str, text: &str, max: usize) {
        if text.chars().count() > max {
            self.add(field, FieldCode::TooLong, &format!("at most {max} characters"));
        }
    }
}

/// The window asked for, if it is one the site offers now.
fn chosen_window(
    when: &CallbackWhen,
    site: &Site,
    settings: &CallbackSettings,
    now: UnixTime,
    asap: bool,
) -> Result<(bool, UnixTime, UnixTime), (&'static str, FieldCode, &'static str)> {
    match when {
        CallbackWhen::Asap if asap => Ok((true, now, now + i64::from(settings.slot_minutes) * 60)),
        CallbackWhen::Asap => Err(("when", FieldCode::Gone, "nobody is free right now: choose a slot")),
        CallbackWhen::Slot { start } => {
            let start = start
                .parse::<jiff::Timestamp>()
                .map_err(|_| ("when.start", FieldCode::Invalid, "not an RFC 3339 time"))?
                .as_second();
            if start + slots::LATE_BOOKING_SECONDS <= now {
                return Err(("when.start", FieldCode::Gone, "this time has passed"));
            }
            slots::bookable(site, settings, start, now).map(|(s, e)| (false, s, e)).ok_or((
                "when.start",
                FieldCode::Gone,
                "not a slot within opening hours",
            ))
        }
    }
}

async fn create(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    visitor: Visitor,
    headers: HeaderMap,
    ApiJson(request): ApiJson<CreateCallback>,
) -> Result<Response, Error> {
    state.limits.check(Limit::CallbackCreate, peer.ip()).await?;
    let key = idempotency_key(&headers)?;
    let (site, settings) = callback_site(&state, &visitor.session.site)?;
    let (site, settings) = (&*site, &settings);
    let now = now();
    let request_hash =
        Sha256::digest(serde_json::to_vec(&request).map_err(|e| Error::Internal(e.to_string()))?).to_vec();

    let mut problems = Problems(Vec::new());
    let phone = checked_phone(settings, &request.phone, "phone.").map_err(|f| problems.0.push(f)).ok();
    let topic = request.topic.trim().to_owned();
    if topic.is_empty() {
        problems.add("topic", FieldCode::Required, "say in a few words what the call is about");
    }
    problems.too_long("topic", &topic, MAX_TOPIC_CHARS);
    let name = request.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
    problems.too_long("name", name.as_deref().unwrap_or_default(), MAX_NAME_CHARS);
    if !request.consent {
        problems.add("consent", FieldCode::Required, "the visitor must agree to be called");
    }
    if request.consent_version != settings.consent_version {
        problems.add("consent_version", FieldCode::Gone, "the consent text has changed: show the current one");
    }
    if !site.public.locales.contains(&request.locale) {
        problems.add("locale", FieldCode::Invalid, "not a locale of this site");
    }
    let context = &request.context;
    problems.too_long("context.page", context.page.as_deref().unwrap_or_default(), MAX_PAGE_CHARS);
    for (field, items) in [("context.searches", &context.searches), ("context.articles", &context.articles)] {
        if items.len() > MAX_CONTEXT_ITEMS || items.iter().any(|i| i.chars().count() > MAX_CONTEXT_ITEM_CHARS) {
            problems.add(field, FieldCode::TooLong, "at most 20 items of 300 characters");
        }
    }
    let asap = matches!(request.when, CallbackWhen::Asap) && asap_available(&state, site, now).await?;
    let window =
        chosen_window(&request.when, site, settings, now, asap).map_err(|(f, c, r)| problems.add(f, c, r)).ok();
    let (Some(phone), Some((asap, slot_start, slot_end)), true) = (phone, window, problems.0.is_empty()) else {
        return Err(Error::Validation { message: "the callback request is not valid".to_owned(), fields: problems.0 });
    };

    let new = NewCallback {
        public_id: new_public_id("cb")?,
        site: site.public.site.clone(),
        session_id: visitor.session.id,
        idempotency_key: key,
        request_hash,
        phone_e164: phone.e164,
        phone_national: phone.national,
        name,
        topic,
        locale: request.locale,
        context: request.context,
        asap,
        slot_start,
        slot_end,
        consent_version: request.consent_version,
        now,
    };
    let caps = CallbackCaps {
        slot_capacity: (!asap).then_some(settings.capacity_per_slot),
        per_phone_per_day: settings.daily_cap_per_phone,
        open_per_session: OPEN_PER_SESSION,
        webhook: settings.webhook.is_some(),
    };
    let refuse = |field: &str, code: FieldCode, reason: &str| Error::Validation {
        message: "the callback request was refused".to_owned(),
        fields: Error::field_coded(field, code, reason),
    };
    match state.store.book_callback(&new, caps).await? {
        Booking::Created(row) => {
            state.webhook_wake.notify_one();
            Ok((StatusCode::CREATED, no_store(), Json(visitor_view(row))).into_response())
        }
        Booking::Replayed { row, same_request: true } => Ok((no_store(), Json(visitor_view(row))).into_response()),
        Booking::Replayed { .. } => {
            Err(refuse("idempotency-key", FieldCode::Invalid, "already used for a different request"))
        }
        Booking::SlotFull => {
            let next_slots = free_slots(&state, site, settings, now)
                .await?
                .into_iter()
                .filter(|slot| slot.start.as_str() > rfc3339(slot_start).as_str())
                .take(NEXT_SLOTS)
                .collect();
            Err(Error::SlotFull { next_slots })
        }
        Booking::PhoneCapReached => {
            Err(refuse("phone.number", FieldCode::LimitReached, "this number has reached today's limit of requests"))
        }
        Booking::SessionFull => {
            Err(refuse("session", FieldCode::LimitReached, "3 requests are already open: cancel one first"))
        }
    }
}

async fn list(State(state): State<AppState>, visitor: Visitor) -> Result<Response, Error> {
    let rows = state.store.session_callbacks(visitor.session.id).await?;
    let body = Callbacks { callbacks: rows.into_iter().map(visitor_view).collect() };
    Ok((no_store(), Json(body)).into_response())
}

fn not_found() -> Error {
    Error::NotFound("no such callback request".to_owned())
}

async fn read(State(state): State<AppState>, visitor: Visitor, Path(id): Path<String>) -> Result<Response, Error> {
    let row = state.store.session_callback(visitor.session.id, &id).await?.ok_or_else(not_found)?;
    Ok((no_store(), Json(visitor_view(row))).into_response())
}

async fn cancel(State(state): State<AppState>, visitor: Visitor, Path(id): Path<String>) -> Result<Response, Error> {
    let webhook = state
        .sites
        .get(&visitor.session.site)
        .is_some_and(|s| s.callback.as_ref().is_some_and(|c| c.webhook.is_some()));
    match state.store.cancel_callback(visitor.session.id, &id, now(), webhook).await? {
        Ok(row) => {
            state.webhook_wake.notify_one();
            Ok((no_store(), Json(visitor_view(row))).into_response())
        }
        Err(Refusal::NotFound) => Err(not_found()),
        Err(Refusal::Conflict(why)) => Err(Error::Conflict(why.to_owned())),
    }
}
