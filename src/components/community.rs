//! The community channel: the site's questions (sorted, searched, or those of this page), a question
//! with its answers (vote, report, the asker's accepted answer, new answers showing up live), and
//! asking or answering under a pseudonym, with what may already answer it shown first.

use super::app::use_widget;
use crate::api::{self, ApiFailure};
use crate::i18n::community::CommunityKey;
use crate::i18n::{Key, text};
use crate::session;
use accueil_protocol::{
    Answer, FieldCode, Locale, MyThreads, NewAnswer, NewThread, PostStatus, SimilarQuestions, Thread, ThreadSummary,
};
use leptos::prelude::*;
use std::time::Duration;

/// How often an open question and the visitor's own questions are refreshed.
const REFRESH_EVERY: Duration = Duration::from_secs(8);
const SIMILAR_AFTER: Duration = Duration::from_millis(400);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Screen {
    List,
    Thread(String),
    Ask,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    Recent,
    Top,
    Unanswered,
}

impl Sort {
    fn param(self) -> &'static str {
        match self {
            Sort::Recent => "recent",
            Sort::Top => "top",
            Sort::Unanswered => "unanswered",
        }
    }
}

/// The message for a server's field error on a post, by its code (never its English reason).
fn post_problem(code: FieldCode) -> CommunityKey {
    match code {
        FieldCode::NotAllowed => CommunityKey::WordRefused,
        FieldCode::Impersonation => CommunityKey::PseudonymRefused,
        FieldCode::TooShort => CommunityKey::TitleShort,
        FieldCode::TooLong => CommunityKey::TooLong,
        FieldCode::Blocked => CommunityKey::Blocked,
        _ => CommunityKey::Required,
    }
}

fn pseudonym_key(site: &str) -> String {
    format!("accueil.pseudonym.{site}")
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The pseudonym the visitor used last on this site (kept only once they posted).
fn remembered_pseudonym(site: &str) -> String {
    local_storage().and_then(|s| s.get_item(&pseudonym_key(site)).ok().flatten()).unwrap_or_default()
}

fn remember_pseudonym(site: &str, pseudonym: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(&pseudonym_key(site), pseudonym);
    }
}

/// Sends a post with the visitor's session (created with their first post) and, once it is taken,
/// remembers the pseudonym for the next one.
async fn publish<T, Sent>(
    site: StoredValue<String>,
    locale: Locale,
    pseudonym: &str,
    send: impl FnOnce(String) -> Sent,
) -> Result<T, ApiFailure>
where
    Sent: std::future::Future<Output = Result<T, ApiFailure>>,
{
    let token = session::ensure(&site.get_value(), locale).await?;
    let sent = send(token).await?;
    remember_pseudonym(&site.get_value(), pseudonym);
    Ok(sent)
}

/// Field problems of a refused post, by field name.
type Problems = RwSignal<Vec<(String, CommunityKey)>>;

fn problems_of(failure: &ApiFailure) -> Vec<(String, CommunityKey)> {
    if let ApiFailure::Refused { status: 429, .. } = failure {
        return vec![("form".to_owned(), CommunityKey::SlowDown)];
    }
    match failure.body() {
        Some(body) if !body.error.fields.is_empty() => {
            body.error.fields.iter().map(|f| (f.field.clone(), post_problem(f.code))).collect()
        }
        _ => vec![("form".to_owned(), CommunityKey::SendFailed)],
    }
}

fn problem(problems: Problems, field: &'static str) -> impl Fn() -> Option<CommunityKey> + Copy {
    move || problems.with(|all| all.iter().find(|(f, _)| f == field).map(|(_, k)| *k))
}

#[component]
pub fn CommunityView() -> impl IntoView {
    let widget = use_widget();
    let site = StoredValue::new(widget.site());
    let screen = RwSignal::new(Screen::List);
    let mine = RwSignal::new(None::<MyThreads>);
    let refresh_mine = move || {
        let Some(token) = session::stored(&site.get_value()) else { return };
        leptos::task::spawn_local(async move {
            if let Ok(found) = api::my_threads(&token).await {
                widget.set_unread(found.unread);
                mine.set(Some(found));
            }
        });
    };
    refresh_mine();
    let poll = set_interval_with_handle(refresh_mine, REFRESH_EVERY * 3).ok();
    on_cleanup(move || {
        if let Some(poll) = poll {
            poll.clear();
        }
    });
    let open = move |target: Screen| {
        screen.set(target);
        widget.focus_title();
    };
    move || {
        let locale = widget.locale.get();
        match screen.get() {
            Screen::List => view! { <ThreadList site=site mine=mine open=open locale=locale /> }.into_any(),
            Screen::Thread(id) => view! { <ThreadScreen id=id site=site open=open locale=locale /> }.into_any(),
            Screen::Ask => view! { <AskScreen site=site open=open locale=locale /> }.into_any(),
        }
    }
}

/// Who wrote a post: their pseudonym, or, when they erased their data and others had answered, "a
/// visitor who left" (the server then sends no pseudonym).
fn author(locale: Locale, pseudonym: &str) -> String {
    let shown = if pseudonym.is_empty() { text(locale, CommunityKey::VisitorWhoLeft) } else { pseudonym };
    format!("{} {shown}", text(locale, CommunityKey::By))
}

fn thread_card(thread: ThreadSummary, locale: Locale, open: impl Fn(Screen) + Copy + 'static) -> impl IntoView {
    let t = move |key| text(locale, key);
    let id = thread.id.clone();
    let meta = format!(
        "{} · {} {} · {} {}",
        author(locale, &thread.pseudonym),
        thread.answers,
        t(CommunityKey::AnswersLabel),
        thread.score,
        t(CommunityKey::HelpfulVotes)
    );
    view! {
        <li>
            <button class="aw-thread" type="button" on:click=move |_| open(Screen::Thread(id.clone()))>
                <span class="aw-thread-title">{thread.title}</span>
                <span class="aw-hint">
                    {thread.solved.then(|| view! { <span class="aw-badge">{t(CommunityKey::Solved)}</span> " " })}
                    {(thread.status == PostStatus::Pending).then(|| view! { <span class="aw-badge">{t(CommunityKey::Pending)}</span> " " })}
                    {meta}
                </span>
            </button>
        </li>
    }
}

#[component]
fn ThreadList(
    site: StoredValue<String>,
    mine: RwSignal<Option<MyThreads>>,
    open: impl Fn(Screen) + Copy + Send + Sync + 'static,
    locale: Locale,
) -> impl IntoView {
    let widget = use_widget();
    let t = move |key| text(locale, key);
    let sort = RwSignal::new(Sort::Recent);
    let search = RwSignal::new(String::new());
    let topic = widget.topic.get_value();
    let on_page = RwSignal::new(topic.is_some());
    let threads = RwSignal::new(None::<Result<Vec<ThreadSummary>, ApiFailure>>);
    Effect::new(move |_| {
        let mut query = format!("sort={}", sort.get().param());
        let q = search.get();
        if !q.trim().is_empty() {
            query.push_str(&format!("&q={}", String::from(js_sys::encode_uri_component(&q))));
        }
        if let Some(topic) = widget.topic.get_value().filter(|_| on_page.get()) {
            query.push_str(&format!("&topic={}", String::from(js_sys::encode_uri_component(&topic))));
        }
        let token = session::stored(&site.get_value());
        leptos::task::spawn_local(async move {
            let found = api::community_threads(&site.get_value(), &query, token.as_deref()).await;
            threads.set(Some(found.map(|f| f.threads)));
        });
    });
    let sort_button = move |which: Sort, key: CommunityKey| {
        view! {
            <button
                class="aw-chip"
                type="button"
                aria-pressed=move || (sort.get() == which).to_string()
                on:click=move |_| sort.set(which)
            >
                {t(key)}
            </button>
        }
    };
    let my_questions = move || {
        mine.get().filter(|m| !m.threads.is_empty()).map(|m| {
            view! {
                <h2 class="aw-subtitle">{t(CommunityKey::MyQuestions)}</h2>
                <ul class="aw-threads">
                    {m.threads.into_iter().map(|q| {
                        let id = q.id.clone();
                        let unread = (q.unread > 0).then(|| view! { <span class="aw-badge">{format!("{} {}", q.unread, text(locale, Key::NewAnswers))}</span> });
                        view! {
                            <li>
                                <button class="aw-thread" type="button" on:click=move |_| open(Screen::Thread(id.clone()))>
                                    <span class="aw-thread-title">{q.title}</span>
                                    <span class="aw-hint">{unread} " " {format!("{} {}", q.answers, t(CommunityKey::AnswersLabel))}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
        })
    };
    view! {
        <section class="aw-channel">
            <button class="aw-button" type="button" on:click=move |_| open(Screen::Ask)>{t(CommunityKey::AskQuestion)}</button>
            {my_questions}
            <form class="aw-search" role="search" on:submit=|event| event.prevent_default()>
                <label class="aw-label" for="aw-community-search">{t(CommunityKey::SearchQuestions)}</label>
                <input
                    id="aw-community-search"
                    class="aw-input"
                    type="search"
                    maxlength="200"
                    prop:value=search
                    on:input=move |event| search.set(event_target_value(&event))
                />
            </form>
            <div class="aw-chips" role="group" aria-label=text(locale, Key::Community)>
                {sort_button(Sort::Recent, CommunityKey::SortRecent)}
                {sort_button(Sort::Top, CommunityKey::SortTop)}
                {sort_button(Sort::Unanswered, CommunityKey::SortUnanswered)}
            </div>
            {topic.map(|_| view! {
                <label class="aw-check">
                    <input type="checkbox" prop:checked=on_page on:change=move |event| on_page.set(event_target_checked(&event)) />
                    {t(CommunityKey::OnThisPage)}
                </label>
            })}
            {move || match threads.get() {
                None => view! { <p class="aw-status" role="status">{text(locale, Key::Loading)}</p> }.into_any(),
                Some(Err(_)) => view! { <p class="aw-note" role="alert">{text(locale, Key::LoadFailed)}</p> }.into_any(),
                Some(Ok(all)) if all.is_empty() => view! { <p class="aw-note">{t(CommunityKey::NoThreads)}</p> }.into_any(),
                Some(Ok(all)) => view! {
                    <ul class="aw-threads">{all.into_iter().map(|thread| thread_card(thread, locale, open)).collect_view()}</ul>
                }.into_any(),
            }}
        </section>
    }
}

/// A question with its answers, refreshed while open so new answers show up.
#[component]
fn ThreadScreen(
    id: String,
    site: StoredValue<String>,
    open: impl Fn(Screen) + Copy + Send + Sync + 'static,
    locale: Locale,
) -> impl IntoView {
    let t = move |key| text(locale, key);
    let id = StoredValue::new(id);
    let thread = RwSignal::new(None::<Result<Thread, ApiFailure>>);
    let load = move || {
        let token = session::stored(&site.get_value());
        leptos::task::spawn_local(async move {
            let found = api::community_thread(&id.get_value(), token.as_deref()).await;
            // A failed refresh keeps what is shown.
            if found.is_ok() || thread.with_untracked(Option::is_none) {
                thread.set(Some(found));
            }
        });
    };
    load();
    let poll = set_interval_with_handle(load, REFRESH_EVERY).ok();
    on_cleanup(move || {
        if let Some(poll) = poll {
            poll.clear();
        }
    });
    let back = view! {
        <button class="aw-link" type="button" on:click=move |_| open(Screen::List)>{format!("← {}", t(CommunityKey::AllQuestions))}</button>
    };
    view! {
        <section class="aw-channel">
            {back}
            {move || match thread.get() {
                None => view! { <p class="aw-status" role="status">{text(locale, Key::Loading)}</p> }.into_any(),
                Some(Err(_)) => view! { <p class="aw-note" role="alert">{text(locale, Key::LoadFailed)}</p> }.into_any(),
                Some(Ok(found)) => thread_body(found, site, locale, load, open).into_any(),
            }}
            // Outside what the refresh redraws: an answer being typed keeps its text, its focus and the
            // phone's keyboard while new answers arrive above it.
            <Show when=move || matches!(thread.get(), Some(Ok(_)))>
                <AnswerForm thread=id site=site locale=locale answered=load />
            </Show>
        </section>
    }
}

fn thread_body(
    thread: Thread,
    site: StoredValue<String>,
    locale: Locale,
    reload: impl Fn() + Copy + Send + Sync + 'static,
    open: impl Fn(Screen) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = move |key| text(locale, key);
    let thread_id = StoredValue::new(thread.id.clone());
    let can_accept = thread.mine && !thread.answers.iter().any(|a| a.accepted);
    let pending =
        (thread.status == PostStatus::Pending).then(|| view! { <p class="aw-badge">{t(CommunityKey::Pending)}</p> });
    let answers = thread
        .answers
        .into_iter()
        .map(|answer| answer_card(answer, thread_id, can_accept, site, locale, reload))
        .collect_view();
    view! {
        <article class="aw-post">
            <h2 class="aw-post-title">{thread.title}</h2>
            {pending}
            <div class="aw-answer" inner_html=thread.html></div>
            <p class="aw-hint">{author(locale, &thread.pseudonym)}</p>
            <PostActions
                id=thread.id
                score=thread.score
                voted=thread.voted
                reported=thread.reported
                mine=thread.mine
                site=site
                locale=locale
                deleted=move || open(Screen::List)
            />
        </article>
        <ul class="aw-answers">{answers}</ul>
    }
}

fn answer_card(
    answer: Answer,
    thread: StoredValue<String>,
    can_accept: bool,
    site: StoredValue<String>,
    locale: Locale,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = move |key| text(locale, key);
    let answer_id = StoredValue::new(answer.id.clone());
    let accept = move |_| {
        let Some(token) = session::stored(&site.get_value()) else { return };
        leptos::task::spawn_local(async move {
            if api::accept_answer(&token, &thread.get_value(), &answer_id.get_value()).await.is_ok() {
                reload();
            }
        });
    };
    let badges = [
        (answer.accepted, CommunityKey::Accepted),
        (answer.official, CommunityKey::Official),
        (answer.status == PostStatus::Pending, CommunityKey::Pending),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, key)| view! { <span class="aw-badge">{t(key)}</span> })
    .collect_view();
    view! {
        <li class="aw-post" class:aw-post--official=answer.official>
            <p class="aw-badges">{badges}</p>
            <div class="aw-answer" inner_html=answer.html></div>
            <p class="aw-hint">{author(locale, &answer.pseudonym)}</p>
            <PostActions
                id=answer.id
                score=answer.score
                voted=answer.voted
                reported=answer.reported
                mine=answer.mine
                site=site
                locale=locale
                deleted=reload
            />
            {(can_accept && !answer.mine).then(|| view! {
                <button class="aw-button aw-button--quiet" type="button" on:click=accept>{t(CommunityKey::AcceptThis)}</button>
            })}
        </li>
    }
}

/// "Helpful" (a vote the visitor can withdraw) and "Report" for one post.
#[component]
fn PostActions(
    id: String,
    score: i64,
    voted: bool,
    /// The visitor reported it already (also on an earlier visit): "Report" is not offered again.
    reported: bool,
    /// The visitor's own post, which they may delete.
    mine: bool,
    site: StoredValue<String>,
    locale: Locale,
    deleted: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = move |key| text(locale, key);
    let id = StoredValue::new(id);
    let count = RwSignal::new((score, voted));
    let reported = RwSignal::new(reported);
    let vote = move |_| {
        let up = !count.get_untracked().1;
        leptos::task::spawn_local(async move {
            let Ok(token) = session::ensure(&site.get_value(), locale).await else { return };
            if let Ok(result) = api::vote(&token, &id.get_value(), up).await {
                count.set((result.score, result.voted));
            }
        });
    };
    let report = move |_| {
        leptos::task::spawn_local(async move {
            let Ok(token) = session::ensure(&site.get_value(), locale).await else { return };
            if api::report_post(&token, &id.get_value()).await.is_ok() {
                reported.set(true);
            }
        });
    };
    let delete = move |_| {
        let Some(token) = session::stored(&site.get_value()) else { return };
        leptos::task::spawn_local(async move {
            if api::delete_post(&token, &id.get_value()).await.is_ok() {
                deleted();
            }
        });
    };
    view! {
        <div class="aw-post-actions">
            {mine.then(|| view! { <button class="aw-link" type="button" on:click=delete>{t(CommunityKey::DeletePost)}</button> })}
            <button class="aw-chip" type="button" aria-pressed=move || count.get().1.to_string() on:click=vote>
                {move || format!("{} ({})", t(CommunityKey::Useful), count.get().0)}
            </button>
            {move || if reported.get() {
                view! { <p class="aw-hint" role="status">{t(CommunityKey::Reported)}</p> }.into_any()
            } else {
                view! { <button class="aw-link" type="button" on:click=report>{t(CommunityKey::ReportPost)}</button> }.into_any()
            }}
        </div>
    }
}

fn field_message(problems: Problems, field: &'static str, id: &'static str, locale: Locale) -> impl IntoView {
    let problem = problem(problems, field);
    view! { <p class="aw-field-error" id=id>{move || problem().map(|key| text(locale, key))}</p> }
}

#[component]
fn AnswerForm(
    thread: StoredValue<String>,
    site: StoredValue<String>,
    locale: Locale,
    answered: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = move |key| text(locale, key);
    let body = RwSignal::new(String::new());
    let pseudonym = RwSignal::new(remembered_pseudonym(&site.get_value()));
    let problems: Problems = RwSignal::new(Vec::new());
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let request = NewAnswer { body: body.get_untracked(), pseudonym: pseudonym.get_untracked() };
        leptos::task::spawn_local(async move {
            let pseudonym = request.pseudonym.clone();
            let sent = publish(site, locale, &pseudonym, |token| async move {
                api::answer(&token, &thread.get_value(), &request).await
            })
            .await;
            match sent {
                Ok(_) => {
                    body.set(String::new());
                    problems.set(Vec::new());
                    answered();
                }
                Err(failure) => problems.set(problems_of(&failure)),
            }
        });
    };
    view! {
        <form class="aw-form" on:submit=submit>
            <BodyField body=body problems=problems locale=locale id="aw-answer-body" label=CommunityKey::YourAnswer large=true />
            <PseudonymField pseudonym=pseudonym problems=problems locale=locale id="aw-answer-pseudonym" />
            {field_message(problems, "form", "aw-answer-form-msg", locale)}
            <button class="aw-button" type="submit">{t(CommunityKey::Publish)}</button>
        </form>
    }
}

/// The text of a question or an answer, with the message the server gave for it.
#[component]
fn BodyField(
    body: RwSignal<String>,
    problems: Problems,
    locale: Locale,
    id: &'static str,
    label: CommunityKey,
    /// A heading-sized label, when the field stands alone under a question.
    large: bool,
) -> impl IntoView {
    let message_id = format!("{id}-msg");
    view! {
        <label class="aw-label" class:aw-label--large=large for=id>{text(locale, label)}</label>
        <textarea
            id=id
            class="aw-input aw-textarea"
            rows="4"
            maxlength="5000"
            aria-describedby=message_id.clone()
            aria-invalid=move || problem(problems, "body")().map(|_| "true")
            prop:value=body
            on:input=move |event| body.set(event_target_value(&event))
        ></textarea>
        <p class="aw-field-error" id=message_id>{move || problem(problems, "body")().map(|key| text(locale, key))}</p>
    }
}

#[component]
fn PseudonymField(pseudonym: RwSignal<String>, problems: Problems, locale: Locale, id: &'static str) -> impl IntoView {
    let t = move |key| text(locale, key);
    view! {
        <label class="aw-label" for=id>{t(CommunityKey::PseudonymLabel)}</label>
        <input
            id=id
            class="aw-input"
            type="text"
            autocomplete="nickname"
            maxlength="30"
            aria-describedby=format!("{id}-hint {id}-msg")
            aria-invalid=move || problem(problems, "pseudonym")().map(|_| "true")
            prop:value=pseudonym
            on:input=move |event| pseudonym.set(event_target_value(&event))
        />
        <p class="aw-hint" id=format!("{id}-hint")>{t(CommunityKey::PseudonymHint)}</p>
        <p class="aw-field-error" id=format!("{id}-msg")>
            {move || problem(problems, "pseudonym")().map(|key| text(locale, key))}
        </p>
    }
}

#[component]
fn AskScreen(
    site: StoredValue<String>,
    open: impl Fn(Screen) + Copy + Send + Sync + 'static,
    locale: Locale,
) -> impl IntoView {
    let widget = use_widget();
    let t = move |key| text(locale, key);
    let title = RwSignal::new(widget.query.get_untracked());
    let body = RwSignal::new(String::new());
    let pseudonym = RwSignal::new(remembered_pseudonym(&site.get_value()));
    let problems: Problems = RwSignal::new(Vec::new());
    let similar = RwSignal::new(None::<SimilarQuestions>);
    // What may already answer the question is looked up as the visitor pauses typing.
    let pending = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let typed = title.get();
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        if typed.trim().chars().count() < 4 {
            similar.set(None);
            return;
        }
        let lookup = move || {
            leptos::task::spawn_local(async move {
                if let Ok(found) = api::similar_questions(&site.get_value(), locale, &typed).await {
                    similar.set(Some(found));
                }
            });
        };
        pending.set_value(set_timeout_with_handle(lookup, SIMILAR_AFTER).ok());
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let details = body.get_untracked();
        let request = NewThread {
            title: title.get_untracked(),
            // Details are optional for the visitor; the question then stands for itself.
            body: if details.trim().is_empty() { title.get_untracked() } else { details },
            pseudonym: pseudonym.get_untracked(),
            topic: widget.topic.get_value(),
        };
        leptos::task::spawn_local(async move {
            let pseudonym = request.pseudonym.clone();
            let sent = publish(site, locale, &pseudonym, |token| async move { api::ask(&token, &request).await }).await;
            match sent {
                Ok(thread) => {
                    open(Screen::Thread(thread.id));
                }
                Err(failure) => problems.set(problems_of(&failure)),
            }
        });
    };
    let suggestions = move || {
        similar.get().filter(|s| !s.faq.is_empty() || !s.threads.is_empty()).map(|found| {
            let faq = found.faq.into_iter().map(|hit| {
                let question = hit.question.clone();
                view! {
                    <li>
                        <button class="aw-link" type="button" on:click=move |_| {
                            widget.query.set(question.clone());
                            widget.navigate(super::app::View::Home);
                        }>{hit.question}</button>
                    </li>
                }
            }).collect_view();
            let threads = found.threads.into_iter().map(|thread| {
                let id = thread.id.clone();
                view! { <li><button class="aw-link" type="button" on:click=move |_| open(Screen::Thread(id.clone()))>{thread.title}</button></li> }
            }).collect_view();
            view! {
                <div class="aw-note" role="status">
                    <p>{t(CommunityKey::SimilarFound)}</p>
                    <ul class="aw-similar">{faq}{threads}</ul>
                </div>
            }
        })
    };
    view! {
        <section class="aw-channel">
            <button class="aw-link" type="button" on:click=move |_| open(Screen::List)>{format!("← {}", t(CommunityKey::AllQuestions))}</button>
            <form class="aw-form" on:submit=submit>
                <label class="aw-label" for="aw-ask-title">{text(locale, Key::YourQuestion)}</label>
                <input
                    id="aw-ask-title"
                    class="aw-input"
                    type="text"
                    maxlength="150"
                    aria-describedby="aw-ask-title-msg"
                    aria-invalid=move || problem(problems, "title")().map(|_| "true")
                    prop:value=title
                    on:input=move |event| title.set(event_target_value(&event))
                />
                {field_message(problems, "title", "aw-ask-title-msg", locale)}
                {suggestions}
                <BodyField body=body problems=problems locale=locale id="aw-ask-body" label=CommunityKey::Details large=false />
                <PseudonymField pseudonym=pseudonym problems=problems locale=locale id="aw-ask-pseudonym" />
                {field_message(problems, "session", "aw-ask-session-msg", locale)}
                {field_message(problems, "form", "aw-ask-form-msg", locale)}
                <button class="aw-button" type="submit">{t(CommunityKey::Publish)}</button>
            </form>
        </section>
    }
}
