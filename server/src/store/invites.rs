//! One-time invite links: no mail server needed, the owner passes the link on.

use super::entities::{invite, project};
use crate::auth::secrets;
use app::dto::InviteInfo;
use app::model::Role;
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
};

/// How long an invite link stays valid.
pub const VALIDITY: Duration = Duration::days(7);

/// Creates an invite; returns its token (for the link) and when it expires.
pub async fn create(
    db: &impl ConnectionTrait,
    created_by: i64,
    project_id: Option<i64>,
    role: Option<Role>,
) -> Result<(String, chrono::DateTime<Utc>), DbErr> {
    let token = secrets::generate("");
    let now = Utc::now();
    let row = invite::ActiveModel {
        token_hash: Set(secrets::digest(&token)),
        project_id: Set(project_id),
        role: Set(role.map(|role| role.as_str().to_owned())),
        created_by: Set(created_by),
        created_at: Set(now),
        expires_at: Set(now + VALIDITY),
        accepted_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((token, row.expires_at))
}

/// The invite of this token if it can still be accepted.
pub async fn open(db: &impl ConnectionTrait, token: &str) -> Result<Option<invite::Model>, DbErr> {
    let row = invite::Entity::find().filter(invite::Column::TokenHash.eq(secrets::digest(token))).one(db).await?;
    Ok(row.filter(|invite| invite.accepted_at.is_none() && invite.expires_at > Utc::now()))
}

pub async fn info(db: &impl ConnectionTrait, invite: &invite::Model) -> Result<InviteInfo, DbErr> {
    let project_name = match invite.project_id {
        Some(id) => project::Entity::find_by_id(id).one(db).await?.map(|project| project.name),
        None => None,
    };
    Ok(InviteInfo { project_name, role: invite.role.as_deref().and_then(Role::parse), expires_at: invite.expires_at })
}

/// Marks the invite used, so its link works once.
pub async fn mark_accepted(db: &impl ConnectionTrait, invite: invite::Model) -> Result<(), DbErr> {
    let mut row = invite.into_active_model();
    row.accepted_at = Set(Some(Utc::now()));
    row.update(db).await?;
    Ok(())
}
