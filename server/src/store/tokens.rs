//! API tokens: created for a user with a scope, shown once, kept as a digest, revocable.

use super::entities::{api_token, user};
use crate::auth::secrets;
use app::dto::TokenInfo;
use app::model::Scope;
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};

const PREFIX: &str = "flt_";
/// How often a token's last use is written.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// Creates a token; returns its secret (shown once) and its description.
pub async fn create(
    db: &impl ConnectionTrait,
    user_id: i64,
    name: &str,
    scope: Scope,
) -> Result<(String, TokenInfo), DbErr> {
    let token = secrets::generate(PREFIX);
    let row = api_token::ActiveModel {
        user_id: Set(user_id),
        name: Set(name.trim().to_owned()),
        token_hash: Set(secrets::digest(&token)),
        prefix: Set(token.chars().take(PREFIX.len() + 6).collect()),
        scope: Set(scope.as_str().to_owned()),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((token, info(row)))
}

pub fn info(row: api_token::Model) -> TokenInfo {
    TokenInfo {
        id: row.id,
        name: row.name,
        prefix: row.prefix,
        scope: Scope::parse(&row.scope).unwrap_or(Scope::Read),
        created_at: row.created_at,
        last_used_at: row.last_used_at,
    }
}

/// The user's tokens that are not revoked.
pub async fn list(db: &impl ConnectionTrait, user_id: i64) -> Result<Vec<TokenInfo>, DbErr> {
    let rows = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .order_by_desc(api_token::Column::CreatedAt)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(info).collect())
}

/// Revokes the user's token; whether there was one.
pub async fn revoke(db: &impl ConnectionTrait, user_id: i64, id: i64) -> Result<bool, DbErr> {
    let row = api_token::Entity::find_by_id(id)
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?;
    let Some(row) = row else { return Ok(false) };
    let mut row = row.into_active_model();
    row.revoked_at = Set(Some(Utc::now()));
    row.update(db).await?;
    Ok(true)
}

/// The live token with this secret, and its (enabled) user.
pub async fn resolve(db: &impl ConnectionTrait, token: &str) -> Result<Option<(api_token::Model, user::Model)>, DbErr> {
    let found = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(secrets::digest(token)))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?;
    let Some(found) = found else { return Ok(None) };
    let Some(user) = user::Entity::find_by_id(found.user_id).one(db).await?.filter(|user| !user.disabled) else {
        return Ok(None);
    };
    let now = Utc::now();
    let found = if found.last_used_at.is_none_or(|used| now - used > TOUCH_EVERY) {
        let mut row = found.into_active_model();
        row.last_used_at = Set(Some(now));
        row.update(db).await?
    } else {
        found
    };
    Ok(Some((found, user)))
}
