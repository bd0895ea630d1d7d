//! What visitors look for: searches without a good answer (each one action from becoming a phrasing of
//! the closest entry, or a new question), the least helpful answers with visitors' comments, and
//! phrasings to add, each one click from being published.

use crate::api::{self, ApiFailure};
use crate::i18n::Key;
use crate::use_console;
use accueil_protocol::{FaqReport, Locale, PhrasingProposal};
use leptos::prelude::*;

#[component]
pub fn Report(
    site: String,
    locale: RwSignal<Locale>,
    /// Opens the FAQ editor on a new entry with this question (and answer).
    promote: impl Fn(String, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let console = use_console();
    let site = StoredValue::new(site);
    let days = RwSignal::new(30u32);
    let report = RwSignal::new(None::<Result<FaqReport, ApiFailure>>);
    let adopted = RwSignal::new(false);
    let load = move || {
        let (s, l, d) = (site.get_value(), locale.get_untracked(), days.get_untracked());
        leptos::task::spawn_local(async move { report.set(Some(api::report(s, l, d).await)) });
    };
    Effect::new(move |_| {
        let _ = (locale.get(), days.get());
        load();
    });
    let adopt = move |proposal: PhrasingProposal| {
        let (s, l) = (site.get_value(), locale.get_untracked());
        leptos::task::spawn_local(async move {
            let Ok(source) = api::faq_source(s.clone(), l).await else { return };
            let Some(entry) = source.entries.into_iter().find(|e| e.id == proposal.entry) else { return };
            let mut phrasings = entry.phrasings.clone();
            phrasings.push(proposal.phrasing.clone());
            let edit = accueil_protocol::FaqEdit {
                question: entry.question,
                phrasings,
                tags: entry.tags,
                category: entry.category,
                order: entry.order,
                markdown: entry.markdown,
            };
            if api::save_entry(s, l, entry.id, edit).await.is_ok() {
                adopted.set(true);
                load();
            }
        });
    };
    let nothing = move || view! { <p class="ac-empty">{console.t(Key::NothingYet)}</p> };
    view! {
        <h1>{console.t(Key::VisitorGaps)}</h1>
        <label for="ac-period">{console.t(Key::Period)}</label>
        <select id="ac-period" on:change=move |e| days.set(event_target_value(&e).parse().unwrap_or(30))>
            {[7u32, 30, 90].into_iter().map(|d| view! {
                <option value=d.to_string() selected=move || days.get() == d>{format!("{d} {}", console.t(Key::Days))}</option>
            }).collect_view()}
        </select>
        {move || adopted.get().then(|| view! { <p class="ac-success" role="status">{console.t(Key::Published)}</p> })}
        {move || match report.get() {
            None => view! { <p role="status">{console.t(Key::Loading)}</p> }.into_any(),
            Some(Err(_)) => view! { <p class="ac-alert" role="alert">{console.t(Key::Unreachable)}</p> }.into_any(),
            Some(Ok(report)) => view! {
                <section aria-labelledby="ac-unanswered">
                    <h2 id="ac-unanswered">{console.t(Key::Unanswered)}</h2>
                    {if report.unanswered.is_empty() { nothing().into_any() } else { view! {
                        <table>
                            <thead><tr>
                                <th scope="col">{console.t(Key::Question)}</th><th scope="col">{console.t(Key::Searches)}</th>
                                <th scope="col">{console.t(Key::Action)}</th>
                            </tr></thead>
                            <tbody>{report.unanswered.into_iter().map(|q| {
                                let adopt_as = q.suggestion.clone().map(|s| {
                                    let label = format!("{} « {} »", console.t(Key::AddPhrasingOf), s.question);
                                    let proposal =
                                        PhrasingProposal { entry: s.entry, question: s.question, phrasing: q.query.clone(), votes: q.searches };
                                    view! {
                                        <button type="button" class="ac-secondary-dark" on:click=move |_| adopt(proposal.clone())>{label}</button>
                                        " "
                                    }
                                });
                                let asked = q.query.clone();
                                let create_label = format!("{} : {}", console.t(Key::NewEntryFromSearch), q.query);
                                view! {
                                    <tr>
                                        <td>{q.query.clone()}</td><td>{q.searches}</td>
                                        <td>
                                            {adopt_as}
                                            <button type="button" class="ac-link" aria-label=create_label
                                                on:click=move |_| promote(asked.clone(), String::new())>
                                                {console.t(Key::NewEntryFromSearch)}
                                            </button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any() }}
                </section>
                <section aria-labelledby="ac-least-helpful">
                    <h2 id="ac-least-helpful">{console.t(Key::LeastHelpful)}</h2>
                    {if report.entries.is_empty() { nothing().into_any() } else { view! {
                        <table>
                            <thead><tr>
                                <th scope="col">{console.t(Key::Question)}</th><th scope="col">{console.t(Key::Views)}</th>
                                <th scope="col">{console.t(Key::Helpful)}</th><th scope="col">{console.t(Key::NotHelpful)}</th>
                            </tr></thead>
                            <tbody>{report.entries.iter().map(|e| view! {
                                <tr><td>{e.question.clone()}</td><td>{e.views}</td><td>{e.helpful}</td><td>{e.not_helpful}</td></tr>
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any() }}
                </section>
                <section aria-labelledby="ac-comments">
                    <h2 id="ac-comments">{console.t(Key::Comments)}</h2>
                    {if report.comments.is_empty() { nothing().into_any() } else { view! {
                        <ul>{report.comments.iter().map(|c| view! { <li><strong>{c.entry.clone()}</strong> " — " {c.comment.clone()}</li> }).collect_view()}</ul>
                    }.into_any() }}
                </section>
                <section aria-labelledby="ac-proposals">
                    <h2 id="ac-proposals">{console.t(Key::Proposals)}</h2>
                    {if report.proposals.is_empty() { nothing().into_any() } else { view! {
                        <ul>{report.proposals.into_iter().map(|p| {
                            let label = format!("« {} » → {} ({})", p.phrasing, p.question, p.votes);
                            view! {
                                <li>{label}" "
                                    <button type="button" class="ac-secondary-dark" on:click=move |_| adopt(p.clone())>
                                        {console.t(Key::AddPhrasing)}
                                    </button>
                                </li>
                            }
                        }).collect_view()}</ul>
                    }.into_any() }}
                </section>
            }.into_any(),
        }}
    }
}
