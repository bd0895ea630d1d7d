//! Links sent by email: an administrator invites someone, who chooses a password through the mail's
//! link and is signed in; an agent who forgot their password gets a link that sets a new one and ends
//! their other sessions; each link works once and expires; too many wrong passwords lock an account for
//! a while, and its owner's link lifts the lock.

use crate::helpers::{TestApp, error_fields, mails_to, spawn_app, spawn_app_with};
use accueil_protocol::{Accounts, Agent, AgentRole, AuditLog, ErrorCode, LinkInfo, LinkPurpose};
use accueil_server::store::{NewLink, SiteScope};
use serde_json::{Value, json};
use std::time::Duration;

const NOE: &str = "noe@maison-lumiere.example";

async fn post(app: &TestApp, path: &str, cookie: Option<&str>, body: Value) -> reqwest::Response {
    let request = app.client.post(app.url(path)).json(&body);
    let request = match cookie {
        Some(cookie) => request.header("cookie", cookie),
        None => request,
    };
    request.send().await.expect("sent")
}

/// The token of the last link of `kind` (`invitation`, `reset`) mailed to `to`, waiting up to 10 s for
/// the mail.
async fn mailed_token(app: &TestApp, to: &str, kind: &str, mails_before: usize) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let mails = mails_to(app, to);
        if mails.len() > mails_before {
            let mail = mails.last().expect("a mail");
            let marker = format!("/console/#{kind}=");
            let start = mail.find(&marker).unwrap_or_else(|| panic!("no {kind} link in {mail}")) + marker.len();
            let token: String =
                mail[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
            assert!(token.len() >= 40, "{token}");
            return token;
        }
        assert!(tokio::time::Instant::now() < deadline, "no mail to {to} within 10 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The session cookie a successful answer sets.
fn cookie_of(response: &reqwest::Response) -> String {
    let cookie = response.headers()["set-cookie"].to_str().expect("a cookie");
    cookie.split(';').next().unwrap_or_default().to_owned()
}

async fn login_status(app: &TestApp, email: &str, password: &str) -> u16 {
    post(app, "/v1/agent/login", None, json!({"email": email, "password": password})).await.status().as_u16()
}

#[tokio::test]
async fn an_invited_editor_chooses_a_password_through_the_mailed_link_and_is_signed_in() {
    let app = spawn_app().await;
    let demo = SiteScope::Only(vec!["demo".to_owned()]);
    let camille = app.signed_in().await;
    let ines = app.signed_in_with_role("ines@maison-lumiere.example", &demo, AgentRole::Editor).await;
    let invite = |email: &str, name: &str, sites: Value| json!({"email": email, "name": name, "role": "editor", "sites": sites, "locale": "fr"});

    // Refusals name the field at fault; only administrators invite.
    for (body, field) in [
        (invite("noe", "Noé", json!(["demo"])), "email"),
        (invite(NOE, " ", json!(["demo"])), "name"),
        (invite(NOE, "Noé", json!(["autre"])), "sites"),
        (invite(NOE, "Noé", json!([])), "sites"),
        (invite("camille@maison-lumiere.example", "Camille", json!(["demo"])), "email"),
    ] {
        let refused = post(&app, "/v1/agent/accounts", Some(&camille), body).await;
        let fields = error_fields(refused, 422, ErrorCode::ValidationFailed).await;
        assert_eq!(fields[0].0, field, "{fields:?}");
    }
    let by_editor = post(&app, "/v1/agent/accounts", Some(&ines), invite(NOE, "Noé", json!(["demo"]))).await;
    assert_eq!(by_editor.status(), 403);
    assert!(mails_to(&app, NOE).is_empty(), "nothing was sent for a refused invitation");

    // Act: Camille invites Noé; the mail carries the link.
    let invited = post(&app, "/v1/agent/accounts", Some(&camille), invite(NOE, "Noé", json!(["demo"]))).await;
    assert_eq!(invited.status(), 201);
    let account: accueil_protocol::Account = invited.json().await.expect("the account");
    assert!(account.invited && account.active && account.role == AgentRole::Editor);
    let token = mailed_token(&app, NOE, "invitation", 0).await;
    let mail = mails_to(&app, NOE).pop().expect("the invitation");
    assert!(mail.contains("Camille vous invite à rejoindre l’équipe de Maison Lumière"), "{mail}");
    assert!(mail.contains(&format!("{}/console/#invitation={token}", app.base)), "{mail}");

    // No password works before the link is used; the link says whose it is.
    assert_eq!(login_status(&app, NOE, "").await, 422);
    assert_eq!(login_status(&app, NOE, "anything at all").await, 401);
    let info = post(&app, "/v1/agent/link", None, json!({"token": token})).await;
    let info: LinkInfo = info.json().await.expect("what the link is for");
    assert_eq!((info.purpose, info.name.as_str(), info.email.as_str()), (LinkPurpose::Invitation, "Noé", NOE));

    // A short password is refused next to its field and the link still works; then Noé is signed in.
    let short = post(&app, "/v1/agent/link/password", None, json!({"token": token, "password": "short"})).await;
    assert_eq!(error_fields(short, 422, ErrorCode::ValidationFailed).await[0].0, "password");
    let accepted =
        post(&app, "/v1/agent/link/password", None, json!({"token": token, "password": "la lampe de Noé"})).await;
    assert_eq!(accepted.status(), 200);
    let noe = cookie_of(&accepted);
    let me: Agent = app.agent_get("/v1/agent/me", &noe).await;
    assert_eq!((me.name.as_str(), me.role), ("Noé", AgentRole::Editor));
    let chats = app.client.get(app.url("/v1/agent/conversations")).header("cookie", &noe).send().await.unwrap();
    assert_eq!(chats.status(), 403, "an editor does not see chats");

    // The link was used up; the password now works; the team and the log say so.
    let again = post(&app, "/v1/agent/link/password", None, json!({"token": token, "password": "another long one"}));
    assert_eq!(again.await.status(), 404);
    assert_eq!(post(&app, "/v1/agent/link", None, json!({"token": token})).await.status(), 404);
    assert_eq!(login_status(&app, NOE, "la lampe de Noé").await, 200);
    let team: Accounts = app.agent_get("/v1/agent/accounts", &camille).await;
    let noe_account = team.accounts.iter().find(|a| a.email == NOE).expect("Noé in the team");
    assert!(!noe_account.invited);
    let log: AuditLog = app.agent_get("/v1/agent/audit", &camille).await;
    let actions: Vec<(&str, &str)> = log.entries.iter().map(|e| (e.action.as_str(), e.actor.as_str())).collect();
    assert_eq!(actions[..2], [("invitation_accepted", "Noé"), ("account_invited", "Camille")]);
    let invite_again = post(&app, "/v1/agent/accounts", Some(&camille), invite(NOE, "Noé", json!(["demo"]))).await;
    assert_eq!(error_fields(invite_again, 422, ErrorCode::ValidationFailed).await[0].0, "email");
}

#[tokio::test]
async fn an_invitation_sent_again_replaces_nothing_but_adds_a_link_and_an_expired_one_fails() {
    let app = spawn_app().await;
    let camille = app.signed_in().await;
    let body = json!({"email": NOE, "name": "Noé", "role": "agent", "sites": ["demo"], "locale": "en"});
    assert_eq!(post(&app, "/v1/agent/accounts", Some(&camille), body.clone()).await.status(), 201);
    let first = mailed_token(&app, NOE, "invitation", 0).await;
    assert!(mails_to(&app, NOE)[0].contains("Camille invites you to join the team of Maison Lumière"));
    // Sent again at once: too soon.
    let too_soon = post(&app, "/v1/agent/accounts", Some(&camille), body.clone()).await;
    assert_eq!(too_soon.status(), 429);

    // A link past its time is refused like an unknown one.
    let store = accueil_server::store::open(&app.database_url).await.expect("store");
    let noe = store.agent_by_email(NOE).await.unwrap().expect("Noé");
    let now = accueil_server::now();
    let token = "an-expired-link-token-of-at-least-forty-characters";
    let expired = NewLink {
        token_hash: accueil_server::secrets::token_hash(token),
        purpose: LinkPurpose::Invitation,
        created_at: now - 4 * 24 * 3600,
        expires_at: now - 24 * 3600,
    };
    assert!(store.insert_agent_link(noe.id, &expired, 0, None).await.unwrap());
    assert_eq!(post(&app, "/v1/agent/link", None, json!({"token": token})).await.status(), 404);
    let late = json!({"token": token, "password": "a long passphrase"});
    assert_eq!(post(&app, "/v1/agent/link/password", None, late).await.status(), 404);
    // The first link still works.
    let used = json!({"token": first, "password": "a long passphrase"});
    assert_eq!(post(&app, "/v1/agent/link/password", None, used).await.status(), 200);
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_a_mailed_link_that_ends_other_sessions_and_lifts_a_lockout() {
    // Behind a trusted proxy, so that guesses can come from many addresses, as from a botnet.
    let app =
        spawn_app_with(|key| (key == "ACCUEIL_TRUSTED_PROXIES").then(|| "127.0.0.1, 10.0.0.0/8".to_owned())).await;
    let email = "camille@maison-lumiere.example";
    let old_session = app.signed_in().await;
    // Camille's own browser signed in before: it keeps a device cookie for the sign-in route.
    let first =
        post(&app, "/v1/agent/login", None, json!({"email": email, "password": "correct horse battery staple"}));
    let first = first.await;
    let device = first
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("accueil_device="))
        .expect("a device cookie")
        .to_owned();
    assert!(device.contains("Path=/v1/agent/login; HttpOnly; SameSite=Strict"), "{device}");
    let device = device.split(';').next().unwrap_or_default().to_owned();
    let guess = |i: u32, password: &'static str| {
        app.client
            .post(app.url("/v1/agent/login"))
            .header("x-forwarded-for", format!("203.0.113.{i}"))
            .json(&json!({"email": email, "password": password}))
            .send()
    };

    // Ten wrong passwords in a row lock the account: even the right one is refused for 15 minutes.
    for i in 0..10 {
        assert_eq!(guess(i, "wrong guess").await.unwrap().status(), 401);
    }
    let locked = guess(50, "correct horse battery staple").await.unwrap();
    let retry_after: u64 = locked.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((800..=900).contains(&retry_after), "{retry_after}");
    error_fields(locked, 429, ErrorCode::RateLimited).await;
    // An address with no account answers the same after as many tries: counting tells nothing.
    let unknown = |i: u32| {
        app.client
            .post(app.url("/v1/agent/login"))
            .header("x-forwarded-for", format!("198.51.100.{i}"))
            .json(&json!({"email": "Personne@Maison-Lumiere.example", "password": "wrong guess"}))
            .send()
    };
    for i in 0..10 {
        assert_eq!(unknown(i).await.unwrap().status(), 401);
    }
    error_fields(unknown(50).await.unwrap(), 429, ErrorCode::RateLimited).await;
    // Camille's own browser is not locked out by others' guesses; a made-up device cookie is.
    let from_device = |cookie: String| {
        app.client
            .post(app.url("/v1/agent/login"))
            .header("cookie", cookie)
            .json(&json!({"email": email, "password": "correct horse battery staple"}))
            .send()
    };
    assert_eq!(from_device(device.clone()).await.unwrap().status(), 200, "the owner's browser signs in");
    let forged = "accueil_device=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned();
    assert_eq!(from_device(forged).await.unwrap().status(), 429);

    // Asking for a link: the same answer for an unknown address, which gets no mail.
    let forgotten =
        |email: &str| post(&app, "/v1/agent/password/forgotten", None, json!({"email": email, "locale": "fr"}));
    assert_eq!(forgotten("nobody@maison-lumiere.example").await.status(), 202);
    assert_eq!(forgotten(email).await.status(), 202);
    let token = mailed_token(&app, email, "reset", 0).await;
    assert!(mails_to(&app, email)[0].contains("Choisissez un nouveau mot de passe"));
    // Asked again at once: still 202, but no second mail fills the inbox.
    assert_eq!(forgotten(email).await.status(), 202);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(mails_to(&app, email).len(), 1);
    assert!(mails_to(&app, "nobody@maison-lumiere.example").is_empty());
    let empty = post(&app, "/v1/agent/password/forgotten", None, json!({"email": " ", "locale": "fr"})).await;
    assert_eq!(error_fields(empty, 422, ErrorCode::ValidationFailed).await[0].0, "email");

    // The link sets a new password, signs in, ends the old session and lifts the lock.
    let info: LinkInfo = post(&app, "/v1/agent/link", None, json!({"token": token})).await.json().await.unwrap();
    assert_eq!(info.purpose, LinkPurpose::Reset);
    let reset =
        post(&app, "/v1/agent/link/password", None, json!({"token": token, "password": "a brand new passphrase"}))
            .await;
    assert_eq!(reset.status(), 200);
    let old = app.client.get(app.url("/v1/agent/me")).header("cookie", &old_session).send().await.unwrap();
    assert_eq!(old.status(), 401, "the session from before the reset ended");
    assert_eq!(guess(51, "correct horse battery staple").await.unwrap().status(), 401, "the old password");
    assert_eq!(guess(52, "a brand new passphrase").await.unwrap().status(), 200, "the lock is lifted");
    // The new password forgets the devices: the old cookie proves nothing now.
    let stale = app.client.post(app.url("/v1/agent/login")).header("cookie", device);
    let stale = stale.json(&json!({"email": email, "password": "wrong again"})).send().await.unwrap();
    assert_eq!(stale.status(), 401);
    let log: AuditLog = app.agent_get("/v1/agent/audit", &cookie_of(&reset)).await;
    assert_eq!(log.entries[0].action, "password_reset");
}

#[tokio::test]
async fn a_deactivated_accounts_link_does_nothing_and_it_gets_no_reset_mail() {
    let app = spawn_app().await;
    let camille = app.signed_in().await;
    let body = json!({"email": NOE, "name": "Noé", "role": "agent", "sites": ["demo"], "locale": "fr"});
    let account: accueil_protocol::Account =
        post(&app, "/v1/agent/accounts", Some(&camille), body).await.json().await.unwrap();
    let token = mailed_token(&app, NOE, "invitation", 0).await;
    let deactivate = format!("/v1/agent/accounts/{}/deactivate", account.id);
    assert_eq!(post(&app, &deactivate, Some(&camille), json!({})).await.status(), 200);
    let accept = json!({"token": token, "password": "a long passphrase"});
    assert_eq!(post(&app, "/v1/agent/link/password", None, accept).await.status(), 404);
    let forgotten = json!({"email": NOE, "locale": "fr"});
    assert_eq!(post(&app, "/v1/agent/password/forgotten", None, forgotten).await.status(), 202);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(mails_to(&app, NOE).len(), 1, "only the invitation");
}
