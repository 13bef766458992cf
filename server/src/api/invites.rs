//! One-time invite links, the owner's list of those not used yet, and teammates accepting them.

use super::ApiError;
use super::auth::signed_in;
use super::extract::{Body, Id};
use super::fields;
use crate::auth::{Principal, access, secrets};
use crate::state::AppState;
use crate::store::invites::{self, Refusal};
use crate::store::{projects, users};
use app::dto::{Credentials, CurrentUser, InviteInfo, InviteLink, NewInvite, PendingInvite};
use app::model::Role;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Json, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, pending))
        .routes(routes!(revoke))
        .routes(routes!(show))
        .routes(routes!(accept))
}

/// Creates a one-time link for a teammate, optionally with a role in a project (owner only).
#[utoipa::path(post, path = "/api/0/invites/", tag = "users", request_body = NewInvite,
    responses((status = 200, body = InviteLink), (status = 403)))]
async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Body(body): Body<NewInvite>,
) -> Result<Json<InviteLink>, ApiError> {
    access::require_owner(&principal)?;
    if let Some(project) = body.project_id
        && projects::get(&state.db, project).await?.is_none()
    {
        return Err(ApiError::NotFound("project"));
    }
    let role = body.project_id.map(|_| body.role.unwrap_or(Role::Member));
    let token = secrets::generate("");
    let expires_at =
        invites::create(&state.db, &secrets::digest(&token), principal.user_id, body.project_id, role).await?;
    let url = format!("{}/invite/{token}", state.public_url.trim_end_matches('/'));
    Ok(Json(InviteLink { url, expires_at }))
}

/// The invite links not used yet, newest first (owner only).
#[utoipa::path(get, path = "/api/0/invites/", tag = "users",
    responses((status = 200, body = Vec<PendingInvite>), (status = 403)))]
async fn pending(State(state): State<AppState>, principal: Principal) -> Result<Json<Vec<PendingInvite>>, ApiError> {
    access::require_owner(&principal)?;
    Ok(Json(invites::pending(&state.db).await?))
}

/// Revokes an invite link not used yet: it no longer opens (owner only).
#[utoipa::path(delete, path = "/api/0/invites/{id}/", tag = "users",
    responses((status = 204), (status = 403), (status = 404)))]
async fn revoke(State(state): State<AppState>, principal: Principal, Id(id): Id<i64>) -> Result<StatusCode, ApiError> {
    access::require_owner(&principal)?;
    if !invites::revoke(&state.db, id).await? {
        return Err(ApiError::NotFound("invite not used yet"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// What an open invite offers; a used or expired link answers 410 and says which.
#[utoipa::path(get, path = "/api/0/invites/{token}", tag = "users",
    responses((status = 200, body = InviteInfo), (status = 404), (status = 410)))]
async fn show(State(state): State<AppState>, Id(token): Id<String>) -> Result<Json<InviteInfo>, ApiError> {
    let invite = invites::find(&state.db, &secrets::digest(&token)).await?.ok_or(ApiError::NotFound("invite"))?;
    if invite.accepted_at.is_some() {
        return Err(ApiError::Gone(
            "this invite link was already used; sign in with the account it made, or ask the instance's owner for \
             a new link"
                .into(),
        ));
    }
    if invite.expires_at <= chrono::Utc::now() {
        return Err(ApiError::Gone(format!(
            "this invite link expired on {}; ask the instance's owner for a new link",
            invite.expires_at.format("%b %e, %Y")
        )));
    }
    Ok(Json(invites::info(&state.db, &invite).await?))
}

/// Creates the teammate's account from the invite, signs them in, and spends the link: one link,
/// one account, however many accept it at once.
#[utoipa::path(post, path = "/api/0/invites/{token}/accept", tag = "users", request_body = Credentials,
    responses((status = 200, body = CurrentUser), (status = 404), (status = 409)))]
async fn accept(
    State(state): State<AppState>,
    Id(token): Id<String>,
    headers: HeaderMap,
    Body(body): Body<Credentials>,
) -> Result<Response, ApiError> {
    super::require_same_origin(&state, &headers)?;
    let token = secrets::digest(&token);
    // Refused before the password is hashed; the transaction below decides.
    invites::open(&state.db, &token).await?.ok_or(ApiError::NotFound("invite"))?;
    let email = fields::email(&body.email)?;
    if users::by_email(&state.db, &email).await?.is_some() {
        return Err(refused(Refusal::EmailTaken));
    }
    let hash = state.passwords.hash(body.password).await?;
    let user = invites::accept(&state.db, &token, &email, hash).await?.map_err(refused)?;
    tracing::info!(user_id = user.id, "invite accepted");
    signed_in(&state, CurrentUser { id: user.id, email: user.email, is_owner: false }).await
}

fn refused(refusal: Refusal) -> ApiError {
    match refusal {
        Refusal::Spent => ApiError::NotFound("invite"),
        Refusal::EmailTaken => ApiError::Conflict("an account with this email exists; sign in instead".into()),
    }
}
