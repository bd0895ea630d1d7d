//! Console roles: an editor works on the FAQ and its report only, an agent on the front desk only
//! (conversations, callbacks, community), an administrator on everything; every console route, over
//! HTTP and the console's WebSocket, refuses the rest with a 403 that names the role.

use crate::chat_console::console;
use crate::helpers::{TestApp, spawn_app};
use crate::site_scope::{content_routes, demo_desk, front_desk_routes};
use accueil_protocol::{Agent, AgentRole, AgentSites, AgentTeam, ErrorBody};
use accueil_server::store::SiteScope;
use reqwest::Method;
use serde_json::{Value, json};

/// The status of `method path` as the account of `cookie`, and the error's `role` field when refused.
async fn call(app: &TestApp, method: Method, path: &str, cookie: &str, body: Option<Value>) -> (u16, Option<String>) {
    let mut request = app.client.request(method, app.url(path)).header("cookie", cookie);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("sent");
    let status = response.status().as_u16();
    let role = match status {
        403 => response
            .json::<ErrorBody>()
            .await
            .ok()
            .and_then(|body| body.error.fields.into_iter().find(|f| f.field == "role").map(|f| f.reason)),
        _ => None,
    };
    (status, role)
}

fn demo() -> SiteScope {
    SiteScope::Only(vec!["demo".to_owned()])
}

#[tokio::test]
async fn each_role_reaches_its_own_part_of_the_console_and_nothing_else() {
    // Arrange: on `demo`, Camille administers, Ines edits the FAQ, Hugo answers visitors; there is a
    // conversation, a callback request, a community question and a canned reply (`demo_desk`).
    let app = spawn_app().await;
    let camille = app.signed_in().await;
    let ines = app.signed_in_with_role("ines@maison-lumiere.example", &demo(), AgentRole::Editor).await;
    let hugo = app.signed_in_with_role("hugo@maison-lumiere.example", &demo(), AgentRole::Agent).await;
    let desk = demo_desk(&app, &camille).await;
    let id = &desk.conversation;
    // Besides the desk's data, the front desk's own: presence, team, a new canned reply.
    let front_desk = [
        front_desk_routes(&desk),
        vec![
            (Method::GET, "/v1/agent/presence".into(), None),
            (Method::PUT, "/v1/agent/presence".into(), Some(json!({"presence": "away"}))),
            (Method::GET, "/v1/agent/team".into(), None),
            (Method::POST, "/v1/agent/canned-replies".into(), Some(json!({"site": "demo", "title": "T", "body": "B"}))),
        ],
    ]
    .concat();
    let content =
        [content_routes(), vec![(Method::POST, "/v1/agent/faq/preview".into(), Some(json!({"markdown": "**Gras**"})))]]
            .concat();

    // Act and assert: the editor is refused the front desk, the agent the FAQ, each naming the role.
    for (method, path, body) in &front_desk {
        let refused = call(&app, method.clone(), path, &ines, body.clone()).await;
        assert_eq!(refused, (403, Some("editor".to_owned())), "{method} {path} as Ines, an editor");
    }
    for (method, path, body) in &content {
        let refused = call(&app, method.clone(), path, &hugo, body.clone()).await;
        assert_eq!(refused, (403, Some("agent".to_owned())), "{method} {path} as Hugo, an agent");
    }
    assert_eq!(console(&app, &ines, None).await.err(), Some(403), "the editor's console has no live connection");

    // Each reaches their own part, and the administrator both.
    for cookie in [&ines, &camille] {
        for path in ["/v1/agent/faq/demo/fr", "/v1/agent/faq/demo/fr/report"] {
            assert_eq!(call(&app, Method::GET, path, cookie, None).await.0, 200, "{path}");
        }
    }
    for cookie in [&hugo, &camille] {
        for path in ["/v1/agent/conversations?site=demo&filter=all", "/v1/agent/callbacks?site=demo"] {
            assert_eq!(call(&app, Method::GET, path, cookie, None).await.0, 200, "{path}");
        }
        assert!(console(&app, cookie, None).await.is_ok(), "the front desk's live connection opens");
    }
    // Everyone knows who they are and which sites they work on.
    for (cookie, role) in [(&camille, AgentRole::Administrator), (&ines, AgentRole::Editor), (&hugo, AgentRole::Agent)]
    {
        let me: Agent = app.agent_get("/v1/agent/me", cookie).await;
        assert_eq!(me.role, role);
        let sites: AgentSites = app.agent_get("/v1/agent/sites", cookie).await;
        assert_eq!(sites.sites.iter().map(|s| s.site.as_str()).collect::<Vec<_>>(), ["demo"]);
    }
    // An editor is no colleague to hand a conversation to, nor in the team the front desk sees.
    let team: AgentTeam = app.agent_get("/v1/agent/team", &hugo).await;
    let names: Vec<&str> = team.agents.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Camille", "Hugo"], "the front desk's team");
    let me_ines: Agent = app.agent_get("/v1/agent/me", &ines).await;
    let claimed =
        call(&app, Method::POST, &format!("/v1/agent/conversations/{id}/claim"), &hugo, Some(json!({}))).await;
    assert_eq!(claimed.0, 200, "Hugo takes the conversation");
    let transfer = format!("/v1/agent/conversations/{id}/transfer");
    let to_editor = call(&app, Method::POST, &transfer, &hugo, Some(json!({"agent": me_ines.id}))).await;
    assert_eq!(to_editor.0, 422, "a conversation is not handed to an editor");
}
