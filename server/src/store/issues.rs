//! Reading issues for the dashboard and the API.

use super::entities::{issue, issue_hash, issue_hour, issue_tag, user};
use app::chart::ChartRange;
use app::dto::{HourCount, TagValue, TagValues};
use app::model::{Assignee, IssueStatus, IssueSummary, Level, Snooze, Substatus};
use app::search::Sort;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};
use std::collections::BTreeMap;

/// Most values listed per tag key on the issue page.
const TOP_TAG_VALUES: u64 = 5;

/// Issues of the given projects (all when `None`) that meet `condition`, in `sort` order.
pub async fn in_projects(
    db: &impl ConnectionTrait,
    projects: Option<&[i64]>,
    condition: Condition,
    sort: Sort,
    limit: u64,
) -> Result<Vec<IssueSummary>, DbErr> {
    let column = super::search::sort_column(sort);
    let rows = matching(projects, condition)
        .order_by_desc(column)
        .order_by_desc(issue::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    listed(db, rows).await
}

/// How many issues of the given projects (all when `None`) meet `condition`.
pub async fn count_in_projects(
    db: &impl ConnectionTrait,
    projects: Option<&[i64]>,
    condition: Condition,
) -> Result<u64, DbErr> {
    matching(projects, condition).count(db).await
}

/// The issues of the given projects (all when `None`) that meet `condition`.
fn matching(projects: Option<&[i64]>, condition: Condition) -> Select<issue::Entity> {
    let query = issue::Entity::find().filter(condition);
    match projects {
        Some(projects) => query.filter(issue::Column::ProjectId.is_in(projects.iter().copied())),
        None => query,
    }
}

/// The issues of the given projects (all when `None`) among `ids`, or all of them with `status`.
pub async fn selected(
    db: &impl ConnectionTrait,
    projects: Option<&[i64]>,
    ids: Option<&[i64]>,
    status: Option<IssueStatus>,
) -> Result<Vec<issue::Model>, DbErr> {
    let mut query = issue::Entity::find();
    if let Some(projects) = projects {
        query = query.filter(issue::Column::ProjectId.is_in(projects.iter().copied()));
    }
    if let Some(ids) = ids {
        query = query.filter(issue::Column::Id.is_in(ids.iter().copied()));
    }
    if let Some(status) = status {
        query = query.filter(issue::Column::Status.eq(status.as_str()));
    }
    query.order_by_asc(issue::Column::Id).all(db).await
}

/// Ignored issues whose ignore period ended by `now`.
pub fn ignore_over(now: DateTime<Utc>) -> Select<issue::Entity> {
    issue::Entity::find()
        .filter(issue::Column::Status.eq(IssueStatus::Ignored.as_str()))
        .filter(issue::Column::IgnoredUntil.lte(now))
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<Option<issue::Model>, DbErr> {
    issue::Entity::find_by_id(id).one(db).await
}

/// The grouping hashes that lead to the issue (of the project's, by their index).
pub async fn hashes(db: &impl ConnectionTrait, project_id: i64, id: i64) -> Result<Vec<String>, DbErr> {
    issue_hash::Entity::find()
        .select_only()
        .column(issue_hash::Column::Hash)
        .filter(issue_hash::Column::ProjectId.eq(project_id))
        .filter(issue_hash::Column::IssueId.eq(id))
        .into_tuple::<String>()
        .all(db)
        .await
}

/// The rows as the dashboard shows them, with their assignees' emails.
pub async fn summaries(db: &impl ConnectionTrait, rows: Vec<issue::Model>) -> Result<Vec<IssueSummary>, DbErr> {
    let assignee_ids: Vec<i64> = rows.iter().filter_map(|row| row.assignee_id).collect();
    let emails: BTreeMap<i64, String> = if assignee_ids.is_empty() {
        BTreeMap::new()
    } else {
        user::Entity::find()
            .select_only()
            .columns([user::Column::Id, user::Column::Email])
            .filter(user::Column::Id.is_in(assignee_ids))
            .into_tuple::<(i64, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|row| {
            let assignee = row.assignee_id.and_then(|id| Some(Assignee { id, email: emails.get(&id)?.clone() }));
            summary(row, assignee)
        })
        .collect())
}

/// The rows as a list shows them: summaries with their last 24 hours (the sparklines). Only lists
/// ask for the hours, so the writer's live summaries do not pay for them.
pub async fn listed(db: &impl ConnectionTrait, rows: Vec<issue::Model>) -> Result<Vec<IssueSummary>, DbErr> {
    let mut last_24h = last_24h(db, rows.iter().map(|row| row.id).collect()).await?;
    let mut issues = summaries(db, rows).await?;
    for issue in &mut issues {
        issue.last_24h = last_24h.remove(&issue.id).unwrap_or_else(|| vec![0; 24]);
    }
    Ok(issues)
}

/// Events per hour of the last 24 hours of each issue, from the writer's hourly counts.
async fn last_24h(db: &impl ConnectionTrait, ids: Vec<i64>) -> Result<BTreeMap<i64, Vec<i64>>, DbErr> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let now = Utc::now();
    let range = ChartRange::Day;
    let rows = issue_hour::Entity::find()
        .filter(issue_hour::Column::IssueId.is_in(ids))
        .filter(issue_hour::Column::Hour.gte(range.first_start(now)))
        .all(db)
        .await?;
    let mut hours: BTreeMap<i64, Vec<(DateTime<Utc>, i64)>> = BTreeMap::new();
    for row in rows {
        hours.entry(row.issue_id).or_default().push((row.hour, row.count));
    }
    Ok(hours
        .into_iter()
        .map(|(id, points)| (id, range.bars(now, points).into_iter().map(|bar| bar.count).collect()))
        .collect())
}

pub async fn summary_of(db: &impl ConnectionTrait, row: issue::Model) -> Result<IssueSummary, DbErr> {
    let mut one = summaries(db, vec![row]).await?;
    one.pop().ok_or_else(|| DbErr::Custom("an issue went missing".to_owned()))
}

/// The row as the dashboard shows it. Values the database holds were written by Faultline, so an
/// unknown one means a newer version wrote it; it reads as the default instead of failing.
fn summary(row: issue::Model, assignee: Option<Assignee>) -> IssueSummary {
    IssueSummary {
        id: row.id,
        project_id: row.project_id,
        title: row.title,
        culprit: row.culprit,
        level: Level::parse(&row.level).unwrap_or_default(),
        status: row.status.parse::<IssueStatus>().unwrap_or_default(),
        substatus: row.substatus.as_deref().and_then(Substatus::parse),
        first_seen: row.first_seen,
        last_seen: row.last_seen,
        event_count: row.event_count,
        user_count: row.user_count,
        assignee,
        last_24h: Vec::new(),
        snooze: (row.status == IssueStatus::Ignored.as_str()
            && (row.ignored_until.is_some()
                || row.ignored_until_events.is_some()
                || row.ignored_until_users.is_some()))
        .then(|| {
            Box::new(Snooze {
                until: row.ignored_until,
                until_events: row.ignored_until_events,
                until_users: row.ignored_until_users,
            })
        }),
    }
}

/// The issue's tag keys with their most frequent values, keys in alphabetical order. A key can
/// have thousands of values (`user`): each key's top values are picked by the database.
pub async fn tag_values(db: &impl ConnectionTrait, issue_id: i64) -> Result<Vec<TagValues>, DbErr> {
    let of_issue = || issue_tag::Entity::find().filter(issue_tag::Column::IssueId.eq(issue_id));
    let totals: Vec<(String, i64)> = of_issue()
        .select_only()
        .column(issue_tag::Column::Key)
        .column_as(issue_tag::Column::Count.sum().cast_as(Alias::new("bigint")), "total")
        .group_by(issue_tag::Column::Key)
        .order_by_asc(issue_tag::Column::Key)
        .into_tuple()
        .all(db)
        .await?;
    let mut keys = Vec::with_capacity(totals.len());
    for (key, total) in totals {
        let top = of_issue()
            .filter(issue_tag::Column::Key.eq(key.as_str()))
            .order_by_desc(issue_tag::Column::Count)
            .order_by_asc(issue_tag::Column::Value)
            .limit(TOP_TAG_VALUES)
            .all(db)
            .await?
            .into_iter()
            .map(|row| TagValue { value: row.value, count: row.count })
            .collect();
        keys.push(TagValues { key, total, top });
    }
    Ok(keys)
}

/// The issue's events per hour since `since`, oldest first; hours without events left out.
pub async fn histogram(
    db: &impl ConnectionTrait,
    issue_id: i64,
    since: DateTime<Utc>,
) -> Result<Vec<HourCount>, DbErr> {
    let rows = issue_hour::Entity::find()
        .filter(issue_hour::Column::IssueId.eq(issue_id))
        .filter(issue_hour::Column::Hour.gte(since))
        .order_by_asc(issue_hour::Column::Hour)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|row| HourCount { hour: row.hour, count: row.count }).collect())
}
