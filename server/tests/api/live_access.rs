//! An open live socket follows its user's access: removed from a project, it stops carrying the
//! project's changes; disabled, signed out or with an expired session, it says so and closes,
//! within a second of the change or at its next periodic check. Sockets are capped per user and
//! per address.

use crate::helpers::{FIXTURE_PROJECT, OWNER_EMAIL, Options, TestApp, create_user, spawn_app, spawn_app_with};
use crate::live::{Socket, error_event, next_update, open_socket};
use app::live::LiveChange;
use app::model::Role;
use futures::StreamExt;
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// A viewer of the fixture project, signed in; their session cookie and user id.
async fn viewer(app: &TestApp, email: &str) -> (String, i64) {
    let user = create_user(&app.db, email, false).await;
    server::store::members::set(&app.db, FIXTURE_PROJECT, user.id, Role::Viewer).await.expect("member");
    (app.sign_in(email).await, user.id)
}

async fn connected(app: &TestApp, cookie: &str) -> Socket {
    let mut socket = open_socket(app, cookie).await.expect("connects");
    assert_eq!(next_update(&mut socket).await.change, LiveChange::Connected);
    socket
}

/// The next change within `within`, or `None`.
async fn heard_within(socket: &mut Socket, within: Duration) -> Option<LiveChange> {
    tokio::time::timeout(within, next_update(socket)).await.ok().map(|update| update.change)
}

/// Whether the server closes the socket within `within`, after saying the user is signed out.
async fn signed_out_and_closed(socket: &mut Socket, within: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    let mut told = false;
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Err(_) => return false,
            Ok(None | Some(Ok(Message::Close(_))) | Some(Err(_))) => return told,
            Ok(Some(Ok(Message::Text(text)))) => {
                let update: app::live::LiveUpdate = serde_json::from_str(&text).expect("a LiveUpdate");
                told |= update.change == LiveChange::SignedOut;
            }
            Ok(Some(Ok(_))) => {}
        }
    }
}

#[tokio::test]
async fn a_removed_member_stops_hearing_of_the_project_and_once_disabled_is_closed() {
    let app = spawn_app().await;
    let (cookie, user_id) = viewer(&app, "leaver@faultline.test").await;
    let mut leaver = connected(&app, &cookie).await;
    let mut owner = connected(&app, &app.sign_in(OWNER_EMAIL).await).await;
    assert_eq!(app.post_envelope(error_event(1)).await.status(), 200);
    assert!(matches!(heard_within(&mut leaver, Duration::from_secs(5)).await, Some(LiveChange::IssueCreated { .. })));

    let removed = app.client.delete(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/members/{user_id}/"))).send();
    assert_eq!(removed.await.expect("remove").status(), 204);
    let mut resynced = false;
    while let Some(change) = heard_within(&mut leaver, Duration::from_secs(1)).await {
        resynced |= change == LiveChange::Resync;
        if resynced {
            break;
        }
    }
    assert!(resynced, "the page is told to refetch within a second of the removal");

    // A new issue and a comment written after he left: the owner hears both, he hears neither.
    assert_eq!(app.post_envelope(error_event(2)).await.status(), 200);
    let issue = app.issues().await.into_iter().map(|issue| issue.id).max().expect("an issue");
    let comment = app.client.post(app.url(&format!("/api/0/issues/{issue}/comments/"))).json(&json!({"text": "after"}));
    assert_eq!(comment.send().await.expect("comment").status(), 201);
    let mut owner_heard_comment = false;
    while let Some(change) = heard_within(&mut owner, Duration::from_secs(5)).await {
        if matches!(change, LiveChange::ActivityAdded { .. }) {
            owner_heard_comment = true;
            break;
        }
    }
    assert!(owner_heard_comment);
    assert_eq!(heard_within(&mut leaver, Duration::from_millis(300)).await, None, "nothing of the project reaches him");

    let disabled = app.client.patch(app.url(&format!("/api/0/users/{user_id}/"))).json(&json!({"disabled": true}));
    assert_eq!(disabled.send().await.expect("disable").status(), 200);
    assert!(signed_out_and_closed(&mut leaver, Duration::from_secs(1)).await, "closed within a second");
}

#[tokio::test]
async fn signing_out_closes_the_sessions_socket_within_a_second() {
    let app = spawn_app().await;
    let cookie = app.sign_in(OWNER_EMAIL).await;
    let mut socket = connected(&app, &cookie).await;
    let other_tab_elsewhere = app.sign_in(OWNER_EMAIL).await;
    let mut other = connected(&app, &other_tab_elsewhere).await;
    let out =
        app.anonymous.post(app.url("/api/0/auth/logout")).header("cookie", &cookie).header("origin", app.origin());
    assert_eq!(out.send().await.expect("logout").status(), 204);
    assert!(signed_out_and_closed(&mut socket, Duration::from_secs(1)).await);
    assert_eq!(heard_within(&mut other, Duration::from_millis(300)).await, None, "another session stays open");
}

#[tokio::test]
async fn a_socket_whose_session_expired_closes_at_its_next_check() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let app = spawn_app_with(Options { socket_recheck_seconds: Some(1), ..Options::default() }).await;
    let cookie = app.sign_in(OWNER_EMAIL).await;
    let mut socket = connected(&app, &cookie).await;
    let session = server::auth::secrets::digest(cookie.split_once('=').expect("pair").1);
    let backend = app.db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "UPDATE session SET expires_at = $1 WHERE id = $2",
        _ => "UPDATE session SET expires_at = ? WHERE id = ?",
    };
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    let expire = Statement::from_sql_and_values(backend, sql, [past.into(), session.into()]);
    app.db.execute_raw(expire).await.expect("expire the session");
    assert!(signed_out_and_closed(&mut socket, Duration::from_secs(3)).await, "nothing told it; its own check did");
}

#[tokio::test]
async fn sockets_are_capped_per_user_and_per_address() {
    let app = spawn_app_with(Options {
        max_sockets_per_user: Some(2),
        max_sockets_per_address: Some(3),
        ..Options::default()
    })
    .await;
    let cookie = app.sign_in(OWNER_EMAIL).await;
    let first = connected(&app, &cookie).await;
    let _second = connected(&app, &cookie).await;
    let refused = |result: Result<Socket, tokio_tungstenite::tungstenite::Error>| match result {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status() == 429,
        _ => false,
    };
    assert!(refused(open_socket(&app, &cookie).await), "a third socket of one user");
    let (viewer_cookie, _) = viewer(&app, "second@faultline.test").await;
    let _third = connected(&app, &viewer_cookie).await;
    assert!(refused(open_socket(&app, &viewer_cookie).await), "a fourth socket from one address");
    drop(first);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(open_socket(&app, &cookie).await.is_ok(), "a closed socket frees its place");
}
