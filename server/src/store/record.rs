//! Recording one event inside the writer's transaction: find or open its issue by hash, count
//! it there (events, affected users, tag values, the hour), let triage reopen a resolved or
//! ignored issue, and insert the event and its attachments.

use super::activity;
use super::entities::{attachment, event, issue, issue_hash, issue_hour, issue_tag, issue_user, release};
use super::writer::{NewAttachment, NewEvent};
use crate::triage::{self, Counts, Transition, Triage};
use app::dto::{Activity, ActivityKind};
use app::model::{EventSummary, IssueStatus, Substatus};
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use protocol::ids::ProjectId;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
};

/// What recording an event changed.
pub struct Recorded {
    pub issue: issue::Model,
    pub created: bool,
    pub event: EventSummary,
    /// When the event reopened a resolved or ignored issue.
    pub reopened: Option<Activity>,
}

/// Records the event; `None` when the project already has an event with this id (an SDK retry):
/// recording it again would count it twice.
pub async fn event(db: &impl ConnectionTrait, new: &NewEvent) -> Result<Option<Recorded>, DbErr> {
    let project_id = new.project_id.get();
    let duplicate = event::Entity::find()
        .filter(event::Column::ProjectId.eq(project_id))
        .filter(event::Column::EventId.eq(&new.event_id))
        .one(db)
        .await?;
    if duplicate.is_some() {
        return Ok(None);
    }
    if let Some(version) = &new.release {
        remember_release(db, project_id, version, new.received).await?;
    }

    let known = issue_hash::Entity::find()
        .filter(issue_hash::Column::ProjectId.eq(project_id))
        .filter(issue_hash::Column::Hash.is_in(new.grouping.hashes.iter().cloned()))
        .all(db)
        .await?;
    // The first of the event's hashes that is known decides the issue.
    let existing = new.grouping.hashes.iter().find_map(|hash| known.iter().find(|row| &row.hash == hash));
    let existing_issue = match existing {
        Some(row) => issue::Entity::find_by_id(row.issue_id).one(db).await?,
        None => None,
    };
    let (issue, created) = match existing_issue {
        Some(issue) => (issue, false),
        None => (open_issue(db, new).await?, true),
    };
    for hash in new.grouping.hashes.iter().filter(|hash| !known.iter().any(|row| &row.hash == *hash)) {
        issue_hash::ActiveModel {
            project_id: Set(project_id),
            hash: Set(hash.clone()),
            issue_id: Set(issue.id),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }

    let new_user = match &new.user_key {
        Some(key) => remember_user(db, issue.id, key).await?,
        None => false,
    };
    let (issue, reopened) = if created { (issue, None) } else { count_another_event(db, issue, new, new_user).await? };
    count_tags_and_hour(db, issue.id, new).await?;
    super::charts::count_event(db, project_id, new.level, new.timestamp, created).await?;

    let row = event::ActiveModel {
        project_id: Set(project_id),
        issue_id: Set(issue.id),
        event_id: Set(new.event_id.clone()),
        timestamp: Set(new.timestamp),
        received: Set(new.received),
        level: Set(new.level.as_str().to_owned()),
        title: Set(new.title.clone()),
        payload: Set(new.payload.clone()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    store_attachments(db, new.project_id, &new.event_id, &new.attachments, new.received).await?;
    let event = EventSummary {
        event_id: row.event_id,
        issue_id: issue.id,
        timestamp: row.timestamp,
        received: row.received,
        level: new.level,
        title: row.title,
    };
    Ok(Some(Recorded { issue, created, event, reopened }))
}

pub async fn store_attachments(
    db: &impl ConnectionTrait,
    project_id: ProjectId,
    event_id: &str,
    attachments: &[NewAttachment],
    received: DateTime<Utc>,
) -> Result<(), DbErr> {
    for file in attachments {
        attachment::ActiveModel {
            project_id: Set(project_id.get()),
            event_id: Set(event_id.to_owned()),
            filename: Set(file.filename.clone()),
            content_type: Set(file.content_type.clone()),
            attachment_type: Set(file.attachment_type.clone()),
            size: Set(i64::try_from(file.data.len()).unwrap_or(i64::MAX)),
            data: Set(file.data.clone()),
            received: Set(received),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

async fn open_issue(db: &impl ConnectionTrait, new: &NewEvent) -> Result<issue::Model, DbErr> {
    issue::ActiveModel {
        project_id: Set(new.project_id.get()),
        title: Set(new.title.clone()),
        culprit: Set(new.culprit.clone()),
        level: Set(new.level.as_str().to_owned()),
        status: Set(IssueStatus::Unresolved.as_str().to_owned()),
        first_seen: Set(new.timestamp),
        last_seen: Set(new.timestamp),
        event_count: Set(1),
        grouping_version: Set(new.grouping.version.to_owned()),
        first_release: Set(new.release.clone()),
        last_release: Set(new.release.clone()),
        user_count: Set(i64::from(new.user_key.is_some())),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Counts the event on its issue (the issue takes the latest event's title, culprit, level and
/// release) and lets triage reopen it.
async fn count_another_event(
    db: &impl ConnectionTrait,
    issue: issue::Model,
    new: &NewEvent,
    new_user: bool,
) -> Result<(issue::Model, Option<Activity>), DbErr> {
    let counts = Counts { events: issue.event_count + 1, users: issue.user_count + i64::from(new_user) };
    let later_release = match (&issue.resolved_in_release, &new.release) {
        (Some(resolved_in), Some(release)) => is_later_release(db, issue.project_id, release, resolved_in).await?,
        _ => false,
    };
    let reopen = triage::on_event(&triage_of(&issue), counts, new.received, later_release);
    let is_latest = new.timestamp >= issue.last_seen;
    let first_seen = Ord::min(issue.first_seen, new.timestamp);
    let last_seen = Ord::max(issue.last_seen, new.timestamp);
    let issue_id = issue.id;
    let mut row = issue.into_active_model();
    row.event_count = Set(counts.events);
    row.user_count = Set(counts.users);
    row.first_seen = Set(first_seen);
    row.last_seen = Set(last_seen);
    if is_latest {
        row.title = Set(new.title.clone());
        row.culprit = Set(new.culprit.clone());
        row.level = Set(new.level.as_str().to_owned());
        if new.release.is_some() {
            row.last_release = Set(new.release.clone());
        }
    }
    let activity = match reopen {
        Some((triage, transition)) => {
            set_triage(&mut row, &triage);
            let kind = match transition {
                Transition::Regressed => ActivityKind::Regressed { release: new.release.clone() },
                Transition::Escalated => ActivityKind::Escalated,
            };
            Some(activity::record(db, issue_id, None, kind, new.received).await?)
        }
        None => None,
    };
    Ok((row.update(db).await?, activity))
}

/// Ignored issues whose ignore period ended by `now` become unresolved again.
pub async fn wake_ignored(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Vec<(issue::Model, Activity)>, DbErr> {
    let expired = super::issues::ignore_over(now).all(db).await?;
    let mut woken = Vec::with_capacity(expired.len());
    for issue in expired {
        let issue_id = issue.id;
        let mut row = issue.into_active_model();
        set_triage(&mut row, &Triage::default());
        let issue = row.update(db).await?;
        let entry = activity::record(db, issue_id, None, ActivityKind::IgnoreExpired, now).await?;
        woken.push((issue, entry));
    }
    Ok(woken)
}

/// The triage fields of an issue row.
pub fn triage_of(issue: &issue::Model) -> Triage {
    Triage {
        status: issue.status.parse().unwrap_or_default(),
        substatus: issue.substatus.as_deref().and_then(Substatus::parse),
        resolved_in_release: issue.resolved_in_release.clone(),
        ignored_until: issue.ignored_until,
        ignored_until_events: issue.ignored_until_events,
        ignored_until_users: issue.ignored_until_users,
    }
}

pub fn set_triage(row: &mut issue::ActiveModel, triage: &Triage) {
    row.status = Set(triage.status.as_str().to_owned());
    row.substatus = Set(triage.substatus.map(|s| s.as_str().to_owned()));
    row.resolved_in_release = Set(triage.resolved_in_release.clone());
    row.ignored_until = Set(triage.ignored_until);
    row.ignored_until_events = Set(triage.ignored_until_events);
    row.ignored_until_users = Set(triage.ignored_until_users);
}

async fn remember_release(
    db: &impl ConnectionTrait,
    project_id: i64,
    version: &str,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = release::ActiveModel {
        project_id: Set(project_id),
        version: Set(version.to_owned()),
        first_seen: Set(at),
        ..Default::default()
    };
    release::Entity::insert(row)
        .on_conflict_do_nothing_on([release::Column::ProjectId, release::Column::Version])
        .exec(db)
        .await?;
    Ok(())
}

/// Whether `release` was first seen after `than`.
async fn is_later_release(
    db: &impl ConnectionTrait,
    project_id: i64,
    release: &str,
    than: &str,
) -> Result<bool, DbErr> {
    let first_seen = |version: &str| {
        release::Entity::find()
            .filter(release::Column::ProjectId.eq(project_id))
            .filter(release::Column::Version.eq(version.to_owned()))
            .one(db)
    };
    Ok(match (first_seen(release).await?, first_seen(than).await?) {
        (Some(event), Some(resolved)) => event.first_seen > resolved.first_seen,
        _ => false,
    })
}

/// Whether the user is new to the issue.
async fn remember_user(db: &impl ConnectionTrait, issue_id: i64, user_key: &str) -> Result<bool, DbErr> {
    let row =
        issue_user::ActiveModel { issue_id: Set(issue_id), user_key: Set(user_key.to_owned()), ..Default::default() };
    let inserted = issue_user::Entity::insert(row)
        .on_conflict_do_nothing_on([issue_user::Column::IssueId, issue_user::Column::UserKey])
        .exec(db)
        .await?;
    Ok(matches!(inserted, sea_orm::TryInsertResult::Inserted(_)))
}

async fn count_tags_and_hour(db: &impl ConnectionTrait, issue_id: i64, new: &NewEvent) -> Result<(), DbErr> {
    // One statement for all the event's tags (one value per key, so no row is hit twice).
    let rows = new.tags.iter().map(|(key, value)| issue_tag::ActiveModel {
        issue_id: Set(issue_id),
        key: Set(key.clone()),
        value: Set(value.clone()),
        count: Set(1),
        last_seen: Set(new.timestamp),
        ..Default::default()
    });
    if !new.tags.is_empty() {
        issue_tag::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([issue_tag::Column::IssueId, issue_tag::Column::Key, issue_tag::Column::Value])
                    .value(issue_tag::Column::Count, Expr::col((issue_tag::Entity, issue_tag::Column::Count)).add(1))
                    .update_column(issue_tag::Column::LastSeen)
                    .to_owned(),
            )
            .exec(db)
            .await?;
    }
    let hour = new.timestamp.duration_trunc(TimeDelta::hours(1)).unwrap_or(new.timestamp);
    let row = issue_hour::ActiveModel { issue_id: Set(issue_id), hour: Set(hour), count: Set(1), ..Default::default() };
    issue_hour::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([issue_hour::Column::IssueId, issue_hour::Column::Hour])
                .value(issue_hour::Column::Count, Expr::col((issue_hour::Entity, issue_hour::Column::Count)).add(1))
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}
