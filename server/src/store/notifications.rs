//! Personal notifications: each user's choice of emails (an issue someone else assigned them, a
//! comment someone else made on an issue assigned to them), and their outbox. The writer queues
//! one in the transaction of the assignment or comment, so none is lost or sent for a change that
//! rolled back; the alert dispatcher sends it after the commit.

use super::activity::Actor;
use super::alerts::deliveries::Attempt;
use super::entities::{issue, personal_notification, project, user};
use app::alerts::{DeliveryState, NotificationSettings};
use app::dto::{Activity, ActivityKind};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};

pub async fn settings(db: &impl ConnectionTrait, user_id: i64) -> Result<Option<NotificationSettings>, DbErr> {
    Ok(user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .map(|row| NotificationSettings { assigned: row.notify_assigned, comments: row.notify_comments }))
}

pub async fn set_settings(db: &impl ConnectionTrait, user_id: i64, wanted: NotificationSettings) -> Result<(), DbErr> {
    let Some(row) = user::Entity::find_by_id(user_id).one(db).await? else { return Ok(()) };
    let mut active = row.into_active_model();
    active.notify_assigned = Set(wanted.assigned);
    active.notify_comments = Set(wanted.comments);
    active.update(db).await.map(|_| ())
}

/// Queues the email the entry calls for, if its issue's assignee wants it and is not who acted;
/// returns whether it queued one.
pub async fn queue(
    db: &impl ConnectionTrait,
    issue: &issue::Model,
    entry: &Activity,
    by: &Actor,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let Some(assignee) = issue.assignee_id.filter(|assignee| *assignee != by.user_id) else { return Ok(false) };
    let Some(user) = user::Entity::find_by_id(assignee).one(db).await? else { return Ok(false) };
    let wanted = match entry.kind {
        ActivityKind::Assigned { .. } => user.notify_assigned,
        ActivityKind::Commented { .. } => user.notify_comments,
        _ => false,
    };
    if !wanted || user.disabled {
        return Ok(false);
    }
    let row = personal_notification::ActiveModel {
        delivery_id: Set(uuid::Uuid::new_v4().to_string()),
        user_id: Set(user.id),
        issue_id: Set(issue.id),
        activity_id: Set(entry.id),
        state: Set(DeliveryState::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        created_at: Set(now),
        ..Default::default()
    };
    personal_notification::Entity::insert(row).exec_without_returning(db).await?;
    Ok(true)
}

/// The pending emails due by `now`, oldest first.
pub async fn due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<personal_notification::Model>, DbErr> {
    personal_notification::Entity::find()
        .filter(personal_notification::Column::State.eq(DeliveryState::Pending.as_str()))
        .filter(personal_notification::Column::NextAttemptAt.lte(now))
        .order_by_asc(personal_notification::Column::NextAttemptAt)
        .limit(limit)
        .all(db)
        .await
}

/// When the next pending email is due.
pub async fn next_due(db: &impl ConnectionTrait) -> Result<Option<DateTime<Utc>>, DbErr> {
    personal_notification::Entity::find()
        .select_only()
        .column(personal_notification::Column::NextAttemptAt)
        .filter(personal_notification::Column::State.eq(DeliveryState::Pending.as_str()))
        .order_by_asc(personal_notification::Column::NextAttemptAt)
        .into_tuple()
        .one(db)
        .await
}

pub async fn record(
    db: &impl ConnectionTrait,
    row: personal_notification::Model,
    attempt: &Attempt,
) -> Result<(), DbErr> {
    let attempts = row.attempts.saturating_add(1);
    let mut active = row.into_active_model();
    active.attempts = Set(attempts);
    active.attempted_at = Set(Some(attempt.at));
    active.status_code = Set(attempt.status_code.map(i32::from));
    active.error = Set(attempt.error.clone());
    active.state = Set(attempt.state.as_str().to_owned());
    if let Some(retry_at) = attempt.retry_at {
        active.next_attempt_at = Set(retry_at);
    }
    active.update(db).await.map(|_| ())
}

/// What an email tells: to whom, the issue and its project, and who did what.
pub struct Told {
    pub to: String,
    pub project: String,
    pub issue: issue::Model,
    pub by: Option<String>,
    pub kind: ActivityKind,
}

/// What the email tells, unless its user, issue or entry is gone.
pub async fn told(db: &impl ConnectionTrait, row: &personal_notification::Model) -> Result<Option<Told>, DbErr> {
    let Some(to) = user::Entity::find_by_id(row.user_id).one(db).await? else { return Ok(None) };
    let Some(issue) = issue::Entity::find_by_id(row.issue_id).one(db).await? else { return Ok(None) };
    let project = project::Entity::find_by_id(issue.project_id).one(db).await?.map(|project| project.name);
    let entry = super::activity::list(db, issue.id).await?.into_iter().find(|entry| entry.id == row.activity_id);
    let Some(entry) = entry else { return Ok(None) };
    Ok(Some(Told { to: to.email, project: project.unwrap_or_default(), issue, by: entry.user, kind: entry.kind }))
}
