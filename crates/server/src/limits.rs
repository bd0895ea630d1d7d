//! Request limits per client address and per visitor session: fixed windows per kind of request,
//! kept in memory with one node (SQLite), and in the shared database with several (PostgreSQL), so a
//! client that spreads its requests over N nodes does not get N times the limit. They keep password
//! guessing slow, floods out of the FAQ statistics, and one visitor from flooding agents with
//! conversations, messages or mail. Kinds that come many times a second (chat messages, searches as
//! one types) are counted on the node first and added to the shared count every `SYNC_EVERY`, so they
//! cost no database round trip each; across nodes they may pass their limit by what arrives between
//! two syncs.

use crate::error::Error;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);
/// Past this many tracked windows, expired ones are swept before a new one is added.
const SWEEP_ABOVE: usize = 10_000;

/// A kind of request and how many of it one address, or one visitor session, may make per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    AgentLogin,
    SessionCreate,
    FaqEvent,
    FaqSearch,
    PhoneCheck,
    CallbackCreate,
    CommunityPost,
    CommunityVote,
    Transcript,
    /// A new chat conversation (each one rings every console of the site).
    ConversationStart,
    /// A chat message from a visitor, whatever connection or tab it comes through.
    ChatMessage,
    /// A console account's new password: each try checks the current one, so it is a guess too.
    PasswordChange,
    /// A reset link asked for: each may send a mail.
    PasswordForgotten,
    /// Reading or using a link sent by email: each is a guess of a token.
    AccountLink,
    /// Signing in as an address that has no active account, counted per address typed: after as many
    /// tries as lock a real account, the answer is the same "locked", so it tells nothing.
    UnknownAccountLogin,
}

/// Who a count is kept for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Who {
    Address(IpAddr),
    Session(i64),
}

impl std::fmt::Display for Who {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Who::Address(address) => write!(f, "address {address}"),
            Who::Session(session) => write!(f, "session {session}"),
        }
    }
}

/// How often a node adds its counts of frequent kinds to the shared ones and reads the others' back.
pub const SYNC_EVERY: Duration = Duration::from_millis(200);

impl Limit {
    /// Kinds counted on the node between syncs, rather than in the database at each request.
    fn frequent(self) -> bool {
        matches!(self, Limit::ChatMessage | Limit::FaqSearch | Limit::FaqEvent)
    }

    /// Requests per window from one address.
    fn per_address(self) -> (u32, Duration) {
        match self {
            Limit::AgentLogin => (10, MINUTE),
            Limit::SessionCreate => (20, MINUTE),
            Limit::FaqEvent => (60, MINUTE),
            Limit::FaqSearch => (120, MINUTE),
            Limit::PhoneCheck => (60, MINUTE),
            Limit::CallbackCreate => (10, MINUTE),
            Limit::CommunityPost => (10, MINUTE),
            Limit::CommunityVote => (60, MINUTE),
            Limit::Transcript => (5, MINUTE),
            // Generous: an office or a mobile carrier puts many visitors behind one address.
            Limit::ConversationStart => (30, MINUTE),
            Limit::ChatMessage => (300, MINUTE),
            Limit::PasswordChange => (20, MINUTE),
            Limit::PasswordForgotten => (5, MINUTE),
            Limit::AccountLink => (10, MINUTE),
            Limit::UnknownAccountLogin => (10, MINUTE),
        }
    }

    /// Requests per window from one visitor session, for the kinds counted per session too.
    fn per_session(self) -> Option<(u32, Duration)> {
        match self {
            // A person starts a few conversations an hour at most; more is a script ringing the team.
            Limit::ConversationStart => Some((5, HOUR)),
            // Quicker than anyone types for a minute, across all of the session's tabs.
            Limit::ChatMessage => Some((30, MINUTE)),
            // The brand's sender must not become a relay: a few transcripts a day per visitor.
            Limit::Transcript => Some((3, DAY)),
            // Counted per account (its id): a few tries a minute, whoever holds the session.
            Limit::PasswordChange => Some((5, MINUTE)),
            // Counted per address typed (a number made from it), as a real account's failures are.
            Limit::UnknownAccountLogin => Some((
                u32::try_from(crate::store::LOCK_AFTER_FAILURES).unwrap_or(10),
                Duration::from_secs(crate::store::LOCK_SECONDS.unsigned_abs()),
            )),
            _ => None,
        }
    }
}

#[derive(Default)]
pub struct Limiter {
    windows: Mutex<HashMap<(Limit, Who), Window>>,
    /// With several nodes: the database every node counts in (windows aligned on the clock).
    shared: Option<std::sync::Arc<dyn crate::store::Store>>,
    /// Frequent kinds' shared windows as this node knows them, by key.
    synced: Mutex<HashMap<String, SyncedWindow>>,
}

/// A shared window of a frequent kind: its total at the last sync, this node's hits since, and when it
/// ends (as the database said, or as this node guessed before its first sync).
#[derive(Debug, Clone, Copy, Default)]
struct SyncedWindow {
    known: u32,
    unsent: u32,
    length: i64,
    expires_at: i64,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    start: Instant,
    length: Duration,
    count: u32,
}

impl Limiter {
    /// Limits counted in the database that several nodes share.
    pub fn shared(store: std::sync::Arc<dyn crate::store::Store>) -> Limiter {
        Limiter { windows: Mutex::default(), shared: Some(store), synced: Mutex::default() }
    }

    /// Counts one request from `address`; `Error::RateLimited` with the seconds left when it is over.
    pub async fn check(&self, limit: Limit, address: IpAddr) -> Result<(), Error> {
        self.hit(limit, Who::Address(address), limit.per_address()).await
    }

    /// Counts one request of a visitor session (or, for `PasswordChange`, of a console account), for
    /// the kinds limited per session (others pass).
    pub async fn check_session(&self, limit: Limit, session: i64) -> Result<(), Error> {
        match limit.per_session() {
            Some(rule) => self.hit(limit, Who::Session(session), rule).await,
            None => Ok(()),
        }
    }

    async fn hit(&self, limit: Limit, who: Who, rule: (u32, Duration)) -> Result<(), Error> {
        match &self.shared {
            None => self.count(limit, who, rule, Instant::now()),
            Some(_) if limit.frequent() => self.count_between_syncs(limit, who, rule, crate::now()),
            Some(store) => count_shared(store.as_ref(), limit, who, rule, crate::now()).await,
        }
    }

    /// A frequent kind: counted here, against the shared total this node learnt at its last sync
    /// (none yet for a window it has not synced: then a client may pass the limit by what it sends to
    /// this node in one `SYNC_EVERY`).
    fn count_between_syncs(
        &self,
        limit: Limit,
        who: Who,
        (allowed, length): (u32, Duration),
        now: crate::store::UnixTime,
    ) -> Result<(), Error> {
        let length = seconds(length);
        let mut synced = self.synced.lock().map_err(|_| Error::Internal("limiter poisoned".to_owned()))?;
        let window = synced.entry(format!("{limit:?} {who}")).or_default();
        if window.expires_at <= now {
            // Ended (or new): a new one starts, as the database will say at the next sync.
            *window = SyncedWindow { known: 0, unsent: 0, length, expires_at: now + length };
        }
        if window.known + window.unsent >= allowed {
            return Err(Error::RateLimited { retry_after: u64::try_from(window.expires_at - now).unwrap_or(1).max(1) });
        }
        window.unsent += 1;
        Ok(())
    }

    /// Runs until the process ends, with shared limits: every `SYNC_EVERY`, adds this node's hits of
    /// frequent kinds to the shared windows and learns their totals (the other nodes' hits included).
    pub async fn sync_shared(self: std::sync::Arc<Limiter>) {
        let Some(store) = self.shared.clone() else { return };
        let mut every = tokio::time::interval(SYNC_EVERY);
        loop {
            every.tick().await;
            let now = crate::now();
            let batch: Vec<(String, i64, u32)> = {
                let Ok(mut synced) = self.synced.lock() else { return };
                synced.retain(|_, window| window.expires_at > now || window.unsent > 0);
                // Only windows with hits to add: the others' counts matter to this node when it has
                // hits of its own, and are learnt then.
                synced.iter().filter(|(_, w)| w.unsent > 0).map(|(key, w)| (key.clone(), w.length, w.unsent)).collect()
            };
            if batch.is_empty() {
                continue;
            }
            match store.add_hits(now, &batch).await {
                Ok(totals) => {
                    let Ok(mut synced) = self.synced.lock() else { return };
                    for ((key, _, sent), (total, expires_at)) in batch.into_iter().zip(totals) {
                        if let Some(window) = synced.get_mut(&key) {
                            window.unsent = window.unsent.saturating_sub(sent);
                            window.known = total;
                            window.expires_at = expires_at;
                        }
                    }
                }
                // Counted again at the next sync: the hits stay unsent.
                Err(error) => tracing::warn!(%error, "rate limits were not shared this time"),
            }
        }
    }

    #[cfg(test)]
    fn check_at(&self, limit: Limit, address: IpAddr, now: Instant) -> Result<(), Error> {
        self.count(limit, Who::Address(address), limit.per_address(), now)
    }

    fn count(&self, limit: Limit, who: Who, (allowed, length): (u32, Duration), now: Instant) -> Result<(), Error> {
        let mut windows = self.windows.lock().map_err(|_| Error::Internal("limiter poisoned".to_owned()))?;
        if windows.len() > SWEEP_ABOVE {
            windows.retain(|_, window| now.duration_since(window.start) < window.length);
        }
        let window = windows.entry((limit, who)).or_insert(Window { start: now, length, count: 0 });
        if now.duration_since(window.start) >= window.length {
            *window = Window { start: now, length, count: 0 };
        }
        if window.count >= allowed {
            let wait = window.length.saturating_sub(now.duration_since(window.start)).as_secs().max(1);
            return Err(Error::RateLimited { retry_after: wait });
        }
        window.count += 1;
        Ok(())
    }
}

/// One request counted in the shared database, in its window (which started at its first request).
async fn count_shared(
    store: &dyn crate::store::Store,
    limit: Limit,
    who: Who,
    (allowed, length): (u32, Duration),
    now: crate::store::UnixTime,
) -> Result<(), Error> {
    let (hits, expires_at) = store.count_hit(&format!("{limit:?} {who}"), now, seconds(length)).await?;
    if hits > allowed {
        return Err(Error::RateLimited { retry_after: u64::try_from(expires_at - now).unwrap_or(1).max(1) });
    }
    Ok(())
}

fn seconds(length: Duration) -> i64 {
    i64::try_from(length.as_secs()).unwrap_or(i64::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_over_its_limit_waits_for_the_next_window_and_others_do_not() {
        let limiter = Limiter::default();
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let t0 = Instant::now();
        for _ in 0..10 {
            limiter.check_at(Limit::AgentLogin, a, t0).unwrap();
        }
        assert!(matches!(limiter.check_at(Limit::AgentLogin, a, t0), Err(Error::RateLimited { retry_after: 60 })));
        limiter.check_at(Limit::AgentLogin, b, t0).expect("another address has its own count");
        limiter.check_at(Limit::FaqSearch, a, t0).expect("another kind of request has its own count");
        limiter.check_at(Limit::AgentLogin, a, t0 + MINUTE).expect("a new minute, a new count");
    }

    #[tokio::test]
    async fn a_session_is_counted_across_its_connections_and_apart_from_its_address() {
        let limiter = Limiter::default();
        for _ in 0..5 {
            limiter.check_session(Limit::ConversationStart, 7).await.expect("a few conversations an hour");
        }
        assert!(matches!(limiter.check_session(Limit::ConversationStart, 7).await, Err(Error::RateLimited { .. })));
        limiter.check_session(Limit::ConversationStart, 8).await.expect("another session has its own count");
        limiter.check_session(Limit::FaqSearch, 7).await.expect("kinds not limited per session pass");
        let address = "192.0.2.1".parse().unwrap();
        limiter.check(Limit::ConversationStart, address).await.expect("the address has its own count");
    }
}
