//! Times an SDK cannot have meant: far past or far future `sent_at`, event and breadcrumb
//! timestamps never panic; the event is stored at a time that makes sense.

use crate::helpers::spawn_app;
use serde_json::json;

#[tokio::test]
async fn absurd_times_are_clamped_and_the_event_is_stored() {
    let app = spawn_app().await;
    let now = chrono::Utc::now().timestamp();
    let cases = [
        (json!(-8_000_000_000_000i64), json!(now)),
        (json!(8_000_000_000_000i64), json!(now)),
        (json!(now), json!(8_000_000_000_000i64)),
        (json!(now), json!(-8_000_000_000_000i64)),
        (json!(-8_000_000_000_000i64), json!(8_000_000_000_000i64)),
        (json!("+262143-12-31T23:59:59Z"), json!(1e300)),
    ];
    for (n, (sent_at, timestamp)) in cases.into_iter().enumerate() {
        let event_id = format!("{:032x}", n + 1);
        let header = json!({"event_id": event_id, "sent_at": sent_at});
        let event = json!({
            "message": "time travel",
            "timestamp": timestamp,
            "breadcrumbs": [{"timestamp": timestamp, "message": "just before"}, {"timestamp": -8e12, "message": "long ago"}],
        });
        let body = format!("{header}\n{{\"type\":\"event\"}}\n{event}\n");
        let response = app.post_envelope(body).await;
        assert_eq!(
            response.status(),
            200,
            "sent_at {sent_at}, timestamp {timestamp}: {}",
            response.text().await.unwrap_or_default()
        );
        let (row, stored) = app.stored_event(&event_id).await.expect("stored");
        let age = chrono::Utc::now() - row.timestamp;
        assert!(age >= chrono::Duration::zero() && age < chrono::Duration::days(31), "stored at {}", row.timestamp);
        assert_eq!(stored.breadcrumbs.len(), 2);
    }
    let page = app.client.get(app.url("/api/0/projects/42/issues/")).send().await.expect("list");
    assert_eq!(page.status(), 200);
}
