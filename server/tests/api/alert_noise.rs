//! Alert noise control and the triggers that count or wait, with real receivers: a channel's
//! hourly cap holds back what exceeds it and sends it later as one digest (never dropped); a rule
//! fires when enough distinct users hit an issue; and for an issue still unresolved and
//! unassigned hours after it appeared (the clock turned by moving the rows' times back).

use crate::alerts::{WAIT, alerting_app, issue_id, rule, send, settled_deliveries};
use crate::helpers::{FIXTURE_PROJECT, TestApp, create_user};
use crate::receiver::Receiver;
use chrono::{TimeDelta, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use server::store::entities::{alert_delivery, alert_rule, issue};
use std::time::Duration;

/// Adds a channel with an hourly cap to the fixture project; returns its id.
async fn capped_channel(app: &TestApp, kind: &str, url: &str, cap: u32) -> i64 {
    let response = app
        .client
        .post(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/alert-channels/")))
        .json(&json!({"name": format!("{kind} capped"), "kind": kind, "url": url, "hourly_cap": cap}))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    let created: Value = response.json().await.expect("json");
    assert_eq!(created["channel"]["hourly_cap"], cap);
    created["channel"]["id"].as_i64().expect("id")
}

/// The states of the issue's deliveries, once settled.
async fn states(app: &TestApp, issue: i64) -> Vec<String> {
    let deliveries = settled_deliveries(app, issue).await;
    deliveries.iter().map(|delivery| delivery["state"].as_str().unwrap_or_default().to_owned()).collect()
}

async fn quiet() {
    tokio::time::sleep(Duration::from_millis(700)).await;
}

#[tokio::test]
async fn past_the_hourly_cap_alerts_are_held_and_go_out_as_one_digest_once_the_hour_has_room() {
    let app = alerting_app().await;
    let receiver = Receiver::start().await;
    let hook = capped_channel(&app, "webhook", &receiver.url("/hook"), 2).await;
    rule(&app, json!({"name": "New", "triggers": [{"type": "new_issue"}], "channels": [hook]})).await;

    let kinds = ["AlphaError", "BetaError", "GammaError", "DeltaError", "EpsilonError"];
    for (n, kind) in kinds.iter().enumerate() {
        send(&app, n as u32 + 1, kind, json!({})).await;
    }
    receiver.wait_for("/hook", 2, WAIT).await;
    let mut held = Vec::new();
    for kind in kinds {
        let issue = issue_id(&app, kind).await;
        if states(&app, issue).await == ["held"] {
            held.push(issue);
        }
    }
    quiet().await;
    assert_eq!(receiver.received().len(), 2, "the cap lets two through in the hour");
    assert_eq!(held.len(), 3, "and holds the rest back");

    // An hour passes: the sends leave the window, the held deliveries come due.
    alert_delivery::Entity::update_many()
        .col_expr(alert_delivery::Column::AttemptedAt, Expr::value(Utc::now() - TimeDelta::minutes(61)))
        .filter(alert_delivery::Column::State.eq("sent"))
        .exec(&app.db)
        .await
        .expect("age the sends");
    alert_delivery::Entity::update_many()
        .col_expr(alert_delivery::Column::NextAttemptAt, Expr::value(Utc::now()))
        .filter(alert_delivery::Column::State.eq("held"))
        .exec(&app.db)
        .await
        .expect("bring the held ones due");
    // A new issue wakes the dispatcher: the digest takes the first place, the new alert the second.
    send(&app, 9, "ZetaError", json!({})).await;
    let requests = receiver.wait_for("/hook", 4, WAIT).await;
    let digest = requests.iter().map(|request| request.json()).find(|body| body["trigger"] == "digest");
    let digest = digest.expect("a digest");
    assert_eq!(digest["headline"], "3 more alerts");
    assert_eq!(digest["count"], 3);
    let listed: Vec<i64> =
        digest["alerts"].as_array().expect("alerts").iter().filter_map(|a| a["issue"]["id"].as_i64()).collect();
    assert_eq!(listed, held, "every held alert, oldest first");
    assert_eq!(digest["alerts"][0]["issue"]["url"], format!("{}/issues/{}", app.origin(), held[0]));
    assert_eq!(digest["alerts"][0]["headline"], "New issue");
    assert!(
        requests
            .iter()
            .any(|request| request.json()["issue"]["title"].as_str().is_some_and(|t| t.starts_with("ZetaError")))
    );

    let carried = settled_deliveries(&app, held[0]).await;
    assert_eq!(carried[0]["state"], "digested");
    assert_eq!(carried[0]["digest"], digest["delivery"], "the log names the digest it went out in");
    quiet().await;
    assert_eq!(receiver.received().len(), 4, "nothing twice, nothing dropped");
}

#[tokio::test]
async fn raising_the_cap_sends_what_it_held_at_once_as_a_digest() {
    let app = alerting_app().await;
    let receiver = Receiver::start().await;
    let slack = capped_channel(&app, "slack", &receiver.url("/slack"), 1).await;
    rule(&app, json!({"name": "New", "triggers": [{"type": "new_issue"}], "channels": [slack]})).await;
    for (n, kind) in ["FirstError", "SecondError", "ThirdError"].iter().enumerate() {
        send(&app, n as u32 + 1, kind, json!({})).await;
    }
    receiver.wait_for("/slack", 1, WAIT).await;
    let third = issue_id(&app, "ThirdError").await;
    assert_eq!(states(&app, third).await, ["held"]);

    let response = app
        .client
        .patch(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/alert-channels/{slack}/")))
        .json(&json!({"hourly_cap": 5}))
        .send()
        .await
        .expect("patch");
    assert_eq!(response.status(), 200);
    let requests = receiver.wait_for("/slack", 2, WAIT).await;
    let body = requests[1].json();
    assert_eq!(body["blocks"][0]["text"]["text"], "Recordings: 2 more alerts held back by the hourly cap");
    let list = body["blocks"][1]["text"]["text"].as_str().expect("list");
    assert!(list.contains(&format!("/issues/{third}|ThirdError")), "{list}");
    assert_eq!(states(&app, third).await, ["digested"]);

    let refused = app
        .client
        .patch(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/alert-channels/{slack}/")))
        .json(&json!({"hourly_cap": 0}))
        .send()
        .await
        .expect("patch");
    assert_eq!(refused.status(), 422);
}

#[tokio::test]
async fn a_users_trigger_fires_when_enough_distinct_users_hit_the_issue_within_its_window() {
    let app = alerting_app().await;
    let receiver = Receiver::start().await;
    let (hook, _) = crate::alerts::channel(&app, "webhook", &receiver.url("/hook")).await;
    rule(
        &app,
        json!({"name": "Many users", "triggers": [{"type": "users", "users": 3, "minutes": 60}], "channels": [hook]}),
    )
    .await;

    for (n, user) in ["ada", "ada", "bob", "bob", "ada"].iter().enumerate() {
        send(&app, n as u32 + 1, "LoginError", json!({"user": {"id": user}})).await;
    }
    quiet().await;
    assert!(receiver.received().is_empty(), "two users are not three, however many events");
    send(&app, 10, "LoginError", json!({"user": {"id": "cy"}})).await;
    let requests = receiver.wait_for("/hook", 1, WAIT).await;
    assert_eq!(requests[0].json()["trigger"], "users");
    assert_eq!(requests[0].json()["headline"], "3 users in 1 hour");
    assert_eq!(requests[0].json()["issue"]["users"], 3);
}

#[tokio::test]
async fn an_issue_left_unresolved_and_unassigned_fires_once_after_its_hours() {
    let app = alerting_app().await;
    let receiver = Receiver::start().await;
    let (hook, _) = crate::alerts::channel(&app, "webhook", &receiver.url("/hook")).await;
    rule(
        &app,
        json!({"name": "Nobody took it", "triggers": [{"type": "unattended", "hours": 4}],
               "filter": "environment:production", "channels": [hook]}),
    )
    .await;
    send(&app, 1, "LeftError", json!({"environment": "production"})).await;
    send(&app, 2, "StagingError", json!({"environment": "staging"})).await;
    send(&app, 3, "TakenError", json!({"environment": "production"})).await;
    send(&app, 4, "FixedError", json!({"environment": "production"})).await;
    let triage = |issue: i64, action: Value| {
        let app = &app;
        async move {
            let response = app.client.patch(app.url(&format!("/api/0/issues/{issue}/"))).json(&action).send().await;
            assert_eq!(response.expect("patch").status(), 200);
        }
    };
    let member = create_user(&app.db, "member@faultline.test", false).await;
    server::store::members::set(&app.db, FIXTURE_PROJECT, member.id, app::model::Role::Member).await.expect("member");
    triage(issue_id(&app, "TakenError").await, json!({"action": "assign", "user_id": member.id})).await;
    triage(issue_id(&app, "FixedError").await, json!({"action": "resolve"})).await;

    // The rule was there before; the issues appeared 3 hours ago, then 4 hours and a minute ago.
    alert_rule::Entity::update_many()
        .col_expr(alert_rule::Column::CreatedAt, Expr::value(Utc::now() - TimeDelta::days(1)))
        .exec(&app.db)
        .await
        .expect("an older rule");
    let appeared = |ago: TimeDelta| {
        issue::Entity::update_many().col_expr(issue::Column::FirstSeen, Expr::value(Utc::now() - ago)).exec(&app.db)
    };
    appeared(TimeDelta::hours(3)).await.expect("turn the clock");
    assert_eq!(app.writer.fire_unattended(Utc::now()).await.expect("3 hours on"), 0);
    appeared(TimeDelta::hours(4) + TimeDelta::minutes(1)).await.expect("turn the clock");
    assert_eq!(app.writer.fire_unattended(Utc::now()).await.expect("4 hours on"), 1);
    let requests = receiver.wait_for("/hook", 1, WAIT).await;
    let body = requests[0].json();
    assert_eq!(body["trigger"], "unattended");
    assert_eq!(body["headline"], "Unresolved and unassigned for 4 hours");
    assert!(body["issue"]["title"].as_str().is_some_and(|title| title.starts_with("LeftError")));
    assert_eq!(body["event"]["environment"], "production");

    appeared(TimeDelta::hours(6)).await.expect("turn the clock");
    assert_eq!(app.writer.fire_unattended(Utc::now()).await.expect("6 hours on"), 0, "once per issue");
    quiet().await;
    assert_eq!(receiver.received().len(), 1);
}
