//! The visitor's anonymous session token, kept in the widget's own storage (its origin, not the host
//! page's) and only once the visitor has acted, e.g. booked a callback.

use crate::api::{self, ApiFailure};
use crate::components::app::Widget;
use crate::host;
use accueil_protocol::{Locale, VisitContext};
use leptos::prelude::GetUntracked;

/// The host page's `accueil.identify` (sent once this document is ready, so after the tap), for the
/// documents where the visitor acts. The visitor opened a channel: their session starts now if they
/// had none and the identity is sent for it. A verified customer's session from another device may
/// then be the one this token opens: the document starts again on it, to show what it holds.
pub fn hear_identity(widget: Widget, event: &web_sys::MessageEvent) {
    let Some(identity) = host::identity_json(widget.host_origin().as_deref(), event) else { return };
    let site = widget.site();
    let locale = widget.locale.get_untracked();
    leptos::task::spawn_local(async move {
        if let Some(token) = stored(&site) {
            return api::identify(&token, identity).await;
        }
        let Ok(created) = api::create_session(&site, locale, Some(identity)).await else { return };
        keep(&site, &created.token);
        if created.joined
            && let Some(window) = web_sys::window()
        {
            let _ = window.location().reload();
        }
    });
}

fn key(site: &str) -> String {
    format!("accueil.session.{site}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The token kept for `site`, if the visitor ever acted there.
pub fn stored(site: &str) -> Option<String> {
    storage()?.get_item(&key(site)).ok().flatten()
}

/// Drops a token the server no longer knows (the visitor erased their data).
pub fn forget(site: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&key(site));
    }
}

/// Clears everything the widget keeps in this browser for `site` (its token, the community
/// pseudonym, what one document hands the next): after the visitor erased their data, nothing of it
/// stays on the device either.
pub fn forget_everything(site: &str) {
    let window = web_sys::window();
    let stores = [
        window.as_ref().and_then(|w| w.local_storage().ok().flatten()),
        window.and_then(|w| w.session_storage().ok().flatten()),
    ];
    let suffix = format!(".{site}");
    for storage in stores.into_iter().flatten() {
        let count = storage.length().unwrap_or(0);
        let keys: Vec<String> = (0..count).filter_map(|i| storage.key(i).ok().flatten()).collect();
        for key in keys.iter().filter(|k| k.starts_with("accueil.") && k.ends_with(&suffix)) {
            let _ = storage.remove_item(key);
        }
    }
}

fn keep(site: &str, token: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(&key(site), token);
    }
}

/// The stored token, or a new session created now and kept.
pub async fn ensure(site: &str, locale: Locale) -> Result<String, ApiFailure> {
    if let Some(token) = stored(site) {
        return Ok(token);
    }
    let created = api::create_session(site, locale, None).await?;
    keep(site, &created.token);
    Ok(created.token)
}

/// A fresh idempotency key for one submit (a UUID from the browser's CSPRNG).
pub fn new_key() -> String {
    web_sys::window().and_then(|w| w.crypto().ok()).map(|c| c.random_uuid()).unwrap_or_default()
}

/// The session storage key of what one document hands the next.
fn carried_key(site: &str) -> String {
    format!("accueil.carry.{site}")
}

/// Hands the visitor's search and visit to the next document of the widget (same tab, same origin).
pub fn carry(site: &str, query: &str, visit: &VisitContext) {
    let storage = web_sys::window().and_then(|w| w.session_storage().ok().flatten());
    if let (Some(storage), Ok(json)) = (storage, serde_json::to_string(&(query, visit))) {
        let _ = storage.set_item(&carried_key(site), &json);
    }
}

/// What the previous document handed over, once.
pub fn take_carried(site: &str) -> Option<(String, VisitContext)> {
    let storage = web_sys::window()?.session_storage().ok().flatten()?;
    let json = storage.get_item(&carried_key(site)).ok().flatten()?;
    let _ = storage.remove_item(&carried_key(site));
    serde_json::from_str(&json).ok()
}
