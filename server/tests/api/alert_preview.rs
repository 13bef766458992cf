//! A rule's preview: how often it would have fired over the last 7 days, replayed over the stored
//! history — new issues, regressions, thresholds (from minute counts, and hour counts for the days
//! the minutes are no longer kept), unattended issues — with its filter and interval, sending
//! nothing.

use crate::alerts::{issue_id, send};
use crate::helpers::{FIXTURE_PROJECT, TestApp, spawn_app};
use chrono::{DurationRound, TimeDelta, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use server::store::entities::{issue, issue_hour, issue_minute};

async fn preview(app: &TestApp, draft: Value) -> Value {
    let response = app
        .client
        .post(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/alert-rules/preview/")))
        .json(&draft)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    response.json().await.expect("json")
}

fn titles(preview: &Value) -> Vec<String> {
    let examples = preview["examples"].as_array().expect("examples");
    examples
        .iter()
        .map(|issue| issue["title"].as_str().expect("title").split(':').next().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn new_issues_and_regressions_are_counted_through_the_filter() {
    let app = spawn_app().await;
    send(&app, 1, "PaymentError", json!({"environment": "production"})).await;
    send(&app, 2, "CartError", json!({"environment": "staging"})).await;
    send(&app, 3, "CartError", json!({"environment": "staging"})).await;

    let all = preview(&app, json!({"triggers": [{"type": "new_issue"}]})).await;
    assert_eq!((all["fired"].as_u64(), all["issues"].as_u64()), (Some(2), Some(2)), "{all}");
    let production =
        preview(&app, json!({"triggers": [{"type": "new_issue"}], "filter": "environment:production"})).await;
    assert_eq!(production["fired"], 1, "{production}");
    assert_eq!(titles(&production), ["PaymentError"]);
    let staging =
        preview(&app, json!({"triggers": [{"type": "new_issue"}], "filter": "!environment:production"})).await;
    assert_eq!(titles(&staging), ["CartError"]);
    assert_eq!(staging["examples"][0]["issue_id"], issue_id(&app, "CartError").await);

    let regression = json!({"triggers": [{"type": "regression"}]});
    assert_eq!(preview(&app, regression.clone()).await["fired"], 0);
    let payment = issue_id(&app, "PaymentError").await;
    let response = app
        .client
        .patch(app.url(&format!("/api/0/issues/{payment}/")))
        .json(&json!({"action": "resolve"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(response.status(), 200);
    send(&app, 4, "PaymentError", json!({"environment": "production"})).await;
    let regressed = preview(&app, regression).await;
    assert_eq!(regressed["fired"], 1, "{regressed}");
    assert_eq!(titles(&regressed), ["PaymentError"]);
    // Resolved again since: each trigger is matched against the issue as it found it.
    let response = app
        .client
        .patch(app.url(&format!("/api/0/issues/{payment}/")))
        .json(&json!({"action": "resolve"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(response.status(), 200);
    let regressed = preview(&app, json!({"triggers": [{"type": "regression"}], "filter": "is:regressed"})).await;
    assert_eq!(regressed["fired"], 1, "{regressed}");
    let unresolved = json!({"triggers": [{"type": "new_issue"}, {"type": "regression"}], "filter": "is:unresolved"});
    let both = preview(&app, unresolved).await;
    assert_eq!(both["fired"], 2, "the regression came within the interval of the new issue: {both}");
    let resolved_now = preview(
        &app,
        json!({"triggers": [{"type": "frequency", "events": 1, "minutes": 5}], "filter": "is:unresolved"}),
    )
    .await;
    assert_eq!(titles(&resolved_now), ["CartError"], "a threshold is matched against the issue as it is now");
}

#[tokio::test]
async fn a_threshold_fires_once_per_interval_and_reads_hour_counts_beyond_a_day() {
    let app = spawn_app().await;
    send(&app, 1, "BurstError", json!({})).await;
    send(&app, 2, "OldError", json!({})).await;
    let burst = issue_id(&app, "BurstError").await;
    let old = issue_id(&app, "OldError").await;
    // Three bursts of 10 events an hour ago, 20 minutes apart.
    let minute = Utc::now().duration_trunc(TimeDelta::minutes(1)).expect("minute");
    let bursts = [50, 30, 10].map(|ago| issue_minute::ActiveModel {
        issue_id: Set(burst),
        minute: Set(minute - TimeDelta::minutes(ago)),
        count: Set(10),
        ..Default::default()
    });
    issue_minute::Entity::insert_many(bursts).exec(&app.db).await.expect("minute counts");
    let frequency = |interval: u32| json!({"triggers": [{"type": "frequency", "events": 10, "minutes": 1}], "interval_minutes": interval});
    let every_minute = preview(&app, frequency(1)).await;
    assert_eq!(every_minute["fired"], 3, "{every_minute}");
    assert_eq!(titles(&every_minute), ["BurstError"]);
    assert_eq!(preview(&app, frequency(30)).await["fired"], 2, "the middle burst is within 30 minutes of the first");
    assert_eq!(preview(&app, frequency(60)).await["fired"], 1);

    // Three days ago the old issue had 100 events in an hour; the minutes of then are gone.
    let hour = Utc::now().duration_trunc(TimeDelta::hours(1)).expect("hour") - TimeDelta::days(3);
    let busy = issue_hour::ActiveModel { issue_id: Set(old), hour: Set(hour), count: Set(100), ..Default::default() };
    issue_hour::Entity::insert(busy).exec(&app.db).await.expect("hour count");
    let hourly = preview(&app, json!({"triggers": [{"type": "frequency", "events": 100, "minutes": 60}]})).await;
    assert_eq!(hourly["fired"], 1, "{hourly}");
    assert_eq!(titles(&hourly), ["OldError"]);
    assert!(!hourly["estimated"].as_array().expect("notes").is_empty(), "hour counts make it an estimate");
    let week_ago = hour - TimeDelta::days(5);
    issue_hour::Entity::update_many()
        .col_expr(issue_hour::Column::Hour, Expr::value(week_ago))
        .filter(issue_hour::Column::IssueId.eq(old))
        .filter(issue_hour::Column::Count.eq(100))
        .exec(&app.db)
        .await
        .expect("older");
    let older = preview(&app, json!({"triggers": [{"type": "frequency", "events": 100, "minutes": 60}]})).await;
    assert_eq!(older["fired"], 0, "eight days ago is before the preview: {older}");
}

#[tokio::test]
async fn an_unattended_issue_counts_unless_someone_attended_it_in_time() {
    let app = spawn_app().await;
    send(&app, 1, "IgnoredError", json!({})).await;
    send(&app, 2, "ForgottenError", json!({})).await;
    send(&app, 3, "FreshError", json!({})).await;
    let unattended = json!({"triggers": [{"type": "unattended", "hours": 2}]});
    assert_eq!(preview(&app, unattended.clone()).await["fired"], 0, "no issue is two hours old");

    let ignored = issue_id(&app, "IgnoredError").await;
    let response = app
        .client
        .patch(app.url(&format!("/api/0/issues/{ignored}/")))
        .json(&json!({"action": "ignore", "until": "forever"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(response.status(), 200);
    // The first two appeared three hours ago; the ignore came an hour before they were two hours old.
    let three_hours_ago = Utc::now() - TimeDelta::hours(3);
    issue::Entity::update_many()
        .col_expr(issue::Column::FirstSeen, Expr::value(three_hours_ago))
        .filter(issue::Column::Id.is_in([ignored, issue_id(&app, "ForgottenError").await]))
        .exec(&app.db)
        .await
        .expect("older issues");
    server::store::entities::activity::Entity::update_many()
        .col_expr(
            server::store::entities::activity::Column::CreatedAt,
            Expr::value(three_hours_ago + TimeDelta::hours(1)),
        )
        .exec(&app.db)
        .await
        .expect("earlier ignore");
    let due = preview(&app, unattended).await;
    assert_eq!(due["fired"], 1, "{due}");
    assert_eq!(titles(&due), ["ForgottenError"]);
}

#[tokio::test]
async fn a_preview_checks_the_rule_like_saving_it_does() {
    let app = spawn_app().await;
    let url = app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/alert-rules/preview/"));
    for (draft, why) in [
        (json!({"triggers": []}), "at least one trigger"),
        (json!({"triggers": [{"type": "new_issue"}], "filter": "assigned:me"}), "assigned:me"),
        (json!({"triggers": [{"type": "new_issue"}], "filter": "level:"}), "the filter is not valid"),
        (json!({"triggers": [{"type": "new_issue"}], "interval_minutes": 0}), "the interval"),
    ] {
        let response = app.client.post(&url).json(&draft).send().await.expect("post");
        assert_eq!(response.status(), 422, "{draft}");
        let error = response.text().await.expect("text");
        assert!(error.contains(why), "{error}");
    }
    let stranger = app.anonymous.post(&url).json(&json!({"triggers": [{"type": "new_issue"}]})).send().await;
    assert_eq!(stranger.expect("post").status(), 401);
}
