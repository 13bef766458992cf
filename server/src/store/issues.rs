//! Reading issues for the dashboard and the API.

use super::entities::issue;
use app::model::{IssueStatus, IssueSummary, Level};
use protocol::ids::ProjectId;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Issues of every project, most recent activity first.
pub async fn recent(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<IssueSummary>, DbErr> {
    let rows = issue::Entity::find()
        .order_by_desc(issue::Column::LastSeen)
        .order_by_desc(issue::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(summary).collect())
}

/// A project's issues, most recent activity first.
pub async fn for_project(
    db: &impl ConnectionTrait,
    project: ProjectId,
    limit: u64,
) -> Result<Vec<IssueSummary>, DbErr> {
    let rows = issue::Entity::find()
        .filter(issue::Column::ProjectId.eq(project.get()))
        .order_by_desc(issue::Column::LastSeen)
        .order_by_desc(issue::Column::Id)
        .limit(limit)
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
