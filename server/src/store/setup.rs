//! The first-run setup: tokens that allow creating the instance owner while no user exists, and
//! the one transaction that creates it. Callers hand in digests; secrets stay in `auth`.

use super::entities::{setup_token, user};
use super::{begin_write, users};
use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, Set, Statement};

/// Why the owner was not created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A user exists already: there is nothing to set up.
    SetUpAlready,
    /// The instance waits for its owner, but not with this token.
    WrongToken,
}

/// Keeps a setup token's digest while the instance has no user; `false` when it has one (then
/// the tokens left from earlier starts are spent too).
pub async fn add_token(db: &impl ConnectionTrait, token_hash: &str) -> Result<bool, DbErr> {
    if users::count(db).await? > 0 {
        setup_token::Entity::delete_many().exec(db).await?;
        return Ok(false);
    }
    let row = setup_token::ActiveModel { token_hash: Set(token_hash.to_owned()), created_at: Set(Utc::now()) };
    setup_token::Entity::insert(row).on_conflict_do_nothing_on([setup_token::Column::TokenHash]).exec(db).await?;
    Ok(true)
}

/// What an attempt with this token would meet, without changing anything: a quick refusal
/// before the password is hashed.
pub async fn check(db: &impl ConnectionTrait, token_hash: &str) -> Result<Result<(), Refusal>, DbErr> {
    if users::count(db).await? > 0 {
        return Ok(Err(Refusal::SetUpAlready));
    }
    let known = setup_token::Entity::find_by_id(token_hash.to_owned()).one(db).await?.is_some();
    Ok(if known { Ok(()) } else { Err(Refusal::WrongToken) })
}

/// Creates the owner if `token_hash` is a setup token and no user exists, in one transaction that
/// first spends every setup token. Of concurrent attempts one deletes the tokens; the others
/// wait for its row locks (PostgreSQL) or its write lock (SQLite) and find none left.
pub async fn create_owner(
    db: &DatabaseConnection,
    token_hash: &str,
    email: &str,
    password_hash: String,
) -> Result<Result<user::Model, Refusal>, DbErr> {
    let txn = begin_write(db).await?;
    let spent = txn
        .query_all_raw(Statement::from_string(
            txn.get_database_backend(),
            "DELETE FROM setup_token RETURNING token_hash",
        ))
        .await?;
    if spent.is_empty() || user::Entity::find().count(&txn).await? > 0 {
        return Ok(Err(Refusal::SetUpAlready));
    }
    let matched = spent.iter().any(|row| row.try_get::<String>("", "token_hash").is_ok_and(|hash| hash == token_hash));
    if !matched {
        return Ok(Err(Refusal::WrongToken));
    }
    let owner = users::create(&txn, email, password_hash, true).await?;
    txn.commit().await?;
    Ok(Ok(owner))
}
