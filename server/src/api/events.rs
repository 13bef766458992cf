//! Events and their attachments, readable by every member of their project.

use super::ApiError;
use super::download::download;
use super::extract::{Id, Params};
use crate::auth::{Principal, access};
use crate::ingest::grouping;
use crate::state::AppState;
use crate::store::entities::issue;
use crate::store::{events, issues, projects};
use app::model::{EventDetail, EventSummary, GroupingInfo, Role};
use axum::extract::State;
use axum::response::{Json, Response};
use protocol::ids::ProjectId;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(for_issue))
        .routes(routes!(latest))
        .routes(routes!(of_issue))
        .routes(routes!(grouping))
        .routes(routes!(detail))
        .routes(routes!(raw))
        .routes(routes!(attachment))
}

/// The issue, when the caller may read it.
async fn readable_issue(state: &AppState, principal: &Principal, issue_id: i64) -> Result<issue::Model, ApiError> {
    let issue = issues::get(&state.db, issue_id).await?.ok_or(ApiError::NotFound("issue"))?;
    access::require(&state.db, principal, issue.project_id, Role::Viewer, "issue").await?;
    Ok(issue)
}

/// The issue's project, when the caller may read it.
async fn issue_project(state: &AppState, principal: &Principal, issue_id: i64) -> Result<ProjectId, ApiError> {
    Ok(ProjectId::from_db(readable_issue(state, principal, issue_id).await?.project_id))
}

/// The event with this id, when it is one of the issue's.
async fn event_of(
    state: &AppState,
    project: ProjectId,
    issue_id: i64,
    event_id: &str,
) -> Result<EventDetail, ApiError> {
    let detail = events::detail(&state.db, project, event_id).await?;
    detail.filter(|detail| detail.issue_id == issue_id).ok_or(ApiError::NotFound("event"))
}

async fn readable_project(state: &AppState, principal: &Principal, project: i64) -> Result<ProjectId, ApiError> {
    access::require(&state.db, principal, project, Role::Viewer, "project").await?;
    Ok(ProjectId::from_db(project))
}

/// Events per page of an issue's event list.
pub const EVENTS_PAGE: u64 = 50;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct PageQuery {
    /// 1 for the newest events (the default).
    pub page: Option<u64>,
}

/// A page of an issue's events, newest first, 50 per page.
#[utoipa::path(get, path = "/api/0/issues/{id}/events/", tag = "events", params(PageQuery),
    responses((status = 200, body = Vec<EventSummary>), (status = 404)))]
async fn for_issue(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
    Params(query): Params<PageQuery>,
) -> Result<Json<Vec<EventSummary>>, ApiError> {
    issue_project(&state, &principal, id).await?;
    let offset = query.page.unwrap_or(1).saturating_sub(1).saturating_mul(EVENTS_PAGE);
    Ok(Json(events::for_issue(&state.db, id, offset, EVENTS_PAGE).await?))
}

/// One event of the issue, whole, with the events around it.
#[utoipa::path(get, path = "/api/0/issues/{id}/events/{event_id}/", tag = "events",
    responses((status = 200, body = EventDetail), (status = 404)))]
async fn of_issue(
    State(state): State<AppState>,
    principal: Principal,
    Id((id, event_id)): Id<(i64, String)>,
) -> Result<Json<EventDetail>, ApiError> {
    let project = issue_project(&state, &principal, id).await?;
    Ok(Json(event_of(&state, project, id, &event_id).await?))
}

/// Why the event is in the issue: each way of grouping it with the project's stack trace rules
/// as they are now (applied again to the stored event, whose frames the rules of its arrival
/// marked), its hash and what made it, and which hashes the issue owns.
#[utoipa::path(get, path = "/api/0/issues/{id}/events/{event_id}/grouping/", tag = "events",
    responses((status = 200, body = GroupingInfo), (status = 404)))]
async fn grouping(
    State(state): State<AppState>,
    principal: Principal,
    Id((id, event_id)): Id<(i64, String)>,
) -> Result<Json<GroupingInfo>, ApiError> {
    let issue = readable_issue(&state, &principal, id).await?;
    let mut event = event_of(&state, ProjectId::from_db(issue.project_id), id, &event_id).await?.event;
    let project = projects::get(&state.db, issue.project_id).await?.ok_or(ApiError::NotFound("project"))?;
    let owned = issues::hashes(&state.db, issue.project_id, id).await?;
    let mut variants = grouping::explain(&mut event, &project.stack_rules);
    for variant in &mut variants {
        variant.of_this_issue = variant.hash.as_ref().is_some_and(|hash| owned.contains(hash));
    }
    Ok(Json(GroupingInfo { version: issue.grouping_version, fingerprint: event.fingerprint, variants }))
}

/// An issue's newest event, whole.
#[utoipa::path(get, path = "/api/0/issues/{id}/events/latest/", tag = "events",
    responses((status = 200, body = EventDetail), (status = 404)))]
async fn latest(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
) -> Result<Json<EventDetail>, ApiError> {
    let project = issue_project(&state, &principal, id).await?;
    events::latest(&state.db, project, id).await?.map(Json).ok_or(ApiError::NotFound("event"))
}

/// An event, whole, with its attachments listed.
#[utoipa::path(get, path = "/api/0/projects/{id}/events/{event_id}/", tag = "events",
    responses((status = 200, body = EventDetail), (status = 404)))]
async fn detail(
    State(state): State<AppState>,
    principal: Principal,
    Id((project, event_id)): Id<(i64, String)>,
) -> Result<Json<EventDetail>, ApiError> {
    let project = readable_project(&state, &principal, project).await?;
    events::detail(&state.db, project, &event_id).await?.map(Json).ok_or(ApiError::NotFound("event"))
}

/// The stored event as a JSON download (after scrubbing and normalization).
#[utoipa::path(get, path = "/api/0/projects/{id}/events/{event_id}/json/", tag = "events",
    responses((status = 200, content_type = "application/json"), (status = 404)))]
async fn raw(
    State(state): State<AppState>,
    principal: Principal,
    Id((project, event_id)): Id<(i64, String)>,
) -> Result<Response, ApiError> {
    let project = readable_project(&state, &principal, project).await?;
    let detail = events::detail(&state.db, project, &event_id).await?.ok_or(ApiError::NotFound("event"))?;
    let json = serde_json::to_vec_pretty(&detail.event).map_err(|err| ApiError::Invalid(err.to_string()))?;
    Ok(download(&format!("{}.json", detail.event.event_id), "application/json", json))
}

/// An attachment's bytes, as a download.
#[utoipa::path(get, path = "/api/0/projects/{id}/events/{event_id}/attachments/{attachment_id}/", tag = "events",
    responses((status = 200, content_type = "application/octet-stream"), (status = 404)))]
async fn attachment(
    State(state): State<AppState>,
    principal: Principal,
    Id((project, event_id, attachment_id)): Id<(i64, String, i64)>,
) -> Result<Response, ApiError> {
    let project = readable_project(&state, &principal, project).await?;
    let file = events::attachment(&state.db, project, &event_id, attachment_id)
        .await?
        .ok_or(ApiError::NotFound("attachment"))?;
    Ok(download(&file.filename, "application/octet-stream", file.data))
}
