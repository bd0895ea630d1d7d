//! The community: asking and answering under a pseudonym, votes counted once, the asker's accepted
//! answer, reports that hide a post until a moderator restores it, pre-moderation, official answers,
//! search by the database, new answers for the asker, and refusals.

use crate::helpers::{TestApp, error_fields, spawn_app, spawn_app_with};
use accueil_protocol::{
    Answer, ErrorCode, ModerationQueue, MyThreads, PostStatus, SessionCreated, SimilarQuestions, Thread, Threads,
    VoteCount,
};
use serde_json::{Value, json};

pub(crate) async fn session(app: &TestApp) -> String {
    let response = app.client.post(app.url("/v1/sessions")).json(&json!({"site": "demo"})).send().await.unwrap();
    response.json::<SessionCreated>().await.unwrap().token
}

async fn send(app: &TestApp, method: reqwest::Method, path: &str, token: &str, body: Value) -> reqwest::Response {
    app.client.request(method, app.url(path)).bearer_auth(token).json(&body).send().await.unwrap()
}

pub(crate) async fn ask(app: &TestApp, token: &str, title: &str, topic: Option<&str>) -> Thread {
    let body = json!({"title": title, "body": "Mon étagère fait **25 cm**. <script>alert(1)</script>", "pseudonym": "Marion", "topic": topic});
    let response = send(app, reqwest::Method::POST, "/v1/community/threads", token, body).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn answer(app: &TestApp, token: &str, thread: &str, text: &str) -> Answer {
    let path = format!("/v1/community/threads/{thread}/answers");
    let response = send(app, reqwest::Method::POST, &path, token, json!({"body": text, "pseudonym": "Lucas"})).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn read(app: &TestApp, thread: &str, token: Option<&str>) -> reqwest::Response {
    let request = app.client.get(app.url(&format!("/v1/community/threads/{thread}")));
    let request = match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    };
    request.send().await.unwrap()
}

async fn list(app: &TestApp, query: &str) -> Vec<String> {
    let response = app.client.get(app.url(&format!("/v1/sites/demo/community/threads{query}"))).send().await.unwrap();
    assert_eq!(response.status(), 200, "{query}");
    response.json::<Threads>().await.unwrap().threads.into_iter().map(|t| t.title).collect()
}

#[tokio::test]
async fn ask_answer_vote_accept_and_the_asker_sees_new_answers() {
    let app = spawn_app().await;
    let (asker, helper) = (session(&app).await, session(&app).await);
    let thread = ask(&app, &asker, "La lampe Atelier tient-elle sur une étagère ?", Some("sku-1234")).await;
    assert!(
        thread.html.contains("<strong>25 cm</strong>") && thread.html.contains("&lt;script&gt;"),
        "{}",
        thread.html
    );
    assert!(thread.mine && thread.status == PostStatus::Visible);

    let reply = answer(&app, &helper, &thread.id, "Oui, son pied fait 18 cm.").await;
    let mine: MyThreads =
        app.client.get(app.url("/v1/community/mine")).bearer_auth(&asker).send().await.unwrap().json().await.unwrap();
    assert_eq!((mine.unread, mine.threads[0].unread), (1, 1), "a new answer is unread");

    // A second vote from the same session counts once; withdrawing takes it back.
    let vote_path = format!("/v1/community/posts/{}/vote", reply.id);
    for _ in 0..2 {
        let count: VoteCount =
            send(&app, reqwest::Method::PUT, &vote_path, &asker, json!({"up": true})).await.json().await.unwrap();
        assert_eq!(count, VoteCount { score: 1, voted: true });
    }
    let count: VoteCount =
        send(&app, reqwest::Method::PUT, &vote_path, &helper, json!({"up": true})).await.json().await.unwrap();
    assert_eq!(count.score, 2);
    let count: VoteCount =
        send(&app, reqwest::Method::PUT, &vote_path, &helper, json!({"up": false})).await.json().await.unwrap();
    assert_eq!(count, VoteCount { score: 1, voted: false });

    // Only the asker accepts; for anyone else the question answers 404.
    let accept_path = format!("/v1/community/threads/{}/accept", thread.id);
    let by_helper = send(&app, reqwest::Method::POST, &accept_path, &helper, json!({"answer": reply.id})).await;
    error_fields(by_helper, 404, ErrorCode::NotFound).await;
    let by_asker = send(&app, reqwest::Method::POST, &accept_path, &asker, json!({"answer": reply.id})).await;
    assert_eq!(by_asker.status(), 204);

    let read_back: Thread = read(&app, &thread.id, Some(&asker)).await.json().await.unwrap();
    assert!(read_back.answers[0].accepted && read_back.answers[0].voted);
    let mine: MyThreads =
        app.client.get(app.url("/v1/community/mine")).bearer_auth(&asker).send().await.unwrap().json().await.unwrap();
    assert_eq!(mine.unread, 0, "reading the question marks its answers seen");

    // An official answer comes after the accepted one and before the others.
    let late = answer(&app, &helper, &thread.id, "Attention aux chats.").await;
    let agent = app.signed_in().await;
    let official = app
        .client
        .post(app.url(&format!("/v1/agent/community/threads/{}/answers", thread.id)))
        .header("cookie", &agent)
        .json(&json!({"body": "Oui, **18 cm** de pied."}))
        .send()
        .await
        .unwrap();
    assert_eq!(official.status(), 201);
    let official: Answer = official.json().await.unwrap();
    assert_eq!((official.official, official.pseudonym.as_str()), (true, "Camille · Maison Lumière"));
    let order: Vec<String> =
        read(&app, &thread.id, None).await.json::<Thread>().await.unwrap().answers.into_iter().map(|a| a.id).collect();
    assert_eq!(order, [reply.id.clone(), official.id, late.id]);

    assert_eq!(list(&app, "?topic=sku-1234").await.len(), 1);
    assert!(list(&app, "?topic=sku-9999").await.is_empty());
    assert!(list(&app, "?sort=unanswered").await.is_empty());
    assert_eq!(list(&app, "?q=etagere").await.len(), 1, "accents are folded by the database's search");
    assert_eq!(list(&app, "?q=lampe%20ate").await.len(), 1, "the last word is a prefix");
    assert!(list(&app, "?q=aspirateur").await.is_empty());
    let similar: SimilarQuestions =
        app.public_get("/v1/sites/demo/community/similar?locale=fr&q=lampe%20etagere").await;
    assert_eq!(similar.threads.len(), 1);
}

#[tokio::test]
async fn three_reports_hide_a_post_until_a_moderator_restores_it() {
    let app = spawn_app().await;
    let asker = session(&app).await;
    let thread = ask(&app, &asker, "Quel délai pour une lampe sur mesure ?", None).await;
    let spam = answer(&app, &session(&app).await, &thread.id, "Achetez ailleurs !").await;
    let report_path = format!("/v1/community/posts/{}/report", spam.id);
    let first = session(&app).await;
    for token in [&first, &first] {
        let response = send(&app, reqwest::Method::POST, &report_path, token, json!({"reason": "Publicité"})).await;
        assert_eq!(response.status(), 204);
    }
    let visible = |app: &TestApp| {
        let (client, url) = (app.client.clone(), app.url(&format!("/v1/community/threads/{}", thread.id)));
        async move { client.get(url).send().await.unwrap().json::<Thread>().await.unwrap().answers.len() }
    };
    assert_eq!(visible(&app).await, 1, "one session reporting twice counts once");
    // The reporter's next visit knows it reported the post; another visitor does not.
    let seen_by = |token: &str| {
        let request = app.client.get(app.url(&format!("/v1/community/threads/{}", thread.id))).bearer_auth(token);
        async move { request.send().await.unwrap().json::<Thread>().await.unwrap().answers[0].reported }
    };
    assert!(seen_by(&first).await, "reported by this session");
    assert!(!seen_by(&asker).await, "not by the asker");
    for _ in 0..2 {
        send(&app, reqwest::Method::POST, &report_path, &session(&app).await, json!({})).await;
    }
    assert_eq!(visible(&app).await, 0, "hidden after three sessions reported it");

    let agent = app.signed_in().await;
    let queue: ModerationQueue = app.agent_get("/v1/agent/community/queue?site=demo", &agent).await;
    assert_eq!(queue.posts.len(), 1);
    assert_eq!((queue.posts[0].reports, queue.posts[0].status), (3, PostStatus::Hidden));
    assert_eq!(queue.posts[0].reasons, ["Publicité"], "the reasons given, once per session");
    let moderate = |action: &str| {
        app.client
            .post(app.url(&format!("/v1/agent/community/posts/{}/moderate", spam.id)))
            .header("cookie", &agent)
            .json(&json!({"action": action}))
            .send()
    };
    assert_eq!(moderate("approve").await.unwrap().status(), 200);
    assert_eq!(visible(&app).await, 1, "restored");
    let queue: ModerationQueue = app.agent_get("/v1/agent/community/queue?site=demo", &agent).await;
    assert!(queue.posts.is_empty(), "reviewed: the reports are cleared");
    assert_eq!(moderate("delete").await.unwrap().status(), 204);
    assert_eq!(visible(&app).await, 0);
}

#[tokio::test]
async fn pre_moderation_holds_posts_and_a_blocked_author_can_no_longer_post() {
    let app = spawn_app_with(|key| (key == "TEST_MODERATION").then(|| "pre".to_owned())).await;
    let asker = session(&app).await;
    let thread = ask(&app, &asker, "Livrez-vous en Corse ?", None).await;
    assert_eq!(thread.status, PostStatus::Pending);
    assert!(list(&app, "").await.is_empty(), "others do not see a pending question");
    assert_eq!(read(&app, &thread.id, Some(&asker)).await.status(), 200, "its author does");
    error_fields(read(&app, &thread.id, None).await, 404, ErrorCode::NotFound).await;

    let agent = app.signed_in().await;
    let moderate = |action: &str| {
        app.client
            .post(app.url(&format!("/v1/agent/community/posts/{}/moderate", thread.id)))
            .header("cookie", &agent)
            .json(&json!({"action": action}))
            .send()
    };
    assert_eq!(moderate("approve").await.unwrap().status(), 200);
    assert_eq!(list(&app, "").await.len(), 1);
    // An approved post that its author edits is a text nobody approved: it waits again.
    let path = format!("/v1/community/posts/{}", thread.id);
    let edit = json!({"body": "Texte changé après l'approbation."});
    let edited = send(&app, reqwest::Method::PATCH, &path, &asker, edit).await;
    assert_eq!(edited.status(), 200);
    assert!(list(&app, "").await.is_empty(), "an edit after approval is not public before a new approval");
    assert_eq!(moderate("approve").await.unwrap().status(), 200);
    assert_eq!(list(&app, "").await.len(), 1);
    assert_eq!(moderate("block_author").await.unwrap().status(), 200);
    assert!(list(&app, "").await.is_empty(), "a blocked author's posts are hidden");
    let body = json!({"title": "Encore une question", "body": "...", "pseudonym": "Marion"});
    let refused = send(&app, reqwest::Method::POST, "/v1/community/threads", &asker, body).await;
    assert_eq!(error_fields(refused, 422, ErrorCode::ValidationFailed).await[0].0, "session");
}

#[tokio::test]
async fn bad_posts_name_the_field_and_others_posts_are_404() {
    let app = spawn_app().await;
    let visitor = session(&app).await;
    use accueil_protocol::FieldCode::{Impersonation, NotAllowed, Required, TooLong, TooShort};
    let cases = [
        (json!({"title": "", "body": "", "pseudonym": "Marion"}), vec![("title", Required), ("body", Required)]),
        (json!({"title": "Quoi", "body": "Bonjour", "pseudonym": "Marion"}), vec![("title", TooShort)]),
        (
            json!({"title": "Une vraie question", "body": "x".repeat(5001), "pseudonym": "Marion"}),
            vec![("body", TooLong)],
        ),
        (
            json!({"title": "Une vraie question", "body": "C'est une arnaque", "pseudonym": "Marion"}),
            vec![("body", NotAllowed)],
        ),
        (
            json!({"title": "Une vraie question", "body": "Bonjour", "pseudonym": "Maison Lumière"}),
            vec![("pseudonym", Impersonation)],
        ),
        (
            json!({"title": "Une vraie question", "body": "Bonjour", "pseudonym": "Camille"}),
            vec![("pseudonym", Impersonation)],
        ),
        (
            json!({"title": "Une vraie question", "body": "Bonjour", "pseudonym": "\u{421}amille"}),
            vec![("pseudonym", Impersonation)],
        ),
        (
            json!({"title": "Une vraie question", "body": "Bonjour", "pseudonym": "Mar\u{202E}ion"}),
            vec![("pseudonym", NotAllowed)],
        ),
        (
            json!({"title": "Une vraie question", "body": "Bon\u{0}jour", "pseudonym": "Marion"}),
            vec![("body", NotAllowed)],
        ),
        (
            json!({"title": "Une vraie question", "body": "Bonjour", "pseudonym": "Support officiel"}),
            vec![("pseudonym", Impersonation)],
        ),
    ];
    app.add_agent("camille@maison-lumiere.example", "a password for camille").await;
    for (body, expected) in cases {
        let response = send(&app, reqwest::Method::POST, "/v1/community/threads", &visitor, body.clone()).await;
        let status = response.status().as_u16();
        let found: accueil_protocol::ErrorBody = response.json().await.expect("the standard error shape");
        let fields: Vec<(&str, accueil_protocol::FieldCode)> =
            found.error.fields.iter().map(|f| (f.field.as_str(), f.code)).collect();
        assert!(status == 422 || status == 400, "{body}: {status}");
        assert_eq!(fields, expected, "{body}");
    }
    assert!(list(&app, "").await.is_empty(), "nothing was stored");
    let unknown =
        send(&app, reqwest::Method::POST, "/v1/community/threads", &visitor, json!({"title": "x", "colour": 1})).await;
    error_fields(unknown, 400, ErrorCode::InvalidRequest).await;

    let thread = ask(&app, &visitor, "Une question à moi", None).await;
    let other = session(&app).await;
    let path = format!("/v1/community/posts/{}", thread.id);
    let edit = send(&app, reqwest::Method::PATCH, &path, &other, json!({"body": "piraté"})).await;
    let delete = send(&app, reqwest::Method::DELETE, &path, &other, json!({})).await;
    let missing = send(&app, reqwest::Method::DELETE, "/v1/community/posts/th_nothing", &other, json!({})).await;
    let (edit, delete, missing) =
        (edit.text().await.unwrap(), delete.text().await.unwrap(), missing.text().await.unwrap());
    assert!(edit.contains("not_found") && delete == missing, "another's post answers like no post");
    let mine = send(&app, reqwest::Method::PATCH, &path, &visitor, json!({"body": "Corrigé"})).await;
    assert_eq!(mine.status(), 200);
    assert_eq!(send(&app, reqwest::Method::DELETE, &path, &visitor, json!({})).await.status(), 204);
    assert!(list(&app, "").await.is_empty());
}

#[tokio::test]
async fn an_asker_who_erases_their_data_leaves_the_answers_others_wrote() {
    // Arrange: A asks, B answers.
    let app = spawn_app().await;
    let asker = session(&app).await;
    let thread = ask(&app, &asker, "Peut-on recycler les ampoules ?", None).await;
    let other = session(&app).await;
    answer(&app, &other, &thread.id, "Oui, en magasin.").await;

    // Act: A erases everything.
    let erased = app.client.delete(app.url("/v1/sessions/current")).bearer_auth(&asker).send().await.unwrap();
    assert_eq!(erased.status(), 200);

    // Assert: the question and B's answer stay, attributed to nobody.
    let kept: Thread = read(&app, &thread.id, Some(&other)).await.json().await.unwrap();
    assert_eq!(kept.pseudonym, "", "the asker's pseudonym went with their data");
    assert_eq!(kept.answers.len(), 1);
    assert_eq!(kept.answers[0].pseudonym, "Lucas");
}
