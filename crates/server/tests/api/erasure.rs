//! Erased means gone from the files: after a visitor erases their session, and after a closed callback
//! request's retention, the number, the name, the messages and the pseudonym are in neither the
//! database file nor its write-ahead log.

use crate::callbacks::{book, options, request};
use crate::chat_console::visitor_with_message;
use crate::helpers::TestApp;

/// Whether `needle` is anywhere in the database file or its WAL.
fn on_disk(app: &TestApp, needle: &str) -> bool {
    ["test.db", "test.db-wal"].iter().any(|file| {
        let bytes = std::fs::read(app.dir().join(file)).unwrap_or_default();
        bytes.windows(needle.len()).any(|window| window == needle.as_bytes())
    })
}

#[tokio::test]
async fn an_erased_session_leaves_no_number_name_message_or_pseudonym_in_the_files() {
    // Arrange: one session with a callback request, a chat message and a community question.
    let app = crate::helpers::spawn_app().await;
    let (token, _socket, _) = visitor_with_message(&app, "Message très personnel Zéphyrine").await;
    let slot = options(&app).await.slots[0].start.clone();
    let mut body = request(&slot, "0612345678");
    body["name"] = serde_json::json!("Zéphyrine Quillard");
    assert_eq!(book(&app, &token, "erase-1", &body).await.status(), 201);
    let thread =
        serde_json::json!({"title": "Une question xylophonique", "body": "Texte", "pseudonym": "Pseudoquillard"});
    let asked = app.client.post(app.url("/v1/community/threads")).bearer_auth(&token).json(&thread).send().await;
    assert_eq!(asked.expect("sent").status(), 201);
    // (The search index keeps the words folded: `xylophonique`.)
    let needles = ["+33612345678", "Zéphyrine Quillard", "Message très personnel", "Pseudoquillard", "xylophonique"];
    for needle in needles {
        assert!(on_disk(&app, needle), "{needle} was stored to begin with");
    }

    // Act
    let erased = app.client.delete(app.url("/v1/sessions/current")).bearer_auth(&token).send().await.expect("sent");
    assert_eq!(erased.status(), 200);

    // Assert
    for needle in needles {
        assert!(!on_disk(&app, needle), "{needle} is still in the database file or its WAL");
    }
}

#[tokio::test]
async fn a_closed_request_s_number_leaves_the_files_after_its_retention() {
    // Arrange: a request, cancelled (closed) by its visitor.
    let app = crate::helpers::spawn_app().await;
    let token = crate::callbacks::session(&app).await;
    let slot = options(&app).await.slots[0].start.clone();
    let booked: accueil_protocol::Callback =
        book(&app, &token, "erase-2", &request(&slot, "0698765432")).await.json().await.expect("booked");
    let path = format!("/v1/callbacks/{}/cancel", booked.id);
    app.client.post(app.url(&path)).bearer_auth(&token).send().await.expect("cancelled");
    assert!(on_disk(&app, "+33698765432"));

    // Act: the maintenance pass, a day past the site's retention.
    let store = accueil_server::store::open(&app.database_url).await.expect("store");
    let later = accueil_server::now() + 31 * 86_400;
    accueil_server::callbacks::maintenance::erase_expired_phones(&app.file_sites(), store.as_ref(), later).await;

    // Assert
    assert!(!on_disk(&app, "+33698765432"), "the number is still in the database file or its WAL");
}
