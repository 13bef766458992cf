//! Server-side sessions. The browser holds a random token in an HttpOnly, SameSite=Lax cookie
//! (Secure when served over https); the database holds its digest, when it was last used (idle
//! expiry) and when it ends regardless (absolute expiry).

use super::secrets;
use crate::store::entities::{session, user};
use axum::http::{HeaderMap, HeaderValue, header};
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
};

pub const COOKIE: &str = "faultline_session";
/// A session's last use is written at most this often.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// How long sessions last and how their cookie is sent.
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
    /// Add `Secure` to the cookie: the server is reached over https.
    pub secure: bool,
}

/// Starts a session for the user; returns the cookie's token.
pub async fn start(db: &impl ConnectionTrait, user_id: i64, policy: &SessionPolicy) -> Result<String, DbErr> {
    let token = secrets::generate("");
    let now = Utc::now();
    session::ActiveModel {
        id: Set(secrets::digest(&token)),
        user_id: Set(user_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + policy.absolute),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The live session of this token and its (enabled) user. Expired sessions are deleted.
pub async fn resolve(
    db: &impl ConnectionTrait,
    token: &str,
    policy: &SessionPolicy,
) -> Result<Option<(session::Model, user::Model)>, DbErr> {
    let Some(found) = session::Entity::find_by_id(secrets::digest(token)).one(db).await? else { return Ok(None) };
    let now = Utc::now();
    if found.expires_at <= now || found.last_seen_at + policy.idle <= now {
        session::Entity::delete_by_id(found.id).exec(db).await?;
        return Ok(None);
    }
    let Some(user) = user::Entity::find_by_id(found.user_id).one(db).await?.filter(|user| !user.disabled) else {
        return Ok(None);
    };
    let found = if now - found.last_seen_at > TOUCH_EVERY {
        let mut row = found.into_active_model();
        row.last_seen_at = Set(now);
        row.update(db).await?
    } else {
        found
    };
    Ok(Some((found, user)))
}

/// Ends the session with this id (the token's digest).
pub async fn end(db: &impl ConnectionTrait, session_id: &str) -> Result<(), DbErr> {
    session::Entity::delete_by_id(session_id.to_owned()).exec(db).await?;
    Ok(())
}

/// Ends every session of the user but `keep` (after a password change, or when disabled).
pub async fn end_all_for(db: &impl ConnectionTrait, user_id: i64, keep: Option<&str>) -> Result<(), DbErr> {
    let mut delete = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
    if let Some(keep) = keep {
        delete = delete.filter(session::Column::Id.ne(keep));
    }
    delete.exec(db).await?;
    Ok(())
}

/// The session token of the request's cookie.
pub fn token_from(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|cookie| cookie.split_once('='))
        .find(|(name, _)| name.trim() == COOKIE)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// The `Set-Cookie` value that stores the token in the browser.
pub fn cookie(token: &str, policy: &SessionPolicy) -> HeaderValue {
    cookie_value(token, policy.absolute.num_seconds(), policy.secure)
}

/// The `Set-Cookie` value that removes it.
pub fn removal(policy: &SessionPolicy) -> HeaderValue {
    cookie_value("", 0, policy.secure)
}

fn cookie_value(token: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let value = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("faultline_session=; Max-Age=0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_same_site_and_secure_over_https() {
        let policy = SessionPolicy { idle: Duration::hours(1), absolute: Duration::days(1), secure: true };
        let value = cookie("abc", &policy).to_str().expect("text").to_owned();
        assert_eq!(value, "faultline_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400; Secure");
        let plain = SessionPolicy { secure: false, ..policy };
        assert!(!cookie("abc", &plain).to_str().expect("text").contains("Secure"));
    }

    #[test]
    fn the_token_is_found_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("theme=dark; faultline_session=tok123; other=1"));
        assert_eq!(token_from(&headers).as_deref(), Some("tok123"));
        assert_eq!(token_from(&HeaderMap::new()), None);
    }
}
