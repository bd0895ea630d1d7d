//! The root component: owns the widget's state (locale, current view, site config) behind a
//! `Widget` context handle, wires the host channel, and lays out header, main and footer.

use super::channel::ChannelView;
use super::header::Header;
use super::home::Home;
use crate::api::{self, ApiFailure};
use crate::embed::{EmbedParams, starting_locale};
use crate::host;
use crate::i18n::{self, Key};
use accueil_protocol::{HostMessage, Locale, SiteConfig, WidgetMessage};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Where the visitor is inside the widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Home,
    Chat,
    Callback,
    Community,
}

impl View {
    pub fn title(self) -> Key {
        match self {
            View::Home => Key::HowCanWeHelp,
            View::Chat => Key::Chat,
            View::Callback => Key::Callback,
            View::Community => Key::Community,
        }
    }
}

/// The widget's shared state, handed to components through context. Cheap to copy.
#[derive(Clone, Copy)]
pub struct Widget {
    pub locale: RwSignal<Locale>,
    pub view: RwSignal<View>,
    pub config: LocalResource<Result<SiteConfig, ApiFailure>>,
    host_origin: StoredValue<Option<String>>,
    title: NodeRef<leptos::html::H1>,
}

impl Widget {
    pub fn t(self, key: Key) -> &'static str {
        i18n::text(self.locale.get(), key)
    }

    pub fn is_embedded(self) -> bool {
        self.host_origin.with_value(Option::is_some)
    }

    /// Shows `view` and moves focus to its title, so screen readers announce where the visitor landed.
    pub fn navigate(self, view: View) {
        self.view.set(view);
        self.focus_title();
    }

    pub fn focus_title(self) {
        if let Some(title) = self.title.get_untracked() {
            let _ = title.focus();
        }
    }

    /// Asks the host page to close the panel.
    pub fn close(self) {
        self.host_origin.with_value(|origin| host::post(origin.as_deref(), &WidgetMessage::Close));
    }

    /// Switches to the other language and tells the host, whose launcher speaks it too.
    pub fn switch_locale(self) {
        let locale = i18n::other(self.locale.get_untracked());
        self.locale.set(locale);
        self.host_origin.with_value(|origin| host::post(origin.as_deref(), &WidgetMessage::LocaleChanged { locale }));
    }

    pub fn site_name(self) -> Option<String> {
        self.config.get().and_then(Result::ok).map(|c| c.name)
    }
}

fn browser_locale() -> Option<Locale> {
    web_sys::window()?.navigator().language().as_deref().and_then(Locale::from_tag)
}

fn document_element() -> Option<web_sys::HtmlElement> {
    web_sys::window()?.document()?.document_element()?.dyn_into().ok()
}

/// Applies the site's brand colours as CSS custom properties (through the CSSOM, which the strict
/// `style-src 'self'` policy allows, unlike a style attribute).
fn apply_theme(config: &SiteConfig) {
    if let Some(root) = document_element() {
        let style = root.style();
        let _ = style.set_property("--aw-brand", &config.theme.primary);
        let _ = style.set_property("--aw-on-brand", &config.theme.on_primary);
    }
}

#[component]
pub fn App() -> impl IntoView {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    let params = EmbedParams::from_query(&search);
    let requested_locale = params.locale.or_else(browser_locale);
    let site = params.site.clone();
    let widget = Widget {
        locale: RwSignal::new(requested_locale.unwrap_or(Locale::Fr)),
        view: RwSignal::new(View::Home),
        config: LocalResource::new(move || api::site_config_for(site.clone())),
        host_origin: StoredValue::new(params.host_origin),
        title: NodeRef::new(),
    };
    provide_context(widget);

    // Once the site is known, settle the language among those it offers and apply its brand.
    Effect::new(move |_| {
        if let Some(Ok(config)) = widget.config.get() {
            widget.locale.set(starting_locale(requested_locale, &config.locales, config.default_locale));
            apply_theme(&config);
        }
    });
    // The document's language and title follow the widget's, for screen readers and hyphenation.
    Effect::new(move |_| {
        let locale = widget.locale.get();
        if let Some(root) = document_element() {
            let _ = root.set_attribute("lang", locale.tag());
        }
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(i18n::text(locale, Key::WidgetTitle));
        }
    });

    let _ = window_event_listener(leptos::ev::message, move |event| {
        let message = widget.host_origin.with_value(|origin| host::receive(origin.as_deref(), &event));
        match message {
            Some(HostMessage::Opened) => widget.focus_title(),
            Some(HostMessage::SetLocale { locale }) => widget.locale.set(locale),
            None => {}
        }
    });
    let _ = window_event_listener(leptos::ev::keydown, move |event| {
        if event.key() == "Escape" {
            widget.close();
        }
    });
    widget.host_origin.with_value(|origin| host::post(origin.as_deref(), &WidgetMessage::Ready));

    view! {
        <div class="aw-panel">
            <Header title=widget.title />
            <main class="aw-main">
                {move || match widget.config.get() {
                    None => view! { <p class="aw-status" role="status">{widget.t(Key::Loading)}</p> }.into_any(),
                    Some(Err(_)) => view! {
                        <div class="aw-failure" role="alert">
                            <p>{widget.t(Key::LoadFailed)}</p>
                            <button class="aw-button" type="button" on:click=move |_| widget.config.refetch()>
                                {widget.t(Key::Retry)}
                            </button>
                        </div>
                    }.into_any(),
                    Some(Ok(config)) => match widget.view.get() {
                        View::Home => view! { <Home config=config /> }.into_any(),
                        other => view! { <ChannelView view=other config=config /> }.into_any(),
                    },
                }}
            </main>
            <footer class="aw-footer">
                <p>{move || widget.t(Key::Anonymous)}</p>
            </footer>
        </div>
    }
}

/// `use_context` for the widget state; every component lives under `App`, which provides it.
pub fn use_widget() -> Widget {
    expect_context::<Widget>()
}
