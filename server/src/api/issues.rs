//! Issues: read by every member of their project, triaged by members. Every decision goes to
//! the issue's activity log and out to every open dashboard.

use super::ApiError;
use super::extract::{Body, Id, Params};
use crate::auth::{Principal, access};
use crate::state::AppState;
use crate::store::activity::Actor;
use crate::store::decisions::Request;
use crate::store::entities::issue;
use crate::store::search::{self, Searcher};
use crate::store::{issues, projects};
use app::chart::ChartRange;
use app::dto::{BulkTriage, IssueCount, IssueDetail, TriageAction, Updated};
use app::model::{IssueStatus, IssueSummary, Role};
use app::search::{Cursor, PAGE, Query as SearchQuery, Sort, Term, UNTIL_MOST};
use axum::extract::State;
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Json, Response};
use chrono::Utc;
use sea_orm::{ColumnTrait, Condition};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(all, bulk_update_all))
        .routes(routes!(count))
        .routes(routes!(for_project, bulk_update))
        .routes(routes!(show, update))
}

/// Narrows and orders a list of issues.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct IssueFilter {
    /// Only issues with this status.
    pub status: Option<IssueStatus>,
    /// A search, e.g. `is:unresolved level:error browser.name:Chrome firstSeen:-7d timeout`.
    pub query: Option<String>,
    /// Most recently seen first (the default), newest first, most events or most users first.
    pub sort: Option<Sort>,
    /// Only this project's issues.
    pub project: Option<i64>,
    /// Only these issues, by id, comma-separated: whether they (still) match the search.
    pub ids: Option<String>,
    /// The page after the one that gave this cursor in its `Link: <…>; rel="next"` header.
    pub cursor: Option<String>,
    /// Every issue from the first through the one this cursor names, at most 1,000: the pages a
    /// list had shown before the one after `until`.
    pub until: Option<String>,
}

impl IssueFilter {
    fn condition(&self, principal: &Principal) -> Result<Condition, ApiError> {
        let mut query: SearchQuery = self.query.as_deref().unwrap_or_default().parse().map_err(ApiError::BadQuery)?;
        if let Some(status) = self.status {
            query.terms.push(Term::Is { negated: false, state: status.into() });
        }
        let searcher = Searcher { user_id: principal.user_id, now: Utc::now() };
        let mut condition = search::condition(&query, searcher);
        if let Some(ids) = &self.ids {
            let ids: Vec<i64> =
                ids.split(',').map(|id| id.trim().parse()).collect::<Result<_, _>>().map_err(|_| {
                    ApiError::Invalid(format!("`ids` takes issue ids separated by commas, not `{ids}`"))
                })?;
            condition = condition.add(issue::Column::Id.is_in(ids));
        }
        if let Some(cursor) = &self.cursor {
            let cursor: Cursor = cursor.parse().map_err(ApiError::Invalid)?;
            condition = condition.add(search::after(self.sort(), cursor));
        }
        if let Some(until) = &self.until {
            let until: Cursor = until.parse().map_err(ApiError::Invalid)?;
            condition = condition.add(search::after(self.sort(), until).not());
        }
        Ok(condition)
    }

    fn sort(&self) -> Sort {
        self.sort.unwrap_or_default()
    }

    /// How many issues one answer holds.
    fn limit(&self) -> u64 {
        if self.until.is_some() { UNTIL_MOST } else { PAGE }
    }
}

/// A page of issues; when it is full, a `Link` header names the next one as Sentry's API does:
/// `<url>; rel="next"; results="true"; cursor="…"`.
pub struct IssuePage {
    issues: Vec<IssueSummary>,
    next: Option<String>,
}

impl IssuePage {
    fn new(issues: Vec<IssueSummary>, filter: &IssueFilter, uri: &Uri) -> IssuePage {
        let next = (issues.len() as u64 == filter.limit()).then(|| issues.last()).flatten().map(|last| {
            let cursor = filter.sort().cursor_after(last).to_string();
            let kept = form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
                .filter(|(key, _)| key != "cursor" && key != "until")
                .collect::<Vec<_>>();
            let query = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(kept)
                .append_pair("cursor", &cursor)
                .finish();
            format!("<{}?{query}>; rel=\"next\"; results=\"true\"; cursor=\"{cursor}\"", uri.path())
        });
        IssuePage { issues, next }
    }
}

impl IntoResponse for IssuePage {
    fn into_response(self) -> Response {
        let link = self.next.and_then(|next| HeaderValue::from_str(&next).ok());
        let mut response = Json(self.issues).into_response();
        if let Some(link) = link {
            response.headers_mut().insert(header::LINK, link);
        }
        response
    }
}

/// The projects the caller may see (all when `None`), narrowed to `filter.project`.
async fn filtered_projects(
    state: &AppState,
    principal: &Principal,
    filter: &IssueFilter,
) -> Result<Option<Vec<i64>>, ApiError> {
    let projects = access::readable_projects(&state.db, principal).await?;
    Ok(match filter.project {
        Some(only) => {
            Some(projects.map_or_else(|| vec![only], |all| all.into_iter().filter(|id| *id == only).collect()))
        }
        None => projects,
    })
}

/// The issues of every project the caller may see (or of `filter.project`), in the filter's order.
pub async fn visible(
    state: &AppState,
    principal: &Principal,
    filter: &IssueFilter,
) -> Result<Vec<IssueSummary>, ApiError> {
    let projects = filtered_projects(state, principal, filter).await?;
    let condition = filter.condition(principal)?;
    Ok(issues::in_projects(&state.db, projects.as_deref(), condition, filter.sort(), filter.limit()).await?)
}

/// How many issues of your projects match the filter, all pages together (the total above the
/// dashboard's list).
#[utoipa::path(get, path = "/api/0/issues/count/", tag = "issues", params(IssueFilter),
    responses((status = 200, body = IssueCount), (status = 400)))]
async fn count(
    State(state): State<AppState>,
    principal: Principal,
    Params(filter): Params<IssueFilter>,
) -> Result<Json<IssueCount>, ApiError> {
    let filter = IssueFilter { cursor: None, until: None, ..filter };
    let projects = filtered_projects(&state, &principal, &filter).await?;
    let condition = filter.condition(&principal)?;
    Ok(Json(IssueCount { count: issues::count_in_projects(&state.db, projects.as_deref(), condition).await? }))
}

/// Issues of all your projects.
#[utoipa::path(get, path = "/api/0/issues/", tag = "issues", params(IssueFilter),
    responses((status = 200, body = Vec<IssueSummary>)))]
async fn all(
    State(state): State<AppState>,
    principal: Principal,
    uri: Uri,
    Params(filter): Params<IssueFilter>,
) -> Result<IssuePage, ApiError> {
    Ok(IssuePage::new(visible(&state, &principal, &filter).await?, &filter, &uri))
}

/// A project's issues.
#[utoipa::path(get, path = "/api/0/projects/{id}/issues/", tag = "issues", params(IssueFilter),
    responses((status = 200, body = Vec<IssueSummary>), (status = 404)))]
async fn for_project(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
    uri: Uri,
    Params(filter): Params<IssueFilter>,
) -> Result<IssuePage, ApiError> {
    access::require(&state.db, &principal, id, Role::Viewer, "project").await?;
    let condition = filter.condition(&principal)?;
    let issues = issues::in_projects(&state.db, Some(&[id]), condition, filter.sort(), filter.limit()).await?;
    Ok(IssuePage::new(issues, &filter, &uri))
}

/// Applies one decision to many issues of the projects you triage: the listed ones, or all with
/// a status (the list's filter).
#[utoipa::path(put, path = "/api/0/issues/", tag = "issues", request_body = BulkTriage,
    responses((status = 200, body = Updated), (status = 403), (status = 422)))]
async fn bulk_update_all(
    State(state): State<AppState>,
    principal: Principal,
    Body(body): Body<BulkTriage>,
) -> Result<Json<Updated>, ApiError> {
    let projects = access::triageable_projects(&state.db, &principal).await?;
    if projects.as_ref().is_some_and(Vec::is_empty) {
        return Err(ApiError::Forbidden("your role in these projects does not allow this"));
    }
    bulk(&state, &principal, projects.as_deref(), body).await
}

/// Applies one decision to many of the project's issues: the listed ones, or all with a status
/// (member).
#[utoipa::path(put, path = "/api/0/projects/{id}/issues/", tag = "issues", request_body = BulkTriage,
    responses((status = 200, body = Updated), (status = 403), (status = 404), (status = 422)))]
async fn bulk_update(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
    Body(body): Body<BulkTriage>,
) -> Result<Json<Updated>, ApiError> {
    access::require(&state.db, &principal, id, Role::Member, "project").await?;
    bulk(&state, &principal, Some(&[id]), body).await
}

/// Applies the decision to the selected issues of `projects`, all or none.
async fn bulk(
    state: &AppState,
    principal: &Principal,
    projects: Option<&[i64]>,
    body: BulkTriage,
) -> Result<Json<Updated>, ApiError> {
    if body.ids.is_none() && body.all_with_status.is_none() {
        return Err(ApiError::Invalid("name the issues: `ids`, or `all_with_status`".to_owned()));
    }
    let request = Request {
        projects: projects.map(<[i64]>::to_vec),
        ids: body.ids,
        status: body.all_with_status,
        action: body.action,
        by: actor(principal),
    };
    let updated = state.writer.decide(request).await?;
    Ok(Json(Updated { updated }))
}

/// An issue, when the caller has the role needed in its project; 404 for other projects.
pub async fn readable(
    state: &AppState,
    principal: &Principal,
    id: i64,
    needed: Role,
) -> Result<issue::Model, ApiError> {
    let row = issues::get(&state.db, id).await?.ok_or(ApiError::NotFound("issue"))?;
    access::require(&state.db, principal, row.project_id, needed, "issue").await?;
    Ok(row)
}

/// One issue with what its page shows above the events: releases, environments, tag values and
/// the hourly histogram of the last 30 days.
#[utoipa::path(get, path = "/api/0/issues/{id}/", tag = "issues",
    responses((status = 200, body = IssueDetail), (status = 404)))]
async fn show(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
) -> Result<Json<IssueDetail>, ApiError> {
    let row = readable(&state, &principal, id, Role::Viewer).await?;
    let project_name = projects::get(&state.db, row.project_id).await?.map(|project| project.name).unwrap_or_default();
    let (first_release, last_release) = (row.first_release.clone(), row.last_release.clone());
    let tags = issues::tag_values(&state.db, id).await?;
    let environments = tags
        .iter()
        .find(|tag| tag.key == "environment")
        .map(|tag| tag.top.iter().map(|value| value.value.clone()).collect())
        .unwrap_or_default();
    let histogram = issues::histogram(&state.db, id, ChartRange::Month.first_start(Utc::now())).await?;
    let issue = issues::summary_of(&state.db, row).await?;
    Ok(Json(IssueDetail { issue, project_name, first_release, last_release, environments, tags, histogram }))
}

/// Resolves, resolves in the next release, ignores, unresolves or assigns an issue (member).
#[utoipa::path(patch, path = "/api/0/issues/{id}/", tag = "issues", request_body = TriageAction,
    responses((status = 200, body = IssueSummary), (status = 403), (status = 404), (status = 422)))]
async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
    Body(action): Body<TriageAction>,
) -> Result<Json<IssueSummary>, ApiError> {
    let project_id = readable(&state, &principal, id, Role::Member).await?.project_id;
    let request =
        Request { projects: Some(vec![project_id]), ids: Some(vec![id]), status: None, action, by: actor(&principal) };
    state.writer.decide(request).await?;
    let row = issues::get(&state.db, id).await?.ok_or(ApiError::NotFound("issue"))?;
    Ok(Json(issues::summary_of(&state.db, row).await?))
}

pub fn actor(principal: &Principal) -> Actor {
    Actor { user_id: principal.user_id, email: principal.email.clone() }
}
