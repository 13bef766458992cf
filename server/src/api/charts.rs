//! The project overview chart, for every member of the project.

use super::ApiError;
use super::extract::{Id, Params};
use crate::auth::{Principal, access};
use crate::state::AppState;
use crate::store::charts;
use app::chart::{ChartRange, ProjectChart};
use app::model::Role;
use axum::extract::State;
use axum::response::Json;
use chrono::Utc;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(project_chart))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ChartParams {
    /// `1h` (5-minute bars), `24h` (hourly, the default), `7d` (6-hour) or `30d` (daily).
    pub range: Option<ChartRange>,
}

/// The project's events over time by level, new issues per day over the last 30 days, and the
/// issues with the most events among those seen in the range.
#[utoipa::path(get, path = "/api/0/projects/{id}/chart/", tag = "projects", params(ChartParams),
    responses((status = 200, body = ProjectChart), (status = 404), (status = 422)))]
async fn project_chart(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
    Params(params): Params<ChartParams>,
) -> Result<Json<ProjectChart>, ApiError> {
    access::require(&state.db, &principal, id, Role::Viewer, "project").await?;
    let range = params.range.unwrap_or_default();
    Ok(Json(charts::project_chart(&state.db, id, range, Utc::now()).await?))
}
