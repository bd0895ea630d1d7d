//! One visitor cannot flood the team: new conversations, messages (across all of a session's tabs) and
//! transcript mails are limited per session, whatever the number of connections.

use crate::chat_console::visitor_with_message;
use crate::helpers::{TestApp, spawn_app};
use crate::live::{Socket, connect, next_beyond_start, say, send, session};
use accueil_protocol::{ClientFrame, ConversationStatus, LiveErrorCode, Locale, ServerFrame, VisitContext};
use serde_json::json;

/// Connects a tab of the session of `token`, welcomed.
async fn tab(app: &TestApp, token: &str) -> Socket {
    let mut socket = connect(app).await;
    send(&mut socket, &ClientFrame::Hello { token: token.to_owned(), after: None, conversation: None }).await;
    assert!(matches!(next_beyond_start(&mut socket).await, ServerFrame::Welcome { .. }));
    socket
}

/// Ends the conversation and waits for the `conversation` frame that says it ended.
async fn end(socket: &mut Socket) {
    send(socket, &ClientFrame::End).await;
    loop {
        if let ServerFrame::Conversation { conversation } = crate::live::next(socket).await
            && conversation.status == ConversationStatus::Closed
        {
            return;
        }
    }
}

fn start() -> ClientFrame {
    ClientFrame::Start { locale: Locale::Fr, context: VisitContext::default() }
}

/// The next frame that answers a `start`: the conversation, or the refusal.
async fn answer_to_start(socket: &mut Socket) -> ServerFrame {
    loop {
        match crate::live::next(socket).await {
            frame @ (ServerFrame::Conversation { .. } | ServerFrame::Error { .. }) => return frame,
            _ => continue,
        }
    }
}

#[tokio::test]
async fn a_session_starts_a_few_conversations_an_hour_not_forty() {
    // Arrange
    let app = spawn_app().await;
    let token = session(&app).await;
    let mut socket = tab(&app, &token).await;

    // Act: start and end again and again, as a script would (each start rings every console).
    let mut opened = 0;
    let refused = loop {
        send(&mut socket, &start()).await;
        match answer_to_start(&mut socket).await {
            ServerFrame::Conversation { conversation } if conversation.status != ConversationStatus::Closed => {
                opened += 1;
                end(&mut socket).await;
            }
            ServerFrame::Error { code, .. } => break code,
            other => panic!("unexpected {other:?}"),
        }
        assert!(opened <= 10, "no limit on new conversations");
    };

    // Assert
    assert_eq!((opened, refused), (5, LiveErrorCode::RateLimited));
}

#[tokio::test]
async fn a_session_sends_at_most_thirty_messages_a_minute_across_all_its_tabs() {
    // Arrange: five tabs of one session, each within its own 5 per second.
    let app = spawn_app().await;
    let (token, mut first, _) = visitor_with_message(&app, "Bonjour").await;
    let mut tabs = vec![];
    for _ in 0..4 {
        let mut socket = tab(&app, &token).await;
        send(&mut socket, &start()).await;
        tabs.push(socket);
    }

    // Act: four messages from each tab, then as many as it takes from the first.
    for (i, socket) in tabs.iter_mut().enumerate() {
        for j in 0..4 {
            send(socket, &say(&format!("t{i}-{j}"), "Vous êtes là ?")).await;
        }
    }
    let mut outcome = None;
    for n in 0..20 {
        if n % 5 == 4 {
            tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        }
        send(&mut first, &say(&format!("f-{n}"), "Allô ?")).await;
    }
    let mut acknowledged = 0;
    while outcome.is_none() {
        match crate::live::next(&mut first).await {
            ServerFrame::Ack { .. } => acknowledged += 1,
            ServerFrame::Error { code, .. } => outcome = Some(code),
            _ => {}
        }
    }

    // Assert: the session's 31st message in the minute is refused, whichever tab sends it.
    assert_eq!(outcome, Some(LiveErrorCode::RateLimited));
    assert!(acknowledged < 20, "the first tab alone was not refused before the session's limit");
}

#[tokio::test]
async fn a_session_gets_at_most_three_transcripts_a_day() {
    // Arrange: an ended conversation.
    let app = spawn_app().await;
    let (token, mut visitor, conversation) = visitor_with_message(&app, "Bonjour").await;
    end(&mut visitor).await;
    let path = format!("/v1/conversations/{}/transcript", conversation.id);

    // Act
    let mut statuses = vec![];
    for _ in 0..4 {
        let sent = app.client.post(app.url(&path)).bearer_auth(&token).json(&json!({"email": "lea@exemple.fr"}));
        statuses.push(sent.send().await.expect("sent").status().as_u16());
    }

    // Assert: the brand's sender is no relay; and the subject carries no text the visitor wrote.
    assert_eq!(statuses, [202, 202, 202, 429]);
    let mail = std::fs::read_dir(app.dir().join("mail")).expect("mail dir").next().expect("a mail").expect("entry");
    let text = std::fs::read_to_string(mail.path()).expect("eml");
    let subject = text.lines().find(|l| l.starts_with("Subject:")).expect("a subject");
    assert!(!subject.contains("Bonjour"), "{subject}");
}

#[tokio::test]
async fn without_a_mail_transport_a_transcript_is_unavailable_and_nothing_is_written() {
    // Arrange: a server with no [mail] section, and an ended conversation.
    let app = crate::helpers::spawn_app_with(|key| (key == "TEST_NO_MAIL").then(String::new)).await;
    let (token, mut visitor, conversation) = visitor_with_message(&app, "Bonjour").await;
    end(&mut visitor).await;

    // Act
    let path = format!("/v1/conversations/{}/transcript", conversation.id);
    let sent = app.client.post(app.url(&path)).bearer_auth(&token).json(&json!({"email": "lea@exemple.fr"}));
    let response = sent.send().await.expect("sent");

    // Assert
    crate::helpers::error_fields(response, 503, accueil_protocol::ErrorCode::Unavailable).await;
    assert!(!app.dir().join("mail").exists(), "no mail folder, no message");
}
