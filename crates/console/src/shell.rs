//! The signed-in console: the agent and sign-out, the sections their role covers (the front desk's
//! inbox, callbacks and community; the FAQ and what visitors look for), and the site and language the
//! FAQ sections work on.

use crate::i18n::Key;
use crate::live::{Live, chime};
use crate::{
    Screen, account, api, callbacks, community, dashboard, faq_editor, inbox, report, settings, team, use_console,
};
use accueil_protocol::{Agent, AgentRole, AgentServerFrame, AgentSite, ConversationStatus, Locale, Presence};
use leptos::prelude::*;
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Inbox,
    Callbacks,
    Community,
    Faq,
    Gaps,
    Dashboard,
    Settings,
    Team,
    MyAccount,
}

impl Section {
    /// Each section with its name in the address bar (`/console/#settings`), so a reload, a bookmark or
    /// the Back button finds the same section.
    const SLUGS: [(Section, &'static str); 9] = [
        (Section::Inbox, "inbox"),
        (Section::Callbacks, "callbacks"),
        (Section::Community, "community"),
        (Section::Faq, "faq"),
        (Section::Gaps, "searches"),
        (Section::Dashboard, "dashboard"),
        (Section::Settings, "settings"),
        (Section::Team, "team"),
        (Section::MyAccount, "account"),
    ];

    fn slug(self) -> &'static str {
        Section::SLUGS.iter().find(|(s, _)| *s == self).map_or("", |(_, slug)| slug)
    }

    /// The section the address bar names, if any.
    fn in_address_bar() -> Option<Section> {
        let hash = web_sys::window()?.location().hash().ok()?;
        let slug = hash.strip_prefix('#')?;
        Section::SLUGS.iter().find(|(_, s)| *s == slug).map(|(section, _)| *section)
    }
}

#[component]
pub fn Shell(agent: Agent) -> impl IntoView {
    let console = use_console();
    // What the role covers; the server refuses the rest anyway, so the console does not offer it.
    let front_desk = agent.role.works_the_front_desk();
    let can_promote = agent.role.edits_content();
    let sections: Vec<(Section, Key)> = [
        (Section::Inbox, Key::Inbox, front_desk),
        (Section::Callbacks, Key::Callbacks, front_desk),
        (Section::Community, Key::Community, front_desk),
        (Section::Faq, Key::Faq, agent.role.edits_content()),
        (Section::Gaps, Key::VisitorGaps, agent.role.edits_content()),
        (Section::Dashboard, Key::Dashboard, true),
        (Section::Team, Key::Team, agent.role == AgentRole::Administrator),
        (Section::Settings, Key::Settings, agent.role == AgentRole::Administrator),
        (Section::MyAccount, Key::MyAccount, true),
    ]
    .into_iter()
    .filter_map(|(section, key, covered)| covered.then_some((section, key)))
    .collect();
    let offered: Vec<Section> = sections.iter().map(|(section, _)| *section).collect();
    let first = offered.first().copied().unwrap_or(Section::Faq);
    let section = RwSignal::new(Section::in_address_bar().filter(|s| offered.contains(s)).unwrap_or(first));
    // The address bar follows the section (a new history entry each), and Back or an edited address
    // moves the section (to one this role is offered).
    Effect::new(move |_| {
        let slug = section.get().slug();
        if let Some(location) = web_sys::window().map(|w| w.location())
            && location.hash().ok().as_deref() != Some(&format!("#{slug}"))
        {
            let _ = location.set_hash(slug);
        }
    });
    let listener = window_event_listener(leptos::ev::hashchange, move |_| {
        if let Some(named) = Section::in_address_bar().filter(|s| offered.contains(s))
            && section.get_untracked() != named
        {
            section.set(named);
        }
    });
    on_cleanup(move || listener.remove());
    let site = RwSignal::new(None::<AgentSite>);
    let locale = RwSignal::new(console.locale);
    // An accepted community answer, or a search visitors made in vain, proposed for the FAQ: the editor
    // opens it as a new, unpublished entry.
    let promote = move |question: String, answer: String| {
        console.faq_draft.set(Some((question, answer)));
        section.set(Section::Faq);
    };
    // Requests waiting for an agent, on the tab and in the page title, so a new one is noticed; a new
    // waiting chat also chimes.
    let waiting = RwSignal::new(0usize);
    let chats = RwSignal::new(0usize);
    let presence = RwSignal::new(None::<Presence>);
    if front_desk {
        follow_the_front_desk(site, chats, presence);
    }
    let change_presence = move |event: leptos::ev::Event| {
        let chosen = if event_target_value(&event) == "away" { Presence::Away } else { Presence::Online };
        leptos::task::spawn_local(async move {
            if let Ok(found) = api::set_presence(chosen).await {
                presence.set(Some(found.presence));
            }
        });
    };
    Effect::new(move |_| {
        let count = waiting.get() + chats.get();
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&page_title(count));
        }
    });
    leptos::task::spawn_local(async move {
        if let Ok(sites) = api::sites().await {
            site.set(sites.sites.into_iter().next());
        }
    });
    let sign_out = move |_| {
        leptos::task::spawn_local(async move {
            // Whatever the server says, this tab forgets the agent; the server clears the HttpOnly cookie.
            let _ = api::logout().await;
            // The next person to sign in on this browser starts on their own first section.
            if let Some(window) = web_sys::window()
                && let (Ok(path), Ok(history)) = (window.location().pathname(), window.history())
            {
                let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
            }
            console.screen.set(Screen::SignIn);
        });
    };
    let tab = move |which: Section, key: Key| {
        let label = move || match (which, waiting.get(), chats.get()) {
            (Section::Callbacks, n, _) | (Section::Inbox, _, n) if n > 0 => format!("{} ({n})", console.t(key)),
            _ => console.t(key).to_owned(),
        };
        view! {
            <button
                type="button"
                class="ac-section"
                aria-current=move || (section.get() == which).then_some("page")
                on:click=move |_| section.set(which)
            >
                {label}
            </button>
        }
    };
    view! {
        <header class="ac-top">
            <p class="ac-product">"Accueil"</p>
            <nav class="ac-sections" aria-label=console.t(Key::Sections)>
                {sections.into_iter().map(|(which, key)| tab(which, key)).collect_view()}
            </nav>
            <p class="ac-who">{console.t(Key::SignedInAs)} " " <strong>{agent.name.clone()}</strong></p>
            <Show when=move || front_desk>
                <label class="ac-presence">
                    <span>{console.t(Key::Presence)}</span>
                    <select
                        on:change=change_presence
                        prop:value=move || if presence.get() == Some(Presence::Away) { "away" } else { "online" }
                    >
                        <option value="online">{console.t(Key::PresenceOnline)}</option>
                        <option value="away">{console.t(Key::PresenceAway)}</option>
                    </select>
                </label>
            </Show>
            <button type="button" class="ac-secondary" on:click=sign_out>{console.t(Key::SignOut)}</button>
        </header>
        <main class="ac-page">
            {move || match (section.get(), site.get()) {
                (Section::MyAccount, _) => view! { <account::MyAccount /> }.into_any(),
                (Section::Inbox, Some(site)) => view! { <inbox::Inbox site=site.site.clone() /> }.into_any(),
                (_, None) => view! { <p role="status">{console.t(Key::Loading)}</p> }.into_any(),
                (Section::Community, Some(site)) => view! { <community::Community site=site.site.clone() promote=promote can_promote=can_promote /> }.into_any(),
                (Section::Team, Some(_)) => view! { <team::Team /> }.into_any(),
                (Section::Settings, Some(site)) => view! { <settings::Settings site=site.site.clone() /> }.into_any(),
                (Section::Dashboard, Some(site)) => view! { <dashboard::Dashboard site=site.site.clone() /> }.into_any(),
                (Section::Callbacks, Some(site)) => view! { <callbacks::Callbacks site=site.site.clone() waiting=waiting /> }.into_any(),
                (which, Some(site)) => view! {
                    <LocaleSwitch locales=site.locales.clone() locale=locale />
                    {match which {
                        Section::Faq => view! { <faq_editor::FaqEditor site=site.site.clone() locale=locale /> }.into_any(),
                        _ => view! { <report::Report site=site.site.clone() locale=locale promote=promote /> }.into_any(),
                    }}
                }.into_any(),
            }}
        </main>
    }
}

/// For a role that answers visitors: the console's live connection, the count of waiting chats (a new
/// one chimes), and the agent's presence. An editor's console opens none of them.
fn follow_the_front_desk(
    site: RwSignal<Option<AgentSite>>,
    chats: RwSignal<usize>,
    presence: RwSignal<Option<Presence>>,
) {
    let live = Live::start();
    let waiting_chats = StoredValue::new(HashSet::<String>::new());
    let count_waiting_chats = move || {
        leptos::task::spawn_local(async move {
            let Some(site) = site.get_untracked() else { return };
            if let Ok(found) = api::conversations(&site.site, "waiting").await {
                waiting_chats.set_value(found.conversations.into_iter().map(|c| c.id).collect());
                chats.set(waiting_chats.with_value(HashSet::len));
            }
        });
    };
    Effect::new(move |_| {
        let _ = (site.get(), live.connected.get());
        count_waiting_chats();
    });
    live.listen(move |frame| {
        if let AgentServerFrame::Changed { conversation } = frame {
            let is_new = conversation.status == ConversationStatus::Waiting
                && waiting_chats.try_update_value(|all| all.insert(conversation.id.clone())).unwrap_or(false);
            if conversation.status != ConversationStatus::Waiting {
                waiting_chats.update_value(|all| {
                    all.remove(&conversation.id);
                });
            }
            chats.set(waiting_chats.with_value(HashSet::len));
            if is_new {
                chime();
            }
        }
    });
    leptos::task::spawn_local(async move {
        if let Ok(found) = api::presence().await {
            presence.set(Some(found.presence));
        }
    });
}

/// The tab's title: what waits for an agent (callbacks and chats) counted first, so it shows in a tab
/// bar or a task bar.
fn page_title(waiting: usize) -> String {
    if waiting > 0 { format!("({waiting}) Accueil") } else { "Accueil".to_owned() }
}

/// Which locale of the site's FAQ the agent works on.
#[component]
fn LocaleSwitch(locales: Vec<Locale>, locale: RwSignal<Locale>) -> impl IntoView {
    let console = use_console();
    view! {
        <div class="ac-locales" role="group" aria-label=console.t(Key::Language)>
            {locales.into_iter().map(|l| view! {
                <button
                    type="button"
                    class="ac-locale"
                    aria-pressed=move || (locale.get() == l).to_string()
                    on:click=move |_| locale.set(l)
                >
                    {l.tag().to_uppercase()}
                </button>
            }).collect_view()}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::page_title;

    #[test]
    fn the_title_counts_what_waits_and_says_nothing_when_nothing_does() {
        assert_eq!(page_title(0), "Accueil");
        assert_eq!(page_title(3), "(3) Accueil");
    }
}
