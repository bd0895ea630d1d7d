//! The sign-in form: labelled fields, a message next to the field at fault, and a form-level alert for
//! wrong credentials that does not say which of the two was wrong.

use crate::i18n::Key;
use crate::{Screen, api, use_console};
use accueil_protocol::ErrorCode;
use leptos::prelude::*;

#[component]
pub fn SignIn() -> impl IntoView {
    let console = use_console();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let email_error = RwSignal::new(None::<Key>);
    let password_error = RwSignal::new(None::<Key>);
    let form_error = RwSignal::new(None::<Key>);
    let pending = RwSignal::new(false);

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let (e, p) = (email.get_untracked().trim().to_owned(), password.get_untracked());
        email_error.set(e.is_empty().then_some(Key::EmailRequired));
        password_error.set(p.is_empty().then_some(Key::PasswordRequired));
        form_error.set(None);
        if e.is_empty() || p.is_empty() || pending.get_untracked() {
            return;
        }
        pending.set(true);
        leptos::task::spawn_local(async move {
            match api::login(e, p).await {
                Ok(agent) => console.screen.set(Screen::SignedIn(agent)),
                Err(api::ApiFailure::Refused { body: Some(body), .. })
                    if body.error.code == ErrorCode::Unauthorized =>
                {
                    form_error.set(Some(Key::WrongCredentials));
                    password.set(String::new());
                }
                // Ten wrong passwords in a row lock the account for a while (or this address tried
                // too often): either way, waiting or a new password by email gets back in.
                Err(api::ApiFailure::Refused { status: 429, .. }) => form_error.set(Some(Key::AccountLocked)),
                Err(_) => form_error.set(Some(Key::Unreachable)),
            }
            pending.set(false);
        });
    };

    let field_error = move |id: &'static str, error: RwSignal<Option<Key>>| {
        move || error.get().map(|key| view! { <p class="ac-field-error" id=id>{console.t(key)}</p> })
    };

    view! {
        <main class="ac-signin">
            <h1>{console.t(Key::SignInTitle)}</h1>
            <form on:submit=submit novalidate>
                {move || form_error.get().map(|key| view! { <p class="ac-alert" role="alert">{console.t(key)}</p> })}
                <label for="ac-email">{console.t(Key::Email)}</label>
                <input
                    id="ac-email"
                    type="email"
                    autocomplete="username"
                    aria-invalid=move || email_error.get().is_some().to_string()
                    aria-describedby="ac-email-error"
                    prop:value=email
                    on:input=move |ev| email.set(event_target_value(&ev))
                />
                {field_error("ac-email-error", email_error)}
                <label for="ac-password">{console.t(Key::Password)}</label>
                <input
                    id="ac-password"
                    type="password"
                    autocomplete="current-password"
                    aria-invalid=move || password_error.get().is_some().to_string()
                    aria-describedby="ac-password-error"
                    prop:value=password
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                {field_error("ac-password-error", password_error)}
                <button type="submit" disabled=pending>
                    {move || console.t(if pending.get() { Key::SigningIn } else { Key::SignIn })}
                </button>
            </form>
            <button type="button" class="ac-link" on:click=move |_| console.screen.set(Screen::Forgotten)>
                {console.t(Key::ForgotPassword)}
            </button>
        </main>
    }
}
