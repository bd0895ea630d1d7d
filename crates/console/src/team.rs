//! The team, for administrators: inviting someone by email, each account of their sites with its role
//! and sites to change, a way to deactivate it (after a confirmation), and the log of every change
//! made to the team.

use crate::account::{Input, labelled_input};
use crate::api::{self, ApiFailure};
use crate::i18n::Key;
use crate::use_console;
use accueil_protocol::{Account, Accounts, AgentRole, AuditLog, ChangeAccount, Invite};
use leptos::prelude::*;

fn role_label(role: AgentRole) -> Key {
    match role {
        AgentRole::Administrator => Key::RoleAdministrator,
        AgentRole::Agent => Key::RoleAgent,
        AgentRole::Editor => Key::RoleEditor,
    }
}

#[component]
pub fn Team() -> impl IntoView {
    let console = use_console();
    let accounts = RwSignal::new(None::<Result<Accounts, ApiFailure>>);
    let log = RwSignal::new(None::<Result<AuditLog, ApiFailure>>);
    let load = move || {
        leptos::task::spawn_local(async move { accounts.set(Some(api::accounts().await)) });
        leptos::task::spawn_local(async move { log.set(Some(api::audit_log().await)) });
    };
    load();
    let reload_log = move || leptos::task::spawn_local(async move { log.set(Some(api::audit_log().await)) });
    view! {
        <h1>{console.t(Key::Team)}</h1>
        <p class="ac-hint">{console.t(Key::TeamIntro)}</p>
        <InviteForm invited=load />
        {move || match accounts.get() {
            None => view! { <p role="status">{console.t(Key::Loading)}</p> }.into_any(),
            Some(Err(_)) => view! { <p role="alert">{console.t(Key::Unreachable)}</p> }.into_any(),
            Some(Ok(found)) => view! {
                <ul class="ac-team">
                    {found.accounts.into_iter().map(|account| view! {
                        <li><AccountItem account=account changed=reload_log /></li>
                    }).collect_view()}
                </ul>
            }.into_any(),
        }}
        <h2>{console.t(Key::AuditLog)}</h2>
        {move || match log.get() {
            None => view! { <p role="status">{console.t(Key::Loading)}</p> }.into_any(),
            Some(Err(_)) => view! { <p role="alert">{console.t(Key::Unreachable)}</p> }.into_any(),
            Some(Ok(found)) if found.entries.is_empty() => {
                view! { <p class="ac-empty">{console.t(Key::NoChanges)}</p> }.into_any()
            }
            Some(Ok(found)) => view! {
                <table class="ac-audit">
                    <caption class="ac-visually-hidden">{console.t(Key::AuditLog)}</caption>
                    <thead><tr>
                        {[Key::ChangedAt, Key::Who, Key::What, Key::Account, Key::Before, Key::After]
                            .into_iter()
                            .map(|key| view! { <th scope="col">{console.t(key)}</th> })
                            .collect_view()}
                    </tr></thead>
                    <tbody>
                        {found.entries.into_iter().map(|entry| {
                            let what = match entry.action.as_str() {
                                "account_deactivated" => console.t(Key::AccountDeactivated).to_owned(),
                                "password_changed" => console.t(Key::PasswordChangedEntry).to_owned(),
                                "account_changed" => console.t(Key::AccountChanged).to_owned(),
                                "account_invited" => console.t(Key::AccountInvitedEntry).to_owned(),
                                "invitation_sent" => console.t(Key::InvitationResentEntry).to_owned(),
                                "invitation_accepted" => console.t(Key::InvitationAcceptedEntry).to_owned(),
                                "password_reset" => console.t(Key::PasswordResetEntry).to_owned(),
                                "settings_changed" => console.t(Key::SettingsChangedEntry).to_owned(),
                                "settings_from_file" => console.t(Key::SettingsFromFileEntry).to_owned(),
                                other => other.to_owned(),
                            };
                            let when = crate::local(&entry.at, console.locale, r#"{"dateStyle":"short","timeStyle":"short"}"#);
                            view! {
                                <tr>
                                    <td>{when}</td>
                                    <td>{entry.actor}</td>
                                    <td>{what}</td>
                                    <td>{entry.subject}</td>
                                    <td>{describe(console.locale, entry.before.as_deref())}</td>
                                    <td>{describe(console.locale, entry.after.as_deref())}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        }}
    }
}

/// Splits what was typed in a sites box: "demo, autre" is two sites.
fn sites_typed(text: &str) -> Vec<String> {
    text.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
}

/// The words for a refusal that names no field of the form.
fn refusal(failure: &ApiFailure) -> Option<Key> {
    match failure {
        ApiFailure::Refused { status: 503, .. } => Some(Key::MailUnavailable),
        ApiFailure::Refused { status: 429, .. } => Some(Key::TryAgainInAMinute),
        ApiFailure::Refused { body: Some(body), .. } if !body.error.fields.is_empty() => None,
        _ => Some(Key::Unreachable),
    }
}

/// A text box of the invitation: the browser suggests nothing, it is someone else's address.
fn invite_input(field: &'static str, label: &'static str, kind: &'static str) -> Input {
    Input { form: "invite", field, label, kind, autocomplete: "off" }
}

/// Invites someone: name, address, role and sites; they get a mail with a link to choose a password.
#[component]
fn InviteForm(invited: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let console = use_console();
    let (name, email, sites) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let role = RwSignal::new(AgentRole::Agent);
    let failure = RwSignal::new(None::<ApiFailure>);
    let sent = RwSignal::new(false);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let invite = Invite {
            email: email.get_untracked(),
            name: name.get_untracked(),
            role: role.get_untracked(),
            sites: sites_typed(&sites.get_untracked()),
            locale: console.locale,
        };
        leptos::task::spawn_local(async move {
            match api::invite(invite).await {
                Ok(_) => {
                    failure.set(None);
                    sent.set(true);
                    name.set(String::new());
                    email.set(String::new());
                    invited();
                }
                Err(error) => {
                    sent.set(false);
                    failure.set(Some(error));
                }
            }
        });
    };
    view! {
        <form class="ac-account" on:submit=submit aria-labelledby="ac-invite-title" novalidate>
            <h2 id="ac-invite-title">{console.t(Key::InviteTitle)}</h2>
            <p class="ac-hint">{console.t(Key::InviteHint)}</p>
            {labelled_input(invite_input("name", console.t(Key::Name), "text"), name, failure, None)}
            {labelled_input(invite_input("email", console.t(Key::Email), "email"), email, failure, None)}
            <label for="ac-invite-role">{console.t(Key::Role)}</label>
            <select
                id="ac-invite-role"
                on:change=move |e| role.set(AgentRole::from_name(&event_target_value(&e)).unwrap_or(AgentRole::Agent))
            >
                {AgentRole::ALL.into_iter().map(|r| view! {
                    <option value=r.as_str() selected=move || role.get() == r>{console.t(role_label(r))}</option>
                }).collect_view()}
            </select>
            {labelled_input(invite_input("sites", console.t(Key::Sites), "text"), sites, failure, Some(console.t(Key::SitesHint)))}
            <button type="submit" class="ac-primary">{console.t(Key::SendInvitation)}</button>
            <p role="status">{move || sent.get().then(|| console.t(Key::InvitationSent))}</p>
            <p role="alert">{move || failure.get().as_ref().and_then(refusal).map(|key| console.t(key))}</p>
        </form>
    }
}

/// An account's state as the audit log keeps it (JSON), in words: role, sites, and whether deactivated.
fn describe(locale: accueil_protocol::Locale, state: Option<&str>) -> String {
    let Some(state) = state.and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok()) else {
        return String::new();
    };
    // A settings change: the settings that changed, by their path in the form.
    if let Some(settings) = state.as_object().filter(|o| !o.contains_key("role") && !o.contains_key("active")) {
        return settings
            .iter()
            .map(|(key, value)| match value.as_str() {
                Some(text) => format!("{key} : {text}"),
                None => format!("{key} : {value}"),
            })
            .collect::<Vec<_>>()
            .join(" · ");
    }
    let role = state["role"].as_str().and_then(AgentRole::from_name).map(|r| crate::i18n::text(locale, role_label(r)));
    let sites: Vec<&str> =
        state["sites"].as_array().map(|a| a.iter().filter_map(|s| s.as_str()).collect()).unwrap_or_default();
    let mut words = vec![role.unwrap_or_default().to_owned(), sites.join(", ")];
    if state["active"] == serde_json::Value::Bool(false) {
        words.push(crate::i18n::text(locale, Key::Deactivated).to_owned());
    }
    words.join(" · ")
}

/// One account: its role and sites to change and save, and deactivation behind a confirmation. The
/// administrator's own account shows without the controls that would lock them out.
#[component]
fn AccountItem(account: Account, changed: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let console = use_console();
    let id = account.id;
    let yourself = console.me() == id;
    let role = RwSignal::new(account.role);
    let sites = RwSignal::new(account.sites.join(", "));
    let active = RwSignal::new(account.active);
    let failure = RwSignal::new(None::<ApiFailure>);
    let saved = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let invited = account.invited;
    let resent = RwSignal::new(false);
    let resend_invite = Invite {
        email: account.email.clone(),
        name: account.name.clone(),
        role: account.role,
        sites: account.sites.clone(),
        locale: console.locale,
    };
    let resend = move |_| {
        let invite = resend_invite.clone();
        leptos::task::spawn_local(async move {
            match api::invite(invite).await {
                Ok(_) => {
                    failure.set(None);
                    resent.set(true);
                    changed();
                }
                Err(error) => failure.set(Some(error)),
            }
        });
    };
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let change = ChangeAccount { role: role.get_untracked(), sites: sites_typed(&sites.get_untracked()) };
        leptos::task::spawn_local(async move {
            match api::change_account(id, change).await {
                Ok(account) => {
                    sites.set(account.sites.join(", "));
                    failure.set(None);
                    saved.set(true);
                    changed();
                }
                Err(error) => {
                    saved.set(false);
                    failure.set(Some(error));
                }
            }
        });
    };
    let deactivate = move |_| {
        leptos::task::spawn_local(async move {
            match api::deactivate_account(id).await {
                Ok(account) => {
                    active.set(account.active);
                    confirming.set(false);
                    changed();
                }
                Err(error) => failure.set(Some(error)),
            }
        });
    };
    let (role_id, sites_id, hint_id, error_id) = (
        format!("ac-role-{id}"),
        format!("ac-sites-{id}"),
        format!("ac-sites-hint-{id}"),
        format!("ac-sites-error-{id}"),
    );
    let described = format!("{hint_id} {error_id}");
    let sites_error =
        move || failure.get().and_then(|f| f.field_message("sites", console.locale).or_else(|| f.field_reason("id")));
    let heading = format!(
        "{} · {}{}",
        account.name,
        account.email,
        if yourself { format!(" ({})", console.t(Key::You)) } else { String::new() }
    );
    view! {
        <form class="ac-account" on:submit=save aria-label=heading.clone()>
            <h3>{heading.clone()}</h3>
            <Show when=move || invited && active.get()>
                <p class="ac-hint">{console.t(Key::InvitationPending)}</p>
                <button type="button" class="ac-secondary-dark" on:click=resend.clone()>{console.t(Key::ResendInvitation)}</button>
                <p role="status">{move || resent.get().then(|| console.t(Key::InvitationSent))}</p>
                <p role="alert">{move || failure.get().as_ref().and_then(refusal).map(|key| console.t(key))}</p>
            </Show>
            <Show when=move || active.get() fallback=move || view! { <p class="ac-hint">{console.t(Key::Deactivated)}</p> }>
                <label for=role_id.clone()>{console.t(Key::Role)}</label>
                <select
                    id=role_id.clone()
                    disabled=yourself
                    on:change=move |e| role.set(AgentRole::from_name(&event_target_value(&e)).unwrap_or(AgentRole::Agent))
                >
                    {AgentRole::ALL.into_iter().map(|r| view! {
                        <option value=r.as_str() selected=move || role.get() == r>{console.t(role_label(r))}</option>
                    }).collect_view()}
                </select>
                <label for=sites_id.clone()>{console.t(Key::Sites)}</label>
                <input
                    id=sites_id.clone()
                    type="text"
                    aria-describedby=described.clone()
                    aria-invalid=move || sites_error().is_some().to_string()
                    prop:value=sites
                    on:input=move |e| { saved.set(false); sites.set(event_target_value(&e)) }
                />
                <p class="ac-hint" id=hint_id.clone()>{console.t(Key::SitesHint)}</p>
                <p class="ac-field-error" id=error_id.clone()>{sites_error}</p>
                <button type="submit" class="ac-primary">{console.t(Key::SaveAccount)}</button>
                <p role="status">{move || saved.get().then(|| console.t(Key::Saved))}</p>
                <Show when=move || !yourself>
                    <Show
                        when=move || confirming.get()
                        fallback=move || view! {
                            <button type="button" class="ac-secondary-dark" on:click=move |_| confirming.set(true)>
                                {console.t(Key::Deactivate)}
                            </button>
                        }
                    >
                        <p>{console.t(Key::DeactivateWarning)}</p>
                        <button type="button" class="ac-danger" on:click=deactivate>{console.t(Key::ConfirmDeactivate)}</button>
                    </Show>
                </Show>
            </Show>
        </form>
    }
}
