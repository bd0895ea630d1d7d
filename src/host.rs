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

/// The host's message in `event`, if it really comes from the parent window at the host origin.
pub fn receive(host_origin: Option<&str>, event: &MessageEvent) -> Option<HostMessage> {
    if Some(event.origin().as_str()) != host_origin {
        return None;
    }
    let parent = web_sys::window()?.parent().ok().flatten()?;
    let source = event.source()?;
    if !js_sys::Object::is(&source, &JsValue::from(parent)) {
        return None;
    }
    let json = js_sys::JSON::stringify(&event.data()).ok()?.as_string()?;
    serde_json::from_str(&json).ok()
}
