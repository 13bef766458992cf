//! The API's error type: a status, a stable code and a message; database details stay in the log.

use crate::error::error_response;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("the server could not read its data")]
    Database(#[from] DbErr),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::NotFound(_) => error_response(StatusCode::NOT_FOUND, "not_found", self.to_string()),
            ApiError::Database(ref err) => {
                tracing::error!("API request failed: {err}");
                error_response(StatusCode::INTERNAL_SERVER_ERROR, "internal", self.to_string())
            }
        }
    }
}
