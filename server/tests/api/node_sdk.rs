//! The official `@sentry/node` SDK (from npm, in `end2end/node_modules`) sends live to the
//! running server.

use crate::helpers::{spawn_app, workspace_root};
use crate::sdk_clients::{issue_table, row, run};

#[tokio::test]
async fn the_node_sdk_reports_handled_messages_chained_and_uncaught_errors_as_four_issues() {
    assert!(
        workspace_root().join("end2end/node_modules/@sentry/node").is_dir(),
        "@sentry/node is not installed in end2end/; `cargo xtask test` installs it"
    );
    let app = spawn_app().await;
    let dsn = app.default_project.dsn(&format!("http://{}", app.addr));
    let output = run("node", &["sdk/node_client.mjs", &dsn]).await;
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the uncaught error ends the process");
    assert!(log.contains("unhandled failure in the worker"), "{log}");

    assert_eq!(
        issue_table(&app).await,
        [
            row("Checkout took too long for order N", "node_client in ?", "warning", 2),
            row("Error: order A-N cannot be loaded", "node_client in loadOrder", "error", 1),
            row("RangeError: unhandled failure in the worker", "node_client in Timeout._onTimeout", "fatal", 1),
            row("TypeError: Cannot divide N by zero", "node_client in divide", "error", 2),
        ]
    );
    let outcomes = app.outcomes().await;
    let mine = outcomes.iter().find(|o| o.project_id == app.default_project.project_id.get()).expect("counted");
    assert!(mine.rejected.is_empty(), "{mine:?}");
    assert_eq!(app.event_count().await, 6, "sessions, the span and the dropped message are not events");
}
