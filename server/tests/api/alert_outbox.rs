//! The outbox survives a crash: a real server process commits an event that fires a rule, starts
//! delivering it, and is killed (SIGKILL) before the receiver answers; a second process on the
//! same database delivers it after its start, with the same idempotency id.

use crate::alerts::WAIT;
use crate::helpers::{TestDatabase, api_token, client_with_token, create_user, envelope_with_event};
use crate::receiver::{Receiver, Reply};
use app::model::Scope;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A server process on the test's database; answers it and the DSN it printed.
async fn start(database: &TestDatabase) -> (Child, reqwest::Url) {
    let settings = database.settings();
    let mut command = Command::new(env!("CARGO_BIN_EXE_faultline"));
    command
        .args(["--port", "0", "--alerts-allow-private-networks", "--alerts-timeout-seconds", "60", "--data-dir"])
        .arg(&settings.data_dir)
        .current_dir(crate::helpers::workspace_root())
        .env_remove("FAULTLINE_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(url) = &settings.database_url {
        command.env("FAULTLINE_DATABASE_URL", url);
    }
    let mut child = command.spawn().expect("the server starts");
    let stdout = child.stdout.take().expect("stdout");
    let dsn = tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stdout).lines();
        let dsn = lines.by_ref().map_while(Result::ok).find_map(|line| line.strip_prefix("DSN: ").map(str::to_owned));
        // Keep reading, so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        dsn
    });
    let dsn = tokio::time::timeout(Duration::from_secs(60), dsn).await.expect("started in time").expect("read");
    (child, reqwest::Url::parse(&dsn.expect("the server prints its DSN")).expect("a DSN"))
}

fn base(dsn: &reqwest::Url) -> String {
    format!("http://{}:{}", dsn.host_str().expect("host"), dsn.port().expect("port"))
}

#[tokio::test]
async fn an_alert_in_flight_when_the_server_is_killed_is_delivered_after_restart_with_the_same_id() {
    let database = TestDatabase::new().await;
    let receiver = Receiver::start().await;
    receiver.reply([Reply::Hang]);
    let (mut first, dsn) = start(&database).await;
    let url = base(&dsn);
    let db = sea_orm::Database::connect(database.settings().database_url()).await.expect("connect");
    let owner = create_user(&db, "owner@faultline.test", true).await;
    let client = client_with_token(&api_token(&db, owner.id, Scope::Admin).await);
    let project = dsn.path().trim_matches('/').to_owned();

    let post = |path: String, body: Value| client.post(format!("{url}{path}")).json(&body).send();
    let channel: Value = post(
        format!("/api/0/projects/{project}/alert-channels/"),
        json!({"name": "hook", "kind": "webhook", "url": receiver.url("/hook")}),
    )
    .await
    .expect("post")
    .json()
    .await
    .expect("json");
    let channel = channel["channel"]["id"].as_i64().expect("a channel");
    let rule = post(
        format!("/api/0/projects/{project}/alert-rules/"),
        json!({"name": "New", "triggers": [{"type": "new_issue"}], "channels": [channel]}),
    )
    .await
    .expect("post");
    assert_eq!(rule.status(), 200);
    let event = json!({"exception": {"values": [{"type": "CrashError", "value": "in flight"}]}});
    let stored = reqwest::Client::new()
        .post(format!("{url}/api/{project}/envelope/"))
        .header("x-sentry-auth", format!("Sentry sentry_version=7, sentry_key={}", dsn.username()))
        .body(envelope_with_event(&format!("{:032x}", 1), event))
        .send()
        .await
        .expect("post");
    assert_eq!(stored.status(), 200, "acknowledged: the event and its alert are committed");

    let attempt = receiver.wait_for("/hook", 1, WAIT).await.remove(0);
    first.kill().expect("SIGKILL");
    first.wait().expect("reaped");

    let (mut second, dsn) = start(&database).await;
    let retried = receiver.wait_for("/hook", 2, WAIT).await.remove(1);
    let id = attempt.header("x-faultline-delivery");
    assert!(!id.is_empty());
    assert_eq!(retried.header("x-faultline-delivery"), id, "the same delivery, so the receiver can drop it");
    assert_eq!(retried.json()["issue"]["title"], "CrashError: in flight");

    let url = base(&dsn);
    let deadline = std::time::Instant::now() + WAIT;
    let logged = loop {
        let log: Value = client
            .get(format!("{url}/api/0/projects/{project}/alert-channels/{channel}/deliveries/"))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        if log[0]["state"] == "sent" || std::time::Instant::now() > deadline {
            break log;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!((logged[0]["id"].as_str(), logged[0]["state"].as_str()), (Some(id), Some("sent")), "{logged}");
    assert_eq!(logged.as_array().map(Vec::len), Some(1), "one delivery, sent once it was recorded");
    second.kill().expect("stopped");
    second.wait().expect("reaped");
}
