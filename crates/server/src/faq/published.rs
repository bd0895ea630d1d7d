//! The published FAQ as served: per site and locale, the JSON payload (with its ETag) and the search
//! index, built once per published snapshot. Each request checks the published snapshot's id in the
//! database, so a publish on one server node is seen by all of them.

use super::Content;
use crate::assets::{Asset, Caching};
use crate::error::Error;
use crate::store::Store;
use accueil_protocol::{Faq, FaqEntry, Locale};
use accueil_search::{Index, faq_index};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

pub struct Served {
    pub version: i64,
    pub json: Asset,
    pub index: Index,
    pub entries: Vec<FaqEntry>,
}

#[derive(Default)]
pub struct PublishedFaq {
    cache: RwLock<HashMap<(String, Locale), Arc<Served>>>,
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

impl PublishedFaq {
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
        });
        if let Ok(mut cache) = self.cache.write() {
            cache.insert(key, served.clone());
        }
        Ok(Some(served))
    }
}
