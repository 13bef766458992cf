//! A project's alert rules (members see them, admins manage them), and the alerts each issue got.

use super::extract::{Body, Id};
use super::issues::readable;
use super::{ApiError, NoContent};
use crate::auth::{Principal, access};
use crate::state::AppState;
use crate::store::alerts::{channels, deliveries, preview, rules};
use app::alerts::{
    Delivery, MAX_INTERVAL_MINUTES, MIN_INTERVAL_MINUTES, NewRule, RuleDraft, RuleInfo, RulePreview, RuleUpdate,
    Trigger,
};
use app::model::Role;
use app::search::Query;
use axum::extract::State;
use axum::response::Json;
use chrono::Utc;
use std::collections::BTreeSet;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Deliveries an issue's page lists.
const ISSUE_LOG_LENGTH: u64 = 50;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update, delete))
        .routes(routes!(preview))
        .routes(routes!(of_issue))
}

/// The project's alert rules (member).
#[utoipa::path(get, path = "/api/0/projects/{id}/alert-rules/", tag = "alerts",
    responses((status = 200, body = Vec<RuleInfo>), (status = 404)))]
async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
) -> Result<Json<Vec<RuleInfo>>, ApiError> {
    access::require(&state.db, &principal, id, Role::Member, "project").await?;
    Ok(Json(rules::list(&state.db, id).await?))
}

/// Adds a rule (admin).
#[utoipa::path(post, path = "/api/0/projects/{id}/alert-rules/", tag = "alerts", request_body = NewRule,
    responses((status = 200, body = RuleInfo), (status = 403), (status = 404), (status = 422)))]
async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
    Body(body): Body<NewRule>,
) -> Result<Json<RuleInfo>, ApiError> {
    access::require(&state.db, &principal, id, Role::Admin, "project").await?;
    let settings = checked(&state, id, body).await?;
    Ok(Json(rules::create(&state.db, id, settings).await?))
}

/// Changes any of a rule's settings (admin).
#[utoipa::path(patch, path = "/api/0/projects/{id}/alert-rules/{rule_id}/", tag = "alerts", request_body = RuleUpdate,
    responses((status = 200, body = RuleInfo), (status = 403), (status = 404), (status = 422)))]
async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Id((id, rule_id)): Id<(i64, i64)>,
    Body(body): Body<RuleUpdate>,
) -> Result<Json<RuleInfo>, ApiError> {
    access::require(&state.db, &principal, id, Role::Admin, "project").await?;
    let rule = rules::get(&state.db, id, rule_id).await?.ok_or(ApiError::NotFound("alert rule"))?;
    let settings = NewRule {
        name: body.name.unwrap_or(rule.name),
        triggers: body.triggers.unwrap_or(rule.triggers),
        filter: body.filter.unwrap_or(rule.filter),
        interval_minutes: body.interval_minutes.unwrap_or(rule.interval_minutes),
        channels: body.channels.unwrap_or(rule.channels),
        enabled: body.enabled.unwrap_or(rule.enabled),
    };
    let settings = checked(&state, id, settings).await?;
    Ok(Json(rules::update(&state.db, id, rule_id, settings).await?))
}

/// What a rule with these triggers, filter and interval would have sent over the last 7 days
/// (member): replayed over the stored history, nothing is sent.
#[utoipa::path(post, path = "/api/0/projects/{id}/alert-rules/preview/", tag = "alerts", request_body = RuleDraft,
    responses((status = 200, body = RulePreview), (status = 404), (status = 422)))]
async fn preview(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
    Body(draft): Body<RuleDraft>,
) -> Result<Json<RulePreview>, ApiError> {
    access::require(&state.db, &principal, id, Role::Member, "project").await?;
    let filter = checked_firing(&draft.triggers, &draft.filter, draft.interval_minutes)?;
    let preview = preview::preview(&state.db, id, &draft.triggers, &filter, draft.interval_minutes, Utc::now()).await?;
    Ok(Json(preview))
}

/// Deletes a rule (admin); its deliveries stay in the log.
#[utoipa::path(delete, path = "/api/0/projects/{id}/alert-rules/{rule_id}/", tag = "alerts",
    responses((status = 204), (status = 403), (status = 404)))]
async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    Id((id, rule_id)): Id<(i64, i64)>,
) -> Result<NoContent, ApiError> {
    access::require(&state.db, &principal, id, Role::Admin, "project").await?;
    if !rules::delete(&state.db, id, rule_id).await? {
        return Err(ApiError::NotFound("alert rule"));
    }
    Ok(NoContent)
}

/// The alerts sent (or being sent) for the issue, newest first.
#[utoipa::path(get, path = "/api/0/issues/{id}/alerts/", tag = "alerts",
    responses((status = 200, body = Vec<Delivery>), (status = 404)))]
async fn of_issue(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
) -> Result<Json<Vec<Delivery>>, ApiError> {
    readable(&state, &principal, id, Role::Viewer).await?;
    Ok(Json(deliveries::of_issue(&state.db, id, ISSUE_LOG_LENGTH).await?))
}

/// The settings, once each is known to be right: a name, what fires (see [`checked_firing`]), and
/// at least one of the project's channels.
async fn checked(state: &AppState, project_id: i64, mut settings: NewRule) -> Result<NewRule, ApiError> {
    settings.name = super::fields::name(&settings.name, "rule name")?;
    settings.filter = checked_firing(&settings.triggers, &settings.filter, settings.interval_minutes)?.to_string();
    let wanted: BTreeSet<i64> = settings.channels.iter().copied().collect();
    if wanted.is_empty() {
        return Err(ApiError::Invalid("a rule notifies at least one channel".to_owned()));
    }
    let known: BTreeSet<i64> = channels::list(&state.db, project_id).await?.iter().map(|row| row.id).collect();
    if let Some(unknown) = wanted.difference(&known).next() {
        return Err(ApiError::Invalid(format!("the project has no channel {unknown}")));
    }
    settings.channels = wanted.into_iter().collect();
    Ok(settings)
}

/// The parsed filter, once what decides firing is known to be right: at least one trigger (each
/// once), a filter the search language takes for single events, an interval within bounds.
fn checked_firing(triggers: &[Trigger], filter: &str, interval_minutes: u32) -> Result<Query, ApiError> {
    if triggers.is_empty() {
        return Err(ApiError::Invalid("a rule needs at least one trigger".to_owned()));
    }
    for (at, trigger) in triggers.iter().enumerate() {
        trigger.check().map_err(ApiError::Invalid)?;
        if triggers[..at].contains(trigger) {
            return Err(ApiError::Invalid(format!("the trigger `{}` is listed twice", trigger.describe())));
        }
    }
    let filter: Query = filter.parse().map_err(|err| ApiError::Invalid(format!("the filter is not valid: {err}")))?;
    filter.check_for_events().map_err(|why| ApiError::Invalid(format!("the filter is not valid: {why}")))?;
    if !(MIN_INTERVAL_MINUTES..=MAX_INTERVAL_MINUTES).contains(&interval_minutes) {
        return Err(ApiError::Invalid(format!(
            "the interval is {MIN_INTERVAL_MINUTES} to {MAX_INTERVAL_MINUTES} minutes (a week)"
        )));
    }
    Ok(filter)
}
