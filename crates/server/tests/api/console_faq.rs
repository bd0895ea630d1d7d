//! The console's FAQ editing and gap report over HTTP.

use crate::helpers::{error_fields, spawn_app};
use accueil_protocol::{AgentSites, ErrorCode, Faq, FaqEntry, FaqPreviewed, FaqReport, FaqSource};

#[tokio::test]
async fn the_faq_routes_need_a_signed_in_agent() {
    let app = spawn_app().await;
    for path in ["/v1/agent/sites", "/v1/agent/faq/demo/fr", "/v1/agent/faq/demo/fr/report"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        error_fields(response, 401, ErrorCode::Unauthorized).await;
    }
}

#[tokio::test]
async fn an_edit_is_published_at_once_and_can_be_restored() {
    let app = spawn_app().await;
    let cookie = app.signed_in().await;
    let sites: AgentSites = app.agent_get("/v1/agent/sites", &cookie).await;
    assert_eq!(sites.sites[0].site, "demo");
    let source: FaqSource = app.agent_get("/v1/agent/faq/demo/fr", &cookie).await;
    let costs = source.entries.iter().find(|e| e.id == "delivery-costs").unwrap();
    assert!(costs.markdown.starts_with("**Offerte**"), "{}", costs.markdown);

    let long_answer = format!("**Offerte** dès 60 €. {}", "Détail. ".repeat(2000));
    let edit = serde_json::json!({
        "question": "Combien coûte la livraison ?", "phrasings": ["Frais de port", " "], "tags": ["livraison"],
        "category": "Livraison", "order": 1, "markdown": long_answer
    });
    let saved = app
        .client
        .put(app.url("/v1/agent/faq/demo/fr/delivery-costs"))
        .header("cookie", &cookie)
        .json(&edit)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200, "answers longer than the default body limit are accepted");
    let saved: FaqEntry = saved.json().await.unwrap();
    assert_eq!(saved.phrasings, ["Frais de port"], "blank phrasings are dropped");

    let visitors: Faq = app.client.get(app.url("/v1/sites/demo/faq")).send().await.unwrap().json().await.unwrap();
    assert!(visitors.entries.iter().any(|e| e.text.starts_with("Offerte dès 60 €")), "visitors see the edit at once");

    let restore =
        app.client.post(app.url("/v1/agent/faq/demo/restore")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(restore.status(), 204);
    let visitors: Faq = app.client.get(app.url("/v1/sites/demo/faq")).send().await.unwrap().json().await.unwrap();
    assert!(visitors.entries.iter().any(|e| e.text.starts_with("Offerte dès 80 €")), "the previous snapshot is back");
}

#[tokio::test]
async fn a_bad_edit_names_its_fields_and_changes_nothing() {
    let app = spawn_app().await;
    let cookie = app.signed_in().await;
    let edit = serde_json::json!({"question": " ", "category": "Livraison", "markdown": "Voir [x](faq:nowhere)."});
    let response = app
        .client
        .put(app.url("/v1/agent/faq/demo/fr/Bad_Id"))
        .header("cookie", &cookie)
        .json(&edit)
        .send()
        .await
        .unwrap();
    let fields: Vec<String> =
        error_fields(response, 422, ErrorCode::ValidationFailed).await.into_iter().map(|f| f.0).collect();
    assert_eq!(fields, ["id", "question", "markdown"]);
    let faq: Faq = app.client.get(app.url("/v1/sites/demo/faq")).send().await.unwrap().json().await.unwrap();
    assert_eq!(faq.entries.len(), 2);
}

#[tokio::test]
async fn preview_renders_like_publishing() {
    let app = spawn_app().await;
    let cookie = app.signed_in().await;
    let previewed: FaqPreviewed = app
        .client
        .post(app.url("/v1/agent/faq/preview"))
        .header("cookie", &cookie)
        .json(&serde_json::json!({"markdown": "**Gras** <script>x</script>"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(previewed.html.contains("<strong>Gras</strong>") && !previewed.html.contains("<script"));
}

#[tokio::test]
async fn the_report_lists_gaps_unhelpful_entries_and_proposed_phrasings() {
    let app = spawn_app().await;
    let cookie = app.signed_in().await;
    let event = |event: serde_json::Value| {
        app.client
            .post(app.url("/v1/sites/demo/faq/events"))
            .json(&serde_json::json!({"locale": "fr", "event": event}))
            .send()
    };
    for e in [
        serde_json::json!({"type": "search", "query": "Bitcoin", "results": 0}),
        serde_json::json!({"type": "search", "query": "prix du port", "results": 1}),
        serde_json::json!({"type": "vote", "entry": "delivery-costs", "helpful": true, "query": "Prix du port"}),
        serde_json::json!({"type": "vote", "entry": "delivery-costs", "helpful": true, "query": "prix du  port"}),
        serde_json::json!({"type": "vote", "entry": "delivery-times", "helpful": false, "comment": "Et le samedi ?"}),
    ] {
        assert_eq!(event(e).await.unwrap().status(), 204);
    }
    let report: FaqReport = app.agent_get("/v1/agent/faq/demo/fr/report?days=7", &cookie).await;
    assert_eq!(report.unanswered.len(), 1);
    assert_eq!((report.unanswered[0].query.as_str(), report.unanswered[0].searches), ("bitcoin", 1));
    assert_eq!(report.entries[0].id, "delivery-times", "least helpful first");
    assert_eq!(report.comments[0].comment, "Et le samedi ?");
    assert_eq!(report.proposals.len(), 1);
    assert_eq!(
        (report.proposals[0].entry.as_str(), report.proposals[0].phrasing.as_str()),
        ("delivery-costs", "prix du port")
    );

    let bad =
        app.client.get(app.url("/v1/agent/faq/demo/fr/report?days=0")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(error_fields(bad, 422, ErrorCode::ValidationFailed).await[0].0, "days");
}

#[tokio::test]
async fn a_failed_search_becomes_a_phrasing_of_the_closest_entry_and_is_found_next_time() {
    let model = crate::faq::installed_model();
    let app = crate::helpers::spawn_app_with(move |key| (key == "TEST_SEARCH_MODEL").then(|| model.clone())).await;
    let cookie = app.signed_in().await;
    let before: accueil_protocol::Faq = app.public_get("/v1/sites/demo/faq?locale=fr").await;
    let found = accueil_search::faq_index(&before).search("prix pour envoyer un colis", 3);
    assert_ne!(found.first().map(|h| h.id.as_str()), Some("delivery-costs"), "the widget does not find it yet");
    let failed = serde_json::json!({"locale": "fr", "event": {"type": "search", "query": "Prix pour envoyer un colis", "results": 0}});
    let sent = app.client.post(app.url("/v1/sites/demo/faq/events")).json(&failed).send().await.unwrap();
    assert_eq!(sent.status(), 204);
    // The suggestion comes once the published entries are embedded (in the background).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let gap = loop {
        let report: FaqReport = app.agent_get("/v1/agent/faq/demo/fr/report?days=7", &cookie).await;
        let gap =
            report.unanswered.into_iter().find(|q| q.query == "prix pour envoyer un colis").expect("the failed search");
        if gap.suggestion.is_some() {
            break gap;
        }
        assert!(std::time::Instant::now() < deadline, "no suggestion within a minute");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    };
    let suggestion = gap.suggestion.unwrap();
    assert_eq!(
        (suggestion.entry.as_str(), suggestion.question.as_str()),
        ("delivery-costs", "Combien coûte la livraison ?")
    );

    // The console's one action: the query joins the entry's phrasings, published at once.
    let source: FaqSource = app.agent_get("/v1/agent/faq/demo/fr", &cookie).await;
    let entry = source.entries.into_iter().find(|e| e.id == suggestion.entry).unwrap();
    let edit = serde_json::json!({
        "question": entry.question, "phrasings": [gap.query], "tags": entry.tags,
        "category": entry.category, "order": entry.order, "markdown": entry.markdown
    });
    let saved =
        app.client.put(app.url("/v1/agent/faq/demo/fr/delivery-costs")).header("cookie", &cookie).json(&edit).send();
    assert_eq!(saved.await.unwrap().status(), 200);

    let report: FaqReport = app.agent_get("/v1/agent/faq/demo/fr/report?days=7", &cookie).await;
    assert!(
        report.unanswered.iter().all(|q| q.query != "prix pour envoyer un colis"),
        "answered now: {:?}",
        report.unanswered
    );
    // The widget's own search (the lexical index, from the published JSON) finds it by the new phrasing.
    let faq: accueil_protocol::Faq = app.public_get("/v1/sites/demo/faq?locale=fr").await;
    let hits = accueil_search::faq_index(&faq).search("prix pour envoyer un colis", 3);
    assert_eq!(hits.first().map(|h| h.id.as_str()), Some("delivery-costs"));
}

#[tokio::test]
async fn synonyms_are_edited_and_searched_at_once() {
    let app = spawn_app().await;
    let cookie = app.signed_in().await;
    let search = || app.client.get(app.url("/v1/sites/demo/faq/search?q=acheminement")).send();
    let before: accueil_protocol::FaqSearchResults = search().await.unwrap().json().await.unwrap();
    assert!(before.hits.is_empty());

    let put = |groups: serde_json::Value| {
        app.client
            .put(app.url("/v1/agent/synonyms/demo/fr"))
            .header("cookie", &cookie)
            .json(&serde_json::json!({"groups": groups}))
            .send()
    };
    let saved: accueil_protocol::FaqSynonyms =
        put(serde_json::json!([["livraison", " acheminement ", ""], []])).await.unwrap().json().await.unwrap();
    assert_eq!(saved.groups, [["livraison", "acheminement"]]);
    let after: accueil_protocol::FaqSearchResults = search().await.unwrap().json().await.unwrap();
    assert!(!after.hits.is_empty(), "the new synonym finds delivery entries");
    let source: FaqSource = app.agent_get("/v1/agent/faq/demo/fr", &cookie).await;
    assert_eq!(source.synonyms, saved.groups);

    let lonely = put(serde_json::json!([["livraison", "colis"], ["seul"]])).await.unwrap();
    assert_eq!(error_fields(lonely, 422, ErrorCode::ValidationFailed).await[0].0, "groups.1");
}
