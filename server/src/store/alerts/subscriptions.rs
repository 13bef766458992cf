//! Who opted in to a project's alert emails. The members channels send to those of them who may
//! still see the project: enabled accounts, the instance owners and the project's members.

use crate::store::entities::{alert_subscription, project_member, user};
use chrono::Utc;
use sea_orm::sea_query::{self, Condition, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

pub async fn is_subscribed(db: &impl ConnectionTrait, project_id: i64, user_id: i64) -> Result<bool, DbErr> {
    Ok(alert_subscription::Entity::find_by_id((project_id, user_id)).one(db).await?.is_some())
}

/// Opts the user in to the project's alert emails, or out.
pub async fn set(db: &impl ConnectionTrait, project_id: i64, user_id: i64, subscribed: bool) -> Result<(), DbErr> {
    if !subscribed {
        alert_subscription::Entity::delete_by_id((project_id, user_id)).exec(db).await?;
        return Ok(());
    }
    let row = alert_subscription::ActiveModel {
        project_id: Set(project_id),
        user_id: Set(user_id),
        created_at: Set(Utc::now()),
    };
    alert_subscription::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([alert_subscription::Column::ProjectId, alert_subscription::Column::UserId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The emails of those who opted in to the project's alerts and may see it.
pub async fn recipients(db: &impl ConnectionTrait, project_id: i64) -> Result<Vec<String>, DbErr> {
    let subscribed = sea_query::Query::select()
        .column(alert_subscription::Column::UserId)
        .from(alert_subscription::Entity)
        .and_where(alert_subscription::Column::ProjectId.eq(project_id))
        .to_owned();
    let members = sea_query::Query::select()
        .column(project_member::Column::UserId)
        .from(project_member::Entity)
        .and_where(project_member::Column::ProjectId.eq(project_id))
        .to_owned();
    user::Entity::find()
        .select_only()
        .column(user::Column::Email)
        .filter(user::Column::Id.in_subquery(subscribed))
        .filter(user::Column::Disabled.eq(false))
        .filter(Condition::any().add(user::Column::IsOwner.eq(true)).add(user::Column::Id.in_subquery(members)))
        .order_by_asc(user::Column::Email)
        .into_tuple()
        .all(db)
        .await
}
