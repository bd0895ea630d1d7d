//! The store's own error: what any backend reports, in words of the store rather than of HTTP or SQL,
//! so handlers and `error.rs` (which maps it to HTTP, once) never depend on a backend's details.

use sqlx::error::DatabaseError;

#[derive(Debug)]
pub enum StoreError {
    /// The database cannot take the request now (unreachable, saturated, busy, locked, full, read-only,
    /// failing I/O): the client did nothing wrong and may retry.
    Unavailable(String),
    /// A row that must be unique already exists (an agent's email).
    Duplicate(&'static str),
    /// The conversation a message was written to has ended.
    Ended,
    /// A stored value this version cannot read, or a row that vanished inside its own transaction.
    Corrupt(String),
    /// Anything else the database said: a fault of the server, for its log.
    Fault(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Unavailable(why) => write!(f, "database unavailable: {why}"),
            StoreError::Duplicate(what) => write!(f, "{what} already exists"),
            StoreError::Ended => f.write_str("this conversation has ended"),
            StoreError::Corrupt(what) => write!(f, "stored data unreadable: {what}"),
            StoreError::Fault(what) => write!(f, "database: {what}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if unavailable(&e) { StoreError::Unavailable(e.to_string()) } else { StoreError::Fault(e.to_string()) }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        match e {
            sqlx::migrate::MigrateError::Execute(e) => e.into(),
            other => StoreError::Fault(format!("migrations: {other}")),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// SQLite's primary result codes that mean "the database cannot do this now", not "this request is
/// wrong" nor "the code is wrong": busy or locked by another writer, out of memory, read-only, an I/O
/// error, a full disk, a file that cannot be opened.
const SQLITE_UNAVAILABLE_CODES: [i64; 7] = [5, 6, 7, 8, 10, 13, 14];

/// PostgreSQL's SQLSTATE classes and codes of the same kind: connection exceptions (08), insufficient
/// resources such as a full disk (53), operator intervention such as a shutdown (57), system errors
/// (58), a transaction that lost a race and may simply be retried (40001, 40P01), a lock not available
/// (55P03), a read-only standby (25006).
const POSTGRES_UNAVAILABLE_CLASSES: [&str; 4] = ["08", "53", "57", "58"];
const POSTGRES_UNAVAILABLE_CODES: [&str; 4] = ["40001", "40P01", "55P03", "25006"];

/// Whether `e` says the database is unreachable, saturated or unwritable rather than the query wrong.
pub fn unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(database) => database_unavailable(database.as_ref()),
        _ => false,
    }
}

fn database_unavailable(database: &dyn DatabaseError) -> bool {
    let Some(code) = database.code() else { return false };
    if database.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some() {
        return POSTGRES_UNAVAILABLE_CLASSES.contains(&code.get(..2).unwrap_or_default())
            || POSTGRES_UNAVAILABLE_CODES.contains(&code.as_ref());
    }
    // SQLite: the extended code carries the primary one in its low byte.
    code.parse::<i64>().is_ok_and(|code| SQLITE_UNAVAILABLE_CODES.contains(&(code & 0xff)))
}
