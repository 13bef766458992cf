//! Why an ingest request was rejected. Each variant has its status code, a stable `code` that
//! SDK authors and operators can search for, and the outcome reason it is counted under.

use super::outcomes::Reason;
use crate::error::error_response;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use protocol::auth::AuthError;
use protocol::decompress::DecodeError;
use protocol::envelope::ParseError;
use protocol::store::StoreBodyError;

/// Seconds an SDK should wait after a 503.
const RETRY_AFTER_SECS: &str = "5";

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("unknown or disabled public key for this project")]
    UnknownKey,
    #[error("no project with id `{0}`")]
    UnknownProject(String),
    #[error("origin `{0}` is not allowed to send to this project")]
    OriginNotAllowed(String),
    #[error("body larger than the limit of {limit} bytes")]
    TooLarge { limit: usize },
    #[error("unsupported Content-Encoding `{0}`")]
    UnsupportedEncoding(String),
    #[error("body is not valid {0} data")]
    CorruptBody(&'static str),
    #[error("could not read the request body")]
    BodyRead,
    #[error("malformed envelope: {0}")]
    MalformedEnvelope(String),
    #[error("invalid event: {0}")]
    InvalidEvent(String),
    #[error("rate limit of this key reached, retry in {retry_after} s")]
    RateLimited { retry_after: u64 },
    #[error("ingestion queue is full, retry later")]
    QueueFull,
    #[error("storage is unavailable, retry later")]
    StorageUnavailable,
    /// A bug: processing the request panicked.
    #[error("the server failed to process this request")]
    Internal,
}

impl From<DecodeError> for IngestError {
    fn from(err: DecodeError) -> Self {
        match err {
            DecodeError::Unsupported(encoding) => IngestError::UnsupportedEncoding(encoding),
            DecodeError::TooLarge { limit } => IngestError::TooLarge { limit },
            DecodeError::Corrupt(encoding) => IngestError::CorruptBody(encoding),
        }
    }
}

impl From<ParseError> for IngestError {
    fn from(err: ParseError) -> Self {
        IngestError::MalformedEnvelope(err.to_string())
    }
}

impl From<StoreBodyError> for IngestError {
    fn from(err: StoreBodyError) -> Self {
        match err {
            StoreBodyError::NotBase64 => IngestError::InvalidEvent(err.to_string()),
            StoreBodyError::Decode(err) => err.into(),
        }
    }
}

impl IngestError {
    pub fn status(&self) -> StatusCode {
        match self {
            IngestError::Auth(_) => StatusCode::UNAUTHORIZED,
            IngestError::UnknownKey | IngestError::OriginNotAllowed(_) => StatusCode::FORBIDDEN,
            IngestError::UnknownProject(_) => StatusCode::NOT_FOUND,
            IngestError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            IngestError::UnsupportedEncoding(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            IngestError::CorruptBody(_)
            | IngestError::BodyRead
            | IngestError::MalformedEnvelope(_)
            | IngestError::InvalidEvent(_) => StatusCode::BAD_REQUEST,
            IngestError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            IngestError::QueueFull | IngestError::StorageUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            IngestError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The rejection's code, stable across versions.
    pub fn code(&self) -> &'static str {
        match self {
            IngestError::Auth(AuthError::Missing) => "missing_auth",
            IngestError::Auth(AuthError::Malformed(_)) => "malformed_auth",
            IngestError::Auth(AuthError::UnsupportedVersion(_)) => "unsupported_version",
            IngestError::UnknownKey => "unknown_key",
            IngestError::UnknownProject(_) => "unknown_project",
            IngestError::OriginNotAllowed(_) => "origin_not_allowed",
            IngestError::TooLarge { .. } => "too_large",
            IngestError::UnsupportedEncoding(_) => "unsupported_encoding",
            IngestError::CorruptBody(_) => "corrupt_body",
            IngestError::BodyRead => "body_read",
            IngestError::MalformedEnvelope(_) => "malformed_envelope",
            IngestError::InvalidEvent(_) => "invalid_event",
            IngestError::RateLimited { .. } => "rate_limited",
            IngestError::QueueFull => "queue_full",
            IngestError::StorageUnavailable => "storage_unavailable",
            IngestError::Internal => "internal",
        }
    }

    /// The outcome reason the rejection is counted under.
    pub fn reason(&self) -> Reason {
        match self {
            IngestError::Auth(_) | IngestError::UnknownKey | IngestError::OriginNotAllowed(_) => Reason::Unauthorized,
            IngestError::UnknownProject(_)
            | IngestError::UnsupportedEncoding(_)
            | IngestError::CorruptBody(_)
            | IngestError::BodyRead
            | IngestError::MalformedEnvelope(_)
            | IngestError::InvalidEvent(_) => Reason::Invalid,
            IngestError::TooLarge { .. } => Reason::TooLarge,
            IngestError::RateLimited { .. } => Reason::RateLimited,
            IngestError::QueueFull => Reason::QueueFull,
            IngestError::StorageUnavailable | IngestError::Internal => Reason::Internal,
        }
    }
}

impl IntoResponse for IngestError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::warn!(code = self.code(), "ingest rejected: {self}");
        } else {
            tracing::debug!(code = self.code(), "ingest rejected: {self}");
        }
        let message = self.to_string();
        let mut response = error_response(status, self.code(), message.clone());
        let headers = response.headers_mut();
        // Relay's header: SDKs log it when they drop an event.
        if let Ok(value) = HeaderValue::from_str(&message) {
            headers.insert("x-sentry-error", value);
        }
        match self {
            IngestError::QueueFull | IngestError::StorageUnavailable => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECS));
            }
            IngestError::RateLimited { retry_after } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
                if let Ok(limits) = HeaderValue::from_str(&format!("{retry_after}:error:key")) {
                    headers.insert("x-sentry-rate-limits", limits);
                }
            }
            _ => {}
        }
        response
    }
}
