//! The console's only HTTP code: the `/v1/agent/*` routes, same origin, cookie-authenticated.

use accueil_protocol::{
    Account, Accounts, Agent, AgentCallback, AgentCallbacks, AgentConversation, AgentConversations, AgentLogin,
    AgentMessage, AgentPresence, AgentSites, AgentTeam, Answer, AuditLog, CallbackOptions, CallbackResult,
    CannedReplies, CannedReply, ChangeAccount, ChangePassword, ChatHistory, ChatMessage, Dashboard, ErrorBody, FaqEdit,
    FaqEntry, FaqPreview, FaqPreviewed, FaqReport, FaqSource, FaqSynonyms, FieldCode, ForgottenPassword, Invite,
    LinkInfo, LinkPassword, LinkToken, Locale, Moderation, ModerationAction, ModerationQueue, NewCannedReply,
    OfficialAnswer, Presence, SettingsChange, SiteSettings, Thread, Threads, TransferConversation,
};
use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;

#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    Unreachable,
    Refused { status: u16, body: Option<ErrorBody> },
}

impl ApiFailure {
    /// What to show next to `field`, in the agent's language where the refusal's code says enough
    /// (missing, too short, a wrong address or password), else the server's own reason.
    pub fn field_message(&self, field: &str, locale: Locale) -> Option<String> {
        use crate::i18n::{Key, text};
        let ApiFailure::Refused { body: Some(body), .. } = self else { return None };
        let error = body.error.fields.iter().find(|f| f.field == field)?;
        let key = match (field, error.code) {
            (_, FieldCode::Required) => Some(Key::FieldRequired),
            ("new" | "password", FieldCode::TooShort) => Some(Key::PasswordTooShort),
            (_, FieldCode::TooLong) => Some(Key::FieldTooLong),
            ("email", FieldCode::Invalid) => Some(Key::EmailInvalid),
            ("email", FieldCode::NotAllowed) => Some(Key::EmailTaken),
            ("current", FieldCode::Invalid) => Some(Key::CurrentPasswordWrong),
            ("sites", FieldCode::Invalid) => Some(Key::SitesInvalid),
            _ => None,
        };
        Some(key.map_or_else(|| error.reason.clone(), |key| text(locale, key).to_owned()))
    }

    /// The reason the server gave for `field`, to show next to it.
    pub fn field_reason(&self, field: &str) -> Option<String> {
        match self {
            ApiFailure::Refused { body: Some(body), .. } => {
                body.error.fields.iter().find(|f| f.field == field).map(|f| f.reason.clone())
            }
            _ => None,
        }
    }
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiFailure> {
    if response.ok() {
        response.json().await.map_err(|_| ApiFailure::Unreachable)
    } else {
        Err(ApiFailure::Refused { status: response.status(), body: response.json().await.ok() })
    }
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiFailure> {
    read(Request::get(url).send().await.map_err(|_| ApiFailure::Unreachable)?).await
}

async fn send<B: serde::Serialize, T: DeserializeOwned>(
    request: gloo_net::http::RequestBuilder,
    body: &B,
) -> Result<T, ApiFailure> {
    let request = request.json(body).map_err(|_| ApiFailure::Unreachable)?;
    read(request.send().await.map_err(|_| ApiFailure::Unreachable)?).await
}

pub async fn me() -> Result<Agent, ApiFailure> {
    get("/v1/agent/me").await
}

pub async fn login(email: String, password: String) -> Result<Agent, ApiFailure> {
    send(Request::post("/v1/agent/login"), &AgentLogin { email, password }).await
}

pub async fn logout() -> Result<(), ApiFailure> {
    let response = Request::post("/v1/agent/logout").send().await.map_err(|_| ApiFailure::Unreachable)?;
    if response.ok() || response.status() == 401 {
        Ok(())
    } else {
        Err(ApiFailure::Refused { status: response.status(), body: response.json().await.ok() })
    }
}

/// Sends `body` where the answer has no body of its own (204, 202).
async fn send_for_status<B: serde::Serialize>(
    request: gloo_net::http::RequestBuilder,
    body: &B,
) -> Result<(), ApiFailure> {
    let request = request.json(body).map_err(|_| ApiFailure::Unreachable)?;
    let response = request.send().await.map_err(|_| ApiFailure::Unreachable)?;
    if response.ok() {
        Ok(())
    } else {
        Err(ApiFailure::Refused { status: response.status(), body: response.json().await.ok() })
    }
}

pub async fn change_password(current: String, new: String) -> Result<(), ApiFailure> {
    send_for_status(Request::put("/v1/agent/password"), &ChangePassword { current, new }).await
}

/// Asks for a link to choose a new password; the same answer whether or not the address has an account.
pub async fn forgotten_password(email: String, locale: Locale) -> Result<(), ApiFailure> {
    send_for_status(Request::post("/v1/agent/password/forgotten"), &ForgottenPassword { email, locale }).await
}

/// What a link sent by email is for.
pub async fn link_info(token: String) -> Result<LinkInfo, ApiFailure> {
    send(Request::post("/v1/agent/link"), &LinkToken { token }).await
}

/// Uses a link to set the password; signed in on success.
pub async fn link_password(token: String, password: String) -> Result<Agent, ApiFailure> {
    send(Request::post("/v1/agent/link/password"), &LinkPassword { token, password }).await
}

pub async fn invite(invite: Invite) -> Result<Account, ApiFailure> {
    send(Request::post("/v1/agent/accounts"), &invite).await
}

pub async fn accounts() -> Result<Accounts, ApiFailure> {
    get("/v1/agent/accounts").await
}

pub async fn change_account(id: i64, change: ChangeAccount) -> Result<Account, ApiFailure> {
    send(Request::put(&format!("/v1/agent/accounts/{id}")), &change).await
}

pub async fn deactivate_account(id: i64) -> Result<Account, ApiFailure> {
    send(Request::post(&format!("/v1/agent/accounts/{id}/deactivate")), &serde_json::json!({})).await
}

pub async fn audit_log() -> Result<AuditLog, ApiFailure> {
    get("/v1/agent/audit").await
}

pub async fn dashboard(site: &str, days: u32) -> Result<Dashboard, ApiFailure> {
    get(&format!("/v1/agent/dashboard?site={site}&days={days}")).await
}

pub async fn settings(site: &str) -> Result<SiteSettings, ApiFailure> {
    get(&format!("/v1/agent/settings/{site}")).await
}

pub async fn change_settings(site: &str, change: &SettingsChange) -> Result<SiteSettings, ApiFailure> {
    send(Request::put(&format!("/v1/agent/settings/{site}")), change).await
}

pub async fn sites() -> Result<AgentSites, ApiFailure> {
    get("/v1/agent/sites").await
}

pub async fn faq_source(site: String, locale: Locale) -> Result<FaqSource, ApiFailure> {
    get(&format!("/v1/agent/faq/{site}/{}", locale.tag())).await
}

pub async fn save_entry(site: String, locale: Locale, id: String, edit: FaqEdit) -> Result<FaqEntry, ApiFailure> {
    let id = String::from(js_sys::encode_uri_component(&id));
    send(Request::put(&format!("/v1/agent/faq/{site}/{}/{id}", locale.tag())), &edit).await
}

pub async fn preview(markdown: String) -> Result<FaqPreviewed, ApiFailure> {
    send(Request::post("/v1/agent/faq/preview"), &FaqPreview { markdown }).await
}

pub async fn report(site: String, locale: Locale, days: u32) -> Result<FaqReport, ApiFailure> {
    get(&format!("/v1/agent/faq/{site}/{}/report?days={days}", locale.tag())).await
}

pub async fn restore(site: String) -> Result<(), ApiFailure> {
    let response =
        Request::post(&format!("/v1/agent/faq/{site}/restore")).send().await.map_err(|_| ApiFailure::Unreachable)?;
    if response.ok() {
        Ok(())
    } else {
        Err(ApiFailure::Refused { status: response.status(), body: response.json().await.ok() })
    }
}

pub async fn save_synonyms(site: String, locale: Locale, groups: Vec<Vec<String>>) -> Result<FaqSynonyms, ApiFailure> {
    send(Request::put(&format!("/v1/agent/synonyms/{site}/{}", locale.tag())), &FaqSynonyms { groups }).await
}

pub async fn callbacks(site: &str, open: bool) -> Result<AgentCallbacks, ApiFailure> {
    get(&format!("/v1/agent/callbacks?site={site}&state={}", if open { "open" } else { "closed" })).await
}

pub async fn claim_callback(id: &str) -> Result<AgentCallback, ApiFailure> {
    let url = format!("/v1/agent/callbacks/{}/claim", String::from(js_sys::encode_uri_component(id)));
    read(Request::post(&url).send().await.map_err(|_| ApiFailure::Unreachable)?).await
}

pub async fn record_call(id: &str, result: &CallbackResult) -> Result<AgentCallback, ApiFailure> {
    let url = format!("/v1/agent/callbacks/{}/outcome", String::from(js_sys::encode_uri_component(id)));
    send(Request::post(&url), result).await
}

/// The free windows a missed call can be moved to (the same the visitors see).
pub async fn callback_slots(site: &str) -> Result<CallbackOptions, ApiFailure> {
    get(&format!("/v1/sites/{site}/callback-options")).await
}

pub async fn moderation_queue(site: &str) -> Result<ModerationQueue, ApiFailure> {
    get(&format!("/v1/agent/community/queue?site={site}")).await
}

/// Applies a moderation action; the post as it now stands, or `None` once deleted.
pub async fn moderate(id: &str, action: ModerationAction) -> Result<(), ApiFailure> {
    let url = format!("/v1/agent/community/posts/{}/moderate", String::from(js_sys::encode_uri_component(id)));
    send_for_status(Request::post(&url), &Moderation { action }).await
}

pub async fn recent_threads(site: &str) -> Result<Threads, ApiFailure> {
    get(&format!("/v1/sites/{site}/community/threads?sort=recent")).await
}

pub async fn thread(id: &str) -> Result<Thread, ApiFailure> {
    get(&format!("/v1/community/threads/{}", String::from(js_sys::encode_uri_component(id)))).await
}

pub async fn official_answer(thread: &str, body: String) -> Result<Answer, ApiFailure> {
    let url = format!("/v1/agent/community/threads/{}/answers", String::from(js_sys::encode_uri_component(thread)));
    send(Request::post(&url), &OfficialAnswer { body }).await
}

pub async fn conversations(site: &str, filter: &str) -> Result<AgentConversations, ApiFailure> {
    get(&format!("/v1/agent/conversations?site={site}&filter={filter}")).await
}

fn conversation_path(id: &str, rest: &str) -> String {
    format!("/v1/agent/conversations/{}/{rest}", String::from(js_sys::encode_uri_component(id)))
}

pub async fn claim_conversation(id: &str) -> Result<AgentConversation, ApiFailure> {
    read(Request::post(&conversation_path(id, "claim")).send().await.map_err(|_| ApiFailure::Unreachable)?).await
}

pub async fn conversation_messages(id: &str, after: u64) -> Result<ChatHistory, ApiFailure> {
    get(&conversation_path(id, &format!("messages?after={after}"))).await
}

pub async fn reply(id: &str, client_id: String, body: String) -> Result<ChatMessage, ApiFailure> {
    send(Request::post(&conversation_path(id, "messages")), &AgentMessage { client_id, body }).await
}

pub async fn close_conversation(id: &str) -> Result<AgentConversation, ApiFailure> {
    read(Request::post(&conversation_path(id, "close")).send().await.map_err(|_| ApiFailure::Unreachable)?).await
}

pub async fn transfer(id: &str, agent: i64) -> Result<AgentConversation, ApiFailure> {
    send(Request::post(&conversation_path(id, "transfer")), &TransferConversation { agent }).await
}

pub async fn team() -> Result<AgentTeam, ApiFailure> {
    get("/v1/agent/team").await
}

pub async fn presence() -> Result<AgentPresence, ApiFailure> {
    get("/v1/agent/presence").await
}

pub async fn set_presence(presence: Presence) -> Result<AgentPresence, ApiFailure> {
    send(Request::put("/v1/agent/presence"), &AgentPresence { presence }).await
}

pub async fn canned_replies(site: &str) -> Result<CannedReplies, ApiFailure> {
    get(&format!("/v1/agent/canned-replies?site={site}")).await
}

pub async fn add_canned_reply(reply: &NewCannedReply) -> Result<CannedReply, ApiFailure> {
    send(Request::post("/v1/agent/canned-replies"), reply).await
}

pub async fn delete_canned_reply(id: i64) -> Result<(), ApiFailure> {
    let response =
        Request::delete(&format!("/v1/agent/canned-replies/{id}")).send().await.map_err(|_| ApiFailure::Unreachable)?;
    if response.ok() { Ok(()) } else { Err(ApiFailure::Refused { status: response.status(), body: None }) }
}
