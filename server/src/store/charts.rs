//! The project charts: per-project event counters in 5-minute and hourly buckets, by level,
//! with the issues each bucket opened. The writer adds to them with every batch
//! ([`super::counters`]); a chart sums a few hundred counter rows at most and never scans events.

use super::entities::{issue, project_bucket};
use super::issues;
use app::chart::{Bar, ChartRange, HOUR_MINUTES, LevelBar, ProjectChart};
use app::model::Level;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Issues listed as the range's top issues.
const TOP_ISSUES: u64 = 5;

/// The project's chart over `range` up to `now`.
pub async fn project_chart(
    db: &impl ConnectionTrait,
    project_id: i64,
    range: ChartRange,
    now: DateTime<Utc>,
) -> Result<ProjectChart, DbErr> {
    let buckets = |minutes: i32, since: DateTime<Utc>| {
        project_bucket::Entity::find()
            .filter(project_bucket::Column::ProjectId.eq(project_id))
            .filter(project_bucket::Column::Minutes.eq(minutes))
            .filter(project_bucket::Column::Start.gte(since))
    };
    let first = range.first_start(now);
    let mut events: Vec<LevelBar> = range
        .bars(now, [])
        .into_iter()
        .map(|bar| LevelBar { start: bar.start, levels: Level::ALL.into_iter().map(|level| (level, 0)).collect() })
        .collect();
    for row in buckets(range.counter_minutes(), first).all(db).await? {
        let level = Level::parse(&row.level).unwrap_or_default();
        if let Some(bar) = range.slot(first, row.start).and_then(|slot| events.get_mut(slot)) {
            *bar.levels.entry(level).or_default() += row.events;
        }
    }

    let days = ChartRange::Month;
    let opened: Vec<(DateTime<Utc>, i64)> = buckets(HOUR_MINUTES, days.first_start(now))
        .filter(project_bucket::Column::NewIssues.gt(0))
        .select_only()
        .columns([project_bucket::Column::Start, project_bucket::Column::NewIssues])
        .into_tuple()
        .all(db)
        .await?;
    let new_issues: Vec<Bar> = days.bars(now, opened);

    let top = issue::Entity::find()
        .filter(issue::Column::ProjectId.eq(project_id))
        .filter(issue::Column::LastSeen.gte(first))
        .order_by_desc(issue::Column::EventCount)
        .order_by_desc(issue::Column::Id)
        .limit(TOP_ISSUES)
        .all(db)
        .await?;
    Ok(ProjectChart { range, events, new_issues, top_issues: issues::listed(db, top).await? })
}
