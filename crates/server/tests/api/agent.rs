//! Console sign-in over HTTP: the cookie's flags, sign-out, and refusals.

use crate::helpers::{error_fields, spawn_app, spawn_app_with};
use accueil_protocol::{Agent, ErrorCode};

const EMAIL: &str = "camille@maison-lumiere.example";
const PASSWORD: &str = "correct horse battery staple";

fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn an_agent_signs_in_with_a_strict_http_only_cookie_and_signs_out() {
    let app = spawn_app().await;
    app.add_agent(EMAIL, PASSWORD).await;
    let login = app
        .client
        .post(app.url("/v1/agent/login"))
        .json(&serde_json::json!({"email": "Camille@Maison-Lumiere.example ", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let set_cookie = login.headers()["set-cookie"].to_str().unwrap().to_owned();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(flag), "{set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "plain-http servers cannot set Secure cookies: {set_cookie}");
    let agent: Agent = login.json().await.unwrap();
    assert_eq!(agent.email, EMAIL);

    let cookie = cookie_pair(&set_cookie);
    let me = app.client.get(app.url("/v1/agent/me")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(me.json::<Agent>().await.unwrap(), agent);

    let logout = app.client.post(app.url("/v1/agent/logout")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(logout.status(), 204);
    assert!(logout.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    let after = app.client.get(app.url("/v1/agent/me")).header("cookie", &cookie).send().await.unwrap();
    error_fields(after, 401, ErrorCode::Unauthorized).await;
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_are_refused_alike() {
    let app = spawn_app().await;
    app.add_agent(EMAIL, PASSWORD).await;
    let mut messages = Vec::new();
    for (email, password) in [(EMAIL, "wrong password"), ("nobody@example.com", PASSWORD)] {
        let response = app
            .client
            .post(app.url("/v1/agent/login"))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert!(response.headers().get("set-cookie").is_none());
        let body = response.text().await.unwrap();
        messages.push(body);
    }
    assert_eq!(messages[0], messages[1], "the refusal does not reveal which agents exist");
    assert!(messages[0].contains("\"unauthorized\""));
}

#[tokio::test]
async fn empty_credentials_name_both_fields() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/v1/agent/login"))
        .json(&serde_json::json!({"email": " ", "password": ""}))
        .send()
        .await
        .unwrap();
    let fields = error_fields(response, 422, ErrorCode::ValidationFailed).await;
    let names: Vec<&str> = fields.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(names, ["email", "password"]);
}

#[tokio::test]
async fn over_https_the_cookie_is_secure() {
    let app = spawn_app_with(|key| (key == "ACCUEIL_PUBLIC_URL").then(|| "https://accueil.example".to_owned())).await;
    app.add_agent(EMAIL, PASSWORD).await;
    let login = app
        .client
        .post(app.url("/v1/agent/login"))
        .json(&serde_json::json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(login.headers()["set-cookie"].to_str().unwrap().contains("; Secure"));
}

#[tokio::test]
async fn password_guessing_is_slowed_to_ten_tries_a_minute() {
    let app = spawn_app().await;
    app.add_agent(EMAIL, PASSWORD).await;
    let attempt = || {
        app.client
            .post(app.url("/v1/agent/login"))
            .json(&serde_json::json!({"email": EMAIL, "password": "guess"}))
            .send()
    };
    for _ in 0..10 {
        assert_eq!(attempt().await.unwrap().status(), 401);
    }
    let limited = attempt().await.unwrap();
    let retry_after: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    error_fields(limited, 429, ErrorCode::RateLimited).await;
}
