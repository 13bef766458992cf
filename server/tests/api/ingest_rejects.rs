//! Bad input gets a clear error, a JSON body, and stores nothing.

use crate::helpers::{FIXTURE_KEY, FIXTURE_PROJECT, Options, TestApp, envelope_with_event, spawn_app, spawn_app_with};
use crate::recordings;
use serde_json::json;
use std::io::Write;

const EVENT_ID: &str = "0a1b2c3d4e5f40718293a4b5c6d7e8f9";

/// The ingest URL of the recordings' project, with its key.
fn fixture_url() -> String {
    format!("/api/{FIXTURE_PROJECT}/envelope/?sentry_key={FIXTURE_KEY}")
}

fn event_envelope() -> String {
    envelope_with_event(EVENT_ID, json!({"exception": {"values": [{"type": "Boom", "value": "it broke"}]}}))
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).expect("write");
    encoder.finish().expect("finish")
}

/// Asserts the status, the JSON error code, and that nothing was stored.
async fn assert_rejected(app: &TestApp, response: reqwest::Response, status: u16, code: &str) {
    assert_eq!(response.status(), status);
    assert!(response.headers().contains_key("x-sentry-error"), "the reason is in X-Sentry-Error too");
    let body: serde_json::Value = response.json().await.expect("a JSON error body");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(app.event_count().await, 0, "nothing is stored");
    assert_eq!(app.issue_count().await, 0, "no issue is created");
}

#[tokio::test]
async fn an_unknown_key_is_refused_with_403() {
    let app = spawn_app().await;
    let response = app
        .ingest(
            &format!("/api/{FIXTURE_PROJECT}/envelope/?sentry_key=0123456789abcdef0123456789abcdef"),
            None,
            event_envelope(),
        )
        .await;
    assert_rejected(&app, response, 403, "unknown_key").await;
}

#[tokio::test]
async fn a_key_of_another_project_is_refused_with_403() {
    let app = spawn_app().await;
    let other = app.default_project.project_id;
    let response =
        app.ingest(&format!("/api/{other}/envelope/?sentry_key={FIXTURE_KEY}"), None, event_envelope()).await;
    assert_rejected(&app, response, 403, "unknown_key").await;
}

#[tokio::test]
async fn a_request_without_any_key_is_refused_with_401() {
    let app = spawn_app().await;
    let response = app.ingest(&format!("/api/{FIXTURE_PROJECT}/envelope/"), None, event_envelope()).await;
    assert_rejected(&app, response, 401, "missing_auth").await;
}

#[tokio::test]
async fn corrupt_gzip_is_refused_with_400() {
    let app = spawn_app().await;
    let mut body = gzip(event_envelope().as_bytes());
    let half = body.len() / 2;
    body.truncate(half);
    let response = app.ingest(&fixture_url(), Some("gzip"), body).await;
    assert_rejected(&app, response, 400, "corrupt_body").await;
}

#[tokio::test]
async fn a_truncated_envelope_is_refused_with_400() {
    let app = spawn_app().await;
    let body = format!("{{\"event_id\":\"{EVENT_ID}\"}}\n{{\"type\":\"event\",\"length\":5000}}\n{{\"message\":\"cut");
    let response = app.post_envelope(body).await;
    assert_rejected(&app, response, 400, "malformed_envelope").await;
}

#[tokio::test]
async fn an_event_that_is_not_json_is_refused_with_400() {
    let app = spawn_app().await;
    let body = format!("{{\"event_id\":\"{EVENT_ID}\"}}\n{{\"type\":\"event\"}}\nthis is not json\n");
    let response = app.post_envelope(body).await;
    assert_rejected(&app, response, 400, "invalid_event").await;
}

#[tokio::test]
async fn an_unsupported_content_encoding_is_refused_with_415() {
    let app = spawn_app().await;
    let response = app.ingest(&fixture_url(), Some("lzma"), event_envelope()).await;
    assert_rejected(&app, response, 415, "unsupported_encoding").await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413_whether_declared_or_streamed() {
    let app = spawn_app_with(Options { max_envelope_bytes: Some(64 * 1024), ..Options::default() }).await;
    let padding = "x".repeat(100 * 1024);
    let big = envelope_with_event(EVENT_ID, json!({"message": padding}));

    let declared = app.post_envelope(big.clone()).await;
    assert_rejected(&app, declared, 413, "too_large").await;

    // Chunked, without Content-Length, as @sentry/node sends.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        big.into_bytes().chunks(8 * 1024).map(|chunk| Ok(chunk.to_vec())).collect();
    let streamed = app.post_envelope(reqwest::Body::wrap_stream(futures::stream::iter(chunks))).await;
    assert_rejected(&app, streamed, 413, "too_large").await;
}

#[tokio::test]
async fn a_gzip_body_that_inflates_past_the_limit_is_refused_with_413() {
    let app = spawn_app_with(Options { max_envelope_bytes: Some(64 * 1024), ..Options::default() }).await;
    let inflating = envelope_with_event(EVENT_ID, json!({"message": "a".repeat(1024 * 1024)}));
    let body = gzip(inflating.as_bytes());
    assert!(body.len() < 64 * 1024, "small on the wire");
    let response = app.ingest(&fixture_url(), Some("gzip"), body).await;
    assert_rejected(&app, response, 413, "too_large").await;
}

#[tokio::test]
async fn an_event_item_over_one_mebibyte_is_refused_with_413() {
    let app = spawn_app().await;
    let big = envelope_with_event(EVENT_ID, json!({"message": "m".repeat(1024 * 1024 + 10)}));
    let response = app.post_envelope(big).await;
    assert_rejected(&app, response, 413, "too_large").await;
}

#[tokio::test]
async fn a_non_numeric_project_is_not_found() {
    let app = spawn_app().await;
    let response = app.ingest(&format!("/api/shop/envelope/?sentry_key={FIXTURE_KEY}"), None, event_envelope()).await;
    assert_rejected(&app, response, 404, "unknown_project").await;
}

#[tokio::test]
async fn a_recorded_event_with_a_wrong_key_in_its_auth_header_is_refused() {
    let app = spawn_app().await;
    let mut recording = recordings::load("python/default/py-default-01");
    for (name, value) in &mut recording.headers {
        if name.eq_ignore_ascii_case("x-sentry-auth") {
            *value = value.replace(FIXTURE_KEY, "someoneelseskey");
        }
    }
    let response = recording.replay(&app).await;
    assert_rejected(&app, response, 403, "unknown_key").await;
}
