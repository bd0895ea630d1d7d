//! The chat between a visitor's WebSocket and agents' consoles: pushes to the console, typing and
//! receipts both ways, the visitor ending, rating and asking for the transcript by email, handing a
//! conversation over, presence deciding availability, canned replies, and the per-session limit.

use crate::helpers::{SHOP_ORIGIN, TestApp, error_fields, spawn_app, stored_anywhere};
use crate::live::{Socket, connect, join, next, next_any, say, send, session};
use accueil_protocol::{
    AgentClientFrame, AgentConversation, AgentServerFrame, AgentTeam, CannedReplies, CannedReply, ChatAvailability,
    ClientFrame, Conversation, ConversationStatus, ErrorCode, LiveErrorCode, MessageAuthor, ServerFrame,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// The console's connection, as the agent of `cookie`, from `origin` when given.
pub(crate) async fn console(app: &TestApp, cookie: &str, origin: Option<&str>) -> Result<Socket, u16> {
    let mut request = app.url("/v1/agent/live").replace("http://", "ws://").into_client_request().unwrap();
    request.headers_mut().insert("cookie", cookie.parse().unwrap());
    if let Some(origin) = origin {
        request.headers_mut().insert("origin", origin.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(other) => panic!("unexpected {other:?}"),
    }
}

pub(crate) async fn heard(socket: &mut Socket) -> AgentServerFrame {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a frame within 5 s")
            .expect("open")
            .expect("readable");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("an agent frame");
        }
    }
}

pub(crate) async fn tell(socket: &mut Socket, frame: &AgentClientFrame) {
    socket.send(Message::Text(serde_json::to_string(frame).unwrap().into())).await.expect("sent");
}

/// The next visitor frame that `pick` accepts, skipping the others.
pub(crate) async fn until<T>(socket: &mut Socket, pick: impl Fn(ServerFrame) -> Option<T>) -> T {
    loop {
        if let Some(found) = pick(next_any(socket).await) {
            return found;
        }
    }
}

pub(crate) async fn until_heard<T>(socket: &mut Socket, pick: impl Fn(AgentServerFrame) -> Option<T>) -> T {
    loop {
        if let Some(found) = pick(heard(socket).await) {
            return found;
        }
    }
}

/// A visitor with a started conversation and one message in it.
pub(crate) async fn visitor_with_message(app: &TestApp, body: &str) -> (String, Socket, Conversation) {
    let token = session(app).await;
    let mut visitor = join(app, &token, None).await;
    let conversation = until(&mut visitor, |f| match f {
        ServerFrame::Conversation { conversation } => Some(conversation),
        _ => None,
    })
    .await;
    send(&mut visitor, &say("v-1", body)).await;
    until(&mut visitor, |f| matches!(f, ServerFrame::Ack { .. }).then_some(())).await;
    (token, visitor, conversation)
}

pub(crate) async fn post(app: &TestApp, path: &str, cookie: &str, body: serde_json::Value) -> reqwest::Response {
    app.client.post(app.url(path)).header("cookie", cookie).json(&body).send().await.unwrap()
}

#[tokio::test]
async fn the_console_hears_everything_live_and_typing_and_receipts_go_both_ways() {
    let app = spawn_app().await;
    let camille = app.signed_in().await;
    assert_eq!(console(&app, &camille, Some(SHOP_ORIGIN)).await.err(), Some(403), "another origin is refused");
    assert_eq!(console(&app, "accueil_agent=nope", None).await.err(), Some(401));
    let mut agent = console(&app, &camille, Some(&app.base)).await.expect("the console connects");

    let (_, mut visitor, conversation) = visitor_with_message(&app, "Bonjour <b>!</b>").await;
    let opened = until_heard(&mut agent, |f| match f {
        AgentServerFrame::Changed { conversation } => Some(*conversation),
        _ => None,
    })
    .await;
    assert_eq!((opened.id.as_str(), opened.status), (conversation.id.as_str(), ConversationStatus::Waiting));
    let message = until_heard(&mut agent, |f| match f {
        AgentServerFrame::Message { message, .. } => Some(message),
        _ => None,
    })
    .await;
    assert_eq!((message.seq, message.body.as_str()), (1, "Bonjour <b>!</b>"));
    // It reached a console: the visitor sees it delivered, not yet read.
    let receipt = until(&mut visitor, |f| matches!(f, ServerFrame::Receipt { .. }).then_some(f)).await;
    assert_eq!(receipt, ServerFrame::Receipt { delivered: 1, read: 0 });

    let claimed = post(&app, &format!("/v1/agent/conversations/{}/claim", conversation.id), &camille, json!({})).await;
    assert_eq!(claimed.status(), 200);
    let taken = until_heard(&mut agent, |f| match f {
        AgentServerFrame::Changed { conversation } => Some(*conversation),
        _ => None,
    })
    .await;
    assert_eq!(taken.status, ConversationStatus::Assigned);

    tell(&mut agent, &AgentClientFrame::Typing { conversation: conversation.id.clone() }).await;
    until(&mut visitor, |f| (f == ServerFrame::Typing).then_some(())).await;
    tell(&mut agent, &AgentClientFrame::Read { conversation: conversation.id.clone(), seq: 1 }).await;
    let receipt = until(&mut visitor, |f| matches!(f, ServerFrame::Receipt { .. }).then_some(f)).await;
    assert_eq!(receipt, ServerFrame::Receipt { delivered: 1, read: 1 });

    send(&mut visitor, &ClientFrame::Typing).await;
    let typing = until_heard(&mut agent, |f| match f {
        AgentServerFrame::Typing { conversation } => Some(conversation),
        _ => None,
    })
    .await;
    assert_eq!(typing, conversation.id);
    let reply = json!({"client_id": "a-1", "body": "Je regarde."});
    let replied = post(&app, &format!("/v1/agent/conversations/{}/messages", conversation.id), &camille, reply).await;
    assert_eq!(replied.status(), 201);
    send(&mut visitor, &ClientFrame::Read { seq: 2 }).await;
    let read = until_heard(&mut agent, |f| match f {
        AgentServerFrame::Receipt { conversation, read } => Some((conversation, read)),
        _ => None,
    })
    .await;
    assert_eq!(read, (conversation.id.clone(), 2));
    // A receipt past the last message moves nothing.
    send(&mut visitor, &ClientFrame::Read { seq: 99 }).await;
    let listed: accueil_protocol::AgentConversations =
        app.agent_get("/v1/agent/conversations?site=demo&filter=mine", &camille).await;
    assert_eq!(listed.conversations[0].visitor_read, 2);
}

#[tokio::test]
async fn the_visitor_ends_rates_and_gets_the_transcript_by_email_only() {
    let app = spawn_app().await;
    let (token, mut visitor, conversation) = visitor_with_message(&app, "Ma lampe <script>x</script> clignote").await;
    let path = |what: &str| format!("/v1/conversations/{}/{what}", conversation.id);
    let rate = |token: String, score: serde_json::Value| {
        app.client.post(app.url(&path("rating"))).bearer_auth(token).json(&json!({ "score": score })).send()
    };
    assert_eq!(rate(token.clone(), json!(5)).await.unwrap().status(), 409, "rated once it has ended");

    send(&mut visitor, &ClientFrame::End).await;
    let ended = until(&mut visitor, |f| match f {
        ServerFrame::Conversation { conversation } => Some(conversation),
        _ => None,
    })
    .await;
    assert_eq!(ended.status, ConversationStatus::Closed);
    send(&mut visitor, &say("v-2", "encore")).await;
    let refused = until(&mut visitor, |f| matches!(f, ServerFrame::Error { .. }).then_some(f)).await;
    assert!(matches!(refused, ServerFrame::Error { code: LiveErrorCode::NoConversation, .. }));

    let fields = error_fields(rate(token.clone(), json!(6)).await.unwrap(), 422, ErrorCode::ValidationFailed).await;
    assert_eq!(fields[0].0, "score");
    let stranger = session(&app).await;
    assert_eq!(rate(stranger.clone(), json!(4)).await.unwrap().status(), 404, "another session's is unknown");
    assert_eq!(rate(token.clone(), json!(4)).await.unwrap().status(), 204);

    let transcript = |token: String, email: &str| {
        app.client.post(app.url(&path("transcript"))).bearer_auth(token).json(&json!({ "email": email })).send()
    };
    let bad = transcript(token.clone(), "lea@localhost\r\nBcc: x@y.fr").await.unwrap();
    assert_eq!(error_fields(bad, 422, ErrorCode::ValidationFailed).await[0].0, "email");
    assert_eq!(transcript(stranger, "lea@exemple.fr").await.unwrap().status(), 404);
    assert_eq!(transcript(token, "lea@exemple.fr").await.unwrap().status(), 202);

    let mail_dir = app.dir().join("mail");
    let files: Vec<_> = std::fs::read_dir(&mail_dir).expect("the pickup folder").flatten().collect();
    assert_eq!(files.len(), 1);
    let mail = std::fs::read_to_string(files[0].path()).unwrap();
    assert!(mail.contains("To: lea@exemple.fr\r\n"));
    let decoded = crate::helpers::decoded_parts(&mail);
    assert!(decoded.contains("Ma lampe <script>x</script> clignote"), "the text part as typed");
    assert!(decoded.contains("Ma lampe &lt;script&gt;x&lt;/script&gt; clignote"), "the HTML part escaped");
    // The address was for that message only: the database never saw it.
    assert!(!stored_anywhere(&app, b"lea@exemple.fr"));
}

#[tokio::test]
async fn presence_decides_availability_and_a_conversation_is_handed_over() {
    let app = spawn_app().await;
    let camille: &'static str = app.signed_in().await.leak();
    let hugo: &'static str = app.signed_in_as("hugo@maison-lumiere.example").await.leak();
    let availability = || async {
        let response = app.client.get(app.url("/v1/sites/demo/chat/availability")).send().await.unwrap();
        response.json::<ChatAvailability>().await.unwrap()
    };
    // Both have the console open; Hugo steps away.
    let _camille_console = console(&app, camille, None).await.unwrap();
    let _hugo_console = console(&app, hugo, None).await.unwrap();
    let put = |cookie: &str, presence: &str| {
        app.client
            .put(app.url("/v1/agent/presence"))
            .header("cookie", cookie)
            .json(&json!({ "presence": presence }))
            .send()
    };
    assert_eq!(put(hugo, "away").await.unwrap().status(), 200);
    let bad = put(hugo, "asleep").await.unwrap();
    assert_eq!(error_fields(bad, 400, ErrorCode::InvalidRequest).await[0].0, "presence");
    assert_eq!(availability().await.agents, 1);

    // Four waiting conversations for one agent.
    let (token, mut visitor, conversation) = visitor_with_message(&app, "Bonjour").await;
    let mut others = Vec::new();
    for _ in 0..3 {
        others.push(visitor_with_message(&app, "Bonjour").await);
    }
    // A fifth would wait about 15 minutes, past the 10-minute threshold.
    let found = availability().await;
    assert_eq!((found.waiting, found.estimated_wait_minutes, found.long_wait), (4, Some(15), true));
    // Each waiting visitor knows their place: the second is second.
    let place = |f| match f {
        ServerFrame::Queue { position, estimated_wait_minutes } => Some((position, estimated_wait_minutes)),
        _ => None,
    };
    let (second_token, mut second, _) = others.remove(0);
    // Joining the end of the queue moves nobody: a tab that connects now hears its place at once.
    let mut second_tab = connect(&app).await;
    let hello = ClientFrame::Hello { token: second_token, after: None, conversation: None };
    send(&mut second_tab, &hello).await;
    assert_eq!(until(&mut second_tab, place).await, (2, Some(6)));
    assert_eq!(put(camille, "away").await.unwrap().status(), 200);
    let found = availability().await;
    assert_eq!((found.agents, found.estimated_wait_minutes, found.long_wait), (0, None, false));
    put(camille, "online").await.unwrap();

    let team: AgentTeam = app.agent_get("/v1/agent/team", camille).await;
    assert_eq!(team.agents.len(), 2);
    let hugo_id = team.agents.iter().find(|a| a.presence == accueil_protocol::Presence::Away).unwrap().id;
    let transfer_path = format!("/v1/agent/conversations/{}/transfer", conversation.id);
    let transfer = |cookie: &'static str, agent: i64| post(&app, &transfer_path, cookie, json!({ "agent": agent }));
    assert_eq!(transfer(camille, hugo_id).await.status(), 409, "only the agent who has it hands it over");
    post(&app, &format!("/v1/agent/conversations/{}/claim", conversation.id), camille, json!({})).await;
    // The first was taken: the second moves up.
    loop {
        if until(&mut second, place).await.0 == 1 {
            break;
        }
    }
    let path = format!("/v1/agent/conversations/{}/messages", conversation.id);
    let first = json!({"client_id": "c-1", "body": "Camille, je regarde."});
    assert_eq!(post(&app, &path, camille, first).await.status(), 201);
    let unknown = transfer(camille, 999_999).await;
    assert_eq!(error_fields(unknown, 422, ErrorCode::ValidationFailed).await[0].0, "agent");
    let moved: AgentConversation = transfer(camille, hugo_id).await.json().await.unwrap();
    assert_eq!(moved.agent.map(|a| a.id), Some(hugo_id));
    let reply = json!({"client_id": "h-1", "body": "Hugo, je prends la suite."});
    assert_eq!(post(&app, &path, camille, reply.clone()).await.status(), 409, "Camille no longer has it");
    assert_eq!(post(&app, &path, hugo, reply).await.status(), 201);
    let from_hugo = until(&mut visitor, |f| match f {
        ServerFrame::Message { message } if message.author == MessageAuthor::Agent => Some(message),
        _ => None,
    })
    .await;
    assert_eq!(from_hugo.body, "Camille, je regarde.");
    let from_hugo = until(&mut visitor, |f| match f {
        ServerFrame::Message { message } if message.author == MessageAuthor::Agent => Some(message),
        _ => None,
    })
    .await;
    assert_eq!((from_hugo.body.as_str(), from_hugo.agent.as_deref()), ("Hugo, je prends la suite.", Some("Hugo")));
    // Each message keeps its author after the hand-over; the visitor's own names nobody.
    let written: Vec<_> =
        crate::live::history(&app, &token).await.messages.into_iter().map(|m| (m.body, m.agent)).collect();
    assert_eq!(
        written,
        [
            ("Bonjour".to_owned(), None),
            ("Camille, je regarde.".to_owned(), Some("Camille".to_owned())),
            ("Hugo, je prends la suite.".to_owned(), Some("Hugo".to_owned())),
        ]
    );
}

#[tokio::test]
async fn canned_replies_are_kept_per_site() {
    let app = spawn_app().await;
    let camille = app.signed_in().await;
    let bad = post(&app, "/v1/agent/canned-replies", &camille, json!({"site": "demo", "title": "", "body": ""})).await;
    let fields = error_fields(bad, 422, ErrorCode::ValidationFailed).await;
    assert_eq!(fields.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(), ["title", "body"]);
    let body = json!({"site": "demo", "title": "Délais", "body": "La livraison prend 48 h."});
    let added: CannedReply = post(&app, "/v1/agent/canned-replies", &camille, body).await.json().await.unwrap();
    let listed: CannedReplies = app.agent_get("/v1/agent/canned-replies?site=demo", &camille).await;
    assert_eq!(listed.replies.len(), 1);
    assert_eq!(listed.replies[0], added);
    let remove = || {
        app.client.delete(app.url(&format!("/v1/agent/canned-replies/{}", added.id))).header("cookie", &camille).send()
    };
    assert_eq!(remove().await.unwrap().status(), 204);
    assert_eq!(remove().await.unwrap().status(), 404);
    let anonymous = app.client.get(app.url("/v1/agent/canned-replies?site=demo")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn one_session_holds_a_bounded_number_of_connections() {
    let app = spawn_app().await;
    let token = session(&app).await;
    let mut open = Vec::new();
    for _ in 0..5 {
        let mut socket = connect(&app).await;
        send(&mut socket, &ClientFrame::Hello { token: token.clone(), after: None, conversation: None }).await;
        assert!(matches!(next(&mut socket).await, ServerFrame::Welcome { .. }));
        open.push(socket);
    }
    let mut sixth = connect(&app).await;
    send(&mut sixth, &ClientFrame::Hello { token: token.clone(), after: None, conversation: None }).await;
    match sixth.next().await {
        Some(Ok(Message::Close(Some(frame)))) => assert_eq!(frame.code, CloseCode::from(4429)),
        other => panic!("expected a close, got {other:?}"),
    }
    // A tab closed frees its place.
    drop(open.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut again = connect(&app).await;
    send(&mut again, &ClientFrame::Hello { token, after: None, conversation: None }).await;
    assert!(matches!(next(&mut again).await, ServerFrame::Welcome { .. }));
}

#[tokio::test]
async fn an_agent_not_seen_for_two_minutes_no_longer_counts_as_available() {
    // Arrange: an agent online, whose console was last heard from 2 minutes and 1 second ago (a
    // closed laptop: no heartbeat, no request).
    let app = spawn_app().await;
    let camille = app.signed_in().await;
    let me: accueil_protocol::Agent = app.agent_get("/v1/agent/me", &camille).await;
    let availability = || async {
        let response = app.client.get(app.url("/v1/sites/demo/chat/availability")).send().await.unwrap();
        response.json::<ChatAvailability>().await.unwrap()
    };
    app.client
        .put(app.url("/v1/agent/presence"))
        .header("cookie", &camille)
        .json(&json!({"presence": "online"}))
        .send()
        .await
        .unwrap();
    assert_eq!(availability().await.agents, 1, "present and online");

    // Act
    let store = accueil_server::store::open(&app.database_url).await.expect("store");
    store.touch_agent(me.id, accueil_server::now() - accueil_server::routes::PRESENCE_SECONDS - 1).await.unwrap();

    // Assert: visitors are told nobody can answer, and callbacks "as soon as possible" are not offered.
    let found = availability().await;
    assert_eq!((found.agents, found.estimated_wait_minutes), (0, None));
    let options: accueil_protocol::CallbackOptions = app.public_get("/v1/sites/demo/callback-options?locale=fr").await;
    assert!(!options.asap, "nobody to call as soon as possible");
}
