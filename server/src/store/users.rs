//! User accounts.

use super::entities::user;
use app::dto::UserInfo;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder,
};

/// Emails are compared without case and surrounding space.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub async fn count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    user::Entity::find().count(db).await
}

pub async fn create(
    db: &impl ConnectionTrait,
    email: &str,
    password_hash: String,
    is_owner: bool,
) -> Result<user::Model, DbErr> {
    user::ActiveModel {
        email: Set(normalize_email(email)),
        password_hash: Set(password_hash),
        is_owner: Set(is_owner),
        disabled: Set(false),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn by_email(db: &impl ConnectionTrait, email: &str) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find().filter(user::Column::Email.eq(normalize_email(email))).one(db).await
}

pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find_by_id(id).one(db).await
}

pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<UserInfo>, DbErr> {
    let rows = user::Entity::find().order_by_asc(user::Column::Email).all(db).await?;
    Ok(rows.into_iter().map(info).collect())
}

pub fn info(row: user::Model) -> UserInfo {
    UserInfo {
        id: row.id,
        email: row.email,
        is_owner: row.is_owner,
        disabled: row.disabled,
        created_at: row.created_at,
    }
}

pub async fn set_password(db: &impl ConnectionTrait, user: user::Model, password_hash: String) -> Result<(), DbErr> {
    let mut row = user.into_active_model();
    row.password_hash = Set(password_hash);
    row.update(db).await?;
    Ok(())
}

pub async fn update(
    db: &impl ConnectionTrait,
    user: user::Model,
    is_owner: Option<bool>,
    disabled: Option<bool>,
) -> Result<user::Model, DbErr> {
    let mut row = user.into_active_model();
    if let Some(is_owner) = is_owner {
        row.is_owner = Set(is_owner);
    }
    if let Some(disabled) = disabled {
        row.disabled = Set(disabled);
    }
    row.update(db).await
}

/// Owners who can still sign in; an instance must keep one.
pub async fn active_owner_count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    user::Entity::find().filter(user::Column::IsOwner.eq(true)).filter(user::Column::Disabled.eq(false)).count(db).await
}
