//! The official Python SDK (`sentry-sdk` from PyPI, in the virtualenv `cargo xtask test` makes)
//! sends to the running server.

use crate::helpers::{spawn_app, workspace_root};
use std::process::Stdio;

#[tokio::test]
async fn the_python_sdk_reports_an_exception_and_a_message_as_two_issues() {
    let python = std::env::var("FAULTLINE_TEST_PYTHON")
        .expect("FAULTLINE_TEST_PYTHON must name a python with sentry-sdk installed; `cargo xtask test` sets it");
    let app = spawn_app().await;
    let dsn = app.default_project.dsn(&format!("http://{}", app.addr));
    let output = tokio::process::Command::new(python)
        .arg(workspace_root().join("server/tests/sdk/send_python.py"))
        .arg(&dsn)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .await
        .expect("python runs");
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the script failed:\n{log}");
    assert!(!log.contains("Unexpected status code"), "the server refused something:\n{log}");

    let mut issues = app.issues().await;
    issues.sort_by(|a, b| a.title.cmp(&b.title));
    let summary: Vec<_> =
        issues.iter().map(|i| (i.title.as_str(), i.culprit.as_str(), i.level.as_str(), i.event_count)).collect();
    assert_eq!(
        summary,
        [
            ("Checkout took too long for order 4711", "", "warning", 1),
            ("ZeroDivisionError: division by zero", "__main__ in divide", "error", 1),
        ]
    );
    assert!(issues.iter().all(|issue| issue.project_id == app.default_project.project_id.get()));
}
