//! Back-pressure: when the writer cannot keep up, ingestion answers 503 with Retry-After instead
//! of queueing without bound, and an acknowledged event is already stored.

use crate::helpers::{Options, envelope_with_event, hold_the_writer, spawn_app, spawn_app_with};
use serde_json::json;
use std::time::Duration;

fn envelope(n: u32) -> String {
    envelope_with_event(&format!("{n:032x}"), json!({"message": format!("queued event {n}")}))
}

#[tokio::test]
async fn a_full_queue_answers_503_with_retry_after_and_the_queued_events_are_stored_later() {
    let app = spawn_app_with(Options { ingest_queue: Some(1), write_batch: Some(1), ..Options::default() }).await;
    let lock = hold_the_writer(&app).await;

    let first = tokio::spawn({
        let (client, url) = (app.client.clone(), app.url("/api/42/envelope/?sentry_key=abc123publickey"));
        async move { client.post(url).body(envelope(1)).send().await.expect("sent").status() }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = tokio::spawn({
        let (client, url) = (app.client.clone(), app.url("/api/42/envelope/?sentry_key=abc123publickey"));
        async move { client.post(url).body(envelope(2)).send().await.expect("sent").status() }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;

    let refused = app.post_envelope(envelope(3)).await;
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("5"));
    let body: serde_json::Value = refused.json().await.expect("JSON error");
    assert_eq!(body["error"]["code"], "queue_full");

    lock.rollback().await.expect("release the lock");
    assert_eq!(first.await.expect("first request"), 200);
    assert_eq!(second.await.expect("second request"), 200);
    assert_eq!(app.event_count().await, 2, "both queued events are stored, the refused one is not");
    let outcomes: Vec<app::model::ProjectOutcomes> =
        app.client.get(app.url("/api/0/outcomes/")).send().await.expect("outcomes").json().await.expect("json");
    assert_eq!(outcomes[0].rejected.get("queue_full"), Some(&1));
    assert_eq!(outcomes[0].accepted, 2);
}

#[tokio::test]
async fn many_concurrent_events_are_all_acknowledged_and_all_stored() {
    let app = spawn_app().await;
    let requests = (0..200).map(|n| {
        let (client, url) = (app.client.clone(), app.url("/api/42/envelope/?sentry_key=abc123publickey"));
        tokio::spawn(async move { client.post(url).body(envelope(n)).send().await.expect("sent").status() })
    });
    for request in requests.collect::<Vec<_>>() {
        assert_eq!(request.await.expect("request"), 200);
    }
    assert_eq!(app.event_count().await, 200);
    let issues = app.issues().await;
    assert_eq!(issues.len(), 1, "the same message with other numbers is one issue");
    assert_eq!(issues[0].event_count, 200);
}

#[tokio::test]
async fn the_queue_is_bounded_by_bytes_too() {
    // Room for a few small events, or one large one.
    let options = Options { ingest_queue_bytes: Some(64 * 1024), write_batch: Some(1), ..Options::default() };
    let app = spawn_app_with(options).await;
    let lock = hold_the_writer(&app).await;
    // A small event with a 24 KiB attachment: quick to process, large to hold.
    let large = |n: u32| {
        let event_id = format!("{n:032x}");
        let event = json!({"event_id": event_id, "message": format!("large event {n}")}).to_string();
        let file = "x".repeat(24 * 1024);
        format!(
            "{{\"event_id\":\"{event_id}\"}}\n{{\"type\":\"event\"}}\n{event}\n\
             {{\"type\":\"attachment\",\"length\":{},\"filename\":\"dump.txt\"}}\n{file}\n",
            file.len()
        )
    };
    let send = |body: String| {
        let (client, url) = (app.client.clone(), app.url("/api/42/envelope/?sentry_key=abc123publickey"));
        tokio::spawn(async move { client.post(url).body(body).send().await.expect("sent").status() })
    };
    let first = send(large(1));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let second = send(large(2));
    tokio::time::sleep(Duration::from_millis(500)).await;

    let refused = tokio::time::timeout(Duration::from_secs(5), app.post_envelope(large(3)))
        .await
        .expect("refused at once, not queued behind the held writer");
    assert_eq!(refused.status(), 503, "two large events fill 64 KiB; a third waits nowhere");
    let body: serde_json::Value = refused.json().await.expect("JSON error");
    assert_eq!(body["error"]["code"], "queue_full");

    lock.rollback().await.expect("release the lock");
    assert_eq!(first.await.expect("first request"), 200);
    assert_eq!(second.await.expect("second request"), 200);
    assert_eq!(app.post_envelope(large(4)).await.status(), 200, "room again once they are stored");
    assert_eq!(app.event_count().await, 3);
}
