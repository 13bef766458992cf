//! API tokens of the signed-in user: created (the secret shown once), listed, revoked.

use super::extract::{Body, Id};
use super::{ApiError, NoContent};
use crate::auth::Principal;
use crate::state::AppState;
use crate::store::tokens;
use app::dto::{CreatedToken, NewToken, TokenInfo};
use axum::extract::State;
use axum::response::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(revoke))
}

/// Tokens only come from a signed-in browser: a token cannot mint another.
fn signed_in(principal: &Principal) -> Result<(), ApiError> {
    match principal.session_id {
        Some(_) => Ok(()),
        None => Err(ApiError::Forbidden("manage API tokens from the dashboard")),
    }
}

/// Your API tokens.
#[utoipa::path(get, path = "/api/0/tokens/", tag = "tokens", responses((status = 200, body = Vec<TokenInfo>)))]
async fn list(State(state): State<AppState>, principal: Principal) -> Result<Json<Vec<TokenInfo>>, ApiError> {
    signed_in(&principal)?;
    Ok(Json(tokens::list(&state.db, principal.user_id).await?))
}

/// Creates a token; its secret is in this answer and nowhere else.
#[utoipa::path(post, path = "/api/0/tokens/", tag = "tokens", request_body = NewToken,
    responses((status = 200, body = CreatedToken), (status = 422)))]
async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Body(body): Body<NewToken>,
) -> Result<Json<CreatedToken>, ApiError> {
    signed_in(&principal)?;
    let name = super::fields::name(&body.name, "token name")?;
    let (token, info) = crate::auth::tokens::issue(&state.db, principal.user_id, &name, body.scope).await?;
    Ok(Json(CreatedToken { token, info }))
}

/// Revokes one of your tokens.
#[utoipa::path(delete, path = "/api/0/tokens/{id}/", tag = "tokens", responses((status = 204), (status = 404)))]
async fn revoke(State(state): State<AppState>, principal: Principal, Id(id): Id<i64>) -> Result<NoContent, ApiError> {
    signed_in(&principal)?;
    if !tokens::revoke(&state.db, principal.user_id, id).await? {
        return Err(ApiError::NotFound("token"));
    }
    state.hub.access_changed();
    Ok(NoContent)
}
