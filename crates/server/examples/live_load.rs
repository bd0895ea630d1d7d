//! The load generator behind `cargo xtask bench` for the live chat: many idle visitor connections
//! (the server's memory per connection), then many active conversations whose messages an agent's
//! console receives (delivery time from the visitor's send to the console). It talks to a real server
//! process over loopback; only the sessions and the agent are seeded straight into its database,
//! because creating them through the API is rate-limited per address on purpose.
//!
//! `live_load seed <database-url> <sessions>`, then, each against a server of its own (freed memory stays
//! with a process, so one phase would hide the next one's):
//! `live_load idle <base-url> <server-pid> <connections> hello|conversation` and
//! `live_load active <base-url> <conversations> <seconds> [<console-base-url>]` (the console on another
//! node of the same PostgreSQL database, when given). The database URL may be SQLite's or PostgreSQL's.

use accueil_protocol::{AgentRole, AgentServerFrame, ClientFrame, Locale, MessageAuthor, ServerFrame, VisitContext};
use accueil_server::store::SiteScope;
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
        Some("idle") if args.len() == 6 => match (args[3].parse(), args[4].parse(), args[5].as_str()) {
            (Ok(pid), Ok(count), "hello") => idle(&args[2], pid, count, false).await,
            (Ok(pid), Ok(count), "conversation") => idle(&args[2], pid, count, true).await,
            _ => Err("idle <base-url> <server-pid> <connections> hello|conversation".to_owned()),
        },
        Some("active") if args.len() == 5 || args.len() == 6 => match (args[3].parse(), args[4].parse()) {
            (Ok(count), Ok(seconds)) => active(&args[2], args.get(5).unwrap_or(&args[2]), count, seconds).await,
            _ => Err("active <base-url> <conversations> <seconds> [<console-base-url>]: numbers expected".to_owned()),
        },
        _ => Err("usage: live_load seed <database-url> <sessions> | idle <base-url> <pid> <connections> \
                  hello|conversation | active <base-url> <conversations> <seconds>"
            .to_owned()),
    };
    if let Err(error) = result {
        eprintln!("live_load: {error}");
        std::process::exit(1);
    }
}

async fn seed(database_url: &str, sessions: usize) -> Result<(), String> {
    let store = accueil_server::store::open(database_url).await.map_err(|e| e.to_string())?;
    let now = accueil_server::now();
    for i in 0..sessions {
        let hash = accueil_server::secrets::token_hash(&session_token(i));
        store.insert_visitor_session(&hash, "demo", Some(Locale::Fr), now).await.map_err(|e| e.to_string())?;
    }
    let password = accueil_server::secrets::hash_password("bench-password-not-used").map_err(|e| e.to_string())?;
    let agent = store
        .insert_agent("bench@accueil.example", "Bench", &password, &SiteScope::Every, AgentRole::Agent, now, None)
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

/// The loopback address visitor `i` connects from: each visitor its own, as on the internet, so the
/// server's limits per address (30 new conversations and 300 messages a minute) measure what they
/// should and do not throttle the benchmark. Linux routes all of 127.0.0.0/8 to loopback.
fn visitor_address(i: usize) -> std::net::IpAddr {
    let n = i + 1;
    std::net::IpAddr::V4(std::net::Ipv4Addr::new(127, 1 + (n >> 16) as u8, (n >> 8) as u8, n as u8))
}

/// A visitor connection past `hello`, with its conversation started when `start`.
async fn visitor(ws_url: &str, session: usize, start: bool) -> Result<Socket, String> {
    let host = ws_url.trim_start_matches("ws://").split('/').next().unwrap_or_default().to_owned();
    let server: std::net::SocketAddr = host.parse().map_err(|_| format!("`{host}` is not an address"))?;
    let tcp = tokio::net::TcpSocket::new_v4().map_err(|e| e.to_string())?;
    tcp.bind(std::net::SocketAddr::new(visitor_address(session), 0)).map_err(|e| e.to_string())?;
    let stream = tcp.connect(server).await.map_err(|e| e.to_string())?;
    let (mut socket, _) = tokio_tungstenite::client_async(ws_url, tokio_tungstenite::MaybeTlsStream::Plain(stream))
        .await
        .map_err(|e| e.to_string())?;
    let hello = ClientFrame::Hello { token: session_token(session), after: None, conversation: None };
    send(&mut socket, &hello).await?;
    if !matches!(next_frame(&mut socket).await?, ServerFrame::Welcome { .. }) {
        return Err("no welcome".to_owned());
    }
    if start {
        send(&mut socket, &ClientFrame::Start { locale: Locale::Fr, context: VisitContext::default() }).await?;
        loop {
            match next_frame(&mut socket).await? {
                ServerFrame::Conversation { .. } => break,
                ServerFrame::Error { code, message } => return Err(format!("start refused: {code:?} {message}")),
                _ => continue,
            }
        }
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

/// The server's memory per connection for `count` connections opened from `first` on: hello only, or
/// in a started conversation (subscribed to its messages).
async fn memory_per_connection(
    ws_url: &str,
    pid: usize,
    first: usize,
    count: usize,
    start: bool,
) -> Result<(Vec<Socket>, f64, u64, u64), String> {
    let before = resident_kib(pid)?;
    let sockets = open_many(ws_url, first..first + count, start).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = resident_kib(pid)?;
    let per_connection = (after.saturating_sub(before)) as f64 / sockets.len() as f64;
    Ok((sockets, per_connection, before, after))
}

/// Budgets the run is held to; a miss exits non-zero.
const IDLE_KIB_BUDGET: f64 = 20.0;
const MEDIAN_MS_BUDGET: f64 = 5.0;
const P99_MS_BUDGET: f64 = 50.0;
/// With the visitor on one node and the console on another.
const NODES_MEDIAN_MS_BUDGET: f64 = 10.0;
const NODES_P99_MS_BUDGET: f64 = 100.0;
/// How long after the last send the console may still receive: past it, a message is lost.
/// `LIVE_LOAD_GRACE_SECS` sets another (the ramp waits longer, so an overloaded step's messages show
/// as late rather than lost).
fn grace() -> Duration {
    let seconds = std::env::var("LIVE_LOAD_GRACE_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    Duration::from_secs(seconds)
}

/// The server's memory per idle connection: `count` visitors connected after a warm-up, each after
/// `hello` only, or in a started conversation (subscribed to its messages).
async fn idle(base: &str, pid: usize, count: usize, in_conversation: bool) -> Result<(), String> {
    let ws_url = format!("{}/v1/live", base.replace("http://", "ws://"));
    // Warm the server up (first connections, allocator arenas), then measure.
    drop(open_many(&ws_url, 0..RAMP, in_conversation).await?);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (sockets, per_connection, before, after) =
        memory_per_connection(&ws_url, pid, RAMP, count, in_conversation).await?;
    let what = if in_conversation { "in an open conversation" } else { "after hello" };
    println!(
        "BENCH live idle ({what}): {} connections, server resident memory {:.1} MiB -> {:.1} MiB, {per_connection:.1} KiB per connection (budget {IDLE_KIB_BUDGET} KiB)",
        sockets.len(),
        before as f64 / 1024.0,
        after as f64 / 1024.0
    );
    drop(sockets);
    if per_connection > IDLE_KIB_BUDGET { Err(format!("over budget: memory per connection {what}")) } else { Ok(()) }
}

/// `active` conversations, each visitor sending one message a second for `seconds`, one agent's
/// console receiving them all: every message accounted for.
async fn active(base: &str, console_base: &str, active: usize, seconds: u64) -> Result<(), String> {
    let ws_url = format!("{}/v1/live", base.replace("http://", "ws://"));
    // Across nodes a message also goes through the database's notification: the budgets of issue #11.
    let (median_budget, p99_budget) = if console_base == base {
        (MEDIAN_MS_BUDGET, P99_MS_BUDGET)
    } else {
        (NODES_MEDIAN_MS_BUDGET, NODES_P99_MS_BUDGET)
    };
    let mut missed = Vec::new();
    let first = RAMP;
    let visitors = open_many(&ws_url, first..first + active, true).await?;
    let mut request = format!("{}/v1/agent/live", console_base.replace("http://", "ws://"))
        .into_client_request()
        .map_err(|e| e.to_string())?;
    let cookie = format!("accueil_agent={AGENT_TOKEN}").parse().map_err(|_| "cookie header".to_owned())?;
    request.headers_mut().insert("cookie", cookie);
    let (agent, _) = tokio_tungstenite::connect_async(request).await.map_err(|e| e.to_string())?;

    let clock = Arc::new(Instant::now());
    let end = Duration::from_secs(seconds);
    let grace = grace();
    // The console: when each visitor message arrived, by client id. A console the server closes ends
    // the run as a failure: its frames would be lost, not late.
    let console = {
        let clock = clock.clone();
        tokio::spawn(async move {
            let (_, mut read) = agent.split();
            let mut arrivals = std::collections::HashMap::new();
            while clock.elapsed() < end + grace {
                let message = match tokio::time::timeout(Duration::from_millis(200), read.next()).await {
                    Err(_) => continue,
                    Ok(Some(Ok(Message::Text(text)))) => text,
                    Ok(Some(Ok(Message::Close(frame)))) => return Err(format!("the console was closed: {frame:?}")),
                    Ok(Some(Ok(_))) => continue,
                    Ok(other) => return Err(format!("the console connection ended: {other:?}")),
                };
                if let Ok(AgentServerFrame::Message { message, .. }) = serde_json::from_str(&message)
                    && message.author == MessageAuthor::Visitor
                    && let Some(id) = message.client_id
                {
                    arrivals.entry(id).or_insert(clock.elapsed().as_micros() as u64);
                }
            }
            Ok(arrivals)
        })
    };
    // Each visitor sends one message a second from a point of the first second of its own. Each send
    // is stamped with when it was scheduled, not when the socket took it: a stalled generator or a
    // full socket shows as latency. It reads (and drops) what the server sends back.
    let mut senders = Vec::new();
    for (i, socket) in visitors.into_iter().enumerate() {
        let clock = clock.clone();
        senders.push(tokio::spawn(async move {
            let (mut write, mut read) = socket.split();
            tokio::spawn(async move { while let Some(Ok(_)) = read.next().await {} });
            let offset = Duration::from_micros((i as u64 * 7919) % 1_000_000);
            let mut scheduled = Vec::new();
            for n in 0.. {
                let at = offset + Duration::from_secs(n);
                if at >= end {
                    break;
                }
                tokio::time::sleep_until(tokio::time::Instant::from_std(*clock + at)).await;
                let client_id = format!("{i}-{n}");
                let frame = ClientFrame::Send { client_id: client_id.clone(), body: format!("message {n}") };
                let text = serde_json::to_string(&frame).unwrap_or_default();
                scheduled.push((client_id.clone(), at.as_micros() as u64));
                if let Err(error) = write.send(Message::Text(text.into())).await {
                    return Err(format!("visitor {i} could not send {client_id}: {error}"));
                }
            }
            Ok(scheduled)
        }));
    }
    let mut scheduled = Vec::new();
    for sender in senders {
        scheduled.extend(sender.await.map_err(|e| e.to_string())??);
    }
    let arrivals = console.await.map_err(|e| e.to_string())??;
    // Every message sent is accounted for: received (its delay), late (past the p99 budget), or lost
    // (never received: it counts as the whole run, so it weighs on the percentiles instead of
    // dropping out of them).
    let lost_delay = (end + grace).as_micros() as u64;
    let mut delays: Vec<u64> = scheduled
        .iter()
        .map(|(id, at)| arrivals.get(id).map_or(lost_delay, |arrived| arrived.saturating_sub(*at)))
        .collect();
    let lost = scheduled.iter().filter(|(id, _)| !arrivals.contains_key(id)).count();
    let late = delays.iter().filter(|d| **d != lost_delay && **d as f64 / 1000.0 > p99_budget).count();
    if delays.is_empty() {
        return Err("no message was sent".to_owned());
    }
    delays.sort_unstable();
    let at = |q: f64| delays[((delays.len() - 1) as f64 * q).round() as usize] as f64 / 1000.0;
    let (median, p99) = (at(0.5), at(0.99));
    println!(
        "BENCH live delivery visitor->agent console{}: {active} conversations, {} sent, {} received, {late} late (> {p99_budget} ms), {lost} lost, in {seconds} s: median {median:.2} ms, p99 {p99:.2} ms, max {:.2} ms (budgets: median {median_budget} ms, p99 {p99_budget} ms, none lost)",
        if console_base == base { "" } else { " (console on another node)" },
        scheduled.len(),
        scheduled.len() - lost,
        at(1.0)
    );
    // For `cargo xtask bench ramp`, which reads the figures of each step.
    println!(
        "RAMP conversations={active} sent={} median_ms={median:.3} p99_ms={p99:.3} late={late} lost={lost}",
        scheduled.len()
    );
    if median > median_budget || p99 > p99_budget || lost > 0 {
        missed.push("delivery visitor -> console".to_owned());
    }
    if missed.is_empty() { Ok(()) } else { Err(format!("over budget: {}", missed.join(", "))) }
}
