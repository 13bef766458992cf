//! The caller of a dashboard or API request: a user signed in with a session cookie, or acting
//! through an API token within its scope.

use super::{AuthError, AuthState, secrets, sessions};
use crate::store::tokens;
use app::dto::CurrentUser;
use app::model::{Role, Scope};
use axum::http::{HeaderMap, Method, header};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub user_id: i64,
    pub email: String,
    pub is_owner: bool,
    /// The token's scope when the caller uses an API token; `None` for a signed-in browser.
    pub scope: Option<Scope>,
    /// The session's id (its token's digest) for a signed-in browser.
    pub session_id: Option<String>,
}

impl Principal {
    /// The highest role the caller's credentials allow, whatever the user's own role.
    pub fn cap(&self) -> Role {
        self.scope.map_or(Role::Admin, Scope::max_role)
    }

    /// Whether the caller may act as the instance owner: an owner, not through a narrower token.
    pub fn acts_as_owner(&self) -> bool {
        self.is_owner && self.scope.is_none_or(|scope| scope == Scope::Admin)
    }

    pub fn current_user(&self) -> CurrentUser {
        CurrentUser { id: self.user_id, email: self.email.clone(), is_owner: self.is_owner }
    }

    /// The caller of a request with these method and headers, if it carries valid credentials.
    /// A cookie-authenticated request that changes state must pass the CSRF check.
    pub async fn from_headers(
        state: &AuthState,
        method: &Method,
        headers: &HeaderMap,
    ) -> Result<Option<Self>, AuthError> {
        if let Some(token) = bearer(headers) {
            let found = tokens::resolve(&state.db, &secrets::digest(token)).await?;
            let (token, user) = found.ok_or(AuthError::Unauthenticated)?;
            let scope = Scope::parse(&token.scope).ok_or(AuthError::Unauthenticated)?;
            return Ok(Some(Principal {
                user_id: user.id,
                email: user.email,
                is_owner: user.is_owner,
                scope: Some(scope),
                session_id: None,
            }));
        }
        let Some(token) = sessions::token_from(headers) else { return Ok(None) };
        let Some((session, user)) = sessions::resolve(&state.db, &token, &state.sessions).await? else {
            return Ok(None);
        };
        if !is_safe(method) && !state.allowed_hosts.allows_origin(headers) {
            return Err(AuthError::CrossSite);
        }
        Ok(Some(Principal {
            user_id: user.id,
            email: user.email,
            is_owner: user.is_owner,
            scope: None,
            session_id: Some(session.id),
        }))
    }
}

/// Whether the method only reads.
fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}
