//! "Your data": everything a session holds, as its holder reads and downloads it, what erasing it
//! took away, and each site's retention erasing what it no longer keeps, on a moved clock.

use crate::callbacks::{book, options, request};
use crate::chat_console::{until, visitor_with_message};
use crate::community::{ask, session};
use crate::helpers::{TestApp, spawn_app};
use crate::live::{say, send};
use accueil_protocol::{
    CallbackStatus, ClientFrame, ConversationStatus, Erased, MessageAuthor, PostStatus, ServerFrame, VisitorData,
};
use serde_json::json;

async fn read_data(app: &TestApp, token: &str) -> reqwest::Response {
    app.client.get(app.url("/v1/sessions/current/data")).bearer_auth(token).send().await.expect("sent")
}

async fn erase(app: &TestApp, token: &str) -> reqwest::Response {
    app.client.delete(app.url("/v1/sessions/current")).bearer_auth(token).send().await.expect("sent")
}

/// A visitor who chatted (two messages, then ended and rated), booked a callback, asked the
/// community, voted for and reported someone else's question.
async fn busy_visitor(app: &TestApp) -> (String, String) {
    let (token, mut socket, conversation) = visitor_with_message(app, "Ma lampe Zéphyr clignote").await;
    send(&mut socket, &say("v-2", "Depuis hier soir")).await;
    until(&mut socket, |f| matches!(f, ServerFrame::Ack { .. }).then_some(())).await;
    send(&mut socket, &ClientFrame::End).await;
    until(&mut socket, |f| match f {
        ServerFrame::Conversation { conversation } if conversation.status == ConversationStatus::Closed => Some(()),
        _ => None,
    })
    .await;
    let rated = app
        .client
        .post(app.url(&format!("/v1/conversations/{}/rating", conversation.id)))
        .bearer_auth(&token)
        .json(&json!({"score": 4}))
        .send()
        .await
        .expect("sent");
    assert_eq!(rated.status(), 204);

    let slot = options(app).await.slots[0].start.clone();
    assert_eq!(book(app, &token, "data-1", &request(&slot, "0612345678")).await.status(), 201);
    ask(app, &token, "Quelle ampoule pour la lampe Zéphyr ?", None).await;

    let other = session(app).await;
    let theirs = ask(app, &other, "Livrez-vous en Belgique ?", None).await;
    let post = |what: &str| format!("/v1/community/posts/{}/{what}", theirs.id);
    let voted = app.client.put(app.url(&post("vote"))).bearer_auth(&token).json(&json!({"up": true})).send().await;
    assert_eq!(voted.expect("sent").status(), 200);
    let reported =
        app.client.post(app.url(&post("report"))).bearer_auth(&token).json(&json!({"reason": "doublon"})).send().await;
    assert!(reported.expect("sent").status().is_success());
    (token, theirs.id)
}

#[tokio::test]
async fn a_visitor_reads_everything_their_session_holds_and_erasing_says_what_went() {
    // Arrange
    let app = spawn_app().await;
    let (token, theirs) = busy_visitor(&app).await;

    // Act
    let response = read_data(&app, &token).await;

    // Assert: every kind of item, as stored.
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let data: VisitorData = response.json().await.expect("VisitorData");
    assert_eq!(data.format, "accueil.visitor-data.v1");
    assert_eq!(data.session.site, "demo");
    let [conversation] = data.conversations.as_slice() else { panic!("one conversation: {:?}", data.conversations) };
    assert_eq!((conversation.status, conversation.rating), (ConversationStatus::Closed, Some(4)));
    assert!(conversation.closed_at.is_some());
    let bodies: Vec<(MessageAuthor, &str)> =
        conversation.messages.iter().map(|m| (m.author, m.body.as_str())).collect();
    assert_eq!(
        bodies,
        [(MessageAuthor::Visitor, "Ma lampe Zéphyr clignote"), (MessageAuthor::Visitor, "Depuis hier soir")]
    );
    let [callback] = data.callbacks.as_slice() else { panic!("one callback: {:?}", data.callbacks) };
    assert_eq!(callback.status, CallbackStatus::Scheduled);
    assert_eq!(callback.phone.as_deref(), Some("+33612345678"));
    assert_eq!(callback.name.as_deref(), Some("Claire <b>"));
    assert_eq!(callback.consent_version, "v1");
    let consent = app
        .config
        .site("demo")
        .and_then(|s| s.callback.as_ref())
        .map(|c| c.consent_text[&accueil_protocol::Locale::Fr].clone());
    assert_eq!(callback.consent_text, consent, "the text agreed to");
    let [post] = data.posts.as_slice() else { panic!("one post: {:?}", data.posts) };
    assert_eq!(post.title.as_deref(), Some("Quelle ampoule pour la lampe Zéphyr ?"));
    assert_eq!((post.pseudonym.as_str(), post.status, post.thread.as_deref()), ("Marion", PostStatus::Visible, None));
    assert_eq!(data.votes.iter().map(|v| v.post.as_str()).collect::<Vec<_>>(), [theirs.as_str()]);
    let [report] = data.reports.as_slice() else { panic!("one report: {:?}", data.reports) };
    assert_eq!((report.post.as_str(), report.reason.as_deref()), (theirs.as_str(), Some("doublon")));
    let retention = data.retention;
    assert_eq!(
        (retention.chat_days, retention.inactive_session_days, retention.report_days, retention.phone_days),
        (365, 395, 180, Some(30))
    );

    // Act: erase, then read again.
    let erased = erase(&app, &token).await;

    // Assert
    assert_eq!(erased.status(), 200);
    let erased: Erased = erased.json().await.expect("Erased");
    let expected = Erased {
        conversations: 1,
        messages: 2,
        callbacks: 1,
        cancelled_callbacks: 1,
        posts: 1,
        anonymised_posts: 0,
        votes: 1,
        reports: 1,
    };
    assert_eq!(erased, expected);
    assert_eq!(read_data(&app, &token).await.status(), 401, "the token is worthless");
    assert_eq!(erase(&app, &token).await.status(), 401, "nothing is erased twice");
}

#[tokio::test]
async fn a_question_others_answered_counts_as_anonymised_not_erased() {
    let app = spawn_app().await;
    let asker = session(&app).await;
    let question = ask(&app, &asker, "Peut-on recycler les ampoules ?", None).await;
    let other = session(&app).await;
    let path = format!("/v1/community/threads/{}/answers", question.id);
    let answered =
        app.client.post(app.url(&path)).bearer_auth(&other).json(&json!({"body": "Oui", "pseudonym": "Lucas"})).send();
    assert_eq!(answered.await.expect("sent").status(), 201);

    let erased: Erased = erase(&app, &asker).await.json().await.expect("Erased");

    assert_eq!((erased.posts, erased.anonymised_posts), (0, 1));
}

#[tokio::test]
async fn no_token_or_a_forged_one_reads_nothing() {
    let app = spawn_app().await;
    let anonymous = app.client.get(app.url("/v1/sessions/current/data")).send().await.expect("sent");
    assert_eq!(anonymous.status(), 401);
    assert_eq!(read_data(&app, "forged-token").await.status(), 401);
}

#[tokio::test]
async fn each_site_erases_what_it_no_longer_keeps_and_nothing_sooner() {
    // Arrange: the busy visitor (a closed conversation, a scheduled callback, a report) and a visitor
    // who only asked a question.
    let app = spawn_app().await;
    let (busy, _) = busy_visitor(&app).await;
    let quiet = session(&app).await;
    ask(&app, &quiet, "Une question oubliée", None).await;
    let store = accueil_server::store::open(&app.database_url).await.expect("store");
    let day = 86_400;
    let enforce = |days: i64| {
        let (sites, store) = (app.file_sites(), store.as_ref());
        async move { accueil_server::retention::enforce(&sites, store, accueil_server::now() + days * day).await }
    };
    let held = |token: String| {
        let app = &app;
        async move {
            let response = read_data(app, &token).await;
            (response.status() == 200).then_some(()).map(|()| response)
        }
    };

    // Act + Assert: the day before each retention ends, everything stays.
    enforce(179).await;
    let before: VisitorData = held(busy.clone()).await.expect("kept").json().await.unwrap();
    assert_eq!((before.conversations.len(), before.reports.len()), (1, 1));

    // Reports go after 180 days, closed conversations after 365.
    enforce(181).await;
    let later: VisitorData = held(busy.clone()).await.expect("kept").json().await.unwrap();
    assert_eq!((later.conversations.len(), later.reports.len()), (1, 0), "the report is gone");
    enforce(366).await;
    let later: VisitorData = held(busy.clone()).await.expect("kept").json().await.unwrap();
    assert!(later.conversations.is_empty(), "the closed conversation is gone");
    assert_eq!(later.callbacks.len(), 1);

    // Sessions unused for 395 days go, except one with a callback still to make.
    enforce(396).await;
    assert!(held(quiet).await.is_none(), "the unused session is erased");
    assert!(held(busy.clone()).await.is_some(), "a session with a callback still to make stays");
    let threads = app.client.get(app.url("/v1/sites/demo/community/threads")).send().await.unwrap();
    let threads: accueil_protocol::Threads = threads.json().await.unwrap();
    assert!(threads.threads.iter().all(|t| t.title != "Une question oubliée"), "its question went with it");
}

#[tokio::test]
async fn a_session_in_use_is_not_unused() {
    // Arrange: a session created now, then used (its use is noted at most hourly, so the first use
    // after creation does not move it: the clock moves past the hour instead).
    let app = spawn_app().await;
    let token = session(&app).await;
    let store = accueil_server::store::open(&app.database_url).await.expect("store");
    let created =
        store.visitor_session(&accueil_server::secrets::token_hash(&token)).await.expect("read").expect("the session");
    store.touch_visitor_session(created.id, created.created_at + 100 * 86_400).await.expect("touched");

    // Act: 396 days after creation, 296 after the last use.
    accueil_server::retention::enforce(&app.file_sites(), store.as_ref(), created.created_at + 396 * 86_400).await;

    // Assert
    assert_eq!(read_data(&app, &token).await.status(), 200, "used 296 days ago: kept");
    accueil_server::retention::enforce(&app.file_sites(), store.as_ref(), created.created_at + 496 * 86_400).await;
    assert_eq!(read_data(&app, &token).await.status(), 401, "unused for 396 days: erased");
}
