//! The Accueil agent console: sign-in, sign-out, and the inbox that the chat, callback and community
//! work will fill. Talks to the server's `/v1/agent/*` routes in `accueil_protocol` types.

mod account;
pub mod api;
mod callbacks;
mod community;
mod dashboard;
mod faq_editor;
pub mod i18n;
mod inbox;
mod links;
mod live;
mod login;
mod report;
mod settings;
mod settings_form;
mod shell;
mod team;

use accueil_protocol::{Agent, Locale};
use leptos::prelude::*;

/// What the console shows: it first asks the server whether the agent's cookie is still good.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Checking,
    SignIn,
    /// Asking for a link to choose a new password.
    Forgotten,
    /// A link from an email (its token): an invitation or a reset, to choose a password with.
    Link(String),
    SignedIn(Agent),
}

/// The token of a link from an email (`#invitation=…`, `#reset=…`), taken out of the address bar so that
/// it leaves no trace in the history once read.
fn link_token() -> Option<String> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok()?;
    let token = hash.strip_prefix("#invitation=").or_else(|| hash.strip_prefix("#reset="))?.to_owned();
    let path = window.location().pathname().ok()?;
    let _ = window.history().ok()?.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    (!token.is_empty()).then_some(token)
}

/// Console-wide state in context.
#[derive(Clone, Copy)]
pub struct Console {
    pub locale: Locale,
    pub screen: RwSignal<Screen>,
    /// A FAQ entry proposed from the community (question, answer), for the editor to open.
    pub faq_draft: RwSignal<Option<(String, String)>>,
}

impl Console {
    pub fn t(self, key: i18n::Key) -> &'static str {
        i18n::text(self.locale, key)
    }

    /// The signed-in agent's id (0 before sign-in, which no agent has).
    pub fn me(self) -> i64 {
        match self.screen.get_untracked() {
            Screen::SignedIn(agent) => agent.id,
            _ => 0,
        }
    }
}

#[component]
pub fn ConsoleApp() -> impl IntoView {
    let locale = web_sys::window()
        .and_then(|w| w.navigator().language())
        .as_deref()
        .and_then(Locale::from_tag)
        .unwrap_or(Locale::Fr);
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", locale.tag());
    }
    let console = Console { locale, screen: RwSignal::new(Screen::Checking), faq_draft: RwSignal::new(None) };
    provide_context(console);
    match link_token() {
        // A link from an email comes first: whoever is signed in on this browser, it is what was opened.
        Some(token) => console.screen.set(Screen::Link(token)),
        None => leptos::task::spawn_local(async move {
            let screen = match api::me().await {
                Ok(agent) => Screen::SignedIn(agent),
                Err(_) => Screen::SignIn,
            };
            console.screen.set(screen);
        }),
    }
    // A link pasted into a tab where the console is already open changes only the fragment: no reload.
    let listener = window_event_listener(leptos::ev::hashchange, move |_| {
        if let Some(token) = link_token() {
            console.screen.set(Screen::Link(token));
        }
    });
    on_cleanup(move || listener.remove());
    move || match console.screen.get() {
        Screen::Checking => view! { <p class="ac-status" role="status">{console.t(i18n::Key::Loading)}</p> }.into_any(),
        Screen::SignIn => view! { <login::SignIn /> }.into_any(),
        Screen::Forgotten => view! { <links::Forgotten /> }.into_any(),
        Screen::Link(token) => view! { <links::SetPassword token=token /> }.into_any(),
        Screen::SignedIn(agent) => view! { <shell::Shell agent=agent /> }.into_any(),
    }
}

pub fn use_console() -> Console {
    expect_context::<Console>()
}

pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(ConsoleApp);
}

/// `rfc3339` in the agent's own time zone and language, formatted by `Intl` with `options` (JSON).
pub(crate) fn local(rfc3339: &str, locale: accueil_protocol::Locale, options: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    let options = js_sys::JSON::parse(options).unwrap_or(wasm_bindgen::JsValue::UNDEFINED);
    date.to_locale_string(locale.tag(), &options).into()
}
