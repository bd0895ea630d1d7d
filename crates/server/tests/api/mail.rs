//! The transcript mail through each real transport: an SMTP server (a minimal one the test runs on
//! loopback, speaking the protocol) and a sendmail program; the pickup folder is covered by the chat
//! tests.

use crate::chat_console::visitor_with_message;
use crate::helpers::{TestApp, spawn_app_with};
use crate::live::{next, send};
use accueil_protocol::{ClientFrame, ConversationStatus, ServerFrame};
use std::os::unix::fs::PermissionsExt;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Ends a conversation and asks for its transcript at `email`: the HTTP status.
async fn transcript(app: &TestApp, email: &str) -> u16 {
    let (token, mut visitor, conversation) = visitor_with_message(app, "Ma lampe clignote").await;
    send(&mut visitor, &ClientFrame::End).await;
    loop {
        if let ServerFrame::Conversation { conversation } = next(&mut visitor).await
            && conversation.status == ConversationStatus::Closed
        {
            break;
        }
    }
    let path = format!("/v1/conversations/{}/transcript", conversation.id);
    let sent = app.client.post(app.url(&path)).bearer_auth(&token).json(&serde_json::json!({ "email": email }));
    sent.send().await.expect("sent").status().as_u16()
}

/// A one-message SMTP server: answers the dialogue and hands back the envelope and the message.
async fn smtp_server() -> (u16, tokio::task::JoinHandle<(Vec<String>, String)>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bound");
    let port = listener.local_addr().expect("address").port();
    let served = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("a client");
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        let (mut commands, mut message, mut in_data) = (Vec::new(), String::new(), false);
        write.write_all(b"220 test ESMTP\r\n").await.expect("greeting");
        while let Ok(Some(line)) = lines.next_line().await {
            if in_data {
                if line == "." {
                    in_data = false;
                    write.write_all(b"250 queued\r\n").await.expect("queued");
                } else {
                    message.push_str(&line);
                    message.push('\n');
                }
                continue;
            }
            let verb = line.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
            commands.push(line.clone());
            let answer: &[u8] = match verb.as_str() {
                "EHLO" | "HELO" => b"250 test\r\n",
                "DATA" => {
                    in_data = true;
                    b"354 go on\r\n"
                }
                "QUIT" => {
                    let _ = write.write_all(b"221 bye\r\n").await;
                    break;
                }
                _ => b"250 ok\r\n",
            };
            write.write_all(answer).await.expect("answer");
        }
        (commands, message)
    });
    (port, served)
}

#[tokio::test]
async fn a_transcript_goes_out_through_an_smtp_server() {
    // Arrange
    let (port, served) = smtp_server().await;
    let transport = format!("smtp_url = \"smtp://127.0.0.1:{port}\"");
    let app = spawn_app_with(move |key| (key == "TEST_MAIL_TRANSPORT").then(|| transport.clone())).await;

    // Act
    let status = transcript(&app, "lea@exemple.fr").await;

    // Assert: accepted, and the server received one message for that address, from the brand.
    assert_eq!(status, 202);
    let (commands, message) = served.await.expect("the SMTP dialogue");
    assert!(commands.iter().any(|c| c.starts_with("MAIL FROM:<ne-pas-repondre@shop.example>")), "{commands:?}");
    assert!(commands.iter().any(|c| c.starts_with("RCPT TO:<lea@exemple.fr>")), "{commands:?}");
    assert!(message.contains("To: lea@exemple.fr") && message.contains("multipart/alternative"), "{message}");
}

#[tokio::test]
async fn a_transcript_goes_out_through_a_sendmail_program() {
    // Arrange: a "sendmail" that keeps its arguments and the message it is given.
    let dir = tempfile::tempdir().expect("temp dir");
    let program = dir.path().join("sendmail");
    let kept = dir.path().join("kept");
    std::fs::write(&program, format!("#!/bin/sh\necho \"$@\" > {0}.args\ncat > {0}.eml\n", kept.display()))
        .expect("script");
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).expect("executable");
    let transport = format!("sendmail = \"{}\"", program.display());
    let app = spawn_app_with(move |key| (key == "TEST_MAIL_TRANSPORT").then(|| transport.clone())).await;

    // Act
    let status = transcript(&app, "lea@exemple.fr").await;

    // Assert
    assert_eq!(status, 202);
    let args = std::fs::read_to_string(format!("{}.args", kept.display())).expect("called");
    let message = std::fs::read_to_string(format!("{}.eml", kept.display())).expect("the message");
    assert!(args.contains("lea@exemple.fr"), "{args}");
    assert!(message.contains("To: lea@exemple.fr"), "{message}");
}

#[tokio::test]
async fn an_smtp_server_that_is_down_makes_the_transcript_unavailable_not_a_500() {
    // Arrange: nothing listens on that port any more.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bound");
        listener.local_addr().expect("address").port()
    };
    let transport = format!("smtp_url = \"smtp://127.0.0.1:{port}\"");
    let app = spawn_app_with(move |key| (key == "TEST_MAIL_TRANSPORT").then(|| transport.clone())).await;

    // Act and assert
    assert_eq!(transcript(&app, "lea@exemple.fr").await, 503);
}
