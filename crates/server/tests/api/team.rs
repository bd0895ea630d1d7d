//! The team, for administrators: they list the accounts of their sites, change one's role and sites,
//! and deactivate one (its console closes at once, its conversation waits for a colleague, it cannot
//! sign in again); each change lands in the audit log; nobody else may do any of it.

use crate::chat_console::{console, visitor_with_message};
use crate::helpers::{TestApp, spawn_app};
use accueil_protocol::{Account, Accounts, AgentConversations, AgentRole, AuditLog, ConversationStatus, ErrorBody};
use accueil_server::store::SiteScope;
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::time::Duration;

async fn send(app: &TestApp, method: reqwest::Method, path: &str, cookie: &str, body: Value) -> reqwest::Response {
    app.client.request(method, app.url(path)).header("cookie", cookie).json(&body).send().await.expect("sent")
}

/// The field names of a refusal with `status`.
async fn refused_fields(response: reqwest::Response, status: u16) -> Vec<String> {
    assert_eq!(response.status().as_u16(), status);
    let body: ErrorBody = response.json().await.expect("an error body");
    body.error.fields.into_iter().map(|f| f.field).collect()
}

#[tokio::test]
async fn an_administrator_changes_and_deactivates_an_account_and_the_audit_log_says_so() {
    // Arrange: Camille administers `demo`; Hugo answers visitors there and has taken a conversation;
    // Nadia works on another site.
    let app = spawn_app().await;
    let demo = SiteScope::Only(vec!["demo".to_owned()]);
    let camille = app.signed_in().await;
    let hugo = app.signed_in_with_role("hugo@maison-lumiere.example", &demo, AgentRole::Agent).await;
    app.signed_in_on("nadia@autre.example", &SiteScope::Only(vec!["autre".to_owned()])).await;
    let mut hugo_console = console(&app, &hugo, None).await.expect("Hugo's console");
    let (_, _visitor, conversation) = visitor_with_message(&app, "Bonjour, ma lampe clignote.").await;
    let claim = format!("/v1/agent/conversations/{}/claim", conversation.id);
    assert_eq!(send(&app, reqwest::Method::POST, &claim, &hugo, json!({})).await.status(), 200);

    // Act 1: the team as Camille sees it (not Nadia, of another site).
    let team: Accounts = app.agent_get("/v1/agent/accounts", &camille).await;
    let names: Vec<&str> = team.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Camille", "Hugo"]);
    let hugo_id = team.accounts[1].id;
    let camille_id = team.accounts[0].id;
    let account = format!("/v1/agent/accounts/{hugo_id}");

    // Assert: bad changes are refused with the field at fault, and an administrator cannot lock
    // themselves out; nobody but an administrator reaches the team.
    let unknown = send(&app, reqwest::Method::PUT, &account, &camille, json!({"role": "agent", "sites": ["nowhere"]}));
    assert_eq!(refused_fields(unknown.await, 422).await, ["sites"]);
    let other = send(&app, reqwest::Method::PUT, &account, &camille, json!({"role": "agent", "sites": ["autre"]}));
    assert_eq!(refused_fields(other.await, 422).await, ["sites"], "only the sites Camille works on");
    let bad_role = send(&app, reqwest::Method::PUT, &account, &camille, json!({"role": "boss", "sites": ["demo"]}));
    assert_eq!(bad_role.await.status(), 400);
    let own = format!("/v1/agent/accounts/{camille_id}");
    let demote = send(&app, reqwest::Method::PUT, &own, &camille, json!({"role": "editor", "sites": ["demo"]}));
    assert_eq!(refused_fields(demote.await, 422).await, ["id"]);
    let self_off = send(&app, reqwest::Method::POST, &format!("{own}/deactivate"), &camille, json!({})).await;
    assert_eq!(refused_fields(self_off, 422).await, ["id"]);
    for path in ["/v1/agent/accounts", "/v1/agent/audit"] {
        let response = app.client.get(app.url(path)).header("cookie", &hugo).send().await.expect("sent");
        assert_eq!(response.status(), 403, "{path} as Hugo, an agent");
    }

    // Act 2: Hugo edits the FAQ instead, then back; then Camille deactivates him.
    let edited = send(&app, reqwest::Method::PUT, &account, &camille, json!({"role": "editor", "sites": ["demo"]}));
    let edited: Account = edited.await.json().await.expect("the changed account");
    assert_eq!((edited.role, edited.sites.clone(), edited.active), (AgentRole::Editor, vec!["demo".to_owned()], true));
    let refused = app.client.get(app.url("/v1/agent/callbacks?site=demo")).header("cookie", &hugo).send().await;
    assert_eq!(refused.expect("sent").status(), 403, "the new role applies to the session at once");
    let back = send(&app, reqwest::Method::PUT, &account, &camille, json!({"role": "agent", "sites": ["demo"]}));
    assert_eq!(back.await.status(), 200);
    let off = send(&app, reqwest::Method::POST, &format!("{account}/deactivate"), &camille, json!({})).await;
    let off: Account = off.json().await.expect("the deactivated account");
    assert!(!off.active);

    // Assert: his console closes, his session and password are refused, his conversation waits again.
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(message)) = hugo_console.next().await {
            if message.is_close() {
                return;
            }
        }
    });
    closed.await.expect("Hugo's console closes within 5 s");
    let me = app.client.get(app.url("/v1/agent/me")).header("cookie", &hugo).send().await.expect("sent");
    assert_eq!(me.status(), 401);
    let login = app
        .client
        .post(app.url("/v1/agent/login"))
        .json(&json!({"email": "hugo@maison-lumiere.example", "password": "correct horse battery staple"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(login.status(), 401, "a deactivated account cannot sign in");
    let waiting: AgentConversations = app.agent_get("/v1/agent/conversations?site=demo&filter=waiting", &camille).await;
    let back_in_queue = waiting.conversations.iter().find(|c| c.id == conversation.id).expect("in the queue again");
    assert_eq!((back_in_queue.status, back_in_queue.agent.is_none()), (ConversationStatus::Waiting, true));

    // The audit log has the three changes, newest first, with who, whom, and before and after.
    let log: AuditLog = app.agent_get("/v1/agent/audit", &camille).await;
    // The file's seeding of each site's settings is in the log too, before these.
    let team: Vec<_> = log.entries.iter().filter(|e| e.action.starts_with("account_")).collect();
    let actions: Vec<&str> = team.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["account_deactivated", "account_changed", "account_changed"]);
    let last = team[0];
    assert_eq!((last.actor.as_str(), last.subject.as_str()), ("Camille", "hugo@maison-lumiere.example"));
    let state = |text: &Option<String>| serde_json::from_str::<Value>(text.as_deref().expect("a state")).expect("JSON");
    assert_eq!(state(&last.before)["active"], json!(true));
    assert_eq!(state(&last.after)["active"], json!(false));
    assert_eq!(state(&team[2].before)["role"], json!("agent"));
    assert_eq!(state(&team[2].after)["role"], json!("editor"));
}

#[tokio::test]
async fn an_account_changes_its_own_password_and_its_other_sessions_end() {
    // Arrange: Camille is signed in here and on another computer.
    let app = spawn_app().await;
    let email = "camille@maison-lumiere.example";
    let old = "correct horse battery staple";
    let here = app.signed_in().await;
    let elsewhere = app.login(email, old).await;
    let change = |body: Value| send(&app, reqwest::Method::PUT, "/v1/agent/password", &here, body);

    // Act and assert: the current password is checked, and the new one must be long enough.
    let wrong = change(json!({"current": "not it at all", "new": "a new long password"})).await;
    assert_eq!(refused_fields(wrong, 422).await, ["current"]);
    let short = change(json!({"current": old, "new": "short"})).await;
    assert_eq!(refused_fields(short, 422).await, ["new"]);
    assert_eq!(change(json!({"current": old, "new": "a new long password"})).await.status(), 204);

    // This session goes on; the other one ended; only the new password signs in.
    let me = |cookie: String| {
        let request = app.client.get(app.url("/v1/agent/me")).header("cookie", cookie);
        async move { request.send().await.expect("sent").status().as_u16() }
    };
    assert_eq!(me(here.clone()).await, 200);
    assert_eq!(me(elsewhere).await, 401, "the other computer's session ended");
    let login = |password: &'static str| {
        let request = app.client.post(app.url("/v1/agent/login")).json(&json!({"email": email, "password": password}));
        async move { request.send().await.expect("sent").status().as_u16() }
    };
    assert_eq!(login(old).await, 401);
    assert_eq!(login("a new long password").await, 200);
    let log: AuditLog = app.agent_get("/v1/agent/audit", &here).await;
    let first = &log.entries[0];
    assert_eq!((first.action.as_str(), first.subject.as_str()), ("password_changed", email));
    assert_eq!((&first.before, &first.after), (&None, &None), "no trace of the password itself");

    // Each try is a guess of the current password: the sixth in a minute is refused unread.
    for _ in 0..2 {
        assert_eq!(change(json!({"current": "guess", "new": "whatever long enough"})).await.status(), 422);
    }
    let sixth = change(json!({"current": "a new long password", "new": "whatever long enough"})).await;
    assert_eq!(sixth.status(), 429, "five tries a minute per account");
}
