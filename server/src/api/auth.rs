//! Signing in and out, the first-run setup, and password changes.

use super::extract::Body;
use super::fields;
use super::{ApiError, NoContent};
use crate::auth::{Principal, secrets, sessions};
use crate::state::AppState;
use crate::store::setup::{self, Refusal};
use crate::store::users;
use app::dto::{Credentials, CurrentUser, OwnerSetup, PasswordChange, SetupState};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Json, Response};
use std::net::SocketAddr;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(setup_state, setup))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
}

/// Whether the instance waits for its first user.
#[utoipa::path(get, path = "/api/0/auth/setup", tag = "auth", responses((status = 200, body = SetupState)))]
async fn setup_state(State(state): State<AppState>) -> Result<Json<SetupState>, ApiError> {
    Ok(Json(SetupState { needs_setup: users::count(&state.db).await? == 0 }))
}

/// Creates the instance owner with the setup token the server printed; only while no user
/// exists. Of concurrent attempts exactly one succeeds.
#[utoipa::path(post, path = "/api/0/auth/setup", tag = "auth", request_body = OwnerSetup,
    responses((status = 200, body = CurrentUser), (status = 403, description = "not the setup token"),
        (status = 409, description = "a user exists already")))]
async fn setup(
    State(state): State<AppState>,
    headers: HeaderMap,
    Body(body): Body<OwnerSetup>,
) -> Result<Response, ApiError> {
    super::require_same_origin(&state, &headers)?;
    let token = secrets::digest(body.setup_token.trim());
    // Refused before the password is hashed: a wrong token costs no hashing.
    setup::check(&state.db, &token).await?.map_err(refused)?;
    let email = fields::email(&body.email)?;
    let hash = state.passwords.hash(body.password).await?;
    let user = setup::create_owner(&state.db, &token, &email, hash).await?.map_err(refused)?;
    tracing::info!(user_id = user.id, "instance owner created");
    signed_in(&state, CurrentUser { id: user.id, email: user.email, is_owner: true }).await
}

fn refused(refusal: Refusal) -> ApiError {
    match refusal {
        Refusal::WrongToken => ApiError::Forbidden(
            "that is not the setup token: the server printed it when it started (or it was set with --setup-token)",
        ),
        Refusal::SetUpAlready => ApiError::Conflict("the instance is set up already; sign in".into()),
    }
}

/// Signs in with email and password; sets the session cookie. Each attempt counts against the
/// account and the client's address before the password is checked.
#[utoipa::path(post, path = "/api/0/auth/login", tag = "auth", request_body = Credentials,
    responses((status = 200, body = CurrentUser), (status = 401), (status = 429), (status = 503)))]
async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Body(body): Body<Credentials>,
) -> Result<Response, ApiError> {
    super::require_same_origin(&state, &headers)?;
    let account = users::normalize_email(&body.email);
    if account.chars().count() > fields::MAX_EMAIL_CHARS {
        let limit = fields::MAX_EMAIL_CHARS;
        return Err(ApiError::Invalid(format!("an email address has at most {limit} characters")));
    }
    let address = state.trusted_proxies.client(peer.ip(), &headers);
    state.login_limiter.attempt(&account, address).map_err(ApiError::TooManyAttempts)?;
    let user = users::by_email(&state.db, &account).await?.filter(|user| !user.disabled);
    let stored = user.as_ref().map(|user| user.password_hash.clone());
    let valid = match state.passwords.verify(body.password, stored).await {
        Ok(valid) => valid,
        Err(busy) => {
            state.login_limiter.abandoned(&account, address);
            return Err(busy.into());
        }
    };
    let Some(user) = user.filter(|_| valid) else {
        tracing::info!("failed sign-in");
        return Err(ApiError::BadCredentials);
    };
    state.login_limiter.succeeded(&account, address);
    tracing::info!(user_id = user.id, "signed in");
    signed_in(&state, CurrentUser { id: user.id, email: user.email, is_owner: user.is_owner }).await
}

/// Starts a session and answers with its cookie.
pub async fn signed_in(state: &AppState, user: CurrentUser) -> Result<Response, ApiError> {
    let token = sessions::start(&state.db, user.id, &state.sessions).await?;
    Ok(([(header::SET_COOKIE, sessions::cookie(&token, &state.sessions))], Json(user)).into_response())
}

/// Signs out: ends the session and removes its cookie.
#[utoipa::path(post, path = "/api/0/auth/logout", tag = "auth", responses((status = 204)))]
async fn logout(State(state): State<AppState>, principal: Principal) -> Result<Response, ApiError> {
    if let Some(session) = &principal.session_id {
        sessions::end(&state.db, session).await?;
        state.hub.access_changed();
    }
    Ok(([(header::SET_COOKIE, sessions::removal(&state.sessions))], NoContent).into_response())
}

/// The signed-in user (or the token's user).
#[utoipa::path(get, path = "/api/0/auth/me", tag = "auth", responses((status = 200, body = CurrentUser), (status = 401)))]
async fn me(principal: Principal) -> Json<CurrentUser> {
    Json(principal.current_user())
}

/// Changes the password; every other session of the user ends.
#[utoipa::path(post, path = "/api/0/auth/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 401), (status = 422)))]
async fn change_password(
    State(state): State<AppState>,
    principal: Principal,
    Body(body): Body<PasswordChange>,
) -> Result<NoContent, ApiError> {
    let session = principal.session_id.as_deref().ok_or(ApiError::Forbidden("sign in to change your password"))?;
    let user = users::by_id(&state.db, principal.user_id).await?.ok_or(ApiError::Unauthenticated)?;
    if !state.passwords.verify(body.current_password, Some(user.password_hash.clone())).await? {
        return Err(ApiError::Invalid("the current password is not right".into()));
    }
    let hash = state.passwords.hash(body.new_password).await?;
    users::set_password(&state.db, user, hash).await?;
    sessions::end_all_for(&state.db, principal.user_id, Some(session)).await?;
    state.hub.access_changed();
    tracing::info!(user_id = principal.user_id, "password changed");
    Ok(NoContent)
}
