//! The one shape of every error the HTTP API answers: a status code and
//! `{"error": {"code": "…", "message": "…"}}`. Internal details stay in the log.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize)]
pub struct ErrorDetail {
    pub code: &'static str,
    pub message: String,
}

/// Builds the JSON error response.
pub fn error_response(status: StatusCode, code: &'static str, message: String) -> Response {
    (status, Json(ErrorBody { error: ErrorDetail { code, message } })).into_response()
}
