//! Deciding, inside the writer's transaction, which alert rules a batch of events makes fire:
//! a new issue, a regression or an escalation the batch caused, or an issue whose events within
//! a rule's window reached its count; the triggering event (the one that opened, reopened, or
//! the batch's last for frequency) must match the rule's filter, and the rule must not have
//! fired for the issue within its interval. What fires is queued as pending deliveries in the
//! same transaction, so it is sent only if the batch commits, and surely once it has.

use super::deliveries::{self, Pending};
use super::rules;
use crate::store::entities::{alert_fired, alert_rule, issue, issue_minute, user};
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
struct Rule {
    row: alert_rule::Model,
    triggers: Vec<Trigger>,
    filter: Query,
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
    let rules = enabled_rules(db, projects).await?;
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
    firings.extend(frequencies(db, &rules, recorded, now).await?);
    let emails = assignee_emails(db, &rules, &firings, &issue_of).await?;
    firings.retain(|firing| {
        let Some(issue) = issue_of(firing.issue_id) else { return false };
        matches(&rules[firing.rule].filter, firing.event, issue, emails.get(&firing.issue_id).map(String::as_str), now)
    });
    let mut seen = HashSet::new();
    firings.retain(|firing| seen.insert((firing.rule, firing.issue_id)));
    let firings = past_interval(db, &rules, firings, now).await?;
    if firings.is_empty() {
        return Ok(Vec::new());
    }

    let fired = firings.iter().map(|firing| alert_fired::ActiveModel {
        rule_id: Set(rules[firing.rule].row.id),
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
    let channels = rules::channels_of(db, firings.iter().map(|firing| rules[firing.rule].row.id).collect()).await?;
    let pending: Vec<Pending> = firings
        .iter()
        .flat_map(|firing| {
            let rule = &rules[firing.rule].row;
            channels.get(&rule.id).into_iter().flatten().map(move |&channel_id| Pending {
                project_id: rule.project_id,
                channel_id,
                rule_id: Some(rule.id),
                issue_id: Some(firing.issue_id),
                trigger: firing.trigger.name(),
                event_id: Some(firing.event.event_id.clone()),
            })
        })
        .collect();
    let queued = deliveries::queue(db, &pending, now).await?;
    deliveries::infos(db, queued).await
}

async fn enabled_rules(db: &impl ConnectionTrait, projects: BTreeSet<i64>) -> Result<Vec<Rule>, DbErr> {
    let rows = alert_rule::Entity::find()
        .filter(alert_rule::Column::ProjectId.is_in(projects))
        .filter(alert_rule::Column::Enabled.eq(true))
        .all(db)
        .await?;
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

/// The issues whose events received within a frequency trigger's window reached its count.
async fn frequencies<'a>(
    db: &impl ConnectionTrait,
    rules: &[Rule],
    recorded: &Recorded<'a>,
    now: DateTime<Utc>,
) -> Result<Vec<Firing<'a>>, DbErr> {
    let mut firings = Vec::new();
    // One query per window length, over the issues of the projects with such a trigger.
    let mut windows: BTreeMap<u32, Vec<(usize, u32)>> = BTreeMap::new();
    for (at, rule) in rules.iter().enumerate() {
        for trigger in &rule.triggers {
            if let Trigger::Frequency { events, minutes } = *trigger {
                windows.entry(minutes).or_default().push((at, events));
            }
        }
    }
    let this_minute = now.duration_trunc(TimeDelta::minutes(1)).unwrap_or(now);
    for (minutes, counted) in windows {
        let projects: HashSet<i64> = counted.iter().map(|(at, _)| rules[*at].row.project_id).collect();
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
        let sums: HashMap<i64, i64> = issue_minute::Entity::find()
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
            .collect();
        for (at, events) in counted {
            let rule = &rules[at];
            for (&issue_id, &sum) in &sums {
                let Some(touched) = recorded.issues.get(&issue_id) else { continue };
                let Some(&event) = recorded.latest.get(&issue_id) else { continue };
                if touched.issue.project_id == rule.row.project_id && sum >= i64::from(events) {
                    firings.push(Firing { rule: at, issue_id, trigger: Trigger::Frequency { events, minutes }, event });
                }
            }
        }
    }
    Ok(firings)
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
    let emails: HashMap<i64, String> = user::Entity::find()
        .select_only()
        .columns([user::Column::Id, user::Column::Email])
        .filter(user::Column::Id.is_in(assignees.values().copied().collect::<BTreeSet<_>>()))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(assignees.into_iter().filter_map(|(issue, user)| Some((issue, emails.get(&user)?.clone()))).collect())
}

fn matches(filter: &Query, event: &NewEvent, issue: &issue::Model, assignee: Option<&str>, now: DateTime<Utc>) -> bool {
    let triage = triage_of(issue);
    let event = EventFacts { tags: &event.tags, title: &event.title, culprit: &event.culprit };
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

/// The firings whose rule has not fired for the issue within its interval.
async fn past_interval<'a>(
    db: &impl ConnectionTrait,
    rules: &[Rule],
    firings: Vec<Firing<'a>>,
    now: DateTime<Utc>,
) -> Result<Vec<Firing<'a>>, DbErr> {
    if firings.is_empty() {
        return Ok(firings);
    }
    let rule_ids: BTreeSet<i64> = firings.iter().map(|firing| rules[firing.rule].row.id).collect();
    let issue_ids: BTreeSet<i64> = firings.iter().map(|firing| firing.issue_id).collect();
    let last: HashMap<(i64, i64), DateTime<Utc>> = alert_fired::Entity::find()
        .filter(alert_fired::Column::RuleId.is_in(rule_ids))
        .filter(alert_fired::Column::IssueId.is_in(issue_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|row| ((row.rule_id, row.issue_id), row.fired_at))
        .collect();
    Ok(firings
        .into_iter()
        .filter(|firing| {
            let rule = &rules[firing.rule].row;
            let interval = TimeDelta::minutes(rule.interval_minutes.into());
            last.get(&(rule.id, firing.issue_id)).is_none_or(|fired| *fired + interval <= now)
        })
        .collect())
}
