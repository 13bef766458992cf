//! Every request ends in exactly one counted outcome: received = accepted + Σ rejected, per
//! project and reason, in /metrics and in the API.

use crate::helpers::{FIXTURE_KEY, FIXTURE_PROJECT, envelope_with_event, key, spawn_app};
use crate::recordings;
use app::model::ProjectOutcomes;
use serde_json::json;
use server::store::projects;
use std::collections::BTreeMap;

#[tokio::test]
async fn each_request_is_counted_once_as_accepted_or_rejected_with_its_reason() {
    let app = spawn_app().await;
    projects::set_rate_limit(&app.db, &key(FIXTURE_KEY), Some(3)).await.expect("limit");
    let ok = |n: u32| envelope_with_event(&format!("{n:032x}"), json!({"message": format!("counted {n}")}));
    let url = format!("/api/{FIXTURE_PROJECT}/envelope/?sentry_key={FIXTURE_KEY}");

    assert_eq!(app.ingest(&url, None, ok(1)).await.status(), 200);
    assert_eq!(
        recordings::load("python/session/py-session-02").replay(&app).await.status(),
        200,
        "sessions are accepted"
    );
    assert_eq!(app.ingest(&url, None, "garbage").await.status(), 400);
    assert_eq!(app.ingest(&url, Some("gzip"), "not gzip").await.status(), 400);
    assert_eq!(
        app.ingest(&format!("/api/{FIXTURE_PROJECT}/envelope/?sentry_key=wrongkey"), None, ok(2)).await.status(),
        403
    );
    assert_eq!(app.ingest(&format!("/api/{FIXTURE_PROJECT}/envelope/"), None, ok(3)).await.status(), 401);
    let extension = json!({"exception": {"values": [{"type": "E", "value": "top.GLOBALS is undefined"}]}});
    assert_eq!(app.ingest(&url, None, envelope_with_event(&format!("{:032x}", 4), extension)).await.status(), 200);
    assert_eq!(app.ingest(&url, None, ok(5)).await.status(), 200);
    assert_eq!(app.ingest(&url, None, ok(6)).await.status(), 429, "the fourth event in the minute");
    assert_eq!(app.ingest("/api/nope/envelope/", None, ok(7)).await.status(), 404);

    let outcomes: Vec<ProjectOutcomes> =
        app.client.get(app.url("/api/0/outcomes/")).send().await.expect("outcomes").json().await.expect("json");
    let fixture = outcomes.iter().find(|o| o.project_id == FIXTURE_PROJECT).expect("project 42 counted");
    let rejected: BTreeMap<&str, u64> = fixture.rejected.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(fixture.received, 9);
    assert_eq!(fixture.accepted, 3, "two events and the session");
    assert_eq!(rejected, BTreeMap::from([("filtered", 1), ("invalid", 2), ("rate_limited", 1), ("unauthorized", 2)]));
    for project in &outcomes {
        assert_eq!(project.received, project.accepted + project.rejected.values().sum::<u64>(), "{project:?}");
    }
    let unknown = outcomes.iter().find(|o| o.project_id == 0).expect("the bad project id is counted too");
    assert_eq!((unknown.received, unknown.rejected.get("invalid").copied()), (1, Some(1)));

    let metrics = app.client.get(app.url("/metrics")).send().await.expect("metrics").text().await.expect("text");
    assert!(metrics.contains("faultline_ingest_requests_total{project=\"42\"} 9\n"), "{metrics}");
    assert!(metrics.contains("faultline_ingest_outcomes_total{project=\"42\",outcome=\"accepted\",reason=\"\"} 3\n"));
    assert!(
        metrics.contains(
            "faultline_ingest_outcomes_total{project=\"42\",outcome=\"rejected\",reason=\"rate_limited\"} 1\n"
        )
    );
}

#[tokio::test]
async fn requests_for_ids_that_name_no_project_share_one_unknown_counter() {
    let app = spawn_app().await;
    let event = envelope_with_event(&format!("{:032x}", 1), json!({"message": "to nowhere"}));
    for n in 0..200u64 {
        let id = 1_000_000 + n * 7919;
        assert_eq!(app.ingest(&format!("/api/{id}/envelope/"), None, event.clone()).await.status(), 401);
    }
    let metrics = app.client.get(app.url("/metrics")).send().await.expect("metrics").text().await.expect("text");
    let counters = metrics.lines().filter(|line| line.starts_with("faultline_ingest_requests_total{")).count();
    assert!(metrics.contains("faultline_ingest_requests_total{project=\"unknown\"} 200\n"), "{metrics}");
    assert!(counters <= 1, "no counter per made-up id: {counters}");
    assert!(
        metrics.contains(
            "faultline_ingest_outcomes_total{project=\"unknown\",outcome=\"rejected\",reason=\"unauthorized\"} 200\n"
        ),
        "{metrics}"
    );
}
