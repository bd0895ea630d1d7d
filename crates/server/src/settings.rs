//! Sites' settings as this node runs them now: seeded from the configuration file, changed from the
//! console, kept in the store, and reloaded from it when another node says a site changed, so every
//! node applies a change without a restart.

use crate::assets::{Asset, Caching};
use crate::config::{Problem, Site};
use crate::error::Error;
use crate::store::{NewAudit, Store, UnixTime};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// The audit actor's id for changes made by the configuration file rather than by an account.
pub const FILE_ACTOR_ID: i64 = 0;

/// One site as it runs: its settings, the store's revision of them, and its public config as the
/// widget reads it (serialized once per change, so it is served with a stable ETag).
#[derive(Debug, Clone)]
struct Running {
    site: Arc<Site>,
    revision: u64,
    config_json: Arc<Asset>,
}

/// Every site of this node. Readers take a snapshot (`get`, `all`), so a change never tears a request.
#[derive(Debug)]
pub struct Sites {
    running: RwLock<Arc<Vec<Running>>>,
    public_url: String,
}

impl Sites {
    /// The file's sites, at revision 0 until `seed` reads the store.
    pub fn new(sites: &[Site], public_url: &str) -> Result<Sites, Error> {
        let running = sites.iter().map(|site| running(site.clone(), 0)).collect::<Result<_, _>>()?;
        Ok(Sites { running: RwLock::new(Arc::new(running)), public_url: public_url.to_owned() })
    }

    fn snapshot(&self) -> Arc<Vec<Running>> {
        // A poisoned lock only means a writer panicked between two whole values: the value is whole.
        self.running.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    pub fn get(&self, id: &str) -> Option<Arc<Site>> {
        self.snapshot().iter().find(|r| r.site.public.site == id).map(|r| r.site.clone())
    }

    pub fn all(&self) -> Vec<Arc<Site>> {
        self.snapshot().iter().map(|r| r.site.clone()).collect()
    }

    /// The site and the revision of its settings.
    pub fn with_revision(&self, id: &str) -> Option<(Arc<Site>, u64)> {
        self.snapshot().iter().find(|r| r.site.public.site == id).map(|r| (r.site.clone(), r.revision))
    }

    /// The site's public config, as `GET /v1/sites/{site}/config` serves it.
    pub fn config_json(&self, id: &str) -> Option<Arc<Asset>> {
        self.snapshot().iter().find(|r| r.site.public.site == id).map(|r| r.config_json.clone())
    }

    /// Runs `site` at `revision` from now on, unless this node already runs a later one.
    fn put(&self, site: Site, revision: u64) -> Result<(), Error> {
        let replacement = running(site, revision)?;
        let mut guard = self.running.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut next: Vec<Running> = guard.iter().cloned().collect();
        if let Some(slot) = next.iter_mut().find(|r| r.site.public.site == replacement.site.public.site)
            && slot.revision <= replacement.revision
        {
            *slot = replacement;
        }
        *guard = Arc::new(next);
        Ok(())
    }

    /// At start: a site the store does not know yet is seeded from the file; one whose section in the
    /// file changed since it last seeded is seeded again (the operator edited the file on purpose);
    /// otherwise the store's settings, changed in the console, win.
    pub async fn seed(&self, store: &dyn Store, now: UnixTime) -> Result<(), Error> {
        for file_site in self.all() {
            let id = file_site.public.site.clone();
            let toml = file_site.stored_toml()?;
            let fingerprint = fingerprint(&toml);
            let stored = store.site_settings(&id).await?;
            match stored {
                Some(stored) if stored.seed_fingerprint.as_deref() == Some(fingerprint.as_str()) => {
                    match Site::from_stored(&stored.toml, &self.public_url, file_site.faq_dir.clone()) {
                        Ok(site) => {
                            if !site.same_settings(&file_site) {
                                tracing::info!(site = %id, revision = stored.revision, "site settings from the console (stored), not the file");
                            }
                            self.put(site, stored.revision)?;
                        }
                        Err(problem) => {
                            // Written by an older version with other rules: the file's stand.
                            tracing::error!(site = %id, field = %problem.field, "stored settings refused ({}); the file's apply", problem.reason);
                        }
                    }
                }
                stored => {
                    let expected = stored.as_ref().map_or(0, |s| s.revision);
                    let expected_stored = i64::try_from(expected).map_err(|e| Error::Internal(e.to_string()))?;
                    let audit = NewAudit {
                        at: now,
                        actor_id: FILE_ACTOR_ID,
                        actor: "configuration file".to_owned(),
                        action: "settings_from_file",
                        subject: id.clone(),
                        before: None,
                        after: None,
                    };
                    if store.save_site_settings(&id, &toml, Some(&fingerprint), expected_stored, &audit).await? {
                        self.put((*file_site).clone(), expected + 1)?;
                        tracing::info!(site = %id, "site settings seeded from the configuration file");
                    } else {
                        // Another node seeded it at the same moment: run what it stored.
                        self.reload(store, &id).await?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Reads a site's settings from the store again (another node changed them).
    pub async fn reload(&self, store: &dyn Store, id: &str) -> Result<(), Error> {
        let (Some(current), Some(stored)) = (self.get(id), store.site_settings(id).await?) else { return Ok(()) };
        match Site::from_stored(&stored.toml, &self.public_url, current.faq_dir.clone()) {
            Ok(site) => self.put(site, stored.revision),
            Err(problem) => {
                tracing::error!(site = %id, field = %problem.field, "stored settings refused: {}", problem.reason);
                Ok(())
            }
        }
    }

    /// Saves `form` as the settings of site `id`, made from `revision`, for `actor`, then runs them.
    /// The store refuses a revision that moved meanwhile (`Conflict`).
    pub async fn change(
        &self,
        store: &dyn Store,
        id: &str,
        form: accueil_protocol::SettingsForm,
        revision: u64,
        actor: (i64, &str),
        now: UnixTime,
    ) -> Result<Result<(), Problem>, Error> {
        let (current, running_revision) = self.with_revision(id).ok_or_else(|| crate::routes::unknown_site(id))?;
        if revision != running_revision {
            return Err(Error::Conflict(stale(revision, running_revision)));
        }
        let today = jiff::Timestamp::from_second(now)
            .map(|t| t.to_zoned_datetime(current.time_zone.clone()).date().to_string())
            .map_err(|e| Error::Internal(e.to_string()))?;
        let before_form = current.form();
        let site = match current.changed(form, &self.public_url, &today) {
            Ok(site) => site,
            Err(problem) => return Ok(Err(problem)),
        };
        let (before, after) = differences(&before_form, &site.form(), &current, &site);
        let audit = NewAudit {
            at: now,
            actor_id: actor.0,
            actor: actor.1.to_owned(),
            action: "settings_changed",
            subject: id.to_owned(),
            before: Some(before),
            after: Some(after),
        };
        let stored_revision = i64::try_from(revision).map_err(|e| Error::Internal(e.to_string()))?;
        if !store.save_site_settings(id, &site.stored_toml()?, None, stored_revision, &audit).await? {
            return Err(Error::Conflict(stale(revision, revision + 1)));
        }
        self.put(site, revision + 1)?;
        Ok(Ok(()))
    }
}

fn stale(made_from: u64, now: u64) -> String {
    format!("these settings changed meanwhile (revision {now}, not {made_from}): reload them and change them again")
}

fn running(site: Site, revision: u64) -> Result<Running, Error> {
    let json = serde_json::to_vec(&site.public).map_err(|e| Error::Internal(e.to_string()))?;
    // Revalidated on each open (a 304 costs a few bytes), so a change reaches visitors at once.
    Ok(Running {
        site: Arc::new(site),
        revision,
        config_json: Arc::new(Asset::new("config.json", json, Caching::MaxAge(0))),
    })
}

fn fingerprint(text: &str) -> String {
    crate::relay::encode_hex(&Sha256::digest(text.as_bytes()))
}

/// The form's values that changed, before and after, as two JSON objects keyed by path; a changed
/// secret shows as `(changed)`, never as itself.
fn differences(
    before: &accueil_protocol::SettingsForm,
    after: &accueil_protocol::SettingsForm,
    old: &Site,
    new: &Site,
) -> (String, String) {
    fn flatten(prefix: &str, value: serde_json::Value, into: &mut HashMap<String, serde_json::Value>) {
        match value {
            serde_json::Value::Object(map) if !prefix.ends_with("consent_text") => {
                for (key, value) in map {
                    let path = if prefix.is_empty() { key } else { format!("{prefix}.{key}") };
                    flatten(&path, value, into);
                }
            }
            other => {
                into.insert(prefix.to_owned(), other);
            }
        }
    }
    let (mut was, mut is) = (HashMap::new(), HashMap::new());
    flatten("", serde_json::to_value(before).unwrap_or_default(), &mut was);
    flatten("", serde_json::to_value(after).unwrap_or_default(), &mut is);
    let mut keys: Vec<&String> = was.keys().chain(is.keys()).collect();
    keys.sort();
    keys.dedup();
    let (mut before_changed, mut after_changed) = (serde_json::Map::new(), serde_json::Map::new());
    for key in keys {
        let (a, b) = (was.get(key), is.get(key));
        if a != b {
            before_changed.insert(key.clone(), a.cloned().unwrap_or_default());
            after_changed.insert(key.clone(), b.cloned().unwrap_or_default());
        }
    }
    let secrets = [
        ("callback.webhook_secret", old.webhook_secret() != new.webhook_secret()),
        ("identity.secrets", old.identity_secrets() != new.identity_secrets()),
    ];
    for (path, changed) in secrets {
        if changed {
            before_changed.insert(path.to_owned(), "(changed)".into());
            after_changed.insert(path.to_owned(), "(changed)".into());
        }
    }
    (serde_json::Value::Object(before_changed).to_string(), serde_json::Value::Object(after_changed).to_string())
}
