//! The Accueil widget: the document the embed iframe loads. A home view with search and the ways to
//! reach the brand, French and English, themed by the site's config, talking to the Accueil server in
//! `accueil_protocol` types and to the host page through origin-pinned `postMessage`.

pub mod api;
pub mod components;
pub mod embed;
pub mod faq;
pub mod host;
pub mod i18n;

pub use components::app::App;

/// Mounts the widget on the document body; the entry point of the wasm binary.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
