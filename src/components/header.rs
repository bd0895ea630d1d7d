//! The panel header: back (inside a channel), the brand and the view's title, the language switch,
//! and close (only when embedded: a standalone page has nothing to close).

use super::app::{View, use_widget};
use super::icons::{BackIcon, CloseIcon};
use crate::i18n::{Key, other};
use leptos::prelude::*;

#[component]
pub fn Header(
    /// Receives focus when the panel opens or the view changes.
    title: NodeRef<leptos::html::H1>,
) -> impl IntoView {
    let widget = use_widget();
    let in_channel = move || widget.view.get() != View::Home;
    view! {
        <header class="aw-header">
            <Show when=in_channel>
                <button
                    class="aw-icon-button"
                    type="button"
                    aria-label=move || widget.t(Key::Back)
                    on:click=move |_| widget.navigate(View::Home)
                >
                    <BackIcon />
                </button>
            </Show>
            <div class="aw-heading">
                <p class="aw-brand">
                    {move || widget.site_name().unwrap_or_default()}
                    <Show when=move || !in_channel()>" · " {move || widget.t(Key::Greeting)}</Show>
                </p>
                <h1 class="aw-title" tabindex="-1" node_ref=title>
                    {move || widget.title_text()}
                </h1>
            </div>
            <button
                class="aw-language"
                type="button"
                lang=move || other(widget.locale.get()).tag()
                aria-label=move || widget.t(Key::SwitchLanguage)
                on:click=move |_| widget.switch_locale()
            >
                {move || widget.t(Key::OtherLanguage)}
            </button>
            <Show when=move || widget.is_embedded()>
                <button
                    class="aw-icon-button"
                    type="button"
                    aria-label=move || widget.t(Key::Close)
                    on:click=move |_| widget.close()
                >
                    <CloseIcon />
                </button>
            </Show>
        </header>
    }
}
