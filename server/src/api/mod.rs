//! The REST API under `/api/0/`, and `/metrics`. Handlers are thin: they parse the path, call
//! the store, and answer JSON or an [`ApiError`].

mod error;

use crate::startup::AppState;
use crate::store::{events, issues};
use app::model::{EventDetail, EventSummary, IssueSummary, ProjectOutcomes};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
pub use error::ApiError;
use protocol::ids::ProjectId;

/// Most rows a list answers with.
const PAGE: u64 = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/api/0/outcomes/", get(outcomes))
        .route("/api/0/projects/{project_id}/issues/", get(project_issues))
        .route("/api/0/issues/{issue_id}/events/", get(issue_events))
        .route("/api/0/projects/{project_id}/events/{event_id}/", get(event_detail))
        .route("/api/0/projects/{project_id}/events/{event_id}/attachments/{attachment_id}/", get(attachment))
}

async fn metrics(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.outcomes.prometheus()).into_response()
}

async fn outcomes(State(state): State<AppState>) -> Json<Vec<ProjectOutcomes>> {
    Json(state.outcomes.snapshot())
}

fn project_id(raw: &str) -> Result<ProjectId, ApiError> {
    ProjectId::parse(raw).map_err(|_| ApiError::NotFound("project"))
}

async fn project_issues(
    State(state): State<AppState>,
    Path(project): Path<String>,
) -> Result<Json<Vec<IssueSummary>>, ApiError> {
    Ok(Json(issues::for_project(&state.db, project_id(&project)?, PAGE).await?))
}

async fn issue_events(
    State(state): State<AppState>,
    Path(issue_id): Path<i64>,
) -> Result<Json<Vec<EventSummary>>, ApiError> {
    Ok(Json(events::for_issue(&state.db, issue_id, PAGE).await?))
}

async fn event_detail(
    State(state): State<AppState>,
    Path((project, event_id)): Path<(String, String)>,
) -> Result<Json<EventDetail>, ApiError> {
    let detail = events::detail(&state.db, project_id(&project)?, &event_id).await?;
    detail.map(Json).ok_or(ApiError::NotFound("event"))
}

async fn attachment(
    State(state): State<AppState>,
    Path((project, event_id, attachment_id)): Path<(String, String, i64)>,
) -> Result<Response, ApiError> {
    let file = events::attachment(&state.db, project_id(&project)?, &event_id, attachment_id)
        .await?
        .ok_or(ApiError::NotFound("attachment"))?;
    let disposition = format!("attachment; filename=\"{}\"", file.filename.replace(['"', '\\', '\r', '\n'], "_"));
    Ok((
        [(header::CONTENT_TYPE, "application/octet-stream".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        file.data,
    )
        .into_response())
}
