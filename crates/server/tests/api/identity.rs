//! Signed identity: the brand's word on who its signed-in customer is, believed only when signed with
//! one of the site's secrets (two during a rotation) or its ES256 key, recently, once, for this site;
//! anything else stays a claim. A verified customer finds their conversation on another device.

use crate::chat_console::{until, visitor_with_message};
use crate::helpers::{IDENTITY_OLD_SECRET, IDENTITY_SECRET, TestApp, spawn_app};
use crate::live::join;
use accueil_protocol::{Customer, ServerFrame, Session, SessionCreated, VisitorData};
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use sha2::Sha256;

fn now() -> i64 {
    accueil_server::now()
}

/// An HMAC proof computed as the brand's server does (PROTOCOL.md), not with the server's own code.
fn signed(secret: &str, id: &str, name: &str, issued_at: i64) -> Value {
    let text = format!("accueil-identity-v1\ndemo\n{id}\n{name}\n\n{issued_at}");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(text.as_bytes());
    let signature: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    json!({"id": id, "name": name, "issued_at": issued_at, "signature": signature})
}

fn jwt(algorithm: Algorithm, key: &EncodingKey, claims: Value) -> Value {
    json!({"jwt": encode(&Header::new(algorithm), &claims, key).unwrap()})
}

fn es256_key() -> EncodingKey {
    EncodingKey::from_ec_pem(include_bytes!("keys/es256-private.pem")).unwrap()
}

async fn start(app: &TestApp, identity: Value) -> SessionCreated {
    let body = json!({"site": "demo", "identity": identity});
    let response = app.client.post(app.url("/v1/sessions")).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

fn customer(session: &Session) -> (Option<&str>, bool) {
    session.customer.as_ref().map_or((None, false), |c: &Customer| (c.id.as_deref(), c.verified))
}

#[tokio::test]
async fn a_recent_proof_signed_with_an_active_secret_is_believed_and_nothing_else() {
    let app = spawn_app().await;
    let t = now();
    let good = start(&app, signed(IDENTITY_SECRET, "C-1042", "Léa", t)).await;
    assert_eq!(customer(&good.session), (Some("C-1042"), true));
    assert_eq!(good.session.customer.as_ref().unwrap().name.as_deref(), Some("Léa"));
    let rotated = start(&app, signed(IDENTITY_OLD_SECRET, "C-2001", "Hugo", t)).await;
    assert_eq!(customer(&rotated.session), (Some("C-2001"), true), "the secret being rotated out still works");

    let mut tampered = signed(IDENTITY_SECRET, "C-1042", "Léa", t);
    tampered["id"] = json!("C-9999");
    let cases = [
        ("tampered", tampered),
        ("unknown secret", signed("a-secret-the-site-never-had-000000", "C-3", "X", t)),
        ("expired", signed(IDENTITY_SECRET, "C-4", "X", t - 601)),
        ("from the future", signed(IDENTITY_SECRET, "C-5", "X", t + 3600)),
        ("unsigned", json!({"id": "C-6", "name": "X"})),
        ("not hex", json!({"id": "C-7", "issued_at": t, "signature": "zz"})),
    ];
    for (what, proof) in cases {
        let claimed = proof["id"].as_str().map(str::to_owned);
        let session = start(&app, proof).await.session;
        assert_eq!(customer(&session), (claimed.as_deref(), false), "{what}: a claim, not an identity");
    }
}

#[tokio::test]
async fn a_proof_serves_one_session_and_a_claim_never_undoes_an_identity() {
    let app = spawn_app().await;
    let proof = signed(IDENTITY_SECRET, "C-1042", "Léa", now());
    let first = start(&app, proof.clone()).await;
    assert!(customer(&first.session).1);

    // The same proof again (lifted from the page, replayed elsewhere): refused.
    let replayed = start(&app, proof.clone()).await;
    assert_eq!(customer(&replayed.session), (Some("C-1042"), false));

    // The first session presenting it again is fine; a bad claim afterwards changes nothing.
    let identify = |token: String, body: Value| {
        app.client.post(app.url("/v1/sessions/current/identity")).bearer_auth(token).json(&body).send()
    };
    let again: Session = identify(first.token.clone(), proof).await.unwrap().json().await.unwrap();
    assert_eq!(customer(&again), (Some("C-1042"), true));
    let claim: Session = identify(first.token.clone(), json!({"id": "C-666"})).await.unwrap().json().await.unwrap();
    assert_eq!(customer(&claim), (Some("C-1042"), true), "still the verified customer");

    let unknown = identify(first.token, json!({"id": "C-1", "colour": "red"})).await.unwrap();
    assert_eq!(unknown.status(), 400, "unknown fields are named, not ignored");
}

#[tokio::test]
async fn jwts_signed_hs256_or_es256_for_this_site_are_believed() {
    let app = spawn_app().await;
    let t = now();
    let claims = |sub: &str, aud: &str| json!({"sub": sub, "name": "Léa", "aud": aud, "iat": t});
    let hs256 = EncodingKey::from_secret(IDENTITY_SECRET.as_bytes());
    let cases = [
        ("HS256", jwt(Algorithm::HS256, &hs256, claims("C-10", "demo")), Some("C-10"), true),
        ("ES256", jwt(Algorithm::ES256, &es256_key(), claims("C-11", "demo")), Some("C-11"), true),
        ("another site's", jwt(Algorithm::HS256, &hs256, claims("C-12", "autre")), None, false),
        (
            "expired",
            jwt(Algorithm::HS256, &hs256, json!({"sub": "C-13", "aud": "demo", "iat": t - 601})),
            Some("C-13"),
            false,
        ),
        (
            "past its exp",
            jwt(Algorithm::HS256, &hs256, json!({"sub": "C-14", "aud": "demo", "iat": t, "exp": t - 120})),
            None,
            false,
        ),
        (
            "wrong key",
            jwt(
                Algorithm::HS256,
                &EncodingKey::from_secret(b"not-the-sites-secret-00000000000"),
                claims("C-15", "demo"),
            ),
            None,
            false,
        ),
        ("unsigned", json!({"jwt": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJDLTE2IiwiYXVkIjoiZGVtbyJ9."}), None, false),
    ];
    for (what, proof, id, verified) in cases {
        let session = start(&app, proof).await.session;
        assert_eq!(customer(&session), (id, verified), "{what}");
    }
}

#[tokio::test]
async fn a_verified_customer_finds_their_open_chat_on_another_device_and_erasing_takes_both() {
    // Arrange: on the phone, a session signed in as C-1042 with an open conversation.
    let app = spawn_app().await;
    let (phone, _socket, conversation) = visitor_with_message(&app, "Ma commande n'est pas arrivée").await;
    let phone_proof = signed(IDENTITY_SECRET, "C-1042", "Léa", now());
    let identified = app
        .client
        .post(app.url("/v1/sessions/current/identity"))
        .bearer_auth(&phone)
        .json(&phone_proof)
        .send()
        .await
        .unwrap();
    assert_eq!(identified.status(), 200);

    // Act: on the laptop, a page signed later signs the same customer in (the same second would make
    // the same proof, which serves one session only).
    let laptop = start(&app, signed(IDENTITY_SECRET, "C-1042", "Léa", now() + 5)).await;

    // Assert: the same conversation, with its message, live and in the data.
    assert_eq!(customer(&laptop.session), (Some("C-1042"), true));
    assert!(laptop.joined, "the laptop joined the phone's session");
    let mut socket = join(&app, &laptop.token, None).await;
    let resumed = until(&mut socket, |f| match f {
        ServerFrame::Conversation { conversation } => Some(conversation),
        _ => None,
    })
    .await;
    assert_eq!(resumed.id, conversation.id, "the phone's conversation, not a new one");
    let data: VisitorData = app
        .client
        .get(app.url("/v1/sessions/current/data"))
        .bearer_auth(&laptop.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bodies: Vec<&str> =
        data.conversations.iter().flat_map(|c| c.messages.iter().map(|m| m.body.as_str())).collect();
    assert_eq!(bodies, ["Ma commande n'est pas arrivée"]);

    // Erasing from the laptop erases the customer's data on every device.
    let erased = app.client.delete(app.url("/v1/sessions/current")).bearer_auth(&laptop.token).send().await.unwrap();
    assert_eq!(erased.status(), 200);
    for token in [&phone, &laptop.token] {
        let after = app.client.get(app.url("/v1/sessions/current")).bearer_auth(token).send().await.unwrap();
        assert_eq!(after.status(), 401);
    }
}

#[tokio::test]
async fn the_documented_brand_side_examples_sign_proofs_the_server_believes() {
    let app = spawn_app().await;
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/identity");
    let runs: [(&str, &str, &str); 3] =
        [("sh", "sign.sh", "C-sh"), ("node", "sign.mjs", "C-node"), ("python3", "sign.py", "C-python")];
    for (program, file, id) in runs {
        let output = std::process::Command::new(program)
            .arg(examples.join(file))
            .args(["demo", id, "Léa Dupont", "lea@example.fr"])
            .env("ACCUEIL_IDENTITY_SECRET", IDENTITY_SECRET)
            .output()
            .unwrap_or_else(|e| panic!("{program} runs: {e}"));
        assert!(output.status.success(), "{file}: {}", String::from_utf8_lossy(&output.stderr));
        let proof: Value = serde_json::from_slice(&output.stdout).expect("the example prints JSON");
        let session = start(&app, proof).await.session;
        assert_eq!(customer(&session), (Some(id), true), "{file}");
        assert_eq!(session.customer.unwrap().name.as_deref(), Some("Léa Dupont"), "{file}");
    }
}

#[tokio::test]
async fn agents_see_whom_the_site_vouched_for_beside_the_conversation_and_the_callback() {
    // Arrange: a verified customer who chats and books a call, and a visitor who only claims an id.
    let app = spawn_app().await;
    let camille = app.signed_in().await;
    let (token, _socket, conversation) = visitor_with_message(&app, "Bonjour").await;
    let identify = |token: String, body: Value| {
        app.client.post(app.url("/v1/sessions/current/identity")).bearer_auth(token).json(&body).send()
    };
    identify(token.clone(), signed(IDENTITY_SECRET, "C-1042", "Léa", now())).await.unwrap();
    let slot = crate::callbacks::options(&app).await.slots[0].start.clone();
    let request = crate::callbacks::request(&slot, "0611223344");
    assert_eq!(crate::callbacks::book(&app, &token, "vouched-1", &request).await.status(), 201);
    let (claimer, _other, claimed) = visitor_with_message(&app, "Je suis le client C-1").await;
    identify(claimer, json!({"id": "C-1"})).await.unwrap();

    // Act
    let conversations: accueil_protocol::AgentConversations =
        app.agent_get("/v1/agent/conversations?site=demo&filter=all", &camille).await;
    let callbacks: accueil_protocol::AgentCallbacks = app.agent_get("/v1/agent/callbacks?site=demo", &camille).await;

    // Assert
    let of = |id: &str| conversations.conversations.iter().find(|c| c.id == id).and_then(|c| c.customer.clone());
    let verified = Customer { id: Some("C-1042".to_owned()), name: Some("Léa".to_owned()), verified: true };
    assert_eq!(of(&conversation.id), Some(verified.clone()));
    assert_eq!(of(&claimed.id), Some(Customer { id: Some("C-1".to_owned()), name: None, verified: false }));
    assert_eq!(callbacks.callbacks[0].customer, Some(verified));
}
