//! A FAQ entry: the answer (sanitized HTML from the server), "was this helpful?" with an optional
//! comment, related questions, and the ways to a person, carrying the visitor's search along.

use super::app::use_widget;
use super::home::ChannelEntries;
use super::results::QuestionList;
use crate::i18n::home::HomeKey;
use accueil_protocol::{FaqEvent, SiteConfig};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Where the visitor is in the helpful-or-not exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Feedback {
    Asked,
    /// Said "no"; may add a comment before it is sent.
    Explaining,
    Sent,
}

#[component]
pub fn Article(id: String, config: SiteConfig) -> impl IntoView {
    let widget = use_widget();
    let feedback = RwSignal::new(Feedback::Asked);
    let comment = RwSignal::new(String::new());
    let entry_id = StoredValue::new(id.clone());
    let query = move || Some(widget.query.get_untracked()).filter(|q| !q.trim().is_empty());
    let vote = move |helpful: bool, comment: Option<String>| {
        widget.report(FaqEvent::Vote { entry: entry_id.get_value(), helpful, comment, query: query() });
        feedback.set(Feedback::Sent);
    };
    // A "no" left without pressing send still counts when the visitor moves on.
    on_cleanup(move || {
        if feedback.get_untracked() == Feedback::Explaining {
            vote(false, None);
        }
    });
    // Links inside answers: other entries open here; external pages open in a new tab, never in the frame.
    let follow_link = move |event: leptos::ev::MouseEvent| {
        let anchor = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("a").ok().flatten());
        let Some(href) = anchor.and_then(|a| a.get_attribute("href")) else { return };
        event.prevent_default();
        if let Some(other) = href.strip_prefix("#faq/") {
            widget.open_article(other.to_owned());
        } else if let Some(window) = web_sys::window() {
            let _ = window.open_with_url_and_target_and_features(&href, "_blank", "noopener");
        }
    };
    let content = move || {
        let faq = widget.loaded_faq()?;
        let entry = faq.entry(&entry_id.get_value())?.clone();
        let related: Vec<(String, String)> =
            faq.related(&entry.id, 3).into_iter().map(|e| (e.id.clone(), e.question.clone())).collect();
        Some((entry, related))
    };
    view! {
        {move || content().map(|(entry, related)| view! {
            <article class="aw-article">
                <div class="aw-answer" inner_html=entry.html.clone() on:click=follow_link></div>
                <section class="aw-feedback" aria-labelledby="aw-feedback-title">
                    <h2 class="aw-subtitle" id="aw-feedback-title">{widget.t(HomeKey::WasThisHelpful)}</h2>
                    {move || match feedback.get() {
                        Feedback::Asked => view! {
                            <div class="aw-vote">
                                <button class="aw-button aw-button--quiet" type="button" on:click=move |_| vote(true, None)>
                                    {widget.t(HomeKey::Yes)}
                                </button>
                                <button class="aw-button aw-button--quiet" type="button" on:click=move |_| feedback.set(Feedback::Explaining)>
                                    {widget.t(HomeKey::No)}
                                </button>
                            </div>
                        }.into_any(),
                        Feedback::Explaining => view! {
                            <form class="aw-comment" on:submit=move |event: leptos::ev::SubmitEvent| {
                                event.prevent_default();
                                let text = comment.get_untracked().trim().to_owned();
                                vote(false, (!text.is_empty()).then_some(text));
                            }>
                                <label class="aw-label" for="aw-comment-input">{widget.t(HomeKey::TellUsMore)}</label>
                                <textarea
                                    id="aw-comment-input"
                                    class="aw-input aw-textarea"
                                    maxlength="1000"
                                    rows="3"
                                    prop:value=comment
                                    on:input=move |event| comment.set(event_target_value(&event))
                                ></textarea>
                                <button class="aw-button" type="submit">{widget.t(HomeKey::Send)}</button>
                            </form>
                        }.into_any(),
                        Feedback::Sent => view! { <p class="aw-note" role="status">{widget.t(HomeKey::Thanks)}</p> }.into_any(),
                    }}
                </section>
                <Show when={let empty = related.is_empty(); move || !empty}>
                    <h2 class="aw-subtitle">{widget.t(HomeKey::Related)}</h2>
                </Show>
                <QuestionList questions=related.clone() />
                <h2 class="aw-subtitle">{widget.t(HomeKey::StillNeedHelp)}</h2>
                <ChannelEntries features=config.features />
            </article>
        })}
    }
}
