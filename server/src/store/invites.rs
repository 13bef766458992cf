//! One-time invite links: no mail server needed, the owner passes the link on. The store keeps
//! only the link token's digest; `auth` makes the token.

use super::entities::{invite, project, user};
use super::{begin_write, members, users};
use app::dto::{InviteInfo, PendingInvite};
use app::model::Role;
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, SqlErr,
};
use std::collections::HashMap;

/// How long an invite link stays valid.
pub const VALIDITY: Duration = Duration::days(7);

/// Why an invite was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No such link, or it was used or has expired.
    Spent,
    /// An account with this email exists.
    EmailTaken,
}

/// Keeps an invite of the link token with this digest; returns when it expires.
pub async fn create(
    db: &impl ConnectionTrait,
    token_hash: &str,
    created_by: i64,
    project_id: Option<i64>,
    role: Option<Role>,
) -> Result<chrono::DateTime<Utc>, DbErr> {
    let now = Utc::now();
    let row = invite::ActiveModel {
        token_hash: Set(token_hash.to_owned()),
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
    Ok(row.expires_at)
}

/// The invite of this token digest, open, used or expired.
pub async fn find(db: &impl ConnectionTrait, token_hash: &str) -> Result<Option<invite::Model>, DbErr> {
    invite::Entity::find().filter(invite::Column::TokenHash.eq(token_hash)).one(db).await
}

/// The invite of this token digest if it can still be accepted.
pub async fn open(db: &impl ConnectionTrait, token_hash: &str) -> Result<Option<invite::Model>, DbErr> {
    Ok(find(db, token_hash).await?.filter(|invite| invite.accepted_at.is_none() && invite.expires_at > Utc::now()))
}

/// The invites that can still be accepted, newest first.
pub async fn pending(db: &impl ConnectionTrait) -> Result<Vec<PendingInvite>, DbErr> {
    let rows = invite::Entity::find()
        .filter(invite::Column::AcceptedAt.is_null())
        .filter(invite::Column::ExpiresAt.gt(Utc::now()))
        .order_by_desc(invite::Column::Id)
        .all(db)
        .await?;
    let projects: HashMap<i64, String> =
        project::Entity::find().all(db).await?.into_iter().map(|project| (project.id, project.name)).collect();
    let emails: HashMap<i64, String> =
        user::Entity::find().all(db).await?.into_iter().map(|user| (user.id, user.email)).collect();
    Ok(rows
        .into_iter()
        .map(|invite| PendingInvite {
            id: invite.id,
            project_name: invite.project_id.and_then(|id| projects.get(&id).cloned()),
            role: invite.role.as_deref().and_then(Role::parse),
            created_by: emails.get(&invite.created_by).cloned().unwrap_or_default(),
            created_at: invite.created_at,
            expires_at: invite.expires_at,
        })
        .collect())
}

/// Deletes the invite `id` if it was not used; whether there was one to delete.
pub async fn revoke(db: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    let deleted = invite::Entity::delete_many()
        .filter(invite::Column::Id.eq(id))
        .filter(invite::Column::AcceptedAt.is_null())
        .exec(db)
        .await?;
    Ok(deleted.rows_affected == 1)
}

pub async fn info(db: &impl ConnectionTrait, invite: &invite::Model) -> Result<InviteInfo, DbErr> {
    let project_name = match invite.project_id {
        Some(id) => project::Entity::find_by_id(id).one(db).await?.map(|project| project.name),
        None => None,
    };
    Ok(InviteInfo { project_name, role: invite.role.as_deref().and_then(Role::parse), expires_at: invite.expires_at })
}

/// Spends the open invite of this digest and creates its account (with the invite's role), in one
/// transaction: the invite is marked accepted only if it still was not, so of concurrent accepts
/// of one link exactly one creates an account.
pub async fn accept(
    db: &DatabaseConnection,
    token_hash: &str,
    email: &str,
    password_hash: String,
) -> Result<Result<user::Model, Refusal>, DbErr> {
    let txn = begin_write(db).await?;
    let now = Utc::now();
    let Some(invite) = open(&txn, token_hash).await? else { return Ok(Err(Refusal::Spent)) };
    let spent = invite::Entity::update_many()
        .col_expr(invite::Column::AcceptedAt, Expr::value(now))
        .filter(invite::Column::Id.eq(invite.id))
        .filter(invite::Column::AcceptedAt.is_null())
        .filter(invite::Column::ExpiresAt.gt(now))
        .exec(&txn)
        .await?;
    if spent.rows_affected != 1 {
        return Ok(Err(Refusal::Spent));
    }
    let user = match users::create(&txn, email, password_hash, false).await {
        Ok(user) => user,
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Ok(Err(Refusal::EmailTaken));
        }
        Err(err) => return Err(err),
    };
    if let (Some(project), Some(role)) = (invite.project_id, invite.role.as_deref().and_then(Role::parse)) {
        members::set(&txn, project, user.id, role).await?;
    }
    txn.commit().await?;
    Ok(Ok(user))
}
