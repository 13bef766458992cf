//! The live socket: a dashboard connected to `/api/0/live` hears about new issues and new
//! events right after they are stored.

use crate::helpers::{TestApp, envelope_with_event, spawn_app};
use app::live::{LiveChange, LiveUpdate};
use futures::StreamExt;
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(app: &TestApp) -> Socket {
    let (socket, _) =
        tokio_tungstenite::connect_async(format!("ws://{}/api/0/live", app.addr)).await.expect("connects");
    socket
}

async fn next_update(socket: &mut Socket) -> LiveUpdate {
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

fn error_event(n: u32) -> String {
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

    assert_eq!(app.post_envelope(error_event(2)).await.status(), 200);
    let updated = next_update(&mut socket).await;
    assert_eq!(updated.seq, created.seq + 1);
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
