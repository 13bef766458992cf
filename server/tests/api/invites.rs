//! Invites: a one-time link creates one account with its role, however many use it at once.

use crate::helpers::{PASSWORD, TestApp, spawn_app};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A new invite link for project 42 with `role`.
async fn invite_link(app: &TestApp, role: &str) -> String {
    let link: Value = app
        .client
        .post(app.url("/api/0/invites/"))
        .json(&json!({"project_id": 42, "role": role}))
        .send()
        .await
        .expect("invite")
        .json()
        .await
        .expect("json");
    link["url"].as_str().expect("url").to_owned()
}

/// A new invite link's token, for project 42 with `role`.
async fn invite(app: &TestApp, role: &str) -> String {
    invite_link(app, role).await.rsplit('/').next().expect("token").to_owned()
}

async fn accept(app: &TestApp, token: &str, email: &str) -> StatusCode {
    app.anonymous
        .post(app.url(&format!("/api/0/invites/{token}/accept")))
        .header("origin", app.origin())
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("accept")
        .status()
}

#[tokio::test]
async fn an_invite_link_creates_an_account_with_its_role_once() {
    let app = spawn_app().await;
    let url = invite_link(&app, "viewer").await;
    let token = url.rsplit('/').next().expect("token");
    assert!(url.starts_with(&app.origin()));

    let info: Value = app
        .anonymous
        .get(app.url(&format!("/api/0/invites/{token}")))
        .send()
        .await
        .expect("info")
        .json()
        .await
        .expect("json");
    assert_eq!((info["project_name"].as_str(), info["role"].as_str()), (Some("Recordings"), Some("viewer")));

    let accept = || {
        app.anonymous
            .post(app.url(&format!("/api/0/invites/{token}/accept")))
            .header("origin", app.origin())
            .json(&json!({"email": "teammate@example.com", "password": PASSWORD}))
            .send()
    };
    let accepted = accept().await.expect("accept");
    assert_eq!(accepted.status(), 200);
    let cookie = accepted.headers()["set-cookie"].to_str().expect("cookie").split(';').next().expect("pair").to_owned();
    let projects: Value = app
        .anonymous
        .get(app.url("/api/0/projects/"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("projects")
        .json()
        .await
        .expect("json");
    assert_eq!(
        projects,
        json!([{"id": 42, "name": "Recordings", "platform": "other", "role": "viewer", "created_at": projects[0]["created_at"]}])
    );
    assert_eq!(accept().await.expect("again").status(), StatusCode::NOT_FOUND, "the link works once");
}

#[tokio::test]
async fn concurrent_accepts_of_one_link_create_one_account() {
    let app = spawn_app().await;
    let token = invite(&app, "member").await;
    let accepts = (0..6).map(|n| {
        let (app, token) = (&app, &token);
        async move { accept(app, token, &format!("teammate{n}@example.com")).await }
    });
    let statuses = join_all(accepts).await;
    assert_eq!(statuses.iter().filter(|status| **status == StatusCode::OK).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|status| [200, 404, 409].contains(&status.as_u16())), "{statuses:?}");
    let users = server::store::users::list(&app.db).await.expect("users");
    assert_eq!(users.len(), 2, "the owner and one teammate");
    let members = app.get_json("/api/0/projects/42/members/").await;
    assert_eq!(members.as_array().expect("members").len(), 1, "{members}");
}

#[tokio::test]
async fn two_links_accepted_at_once_with_one_email_make_one_account_and_a_409() {
    let app = spawn_app().await;
    let (first, second) = (invite(&app, "viewer").await, invite(&app, "member").await);
    let (a, b) = tokio::join!(accept(&app, &first, "same@example.com"), accept(&app, &second, "same@example.com"));
    let mut statuses = [a.as_u16(), b.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
    assert_eq!(server::store::users::list(&app.db).await.expect("users").len(), 2);
    let unused = if a == StatusCode::OK { &second } else { &first };
    assert_eq!(accept(&app, unused, "other@example.com").await, StatusCode::OK, "the refused link is still open");
}
