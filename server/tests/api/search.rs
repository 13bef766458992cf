//! Searching and sorting the issue list through the API: every form of the query language
//! narrows the list as a user would expect, and a wrong query is refused with where it is wrong.

use crate::helpers::{OWNER_EMAIL, TestApp, envelope_with_event, spawn_app};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};
use server::store::entities::issue;

/// Sends `count` events of an error of type `kind`, with the event fields in `extra`.
async fn send(app: &TestApp, first: u32, count: u32, kind: &str, extra: Value) {
    for n in first..first + count {
        let mut event = json!({"exception": {"values": [{"type": kind, "value": "it broke"}]}});
        event.as_object_mut().expect("object").extend(extra.as_object().expect("object").clone());
        event["user"] = json!({"id": format!("user-{n}")});
        let response = app.post_envelope(envelope_with_event(&format!("{n:032x}"), event)).await;
        assert_eq!(response.status(), 200);
    }
}

/// Four issues that differ in every way the searches below look at.
async fn seeded() -> TestApp {
    let app = spawn_app().await;
    send(&app, 1, 3, "CheckoutError", json!({"level": "error", "environment": "production", "release": "shop@1.2.0", "tags": {"browser.name": "Chrome"}})).await;
    send(&app, 10, 1, "SearchWarning", json!({"level": "warning", "environment": "staging", "release": "shop@1.3.0", "tags": {"browser.name": "Firefox"}})).await;
    send(&app, 20, 5, "LoginError", json!({"level": "error", "environment": "production", "release": "auth@2.0", "tags": {"device": "Pixel 7 Pro"}})).await;
    send(&app, 30, 2, "TimeoutError", json!({"level": "fatal", "environment": "production", "release": "shop@1.2.1"}))
        .await;
    let old = chrono::Utc::now() - chrono::Duration::days(10);
    issue::Entity::update_many()
        .col_expr(issue::Column::FirstSeen, Expr::value(old))
        .filter(issue::Column::Title.starts_with("SearchWarning"))
        .exec(&app.db)
        .await
        .expect("make one issue old");
    app
}

/// The type names of the issues the search finds, in the order listed.
async fn found(app: &TestApp, query: &str, sort: Option<&str>) -> Vec<String> {
    let mut request = app.client.get(app.url("/api/0/issues/")).query(&[("query", query)]);
    if let Some(sort) = sort {
        request = request.query(&[("sort", sort)]);
    }
    let response = request.send().await.expect("search");
    assert_eq!(response.status(), 200, "{query}");
    let issues: Vec<Value> = response.json().await.expect("json");
    issues
        .iter()
        .map(|issue| issue["title"].as_str().expect("title").split(':').next().unwrap_or_default().to_owned())
        .collect()
}

async fn found_sorted(app: &TestApp, query: &str) -> Vec<String> {
    let mut names = found(app, query, None).await;
    names.sort();
    names
}

#[tokio::test]
async fn each_kind_of_term_narrows_the_list() {
    let app = seeded().await;
    let login = app.issues().await.into_iter().find(|issue| issue.title.starts_with("LoginError")).expect("issue");
    let resolve =
        app.client.patch(app.url(&format!("/api/0/issues/{}/", login.id))).json(&json!({"action": "resolve"}));
    assert_eq!(resolve.send().await.expect("resolve").status(), 200);
    let owner = app.get_json("/api/0/auth/me").await["id"].as_i64().expect("owner id");
    let timeout = app.issues().await.into_iter().find(|issue| issue.title.starts_with("TimeoutError")).expect("issue");
    let assign = app.client.patch(app.url(&format!("/api/0/issues/{}/", timeout.id)));
    assert_eq!(assign.json(&json!({"action": "assign", "user_id": owner})).send().await.expect("assign").status(), 200);

    let cases: &[(&str, &[&str])] = &[
        ("", &["CheckoutError", "LoginError", "SearchWarning", "TimeoutError"]),
        ("is:resolved", &["LoginError"]),
        ("is:unresolved", &["CheckoutError", "SearchWarning", "TimeoutError"]),
        ("!is:resolved", &["CheckoutError", "SearchWarning", "TimeoutError"]),
        ("is:assigned", &["TimeoutError"]),
        ("is:unassigned is:unresolved", &["CheckoutError", "SearchWarning"]),
        ("assigned:me", &["TimeoutError"]),
        (&format!("assigned:{}", OWNER_EMAIL.to_uppercase()), &["TimeoutError"]),
        ("assigned:nobody@example.com", &[]),
        ("level:error", &["CheckoutError", "LoginError"]),
        ("!level:error", &["SearchWarning", "TimeoutError"]),
        ("environment:staging", &["SearchWarning"]),
        ("release:shop@1.2.*", &["CheckoutError", "TimeoutError"]),
        ("!release:shop@*", &["LoginError"]),
        ("browser.name:Chrome", &["CheckoutError"]),
        ("!browser.name:Chrome", &["LoginError", "SearchWarning", "TimeoutError"]),
        (r#"device:"Pixel 7 Pro""#, &["LoginError"]),
        ("device:Pixel*", &["LoginError"]),
        ("firstSeen:-7d", &["CheckoutError", "LoginError", "TimeoutError"]),
        ("firstSeen:+7d", &["SearchWarning"]),
        ("lastSeen:-24h", &["CheckoutError", "LoginError", "SearchWarning", "TimeoutError"]),
        ("timesSeen:>2", &["CheckoutError", "LoginError"]),
        ("timesSeen:<=2", &["SearchWarning", "TimeoutError"]),
        ("timesSeen:2", &["TimeoutError"]),
        ("timeout", &["TimeoutError"]),
        ("TIMEOUTERROR", &["TimeoutError"]),
        (r#""it broke" level:fatal"#, &["TimeoutError"]),
        ("timeout_rror", &[]),
    ];
    for (query, expected) in cases {
        assert_eq!(found_sorted(&app, query).await, *expected, "{query}");
    }
}

#[tokio::test]
async fn the_list_sorts_by_last_seen_first_seen_events_or_users() {
    let app = seeded().await;
    assert_eq!(found(&app, "", None).await, ["TimeoutError", "LoginError", "SearchWarning", "CheckoutError"]);
    assert_eq!(found(&app, "", Some("events")).await, ["LoginError", "CheckoutError", "TimeoutError", "SearchWarning"]);
    assert_eq!(found(&app, "", Some("users")).await, ["LoginError", "CheckoutError", "TimeoutError", "SearchWarning"]);
    assert_eq!(
        found(&app, "", Some("first_seen")).await,
        ["TimeoutError", "LoginError", "CheckoutError", "SearchWarning"]
    );
    let refused = app.client.get(app.url("/api/0/issues/?sort=loudest")).send().await.expect("sort");
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.expect("a JSON error");
    assert!(body["error"]["message"].as_str().expect("message").contains("loudest"), "{body}");
}

#[tokio::test]
async fn a_wrong_query_is_refused_with_where_it_is_wrong() {
    let app = seeded().await;
    let response = app.client.get(app.url("/api/0/issues/")).query(&[("query", "level:error is:open")]).send().await;
    let response = response.expect("search");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "invalid_query");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("`is:` takes one of") && message.contains("at character 16"), "{message}");
}

#[tokio::test]
async fn a_time_past_the_calendars_reach_is_a_query_error_not_a_crash() {
    let app = seeded().await;
    for query in ["lastSeen:-99999999d", "firstSeen:-20000000w", "lastSeen:+99999999d"] {
        let response = app.client.get(app.url("/api/0/issues/")).query(&[("query", query)]).send().await;
        let response = response.expect("an answer");
        assert_eq!(response.status(), 400, "{query}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"]["code"], "invalid_query");
        assert!(body["error"]["message"].as_str().expect("message").contains("at character"), "{body}");
    }
}

#[tokio::test]
async fn a_browser_sdk_event_is_found_by_its_agents_browser_and_by_its_users_email() {
    let app = spawn_app().await;
    let response = crate::recordings::load("browser/ingest/browser-02").replay(&app).await;
    assert_eq!(response.status(), 200);
    let (chrome, firefox) =
        (found(&app, "browser.name:Chrome", None).await, found(&app, "browser.name:Firefox", None).await);
    assert_eq!(
        (chrome, firefox),
        (vec!["RangeError".to_owned()], Vec::<String>::new()),
        "the SDK sent no browser context"
    );
    assert_eq!(found(&app, "os.name:Linux", None).await, ["RangeError"]);
    assert_eq!(found(&app, "user.email:jane@example.com", None).await, ["RangeError"]);
    assert_eq!(found(&app, "user.id:u-17", None).await, ["RangeError"]);
    assert!(found(&app, "user.email:joe@example.com", None).await.is_empty());
}
