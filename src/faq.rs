//! The widget's FAQ logic without the DOM: the loaded FAQ with its search index, and snippets, the
//! sentence of an answer that best shows why it matched, with matched words marked.

use accueil_protocol::{Faq, FaqEntry};
use accueil_search::{Hit, Index, MatchedTerm, faq_index, highlight};

/// How long a snippet may be, in characters, before it is cut with an ellipsis.
const SNIPPET_CHARS: usize = 150;

/// A published FAQ ready to search. The index is built on first use (or by `warm` once the list is on
/// screen, with the search code warmed up), so building it never delays the first paint of the
/// frequent questions.
pub struct LoadedFaq {
    pub faq: Faq,
    index: std::cell::OnceCell<Index>,
}

/// A piece of text and whether it is a matched word.
pub type Pieces = Vec<(String, bool)>;

impl LoadedFaq {
    pub fn new(faq: Faq) -> LoadedFaq {
        LoadedFaq { index: std::cell::OnceCell::new(), faq }
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| faq_index(&self.faq))
    }

    /// Builds the index now and runs the search code a few times, so the first keystroke neither waits
    /// for the index nor runs code the browser has not compiled yet (see `Index::warm_up`).
    pub fn warm(&self) {
        self.index().warm_up();
    }

    pub fn entry(&self, id: &str) -> Option<&FaqEntry> {
        self.faq.entries.iter().find(|e| e.id == id)
    }

    pub fn search(&self, query: &str, k: usize) -> Vec<Hit> {
        self.index().search(query, k)
    }

    /// The first entry of each category: what to show before the visitor types (as the server's
    /// first view shows them).
    pub fn popular(&self, k: usize) -> Vec<&FaqEntry> {
        accueil_search::popular(&self.faq.entries, k)
    }

    /// Other entries of the same category, for "related questions".
    pub fn related(&self, id: &str, k: usize) -> Vec<&FaqEntry> {
        let Some(entry) = self.entry(id) else { return Vec::new() };
        self.faq.entries.iter().filter(|e| e.category == entry.category && e.id != id).take(k).collect()
    }

    pub fn marked(&self, text: &str, matched: &[MatchedTerm]) -> Pieces {
        highlight(self.index(), text, matched).into_iter().map(|(t, on)| (t.to_owned(), on)).collect()
    }

    /// The answer's sentence with the most matched words (the first sentence if none), marked.
    pub fn snippet(&self, text: &str, matched: &[MatchedTerm]) -> Pieces {
        let sentences: Vec<&str> =
            text.split_inclusive(['.', '!', '?', ':']).map(str::trim).filter(|s| !s.is_empty()).collect();
        let score = |s: &&str| highlight(self.index(), s, matched).iter().filter(|(_, on)| *on).count();
        let best = sentences.iter().max_by_key(|s| (score(s), std::cmp::Reverse(s.len()))).copied().unwrap_or(text);
        let cut: String = best.chars().take(SNIPPET_CHARS).collect();
        let mut pieces = self.marked(&cut, matched);
        if best.chars().count() > SNIPPET_CHARS {
            pieces.push(("…".to_owned(), false));
        }
        pieces
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accueil_protocol::Locale;

    fn entry(id: &str, category: &str, question: &str, text: &str) -> FaqEntry {
        FaqEntry {
            id: id.into(),
            question: question.into(),
            phrasings: vec![],
            tags: vec![],
            category: category.into(),
            order: 1,
            updated: "2026-11-02".into(),
            html: String::new(),
            text: text.into(),
        }
    }

    fn loaded() -> LoadedFaq {
        LoadedFaq::new(Faq {
            site: "demo".into(),
            locale: Locale::Fr,
            version: 1,
            entries: vec![
                entry(
                    "costs",
                    "Livraison",
                    "Combien coûte la livraison ?",
                    "Elle est offerte dès 80 €. En dessous, la livraison coûte 5,90 €.",
                ),
                entry("times", "Livraison", "Quels délais ?", "Sous 48 h."),
                entry("returns", "Retours", "Comment retourner ?", "Étiquette prépayée."),
            ],
            synonyms: vec![],
        })
    }

    #[test]
    fn the_snippet_is_the_sentence_that_matched_with_words_marked() {
        let faq = loaded();
        let hit = &faq.search("prix livraison coute", 1)[0];
        let pieces = faq.snippet(&faq.entry(&hit.id).unwrap().text, &hit.matched);
        let text: String = pieces.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(text, "En dessous, la livraison coûte 5,90 €.");
        let marked: Vec<&str> = pieces.iter().filter(|(_, on)| *on).map(|(t, _)| t.as_str()).collect();
        assert_eq!(marked, ["livraison", "coûte"]);
    }

    #[test]
    fn popular_takes_one_per_category_and_related_stays_in_it() {
        let faq = loaded();
        let popular: Vec<&str> = faq.popular(5).iter().map(|e| e.id.as_str()).collect();
        assert_eq!(popular, ["costs", "returns"]);
        let related: Vec<&str> = faq.related("costs", 3).iter().map(|e| e.id.as_str()).collect();
        assert_eq!(related, ["times"]);
    }
}
