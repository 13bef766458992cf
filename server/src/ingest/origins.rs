//! CORS as Relay answers browser SDKs, and the per-project list of origins allowed to send.

use super::error::IngestError;
use axum::http::{HeaderMap, HeaderName, Method, header};
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Relay's CORS for the ingest routes: any origin, POST, the headers SDKs send, and the
/// headers SDKs must read (rate limits, errors) exposed.
pub fn cors() -> CorsLayer {
    let allowed = [
        "x-sentry-auth",
        "x-requested-with",
        "x-forwarded-for",
        "origin",
        "referer",
        "accept",
        "content-type",
        "authentication",
        "authorization",
        "content-encoding",
        "transfer-encoding",
        "sentry-trace",
        "baggage",
    ];
    CorsLayer::new()
        .allow_origin(AllowOrigin::any())
        .allow_methods([Method::POST])
        .allow_headers(allowed.map(HeaderName::from_static))
        .expose_headers(["x-sentry-error", "x-sentry-rate-limits", "retry-after"].map(HeaderName::from_static))
        .max_age(Duration::from_secs(3600))
}

/// Refuses a browser request whose `Origin` (or `Referer`) the project does not list. Requests
/// without either, as server SDKs send them, are always allowed.
pub fn check(headers: &HeaderMap, allowed: &[String]) -> Result<(), IngestError> {
    if allowed.iter().any(|entry| entry == "*") {
        return Ok(());
    }
    let origin = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|value| value.to_str().ok())
        .filter(|value| !value.is_empty() && *value != "null");
    let Some(origin) = origin else { return Ok(()) };
    let (scheme, rest) = origin.split_once("://").unwrap_or(("", origin));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default().to_ascii_lowercase();
    let host = authority.split(':').next().unwrap_or_default();
    let site = format!("{scheme}://{authority}");
    let matches = |entry: &String| {
        let entry = entry.trim().trim_end_matches('/').to_ascii_lowercase();
        if entry.contains("://") {
            entry == site
        } else if let Some(domain) = entry.strip_prefix("*.") {
            host == domain || host.ends_with(&format!(".{domain}"))
        } else {
            entry == authority || entry == host
        }
    };
    if allowed.iter().any(matches) {
        Ok(())
    } else {
        Err(IngestError::OriginNotAllowed(site.chars().take(100).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn from(origin: &str, allowed: &[&str]) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(header::ORIGIN, HeaderValue::from_str(origin).expect("header"));
        let allowed: Vec<String> = allowed.iter().map(|s| s.to_string()).collect();
        check(&headers, &allowed).is_ok()
    }

    #[test]
    fn allowed_origins_match_by_site_host_or_wildcard_domain() {
        assert!(from("https://shop.example.com", &["*"]));
        assert!(from("https://shop.example.com", &["https://shop.example.com"]));
        assert!(!from("http://shop.example.com", &["https://shop.example.com"]));
        assert!(from("https://shop.example.com:8443", &["shop.example.com"]));
        assert!(from("https://a.b.example.com", &["*.example.com"]));
        assert!(from("https://example.com", &["*.example.com"]));
        assert!(!from("https://evil-example.com", &["*.example.com"]));
        assert!(!from("https://evil.com", &["shop.example.com", "*.example.com"]));
    }

    #[test]
    fn requests_without_an_origin_are_allowed_and_the_referer_counts_as_one() {
        assert!(check(&HeaderMap::new(), &["shop.example.com".to_owned()]).is_ok());
        let mut headers = HeaderMap::new();
        headers.insert(header::REFERER, HeaderValue::from_static("https://evil.com/page?x=1"));
        assert!(check(&headers, &["shop.example.com".to_owned()]).is_err());
    }
}
