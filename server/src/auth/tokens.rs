//! API tokens (`flt_…`): made here, shown once, and kept by the store as digests.

use super::secrets;
use crate::store::tokens::{self, NewToken};
use app::dto::TokenInfo;
use app::model::Scope;
use sea_orm::{ConnectionTrait, DbErr};

const PREFIX: &str = "flt_";

/// Creates a token of the user; returns its secret (to show once) and its description.
pub async fn issue(
    db: &impl ConnectionTrait,
    user_id: i64,
    name: &str,
    scope: Scope,
) -> Result<(String, TokenInfo), DbErr> {
    let secret = secrets::generate(PREFIX);
    let token = NewToken {
        user_id,
        name,
        scope,
        token_hash: secrets::digest(&secret),
        prefix: secret.chars().take(PREFIX.len() + 6).collect(),
    };
    let info = tokens::create(db, token).await?;
    Ok((secret, info))
}
