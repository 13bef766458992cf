//! The time-driven trigger: an issue still unresolved and unassigned so many hours after it first
//! appeared. The writer checks it on a schedule (with the time it is given, so tests move the
//! clock instead of sleeping). A rule fires for issues that reach its threshold while it exists,
//! looking back at most [`LOOKBACK`] past the threshold (an instance stopped for longer skips the
//! crossings it missed); the filter is matched against the issue's latest event, and the
//! interval holds as for every trigger.

use super::firing::{self, Fired, Rule};
use crate::store::entities::{event, issue};
use crate::store::new_event::decode_payload;
use app::alerts::{Delivery, Trigger};
use app::matching::EventFacts;
use app::model::IssueStatus;
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// How long after its threshold an issue still makes a rule fire.
pub const LOOKBACK: TimeDelta = TimeDelta::days(1);

/// Issues that reached a rule's threshold by `now`, per rule, that it has not fired for since.
async fn due<'r>(
    db: &impl ConnectionTrait,
    rules: &'r [Rule],
    now: DateTime<Utc>,
) -> Result<Vec<(&'r Rule, Trigger, issue::Model)>, DbErr> {
    let mut due = Vec::new();
    for rule in rules {
        for &trigger in &rule.triggers {
            let Trigger::Unattended { hours } = trigger else { continue };
            let wait = TimeDelta::hours(hours.into());
            let reached_by = now - wait;
            let since = (reached_by - LOOKBACK).max(rule.row.created_at - wait);
            let issues = issue::Entity::find()
                .filter(issue::Column::ProjectId.eq(rule.row.project_id))
                .filter(issue::Column::Status.eq(IssueStatus::Unresolved.as_str()))
                .filter(issue::Column::AssigneeId.is_null())
                .filter(issue::Column::FirstSeen.lte(reached_by))
                .filter(issue::Column::FirstSeen.gt(since))
                // Implied by the line above; lets the (project, last seen) index narrow the scan.
                .filter(issue::Column::LastSeen.gt(since))
                .all(db)
                .await?;
            let last = firing::last_fired(db, issues.iter().map(|issue| (rule.row.id, issue.id))).await?;
            due.extend(
                issues
                    .into_iter()
                    .filter(|issue| {
                        let fired = last.get(&(rule.row.id, issue.id));
                        // Once since it reached the threshold, and once per interval.
                        fired.is_none_or(|fired| *fired < issue.first_seen + wait)
                            && firing::past_interval(&rule.row, issue.id, &last, now)
                    })
                    .map(|issue| (rule, trigger, issue)),
            );
        }
    }
    Ok(due)
}

/// Whether any rule is due to fire for an unattended issue: a read, so the scheduler asks the
/// writer only then.
pub async fn any_due(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let rules = unattended_rules(db).await?;
    Ok(!rules.is_empty() && !due(db, &rules, now).await?.is_empty())
}

/// Fires the rules due for unattended issues whose latest event matches their filter; queues
/// and returns the deliveries. Runs in the writer's transaction.
pub async fn fire(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<Delivery>, DbErr> {
    let rules = unattended_rules(db).await?;
    if rules.is_empty() {
        return Ok(Vec::new());
    }
    let mut fired = Vec::new();
    for (rule, trigger, issue) in due(db, &rules, now).await? {
        let Some(latest) = event::Entity::find()
            .filter(event::Column::IssueId.eq(issue.id))
            .order_by_desc(event::Column::Timestamp)
            .order_by_desc(event::Column::Id)
            .one(db)
            .await?
        else {
            continue;
        };
        let decoded = decode_payload(&latest.payload)
            .map_err(|err| DbErr::Custom(format!("event {} is unreadable: {err}", latest.id)))?;
        let tags = app::tags::of(&decoded);
        let facts = EventFacts { tags: &tags, title: &issue.title, culprit: &issue.culprit };
        if firing::matches(&rule.filter, facts, &issue, None, now) {
            fired.push(Fired { rule: &rule.row, issue_id: issue.id, trigger, event_id: latest.event_id });
        }
    }
    firing::queue(db, fired, now).await
}

async fn unattended_rules(db: &impl ConnectionTrait) -> Result<Vec<Rule>, DbErr> {
    let rules = firing::enabled_rules(db, None).await?;
    Ok(rules
        .into_iter()
        .filter(|rule| rule.triggers.iter().any(|trigger| matches!(trigger, Trigger::Unattended { .. })))
        .collect())
}
