//! The home view: a search box on top, then one large entry per channel the site has switched on.

use super::app::{View, use_widget};
use super::icons::ChevronIcon;
use crate::i18n::Key;
use accueil_protocol::SiteConfig;
use leptos::prelude::*;

#[component]
pub fn Home(config: SiteConfig) -> impl IntoView {
    let widget = use_widget();
    let query = RwSignal::new(String::new());
    let features = config.features;
    let entries = [
        (features.chat, View::Chat, Key::Chat, Key::ChatHint),
        (features.callback, View::Callback, Key::Callback, Key::CallbackHint),
        (features.community, View::Community, Key::Community, Key::CommunityHint),
    ];
    view! {
        <Show when=move || features.faq>
            <form class="aw-search" role="search" on:submit=|event| event.prevent_default()>
                <label class="aw-label" for="aw-search-input">{move || widget.t(Key::SearchLabel)}</label>
                <input
                    id="aw-search-input"
                    class="aw-input"
                    type="search"
                    autocomplete="off"
                    enterkeyhint="search"
                    maxlength="200"
                    placeholder=move || widget.t(Key::SearchPlaceholder)
                    prop:value=query
                    on:input=move |event| query.set(event_target_value(&event))
                />
            </form>
            <Show when=move || !query.with(|q| q.trim().is_empty())>
                <p class="aw-note" role="status">{move || widget.t(Key::SearchSoon)}</p>
            </Show>
        </Show>
        <ul class="aw-entries">
            {entries
                .into_iter()
                .filter(|(enabled, ..)| *enabled)
                .map(|(_, view, title, hint)| {
                    view! {
                        <li>
                            <button class="aw-entry" type="button" on:click=move |_| widget.navigate(view)>
                                <span class="aw-entry-text">
                                    <span class="aw-entry-title">{move || widget.t(title)}</span>
                                    <span class="aw-entry-hint">{move || widget.t(hint)}</span>
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
