//! Callback requests: options, phone checks, booking with an idempotency key, the caps, the agents'
//! queue with its race-safe claim, outcomes the visitor sees, cancelling, erasure and the webhook.

use crate::helpers::{TestApp, WEBHOOK_SECRET, error_fields, spawn_app, spawn_app_with};
use accueil_protocol::{
    AgentCallback, AgentCallbacks, Callback, CallbackEvent, CallbackEventKind, CallbackOptions, CallbackStatus,
    Callbacks, ErrorBody, ErrorCode, PhoneChecked, SessionCreated,
};
use accueil_server::callbacks::maintenance::{erase_expired_phones, signature};
use serde_json::{Value, json};

pub(crate) async fn session(app: &TestApp) -> String {
    let response =
        app.client.post(app.url("/v1/sessions")).json(&json!({"site": "demo", "locale": "fr"})).send().await.unwrap();
    let created: SessionCreated = response.json().await.unwrap();
    created.token
}

pub(crate) async fn options(app: &TestApp) -> CallbackOptions {
    let response = app.client.get(app.url("/v1/sites/demo/callback-options?locale=fr")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    response.json().await.unwrap()
}

pub(crate) fn request(start: &str, number: &str) -> Value {
    json!({
        "phone": {"country": "FR", "number": number},
        "name": "Claire <b>",
        "topic": "Ma lampe <script>clignote</script>",
        "when": {"type": "slot", "start": start},
        "consent": true,
        "consent_version": "v1",
        "locale": "fr",
        "context": {"page": "https://shop.example/lampe", "searches": ["lampe clignote"], "articles": ["Garantie"]}
    })
}

pub(crate) async fn book(app: &TestApp, token: &str, key: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/v1/callbacks"))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn mine(app: &TestApp, token: &str) -> Vec<Callback> {
    let response = app.client.get(app.url("/v1/callbacks")).bearer_auth(token).send().await.unwrap();
    response.json::<Callbacks>().await.unwrap().callbacks
}

#[tokio::test]
async fn options_list_free_slots_countries_and_the_consent_text() {
    let app = spawn_app().await;
    let options = options(&app).await;
    assert_eq!(options.time_zone, "Europe/Paris");
    assert_eq!(options.default_country, "FR");
    let codes: Vec<(String, u16)> = options.countries.iter().map(|c| (c.country.clone(), c.calling_code)).collect();
    assert_eq!(codes, [("FR".to_owned(), 33), ("BE".to_owned(), 32)]);
    assert!(options.slots.len() > 40, "a week of 30-minute slots");
    assert!(options.slots.iter().all(|s| s.free == 2));
    assert!(options.slots.windows(2).all(|w| w[0].start < w[1].start));
    assert_eq!(options.consent.version, "v1");
    assert_eq!(options.consent.text, "J'accepte d'être appelé.");
    assert!(!options.asap, "nobody is in the console");
    let unknown = app.client.get(app.url("/v1/sites/acme/callback-options")).send().await.unwrap();
    error_fields(unknown, 404, ErrorCode::NotFound).await;
}

#[tokio::test]
async fn the_phone_check_answers_e164_or_names_the_field() {
    let app = spawn_app().await;
    let check = |country: &str, number: &str| {
        app.client
            .post(app.url("/v1/sites/demo/phone-check"))
            .json(&json!({"country": country, "number": number}))
            .send()
    };
    let ok: PhoneChecked = check("FR", "06 12 34 56 78").await.unwrap().json().await.unwrap();
    assert_eq!(ok.e164, "+33612345678");
    let fields = error_fields(check("FR", "06 12").await.unwrap(), 422, ErrorCode::ValidationFailed).await;
    assert_eq!(fields[0].0, "number");
    let fields = error_fields(check("US", "+1 202 555 0100").await.unwrap(), 422, ErrorCode::ValidationFailed).await;
    assert_eq!(fields[0].0, "country");
    let fields = error_fields(check("FR", "+44 7911 123456").await.unwrap(), 422, ErrorCode::ValidationFailed).await;
    assert_eq!(fields[0], ("number".to_owned(), "a number of a country this site does not call".to_owned()));
}

#[tokio::test]
async fn a_retried_submit_is_one_request_and_a_full_slot_offers_the_next_ones() {
    let app = spawn_app().await;
    let slot = options(&app).await.slots[1].clone();
    let body = request(&slot.start, "06 12 34 56 78");
    let visitor = session(&app).await;
    let first = book(&app, &visitor, "key-1", &body).await;
    assert_eq!(first.status(), 201);
    let created: Callback = first.json().await.unwrap();
    assert_eq!((created.status, created.phone.as_deref()), (CallbackStatus::Scheduled, Some("06 12 34 56 78")));
    assert_eq!((created.start.as_str(), created.end.as_str()), (slot.start.as_str(), slot.end.as_str()));

    let retry = book(&app, &visitor, "key-1", &body).await;
    assert_eq!(retry.status(), 200, "a retry answers the original");
    assert_eq!(retry.json::<Callback>().await.unwrap().id, created.id);
    assert_eq!(mine(&app, &visitor).await.len(), 1);
    let reused = book(&app, &visitor, "key-1", &request(&slot.start, "06 98 76 54 32")).await;
    let fields = error_fields(reused, 422, ErrorCode::ValidationFailed).await;
    assert_eq!(fields[0].0, "idempotency-key");

    // The slot takes two; the second is another visitor's, the third is refused with the next slots.
    let other = session(&app).await;
    assert_eq!(book(&app, &other, "k", &request(&slot.start, "06 11 11 11 11")).await.status(), 201);
    assert_eq!(options(&app).await.slots.iter().find(|s| s.start == slot.start), None, "a full slot is not offered");
    let third = session(&app).await;
    let full = book(&app, &third, "k", &request(&slot.start, "06 22 22 22 22")).await;
    assert_eq!(full.status(), 409);
    let body: ErrorBody = full.json().await.unwrap();
    assert_eq!(body.error.code, ErrorCode::SlotFull);
    let next = body.next_slots.expect("next free slots");
    assert_eq!(next.len(), 3);
    assert!(next.iter().all(|s| s.start > slot.start && s.free > 0));
    assert!(mine(&app, &third).await.is_empty());
}

#[tokio::test]
async fn bad_requests_name_every_field_and_store_nothing() {
    let app = spawn_app().await;
    let visitor = session(&app).await;
    let mut body = request("2020-01-06T08:00:00Z", "06 12");
    body["consent"] = json!(false);
    body["topic"] = json!("  ");
    let fields = error_fields(book(&app, &visitor, "k1", &body).await, 422, ErrorCode::ValidationFailed).await;
    let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(names, ["phone.number", "topic", "consent", "when.start"]);
    assert!(fields.iter().any(|(f, r)| f == "when.start" && r == "this time has passed"));

    let off_grid = options(&app).await.slots[0].start.replace(":00Z", ":07Z");
    let fields = error_fields(
        book(&app, &visitor, "k2", &request(&off_grid, "0612345678")).await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    assert_eq!(fields, [("when.start".to_owned(), "not a slot within opening hours".to_owned())]);

    let mut asap = request("", "0612345678");
    asap["when"] = json!({"type": "asap"});
    let fields = error_fields(book(&app, &visitor, "k3", &asap).await, 422, ErrorCode::ValidationFailed).await;
    assert_eq!(fields[0].0, "when", "nobody is in the console");

    let no_key = app.client.post(app.url("/v1/callbacks")).bearer_auth(&visitor).json(&body).send().await.unwrap();
    assert_eq!(error_fields(no_key, 400, ErrorCode::InvalidRequest).await[0].0, "idempotency-key");
    let mut unknown = request("x", "0612345678");
    unknown["when"] = json!({"type": "tomorrow"});
    assert_eq!(
        error_fields(book(&app, &visitor, "k4", &unknown).await, 400, ErrorCode::InvalidRequest).await[0].0,
        "when.type"
    );
    let anonymous =
        app.client.post(app.url("/v1/callbacks")).header("idempotency-key", "k").json(&body).send().await.unwrap();
    error_fields(anonymous, 401, ErrorCode::Unauthorized).await;
    assert!(mine(&app, &visitor).await.is_empty(), "nothing was stored");
}

#[tokio::test]
async fn a_number_has_a_daily_cap_and_a_session_a_cap_on_open_requests() {
    let app = spawn_app().await;
    let slots = options(&app).await.slots;
    let visitor = session(&app).await;
    for (i, slot) in slots.iter().take(3).enumerate() {
        assert_eq!(book(&app, &visitor, &format!("k{i}"), &request(&slot.start, "0612345678")).await.status(), 201);
    }
    let fourth = book(&app, &visitor, "k3", &request(&slots[3].start, "0698765432")).await;
    assert_eq!(error_fields(fourth, 422, ErrorCode::ValidationFailed).await[0].0, "session");
    let other = session(&app).await;
    let same_number = book(&app, &other, "k", &request(&slots[3].start, "+33 6 12 34 56 78")).await;
    assert_eq!(error_fields(same_number, 422, ErrorCode::ValidationFailed).await[0].0, "phone.number");
}

#[tokio::test]
async fn two_agents_claim_at_once_one_wins_and_the_visitor_sees_the_outcome() {
    let app = spawn_app().await;
    let slots = options(&app).await.slots;
    let visitor = session(&app).await;
    let created: Callback =
        book(&app, &visitor, "k", &request(&slots[0].start, "0612345678")).await.json().await.unwrap();
    let camille = app.signed_in().await;
    let hugo = app.signed_in_as("hugo@maison-lumiere.example").await;

    let queue: AgentCallbacks = app.agent_get("/v1/agent/callbacks?site=demo", &camille).await;
    let item = &queue.callbacks[0];
    assert_eq!((item.phone.as_deref(), item.name.as_deref()), (Some("+33612345678"), Some("Claire <b>")));
    assert_eq!(item.context.searches, ["lampe clignote"]);
    assert_eq!(item.context.page.as_deref(), Some("https://shop.example/lampe"));
    assert_eq!(item.consent_version, "v1");
    assert!(options(&app).await.asap, "an agent has the console open");

    let claim = |cookie: &str| {
        app.client.post(app.url(&format!("/v1/agent/callbacks/{}/claim", created.id))).header("cookie", cookie).send()
    };
    let (a, b) = tokio::join!(claim(&camille), claim(&hugo));
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "one agent wins");
    let (winner, loser) = if a.status() == 200 { (&camille, &hugo) } else { (&hugo, &camille) };
    let conflict = if a.status() == 200 { b } else { a };
    error_fields(conflict, 409, ErrorCode::Conflict).await;
    assert_eq!(claim(winner).await.unwrap().status(), 200, "claiming one's own again is harmless");
    let status = |app: &TestApp| {
        let (url, token) = (app.url(&format!("/v1/callbacks/{}", created.id)), visitor.clone());
        let client = app.client.clone();
        async move { client.get(url).bearer_auth(token).send().await.unwrap().json::<Callback>().await.unwrap().status }
    };
    assert_eq!(status(&app).await, CallbackStatus::InProgress);

    let outcome = |cookie: &str, body: Value| {
        app.client
            .post(app.url(&format!("/v1/agent/callbacks/{}/outcome", created.id)))
            .header("cookie", cookie)
            .json(&body)
            .send()
    };
    let by_loser = outcome(loser, json!({"outcome": "reached"})).await.unwrap();
    error_fields(by_loser, 409, ErrorCode::Conflict).await;
    let bad_retry = outcome(winner, json!({"outcome": "no_answer", "retry": "2020-01-01T00:00:00Z"})).await.unwrap();
    assert_eq!(error_fields(bad_retry, 422, ErrorCode::ValidationFailed).await[0].0, "retry");
    let retried: AgentCallback =
        outcome(winner, json!({"outcome": "no_answer", "notes": "messagerie", "retry": slots[4].start}))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!((retried.status, retried.attempts, retried.agent.clone()), (CallbackStatus::Scheduled, 1, None));
    assert_eq!(retried.start, slots[4].start);
    assert_eq!(status(&app).await, CallbackStatus::Scheduled);

    assert_eq!(claim(loser).await.unwrap().status(), 200, "a rescheduled request is free to claim");
    let done: AgentCallback =
        outcome(loser, json!({"outcome": "reached", "notes": "lampe échangée"})).await.unwrap().json().await.unwrap();
    assert_eq!((done.status, done.attempts, done.notes.as_str()), (CallbackStatus::Done, 2, "lampe échangée"));
    assert_eq!(status(&app).await, CallbackStatus::Done);
    let closed: AgentCallbacks = app.agent_get("/v1/agent/callbacks?site=demo&state=closed", winner).await;
    assert_eq!(closed.callbacks.len(), 1);
    let open: AgentCallbacks = app.agent_get("/v1/agent/callbacks?site=demo", winner).await;
    assert!(open.callbacks.is_empty());

    // Past the retention, the number and name are erased; the rest stays for the record.
    let store = accueil_server::store::open(&app.database_url).await.unwrap();
    erase_expired_phones(&app.file_sites(), store.as_ref(), accueil_server::now() + 29 * 86_400).await;
    assert!(mine(&app, &visitor).await[0].phone.is_some(), "kept for 30 days");
    erase_expired_phones(&app.file_sites(), store.as_ref(), accueil_server::now() + 31 * 86_400).await;
    assert_eq!(mine(&app, &visitor).await[0].phone, None);
    let closed: AgentCallbacks = app.agent_get("/v1/agent/callbacks?site=demo&state=closed", winner).await;
    assert_eq!((closed.callbacks[0].phone.clone(), closed.callbacks[0].name.clone()), (None, None));
}

#[tokio::test]
async fn a_visitor_cancels_their_own_request_and_nobody_else_s() {
    let app = spawn_app().await;
    let slots = options(&app).await.slots;
    let visitor = session(&app).await;
    let created: Callback =
        book(&app, &visitor, "k", &request(&slots[0].start, "0612345678")).await.json().await.unwrap();
    let stranger = session(&app).await;
    let cancel = |token: &str, id: &str| {
        app.client.post(app.url(&format!("/v1/callbacks/{id}/cancel"))).bearer_auth(token).send()
    };
    let theirs = cancel(&stranger, &created.id).await.unwrap();
    let missing = cancel(&stranger, "cb_doesnotexist").await.unwrap();
    let (a, b) = (theirs.text().await.unwrap(), missing.text().await.unwrap());
    assert_eq!(a, b, "another's request and no request answer the same 404");
    assert!(a.contains("not_found"));
    let read =
        app.client.get(app.url(&format!("/v1/callbacks/{}", created.id))).bearer_auth(&stranger).send().await.unwrap();
    error_fields(read, 404, ErrorCode::NotFound).await;

    let cancelled: Callback = cancel(&visitor, &created.id).await.unwrap().json().await.unwrap();
    assert_eq!(cancelled.status, CallbackStatus::Cancelled);
    assert_eq!(options(&app).await.slots[0].free, 2, "the place is free again");
    let agent = app.signed_in().await;
    let claim = app
        .client
        .post(app.url(&format!("/v1/agent/callbacks/{}/claim", created.id)))
        .header("cookie", &agent)
        .send()
        .await
        .unwrap();
    error_fields(claim, 409, ErrorCode::Conflict).await;

    // Erasing the session erases its requests.
    app.client.delete(app.url("/v1/sessions/current")).bearer_auth(&visitor).send().await.unwrap();
    let queue: AgentCallbacks = app.agent_get("/v1/agent/callbacks?site=demo&state=closed", &agent).await;
    assert!(queue.callbacks.is_empty());
}

/// The brand's webhook endpoint on loopback: its URL, and what it received (headers, body) in order.
/// `answer` gives the status of each call, by its number from 0.
pub(crate) async fn webhook_receiver(
    answer: fn(usize) -> axum::http::StatusCode,
) -> (String, tokio::sync::mpsc::UnboundedReceiver<(axum::http::HeaderMap, String)>) {
    let (sender, received) = tokio::sync::mpsc::unbounded_channel();
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let receiver = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let (sender, calls) = (sender.clone(), calls.clone());
            async move {
                let _ = sender.send((headers, body));
                answer(calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await });
    (hook, received)
}

#[tokio::test]
async fn the_webhook_receives_signed_events_without_blocking_the_visitor() {
    let (hook, mut received) = webhook_receiver(|_| axum::http::StatusCode::NO_CONTENT).await;
    let app = spawn_app_with(move |key| (key == "TEST_WEBHOOK_URL").then(|| hook.clone())).await;

    let slots = options(&app).await.slots;
    let visitor = session(&app).await;
    let created: Callback =
        book(&app, &visitor, "k", &request(&slots[0].start, "0612345678")).await.json().await.unwrap();
    app.client
        .post(app.url(&format!("/v1/callbacks/{}/cancel", created.id)))
        .bearer_auth(&visitor)
        .send()
        .await
        .unwrap();

    let mut events = Vec::new();
    while events.len() < 2 {
        let (headers, body) = tokio::time::timeout(std::time::Duration::from_secs(10), received.recv())
            .await
            .expect("delivered within seconds")
            .expect("receiver alive");
        let timestamp: i64 = headers["x-accueil-timestamp"].to_str().unwrap().parse().unwrap();
        assert_eq!(headers["x-accueil-signature"], signature(WEBHOOK_SECRET, timestamp, body.as_bytes()));
        events.push(serde_json::from_str::<CallbackEvent>(&body).unwrap());
    }
    let kinds: Vec<CallbackEventKind> = events.iter().map(|e| e.event).collect();
    assert_eq!(kinds, [CallbackEventKind::Created, CallbackEventKind::Cancelled]);
    assert_eq!(events[0].callback.id, created.id);
    assert_ne!(events[0].id, events[1].id);
}

#[tokio::test]
async fn a_webhook_the_brand_failed_to_take_is_delivered_again_once() {
    // Arrange: the brand's endpoint fails the first time (a deploy, a restart), then takes it.
    let (hook, mut received) = webhook_receiver(|call| match call {
        0 => axum::http::StatusCode::SERVICE_UNAVAILABLE,
        _ => axum::http::StatusCode::NO_CONTENT,
    })
    .await;
    let app = spawn_app_with(move |key| (key == "TEST_WEBHOOK_URL").then(|| hook.clone())).await;

    // Act
    let slots = options(&app).await.slots;
    let visitor = session(&app).await;
    assert_eq!(book(&app, &visitor, "k", &request(&slots[0].start, "0612345678")).await.status(), 201);

    // Assert: refused once, delivered again about ten seconds later, and not a third time.
    let mut deliveries = Vec::new();
    while deliveries.len() < 2 {
        let delivery = tokio::time::timeout(std::time::Duration::from_secs(30), received.recv())
            .await
            .expect("retried within 30 s")
            .expect("receiver alive");
        deliveries.push(delivery);
    }
    let ids: Vec<String> =
        deliveries.iter().map(|(_, body)| serde_json::from_str::<CallbackEvent>(body).unwrap().id).collect();
    assert_eq!(ids[0], ids[1], "the same event, so the brand can tell a retry from a new one");
    let third = tokio::time::timeout(std::time::Duration::from_secs(12), received.recv()).await;
    assert!(third.is_err(), "a delivery taken is not sent again: {third:?}");
}
