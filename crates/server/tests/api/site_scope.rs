//! Agents work on chosen sites: every console route, over HTTP and the console's WebSocket, refuses
//! another site's conversations, callbacks, community and FAQ as if they did not exist.

use crate::callbacks::{book, options, request};
use crate::chat_console::{console, heard, post, visitor_with_message};
use crate::community::ask;
use crate::helpers::{TestApp, spawn_app};
use crate::live::{say, send};
use accueil_protocol::{AgentServerFrame, AgentSites, AgentTeam, CannedReply};
use accueil_server::store::SiteScope;
use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

async fn call(app: &TestApp, method: Method, path: &str, cookie: &str, body: Option<Value>) -> u16 {
    let mut request = app.client.request(method, app.url(path)).header("cookie", cookie);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("sent").status().as_u16()
}

/// A request to a console route: method, path and JSON body.
pub(crate) type Route = (Method, String, Option<Value>);

/// What the console works on, on the `demo` site: a conversation, a callback request, a community
/// question and a canned reply (Camille's, of `admin`).
pub(crate) struct DemoDesk {
    pub conversation: String,
    pub callback: String,
    pub question: String,
    pub canned: i64,
    /// The visitor of the conversation, still connected.
    pub visitor: crate::live::Socket,
}

pub(crate) async fn demo_desk(app: &TestApp, admin: &str) -> DemoDesk {
    let (_, visitor, conversation) = visitor_with_message(app, "Bonjour, ma lampe clignote.").await;
    let visitor_token = crate::callbacks::session(app).await;
    let slot = options(app).await.slots[0].start.clone();
    let booked = book(app, &visitor_token, "key-1", &request(&slot, "0612345678")).await;
    assert_eq!(booked.status(), 201);
    let callback: accueil_protocol::Callback = booked.json().await.expect("the booked request");
    let question = ask(app, &crate::community::session(app).await, "Quelle taille ?", None).await;
    let canned =
        post(app, "/v1/agent/canned-replies", admin, json!({"site": "demo", "title": "Bonjour", "body": "Bonjour !"}))
            .await;
    let canned: CannedReply = canned.json().await.expect("a canned reply");
    DemoDesk { conversation: conversation.id, callback: callback.id, question: question.id, canned: canned.id, visitor }
}

/// The front desk's routes on the desk's data: conversations, canned replies, callbacks, community.
pub(crate) fn front_desk_routes(desk: &DemoDesk) -> Vec<Route> {
    let id = &desk.conversation;
    vec![
        (Method::GET, "/v1/agent/conversations?site=demo&filter=all".into(), None),
        (Method::GET, format!("/v1/agent/conversations/{id}/messages"), None),
        (Method::POST, format!("/v1/agent/conversations/{id}/claim"), Some(json!({}))),
        (
            Method::POST,
            format!("/v1/agent/conversations/{id}/messages"),
            Some(json!({"client_id": "n-1", "body": "Hi"})),
        ),
        (Method::POST, format!("/v1/agent/conversations/{id}/transfer"), Some(json!({"agent": 1}))),
        (Method::POST, format!("/v1/agent/conversations/{id}/close"), Some(json!({}))),
        (Method::GET, "/v1/agent/canned-replies?site=demo".into(), None),
        (Method::DELETE, format!("/v1/agent/canned-replies/{}", desk.canned), None),
        (Method::GET, "/v1/agent/callbacks?site=demo".into(), None),
        (Method::POST, format!("/v1/agent/callbacks/{}/claim", desk.callback), Some(json!({}))),
        (Method::POST, format!("/v1/agent/callbacks/{}/outcome", desk.callback), Some(json!({"outcome": "reached"}))),
        (Method::GET, "/v1/agent/community/queue?site=demo".into(), None),
        (
            Method::POST,
            format!("/v1/agent/community/posts/{}/moderate", desk.question),
            Some(json!({"action": "hide"})),
        ),
        (Method::POST, format!("/v1/agent/community/threads/{}/answers", desk.question), Some(json!({"body": "Non."}))),
    ]
}

/// The FAQ's routes on the `demo` site: its sources, report, entries, synonyms and restore.
pub(crate) fn content_routes() -> Vec<Route> {
    vec![
        (Method::GET, "/v1/agent/faq/demo/fr".into(), None),
        (Method::GET, "/v1/agent/faq/demo/fr/report".into(), None),
        (
            Method::PUT,
            "/v1/agent/faq/demo/fr/delivery-costs".into(),
            Some(json!({"question": "Q ?", "category": "C", "markdown": "R."})),
        ),
        (Method::PUT, "/v1/agent/synonyms/demo/fr".into(), Some(json!({"groups": [["a", "b"]]}))),
        (Method::POST, "/v1/agent/faq/demo/restore".into(), None),
    ]
}

#[tokio::test]
async fn an_agent_of_another_site_can_neither_read_nor_change_this_site_s_data() {
    // Arrange: Camille works on `demo`, Nadia on `autre` only; `demo` has a conversation, a callback
    // request, a community question and canned replies.
    let app = spawn_app().await;
    let camille = app.signed_in().await;
    let nadia = app.signed_in_on("nadia@autre.example", &SiteScope::Only(vec!["autre".to_owned()])).await;
    let mut camille_console = console(&app, &camille, None).await.expect("camille's console");
    let mut nadia_console = console(&app, &nadia, None).await.expect("nadia's console");
    let mut desk = demo_desk(&app, &camille).await;

    // Act and assert: every console route refuses Nadia with a 404, and lets Camille through.
    let refused = [front_desk_routes(&desk), content_routes()].concat();
    for (method, path, body) in refused {
        assert_eq!(call(&app, method.clone(), &path, &nadia, body).await, 404, "{method} {path} as Nadia");
    }
    let add = post(&app, "/v1/agent/canned-replies", &nadia, json!({"site": "demo", "title": "T", "body": "B"})).await;
    assert_eq!(add.status(), 422, "a canned reply for another site is refused");
    for path in
        ["/v1/agent/conversations?site=demo&filter=all", "/v1/agent/callbacks?site=demo", "/v1/agent/faq/demo/fr"]
    {
        assert_eq!(call(&app, Method::GET, path, &camille, None).await, 200, "{path} as Camille");
    }
    let sites: AgentSites = app.agent_get("/v1/agent/sites", &nadia).await;
    assert_eq!(sites.sites.iter().map(|s| s.site.as_str()).collect::<Vec<_>>(), ["autre"]);
    let team: AgentTeam = app.agent_get("/v1/agent/team", &nadia).await;
    assert_eq!(team.agents.len(), 1, "Nadia's team is the agents of her sites: herself");

    // The console's live connection: Camille hears the visitor's next message, Nadia hears nothing.
    send(&mut desk.visitor, &say("v-2", "Vous êtes là ?")).await;
    loop {
        if let AgentServerFrame::Message { message, .. } = heard(&mut camille_console).await
            && message.body == "Vous êtes là ?"
        {
            break;
        }
    }
    let nothing = tokio::time::timeout(Duration::from_millis(500), async {
        loop {
            match nadia_console.next().await {
                Some(Ok(tokio_tungstenite::tungstenite::Message::Text(text))) => return text.to_string(),
                Some(Ok(_)) => continue,
                _ => return String::new(),
            }
        }
    })
    .await;
    assert!(nothing.is_err(), "Nadia's console heard another site's frame: {nothing:?}");
}

/// The code of the close frame the server sends next, within 5 s (`None` when it closes without one).
async fn close_code(socket: &mut crate::live::Socket) -> Option<u16> {
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match socket.next().await {
                Some(Ok(tokio_tungstenite::tungstenite::Message::Close(frame))) => {
                    return frame.map(|f| u16::from(f.code));
                }
                Some(Ok(_)) => continue,
                _ => return None,
            }
        }
    });
    closed.await.expect("closed within 5 s")
}

#[tokio::test]
async fn signing_out_closes_the_console_s_live_connection() {
    // Arrange
    let app = spawn_app().await;
    let camille = app.signed_in().await;
    let mut live = console(&app, &camille, None).await.expect("console");

    // Act
    assert_eq!(call(&app, Method::POST, "/v1/agent/logout", &camille, None).await, 204);

    // Assert: the socket closes at once, and a new chat no longer reaches it.
    assert_eq!(close_code(&mut live).await, Some(4401));
}

#[tokio::test]
async fn erasing_a_visitor_session_closes_its_live_connections() {
    // Arrange
    let app = spawn_app().await;
    let (token, mut visitor, _) = visitor_with_message(&app, "Bonjour").await;

    // Act
    let erased = app.client.delete(app.url("/v1/sessions/current")).bearer_auth(&token).send().await.expect("sent");
    assert_eq!(erased.status(), 200);

    // Assert
    assert_eq!(close_code(&mut visitor).await, Some(4401));
}

#[tokio::test]
async fn console_changes_from_another_origin_are_refused_and_form_posts_too() {
    // Arrange: a signed-in agent; a page on another port of the same site would send the cookie along.
    let app = spawn_app().await;
    let camille = app.signed_in().await;
    let from = |origin: &'static str, fetch_site: &'static str, path: &str| {
        app.client
            .post(app.url(path))
            .header("cookie", &camille)
            .header("origin", origin)
            .header("sec-fetch-site", fetch_site)
    };

    // Act and assert: sign-out and FAQ restore from another origin are 403, and change nothing.
    let logout = from("http://127.0.0.1:1", "same-site", "/v1/agent/logout").send().await.expect("sent");
    let fields = crate::helpers::error_fields(logout, 403, accueil_protocol::ErrorCode::Forbidden).await;
    assert_eq!(fields[0].0, "sec-fetch-site");
    let restore = from("http://127.0.0.1:1", "same-origin", "/v1/agent/faq/demo/restore").send().await.expect("sent");
    assert_eq!(crate::helpers::error_fields(restore, 403, accueil_protocol::ErrorCode::Forbidden).await[0].0, "origin");
    // A form-encoded body is refused even from the right origin: only JSON changes anything.
    let origin: &'static str = app.base.clone().leak();
    let form = from(origin, "same-origin", "/v1/agent/canned-replies")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("site=demo&title=T&body=B")
        .send()
        .await
        .expect("sent");
    assert_eq!(form.status(), 415);
    let me = app.client.get(app.url("/v1/agent/me")).header("cookie", &camille).send().await.expect("sent");
    assert_eq!(me.status(), 200, "still signed in");
    // From the console's own origin, the same sign-out works.
    let logout = from(origin, "same-origin", "/v1/agent/logout").send().await.expect("sent");
    assert_eq!(logout.status(), 204);
}

#[tokio::test]
async fn only_the_agents_of_a_site_make_it_available() {
    // Arrange: an agent of `demo` online.
    let app = spawn_app().await;
    let camille = app.signed_in().await;
    let online = json!({"presence": "online"});
    app.client.put(app.url("/v1/agent/presence")).header("cookie", &camille).json(&online).send().await.unwrap();
    let agents = |site: &'static str| {
        let url = app.url(&format!("/v1/sites/{site}/chat/availability"));
        let client = app.client.clone();
        async move {
            client.get(url).send().await.unwrap().json::<accueil_protocol::ChatAvailability>().await.unwrap().agents
        }
    };

    // Assert: `autre`'s visitors are not told someone can answer: nobody works on it.
    assert_eq!(agents("demo").await, 1);
    assert_eq!(agents("autre").await, 0);
}
