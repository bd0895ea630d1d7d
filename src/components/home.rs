//! The home view: the search box on top, answers as the visitor types (or frequent questions before),
//! then the ways to reach a person, always in reach.

use super::app::{View, use_widget};
use super::icons::ChevronIcon;
use super::results::SearchResults;
use crate::i18n::Key;
use crate::i18n::home::HomeKey;
use accueil_protocol::{Features, SiteConfig};
use leptos::prelude::*;
use std::time::Duration;

/// A query the visitor has not changed for this long is reported as a search they settled on.
const SETTLED_AFTER: Duration = Duration::from_millis(1500);

#[component]
pub fn Home(config: SiteConfig) -> impl IntoView {
    let widget = use_widget();
    let features = config.features;
    let pending = StoredValue::new(None::<TimeoutHandle>);
    // Each query is reported once the visitor pauses on it; leaving the results first (an answer, a
    // channel, closing the panel) reports it at once (`Widget::settle_search`).
    Effect::new(move |_| {
        let query = widget.query.get();
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        widget.typed_search(query, |widget, query| {
            widget.loaded_faq().map_or(0, |faq| faq.search(query, 5).len()) as u32
        });
        let handle = set_timeout_with_handle(move || widget.settle_search(), SETTLED_AFTER);
        pending.set_value(handle.ok());
    });
    on_cleanup(move || widget.settle_search());
    view! {
        <Show when=move || features.faq>
            <form class="aw-search" role="search" on:submit=|event| event.prevent_default()>
                <label class="aw-label" for="aw-search-input">{move || widget.t(HomeKey::SearchLabel)}</label>
                <input
                    id="aw-search-input"
                    class="aw-input"
                    type="search"
                    autocomplete="off"
                    enterkeyhint="search"
                    maxlength="200"
                    placeholder=move || widget.t(HomeKey::SearchPlaceholder)
                    prop:value=widget.query
                    on:input=move |event| widget.query.set(event_target_value(&event))
                />
            </form>
            <SearchResults />
        </Show>
        <ChannelEntries features=features />
    }
}

/// One large entry per channel the site has switched on.
#[component]
pub fn ChannelEntries(features: Features) -> impl IntoView {
    let widget = use_widget();
    let entries = [
        (features.chat, View::Chat, Key::Chat, HomeKey::ChatHint),
        (features.callback, View::Callback, Key::Callback, HomeKey::CallbackHint),
        (features.community, View::Community, Key::Community, HomeKey::CommunityHint),
    ];
    view! {
        <ul class="aw-entries">
            {entries
                .into_iter()
                .filter(|(enabled, ..)| *enabled)
                .map(|(_, view, title, hint)| {
                    let is_community = view == View::Community;
                    let is_chat = view == View::Chat;
                    view! {
                        <li>
                            <button class="aw-entry" type="button" on:click=move |_| widget.navigate(view.clone())>
                                <span class="aw-entry-text">
                                    <span class="aw-entry-title">{move || widget.t(title)}</span>
                                    <span class="aw-entry-hint">{move || widget.t(hint)}</span>
                                    {move || (is_chat && widget.chat_open.get()).then(|| view! {
                                        <span class="aw-badge">{widget.t(HomeKey::OngoingChat)}</span>
                                    })}
                                    {move || (is_community && widget.unread.get() > 0).then(|| view! {
                                        <span class="aw-badge">{format!("{} {}", widget.unread.get(), widget.t(Key::NewAnswers))}</span>
                                    })}
                                </span>
                                <ChevronIcon />
                            </button>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
