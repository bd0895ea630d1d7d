//! The Accueil server: the v1 JSON API for the widget and the console, the static files they are made
//! of, and the database behind them. `main.rs` is the command line; `startup` wires the rest.

pub mod assets;
pub mod callbacks;
pub mod chat;
pub mod community;
pub mod config;
pub mod dashboard;
pub mod error;
pub mod extract;
pub mod faq;
pub mod first_view;
pub mod identity;
pub mod limits;
pub mod mail;
pub mod metrics;
pub mod proxies;
pub mod relay;
pub mod retention;
pub mod routes;
pub mod search_eval;
pub mod secrets;
pub mod serve;
pub mod settings;
pub mod startup;
pub mod store;

pub use error::Error;

/// Seconds since the Unix epoch, now. The server is the only party that mints timestamps.
pub fn now() -> store::UnixTime {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A stored time as the RFC 3339 string of the wire format.
pub fn rfc3339(unix: store::UnixTime) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// This package's folder as cargo names it when it runs the binary: a binary compiled in another clone
/// of the repository, which cargo may reuse from a shared target directory, would name that clone.
#[cfg(test)]
pub(crate) fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")), Into::into)
}
