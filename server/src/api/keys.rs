//! DSN keys: every member sees them (to configure SDKs); admins add, label, disable and rotate.

use super::ApiError;
use super::extract::{Body, Id};
use crate::auth::{Principal, access};
use crate::state::AppState;
use crate::store::projects;
use app::dto::{KeyInfo, KeyUpdate, NewKey};
use app::model::Role;
use axum::extract::State;
use axum::response::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(update)).routes(routes!(rotate))
}

/// The project's DSN keys and their DSNs.
#[utoipa::path(get, path = "/api/0/projects/{id}/keys/", tag = "keys",
    responses((status = 200, body = Vec<KeyInfo>), (status = 404)))]
async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
) -> Result<Json<Vec<KeyInfo>>, ApiError> {
    access::require(&state.db, &principal, id, Role::Viewer, "project").await?;
    Ok(Json(projects::keys(&state.db, id, &state.public_url).await?))
}

/// Adds a key (admin).
#[utoipa::path(post, path = "/api/0/projects/{id}/keys/", tag = "keys", request_body = NewKey,
    responses((status = 200, body = KeyInfo), (status = 403), (status = 404)))]
async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
    Body(body): Body<NewKey>,
) -> Result<Json<KeyInfo>, ApiError> {
    access::require(&state.db, &principal, id, Role::Admin, "project").await?;
    let label =
        if body.label.trim().is_empty() { "Key".to_owned() } else { super::fields::name(&body.label, "key label")? };
    let row = projects::add_key(&state.db, id, &label).await?;
    Ok(Json(projects::key_info(row, &state.public_url)))
}

/// Relabels, disables or enables a key, or sets its rate limit (admin).
#[utoipa::path(patch, path = "/api/0/projects/{id}/keys/{key_id}/", tag = "keys", request_body = KeyUpdate,
    responses((status = 200, body = KeyInfo), (status = 403), (status = 404)))]
async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Id((id, key_id)): Id<(i64, i64)>,
    Body(body): Body<KeyUpdate>,
) -> Result<Json<KeyInfo>, ApiError> {
    access::require(&state.db, &principal, id, Role::Admin, "project").await?;
    let label = body.label.as_deref().map(|label| super::fields::name(label, "key label")).transpose()?;
    let row = projects::key(&state.db, id, key_id).await?.ok_or(ApiError::NotFound("key"))?;
    let row = projects::update_key(&state.db, row, label.as_deref(), body.active, body.rate_limit_per_minute).await?;
    state.ingest_keys.forget();
    Ok(Json(projects::key_info(row, &state.public_url)))
}

/// Replaces the key's public key: SDKs with the old DSN are refused from now on (admin).
#[utoipa::path(post, path = "/api/0/projects/{id}/keys/{key_id}/rotate/", tag = "keys",
    responses((status = 200, body = KeyInfo), (status = 403), (status = 404)))]
async fn rotate(
    State(state): State<AppState>,
    principal: Principal,
    Id((id, key_id)): Id<(i64, i64)>,
) -> Result<Json<KeyInfo>, ApiError> {
    access::require(&state.db, &principal, id, Role::Admin, "project").await?;
    let row = projects::key(&state.db, id, key_id).await?.ok_or(ApiError::NotFound("key"))?;
    let row = projects::rotate_key(&state.db, row).await?;
    state.ingest_keys.forget();
    Ok(Json(projects::key_info(row, &state.public_url)))
}
