//! A channel's view (chat, callback, community). Each channel's own issue fills it; until then it says
//! plainly that the service opens here soon and shows the site's real opening hours.

use super::app::{View, use_widget};
use crate::i18n::{Key, weekday};
use accueil_protocol::SiteConfig;
use leptos::prelude::*;

#[component]
pub fn ChannelView(
    /// Which channel (chat, callback or community).
    view: View,
    config: SiteConfig,
) -> impl IntoView {
    let widget = use_widget();
    let show_hours = matches!(view, View::Chat | View::Callback);
    let hours = config.business_hours.weekly;
    let carried = move || Some(widget.query.get()).filter(|q| !q.trim().is_empty());
    view! {
        <section class="aw-channel">
            {move || carried().map(|query| view! {
                <p class="aw-carried"><span class="aw-label">{widget.t(Key::YourQuestion)}</span> "« " {query} " »"</p>
            })}
            <p class="aw-note">{move || widget.t(Key::ChannelSoon)}</p>
            <Show when=move || show_hours>
                <h2 class="aw-subtitle">{move || widget.t(Key::OtherWays)}</h2>
                <ul class="aw-hours">
                    {hours
                        .clone()
                        .into_iter()
                        .map(|span| {
                            let days = span.days.clone();
                            view! {
                                <li>
                                    <span>
                                        {move || {
                                            let locale = widget.locale.get();
                                            days.iter().map(|d| weekday(locale, *d)).collect::<Vec<_>>().join(", ")
                                        }}
                                    </span>
                                    <span class="aw-hours-time">{format!("{} – {}", span.opens, span.closes)}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <p class="aw-hint">{config.business_hours.time_zone.clone()}</p>
            </Show>
        </section>
    }
}
