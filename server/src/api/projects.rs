//! Projects: listed by membership, created by the owner, configured and deleted by their admins.

use super::extract::{Body, Id};
use super::fields;
use super::{ApiError, NoContent};
use crate::auth::{Principal, access};
use crate::ingest::fingerprint::GROUPING_VERSION;
use crate::ingest::grouping;
use crate::ingest::stack_rules::{self, StackRules};
use crate::state::AppState;
use crate::store::entities::project;
use crate::store::projects::{self, GroupingChange};
use app::dto::{DeleteConfirmation, NewProject, ProjectInfo, ProjectSettings, ProjectUpdate};
use app::model::Role;
use app::platform::{self, PLATFORMS};
use axum::extract::State;
use axum::response::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(show, update, delete)).routes(routes!(settings))
}

fn info(row: project::Model, role: Role) -> ProjectInfo {
    ProjectInfo { id: row.id, name: row.name, platform: row.platform, role, created_at: row.created_at }
}

/// The projects the caller may see, with their role in each.
pub async fn visible(state: &AppState, principal: &Principal) -> Result<Vec<ProjectInfo>, ApiError> {
    let mut out = Vec::new();
    for row in projects::all(&state.db).await? {
        if let Some(role) = access::role_in(&state.db, principal, row.id).await? {
            out.push(info(row, role));
        }
    }
    Ok(out)
}

/// Your projects.
#[utoipa::path(get, path = "/api/0/projects/", tag = "projects", responses((status = 200, body = Vec<ProjectInfo>)))]
async fn list(State(state): State<AppState>, principal: Principal) -> Result<Json<Vec<ProjectInfo>>, ApiError> {
    Ok(Json(visible(&state, &principal).await?))
}

/// Creates a project with one DSN key (owner only).
#[utoipa::path(post, path = "/api/0/projects/", tag = "projects", request_body = NewProject,
    responses((status = 200, body = ProjectInfo), (status = 403), (status = 422)))]
async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Body(body): Body<NewProject>,
) -> Result<Json<ProjectInfo>, ApiError> {
    access::require_owner(&principal)?;
    let name = fields::name(&body.name, "project name")?;
    let created = projects::create(&state.db, None, &name, None).await?;
    let mut row = projects::get(&state.db, created.project_id.get()).await?.ok_or(ApiError::NotFound("project"))?;
    if let Some(platform) = body.platform {
        let update = ProjectUpdate { platform: Some(valid_platform(&platform)?), ..ProjectUpdate::default() };
        row = change(&state, row, &update).await?;
    }
    Ok(Json(info(row, Role::Admin)))
}

/// A project you are a member of.
#[utoipa::path(get, path = "/api/0/projects/{id}/", tag = "projects",
    responses((status = 200, body = ProjectInfo), (status = 404)))]
async fn show(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
) -> Result<Json<ProjectInfo>, ApiError> {
    let role = access::require(&state.db, &principal, id, Role::Viewer, "project").await?;
    let row = projects::get(&state.db, id).await?.ok_or(ApiError::NotFound("project"))?;
    Ok(Json(info(row, role)))
}

/// The project's settings (admin).
#[utoipa::path(get, path = "/api/0/projects/{id}/settings/", tag = "projects",
    responses((status = 200, body = ProjectSettings), (status = 403), (status = 404)))]
async fn settings(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
) -> Result<Json<ProjectSettings>, ApiError> {
    access::require(&state.db, &principal, id, Role::Admin, "project").await?;
    let row = projects::get(&state.db, id).await?.ok_or(ApiError::NotFound("project"))?;
    Ok(Json(settings_of(&row)))
}

fn settings_of(row: &project::Model) -> ProjectSettings {
    ProjectSettings { builtin_stack_rules: stack_rules::BUILTIN_TEXT.to_owned(), ..projects::settings(row) }
}

/// Stores the update; stack trace rules that group differently from the project's (not just
/// other comments or spacing) begin a transition from the grouping before them.
async fn change(state: &AppState, row: project::Model, update: &ProjectUpdate) -> Result<project::Model, ApiError> {
    let regroups = match &update.stack_rules {
        Some(rules) => StackRules::parse(rules)
            .map_err(|err| ApiError::Invalid(format!("stack trace rules, {err}")))?
            .ne(&StackRules::parse(&row.stack_rules).unwrap_or_default()),
        None => false,
    };
    let grouping_change = regroups
        .then(|| GroupingChange { version: GROUPING_VERSION, until: chrono::Utc::now() + grouping::TRANSITION });
    Ok(projects::update(&state.db, row, update, grouping_change).await?)
}

/// Renames the project, sets its platform, allowed origins, data scrubbing and stack trace
/// rules (admin). A rule that does not parse answers 422 with its line.
#[utoipa::path(patch, path = "/api/0/projects/{id}/", tag = "projects", request_body = ProjectUpdate,
    responses((status = 200, body = ProjectSettings), (status = 403), (status = 404), (status = 422)))]
async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
    Body(mut body): Body<ProjectUpdate>,
) -> Result<Json<ProjectSettings>, ApiError> {
    access::require(&state.db, &principal, id, Role::Admin, "project").await?;
    let row = projects::get(&state.db, id).await?.ok_or(ApiError::NotFound("project"))?;
    if let Some(name) = &body.name {
        body.name = Some(fields::name(name, "project name")?);
    }
    if let Some(platform) = &body.platform {
        body.platform = Some(valid_platform(platform)?);
    }
    let updated = change(&state, row, &body).await?;
    state.ingest_keys.forget();
    Ok(Json(settings_of(&updated)))
}

/// Deletes the project with everything in it (admin); the body must repeat its name.
#[utoipa::path(delete, path = "/api/0/projects/{id}/", tag = "projects", request_body = DeleteConfirmation,
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
    Body(body): Body<DeleteConfirmation>,
) -> Result<NoContent, ApiError> {
    access::require(&state.db, &principal, id, Role::Admin, "project").await?;
    let row = projects::get(&state.db, id).await?.ok_or(ApiError::NotFound("project"))?;
    if body.confirm.trim() != row.name {
        return Err(ApiError::Invalid("type the project's name to confirm".into()));
    }
    projects::delete(&state.db, id).await?;
    state.ingest_keys.forget();
    state.hub.access_changed();
    tracing::info!(project_id = id, user_id = principal.user_id, "project deleted");
    Ok(NoContent)
}

fn valid_platform(raw: &str) -> Result<String, ApiError> {
    if platform::is_known(raw) {
        Ok(raw.to_owned())
    } else {
        let ids: Vec<&str> = PLATFORMS.iter().map(|(id, _)| *id).collect();
        Err(ApiError::Invalid(format!("platform is one of {}", ids.join(", "))))
    }
}
