//! Request limits per client address: fixed one-minute windows per kind of request, kept in memory
//! (so per server node). They keep password guessing slow and keep floods out of the FAQ statistics.

use crate::error::Error;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);
/// Past this many tracked windows, expired ones are swept before a new one is added.
const SWEEP_ABOVE: usize = 10_000;

/// A kind of request and how many of it one address may make per minute.
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
}

impl Limit {
    fn per_minute(self) -> u32 {
        match self {
            Limit::AgentLogin => 10,
            Limit::SessionCreate => 20,
            Limit::FaqEvent => 60,
            Limit::FaqSearch => 120,
            Limit::PhoneCheck => 60,
            Limit::CallbackCreate => 10,
            Limit::CommunityPost => 10,
            Limit::CommunityVote => 60,
            Limit::Transcript => 5,
        }
    }
}

#[derive(Default)]
pub struct Limiter {
    windows: Mutex<HashMap<(Limit, IpAddr), (Instant, u32)>>,
}

impl Limiter {
    /// Counts one request; `Error::RateLimited` with the seconds left when the address is over.
    pub fn check(&self, limit: Limit, address: IpAddr) -> Result<(), Error> {
        self.check_at(limit, address, Instant::now())
    }

    fn check_at(&self, limit: Limit, address: IpAddr, now: Instant) -> Result<(), Error> {
        let mut windows = self.windows.lock().map_err(|_| Error::Internal("limiter poisoned".to_owned()))?;
        if windows.len() > SWEEP_ABOVE {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let (start, count) = windows.entry((limit, address)).or_insert((now, 0));
        if now.duration_since(*start) >= WINDOW {
            *start = now;
            *count = 0;
        }
        if *count >= limit.per_minute() {
            let wait = WINDOW.saturating_sub(now.duration_since(*start)).as_secs().max(1);
            return Err(Error::RateLimited { retry_after: wait });
        }
        *count += 1;
        Ok(())
    }
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
        limiter.check_at(Limit::AgentLogin, a, t0 + WINDOW).expect("a new minute, a new count");
    }
}
