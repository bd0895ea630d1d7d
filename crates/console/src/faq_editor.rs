//! The FAQ editor: the entries of a locale (filterable), a form per entry with the reason next to each
//! field the server refused, a preview rendered exactly as published, publish (visitors see it at once),
//! and going back to the previous version.

use crate::api::{self, ApiFailure};
use crate::i18n::Key;
use crate::use_console;
use accueil_protocol::{FaqEdit, FaqSource, FaqSourceEntry, Locale};
use leptos::prelude::*;

/// The form's state: text as typed, turned into an edit on publish.
#[derive(Debug, Clone, Default, PartialEq)]
struct Draft {
    is_new: bool,
    id: String,
    question: String,
    phrasings: String,
    tags: String,
    category: String,
    order: String,
    markdown: String,
}

impl Draft {
    fn of(entry: &FaqSourceEntry) -> Draft {
        Draft {
            is_new: false,
            id: entry.id.clone(),
            question: entry.question.clone(),
            phrasings: entry.phrasings.join("\n"),
            tags: entry.tags.join(", "),
            category: entry.category.clone(),
            order: entry.order.to_string(),
            markdown: entry.markdown.clone(),
        }
    }

    fn edit(&self) -> FaqEdit {
        let split =
            |text: &str, by: char| text.split(by).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
        FaqEdit {
            question: self.question.clone(),
            phrasings: split(&self.phrasings, '\n'),
            tags: split(&self.tags, ','),
            category: self.category.clone(),
            order: self.order.trim().parse().unwrap_or(0),
            markdown: self.markdown.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Idle,
    Published,
    Restored,
    Failed(ApiFailure),
}

#[component]
pub fn FaqEditor(site: String, locale: RwSignal<Locale>) -> impl IntoView {
    let console = use_console();
    let site = StoredValue::new(site);
    let source = RwSignal::new(None::<Result<FaqSource, ApiFailure>>);
    let filter = RwSignal::new(String::new());
    let draft = RwSignal::new(None::<Draft>);
    let outcome = RwSignal::new(Outcome::Idle);
    let preview = RwSignal::new(String::new());
    // The synonyms form, one group per line, shown instead of an entry when chosen.
    let synonyms = RwSignal::new(None::<String>);
    let load = move || {
        let (s, l) = (site.get_value(), locale.get_untracked());
        leptos::task::spawn_local(async move { source.set(Some(api::faq_source(s, l).await)) });
    };
    Effect::new(move |_| {
        let _ = locale.get();
        // A community answer proposed for the FAQ opens as a new entry; nothing is published until the
        // agent publishes it.
        let proposed = console.faq_draft.try_update(Option::take).flatten();
        draft.set(proposed.map(|(question, markdown)| Draft {
            is_new: true,
            id: String::new(),
            question,
            // A community answer comes with its text; a failed search only with its words, to be answered.
            category: if markdown.is_empty() { String::new() } else { console.t(Key::Community).to_owned() },
            order: "0".to_owned(),
            markdown,
            ..Draft::default()
        }));
        synonyms.set(None);
        load();
    });
    let edit_synonyms = move |_| {
        let text = source.with_untracked(|s| match s {
            Some(Ok(source)) => source.synonyms.iter().map(|g| g.join(", ")).collect::<Vec<_>>().join("\n"),
            _ => String::new(),
        });
        outcome.set(Outcome::Idle);
        draft.set(None);
        synonyms.set(Some(text));
    };
    let save_synonyms = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let text = synonyms.get_untracked().unwrap_or_default();
        let groups: Vec<Vec<String>> = text
            .lines()
            .map(|line| line.split(',').map(str::trim).filter(|w| !w.is_empty()).map(String::from).collect::<Vec<_>>())
            .filter(|g| !g.is_empty())
            .collect();
        let (s, l) = (site.get_value(), locale.get_untracked());
        leptos::task::spawn_local(async move {
            match api::save_synonyms(s, l, groups).await {
                Ok(_) => {
                    outcome.set(Outcome::Published);
                    load();
                }
                Err(failure) => outcome.set(Outcome::Failed(failure)),
            }
        });
    };

    let publish = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Some(current) = draft.get_untracked() else { return };
        let (s, l) = (site.get_value(), locale.get_untracked());
        leptos::task::spawn_local(async move {
            match api::save_entry(s, l, current.id.trim().to_owned(), current.edit()).await {
                Ok(_) => {
                    outcome.set(Outcome::Published);
                    draft.update(|d| {
                        if let Some(d) = d {
                            d.is_new = false
                        }
                    });
                    load();
                }
                Err(failure) => outcome.set(Outcome::Failed(failure)),
            }
        });
    };
    let restore = move |_| {
        let s = site.get_value();
        leptos::task::spawn_local(async move {
            match api::restore(s).await {
                Ok(()) => {
                    outcome.set(Outcome::Restored);
                    draft.set(None);
                    load();
                }
                Err(failure) => outcome.set(Outcome::Failed(failure)),
            }
        });
    };
    let show_preview = move |_| {
        let markdown = draft.with_untracked(|d| d.as_ref().map(|d| d.markdown.clone()).unwrap_or_default());
        leptos::task::spawn_local(async move {
            if let Ok(rendered) = api::preview(markdown).await {
                preview.set(rendered.html);
            }
        });
    };
    let entries = move || {
        let filter = filter.get().to_lowercase();
        source.with(|s| match s {
            Some(Ok(source)) => source
                .entries
                .iter()
                .filter(|e| filter.is_empty() || e.question.to_lowercase().contains(&filter))
                .cloned()
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    };
    // One labelled field, with the server's reason next to it when it refused the value.
    let field = move |name: &'static str,
                      label: Key,
                      hint: Option<Key>,
                      multiline: bool,
                      get: fn(&Draft) -> String,
                      set: fn(&mut Draft, String)| {
        let id = format!("ac-field-{name}");
        let error_id = format!("ac-field-{name}-error");
        let reason = move || match outcome.get() {
            Outcome::Failed(failure) => failure.field_reason(name),
            _ => None,
        };
        let value = move || draft.with(|d| d.as_ref().map(get).unwrap_or_default());
        let on_input = move |event: leptos::ev::Event| {
            let text = event_target_value(&event);
            draft.update(|d| {
                if let Some(d) = d {
                    set(d, text)
                }
            });
        };
        let described = format!("{error_id} ac-field-{name}-hint");
        view! {
            <div class="ac-field">
                <label for=id.clone()>{console.t(label)}</label>
                {hint.map(|h| view! { <p class="ac-hint" id=format!("ac-field-{name}-hint")>{console.t(h)}</p> })}
                {if multiline {
                    view! {
                        <textarea id=id aria-describedby=described aria-invalid=move || reason().is_some().to_string()
                            rows=if name == "markdown" { "12" } else { "3" } prop:value=value on:input=on_input></textarea>
                    }.into_any()
                } else {
                    view! {
                        <input id=id aria-describedby=described aria-invalid=move || reason().is_some().to_string()
                            prop:value=value on:input=on_input />
                    }.into_any()
                }}
                {move || reason().map(|r| view! { <p class="ac-field-error" id=error_id.clone()>{r}</p> })}
            </div>
        }
    };

    view! {
        <div class="ac-faq">
            <section class="ac-faq-list" aria-labelledby="ac-faq-title">
                <h1 id="ac-faq-title">{console.t(Key::Faq)}</h1>
                <label for="ac-faq-filter">{console.t(Key::FilterEntries)}</label>
                <input id="ac-faq-filter" type="search" prop:value=filter on:input=move |e| filter.set(event_target_value(&e)) />
                <button type="button" class="ac-primary" on:click=move |_| {
                    outcome.set(Outcome::Idle);
                    preview.set(String::new());
                    synonyms.set(None);
                    draft.set(Some(Draft { is_new: true, order: "1".into(), ..Draft::default() }));
                }>{console.t(Key::NewEntry)}</button>
                " "
                <button type="button" class="ac-secondary-dark" on:click=edit_synonyms>{console.t(Key::Synonyms)}</button>
                <ul>
                    {move || entries().into_iter().map(|entry| {
                        let chosen = entry.id.clone();
                        view! {
                            <li>
                                <button
                                    type="button"
                                    class="ac-entry"
                                    aria-current=move || draft.with(|d| d.as_ref().is_some_and(|d| d.id == chosen)).then_some("true")
                                    on:click=move |_| {
                                        outcome.set(Outcome::Idle);
                                        preview.set(String::new());
                                        synonyms.set(None);
                                        draft.set(Some(Draft::of(&entry)));
                                    }
                                >
                                    {entry.question.clone()}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <button type="button" class="ac-link" on:click=restore>{console.t(Key::Restore)}</button>
            </section>
            <section class="ac-faq-form">
                {move || match outcome.get() {
                    Outcome::Published => Some(view! { <p class="ac-success" role="status">{console.t(Key::Published)}</p> }.into_any()),
                    Outcome::Restored => Some(view! { <p class="ac-success" role="status">{console.t(Key::Restored)}</p> }.into_any()),
                    Outcome::Failed(ApiFailure::Refused { body: Some(body), .. }) => {
                        Some(view! { <p class="ac-alert" role="alert">{body.error.message}</p> }.into_any())
                    }
                    Outcome::Failed(_) => Some(view! { <p class="ac-alert" role="alert">{console.t(Key::Unreachable)}</p> }.into_any()),
                    Outcome::Idle => None,
                }}
                {move || match (draft.with(|d| d.as_ref().map(|d| d.is_new)), synonyms.get().is_some()) {
                    (None, true) => view! {
                        <form on:submit=save_synonyms novalidate>
                            <h2>{console.t(Key::Synonyms)}</h2>
                            <label for="ac-synonyms">{console.t(Key::Synonyms)}</label>
                            <p class="ac-hint" id="ac-synonyms-hint">{console.t(Key::SynonymsHint)}</p>
                            <textarea
                                id="ac-synonyms"
                                rows="12"
                                aria-describedby="ac-synonyms-hint"
                                prop:value=move || synonyms.get().unwrap_or_default()
                                on:input=move |e| synonyms.set(Some(event_target_value(&e)))
                            ></textarea>
                            {move || match outcome.get() {
                                Outcome::Failed(ApiFailure::Refused { body: Some(body), .. }) => Some(view! {
                                    <ul class="ac-field-error">{body.error.fields.into_iter().map(|f| view! { <li>{f.reason}</li> }).collect_view()}</ul>
                                }),
                                _ => None,
                            }}
                            <div class="ac-actions">
                                <button type="submit" class="ac-primary">{console.t(Key::Publish)}</button>
                            </div>
                        </form>
                    }.into_any(),
                    (None, false) => view! { <p class="ac-empty">{console.t(Key::ChooseEntry)}</p> }.into_any(),
                    (Some(is_new), _) => view! {
                        <form on:submit=publish novalidate>
                            {is_new.then(|| field("id", Key::Id, None, false, |d| d.id.clone(), |d, v| d.id = v))}
                            {field("question", Key::Question, None, false, |d| d.question.clone(), |d, v| d.question = v)}
                            {field("phrasings", Key::Phrasings, Some(Key::PhrasingsHint), true, |d| d.phrasings.clone(), |d, v| d.phrasings = v)}
                            {field("tags", Key::Tags, Some(Key::TagsHint), false, |d| d.tags.clone(), |d, v| d.tags = v)}
                            {field("category", Key::Category, None, false, |d| d.category.clone(), |d, v| d.category = v)}
                            {field("order", Key::Order, None, false, |d| d.order.clone(), |d, v| d.order = v)}
                            {field("markdown", Key::AnswerMarkdown, None, true, |d| d.markdown.clone(), |d, v| d.markdown = v)}
                            <div class="ac-actions">
                                <button type="button" class="ac-secondary-dark" on:click=show_preview>{console.t(Key::Preview)}</button>
                                <button type="submit" class="ac-primary">{console.t(Key::Publish)}</button>
                            </div>
                            <Show when=move || preview.with(|p| !p.is_empty())>
                                <h2>{console.t(Key::Preview)}</h2>
                                <div class="ac-preview" inner_html=move || preview.get()></div>
                            </Show>
                        </form>
                    }.into_any(),
                }}
            </section>
        </div>
    }
}
