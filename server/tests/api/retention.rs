//! Retention: events past their age or past their issue's cap are deleted, and issue counts,
//! first and last seen stay those of the events that remain.

use crate::helpers::{Options, TestApp, envelope_with_event, spawn_app, spawn_app_with};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement};
use serde_json::json;
use server::store::entities::{attachment, event, issue, project_bucket};

async fn send(app: &TestApp, n: u32, kind: &str) {
    let body = envelope_with_event(&format!("{n:032x}"), json!({"exception": [{"type": kind, "value": "boom"}]}));
    assert_eq!(app.post_envelope(body).await.status(), 200);
}

/// Moves an event `days` into the past, as if it had arrived then.
async fn age(app: &TestApp, n: u32, days: i64) {
    let at = chrono::Utc::now() - chrono::Duration::days(days);
    let sql = match app.db.get_database_backend() {
        DbBackend::Postgres => "UPDATE event SET timestamp = $1 WHERE event_id = $2",
        _ => "UPDATE event SET timestamp = ? WHERE event_id = ?",
    };
    let statement =
        Statement::from_sql_and_values(app.db.get_database_backend(), sql, [at.into(), format!("{n:032x}").into()]);
    app.db.execute_raw(statement).await.expect("age the event");
}

async fn issue_named(app: &TestApp, kind: &str) -> Option<issue::Model> {
    app.issues().await.into_iter().find(|issue| issue.title.starts_with(kind))
}

#[tokio::test]
async fn events_past_the_retention_age_go_and_issue_counters_follow() {
    let app = spawn_app().await;
    for n in 1..=3 {
        send(&app, n, "KeptError").await;
    }
    send(&app, 4, "GoneError").await;
    let late =
        format!("{{\"event_id\":\"{:032x}\"}}\n{{\"type\":\"attachment\",\"length\":3,\"filename\":\"a\"}}\nabc\n", 4);
    assert_eq!(app.post_envelope(late).await.status(), 200);
    for (n, days) in [(1, 100), (2, 95), (4, 120)] {
        age(&app, n, days).await;
    }

    let deleted = app.retention.run_once(&app.writer).await;
    assert_eq!(deleted, 3);

    let kept = issue_named(&app, "KeptError").await.expect("the issue with a fresh event stays");
    let remaining =
        event::Entity::find().filter(event::Column::IssueId.eq(kept.id)).all(&app.db).await.expect("events");
    assert_eq!(remaining.len(), 1);
    assert_eq!(kept.event_count, 1, "the count is that of the events kept");
    assert_eq!((kept.first_seen, kept.last_seen), (remaining[0].timestamp, remaining[0].timestamp));
    assert!(issue_named(&app, "GoneError").await.is_none(), "an issue without events goes too");
    assert!(
        attachment::Entity::find().all(&app.db).await.expect("attachments").is_empty(),
        "and the files of deleted events"
    );
    assert_eq!(app.retention.run_once(&app.writer).await, 0, "nothing left to delete");
}

#[tokio::test]
async fn an_issue_keeps_only_its_newest_events_up_to_the_cap() {
    let app = spawn_app_with(Options { retention_max_events_per_issue: Some(3), ..Options::default() }).await;
    for n in 1..=5 {
        send(&app, n, "BusyError").await;
        age(&app, n, i64::from(10 - n)).await;
    }
    assert_eq!(app.retention.run_once(&app.writer).await, 2);
    let busy = issue_named(&app, "BusyError").await.expect("issue");
    assert_eq!(busy.event_count, 3);
    let ids: Vec<String> =
        event::Entity::find().all(&app.db).await.expect("events").into_iter().map(|e| e.event_id).collect();
    for oldest in [1u32, 2] {
        assert!(!ids.contains(&format!("{oldest:032x}")), "the oldest events went");
    }
}

#[tokio::test]
async fn chart_counters_go_once_no_chart_reads_them() {
    let app = spawn_app().await;
    let now = chrono::Utc::now();
    let bucket = |minutes: i32, ago: chrono::Duration| project_bucket::ActiveModel {
        project_id: sea_orm::ActiveValue::Set(42),
        minutes: sea_orm::ActiveValue::Set(minutes),
        start: sea_orm::ActiveValue::Set(now - ago),
        level: sea_orm::ActiveValue::Set("error".to_owned()),
        events: sea_orm::ActiveValue::Set(1),
        new_issues: sea_orm::ActiveValue::Set(0),
        ..Default::default()
    };
    let minutes = chrono::Duration::minutes;
    let rows = [
        bucket(5, minutes(20)),
        bucket(5, minutes(2 * 24 * 60)),
        bucket(60, minutes(29 * 24 * 60)),
        bucket(60, minutes(32 * 24 * 60)),
    ];
    project_bucket::Entity::insert_many(rows).exec(&app.db).await.expect("buckets");

    assert_eq!(app.retention.run_once(&app.writer).await, 0, "no event is past retention");
    let mut left: Vec<(i32, i64)> = project_bucket::Entity::find()
        .all(&app.db)
        .await
        .expect("buckets")
        .iter()
        .map(|row| (row.minutes, (now - row.start).num_days()))
        .collect();
    left.sort();
    assert_eq!(
        left,
        [(5, 0), (60, 29)],
        "the last hour's 5-minute counters and the month's hourly ones stay (a day's margin)"
    );
}

#[tokio::test]
async fn the_alert_delivery_log_keeps_what_is_settled_as_long_as_events_and_what_waits_for_good() {
    use crate::alerts::{alerting_app, channel, issue_id, rule, settled_deliveries};
    use sea_orm::sea_query::Expr;
    use server::store::entities::alert_delivery;

    let app = alerting_app().await;
    let receiver = crate::receiver::Receiver::start().await;
    let (hook, _) = channel(&app, "webhook", &receiver.url("/hook")).await;
    rule(&app, json!({"name": "New", "triggers": [{"type": "new_issue"}], "channels": [hook]})).await;
    send(&app, 1, "OldError").await;
    send(&app, 2, "HeldError").await;
    send(&app, 3, "NewError").await;
    let [old, held, new] =
        [issue_id(&app, "OldError").await, issue_id(&app, "HeldError").await, issue_id(&app, "NewError").await];
    for issue in [old, held, new] {
        assert_eq!(settled_deliveries(&app, issue).await[0]["state"], "sent");
    }
    let long_ago = chrono::Utc::now() - chrono::Duration::days(100);
    alert_delivery::Entity::update_many()
        .col_expr(alert_delivery::Column::CreatedAt, Expr::value(long_ago))
        .filter(alert_delivery::Column::IssueId.is_in([old, held]))
        .exec(&app.db)
        .await
        .expect("age the deliveries");
    alert_delivery::Entity::update_many()
        .col_expr(alert_delivery::Column::State, Expr::value("held"))
        .filter(alert_delivery::Column::IssueId.eq(held))
        .exec(&app.db)
        .await
        .expect("hold one");

    app.retention.run_once(&app.writer).await;
    let kept: Vec<Option<i64>> =
        alert_delivery::Entity::find().all(&app.db).await.expect("log").into_iter().map(|row| row.issue_id).collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(kept.contains(&Some(held)), "what still waits to be sent stays");
    assert!(kept.contains(&Some(new)), "a recent delivery stays");
    assert!(issue_named(&app, "OldError").await.is_some(), "its issue (with fresh events) stays");
}
