//! Passwords chosen through a link sent by email: asking for a link when the password is forgotten, and
//! the page a link opens (an invitation's welcome or a reset), which sets the password and signs in.

use crate::account::password_field;
use crate::api::{self, ApiFailure};
use crate::i18n::Key;
use crate::{Screen, use_console};
use accueil_protocol::{LinkInfo, LinkPurpose};
use leptos::prelude::*;

/// The words for a refusal that is not about a field.
fn refusal(failure: &ApiFailure) -> Key {
    match failure {
        ApiFailure::Refused { status: 503, .. } => Key::MailUnavailable,
        ApiFailure::Refused { status: 404, .. } => Key::LinkExpired,
        ApiFailure::Refused { status: 429, .. } => Key::TryAgainInAMinute,
        _ => Key::Unreachable,
    }
}

fn back_to_sign_in() -> impl IntoView {
    let console = use_console();
    view! {
        <button type="button" class="ac-link" on:click=move |_| console.screen.set(Screen::SignIn)>
            {console.t(Key::BackToSignIn)}
        </button>
    }
}

#[component]
pub fn Forgotten() -> impl IntoView {
    let console = use_console();
    let email = RwSignal::new(String::new());
    let missing = RwSignal::new(false);
    let sent = RwSignal::new(false);
    let failure = RwSignal::new(None::<Key>);
    let pending = RwSignal::new(false);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let address = email.get_untracked().trim().to_owned();
        missing.set(address.is_empty());
        if address.is_empty() || pending.get_untracked() {
            return;
        }
        pending.set(true);
        leptos::task::spawn_local(async move {
            match api::forgotten_password(address, console.locale).await {
                Ok(()) => {
                    failure.set(None);
                    sent.set(true);
                }
                Err(error) => {
                    sent.set(false);
                    failure.set(Some(refusal(&error)));
                }
            }
            pending.set(false);
        });
    };
    view! {
        <main class="ac-signin">
            <h1>{console.t(Key::ForgottenTitle)}</h1>
            <p>{console.t(Key::ForgottenIntro)}</p>
            <form on:submit=submit novalidate>
                <label for="ac-forgotten-email">{console.t(Key::Email)}</label>
                <input
                    id="ac-forgotten-email"
                    type="email"
                    autocomplete="username"
                    aria-invalid=move || missing.get().to_string()
                    aria-describedby="ac-forgotten-email-error"
                    prop:value=email
                    on:input=move |ev| email.set(event_target_value(&ev))
                />
                <p class="ac-field-error" id="ac-forgotten-email-error">
                    {move || missing.get().then(|| console.t(Key::EmailRequired))}
                </p>
                <button type="submit" disabled=pending>{console.t(Key::SendLink)}</button>
            </form>
            <p role="status">{move || sent.get().then(|| console.t(Key::LinkSent))}</p>
            <p role="alert">{move || failure.get().map(|key| console.t(key))}</p>
            {back_to_sign_in()}
        </main>
    }
}

/// The page a link opens: says whose account it is, asks for the password, and signs in.
#[component]
pub fn SetPassword(token: String) -> impl IntoView {
    let console = use_console();
    let info = RwSignal::new(None::<Result<LinkInfo, ApiFailure>>);
    let asked = token.clone();
    leptos::task::spawn_local(async move { info.set(Some(api::link_info(asked).await)) });
    let password = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<ApiFailure>);
    let pending = RwSignal::new(false);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        let (token, chosen) = (token.clone(), password.get_untracked());
        leptos::task::spawn_local(async move {
            match api::link_password(token, chosen).await {
                Ok(agent) => console.screen.set(Screen::SignedIn(agent)),
                // Used or expired meanwhile: the page says so, as when it opened.
                Err(error @ ApiFailure::Refused { status: 404, .. }) => info.set(Some(Err(error))),
                Err(error) => failure.set(Some(error)),
            }
            pending.set(false);
        });
    };
    let unreachable =
        move || failure.get().filter(|f| f.field_reason("password").is_none()).map(|f| console.t(refusal(&f)));
    move || match info.get() {
        None => view! { <p class="ac-status" role="status">{console.t(Key::Loading)}</p> }.into_any(),
        Some(Err(error)) => view! {
            <main class="ac-signin">
                <h1>{console.t(Key::ForgottenTitle)}</h1>
                <p role="alert" class="ac-alert">{console.t(refusal(&error))}</p>
                <button type="button" on:click=move |_| console.screen.set(Screen::Forgotten)>
                    {console.t(Key::AskNewLink)}
                </button>
                {back_to_sign_in()}
            </main>
        }
        .into_any(),
        Some(Ok(link)) => {
            let title = match link.purpose {
                LinkPurpose::Invitation => Key::WelcomeTitle,
                LinkPurpose::Reset => Key::ForgottenTitle,
            };
            let submit = submit.clone();
            view! {
                <main class="ac-signin">
                    <h1>{console.t(title)}</h1>
                    <form on:submit=submit novalidate>
                        <label for="ac-link-account">{console.t(Key::YourAccount)}</label>
                        // Read-only, so that a password manager saves the new password under this address.
                        <input id="ac-link-account" type="email" autocomplete="username" readonly prop:value=link.email />
                        <p class="ac-hint">{link.name}</p>
                        {password_field(
                            "password",
                            console.t(Key::NewPassword),
                            "new-password",
                            password,
                            failure,
                            Some(console.t(Key::NewPasswordHint)),
                        )}
                        <button type="submit" disabled=pending>{console.t(Key::SaveAndSignIn)}</button>
                    </form>
                    <p role="alert">{unreachable}</p>
                </main>
            }
            .into_any()
        }
    }
}
