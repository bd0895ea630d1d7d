//! `accueil store copy`: every row of an SQLite deployment into an empty PostgreSQL database, for a
//! brand that outgrows one machine. Both schemas hold the same tables, columns and stored names
//! (`stored.rs`), so rows move as they are; only types differ (SQLite's integer flags become booleans).
//! The source is read in one transaction (one consistent state, even if a server still wrote to it),
//! the target written in one (all or nothing), and each table's count is compared before committing.

use super::postgres::PostgresStore;
use super::sqlite::SqliteStore;
use super::{StoreError, StoreResult};
use sqlx::{Row, postgres::PgArguments, query::Query};

/// Tables in an order that satisfies their references (answers after questions, messages after
/// conversations). Left out: `readiness_probe`, rewritten by each node, and PostgreSQL's own rate
/// windows.
const TABLES: [&str; 27] = [
    "visitor_sessions",
    "session_tokens",
    "agents",
    "agent_sessions",
    "agent_sites",
    "agent_links",
    "audit_log",
    "site_settings",
    "faq_snapshots",
    "faq_entries",
    "faq_synonyms",
    "faq_published",
    "faq_search_stats",
    "faq_entry_stats",
    "faq_query_helpful",
    "faq_comments",
    "callbacks",
    "webhook_deliveries",
    "community_posts",
    "community_votes",
    "community_reports",
    "community_reads",
    "community_blocked_sessions",
    "conversations",
    "chat_messages",
    "canned_replies",
    "identity_proofs",
];

/// One column's value, typed as the target column is.
enum Value {
    Int(Option<i64>),
    Flag(Option<bool>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

/// Rows copied per table, in `TABLES` order (the probe left out).
pub type CopyReport = Vec<(&'static str, u64)>;

/// Copies every row of `from` into `to`, which must be empty; the rows per table.
pub async fn copy(from: &SqliteStore, to: &PostgresStore) -> StoreResult<CopyReport> {
    let tables = &TABLES;
    for table in tables {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&to.pool).await?;
        if rows > 0 {
            return Err(StoreError::Duplicate("data in the target database (copy into an empty one)"));
        }
    }
    let mut source = from.pool.begin().await?;
    let mut target = to.pool.begin().await?;
    let mut report = Vec::new();
    for table in tables {
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT column_name::TEXT, data_type::TEXT FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 AND data_type <> 'tsvector'
             ORDER BY ordinal_position",
        )
        .bind(table)
        .fetch_all(&mut *target)
        .await?;
        let names: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
        let insert = format!("INSERT INTO {table} ({}) VALUES ({})", names.join(", "), placeholders.join(", "));
        let rows = sqlx::query(&format!("SELECT * FROM {table} ORDER BY rowid")).fetch_all(&mut *source).await?;
        for row in &rows {
            let mut values = Vec::with_capacity(columns.len());
            for (name, kind) in &columns {
                // A post's accepted answer may come after it: set once every post is in.
                let value = match (table == &"community_posts" && name == "accepted_answer_id", kind.as_str()) {
                    (true, _) => Value::Int(None),
                    (_, "bigint" | "integer") => Value::Int(row.try_get(name.as_str())?),
                    (_, "boolean") => Value::Flag(row.try_get(name.as_str())?),
                    (_, "bytea") => Value::Bytes(row.try_get(name.as_str())?),
                    _ => Value::Text(row.try_get(name.as_str())?),
                };
                values.push(value);
            }
            bind_all(sqlx::query(&insert), values).execute(&mut *target).await?;
        }
        let copied = u64::try_from(rows.len()).unwrap_or(0);
        let counted: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&mut *target).await?;
        if u64::try_from(counted).unwrap_or(0) != copied {
            return Err(StoreError::Corrupt(format!("{table}: {copied} rows read, {counted} written")));
        }
        if names.first() == Some(&"id") && columns[0].1 == "bigint" {
            // New rows continue after the copied ones.
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}"
            ))
            .execute(&mut *target)
            .await?;
        }
        report.push((*table, copied));
    }
    let accepted: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, accepted_answer_id FROM community_posts WHERE accepted_answer_id IS NOT NULL")
            .fetch_all(&mut *source)
            .await?;
    for (post, answer) in accepted {
        sqlx::query("UPDATE community_posts SET accepted_answer_id = $1 WHERE id = $2")
            .bind(answer)
            .bind(post)
            .execute(&mut *target)
            .await?;
    }
    // Questions' search words, as PostgreSQL's store indexes them.
    let questions: Vec<(i64, Option<String>, String)> =
        sqlx::query_as("SELECT id, title, body FROM community_posts WHERE thread_id IS NULL")
            .fetch_all(&mut *target)
            .await?;
    for (id, title, body) in questions {
        sqlx::query("UPDATE community_posts SET search_words = to_tsvector('simple', $1) WHERE id = $2")
            .bind(super::postgres_community::searchable(title.as_deref(), &body))
            .bind(id)
            .execute(&mut *target)
            .await?;
    }
    target.commit().await?;
    source.rollback().await?;
    Ok(report)
}

fn bind_all<'q>(
    mut query: Query<'q, sqlx::Postgres, PgArguments>,
    values: Vec<Value>,
) -> Query<'q, sqlx::Postgres, PgArguments> {
    for value in values {
        query = match value {
            Value::Int(v) => query.bind(v),
            Value::Flag(v) => query.bind(v),
            Value::Text(v) => query.bind(v),
            Value::Bytes(v) => query.bind(v),
        };
    }
    query
}
