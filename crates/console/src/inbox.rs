//! The inbox: the signed-in agent, sign-out, and the waiting / mine / all lists that the chat and
//! callback work fills. For now it states honestly that nothing is waiting.

use crate::i18n::Key;
use crate::{Screen, api, use_console};
use accueil_protocol::Agent;
use leptos::prelude::*;

#[component]
pub fn Inbox(agent: Agent) -> impl IntoView {
    let console = use_console();
    let sign_out = move |_| {
        leptos::task::spawn_local(async move {
            // Whatever the server says, this tab forgets the agent; the cookie is HttpOnly and the
            // server clears it.
            let _ = api::logout().await;
            console.screen.set(Screen::SignIn);
        });
    };
    view! {
        <header class="ac-top">
            <p class="ac-product">"Accueil"</p>
            <p class="ac-who">{console.t(Key::SignedInAs)} " " <strong>{agent.name.clone()}</strong></p>
            <button type="button" class="ac-secondary" on:click=sign_out>{console.t(Key::SignOut)}</button>
        </header>
        <main class="ac-inbox">
            <h1>{console.t(Key::Inbox)}</h1>
            <nav class="ac-tabs" aria-label=console.t(Key::Inbox)>
                <a href="#waiting" aria-current="page">{console.t(Key::Waiting)} " (0)"</a>
                <a href="#mine">{console.t(Key::Mine)} " (0)"</a>
                <a href="#all">{console.t(Key::All)} " (0)"</a>
            </nav>
            <p class="ac-empty">{console.t(Key::EmptyInbox)}</p>
        </main>
    }
}
