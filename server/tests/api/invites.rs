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

/// `GET` of an invite link's page data: the status and the error message, if any.
async fn show(app: &TestApp, token: &str) -> (StatusCode, String) {
    let response = app.anonymous.get(app.url(&format!("/api/0/invites/{token}"))).send().await.expect("show");
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    (status, body["error"]["message"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn a_used_or_expired_link_says_so() {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
    use server::store::entities::invite;
    let app = spawn_app().await;
    let used = invite(&app, "member").await;
    assert_eq!(accept(&app, &used, "teammate@example.com").await, StatusCode::OK);
    let (status, message) = show(&app, &used).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(message.starts_with("this invite link was already used; sign in"), "{message}");

    let expired = invite(&app, "member").await;
    let row =
        invite::Entity::find().all(&app.db).await.expect("invites").into_iter().max_by_key(|row| row.id).expect("row");
    let mut row: invite::ActiveModel = row.into();
    row.expires_at = Set(chrono::Utc::now() - chrono::Duration::hours(1));
    row.update(&app.db).await.expect("expire");
    let (status, message) = show(&app, &expired).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(message.starts_with("this invite link expired on "), "{message}");
    assert_eq!(accept(&app, &expired, "late@example.com").await, StatusCode::NOT_FOUND, "and it cannot be accepted");

    assert_eq!(show(&app, "no-such-token").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_owner_lists_the_links_not_used_yet_and_revokes_one() {
    let app = spawn_app().await;
    let used = invite(&app, "viewer").await;
    assert_eq!(accept(&app, &used, "teammate@example.com").await, StatusCode::OK);
    let open = invite(&app, "admin").await;
    let other: Value = app
        .client
        .post(app.url("/api/0/invites/"))
        .json(&json!({}))
        .send()
        .await
        .expect("invite")
        .json()
        .await
        .expect("json");
    assert!(other["url"].is_string());

    let pending = app.get_json("/api/0/invites/").await;
    let pending = pending.as_array().expect("list");
    assert_eq!(pending.len(), 2, "the used link is not listed: {pending:?}");
    assert_eq!((pending[0]["project_name"].as_str(), pending[0]["role"].as_str()), (None, None), "newest first");
    assert_eq!((pending[1]["project_name"].as_str(), pending[1]["role"].as_str()), (Some("Recordings"), Some("admin")));
    assert_eq!(pending[1]["created_by"], crate::helpers::OWNER_EMAIL);

    // A teammate may not see or revoke them.
    let cookie = app.sign_in("teammate@example.com").await;
    let listed = app.anonymous.get(app.url("/api/0/invites/")).header("cookie", &cookie).send().await.expect("list");
    assert_eq!(listed.status(), StatusCode::FORBIDDEN);
    let id = pending[1]["id"].as_i64().expect("id");
    let revoke = |client: &reqwest::Client| {
        client.delete(app.url(&format!("/api/0/invites/{id}/"))).header("origin", app.origin())
    };
    let refused = revoke(&app.anonymous).header("cookie", &cookie).send().await.expect("delete");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    assert_eq!(revoke(&app.client).send().await.expect("delete").status(), StatusCode::NO_CONTENT);
    assert_eq!(show(&app, &open).await.0, StatusCode::NOT_FOUND, "a revoked link no longer opens");
    assert_eq!(accept(&app, &open, "admin@example.com").await, StatusCode::NOT_FOUND);
    assert_eq!(app.get_json("/api/0/invites/").await.as_array().expect("list").len(), 1);
    assert_eq!(revoke(&app.client).send().await.expect("again").status(), StatusCode::NOT_FOUND);
}
