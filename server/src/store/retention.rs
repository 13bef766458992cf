//! Deleting what is past retention, a chunk at a time: events older than the cutoff, then the
//! oldest events of issues over their cap. The issues touched get their count, first and last
//! seen recomputed from the events that remain; an issue with none left is deleted. Chart
//! counters go once no chart reads them (with a day's margin): 5-minute ones after the last
//! hour, hourly ones after the last 30 days; issues' minute counters after a day. The alert
//! delivery log keeps what is settled (sent, failed, digested) as long as events; what is still
//! to be sent stays.

use super::entities::{alert_delivery, attachment, event, issue, issue_minute, project_bucket};
use app::alerts::DeliveryState;
use app::chart::ChartRange;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::BTreeSet;

/// How long issues' minute counters are kept: the longest window a frequency trigger counts.
const MINUTES_KEPT: u32 = app::alerts::MAX_WINDOW_MINUTES;

/// What to delete.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// When the policy is applied.
    pub now: DateTime<Utc>,
    pub older_than: DateTime<Utc>,
    pub max_events_per_issue: u64,
    /// Most events deleted per call, so the writer is never held for long.
    pub chunk: u64,
}

/// One chunk of deletions. Returns how many events went and the issues that remain changed.
pub async fn prune(db: &impl ConnectionTrait, policy: Policy) -> Result<(u64, Vec<issue::Model>), DbErr> {
    // A day's margin, so that a page drawn at this moment never misses a bucket.
    let reads_since = |range: ChartRange| range.first_start(policy.now - chrono::TimeDelta::days(1));
    for range in [ChartRange::Hour, ChartRange::Month] {
        project_bucket::Entity::delete_many()
            .filter(project_bucket::Column::Minutes.eq(range.counter_minutes()))
            .filter(project_bucket::Column::Start.lt(reads_since(range)))
            .exec(db)
            .await?;
    }
    issue_minute::Entity::delete_many()
        .filter(issue_minute::Column::Minute.lt(policy.now - chrono::TimeDelta::minutes(MINUTES_KEPT.into())))
        .exec(db)
        .await?;
    let settled = [DeliveryState::Sent, DeliveryState::Failed, DeliveryState::Digested].map(DeliveryState::as_str);
    alert_delivery::Entity::delete_many()
        .filter(alert_delivery::Column::State.is_in(settled))
        .filter(alert_delivery::Column::CreatedAt.lt(policy.older_than))
        .exec(db)
        .await?;
    let mut doomed: Vec<(i64, i64, i64, String)> = event::Entity::find()
        .select_only()
        .columns([event::Column::Id, event::Column::IssueId, event::Column::ProjectId, event::Column::EventId])
        .filter(event::Column::Timestamp.lt(policy.older_than))
        .limit(policy.chunk)
        .into_tuple()
        .all(db)
        .await?;
    if (doomed.len() as u64) < policy.chunk {
        let crowded = issue::Entity::find()
            .filter(issue::Column::EventCount.gt(i64::try_from(policy.max_events_per_issue).unwrap_or(i64::MAX)))
            .limit(10)
            .all(db)
            .await?;
        for issue in crowded {
            let room = policy.chunk.saturating_sub(doomed.len() as u64);
            if room == 0 {
                break;
            }
            let beyond_cap: Vec<(i64, i64, i64, String)> = event::Entity::find()
                .select_only()
                .columns([event::Column::Id, event::Column::IssueId, event::Column::ProjectId, event::Column::EventId])
                .filter(event::Column::IssueId.eq(issue.id))
                .order_by_desc(event::Column::Timestamp)
                .order_by_desc(event::Column::Id)
                .offset(policy.max_events_per_issue)
                .limit(room)
                .into_tuple()
                .all(db)
                .await?;
            doomed.extend(beyond_cap);
        }
    }
    if doomed.is_empty() {
        return Ok((0, Vec::new()));
    }

    let ids: Vec<i64> = doomed.iter().map(|(id, ..)| *id).collect();
    event::Entity::delete_many().filter(event::Column::Id.is_in(ids)).exec(db).await?;
    for (_, _, project_id, event_id) in &doomed {
        attachment::Entity::delete_many()
            .filter(attachment::Column::ProjectId.eq(*project_id))
            .filter(attachment::Column::EventId.eq(event_id.as_str()))
            .exec(db)
            .await?;
    }

    let touched: BTreeSet<i64> = doomed.iter().map(|(_, issue_id, ..)| *issue_id).collect();
    let mut changed = Vec::new();
    for issue_id in touched {
        if let Some(row) = recount(db, issue_id).await? {
            changed.push(row);
        }
    }
    Ok((doomed.len() as u64, changed))
}

/// Makes the issue's count and first/last seen those of its remaining events; deletes it when
/// none remain. Returns the issue if it remains.
async fn recount(db: &impl ConnectionTrait, issue_id: i64) -> Result<Option<issue::Model>, DbErr> {
    let remaining = event::Entity::find().filter(event::Column::IssueId.eq(issue_id));
    let count = remaining.clone().count(db).await?;
    if count == 0 {
        issue::Entity::delete_by_id(issue_id).exec(db).await?;
        return Ok(None);
    }
    let (first, last): (Option<DateTime<Utc>>, Option<DateTime<Utc>>) = remaining
        .select_only()
        .column_as(Expr::col(event::Column::Timestamp).min(), "first")
        .column_as(Expr::col(event::Column::Timestamp).max(), "last")
        .into_tuple()
        .one(db)
        .await?
        .unwrap_or((None, None));
    let Some(row) = issue::Entity::find_by_id(issue_id).one(db).await? else { return Ok(None) };
    let mut row = row.into_active_model();
    row.event_count = Set(i64::try_from(count).unwrap_or(i64::MAX));
    if let (Some(first), Some(last)) = (first, last) {
        row.first_seen = Set(first);
        row.last_seen = Set(last);
    }
    Ok(Some(row.update(db).await?))
}
