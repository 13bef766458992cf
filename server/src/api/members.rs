//! Project members and their roles: every member sees them, admins change them.

use super::extract::{Body, Id};
use super::{ApiError, NoContent};
use crate::auth::{Principal, access};
use crate::state::AppState;
use crate::store::{members, users};
use app::dto::{MemberInfo, NewMember, RoleUpdate};
use app::model::Role;
use axum::extract::State;
use axum::response::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, add)).routes(routes!(update, remove))
}

/// The project's members.
#[utoipa::path(get, path = "/api/0/projects/{id}/members/", tag = "members",
    responses((status = 200, body = Vec<MemberInfo>), (status = 404)))]
async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
) -> Result<Json<Vec<MemberInfo>>, ApiError> {
    access::require(&state.db, &principal, id, Role::Viewer, "project").await?;
    Ok(Json(members::list(&state.db, id).await?))
}

/// Adds an existing user to the project with a role (admin).
#[utoipa::path(post, path = "/api/0/projects/{id}/members/", tag = "members", request_body = NewMember,
    responses((status = 200, body = MemberInfo), (status = 403), (status = 404), (status = 422)))]
async fn add(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
    Body(body): Body<NewMember>,
) -> Result<Json<MemberInfo>, ApiError> {
    access::require(&state.db, &principal, id, Role::Admin, "project").await?;
    let email = super::fields::email(&body.email)?;
    let user = users::by_email(&state.db, &email)
        .await?
        .ok_or_else(|| ApiError::Invalid("no user has this email; invite them first".into()))?;
    members::set(&state.db, id, user.id, body.role).await?;
    state.hub.access_changed();
    Ok(Json(MemberInfo { user_id: user.id, email: user.email, role: body.role }))
}

/// Changes a member's role (admin).
#[utoipa::path(patch, path = "/api/0/projects/{id}/members/{user_id}/", tag = "members", request_body = RoleUpdate,
    responses((status = 200, body = MemberInfo), (status = 403), (status = 404)))]
async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Id((id, user_id)): Id<(i64, i64)>,
    Body(body): Body<RoleUpdate>,
) -> Result<Json<MemberInfo>, ApiError> {
    access::require(&state.db, &principal, id, Role::Admin, "project").await?;
    members::role(&state.db, id, user_id).await?.ok_or(ApiError::NotFound("member"))?;
    let user = users::by_id(&state.db, user_id).await?.ok_or(ApiError::NotFound("member"))?;
    members::set(&state.db, id, user_id, body.role).await?;
    state.hub.access_changed();
    Ok(Json(MemberInfo { user_id, email: user.email, role: body.role }))
}

/// Removes a member (admin).
#[utoipa::path(delete, path = "/api/0/projects/{id}/members/{user_id}/", tag = "members",
    responses((status = 204), (status = 403), (status = 404)))]
async fn remove(
    State(state): State<AppState>,
    principal: Principal,
    Id((id, user_id)): Id<(i64, i64)>,
) -> Result<NoContent, ApiError> {
    access::require(&state.db, &principal, id, Role::Admin, "project").await?;
    if !members::remove(&state.db, id, user_id).await? {
        return Err(ApiError::NotFound("member"));
    }
    state.hub.access_changed();
    Ok(NoContent)
}
