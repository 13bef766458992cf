//! Email alerts through a real SMTP server (aiosmtpd): what arrives (addresses, subject, both
//! parts, links, the delivery id), that event text cannot add a header or markup, that the
//! server's temporary refusals are retried and its permanent ones given up with its reply, and
//! that a server without SMTP settings refuses email channels clearly.

use crate::alerts::{WAIT, alerting_app, channel, issue_id, rule, send, settled_deliveries};
use crate::helpers::{FIXTURE_PROJECT, Options, TestApp, spawn_app_with};
use crate::smtp::SmtpServer;
use serde_json::{Value, json};

pub async fn mailing_app(smtp: &SmtpServer) -> TestApp {
    spawn_app_with(Options {
        alerts_allow_private_networks: true,
        alerts_retry_seconds: Some(0.05),
        alerts_timeout_seconds: Some(5.0),
        smtp_url: Some(smtp.url()),
        ..Options::default()
    })
    .await
}

async fn add_channel(app: &TestApp, addresses: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/alert-channels/")))
        .json(&json!({"name": "On-call email", "kind": "email", "url": addresses}))
        .send()
        .await
        .expect("post")
}

/// Adds an email channel and a new-issue rule sending to it.
async fn email_rule(app: &TestApp, addresses: &str) {
    let (channel, _) = channel(app, "email", addresses).await;
    rule(app, json!({"name": "New errors", "triggers": [{"type": "new_issue"}], "channels": [channel]})).await;
}

#[tokio::test]
async fn a_new_issue_is_mailed_to_the_channels_addresses_with_a_text_and_an_html_part() {
    let smtp = SmtpServer::start().await;
    let app = mailing_app(&smtp).await;
    let response = add_channel(&app, " ops@example.com, dev@example.com ").await;
    assert_eq!(response.status(), 200);
    let created: Value = response.json().await.expect("json");
    assert_eq!(created["channel"]["url"], "mailto:ops@example.com,dev@example.com", "addresses are shown, not masked");
    let channel = created["channel"]["id"].as_i64().expect("id");
    rule(&app, json!({"name": "New errors", "triggers": [{"type": "new_issue"}], "channels": [channel]})).await;

    let value = "<b>cart</b> is empty\r\nBcc: victim@example.com";
    send(&app, 1, "CheckoutError", json!({"exception": {"values": [{"type": "CheckoutError", "value": value}]}})).await;
    let mail = smtp.wait_for(1, WAIT).await.remove(0);
    let issue = issue_id(&app, "CheckoutError").await;

    assert_eq!(mail.mail_from, "alerts@faultline.test");
    assert_eq!(mail.rcpt_tos, ["ops@example.com", "dev@example.com"], "only the channel's addresses");
    assert_eq!(mail.header("Bcc"), None, "event text adds no header");
    let subject = mail.header("Subject").expect("a subject");
    assert!(subject.starts_with("[Recordings] New issue: CheckoutError: <b>cart</b> is empty"), "{subject}");
    assert!(!subject.contains(['\r', '\n']), "{subject:?}");
    let deliveries = settled_deliveries(&app, issue).await;
    assert_eq!(deliveries[0]["state"], "sent");
    assert_eq!(deliveries[0]["status_code"], 250, "the SMTP server's reply code");
    let delivery = deliveries[0]["id"].as_str().expect("id");
    assert_eq!(mail.header("X-Faultline-Delivery"), Some(delivery));
    assert_eq!(mail.header("Message-ID"), Some(format!("<{delivery}@faultline>").as_str()), "a retry is a duplicate");

    let link = format!("http://{}/issues/{issue}?event={:032x}", app.addr, 1);
    assert!(mail.text().contains("New issue (rule “New errors”)"), "{}", mail.text());
    assert!(mail.text().contains(&format!("Open in Faultline: {link}")), "{}", mail.text());
    assert!(mail.html().contains(&format!("<a href=\"{link}\"")), "{}", mail.html());
    assert!(mail.html().contains("&lt;b&gt;cart&lt;/b&gt; is empty"), "{}", mail.html());
    assert!(!mail.html().contains("<b>cart</b>"), "event text is no markup: {}", mail.html());

    let answer: Value = app
        .client
        .post(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/alert-channels/{channel}/test/")))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!((answer["state"].as_str(), answer["status_code"].as_u64()), (Some("sent"), Some(250)), "{answer}");
    let test = smtp.wait_for(2, WAIT).await.remove(1);
    assert_eq!(test.header("Subject"), Some("[Recordings] Test alert: Faultline can reach this channel"));
}

#[tokio::test]
async fn a_temporary_smtp_refusal_is_retried_and_a_permanent_one_is_given_up_with_the_reply() {
    let smtp = SmtpServer::start().await;
    let app = mailing_app(&smtp).await;
    email_rule(&app, "mailto:ops@example.com").await;

    smtp.reply("451 4.3.0 Mailbox busy, try again").await;
    send(&app, 1, "FirstError", json!({})).await;
    let mails = smtp.wait_for(2, WAIT).await;
    assert_eq!(mails[0].reply, "451 4.3.0 Mailbox busy, try again");
    assert_eq!(mails[1].header("Message-ID"), mails[0].header("Message-ID"), "the same delivery, again");
    let first = settled_deliveries(&app, issue_id(&app, "FirstError").await).await;
    assert_eq!((first[0]["state"].as_str(), first[0]["attempts"].as_u64()), (Some("sent"), Some(2)), "{first:?}");

    smtp.reply("550 5.1.1 No such user here").await;
    send(&app, 2, "SecondError", json!({})).await;
    smtp.wait_for(3, WAIT).await;
    let second = settled_deliveries(&app, issue_id(&app, "SecondError").await).await;
    assert_eq!((second[0]["state"].as_str(), second[0]["attempts"].as_u64()), (Some("failed"), Some(1)), "{second:?}");
    assert_eq!(second[0]["status_code"], 550);
    let error = second[0]["error"].as_str().unwrap_or_default();
    assert!(error.contains("No such user here"), "the server's own words: {error}");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(smtp.received().len(), 3, "a permanent refusal is not tried again");
}

#[tokio::test]
async fn email_channels_need_valid_addresses_and_a_server_that_sends_email() {
    let smtp = SmtpServer::start().await;
    let app = mailing_app(&smtp).await;
    for (addresses, expected) in [
        ("mailto:", "name at least one address"),
        ("ops@example.com, not an address", "`not an address` is not an address"),
        ("ops@example.com\r\nBcc: victim@example.com", "is not an address"),
    ] {
        let response = add_channel(&app, addresses).await;
        assert_eq!(response.status(), 422, "{addresses:?}");
        let body: Value = response.json().await.expect("json");
        assert!(body["error"]["message"].as_str().unwrap_or_default().contains(expected), "{addresses:?}: {body}");
    }

    let without_smtp = alerting_app().await;
    let response = add_channel(&without_smtp, "ops@example.com").await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.expect("json");
    assert!(body["error"]["message"].as_str().unwrap_or_default().contains("--smtp-url"), "{body}");
}
