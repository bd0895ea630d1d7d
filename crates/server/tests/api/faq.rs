//! The FAQ over HTTP: delivery with revalidation, server-side search, anonymous events, and imports
//! that never break what is published.

use crate::helpers::{error_fields, spawn_app, spawn_app_with, write};
use accueil_protocol::{ErrorCode, Faq, FaqSearchResults, Locale};

#[tokio::test]
async fn the_published_faq_is_served_sanitized_and_revalidates() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/v1/sites/demo/faq?locale=fr")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-cache");
    let etag = response.headers()["etag"].clone();
    let faq: Faq = response.json().await.unwrap();
    assert_eq!(faq.locale, Locale::Fr);
    assert_eq!(faq.entries.len(), 2);
    assert_eq!(faq.synonyms, [["livraison", "colis"]]);
    let costs = faq.entries.iter().find(|e| e.id == "delivery-costs").unwrap();
    assert!(costs.html.contains("<strong>Offerte</strong>") && costs.html.contains(r##"href="#faq/delivery-times""##));
    let times = faq.entries.iter().find(|e| e.id == "delivery-times").unwrap();
    assert!(!times.html.contains("<script"), "{}", times.html);

    let again = app.client.get(app.url("/v1/sites/demo/faq")).header("if-none-match", etag).send().await.unwrap();
    assert_eq!(again.status(), 304, "the default locale is the same document");
}

#[tokio::test]
async fn wrong_locales_and_sites_are_refused_clearly() {
    let app = spawn_app().await;
    let fields = error_fields(
        app.client.get(app.url("/v1/sites/demo/faq?locale=de")).send().await.unwrap(),
        400,
        ErrorCode::InvalidRequest,
    )
    .await;
    assert_eq!(fields[0].0, "locale");
    let fields = error_fields(
        app.client.get(app.url("/v1/sites/demo/faq?locale=en")).send().await.unwrap(),
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    assert_eq!(fields[0].0, "locale");
    error_fields(app.client.get(app.url("/v1/sites/acme/faq")).send().await.unwrap(), 404, ErrorCode::NotFound).await;
}

#[tokio::test]
async fn the_server_searches_like_the_widget() {
    let app = spawn_app().await;
    let search =
        |q: &str| app.client.get(app.url("/v1/sites/demo/faq/search")).query(&[("q", q), ("locale", "fr")]).send();
    let results: FaqSearchResults = search("cout de la livrason").await.unwrap().json().await.unwrap();
    assert_eq!(results.hits.first().map(|h| h.id.as_str()), Some("delivery-costs"));
    assert_eq!(results.hits[0].question, "Combien coûte la livraison ?");
    let nothing: FaqSearchResults = search("recette de la tarte tatin").await.unwrap().json().await.unwrap();
    assert!(nothing.hits.is_empty());
    let huge: FaqSearchResults = search(&"colis ".repeat(5000)).await.unwrap().json().await.unwrap();
    assert!(!huge.hits.is_empty(), "long queries are cut, not refused");

    let missing = app.client.get(app.url("/v1/sites/demo/faq/search")).send().await.unwrap();
    assert_eq!(error_fields(missing, 400, ErrorCode::InvalidRequest).await[0].0, "q");
    let bad_k = app.client.get(app.url("/v1/sites/demo/faq/search?q=colis&k=0")).send().await.unwrap();
    assert_eq!(error_fields(bad_k, 422, ErrorCode::ValidationFailed).await[0].0, "k");
}

/// The installed sentence-embedding model (`cargo xtask setup`), or the one `ACCUEIL_SEARCH_MODEL` names.
pub fn installed_model() -> String {
    let dir = std::env::var("ACCUEIL_SEARCH_MODEL")
        .unwrap_or_else(|_| format!("{}/.cache/accueil/models/e5-small", std::env::var("HOME").expect("HOME is set")));
    assert!(std::path::Path::new(&dir).join("e5-small-q4.bin").is_file(), "no model in {dir}: run `cargo xtask setup`");
    dir
}

async fn server_search(app: &crate::helpers::TestApp, q: &str) -> FaqSearchResults {
    let response =
        app.client.get(app.url("/v1/sites/demo/faq/search")).query(&[("q", q), ("locale", "fr")]).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_server_finds_what_a_visitor_means_not_only_what_they_type() {
    let query = "dans combien de temps arrive mon colis";
    // The words alone ("combien", "colis") do not make a good answer...
    let lexical = spawn_app().await;
    let results = server_search(&lexical, query).await;
    assert!(results.hits.is_empty(), "{:?}", results.hits);

    // ...the meaning does, once the entries are embedded (in the background, after the first request).
    let model = installed_model();
    let app = spawn_app_with(move |key| (key == "TEST_SEARCH_MODEL").then(|| model.clone())).await;
    // An edit publishes a new snapshot, which is embedded again.
    let cookie = app.signed_in().await;
    let edit = serde_json::json!({
        "question": "Quels sont les délais de livraison ?", "phrasings": [], "tags": [],
        "category": "Livraison", "order": 2, "markdown": "Sous 48 h."
    });
    let saved =
        app.client.put(app.url("/v1/agent/faq/demo/fr/delivery-times")).header("cookie", &cookie).json(&edit).send();
    assert_eq!(saved.await.unwrap().status(), 200);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let hits = loop {
        let results = server_search(&app, query).await;
        if !results.hits.is_empty() {
            break results.hits;
        }
        assert!(std::time::Instant::now() < deadline, "the entries were not embedded within a minute");
        // Under the search limit (120 a minute per address).
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    };
    // "combien" also asks what delivery costs, so that entry may come first; the one that answers is
    // offered right beside it.
    let answer = hits.iter().position(|hit| hit.id == "delivery-times").expect("the entry that answers is offered");
    assert!(answer < 2, "{hits:?}");
    assert_eq!(hits[answer].question, "Quels sont les délais de livraison ?");
    // An unrelated need still gets no answer rather than a wrong one.
    let unrelated = server_search(&app, "recette de la tarte tatin").await;
    assert!(unrelated.hits.is_empty(), "{:?}", unrelated.hits);
}

#[tokio::test]
async fn events_are_counted_without_identity_and_bad_ones_name_the_field() {
    let app = spawn_app().await;
    let post = |body: serde_json::Value| app.client.post(app.url("/v1/sites/demo/faq/events")).json(&body).send();
    for body in [
        serde_json::json!({"locale": "fr", "event": {"type": "search", "query": "Bitcoin ", "results": 0}}),
        serde_json::json!({"locale": "fr", "event": {"type": "search", "query": "bitcoin", "results": 0}}),
        serde_json::json!({"locale": "fr", "event": {"type": "view", "entry": "delivery-costs"}}),
        serde_json::json!({"locale": "fr", "event": {"type": "vote", "entry": "delivery-costs", "helpful": false, "comment": "Et la Belgique ?"}}),
    ] {
        assert_eq!(post(body).await.unwrap().status(), 204);
    }
    let store = accueil_server::store::open(&app.database_url).await.unwrap();
    let stats = store.faq_stats("demo", Locale::Fr, "2000-01-01").await.unwrap();
    assert_eq!(stats.unanswered, [("bitcoin".to_owned(), 2)], "queries are folded before counting");
    assert_eq!(stats.entries, [("delivery-costs".to_owned(), 1, 0, 1)]);
    assert_eq!(stats.comments, [("delivery-costs".to_owned(), "Et la Belgique ?".to_owned())]);

    let long = post(serde_json::json!({"locale": "fr", "event": {"type": "vote", "entry": "a", "helpful": true, "comment": "x".repeat(1001)}})).await.unwrap();
    assert_eq!(error_fields(long, 422, ErrorCode::ValidationFailed).await[0].0, "event.comment");
    let unknown = post(serde_json::json!({"locale": "fr", "event": {"type": "purchase"}})).await.unwrap();
    assert_eq!(error_fields(unknown, 400, ErrorCode::InvalidRequest).await[0].0, "event.type");
}

#[tokio::test]
async fn an_unchanged_folder_is_not_imported_again_and_a_broken_one_changes_nothing() {
    let app = spawn_app().await;
    let app = app.restart().await;
    let store = accueil_server::store::open(&app.database_url).await.unwrap();
    assert_eq!(store.faq_snapshots("demo").await.unwrap().len(), 1, "same files, same snapshot");

    write(&app.dir().join("faq"), "fr/broken.md", "+++\nid = \"broken\"\n");
    write(
        &app.dir().join("faq"),
        "fr/delivery-costs.md",
        "+++\nid = \"delivery-costs\"\nquestion = \"Changed?\"\ncategory = \"x\"\nupdated = \"2026-11-03\"\n+++\n\nChanged.\n",
    );
    let app = app.restart().await;
    let faq: Faq = app.client.get(app.url("/v1/sites/demo/faq")).send().await.unwrap().json().await.unwrap();
    assert!(
        faq.entries.iter().any(|e| e.question == "Combien coûte la livraison ?"),
        "the broken import published nothing"
    );
    assert_eq!(store.faq_snapshots("demo").await.unwrap().len(), 1);
}
