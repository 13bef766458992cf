//! The REST API under `/api/0/`, documented at `/api/0/openapi.json` from the handlers
//! themselves, and `/metrics`. Handlers are thin: they ask [`crate::auth`] who calls and with
//! which role, call the store, and answer JSON or an [`ApiError`]. The dashboard renders its
//! pages from the same functions and calls these routes from the browser.

mod activity;
mod alert_channels;
mod alert_rules;
mod alert_subscription;
mod auth;
mod charts;
mod download;
mod error;
mod events;
mod extract;
mod fields;
mod invites;
pub mod issues;
mod keys;
mod members;
mod notifications;
pub mod projects;
mod tokens;
mod users;

use crate::auth::{Principal, access};
use crate::state::AppState;
use app::model::ProjectOutcomes;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
pub use error::ApiError;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Faultline API", description = "Issues, events, projects, DSN keys, members, tokens and alerts of a Faultline instance. Authenticate with the dashboard's session cookie or `Authorization: Bearer <token>`."),
    tags(
        (name = "auth"), (name = "projects"), (name = "keys"), (name = "members"), (name = "issues"),
        (name = "events"), (name = "tokens"), (name = "users"), (name = "outcomes"), (name = "alerts")
    )
)]
struct ApiDoc;

/// An empty 204 answer.
pub struct NoContent;

impl IntoResponse for NoContent {
    fn into_response(self) -> Response {
        StatusCode::NO_CONTENT.into_response()
    }
}

pub fn router() -> Router<AppState> {
    let (router, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::router())
        .merge(invites::router())
        .merge(users::router())
        .merge(tokens::router())
        .merge(projects::router())
        .merge(charts::router())
        .merge(keys::router())
        .merge(members::router())
        .merge(notifications::router())
        .merge(issues::router())
        .merge(activity::router())
        .merge(alert_channels::router())
        .merge(alert_rules::router())
        .merge(alert_subscription::router())
        .merge(events::router())
        .routes(routes!(outcomes))
        .split_for_parts();
    let document = openapi.to_pretty_json().unwrap_or_default();
    router.route("/metrics", get(metrics)).route(
        "/api/0/openapi.json",
        get(move || async move { ([(header::CONTENT_TYPE, "application/json")], document) }),
    )
}

/// Unauthenticated requests that sign in or create accounts must come from this server's pages.
pub fn require_same_origin(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    if state.allowed_hosts.allows_origin(headers) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("cross-site request refused: the Origin is not this server"))
    }
}

/// How the ingest requests of your projects ended since the server started.
#[utoipa::path(get, path = "/api/0/outcomes/", tag = "outcomes", responses((status = 200, body = Vec<ProjectOutcomes>)))]
async fn outcomes(State(state): State<AppState>, principal: Principal) -> Result<Json<Vec<ProjectOutcomes>>, ApiError> {
    let readable = access::readable_projects(&state.db, &principal).await?;
    let all = state.outcomes.snapshot();
    Ok(Json(match readable {
        None => all,
        Some(projects) => all.into_iter().filter(|counts| projects.contains(&counts.project_id)).collect(),
    }))
}

/// Ingest outcomes in the Prometheus text format (owner, e.g. with an `admin` token).
async fn metrics(State(state): State<AppState>, principal: Principal) -> Result<Response, ApiError> {
    access::require_owner(&principal)?;
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.outcomes.prometheus()).into_response())
}
