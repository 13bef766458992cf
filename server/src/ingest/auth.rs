//! Finding the public key of an ingest request (SENTRY_PROTOCOL.md A1).

use super::error::IngestError;
use crate::domain::PublicKey;
use axum::http::HeaderMap;

/// The public key from the `sentry_key` query parameter, else from `X-Sentry-Auth`. The first
/// one found wins, as in Bugsink.
pub fn public_key(headers: &HeaderMap, query: Option<&str>) -> Result<PublicKey, IngestError> {
    if let Some(key) = query.and_then(|query| query_param(query, "sentry_key")) {
        return parse_key(&key);
    }
    if let Some(value) = headers.get("x-sentry-auth") {
        let value = value.to_str().map_err(|_| IngestError::MalformedAuth("X-Sentry-Auth is not text".into()))?;
        return match sentry_auth_param(value, "sentry_key") {
            Some(key) => parse_key(key),
            None => Err(IngestError::MalformedAuth("X-Sentry-Auth has no sentry_key".into())),
        };
    }
    Err(IngestError::MissingAuth)
}

fn parse_key(raw: &str) -> Result<PublicKey, IngestError> {
    PublicKey::parse(raw).map_err(|err| IngestError::MalformedAuth(err.to_string()))
}

/// A parameter of a `Sentry k=v, k=v` header, parsed as sentry-types does: the scheme is
/// `sentry` in any case, items are split on `,` and `=` and trimmed.
fn sentry_auth_param<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    let (scheme, params) = header.trim().split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("sentry") {
        return None;
    }
    params
        .split(',')
        .filter_map(|item| item.split_once('='))
        .find(|(key, _)| key.trim() == name)
        .map(|(_, value)| value.trim())
}

fn query_param(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes()).find(|(key, _)| key == name).map(|(_, value)| value.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(auth: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-sentry-auth", HeaderValue::from_str(auth).expect("header"));
        headers
    }

    #[test]
    fn reads_the_key_from_x_sentry_auth_as_python_sends_it() {
        let headers =
            headers("Sentry sentry_key=abc123publickey, sentry_version=7, sentry_client=sentry.python/2.75.0");
        assert_eq!(public_key(&headers, None).map(|k| k.as_str().to_owned()).ok().as_deref(), Some("abc123publickey"));
    }

    #[test]
    fn reads_the_key_from_the_query_as_javascript_sends_it() {
        let query = "sentry_version=7&sentry_key=abc123publickey&sentry_client=sentry.javascript.node%2F11.12.0";
        let key = public_key(&HeaderMap::new(), Some(query)).expect("key");
        assert_eq!(key.as_str(), "abc123publickey");
    }

    #[test]
    fn the_scheme_is_case_insensitive_and_spaces_are_trimmed() {
        let key = public_key(&headers("sentry  sentry_version = 7 ,sentry_key = k1 "), None).expect("key");
        assert_eq!(key.as_str(), "k1");
    }

    #[test]
    fn no_key_anywhere_is_missing_auth() {
        assert!(matches!(public_key(&HeaderMap::new(), Some("sentry_version=7")), Err(IngestError::MissingAuth)));
    }

    #[test]
    fn a_header_without_a_key_or_with_another_scheme_is_malformed() {
        assert!(matches!(public_key(&headers("Sentry sentry_version=7"), None), Err(IngestError::MalformedAuth(_))));
        assert!(matches!(public_key(&headers("Bearer abc"), None), Err(IngestError::MalformedAuth(_))));
        assert!(matches!(public_key(&headers("Sentry sentry_key=a-b"), None), Err(IngestError::MalformedAuth(_))));
    }
}
