//! Alert rules end to end, with real receivers: what fires (a new issue, a regression — also from
//! "resolved in the next release" — an escalation, a frequency threshold), which events a filter
//! lets through, and that a rule notifies each channel once per interval for an issue however
//! many events arrive.

use crate::helpers::{FIXTURE_PROJECT, Options, TestApp, envelope_with_event, spawn_app_with};
use crate::receiver::Receiver;
use chrono::{TimeDelta, Utc};
use sea_orm::EntityTrait;
use sea_orm::sea_query::Expr;
use serde_json::{Value, json};
use server::store::entities::alert_fired;
use std::time::Duration;

pub const WAIT: Duration = Duration::from_secs(10);

/// A test server whose alerts may reach the receivers on loopback, retrying quickly.
pub async fn alerting_app() -> TestApp {
    spawn_app_with(Options {
        alerts_allow_private_networks: true,
        alerts_retry_seconds: Some(0.05),
        alerts_timeout_seconds: Some(1.0),
        ..Options::default()
    })
    .await
}

/// Adds a channel to the fixture project; returns its id and (for webhooks) its secret.
pub async fn channel(app: &TestApp, kind: &str, url: &str) -> (i64, Option<String>) {
    let response = app
        .client
        .post(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/alert-channels/")))
        .json(&json!({"name": format!("{kind} channel"), "kind": kind, "url": url}))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    let created: Value = response.json().await.expect("json");
    (created["channel"]["id"].as_i64().expect("id"), created["secret"].as_str().map(str::to_owned))
}

/// Adds a rule to the fixture project; returns its id.
pub async fn rule(app: &TestApp, rule: Value) -> i64 {
    let response = app
        .client
        .post(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/alert-rules/")))
        .json(&rule)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    response.json::<Value>().await.expect("json")["id"].as_i64().expect("id")
}

/// Sends one event of issue `kind` (its exception type), with these extra fields.
pub async fn send(app: &TestApp, n: u32, kind: &str, extra: Value) {
    let mut event = json!({"exception": {"values": [{"type": kind, "value": "it broke"}]}, "level": "error"});
    if let (Some(event), Some(extra)) = (event.as_object_mut(), extra.as_object()) {
        event.extend(extra.clone());
    }
    let response = app.post_envelope(envelope_with_event(&format!("{n:032x}"), event)).await;
    assert_eq!(response.status(), 200);
}

pub async fn issue_id(app: &TestApp, kind: &str) -> i64 {
    let issues = app.issues().await;
    issues.iter().find(|issue| issue.title.starts_with(kind)).unwrap_or_else(|| panic!("an issue {kind}")).id
}

/// The issue's deliveries once none is pending any more.
pub async fn settled_deliveries(app: &TestApp, issue: i64) -> Vec<Value> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let deliveries = app.get_json(&format!("/api/0/issues/{issue}/alerts/")).await;
        let deliveries = deliveries.as_array().expect("list").clone();
        if deliveries.iter().all(|delivery| delivery["state"] != "pending") {
            return deliveries;
        }
        assert!(std::time::Instant::now() < deadline, "deliveries still pending: {deliveries:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Lets a dispatcher that would wrongly send more have the time to.
async fn quiet() {
    tokio::time::sleep(Duration::from_millis(700)).await;
}

#[tokio::test]
async fn a_new_issue_notifies_slack_once_with_its_title_facts_and_a_link_to_the_event() {
    let app = alerting_app().await;
    let receiver = Receiver::start().await;
    let (slack, _) = channel(&app, "slack", &receiver.url("/slack")).await;
    rule(&app, json!({"name": "New issues", "triggers": [{"type": "new_issue"}], "channels": [slack]})).await;

    send(&app, 1, "CheckoutError", json!({"environment": "production", "release": "shop@2.4.1"})).await;
    let requests = receiver.wait_for("/slack", 1, WAIT).await;
    let body = requests[0].json();
    let header = body["blocks"][0]["text"]["text"].as_str().expect("header");
    assert!(header.starts_with("New issue: CheckoutError: it broke"), "{header}");
    let fields = body["blocks"][2]["fields"].to_string();
    assert!(
        fields.contains("production") && fields.contains("shop@2.4.1") && fields.contains("Recordings"),
        "{fields}"
    );
    let issue = issue_id(&app, "CheckoutError").await;
    let link = body["blocks"][3]["elements"][0]["url"].as_str().expect("button");
    assert_eq!(link, format!("{}/issues/{issue}?event={:032x}", app.origin(), 1));

    let deliveries = settled_deliveries(&app, issue).await;
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0]["state"], "sent");
    assert_eq!(deliveries[0]["status_code"], 200);
    assert_eq!(deliveries[0]["trigger"], "new_issue");
    assert_eq!(deliveries[0]["rule"], "New issues");
    assert_eq!(deliveries[0]["channel"], "slack channel");

    send(&app, 2, "CheckoutError", json!({})).await;
    quiet().await;
    assert_eq!(receiver.received().len(), 1, "the issue is not new any more");
}

#[tokio::test]
async fn a_burst_notifies_once_per_rule_and_channel_a_second_issue_on_its_own_and_again_after_the_interval() {
    let app = alerting_app().await;
    let receiver = Receiver::start().await;
    let (webhook, _) = channel(&app, "webhook", &receiver.url("/hook")).await;
    let (discord, _) = channel(&app, "discord", &receiver.url("/discord")).await;
    rule(
        &app,
        json!({"name": "Busy", "triggers": [{"type": "frequency", "events": 10, "minutes": 1}],
               "interval_minutes": 30, "channels": [webhook, discord]}),
    )
    .await;

    for chunk in (0..1000u32).collect::<Vec<_>>().chunks(100) {
        futures::future::join_all(chunk.iter().map(|&n| send(&app, n, "BurstError", json!({})))).await;
    }
    let burst = issue_id(&app, "BurstError").await;
    assert_eq!(settled_deliveries(&app, burst).await.len(), 2, "one per channel");
    quiet().await;
    let hook = receiver.wait_for("/hook", 1, WAIT).await;
    assert_eq!(hook.len(), 1);
    assert_eq!(receiver.wait_for("/discord", 1, WAIT).await.len(), 1);
    assert_eq!(hook[0].json()["headline"], "10 events in 1 minute");

    for n in 0..10 {
        send(&app, 2000 + n, "OtherError", json!({})).await;
    }
    let other = issue_id(&app, "OtherError").await;
    assert_eq!(settled_deliveries(&app, other).await.len(), 2, "the second issue has its own");
    receiver.wait_for("/hook", 2, WAIT).await;
    receiver.wait_for("/discord", 2, WAIT).await;

    // The interval passes for both issues; only the one still busy notifies again.
    alert_fired::Entity::update_many()
        .col_expr(alert_fired::Column::FiredAt, Expr::value(Utc::now() - TimeDelta::minutes(31)))
        .exec(&app.db)
        .await
        .expect("turn the clock");
    for chunk in (3000..3010u32).collect::<Vec<_>>().chunks(5) {
        futures::future::join_all(chunk.iter().map(|&n| send(&app, n, "BurstError", json!({})))).await;
    }
    assert_eq!(settled_deliveries(&app, burst).await.len(), 4);
    quiet().await;
    assert_eq!(receiver.wait_for("/hook", 3, WAIT).await.len(), 3);
    assert_eq!(receiver.wait_for("/discord", 3, WAIT).await.len(), 3);
    assert_eq!(settled_deliveries(&app, other).await.len(), 2);
}

#[tokio::test]
async fn a_filter_lets_through_only_the_events_it_matches() {
    let app = alerting_app().await;
    let receiver = Receiver::start().await;
    let (hook, _) = channel(&app, "webhook", &receiver.url("/hook")).await;
    rule(
        &app,
        json!({"name": "Production", "triggers": [{"type": "new_issue"}],
               "filter": "level:error environment:production release:shop@2.* !release:*-beta",
               "channels": [hook]}),
    )
    .await;

    send(&app, 1, "StagingError", json!({"environment": "staging", "release": "shop@2.0"})).await;
    send(&app, 2, "BetaError", json!({"environment": "production", "release": "shop@2.1-beta"})).await;
    send(&app, 3, "OldError", json!({"environment": "production", "release": "shop@1.9"})).await;
    send(&app, 4, "WarningError", json!({"environment": "production", "release": "shop@2.0", "level": "warning"}))
        .await;
    send(&app, 5, "RealError", json!({"environment": "production", "release": "shop@2.2"})).await;
    let requests = receiver.wait_for("/hook", 1, WAIT).await;
    quiet().await;
    assert_eq!(receiver.received().len(), 1, "only the production error of release 2: {:?}", requests[0].json());
    assert!(requests[0].json()["issue"]["title"].as_str().expect("title").starts_with("RealError"));
}

#[tokio::test]
async fn a_regression_after_resolved_in_next_release_and_an_escalation_alert() {
    let app = alerting_app().await;
    let receiver = Receiver::start().await;
    let (hook, _) = channel(&app, "webhook", &receiver.url("/hook")).await;
    // Two rules: one rule fires once per interval for an issue, whatever the trigger.
    rule(&app, json!({"name": "Back", "triggers": [{"type": "regression"}], "channels": [hook]})).await;
    rule(&app, json!({"name": "Louder", "triggers": [{"type": "escalation"}], "channels": [hook]})).await;

    send(&app, 1, "PaymentError", json!({"release": "1.0"})).await;
    let issue = issue_id(&app, "PaymentError").await;
    let triage = |action: Value| {
        let app = &app;
        async move {
            let response = app.client.patch(app.url(&format!("/api/0/issues/{issue}/"))).json(&action).send().await;
            assert_eq!(response.expect("patch").status(), 200);
        }
    };
    triage(json!({"action": "resolve_in_next_release"})).await;
    send(&app, 2, "PaymentError", json!({"release": "1.0"})).await;
    quiet().await;
    assert!(receiver.received().is_empty(), "an event of the release it was resolved in does not regress it");

    send(&app, 3, "PaymentError", json!({"release": "1.1"})).await;
    let requests = receiver.wait_for("/hook", 1, WAIT).await;
    assert_eq!(requests[0].json()["trigger"], "regression");
    assert_eq!(requests[0].json()["event"]["release"], "1.1");

    triage(json!({"action": "ignore", "until": {"more_events": 2}})).await;
    send(&app, 4, "PaymentError", json!({"release": "1.1"})).await;
    send(&app, 5, "PaymentError", json!({"release": "1.1"})).await;
    let requests = receiver.wait_for("/hook", 2, WAIT).await;
    assert_eq!(requests[1].json()["trigger"], "escalation");
    assert_eq!(requests[1].json()["headline"], "Escalation");
}
