//! The API's error type: a status, a stable code and a message; database details stay in the log.

use crate::auth::AuthError;
use crate::auth::passwords::Busy;
use crate::auth::passwords::PasswordError;
use crate::error::error_response;
use crate::store::writer::StoreError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("sign in first, or send an API token")]
    Unauthenticated,
    #[error("wrong email or password")]
    BadCredentials,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Gone(String),
    #[error("the search is not valid: {0}")]
    BadQuery(app::search::ParseError),
    #[error("too many attempts, retry in {0} s")]
    TooManyAttempts(u64),
    #[error("{0}; retry in a second")]
    Busy(&'static str),
    #[error("too many live connections open for this user or address")]
    TooManySockets,
    #[error("the server could not read or write its data")]
    Database(#[from] DbErr),
    #[error("the server failed to do this")]
    Internal,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated | ApiError::BadCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::BadQuery(_) => StatusCode::BAD_REQUEST,
            ApiError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::TooManySockets => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Database(_) | ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::BadCredentials => "bad_credentials",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Invalid(_) => "invalid",
            ApiError::Conflict(_) => "conflict",
            ApiError::Gone(_) => "gone",
            ApiError::BadQuery(_) => "invalid_query",
            ApiError::TooManyAttempts(_) => "too_many_attempts",
            ApiError::Busy(_) => "busy",
            ApiError::TooManySockets => "too_many_sockets",
            ApiError::Database(_) | ApiError::Internal => "internal",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Database(err) = &self {
            tracing::error!("API request failed: {err}");
        }
        let mut response = error_response(self.status(), self.code(), self.to_string());
        let retry_after = match self {
            ApiError::TooManyAttempts(seconds) => Some(seconds),
            ApiError::Busy(_) => Some(1),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<PasswordError> for ApiError {
    fn from(err: PasswordError) -> Self {
        match err {
            PasswordError::Busy(_) => ApiError::Busy(SIGN_INS),
            PasswordError::Hashing => {
                tracing::error!("hashing a password failed");
                ApiError::Internal
            }
            too_short_or_long => ApiError::Invalid(too_short_or_long.to_string()),
        }
    }
}

impl From<Busy> for ApiError {
    fn from(_: Busy) -> Self {
        ApiError::Busy(SIGN_INS)
    }
}

const SIGN_INS: &str = "too many sign-ins at once";

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Refused(why) => ApiError::Invalid(why.to_owned()),
            StoreError::QueueFull => ApiError::Busy("the server is busy storing events"),
            StoreError::Stopped | StoreError::Failed => ApiError::Internal,
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(err: AuthError) -> Self {
        match err {
            AuthError::Unauthenticated => ApiError::Unauthenticated,
            AuthError::CrossSite => ApiError::Forbidden("cross-site request refused: the Origin is not this server"),
            AuthError::NotFound(what) => ApiError::NotFound(what),
            AuthError::Forbidden(why) => ApiError::Forbidden(why),
            AuthError::Database(err) => ApiError::Database(err),
        }
    }
}
