//! A members channel: each user who may see a project opts in to its alert emails for themselves,
//! and the channel mails those who did — as blind copies, so no one sees the others' addresses —
//! leaving out members removed since and disabled accounts.

use crate::alert_email::mailing_app;
use crate::alerts::{WAIT, issue_id, rule, send, settled_deliveries};
use crate::helpers::{FIXTURE_PROJECT, TestApp, api_token, client_with_token, create_user};
use crate::smtp::SmtpServer;
use app::model::Scope;
use serde_json::{Value, json};

/// A user who is a member of the fixture project with this role, and a client with their token.
async fn member(app: &TestApp, email: &str, role: &str) -> (i64, reqwest::Client) {
    let user = create_user(&app.db, email, false).await;
    let added = app
        .client
        .post(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/members/")))
        .json(&json!({"email": email, "role": role}))
        .send()
        .await
        .expect("add");
    assert_eq!(added.status(), 200);
    (user.id, client_with_token(&api_token(&app.db, user.id, Scope::Write).await))
}

async fn subscribe(app: &TestApp, client: &reqwest::Client, subscribed: bool) -> reqwest::StatusCode {
    let url = app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/alert-subscription/"));
    client.put(url).json(&json!({"subscribed": subscribed})).send().await.expect("put").status()
}

async fn subscribed(app: &TestApp, client: &reqwest::Client) -> Value {
    let url = app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/alert-subscription/"));
    client.get(url).send().await.expect("get").json::<Value>().await.expect("json")["subscribed"].clone()
}

#[tokio::test]
async fn a_members_channel_mails_the_members_who_opted_in_and_no_one_else() {
    let smtp = SmtpServer::start().await;
    let app = mailing_app(&smtp).await;
    let (_, ana) = member(&app, "ana@example.com", "viewer").await;
    let (ben_id, _) = member(&app, "ben@example.com", "member").await;
    let (cleo_id, cleo) = member(&app, "cleo@example.com", "member").await;
    let (dan_id, dan) = member(&app, "dan@example.com", "admin").await;
    assert_eq!(subscribed(&app, &ana).await, false);
    for client in [&ana, &cleo, &dan] {
        assert_eq!(subscribe(&app, client, true).await, 200);
    }
    assert_eq!(subscribe(&app, &ana, true).await, 200, "opting in twice is opting in");
    assert_eq!(subscribed(&app, &ana).await, true);
    let user = create_user(&app.db, "eve@example.com", false).await;
    let stranger = client_with_token(&api_token(&app.db, user.id, Scope::Write).await);
    assert_eq!(subscribe(&app, &stranger, true).await, 404, "only those who see the project");
    let reader = client_with_token(&api_token(&app.db, ben_id, Scope::Read).await);
    assert_eq!(subscribe(&app, &reader, true).await, 403, "a read-only token changes nothing");
    assert_eq!(subscribed(&app, &reader).await, false);

    // Cleo leaves the project and Dan's account is disabled: neither gets its alerts any more.
    let removed =
        app.client.delete(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/members/{cleo_id}/"))).send().await;
    assert_eq!(removed.expect("remove").status(), 204);
    let disabled =
        app.client.patch(app.url(&format!("/api/0/users/{dan_id}/"))).json(&json!({"disabled": true})).send().await;
    assert_eq!(disabled.expect("disable").status(), 200);

    let channels = app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/alert-channels/"));
    let with_url = json!({"name": "Team", "kind": "members", "url": "mailto:x@example.com"});
    let refused = app.client.post(&channels).json(&with_url).send().await.expect("post");
    assert_eq!(refused.status(), 422, "a members channel has no URL");
    let created: Value = app
        .client
        .post(&channels)
        .json(&json!({"name": "Team", "kind": "members"}))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(created["channel"]["kind"], "members", "{created}");
    assert_eq!(created["channel"]["url"], "");
    let channel = created["channel"]["id"].as_i64().expect("id");
    rule(&app, json!({"name": "New errors", "triggers": [{"type": "new_issue"}], "channels": [channel]})).await;

    send(&app, 1, "CheckoutError", json!({})).await;
    let mail = smtp.wait_for(1, WAIT).await.remove(0);
    assert_eq!(mail.rcpt_tos, ["ana@example.com"], "the one member who opted in and still may");
    assert_eq!(mail.header("To"), Some("Faultline <alerts@faultline.test>"), "addressed to the sender");
    assert_eq!(mail.header("Bcc"), None, "the blind copies are in the envelope only");
    assert!(mail.text().contains("CheckoutError"), "{}", mail.text());
    let issue = issue_id(&app, "CheckoutError").await;
    assert_eq!(settled_deliveries(&app, issue).await[0]["state"], "sent");

    assert_eq!(subscribe(&app, &ana, false).await, 200);
    assert_eq!(subscribed(&app, &ana).await, false);
    send(&app, 2, "PaymentError", json!({})).await;
    let issue = issue_id(&app, "PaymentError").await;
    let deliveries = settled_deliveries(&app, issue).await;
    assert_eq!(deliveries[0]["state"], "failed");
    assert_eq!(deliveries[0]["error"], "no member has opted in to this project's alert emails");
    assert_eq!(smtp.received().len(), 1, "nothing more was mailed");
}
