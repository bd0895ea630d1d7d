//! The only code of the widget that speaks HTTP to the Accueil server, in `accueil_protocol` types.
//! The widget document is served by the Accueil server itself, so URLs are relative to it.

use accueil_protocol::{
    AcceptAnswer, Answer, Callback, CallbackOptions, Callbacks, ChatAvailability, CreateCallback, CreateSession,
    Erased, ErrorBody, Faq, FaqEvent, FaqEventReport, Locale, MyThreads, NewAnswer, NewThread, PhoneChecked,
    PhoneNumber, ReportPost, SessionCreated, SimilarQuestions, SiteConfig, Thread, Threads, TranscriptRequest,
    VisitorData, VoteCount, VoteRequest,
};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;

#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// No answer, or an answer that is not the JSON we expect (offline, proxy page, ...).
    Unreachable,
    /// The server answered with an error.
    Refused { status: u16, body: Option<ErrorBody> },
}

impl ApiFailure {
    /// The error body of a refusal, if the server sent one.
    pub fn body(&self) -> Option<&ErrorBody> {
        match self {
            ApiFailure::Refused { body, .. } => body.as_ref(),
            ApiFailure::Unreachable => None,
        }
    }
}

fn site_path(site: &str, rest: &str) -> String {
    format!("/v1/sites/{}/{rest}", String::from(js_sys::encode_uri_component(site)))
}

/// Reads a success as `T` and anything else as a refusal with the standard error body.
async fn read<T: DeserializeOwned>(sent: Result<Response, gloo_net::Error>) -> Result<T, ApiFailure> {
    let response = sent.map_err(|_| ApiFailure::Unreachable)?;
    if response.ok() {
        response.json().await.map_err(|_| ApiFailure::Unreachable)
    } else {
        Err(ApiFailure::Refused { status: response.status(), body: response.json().await.ok() })
    }
}

async fn get<T: DeserializeOwned>(request: RequestBuilder) -> Result<T, ApiFailure> {
    read(request.send().await).await
}

async fn post<T: DeserializeOwned>(request: RequestBuilder, body: &impl serde::Serialize) -> Result<T, ApiFailure> {
    let request = request.json(body).map_err(|_| ApiFailure::Unreachable)?;
    read(request.send().await).await
}

fn bearer(request: RequestBuilder, token: &str) -> RequestBuilder {
    request.header("Authorization", &format!("Bearer {token}"))
}

pub async fn site_config(site: &str) -> Result<SiteConfig, ApiFailure> {
    get(Request::get(&site_path(site, "config"))).await
}

/// The published FAQ of `locale`; `None` when the site has none. The browser revalidates it with its
/// ETag, so a reopened widget does not download it again.
pub async fn faq(site: String, locale: Locale) -> Result<Option<Faq>, ApiFailure> {
    // The locale goes in as a query parameter rather than in the path: gloo-net appends a `&` to a path
    // that already has a query, and the URL would then miss the copy the server preloaded (`Link`).
    match get(Request::get(&site_path(&site, "faq")).query([("locale", locale.tag())])).await {
        Err(ApiFailure::Refused { status: 404, .. }) => Ok(None),
        other => other.map(Some),
    }
}

/// Reports a FAQ event. Fire and forget: feedback must never get in the visitor's way. When the
/// document is about to go away (`leaving`: the visitor opens another of the widget's documents) it is
/// sent with `keepalive`, which the browser completes after the page is gone (a beacon could not carry
/// JSON's content type).
pub fn report(site: &str, locale: Locale, event: FaqEvent, leaving: bool) {
    let url = site_path(site, "faq/events");
    let body = FaqEventReport { locale, event };
    let Ok(json) = serde_json::to_string(&body) else { return };
    if leaving {
        let sent = (|| {
            let init = web_sys::RequestInit::new();
            init.set_method("POST");
            // Not in web-sys' bindings: set on the plain object the browser reads.
            js_sys::Reflect::set(&init, &"keepalive".into(), &true.into()).ok()?;
            init.set_body(&wasm_bindgen::JsValue::from_str(&json));
            let headers = web_sys::Headers::new().ok()?;
            headers.set("content-type", "application/json").ok()?;
            init.set_headers(&headers);
            Some(web_sys::window()?.fetch_with_str_and_init(&url, &init))
        })();
        if sent.is_some() {
            return;
        }
    }
    leptos::task::spawn_local(async move {
        if let Ok(request) = Request::post(&url).header("content-type", "application/json").body(json) {
            let _ = request.send().await;
        }
    });
}

/// Starts the visitor's session, with the host page's `IdentityProof` when it gave one. The proof is
/// passed on as the JSON text it came in: only the server judges it, so the widget does not decode it
/// (and carries no code to).
pub async fn create_session(
    site: &str,
    locale: Locale,
    identity_json: Option<String>,
) -> Result<SessionCreated, ApiFailure> {
    let anonymous = CreateSession { site: site.to_owned(), locale: Some(locale), identity: None };
    let mut body = serde_json::to_string(&anonymous).map_err(|_| ApiFailure::Unreachable)?;
    if let Some(identity) = identity_json {
        body.pop();
        body.push_str(",\"identity\":");
        body.push_str(&identity);
        body.push('}');
    }
    let request = Request::post("/v1/sessions").header("content-type", "application/json").body(body);
    read(request.map_err(|_| ApiFailure::Unreachable)?.send().await).await
}

/// Passes on the host page's `IdentityProof` (as the JSON text it came in) for the session the visitor
/// has. What the server made of it shows in the session; nothing here depends on it.
pub async fn identify(token: &str, identity_json: String) {
    let request = bearer(Request::post("/v1/sessions/current/identity"), token)
        .header("content-type", "application/json")
        .body(identity_json);
    if let Ok(request) = request {
        let _ = request.send().await;
    }
}

pub async fn callback_options(site: &str, locale: Locale) -> Result<CallbackOptions, ApiFailure> {
    get(Request::get(&site_path(site, &format!("callback-options?locale={}", locale.tag())))).await
}

pub async fn phone_check(site: &str, number: &PhoneNumber) -> Result<PhoneChecked, ApiFailure> {
    post(Request::post(&site_path(site, "phone-check")), number).await
}

/// Books a callback; `key` is the same for every retry of one submit.
pub async fn create_callback(token: &str, key: &str, request: &CreateCallback) -> Result<Callback, ApiFailure> {
    post(bearer(Request::post("/v1/callbacks"), token).header("Idempotency-Key", key), request).await
}

pub async fn my_callbacks(token: &str) -> Result<Callbacks, ApiFailure> {
    get(bearer(Request::get("/v1/callbacks"), token)).await
}

pub async fn cancel_callback(token: &str, id: &str) -> Result<Callback, ApiFailure> {
    let url = format!("/v1/callbacks/{}/cancel", String::from(js_sys::encode_uri_component(id)));
    read(bearer(Request::post(&url), token).send().await).await
}

/// A request that answers 204 on success.
async fn no_content(request: RequestBuilder, body: &impl serde::Serialize) -> Result<(), ApiFailure> {
    let request = request.json(body).map_err(|_| ApiFailure::Unreachable)?;
    let response = request.send().await.map_err(|_| ApiFailure::Unreachable)?;
    if response.ok() {
        Ok(())
    } else {
        Err(ApiFailure::Refused { status: response.status(), body: response.json().await.ok() })
    }
}

fn maybe_bearer(request: RequestBuilder, token: Option<&str>) -> RequestBuilder {
    match token {
        Some(token) => bearer(request, token),
        None => request,
    }
}

fn encoded(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

/// The site's questions; `query` is the query string after `?` (sort, topic, q).
pub async fn community_threads(site: &str, query: &str, token: Option<&str>) -> Result<Threads, ApiFailure> {
    get(maybe_bearer(Request::get(&site_path(site, &format!("community/threads?{query}"))), token)).await
}

pub async fn community_thread(id: &str, token: Option<&str>) -> Result<Thread, ApiFailure> {
    get(maybe_bearer(Request::get(&format!("/v1/community/threads/{}", encoded(id))), token)).await
}

pub async fn similar_questions(site: &str, locale: Locale, q: &str) -> Result<SimilarQuestions, ApiFailure> {
    get(Request::get(&site_path(site, &format!("community/similar?locale={}&q={}", locale.tag(), encoded(q))))).await
}

pub async fn ask(token: &str, question: &NewThread) -> Result<Thread, ApiFailure> {
    post(bearer(Request::post("/v1/community/threads"), token), question).await
}

pub async fn answer(token: &str, thread: &str, answer: &NewAnswer) -> Result<Answer, ApiFailure> {
    post(bearer(Request::post(&format!("/v1/community/threads/{}/answers", encoded(thread))), token), answer).await
}

pub async fn vote(token: &str, post_id: &str, up: bool) -> Result<VoteCount, ApiFailure> {
    post(bearer(Request::put(&format!("/v1/community/posts/{}/vote", encoded(post_id))), token), &VoteRequest { up })
        .await
}

pub async fn report_post(token: &str, post_id: &str) -> Result<(), ApiFailure> {
    let url = format!("/v1/community/posts/{}/report", encoded(post_id));
    no_content(bearer(Request::post(&url), token), &ReportPost { reason: None }).await
}

pub async fn accept_answer(token: &str, thread: &str, answer: &str) -> Result<(), ApiFailure> {
    let url = format!("/v1/community/threads/{}/accept", encoded(thread));
    no_content(bearer(Request::post(&url), token), &AcceptAnswer { answer: answer.to_owned() }).await
}

pub async fn my_threads(token: &str) -> Result<MyThreads, ApiFailure> {
    get(bearer(Request::get("/v1/community/mine"), token)).await
}

pub async fn delete_post(token: &str, post_id: &str) -> Result<(), ApiFailure> {
    let request = bearer(Request::delete(&format!("/v1/community/posts/{}", encoded(post_id))), token);
    let response = request.send().await.map_err(|_| ApiFailure::Unreachable)?;
    if response.ok() {
        Ok(())
    } else {
        Err(ApiFailure::Refused { status: response.status(), body: response.json().await.ok() })
    }
}

pub async fn chat_availability(site: &str) -> Result<ChatAvailability, ApiFailure> {
    get(Request::get(&site_path(site, "chat/availability"))).await
}

pub async fn rate_chat(token: &str, conversation: &str, score: u8) -> Result<(), ApiFailure> {
    let url = format!("/v1/conversations/{}/rating", encoded(conversation));
    no_content(bearer(Request::post(&url), token), &accueil_protocol::ChatRating { score }).await
}

pub async fn transcript(token: &str, conversation: &str, request: &TranscriptRequest) -> Result<(), ApiFailure> {
    let url = format!("/v1/conversations/{}/transcript", encoded(conversation));
    no_content(bearer(Request::post(&url), token), request).await
}

/// Whether the session has an open conversation, to offer it first on the home view.
pub async fn has_open_conversation(token: &str) -> bool {
    // Past every message number: the conversation without its messages. Only the status is read, so
    // the home document carries no chat types.
    let url = format!("/v1/conversations/current/messages?after={}", u64::MAX);
    bearer(Request::get(&url), token).send().await.is_ok_and(|response| response.ok())
}

/// Everything the server holds for the session: as the server wrote it (the file the visitor
/// downloads) and read.
pub async fn my_data(token: &str) -> Result<(String, VisitorData), ApiFailure> {
    let response = bearer(Request::get("/v1/sessions/current/data"), token).send().await;
    let response = response.map_err(|_| ApiFailure::Unreachable)?;
    if !response.ok() {
        return Err(ApiFailure::Refused { status: response.status(), body: response.json().await.ok() });
    }
    let text = response.text().await.map_err(|_| ApiFailure::Unreachable)?;
    let data = serde_json::from_str(&text).map_err(|_| ApiFailure::Unreachable)?;
    Ok((text, data))
}

/// Erases the session and everything tied to it; what went.
pub async fn erase_my_data(token: &str) -> Result<Erased, ApiFailure> {
    get(bearer(Request::delete("/v1/sessions/current"), token)).await
}
