//! The wire contract of Accueil v1: every JSON body of the HTTP API and every message between the host
//! page and the widget iframe. Serde types only, no I/O; PROTOCOL.md documents each type with an example,
//! and `src/tests.rs` checks those examples against these types both ways.
//!
//! Versioning rule: within v1 changes are additive only. Responses may gain fields, so readers of
//! responses (the widget, the console) ignore unknown fields; requests are read strictly by the server
//! (`deny_unknown_fields`), because the server is always the newest party.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod server_frame;

/// Derives `schemars::JsonSchema` on native builds, where the committed schema files are generated.
macro_rules! wire {
    ($($item:item)*) => {$(
        #[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
        $item
    )*};
}

wire! {
    /// A language the widget speaks. Serialized as its BCP 47 primary tag.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Locale {
        Fr,
        En,
    }

    /// `GET /v1/sites/{site}/config`: what the widget needs to present a site. Public, no token.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct SiteConfig {
        /// The site's identifier, as in the embed tag's `data-site`.
        pub site: String,
        /// The brand's name, shown in the widget header.
        pub name: String,
        /// Locales the site offers, the default first.
        pub locales: Vec<Locale>,
        pub default_locale: Locale,
        pub theme: Theme,
        pub features: Features,
        pub business_hours: BusinessHours,
    }

    /// Brand colours as `#rrggbb`; `on_primary` is the text colour readable on `primary` (WCAG AA).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Theme {
        pub primary: String,
        pub on_primary: String,
        pub position: LauncherPosition,
    }

    /// Which corner of the host page holds the launcher.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum LauncherPosition {
        BottomRight,
        BottomLeft,
    }

    /// The channels a site has switched on.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Features {
        pub faq: bool,
        pub chat: bool,
        pub callback: bool,
        pub community: bool,
    }

    /// Weekly opening hours in the site's IANA time zone.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct BusinessHours {
        pub time_zone: String,
        pub weekly: Vec<OpeningHours>,
        /// Days the desk is closed whatever the weekly hours say (public holidays, one-off closures):
        /// no chat hours, no callback slots.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub closures: Vec<Closure>,
    }

    /// Local days `first_day` to `last_day` (both included, `YYYY-MM-DD`) on which the desk is closed.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Closure {
        pub first_day: String,
        pub last_day: String,
        /// What the team calls it ("Noël", "Inventaire"); shown in the console only.
        #[serde(default)]
        pub label: String,
    }

    /// One opening span, `opens` and `closes` as `HH:MM` local time, applying to each of `days`.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct OpeningHours {
        pub days: Vec<Weekday>,
        pub opens: String,
        pub closes: String,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Weekday {
        Mon,
        Tue,
        Wed,
        Thu,
        Fri,
        Sat,
        Sun,
    }

    /// `POST /v1/sessions`: opens an anonymous visitor session once the visitor acts.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct CreateSession {
        pub site: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub locale: Option<Locale>,
        /// The brand's signed word on who its signed-in customer is, when the host page gave one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub identity: Option<IdentityProof>,
    }

    /// Who the brand's site says its signed-in customer is, signed by the brand's server with a
    /// per-site secret (see PROTOCOL.md, "Signed identity"): either the fields with an HMAC-SHA256
    /// `signature` of them and `issued_at`, or a `jwt` (HS256 with that secret, or ES256). Also the body
    /// of `POST /v1/sessions/current/identity`.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct IdentityProof {
        /// The brand's customer id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub email: Option<String>,
        /// Unix seconds when the brand's server signed it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub issued_at: Option<i64>,
        /// Lowercase hex HMAC-SHA256 of the documented text.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub signature: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub jwt: Option<String>,
    }

    /// The customer a session belongs to, as far as the brand vouched for it.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Customer {
        /// The brand's customer id (as claimed, when not verified).
        pub id: Option<String>,
        pub name: Option<String>,
        /// Signed by the brand, recently: agents can trust it. Otherwise only claimed.
        pub verified: bool,
    }

    /// The answer to `POST /v1/sessions`. The token is shown once: the server keeps only its hash.
    /// Clients send it back as `Authorization: Bearer <token>`, never in a URL.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct SessionCreated {
        pub token: String,
        pub session: Session,
        /// The token opens a session that already existed: a verified customer's, from another device.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        pub joined: bool,
    }

    /// A visitor session as the visitor may see it (`GET /v1/sessions/current`).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Session {
        pub site: String,
        pub locale: Option<Locale>,
        /// RFC 3339, UTC.
        pub created_at: String,
        /// Present once the host page said who the visitor is (`verified` says whether to believe it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub customer: Option<Customer>,
    }

    /// `GET /v1/sessions/current/data`: everything the server holds for the session, for its holder to
    /// read and to download as a file (`accueil-data.json`). Its JSON Schema is `schema/VisitorData.json`.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct VisitorData {
        /// `accueil.visitor-data.v1`: a file says which format it follows.
        pub format: String,
        /// RFC 3339, UTC.
        pub exported_at: String,
        pub session: Session,
        /// How long the site keeps each kind of item.
        pub retention: Retention,
        /// Oldest first, each with every message.
        pub conversations: Vec<DataConversation>,
        /// Newest first.
        pub callbacks: Vec<DataCallback>,
        /// Community questions and answers, oldest first.
        pub posts: Vec<DataPost>,
        /// The posts this session voted for.
        pub votes: Vec<DataVote>,
        pub reports: Vec<DataReport>,
    }

    /// A site's retention, in days.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Retention {
        /// A closed conversation and its messages.
        pub chat_days: u32,
        /// A session nobody has used (with everything tied to it, as if its holder erased it).
        pub inactive_session_days: u32,
        /// A report on a community post.
        pub report_days: u32,
        /// The number and name of a closed callback request; `null` without the callback feature.
        pub phone_days: Option<u32>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct DataConversation {
        pub id: String,
        pub status: ConversationStatus,
        pub created_at: String,
        pub closed_at: Option<String>,
        /// The visitor's rating, 1 to 5.
        pub rating: Option<u8>,
        /// The name of the agent who took it.
        pub agent: Option<String>,
        pub messages: Vec<ChatMessage>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct DataCallback {
        pub id: String,
        pub status: CallbackStatus,
        pub asap: bool,
        pub start: String,
        pub end: String,
        /// In international format; `null` once erased after closing.
        pub phone: Option<String>,
        pub name: Option<String>,
        pub topic: String,
        /// The version of the consent the visitor gave, and its text when the site still has it.
        pub consent_version: String,
        pub consent_text: Option<String>,
        pub created_at: String,
        pub closed_at: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct DataPost {
        pub id: String,
        /// For an answer: the question's id.
        pub thread: Option<String>,
        /// For a question.
        pub title: Option<String>,
        /// As written (Markdown subset).
        pub body: String,
        pub pseudonym: String,
        pub status: PostStatus,
        pub created_at: String,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct DataVote {
        pub post: String,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct DataReport {
        pub post: String,
        pub reason: Option<String>,
        pub created_at: String,
    }

    /// The answer to `DELETE /v1/sessions/current`: what was erased. Community questions others
    /// answered stay, as "a visitor who left"'s (`anonymised_posts`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
    pub struct Erased {
        pub conversations: u32,
        pub messages: u32,
        pub callbacks: u32,
        /// Of `callbacks`, those not made yet: nobody will call.
        pub cancelled_callbacks: u32,
        pub posts: u32,
        pub anonymised_posts: u32,
        pub votes: u32,
        pub reports: u32,
    }

    /// The body of every failed request.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct ErrorBody {
        pub error: ErrorDetail,
        /// With `slot_full` only: the next free callback slots, to offer instead.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub next_slots: Option<Vec<CallbackSlot>>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct ErrorDetail {
        pub code: ErrorCode,
        /// A sentence for developers; user interfaces show their own translated text.
        pub message: String,
        /// Which input fields were wrong and why; empty when the error is not about a field.
        #[serde(default)]
        pub fields: Vec<FieldError>,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct FieldError {
        /// A dotted path into the request body (`locale`, `theme.primary`), or a header or query name.
        pub field: String,
        /// What is wrong, for clients to say it in their own words; `reason` is English for a person
        /// reading the raw answer and may change. Absent in answers of older servers: `invalid`.
        #[serde(default)]
        pub code: FieldCode,
        pub reason: String,
    }

    /// What is wrong with one field. New codes may appear within v1: clients treat an unknown one as
    /// `invalid`.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum FieldCode {
        /// Missing or empty.
        Required,
        /// Shorter than allowed.
        TooShort,
        /// Longer than allowed.
        TooLong,
        /// Not an acceptable value (a malformed number, an unknown option, a time that has passed).
        #[default]
        Invalid,
        /// A word or a character the site does not allow.
        NotAllowed,
        /// A pseudonym that would pass for the brand or its team.
        Impersonation,
        /// This session was blocked by a moderator.
        Blocked,
        /// A cap was reached (requests per number and day, open requests per session).
        LimitReached,
        /// What was chosen is no longer offered (a slot that filled up or passed, a changed consent text).
        Gone,
        #[serde(other)]
        Unknown,
    }

    /// Stable, machine-readable error codes. New codes may appear within v1: clients treat an unknown
    /// one as `unknown`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum ErrorCode {
        /// 400: the body is not valid JSON, or a field has the wrong type or is unknown.
        InvalidRequest,
        /// 401: a missing, unknown or expired token or agent session.
        Unauthorized,
        /// 403: a console change that did not come from the console's own pages (another origin).
        Forbidden,
        /// 404: no such site or resource (also for resources that belong to someone else).
        NotFound,
        /// 405: the route exists but not with this method.
        MethodNotAllowed,
        /// 413: the body is larger than the route accepts.
        PayloadTooLarge,
        /// 415: the body is not `application/json`.
        UnsupportedMediaType,
        /// 422: well-formed but invalid values.
        ValidationFailed,
        /// 409: the resource is not in a state that allows this (already claimed by another agent, closed...).
        Conflict,
        /// 409: the chosen callback slot filled up meanwhile; `next_slots` lists the next free ones.
        SlotFull,
        /// 429: too many requests from this client; `Retry-After` says when to try again.
        RateLimited,
        /// 500: the server failed; nothing about the cause is disclosed.
        Internal,
        /// 503: the server cannot store or read now (database unreachable, locked, full or failing).
        Unavailable,
        #[serde(other)]
        Unknown,
    }

    /// `POST /v1/agent/login` (console). On success the server sets an HttpOnly session cookie.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct AgentLogin {
        pub email: String,
        pub password: String,
    }

    /// The signed-in agent (`POST /v1/agent/login`, `GET /v1/agent/me`).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Agent {
        pub id: i64,
        pub email: String,
        pub name: String,
        /// What the console lets this person do; the server refuses the rest with 403.
        pub role: AgentRole,
    }

    /// `PUT /v1/agent/password`: the signed-in account's new password, with the current one.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ChangePassword {
        pub current: String,
        pub new: String,
    }

    /// `GET /v1/agent/accounts` (administrators): the team of the administrator's sites.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Accounts {
        pub accounts: Vec<Account>,
    }

    /// A console account as administrators manage it.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Account {
        pub id: i64,
        pub email: String,
        pub name: String,
        pub role: AgentRole,
        /// The sites it works on; `["*"]` for every site.
        pub sites: Vec<String>,
        /// `false` once deactivated: it can no longer sign in.
        pub active: bool,
        /// `true` while an invitation waits: the person has not chosen a password yet.
        pub invited: bool,
    }

    /// `POST /v1/agent/accounts` (administrators): a new account, sent an invitation by email to choose
    /// its password. `locale` is the language of that email.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Invite {
        pub email: String,
        pub name: String,
        pub role: AgentRole,
        pub sites: Vec<String>,
        pub locale: Locale,
    }

    /// `POST /v1/agent/password/forgotten`: sends a link to choose a new password, if an active
    /// account has this email; the answer is the same either way.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ForgottenPassword {
        pub email: String,
        pub locale: Locale,
    }

    /// `POST /v1/agent/link`: what a link sent by email is for, before its password is chosen.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct LinkToken {
        pub token: String,
    }

    /// The answer to `LinkToken`: whose link it is and what it does.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct LinkInfo {
        pub purpose: LinkPurpose,
        pub name: String,
        pub email: String,
    }

    /// What a link sent by email does.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum LinkPurpose {
        /// Sets the first password of an invited account.
        Invitation,
        /// Sets a forgotten password again.
        Reset,
    }

    /// `POST /v1/agent/link/password`: uses a link once to set the account's password, and signs in.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct LinkPassword {
        pub token: String,
        pub password: String,
    }

    /// `PUT /v1/agent/accounts/{id}` (administrators): an account's new role and sites.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ChangeAccount {
        pub role: AgentRole,
        pub sites: Vec<String>,
    }

    /// `GET /v1/agent/audit` (administrators): the latest changes to the team, newest first.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct AuditLog {
        pub entries: Vec<AuditEntry>,
    }

    /// One change: when (RFC 3339), by whom, what (`account_changed`, `account_deactivated`), to whom
    /// (an email), and the account before and after (JSON of an `Account`'s role, sites and state).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct AuditEntry {
        pub at: String,
        pub actor: String,
        pub action: String,
        pub subject: String,
        pub before: Option<String>,
        pub after: Option<String>,
    }

    /// A console account's role.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum AgentRole {
        /// Everything: the front desk, the FAQ, and (to come) the team and the sites' settings.
        Administrator,
        /// The front desk: conversations, callbacks and community moderation.
        Agent,
        /// The FAQ and the report of what visitors look for.
        Editor,
    }


    /// `GET /healthz` (the process answers) and `GET /readyz` (it can reach its database).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Health {
        pub status: HealthStatus,
        pub version: String,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum HealthStatus {
        Ok,
        Unavailable,
    }

    /// `GET /v1/sites/{site}/faq?locale=fr`: the published FAQ of one locale, compact enough for the
    /// widget to search itself. Revalidated with its ETag.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Faq {
        pub site: String,
        pub locale: Locale,
        /// The published snapshot; changes whenever content does.
        pub version: i64,
        pub entries: Vec<FaqEntry>,
        /// Groups of interchangeable words for search (`["livraison", "expédition", "colis"]`).
        pub synonyms: Vec<Vec<String>>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct FaqEntry {
        /// Stable across locales: the same question in French and English has the same id.
        pub id: String,
        pub question: String,
        /// Other ways visitors ask it; searched, not shown.
        pub phrasings: Vec<String>,
        pub tags: Vec<String>,
        pub category: String,
        /// Position within its category.
        pub order: i64,
        /// `YYYY-MM-DD`.
        pub updated: String,
        /// The answer as sanitized HTML (no script, no event handler, no `javascript:`); links to other
        /// entries are `#faq/<id>`.
        pub html: String,
        /// The answer as plain text, for search and snippets.
        pub text: String,
    }

    /// `GET /v1/sites/{site}/faq/search?locale=fr&q=...&k=10`: the same ranking on the server, for FAQs
    /// too large to ship.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct FaqSearchResults {
        pub hits: Vec<FaqSearchHit>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct FaqSearchHit {
        pub id: String,
        pub question: String,
        pub score: f32,
    }

    /// `POST /v1/sites/{site}/faq/events` (204): what visitors searched and thought, recorded in daily
    /// aggregates without any visitor identity.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct FaqEventReport {
        pub locale: Locale,
        pub event: FaqEvent,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
    pub enum FaqEvent {
        /// A query the visitor settled on, with how many good answers it found.
        Search { query: String, results: u32 },
        /// An entry opened; `query` is the search that led there, if any.
        View { entry: String, #[serde(default, skip_serializing_if = "Option::is_none")] query: Option<String> },
        /// "Was this helpful?" with an optional comment.
        Vote {
            entry: String,
            helpful: bool,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            comment: Option<String>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            query: Option<String>,
        },
    }

    /// `GET /v1/agent/sites` (console): the sites an agent works on.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct AgentSites {
        pub sites: Vec<AgentSite>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct AgentSite {
        pub site: String,
        pub name: String,
        pub locales: Vec<Locale>,
    }

    /// `GET /v1/agent/faq/{site}/{locale}` (console): the published entries with their Markdown source.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct FaqSource {
        pub site: String,
        pub locale: Locale,
        pub version: i64,
        pub entries: Vec<FaqSourceEntry>,
        /// Groups of interchangeable words for search, as in `synonyms.toml`.
        #[serde(default)]
        pub synonyms: Vec<Vec<String>>,
    }

    /// `PUT /v1/agent/synonyms/{site}/{locale}` (console): replaces a locale's synonym groups and
    /// publishes at once. Answers the groups as stored (trimmed, empty words and groups dropped).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct FaqSynonyms {
        pub groups: Vec<Vec<String>>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct FaqSourceEntry {
        pub id: String,
        pub question: String,
        pub phrasings: Vec<String>,
        pub tags: Vec<String>,
        pub category: String,
        pub order: i64,
        pub updated: String,
        pub markdown: String,
    }

    /// `PUT /v1/agent/faq/{site}/{locale}/{id}` (console): creates or replaces one entry and publishes
    /// the result as a new snapshot. Answers the entry as visitors now receive it.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct FaqEdit {
        pub question: String,
        #[serde(default)]
        pub phrasings: Vec<String>,
        #[serde(default)]
        pub tags: Vec<String>,
        pub category: String,
        #[serde(default)]
        pub order: i64,
        pub markdown: String,
    }

    /// `POST /v1/agent/faq/preview` (console): Markdown rendered exactly as it would be published.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct FaqPreview {
        pub markdown: String,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct FaqPreviewed {
        pub html: String,
    }

    /// `GET /v1/agent/settings/{site}` (administrators): the tag to paste into the brand's pages, with
    /// the launcher's colour and corner filled in, and the site's settings as TOML (secrets left out).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct SiteSettings {
        pub site: String,
        pub name: String,
        pub tag: String,
        pub toml: String,
        /// Counts the saved changes: a change names the revision it was made from, so two
        /// administrators editing at once cannot silently undo each other.
        pub revision: u64,
        pub form: SettingsForm,
    }

    /// `PUT /v1/agent/settings/{site}` (administrators): the whole form, made from `revision`. Answered
    /// with the new `SiteSettings`; applied on every node without a restart. A refused value comes back
    /// as a field error named by its path in the form (`callback.slot_minutes`).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct SettingsChange {
        pub revision: u64,
        pub form: SettingsForm,
    }

    /// What an administrator edits of a site: everything of its TOML section but its id, its FAQ
    /// folder and its identity secrets (those stay in the file).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct SettingsForm {
        pub name: String,
        /// The default first.
        pub locales: Vec<Locale>,
        /// `#rrggbb`.
        pub primary_color: String,
        pub position: LauncherPosition,
        pub features: Features,
        /// Origins allowed to embed the widget, like `https://shop.example`.
        pub allowed_origins: Vec<String>,
        pub business_hours: BusinessHours,
        /// Past this estimated wait, the widget offers a callback or a message.
        pub long_wait_minutes: u32,
        /// Kept while the callback feature is off, so switching it back on finds them.
        pub callback: Option<CallbackForm>,
        pub community: CommunityForm,
        pub retention: RetentionForm,
        /// How the brand vouches for its signed-in customers; absent: a claimed identity stays a claim.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub identity: Option<IdentityForm>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct IdentityForm {
        /// The brand's ES256 public key (PEM), for ES256 JWTs.
        pub es256_public_key: Option<String>,
        /// A proof older than this is refused.
        pub max_age_seconds: i64,
        /// How many shared secrets are stored (never the secrets themselves).
        #[serde(default)]
        pub secrets_set: u32,
        /// Write-only: in a change, replaces the stored secrets (one, or two while rotating, of 32
        /// characters or more); `None` keeps them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub new_secrets: Option<Vec<String>>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct CallbackForm {
        pub slot_minutes: u32,
        pub capacity_per_slot: u32,
        pub days_ahead: u32,
        /// ISO 3166 codes, the default first.
        pub countries: Vec<String>,
        /// Set by the server: a changed consent text is a new version, and each request keeps the
        /// version its visitor agreed to.
        pub consent_version: String,
        pub consent_text: BTreeMap<Locale, String>,
        pub phone_retention_days: u32,
        pub daily_cap_per_phone: u32,
        pub webhook_url: Option<String>,
        /// Write-only: never sent by the server. In a change, `None` keeps the current secret.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub webhook_secret: Option<String>,
        /// Whether a secret is stored (the only thing the console learns of it).
        #[serde(default)]
        pub webhook_secret_set: bool,
        /// Kinds of numbers called back (`mobile`, `fixed_line`...).
        pub number_types: Vec<String>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct CommunityForm {
        /// New posts wait for a moderator.
        pub pre_moderation: bool,
        pub word_filter: Vec<String>,
    }

    /// Days each kind of item is kept.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct RetentionForm {
        pub chat_days: u32,
        pub inactive_session_days: u32,
        pub report_days: u32,
    }

    /// `GET /v1/agent/dashboard?site=demo&days=30` (console): how the front desk did over the last
    /// `days` days (UTC, today included), per site, from what the server keeps. FAQ figures are anonymous
    /// daily counts; nothing here names a visitor.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Dashboard {
        pub site: String,
        pub days: u32,
        /// First and last day counted, `YYYY-MM-DD`.
        pub from: String,
        pub to: String,
        pub self_service: SelfService,
        pub chat: ChatFigures,
        pub callbacks: CallbackFigures,
        pub community: CommunityFigures,
        /// One row per day, oldest first, for the charts.
        pub daily: Vec<DayFigures>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct SelfService {
        pub searches: i64,
        /// Searches that found no good answer.
        pub unanswered: i64,
        /// FAQ answers opened.
        pub answers_read: i64,
        pub helpful: i64,
        pub not_helpful: i64,
        /// Contacts of any kind: conversations, callbacks asked for, community questions.
        pub contacts: i64,
        /// Answers read ÷ (answers read + contacts): of the times visitors sought help, the share the FAQ
        /// served without anyone. Absent when neither happened.
        pub self_service_share: Option<f64>,
    }

    /// Durations in seconds; absent when nothing was measured.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct ChatFigures {
        pub conversations: i64,
        /// Closed without any answer from the team.
        pub missed: i64,
        pub first_reply_median: Option<i64>,
        pub first_reply_p90: Option<i64>,
        pub close_median: Option<i64>,
        pub close_p90: Option<i64>,
        pub ratings: i64,
        /// Mean of the ratings, 1 to 5.
        pub rating_average: Option<f64>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct CallbackFigures {
        pub requested: i64,
        /// Called and reached.
        pub made: i64,
        pub missed: i64,
        pub cancelled: i64,
        /// Still to call.
        pub open: i64,
        /// By the hour the chosen window starts (the site's time), earliest first.
        pub by_window: Vec<WindowFigures>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct WindowFigures {
        /// `HH:00`, in the site's time zone.
        pub window: String,
        pub requested: i64,
        pub made: i64,
        pub missed: i64,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct CommunityFigures {
        pub questions: i64,
        /// Questions with at least one answer.
        pub answered: i64,
        pub first_answer_median: Option<i64>,
        pub reports: i64,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct DayFigures {
        pub day: String,
        pub searches: i64,
        pub unanswered: i64,
        pub conversations: i64,
        pub callbacks: i64,
        pub questions: i64,
    }

    /// `GET /v1/agent/faq/{site}/{locale}/report?days=30` (console): what visitors did not find and
    /// what did not help, from anonymous daily counts.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct FaqReport {
        pub site: String,
        pub locale: Locale,
        /// First day counted, `YYYY-MM-DD`.
        pub since: String,
        /// Searches that found no good answer, most frequent first.
        pub unanswered: Vec<QueryCount>,
        /// Entries by how unhelpful visitors found them, least helpful first.
        pub entries: Vec<EntryFeedback>,
        /// Comments left with "not helpful", newest first.
        pub comments: Vec<FaqComment>,
        /// Queries after which visitors repeatedly found an entry helpful, not yet among its phrasings.
        pub proposals: Vec<PhrasingProposal>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct QueryCount {
        pub query: String,
        pub searches: i64,
        /// The entry that comes closest (by meaning and words), to add the query to its phrasings in one
        /// action; absent when none is close.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub suggestion: Option<EntrySuggestion>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct EntrySuggestion {
        pub entry: String,
        pub question: String,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct EntryFeedback {
        pub id: String,
        pub question: String,
        pub views: i64,
        pub helpful: i64,
        pub not_helpful: i64,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct FaqComment {
        pub entry: String,
        pub comment: String,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct PhrasingProposal {
        pub entry: String,
        pub question: String,
        pub phrasing: String,
        pub votes: i64,
    }

    /// `GET /v1/sites/{site}/callback-options?locale=fr`: what the callback form offers right now.
    /// Public, not cached (slots fill up).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct CallbackOptions {
        /// The site's IANA time zone; slots are sent in UTC and shown in the visitor's own time.
        pub time_zone: String,
        /// Countries whose numbers the site calls, the site's default first.
        pub countries: Vec<CallingCountry>,
        /// ISO 3166 code of the country preselected when the browser's language names none of `countries`.
        pub default_country: String,
        /// Someone is free now: "as soon as possible" may be chosen.
        pub asap: bool,
        /// Free slots in the coming days, earliest first; full ones are left out.
        pub slots: Vec<CallbackSlot>,
        /// The consent text of `locale`, shown beside the consent box; its version is stored with a request.
        pub consent: ConsentText,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct CallingCountry {
        /// ISO 3166-1 alpha-2, upper case.
        pub country: String,
        pub calling_code: u16,
    }

    /// A window in which an agent calls back. `start` and `end` are RFC 3339, UTC.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct CallbackSlot {
        pub start: String,
        pub end: String,
        /// Requests the slot can still take.
        pub free: u32,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ConsentText {
        pub version: String,
        pub text: String,
    }

    /// `POST /v1/sites/{site}/phone-check`: checks a number as the visitor types, without storing it.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct PhoneNumber {
        /// ISO 3166-1 alpha-2 of the country selector.
        pub country: String,
        /// As typed: national (`06 12 34 56 78`) or international (`+33 6 12 34 56 78`).
        pub number: String,
    }

    /// A valid number (422 with the field `number` otherwise).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct PhoneChecked {
        pub e164: String,
        /// Formatted the way people of that country write it.
        pub national: String,
    }

    /// `POST /v1/callbacks` (visitor token and an `Idempotency-Key` header): asks to be called back.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct CreateCallback {
        pub phone: PhoneNumber,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub name: Option<String>,
        pub topic: String,
        pub when: CallbackWhen,
        /// The consent box was ticked.
        pub consent: bool,
        /// The version of the consent text that was shown (`CallbackOptions.consent.version`).
        pub consent_version: String,
        pub locale: Locale,
        #[serde(default)]
        pub context: VisitContext,
    }

    /// When to call: as soon as possible, or within the slot that starts at `start`.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
    pub enum CallbackWhen {
        Asap,
        Slot { start: String },
    }

    /// What the visitor did before asking for a person, shown to the agent. Sent only with a request.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct VisitContext {
        /// The host page the widget was opened on.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub page: Option<String>,
        /// FAQ searches of this visit, oldest first.
        #[serde(default)]
        pub searches: Vec<String>,
        /// Questions of the FAQ entries read during this visit, oldest first.
        #[serde(default)]
        pub articles: Vec<String>,
    }

    /// A callback request as its visitor sees it (`POST /v1/callbacks`, `GET /v1/callbacks/{id}`).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Callback {
        pub id: String,
        pub status: CallbackStatus,
        pub asap: bool,
        /// The window agreed, RFC 3339 UTC.
        pub start: String,
        pub end: String,
        /// The number as its owner writes it; `null` once erased after closing.
        pub phone: Option<String>,
        pub topic: String,
        pub created_at: String,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum CallbackStatus {
        /// Waiting for its slot (also after a missed call with a new window).
        Scheduled,
        /// An agent has taken it and is calling.
        InProgress,
        /// The visitor was reached.
        Done,
        /// Not reached (no answer without a new try, or a wrong number).
        Missed,
        /// Cancelled by the visitor.
        Cancelled,
        #[serde(other)]
        Unknown,
    }

    /// `GET /v1/callbacks`: the session's requests, newest first.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Callbacks {
        pub callbacks: Vec<Callback>,
    }

    /// `GET /v1/agent/callbacks?site=demo&state=open` (console): the queue, sorted by slot.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct AgentCallbacks {
        pub callbacks: Vec<AgentCallback>,
    }

    /// A callback request as agents work it.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct AgentCallback {
        pub id: String,
        pub site: String,
        pub status: CallbackStatus,
        pub asap: bool,
        pub start: String,
        pub end: String,
        /// E.164; `null` once erased after closing.
        pub phone: Option<String>,
        pub name: Option<String>,
        pub topic: String,
        pub locale: Locale,
        pub context: VisitContext,
        pub consent_version: String,
        pub created_at: String,
        /// The agent working it.
        pub agent: Option<AgentRef>,
        pub outcome: Option<CallbackOutcome>,
        pub notes: String,
        /// Calls tried so far.
        pub attempts: u32,
        /// Who the brand's site said the visitor is (`verified` when its signature held).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub customer: Option<Customer>,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct AgentRef {
        pub id: i64,
        pub name: String,
    }

    /// How a call went.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum CallbackOutcome {
        Reached,
        NoAnswer,
        WrongNumber,
        #[serde(other)]
        Unknown,
    }

    /// `POST /v1/agent/callbacks/{id}/outcome` (console, the claiming agent): closes the call, or with
    /// `no_answer` and `retry` schedules another try in the slot starting then.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct CallbackResult {
        pub outcome: CallbackOutcome,
        #[serde(default)]
        pub notes: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub retry: Option<String>,
    }

    /// The body of the optional webhook a brand's telephony or CRM receives, signed with HMAC-SHA256
    /// (see PROTOCOL.md, "Callback webhook").
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct CallbackEvent {
        /// Unique per event; a receiver drops one it has seen (deliveries are retried).
        pub id: String,
        pub event: CallbackEventKind,
        pub occurred_at: String,
        pub callback: AgentCallback,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum CallbackEventKind {
        Created,
        Cancelled,
        Closed,
    }

    /// `GET /v1/sites/{site}/community/threads?sort=recent&topic=sku-1234&q=lampe`: a site's public
    /// questions, 50 at most. With a visitor token, `mine` marks the visitor's own.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Threads {
        pub threads: Vec<ThreadSummary>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct ThreadSummary {
        pub id: String,
        pub title: String,
        pub pseudonym: String,
        /// The host page's tag (`data-topic`) the question was asked on, if any.
        pub topic: Option<String>,
        pub answers: u32,
        pub score: i64,
        /// An answer was accepted by the asker.
        pub solved: bool,
        pub status: PostStatus,
        pub mine: bool,
        pub created_at: String,
    }

    /// `GET /v1/community/threads/{id}`: a question with its answers, the accepted one first, then the
    /// brand's official ones, then by votes.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Thread {
        pub id: String,
        pub title: String,
        /// Sanitized HTML from the small Markdown subset (paragraphs, emphasis, code, lists, links).
        pub html: String,
        pub pseudonym: String,
        pub topic: Option<String>,
        pub score: i64,
        pub voted: bool,
        /// This visitor reported it (so the widget does not offer to report it again).
        #[serde(default)]
        pub reported: bool,
        pub mine: bool,
        pub status: PostStatus,
        pub created_at: String,
        pub answers: Vec<Answer>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Answer {
        pub id: String,
        pub html: String,
        pub pseudonym: String,
        /// Written by the brand's team in the console.
        pub official: bool,
        pub accepted: bool,
        pub score: i64,
        pub voted: bool,
        /// This visitor reported it (so the widget does not offer to report it again).
        #[serde(default)]
        pub reported: bool,
        pub mine: bool,
        pub status: PostStatus,
        pub created_at: String,
    }

    /// Visitors see visible posts, and their own pending or hidden ones.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum PostStatus {
        Visible,
        /// Waiting for a moderator (pre-moderated sites).
        Pending,
        /// Hidden by a moderator or by reports, until reviewed.
        Hidden,
        #[serde(other)]
        Unknown,
    }

    /// `POST /v1/community/threads` (visitor token): asks in public under a pseudonym.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct NewThread {
        pub title: String,
        /// Markdown subset.
        pub body: String,
        pub pseudonym: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub topic: Option<String>,
    }

    /// `POST /v1/community/threads/{id}/answers` (visitor token).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct NewAnswer {
        pub body: String,
        pub pseudonym: String,
    }

    /// `PUT /v1/community/posts/{id}/vote` (visitor token): `up: false` withdraws the vote.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct VoteRequest {
        pub up: bool,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct VoteCount {
        pub score: i64,
        pub voted: bool,
    }

    /// `POST /v1/community/threads/{id}/accept` (the asker's token).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct AcceptAnswer {
        pub answer: String,
    }

    /// `POST /v1/community/posts/{id}/report` (visitor token).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ReportPost {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub reason: Option<String>,
    }

    /// `GET /v1/sites/{site}/community/similar?locale=fr&q=...`: what already answers a question being
    /// typed, so the visitor can find it before asking again.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct SimilarQuestions {
        pub faq: Vec<FaqSearchHit>,
        pub threads: Vec<ThreadSummary>,
    }

    /// `GET /v1/community/mine` (visitor token): the visitor's questions with answers not yet seen.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct MyThreads {
        pub threads: Vec<MyThread>,
        /// Answers not yet seen, over all the visitor's questions.
        pub unread: u32,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct MyThread {
        pub id: String,
        pub title: String,
        pub answers: u32,
        pub unread: u32,
    }

    /// `GET /v1/agent/community/queue?site=demo` (console): posts waiting for approval or reported.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct ModerationQueue {
        pub posts: Vec<ModeratedPost>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct ModeratedPost {
        pub id: String,
        /// The question the post belongs to (itself for a question).
        pub thread: String,
        pub thread_title: String,
        pub html: String,
        pub pseudonym: String,
        pub status: PostStatus,
        pub reports: u32,
        pub reasons: Vec<String>,
        pub created_at: String,
    }

    /// `POST /v1/agent/community/posts/{id}/moderate` (console).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Moderation {
        pub action: ModerationAction,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum ModerationAction {
        /// Publish a pending post, or restore a hidden one (clears its reports).
        Approve,
        Hide,
        Delete,
        /// Hide every post of the session that wrote this one and refuse its new posts.
        BlockAuthor,
    }

    /// `POST /v1/agent/community/threads/{id}/answers` (console): an official answer, signed with the
    /// agent's name and the brand's.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct OfficialAnswer {
        pub body: String,
    }

    /// A frame a visitor's client sends on the `/v1/live` WebSocket. The first must be `hello`.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
    pub enum ClientFrame {
        /// Authenticates the connection with the session token (never in the URL) and, on reconnect,
        /// says the last message number held: the server sends every later one, in order.
        Hello {
            token: String,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            after: Option<u64>,
            /// The conversation `after` counts in; when it is not the open one, the server sends the
            /// open one from its first message.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            conversation: Option<String>,
        },
        /// Opens the session's conversation, or returns the open one (two tabs starting together get
        /// the same conversation).
        Start {
            locale: Locale,
            #[serde(default)]
            context: VisitContext,
        },
        /// A message; a retry with the same `client_id` is acknowledged with the original number and
        /// never stored twice.
        Send { client_id: String, body: String },
        /// The visitor is typing; sent at most every few seconds while they do. Agents show it briefly.
        Typing,
        /// The visitor has seen every message up to `seq` (the chat is on screen).
        Read { seq: u64 },
        /// The visitor ends the conversation.
        End,
        Ping,
    }

    /// A frame the server sends on `/v1/live`.
    // Read by the hand-written `Deserialize` of `server_frame.rs` (which says why), not a derived one.
    #[derive(Debug, Clone, PartialEq, Serialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    pub enum ServerFrame {
        /// The connection is authenticated; the open conversation, if any.
        Welcome { conversation: Option<Conversation> },
        Conversation { conversation: Conversation },
        /// A stored message, pushed after its transaction committed.
        Message { message: ChatMessage },
        /// The message of `client_id` is stored as number `seq`.
        Ack { client_id: String, seq: u64 },
        /// A refused frame; the connection stays open unless a close with a code follows.
        Error { code: LiveErrorCode, message: String },
        /// An agent is typing; shown for a few seconds, or until their message arrives.
        Typing,
        /// While the conversation waits for an agent: its place in the site's queue (1 is next) and a
        /// rough wait, `null` when nobody can answer now. Sent again whenever the queue moves.
        Queue { position: u32, estimated_wait_minutes: Option<u32> },
        /// How far the agents got with the visitor's messages: every message up to `delivered`
        /// reached an agent's console, every one up to `read` was on an agent's screen.
        Receipt { delivered: u64, read: u64 },
        Pong,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Conversation {
        pub id: String,
        pub status: ConversationStatus,
        /// The number of the last message; a client holding it is up to date.
        pub last_seq: u64,
        /// The name of the agent who took the conversation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub agent: Option<String>,
    }

    /// `GET /v1/agent/conversations?site=demo&filter=waiting|mine|all` (console), oldest first.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct AgentConversations {
        pub conversations: Vec<AgentConversation>,
    }

    /// A conversation as agents work it, with what the visitor searched and read before asking.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct AgentConversation {
        pub id: String,
        pub site: String,
        pub status: ConversationStatus,
        pub agent: Option<AgentRef>,
        pub locale: Locale,
        pub context: VisitContext,
        pub last_seq: u64,
        pub created_at: String,
        pub last_message: Option<ChatMessage>,
        /// The visitor has seen the messages up to this number.
        #[serde(default)]
        pub visitor_read: u64,
        /// Who the brand's site said the visitor is (`verified` when its signature held).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub customer: Option<Customer>,
    }

    /// A frame the console sends on `/v1/agent/live` (authenticated by the agent's cookie at the upgrade).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
    pub enum AgentClientFrame {
        /// The agent is typing in `conversation`; the visitor sees it for a few seconds.
        Typing { conversation: String },
        /// The agent has the conversation on screen up to message `seq`.
        Read { conversation: String, seq: u64 },
        Ping,
    }

    /// A frame the server sends on `/v1/agent/live`: what happens in the open conversations of the
    /// agent's sites, pushed as it happens.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    pub enum AgentServerFrame {
        /// A conversation was opened, taken, transferred or closed: its new state.
        Changed { conversation: Box<AgentConversation> },
        /// A stored message of `conversation`, pushed after its transaction committed.
        Message { conversation: String, message: ChatMessage },
        /// The visitor of `conversation` is typing.
        Typing { conversation: String },
        /// The visitor of `conversation` has seen the messages up to `read`.
        Receipt { conversation: String, read: u64 },
        Pong,
    }

    /// Whether an agent takes chats now; only online agents count in the availability visitors see.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Presence {
        Online,
        Away,
    }

    /// `PUT /v1/agent/presence` (console), and its answer.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct AgentPresence {
        pub presence: Presence,
    }

    /// `GET /v1/agent/team` (console): the agents a conversation can be handed to.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct AgentTeam {
        pub agents: Vec<TeamMember>,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct TeamMember {
        pub id: i64,
        pub name: String,
        pub presence: Presence,
        /// The console is open now.
        pub connected: bool,
    }

    /// `POST /v1/agent/conversations/{id}/transfer` (console, the agent who has it): hands it over.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct TransferConversation {
        pub agent: i64,
    }

    /// `GET /v1/agent/canned-replies?site=demo` (console): ready answers agents insert and adapt.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct CannedReplies {
        pub replies: Vec<CannedReply>,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct CannedReply {
        pub id: i64,
        pub title: String,
        pub body: String,
    }

    /// `POST /v1/agent/canned-replies` (console).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct NewCannedReply {
        pub site: String,
        pub title: String,
        pub body: String,
    }

    /// `POST /v1/conversations/{id}/rating` (visitor token): 1 to 5 once the chat has ended.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ChatRating {
        pub score: u8,
    }

    /// `POST /v1/conversations/{id}/transcript` (visitor token): the conversation by email. The address
    /// is handed to the mail transport and never stored.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct TranscriptRequest {
        pub email: String,
    }

    /// `POST /v1/agent/conversations/{id}/messages` (console, the agent who took it): a retry with the
    /// same `client_id` answers the stored message.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct AgentMessage {
        pub client_id: String,
        pub body: String,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum ConversationStatus {
        Waiting,
        Assigned,
        Closed,
        #[serde(other)]
        Unknown,
    }

    /// A message of a conversation, numbered from 1 without gaps.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ChatMessage {
        pub seq: u64,
        pub author: MessageAuthor,
        /// The name of the agent who wrote an agent's message (it stays theirs after a hand-over);
        /// none for the visitor's.
        #[serde(default)]
        pub agent: Option<String>,
        /// Plain text: clients show it as text, never as markup.
        pub body: String,
        /// The sender's id for its own messages (the visitor's `client_id`).
        pub client_id: Option<String>,
        pub sent_at: String,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum MessageAuthor {
        Visitor,
        Agent,
        #[serde(other)]
        Unknown,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum LiveErrorCode {
        /// Not JSON, an unknown `type`, a wrong field type.
        InvalidFrame,
        /// A field is not acceptable (an empty or too long message).
        ValidationFailed,
        /// `send` before `start`, or after the conversation ended.
        NoConversation,
        /// Too many messages per second on this connection.
        RateLimited,
        /// The server cannot store anything now (its database is full, locked or failing). What was not
        /// acknowledged was not stored; the server then closes with 1013 and the client resumes later.
        Unavailable,
        #[serde(other)]
        Unknown,
    }

    /// `GET /v1/sites/{site}/chat/availability`: whether someone can answer now, said before the visitor
    /// types anything.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ChatAvailability {
        /// Within the site's business hours.
        pub open: bool,
        /// Agents with the console open now.
        pub agents: u32,
        /// Conversations waiting for an agent.
        pub waiting: u32,
        /// A rough wait in minutes for a new conversation; `null` when nobody can answer now.
        pub estimated_wait_minutes: Option<u32>,
        /// The estimated wait passes the site's threshold: the widget offers a callback or a message.
        #[serde(default)]
        pub long_wait: bool,
    }

    /// `GET /v1/conversations/current/messages?after=12` (visitor token): the history over HTTP.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct ChatHistory {
        pub conversation: Conversation,
        pub messages: Vec<ChatMessage>,
    }

    /// From the host page's loader to each widget document once it is ready (so never before the tap):
    /// `Accueil.identify(proof)`, or `window.AccueilIdentity` set before the loader ran. Apart from
    /// `HostMessage`, so that only the documents that start sessions carry the code that reads it.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "type", rename = "accueil.identify")]
    pub struct HostIdentify {
        pub identity: IdentityProof,
    }

    /// From the host page's loader to the widget iframe, by `postMessage` pinned to the widget's origin.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "type")]
    pub enum HostMessage {
        /// The panel became visible: the widget takes focus.
        #[serde(rename = "accueil.opened")]
        Opened,
        /// The panel was hidden (the frame lives on): nothing shown counts as read until it opens again.
        #[serde(rename = "accueil.closed")]
        Closed,
        /// `Accueil.setLocale(locale)` was called on the host page.
        #[serde(rename = "accueil.set_locale")]
        SetLocale { locale: Locale },
    }

    /// From the widget iframe to the host page's loader, by `postMessage` pinned to the host's origin.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "type")]
    pub enum WidgetMessage {
        /// The widget has started and listens for host messages.
        #[serde(rename = "accueil.ready")]
        Ready,
        /// The visitor asked to close the panel (close button or Escape).
        #[serde(rename = "accueil.close")]
        Close,
        /// The number of unread items changed (shown as a badge on the launcher).
        #[serde(rename = "accueil.unread")]
        Unread { count: u32 },
        /// The visitor switched language inside the widget.
        #[serde(rename = "accueil.locale")]
        LocaleChanged { locale: Locale },
    }
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Fr, Locale::En];

    /// The BCP 47 tag, as used in `lang` attributes and in the wire format.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::En => "en",
        }
    }

    /// Reads a language tag such as `fr`, `fr-FR` or `EN_gb`; `None` for languages we do not speak.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        Locale::ALL.into_iter().find(|l| l.tag() == primary)
    }
}

impl AgentRole {
    pub const ALL: [AgentRole; 3] = [AgentRole::Administrator, AgentRole::Agent, AgentRole::Editor];

    /// Its name on the wire, in the database and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentRole::Administrator => "administrator",
            AgentRole::Agent => "agent",
            AgentRole::Editor => "editor",
        }
    }

    pub fn from_name(name: &str) -> Option<AgentRole> {
        AgentRole::ALL.into_iter().find(|role| role.as_str() == name)
    }

    /// Whether it answers visitors: conversations, callbacks, community moderation, canned replies.
    pub fn works_the_front_desk(self) -> bool {
        matches!(self, AgentRole::Administrator | AgentRole::Agent)
    }

    /// Whether it edits the FAQ and reads what visitors look for.
    pub fn edits_content(self) -> bool {
        matches!(self, AgentRole::Administrator | AgentRole::Editor)
    }
}

#[cfg(test)]
mod tests;
