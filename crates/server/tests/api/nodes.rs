//! Several server nodes on one PostgreSQL database, as behind a load balancer: what one node stores
//! reaches the live connections of another, a race across nodes has one winner, and background work
//! runs once. PostgreSQL only (`cargo xtask test` starts one; SQLite is one node by design).

use crate::callbacks::{book, options, request, webhook_receiver};
use crate::chat_console::{console, post, tell, until, until_heard};
use crate::helpers::{TestApp, postgres_server, spawn_app, spawn_app_with};
use crate::live::{join, say, send, session};
use accueil_protocol::{
    AgentClientFrame, AgentServerFrame, CallbackEvent, ClientFrame, ConversationStatus, MessageAuthor, ServerFrame,
};
use serde_json::json;
use sqlx::Connection;

/// Two nodes on one fresh PostgreSQL database.
async fn two_nodes(env: impl Fn(&str) -> Option<String> + 'static) -> (TestApp, TestApp) {
    assert!(postgres_server().is_some(), "several nodes need PostgreSQL: set ACCUEIL_TEST_POSTGRES_URL");
    let a = spawn_app_with(env).await;
    let b = a.another_node().await;
    (a, b)
}

/// A visitor's live connection to `node`, in a conversation it started.
async fn visitor_in_conversation(node: &TestApp) -> (crate::live::Socket, accueil_protocol::Conversation) {
    let token = session(node).await;
    let mut visitor = join(node, &token, None).await;
    let conversation = until(&mut visitor, |f| match f {
        ServerFrame::Conversation { conversation } => Some(conversation),
        _ => None,
    })
    .await;
    (visitor, conversation)
}

#[tokio::test]
async fn a_visitor_on_one_node_and_an_agent_on_another_hear_each_other_live() {
    // Arrange: the visitor's socket on node A, the agent's console on node B.
    let (a, b) = two_nodes(|_| None).await;
    let camille = b.signed_in().await;
    let mut agent = console(&b, &camille, Some(&b.base)).await.expect("the console connects");
    let (mut visitor, conversation) = visitor_in_conversation(&a).await;

    // Act and assert: each step crosses from one node to the other.
    let opened = until_heard(&mut agent, |f| match f {
        AgentServerFrame::Changed { conversation } => Some(*conversation),
        _ => None,
    })
    .await;
    assert_eq!((opened.id.as_str(), opened.status), (conversation.id.as_str(), ConversationStatus::Waiting));
    send(&mut visitor, &say("v-1", "Bonjour depuis le nœud A")).await;
    let message = until_heard(&mut agent, |f| match f {
        AgentServerFrame::Message { message, .. } => Some(message),
        _ => None,
    })
    .await;
    assert_eq!((message.seq, message.body.as_str()), (1, "Bonjour depuis le nœud A"));
    let receipt = until(&mut visitor, |f| matches!(f, ServerFrame::Receipt { .. }).then_some(f)).await;
    assert_eq!(receipt, ServerFrame::Receipt { delivered: 1, read: 0 }, "delivered to a console on B");

    let claimed = post(&b, &format!("/v1/agent/conversations/{}/claim", conversation.id), &camille, json!({})).await;
    assert_eq!(claimed.status(), 200);
    let taken = until(&mut visitor, |f| match f {
        ServerFrame::Conversation { conversation } if conversation.status == ConversationStatus::Assigned => {
            Some(conversation)
        }
        _ => None,
    })
    .await;
    assert_eq!(taken.agent.as_deref(), Some("Camille"));

    tell(&mut agent, &AgentClientFrame::Typing { conversation: conversation.id.clone() }).await;
    until(&mut visitor, |f| (f == ServerFrame::Typing).then_some(())).await;
    send(&mut visitor, &ClientFrame::Typing).await;
    until_heard(&mut agent, |f| matches!(f, AgentServerFrame::Typing { .. }).then_some(())).await;

    let reply = json!({"client_id": "a-1", "body": "Bonjour depuis le nœud B"});
    let replied = post(&b, &format!("/v1/agent/conversations/{}/messages", conversation.id), &camille, reply).await;
    assert_eq!(replied.status(), 201);
    let answer = until(&mut visitor, |f| match f {
        ServerFrame::Message { message } => Some(message),
        _ => None,
    })
    .await;
    assert_eq!(
        (answer.seq, answer.author, answer.body.as_str()),
        (2, MessageAuthor::Agent, "Bonjour depuis le nœud B")
    );
    tell(&mut agent, &AgentClientFrame::Read { conversation: conversation.id.clone(), seq: 1 }).await;
    let read = until(&mut visitor, |f| matches!(f, ServerFrame::Receipt { read: 1, .. }).then_some(f)).await;
    assert_eq!(read, ServerFrame::Receipt { delivered: 1, read: 1 });
    send(&mut visitor, &ClientFrame::Read { seq: 2 }).await;
    let seen = until_heard(&mut agent, |f| match f {
        AgentServerFrame::Receipt { read, .. } => Some(read),
        _ => None,
    })
    .await;
    assert_eq!(seen, 2);
}

#[tokio::test]
async fn messages_written_at_once_on_two_nodes_are_numbered_without_gap_or_duplicate() {
    // Arrange
    let (a, b) = two_nodes(|_| None).await;
    let camille = b.signed_in().await;
    let (mut visitor, conversation) = visitor_in_conversation(&a).await;
    let claim = post(&b, &format!("/v1/agent/conversations/{}/claim", conversation.id), &camille, json!({})).await;
    assert_eq!(claim.status(), 200);

    // Act: 5 visitor messages on A (a visitor's most per second) while the agent sends 20 on B, all at
    // once, and one of them twice.
    let path = format!("/v1/agent/conversations/{}/messages", conversation.id);
    let agent_side = async {
        let sends = (0..20).map(|i| post(&b, &path, &camille, json!({"client_id": format!("a-{i}"), "body": "B"})));
        let mut statuses: Vec<u16> =
            futures_util::future::join_all(sends).await.iter().map(|r| r.status().as_u16()).collect();
        let again = post(&b, &path, &camille, json!({"client_id": "a-3", "body": "B"})).await;
        statuses.push(again.status().as_u16());
        statuses
    };
    let visitor_side = async {
        for i in 0..5 {
            send(&mut visitor, &say(&format!("v-{i}"), "A")).await;
        }
    };
    let (statuses, ()) = tokio::join!(agent_side, visitor_side);

    // Assert: 25 messages numbered 1 to 25 pushed in order, each once, the retried one not stored twice.
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    let mut seen = std::collections::BTreeMap::new();
    while seen.len() < 25 {
        let Some(frame) = frame_within_seconds(&mut visitor, 5).await else {
            panic!("only these came: {:?}", seen.keys().collect::<Vec<_>>())
        };
        if let ServerFrame::Message { message } = frame {
            let body = message.body.clone();
            assert_eq!(seen.insert(message.seq, body), None, "seq {} pushed twice", message.seq);
        }
    }
    assert_eq!(seen.keys().copied().collect::<Vec<u64>>(), (1..=25).collect::<Vec<u64>>());
    assert_eq!(seen.values().filter(|b| *b == "B").count(), 20);
}

/// The next server frame, or `None` when none came in time.
async fn frame_within_seconds(socket: &mut crate::live::Socket, seconds: u64) -> Option<ServerFrame> {
    use futures_util::StreamExt;
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(seconds), socket.next()).await.ok()??.ok()?;
        if let tokio_tungstenite::tungstenite::Message::Text(text) = message {
            return serde_json::from_str(&text).ok();
        }
    }
}

#[tokio::test]
async fn a_callback_claimed_on_two_nodes_at_once_has_one_winner() {
    let (a, b) = two_nodes(|_| None).await;
    let slots = options(&a).await.slots;
    let visitor = session(&a).await;
    let created: accueil_protocol::Callback =
        book(&a, &visitor, "k", &request(&slots[0].start, "0612345678")).await.json().await.unwrap();
    let camille = a.signed_in().await;
    let hugo = b.signed_in_as("hugo@maison-lumiere.example").await;
    let claim = |node: &TestApp, cookie: &str| {
        let url = node.url(&format!("/v1/agent/callbacks/{}/claim", created.id));
        node.client.post(url).header("cookie", cookie.to_owned()).send()
    };
    let (first, second) = tokio::join!(claim(&a, &camille), claim(&b, &hugo));
    let mut statuses = [first.unwrap().status().as_u16(), second.unwrap().status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
}

#[tokio::test]
async fn each_webhook_event_is_delivered_once_whichever_node_runs_the_outbox() {
    // Arrange: both nodes run the webhook outbox.
    let (hook, mut received) = webhook_receiver(|_| axum::http::StatusCode::NO_CONTENT).await;
    let (a, _b) = two_nodes(move |key| (key == "TEST_WEBHOOK_URL").then(|| hook.clone())).await;

    // Act: six requests, from six visitors.
    let slots = options(&a).await.slots;
    for i in 0..6 {
        let visitor = session(&a).await;
        // Two a slot: its capacity.
        let booked = book(&a, &visitor, "k", &request(&slots[i / 2].start, &format!("061234567{i}"))).await;
        assert_eq!(booked.status(), 201);
    }

    // Assert: six events, each once, including after both nodes had time for another round.
    let mut ids = Vec::new();
    while let Ok(Some((_, body))) = tokio::time::timeout(std::time::Duration::from_secs(12), received.recv()).await {
        ids.push(serde_json::from_str::<CallbackEvent>(&body).unwrap().id);
    }
    let distinct: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!((ids.len(), distinct.len()), (6, 6), "{ids:?}");
}

#[tokio::test]
async fn a_published_faq_edit_on_one_node_is_served_by_the_other() {
    let a = spawn_app().await;
    assert!(postgres_server().is_some(), "several nodes need PostgreSQL: set ACCUEIL_TEST_POSTGRES_URL");
    let b = a.another_node().await;
    let before: serde_json::Value = b.public_get("/v1/sites/demo/faq?locale=fr").await;
    let camille = a.signed_in().await;
    let edit = json!({"question": "Comment retourner un article ?", "category": "Retours", "order": 1,
        "markdown": "Sous **30 jours**."});
    let saved = a.client.put(a.url("/v1/agent/faq/demo/fr/returns")).header("cookie", &camille).json(&edit).send();
    assert_eq!(saved.await.unwrap().status(), 200);
    let after: serde_json::Value = b.public_get("/v1/sites/demo/faq?locale=fr").await;
    assert_ne!(before, after);
    assert!(after.to_string().contains("Comment retourner un article ?"), "node B serves node A's edit");
}

#[tokio::test]
async fn a_limit_holds_across_nodes() {
    // 20 new sessions a minute per address: a client that spreads its requests over two nodes gets 20
    // in all, not 40.
    let (a, b) = two_nodes(|_| None).await;
    let create = |node: &TestApp| node.client.post(node.url("/v1/sessions")).json(&json!({"site": "demo"})).send();
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let (on_a, on_b) = tokio::join!(create(&a), create(&b));
        statuses.push(on_a.unwrap().status().as_u16());
        statuses.push(on_b.unwrap().status().as_u16());
    }
    let created = statuses.iter().filter(|s| **s == 201).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((created, limited), (20, 4), "{statuses:?}");
}

#[tokio::test]
async fn a_sqlite_deployment_moves_to_postgresql_with_its_history() {
    // Arrange: a deployment on SQLite with an agent, a conversation and a callback request.
    let server = postgres_server().expect("several nodes need PostgreSQL: set ACCUEIL_TEST_POSTGRES_URL");
    let old = spawn_app_with(|key| (key == "ACCUEIL_DATABASE_URL").then(|| "sqlite://test.db".to_owned())).await;
    old.add_agent("camille@maison-lumiere.example", "correct horse battery staple").await;
    let (mut visitor, conversation) = visitor_in_conversation(&old).await;
    send(&mut visitor, &say("v-1", "Ma lampe clignote")).await;
    until(&mut visitor, |f| matches!(f, ServerFrame::Ack { .. }).then_some(())).await;
    let slots = options(&old).await.slots;
    let token = session(&old).await;
    assert_eq!(book(&old, &token, "k", &request(&slots[0].start, "0612345678")).await.status(), 201);
    let target = crate::helpers::new_postgres_database(&server).await;
    let copy = |to: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_accueil"))
            .args(["store", "copy", "--from", &old.database_url, "--to", to])
            .output()
            .expect("accueil runs")
    };

    // Act
    let copied = copy(&target);

    // Assert: every table's rows, then a node on PostgreSQL that knows the agent, the conversation and
    // the visitor's request; a second copy into the same database is refused.
    assert!(copied.status.success(), "{}", String::from_utf8_lossy(&copied.stderr));
    let said = String::from_utf8_lossy(&copied.stdout);
    assert!(said.contains("chat_messages: 1 rows") && said.contains("callbacks: 1 rows"), "{said}");
    let url = target.clone();
    let new = spawn_app_with(move |key| (key == "ACCUEIL_DATABASE_URL").then(|| url.clone())).await;
    let camille = new.login("camille@maison-lumiere.example", "correct horse battery staple").await;
    let history: accueil_protocol::ChatHistory =
        new.agent_get(&format!("/v1/agent/conversations/{}/messages", conversation.id), &camille).await;
    assert_eq!(history.messages.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(), ["Ma lampe clignote"]);
    let mine = new.client.get(new.url("/v1/callbacks")).bearer_auth(&token).send().await.unwrap();
    let mine: accueil_protocol::Callbacks = mine.json().await.unwrap();
    assert_eq!(mine.callbacks.len(), 1, "the visitor's token still works and finds the request");
    let reply = json!({"client_id": "a-1", "body": "Je regarde."});
    let claim = format!("/v1/agent/conversations/{}/claim", conversation.id);
    assert_eq!(post(&new, &claim, &camille, json!({})).await.status(), 200);
    let path = format!("/v1/agent/conversations/{}/messages", conversation.id);
    assert_eq!(post(&new, &path, &camille, reply).await.status(), 201);
    let (_, started) = visitor_in_conversation(&new).await;
    assert_ne!(started.id, conversation.id, "new rows continue after the copied ones");
    let again = copy(&target);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("target"), "{}", String::from_utf8_lossy(&again.stderr));
}

#[tokio::test]
async fn a_node_whose_database_listener_was_cut_hears_the_others_again() {
    // Arrange: the visitor on node A, the agent on node B, a conversation under way.
    let (a, b) = two_nodes(|_| None).await;
    let camille = b.signed_in().await;
    let (mut visitor, conversation) = visitor_in_conversation(&a).await;
    let claim = format!("/v1/agent/conversations/{}/claim", conversation.id);
    assert_eq!(post(&b, &claim, &camille, json!({})).await.status(), 200);
    let messages = format!("/v1/agent/conversations/{}/messages", conversation.id);

    // Act: the database ends every node's listening connection (a restart, a network cut, a
    // connection reaper), and the agent writes at once, then again a moment later.
    let mut admin = sqlx::PgConnection::connect(&a.database_url).await.expect("PostgreSQL");
    let cut: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    )
    .fetch_all(&mut admin)
    .await
    .expect("listeners cut");
    assert!(cut.len() >= 2 && cut.iter().all(|done| *done), "both nodes were listening: {cut:?}");
    assert_eq!(
        post(&b, &messages, &camille, json!({"client_id": "a-1", "body": "Pendant la coupure"})).await.status(),
        201
    );
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(
        post(&b, &messages, &camille, json!({"client_id": "a-2", "body": "Après la coupure"})).await.status(),
        201
    );

    // Assert: both reach the visitor on node A, in order, once each.
    let mut bodies = Vec::new();
    while bodies.len() < 2 {
        match frame_within_seconds(&mut visitor, 10).await {
            Some(ServerFrame::Message { message }) => bodies.push((message.seq, message.body)),
            Some(_) => {}
            None => panic!("node A went deaf; it heard only {bodies:?}"),
        }
    }
    assert_eq!(bodies, [(1, "Pendant la coupure".to_owned()), (2, "Après la coupure".to_owned())]);
}

#[tokio::test]
async fn a_frequent_limit_holds_across_nodes_but_for_what_comes_between_two_syncs() {
    // Searches as one types are counted on each node between syncs (every 200 ms): 120 a minute per
    // address, wherever they land. A node that has not synced a client's window yet may let through
    // what comes in one sync period; then it knows the others' count.
    let (a, b) = two_nodes(|_| None).await;
    let search = |node: &TestApp, i: usize| {
        node.client.get(node.url(&format!("/v1/sites/demo/faq/search?locale=fr&q=livraison{i}"))).send()
    };
    let mut statuses = Vec::new();
    for i in 0..80 {
        statuses.push(search(&a, i).await.unwrap().status().as_u16());
    }
    tokio::time::sleep(accueil_server::limits::SYNC_EVERY * 3).await;
    // One every 10 ms: about 20 in a sync period.
    for i in 0..80 {
        statuses.push(search(&b, i).await.unwrap().status().as_u16());
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let passed = statuses.iter().filter(|s| **s == 200).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(passed + limited, 160, "{statuses:?}");
    assert!((120..=145).contains(&passed), "120, and at most one sync period's worth more: {passed} passed");
}

/// A TCP relay between a node and PostgreSQL that the test can cut and mend, as a network would.
struct Cable {
    address: std::net::SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Cable {
    async fn lay(address: std::net::SocketAddr, to: String) -> Cable {
        let listener = tokio::net::TcpListener::bind(address).await.expect("the cable's port");
        let address = listener.local_addr().expect("bound");
        let task = tokio::spawn(async move {
            let mut links = tokio::task::JoinSet::new();
            while let Ok((mut near, _)) = listener.accept().await {
                let to = to.clone();
                links.spawn(async move {
                    if let Ok(mut far) = tokio::net::TcpStream::connect(to).await {
                        let _ = tokio::io::copy_bidirectional(&mut near, &mut far).await;
                    }
                });
            }
        });
        Cable { address, task }
    }

    /// Every connection through it ends at once, and no new one gets through.
    fn cut(self) -> std::net::SocketAddr {
        self.task.abort();
        self.address
    }
}

#[tokio::test]
async fn a_node_cut_from_postgresql_answers_unavailable_then_serves_again() {
    // Arrange: a node whose database connections go through a cable.
    let server = postgres_server().expect("several nodes need PostgreSQL: set ACCUEIL_TEST_POSTGRES_URL");
    let database = crate::helpers::new_postgres_database(&server).await;
    let postgres = database.trim_start_matches("postgres://").split(['@', '/']).nth(1).expect("host:port").to_owned();
    let cable = Cable::lay("127.0.0.1:0".parse().unwrap(), postgres.clone()).await;
    let through_cable = database.replace(&postgres, &cable.address.to_string());
    let app = spawn_app_with(move |key| (key == "ACCUEIL_DATABASE_URL").then(|| through_cable.clone())).await;
    let create = || app.client.post(app.url("/v1/sessions")).json(&json!({"site": "demo"})).send();
    assert_eq!(create().await.unwrap().status(), 201);

    // Act: the network to the database fails.
    let address = cable.cut();

    // Assert: the client is told to come back later, never that the server broke; the node is not
    // ready; once the network is back, it serves again without a restart.
    let refused = create().await.unwrap();
    assert!(refused.headers().contains_key("retry-after"));
    crate::helpers::error_fields(refused, 503, accueil_protocol::ErrorCode::Unavailable).await;
    assert_eq!(app.client.get(app.url("/readyz")).send().await.unwrap().status(), 503);
    let _mended = Cable::lay(address, postgres).await;
    let mut status = 0;
    for _ in 0..50 {
        status = create().await.unwrap().status().as_u16();
        if status == 201 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(status, 201, "served again once the database is reachable");
}

#[tokio::test]
async fn a_settings_change_on_one_node_is_applied_by_the_other_without_a_restart() {
    let (a, b) = two_nodes(|_| None).await;
    let camille = a.signed_in().await;
    let settings: accueil_protocol::SiteSettings = a.agent_get("/v1/agent/settings/demo", &camille).await;
    let mut form = settings.form.clone();
    form.primary_color = "#0f766e".to_owned();
    let change = accueil_protocol::SettingsChange { revision: settings.revision, form };
    let saved = a.client.put(a.url("/v1/agent/settings/demo")).header("cookie", &camille).json(&change).send();
    assert_eq!(saved.await.unwrap().status(), 200);
    // Node B hears the wake and reads the settings again; a bounded wait, not a sleep.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let config: accueil_protocol::SiteConfig = b.public_get("/v1/sites/demo/config").await;
        if config.theme.primary == "#0f766e" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "node B still serves {}", config.theme.primary);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // And a change made on B from A's old revision is refused: B knows the new one.
    let stale = accueil_protocol::SettingsChange { revision: settings.revision, form: settings.form };
    let cookie_b = b.login("camille@maison-lumiere.example", "correct horse battery staple").await;
    let refused = b.client.put(b.url("/v1/agent/settings/demo")).header("cookie", &cookie_b).json(&stale).send();
    assert_eq!(refused.await.unwrap().status(), 409);
}
