//! An issue's activity log and comments, and who its project's issues may be assigned to.

use super::ApiError;
use super::extract::{Body, Id};
use super::issues::{actor, readable};
use crate::auth::{Principal, access};
use crate::state::AppState;
use crate::store::{activity, members};
use app::dto::{Activity, NewComment};
use app::model::{Assignee, Role};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Longest comment, in characters.
const MAX_COMMENT_CHARS: usize = 10_000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(comment)).routes(routes!(assignees))
}

/// The issue's activity, oldest first: decisions, assignments, comments, regressions.
#[utoipa::path(get, path = "/api/0/issues/{id}/activity/", tag = "issues",
    responses((status = 200, body = Vec<Activity>), (status = 404)))]
async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
) -> Result<Json<Vec<Activity>>, ApiError> {
    readable(&state, &principal, id, Role::Viewer).await?;
    Ok(Json(activity::list(&state.db, id).await?))
}

/// Comments on the issue (member). Plain text: the dashboard shows it escaped.
#[utoipa::path(post, path = "/api/0/issues/{id}/comments/", tag = "issues", request_body = NewComment,
    responses((status = 201, body = Activity), (status = 403), (status = 404), (status = 422)))]
async fn comment(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
    Body(body): Body<NewComment>,
) -> Result<(StatusCode, Json<Activity>), ApiError> {
    let issue = readable(&state, &principal, id, Role::Member).await?;
    let text = body.text.trim();
    if text.is_empty() {
        return Err(ApiError::Invalid("the comment is empty".to_owned()));
    }
    if text.chars().count() > MAX_COMMENT_CHARS {
        return Err(ApiError::Invalid(format!("a comment has at most {MAX_COMMENT_CHARS} characters")));
    }
    let entry = state.writer.comment(issue.project_id, id, text.to_owned(), actor(&principal)).await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// Who the project's issues may be assigned to: its members who may triage, and the owner.
#[utoipa::path(get, path = "/api/0/projects/{id}/assignees/", tag = "issues",
    responses((status = 200, body = Vec<Assignee>), (status = 404)))]
async fn assignees(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
) -> Result<Json<Vec<Assignee>>, ApiError> {
    access::require(&state.db, &principal, id, Role::Viewer, "project").await?;
    Ok(Json(members::assignable(&state.db, id).await?))
}
