//! A real crash: the `accueil` process killed with SIGKILL while chat messages are being written,
//! then started again on the same database file. Everything it acknowledged is there, once, numbered
//! without a gap; every session it created still works.

use crate::helpers::faq_entry;
use accueil_protocol::{ChatHistory, ClientFrame, Locale, ServerFrame, SessionCreated, VisitContext};
use futures_util::{SinkExt, StreamExt};
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// Visitors writing at once, and the messages each sends (within the limits per session and second).
const VISITORS: usize = 8;
const MESSAGES_EACH: usize = 25;

/// The `accueil` binary serving `dir/accueil.toml`; killed (SIGKILL) when dropped.
struct Server(Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(dir: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_accueil"))
        .args(["serve", "--config"])
        .arg(dir.join("accueil.toml"))
        .env("ACCUEIL_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("its first line");
    let address = line.split("http://").nth(1).and_then(|rest| rest.split_whitespace().next()).expect("an address");
    Server(child, format!("http://{address}"))
}

fn write_config(dir: &Path) {
    crate::helpers::write(dir, "faq/fr/a.md", &faq_entry("a", "Question ?", "Réponse."));
    let toml = r##"
        listen = "127.0.0.1:0"
        database_url = "sqlite://test.db"
        search_model = "off"

        [[site]]
        id = "demo"
        name = "Maison Lumière"
        allowed_origins = ["https://shop.example"]
        locales = ["fr"]
        primary_color = "#8a3b12"
        features = ["chat"]
        business_hours = { time_zone = "Europe/Paris", weekly = [{ days = ["mon"], opens = "09:00", closes = "18:00" }] }
    "##;
    std::fs::write(dir.join("accueil.toml"), toml).expect("config");
}

/// One visitor: a session, a conversation, then its messages at 4 a second; returns its token and the
/// client ids the server acknowledged before the connection died.
async fn visitor(base: String, number: usize, acks: Arc<AtomicUsize>) -> (String, Vec<String>) {
    let client = reqwest::Client::new();
    let created = client.post(format!("{base}/v1/sessions")).json(&serde_json::json!({"site": "demo"})).send().await;
    let token = created.expect("session").json::<SessionCreated>().await.expect("created").token;
    let url = format!("{}/v1/live", base.replace("http://", "ws://"));
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.expect("upgrade");
    let say = |frame: &ClientFrame| Message::Text(serde_json::to_string(frame).expect("json").into());
    let hello = ClientFrame::Hello { token: token.clone(), after: None, conversation: None };
    let _ = socket.send(say(&hello)).await;
    let _ = socket.send(say(&ClientFrame::Start { locale: Locale::Fr, context: VisitContext::default() })).await;
    let (mut write, mut read) = socket.split();
    let sender = tokio::spawn(async move {
        for n in 0..MESSAGES_EACH {
            let frame = ClientFrame::Send { client_id: format!("v{number}-{n}"), body: format!("message {n}") };
            if write.send(say(&frame)).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    });
    let mut acknowledged = Vec::new();
    while let Ok(Some(Ok(message))) = tokio::time::timeout(Duration::from_secs(10), read.next()).await {
        if let Message::Text(text) = message
            && let Ok(ServerFrame::Ack { client_id, .. }) = serde_json::from_str::<ServerFrame>(&text)
        {
            acknowledged.push(client_id);
            acks.fetch_add(1, Ordering::SeqCst);
        }
    }
    sender.abort();
    (token, acknowledged)
}

#[tokio::test]
async fn a_server_killed_mid_write_keeps_everything_it_acknowledged() {
    // Arrange: a server process, visitors writing to it.
    let dir = tempfile::tempdir().expect("temp dir");
    write_config(dir.path());
    let server = start(dir.path());
    let acks = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..VISITORS).map(|n| tokio::spawn(visitor(server.1.clone(), n, acks.clone()))).collect();

    // Act: SIGKILL in the middle of the writes (no shutdown, no flush), once a fifth of them were
    // acknowledged, however fast this machine is; then a new process on the same file.
    let mid_way = VISITORS * MESSAGES_EACH / 5;
    let reached = tokio::time::timeout(Duration::from_secs(60), async {
        while acks.load(Ordering::SeqCst) < mid_way {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    reached.await.expect("a fifth of the messages acknowledged within 60 s");
    drop(server);
    let mut outcomes = Vec::new();
    for writer in writers {
        outcomes.push(writer.await.expect("a visitor task"));
    }
    let server = start(dir.path());

    // Assert
    let client = reqwest::Client::new();
    let mut acknowledged_in_all = 0;
    for (token, acknowledged) in outcomes {
        let history = client
            .get(format!("{}/v1/conversations/current/messages", server.1))
            .bearer_auth(&token)
            .send()
            .await
            .expect("sent");
        assert_eq!(history.status(), 200, "the session and its conversation survived the crash");
        let history: ChatHistory = history.json().await.expect("history");
        let stored: Vec<String> = history.messages.iter().filter_map(|m| m.client_id.clone()).collect();
        let unique: HashSet<&String> = stored.iter().collect();
        assert_eq!(unique.len(), stored.len(), "nothing stored twice");
        for id in &acknowledged {
            assert!(stored.contains(id), "{id} was acknowledged and lost");
        }
        let numbers: Vec<u64> = history.messages.iter().map(|m| m.seq).collect();
        assert_eq!(numbers, (1..=numbers.len() as u64).collect::<Vec<_>>(), "numbered without a gap");
        acknowledged_in_all += acknowledged.len();
    }
    // The kill came in the middle: some were acknowledged, not all.
    assert!(acknowledged_in_all > 0 && acknowledged_in_all < VISITORS * MESSAGES_EACH, "{acknowledged_in_all}");
}

#[tokio::test]
async fn sigterm_tells_live_connections_to_reconnect_with_1012() {
    // Arrange: a server process and a visitor connected to it.
    let dir = tempfile::tempdir().expect("temp dir");
    write_config(dir.path());
    let mut server = start(dir.path());
    let client = reqwest::Client::new();
    let created = client.post(format!("{}/v1/sessions", server.1)).json(&serde_json::json!({"site": "demo"})).send();
    let token = created.await.expect("session").json::<SessionCreated>().await.expect("created").token;
    let url = format!("{}/v1/live", server.1.replace("http://", "ws://"));
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.expect("upgrade");
    let hello = ClientFrame::Hello { token, after: None, conversation: None };
    socket.send(Message::Text(serde_json::to_string(&hello).expect("json").into())).await.expect("hello");
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next()).await.expect("welcomed within 5 s");
        if let Some(Ok(Message::Text(text))) = frame
            && matches!(serde_json::from_str::<ServerFrame>(&text), Ok(ServerFrame::Welcome { .. }))
        {
            break;
        }
    }

    // Act: what a rolling deploy sends.
    let status = Command::new("kill").args(["-TERM", &server.0.id().to_string()]).status().expect("kill runs");
    assert!(status.success());

    // Assert: a 1012 close ("service restart"), so the widget reconnects at once, and the process ends.
    let code = loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next()).await.expect("closed within 10 s") {
            Some(Ok(Message::Close(frame))) => break frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(code, Some(1012));
    let ended = tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            if let Ok(Some(status)) = server.0.try_wait() {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    assert!(ended.await.expect("the process ends after SIGTERM").success(), "a clean exit");
}
