//! The PostgreSQL side of `CommunityStore`. Questions are searched through a `tsvector` of their words
//! folded by the server (case and accents, as SQLite's FTS5 `remove_diacritics` does) under the
//! `simple` configuration: no dictionary and no extension to install.

use super::StoreError;
use super::UnixTime;
use super::community::{CommunityStore, NewPost, PostRow, ThreadFilter, ThreadSort};
use super::postgres::PostgresStore;
use super::rows::{ReadRow, ReturningRows, post as post_row};
use super::stored::post_status_text as status_text;
use accueil_protocol::{ModerationAction, PostStatus};
use accueil_search::text::words;
use async_trait::async_trait;

const SELECT: &str = "SELECT p.*, t.public_id AS thread_public, t.title AS thread_title,
        a.public_id AS accepted_public,
        (SELECT COUNT(*) FROM community_votes v WHERE v.post_id = p.id) AS score,
        (SELECT COUNT(*) FROM community_posts c WHERE c.thread_id = p.id AND c.status = 'visible') AS answer_count,
        (SELECT COUNT(*) FROM community_reports r WHERE r.post_id = p.id) AS report_count
    FROM community_posts p
    LEFT JOIN community_posts t ON t.id = p.thread_id
    LEFT JOIN community_posts a ON a.id = p.accepted_answer_id";

/// Posts a viewer may see: visible ones, and their own whatever their state.
const VISIBLE_TO: &str = "(p.status = 'visible' OR (p.session_id IS NOT NULL AND p.session_id = $2))";

/// The folded words of a question, as its search vector indexes them.
pub(super) fn searchable(title: Option<&str>, body: &str) -> String {
    let text = format!("{} {body}", title.unwrap_or_default());
    words(&text).into_iter().map(|word| word.folded).collect::<Vec<_>>().join(" ")
}

/// A `tsquery` matching every word, the last one as a prefix. Each word is a quoted lexeme (its quotes
/// doubled), so no query syntax comes from a visitor.
fn tsquery(words: &[String]) -> String {
    let quoted: Vec<String> = words.iter().map(|word| format!("'{}'", word.replace('\'', "''"))).collect();
    format!("{}:*", quoted.join(" & "))
}

#[async_trait]
impl CommunityStore for PostgresStore {
    async fn insert_post(&self, post: &NewPost) -> Result<PostRow, StoreError> {
        let mut tx = self.pool.begin().await?;
        let search = post.thread_id.is_none().then(|| searchable(post.title.as_deref(), &post.body));
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO community_posts (public_id, site, thread_id, session_id, agent_id, pseudonym, title, topic,
                 body, html, official, status, created_at, last_activity_at, search_words)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, to_tsvector('simple', $14))
             RETURNING id",
        )
        .bind(&post.public_id)
        .bind(&post.site)
        .bind(post.thread_id)
        .bind(post.session_id)
        .bind(post.agent_id)
        .bind(&post.pseudonym)
        .bind(&post.title)
        .bind(&post.topic)
        .bind(&post.body)
        .bind(&post.html)
        .bind(post.official)
        .bind(status_text(post.status))
        .bind(post.now)
        .bind(search)
        .fetch_all(&mut *tx)
        .await
        .first_row()?;
        if let Some(thread) = post.thread_id.filter(|_| post.status == PostStatus::Visible) {
            sqlx::query("UPDATE community_posts SET last_activity_at = $1 WHERE id = $2")
                .bind(post.now)
                .bind(thread)
                .execute(&mut *tx)
                .await?;
        }
        let row = sqlx::query(&format!("{SELECT} WHERE p.id = $1")).bind(id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        post_row(&row)
    }

    async fn threads(
        &self,
        site: &str,
        sort: ThreadSort,
        filter: &ThreadFilter,
        viewer: Option<i64>,
    ) -> Result<Vec<PostRow>, StoreError> {
        // The counts are columns of the inner query, so the outer one can filter and sort on them.
        let order = match sort {
            ThreadSort::Recent => "ORDER BY p.last_activity_at DESC, p.id DESC",
            ThreadSort::Top => "ORDER BY p.score DESC, p.id DESC",
            ThreadSort::Unanswered => "AND p.answer_count = 0 ORDER BY p.created_at DESC, p.id DESC",
        };
        let sql = format!(
            "SELECT * FROM ({SELECT} WHERE p.site = $1 AND p.thread_id IS NULL AND {VISIBLE_TO}) p
             WHERE ($3::TEXT IS NULL OR p.topic = $3)
               AND ($4::TEXT IS NULL OR p.search_words @@ to_tsquery('simple', $4))
             {order} LIMIT 50"
        );
        let rows = sqlx::query(&sql)
            .bind(site)
            .bind(viewer.unwrap_or(-1))
            .bind(filter.topic.as_deref())
            .bind(filter.search.as_deref().map(tsquery))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(post_row).collect()
    }

    async fn post(&self, public_id: &str) -> Result<Option<PostRow>, StoreError> {
        let row =
            sqlx::query(&format!("{SELECT} WHERE p.public_id = $1")).bind(public_id).fetch_optional(&self.pool).await?;
        row.as_ref().map(post_row).transpose()
    }

    async fn answers(&self, thread_id: i64, viewer: Option<i64>) -> Result<Vec<PostRow>, StoreError> {
        let rows =
            sqlx::query(&format!("{SELECT} WHERE p.thread_id = $1 AND {VISIBLE_TO} ORDER BY p.created_at, p.id"))
                .bind(thread_id)
                .bind(viewer.unwrap_or(-1))
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(post_row).collect()
    }

    async fn voted(&self, posts: &[i64], session: i64) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar("SELECT post_id FROM community_votes WHERE session_id = $1 AND post_id = ANY($2)")
            .bind(session)
            .bind(posts)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn reported(&self, posts: &[i64], session: i64) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar("SELECT post_id FROM community_reports WHERE session_id = $1 AND post_id = ANY($2)")
            .bind(session)
            .bind(posts)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn vote(&self, post: i64, session: i64, up: bool) -> Result<i64, StoreError> {
        let sql = if up {
            "INSERT INTO community_votes (post_id, session_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM community_votes WHERE post_id = $1 AND session_id = $2"
        };
        sqlx::query(sql).bind(post).bind(session).execute(&self.pool).await?;
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM community_votes WHERE post_id = $1")
            .bind(post)
            .fetch_one(&self.pool)
            .await?)
    }

    async fn report(
        &self,
        post: i64,
        session: i64,
        reason: Option<&str>,
        hide_at: u32,
        now: UnixTime,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "INSERT INTO community_reports (post_id, session_id, reason, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(post)
        .bind(session)
        .bind(reason)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let reports: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM community_reports WHERE post_id = $1")
            .bind(post)
            .fetch_one(&mut *tx)
            .await?;
        if reports >= i64::from(hide_at) {
            sqlx::query("UPDATE community_posts SET status = 'hidden' WHERE id = $1 AND status = 'visible'")
                .bind(post)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    async fn accept(&self, thread: i64, answer: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE community_posts SET accepted_answer_id = $1 WHERE id = $2")
            .bind(answer)
            .bind(thread)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn mark_read(&self, thread: i64, session: i64, answers: u32) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO community_reads (thread_id, session_id, seen_answers) VALUES ($1, $2, $3)
             ON CONFLICT (thread_id, session_id) DO UPDATE SET seen_answers = excluded.seen_answers",
        )
        .bind(thread)
        .bind(session)
        .bind(i64::from(answers))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn my_threads(&self, session: i64) -> Result<Vec<(PostRow, u32)>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT * FROM ({SELECT} WHERE p.session_id = $1 AND p.thread_id IS NULL) mine
             LEFT JOIN (SELECT thread_id AS read_thread, seen_answers FROM community_reads WHERE session_id = $1) seen
               ON seen.read_thread = mine.id
             ORDER BY mine.last_activity_at DESC LIMIT 50"
        ))
        .bind(session)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let seen = row.maybe_int("seen_answers")?.unwrap_or(0);
                Ok((post_row(row)?, u32::try_from(seen).unwrap_or(0)))
            })
            .collect()
    }

    async fn edit_post(&self, post: i64, body: &str, html: &str, status: PostStatus) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let (title, question): (Option<String>, bool) =
            sqlx::query_as("SELECT title, thread_id IS NULL FROM community_posts WHERE id = $1 FOR UPDATE")
                .bind(post)
                .fetch_one(&mut *tx)
                .await?;
        let search = question.then(|| searchable(title.as_deref(), body));
        sqlx::query(
            "UPDATE community_posts SET body = $1, html = $2, status = $3, search_words = to_tsvector('simple', $4)
             WHERE id = $5",
        )
        .bind(body)
        .bind(html)
        .bind(status_text(status))
        .bind(search)
        .bind(post)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_post(&self, post: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM community_posts WHERE id = $1").bind(post).execute(&self.pool).await?;
        Ok(())
    }

    async fn moderation_queue(&self, site: &str) -> Result<Vec<(PostRow, Vec<String>)>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT * FROM ({SELECT} WHERE p.site = $1) p WHERE p.status <> 'visible' OR p.report_count > 0
             ORDER BY p.created_at, p.id LIMIT 200"
        ))
        .bind(site)
        .fetch_all(&self.pool)
        .await?;
        let mut queue = Vec::new();
        for row in &rows {
            let post = post_row(row)?;
            let reasons: Vec<String> = sqlx::query_scalar(
                "SELECT reason FROM community_reports WHERE post_id = $1 AND reason IS NOT NULL ORDER BY created_at",
            )
            .bind(post.id)
            .fetch_all(&self.pool)
            .await?;
            queue.push((post, reasons));
        }
        Ok(queue)
    }

    async fn moderate(&self, post: i64, action: ModerationAction, now: UnixTime) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        match action {
            ModerationAction::Approve | ModerationAction::Hide => {
                let status = if action == ModerationAction::Approve { "visible" } else { "hidden" };
                sqlx::query("UPDATE community_posts SET status = $1 WHERE id = $2")
                    .bind(status)
                    .bind(post)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM community_reports WHERE post_id = $1").bind(post).execute(&mut *tx).await?;
            }
            ModerationAction::Delete => {
                sqlx::query("DELETE FROM community_posts WHERE id = $1").bind(post).execute(&mut *tx).await?;
            }
            ModerationAction::BlockAuthor => {
                let session: Option<i64> = sqlx::query_scalar("SELECT session_id FROM community_posts WHERE id = $1")
                    .bind(post)
                    .fetch_one(&mut *tx)
                    .await?;
                if let Some(session) = session {
                    sqlx::query(
                        "INSERT INTO community_blocked_sessions (session_id, blocked_at) VALUES ($1, $2)
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(session)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("UPDATE community_posts SET status = 'hidden' WHERE session_id = $1")
                        .bind(session)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn is_blocked(&self, session: i64) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM community_blocked_sessions WHERE session_id = $1")
            .bind(session)
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    async fn posts_since(&self, session: i64, since: UnixTime) -> Result<u32, StoreError> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM community_posts WHERE session_id = $1 AND created_at >= $2")
                .bind(session)
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    async fn agent_names(&self) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT name FROM agents").fetch_all(&self.pool).await?)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tsqueries_quote_every_word_and_end_with_a_prefix() {
        let words = ["lampe".to_owned(), "l'etag".to_owned()];
        assert_eq!(super::tsquery(&words), "'lampe' & 'l''etag':*");
    }
}
