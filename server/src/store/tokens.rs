//! API tokens: created for a user with a scope, shown once, kept as a digest, revocable. The
//! secrets themselves are made in `auth`; the store sees only their digests.

use super::entities::{api_token, user};
use app::dto::TokenInfo;
use app::model::Scope;
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};

/// How often a token's last use is written.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// A new token, as its secret's digest and the first characters of the secret, shown to tell
/// tokens apart.
pub struct NewToken<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub scope: Scope,
    pub token_hash: String,
    pub prefix: String,
}

/// Keeps a new token; returns its description.
pub async fn create(db: &impl ConnectionTrait, token: NewToken<'_>) -> Result<TokenInfo, DbErr> {
    let row = api_token::ActiveModel {
        user_id: Set(token.user_id),
        name: Set(token.name.trim().to_owned()),
        token_hash: Set(token.token_hash),
        prefix: Set(token.prefix),
        scope: Set(token.scope.as_str().to_owned()),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(info(row))
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

/// The live token with this secret's digest, and its (enabled) user.
pub async fn resolve(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<(api_token::Model, user::Model)>, DbErr> {
    let found = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(token_hash))
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
