//! Gathering what a delivery tells: its issue as it is now, the triggering event's environment
//! and release, the rule and project names, and links under the public URL; for a digest, the
//! alerts it carries.

use super::format::{DIGEST_LISTED, Digest, EventFacts, HeldAlert, IssueFacts, IssueLink, NamedRef, Notification};
use crate::store::alerts::{deliveries, rules};
use crate::store::entities::{alert_delivery, alert_rule, issue};
use crate::store::{events, issues, projects};
use app::alerts::{DIGEST, TEST, Trigger};
use app::model::{IssueStatus, Level, counted};
use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use std::collections::HashMap;

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

/// The digest a queued digest delivery sends; `None` when its project is gone.
pub async fn digest(
    db: &impl ConnectionTrait,
    row: &alert_delivery::Model,
    public_url: &str,
) -> Result<Option<Digest>, DbErr> {
    let Some(project) = projects::get(db, row.project_id).await? else { return Ok(None) };
    let carried = deliveries::of_digest(db, &row.delivery_id).await?;
    let listed = &carried[..carried.len().min(DIGEST_LISTED)];
    let issue_ids: Vec<i64> = listed.iter().filter_map(|held| held.issue_id).collect();
    let issues: HashMap<i64, issue::Model> = issue::Entity::find()
        .filter(issue::Column::Id.is_in(issue_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|issue| (issue.id, issue))
        .collect();
    let rule_ids: Vec<i64> = listed.iter().filter_map(|held| held.rule_id).collect();
    let rules: HashMap<i64, alert_rule::Model> = alert_rule::Entity::find()
        .filter(alert_rule::Column::Id.is_in(rule_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|rule| (rule.id, rule))
        .collect();
    let alerts = listed
        .iter()
        .filter_map(|held| {
            let issue = issues.get(&held.issue_id?)?;
            let rule = held.rule_id.and_then(|id| rules.get(&id));
            Some(HeldAlert {
                delivery: held.delivery_id.clone(),
                trigger: held.trigger.clone(),
                headline: headline(&held.trigger, rule),
                rule: rule.map(|rule| NamedRef { id: rule.id, name: rule.name.clone() }),
                issue: IssueLink { id: issue.id, title: issue.title.clone(), url: issue_url(public_url, issue.id) },
            })
        })
        .collect();
    Ok(Some(Digest {
        delivery: row.delivery_id.clone(),
        trigger: DIGEST,
        headline: counted(i64::try_from(carried.len()).unwrap_or(i64::MAX), "more alert"),
        url: format!("{}/?project={}", public_url.trim_end_matches('/'), project.id),
        project: NamedRef { id: project.id, name: project.name },
        count: carried.len(),
        alerts,
        sent_at: Utc::now(),
    }))
}

/// A sample alert for a channel's test send, through the same formatter as real ones.
pub fn test_notification(delivery: String, project_id: i64, project_name: String, public_url: &str) -> Notification {
    let now = Utc::now();
    Notification {
        delivery,
        trigger: TEST.to_owned(),
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

pub(super) fn issue_url(public_url: &str, issue_id: i64) -> String {
    format!("{}/issues/{issue_id}", public_url.trim_end_matches('/'))
}

/// "New issue", "Regression", "Escalation", "100 events in 1 hour".
fn headline(trigger: &str, rule: Option<&alert_rule::Model>) -> String {
    let triggers = rule.map(rules::triggers).unwrap_or_default();
    let known = [Trigger::NewIssue, Trigger::Regression, Trigger::Escalation].into_iter().chain(triggers);
    known.into_iter().find(|known| known.name() == trigger).map_or_else(|| trigger.to_owned(), Trigger::describe)
}
