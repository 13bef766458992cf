//! Issues' activity logs: who resolved, ignored, assigned or commented, and when the system
//! reopened an issue.

use super::entities::{activity, user};
use app::dto::{Activity, ActivityKind};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

/// A teammate who acts on an issue.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: i64,
    pub email: String,
}

/// Records an entry; `by` is the acting teammate, `None` for the system.
pub async fn record(
    db: &impl ConnectionTrait,
    issue_id: i64,
    by: Option<&Actor>,
    kind: ActivityKind,
    at: DateTime<Utc>,
) -> Result<Activity, DbErr> {
    let data = serde_json::to_string(&kind).map_err(|err| DbErr::Custom(err.to_string()))?;
    let row = activity::ActiveModel {
        issue_id: Set(issue_id),
        user_id: Set(by.map(|actor| actor.user_id)),
        kind: Set(kind.name().to_owned()),
        data: Set(data),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(Activity { id: row.id, issue_id, user: by.map(|actor| actor.email.clone()), kind, created_at: at })
}

/// An issue's log, oldest first.
pub async fn list(db: &impl ConnectionTrait, issue_id: i64) -> Result<Vec<Activity>, DbErr> {
    let rows = activity::Entity::find()
        .filter(activity::Column::IssueId.eq(issue_id))
        .order_by_asc(activity::Column::CreatedAt)
        .order_by_asc(activity::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let Ok(kind) = serde_json::from_str::<ActivityKind>(&row.data) else { continue };
        let user = match row.user_id {
            Some(id) => user::Entity::find_by_id(id).one(db).await?.map(|user| user.email),
            None => None,
        };
        out.push(Activity { id: row.id, issue_id: row.issue_id, user, kind, created_at: row.created_at });
    }
    Ok(out)
}
