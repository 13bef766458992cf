//! Deciding, inside the writer's transaction, which alert rules a batch of events makes fire:
//! a new issue, a regression or an escalation the batch caused, or an issue whose events (or
//! distinct users) within a rule's window reached its count; the triggering event (the one that opened, reopened, or
//! the batch's last for frequency) must match the rule's filter, and the rule must not have
//! fired for the issue within its interval. What fires is queued as pending deliveries in the
//! same transaction, so it is sent only if the batch commits, and surely once it has.

use super::deliveries::{self, Pending};
use super::rules;
use crate::store::entities::{alert_fired, alert_rule, issue, issue_minute, issue_user, user};
use crate::store::new_event::NewEvent;
use crate::store::record::{Recorded, triage_of};
use app::alerts::{Delivery, Trigger};
use app::matching::{EventFacts, IssueFacts};
use app::search::Query;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// A rule as the writer checks it.
pub(super) struct Rule {
    pub(super) row: alert_rule::Model,
    pub(super) triggers: Vec<Trigger>,
    pub(super) filter: Query,
}

/// A rule that fires for an issue, and why.
struct Firing<'a> {
    rule: usize,
    issue_id: i64,
    trigger: Trigger,
    event: &'a NewEvent,
}

/// Queues the deliveries of every rule the batch makes fire; returns them as the API shows them.
pub async fn fire(
    db: &impl ConnectionTrait,
    recorded: &Recorded<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<Delivery>, DbErr> {
    let projects: BTreeSet<i64> = recorded.issues.values().map(|touched| touched.issue.project_id).collect();
    if projects.is_empty() {
        return Ok(Vec::new());
    }
    let rules = enabled_rules(db, Some(projects)).await?;
    if rules.is_empty() {
        return Ok(Vec::new());
    }
    let issue_of = |id: i64| recorded.issues.get(&id).map(|touched| &touched.issue);

    let mut firings = Vec::new();
    for &(issue_id, happened, event) in &recorded.happened {
        let Some(issue) = issue_of(issue_id) else { continue };
        for (at, rule) in rules.iter().enumerate() {
            if rule.row.project_id == issue.project_id && rule.triggers.contains(&happened) {
                firings.push(Firing { rule: at, issue_id, trigger: happened, event });
            }
        }
    }
    firings.extend(thresholds(db, &rules, recorded, now).await?);
    let emails = assignee_emails(db, &rules, &firings, &issue_of).await?;
    firings.retain(|firing| {
        let Some(issue) = issue_of(firing.issue_id) else { return false };
        let event = firing.event;
        let event = EventFacts { tags: &event.tags, title: &event.title, culprit: &event.culprit };
        matches(&rules[firing.rule].filter, event, issue, emails.get(&firing.issue_id).map(String::as_str), now)
    });
    let mut seen = HashSet::new();
    firings.retain(|firing| seen.insert((firing.rule, firing.issue_id)));
    let last = last_fired(db, firings.iter().map(|firing| (rules[firing.rule].row.id, firing.issue_id))).await?;
    let fired: Vec<Fired> = firings
        .into_iter()
        .filter(|firing| past_interval(&rules[firing.rule].row, firing.issue_id, &last, now))
        .map(|firing| Fired {
            rule: &rules[firing.rule].row,
            issue_id: firing.issue_id,
            trigger: firing.trigger,
            event_id: firing.event.event_id.clone(),
        })
        .collect();
    queue(db, fired, now).await
}

/// A rule that fired for an issue, to notify its channels of.
pub(super) struct Fired<'r> {
    pub(super) rule: &'r alert_rule::Model,
    pub(super) issue_id: i64,
    pub(super) trigger: Trigger,
    /// The triggering event.
    pub(super) event_id: String,
}

/// Remembers when each rule fired for each issue, and queues a delivery to each of its channels.
pub(super) async fn queue(
    db: &impl ConnectionTrait,
    firings: Vec<Fired<'_>>,
    now: DateTime<Utc>,
) -> Result<Vec<Delivery>, DbErr> {
    if firings.is_empty() {
        return Ok(Vec::new());
    }
    let fired = firings.iter().map(|firing| alert_fired::ActiveModel {
        rule_id: Set(firing.rule.id),
        issue_id: Set(firing.issue_id),
        fired_at: Set(now),
    });
    alert_fired::Entity::insert_many(fired)
        .on_conflict(
            OnConflict::columns([alert_fired::Column::RuleId, alert_fired::Column::IssueId])
                .update_column(alert_fired::Column::FiredAt)
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    let channels = rules::channels_of(db, firings.iter().map(|firing| firing.rule.id).collect()).await?;
    let pending: Vec<Pending> = firings
        .iter()
        .flat_map(|firing| {
            let rule = firing.rule;
            channels.get(&rule.id).into_iter().flatten().map(move |&channel_id| Pending {
                project_id: rule.project_id,
                channel_id,
                rule_id: Some(rule.id),
                issue_id: Some(firing.issue_id),
                trigger: firing.trigger.name(),
                event_id: Some(firing.event_id.clone()),
            })
        })
        .collect();
    let queued = deliveries::queue(db, &pending, now).await?;
    deliveries::infos(db, queued).await
}

/// The enabled rules of these projects (of all, for `None`) whose filter parses.
pub(super) async fn enabled_rules(
    db: &impl ConnectionTrait,
    projects: Option<BTreeSet<i64>>,
) -> Result<Vec<Rule>, DbErr> {
    let mut rows = alert_rule::Entity::find().filter(alert_rule::Column::Enabled.eq(true));
    if let Some(projects) = projects {
        rows = rows.filter(alert_rule::Column::ProjectId.is_in(projects));
    }
    let rows = rows.all(db).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let filter = row
                .filter
                .parse::<Query>()
                .map_err(|err| tracing::warn!(rule = row.id, "an alert rule's filter does not parse: {err}"))
                .ok()?;
            Some(Rule { triggers: rules::triggers(&row), row, filter })
        })
        .collect())
}

/// What a threshold trigger counts within its window.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Counted {
    /// Events received, from the minute counters.
    Events,
    /// Distinct users whose latest event was received within the window.
    Users,
}

/// A threshold trigger of a rule: the rule's place, the trigger, and the count it needs.
type Needing = (usize, Trigger, u32);

/// What the trigger counts, how many it needs, and over how many minutes.
fn threshold(trigger: Trigger) -> Option<(Counted, u32, u32)> {
    match trigger {
        Trigger::Frequency { events, minutes } => Some((Counted::Events, events, minutes)),
        Trigger::Users { users, minutes } => Some((Counted::Users, users, minutes)),
        _ => None,
    }
}

/// The issues whose events (or distinct users) within a threshold trigger's window reached its
/// count.
async fn thresholds<'a>(
    db: &impl ConnectionTrait,
    rules: &[Rule],
    recorded: &Recorded<'a>,
    now: DateTime<Utc>,
) -> Result<Vec<Firing<'a>>, DbErr> {
    let mut firings = Vec::new();
    // One query per kind and window length, over the issues of the projects with such a trigger.
    let mut windows: BTreeMap<(Counted, u32), Vec<Needing>> = BTreeMap::new();
    for (at, rule) in rules.iter().enumerate() {
        for &trigger in &rule.triggers {
            if let Some((counted, needed, minutes)) = threshold(trigger) {
                windows.entry((counted, minutes)).or_default().push((at, trigger, needed));
            }
        }
    }
    let this_minute = now.duration_trunc(TimeDelta::minutes(1)).unwrap_or(now);
    for ((counted, minutes), triggers) in windows {
        let projects: HashSet<i64> = triggers.iter().map(|(at, ..)| rules[*at].row.project_id).collect();
        let issues: Vec<i64> = recorded
            .issues
            .values()
            .filter(|touched| projects.contains(&touched.issue.project_id))
            .map(|touched| touched.issue.id)
            .collect();
        if issues.is_empty() {
            continue;
        }
        let since = this_minute - TimeDelta::minutes(i64::from(minutes) - 1);
        let sums = match counted {
            Counted::Events => events_since(db, issues, since).await?,
            Counted::Users => users_since(db, issues, since).await?,
        };
        for (at, trigger, needed) in triggers {
            let rule = &rules[at];
            for (&issue_id, &sum) in &sums {
                let Some(touched) = recorded.issues.get(&issue_id) else { continue };
                let Some(&event) = recorded.latest.get(&issue_id) else { continue };
                if touched.issue.project_id == rule.row.project_id && sum >= i64::from(needed) {
                    firings.push(Firing { rule: at, issue_id, trigger, event });
                }
            }
        }
    }
    Ok(firings)
}

/// Per issue, its events received since the minute `since`.
async fn events_since(
    db: &impl ConnectionTrait,
    issues: Vec<i64>,
    since: DateTime<Utc>,
) -> Result<HashMap<i64, i64>, DbErr> {
    Ok(issue_minute::Entity::find()
        .select_only()
        .column(issue_minute::Column::IssueId)
        .column_as(Expr::col(issue_minute::Column::Count).sum().cast_as("bigint"), "events")
        .filter(issue_minute::Column::IssueId.is_in(issues))
        .filter(issue_minute::Column::Minute.gte(since))
        .group_by(issue_minute::Column::IssueId)
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Per issue, its distinct users last seen since the minute `since`.
async fn users_since(
    db: &impl ConnectionTrait,
    issues: Vec<i64>,
    since: DateTime<Utc>,
) -> Result<HashMap<i64, i64>, DbErr> {
    Ok(issue_user::Entity::find()
        .select_only()
        .column(issue_user::Column::IssueId)
        .column_as(Expr::col(issue_user::Column::Id).count().cast_as("bigint"), "users")
        .filter(issue_user::Column::IssueId.is_in(issues))
        .filter(issue_user::Column::LastSeen.gte(since))
        .group_by(issue_user::Column::IssueId)
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// The assignees' emails of the firing issues, when a rule's filter names assignees.
async fn assignee_emails<'m>(
    db: &impl ConnectionTrait,
    rules: &[Rule],
    firings: &[Firing<'_>],
    issue_of: &impl Fn(i64) -> Option<&'m issue::Model>,
) -> Result<HashMap<i64, String>, DbErr> {
    if !firings.iter().any(|firing| rules[firing.rule].filter.names_assignee()) {
        return Ok(HashMap::new());
    }
    let assignees: HashMap<i64, i64> =
        firings.iter().filter_map(|firing| Some((firing.issue_id, issue_of(firing.issue_id)?.assignee_id?))).collect();
    let emails = emails(db, assignees.values().copied().collect()).await?;
    Ok(assignees.into_iter().filter_map(|(issue, user)| Some((issue, emails.get(&user)?.clone()))).collect())
}

/// These users' emails, by id.
pub(super) async fn emails(db: &impl ConnectionTrait, ids: BTreeSet<i64>) -> Result<HashMap<i64, String>, DbErr> {
    let rows: Vec<(i64, String)> = user::Entity::find()
        .select_only()
        .columns([user::Column::Id, user::Column::Email])
        .filter(user::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

pub(super) fn matches(
    filter: &Query,
    event: EventFacts<'_>,
    issue: &issue::Model,
    assignee: Option<&str>,
    now: DateTime<Utc>,
) -> bool {
    let triage = triage_of(issue);
    let issue = IssueFacts {
        status: triage.status,
        substatus: triage.substatus,
        assignee,
        event_count: issue.event_count,
        first_seen: issue.first_seen,
        last_seen: issue.last_seen,
    };
    filter.matches(&event, &issue, now)
}

/// When each of these rules last fired for each of these issues.
pub(super) async fn last_fired(
    db: &impl ConnectionTrait,
    pairs: impl Iterator<Item = (i64, i64)>,
) -> Result<HashMap<(i64, i64), DateTime<Utc>>, DbErr> {
    let (rule_ids, issue_ids): (BTreeSet<i64>, BTreeSet<i64>) = pairs.unzip();
    if rule_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(alert_fired::Entity::find()
        .filter(alert_fired::Column::RuleId.is_in(rule_ids))
        .filter(alert_fired::Column::IssueId.is_in(issue_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|row| ((row.rule_id, row.issue_id), row.fired_at))
        .collect())
}

/// Whether the rule has not fired for the issue within its interval.
pub(super) fn past_interval(
    rule: &alert_rule::Model,
    issue_id: i64,
    last: &HashMap<(i64, i64), DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    let interval = TimeDelta::minutes(rule.interval_minutes.into());
    last.get(&(rule.id, issue_id)).is_none_or(|fired| *fired + interval <= now)
}
