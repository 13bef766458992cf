//! Why a caller may not do what they ask, independent of HTTP: the API maps each to its status.

use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No credentials, or ones that name no live session or token.
    #[error("sign in first, or send an API token")]
    Unauthenticated,
    /// A cookie-authenticated change sent from a page that is not this server's.
    #[error("cross-site request refused: the Origin is not this server")]
    CrossSite,
    /// The object is in a project the caller is not a member of, or does not exist.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The caller's role (or token scope) is too small.
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("the server could not read its data")]
    Database(#[from] DbErr),
}
