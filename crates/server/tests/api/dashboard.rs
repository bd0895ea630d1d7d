//! The dashboard counts what happened on a site, as visitors and agents did it through the API: a
//! conversation answered and closed, one closed without an answer, a callback, a community question
//! and its answer, searches and answers read; as JSON and as CSV, for the agent's sites only.

use crate::chat_console::{post, visitor_with_message};
use crate::helpers::{error_fields, spawn_app};
use accueil_protocol::{AgentRole, Dashboard, ErrorCode};
use accueil_server::store::SiteScope;
use serde_json::json;

#[tokio::test]
async fn the_dashboard_counts_what_visitors_and_agents_did_and_only_for_the_agents_sites() {
    let app = spawn_app().await;
    let camille = app.signed_in().await;
    // Chat: one conversation answered then closed, one closed with no answer.
    let (_, _visitor, answered) = visitor_with_message(&app, "Bonjour, ma lampe clignote.").await;
    let path = |id: &str, rest: &str| format!("/v1/agent/conversations/{id}/{rest}");
    assert_eq!(post(&app, &path(&answered.id, "claim"), &camille, json!({})).await.status(), 200);
    let reply = json!({"client_id": "a-1", "body": "Bonjour, je regarde."});
    assert!(post(&app, &path(&answered.id, "messages"), &camille, reply).await.status().is_success());
    assert_eq!(post(&app, &path(&answered.id, "close"), &camille, json!({})).await.status(), 200);
    let (_, _other, missed) = visitor_with_message(&app, "Il y a quelqu'un ?").await;
    assert_eq!(post(&app, &path(&missed.id, "close"), &camille, json!({})).await.status(), 200);
    // A callback in the first free slot.
    let token = crate::callbacks::session(&app).await;
    let slot = crate::callbacks::options(&app).await.slots[0].start.clone();
    let booked = crate::callbacks::book(&app, &token, "k-1", &crate::callbacks::request(&slot, "612345678")).await;
    assert_eq!(booked.status(), 201);
    // A community question, answered.
    let asker = crate::community::session(&app).await;
    let thread = crate::community::ask(&app, &asker, "Quelle ampoule pour la lampe Nuage ?", None).await;
    let answer = json!({"body": "Une E27 de 8 W.", "pseudonym": "Lucas"});
    let answered_thread = app
        .client
        .post(app.url(&format!("/v1/community/threads/{}/answers", thread.id)))
        .bearer_auth(&crate::community::session(&app).await)
        .json(&answer)
        .send()
        .await
        .unwrap();
    assert_eq!(answered_thread.status(), 201);
    // FAQ: three searches (one without a good answer) and two answers read, one voted helpful.
    for event in [
        json!({"type": "search", "query": "ampoule", "results": 3}),
        json!({"type": "search", "query": "garantie", "results": 2}),
        json!({"type": "search", "query": "bitcoin", "results": 0}),
        json!({"type": "view", "entry": "delivery-costs"}),
        json!({"type": "view", "entry": "returns"}),
        json!({"type": "vote", "entry": "returns", "helpful": true}),
    ] {
        let sent = app.client.post(app.url("/v1/sites/demo/faq/events")).json(&json!({"locale": "fr", "event": event}));
        assert_eq!(sent.send().await.unwrap().status(), 204);
    }

    let dashboard: Dashboard = app.agent_get("/v1/agent/dashboard?site=demo&days=7", &camille).await;
    assert_eq!((dashboard.days, dashboard.daily.len()), (7, 7));
    let s = &dashboard.self_service;
    assert_eq!((s.searches, s.unanswered, s.answers_read, s.helpful, s.not_helpful), (3, 1, 2, 1, 0));
    assert_eq!(s.contacts, 4, "two conversations, one callback, one question");
    assert_eq!(s.self_service_share, Some(2.0 / 6.0));
    let c = &dashboard.chat;
    assert_eq!((c.conversations, c.missed), (2, 1));
    assert!(c.first_reply_median.is_some_and(|s| (0..60).contains(&s)), "{c:?}");
    assert!(c.close_median.is_some() && c.close_p90 >= c.close_median, "{c:?}");
    let b = &dashboard.callbacks;
    assert_eq!((b.requested, b.open, b.made, b.by_window.len()), (1, 1, 0, 1));
    let q = &dashboard.community;
    assert_eq!((q.questions, q.answered, q.reports), (1, 1, 0));
    let today = dashboard.daily.last().expect("today");
    assert_eq!((today.searches, today.conversations, today.callbacks, today.questions), (3, 2, 1, 1));
    assert_eq!(today.day, dashboard.to);

    // The same figures as a CSV attachment.
    let csv = app.client.get(app.url("/v1/agent/dashboard.csv?site=demo&days=7")).header("cookie", &camille);
    let csv = csv.send().await.unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(csv.headers()["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"accueil-demo-"));
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("section,measure,value\r\n"), "{text}");
    assert!(text.contains("chat,conversations,2\r\n") && text.contains("self_service,unanswered,1\r\n"), "{text}");
    assert!(text.contains(&format!("{},3,1,2,1,1\r\n", dashboard.to)), "{text}");

    // A period the dashboard does not offer names the field; another site is not found; an editor
    // sees the dashboard of their sites too.
    let odd = app.client.get(app.url("/v1/agent/dashboard?site=demo&days=12")).header("cookie", &camille);
    assert_eq!(error_fields(odd.send().await.unwrap(), 422, ErrorCode::ValidationFailed).await[0].0, "days");
    let nadia = app.signed_in_on("nadia@autre.example", &SiteScope::Only(vec!["autre".to_owned()])).await;
    let elsewhere = app.client.get(app.url("/v1/agent/dashboard?site=demo")).header("cookie", &nadia);
    assert_eq!(elsewhere.send().await.unwrap().status(), 404);
    let demo = SiteScope::Only(vec!["demo".to_owned()]);
    let ines = app.signed_in_with_role("ines@maison-lumiere.example", &demo, AgentRole::Editor).await;
    let seen: Dashboard = app.agent_get("/v1/agent/dashboard?site=demo", &ines).await;
    assert_eq!((seen.days, seen.chat.conversations), (30, 2));
    let anonymous = app.client.get(app.url("/v1/agent/dashboard?site=demo")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}
