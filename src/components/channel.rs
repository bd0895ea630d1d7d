//! What a visitor sees who reaches a channel the site has switched off (an old link, a cached page):
//! plainly that it is not offered here, and the ways that are, so nobody is stuck on a dead end.

use super::app::use_widget;
use super::home::ChannelEntries;
use crate::i18n::Key;
use accueil_protocol::SiteConfig;
use leptos::prelude::*;

#[component]
pub fn ChannelView(config: SiteConfig) -> impl IntoView {
    let widget = use_widget();
    let carried = move || Some(widget.query.get()).filter(|q| !q.trim().is_empty());
    view! {
        <section class="aw-channel">
            {move || carried().map(|query| view! {
                <p class="aw-carried"><span class="aw-label">{widget.t(Key::YourQuestion)}</span> "« " {query} " »"</p>
            })}
            <p class="aw-note">{move || widget.t(Key::ChannelOff)}</p>
            <ChannelEntries features=config.features />
        </section>
    }
}
