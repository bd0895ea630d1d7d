//! Faults of the machine, not of the client: a full disk and a locked database answer 503
//! `unavailable` and never acknowledge what was not stored; `/readyz` says so; service resumes once the
//! fault is gone, with nothing acknowledged lost and nothing stored twice.

use crate::helpers::{TestApp, error_fields, spawn_app, spawn_app_with};
use crate::live::{history, join, next, next_beyond_start, say, send, session};
use accueil_protocol::{ErrorCode, LiveErrorCode, ServerFrame};
use futures_util::StreamExt;
use sqlx::Connection;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// A tmpfs of a few megabytes, the database's whole disk, unmounted when dropped. Mounting needs root,
/// which the test command has (CI and these machines run as root); without it the test fails and says
/// why rather than skipping.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(path: &Path, bytes: u64) -> SmallDisk {
        std::fs::create_dir_all(path).expect("mount point");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
            .arg(path)
            .status()
            .expect("`mount` runs");
        assert!(status.success(), "mounting a tmpfs needs root: this test simulates a full disk with one");
        SmallDisk(path.to_owned())
    }

    /// Writes a file until the disk refuses more; deleting it frees the disk again.
    fn fill(&self) -> PathBuf {
        let path = self.0.join("filler");
        let mut file = std::fs::File::create(&path).expect("filler");
        let block = vec![0u8; 16 * 1024];
        loop {
            match file.write_all(&block) {
                Ok(()) => {}
                Err(e) if e.raw_os_error() == Some(28) => return path, // ENOSPC
                Err(e) => panic!("filling the disk: {e}"),
            }
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazy: the server of the test may still hold the database open.
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// The number of the next acknowledgement, past the other frames (the replay, the echo of the message).
async fn acknowledged(socket: &mut crate::live::Socket) -> u64 {
    loop {
        match next(socket).await {
            ServerFrame::Ack { seq, .. } => return seq,
            ServerFrame::Error { code, message } => panic!("refused: {code:?} {message}"),
            _ => continue,
        }
    }
}

async fn create_session(app: &TestApp) -> reqwest::Response {
    app.client.post(app.url("/v1/sessions")).json(&serde_json::json!({"site": "demo"})).send().await.expect("sent")
}

#[tokio::test]
async fn a_full_disk_acknowledges_nothing_it_did_not_store_and_service_resumes_when_space_returns() {
    // Arrange: the database alone on a small disk, a visitor in a conversation with one message stored.
    let disk_dir = tempfile::tempdir().expect("temp dir");
    let disk = SmallDisk::mount(&disk_dir.path().join("disk"), 8 * 1024 * 1024);
    let url = format!("sqlite://{}", disk.0.join("test.db").display());
    let app = spawn_app_with(move |key| (key == "ACCUEIL_DATABASE_URL").then(|| url.clone())).await;
    let token = session(&app).await;
    let mut socket = join(&app, &token, None).await;
    send(&mut socket, &say("before", "Avant que le disque soit plein.")).await;
    assert_eq!(acknowledged(&mut socket).await, 1);

    // Act: the disk fills up.
    let filler = disk.fill();

    // Assert: writes are refused as unavailable, with a pause to respect, and readiness says so.
    let refused = create_session(&app).await;
    assert!(refused.headers().contains_key("retry-after"), "a 503 says when to retry");
    error_fields(refused, 503, ErrorCode::Unavailable).await;
    send(&mut socket, &say("during", "Pendant que le disque est plein.")).await;
    loop {
        match next_beyond_start(&mut socket).await {
            ServerFrame::Error { code: LiveErrorCode::Unavailable, .. } => break,
            // The echo of the message stored before the disk filled up.
            ServerFrame::Message { message } if message.seq == 1 => continue,
            other => panic!("expected an `unavailable` error frame, not an acknowledgement: {other:?}"),
        }
    }
    let close = tokio::time::timeout(Duration::from_secs(5), socket.next()).await.expect("closed within 5 s");
    match close {
        Some(Ok(Message::Close(Some(frame)))) => assert_eq!(u16::from(frame.code), 1013, "try again later"),
        other => panic!("expected a 1013 close, got {other:?}"),
    }
    let ready = app.client.get(app.url("/readyz")).send().await.expect("sent");
    assert_eq!(ready.status(), 503, "a node whose database takes no write is not ready");

    // Act: space comes back; the visitor's widget reconnects and sends again what was not acknowledged.
    std::fs::remove_file(filler).expect("filler removed");
    let ready = app.client.get(app.url("/readyz")).send().await.expect("sent");
    assert_eq!(ready.status(), 200, "ready again once the disk has room");
    assert_eq!(create_session(&app).await.status(), 201);
    let mut socket = join(&app, &token, Some(1)).await;
    send(&mut socket, &say("during", "Pendant que le disque est plein.")).await;
    // Assert: both messages stored once, in order, numbered without a gap.
    assert_eq!(acknowledged(&mut socket).await, 2);
    let bodies: Vec<String> = history(&app, &token).await.messages.into_iter().map(|m| m.body).collect();
    assert_eq!(bodies, ["Avant que le disque soit plein.", "Pendant que le disque est plein."]);
}

#[tokio::test]
async fn a_database_locked_by_another_writer_answers_unavailable_not_internal() {
    // Arrange: another process holds SQLite's write lock (an operator's shell, a stuck backup).
    let app = spawn_app().await;
    let mut other = sqlx::SqliteConnection::connect(&app.database_url).await.expect("second connection");
    sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await.expect("write lock taken");

    // Act
    let refused = create_session(&app).await;

    // Assert: the client is told to come back, and the lock's end ends the refusal.
    error_fields(refused, 503, ErrorCode::Unavailable).await;
    sqlx::query("ROLLBACK").execute(&mut other).await.expect("lock released");
    assert_eq!(create_session(&app).await.status(), 201);
}
