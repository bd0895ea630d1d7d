//! The signed-in person's own account: a new password (the current one asked first), after which their
//! other sessions end.

use crate::api::{self, ApiFailure};
use crate::i18n::Key;
use crate::use_console;
use leptos::prelude::*;

#[component]
pub fn MyAccount() -> impl IntoView {
    let console = use_console();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<ApiFailure>);
    let changed = RwSignal::new(false);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let (was, will) = (current.get_untracked(), new.get_untracked());
        leptos::task::spawn_local(async move {
            match api::change_password(was, will).await {
                Ok(()) => {
                    failure.set(None);
                    current.set(String::new());
                    new.set(String::new());
                    changed.set(true);
                }
                Err(error) => {
                    changed.set(false);
                    failure.set(Some(error));
                }
            }
        });
    };
    let unreachable =
        move || matches!(failure.get(), Some(ApiFailure::Unreachable)).then(|| console.t(Key::Unreachable));
    view! {
        <h1>{console.t(Key::MyAccount)}</h1>
        <form class="ac-account" on:submit=submit aria-labelledby="ac-password-title">
            <h2 id="ac-password-title">{console.t(Key::ChangePassword)}</h2>
            {password_field("current", console.t(Key::CurrentPassword), "current-password", current, failure, None)}
            {password_field("new", console.t(Key::NewPassword), "new-password", new, failure, Some(console.t(Key::NewPasswordHint)))}
            <button type="submit" class="ac-primary">{console.t(Key::ChangePassword)}</button>
            <p role="status">{move || changed.get().then(|| console.t(Key::PasswordChanged))}</p>
            <p role="alert">{unreachable}</p>
        </form>
    }
}

/// A password box for the request's `field`, labelled, with its `hint` and the server's reason for
/// refusing it next to it.
pub(crate) fn password_field(
    field: &'static str,
    label: &'static str,
    autocomplete: &'static str,
    value: RwSignal<String>,
    failure: RwSignal<Option<ApiFailure>>,
    hint: Option<&'static str>,
) -> impl IntoView {
    let input = Input { form: "password", field, label, kind: "password", autocomplete };
    labelled_input(input, value, failure, hint)
}

/// What tells one text box of a form from another.
pub(crate) struct Input {
    /// The form's short name, which keeps ids unique on a page.
    pub form: &'static str,
    /// The request's field the box fills, as the server names it in a refusal.
    pub field: &'static str,
    pub label: &'static str,
    /// The `type`: text, email, password.
    pub kind: &'static str,
    pub autocomplete: &'static str,
}

/// A labelled text box with its `hint` and the server's reason for refusing its field next to it.
pub(crate) fn labelled_input(
    input: Input,
    value: RwSignal<String>,
    failure: RwSignal<Option<ApiFailure>>,
    hint: Option<&'static str>,
) -> impl IntoView {
    let Input { form, field, label, kind, autocomplete } = input;
    let (id, hint_id, error_id) =
        (format!("ac-{form}-{field}"), format!("ac-{form}-{field}-hint"), format!("ac-{form}-{field}-error"));
    let locale = crate::use_console().locale;
    let reason = move || failure.get().and_then(|f| f.field_message(field, locale));
    let described = if hint.is_some() { format!("{hint_id} {error_id}") } else { error_id.clone() };
    view! {
        <label for=id.clone()>{label}</label>
        <input
            id=id
            type=kind
            autocomplete=autocomplete
            aria-describedby=described
            aria-invalid=move || reason().is_some().to_string()
            prop:value=value
            on:input=move |e| value.set(event_target_value(&e))
        />
        {hint.map(|hint| view! { <p class="ac-hint" id=hint_id>{hint}</p> })}
        <p class="ac-field-error" id=error_id>{reason}</p>
    }
}
