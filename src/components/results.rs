//! Answers as the visitor types: matched words marked in the question and in the best sentence of the
//! answer, frequent questions before the first keystroke, and an honest "no ready answer" when the search
//! finds nothing good (the ways to a person follow right below it on the home view).

use super::app::use_widget;
use crate::faq::Pieces;
use crate::i18n::home::HomeKey;
use crate::i18n::home::results_status;
use accueil_search::Hit;
use leptos::prelude::*;

/// Results shown at most; more would push the ways to a person off a phone screen.
const SHOWN: usize = 6;

/// Text with its matched words in `<mark>`.
pub fn marked(pieces: Pieces) -> impl IntoView {
    pieces
        .into_iter()
        .map(|(text, on)| if on { view! { <mark>{text}</mark> }.into_any() } else { text.into_any() })
        .collect_view()
}

#[component]
pub fn SearchResults() -> impl IntoView {
    let widget = use_widget();
    let hits = Memo::new(move |_| {
        let query = widget.query.get();
        if query.trim().is_empty() {
            return None;
        }
        widget.loaded_faq().map(|faq| faq.search(&query, SHOWN))
    });
    let status = move || hits.get().map(|h| results_status(widget.locale.get(), h.len())).unwrap_or_default();
    let result = move |(i, hit): (usize, Hit)| {
        let faq = widget.loaded_faq()?;
        let entry = faq.entry(&hit.id)?;
        let (question, snippet) = (faq.marked(&entry.question, &hit.matched), faq.snippet(&entry.text, &hit.matched));
        // The button's name is its question; the snippet beside it is its description. The whole card
        // stays one large target through the button's stretched ::after (style/widget.css).
        let snippet_id = format!("aw-result-{i}-snippet");
        let described_by = snippet_id.clone();
        let id = hit.id.clone();
        Some(view! {
            <li class="aw-result-card">
                <button
                    class="aw-result aw-result--stretched"
                    type="button"
                    aria-describedby=described_by
                    on:click=move |_| widget.open_article(id.clone())
                >
                    <span class="aw-result-question">{marked(question)}</span>
                </button>
                <p class="aw-result-snippet" id=snippet_id>{marked(snippet)}</p>
            </li>
        })
    };
    view! {
        <p class="aw-visually-hidden" role="status">{status}</p>
        {move || match hits.get() {
            Some(hits) if hits.is_empty() => view! {
                <div class="aw-no-answer">
                    <p class="aw-no-answer-title">{widget.t(HomeKey::NoAnswer)}</p>
                    <p>{widget.t(HomeKey::NoAnswerHint)}</p>
                </div>
            }.into_any(),
            Some(hits) => view! {
                <ul class="aw-results">{hits.into_iter().enumerate().filter_map(result).collect_view()}</ul>
            }.into_any(),
            None => {
                let popular = widget.loaded_faq().map(|faq| {
                    faq.popular(5).into_iter().map(|e| (e.id.clone(), e.question.clone())).collect::<Vec<_>>()
                }).unwrap_or_default();
                let shown = !popular.is_empty();
                view! {
                    <Show when=move || shown>
                        <h2 class="aw-subtitle">{widget.t(HomeKey::PopularQuestions)}</h2>
                    </Show>
                    <QuestionList questions=popular />
                }.into_any()
            }
        }}
    }
}

/// Questions as buttons that open their entry (frequent questions, related questions).
#[component]
pub fn QuestionList(
    /// `(entry id, question)` pairs, in the order shown.
    questions: Vec<(String, String)>,
) -> impl IntoView {
    let widget = use_widget();
    view! {
        <ul class="aw-results">
            {questions.into_iter().map(|(id, question)| view! {
                <li>
                    <button class="aw-result" type="button" on:click=move |_| widget.open_article(id.clone())>
                        <span class="aw-result-question">{question}</span>
                    </button>
                </li>
            }).collect_view()}
        </ul>
    }
}
