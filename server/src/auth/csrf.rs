//! CSRF protection for cookie-authenticated requests: state changes must come from this server's
//! own pages, which the browser proves with `Origin` (or, failing that, `Referer`).

use axum::http::{HeaderMap, Method, header};

/// Whether the method only reads.
pub fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether the request's `Origin` (or `Referer`) names the host it was sent to, or `public_url`.
pub fn same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    let Some(origin) = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|value| value.to_str().ok())
        .filter(|value| *value != "null")
    else {
        return false;
    };
    let authority = |url: &str| {
        url.split_once("://")
            .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or_default().to_ascii_lowercase())
    };
    let Some(origin) = authority(origin) else { return false };
    let host = headers.get(header::HOST).and_then(|value| value.to_str().ok()).map(str::to_ascii_lowercase);
    host.as_deref() == Some(origin.as_str()) || authority(public_url).as_deref() == Some(origin.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(name, value)| (name.clone(), HeaderValue::from_static(value))).collect()
    }

    #[test]
    fn requests_from_the_servers_own_pages_pass() {
        let own = headers(&[(header::HOST, "127.0.0.1:3000"), (header::ORIGIN, "http://127.0.0.1:3000")]);
        assert!(same_origin(&own, "http://127.0.0.1:3000"));
        let proxied = headers(&[(header::HOST, "internal:3000"), (header::ORIGIN, "https://errors.example.com")]);
        assert!(same_origin(&proxied, "https://errors.example.com"));
        let referer = headers(&[(header::HOST, "h:1"), (header::REFERER, "http://h:1/projects/2")]);
        assert!(same_origin(&referer, "http://other"));
    }

    #[test]
    fn other_sites_and_missing_origins_are_refused() {
        let evil = headers(&[(header::HOST, "127.0.0.1:3000"), (header::ORIGIN, "https://evil.example")]);
        assert!(!same_origin(&evil, "http://127.0.0.1:3000"));
        assert!(!same_origin(&headers(&[(header::HOST, "127.0.0.1:3000")]), "http://127.0.0.1:3000"));
        let null = headers(&[(header::HOST, "h"), (header::ORIGIN, "null")]);
        assert!(!same_origin(&null, "http://h"));
    }
}
