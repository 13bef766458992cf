//! A project's stack trace rules: set through the API, applied at ingest to the frames and the
//! grouping, and a change of rules that splits no issue.

use crate::helpers::{FIXTURE_PROJECT, TestApp, envelope_with_event, spawn_app};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::{Value, json};
use server::store::entities::project;

/// A Python error raised in a logging helper the SDK called the app's own.
async fn send_error(app: &TestApp, n: u32) -> String {
    let id = format!("{n:032x}");
    let event = json!({"platform": "python", "level": "error", "exception": {"values": [{
        "type": "PaymentError", "value": "card declined",
        "stacktrace": {"frames": [
            {"module": "shop.views", "function": "checkout", "lineno": 10, "in_app": true},
            {"module": "shop.util", "function": "log_failure", "lineno": 20, "in_app": true},
        ]},
    }]}});
    let response = app.post_envelope(envelope_with_event(&id, event)).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    id
}

async fn rules_of(app: &TestApp) -> Value {
    app.get_json(&format!("/api/0/projects/{FIXTURE_PROJECT}/settings/")).await
}

#[tokio::test]
async fn new_rules_mark_frames_at_ingest_and_the_issue_keeps_its_events() {
    let app = spawn_app().await;
    send_error(&app, 1).await;
    assert_eq!(app.issues().await[0].culprit, "shop.util in log_failure");
    let settings = rules_of(&app).await;
    assert_eq!((settings["stack_rules"].as_str(), &settings["grouping_transition_until"]), (Some(""), &Value::Null));
    assert!(settings["builtin_stack_rules"].as_str().is_some_and(|text| text.contains("**/node_modules/** -app")));

    // Out of the app and of grouping: both of the event's hashes change.
    let rules = "# helpers\nstack.function:log_* -app -group";
    app.update_project(FIXTURE_PROJECT, json!({"stack_rules": rules})).await;
    let settings = rules_of(&app).await;
    assert_eq!(settings["stack_rules"], rules);
    let until: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(settings["grouping_transition_until"].clone()).expect("a transition");
    assert!(until > chrono::Utc::now() + chrono::TimeDelta::days(89), "{until}");

    let second = send_error(&app, 2).await;
    let issues = app.issues().await;
    assert_eq!(issues.len(), 1, "the old hash found the issue");
    let (_, stored) = app.stored_event(&second).await.expect("stored");
    let frames = &stored.exceptions[0].stacktrace.as_ref().expect("frames").frames;
    assert_eq!(frames.iter().map(|f| f.in_app).collect::<Vec<_>>(), [Some(true), Some(false)]);
    assert_eq!(stored.culprit(), "shop.views in checkout", "the helper is no longer the culprit");

    // Once the transition is over only the new hashes count, and the issue learned them.
    let row = project::Entity::find_by_id(FIXTURE_PROJECT).one(&app.db).await.expect("query").expect("project");
    let mut row = row.into_active_model();
    row.grouping_transition_until = Set(Some(chrono::Utc::now() - chrono::TimeDelta::minutes(1)));
    row.update(&app.db).await.expect("end the transition");
    app.update_project(FIXTURE_PROJECT, json!({"name": "Recordings"})).await;
    send_error(&app, 3).await;
    assert_eq!(app.issue_count().await, 1);
    assert_eq!(app.event_count().await, 3);
}

#[tokio::test]
async fn a_second_change_during_the_transition_keeps_the_grouping_from_before_the_first() {
    let app = spawn_app().await;
    send_error(&app, 1).await;
    app.update_project(FIXTURE_PROJECT, json!({"stack_rules": "stack.function:log_* -app -group"})).await;
    let until = rules_of(&app).await["grouping_transition_until"].clone();
    app.update_project(
        FIXTURE_PROJECT,
        json!({"stack_rules": "# the same rule\n  stack.function:log_*   -app -group"}),
    )
    .await;
    assert_eq!(rules_of(&app).await["grouping_transition_until"], until, "comments and spaces group the same");
    app.update_project(FIXTURE_PROJECT, json!({"stack_rules": "stack.function:checkout -group"})).await;
    send_error(&app, 2).await;
    assert_eq!(app.issue_count().await, 1, "the grouping from before both changes still counts");
}

#[tokio::test]
async fn a_rule_that_does_not_parse_is_refused_with_its_line_and_changes_nothing() {
    let app = spawn_app().await;
    let response = app
        .client
        .patch(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/")))
        .json(&json!({"stack_rules": "stack.module:shop.* +app\nstack.funtion:log_* -app"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.expect("a JSON error");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("line 2") && message.contains("stack.funtion"), "{body}");
    let settings = rules_of(&app).await;
    assert_eq!((settings["stack_rules"].as_str(), &settings["grouping_transition_until"]), (Some(""), &Value::Null));
}
