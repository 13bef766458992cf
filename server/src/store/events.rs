//! Reading stored events and their attachments.

use super::entities::{attachment, event};
use super::new_event::decode_payload;
use app::model::{AttachmentInfo, EventDetail, EventNeighbors, EventSummary, Level};
use app::tags::user_key;
use protocol::ids::ProjectId;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// A page of an issue's events, newest first, each with its environment, release, user and
/// message from its payload.
pub async fn for_issue(
    db: &impl ConnectionTrait,
    issue_id: i64,
    offset: u64,
    limit: u64,
) -> Result<Vec<EventSummary>, DbErr> {
    let rows = event::Entity::find()
        .filter(event::Column::IssueId.eq(issue_id))
        .order_by_desc(event::Column::Timestamp)
        .order_by_desc(event::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let event = decode_payload(&row.payload).ok();
            let event = event.as_ref();
            EventSummary {
                environment: event.and_then(|event| event.environment.clone()),
                release: event.and_then(|event| event.release.clone()),
                user: event.and_then(user_key),
                message: event.and_then(|event| event.message().map(str::to_owned)),
                event_id: row.event_id,
                issue_id: row.issue_id,
                timestamp: row.timestamp,
                received: row.received,
                level: Level::parse(&row.level).unwrap_or_default(),
                title: row.title,
            }
        })
        .collect())
}

/// The newest event of an issue, decoded, with its attachments.
pub async fn latest(
    db: &impl ConnectionTrait,
    project: ProjectId,
    issue_id: i64,
) -> Result<Option<EventDetail>, DbErr> {
    let newest = event::Entity::find()
        .filter(event::Column::IssueId.eq(issue_id))
        .order_by_desc(event::Column::Timestamp)
        .order_by_desc(event::Column::Id)
        .one(db)
        .await?;
    match newest {
        Some(row) => detail(db, project, &row.event_id).await,
        None => Ok(None),
    }
}

/// The event with this id in the project, decoded.
pub async fn decoded(
    db: &impl ConnectionTrait,
    project_id: i64,
    event_id: &str,
) -> Result<Option<app::event::Event>, DbErr> {
    let row = event::Entity::find()
        .filter(event::Column::ProjectId.eq(project_id))
        .filter(event::Column::EventId.eq(event_id))
        .one(db)
        .await?;
    let Some(row) = row else { return Ok(None) };
    decode_payload(&row.payload)
        .map(Some)
        .map_err(|err| DbErr::Custom(format!("event {} is unreadable: {err}", row.id)))
}

/// The event with this id in the project, decoded, with its attachments.
pub async fn detail(
    db: &impl ConnectionTrait,
    project: ProjectId,
    event_id: &str,
) -> Result<Option<EventDetail>, DbErr> {
    let row = event::Entity::find()
        .filter(event::Column::ProjectId.eq(project.get()))
        .filter(event::Column::EventId.eq(event_id))
        .one(db)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let event =
        decode_payload(&row.payload).map_err(|err| DbErr::Custom(format!("event {} is unreadable: {err}", row.id)))?;
    let attachments = attachment::Entity::find()
        .select_only()
        .columns([
            attachment::Column::Id,
            attachment::Column::Filename,
            attachment::Column::ContentType,
            attachment::Column::AttachmentType,
            attachment::Column::Size,
        ])
        .filter(attachment::Column::ProjectId.eq(project.get()))
        .filter(attachment::Column::EventId.eq(event_id))
        .order_by_asc(attachment::Column::Id)
        .into_tuple::<(i64, String, String, String, i64)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, filename, content_type, attachment_type, size)| AttachmentInfo {
            id,
            filename,
            content_type,
            attachment_type,
            size,
        })
        .collect();
    let neighbors = neighbors(db, &row).await?;
    Ok(Some(EventDetail { issue_id: row.issue_id, event, attachments, neighbors }))
}

/// The events of the same issue to step to, ordered by time then id.
async fn neighbors(db: &impl ConnectionTrait, row: &event::Model) -> Result<EventNeighbors, DbErr> {
    let same_issue = || {
        event::Entity::find()
            .select_only()
            .column(event::Column::EventId)
            .filter(event::Column::IssueId.eq(row.issue_id))
    };
    // Row values, so the database walks the (issue, timestamp, id) index from this event on
    // instead of filtering every event of the issue.
    let position = || Expr::tuple([Expr::col(event::Column::Timestamp), Expr::col(event::Column::Id)]);
    let this = || Expr::tuple([Expr::val(row.timestamp), Expr::val(row.id)]);
    let before = Condition::all().add(position().lt(this()));
    let after = Condition::all().add(position().gt(this()));
    let first = |query: sea_orm::Select<event::Entity>| query.into_tuple::<String>().one(db);
    let older = first(
        same_issue().filter(before.clone()).order_by_desc(event::Column::Timestamp).order_by_desc(event::Column::Id),
    )
    .await?;
    let newer = first(
        same_issue().filter(after.clone()).order_by_asc(event::Column::Timestamp).order_by_asc(event::Column::Id),
    )
    .await?;
    let oldest = match older {
        Some(_) => {
            first(same_issue().filter(before).order_by_asc(event::Column::Timestamp).order_by_asc(event::Column::Id))
                .await?
        }
        None => None,
    };
    let newest = match newer {
        Some(_) => {
            first(same_issue().filter(after).order_by_desc(event::Column::Timestamp).order_by_desc(event::Column::Id))
                .await?
        }
        None => None,
    };
    Ok(EventNeighbors { oldest, older, newer, newest })
}

/// One attachment of an event in the project, with its bytes.
pub async fn attachment(
    db: &impl ConnectionTrait,
    project: ProjectId,
    event_id: &str,
    attachment_id: i64,
) -> Result<Option<attachment::Model>, DbErr> {
    attachment::Entity::find_by_id(attachment_id)
        .filter(attachment::Column::ProjectId.eq(project.get()))
        .filter(attachment::Column::EventId.eq(event_id))
        .one(db)
        .await
}
