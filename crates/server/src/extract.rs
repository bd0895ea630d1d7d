//! Request extractors whose rejections are the server's own `Error`: JSON bodies that name the bad
//! field, and the two kinds of caller identity (a visitor's bearer token, an agent's cookie).

use crate::error::Error;
use crate::secrets::token_hash;
use crate::startup::AppState;
use crate::store::{AgentRow, VisitorSessionRow};
use accueil_protocol::AgentRole;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, HOST, ORIGIN};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

/// Largest request body of most v1 routes; routes with long content raise it for themselves.
pub const BODY_LIMIT: usize = 16 * 1024;

/// The agent console's session cookie.
pub const AGENT_COOKIE: &str = "accueil_agent";

/// A JSON body read strictly: wrong content type 415, too large 413, anything malformed a 400 naming
/// the field at fault.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(Error::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Error::PayloadTooLarge
            } else {
                Error::InvalidRequest { message: rejection.body_text(), fields: Vec::new() }
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Deserializes `bytes`, turning serde's message into a field path and a reason without positions.
/// Every string is checked and normalised first (see `clean_text`), so no handler sees a NUL byte or
/// two spellings of one text.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    // Trailing garbage after the value is as malformed as a syntax error; both name the body.
    let mut value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|error| describe_json_error(".", &error))?;
    clean_text(&mut value, "")?;
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        describe_json_error(&path, &error.into_inner())
    })
}

/// Refuses control characters other than line breaks and tabs in any string of a request (a NUL byte
/// truncates text in C libraries, mail headers and logs; the others have no place in what people
/// type), and puts every string in Unicode's composed form (NFC), so `é` typed two ways is one text
/// for search, filters and look-alike checks.
fn clean_text(value: &mut serde_json::Value, path: &str) -> Result<(), Error> {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
    let at = |key: &str| if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") };
    match value {
        serde_json::Value::String(text) => {
            if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
                let field = if path.is_empty() { "body" } else { path };
                return Err(Error::InvalidRequest {
                    message: "the request body is not valid".to_owned(),
                    fields: Error::field_coded(
                        field,
                        accueil_protocol::FieldCode::NotAllowed,
                        "contains a control character",
                    ),
                });
            }
            if is_nfc_quick(text.chars()) != IsNormalized::Yes {
                *text = text.nfc().collect();
            }
            Ok(())
        }
        serde_json::Value::Array(items) => {
            items.iter_mut().enumerate().try_for_each(|(index, item)| clean_text(item, &at(&index.to_string())))
        }
        serde_json::Value::Object(fields) => fields.iter_mut().try_for_each(|(key, item)| clean_text(item, &at(key))),
        _ => Ok(()),
    }
}

fn describe_json_error(path: &str, error: &serde_json::Error) -> Error {
    let full = error.to_string();
    // serde_json appends " at line L column C": useless to a client reading a field list.
    let reason = full.rfind(" at line ").map_or(full.as_str(), |at| &full[..at]).to_owned();
    let field = if error.is_syntax() || error.is_eof() {
        "body".to_owned()
    } else {
        // The path already ends at an unknown field, but stops at the parent of a missing one.
        match (path, backticked_after(&reason, "missing field `")) {
            (".", Some(name)) => name.to_owned(),
            (_, Some(name)) => format!("{path}.{name}"),
            (".", None) => "body".to_owned(),
            (_, None) => path.to_owned(),
        }
    };
    let message = if field == "body" { "the request body is not valid JSON" } else { "the request body is not valid" };
    Error::InvalidRequest { message: message.to_owned(), fields: Error::field(&field, reason) }
}

fn backticked_after<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = text.strip_prefix(prefix)?;
    rest.split('`').next()
}

/// A visitor, identified by the bearer token of their session (never by a URL or a cookie).
pub struct Visitor {
    pub session: VisitorSessionRow,
    pub token_hash: Vec<u8>,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let unauthorized = |reason: &str| Error::Unauthorized {
            message: "a valid visitor session token is required".to_owned(),
            fields: Error::field("authorization", reason),
        };
        let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| unauthorized("missing"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| unauthorized("expected `Bearer <token>`"))?;
        let token_hash = token_hash(token);
        let session =
            state.store.visitor_session(&token_hash).await?.ok_or_else(|| unauthorized("unknown or erased session"))?;
        note_use(state.store.as_ref(), &session).await;
        Ok(Visitor { session, token_hash })
    }
}

/// How stale a session's last use may be before it is written again: retention counts in days, and a
/// write per request would cost the chat what it cannot afford.
const NOTE_USE_EVERY: i64 = 3600;

/// Records that a visitor used their session (for the site's `inactive_session_days`). A failure is
/// only logged: reading one's data must work on a full disk too.
pub async fn note_use(store: &dyn crate::store::Store, session: &crate::store::VisitorSessionRow) {
    let now = crate::now();
    if now - session.last_seen_at < NOTE_USE_EVERY {
        return;
    }
    if let Err(error) = store.touch_visitor_session(session.id, now).await {
        tracing::warn!(%error, "a session's last use was not recorded");
    }
}

/// A visitor if the request carries a bearer token (a wrong one is still a 401), for routes that
/// anyone may read and that show a visitor their own things.
pub struct MaybeVisitor(pub Option<Visitor>);

impl FromRequestParts<AppState> for MaybeVisitor {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        if parts.headers.get(AUTHORIZATION).is_none() {
            return Ok(MaybeVisitor(None));
        }
        Visitor::from_request_parts(parts, state).await.map(|v| MaybeVisitor(Some(v)))
    }
}

/// A signed-in agent of the console, identified by the `accueil_agent` cookie.
pub struct SignedInAgent {
    pub agent: AgentRow,
    pub token_hash: Vec<u8>,
}

impl SignedInAgent {
    /// Whether this agent works on `site`.
    pub fn works_on(&self, site: &str) -> bool {
        self.agent.sites.includes(site)
    }

    /// Refuses a site this agent does not work on with the same 404 as a site that does not exist, so
    /// an agent cannot tell another brand's data from none.
    pub fn check_site(&self, site: &str) -> Result<(), Error> {
        if self.works_on(site) { Ok(()) } else { Err(crate::routes::unknown_site(site)) }
    }
}

/// Refuses a request a browser sent from a page of another origin. The console's cookie is
/// `SameSite=Strict`, but a page on another port or sub-domain of the same site is "same-site" and still
/// sends it: without this check such a page could sign an agent out or roll the FAQ back with a plain
/// auto-submitted form. Browsers send `Origin` with every cross-origin request and every request
/// but GET/HEAD, and `Sec-Fetch-Site` with all of them; neither can be set by a page. Clients that are not
/// browsers send neither, and must hold the cookie anyway.
pub fn same_origin_only(headers: &HeaderMap, public_url: &str) -> Result<(), Error> {
    let forbidden = |field: &str, reason: &str| Error::Forbidden {
        message: "console changes are accepted from the console's own pages only".to_owned(),
        fields: Error::field(field, reason),
    };
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if fetch_site.is_some_and(|site| site != "same-origin" && site != "none") {
        return Err(forbidden("sec-fetch-site", "not same-origin"));
    }
    let Some(origin) = headers.get(ORIGIN) else { return Ok(()) };
    let origin = origin.to_str().unwrap_or_default();
    let host = headers.get(HOST).and_then(|v| v.to_str().ok());
    let authority = origin.split_once("://").map(|(_, authority)| authority);
    // The Host this request came to, or the public URL when a proxy in front rewrote the Host.
    let same = (authority.is_some() && authority == host) || origin == public_url.trim_end_matches('/');
    if same { Ok(()) } else { Err(forbidden("origin", "not this server's origin")) }
}

/// The value of the named cookie in a request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

impl FromRequestParts<AppState> for SignedInAgent {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let unauthorized =
            || Error::Unauthorized { message: "sign in to the console first".to_owned(), fields: Vec::new() };
        let token = cookie(&parts.headers, AGENT_COOKIE).ok_or_else(unauthorized)?;
        let token_hash = token_hash(token);
        let agent = state.store.agent_for_session(&token_hash, crate::now()).await?.ok_or_else(unauthorized)?;
        Ok(SignedInAgent { agent, token_hash })
    }
}

/// A signed-in account whose role answers visitors: conversations, callbacks, community moderation.
pub struct FrontDesk(pub SignedInAgent);

/// A signed-in account whose role edits the FAQ and reads what visitors look for.
pub struct ContentEditor(pub SignedInAgent);

/// The signed-in account when its role `allows` the request, else a 403 that names the role and what
/// it does not cover.
async fn signed_in_for(
    parts: &mut Parts,
    state: &AppState,
    allows: fn(AgentRole) -> bool,
    covering: &str,
) -> Result<SignedInAgent, Error> {
    let signed_in = SignedInAgent::from_request_parts(parts, state).await?;
    if allows(signed_in.agent.role) {
        return Ok(signed_in);
    }
    Err(Error::Forbidden {
        message: format!("this account's role does not cover {covering}"),
        fields: Error::field("role", signed_in.agent.role.as_str()),
    })
}

/// A signed-in administrator: the team, and (to come) the sites' settings.
pub struct Administrator(pub SignedInAgent);

impl FromRequestParts<AppState> for Administrator {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let administers = |role| role == AgentRole::Administrator;
        signed_in_for(parts, state, administers, "the team").await.map(Administrator)
    }
}

impl FromRequestParts<AppState> for FrontDesk {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let covering = "conversations, callbacks and the community";
        signed_in_for(parts, state, AgentRole::works_the_front_desk, covering).await.map(FrontDesk)
    }
}

impl FromRequestParts<AppState> for ContentEditor {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        signed_in_for(parts, state, AgentRole::edits_content, "the FAQ").await.map(ContentEditor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accueil_protocol::CreateSession;

    fn field_of(json: &str) -> (String, String) {
        match parse_json::<CreateSession>(json.as_bytes()) {
            Err(Error::InvalidRequest { fields, .. }) => (fields[0].field.clone(), fields[0].reason.clone()),
            other => panic!("expected a 400, got {other:?}"),
        }
    }

    #[test]
    fn errors_name_the_field_and_drop_positions() {
        assert_eq!(field_of(r#"{"site":"demo","colour":1}"#).0, "colour");
        assert_eq!(field_of(r#"{"locale":"fr"}"#).0, "site");
        let (field, reason) = field_of(r#"{"site":"demo","locale":"de"}"#);
        assert_eq!(field, "locale");
        assert!(reason.contains("unknown variant `de`") && !reason.contains("line"), "{reason}");
        assert_eq!(field_of(r#"{"site":7}"#).0, "site");
        assert_eq!(field_of(r#"{"site":"demo""#).0, "body");
        assert_eq!(field_of(r#"{"site":"demo"} trailing"#).0, "body");
        assert_eq!(field_of("[]").0, "body");
        assert_eq!(
            field_of(r#"{"site":"de\u0000mo"}"#),
            ("site".to_owned(), "contains a control character".to_owned())
        );
    }

    #[test]
    fn text_is_composed_so_one_word_has_one_spelling() {
        // `é` as `e` followed by a combining acute accent becomes the one character.
        let parsed: CreateSession = parse_json("{\"site\":\"caf\\u0065\\u0301\"}".as_bytes()).expect("valid");
        assert_eq!(parsed.site, "caf\u{e9}");
    }
}
