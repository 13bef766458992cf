//! Whether the caller gets a project's alerts by email: anyone who may see the project opts in or
//! out for themselves; the project's members channels send to those who opted in.

use super::ApiError;
use super::extract::{Body, Id};
use crate::auth::{Principal, access};
use crate::state::AppState;
use crate::store::alerts::subscriptions;
use app::alerts::AlertSubscription;
use app::model::{Role, Scope};
use axum::extract::State;
use axum::response::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get, put))
}

/// Whether the caller gets the project's alert emails (viewer).
#[utoipa::path(get, path = "/api/0/projects/{id}/alert-subscription/", tag = "alerts",
    responses((status = 200, body = AlertSubscription), (status = 404)))]
async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
) -> Result<Json<AlertSubscription>, ApiError> {
    access::require(&state.db, &principal, id, Role::Viewer, "project").await?;
    let subscribed = subscriptions::is_subscribed(&state.db, id, principal.user_id).await?;
    Ok(Json(AlertSubscription { subscribed }))
}

/// Opts the caller in to the project's alert emails, or out (viewer; not with a read-only token).
#[utoipa::path(put, path = "/api/0/projects/{id}/alert-subscription/", tag = "alerts",
    request_body = AlertSubscription,
    responses((status = 200, body = AlertSubscription), (status = 403), (status = 404)))]
async fn put(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
    Body(body): Body<AlertSubscription>,
) -> Result<Json<AlertSubscription>, ApiError> {
    access::require(&state.db, &principal, id, Role::Viewer, "project").await?;
    if principal.scope == Some(Scope::Read) {
        return Err(ApiError::Forbidden("a read-only token changes nothing"));
    }
    subscriptions::set(&state.db, id, principal.user_id, body.subscribed).await?;
    Ok(Json(body))
}
