//! Finding the public key of an ingest request (SENTRY_PROTOCOL.md A1). Four places may carry
//! it; the first one found wins, as in Bugsink: the `sentry_key` query parameter,
//! `X-Sentry-Auth`, `Authorization: Sentry …` (or `Basic base64(key:secret)`), and, for
//! envelopes, the `dsn` of the envelope header.

use crate::ids::{ProjectId, PublicKey};
use base64::Engine;

/// Newest protocol version accepted; Relay refuses anything above 8.
const MAX_VERSION: u32 = 8;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("no public key: send X-Sentry-Auth, Authorization: Sentry, or the sentry_key query parameter")]
    Missing,
    #[error("malformed auth: {0}")]
    Malformed(String),
    #[error("unsupported sentry_version {0}")]
    UnsupportedVersion(String),
}

/// The raw places a request may carry its key in.
#[derive(Clone, Copy, Debug, Default)]
pub struct AuthSources<'a> {
    pub query: Option<&'a str>,
    pub x_sentry_auth: Option<&'a str>,
    pub authorization: Option<&'a str>,
}

/// The key from the request itself, or `None` when it carries none (an envelope may still name
/// one in its header's `dsn`).
pub fn from_request(sources: AuthSources<'_>) -> Result<Option<PublicKey>, AuthError> {
    if let Some(query) = sources.query
        && let Some(key) = query_param(query, "sentry_key")
    {
        check_version(query_param(query, "sentry_version").as_deref())?;
        return parse_key(&key).map(Some);
    }
    if let Some(header) = sources.x_sentry_auth {
        return sentry_header(header)?
            .ok_or_else(|| AuthError::Malformed("X-Sentry-Auth is not `Sentry …`".into()))
            .map(Some);
    }
    if let Some(header) = sources.authorization {
        if let Some(key) = sentry_header(header)? {
            return Ok(Some(key));
        }
        if let Some(key) = basic_header(header)? {
            return Ok(Some(key));
        }
    }
    Ok(None)
}

/// The key and project of a DSN such as `https://key[:secret]@host[/prefix]/42`.
pub fn from_dsn(dsn: &str) -> Result<(PublicKey, ProjectId), AuthError> {
    let malformed = || AuthError::Malformed("the envelope's dsn is not a DSN".into());
    let (_, rest) = dsn.split_once("://").ok_or_else(malformed)?;
    let (userinfo, location) = rest.split_once('@').ok_or_else(malformed)?;
    let key = userinfo.split(':').next().unwrap_or_default();
    let path = location.split(['?', '#']).next().unwrap_or_default().trim_end_matches('/');
    let project = path.rsplit('/').next().filter(|_| path.contains('/')).ok_or_else(malformed)?;
    let project = ProjectId::parse(project).map_err(|err| AuthError::Malformed(err.to_string()))?;
    Ok((parse_key(key)?, project))
}

/// `Sentry sentry_key=K, sentry_version=7, …`, parsed as sentry-types does: the scheme is
/// `sentry` in any case, items are split on `,` and `=` and trimmed. `None` for another scheme.
fn sentry_header(header: &str) -> Result<Option<PublicKey>, AuthError> {
    let header = header.trim();
    let (scheme, params) = header.split_once(char::is_whitespace).unwrap_or((header, ""));
    if !scheme.eq_ignore_ascii_case("sentry") {
        return Ok(None);
    }
    let param = |name: &str| {
        params
            .split(',')
            .filter_map(|item| item.split_once('='))
            .find(|(key, _)| key.trim() == name)
            .map(|(_, v)| v.trim())
    };
    check_version(param("sentry_version"))?;
    let key =
        param("sentry_key").ok_or_else(|| AuthError::Malformed("the Sentry auth header has no sentry_key".into()))?;
    parse_key(key).map(Some)
}

/// `Basic base64(key:secret)`, which Relay also accepts. `None` for another scheme.
fn basic_header(header: &str) -> Result<Option<PublicKey>, AuthError> {
    let header = header.trim();
    let Some((scheme, encoded)) = header.split_once(char::is_whitespace) else { return Ok(None) };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| AuthError::Malformed("Basic credentials are not base64".into()))?;
    let text = String::from_utf8(decoded).map_err(|_| AuthError::Malformed("Basic credentials are not text".into()))?;
    parse_key(text.split(':').next().unwrap_or_default()).map(Some)
}

fn check_version(version: Option<&str>) -> Result<(), AuthError> {
    let Some(version) = version else { return Ok(()) };
    let major = version.split('.').next().unwrap_or_default();
    match major.parse::<u32>() {
        Ok(major) if (1..=MAX_VERSION).contains(&major) => Ok(()),
        _ => Err(AuthError::UnsupportedVersion(version.chars().take(16).collect())),
    }
}

fn parse_key(raw: &str) -> Result<PublicKey, AuthError> {
    PublicKey::parse(raw).map_err(|err| AuthError::Malformed(err.to_string()))
}

fn query_param(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes()).find(|(key, _)| key == name).map(|(_, value)| value.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(sources: AuthSources<'_>) -> Result<Option<String>, AuthError> {
        from_request(sources).map(|key| key.map(|k| k.as_str().to_owned()))
    }

    #[test]
    fn reads_the_key_from_x_sentry_auth_as_python_sends_it() {
        let header = "Sentry sentry_key=abc123publickey, sentry_version=7, sentry_client=sentry.python/2.75.0";
        assert_eq!(
            key(AuthSources { x_sentry_auth: Some(header), ..Default::default() }),
            Ok(Some("abc123publickey".into()))
        );
    }

    #[test]
    fn reads_the_key_from_the_query_as_javascript_sends_it() {
        let query = "sentry_version=7&sentry_key=abc123publickey&sentry_client=sentry.javascript.node%2F11.12.0";
        assert_eq!(key(AuthSources { query: Some(query), ..Default::default() }), Ok(Some("abc123publickey".into())));
    }

    #[test]
    fn reads_authorization_sentry_and_basic() {
        let sentry = "Sentry sentry_key=k1, sentry_version=7";
        assert_eq!(key(AuthSources { authorization: Some(sentry), ..Default::default() }), Ok(Some("k1".into())));
        let basic = "Basic azI6c2VjcmV0"; // k2:secret
        assert_eq!(key(AuthSources { authorization: Some(basic), ..Default::default() }), Ok(Some("k2".into())));
        let bearer = "Bearer some-api-token";
        assert_eq!(key(AuthSources { authorization: Some(bearer), ..Default::default() }), Ok(None));
    }

    #[test]
    fn the_first_source_found_wins() {
        let sources = AuthSources {
            query: Some("sentry_key=from_query"),
            x_sentry_auth: Some("Sentry sentry_key=from_header"),
            authorization: Some("Sentry sentry_key=from_authorization"),
        };
        assert_eq!(key(sources), Ok(Some("from_query".into())));
        let sources = AuthSources { query: Some("other=1"), ..sources };
        assert_eq!(key(sources), Ok(Some("from_header".into())));
    }

    #[test]
    fn the_scheme_is_case_insensitive_and_spaces_are_trimmed() {
        let header = "sentry  sentry_version = 7.0 ,sentry_key = k1 ";
        assert_eq!(key(AuthSources { x_sentry_auth: Some(header), ..Default::default() }), Ok(Some("k1".into())));
    }

    #[test]
    fn no_key_anywhere_is_none_and_broken_ones_are_malformed() {
        assert_eq!(key(AuthSources { query: Some("sentry_version=7"), ..Default::default() }), Ok(None));
        for header in ["Sentry sentry_version=7", "Bearer abc", "Sentry sentry_key=a-b", "Sentry"] {
            let result = key(AuthSources { x_sentry_auth: Some(header), ..Default::default() });
            assert!(matches!(result, Err(AuthError::Malformed(_))), "{header}: {result:?}");
        }
    }

    #[test]
    fn versions_above_eight_are_refused() {
        let header = "Sentry sentry_key=k, sentry_version=9";
        let result = key(AuthSources { x_sentry_auth: Some(header), ..Default::default() });
        assert_eq!(result, Err(AuthError::UnsupportedVersion("9".into())));
        let query = "sentry_key=k&sentry_version=x";
        assert!(matches!(
            key(AuthSources { query: Some(query), ..Default::default() }),
            Err(AuthError::UnsupportedVersion(_))
        ));
    }

    #[test]
    fn a_dsn_gives_its_key_and_project() {
        let (key, project) = from_dsn("http://pubkey123:secretkey456@127.0.0.1:9000/prefix/sub/7").expect("dsn");
        assert_eq!((key.as_str(), project.get()), ("pubkey123", 7));
        assert!(from_dsn("http://127.0.0.1/7").is_err());
        assert!(from_dsn("not a dsn").is_err());
        assert!(from_dsn("http://k@host").is_err());
    }
}
