//! The widget's API: site config, sessions, and bad input on them.

use crate::helpers::{error_fields, spawn_app};
use accueil_protocol::{ErrorCode, Health, HealthStatus, Locale, Session, SessionCreated, SiteConfig};

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let health: Health = response.json().await.unwrap();
        assert_eq!(health.status, HealthStatus::Ok);
    }
}

#[tokio::test]
async fn site_config_is_served_with_a_validator_and_revalidates_to_304() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/v1/sites/demo/config")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    // Revalidated on each open, so a change made in the console reaches the next visitor.
    assert_eq!(response.headers()["cache-control"], "public, max-age=0");
    let etag = response.headers()["etag"].clone();
    let config: SiteConfig = response.json().await.unwrap();
    assert_eq!(config.name, "Maison Lumière");
    assert_eq!(config.default_locale, Locale::Fr);
    assert_eq!(config.theme.on_primary, "#ffffff");
    assert!(config.features.chat && config.features.callback && config.features.community);

    let again = app.client.get(app.url("/v1/sites/demo/config")).header("if-none-match", etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn an_unknown_site_is_a_json_404() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/v1/sites/acme/config")).send().await.unwrap();
    error_fields(response, 404, ErrorCode::NotFound).await;
}

#[tokio::test]
async fn a_session_token_is_long_random_and_only_works_in_the_header() {
    let app = spawn_app().await;
    let create = || app.client.post(app.url("/v1/sessions")).json(&serde_json::json!({"site": "demo", "locale": "fr"}));
    let response = create().send().await.unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let created: SessionCreated = response.json().await.unwrap();
    let other: SessionCreated = create().send().await.unwrap().json().await.unwrap();
    assert!(created.token.len() >= 22, "at least 128 bits in base64url");
    assert_ne!(created.token, other.token);
    assert_eq!(created.session.locale, Some(Locale::Fr));

    let current = app.client.get(app.url("/v1/sessions/current")).bearer_auth(&created.token).send().await.unwrap();
    assert_eq!(current.status(), 200);
    let session: Session = current.json().await.unwrap();
    assert_eq!(session, created.session);

    let missing = app.client.get(app.url("/v1/sessions/current")).send().await.unwrap();
    let fields = error_fields(missing, 401, ErrorCode::Unauthorized).await;
    assert_eq!(fields[0].0, "authorization");
    let forged = app.client.get(app.url("/v1/sessions/current")).bearer_auth("not-a-token").send().await.unwrap();
    error_fields(forged, 401, ErrorCode::Unauthorized).await;
}

#[tokio::test]
async fn an_erased_session_is_gone() {
    let app = spawn_app().await;
    let created: SessionCreated = app
        .client
        .post(app.url("/v1/sessions"))
        .json(&serde_json::json!({"site": "demo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let erase = app.client.delete(app.url("/v1/sessions/current")).bearer_auth(&created.token).send().await.unwrap();
    assert_eq!(erase.status(), 200);
    let after = app.client.get(app.url("/v1/sessions/current")).bearer_auth(&created.token).send().await.unwrap();
    error_fields(after, 401, ErrorCode::Unauthorized).await;
}

#[tokio::test]
async fn bad_session_requests_get_errors_that_name_the_field() {
    let app = spawn_app().await;
    let post = |body: &'static str| {
        app.client.post(app.url("/v1/sessions")).header("content-type", "application/json").body(body).send()
    };
    let cases: [(&str, u16, ErrorCode, &str); 6] = [
        (r#"{"site": "demo""#, 400, ErrorCode::InvalidRequest, "body"),
        (r#"{"site": "demo", "colour": "red"}"#, 400, ErrorCode::InvalidRequest, "colour"),
        (r#"{"site": 42}"#, 400, ErrorCode::InvalidRequest, "site"),
        (r#"{"locale": "fr"}"#, 400, ErrorCode::InvalidRequest, "site"),
        (r#"{"site": "demo", "locale": "de"}"#, 400, ErrorCode::InvalidRequest, "locale"),
        (r#"{"site": "demo", "locale": "en"}"#, 422, ErrorCode::ValidationFailed, "locale"),
    ];
    for (body, status, code, field) in cases {
        let fields = error_fields(post(body).await.unwrap(), status, code).await;
        assert_eq!(fields.first().map(|f| f.0.as_str()), Some(field), "{body}: {fields:?}");
        assert!(!fields[0].1.contains(" at line "), "reasons carry no parser positions: {fields:?}");
    }
    let unknown_site = post(r#"{"site": "acme"}"#).await.unwrap();
    error_fields(unknown_site, 404, ErrorCode::NotFound).await;
}

#[tokio::test]
async fn wrong_media_type_oversized_body_and_wrong_method_are_refused_in_the_same_shape() {
    let app = spawn_app().await;
    let form = app.client.post(app.url("/v1/sessions")).body(r#"{"site":"demo"}"#).send().await.unwrap();
    error_fields(form, 415, ErrorCode::UnsupportedMediaType).await;

    let huge = format!(r#"{{"site":"{}"}}"#, "x".repeat(64 * 1024));
    let oversized = app
        .client
        .post(app.url("/v1/sessions"))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    error_fields(oversized, 413, ErrorCode::PayloadTooLarge).await;

    let wrong_method = app.client.put(app.url("/v1/sessions")).send().await.unwrap();
    error_fields(wrong_method, 405, ErrorCode::MethodNotAllowed).await;

    let nowhere = app.client.get(app.url("/v1/nothing-here")).send().await.unwrap();
    error_fields(nowhere, 404, ErrorCode::NotFound).await;
}
