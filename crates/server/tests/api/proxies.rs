//! The client address behind a load balancer: `X-Forwarded-For` counts only from a trusted proxy, so
//! a client can neither escape its limits by naming another address nor be limited for others.

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

/// Creates a visitor session as if from `forwarded_for`; the status.
async fn create_session(app: &TestApp, forwarded_for: &str) -> u16 {
    let request = app.client.post(app.url("/v1/sessions")).header("x-forwarded-for", forwarded_for);
    request.json(&serde_json::json!({"site": "demo"})).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limits() {
    let app =
        spawn_app_with(|key| (key == "ACCUEIL_TRUSTED_PROXIES").then(|| "127.0.0.1, 10.0.0.0/8".to_owned())).await;
    for _ in 0..20 {
        assert_eq!(create_session(&app, "203.0.113.1").await, 201);
    }
    assert_eq!(create_session(&app, "203.0.113.1").await, 429, "20 sessions a minute per client");
    assert_eq!(create_session(&app, "203.0.113.2").await, 201, "another client behind the same proxy");
    assert_eq!(create_session(&app, "203.0.113.1, 10.0.0.7").await, 429, "an inner proxy is skipped");
}

#[tokio::test]
async fn a_forwarded_address_from_an_untrusted_peer_is_ignored() {
    let app = spawn_app().await;
    for i in 0..20 {
        assert_eq!(create_session(&app, &format!("203.0.113.{i}")).await, 201);
    }
    assert_eq!(create_session(&app, "198.51.100.1").await, 429, "the peer is counted, whatever it claims");
}
