//! "This rule would have fired N times in the last 7 days": a rule's triggers replayed over its
//! project's stored history — new issues at their first event, regressions and escalations from
//! the activity log, event counts from the minute counters (kept a day) and the hour counters
//! before that, users at their latest event, unattended issues from their first event and the
//! triage that attended them — then the filter and the interval applied as the writer applies
//! them. It only reads: nothing fires.

use super::firing;
use crate::store::entities::{activity, event, issue, issue_hour, issue_minute, issue_user};
use crate::store::new_event::decode_payload;
use crate::store::record::triage_of;
use app::alerts::{PREVIEW_DAYS, PreviewIssue, RulePreview, Trigger};
use app::matching::{EventFacts, IssueFacts};
use app::model::{IssueStatus, Substatus};
use app::search::Query;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sea_orm::sea_query::{self, Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{BTreeSet, HashMap};

/// Triggering events read at most to match a filter against; past it the replay stops.
const MAX_EVENTS_READ: usize = 2_000;
/// Issues a preview names.
const EXAMPLES: usize = 5;
/// Issues looked up per statement.
const CHUNK: usize = 500;
/// Activity that attends to an issue: an unattended trigger no longer fires after it.
const ATTENDED: [&str; 4] = ["resolved", "resolved_in_release", "ignored", "assigned"];

/// A moment a trigger became true for an issue.
struct Candidate {
    at: DateTime<Utc>,
    issue_id: i64,
    trigger: Trigger,
}

/// Counts of an issue's events (or users) in consecutive buckets: start, width, count.
type Series = Vec<(DateTime<Utc>, TimeDelta, i64)>;

/// What the rule with these triggers, filter and interval would have sent in the project over the
/// last [`PREVIEW_DAYS`] up to `now`.
pub async fn preview(
    db: &impl ConnectionTrait,
    project_id: i64,
    triggers: &[Trigger],
    filter: &Query,
    interval_minutes: u32,
    now: DateTime<Utc>,
) -> Result<RulePreview, DbErr> {
    let since = now - TimeDelta::days(PREVIEW_DAYS.into());
    let mut estimated = Vec::new();
    let mut candidates = Vec::new();
    let mut events: Option<HashMap<i64, Series>> = None;
    for &trigger in triggers {
        let candidate = |(issue_id, at)| Candidate { at, issue_id, trigger };
        match trigger {
            Trigger::NewIssue => candidates.extend(new_issues(db, project_id, since).await?.into_iter().map(candidate)),
            Trigger::Regression => {
                candidates.extend(logged(db, project_id, "regressed", since).await?.into_iter().map(candidate))
            }
            Trigger::Escalation => {
                candidates.extend(logged(db, project_id, "escalated", since).await?.into_iter().map(candidate))
            }
            Trigger::Frequency { events: needed, minutes } => {
                if events.is_none() {
                    events = Some(event_series(db, project_id, since, now).await?);
                    estimated.push(
                        "Events older than a day are counted per hour (the minute counts are kept a day), and a \
                         window counts every hour it overlaps there: the rule may have fired less often."
                            .to_owned(),
                    );
                }
                let window = TimeDelta::minutes(minutes.into());
                for (&issue_id, series) in events.iter().flatten() {
                    let crossed = crossings(series, window, needed.into(), now);
                    candidates.extend(crossed.into_iter().filter(|at| *at >= since).map(|at| Candidate {
                        at,
                        issue_id,
                        trigger,
                    }));
                }
            }
            Trigger::Users { users, minutes } => {
                estimated.push(
                    "Each user is counted at their latest event only: earlier crossings may be missing.".to_owned(),
                );
                let window = TimeDelta::minutes(minutes.into());
                for (issue_id, series) in user_series(db, project_id, since).await? {
                    let crossed = crossings(&series, window, users.into(), now);
                    candidates.extend(crossed.into_iter().map(|at| Candidate { at, issue_id, trigger }));
                }
            }
            Trigger::Unattended { hours } => {
                let wait = TimeDelta::hours(hours.into());
                candidates.extend(unattended(db, project_id, since, now, wait).await?.into_iter().map(candidate));
            }
        }
    }
    candidates.sort_by_key(|candidate| (candidate.at, candidate.issue_id));
    let ids: BTreeSet<i64> = candidates.iter().map(|candidate| candidate.issue_id).collect();
    let issues = load_issues(db, ids).await?;
    let emails = if filter.names_assignee() {
        firing::emails(db, issues.values().filter_map(|issue| issue.assignee_id).collect()).await?
    } else {
        HashMap::new()
    };

    let interval = TimeDelta::minutes(interval_minutes.into());
    // Per issue, how often the rule fired and when last.
    let mut fired: HashMap<i64, (u32, DateTime<Utc>)> = HashMap::new();
    let mut read = 0;
    for candidate in candidates {
        let Some(issue) = issues.get(&candidate.issue_id) else { continue };
        if fired.get(&issue.id).is_some_and(|(_, last)| *last + interval > candidate.at) {
            continue;
        }
        let assignee = issue.assignee_id.and_then(|id| emails.get(&id)).map(String::as_str);
        let facts = as_triggered(issue, candidate.trigger, candidate.at, assignee);
        let matched = if filter.reads_event() {
            if read == MAX_EVENTS_READ {
                estimated.push(format!(
                    "Only the first {MAX_EVENTS_READ} notifications were checked against the filter; later ones are \
                     not counted."
                ));
                break;
            }
            read += 1;
            let Some(event) = triggering_event(db, issue.id, candidate.at).await? else { continue };
            let decoded = decode_payload(&event.payload)
                .map_err(|err| DbErr::Custom(format!("event {} is unreadable: {err}", event.id)))?;
            let tags = app::tags::of(&decoded);
            let event = EventFacts { tags: &tags, title: &event.title, culprit: &issue.culprit };
            filter.matches(&event, &facts, candidate.at)
        } else {
            filter.matches(
                &EventFacts { tags: &[], title: &issue.title, culprit: &issue.culprit },
                &facts,
                candidate.at,
            )
        };
        if matched {
            let (times, last) = fired.entry(issue.id).or_insert((0, candidate.at));
            *times += 1;
            *last = candidate.at;
        }
    }

    let mut examples: Vec<PreviewIssue> = fired
        .iter()
        .filter_map(|(id, &(times, last_fired))| {
            let issue = issues.get(id)?;
            Some(PreviewIssue { issue_id: *id, title: issue.title.clone(), fired: times, last_fired })
        })
        .collect();
    examples.sort_by(|a, b| b.last_fired.cmp(&a.last_fired).then(b.issue_id.cmp(&a.issue_id)));
    examples.truncate(EXAMPLES);
    Ok(RulePreview {
        since,
        fired: fired.values().map(|(times, _)| times).sum(),
        issues: u32::try_from(fired.len()).unwrap_or(u32::MAX),
        examples,
        estimated,
    })
}

/// The moments a series' sum over the trailing `window` reached `needed`: the end of each bucket
/// with events at which it had (no later than `now`). A bucket wider than the window counts whole.
fn crossings(series: &Series, window: TimeDelta, needed: i64, now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut crossed = Vec::new();
    let mut first = 0;
    let mut sum = 0;
    for (at, &(start, width, count)) in series.iter().enumerate() {
        sum += count;
        let end = start + width;
        // Drop the buckets that end before the window starts.
        while first < at && series[first].0 + series[first].1 <= end - window {
            sum -= series[first].2;
            first += 1;
        }
        if count > 0 && sum >= needed {
            crossed.push(Ord::min(end, now));
        }
    }
    crossed
}

/// The project's issues first seen since `since`, with when.
async fn new_issues(
    db: &impl ConnectionTrait,
    project_id: i64,
    since: DateTime<Utc>,
) -> Result<Vec<(i64, DateTime<Utc>)>, DbErr> {
    issue::Entity::find()
        .select_only()
        .columns([issue::Column::Id, issue::Column::FirstSeen])
        .filter(issue::Column::ProjectId.eq(project_id))
        .filter(issue::Column::FirstSeen.gte(since))
        .into_tuple()
        .all(db)
        .await
}

/// The ids of the project's issues, as a subquery.
fn of_project(project_id: i64) -> sea_query::SelectStatement {
    sea_query::Query::select()
        .column(issue::Column::Id)
        .from(issue::Entity)
        .and_where(issue::Column::ProjectId.eq(project_id))
        .to_owned()
}

/// The activity entries of this kind on the project's issues since `since`: issue and time.
async fn logged(
    db: &impl ConnectionTrait,
    project_id: i64,
    kind: &str,
    since: DateTime<Utc>,
) -> Result<Vec<(i64, DateTime<Utc>)>, DbErr> {
    activity::Entity::find()
        .select_only()
        .columns([activity::Column::IssueId, activity::Column::CreatedAt])
        .filter(activity::Column::Kind.eq(kind))
        .filter(activity::Column::CreatedAt.gte(since))
        .filter(activity::Column::IssueId.in_subquery(of_project(project_id)))
        .into_tuple()
        .all(db)
        .await
}

/// Per issue of the project, its events per hour from a day before `since` (the longest window)
/// and per minute for the last day, where the minute counts are kept.
async fn event_series(
    db: &impl ConnectionTrait,
    project_id: i64,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<HashMap<i64, Series>, DbErr> {
    let hour = TimeDelta::hours(1);
    let minute = TimeDelta::minutes(1);
    let day = TimeDelta::days(1);
    // The first whole hour within the last day: minutes from there on are surely still kept.
    let cutoff = (now - day).duration_trunc(hour).unwrap_or(now - day) + hour;
    let hours: Vec<(i64, DateTime<Utc>, i64)> = issue_hour::Entity::find()
        .select_only()
        .columns([issue_hour::Column::IssueId, issue_hour::Column::Hour, issue_hour::Column::Count])
        .filter(issue_hour::Column::IssueId.in_subquery(of_project(project_id)))
        .filter(issue_hour::Column::Hour.gte(since - day))
        .filter(issue_hour::Column::Hour.lt(cutoff))
        .into_tuple()
        .all(db)
        .await?;
    let minutes: Vec<(i64, DateTime<Utc>, i64)> = issue_minute::Entity::find()
        .select_only()
        .columns([issue_minute::Column::IssueId, issue_minute::Column::Minute, issue_minute::Column::Count])
        .filter(issue_minute::Column::IssueId.in_subquery(of_project(project_id)))
        .filter(issue_minute::Column::Minute.gte(cutoff))
        .into_tuple()
        .all(db)
        .await?;
    let mut series: HashMap<i64, Series> = HashMap::new();
    let buckets = hours.into_iter().map(|(id, at, count)| (id, at, hour, count));
    for (issue_id, start, width, count) in
        buckets.chain(minutes.into_iter().map(|(id, at, count)| (id, at, minute, count)))
    {
        series.entry(issue_id).or_default().push((start, width, count));
    }
    for buckets in series.values_mut() {
        buckets.sort_by_key(|bucket| bucket.0);
    }
    Ok(series)
}

/// Per issue of the project, its users by the minute of their latest event since `since`.
async fn user_series(
    db: &impl ConnectionTrait,
    project_id: i64,
    since: DateTime<Utc>,
) -> Result<HashMap<i64, Series>, DbErr> {
    let rows: Vec<(i64, DateTime<Utc>, i64)> = issue_user::Entity::find()
        .select_only()
        .columns([issue_user::Column::IssueId, issue_user::Column::LastSeen])
        .column_as(Expr::col(issue_user::Column::Id).count().cast_as("bigint"), "users")
        .filter(issue_user::Column::IssueId.in_subquery(of_project(project_id)))
        .filter(issue_user::Column::LastSeen.gte(since))
        .group_by(issue_user::Column::IssueId)
        .group_by(issue_user::Column::LastSeen)
        .order_by_asc(issue_user::Column::LastSeen)
        .into_tuple()
        .all(db)
        .await?;
    let mut series: HashMap<i64, Series> = HashMap::new();
    for (issue_id, minute, users) in rows {
        series.entry(issue_id).or_default().push((minute, TimeDelta::minutes(1), users));
    }
    Ok(series)
}

/// The project's issues that were `wait` old, unresolved and unassigned, between `since` and
/// `now`: issue and when they reached it.
async fn unattended(
    db: &impl ConnectionTrait,
    project_id: i64,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    wait: TimeDelta,
) -> Result<Vec<(i64, DateTime<Utc>)>, DbErr> {
    let reached: Vec<(i64, DateTime<Utc>)> = issue::Entity::find()
        .select_only()
        .columns([issue::Column::Id, issue::Column::FirstSeen])
        .filter(issue::Column::ProjectId.eq(project_id))
        .filter(issue::Column::FirstSeen.gt(since - wait))
        .filter(issue::Column::FirstSeen.lte(now - wait))
        .into_tuple::<(i64, DateTime<Utc>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, first_seen)| (id, first_seen + wait))
        .collect();
    let mut attended: HashMap<i64, DateTime<Utc>> = HashMap::new();
    for chunk in reached.chunks(CHUNK) {
        let rows: Vec<(i64, DateTime<Utc>)> = activity::Entity::find()
            .select_only()
            .columns([activity::Column::IssueId, activity::Column::CreatedAt])
            .filter(activity::Column::IssueId.is_in(chunk.iter().map(|(id, _)| *id)))
            .filter(activity::Column::Kind.is_in(ATTENDED))
            .into_tuple()
            .all(db)
            .await?;
        for (issue_id, at) in rows {
            attended.entry(issue_id).and_modify(|first| *first = Ord::min(*first, at)).or_insert(at);
        }
    }
    Ok(reached.into_iter().filter(|(id, at)| attended.get(id).is_none_or(|first| first >= at)).collect())
}

async fn load_issues(db: &impl ConnectionTrait, ids: BTreeSet<i64>) -> Result<HashMap<i64, issue::Model>, DbErr> {
    let ids: Vec<i64> = ids.into_iter().collect();
    let mut issues = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows = issue::Entity::find().filter(issue::Column::Id.is_in(chunk.iter().copied())).all(db).await?;
        issues.extend(rows.into_iter().map(|row| (row.id, row)));
    }
    Ok(issues)
}

/// The issue as the trigger found it: new, regressed, escalating and unattended issues were
/// unresolved then (and new and unattended ones unassigned); otherwise as it is now.
fn as_triggered<'a>(
    issue: &issue::Model,
    trigger: Trigger,
    at: DateTime<Utc>,
    assignee: Option<&'a str>,
) -> IssueFacts<'a> {
    let triage = triage_of(issue);
    let now = IssueFacts {
        status: triage.status,
        substatus: triage.substatus,
        assignee,
        event_count: issue.event_count,
        first_seen: issue.first_seen,
        last_seen: at,
    };
    let unresolved = IssueFacts { status: IssueStatus::Unresolved, ..now };
    match trigger {
        Trigger::NewIssue => IssueFacts { substatus: None, assignee: None, event_count: 1, ..unresolved },
        Trigger::Regression => IssueFacts { substatus: Some(Substatus::Regressed), ..unresolved },
        Trigger::Escalation => IssueFacts { substatus: Some(Substatus::Escalating), ..unresolved },
        Trigger::Unattended { .. } => IssueFacts { assignee: None, ..unresolved },
        Trigger::Frequency { .. } | Trigger::Users { .. } => now,
    }
}

/// The issue's latest event at or before `at`, else its first after.
async fn triggering_event(
    db: &impl ConnectionTrait,
    issue_id: i64,
    at: DateTime<Utc>,
) -> Result<Option<event::Model>, DbErr> {
    let before = event::Entity::find()
        .filter(event::Column::IssueId.eq(issue_id))
        .filter(event::Column::Timestamp.lte(at))
        .order_by_desc(event::Column::Timestamp)
        .order_by_desc(event::Column::Id)
        .one(db)
        .await?;
    if before.is_some() {
        return Ok(before);
    }
    event::Entity::find()
        .filter(event::Column::IssueId.eq(issue_id))
        .order_by_asc(event::Column::Timestamp)
        .order_by_asc(event::Column::Id)
        .one(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-06T00:00:00Z").expect("time").to_utc() + TimeDelta::minutes(minute)
    }

    fn minutes(counts: &[(i64, i64)]) -> Series {
        counts.iter().map(|&(minute, count)| (at(minute), TimeDelta::minutes(1), count)).collect()
    }

    #[test]
    fn a_threshold_is_crossed_at_the_end_of_each_minute_the_window_holds_enough() {
        let series = minutes(&[(0, 3), (1, 3), (2, 3), (10, 9)]);
        let crossed = crossings(&series, TimeDelta::minutes(2), 6, at(100));
        assert_eq!(crossed, vec![at(2), at(3), at(11)]);
    }

    #[test]
    fn buckets_leave_the_window_once_they_end_before_it() {
        // 5 events at minute 0 and 5 at minute 5: a 5-minute window never holds both.
        let series = minutes(&[(0, 5), (5, 5)]);
        assert!(crossings(&series, TimeDelta::minutes(5), 10, at(100)).is_empty());
        assert_eq!(crossings(&series, TimeDelta::minutes(6), 10, at(100)), vec![at(6)]);
    }

    #[test]
    fn an_hour_counts_whole_in_a_shorter_window_and_a_crossing_is_never_later_than_now() {
        let hour = vec![(at(0), TimeDelta::hours(1), 10)];
        assert_eq!(crossings(&hour, TimeDelta::minutes(5), 10, at(30)), vec![at(30)]);
        let series = [hour, minutes(&[(60, 1)])].concat();
        assert_eq!(crossings(&series, TimeDelta::minutes(5), 11, at(100)), vec![at(61)]);
    }
}
