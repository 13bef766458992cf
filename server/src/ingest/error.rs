//! Why an ingest request was rejected. Each variant has its status code and a stable `code`
//! (the outcome reason) that SDK authors and operators can search for.

use crate::error::error_response;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Seconds an SDK should wait after a 503.
const RETRY_AFTER_SECS: &str = "5";

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("no public key: send X-Sentry-Auth or the sentry_key query parameter")]
    MissingAuth,
    #[error("malformed auth: {0}")]
    MalformedAuth(String),
    #[error("unknown or disabled public key for this project")]
    UnknownKey,
    #[error("no project with id `{0}`")]
    UnknownProject(String),
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
    #[error("ingestion queue is full, retry later")]
    QueueFull,
    #[error("storage is unavailable, retry later")]
    StorageUnavailable,
}

impl IngestError {
    pub fn status(&self) -> StatusCode {
        match self {
            IngestError::MissingAuth | IngestError::MalformedAuth(_) => StatusCode::UNAUTHORIZED,
            IngestError::UnknownKey => StatusCode::FORBIDDEN,
            IngestError::UnknownProject(_) => StatusCode::NOT_FOUND,
            IngestError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            IngestError::UnsupportedEncoding(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            IngestError::CorruptBody(_)
            | IngestError::BodyRead
            | IngestError::MalformedEnvelope(_)
            | IngestError::InvalidEvent(_) => StatusCode::BAD_REQUEST,
            IngestError::QueueFull | IngestError::StorageUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The rejection reason, stable across versions.
    pub fn code(&self) -> &'static str {
        match self {
            IngestError::MissingAuth => "missing_auth",
            IngestError::MalformedAuth(_) => "malformed_auth",
            IngestError::UnknownKey => "unknown_key",
            IngestError::UnknownProject(_) => "unknown_project",
            IngestError::TooLarge { .. } => "too_large",
            IngestError::UnsupportedEncoding(_) => "unsupported_encoding",
            IngestError::CorruptBody(_) => "corrupt_body",
            IngestError::BodyRead => "body_read",
            IngestError::MalformedEnvelope(_) => "malformed_envelope",
            IngestError::InvalidEvent(_) => "invalid_event",
            IngestError::QueueFull => "queue_full",
            IngestError::StorageUnavailable => "storage_unavailable",
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
        if status == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECS));
        }
        response
    }
}
