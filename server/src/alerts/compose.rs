//! Gathering what a delivery tells: its issue as it is now, the triggering event's environment
//! and release, the rule and project names, and links under the public URL.

use super::format::{EventFacts, IssueFacts, NamedRef, Notification};
use crate::store::alerts::rules;
use crate::store::entities::{alert_delivery, alert_rule};
use crate::store::{events, issues, projects};
use app::alerts::Trigger;
use app::model::{IssueStatus, Level};
use chrono::Utc;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

/// The notification of a queued delivery; `None` when its issue or project is gone.
pub async fn notification(
    db: &impl ConnectionTrait,
    row: &alert_delivery::Model,
    public_url: &str,
) -> Result<Option<Notification>, DbErr> {
    let Some(project) = projects::get(db, row.project_id).await? else { return Ok(None) };
    let Some(issue) = (match row.issue_id {
        Some(id) => issues::get(db, id).await?,
        None => None,
    }) else {
        return Ok(None);
    };
    let rule = match row.rule_id {
        Some(id) => alert_rule::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let event = match &row.event_id {
        Some(event_id) => events::decoded(db, row.project_id, event_id).await?.map(|event| EventFacts {
            url: format!("{}?event={}", issue_url(public_url, issue.id), event.event_id),
            id: event.event_id,
            environment: event.environment,
            release: event.release,
        }),
        None => None,
    };
    Ok(Some(Notification {
        delivery: row.delivery_id.clone(),
        headline: headline(&row.trigger, rule.as_ref()),
        trigger: row.trigger.clone(),
        rule: rule.map(|rule| NamedRef { id: rule.id, name: rule.name }),
        project: NamedRef { id: project.id, name: project.name },
        issue: IssueFacts {
            url: issue_url(public_url, issue.id),
            id: issue.id,
            title: issue.title,
            culprit: issue.culprit,
            level: Level::parse(&issue.level).unwrap_or_default(),
            status: issue.status.parse().unwrap_or_default(),
            events: issue.event_count,
            users: issue.user_count,
            first_seen: issue.first_seen,
            last_seen: issue.last_seen,
        },
        event,
        sent_at: Utc::now(),
    }))
}

/// A sample alert for a channel's test send, through the same formatter as real ones.
pub fn test_notification(delivery: String, project_id: i64, project_name: String, public_url: &str) -> Notification {
    let now = Utc::now();
    Notification {
        delivery,
        trigger: "test".to_owned(),
        headline: "Test alert".to_owned(),
        rule: None,
        project: NamedRef { id: project_id, name: project_name },
        issue: IssueFacts {
            id: 0,
            title: "Faultline can reach this channel".to_owned(),
            culprit: "sent from the project's alert settings".to_owned(),
            level: Level::Info,
            status: IssueStatus::Unresolved,
            events: 0,
            users: 0,
            first_seen: now,
            last_seen: now,
            url: format!("{}/projects/{project_id}", public_url.trim_end_matches('/')),
        },
        event: None,
        sent_at: now,
    }
}

fn issue_url(public_url: &str, issue_id: i64) -> String {
    format!("{}/issues/{issue_id}", public_url.trim_end_matches('/'))
}

/// "New issue", "Regression", "Escalation", "100 events in 1 hour".
fn headline(trigger: &str, rule: Option<&alert_rule::Model>) -> String {
    let triggers = rule.map(rules::triggers).unwrap_or_default();
    let known = [Trigger::NewIssue, Trigger::Regression, Trigger::Escalation].into_iter().chain(triggers);
    known.into_iter().find(|known| known.name() == trigger).map_or_else(|| trigger.to_owned(), Trigger::describe)
}
