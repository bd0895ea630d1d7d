//! FAQ search, the same in the widget (compiled to wasm) and on the server: French and English, case
//! and accents folded, plurals and common inflections conflated, one or two typos per word forgiven,
//! the unfinished last word completed, synonyms expanded, questions and phrasings weighted above
//! answers, and a calibrated "no good answer" instead of weak guesses. No dependencies, no I/O.

#[cfg(feature = "faq")]
mod faq;
mod rank;
pub mod text;
mod typo;

#[cfg(feature = "faq")]
pub use faq::{faq_entries, faq_index, language_of, popular};
pub use rank::{Hit, MIN_COVERAGE, MIN_SCORE, MatchedTerm, highlight};

/// The language whose stop words and stemmer apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    French,
    English,
}

/// One entry to index. `answer` is plain text (the widget strips the HTML first).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry {
    pub id: String,
    pub question: String,
    pub phrasings: Vec<String>,
    pub tags: Vec<String>,
    pub answer: String,
}

/// Where a term occurs in an entry; a match in the question says more than one in the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Question,
    Phrasing,
    Tag,
    Answer,
}

impl Field {
    fn weight(self) -> f32 {
        match self {
            Field::Question => 3.0,
            Field::Phrasing => 2.5,
            Field::Tag => 2.0,
            Field::Answer => 1.0,
        }
    }
}

/// A searchable index of one locale's entries.
#[derive(Debug, Clone)]
pub struct Index {
    pub(crate) language: Language,
    pub(crate) entry_ids: Vec<String>,
    /// Every distinct stem, sorted, so a prefix is a contiguous range.
    pub(crate) terms: Vec<String>,
    /// For each term: (entry, weight of the term in that entry), entries ascending.
    pub(crate) postings: Vec<Vec<(u32, f32)>>,
    /// Inverse document frequency of each term.
    pub(crate) idf: Vec<f32>,
    /// Each entry's question and phrasings as term sequences (stop words dropped), to reward a query
    /// whose words follow each other as they do in the way the entry is asked.
    pub(crate) phrasings: Vec<Vec<Vec<u32>>>,
    /// For a stem (present in the entries or not), the indexed terms of its synonym groups.
    pub(crate) synonyms: std::collections::HashMap<String, Vec<u32>>,
    pub(crate) typos: typo::TypoIndex,
}

/// Query length cap: a pasted novel must neither block the page nor the server.
pub const MAX_QUERY_CHARS: usize = 200;
/// Words considered per query, for the same reason.
pub const MAX_QUERY_WORDS: usize = 12;

impl Index {
    /// Builds the index. `synonyms` are groups of interchangeable words or short phrases' words
    /// (`["livraison", "expédition", "colis"]`).
    pub fn build(language: Language, entries: &[Entry], synonyms: &[Vec<String>]) -> Index {
        use std::collections::HashMap;
        // term -> (entry, field-weighted term frequency), entries ascending as they are visited in order.
        let mut occurrences: HashMap<String, Vec<(u32, f32)>> = HashMap::new();
        let mut add = |entry: u32, field: Field, text: &str| {
            for word in text::words(text) {
                if text::is_stop_word(language, &word.folded) {
                    continue;
                }
                let list = occurrences.entry(text::stem(language, &word.folded)).or_default();
                match list.last_mut() {
                    Some((last, tf)) if *last == entry => *tf += field.weight(),
                    _ => list.push((entry, field.weight())),
                }
            }
        };
        for (i, entry) in entries.iter().enumerate() {
            let i = i as u32;
            add(i, Field::Question, &entry.question);
            for phrasing in &entry.phrasings {
                add(i, Field::Phrasing, phrasing);
            }
            for tag in &entry.tags {
                add(i, Field::Tag, tag);
            }
            add(i, Field::Answer, &entry.answer);
        }
        let total = entries.len().max(1) as f32;
        let mut terms: Vec<String> = occurrences.keys().cloned().collect();
        terms.sort_unstable();
        let mut postings = Vec::with_capacity(terms.len());
        let mut idf = Vec::with_capacity(terms.len());
        for term in &terms {
            let by_entry = occurrences.remove(term).unwrap_or_default();
            let df = by_entry.len() as f32;
            idf.push((1.0 + (total - df + 0.5) / (df + 0.5)).ln());
            // Saturating: the fifth mention in an answer adds little to the first in a question.
            postings.push(by_entry.into_iter().map(|(entry, tf)| (entry, tf / (tf + 1.5) * 2.5)).collect::<Vec<_>>());
        }
        let stems_of = |phrase: &str| -> Vec<String> {
            text::words(phrase)
                .into_iter()
                .filter(|w| !text::is_stop_word(language, &w.folded))
                .map(|w| text::stem(language, &w.folded))
                .collect()
        };
        // Single words of a group are interchangeable. A multi-word phrase ("send back") leads to the
        // group's single words, but not the other way: "return" must not expand to "back".
        let mut synonym_map: std::collections::HashMap<String, Vec<u32>> = std::collections::HashMap::new();
        for group in synonyms {
            let singles: Vec<String> = group.iter().map(|p| stems_of(p)).filter(|s| s.len() == 1).flatten().collect();
            let targets: Vec<u32> =
                singles.iter().filter_map(|s| terms.binary_search(s).ok()).map(|i| i as u32).collect();
            for phrase in group {
                for stem in stems_of(phrase) {
                    let own = terms.binary_search(&stem).ok().map(|i| i as u32);
                    let list = synonym_map.entry(stem).or_default();
                    for &id in targets.iter().filter(|id| Some(**id) != own) {
                        if !list.contains(&id) {
                            list.push(id);
                        }
                    }
                }
            }
        }
        let sequence = |phrase: &str| -> Vec<u32> {
            stems_of(phrase).iter().filter_map(|s| terms.binary_search(s).ok()).map(|i| i as u32).collect()
        };
        let phrasings = entries
            .iter()
            .map(|e| std::iter::once(&e.question).chain(&e.phrasings).map(|p| sequence(p)).collect())
            .collect();
        let typos = typo::TypoIndex::build(&terms);
        Index {
            language,
            entry_ids: entries.iter().map(|e| e.id.clone()).collect(),
            terms,
            postings,
            idf,
            phrasings,
            synonyms: synonym_map,
            typos,
        }
    }

    pub fn len(&self) -> usize {
        self.entry_ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entry_ids.is_empty()
    }

    pub fn language(&self) -> Language {
        self.language
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, question: &str, answer: &str) -> Entry {
        Entry { id: id.into(), question: question.into(), answer: answer.into(), ..Entry::default() }
    }

    fn french() -> Index {
        let entries = [
            entry("delivery", "Quels sont les délais de livraison ?", "Expédiée sous 48 h depuis Limoges."),
            entry("returns", "Comment retourner un article ?", "Imprimez l'étiquette prépayée."),
            entry("refund", "Quand serai-je remboursé ?", "Le remboursement part sous 3 jours."),
            entry("warranty", "Quelle est la durée de la garantie ?", "Deux ans sur tous nos luminaires."),
        ];
        let synonyms = vec![vec!["livraison".to_owned(), "expédition".to_owned(), "colis".to_owned()]];
        Index::build(Language::French, &entries, &synonyms)
    }

    fn top(index: &Index, query: &str) -> Option<String> {
        index.search(query, 5).first().map(|h| h.id.clone())
    }

    #[test]
    fn accents_case_and_plurals_do_not_matter() {
        let index = french();
        assert_eq!(top(&index, "DELAIS DE LIVRAISON").as_deref(), Some("delivery"));
        assert_eq!(top(&index, "délai livraisons").as_deref(), Some("delivery"));
        assert_eq!(top(&index, "rembourse").as_deref(), Some("refund"));
    }

    #[test]
    fn typos_are_forgiven() {
        let index = french();
        assert_eq!(top(&index, "livriason ").as_deref(), Some("delivery"));
        assert_eq!(top(&index, "garentie ").as_deref(), Some("warranty"));
    }

    #[test]
    fn the_word_being_typed_is_completed() {
        let index = french();
        assert_eq!(top(&index, "retou").as_deref(), Some("returns"));
        assert_eq!(top(&index, "garan").as_deref(), Some("warranty"));
        assert_eq!(top(&index, "garan ").as_deref(), Some("warranty"), "a finished stub reads as an abbreviation");
        assert_eq!(top(&index, "ga ").as_deref(), None, "two finished letters are too little to guess from");
    }

    #[test]
    fn warming_up_runs_on_any_index_even_one_without_words_to_use() {
        // Its queries come from the index's own terms: none, or too short to make a typo of.
        Index::build(Language::English, &[], &[]).warm_up();
        Index::build(Language::English, &[entry("hi", "Hi", "Yo")], &[]).warm_up();
        french().warm_up();
    }

    #[test]
    fn synonyms_reach_entries_that_never_say_the_word() {
        assert_eq!(top(&french(), "colis ").as_deref(), Some("delivery"));
    }

    #[test]
    fn unrelated_and_empty_queries_find_nothing() {
        let index = french();
        for query in ["recette de la tarte tatin", "", "   ", "la", "le ", "?!", "xyzzy"] {
            assert!(index.search(query, 5).is_empty(), "{query:?}");
        }
    }

    #[test]
    fn any_input_is_safe() {
        let index = french();
        let long = "livraison ".repeat(10_000);
        assert_eq!(top(&index, &long).as_deref(), Some("delivery"));
        for query in ["𝔩𝔦𝔳𝔯𝔞𝔦𝔰𝔬𝔫", "配送について", "\u{0}\u{1}", "ééééééééééééééééé", "a'b'c'd'e'f"]
        {
            let _ = index.search(query, 5);
        }
        assert!(Index::build(Language::English, &[], &[]).search("anything", 5).is_empty());
    }

    #[test]
    fn matched_words_are_highlighted_in_their_original_spelling() {
        let index = french();
        let hit = &index.search("délai livraison", 1)[0];
        let pieces = highlight(&index, "Les délais de Livraison varient.", &hit.matched);
        let marked: Vec<&str> = pieces.iter().filter(|(_, on)| *on).map(|(text, _)| *text).collect();
        assert_eq!(marked, ["délais", "Livraison"]);
        assert_eq!(pieces.iter().map(|(t, _)| *t).collect::<String>(), "Les délais de Livraison varient.");
    }
}
