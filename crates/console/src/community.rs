//! Community moderation and the brand's voice: the queue of pending, hidden and reported posts
//! (publish, hide, delete, block the author), recent questions with an official answer form, and an
//! accepted answer proposed as a FAQ entry (opened as a new entry in the FAQ editor, not published).

use crate::api::{self, ApiFailure};
use crate::i18n::Key;
use crate::use_console;
use accueil_protocol::{ModeratedPost, ModerationAction, PostStatus, Thread, ThreadSummary};
use leptos::prelude::*;

/// The text of sanitized HTML, through the browser's parser (for a FAQ draft to edit).
fn text_of(html: &str) -> String {
    let element = web_sys::window().and_then(|w| w.document()).and_then(|d| d.create_element("div").ok());
    element.map_or_else(String::new, |element| {
        element.set_inner_html(html);
        element.text_content().unwrap_or_default().trim().to_owned()
    })
}

#[component]
pub fn Community(
    site: String,
    promote: impl Fn(String, String) + Copy + Send + Sync + 'static,
    /// Whether this account edits the FAQ, so may propose an accepted answer for it.
    can_promote: bool,
) -> impl IntoView {
    let console = use_console();
    let site = StoredValue::new(site);
    let queue = RwSignal::new(None::<Result<Vec<ModeratedPost>, ApiFailure>>);
    let threads = RwSignal::new(Vec::<ThreadSummary>::new());
    let load = move || {
        leptos::task::spawn_local(async move {
            queue.set(Some(api::moderation_queue(&site.get_value()).await.map(|q| q.posts)));
            if let Ok(recent) = api::recent_threads(&site.get_value()).await {
                threads.set(recent.threads);
            }
        });
    };
    load();
    let act = move |id: String, action: ModerationAction| {
        leptos::task::spawn_local(async move {
            let _ = api::moderate(&id, action).await;
            load();
        });
    };
    view! {
        <h1>{console.t(Key::Community)}</h1>
        <section aria-labelledby="ac-moderation">
            <h2 id="ac-moderation">{console.t(Key::Moderation)}</h2>
            {move || match queue.get() {
                None => view! { <p role="status">{console.t(Key::Loading)}</p> }.into_any(),
                Some(Err(_)) => view! { <p class="ac-alert" role="alert">{console.t(Key::Unreachable)}</p> }.into_any(),
                Some(Ok(posts)) if posts.is_empty() => view! { <p class="ac-empty">{console.t(Key::NothingToModerate)}</p> }.into_any(),
                Some(Ok(posts)) => view! {
                    <ul class="ac-callbacks">{posts.into_iter().map(|post| moderated_post(post, act)).collect_view()}</ul>
                }.into_any(),
            }}
        </section>
        <section aria-labelledby="ac-recent">
            <h2 id="ac-recent">{console.t(Key::RecentQuestions)}</h2>
            <ul class="ac-callbacks">
                {move || threads.get().into_iter().map(|thread| view! { <ThreadItem summary=thread promote=promote can_promote=can_promote /> }).collect_view()}
            </ul>
        </section>
    }
}

fn moderated_post(post: ModeratedPost, act: impl Fn(String, ModerationAction) + Copy + 'static) -> impl IntoView {
    let console = use_console();
    let status = match post.status {
        PostStatus::Pending => Key::StatusPending,
        PostStatus::Visible => Key::StatusVisible,
        _ => Key::StatusHidden,
    };
    let reasons = (!post.reasons.is_empty()).then(|| format!(" — {}", post.reasons.join(" · ")));
    let button = |label: Key, action: ModerationAction, id: String| {
        view! { <button type="button" class="ac-secondary-dark" on:click=move |_| act(id.clone(), action)>{console.t(label)}</button> }
    };
    view! {
        <li class="ac-callback">
            <h3>{post.thread_title.clone()}</h3>
            <div inner_html=post.html.clone()></div>
            <p class="ac-hint">
                {format!("{} · {} · {} {}", post.pseudonym, console.t(status), post.reports, console.t(Key::ReportsCount))}
                {reasons}
            </p>
            <div class="ac-actions">
                {button(Key::Approve, ModerationAction::Approve, post.id.clone())}
                {button(Key::Hide, ModerationAction::Hide, post.id.clone())}
                {button(Key::Delete, ModerationAction::Delete, post.id.clone())}
                {button(Key::BlockAuthor, ModerationAction::BlockAuthor, post.id.clone())}
            </div>
        </li>
    }
}

/// A recent question: opened, it shows its answers, the official answer form, and for an accepted
/// answer a way to propose it as a FAQ entry.
#[component]
fn ThreadItem(
    summary: ThreadSummary,
    promote: impl Fn(String, String) + Copy + Send + Sync + 'static,
    can_promote: bool,
) -> impl IntoView {
    let console = use_console();
    let id = StoredValue::new(summary.id.clone());
    let thread = RwSignal::new(None::<Thread>);
    let body = RwSignal::new(String::new());
    let load = move || {
        leptos::task::spawn_local(async move {
            if let Ok(found) = api::thread(&id.get_value()).await {
                thread.set(Some(found));
            }
        });
    };
    let send = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let text = body.get_untracked();
        leptos::task::spawn_local(async move {
            if api::official_answer(&id.get_value(), text).await.is_ok() {
                body.set(String::new());
                load();
            }
        });
    };
    let field_id = format!("ac-official-{}", summary.id);
    let opened = move || {
        thread.get().map(|found| {
            let title = found.title.clone();
            let answers = found.answers.into_iter().map(|answer| {
                let (title, html) = (title.clone(), answer.html.clone());
                let propose = (answer.accepted && can_promote).then(|| view! {
                    <button type="button" class="ac-secondary-dark" on:click=move |_| promote(title.clone(), text_of(&html))>
                        {console.t(Key::PromoteToFaq)}
                    </button>
                });
                let accepted = answer.accepted.then(|| view! { <strong>{console.t(Key::AcceptedAnswer)} " · "</strong> });
                view! {
                    <li>
                        <p class="ac-hint">{accepted}{answer.pseudonym}</p>
                        <div inner_html=answer.html></div>
                        {propose}
                    </li>
                }
            }).collect_view();
            view! {
                <div inner_html=found.html></div>
                <ul>{answers}</ul>
                <form on:submit=send>
                    <label for=field_id.clone()>{console.t(Key::AnswerAsBrand)}</label>
                    <textarea id=field_id.clone() rows="3" maxlength="5000" prop:value=body on:input=move |e| body.set(event_target_value(&e))></textarea>
                    <div class="ac-actions"><button type="submit" class="ac-primary">{console.t(Key::Send)}</button></div>
                </form>
            }
        })
    };
    view! {
        <li class="ac-callback">
            <h3>{summary.title.clone()}</h3>
            <p class="ac-hint">{format!("{} · {}", summary.pseudonym, summary.answers)}</p>
            {move || thread.with(Option::is_none).then(|| view! {
                <button type="button" class="ac-secondary-dark" aria-label=format!("{} : {}", console.t(Key::Open), summary.title) on:click=move |_| load()>
                    {console.t(Key::Open)}
                </button>
            })}
            {opened}
        </li>
    }
}
