//! The one-time setup token of a fresh instance, as installers such as Jenkins' have: without it
//! whoever reaches a new server first would become its owner. Each start of an instance without
//! users makes a new token (or takes the operator's `--setup-token`) and keeps its digest in the
//! database, so it works whichever instance the setup request reaches; creating the owner spends
//! every token.

use super::secrets;
use crate::store::setup;
use sea_orm::{ConnectionTrait, DbErr};

/// Shorter tokens given with `--setup-token` are refused: they could be guessed.
pub const MIN_LENGTH: usize = 16;

/// The token that sets up this start's instance, to print beside the DSN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetupToken {
    /// Made at this start; printed once and kept only as a digest.
    Generated(String),
    /// The operator's own, from `--setup-token` (never printed).
    Configured,
}

/// The setup token of this start: `None` when the instance has a user already.
pub async fn prepare(db: &impl ConnectionTrait, configured: Option<&str>) -> Result<Option<SetupToken>, DbErr> {
    let (token, shown) = match configured {
        Some(token) => (token.to_owned(), SetupToken::Configured),
        None => {
            let token = secrets::generate("");
            (token.clone(), SetupToken::Generated(token))
        }
    };
    Ok(setup::add_token(db, &secrets::digest(&token)).await?.then_some(shown))
}
