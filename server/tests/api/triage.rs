//! Triage through the API, one transition at a time: resolve, resolve in the next release,
//! ignore (forever, for a while, until more events or users), unresolve, assign, comment, bulk;
//! and what a new event does to a resolved or ignored issue. Each check reads the issue and its
//! activity log back as the dashboard does.

use crate::helpers::{FIXTURE_PROJECT, TestApp, create_user, envelope_with_event, hold_the_writer, spawn_app};
use app::model::Role;
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use server::store::members;

/// Sends an event of the one issue these tests triage, from `release` and `user` when given.
async fn send(app: &TestApp, n: u32, release: Option<&str>, user: Option<&str>) {
    let mut event = json!({
        "exception": {"values": [{"type": "PaymentError", "value": "card declined"}]},
        "environment": "production",
    });
    if let Some(release) = release {
        event["release"] = json!(release);
    }
    if let Some(user) = user {
        event["user"] = json!({"id": user});
    }
    let response = app.post_envelope(envelope_with_event(&format!("{n:032x}"), event)).await;
    assert_eq!(response.status(), 200);
}

async fn only_issue(app: &TestApp) -> i64 {
    let issues = app.issues().await;
    assert_eq!(issues.len(), 1, "the events share one issue");
    issues[0].id
}

/// Applies a triage action as the owner; returns the status and the answer.
async fn triage(app: &TestApp, issue: i64, action: Value) -> (StatusCode, Value) {
    let response =
        app.client.patch(app.url(&format!("/api/0/issues/{issue}/"))).json(&action).send().await.expect("patch");
    (response.status(), response.json().await.expect("json"))
}

async fn summary(app: &TestApp, issue: i64) -> Value {
    app.get_json(&format!("/api/0/issues/{issue}/")).await["issue"].clone()
}

/// The kinds of the issue's activity entries, oldest first, with who acted.
async fn activity(app: &TestApp, issue: i64) -> Vec<(String, Option<String>)> {
    let entries = app.get_json(&format!("/api/0/issues/{issue}/activity/")).await;
    entries
        .as_array()
        .expect("list")
        .iter()
        .map(|entry| {
            (entry["kind"]["kind"].as_str().expect("kind").to_owned(), entry["user"].as_str().map(str::to_owned))
        })
        .collect()
}

fn by_owner(kind: &str) -> (String, Option<String>) {
    (kind.to_owned(), Some(crate::helpers::OWNER_EMAIL.to_owned()))
}

fn by_system(kind: &str) -> (String, Option<String>) {
    (kind.to_owned(), None)
}

#[tokio::test]
async fn a_resolved_issue_regresses_when_it_happens_again() {
    let app = spawn_app().await;
    send(&app, 1, None, None).await;
    let issue = only_issue(&app).await;

    let (status, resolved) = triage(&app, issue, json!({"action": "resolve"})).await;
    assert_eq!((status, resolved["status"].as_str()), (StatusCode::OK, Some("resolved")));
    send(&app, 2, None, None).await;

    let after = summary(&app, issue).await;
    assert_eq!((after["status"].as_str(), after["substatus"].as_str()), (Some("unresolved"), Some("regressed")));
    assert_eq!(activity(&app, issue).await, [by_owner("resolved"), by_system("regressed")]);
}

/// The writer applies a decision in turn with events: one received before the resolve, still
/// waiting to be stored when the teammate clicks, does not reopen the issue; one after it does.
#[tokio::test]
async fn a_resolve_applies_after_the_events_received_before_it() {
    let app = spawn_app().await;
    send(&app, 1, None, None).await;
    let issue = only_issue(&app).await;

    let lock = hold_the_writer(&app).await;
    let earlier = tokio::spawn({
        let (client, url) =
            (app.client.clone(), app.url(&format!("/api/{FIXTURE_PROJECT}/envelope/?sentry_key=abc123publickey")));
        let event = json!({"exception": {"values": [{"type": "PaymentError", "value": "card declined"}]}});
        let body = envelope_with_event(&format!("{:032x}", 2), event);
        async move { client.post(url).body(body).send().await.expect("sent").status() }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let resolve = tokio::spawn({
        let (client, url) = (app.client.clone(), app.url(&format!("/api/0/issues/{issue}/")));
        async move { client.patch(url).json(&json!({"action": "resolve"})).send().await.expect("patch").status() }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    lock.rollback().await.expect("release the writer");
    assert_eq!(earlier.await.expect("event"), 200);
    assert_eq!(resolve.await.expect("resolve"), StatusCode::OK);

    let after = summary(&app, issue).await;
    assert_eq!((after["status"].as_str(), after["event_count"].as_i64()), (Some("resolved"), Some(2)));
    assert_eq!(activity(&app, issue).await, [by_owner("resolved")]);
    send(&app, 3, None, None).await;
    assert_eq!(activity(&app, issue).await, [by_owner("resolved"), by_system("regressed")]);
}

#[tokio::test]
async fn resolved_in_the_next_release_regresses_only_from_a_newer_release() {
    let app = spawn_app().await;
    send(&app, 1, None, None).await;
    let issue = only_issue(&app).await;
    let (status, refused) = triage(&app, issue, json!({"action": "resolve_in_next_release"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "no release to resolve in: {refused}");
    assert!(refused["error"]["message"].as_str().expect("message").contains("no release"));

    send(&app, 2, Some("shop@1.0"), None).await;
    let (status, _) = triage(&app, issue, json!({"action": "resolve_in_next_release"})).await;
    assert_eq!(status, StatusCode::OK);
    send(&app, 3, Some("shop@1.0"), None).await;
    assert_eq!(summary(&app, issue).await["status"], "resolved", "the release it was resolved in still fails");

    send(&app, 4, Some("shop@1.1"), None).await;
    let after = summary(&app, issue).await;
    assert_eq!((after["status"].as_str(), after["substatus"].as_str()), (Some("unresolved"), Some("regressed")));
    let entries = app.get_json(&format!("/api/0/issues/{issue}/activity/")).await;
    assert_eq!(entries[0]["kind"], json!({"kind": "resolved_in_release", "release": "shop@1.0"}));
    assert_eq!(entries[1]["kind"], json!({"kind": "regressed", "release": "shop@1.1"}));
}

#[tokio::test]
async fn an_issue_ignored_until_more_events_escalates_when_they_come() {
    let app = spawn_app().await;
    send(&app, 1, None, None).await;
    let issue = only_issue(&app).await;
    let (status, ignored) = triage(&app, issue, json!({"action": "ignore", "until": {"more_events": 2}})).await;
    assert_eq!((status, ignored["status"].as_str()), (StatusCode::OK, Some("ignored")));
    assert_eq!(ignored["snooze"], json!({"until": null, "until_events": 3, "until_users": null}), "back at 3 events");

    send(&app, 2, None, None).await;
    assert_eq!(summary(&app, issue).await["status"], "ignored", "one more event is not two");
    send(&app, 3, None, None).await;
    let after = summary(&app, issue).await;
    assert_eq!((after["status"].as_str(), after["substatus"].as_str()), (Some("unresolved"), Some("escalating")));
    assert_eq!(after.get("snooze"), None, "an issue that came back waits for nothing");
    assert_eq!(activity(&app, issue).await, [by_owner("ignored"), by_system("escalated")]);
}

#[tokio::test]
async fn an_issue_ignored_until_more_users_counts_distinct_users_only() {
    let app = spawn_app().await;
    send(&app, 1, None, Some("alice")).await;
    let issue = only_issue(&app).await;
    triage(&app, issue, json!({"action": "ignore", "until": {"more_users": 2}})).await;

    send(&app, 2, None, Some("alice")).await;
    send(&app, 3, None, Some("bob")).await;
    send(&app, 4, None, Some("bob")).await;
    let waiting = summary(&app, issue).await;
    assert_eq!((waiting["status"].as_str(), waiting["user_count"].as_i64()), (Some("ignored"), Some(2)));
    send(&app, 5, None, Some("carol")).await;
    assert_eq!(summary(&app, issue).await["substatus"], "escalating");
}

#[tokio::test]
async fn an_issue_ignored_for_a_while_comes_back_when_the_time_is_up_and_forever_stays() {
    let app = spawn_app().await;
    send(&app, 1, None, None).await;
    let issue = only_issue(&app).await;
    triage(&app, issue, json!({"action": "ignore", "until": {"minutes": 30}})).await;

    assert_eq!(app.writer.wake_ignored(Utc::now() + Duration::minutes(29)).await, Ok(0));
    assert_eq!(summary(&app, issue).await["status"], "ignored");
    assert_eq!(app.writer.wake_ignored(Utc::now() + Duration::minutes(31)).await, Ok(1));
    assert_eq!(summary(&app, issue).await["status"], "unresolved");
    assert_eq!(activity(&app, issue).await, [by_owner("ignored"), by_system("ignore_expired")]);

    triage(&app, issue, json!({"action": "ignore", "until": "forever"})).await;
    send(&app, 2, Some("shop@2.0"), Some("dave")).await;
    assert_eq!(app.writer.wake_ignored(Utc::now() + Duration::days(3650)).await, Ok(0));
    assert_eq!(summary(&app, issue).await["status"], "ignored");
}

#[tokio::test]
async fn nonsense_triage_is_refused_with_a_reason() {
    let app = spawn_app().await;
    send(&app, 1, None, None).await;
    let issue = only_issue(&app).await;
    for body in [
        json!({"action": "ignore", "until": {"minutes": 0}}),
        json!({"action": "explode"}),
        json!({"status": "resolved"}),
        json!({"action": "assign", "user_id": 999_999}),
    ] {
        let (status, answer) = triage(&app, issue, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(answer["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{answer}");
    }
    assert_eq!(summary(&app, issue).await["status"], "unresolved");
    assert!(activity(&app, issue).await.is_empty(), "refusals leave no trace");
}

#[tokio::test]
async fn unresolving_and_repeating_a_decision() {
    let app = spawn_app().await;
    send(&app, 1, None, None).await;
    let issue = only_issue(&app).await;
    triage(&app, issue, json!({"action": "resolve"})).await;
    triage(&app, issue, json!({"action": "resolve"})).await;
    let (_, reopened) = triage(&app, issue, json!({"action": "unresolve"})).await;
    assert_eq!(reopened["status"], "unresolved");
    assert_eq!(activity(&app, issue).await, [by_owner("resolved"), by_owner("unresolved")], "a repeat is no news");
}

#[tokio::test]
async fn issues_are_assigned_to_members_who_may_triage() {
    let app = spawn_app().await;
    send(&app, 1, None, None).await;
    let issue = only_issue(&app).await;
    let member = create_user(&app.db, "member@faultline.test", false).await;
    let viewer = create_user(&app.db, "viewer@faultline.test", false).await;
    members::set(&app.db, FIXTURE_PROJECT, member.id, Role::Member).await.expect("member");
    members::set(&app.db, FIXTURE_PROJECT, viewer.id, Role::Viewer).await.expect("viewer");

    let assignees = app.get_json(&format!("/api/0/projects/{FIXTURE_PROJECT}/assignees/")).await;
    let emails: Vec<&str> = assignees.as_array().expect("list").iter().filter_map(|a| a["email"].as_str()).collect();
    assert_eq!(emails, ["member@faultline.test", "owner@faultline.test"], "viewers cannot be assigned");

    let (status, _) = triage(&app, issue, json!({"action": "assign", "user_id": viewer.id})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, assigned) = triage(&app, issue, json!({"action": "assign", "user_id": member.id})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(assigned["assignee"], json!({"id": member.id, "email": "member@faultline.test"}));
    let listed = app.get_json("/api/0/issues/").await;
    assert_eq!(listed[0]["assignee"]["email"], "member@faultline.test", "the list shows the assignee");

    let (_, unassigned) = triage(&app, issue, json!({"action": "assign", "user_id": null})).await;
    assert_eq!(unassigned["assignee"], Value::Null);
    let entries = app.get_json(&format!("/api/0/issues/{issue}/activity/")).await;
    assert_eq!(entries[0]["kind"], json!({"kind": "assigned", "to": "member@faultline.test"}));
    assert_eq!(entries[1]["kind"], json!({"kind": "unassigned"}));
}

#[tokio::test]
async fn comments_are_plain_text_in_the_activity_log() {
    let app = spawn_app().await;
    send(&app, 1, None, None).await;
    let issue = only_issue(&app).await;
    let url = app.url(&format!("/api/0/issues/{issue}/comments/"));
    let text = "<script>alert(1)</script> fixed by #42";
    let posted = app.client.post(&url).json(&json!({"text": format!("  {text}\n")})).send().await.expect("post");
    assert_eq!(posted.status(), StatusCode::CREATED);
    let empty = app.client.post(&url).json(&json!({"text": "   "})).send().await.expect("post");
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let long = app.client.post(&url).json(&json!({"text": "x".repeat(10_001)})).send().await.expect("post");
    assert_eq!(long.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let entries = app.get_json(&format!("/api/0/issues/{issue}/activity/")).await;
    assert_eq!(entries.as_array().map(Vec::len), Some(1));
    assert_eq!(entries[0]["kind"], json!({"kind": "commented", "text": text}), "stored as sent, trimmed");
    assert_eq!(entries[0]["user"], crate::helpers::OWNER_EMAIL);
}

#[tokio::test]
async fn bulk_triage_changes_the_listed_issues_or_all_with_a_status() {
    let app = spawn_app().await;
    for n in 0..4u32 {
        let event = json!({"exception": {"values": [{"type": format!("Error{n}"), "value": "x"}]}});
        assert_eq!(app.post_envelope(envelope_with_event(&format!("{n:032x}"), event)).await.status(), 200);
    }
    let ids: Vec<i64> = app.issues().await.iter().map(|issue| issue.id).collect();
    let bulk = format!("/api/0/projects/{FIXTURE_PROJECT}/issues/");

    let answer = app.client.put(app.url(&bulk)).json(&json!({"ids": [ids[0], ids[1]], "action": "resolve"})).send();
    assert_eq!(answer.await.expect("put").json::<Value>().await.expect("json"), json!({"updated": 2}));
    let resolved = app.get_json(&format!("/api/0/projects/{FIXTURE_PROJECT}/issues/?status=resolved")).await;
    assert_eq!(resolved.as_array().map(Vec::len), Some(2), "the status filter lists them");

    let all = json!({"all_with_status": "unresolved", "action": "ignore", "until": {"more_events": 100}});
    let answer = app.client.put(app.url("/api/0/issues/")).json(&all).send().await.expect("put");
    assert_eq!(answer.json::<Value>().await.expect("json"), json!({"updated": 2}));
    let unresolved = app.get_json("/api/0/issues/?status=unresolved").await;
    assert_eq!(unresolved, json!([]), "every unresolved issue was ignored");
    assert_eq!(activity(&app, ids[3]).await, [by_owner("ignored")]);

    let nothing_named = app.client.put(app.url(&bulk)).json(&json!({"action": "resolve"})).send().await.expect("put");
    assert_eq!(nothing_named.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let viewer = create_user(&app.db, "viewer@faultline.test", false).await;
    members::set(&app.db, FIXTURE_PROJECT, viewer.id, Role::Viewer).await.expect("viewer");
    let token = crate::helpers::api_token(&app.db, viewer.id, app::model::Scope::Admin).await;
    let as_viewer = crate::helpers::client_with_token(&token);
    let refused = as_viewer.put(app.url("/api/0/issues/")).json(&all).send().await.expect("put");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "a viewer triages nothing");
}

#[tokio::test]
async fn the_issue_page_data_counts_tags_users_releases_and_hours() {
    let app = spawn_app().await;
    send(&app, 1, Some("shop@1.0"), Some("alice")).await;
    send(&app, 2, Some("shop@1.1"), Some("bob")).await;
    send(&app, 3, Some("shop@1.1"), Some("bob")).await;
    let issue = only_issue(&app).await;
    let detail = app.get_json(&format!("/api/0/issues/{issue}/")).await;

    assert_eq!((detail["issue"]["event_count"].as_i64(), detail["issue"]["user_count"].as_i64()), (Some(3), Some(2)));
    assert_eq!(
        (detail["first_release"].as_str(), detail["last_release"].as_str()),
        (Some("shop@1.0"), Some("shop@1.1"))
    );
    assert_eq!(detail["environments"], json!(["production"]));
    let release = detail["tags"].as_array().expect("tags").iter().find(|tag| tag["key"] == "release").expect("release");
    assert_eq!(release["total"], 3);
    assert_eq!(release["top"], json!([{"value": "shop@1.1", "count": 2}, {"value": "shop@1.0", "count": 1}]));
    let hours: i64 = detail["histogram"].as_array().expect("hours").iter().filter_map(|h| h["count"].as_i64()).sum();
    assert_eq!(hours, 3, "every event is in the histogram");
}

#[tokio::test]
async fn an_issues_events_are_paged_and_each_knows_its_neighbors() {
    let app = spawn_app().await;
    for n in 1..=54u32 {
        send(&app, n, None, None).await;
    }
    send(&app, 55, Some("shop@2.0"), Some("ada")).await;
    let issue = only_issue(&app).await;
    let first = app.get_json(&format!("/api/0/issues/{issue}/events/")).await;
    let second = app.get_json(&format!("/api/0/issues/{issue}/events/?page=2")).await;
    assert_eq!((first.as_array().map(Vec::len), second.as_array().map(Vec::len)), (Some(50), Some(5)));
    assert_eq!(first[0]["event_id"], format!("{:032x}", 55), "newest first");
    assert_eq!(
        (&first[0]["environment"], &first[0]["release"], &first[0]["user"]),
        (&json!("production"), &json!("shop@2.0"), &json!("id:ada")),
        "each event with its environment, release and user"
    );
    assert_eq!(first[1].get("release"), None, "and none where it has none");

    let middle = format!("{:032x}", 30);
    let detail = app.get_json(&format!("/api/0/issues/{issue}/events/{middle}/")).await;
    let neighbors = &detail["neighbors"];
    assert_eq!(neighbors["older"], format!("{:032x}", 29));
    assert_eq!(neighbors["newer"], format!("{:032x}", 31));
    assert_eq!(neighbors["oldest"], format!("{:032x}", 1));
    assert_eq!(neighbors["newest"], format!("{:032x}", 55));
    let newest = app.get_json(&format!("/api/0/issues/{issue}/events/latest/")).await;
    assert_eq!(
        (newest["neighbors"]["newer"].clone(), newest["neighbors"]["newest"].clone()),
        (Value::Null, Value::Null)
    );

    let raw = app.client.get(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/events/{middle}/json/"))).send();
    let raw = raw.await.expect("raw");
    assert!(raw.headers()["content-disposition"].to_str().expect("header").contains(&format!("{middle}.json")));
    assert_eq!(raw.json::<Value>().await.expect("json")["event_id"], middle);
}
