//! The inbox: the waiting / mine / all lists that the chat and callback work fills. For now it states
//! honestly that nothing is waiting.

use crate::i18n::Key;
use crate::use_console;
use leptos::prelude::*;

#[component]
pub fn Inbox() -> impl IntoView {
    let console = use_console();
    view! {
        <h1>{console.t(Key::Inbox)}</h1>
        <nav class="ac-tabs" aria-label=console.t(Key::Inbox)>
            <a href="#waiting" aria-current="page">{console.t(Key::Waiting)} " (0)"</a>
            <a href="#mine">{console.t(Key::Mine)} " (0)"</a>
            <a href="#all">{console.t(Key::All)} " (0)"</a>
        </nav>
        <p class="ac-empty">{console.t(Key::EmptyInbox)}</p>
    }
}
