//! The caller's personal emails: an issue someone else assigned them, a comment someone else made
//! on an issue assigned to them. Each user chooses for themselves.

use super::ApiError;
use super::extract::Body;
use crate::auth::Principal;
use crate::state::AppState;
use crate::store::notifications;
use app::alerts::NotificationSettings;
use app::model::Scope;
use axum::extract::State;
use axum::response::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get, put))
}

/// Which personal emails the caller gets.
#[utoipa::path(get, path = "/api/0/auth/notifications", tag = "auth",
    responses((status = 200, body = NotificationSettings), (status = 401)))]
async fn get(State(state): State<AppState>, principal: Principal) -> Result<Json<NotificationSettings>, ApiError> {
    Ok(Json(notifications::settings(&state.db, principal.user_id).await?.unwrap_or_default()))
}

/// Chooses the caller's personal emails (not with a read-only token).
#[utoipa::path(put, path = "/api/0/auth/notifications", tag = "auth", request_body = NotificationSettings,
    responses((status = 200, body = NotificationSettings), (status = 401), (status = 403)))]
async fn put(
    State(state): State<AppState>,
    principal: Principal,
    Body(wanted): Body<NotificationSettings>,
) -> Result<Json<NotificationSettings>, ApiError> {
    if principal.scope == Some(Scope::Read) {
        return Err(ApiError::Forbidden("a read-only token changes nothing"));
    }
    notifications::set_settings(&state.db, principal.user_id, wanted).await?;
    Ok(Json(wanted))
}
