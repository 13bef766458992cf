//! What people type into the API, checked once: names and labels have 1 to 100 characters and
//! emails look like emails of at most 254; anything longer is 422 with what the limit is, before
//! it reaches the database (or the sign-in limiter's memory).

use super::ApiError;
use crate::store::users;

/// The longest project name, token name or key label.
pub const MAX_NAME_CHARS: usize = 100;
/// The longest email address (RFC 5321's path limit, less the brackets).
pub const MAX_EMAIL_CHARS: usize = 254;

/// A trimmed name of 1 to 100 characters; `what` names it in the refusal ("project name").
pub fn name(raw: &str, what: &str) -> Result<String, ApiError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::Invalid(format!("a {what} has 1 to {MAX_NAME_CHARS} characters")));
    }
    Ok(name.to_owned())
}

/// A trimmed, lowercase email that looks like one.
pub fn email(raw: &str) -> Result<String, ApiError> {
    let email = users::normalize_email(raw);
    let plausible = email.chars().count() <= MAX_EMAIL_CHARS
        && email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.contains(char::is_whitespace);
    if plausible { Ok(email) } else { Err(ApiError::Invalid("enter an email address".into())) }
}
