//! The SQLite side of `CommunityStore`. Scores and answer counts are computed when read, from the
//! votes and posts themselves, so they cannot drift.

use super::StoreError;
use super::UnixTime;
use super::community::{CommunityStore, NewPost, PostRow, ThreadFilter, ThreadSort};
use super::rows::ReturningRows;
use super::rows::post as post_row;
use super::sqlite::SqliteStore;
use super::stored::post_status_text as status_text;
use accueil_protocol::{ModerationAction, PostStatus};
use async_trait::async_trait;
use sqlx::Row;

const SELECT: &str = "SELECT p.*, t.public_id AS thread_public, t.title AS thread_title,
        a.public_id AS accepted_public,
        (SELECT COUNT(*) FROM community_votes v WHERE v.post_id = p.id) AS score,
        (SELECT COUNT(*) FROM community_posts c WHERE c.thread_id = p.id AND c.status = 'visible') AS answer_count,
        (SELECT COUNT(*) FROM community_reports r WHERE r.post_id = p.id) AS report_count
    FROM community_posts p
    LEFT JOIN community_posts t ON t.id = p.thread_id
    LEFT JOIN community_posts a ON a.id = p.accepted_answer_id";

/// An FTS5 query matching every word, the last one as a prefix. Each word is quoted (and its quotes
/// doubled), so no FTS5 syntax comes from a visitor.
fn fts5_query(words: &[String]) -> String {
    let quoted: Vec<String> = words.iter().map(|word| format!("\"{}\"", word.replace('"', "\"\""))).collect();
    format!("{}*", quoted.join(" "))
}

/// Posts a viewer may see: visible ones, and their own whatever their state.
const VISIBLE_TO: &str = "(p.status = 'visible' OR (p.session_id IS NOT NULL AND p.session_id = ?))";

#[async_trait]
impl CommunityStore for SqliteStore {
    async fn insert_post(&self, post: &NewPost) -> Result<PostRow, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO community_posts (public_id, site, thread_id, session_id, agent_id, pseudonym, title, topic,
                 body, html, official, status, created_at, last_activity_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
        .bind(post.now)
        .fetch_all(&mut *tx)
        .await
        .first_row()?;
        if let Some(thread) = post.thread_id.filter(|_| post.status == PostStatus::Visible) {
            sqlx::query("UPDATE community_posts SET last_activity_at = ? WHERE id = ?")
                .bind(post.now)
                .bind(thread)
                .execute(&mut *tx)
                .await?;
        }
        let row = sqlx::query(&format!("{SELECT} WHERE p.id = ?")).bind(id).fetch_one(&mut *tx).await?;
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
        let mut sql = format!("{SELECT} WHERE p.site = ? AND p.thread_id IS NULL AND {VISIBLE_TO}");
        if filter.topic.is_some() {
            sql.push_str(" AND p.topic = ?");
        }
        if filter.search.is_some() {
            sql.push_str(" AND p.id IN (SELECT rowid FROM community_search WHERE community_search MATCH ?)");
        }
        sql.push_str(match sort {
            ThreadSort::Recent => " ORDER BY p.last_activity_at DESC, p.id DESC",
            ThreadSort::Top => " ORDER BY score DESC, p.id DESC",
            ThreadSort::Unanswered => " AND answer_count = 0 ORDER BY p.created_at DESC, p.id DESC",
        });
        sql.push_str(" LIMIT 50");
        let mut query = sqlx::query(&sql).bind(site).bind(viewer.unwrap_or(-1));
        if let Some(topic) = &filter.topic {
            query = query.bind(topic);
        }
        if let Some(words) = &filter.search {
            query = query.bind(fts5_query(words));
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(post_row).collect()
    }

    async fn post(&self, public_id: &str) -> Result<Option<PostRow>, StoreError> {
        let row =
            sqlx::query(&format!("{SELECT} WHERE p.public_id = ?")).bind(public_id).fetch_optional(&self.pool).await?;
        row.as_ref().map(post_row).transpose()
    }

    async fn answers(&self, thread_id: i64, viewer: Option<i64>) -> Result<Vec<PostRow>, StoreError> {
        let rows = sqlx::query(&format!("{SELECT} WHERE p.thread_id = ? AND {VISIBLE_TO} ORDER BY p.created_at, p.id"))
            .bind(thread_id)
            .bind(viewer.unwrap_or(-1))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(post_row).collect()
    }

    async fn voted(&self, posts: &[i64], session: i64) -> Result<Vec<i64>, StoreError> {
        let voted: Vec<i64> = sqlx::query_scalar("SELECT post_id FROM community_votes WHERE session_id = ?")
            .bind(session)
            .fetch_all(&self.pool)
            .await?;
        Ok(voted.into_iter().filter(|id| posts.contains(id)).collect())
    }

    async fn reported(&self, posts: &[i64], session: i64) -> Result<Vec<i64>, StoreError> {
        let reported: Vec<i64> = sqlx::query_scalar("SELECT post_id FROM community_reports WHERE session_id = ?")
            .bind(session)
            .fetch_all(&self.pool)
            .await?;
        Ok(reported.into_iter().filter(|id| posts.contains(id)).collect())
    }

    async fn vote(&self, post: i64, session: i64, up: bool) -> Result<i64, StoreError> {
        let sql = if up {
            "INSERT OR IGNORE INTO community_votes (post_id, session_id) VALUES (?, ?)"
        } else {
            "DELETE FROM community_votes WHERE post_id = ? AND session_id = ?"
        };
        sqlx::query(sql).bind(post).bind(session).execute(&self.pool).await?;
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM community_votes WHERE post_id = ?")
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
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let done = sqlx::query(
            "INSERT OR IGNORE INTO community_reports (post_id, session_id, reason, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(post)
        .bind(session)
        .bind(reason)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let reports: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM community_reports WHERE post_id = ?")
            .bind(post)
            .fetch_one(&mut *tx)
            .await?;
        if reports >= i64::from(hide_at) {
            sqlx::query("UPDATE community_posts SET status = 'hidden' WHERE id = ? AND status = 'visible'")
                .bind(post)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    async fn accept(&self, thread: i64, answer: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE community_posts SET accepted_answer_id = ? WHERE id = ?")
            .bind(answer)
            .bind(thread)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn mark_read(&self, thread: i64, session: i64, answers: u32) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO community_reads (thread_id, session_id, seen_answers) VALUES (?, ?, ?)
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
            "SELECT * FROM ({SELECT} WHERE p.session_id = ? AND p.thread_id IS NULL) mine
             LEFT JOIN (SELECT thread_id AS read_thread, seen_answers FROM community_reads WHERE session_id = ?) seen
               ON seen.read_thread = mine.id
             ORDER BY mine.last_activity_at DESC LIMIT 50"
        ))
        .bind(session)
        .bind(session)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let seen: Option<i64> = row.try_get("seen_answers")?;
                Ok((post_row(row)?, u32::try_from(seen.unwrap_or(0)).unwrap_or(0)))
            })
            .collect()
    }

    async fn edit_post(&self, post: i64, body: &str, html: &str, status: PostStatus) -> Result<(), StoreError> {
        sqlx::query("UPDATE community_posts SET body = ?, html = ?, status = ? WHERE id = ?")
            .bind(body)
            .bind(html)
            .bind(status_text(status))
            .bind(post)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_post(&self, post: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM community_posts WHERE id = ?").bind(post).execute(&self.pool).await?;
        Ok(())
    }

    async fn moderation_queue(&self, site: &str) -> Result<Vec<(PostRow, Vec<String>)>, StoreError> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE p.site = ? AND (p.status != 'visible' OR report_count > 0) ORDER BY p.created_at, p.id LIMIT 200"
        ))
        .bind(site)
        .fetch_all(&self.pool)
        .await?;
        let mut queue = Vec::new();
        for row in &rows {
            let post = post_row(row)?;
            let reasons: Vec<String> = sqlx::query_scalar(
                "SELECT reason FROM community_reports WHERE post_id = ? AND reason IS NOT NULL ORDER BY created_at",
            )
            .bind(post.id)
            .fetch_all(&self.pool)
            .await?;
            queue.push((post, reasons));
        }
        Ok(queue)
    }

    async fn moderate(&self, post: i64, action: ModerationAction, now: UnixTime) -> Result<(), StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        match action {
            ModerationAction::Approve => {
                sqlx::query("UPDATE community_posts SET status = 'visible' WHERE id = ?")
                    .bind(post)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM community_reports WHERE post_id = ?").bind(post).execute(&mut *tx).await?;
            }
            ModerationAction::Hide => {
                sqlx::query("UPDATE community_posts SET status = 'hidden' WHERE id = ?")
                    .bind(post)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM community_reports WHERE post_id = ?").bind(post).execute(&mut *tx).await?;
            }
            ModerationAction::Delete => {
                sqlx::query("DELETE FROM community_posts WHERE id = ?").bind(post).execute(&mut *tx).await?;
            }
            ModerationAction::BlockAuthor => {
                let session: Option<i64> = sqlx::query_scalar("SELECT session_id FROM community_posts WHERE id = ?")
                    .bind(post)
                    .fetch_one(&mut *tx)
                    .await?;
                if let Some(session) = session {
                    sqlx::query(
                        "INSERT OR IGNORE INTO community_blocked_sessions (session_id, blocked_at) VALUES (?, ?)",
                    )
                    .bind(session)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("UPDATE community_posts SET status = 'hidden' WHERE session_id = ?")
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
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM community_blocked_sessions WHERE session_id = ?")
            .bind(session)
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    async fn posts_since(&self, session: i64, since: UnixTime) -> Result<u32, StoreError> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM community_posts WHERE session_id = ? AND created_at >= ?")
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
    fn fts5_queries_quote_every_word_and_end_with_a_prefix() {
        let words = ["lampe".to_owned(), "e\"tag".to_owned()];
        assert_eq!(super::fts5_query(&words), "\"lampe\" \"e\"\"tag\"*");
    }
}
