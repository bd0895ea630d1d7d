//! `/metrics` for operators: on its own address, with what a node is doing now.

use crate::helpers::spawn_app_with;

#[tokio::test]
async fn metrics_are_served_on_their_own_address_and_count_what_happens() {
    let app = spawn_app_with(|key| (key == "ACCUEIL_METRICS_LISTEN").then(|| "127.0.0.1:0".to_owned())).await;
    let metrics = app.metrics_url.clone().expect("metrics served");
    let (_token, _visitor, _conversation) = crate::chat_console::visitor_with_message(&app, "Bonjour").await;

    let response = app.client.get(&metrics).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    for line in [
        "accueil_chat_messages_stored_total 1",
        "accueil_live_connections{kind=\"visitor\"} 1",
        "accueil_live_connections{kind=\"console\"} 0",
        "accueil_chat_queue_length{site=\"demo\"} 1",
        "accueil_webhook_backlog 0",
        "accueil_http_request_duration_seconds_count{method=\"POST\",route=\"/v1/sessions\"} 1",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} missing from:\n{text}");
    }
    // Sampled from the start: a request waits for a database connection this long.
    let samples = text.lines().find_map(|l| l.strip_prefix("accueil_database_pool_wait_seconds_count "));
    assert!(samples.and_then(|n| n.parse::<u64>().ok()).is_some_and(|n| n >= 1), "no pool wait sampled:\n{text}");
    let public = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(public.status(), 404, "not on the public address");
}
