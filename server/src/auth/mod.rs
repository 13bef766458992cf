//! Who is calling, and what they may do; answered in [`AuthError`], which the API turns into
//! HTTP, from the [`AuthState`] part of the server's state only. People sign in with a password (argon2id) and get a
//! server-side session behind an HttpOnly cookie; scripts use API tokens (`Authorization: Bearer`)
//! scoped `read`, `write` or `admin`. Every route asks [`Principal`] for the caller and
//! [`access`] for their role in the project concerned.
//!
//! CSRF: requests authenticated by the session cookie that change state must come from this
//! server's own pages, which the browser proves with an `Origin` (or `Referer`) header naming
//! one of the [`hosts`] it answers to; the cookie is also `SameSite=Lax`, so other sites' forms do
//! not carry it. Requests with an API token carry no ambient authority and are exempt.

pub mod access;
pub mod client_address;
mod error;
pub mod hashing;
pub mod hosts;
pub mod login_limit;
pub mod passwords;
pub mod principal;
pub mod secrets;
pub mod sessions;
pub mod setup_token;
pub mod tokens;

pub use error::AuthError;
pub use principal::Principal;

use hosts::AllowedHosts;
use sea_orm::DatabaseConnection;
use sessions::SessionPolicy;
use std::sync::Arc;

/// What authentication needs of the server's state.
#[derive(Clone)]
pub struct AuthState {
    pub db: DatabaseConnection,
    pub sessions: SessionPolicy,
    /// The origins a cookie-authenticated change may come from.
    pub allowed_hosts: Arc<AllowedHosts>,
}
