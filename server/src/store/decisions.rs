//! Applying a teammate's triage decision to issues: the state machine in [`crate::triage`]
//! decides, this writes the issues and their activity entries. Only the writer calls it, so a
//! decision and the events around it are applied in the order they arrived.

use super::activity::{self, Actor};
use super::entities::{issue, release};
use super::record::{set_triage, triage_of};
use super::{issues, members};
use crate::triage::{self, Counts, Decision};
use app::dto::{Activity, ActivityKind, TriageAction};
use app::model::{IgnoreUntil, IssueStatus};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, TransactionTrait,
};

/// Most issues one decision changes.
const MAX_ISSUES: usize = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum DecisionError {
    /// The decision cannot apply, for the reason given.
    #[error("{0}")]
    Refused(&'static str),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// A teammate's decision on the issues it names.
#[derive(Debug)]
pub struct Request {
    /// Only issues of these projects (any when `None`): the ones the teammate may triage.
    pub projects: Option<Vec<i64>>,
    /// These issues, or all of them when `None`.
    pub ids: Option<Vec<i64>>,
    /// Only issues with this status.
    pub status: Option<IssueStatus>,
    pub action: TriageAction,
    pub by: Actor,
}

/// Applies the request to every issue it names, or to none when it is refused for one of them.
/// Returns the issues it changed with their activity entries.
pub async fn decide(
    txn: &DatabaseTransaction,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Vec<(issue::Model, Activity)>, DecisionError> {
    // A savepoint: a refusal undoes this request only, not the batch around it.
    let savepoint = txn.begin().await?;
    match apply_all(&savepoint, request, now).await {
        Ok(changed) => {
            savepoint.commit().await?;
            Ok(changed)
        }
        Err(err) => {
            savepoint.rollback().await?;
            Err(err)
        }
    }
}

async fn apply_all(
    db: &impl ConnectionTrait,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Vec<(issue::Model, Activity)>, DecisionError> {
    let selected = issues::selected(db, request.projects.as_deref(), request.ids.as_deref(), request.status).await?;
    if selected.len() > MAX_ISSUES {
        return Err(DecisionError::Refused("at most 10,000 issues change at once"));
    }
    let mut changed = Vec::new();
    for row in selected {
        if let (row, Some(entry)) = apply(db, row, &request.action, &request.by, now).await? {
            changed.push((row, entry));
        }
    }
    Ok(changed)
}

/// Applies the action; returns the issue as it is now and the activity entry, or `None` when the
/// action changed nothing (assigning the current assignee again).
async fn apply(
    db: &impl ConnectionTrait,
    issue: issue::Model,
    action: &TriageAction,
    by: &Actor,
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
    by: &Actor,
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
    by: &Actor,
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
    by: &Actor,
    now: DateTime<Utc>,
) -> Result<Activity, DbErr> {
    activity::record(db, issue_id, Some(by), ActivityKind::Commented { text: text.to_owned() }, now).await
}
