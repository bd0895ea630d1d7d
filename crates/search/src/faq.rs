//! The index of a published FAQ as the wire delivers it, so the widget and the server build exactly
//! the same one from the same JSON.

use crate::{Entry, Index, Language};
use accueil_protocol::{Faq, FaqEntry, Locale};

pub fn language_of(locale: Locale) -> Language {
    match locale {
        Locale::Fr => Language::French,
        Locale::En => Language::English,
    }
}

/// What the search reads of each wire entry.
pub fn faq_entries(entries: &[FaqEntry]) -> Vec<Entry> {
    entries
        .iter()
        .map(|e| Entry {
            id: e.id.clone(),
            question: e.question.clone(),
            phrasings: e.phrasings.clone(),
            tags: e.tags.clone(),
            answer: e.text.clone(),
        })
        .collect()
}

pub fn faq_index(faq: &Faq) -> Index {
    Index::build(language_of(faq.locale), &faq_entries(&faq.entries), &faq.synonyms)
}

/// The frequent questions shown before the visitor types: the first entry of each category, at most
/// `k`. The widget shows them, and the server writes them into the home's first view, alike.
pub fn popular(entries: &[FaqEntry], k: usize) -> Vec<&FaqEntry> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for entry in entries {
        if !seen.contains(&entry.category.as_str()) {
            seen.push(&entry.category);
            out.push(entry);
        }
    }
    out.truncate(k);
    out
}
