//! Canary secrets sent in every place an SDK puts data: none of them is stored or served.

use crate::helpers::{FIXTURE_PROJECT, envelope_with_event, spawn_app};
use sea_orm::EntityTrait;
use serde_json::json;
use server::store::entities::event;

const EVENT_ID: &str = "5ec7e75ec7e75ec7e75ec7e75ec7e75e";

/// Each canary is a secret in one place; the test proves none survives.
fn canaries() -> Vec<(&'static str, &'static str)> {
    vec![
        ("request body password", "canary-body-pw-1"),
        ("authorization header", "canary-auth-2"),
        ("api key header", "canary-apikey-3"),
        ("session cookie", "canary-session-4"),
        ("query token", "canary-query-5"),
        ("extra secret", "canary-extra-6"),
        ("context credentials", "canary-ctx-7"),
        ("breadcrumb bearer", "canarybreadcrumb8"),
        ("breadcrumb data", "canary-crumb-9"),
        ("frame var", "canary-var-10"),
        ("tag token", "canary-tag-11"),
        ("user password", "canary-user-12"),
        ("message bearer", "canarymessage13"),
        ("project field", "canary-project-14"),
    ]
}

fn event_with_secrets() -> serde_json::Value {
    json!({
        "platform": "python",
        "message": "Login failed with Bearer canarymessage13 card 4111 1111 1111 1111",
        "request": {
            "url": "https://shop.example.com/login?token=canary-query-5",
            "method": "POST",
            "data": {"username": "jane", "password": "canary-body-pw-1"},
            "headers": [["Authorization", "Bearer canary-auth-2"], ["X-Api-Key", "canary-apikey-3"], ["Cookie", "sessionid=canary-session-4; theme=dark"]],
            "query_string": "token=canary-query-5&page=2"
        },
        "extra": {"stripe_secret": "canary-extra-6", "order": 4711, "card": "5500 0000 0000 0004"},
        "contexts": {"database": {"credentials": "canary-ctx-7", "host": "db-1"}},
        "breadcrumbs": [
            {"category": "http", "message": "GET /api with Bearer canarybreadcrumb8"},
            {"category": "auth", "data": {"client_secret": "canary-crumb-9"}}
        ],
        "exception": [{"type": "LoginError", "value": "login failed", "stacktrace": {"frames": [
            {"module": "shop.auth", "function": "login", "in_app": true, "vars": {"password": "canary-var-10", "attempt": 3}}
        ]}}],
        "tags": {"session_token": "canary-tag-11", "region": "eu"},
        "user": {"id": "u-1", "data": {"password": "canary-user-12"}},
        "loyalty_number": "canary-project-14"
    })
}

#[tokio::test]
async fn no_canary_secret_is_stored_or_served() {
    let app = spawn_app().await;
    app.update_project(FIXTURE_PROJECT, json!({"sensitive_fields": ["loyalty_number"]})).await;
    assert_eq!(app.post_envelope(envelope_with_event(EVENT_ID, event_with_secrets())).await.status(), 200);

    let rows = event::Entity::find().all(&app.db).await.expect("events");
    assert_eq!(rows.len(), 1);
    let stored = String::from_utf8(zstd::decode_all(&rows[0].payload[..]).expect("payload")).expect("utf-8");
    let detail = app
        .client
        .get(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/events/{EVENT_ID}/")))
        .send()
        .await
        .expect("detail")
        .text()
        .await
        .expect("text");
    let cookie = app.sign_in(crate::helpers::OWNER_EMAIL).await;
    let page = app
        .anonymous
        .get(app.url("/"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    for (place, canary) in canaries() {
        for (what, text) in [("stored payload", &stored), ("event API", &detail), ("dashboard", &page)] {
            assert!(!text.contains(canary), "the {place} canary leaked into the {what}");
        }
    }
    for card in ["4111 1111 1111 1111", "5500 0000 0000 0004"] {
        assert!(!stored.contains(card), "a card number was stored");
    }
    assert!(stored.contains("[Filtered]"));
    assert!(stored.contains("db-1") && stored.contains("4711") && stored.contains("\"eu\""), "other data is kept");
}
