//! The server's one error type and the one place it becomes an HTTP response: the status, the
//! `ErrorBody` of PROTOCOL.md, and logging of server faults (whose details never reach the client).

use crate::store::StoreError;
use accueil_protocol::{CallbackSlot, ErrorBody, ErrorCode, ErrorDetail, FieldCode, FieldError};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug)]
pub enum Error {
    /// The client's request is malformed; `fields` says where.
    InvalidRequest {
        message: String,
        fields: Vec<FieldError>,
    },
    /// Well-formed values that are not acceptable.
    Validation {
        message: String,
        fields: Vec<FieldError>,
    },
    Unauthorized {
        message: String,
        fields: Vec<FieldError>,
    },
    /// A console change sent from another origin's page (cross-site request forgery).
    Forbidden {
        message: String,
        fields: Vec<FieldError>,
    },
    NotFound(String),
    MethodNotAllowed,
    /// The body is larger than the route accepts (16 KiB for most, more where content is long).
    PayloadTooLarge,
    UnsupportedMediaType,
    /// A row that must be unique already exists (e.g. an agent's email), or a resource is not in a
    /// state that allows the change (claimed by another agent, closed).
    Conflict(String),
    /// The callback slot chosen filled up meanwhile; the next free ones go with the answer.
    SlotFull {
        next_slots: Vec<CallbackSlot>,
    },
    /// Too many requests from one address; try again after this many seconds.
    RateLimited {
        retry_after: u64,
    },
    Unavailable(String),
    Config(String),
    /// The store failed in a way that is the server's fault.
    Store(StoreError),
    Io(std::io::Error),
    Internal(String),
}

impl Error {
    /// One field that is not acceptable (`invalid`), with the reason in English.
    pub fn field(field: &str, reason: impl Into<String>) -> Vec<FieldError> {
        Error::field_coded(field, FieldCode::Invalid, reason)
    }

    /// One field's problem with the code clients choose their words by.
    pub fn field_coded(field: &str, code: FieldCode, reason: impl Into<String>) -> Vec<FieldError> {
        vec![FieldError { field: field.to_owned(), code, reason: reason.into() }]
    }

    fn code_and_status(&self) -> (ErrorCode, StatusCode) {
        match self {
            Error::InvalidRequest { .. } => (ErrorCode::InvalidRequest, StatusCode::BAD_REQUEST),
            Error::Validation { .. } => (ErrorCode::ValidationFailed, StatusCode::UNPROCESSABLE_ENTITY),
            Error::Unauthorized { .. } => (ErrorCode::Unauthorized, StatusCode::UNAUTHORIZED),
            Error::Forbidden { .. } => (ErrorCode::Forbidden, StatusCode::FORBIDDEN),
            Error::NotFound(_) => (ErrorCode::NotFound, StatusCode::NOT_FOUND),
            Error::MethodNotAllowed => (ErrorCode::MethodNotAllowed, StatusCode::METHOD_NOT_ALLOWED),
            Error::PayloadTooLarge => (ErrorCode::PayloadTooLarge, StatusCode::PAYLOAD_TOO_LARGE),
            Error::UnsupportedMediaType => (ErrorCode::UnsupportedMediaType, StatusCode::UNSUPPORTED_MEDIA_TYPE),
            Error::Conflict(_) => (ErrorCode::Conflict, StatusCode::CONFLICT),
            Error::SlotFull { .. } => (ErrorCode::SlotFull, StatusCode::CONFLICT),
            Error::RateLimited { .. } => (ErrorCode::RateLimited, StatusCode::TOO_MANY_REQUESTS),
            Error::Unavailable(_) => (ErrorCode::Unavailable, StatusCode::SERVICE_UNAVAILABLE),
            Error::Config(_) | Error::Store(_) | Error::Io(_) | Error::Internal(_) => {
                (ErrorCode::Internal, StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::InvalidRequest { message, .. }
            | Error::Validation { message, .. }
            | Error::Unauthorized { message, .. }
            | Error::Forbidden { message, .. } => f.write_str(message),
            Error::NotFound(what) => f.write_str(what),
            Error::MethodNotAllowed => f.write_str("this route does not accept that method"),
            Error::PayloadTooLarge => f.write_str("the body is larger than this route accepts"),
            Error::UnsupportedMediaType => f.write_str("send the body as application/json"),
            Error::Conflict(what) => f.write_str(what),
            Error::SlotFull { .. } => f.write_str("this slot has just filled up"),
            Error::RateLimited { retry_after } => write!(f, "too many requests; try again in {retry_after} s"),
            Error::Unavailable(what) => write!(f, "unavailable: {what}"),
            Error::Config(what) => write!(f, "configuration: {what}"),
            Error::Store(e) => e.fmt(f),
            Error::Io(e) => write!(f, "i/o: {e}"),
            Error::Internal(what) => write!(f, "internal: {what}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            // The database cannot take the request now (full disk, locked, unreachable): the client did
            // nothing wrong and may retry; the operator reads the cause in the log.
            StoreError::Unavailable(why) => Error::Unavailable(format!("database: {why}")),
            StoreError::Duplicate(what) => Error::Conflict(format!("{what} already exists")),
            StoreError::Ended => Error::Conflict("this conversation has ended".to_owned()),
            fault @ (StoreError::Corrupt(_) | StoreError::Fault(_)) => Error::Store(fault),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

/// What `Retry-After` says when the service is unavailable.
const UNAVAILABLE_RETRY_SECONDS: u64 = 5;

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (code, status) = self.code_and_status();
        let retry_after = match self {
            Error::RateLimited { retry_after } => Some(retry_after),
            // A full disk or a locked database is not fixed in a second, but a client should not
            // hammer it either.
            Error::Unavailable(_) => Some(UNAVAILABLE_RETRY_SECONDS),
            _ => None,
        };
        let (next_slots, fields_of_slot) = match &self {
            Error::SlotFull { next_slots } => {
                (Some(next_slots.clone()), Error::field_coded("when.start", FieldCode::Gone, "full"))
            }
            _ => (None, Vec::new()),
        };
        let (message, fields) = match self {
            Error::InvalidRequest { message, fields }
            | Error::Validation { message, fields }
            | Error::Unauthorized { message, fields }
            | Error::Forbidden { message, fields } => (message, fields),
            ref server_fault if status.is_server_error() => {
                // The cause is for the operator's log, never for the client.
                tracing::error!(error = %server_fault, "request failed");
                let message = match server_fault {
                    Error::Unavailable(_) => "the service is temporarily unavailable",
                    _ => "the server failed to handle this request",
                };
                (message.to_owned(), Vec::new())
            }
            other => (other.to_string(), fields_of_slot),
        };
        let body = ErrorBody { error: ErrorDetail { code, message, fields }, next_slots };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}
