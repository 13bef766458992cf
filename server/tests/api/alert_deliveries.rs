//! Delivering alerts to real receivers: the generic webhook's signature and idempotency id,
//! retries after a 500 and a timeout with the same id, `Retry-After` honoured, giving up on a
//! refusal and after the last attempt (the channel then shows as failing), test sends, and the
//! delivery log reaching open dashboards live.

use crate::alerts::{WAIT, alerting_app, channel, issue_id, rule, send, settled_deliveries};
use crate::helpers::{FIXTURE_PROJECT, OWNER_EMAIL};
use crate::live::{next_update, open_socket};
use crate::receiver::{Receiver, Reply};
use app::live::LiveChange;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::time::Duration;

#[tokio::test]
async fn a_generic_webhook_is_signed_over_its_timestamp_and_body_and_names_its_delivery() {
    let app = alerting_app().await;
    let receiver = Receiver::start().await;
    let (hook, secret) = channel(&app, "webhook", &receiver.url("/hook")).await;
    let secret = secret.expect("a webhook gets a signing secret");
    assert!(secret.len() >= 32, "{secret}");
    rule(&app, json!({"name": "All", "triggers": [{"type": "new_issue"}], "channels": [hook]})).await;

    send(&app, 1, "SignedError", json!({})).await;
    let request = receiver.wait_for("/hook", 1, WAIT).await.remove(0);
    let timestamp = request.header("x-faultline-timestamp");
    let age = chrono::Utc::now().timestamp() - timestamp.parse::<i64>().expect("unix seconds");
    assert!((0..60).contains(&age), "signed just now: {age} s ago");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(&request.body);
    let signature = request.header("x-faultline-signature").strip_prefix("sha256=").expect("sha256=");
    let signature: Vec<u8> = (0..signature.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&signature[at..at + 2], 16).expect("hex"))
        .collect();
    mac.verify_slice(&signature).expect("the signature verifies with the channel's secret");

    let body = request.json();
    assert_eq!(body["version"], 1);
    assert_eq!(body["delivery"], request.header("x-faultline-delivery"));
    assert_eq!(request.header("content-type"), "application/json");
    let issue = issue_id(&app, "SignedError").await;
    assert_eq!(body["issue"]["id"], issue);
    assert_eq!(body["issue"]["url"], format!("{}/issues/{issue}", app.origin()));
    assert_eq!(settled_deliveries(&app, issue).await[0]["id"], body["delivery"]);
}

#[tokio::test]
async fn a_failed_delivery_is_retried_after_a_500_and_a_timeout_with_the_same_id() {
    let app = alerting_app().await;
    let receiver = Receiver::start().await;
    receiver.reply([Reply::Status(500), Reply::Hang]);
    let (hook, _) = channel(&app, "webhook", &receiver.url("/hook")).await;
    rule(&app, json!({"name": "All", "triggers": [{"type": "new_issue"}], "channels": [hook]})).await;

    send(&app, 1, "FlakyError", json!({})).await;
    let requests = receiver.wait_for("/hook", 3, WAIT).await;
    let ids: Vec<&str> = requests.iter().map(|request| request.header("x-faultline-delivery")).collect();
    assert!(ids.iter().all(|id| *id == ids[0] && !id.is_empty()), "{ids:?}");
    let delivery = settled_deliveries(&app, issue_id(&app, "FlakyError").await).await.remove(0);
    assert_eq!(delivery["state"], "sent");
    assert_eq!(delivery["attempts"], 3);
    assert_eq!(delivery["status_code"], 200);
    assert_eq!(delivery["error"], Value::Null);
}

#[tokio::test]
async fn a_429_is_retried_no_sooner_than_its_retry_after() {
    let app = alerting_app().await;
    let receiver = Receiver::start().await;
    receiver.reply([Reply::TooMany(2)]);
    let (hook, _) = channel(&app, "slack", &receiver.url("/slack")).await;
    rule(&app, json!({"name": "All", "triggers": [{"type": "new_issue"}], "channels": [hook]})).await;

    send(&app, 1, "BusyError", json!({})).await;
    let requests = receiver.wait_for("/slack", 2, WAIT).await;
    let gap = requests[1].at - requests[0].at;
    assert!(gap >= Duration::from_secs(2), "retried after {gap:?}");
}

#[tokio::test]
async fn a_refusal_is_given_up_at_once_and_the_channel_shows_as_failing() {
    let app = alerting_app().await;
    let receiver = Receiver::start().await;
    receiver.reply([Reply::Status(404)]);
    let (hook, _) = channel(&app, "teams", &receiver.url("/teams")).await;
    rule(&app, json!({"name": "All", "triggers": [{"type": "new_issue"}], "channels": [hook]})).await;

    send(&app, 1, "GoneError", json!({})).await;
    let delivery = settled_deliveries(&app, issue_id(&app, "GoneError").await).await.remove(0);
    assert_eq!(delivery["state"], "failed");
    assert_eq!(delivery["attempts"], 1);
    assert_eq!(delivery["status_code"], 404);
    assert_eq!(delivery["error"], "HTTP 404 Not Found: answer 404");
    let channels = app.get_json(&format!("/api/0/projects/{FIXTURE_PROJECT}/alert-channels/")).await;
    assert_eq!(channels[0]["failing"]["error"], "HTTP 404 Not Found: answer 404");
    let card = &receiver.received()[0].json()["attachments"][0];
    assert_eq!(card["contentType"], "application/vnd.microsoft.card.adaptive");
}

#[tokio::test]
async fn a_delivery_that_keeps_failing_is_given_up_after_six_attempts() {
    let app = alerting_app().await;
    let receiver = Receiver::start().await;
    receiver.reply(std::iter::repeat_n(Reply::Status(503), 10));
    let (hook, _) = channel(&app, "mattermost", &receiver.url("/mm")).await;
    rule(&app, json!({"name": "All", "triggers": [{"type": "new_issue"}], "channels": [hook]})).await;

    send(&app, 1, "DownError", json!({})).await;
    let delivery = settled_deliveries(&app, issue_id(&app, "DownError").await).await.remove(0);
    assert_eq!(delivery["state"], "failed");
    assert_eq!(delivery["attempts"], 6);
    assert_eq!(receiver.received().len(), 6);
    assert!(receiver.received()[0].json()["attachments"][0]["title_link"].is_string(), "a Mattermost attachment");
}

#[tokio::test]
async fn a_test_send_answers_how_the_receiver_took_it_and_is_logged() {
    let app = alerting_app().await;
    let receiver = Receiver::start().await;
    let (slack, _) = channel(&app, "slack", &receiver.url("/slack")).await;
    let test = |app: &crate::helpers::TestApp| {
        app.client.post(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/alert-channels/{slack}/test/"))).send()
    };
    let answer: Value = test(&app).await.expect("post").json().await.expect("json");
    assert_eq!(answer["state"], "sent");
    assert_eq!(answer["status_code"], 200);
    assert_eq!(answer["trigger"], "test");
    let header = receiver.received()[0].json()["blocks"][0]["text"]["text"].clone();
    assert_eq!(header, "Test alert: Faultline can reach this channel");

    receiver.reply([Reply::Status(500)]);
    let answer: Value = test(&app).await.expect("post").json().await.expect("json");
    assert_eq!(answer["state"], "failed", "a test send is not retried: it shows what happened");
    assert_eq!(answer["status_code"], 500);
    let log = app.get_json(&format!("/api/0/projects/{FIXTURE_PROJECT}/alert-channels/{slack}/deliveries/")).await;
    let states: Vec<&str> = log.as_array().expect("list").iter().map(|d| d["state"].as_str().expect("state")).collect();
    assert_eq!(states, ["failed", "sent"], "newest first");
    assert_eq!(receiver.received().len(), 2);
}

#[tokio::test]
async fn open_dashboards_see_a_delivery_queued_and_then_sent() {
    let app = alerting_app().await;
    let receiver = Receiver::start().await;
    let (hook, _) = channel(&app, "discord", &receiver.url("/discord")).await;
    rule(&app, json!({"name": "All", "triggers": [{"type": "new_issue"}], "channels": [hook]})).await;
    let cookie = app.sign_in(OWNER_EMAIL).await;
    let mut socket = open_socket(&app, &cookie).await.expect("connects");

    send(&app, 1, "LiveError", json!({})).await;
    let mut states = Vec::new();
    while states.len() < 2 {
        if let LiveChange::DeliveryChanged { delivery } = next_update(&mut socket).await.change {
            assert_eq!(delivery.channel, "discord channel");
            states.push(delivery.state);
        }
    }
    use app::alerts::DeliveryState::{Pending, Sent};
    assert_eq!(states, [Pending, Sent]);
}
