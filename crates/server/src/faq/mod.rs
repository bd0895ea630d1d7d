//! FAQ content: reading a folder of Markdown files into validated entries (`import`), turning Markdown
//! into sanitized HTML and plain text (`render`), and the searchable, cached view of what is published
//! (`published`).

pub mod export;
pub mod import;
pub mod published;
pub mod render;
pub mod semantic;

use accueil_protocol::{FaqEntry, Locale};

/// One entry as stored: what the widget receives, plus its locale and the Markdown it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEntry {
    pub locale: Locale,
    pub markdown: String,
    pub public: FaqEntry,
}

/// A complete FAQ of one site: entries of every locale and the synonyms of each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Content {
    pub entries: Vec<StoredEntry>,
    pub synonyms: Vec<(Locale, Vec<Vec<String>>)>,
}

impl Content {
    /// A fingerprint of the content, so an unchanged folder is not imported again at every start.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        for StoredEntry { locale, markdown, public: e } in &self.entries {
            for part in [locale.tag(), &e.id, &e.question, &e.category, &e.updated, markdown] {
                hasher.update(part.as_bytes());
                hasher.update([0]);
            }
            hasher.update(e.order.to_le_bytes());
            for list in [&e.phrasings, &e.tags] {
                for item in list {
                    hasher.update(item.as_bytes());
                    hasher.update([1]);
                }
                hasher.update([2]);
            }
        }
        for (locale, groups) in &self.synonyms {
            hasher.update(locale.tag().as_bytes());
            for group in groups {
                hasher.update(group.join("\u{1f}").as_bytes());
                hasher.update([3]);
            }
        }
        hasher.finalize()[..16].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Folds and trims a visitor's query for aggregation: "Frais de PORT " and "frais de port" are one.
pub fn normalize_query(query: &str) -> String {
    let folded = accueil_search::text::fold(query);
    folded.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(accueil_search::MAX_QUERY_CHARS).collect()
}
