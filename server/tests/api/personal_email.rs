//! Personal emails through a real SMTP server (aiosmtpd): a user who chose them is emailed when
//! someone else assigns them an issue and when someone else comments on an issue assigned to
//! them — never for what they did themselves, and nobody who did not choose them.

use crate::alert_email::mailing_app;
use crate::alerts::{WAIT, issue_id, send};
use crate::helpers::{FIXTURE_PROJECT, TestApp, api_token, client_with_token, create_user};
use crate::smtp::SmtpServer;
use app::model::Scope;
use serde_json::{Value, json};
use std::time::Duration;

async fn member(app: &TestApp, email: &str) -> (i64, reqwest::Client) {
    let user = create_user(&app.db, email, false).await;
    let added = app
        .client
        .post(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/members/")))
        .json(&json!({"email": email, "role": "member"}))
        .send()
        .await
        .expect("add");
    assert_eq!(added.status(), 200);
    (user.id, client_with_token(&api_token(&app.db, user.id, Scope::Write).await))
}

async fn assign(app: &TestApp, client: &reqwest::Client, issue: i64, user_id: i64) {
    let url = app.url(&format!("/api/0/issues/{issue}/"));
    let response = client.patch(url).json(&json!({"action": "assign", "user_id": user_id})).send().await;
    assert_eq!(response.expect("assign").status(), 200);
}

async fn comment(app: &TestApp, client: &reqwest::Client, issue: i64, text: &str) {
    let url = app.url(&format!("/api/0/issues/{issue}/comments/"));
    let response = client.post(url).json(&json!({"text": text})).send().await;
    assert_eq!(response.expect("comment").status(), 201);
}

#[tokio::test]
async fn assignments_and_comments_are_emailed_to_the_assignee_who_chose_them() {
    let smtp = SmtpServer::start().await;
    let app = mailing_app(&smtp).await;
    let (jane_id, jane) = member(&app, "jane@example.com").await;
    let (ben_id, ben) = member(&app, "ben@example.com").await;
    let settings = app.url("/api/0/auth/notifications");
    let chosen: Value = jane.get(&settings).send().await.expect("get").json().await.expect("json");
    assert_eq!(chosen, json!({"assigned": false, "comments": false}), "nothing unless chosen");
    let put = jane.put(&settings).json(&json!({"assigned": true, "comments": true})).send().await.expect("put");
    assert_eq!(put.status(), 200);
    let reader = client_with_token(&api_token(&app.db, ben_id, Scope::Read).await);
    let refused = reader.put(&settings).json(&json!({"assigned": true, "comments": true})).send().await;
    assert_eq!(refused.expect("put").status(), 403, "a read-only token changes nothing");

    send(&app, 1, "CheckoutError", json!({})).await;
    send(&app, 2, "PaymentError", json!({})).await;
    let checkout = issue_id(&app, "CheckoutError").await;
    let payment = issue_id(&app, "PaymentError").await;
    assign(&app, &app.client, checkout, jane_id).await;
    let mail = smtp.wait_for(1, WAIT).await.remove(0);
    assert_eq!(mail.rcpt_tos, ["jane@example.com"]);
    let subject = mail.header("Subject").expect("subject");
    assert!(subject.starts_with("[Recordings] Assigned to you: CheckoutError"), "{subject}");
    assert!(mail.text().contains("owner@faultline.test assigned this issue to you."), "{}", mail.text());
    assert!(
        mail.text().contains(&format!("Open in Faultline: http://{}/issues/{checkout}", app.addr)),
        "{}",
        mail.text()
    );

    // What Jane does herself, and what happens to Ben (who chose nothing), is not emailed.
    assign(&app, &jane, payment, jane_id).await;
    comment(&app, &jane, checkout, "looking").await;
    assign(&app, &app.client, payment, ben_id).await;
    comment(&app, &ben, checkout, "<b>me too</b>\nsee the logs").await;
    let mails = smtp.wait_for(2, WAIT).await;
    let comment_mail = &mails[1];
    assert_eq!(comment_mail.rcpt_tos, ["jane@example.com"]);
    let subject = comment_mail.header("Subject").expect("subject");
    assert!(subject.starts_with("[Recordings] New comment: CheckoutError"), "{subject}");
    assert!(comment_mail.text().contains("ben@example.com commented on an issue assigned to you:"));
    let quoted: Vec<&str> = comment_mail.text().lines().filter(|line| line.starts_with("> ")).collect();
    assert_eq!(quoted, ["> <b>me too</b>", "> see the logs"], "the comment, quoted line by line");
    assert!(comment_mail.html().contains("&lt;b&gt;me too&lt;/b&gt;"), "{}", comment_mail.html());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.received().len(), 2, "one email per assignment or comment Jane chose, none else");
    assert_ne!(mail.header("Message-ID"), comment_mail.header("Message-ID"));
}

#[tokio::test]
async fn a_refused_personal_email_is_retried_until_the_server_takes_it() {
    let smtp = SmtpServer::start().await;
    let app = mailing_app(&smtp).await;
    let (jane_id, jane) = member(&app, "jane@example.com").await;
    let settings = app.url("/api/0/auth/notifications");
    jane.put(&settings).json(&json!({"assigned": true, "comments": false})).send().await.expect("put");
    send(&app, 1, "CheckoutError", json!({})).await;
    smtp.reply("451 4.3.0 Try again later").await;
    assign(&app, &app.client, issue_id(&app, "CheckoutError").await, jane_id).await;
    let mails = smtp.wait_for(2, WAIT).await;
    assert_eq!(mails[0].reply, "451 4.3.0 Try again later");
    assert!(mails[1].reply.starts_with("250"), "{}", mails[1].reply);
    assert_eq!(mails[0].header("Message-ID"), mails[1].header("Message-ID"), "the same email, tried again");
}
