//! The live socket: a dashboard connected to `/api/0/live` hears about new issues and new
//! events right after they are stored.

use crate::helpers::{OWNER_EMAIL, TestApp, envelope_with_event, spawn_app};
use app::live::{LiveChange, LiveUpdate};
use futures::StreamExt;
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens the live socket as a signed-in dashboard page does: with the session cookie, from
/// this server's origin.
async fn connect(app: &TestApp) -> Socket {
    connect_as(app, OWNER_EMAIL).await
}

async fn connect_as(app: &TestApp, email: &str) -> Socket {
    let cookie = app.sign_in(email).await;
    open_socket(app, &cookie).await.expect("connects")
}

/// Opens the live socket with this session cookie, from this server's origin.
pub async fn open_socket(app: &TestApp, cookie: &str) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = format!("ws://{}/api/0/live", app.addr).into_client_request()?;
    request.headers_mut().insert("cookie", cookie.parse().expect("cookie"));
    request.headers_mut().insert("origin", app.origin().parse().expect("origin"));
    Ok(tokio_tungstenite::connect_async(request).await?.0)
}

pub async fn next_update(socket: &mut Socket) -> LiveUpdate {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a live message within 5 s")
            .expect("socket open")
            .expect("valid frame");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("a LiveUpdate");
        }
    }
}

pub fn error_event(n: u32) -> String {
    envelope_with_event(
        &format!("{n:032x}"),
        json!({"exception": {"values": [{"type": "PaymentError", "value": "card declined"}]}, "level": "error"}),
    )
}

#[tokio::test]
async fn a_connected_dashboard_hears_of_a_new_issue_and_then_of_its_next_event() {
    let app = spawn_app().await;
    let mut socket = connect(&app).await;
    let hello = next_update(&mut socket).await;
    assert_eq!(hello.change, LiveChange::Connected);

    assert_eq!(app.post_envelope(error_event(1)).await.status(), 200);
    let created = next_update(&mut socket).await;
    assert_eq!(created.seq, hello.seq + 1, "sequence numbers have no gaps");
    let LiveChange::IssueCreated { issue } = created.change else { panic!("expected IssueCreated, got {created:?}") };
    assert_eq!((issue.title.as_str(), issue.event_count), ("PaymentError: card declined", 1));
    let tail = next_update(&mut socket).await;
    let LiveChange::EventsAdded { issue_id, events, .. } = tail.change else {
        panic!("expected EventsAdded, got {tail:?}")
    };
    assert_eq!((issue_id, events.len()), (issue.id, 1), "the issue page's live tail hears of the event");
    assert_eq!(events[0].event_id, format!("{:032x}", 1));

    assert_eq!(app.post_envelope(error_event(2)).await.status(), 200);
    let updated = next_update(&mut socket).await;
    assert_eq!(updated.seq, tail.seq + 1);
    let LiveChange::IssueUpdated { issue: again } = updated.change else {
        panic!("expected IssueUpdated, got {updated:?}")
    };
    assert_eq!((again.id, again.event_count), (issue.id, 2));
    assert!(again.last_seen >= issue.last_seen);
}

#[tokio::test]
async fn every_open_dashboard_gets_the_same_updates() {
    let app = spawn_app().await;
    let mut first = connect(&app).await;
    let mut second = connect(&app).await;
    next_update(&mut first).await;
    next_update(&mut second).await;
    assert_eq!(app.post_envelope(error_event(1)).await.status(), 200);
    assert_eq!(next_update(&mut first).await, next_update(&mut second).await);
}

#[tokio::test]
async fn a_rejected_event_is_not_announced() {
    let app = spawn_app().await;
    let mut socket = connect(&app).await;
    next_update(&mut socket).await;
    let refused = app
        .client
        .post(app.url("/api/42/envelope/?sentry_key=nottherightkey"))
        .body(error_event(1))
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), 403);
    assert_eq!(app.post_envelope(error_event(2)).await.status(), 200);
    let LiveChange::IssueCreated { issue } = next_update(&mut socket).await.change else {
        panic!("expected the accepted event")
    };
    assert_eq!(issue.event_count, 1, "only the accepted event counts");
}

#[tokio::test]
async fn the_socket_refuses_strangers_and_other_sites() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let app = spawn_app().await;
    let url = format!("ws://{}/api/0/live", app.addr);
    let anonymous = tokio_tungstenite::connect_async(url.as_str()).await;
    assert!(anonymous.is_err(), "no session, no socket");

    let mut cross_site = url.as_str().into_client_request().expect("request");
    cross_site.headers_mut().insert("cookie", app.sign_in(OWNER_EMAIL).await.parse().expect("cookie"));
    cross_site.headers_mut().insert("origin", "https://evil.example".parse().expect("origin"));
    assert!(tokio_tungstenite::connect_async(cross_site).await.is_err(), "another site cannot open it with our cookie");
}

#[tokio::test]
async fn a_member_hears_only_of_the_projects_they_belong_to() {
    let app = spawn_app().await;
    let member = crate::helpers::create_user(&app.db, "viewer@faultline.test", false).await;
    server::store::members::set(&app.db, crate::helpers::FIXTURE_PROJECT, member.id, app::model::Role::Viewer)
        .await
        .expect("member");
    let mut socket = connect_as(&app, "viewer@faultline.test").await;
    next_update(&mut socket).await;

    let elsewhere = app.default_project.clone();
    let other_url = format!("/api/{}/envelope/?sentry_key={}", elsewhere.project_id, elsewhere.public_key.as_str());
    assert_eq!(app.ingest(&other_url, None, error_event(1)).await.status(), 200);
    assert_eq!(app.post_envelope(error_event(2)).await.status(), 200);
    let LiveChange::IssueCreated { issue } = next_update(&mut socket).await.change else { panic!("expected an issue") };
    assert_eq!(issue.project_id, crate::helpers::FIXTURE_PROJECT, "the other project's issue was not sent");
}

#[tokio::test]
async fn a_teammates_decision_and_comment_reach_every_dashboard() {
    let app = spawn_app().await;
    assert_eq!(app.post_envelope(error_event(1)).await.status(), 200);
    let issue = app.issues().await[0].id;
    let mut socket = connect(&app).await;
    next_update(&mut socket).await;

    let resolve = app.client.patch(app.url(&format!("/api/0/issues/{issue}/"))).json(&json!({"action": "resolve"}));
    assert_eq!(resolve.send().await.expect("patch").status(), 200);
    let LiveChange::IssueUpdated { issue: resolved } = next_update(&mut socket).await.change else {
        panic!("expected the issue's new status")
    };
    assert_eq!(resolved.status, app::model::IssueStatus::Resolved);
    let LiveChange::ActivityAdded { activity, .. } = next_update(&mut socket).await.change else {
        panic!("expected the activity entry")
    };
    assert_eq!((activity.issue_id, activity.kind), (issue, app::dto::ActivityKind::Resolved));

    let comment = app.client.post(app.url(&format!("/api/0/issues/{issue}/comments/"))).json(&json!({"text": "on it"}));
    assert_eq!(comment.send().await.expect("post").status(), 201);
    let LiveChange::ActivityAdded { activity, .. } = next_update(&mut socket).await.change else {
        panic!("expected the comment")
    };
    assert_eq!(activity.kind, app::dto::ActivityKind::Commented { text: "on it".to_owned() });
}
