//! The root component: owns the widget's state (locale, current view, site config) behind a
//! `Widget` context handle, wires the host channel, and lays out header, main and footer.

use super::header::Header;
use crate::api::{self, ApiFailure};
use crate::embed::{EmbedParams, starting_locale};
use crate::faq::LoadedFaq;
use crate::host;
use crate::i18n::{self, Key};
use crate::session;
use accueil_protocol::{FaqEvent, HostMessage, Locale, SiteConfig, VisitContext, WidgetMessage};
use leptos::prelude::*;
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// One of the widget's documents: the home document (search, answers) or a channel's own document,
/// so that a visitor downloads a channel's code only when they open that channel. Views of another
/// document are reached by navigating the iframe there (see `Widget::navigate`).
pub struct Document {
    /// The view it opens on.
    pub first_view: View,
    /// Whether `view` is one of this document's.
    pub shows: fn(&View) -> bool,
    /// Started once the widget state exists (e.g. loading the FAQ).
    pub setup: fn(Widget),
    /// The main area for a view of this document.
    pub content: fn(View, SiteConfig) -> AnyView,
    /// Hears every message from the host page too (the documents where visitors act take the
    /// identity it may send).
    pub hears: fn(Widget, &web_sys::MessageEvent),
}

/// Where the visitor is inside the widget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    Home,
    /// A FAQ entry, by id.
    Article(String),
    Chat,
    Callback,
    Community,
    /// What the server holds about the visitor: see, download, erase.
    Data,
}

/// Something loaded from the server: `None` while loading. Plain signals filled by `spawn_local` rather
/// than `LocalResource`s: each resource type adds ~15 KB of async machinery to the wasm.
pub type Loading<T> = RwSignal<Option<Result<T, ApiFailure>>, LocalStorage>;

/// The FAQ of the current locale; `Some(Ok(None))` when the site has none.
pub type FaqState = Loading<Option<Rc<LoadedFaq>>>;

/// How many good answers a query finds (for the search reports).
pub type AnswerCount = fn(Widget, &str) -> u32;

/// The widget's shared state, handed to components through context. Cheap to copy.
#[derive(Clone, Copy)]
pub struct Widget {
    pub locale: RwSignal<Locale>,
    pub view: RwSignal<View>,
    pub config: Loading<SiteConfig>,
    pub faq: FaqState,
    /// What the visitor typed in the search box; carried to the chat, callback and community views.
    pub query: RwSignal<String>,
    /// Answers to the visitor's community questions not yet seen (on the launcher badge too).
    pub unread: RwSignal<u32>,
    /// The visitor has a conversation still open: the home view offers it first.
    pub chat_open: RwSignal<bool>,
    /// The host's panel shows the widget (always, when it is not embedded): what arrives while it is
    /// hidden is unread.
    pub panel_open: RwSignal<bool>,
    /// This visit's searches and answers read, handed to the agent with a request for a person.
    visit: StoredValue<VisitContext>,
    /// A query typed and not yet reported as a search (it reports when the visitor pauses, or leaves
    /// the results first), with how to count its good answers.
    unsettled_search: StoredValue<Option<(String, AnswerCount)>>,
    site: StoredValue<String>,
    host_origin: StoredValue<Option<String>>,
    /// The host page's `data-topic`, for its community questions.
    pub topic: StoredValue<Option<String>>,
    document: &'static Document,
    title: NodeRef<leptos::html::H1>,
    main: NodeRef<leptos::html::Main>,
}

impl Widget {
    pub fn t(self, key: impl i18n::Phrase) -> &'static str {
        i18n::text(self.locale.get(), key)
    }

    /// The host page's origin, when the widget is embedded.
    pub fn host_origin(self) -> Option<String> {
        self.host_origin.get_value()
    }

    pub fn is_embedded(self) -> bool {
        self.host_origin.with_value(Option::is_some)
    }

    /// Shows `view` from its top and moves focus to its title, so screen readers announce where the
    /// visitor landed. A view of another document replaces this one (no history entry, so the host
    /// page's back button keeps its meaning), carrying the search and visit along.
    pub fn navigate(self, view: View) {
        let leaving = !(self.document.shows)(&view);
        // Leaving the results: what was typed counts as a search, timer or not (and survives this
        // document going away).
        self.settle_search_as(leaving);
        if leaving {
            let path = match view {
                View::Callback => "/widget/callback/",
                View::Community => "/widget/community/",
                View::Chat => "/widget/chat/",
                View::Data => "/widget/data/",
                _ => "/widget/",
            };
            session::carry(&self.site(), &self.query.get_untracked(), &self.visit_context());
            // `carried` tells the next document to read what this one hands over: a document opened from
            // the launcher then never touches storage on its way to the first paint.
            let mut url = format!(
                "{path}?carried=1&site={}&locale={}",
                String::from(js_sys::encode_uri_component(&self.site())),
                self.locale.get_untracked().tag()
            );
            let extra = [("host", self.host_origin.get_value()), ("topic", self.topic.get_value())];
            for (name, value) in extra {
                if let Some(value) = value {
                    url.push_str(&format!("&{name}={}", String::from(js_sys::encode_uri_component(&value))));
                }
            }
            if let Some(window) = web_sys::window() {
                let _ = window.location().replace(&url);
            }
            return;
        }
        self.view.set(view);
        if let Some(main) = self.main.get_untracked() {
            main.set_scroll_top(0);
        }
        self.focus_title();
    }

    pub fn site(self) -> String {
        self.site.get_value()
    }

    /// What the visitor did during this visit, with the page the widget was opened from.
    pub fn visit_context(self) -> VisitContext {
        let mut context = self.visit.get_value();
        if context.page.is_none() {
            // The loader names the page; without it (the widget opened on its own), the referrer. A
            // document opened from another of the widget's was handed the page along with the visit.
            context.page =
                web_sys::window().and_then(|w| w.document()).map(|d| d.referrer()).filter(|page| !page.is_empty());
        }
        context
    }

    /// The visitor typed `query` in the search box: it is reported as a search once they pause
    /// (`settle_search`), or as soon as they leave the results. `answers` counts its good answers when
    /// it is reported; the home view passes it, so only the home document links the search engine.
    pub fn typed_search(self, query: String, answers: AnswerCount) {
        self.unsettled_search.set_value(Some((query, answers)));
    }

    /// Reports the query typed and not reported yet, once, with how many good answers it found: the
    /// agent's view of the visit and the product team's "searched and not found" come from these.
    pub fn settle_search(self) {
        self.settle_search_as(false);
    }

    fn settle_search_as(self, leaving: bool) {
        let Some((query, answers)) = self.unsettled_search.get_value() else { return };
        self.unsettled_search.set_value(None);
        let query = query.trim().to_owned();
        let already = self.visit.with_value(|visit| visit.searches.last() == Some(&query));
        if query.is_empty() || already {
            return;
        }
        let results = answers(self, &query);
        self.send_report(FaqEvent::Search { query, results }, leaving);
    }

    /// Opens a FAQ entry and records the view (with the query that led there, if any).
    pub fn open_article(self, id: String) {
        self.settle_search();
        let query = self.query.get_untracked();
        let query = (!query.trim().is_empty()).then_some(query);
        if let Some(entry) = self.faq.with_untracked(|faq| {
            faq.as_ref()
                .and_then(|f| f.as_ref().ok())
                .cloned()
                .flatten()
                .and_then(|f| f.entry(&id).map(|e| e.question.clone()))
        }) {
            self.visit.update_value(|visit| remember(&mut visit.articles, entry));
        }
        self.report(FaqEvent::View { entry: id.clone(), query });
        self.navigate(View::Article(id));
    }

    /// Sends an anonymous FAQ event for the product team.
    pub fn report(self, event: FaqEvent) {
        self.send_report(event, false);
    }

    fn send_report(self, event: FaqEvent, leaving: bool) {
        if let FaqEvent::Search { query, .. } = &event {
            self.visit.update_value(|visit| remember(&mut visit.searches, query.clone()));
        }
        self.site.with_value(|site| api::report(site, self.locale.get_untracked(), event, leaving));
    }

    /// The loaded FAQ, if any (tracked).
    pub fn loaded_faq(self) -> Option<Rc<LoadedFaq>> {
        self.faq.with(|faq| faq.as_ref().and_then(|f| f.as_ref().ok()).cloned().flatten())
    }

    /// The panel's title for the current view.
    pub fn title_text(self) -> String {
        match self.view.get() {
            View::Home => self.t(Key::HowCanWeHelp).to_owned(),
            View::Article(id) => self
                .loaded_faq()
                .and_then(|faq| faq.entry(&id).map(|e| e.question.clone()))
                .unwrap_or_else(|| self.t(Key::Answer).to_owned()),
            View::Chat => self.t(Key::Chat).to_owned(),
            View::Callback => self.t(Key::Callback).to_owned(),
            View::Community => self.t(Key::Community).to_owned(),
            View::Data => self.t(Key::YourData).to_owned(),
        }
    }

    pub fn focus_title(self) {
        // While the server's first view shows, its title is the one on screen.
        let first = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("aw-first-title"))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(title) = first {
            let _ = title.focus();
        } else if let Some(title) = self.title.get_untracked() {
            let _ = title.focus();
        }
    }

    /// Tells the host page how many new things wait for the visitor (the launcher's badge).
    pub fn set_unread(self, count: u32) {
        self.unread.set(count);
        self.host_origin.with_value(|origin| host::post(origin.as_deref(), &WidgetMessage::Unread { count }));
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
        self.config.with(|c| c.as_ref().and_then(|c| c.as_ref().ok()).map(|c| c.name.clone()))
    }

    /// (Re)loads the site's configuration, e.g. after "try again".
    pub fn load_config(self) {
        self.config.set(None);
        let site = self.site.get_value();
        leptos::task::spawn_local(async move { self.config.set(Some(api::site_config(&site).await)) });
    }

    /// A returning visitor who asked the community sees how many answers are new, in the widget and on
    /// the launcher, and one with a conversation still open sees it first. Nothing is asked of a visitor who never posted (no token is stored). Checked a
    /// moment after start, so storage access stays off the way to the first paint.
    pub fn check_unread(self) {
        let check = move || {
            let Some(token) = session::stored(&self.site()) else { return };
            leptos::task::spawn_local(async move {
                if let Ok(mine) = api::my_threads(&token).await {
                    self.set_unread(mine.unread);
                }
                self.chat_open.set(api::has_open_conversation(&token).await);
            });
        };
        set_timeout(check, std::time::Duration::from_millis(800));
    }

    /// Loads the FAQ now and again whenever the language changes. It is requested at once for the
    /// starting language, in parallel with the config (the server preloads both); the memo reloads it
    /// only if the config settles another language.
    pub fn follow_faq(self) {
        let faq_locale = Memo::new(move |_| self.locale.get());
        Effect::new(move |_| {
            let _ = faq_locale.get();
            self.load_faq();
        });
    }

    /// Loads the FAQ of the current locale; an answer for a locale the visitor has left is dropped.
    fn load_faq(self) {
        let (site, locale) = (self.site.get_value(), self.locale.get_untracked());
        self.faq.set(None);
        leptos::task::spawn_local(async move {
            let faq = api::faq(site, locale).await.map(|faq| faq.map(|f| Rc::new(LoadedFaq::new(f))));
            if self.locale.get_untracked() == locale {
                let loaded = faq.as_ref().ok().cloned().flatten();
                self.faq.set(Some(faq));
                // Once the questions are painted (after the next frame), the search index is built, so
                // it is ready for the first keystroke without delaying what the visitor sees first.
                if let Some(loaded) = loaded {
                    request_animation_frame(move || set_timeout(move || loaded.warm(), std::time::Duration::ZERO));
                }
            }
        });
    }
}

/// Keeps the latest 20 distinct items, oldest first.
fn remember(items: &mut Vec<String>, item: String) {
    items.retain(|known| *known != item);
    items.push(item);
    if items.len() > 20 {
        items.remove(0);
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

/// The panel of one widget document: header, the document's views, footer, and the host channel.
#[component]
pub fn App(document: &'static Document) -> impl IntoView {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    let params = EmbedParams::from_query(&search);
    let requested_locale = params.locale.or_else(browser_locale);
    // Coming from another of the widget's documents: the visitor's search and visit come along.
    let carried = params.carried.then(|| session::take_carried(&params.site)).flatten();
    let widget = Widget {
        locale: RwSignal::new(requested_locale.unwrap_or(Locale::Fr)),
        // A frequent question's link in the home's first view opens its answer.
        view: RwSignal::new(match (&document.first_view, params.entry.clone()) {
            (View::Home, Some(entry)) => View::Article(entry),
            (first, _) => first.clone(),
        }),
        config: RwSignal::new_local(None),
        faq: RwSignal::new_local(None),
        query: RwSignal::new(carried.as_ref().map(|(q, _)| q.clone()).or_else(first_view_query).unwrap_or_default()),
        unread: RwSignal::new(0),
        chat_open: RwSignal::new(false),
        panel_open: RwSignal::new(params.host_origin.is_none()),
        visit: StoredValue::new(
            carried.as_ref().map_or_else(
                || VisitContext { page: params.page.clone(), ..VisitContext::default() },
                |(_, v)| v.clone(),
            ),
        ),
        unsettled_search: StoredValue::new(None),
        site: StoredValue::new(params.site.clone()),
        host_origin: StoredValue::new(params.host_origin),
        topic: StoredValue::new(params.topic),
        document,
        title: NodeRef::new(),
        main: NodeRef::new(),
    };
    provide_context(widget);
    take_over(widget);
    widget.load_config();
    (document.setup)(widget);
    if carried.is_some() {
        // A new document after a tap: screen readers hear where the visitor landed.
        request_animation_frame(move || widget.focus_title());
    }

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
            Some(HostMessage::Opened) => {
                widget.panel_open.set(true);
                // Screen readers hear where they are; a visitor already typing in a field keeps it.
                if !typing_in_a_field() {
                    widget.focus_title();
                }
            }
            Some(HostMessage::Closed) => {
                widget.settle_search();
                widget.panel_open.set(false);
            }
            Some(HostMessage::SetLocale { locale }) => widget.locale.set(locale),
            None => (document.hears)(widget, &event),
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
            <main class="aw-main" node_ref=widget.main>
                {move || match widget.config.get() {
                    None => view! { <p class="aw-status" role="status">{widget.t(Key::Loading)}</p> }.into_any(),
                    Some(Err(_)) => view! {
                        <div class="aw-failure" role="alert">
                            <p>{widget.t(Key::LoadFailed)}</p>
                            <button class="aw-button" type="button" on:click=move |_| widget.load_config()>
                                {widget.t(Key::Retry)}
                            </button>
                        </div>
                    }.into_any(),
                    Some(Ok(config)) => (document.content)(widget.view.get(), config),
                }}
            </main>
            <footer class="aw-footer">{privacy_note(widget)}</footer>
        </div>
    }
}

/// What the widget keeps about the visitor, in a sentence, and the way to "Your data": the footer of
/// every document, and the top of the chat's history (where a footer would take the messages' room).
pub fn privacy_note(widget: Widget) -> impl IntoView {
    view! {
        <p>{move || widget.t(Key::Anonymous)}</p>
        // Every document but the data one leads there; a plain branch, not a `Show`, which
        // would cost the home document's size budget more than this whole link.
        {(!(widget.document.shows)(&View::Data)).then(|| view! {
            <button class="aw-link" type="button" on:click=move |_| widget.navigate(View::Data)>
                {move || widget.t(Key::YourData)}
            </button>
        })}
    }
}

/// Whether the focus is in a text field of this document (the first view's search box, say).
fn typing_in_a_field() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA"))
}

/// The first view the server wrote into the document (`first_view` on the server), when there is one.
fn first_view() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.get_element_by_id("aw-first-view")
}

/// What the visitor typed in the first view's search box.
fn first_view_query() -> Option<String> {
    let input = web_sys::window()?.document()?.get_element_by_id("aw-first-search")?;
    let value = input.dyn_into::<web_sys::HtmlInputElement>().ok()?.value();
    (!value.is_empty()).then_some(value)
}

/// Takes over the server's first view once this panel shows the same (the site's config and, on the
/// home of a site with a FAQ, its questions): until then the first view stays and this panel is hidden (CSS), so
/// nothing flickers. What the visitor typed meanwhile is searched, and the caret stays where it was.
fn take_over(widget: Widget) {
    let Some(first) = first_view() else { return };
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        let ready = match widget.config.get() {
            None => false,
            // Only the home shows the FAQ; the channels' documents never load it.
            Some(Ok(config)) if config.features.faq && widget.document.first_view == View::Home => {
                widget.faq.with(Option::is_some)
            }
            Some(_) => true,
        };
        if ready {
            // After this frame's render, so the panel has its search box to focus; what was typed is
            // read then, so a keystroke between now and then is not lost.
            let first = first.clone();
            request_animation_frame(move || {
                if let Some(query) = first_view_query() {
                    widget.query.set(query);
                }
                let focused =
                    web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element()).map(|e| e.id());
                let typing = focused.as_deref() == Some("aw-first-search");
                first.remove();
                if focused.as_deref() == Some("aw-first-title") {
                    widget.focus_title();
                }
                if typing {
                    let input = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.get_element_by_id("aw-search-input"))
                        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok());
                    if let Some(input) = input {
                        let _ = input.focus();
                        let end = input.value().len() as u32;
                        let _ = input.set_selection_range(end, end);
                    }
                }
            });
        }
        ready
    });
}

/// `use_context` for the widget state; every component lives under `App`, which provides it.
pub fn use_widget() -> Widget {
    expect_context::<Widget>()
}

#[cfg(test)]
mod tests {
    use super::remember;

    #[test]
    fn the_visit_keeps_the_latest_twenty_distinct_items_oldest_first() {
        let mut items = Vec::new();
        for i in 0..25 {
            remember(&mut items, format!("q{i}"));
        }
        remember(&mut items, "q10".to_owned());
        assert_eq!(items.len(), 20);
        assert_eq!((items[0].as_str(), items[19].as_str()), ("q5", "q10"));
    }
}
