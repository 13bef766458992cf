//! `/healthz` (the process answers) and `/readyz` (and its database does), for load balancers
//! and orchestrators. Both answer any host and need no credentials.

use crate::error::error_response;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use axum::{Router, body::Body};
use sea_orm::ConnectionTrait;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> Response<Body> {
    match state.db.execute_unprepared("SELECT 1").await {
        Ok(_) => Json(json!({"status": "ok"})).into_response(),
        Err(err) => {
            tracing::warn!("readiness check: the database does not answer: {err}");
            error_response(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "the database does not answer".to_owned())
        }
    }
}
