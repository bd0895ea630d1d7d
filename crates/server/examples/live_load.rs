//! The load generator behind `cargo xtask bench` for the live chat: many idle visitor connections
//! (the server's memory per connection), then many active conversations whose messages an agent's
//! console receives (delivery time from the visitor's send to the console). It talks to a real server
//! process over loopback; only the sessions and the agent are seeded straight into its database,
//! because creating them through the API is rate-limited per address on purpose.
//!
//! `live_load seed <database-url> <sessions>` then
//! `live_load run <base-url> <server-pid> <idle-connections> <active-conversations> <seconds>`.

use accueil_protocol::{AgentServerFrame, ClientFrame, Locale, MessageAuthor, ServerFrame, VisitContext};
use accueil_server::store::{SiteScope, SqliteStore, Store};
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const AGENT_TOKEN: &str = "bench-agent-console-token";
/// Connections opened at once while ramping up.
const RAMP: usize = 200;

fn session_token(i: usize) -> String {
    format!("bench-visitor-session-{i:06}")
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let result = match args.get(1).map(String::as_str) {
        Some("seed") if args.len() == 4 => seed(&args[2], args[3].parse().unwrap_or(0)).await,
        Some("run") if args.len() == 7 => {
            let numbers: Vec<usize> = args[3..].iter().filter_map(|a| a.parse().ok()).collect();
            match numbers[..] {
                [pid, idle, active, seconds] => run(&args[2], pid, idle, active, seconds as u64).await,
                _ => Err("run <base-url> <server-pid> <idle> <active> <seconds>: numbers expected".to_owned()),
            }
        }
        _ => Err("usage: live_load seed <database-url> <sessions> | run <base-url> <pid> <idle> <active> <seconds>"
            .to_owned()),
    };
    if let Err(error) = result {
        eprintln!("live_load: {error}");
        std::process::exit(1);
    }
}

async fn seed(database_url: &str, sessions: usize) -> Result<(), String> {
    let store = SqliteStore::open(database_url).await.map_err(|e| e.to_string())?;
    let now = accueil_server::now();
    for i in 0..sessions {
        let hash = accueil_server::secrets::token_hash(&session_token(i));
        store.insert_visitor_session(&hash, "demo", Some(Locale::Fr), now).await.map_err(|e| e.to_string())?;
    }
    let password = accueil_server::secrets::hash_password("bench-password-not-used").map_err(|e| e.to_string())?;
    let agent = store
        .insert_agent("bench@accueil.example", "Bench", &password, &SiteScope::Every, now)
        .await
        .map_err(|e| e.to_string())?;
    let hash = accueil_server::secrets::token_hash(AGENT_TOKEN);
    store.insert_agent_session(&hash, agent.id, now, now + 86_400).await.map_err(|e| e.to_string())?;
    Ok(())
}

/// The server's resident memory in KiB, from /proc.
fn resident_kib(pid: usize) -> Result<u64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).map_err(|e| e.to_string())?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmRSS in /proc status".to_owned())
}

async fn send(socket: &mut Socket, frame: &ClientFrame) -> Result<(), String> {
    let text = serde_json::to_string(frame).map_err(|e| e.to_string())?;
    socket.send(Message::Text(text.into())).await.map_err(|e| e.to_string())
}

async fn next_frame(socket: &mut Socket) -> Result<ServerFrame, String> {
    loop {
        match tokio::time::timeout(Duration::from_secs(30), socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return serde_json::from_str(&text).map_err(|e| e.to_string()),
            Ok(Some(Ok(_))) => continue,
            other => return Err(format!("the connection ended: {other:?}")),
        }
    }
}

/// A visitor connection past `hello`, with its conversation started when `start`.
async fn visitor(ws_url: &str, session: usize, start: bool) -> Result<Socket, String> {
    let (mut socket, _) = tokio_tungstenite::connect_async(ws_url).await.map_err(|e| e.to_string())?;
    let hello = ClientFrame::Hello { token: session_token(session), after: None, conversation: None };
    send(&mut socket, &hello).await?;
    if !matches!(next_frame(&mut socket).await?, ServerFrame::Welcome { .. }) {
        return Err("no welcome".to_owned());
    }
    if start {
        send(&mut socket, &ClientFrame::Start { locale: Locale::Fr, context: VisitContext::default() }).await?;
        while !matches!(next_frame(&mut socket).await?, ServerFrame::Conversation { .. }) {}
    }
    Ok(socket)
}

async fn open_many(ws_url: &str, sessions: std::ops::Range<usize>, start: bool) -> Result<Vec<Socket>, String> {
    let url = ws_url.to_owned();
    let opened: Vec<Result<Socket, String>> = futures_util::stream::iter(sessions)
        .map(|i| {
            let url = url.clone();
            async move { visitor(&url, i, start).await }
        })
        .buffer_unordered(RAMP)
        .collect()
        .await;
    opened.into_iter().collect()
}

async fn run(base: &str, pid: usize, idle: usize, active: usize, seconds: u64) -> Result<(), String> {
    let ws_url = format!("{}/v1/live", base.replace("http://", "ws://"));
    // Warm the server up (first connection, allocator arenas), then measure.
    drop(open_many(&ws_url, 0..RAMP, false).await?);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = resident_kib(pid)?;
    let sockets = open_many(&ws_url, RAMP..RAMP + idle, false).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = resident_kib(pid)?;
    let per_connection = (after.saturating_sub(before)) as f64 / sockets.len() as f64;
    println!(
        "BENCH live idle: {} connections, server resident memory {:.1} MiB -> {:.1} MiB, {per_connection:.1} KiB per connection (budget 20 KiB)",
        sockets.len(),
        before as f64 / 1024.0,
        after as f64 / 1024.0
    );
    drop(sockets);
    tokio::time::sleep(Duration::from_secs(2)).await;

    let first = RAMP + idle;
    let visitors = open_many(&ws_url, first..first + active, true).await?;
    let mut request = format!("{}/v1/agent/live", base.replace("http://", "ws://"))
        .into_client_request()
        .map_err(|e| e.to_string())?;
    let cookie = format!("accueil_agent={AGENT_TOKEN}").parse().map_err(|_| "cookie header".to_owned())?;
    request.headers_mut().insert("cookie", cookie);
    let (agent, _) = tokio_tungstenite::connect_async(request).await.map_err(|e| e.to_string())?;

    let clock = Arc::new(Instant::now());
    let end = Duration::from_secs(seconds);
    // The console: every visitor message, timed from the send written in its body.
    let console = {
        let clock = clock.clone();
        tokio::spawn(async move {
            let (_, mut read) = agent.split();
            let mut delays = Vec::new();
            while clock.elapsed() < end + Duration::from_secs(2) {
                let Ok(Some(Ok(Message::Text(text)))) =
                    tokio::time::timeout(Duration::from_millis(500), read.next()).await
                else {
                    continue;
                };
                if let Ok(AgentServerFrame::Message { message, .. }) = serde_json::from_str(&text)
                    && message.author == MessageAuthor::Visitor
                    && let Some(sent) = message.body.strip_prefix("t=").and_then(|t| t.parse::<u64>().ok())
                {
                    let now = clock.elapsed().as_micros() as u64;
                    delays.push(now.saturating_sub(sent));
                }
            }
            delays
        })
    };
    // Each visitor sends one message a second, starting at a random point of the first second, and
    // reads (and drops) what the server sends back so its queue never fills.
    let mut senders = Vec::new();
    for (i, socket) in visitors.into_iter().enumerate() {
        let clock = clock.clone();
        senders.push(tokio::spawn(async move {
            let (mut write, mut read) = socket.split();
            tokio::spawn(async move { while let Some(Ok(_)) = read.next().await {} });
            let offset = Duration::from_micros((i as u64 * 7919) % 1_000_000);
            tokio::time::sleep(offset).await;
            let mut ticker = tokio::time::interval(Duration::from_secs(1));
            let mut n = 0u64;
            let mut sent = 0u64;
            while clock.elapsed() < end {
                ticker.tick().await;
                n += 1;
                let body = format!("t={}", clock.elapsed().as_micros());
                let frame = ClientFrame::Send { client_id: format!("{i}-{n}"), body };
                let text = serde_json::to_string(&frame).unwrap_or_default();
                if write.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
                sent += 1;
            }
            sent
        }));
    }
    let mut sent = 0;
    for sender in senders {
        sent += sender.await.unwrap_or(0);
    }
    let mut delays = console.await.map_err(|e| e.to_string())?;
    if delays.is_empty() {
        return Err("the console received no message".to_owned());
    }
    delays.sort_unstable();
    let at = |q: f64| delays[((delays.len() - 1) as f64 * q).round() as usize] as f64 / 1000.0;
    println!(
        "BENCH live delivery visitor->agent console: {active} conversations, {sent} sent, {} received in {seconds} s, median {:.2} ms, p99 {:.2} ms, max {:.2} ms (budgets: median 5 ms, p99 50 ms)",
        delays.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
    Ok(())
}
