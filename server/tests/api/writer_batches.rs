//! The writer records a batch of events with a few statements for all of them: what it records
//! must be exactly what recording them one at a time records — counts, affected users, tags,
//! hours, chart buckets, SDK retries counted once, and a regression reopening its issue once.

use crate::helpers::{Options, TestApp, envelope_with_event, hold_the_writer, spawn_app_with};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::json;
use server::store::entities::{activity, issue, issue_hour, issue_tag, project_bucket};
use std::collections::BTreeMap;
use std::time::Duration;

/// 40 events of two issues from 7 users (and some from none), each tagged, 4 sent twice.
fn events() -> Vec<String> {
    let mut sent = Vec::new();
    for n in 0..40u32 {
        let kind = if n % 4 == 0 { "Timeout" } else { "KeyError" };
        let mut event = json!({
            "exception": {"values": [{"type": kind, "value": "in the batch"}]},
            "environment": if n % 3 == 0 { "staging" } else { "production" },
            "tags": {"shard": format!("s{}", n % 5)},
        });
        if n % 6 != 5 {
            event["user"] = json!({"id": format!("user-{}", n % 7)});
        }
        let envelope = envelope_with_event(&format!("{:032x}", 0xb000 + n), event);
        if n % 10 == 3 {
            sent.push(envelope.clone());
        }
        sent.push(envelope);
    }
    sent
}

/// Everything the events are counted in, by issue title.
#[derive(Debug, PartialEq)]
struct Recorded {
    /// Events, users, status, substatus.
    issues: BTreeMap<String, (i64, i64, String, Option<String>)>,
    tags: BTreeMap<(String, String, String), i64>,
    hours: BTreeMap<String, i64>,
    activity: BTreeMap<String, Vec<String>>,
    /// Events and issues opened, in the project's hourly chart buckets.
    buckets: (i64, i64),
}

async fn recorded(app: &TestApp) -> Recorded {
    let issues = issue::Entity::find().all(&app.db).await.expect("issues");
    let title =
        |id: i64| issues.iter().find(|issue| issue.id == id).map(|issue| issue.title.clone()).unwrap_or_default();
    let mut tags = BTreeMap::new();
    for row in issue_tag::Entity::find().all(&app.db).await.expect("tags") {
        tags.insert((title(row.issue_id), row.key, row.value), row.count);
    }
    let mut hours = BTreeMap::new();
    for row in issue_hour::Entity::find().all(&app.db).await.expect("hours") {
        *hours.entry(title(row.issue_id)).or_default() += row.count;
    }
    let mut entries: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in activity::Entity::find().all(&app.db).await.expect("activity") {
        entries.entry(title(row.issue_id)).or_default().push(row.kind);
    }
    let buckets = project_bucket::Entity::find()
        .all(&app.db)
        .await
        .expect("buckets")
        .iter()
        .filter(|row| row.minutes == 60)
        .fold((0, 0), |(events, opened), row| (events + row.events, opened + row.new_issues));
    Recorded {
        issues: issues
            .iter()
            .map(|issue| {
                let counted = (issue.event_count, issue.user_count, issue.status.clone(), issue.substatus.clone());
                (issue.title.clone(), counted)
            })
            .collect(),
        tags,
        hours,
        activity: entries,
        buckets,
    }
}

/// Sends a first KeyError and resolves its issue, then all of [`events`] at once; with
/// `one_batch`, the writer is held meanwhile so that they queue and are stored together.
async fn record(write_batch: usize, one_batch: bool) -> Recorded {
    let app = spawn_app_with(Options { write_batch: Some(write_batch), ..Options::default() }).await;
    let first = json!({"exception": {"values": [{"type": "KeyError", "value": "in the batch"}]}});
    let response = app.post_envelope(envelope_with_event(&format!("{:032x}", 0xa000), first)).await;
    assert_eq!(response.status(), 200);
    let resolved = app.db.execute_unprepared("UPDATE issue SET status = 'resolved'").await.expect("resolve");
    assert_eq!(resolved.rows_affected(), 1);

    let lock = if one_batch { Some(hold_the_writer(&app).await) } else { None };
    let requests: Vec<_> = events()
        .into_iter()
        .map(|body| {
            let (client, url) = (app.client.clone(), app.url("/api/42/envelope/?sentry_key=abc123publickey"));
            tokio::spawn(async move { client.post(url).body(body).send().await.expect("sent").status() })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(if one_batch { 500 } else { 0 })).await;
    if let Some(lock) = lock {
        lock.rollback().await.expect("let the writer go");
    }
    for request in requests {
        assert_eq!(request.await.expect("request"), 200);
    }
    assert_eq!(app.event_count().await, 41, "every distinct event once");
    recorded(&app).await
}

#[tokio::test]
async fn a_batch_records_what_one_event_at_a_time_records() {
    let together = record(512, true).await;
    let one_by_one = record(1, false).await;
    assert_eq!(together, one_by_one);

    let keyerror = &together.issues["KeyError: in the batch"];
    assert_eq!(keyerror.0, 31, "the first KeyError and 30 more");
    assert_eq!(keyerror.1, 7, "seven users, each counted once");
    assert_eq!((keyerror.2.as_str(), keyerror.3.as_deref()), ("unresolved", Some("regressed")));
    assert_eq!(together.activity["KeyError: in the batch"], ["regressed"], "it regressed once");
    assert_eq!(together.issues["Timeout: in the batch"].0, 10, "ten Timeouts");
    assert_eq!(together.buckets, (41, 2), "41 events opened 2 issues");
    assert_eq!(together.hours.values().sum::<i64>(), 41);
    let shards: i64 = together.tags.iter().filter(|((_, key, _), _)| key == "shard").map(|(_, count)| *count).sum();
    assert_eq!(shards, 40, "each event's tag counted once, retries not again");
}
