//! Applying a teammate's triage decision to an issue: the state machine in [`crate::triage`]
//! decides, this writes the issue and its activity entry.

use super::activity::{self, Actor};
use super::entities::{issue, release};
use super::members;
use super::record::{set_triage, triage_of};
use crate::triage::{self, Counts, Decision};
use app::dto::{Activity, ActivityKind, TriageAction};
use app::model::IgnoreUntil;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};

#[derive(Debug, thiserror::Error)]
pub enum DecisionError {
    /// The decision cannot apply, for the reason given.
    #[error("{0}")]
    Refused(&'static str),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Applies the action; returns the issue as it is now and the activity entry, or `None` when the
/// action changed nothing (assigning the current assignee again).
pub async fn apply(
    db: &impl ConnectionTrait,
    issue: issue::Model,
    action: &TriageAction,
    by: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<(issue::Model, Option<Activity>), DecisionError> {
    let counts = Counts { events: issue.event_count, users: issue.user_count };
    let (decision, kind) = match action {
        TriageAction::Assign { user_id } => return assign(db, issue, *user_id, by, now).await,
        TriageAction::Resolve => (Decision::Resolve, ActivityKind::Resolved),
        TriageAction::ResolveInNextRelease => {
            let current = latest_release(db, issue.project_id)
                .await?
                .ok_or(DecisionError::Refused("the project has no release yet: resolve the issue instead"))?;
            (
                Decision::ResolveInNextRelease { current: current.clone() },
                ActivityKind::ResolvedInRelease { release: current },
            )
        }
        TriageAction::Ignore { until } => {
            if matches!(until, IgnoreUntil::Minutes(0) | IgnoreUntil::MoreEvents(0) | IgnoreUntil::MoreUsers(0)) {
                return Err(DecisionError::Refused("ignore for at least one minute, event or user"));
            }
            (Decision::Ignore(*until), ActivityKind::Ignored { until: *until })
        }
        TriageAction::Unresolve => (Decision::Unresolve, ActivityKind::Unresolved),
    };
    let after = triage::decide(&decision, counts, now);
    if after == triage_of(&issue) {
        return Ok((issue, None));
    }
    save(db, issue, |row| set_triage(row, &after), by, kind, now).await
}

async fn assign(
    db: &impl ConnectionTrait,
    issue: issue::Model,
    assignee: Option<i64>,
    by: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<(issue::Model, Option<Activity>), DecisionError> {
    if issue.assignee_id == assignee {
        return Ok((issue, None));
    }
    let kind = match assignee {
        Some(user_id) => {
            let assignable = members::assignable(db, issue.project_id).await?;
            let user = assignable.into_iter().find(|candidate| candidate.id == user_id);
            let user = user.ok_or(DecisionError::Refused("assign the issue to a member of its project"))?;
            ActivityKind::Assigned { to: user.email }
        }
        None => ActivityKind::Unassigned,
    };
    save(db, issue, |row| row.assignee_id = Set(assignee), by, kind, now).await
}

/// Writes the change to the issue and records who made it.
async fn save(
    db: &impl ConnectionTrait,
    issue: issue::Model,
    change: impl FnOnce(&mut issue::ActiveModel),
    by: Actor<'_>,
    kind: ActivityKind,
    now: DateTime<Utc>,
) -> Result<(issue::Model, Option<Activity>), DecisionError> {
    let issue_id = issue.id;
    let mut row = issue.into_active_model();
    change(&mut row);
    let issue = row.update(db).await?;
    let entry = activity::record(db, issue_id, Some(by), kind, now).await?;
    Ok((issue, Some(entry)))
}

/// The project's release first seen last.
async fn latest_release(db: &impl ConnectionTrait, project_id: i64) -> Result<Option<String>, DbErr> {
    Ok(release::Entity::find()
        .filter(release::Column::ProjectId.eq(project_id))
        .order_by_desc(release::Column::FirstSeen)
        .order_by_desc(release::Column::Id)
        .one(db)
        .await?
        .map(|row| row.version))
}

/// Records a comment.
pub async fn comment(
    db: &impl ConnectionTrait,
    issue_id: i64,
    text: &str,
    by: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<Activity, DbErr> {
    activity::record(db, issue_id, Some(by), ActivityKind::Commented { text: text.to_owned() }, now).await
}
