//! The instance's users, administered by the owner.

use super::ApiError;
use super::extract::{Body, Id};
use crate::auth::{Principal, access, sessions};
use crate::state::AppState;
use crate::store::users;
use app::dto::{UserInfo, UserUpdate};
use axum::extract::State;
use axum::response::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(update))
}

/// Every user (owner only).
#[utoipa::path(get, path = "/api/0/users/", tag = "users", responses((status = 200, body = Vec<UserInfo>), (status = 403)))]
async fn list(State(state): State<AppState>, principal: Principal) -> Result<Json<Vec<UserInfo>>, ApiError> {
    access::require_owner(&principal)?;
    Ok(Json(users::list(&state.db).await?))
}

/// Makes a user owner or not, disables or enables them (owner only). No owner takes their own
/// ownership away or disables themselves (another owner may), and the last active owner stays
/// one.
#[utoipa::path(patch, path = "/api/0/users/{id}/", tag = "users", request_body = UserUpdate,
    responses((status = 200, body = UserInfo), (status = 403), (status = 404), (status = 409)))]
async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
    Body(body): Body<UserUpdate>,
) -> Result<Json<UserInfo>, ApiError> {
    access::require_owner(&principal)?;
    let user = users::by_id(&state.db, id).await?.ok_or(ApiError::NotFound("user"))?;
    let loses_ownership =
        user.is_owner && !user.disabled && (body.is_owner == Some(false) || body.disabled == Some(true));
    if loses_ownership && user.id == principal.user_id {
        return Err(ApiError::Conflict(
            "you cannot remove your own ownership or disable yourself; another owner can".into(),
        ));
    }
    if loses_ownership && users::active_owner_count(&state.db).await? <= 1 {
        return Err(ApiError::Conflict("the instance needs an active owner".into()));
    }
    let updated = users::update(&state.db, user, body.is_owner, body.disabled).await?;
    if updated.disabled {
        sessions::end_all_for(&state.db, updated.id, None).await?;
    }
    state.hub.access_changed();
    Ok(Json(users::info(updated)))
}
