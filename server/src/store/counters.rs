//! The counters a batch of events adds to, summed in memory and written with one multi-row upsert
//! per table: each issue's tag values, hours and minutes of arrival (what frequency alerts count),
//! and each project's chart buckets (5-minute and hourly, by level, with the issues each bucket
//! opened).

use super::entities::{issue_hour, issue_minute, issue_tag, project_bucket};
use super::new_event::NewEvent;
use app::chart::{FINE_MINUTES, HOUR_MINUTES};
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, IntoIden, OnConflict};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use std::collections::HashMap;

/// Bound parameters per statement, well within SQLite's 32,766 and PostgreSQL's 65,535.
const PARAMETERS: usize = 16_000;

/// Rows of `columns` values that fit in one statement.
pub fn rows_per_statement(columns: usize) -> usize {
    PARAMETERS / columns.max(1)
}

/// A chart bucket: project, minutes, start, level.
type Bucket = (i64, i32, DateTime<Utc>, &'static str);

#[derive(Default)]
pub struct Counters {
    /// (issue, key, value) → (events, latest timestamp).
    tags: HashMap<(i64, String, String), (i64, DateTime<Utc>)>,
    /// (issue, hour) → events.
    hours: HashMap<(i64, DateTime<Utc>), i64>,
    /// (issue, minute received) → events.
    minutes: HashMap<(i64, DateTime<Utc>), i64>,
    /// (project, minutes, start, level) → (events, issues opened).
    buckets: HashMap<Bucket, (i64, i64)>,
}

impl Counters {
    /// Counts `new` on its issue and its project; `opened` when it opened the issue.
    pub fn add(&mut self, issue_id: i64, new: &NewEvent, opened: bool) {
        let at = new.timestamp;
        for (key, value) in &new.tags {
            let count = self.tags.entry((issue_id, key.clone(), value.clone())).or_insert((0, at));
            count.0 += 1;
            count.1 = Ord::max(count.1, at);
        }
        *self.hours.entry((issue_id, truncated(at, 60))).or_default() += 1;
        *self.minutes.entry((issue_id, truncated(new.received, 1))).or_default() += 1;
        for minutes in [FINE_MINUTES, HOUR_MINUTES] {
            let key = (new.project_id.get(), minutes, truncated(at, minutes), new.level.as_str());
            let bucket = self.buckets.entry(key).or_default();
            bucket.0 += 1;
            bucket.1 += i64::from(opened);
        }
    }

    pub async fn write(self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        let tags: Vec<_> = self.tags.into_iter().collect();
        for chunk in tags.chunks(rows_per_statement(5)) {
            let rows = chunk.iter().map(|((issue_id, key, value), (count, last_seen))| issue_tag::ActiveModel {
                issue_id: Set(*issue_id),
                key: Set(key.clone()),
                value: Set(value.clone()),
                count: Set(*count),
                last_seen: Set(*last_seen),
                ..Default::default()
            });
            issue_tag::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::columns([issue_tag::Column::IssueId, issue_tag::Column::Key, issue_tag::Column::Value])
                        .value(issue_tag::Column::Count, added(issue_tag::Entity, issue_tag::Column::Count))
                        .update_column(issue_tag::Column::LastSeen)
                        .to_owned(),
                )
                .exec_without_returning(db)
                .await?;
        }
        let hours: Vec<_> = self.hours.into_iter().collect();
        for chunk in hours.chunks(rows_per_statement(3)) {
            let rows = chunk.iter().map(|((issue_id, hour), count)| issue_hour::ActiveModel {
                issue_id: Set(*issue_id),
                hour: Set(*hour),
                count: Set(*count),
                ..Default::default()
            });
            issue_hour::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::columns([issue_hour::Column::IssueId, issue_hour::Column::Hour])
                        .value(issue_hour::Column::Count, added(issue_hour::Entity, issue_hour::Column::Count))
                        .to_owned(),
                )
                .exec_without_returning(db)
                .await?;
        }
        let minutes: Vec<_> = self.minutes.into_iter().collect();
        for chunk in minutes.chunks(rows_per_statement(3)) {
            let rows = chunk.iter().map(|((issue_id, minute), count)| issue_minute::ActiveModel {
                issue_id: Set(*issue_id),
                minute: Set(*minute),
                count: Set(*count),
                ..Default::default()
            });
            issue_minute::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::columns([issue_minute::Column::IssueId, issue_minute::Column::Minute])
                        .value(issue_minute::Column::Count, added(issue_minute::Entity, issue_minute::Column::Count))
                        .to_owned(),
                )
                .exec_without_returning(db)
                .await?;
        }
        let buckets: Vec<_> = self.buckets.into_iter().collect();
        for chunk in buckets.chunks(rows_per_statement(6)) {
            let rows = chunk.iter().map(|((project_id, minutes, start, level), (events, opened))| {
                project_bucket::ActiveModel {
                    project_id: Set(*project_id),
                    minutes: Set(*minutes),
                    start: Set(*start),
                    level: Set((*level).to_owned()),
                    events: Set(*events),
                    new_issues: Set(*opened),
                    ..Default::default()
                }
            });
            project_bucket::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::columns([
                        project_bucket::Column::ProjectId,
                        project_bucket::Column::Minutes,
                        project_bucket::Column::Start,
                        project_bucket::Column::Level,
                    ])
                    .value(
                        project_bucket::Column::Events,
                        added(project_bucket::Entity, project_bucket::Column::Events),
                    )
                    .value(
                        project_bucket::Column::NewIssues,
                        added(project_bucket::Entity, project_bucket::Column::NewIssues),
                    )
                    .to_owned(),
                )
                .exec_without_returning(db)
                .await?;
        }
        Ok(())
    }
}

/// `table.column + excluded.column`: the stored count plus the batch's.
fn added<E: IntoIden + Copy, C: IntoIden + Copy>(table: E, column: C) -> Expr {
    Expr::col((table, column)).add(Expr::col((Alias::new("excluded"), column)))
}

fn truncated(at: DateTime<Utc>, minutes: i32) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::minutes(minutes.into())).unwrap_or(at)
}
