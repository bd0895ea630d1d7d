//! Request extractors whose rejections are the server's own `Error`: JSON bodies that name the bad
//! field, and the two kinds of caller identity (a visitor's bearer token, an agent's cookie).

use crate::error::Error;
use crate::secrets::token_hash;
use crate::startup::AppState;
use crate::store::{AgentRow, VisitorSessionRow};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE};
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
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        describe_json_error(&path, &error.into_inner())
    })?;
    // Trailing garbage after the value is as malformed as a syntax error.
    deserializer.end().map_err(|error| describe_json_error(".", &error))?;
    Ok(value)
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
        Ok(Visitor { session, token_hash })
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
    }
}
