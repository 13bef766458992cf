//! Reading issues for the dashboard and the API.

use super::entities::issue;
use app::model::{IssueStatus, IssueSummary, Level};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Issues of the given projects (all when `None`), most recent activity first.
pub async fn in_projects(
    db: &impl ConnectionTrait,
    projects: Option<&[i64]>,
    limit: u64,
) -> Result<Vec<IssueSummary>, DbErr> {
    let mut query = issue::Entity::find();
    if let Some(projects) = projects {
        query = query.filter(issue::Column::ProjectId.is_in(projects.iter().copied()));
    }
    let rows =
        query.order_by_desc(issue::Column::LastSeen).order_by_desc(issue::Column::Id).limit(limit).all(db).await?;
    Ok(rows.into_iter().map(summary).collect())
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<Option<issue::Model>, DbErr> {
    issue::Entity::find_by_id(id).one(db).await
}

/// Sets the status of the project's issues among `ids`; returns the changed issues.
pub async fn set_status(
    db: &impl ConnectionTrait,
    project: i64,
    ids: &[i64],
    status: IssueStatus,
) -> Result<Vec<IssueSummary>, DbErr> {
    issue::Entity::update_many()
        .col_expr(issue::Column::Status, Expr::value(status.as_str()))
        .filter(issue::Column::ProjectId.eq(project))
        .filter(issue::Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    let rows = issue::Entity::find()
        .filter(issue::Column::ProjectId.eq(project))
        .filter(issue::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(summary).collect())
}

/// The row as the dashboard shows it. Values the database holds were written by Faultline, so an
/// unknown one means a newer version wrote it; it reads as the default instead of failing.
pub fn summary(row: issue::Model) -> IssueSummary {
    IssueSummary {
        id: row.id,
        project_id: row.project_id,
        title: row.title,
        culprit: row.culprit,
        level: Level::parse(&row.level).unwrap_or_default(),
        status: row.status.parse::<IssueStatus>().unwrap_or_default(),
        first_seen: row.first_seen,
        last_seen: row.last_seen,
        event_count: row.event_count,
    }
}
