//! What admins may configure: webhook URLs pass the outbound guard (loopback, private,
//! link-local and metadata addresses are refused, and nothing connects to them), redirects are
//! not followed, rules are checked before they are saved, URLs are masked, and members see but
//! do not change.

use crate::alerts::{WAIT, alerting_app, channel, issue_id, rule, send, settled_deliveries};
use crate::helpers::{FIXTURE_PROJECT, api_token, client_with_token, create_user, spawn_app};
use crate::receiver::{Listener, Receiver, Reply};
use app::model::{Role, Scope};
use serde_json::json;
use server::store::members;

#[tokio::test]
async fn webhooks_to_private_addresses_are_refused_and_nothing_connects_to_them() {
    let app = spawn_app().await;
    let listener = Listener::start().await;
    let port = listener.addr.port();
    for url in [
        format!("http://127.0.0.1:{port}/hook"),
        format!("http://localhost:{port}/hook"),
        format!("http://[::1]:{port}/hook"),
        format!("http://[::ffff:127.0.0.1]:{port}/hook"),
        "http://10.0.0.1/hook".to_owned(),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://100.64.0.1/hook".to_owned(),
    ] {
        let response = app
            .client
            .post(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/alert-channels/")))
            .json(&json!({"name": "Sneaky", "kind": "webhook", "url": url}))
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), 422, "{url}");
        let error: serde_json::Value = response.json().await.expect("json");
        let message = error["error"]["message"].as_str().expect("message");
        assert!(message.contains("--alerts-allow-private-networks"), "{url}: {message}");
    }
    assert_eq!(listener.connections(), 0);
    let channels = app.get_json(&format!("/api/0/projects/{FIXTURE_PROJECT}/alert-channels/")).await;
    assert_eq!(channels, json!([]));
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let app = alerting_app().await;
    let receiver = Receiver::start().await;
    let listener = Listener::start().await;
    receiver.reply([Reply::Redirect(format!("http://{}/metadata", listener.addr))]);
    let (hook, _) = channel(&app, "webhook", &receiver.url("/hook")).await;
    rule(&app, json!({"name": "All", "triggers": [{"type": "new_issue"}], "channels": [hook]})).await;

    send(&app, 1, "RedirectError", json!({})).await;
    receiver.wait_for("/hook", 1, WAIT).await;
    let delivery = settled_deliveries(&app, issue_id(&app, "RedirectError").await).await.remove(0);
    assert_eq!(delivery["state"], "failed");
    assert_eq!(delivery["status_code"], 302);
    assert!(delivery["error"].as_str().expect("error").contains("redirects are not followed"));
    assert_eq!(listener.connections(), 0);
}

#[tokio::test]
async fn a_channel_url_is_a_secret_shown_masked() {
    let app = alerting_app().await;
    let receiver = Receiver::start().await;
    channel(&app, "slack", &receiver.url("/services/T000/B000/very-secret-token")).await;
    let channels = app.get_json(&format!("/api/0/projects/{FIXTURE_PROJECT}/alert-channels/")).await;
    assert_eq!(channels[0]["url"], format!("http://{}/…", receiver.addr));
    assert!(!channels.to_string().contains("very-secret-token"));
}

#[tokio::test]
async fn a_rule_is_checked_before_it_is_saved() {
    let app = alerting_app().await;
    let receiver = Receiver::start().await;
    let (hook, _) = channel(&app, "webhook", &receiver.url("/hook")).await;
    let other_project = server::store::projects::create(&app.db, None, "Other", None).await.expect("project");
    let response = app
        .client
        .post(app.url(&format!("/api/0/projects/{}/alert-channels/", other_project.project_id)))
        .json(&json!({"name": "Theirs", "kind": "slack", "url": receiver.url("/x")}))
        .send()
        .await
        .expect("post");
    let theirs = response.json::<serde_json::Value>().await.expect("json")["channel"]["id"].as_i64().expect("id");
    let new_issue = json!([{"type": "new_issue"}]);
    for (rule, why) in [
        (json!({"name": "x", "triggers": [], "channels": [hook]}), "at least one trigger"),
        (json!({"name": "x", "triggers": new_issue, "channels": []}), "at least one channel"),
        (json!({"name": "x", "triggers": new_issue, "channels": [theirs]}), "no channel"),
        (json!({"name": "x", "triggers": new_issue, "filter": "is:open", "channels": [hook]}), "`is:` takes one of"),
        (json!({"name": "x", "triggers": new_issue, "filter": "assigned:me", "channels": [hook]}), "assigned:me"),
        (json!({"name": "x", "triggers": new_issue, "interval_minutes": 0, "channels": [hook]}), "1 to 10080"),
        (json!({"name": "x", "triggers": new_issue, "interval_minutes": 10081, "channels": [hook]}), "1 to 10080"),
        (
            json!({"name": "x", "triggers": [{"type": "frequency", "events": 5, "minutes": 1441}], "channels": [hook]}),
            "1 to 1440",
        ),
        (json!({"name": "x", "triggers": [{"type": "new_issue"}, {"type": "new_issue"}], "channels": [hook]}), "twice"),
        (json!({"name": " ", "triggers": new_issue, "channels": [hook]}), "rule name"),
    ] {
        let response = app
            .client
            .post(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/alert-rules/")))
            .json(&rule)
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), 422, "{rule}");
        let error: serde_json::Value = response.json().await.expect("json");
        assert!(error["error"]["message"].as_str().expect("message").contains(why), "{rule}: {error}");
    }
    let id = rule(
        &app,
        json!({"name": "Fine", "triggers": new_issue, "filter": "level:error   !release:1.*", "channels": [hook]}),
    )
    .await;
    let rules = app.get_json(&format!("/api/0/projects/{FIXTURE_PROJECT}/alert-rules/")).await;
    assert_eq!(rules[0]["id"], id);
    assert_eq!(rules[0]["filter"], "level:error !release:1.*", "kept in its canonical form");
    assert_eq!(rules[0]["interval_minutes"], 30, "the default interval");
}

#[tokio::test]
async fn members_see_rules_and_channels_and_only_admins_change_them() {
    let app = alerting_app().await;
    let receiver = Receiver::start().await;
    let (hook, _) = channel(&app, "webhook", &receiver.url("/hook")).await;
    let rule_id = rule(&app, json!({"name": "All", "triggers": [{"type": "new_issue"}], "channels": [hook]})).await;
    let member = create_user(&app.db, "member@faultline.test", false).await;
    members::set(&app.db, FIXTURE_PROJECT, member.id, Role::Member).await.expect("member");
    let member = client_with_token(&api_token(&app.db, member.id, Scope::Admin).await);
    let url = |path: &str| app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/{path}"));

    for path in ["alert-rules/", "alert-channels/", &format!("alert-channels/{hook}/deliveries/")] {
        assert_eq!(member.get(url(path)).send().await.expect("get").status(), 200, "{path}");
    }
    let refused = [
        member.post(url("alert-channels/")).json(&json!({"name": "x", "kind": "slack", "url": receiver.url("/x")})),
        member.post(url(&format!("alert-channels/{hook}/test/"))),
        member.delete(url(&format!("alert-channels/{hook}/"))),
        member.patch(url(&format!("alert-rules/{rule_id}/"))).json(&json!({"enabled": false})),
        member.delete(url(&format!("alert-rules/{rule_id}/"))),
    ];
    for request in refused {
        assert_eq!(request.send().await.expect("send").status(), 403);
    }
    assert!(receiver.received().is_empty());

    let disabled =
        app.client.patch(url(&format!("alert-rules/{rule_id}/"))).json(&json!({"enabled": false})).send().await;
    assert_eq!(disabled.expect("patch").status(), 200);
    send(&app, 1, "QuietError", json!({})).await;
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert!(receiver.received().is_empty(), "a disabled rule fires nothing");
}
