//! The loader, widget and console files: encodings, validators, caching, and who may frame what.

use crate::helpers::{SHOP_ORIGIN, error_fields, spawn_app};
use accueil_protocol::ErrorCode;

#[tokio::test]
async fn the_loader_is_javascript_compressed_for_whoever_accepts_it() {
    let app = spawn_app().await;
    let fetch =
        |encoding: &'static str| app.client.get(app.url("/accueil.js")).header("accept-encoding", encoding).send();
    let brotli = fetch("gzip, deflate, br").await.unwrap();
    assert_eq!(brotli.headers()["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(brotli.headers()["content-encoding"], "br");
    assert_eq!(brotli.headers()["cache-control"], "public, max-age=300");
    assert_eq!(brotli.headers()["vary"], "Accept-Encoding");
    let gzip = fetch("gzip").await.unwrap();
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    let plain = fetch("identity").await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_ne!(brotli.headers()["etag"], plain.headers()["etag"], "one validator per representation");
    let text = plain.text().await.unwrap();
    assert!(text.contains("window.Accueil"));
}

#[tokio::test]
async fn the_widget_document_may_be_framed_only_by_the_sites_origins() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/widget/?site=demo&locale=fr")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let policy = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.ends_with(&format!("frame-ancestors {SHOP_ORIGIN}")), "{policy}");
    assert!(
        policy.contains("script-src 'self' 'wasm-unsafe-eval'") && policy.contains("style-src 'self';"),
        "{policy}"
    );
    assert!(!policy.contains("unsafe-inline"));
    assert_eq!(response.headers()["cache-control"], "no-cache");
    assert_eq!(
        response.headers()["link"],
        "</v1/sites/demo/config>; rel=preload; as=fetch; crossorigin, \
         </v1/sites/demo/faq?locale=fr>; rel=preload; as=fetch; crossorigin",
        "the widget's first requests start with the document"
    );

    // The callback channel's own document is framed under the same rule.
    let callback = app.client.get(app.url("/widget/callback/?site=demo&locale=fr")).send().await.unwrap();
    assert_eq!(callback.status(), 200);
    assert_eq!(callback.headers()["content-security-policy"].to_str().unwrap(), policy);
    assert_eq!(callback.text().await.unwrap(), "<!doctype html><title>callback</title>");

    let unknown = app.client.get(app.url("/widget/?site=acme")).send().await.unwrap();
    error_fields(unknown, 404, ErrorCode::NotFound).await;
    let unknown = app.client.get(app.url("/widget/callback/?site=acme")).send().await.unwrap();
    error_fields(unknown, 404, ErrorCode::NotFound).await;
    let missing = app.client.get(app.url("/widget/")).send().await.unwrap();
    let fields = error_fields(missing, 400, ErrorCode::InvalidRequest).await;
    assert_eq!(fields[0].0, "site");
}

#[tokio::test]
async fn hashed_files_are_immutable_and_revalidate() {
    let app = spawn_app().await;
    let url = app.url("/widget/accueil-widget-0123456789abcdef.js");
    let response = app.client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "public, max-age=31536000, immutable");
    let etag = response.headers()["etag"].clone();
    let again = app.client.get(&url).header("if-none-match", etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    let missing = app.client.get(app.url("/widget/nope.js")).send().await.unwrap();
    error_fields(missing, 404, ErrorCode::NotFound).await;
}

#[tokio::test]
async fn the_console_cannot_be_framed_and_owns_its_paths() {
    let app = spawn_app().await;
    let redirect = app.client.get(app.url("/console")).send().await.unwrap();
    assert_eq!(redirect.status(), 308);
    let document = app.client.get(app.url("/console/")).send().await.unwrap();
    assert!(document.headers()["content-security-policy"].to_str().unwrap().ends_with("frame-ancestors 'none'"));
    let deep_link = app.client.get(app.url("/console/inbox")).send().await.unwrap();
    assert_eq!(deep_link.status(), 200);
    assert!(deep_link.text().await.unwrap().contains("<title>console</title>"));
}
