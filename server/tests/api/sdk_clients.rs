//! Running the official SDKs (in `end2end/sdk/`) against a test server, and reading back the
//! issues they produced.

use crate::helpers::{TestApp, workspace_root};
use server::store::entities::issue;
use std::process::{Output, Stdio};
use std::time::Duration;

/// Runs an SDK client to its end (at most a minute) and returns what it printed.
pub async fn run(program: &str, args: &[&str]) -> Output {
    let child = tokio::process::Command::new(program)
        .args(args)
        .current_dir(workspace_root().join("end2end"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|err| panic!("{program} starts: {err}"));
    tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("the SDK client finishes within a minute")
        .expect("the SDK client runs")
}

/// `(title, culprit, level, events)` of every issue, sorted by title. Numbers in titles read
/// `N`: an issue takes the title of its latest event, and SDKs may send concurrently.
pub async fn issue_table(app: &TestApp) -> Vec<(String, String, String, i64)> {
    let mut issues: Vec<issue::Model> = app.issues().await;
    issues.sort_by(|a, b| a.title.cmp(&b.title));
    let numbers = |title: String| {
        let mut out = String::new();
        for c in title.chars() {
            if c.is_ascii_digit() {
                if !out.ends_with('N') {
                    out.push('N');
                }
            } else {
                out.push(c);
            }
        }
        out
    };
    issues.into_iter().map(|i| (numbers(i.title), i.culprit, i.level, i.event_count)).collect()
}

pub fn row(title: &str, culprit: &str, level: &str, events: i64) -> (String, String, String, i64) {
    (title.to_owned(), culprit.to_owned(), level.to_owned(), events)
}
