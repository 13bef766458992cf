//! Every recorded SDK request, replayed over HTTP, and what Faultline stored for it.

use crate::helpers::{PREFIXED_DSN_PROJECT, spawn_app};
use crate::recordings;
use app::model::Level;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::store::entities::event;

#[tokio::test]
async fn every_recorded_sdk_request_is_accepted_and_each_event_is_stored() {
    let app = spawn_app().await;
    let index = recordings::index();
    assert!(index.len() >= 40, "the recordings are all there");
    for entry in &index {
        let recording = recordings::load(&entry.file);
        let response = recording.replay(&app).await;
        assert_eq!(response.status(), 200, "{} was not accepted", entry.file);
        let body: serde_json::Value = response.json().await.expect("JSON answer");
        if entry.has_event() {
            let id = recording.envelope_event_id().expect("event envelopes carry an id");
            assert_eq!(body["id"], id.as_str(), "{} answers with its event id", entry.file);
            assert!(app.stored_event(&id).await.is_some(), "{} was not stored", entry.file);
        }
    }
    let with_event = index.iter().filter(|entry| entry.has_event()).count() as u64;
    assert_eq!(app.event_count().await, with_event, "only event items become events");
}

#[tokio::test]
async fn sessions_transactions_spans_check_ins_and_client_reports_create_no_issue() {
    let app = spawn_app().await;
    let others: Vec<_> = recordings::index().into_iter().filter(|entry| !entry.has_event()).collect();
    let types: std::collections::BTreeSet<_> =
        others.iter().flat_map(|entry| entry.items.iter().map(|item| item.ty.clone())).collect();
    assert_eq!(
        types.into_iter().collect::<Vec<_>>(),
        ["check_in", "client_report", "session", "sessions", "span", "transaction"]
    );
    for entry in &others {
        assert_eq!(recordings::load(&entry.file).replay(&app).await.status(), 200, "{}", entry.file);
    }
    assert_eq!(app.issue_count().await, 0);
    assert_eq!(app.event_count().await, 0);
}

#[tokio::test]
async fn a_python_exception_keeps_its_frames_context_tags_user_and_unknown_fields() {
    let app = spawn_app().await;
    let recording = recordings::load("python/default/py-default-01");
    assert_eq!(recording.replay(&app).await.status(), 200);
    let (row, event) = app.stored_event("537ce2e82ef146bab1251bef1f4ef48d").await.expect("stored");

    assert_eq!(row.title, "ZeroDivisionError: division by zero");
    assert_eq!(event.level, Level::Error);
    assert_eq!(event.platform, "python");
    let frames = &event.exceptions[0].stacktrace.as_ref().expect("stack trace").frames;
    let functions: Vec<_> = frames.iter().filter_map(|f| f.function.as_deref()).collect();
    assert_eq!(functions, ["<module>", "handler", "divide"]);
    let crash = frames.last().expect("crash frame");
    assert!(crash.context_line.is_some() && !crash.pre_context.is_empty() && crash.vars.is_some());
    assert_eq!(event.tags, [("customer".to_owned(), "acme".to_owned())]);
    assert_eq!(event.user.as_ref().and_then(|u| u.get("email")).and_then(|e| e.as_str()), Some("jane@example.com"));
    assert!(event.other.contains_key("modules"), "fields Faultline does not model are kept");
    assert!(event.contexts.contains_key("runtime"));
    assert_eq!(event.culprit(), "__main__ in divide");
}

#[tokio::test]
async fn chained_exceptions_are_stored_oldest_first() {
    let app = spawn_app().await;
    for name in ["python/chained/py-chained-01", "node/chained/node-chained-02"] {
        assert_eq!(recordings::load(name).replay(&app).await.status(), 200);
    }
    let (_, python) = app.stored_event("f86378623d854b97975dc0fa19e7bbfe").await.expect("python event");
    let types: Vec<_> = python.exceptions.iter().filter_map(|e| e.ty.as_deref()).collect();
    assert_eq!(types, ["KeyError", "ValueError"]);
    let (row, node) = app.stored_event("dd476d0170c1464f8fb0ab7a22dce1de").await.expect("node event");
    let types: Vec<_> = node.exceptions.iter().filter_map(|e| e.ty.as_deref()).collect();
    assert_eq!(types, ["TypeError", "Error"]);
    assert_eq!(row.title, "Error: outer failure 123");
    let mechanism = node.exceptions[0].mechanism.as_ref().expect("mechanism");
    assert_eq!((mechanism.exception_id, mechanism.parent_id), (Some(1), Some(0)));
}

#[tokio::test]
async fn messages_keep_their_level_and_logging_templates_their_parameters() {
    let app = spawn_app().await;
    for name in ["python/message/py-message-01", "python/message/py-message-02", "node/message/node-message-02"] {
        assert_eq!(recordings::load(name).replay(&app).await.status(), 200);
    }
    let (row, event) = app.stored_event("d8123b0a9c3149e4b394b241f8af1436").await.expect("capture_message");
    assert_eq!((row.title.as_str(), event.level), ("Something happened to order 4711", Level::Warning));

    let (_, logged) = app.stored_event("6de01e3e37a54b3e96107b5e48f96989").await.expect("logging.error");
    let entry = logged.logentry.expect("log entry");
    assert_eq!(entry.message.as_deref(), Some("Payment %s failed for user %d"));
    assert!(entry.formatted.as_deref().is_some_and(|text| text.starts_with("Payment pay_")));
    assert_eq!(logged.logger.as_deref().map(|l| !l.is_empty()), Some(true));

    let (row, node) = app.stored_event("7fd881e0904c498e9cd1e6e7a3e7f269").await.expect("captureMessage");
    assert_eq!((row.title.as_str(), node.level), ("Something happened to order 4711", Level::Warning));
}

#[tokio::test]
async fn unhandled_errors_keep_their_fatal_level_and_mechanism() {
    let app = spawn_app().await;
    assert_eq!(recordings::load("node/unhandled/node-unhandled-02").replay(&app).await.status(), 200);
    let (row, event) = app.stored_event("c12baf5d303741afa397e91db34c0dd2").await.expect("stored");
    assert_eq!(row.level, "fatal");
    let mechanism = event.exceptions[0].mechanism.as_ref().expect("mechanism");
    assert_eq!(mechanism.handled, Some(false));
    assert_eq!(mechanism.ty.as_deref(), Some("auto.node.onuncaughtexception"));
}

#[tokio::test]
async fn the_same_python_error_sent_gzip_brotli_and_uncompressed_is_one_issue_with_three_events() {
    let app = spawn_app().await;
    for name in ["python/default/py-default-01", "python/brotli/py-brotli-01", "python/nocompress/py-nocompress-01"] {
        let recording = recordings::load(name);
        assert_eq!(recording.replay(&app).await.status(), 200, "{name}");
    }
    let issues = app.issues().await;
    assert_eq!(issues.len(), 1, "one issue: {issues:?}");
    assert_eq!(issues[0].event_count, 3);
    assert_eq!(issues[0].title, "ZeroDivisionError: division by zero");
}

#[tokio::test]
async fn dsns_with_a_path_prefix_reach_their_project() {
    let app = spawn_app().await;
    for name in ["python/dsn_path_secret/py-dsn-01", "node/dsn_path/node-dsn-01"] {
        let recording = recordings::load(name);
        assert!(recording.path.starts_with("/prefix/sub/api/7/envelope"));
        assert_eq!(recording.replay(&app).await.status(), 200, "{name}");
    }
    let stored = event::Entity::find()
        .filter(event::Column::ProjectId.eq(PREFIXED_DSN_PROJECT))
        .all(&app.db)
        .await
        .expect("events");
    assert_eq!(stored.len(), 2);
}

#[tokio::test]
async fn an_event_sent_twice_is_stored_and_counted_once() {
    let app = spawn_app().await;
    let recording = recordings::load("node/default/node-default-02");
    for _ in 0..2 {
        let response = recording.replay(&app).await;
        assert_eq!(response.status(), 200);
    }
    assert_eq!(app.event_count().await, 1);
    assert_eq!(app.issues().await[0].event_count, 1);
}
