//! Browser glue for the embed channel: posts `WidgetMessage`s to the host page and reads
//! `HostMessage`s from it, both pinned to the host origin the loader gave (never `'*'`).

use accueil_protocol::{HostMessage, WidgetMessage};
use wasm_bindgen::JsValue;
use web_sys::MessageEvent;

/// Sends `message` to the host page; does nothing when the widget is not embedded.
pub fn post(host_origin: Option<&str>, message: &WidgetMessage) {
    let Some(origin) = host_origin else { return };
    let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else { return };
    let Ok(json) = serde_json::to_string(message) else { return };
    let Ok(value) = js_sys::JSON::parse(&json) else { return };
    // A host that navigated away makes this fail; there is nobody left to tell.
    let _ = parent.post_message(&value, origin);
}

/// Whether `event` really comes from the parent window at the host origin.
fn from_host(host_origin: Option<&str>, event: &MessageEvent) -> bool {
    if Some(event.origin().as_str()) != host_origin {
        return false;
    }
    let parent = web_sys::window().and_then(|w| w.parent().ok().flatten());
    parent.zip(event.source()).is_some_and(|(parent, source)| js_sys::Object::is(&source, &JsValue::from(parent)))
}

/// The host's message in `event`, if it really comes from the parent window at the host origin.
pub fn receive(host_origin: Option<&str>, event: &MessageEvent) -> Option<HostMessage> {
    if !from_host(host_origin, event) {
        return None;
    }
    let json = js_sys::JSON::stringify(&event.data()).ok()?.as_string()?;
    serde_json::from_str(&json).ok()
}

/// The `identity` of a `HostIdentify` message from the host, as the JSON text it is: the widget only
/// passes it on to the server, which alone judges it, so it is not decoded here.
pub fn identity_json(host_origin: Option<&str>, event: &MessageEvent) -> Option<String> {
    if !from_host(host_origin, event) {
        return None;
    }
    let data = event.data();
    let kind = js_sys::Reflect::get(&data, &"type".into()).ok()?.as_string()?;
    if kind != "accueil.identify" {
        return None;
    }
    let identity = js_sys::Reflect::get(&data, &"identity".into()).ok()?;
    js_sys::JSON::stringify(&identity).ok()?.as_string()
}
