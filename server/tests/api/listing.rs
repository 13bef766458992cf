//! Paging through the issue list with the `Link` cursor, narrowing it to a project or to some
//! issues, and the project chart summed from the writer's counters.

use crate::helpers::{FIXTURE_PROJECT, TestApp, envelope_with_event, spawn_app};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Sends one event per issue kind, `kinds` of them, all with the same timestamp when given.
async fn send_kinds(app: &TestApp, kinds: std::ops::Range<u32>, level: &str, timestamp: Option<&str>) {
    for n in kinds {
        let mut event =
            json!({"level": level, "exception": {"values": [{"type": format!("Kind{n}Error"), "value": "x"}]}});
        if let Some(timestamp) = timestamp {
            event["timestamp"] = json!(timestamp);
        }
        let response = app.post_envelope(envelope_with_event(&uuid::Uuid::new_v4().simple().to_string(), event)).await;
        assert_eq!(response.status(), 200);
    }
}

/// The ids of one page and the URL of the next, from the `Link` header.
async fn page(app: &TestApp, path_and_query: &str) -> (Vec<i64>, Option<String>) {
    let response = app.client.get(app.url(path_and_query)).send().await.expect("list");
    assert_eq!(response.status(), 200, "{path_and_query}");
    let next = response.headers().get("link").map(|link| {
        let link = link.to_str().expect("ascii");
        assert!(link.contains("rel=\"next\"") && link.contains("results=\"true\""), "{link}");
        link[link.find('<').expect("<") + 1..link.find('>').expect(">")].to_owned()
    });
    let issues: Vec<Value> = response.json().await.expect("json");
    (issues.iter().map(|issue| issue["id"].as_i64().expect("id")).collect(), next)
}

#[tokio::test]
async fn the_link_cursor_pages_through_every_issue_once_even_while_events_arrive() {
    let app = spawn_app().await;
    // The same last-seen time for all: the order falls back to the id, and so must the cursor.
    send_kinds(&app, 0..230, "error", Some("2026-11-20T10:00:00Z")).await;

    let (first, next) = page(&app, "/api/0/issues/?query=is:unresolved&sort=last_seen").await;
    assert_eq!(first.len(), 100, "a page holds 100 issues");
    let next = next.expect("a full page names the next one");
    assert!(next.contains("query=is%3Aunresolved") && next.contains("sort=last_seen"), "{next}");

    // An issue on the first page gets a new event: it moves to the top, which must not shift
    // the pages after the cursor.
    send_kinds(&app, 200..201, "error", None).await;

    let (second, next) = page(&app, &next).await;
    let (third, last) = page(&app, &next.expect("a third page")).await;
    assert_eq!((second.len(), third.len()), (100, 30));
    assert_eq!(last, None, "the last page names no next one");
    let all: Vec<i64> = [first, second, third].concat();
    assert_eq!(all.iter().collect::<BTreeSet<_>>().len(), 230, "no issue twice, none left out");
    let mut by_id = all.clone();
    by_id.sort_by(|a, b| b.cmp(a));
    assert_eq!(all, by_id, "equal times are ordered by id, newest first");
}

/// The `cursor` a next-page URL carries.
fn cursor_of(next: &str) -> String {
    let query = next.split_once('?').expect("a query").1;
    form_urlencoded::parse(query.as_bytes()).find(|(key, _)| key == "cursor").expect("a cursor").1.into_owned()
}

#[tokio::test]
async fn until_answers_every_page_through_a_cursor_at_once() {
    let app = spawn_app().await;
    send_kinds(&app, 0..230, "error", Some("2026-11-20T10:00:00Z")).await;
    let (first, next) = page(&app, "/api/0/issues/?sort=last_seen").await;
    let second_cursor = cursor_of(next.as_deref().expect("a second page"));
    let (second, next) = page(&app, next.as_deref().expect("a second page")).await;
    let third_cursor = cursor_of(next.as_deref().expect("a third page"));

    // What the dashboard asks for when its URL says it had shown the pages before the third.
    let (through_second, more) = page(&app, &format!("/api/0/issues/?sort=last_seen&until={third_cursor}")).await;
    assert_eq!(through_second, [first.clone(), second].concat(), "the first two pages, in order");
    assert_eq!(more, None, "fewer than the limit of 1,000: no next page named");
    let (through_first, _) = page(&app, &format!("/api/0/issues/?until={second_cursor}")).await;
    assert_eq!(through_first, first);

    let response = app.client.get(app.url("/api/0/issues/?until=1:x")).send().await.expect("list");
    assert_eq!(response.status(), 422, "a bad cursor is refused, not ignored");
}

#[tokio::test]
async fn every_sort_pages_without_repeating_an_issue() {
    let app = spawn_app().await;
    send_kinds(&app, 0..120, "error", None).await;
    send_kinds(&app, 0..40, "error", None).await;
    for sort in ["last_seen", "first_seen", "events", "users"] {
        let (first, next) = page(&app, &format!("/api/0/issues/?sort={sort}")).await;
        let (second, _) = page(&app, &next.expect("second page")).await;
        let seen: BTreeSet<i64> = first.iter().chain(&second).copied().collect();
        assert_eq!(seen.len(), 120, "{sort}");
    }
    let response = app.client.get(app.url("/api/0/issues/?cursor=yesterday")).send().await.expect("list");
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.expect("json");
    assert!(body["error"]["message"].as_str().unwrap_or_default().contains("not a cursor"), "{body}");
}

#[tokio::test]
async fn the_list_narrows_to_one_project_and_to_named_issues_that_still_match() {
    let app = spawn_app().await;
    send_kinds(&app, 0..3, "error", None).await;
    let (all, _) = page(&app, "/api/0/issues/").await;
    let (mine, _) = page(&app, &format!("/api/0/issues/?project={FIXTURE_PROJECT}")).await;
    assert_eq!(mine, all);
    let (other, _) = page(&app, "/api/0/issues/?project=999").await;
    assert!(other.is_empty(), "a project you cannot see lists nothing");

    let resolved = all[0];
    let resolve = app.client.patch(app.url(&format!("/api/0/issues/{resolved}/"))).json(&json!({"action": "resolve"}));
    assert_eq!(resolve.send().await.expect("resolve").status(), 200);
    let ids = format!("{},{}", all[0], all[1]);
    let (still, _) = page(&app, &format!("/api/0/issues/?query=is:unresolved&ids={ids}")).await;
    assert_eq!(still, [all[1]], "the resolved one no longer matches");
    let response = app.client.get(app.url("/api/0/issues/?ids=1,two")).send().await.expect("list");
    assert_eq!(response.status(), 422);
}

/// The total the dashboard shows above the list.
async fn count(app: &TestApp, query: &str) -> Value {
    let response = app.client.get(app.url(&format!("/api/0/issues/count/{query}"))).send().await.expect("count");
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    if status == 200 {
        body["count"].clone()
    } else {
        json!({"status": status.as_u16(), "error": body["error"]["code"]})
    }
}

#[tokio::test]
async fn the_total_counts_every_page_of_the_search_in_the_projects_you_see() {
    let app = spawn_app().await;
    send_kinds(&app, 0..130, "error", None).await;
    send_kinds(&app, 200..205, "warning", None).await;
    assert_eq!(count(&app, "").await, json!(135), "more than one page");
    assert_eq!(count(&app, "?query=level:warning").await, json!(5));
    assert_eq!(count(&app, &format!("?project={FIXTURE_PROJECT}&query=is:unresolved")).await, json!(135));
    assert_eq!(count(&app, "?query=is:resolved").await, json!(0));
    assert_eq!(count(&app, "?project=999").await, json!(0), "a project you cannot see counts nothing");
    assert_eq!(count(&app, "?query=level:").await, json!({"status": 400, "error": "invalid_query"}));

    let (first, _) = page(&app, "/api/0/issues/?query=level:warning").await;
    let resolve =
        app.client.patch(app.url(&format!("/api/0/issues/{}/", first[0]))).json(&json!({"action": "resolve"}));
    assert_eq!(resolve.send().await.expect("resolve").status(), 200);
    assert_eq!(count(&app, "?query=is:unresolved level:warning").await, json!(4));
    assert_eq!(count(&app, "?query=is:resolved").await, json!(1));

    let anonymous = app.anonymous.get(app.url("/api/0/issues/count/")).send().await.expect("count");
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn the_project_chart_counts_every_event_by_level_with_new_issues_and_top_issues() {
    let app = spawn_app().await;
    send_kinds(&app, 0..3, "error", None).await;
    send_kinds(&app, 0..3, "error", None).await;
    send_kinds(&app, 0..1, "error", None).await;
    send_kinds(&app, 10..12, "warning", None).await;
    send_kinds(&app, 20..21, "fatal", None).await;

    for range in ["1h", "24h", "7d", "30d"] {
        let chart = app.get_json(&format!("/api/0/projects/{FIXTURE_PROJECT}/chart/?range={range}")).await;
        let bars = chart["events"].as_array().expect("bars");
        let level_total = |level: &str| bars.iter().map(|bar| bar["levels"][level].as_i64().unwrap_or(0)).sum::<i64>();
        assert_eq!(
            (level_total("error"), level_total("warning"), level_total("fatal"), level_total("info")),
            (7, 2, 1, 0),
            "{range}"
        );
        assert_eq!(bars.last().map(|bar| bar["levels"]["error"].as_i64()), Some(Some(7)), "now is the last bar");
        let new_issues: i64 =
            chart["new_issues"].as_array().expect("days").iter().filter_map(|d| d["count"].as_i64()).sum();
        assert_eq!(new_issues, 6, "{range}");
        let top: Vec<&str> =
            chart["top_issues"].as_array().expect("top").iter().filter_map(|i| i["title"].as_str()).collect();
        assert_eq!(top[0].split(':').next(), Some("Kind0Error"), "most events first: {top:?}");
        assert_eq!(chart["top_issues"][0]["last_24h"].as_array().map(Vec::len), Some(24));
    }
    assert_eq!(
        app.get_json(&format!("/api/0/projects/{FIXTURE_PROJECT}/chart/")).await["events"].as_array().map(Vec::len),
        Some(24),
        "24 hours by default"
    );
    let response = app
        .client
        .get(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/chart/?range=2y")))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 422);
    let response = app.client.get(app.url("/api/0/projects/999/chart/")).send().await.expect("get");
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn each_listed_issue_carries_its_events_of_the_last_24_hours() {
    let app = spawn_app().await;
    send_kinds(&app, 0..1, "error", None).await;
    send_kinds(&app, 0..1, "error", None).await;
    let issues = app.get_json("/api/0/issues/").await;
    let hours: Vec<i64> = issues[0]["last_24h"].as_array().expect("hours").iter().filter_map(Value::as_i64).collect();
    assert_eq!(hours.len(), 24);
    assert_eq!(hours.last(), Some(&2), "both events are in the current hour");
    assert_eq!(hours.iter().sum::<i64>(), 2);
}
