//! The official Python SDK (`sentry-sdk` from PyPI, in the virtualenv `cargo xtask test` makes)
//! sends live to the running server.

use crate::helpers::{FIXTURE_KEY, FIXTURE_PROJECT, key, spawn_app, workspace_root};
use crate::sdk_clients::{issue_table, row, run};
use server::store::projects;

pub fn python() -> String {
    std::env::var("FAULTLINE_TEST_PYTHON")
        .expect("FAULTLINE_TEST_PYTHON must name a python with sentry-sdk installed; `cargo xtask test` sets it")
}

fn client() -> String {
    workspace_root().join("end2end/sdk/python_client.py").display().to_string()
}

#[tokio::test]
async fn the_python_sdk_reports_handled_messages_chained_and_unhandled_errors_as_four_issues() {
    let app = spawn_app().await;
    let dsn = app.default_project.dsn(&format!("http://{}", app.addr));
    let output = run(&python(), &[&client(), &dsn, "all"]).await;
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the last error is unhandled and ends the script");
    assert!(log.contains("unhandled failure in the worker"), "{log}");
    assert!(!log.contains("Unexpected status code"), "the server refused something:\n{log}");

    assert_eq!(
        issue_table(&app).await,
        [
            row("Checkout took too long for order N", "", "warning", 2),
            row("RuntimeError: unhandled failure in the worker", "checkout", "error", 1),
            row("ValueError: order A-N cannot be loaded", "__main__ in load_order", "error", 1),
            row("ZeroDivisionError: division by zero", "__main__ in divide", "error", 2),
        ]
    );
    let outcomes = app.outcomes().await;
    let mine = outcomes.iter().find(|o| o.project_id == app.default_project.project_id.get()).expect("counted");
    assert!(mine.rejected.is_empty(), "{mine:?}");
    assert!(mine.accepted >= 7, "the transaction and client report envelopes arrived too: {mine:?}");
    assert_eq!(app.event_count().await, 6, "the transaction and the dropped message are not events");
}

#[tokio::test]
async fn the_python_sdk_backs_off_when_its_key_is_rate_limited() {
    let app = spawn_app().await;
    projects::set_rate_limit(&app.db, &key(FIXTURE_KEY), Some(1)).await.expect("limit");
    let dsn = format!("http://{FIXTURE_KEY}@{}/{FIXTURE_PROJECT}", app.addr);
    let output = run(&python(), &[&client(), &dsn, "rate_limited"]).await;
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let outcomes = app.outcomes().await;
    let limited = outcomes.iter().find(|o| o.project_id == FIXTURE_PROJECT).expect("counted");
    assert_eq!(limited.rejected.get("rate_limited"), Some(&1), "the SDK stopped after the first 429: {limited:?}");
    assert_eq!(app.event_count().await, 1);
}
