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

/// Who may call a console route.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    /// No sign-in needed (signing in, links sent by email).
    Anyone,
    /// Any signed-in account, whatever its role.
    SignedIn,
    /// The given roles only.
    Roles(&'static [AgentRole]),
}

const FRONT_DESK: Who = Who::Roles(&[AgentRole::Administrator, AgentRole::Agent]);
const CONTENT: Who = Who::Roles(&[AgentRole::Administrator, AgentRole::Editor]);
const ADMINISTRATORS: Who = Who::Roles(&[AgentRole::Administrator]);

/// Every `/v1/agent/` route and who may call it. A route added to `src/routes` without a line here
/// fails `every_console_route_says_who_may_call_it`, so none can forget its role check.
const CONSOLE_ROUTES: &[(&str, &str, Who)] = &[
    ("POST", "/v1/agent/login", Who::Anyone),
    ("POST", "/v1/agent/password/forgotten", Who::Anyone),
    ("POST", "/v1/agent/link", Who::Anyone),
    ("POST", "/v1/agent/link/password", Who::Anyone),
    ("POST", "/v1/agent/logout", Who::SignedIn),
    ("GET", "/v1/agent/me", Who::SignedIn),
    ("PUT", "/v1/agent/password", Who::SignedIn),
    ("GET", "/v1/agent/sites", Who::SignedIn),
    ("GET", "/v1/agent/dashboard", Who::SignedIn),
    ("GET", "/v1/agent/dashboard.csv", Who::SignedIn),
    ("GET", "/v1/agent/live", FRONT_DESK),
    ("GET", "/v1/agent/callbacks", FRONT_DESK),
    ("POST", "/v1/agent/callbacks/{id}/claim", FRONT_DESK),
    ("POST", "/v1/agent/callbacks/{id}/outcome", FRONT_DESK),
    ("GET", "/v1/agent/conversations", FRONT_DESK),
    ("POST", "/v1/agent/conversations/{id}/claim", FRONT_DESK),
    ("GET", "/v1/agent/conversations/{id}/messages", FRONT_DESK),
    ("POST", "/v1/agent/conversations/{id}/messages", FRONT_DESK),
    ("POST", "/v1/agent/conversations/{id}/close", FRONT_DESK),
    ("POST", "/v1/agent/conversations/{id}/transfer", FRONT_DESK),
    ("GET", "/v1/agent/presence", FRONT_DESK),
    ("PUT", "/v1/agent/presence", FRONT_DESK),
    ("GET", "/v1/agent/team", FRONT_DESK),
    ("GET", "/v1/agent/canned-replies", FRONT_DESK),
    ("POST", "/v1/agent/canned-replies", FRONT_DESK),
    ("DELETE", "/v1/agent/canned-replies/{id}", FRONT_DESK),
    ("GET", "/v1/agent/community/queue", FRONT_DESK),
    ("POST", "/v1/agent/community/posts/{id}/moderate", FRONT_DESK),
    ("POST", "/v1/agent/community/threads/{id}/answers", FRONT_DESK),
    ("POST", "/v1/agent/faq/preview", CONTENT),
    ("POST", "/v1/agent/faq/{site}/restore", CONTENT),
    ("GET", "/v1/agent/faq/{site}/{locale}", CONTENT),
    ("GET", "/v1/agent/faq/{site}/{locale}/report", CONTENT),
    ("PUT", "/v1/agent/faq/{site}/{locale}/{id}", CONTENT),
    ("PUT", "/v1/agent/synonyms/{site}/{locale}", CONTENT),
    ("GET", "/v1/agent/accounts", ADMINISTRATORS),
    ("POST", "/v1/agent/accounts", ADMINISTRATORS),
    ("PUT", "/v1/agent/accounts/{id}", ADMINISTRATORS),
    ("POST", "/v1/agent/accounts/{id}/deactivate", ADMINISTRATORS),
    ("GET", "/v1/agent/audit", ADMINISTRATORS),
    ("GET", "/v1/agent/settings/{site}", ADMINISTRATORS),
    ("PUT", "/v1/agent/settings/{site}", ADMINISTRATORS),
    ("GET", "/v1/agent/settings/{site}/export", ADMINISTRATORS),
];

/// The `(METHOD, path)` of every `/v1/agent/` route the server's source declares with `.route(...)`.
fn declared_console_routes() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes");
    let mut routes = Vec::new();
    for file in std::fs::read_dir(&dir).expect("src/routes").flatten() {
        let text = std::fs::read_to_string(file.path()).expect("a routes file");
        // What follows each `.route("`; the text before the first is not a declaration.
        let mut declarations = text.split(".route(\"");
        declarations.next();
        for declaration in declarations {
            let (path, rest) = declaration.split_once('"').expect("a quoted path");
            if !path.starts_with("/v1/agent/") {
                continue;
            }
            // The handlers chained on this route, up to the next route or the router's end.
            let handlers =
                rest.split(['\n']).take_while(|line| !line.trim_start().starts_with('}')).collect::<String>();
            for method in ["get", "post", "put", "delete", "patch"] {
                let calls = handlers.match_indices(&format!("{method}(")).any(|(at, _)| {
                    at == 0
                        || !handlers.as_bytes()[at - 1].is_ascii_alphanumeric() && handlers.as_bytes()[at - 1] != b'_'
                });
                if calls {
                    routes.push((method.to_uppercase(), path.to_owned()));
                }
            }
        }
    }
    routes.sort();
    routes
}

#[tokio::test]
async fn every_console_route_says_who_may_call_it() {
    // Every route the source declares is in the table, and nothing else.
    let mut listed: Vec<(String, String)> =
        CONSOLE_ROUTES.iter().map(|(method, path, _)| ((*method).to_owned(), (*path).to_owned())).collect();
    listed.sort();
    assert_eq!(declared_console_routes(), listed, "a console route is missing from CONSOLE_ROUTES, or is gone");

    // Each route, called by each role and by nobody, lets exactly the listed ones past its role check.
    let app = spawn_app().await;
    let camille = app.signed_in().await;
    let hugo = app.signed_in_with_role("hugo@maison-lumiere.example", &demo(), AgentRole::Agent).await;
    let ines = app.signed_in_with_role("ines@maison-lumiere.example", &demo(), AgentRole::Editor).await;
    let accounts = [(AgentRole::Administrator, &camille), (AgentRole::Agent, &hugo), (AgentRole::Editor, &ines)];
    let email_of = |role: AgentRole| match role {
        AgentRole::Administrator => "camille@maison-lumiere.example",
        AgentRole::Agent => "hugo@maison-lumiere.example",
        AgentRole::Editor => "ines@maison-lumiere.example",
    };
    let allows = |who: &Who, role: AgentRole| match who {
        Who::Anyone | Who::SignedIn => true,
        Who::Roles(roles) => roles.contains(&role),
    };
    for (method, pattern, who) in CONSOLE_ROUTES {
        // The console's WebSocket: its handshake, by each role and by nobody.
        if pattern.ends_with("/live") {
            assert_eq!(console(&app, "accueil_agent=nobody", None).await.err(), Some(401), "{pattern} anonymously");
            for (role, cookie) in accounts {
                let connected = console(&app, cookie, None).await.err();
                let expected = if allows(who, role) { None } else { Some(403) };
                assert_eq!(connected, expected, "{pattern} as {role:?}");
            }
            continue;
        }
        let path = pattern.replace("{site}", "demo").replace("{locale}", "fr").replace("{id}", "0")
            + if pattern.starts_with("/v1/agent/dashboard") { "?site=demo" } else { "" };
        let method = Method::from_bytes(method.as_bytes()).expect("a method");
        let body = (method != Method::GET).then(|| json!({}));
        let mut anonymous = app.client.request(method.clone(), app.url(&path));
        if let Some(body) = &body {
            anonymous = anonymous.json(body);
        }
        let anonymous = anonymous.send().await.expect("sent").status().as_u16();
        match who {
            Who::Anyone => assert!(![401, 403].contains(&anonymous), "{method} {path} without signing in: {anonymous}"),
            _ => assert_eq!(anonymous, 401, "{method} {path} without signing in"),
        }
        for (role, cookie) in accounts {
            // Signing out ends the session it is called with: each role signs out a session of its own,
            // so the shared ones serve the next routes.
            let cookie = if pattern.ends_with("/logout") {
                app.login(email_of(role), "correct horse battery staple").await
            } else {
                cookie.clone()
            };
            let (status, refused_role) = call(&app, method.clone(), &path, &cookie, body.clone()).await;
            if allows(who, role) {
                assert!(![401, 403].contains(&status), "{method} {path} as {role:?}: {status}");
            } else {
                assert_eq!(
                    (status, refused_role.as_deref()),
                    (403, Some(role.as_str())),
                    "{method} {path} as {role:?}"
                );
            }
        }
    }
}
