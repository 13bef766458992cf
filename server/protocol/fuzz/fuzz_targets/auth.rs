//! Any query string, X-Sentry-Auth, Authorization and DSN: a key, none, or an error; no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::auth::{AuthSources, from_dsn, from_request};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\u{1}');
    let query = parts.next();
    let x_sentry_auth = parts.next();
    let authorization = parts.next();
    let dsn = parts.next().unwrap_or_default();
    if let Ok(Some(key)) = from_request(AuthSources { query, x_sentry_auth, authorization }) {
        assert!(!key.as_str().is_empty());
    }
    std::hint::black_box(from_dsn(dsn));
});
