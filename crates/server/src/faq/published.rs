//! The published FAQ as served: per site and locale, the JSON payload (with its ETag) and the search
//! index, built once per published snapshot. Each request checks the published snapshot's id in the
//! database, so a publish on one server node is seen by all of them.

use super::Content;
use super::semantic::{self, EntryVectors, Found};
use crate::assets::{Asset, Caching};
use crate::error::Error;
use crate::store::Store;
use accueil_protocol::{Faq, FaqEntry, Locale};
use accueil_search::{Index, faq_index};
use accueil_semantic::Encoder;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

pub struct Served {
    pub version: i64,
    pub json: Asset,
    pub index: Index,
    pub entries: Vec<FaqEntry>,
    /// The entries' embeddings, computed in the background after the snapshot is first served; until
    /// then (or without a model) the server's search is lexical.
    vectors: OnceLock<EntryVectors>,
}

/// What `PublishedFaq::install` did with a built snapshot.
enum Installed {
    /// It is the cached one now (the one it replaced, if any, is `earlier`): embed its entries.
    Ours { earlier: Option<Arc<Served>> },
    /// Another request had cached the same snapshot first: serve that one.
    Theirs(Arc<Served>),
}

#[derive(Default)]
pub struct PublishedFaq {
    cache: RwLock<HashMap<(String, Locale), Arc<Served>>>,
    encoder: Option<Arc<Encoder>>,
}

/// The wire form of one locale of `content`, entries in category and reading order.
pub fn payload(site: &str, locale: Locale, version: i64, content: &Content) -> Faq {
    let mut entries: Vec<FaqEntry> =
        content.entries.iter().filter(|e| e.locale == locale).map(|e| e.public.clone()).collect();
    entries.sort_by(|a, b| a.category.cmp(&b.category).then(a.order.cmp(&b.order)).then(a.id.cmp(&b.id)));
    let synonyms =
        content.synonyms.iter().find(|(l, _)| *l == locale).map(|(_, groups)| groups.clone()).unwrap_or_default();
    Faq { site: site.to_owned(), locale, version, entries, synonyms }
}

impl Served {
    /// The server's search: semantic and lexical merged once the embeddings are ready, lexical before.
    pub fn search(&self, encoder: Option<&Encoder>, query: &str, k: usize) -> Vec<Found> {
        semantic::search(&self.index, encoder.zip(self.vectors.get()), query, k)
    }

    /// The entry closest to `query`, good answer or not (see `semantic::closest`).
    pub fn closest(&self, encoder: Option<&Encoder>, query: &str) -> Option<&FaqEntry> {
        semantic::closest(&self.index, encoder.zip(self.vectors.get()), query).and_then(|i| self.entries.get(i))
    }
}

impl PublishedFaq {
    pub fn new(encoder: Option<Arc<Encoder>>) -> PublishedFaq {
        PublishedFaq { cache: RwLock::default(), encoder }
    }

    pub fn encoder(&self) -> Option<&Encoder> {
        self.encoder.as_deref()
    }

    /// Caches `served` for `key`. Two requests can miss the cache at once: the first to get here
    /// serves (and embeds) the snapshot and the other takes its copy, so that a large FAQ is not
    /// embedded twice over.
    fn install(&self, key: (String, Locale), served: &Arc<Served>) -> Installed {
        match self.cache.write() {
            Ok(mut cache) => match cache.get(&key) {
                Some(current) if current.version == served.version => Installed::Theirs(current.clone()),
                _ => Installed::Ours { earlier: cache.insert(key, served.clone()) },
            },
            Err(_) => Installed::Ours { earlier: None },
        }
    }

    /// What is published for `site` in `locale`; `None` when the site has no FAQ yet.
    pub async fn get(&self, store: &dyn Store, site: &str, locale: Locale) -> Result<Option<Arc<Served>>, Error> {
        let Some(snapshot) = store.published_faq(site).await? else { return Ok(None) };
        let key = (site.to_owned(), locale);
        let cached = self.cache.read().ok().and_then(|cache| cache.get(&key).cloned());
        if let Some(served) = cached.filter(|s| s.version == snapshot.id) {
            return Ok(Some(served));
        }
        let content = store.faq_content(snapshot.id).await?;
        let faq = payload(site, locale, snapshot.id, &content);
        let json = serde_json::to_vec(&faq).map_err(|e| Error::Internal(e.to_string()))?;
        let served = Arc::new(Served {
            version: snapshot.id,
            json: Asset::new("faq.json", json, Caching::ByName),
            index: faq_index(&faq),
            entries: faq.entries,
            vectors: OnceLock::new(),
        });
        let earlier = match self.install(key, &served) {
            Installed::Ours { earlier } => earlier,
            Installed::Theirs(current) => return Ok(Some(current)),
        };
        if let Some(encoder) = self.encoder.clone() {
            // Embedding a large FAQ takes seconds: off the request, on a blocking thread.
            let embedding = served.clone();
            // The texts the earlier snapshot had embedded keep their vectors.
            tokio::task::spawn_blocking(move || {
                let started = std::time::Instant::now();
                let earlier_entries = earlier.as_ref().map(|served| accueil_search::faq_entries(&served.entries));
                let reusable = earlier_entries.as_deref().zip(earlier.as_ref().and_then(|served| served.vectors.get()));
                let entries = accueil_search::faq_entries(&embedding.entries);
                match EntryVectors::build_reusing(&encoder, &entries, reusable) {
                    Ok((vectors, embedded)) => {
                        let _ = embedding.vectors.set(vectors);
                        tracing::info!(
                            entries = embedding.entries.len(),
                            texts_embedded = embedded,
                            seconds = started.elapsed().as_secs_f64(),
                            "FAQ entries embedded for semantic search"
                        );
                    }
                    Err(error) => tracing::warn!(%error, "FAQ entries not embedded: search stays lexical"),
                }
            });
        }
        Ok(Some(served))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn served(version: i64) -> Arc<Served> {
        let faq = Faq { site: "demo".into(), locale: Locale::En, version, entries: Vec::new(), synonyms: Vec::new() };
        Arc::new(Served {
            version,
            json: Asset::new("faq.json", b"{}".to_vec(), Caching::ByName),
            index: faq_index(&faq),
            entries: Vec::new(),
            vectors: OnceLock::new(),
        })
    }

    #[test]
    fn a_snapshot_built_twice_at_once_is_cached_and_embedded_once() {
        let faq = PublishedFaq::new(None);
        let key = || ("demo".to_owned(), Locale::En);
        let (first, second, next) = (served(1), served(1), served(2));
        assert!(matches!(faq.install(key(), &first), Installed::Ours { earlier: None }));
        // The second copy of the same snapshot is not cached (nor embedded): the first is served.
        match faq.install(key(), &second) {
            Installed::Theirs(current) => assert!(Arc::ptr_eq(&current, &first)),
            Installed::Ours { .. } => panic!("the same snapshot was cached twice"),
        }
        // A newer snapshot replaces it, and reuses its vectors.
        match faq.install(key(), &next) {
            Installed::Ours { earlier: Some(earlier) } => assert!(Arc::ptr_eq(&earlier, &first)),
            _ => panic!("a newer snapshot must replace the cached one"),
        }
    }
}
