//! Issues: read by every member of their project, triaged by members.

use super::ApiError;
use super::extract::{Body, Id};
use crate::auth::{Principal, access};
use crate::startup::AppState;
use crate::store::issues;
use app::dto::{BulkIssueUpdate, IssueUpdate, Updated};
use app::live::LiveChange;
use app::model::{IssueSummary, Role};
use axum::extract::State;
use axum::response::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Most issues a list answers with.
pub const PAGE: u64 = 100;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(all)).routes(routes!(for_project, bulk_update)).routes(routes!(show, update))
}

/// The issues of every project the caller may see, most recent activity first.
pub async fn visible(state: &AppState, principal: &Principal) -> Result<Vec<IssueSummary>, ApiError> {
    let projects = access::readable_projects(&state.db, principal).await?;
    Ok(issues::in_projects(&state.db, projects.as_deref(), PAGE).await?)
}

/// Issues of all your projects.
#[utoipa::path(get, path = "/api/0/issues/", tag = "issues", responses((status = 200, body = Vec<IssueSummary>)))]
async fn all(State(state): State<AppState>, principal: Principal) -> Result<Json<Vec<IssueSummary>>, ApiError> {
    Ok(Json(visible(&state, &principal).await?))
}

/// A project's issues.
#[utoipa::path(get, path = "/api/0/projects/{id}/issues/", tag = "issues",
    responses((status = 200, body = Vec<IssueSummary>), (status = 404)))]
async fn for_project(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
) -> Result<Json<Vec<IssueSummary>>, ApiError> {
    access::require(&state.db, &principal, id, Role::Viewer, "project").await?;
    Ok(Json(issues::in_projects(&state.db, Some(&[id]), PAGE).await?))
}

/// Sets the status of many of the project's issues at once (member).
#[utoipa::path(put, path = "/api/0/projects/{id}/issues/", tag = "issues", request_body = BulkIssueUpdate,
    responses((status = 200, body = Updated), (status = 403), (status = 404)))]
async fn bulk_update(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
    Body(body): Body<BulkIssueUpdate>,
) -> Result<Json<Updated>, ApiError> {
    access::require(&state.db, &principal, id, Role::Member, "project").await?;
    let changed = issues::set_status(&state.db, id, &body.ids, body.status).await?;
    let updated = changed.len() as u64;
    state.hub.publish(changed.into_iter().map(|issue| LiveChange::IssueUpdated { issue }));
    Ok(Json(Updated { updated }))
}

/// An issue and the role that lets the caller see it; 404 for issues of other projects.
async fn readable(state: &AppState, principal: &Principal, id: i64, needed: Role) -> Result<IssueSummary, ApiError> {
    let row = issues::get(&state.db, id).await?.ok_or(ApiError::NotFound("issue"))?;
    access::require(&state.db, principal, row.project_id, needed, "issue").await?;
    Ok(issues::summary(row))
}

/// One issue.
#[utoipa::path(get, path = "/api/0/issues/{id}/", tag = "issues",
    responses((status = 200, body = IssueSummary), (status = 404)))]
async fn show(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
) -> Result<Json<IssueSummary>, ApiError> {
    Ok(Json(readable(&state, &principal, id, Role::Viewer).await?))
}

/// Resolves, ignores or reopens an issue (member).
#[utoipa::path(patch, path = "/api/0/issues/{id}/", tag = "issues", request_body = IssueUpdate,
    responses((status = 200, body = IssueSummary), (status = 403), (status = 404)))]
async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
    Body(body): Body<IssueUpdate>,
) -> Result<Json<IssueSummary>, ApiError> {
    let issue = readable(&state, &principal, id, Role::Member).await?;
    let changed = issues::set_status(&state.db, issue.project_id, &[id], body.status).await?;
    let issue = changed.into_iter().next().ok_or(ApiError::NotFound("issue"))?;
    state.hub.publish([LiveChange::IssueUpdated { issue: issue.clone() }]);
    Ok(Json(issue))
}
