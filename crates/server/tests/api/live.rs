//! The live connection over a real WebSocket: authentication by the first frame, idempotent sends,
//! gap-free resume after drops and a restart, one conversation for two tabs, and refused frames.

use crate::helpers::{TestApp, spawn_app};
use accueil_protocol::{
    AgentConversations, ChatHistory, ClientFrame, LiveErrorCode, Locale, ServerFrame, SessionCreated, VisitContext,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

pub(crate) type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub(crate) async fn session(app: &TestApp) -> String {
    let response = app.client.post(app.url("/v1/sessions")).json(&json!({"site": "demo"})).send().await.unwrap();
    response.json::<SessionCreated>().await.unwrap().token
}

pub(crate) async fn connect(app: &TestApp) -> Socket {
    let url = app.url("/v1/live").replace("http://", "ws://");
    tokio_tungstenite::connect_async(url).await.expect("upgrade").0
}

pub(crate) async fn send(socket: &mut Socket, frame: &ClientFrame) {
    socket.send(Message::Text(serde_json::to_string(frame).unwrap().into())).await.expect("sent");
}

/// The next server frame, skipping pings and the queue's `queue` frames (which come whenever the
/// queue moves).
pub(crate) async fn next(socket: &mut Socket) -> ServerFrame {
    loop {
        match next_any(socket).await {
            ServerFrame::Queue { .. } => continue,
            other => return other,
        }
    }
}

/// The next server frame, skipping pings only.
pub(crate) async fn next_any(socket: &mut Socket) -> ServerFrame {
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(5), socket.next())
            .await
            .expect("a frame within 5 s")
            .expect("open")
            .expect("readable");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("a server frame");
        }
    }
}

/// The next frame that is not the `conversation` answer to a `start`.
pub(crate) async fn next_beyond_start(socket: &mut Socket) -> ServerFrame {
    loop {
        match next(socket).await {
            ServerFrame::Conversation { .. } => continue,
            other => return other,
        }
    }
}

/// Connects, says hello (resuming after `after`), and starts the conversation.
pub(crate) async fn join(app: &TestApp, token: &str, after: Option<u64>) -> Socket {
    let mut socket = connect(app).await;
    send(&mut socket, &ClientFrame::Hello { token: token.to_owned(), after, conversation: None }).await;
    assert!(matches!(next(&mut socket).await, ServerFrame::Welcome { .. }));
    send(&mut socket, &ClientFrame::Start { locale: Locale::Fr, context: VisitContext::default() }).await;
    socket
}

pub(crate) fn say(client_id: &str, body: &str) -> ClientFrame {
    ClientFrame::Send { client_id: client_id.to_owned(), body: body.to_owned() }
}

pub(crate) async fn history(app: &TestApp, token: &str) -> ChatHistory {
    let response =
        app.client.get(app.url("/v1/conversations/current/messages")).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn hello_must_come_first_with_a_known_token() {
    let app = spawn_app().await;
    for first in [json!({"type": "ping"}), json!({"type": "hello", "token": "not-a-session"})] {
        let mut socket = connect(&app).await;
        socket.send(Message::Text(first.to_string().into())).await.unwrap();
        let closed = socket.next().await.expect("a close").expect("readable");
        match closed {
            Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::from(4401)),
            other => panic!("expected a close, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_send_dropped_before_its_ack_is_stored_once_and_resume_delivers_it() {
    let app = spawn_app().await;
    let token = session(&app).await;
    let mut socket = join(&app, &token, None).await;
    assert!(matches!(next(&mut socket).await, ServerFrame::Conversation { .. }));
    send(&mut socket, &say("c-1", "Bonjour <b>!</b>")).await;
    drop(socket); // gone before reading the ack

    // The client does not know whether it arrived: it resumes and sends again with the same id.
    let mut socket = join(&app, &token, Some(0)).await;
    let mut seen = Vec::new();
    loop {
        match next(&mut socket).await {
            ServerFrame::Conversation { .. } => {}
            ServerFrame::Message { message } => seen.push(message),
            other => panic!("unexpected {other:?}"),
        }
        if !seen.is_empty() {
            break;
        }
    }
    assert_eq!((seen[0].seq, seen[0].body.as_str()), (1, "Bonjour <b>!</b>"), "stored as typed, shown as text");
    send(&mut socket, &say("c-1", "Bonjour <b>!</b>")).await;
    assert_eq!(next_beyond_start(&mut socket).await, ServerFrame::Ack { client_id: "c-1".to_owned(), seq: 1 });
    assert_eq!(history(&app, &token).await.messages.len(), 1, "exactly one stored message");
}

#[tokio::test]
async fn messages_are_numbered_without_gaps_and_a_resume_sends_only_the_missing_in_order() {
    let app = spawn_app().await;
    let token = session(&app).await;
    let mut first = join(&app, &token, None).await;
    let mut second_tab = join(&app, &token, None).await;
    let ServerFrame::Conversation { conversation: a } = next(&mut first).await else { panic!("conversation") };
    let ServerFrame::Conversation { conversation: b } = next(&mut second_tab).await else { panic!("conversation") };
    assert_eq!(a.id, b.id, "two tabs share one conversation");

    for i in 1..=5 {
        send(&mut first, &say(&format!("m-{i}"), &format!("message {i}"))).await;
    }
    let mut acks = Vec::new();
    while acks.len() < 5 {
        match next(&mut first).await {
            ServerFrame::Ack { seq, .. } => acks.push(seq),
            ServerFrame::Message { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(acks, [1, 2, 3, 4, 5]);
    // The other tab got them live.
    let mut live = Vec::new();
    while live.len() < 5 {
        if let ServerFrame::Message { message } = next(&mut second_tab).await {
            live.push(message.seq);
        }
    }
    assert_eq!(live, [1, 2, 3, 4, 5]);

    // A phone that held up to 2 comes back (after a server restart too): it gets 3, 4, 5, once each.
    drop((first, second_tab));
    let app = app.restart().await;
    let mut socket = join(&app, &token, Some(2)).await;
    let mut resumed = Vec::new();
    while resumed.len() < 3 {
        if let ServerFrame::Message { message } = next(&mut socket).await {
            resumed.push(message.seq);
        }
    }
    assert_eq!(resumed, [3, 4, 5]);
    send(&mut socket, &ClientFrame::Ping).await;
    assert_eq!(next_beyond_start(&mut socket).await, ServerFrame::Pong, "nothing else was queued");
    let after =
        app.client.get(app.url("/v1/conversations/current/messages?after=3")).bearer_auth(&token).send().await.unwrap();
    let after: ChatHistory = after.json().await.unwrap();
    assert_eq!(after.messages.iter().map(|m| m.seq).collect::<Vec<_>>(), [4, 5]);
}

#[tokio::test]
async fn bad_frames_get_an_error_frame_and_oversized_ones_close_the_connection() {
    let app = spawn_app().await;
    let token = session(&app).await;
    let mut socket = connect(&app).await;
    send(&mut socket, &ClientFrame::Hello { token, after: None, conversation: None }).await;
    assert!(matches!(next(&mut socket).await, ServerFrame::Welcome { conversation: None }));
    send(&mut socket, &say("x", "before start")).await;
    assert!(matches!(next(&mut socket).await, ServerFrame::Error { code: LiveErrorCode::NoConversation, .. }));
    for bad in [
        json!({"type": "shout"}).to_string(),
        "{not json".to_owned(),
        json!({"type": "send", "client_id": 1}).to_string(),
    ] {
        socket.send(Message::Text(bad.clone().into())).await.unwrap();
        assert!(
            matches!(next(&mut socket).await, ServerFrame::Error { code: LiveErrorCode::InvalidFrame, .. }),
            "{bad}"
        );
    }
    send(&mut socket, &ClientFrame::Start { locale: Locale::Fr, context: VisitContext::default() }).await;
    assert!(matches!(next(&mut socket).await, ServerFrame::Conversation { .. }));
    send(&mut socket, &say("long", &"x".repeat(2001))).await;
    assert!(matches!(next(&mut socket).await, ServerFrame::Error { code: LiveErrorCode::ValidationFailed, .. }));

    socket.send(Message::Text("y".repeat(20_000).into())).await.unwrap();
    let closed = loop {
        match socket.next().await {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(closed.map(|f| f.code), Some(CloseCode::Size));
    let erased = app.client.get(app.url("/v1/conversations/current/messages")).send().await.unwrap();
    assert_eq!(erased.status(), 401);
}

#[tokio::test]
async fn two_agents_claim_at_once_one_wins_and_the_reply_reaches_the_visitor_live() {
    let app = spawn_app().await;
    let token = session(&app).await;
    let mut visitor = connect(&app).await;
    send(&mut visitor, &ClientFrame::Hello { token: token.clone(), after: None, conversation: None }).await;
    assert!(matches!(next(&mut visitor).await, ServerFrame::Welcome { .. }));
    let context = VisitContext {
        page: Some("https://shop.example/lampe".to_owned()),
        searches: vec!["lampe clignote".to_owned()],
        articles: vec![],
    };
    send(&mut visitor, &ClientFrame::Start { locale: Locale::Fr, context }).await;
    let ServerFrame::Conversation { conversation } = next(&mut visitor).await else { panic!("conversation") };
    send(&mut visitor, &say("v-1", "Bonjour, ma lampe clignote.")).await;
    assert!(matches!(next_beyond_start(&mut visitor).await, ServerFrame::Message { .. } | ServerFrame::Ack { .. }));

    let camille = app.signed_in().await;
    let hugo = app.signed_in_as("hugo@maison-lumiere.example").await;
    let waiting: AgentConversations = app.agent_get("/v1/agent/conversations?site=demo&filter=waiting", &camille).await;
    assert_eq!(waiting.conversations.len(), 1);
    let listed = &waiting.conversations[0];
    assert_eq!(listed.context.searches, ["lampe clignote"]);
    assert_eq!(listed.last_message.as_ref().map(|m| m.body.as_str()), Some("Bonjour, ma lampe clignote."));

    let claim = |cookie: &str| {
        app.client
            .post(app.url(&format!("/v1/agent/conversations/{}/claim", conversation.id)))
            .header("cookie", cookie)
            .send()
    };
    let (a, b) = tokio::join!(claim(&camille), claim(&hugo));
    let mut statuses = [a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "one agent wins");
    let mine: AgentConversations = app.agent_get("/v1/agent/conversations?site=demo&filter=mine", &camille).await;
    let (winner, loser) = if mine.conversations.is_empty() { (&hugo, &camille) } else { (&camille, &hugo) };

    // The visitor learns who answers, then gets the reply live.
    let assigned = loop {
        if let ServerFrame::Conversation { conversation } = next(&mut visitor).await {
            break conversation;
        }
    };
    assert!(assigned.agent.is_some());
    let reply = |cookie: &str, client_id: &str| {
        app.client
            .post(app.url(&format!("/v1/agent/conversations/{}/messages", conversation.id)))
            .header("cookie", cookie)
            .json(&json!({"client_id": client_id, "body": "Bonjour, je regarde."}))
            .send()
    };
    assert_eq!(reply(loser, "x").await.unwrap().status(), 409);
    assert_eq!(reply(winner, "a-1").await.unwrap().status(), 201);
    assert_eq!(reply(winner, "a-1").await.unwrap().status(), 201, "a retried reply answers the stored one");
    let pushed = loop {
        if let ServerFrame::Message { message } = next(&mut visitor).await {
            break message;
        }
    };
    assert_eq!((pushed.seq, pushed.body.as_str()), (2, "Bonjour, je regarde."));
    assert_eq!(history(&app, &token).await.messages.len(), 2);
}

#[tokio::test]
async fn text_that_is_not_utf8_closes_with_1007_and_a_protocol_breach_with_1002() {
    use tokio_tungstenite::tungstenite::protocol::frame::Frame;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
    let app = spawn_app().await;
    let token = session(&app).await;
    for (frame, expected) in [
        (Frame::message(vec![0xff, 0xfe, 0xfd], OpCode::Data(Data::Text), true), CloseCode::Invalid),
        (Frame::message(vec![1, 2, 3], OpCode::Data(Data::Reserved(3)), true), CloseCode::Protocol),
    ] {
        // Arrange
        let mut socket = connect(&app).await;
        send(&mut socket, &ClientFrame::Hello { token: token.clone(), after: None, conversation: None }).await;
        assert!(matches!(next(&mut socket).await, ServerFrame::Welcome { .. }));

        // Act
        socket.send(Message::Frame(frame)).await.expect("sent");

        // Assert
        let closed = loop {
            match tokio::time::timeout(std::time::Duration::from_secs(5), socket.next()).await.expect("within 5 s") {
                Some(Ok(Message::Close(frame))) => break frame.map(|f| f.code),
                Some(Ok(_)) => continue,
                other => panic!("expected a close frame, got {other:?}"),
            }
        };
        assert_eq!(closed, Some(expected));
    }
}
