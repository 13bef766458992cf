//! The issue list as the server renders it, before any JavaScript runs.

use crate::helpers::{envelope_with_event, spawn_app};
use serde_json::json;

#[tokio::test]
async fn the_issue_list_is_rendered_on_the_server_with_its_hydration_scripts() {
    let app = spawn_app().await;
    let event = json!({"exception": {"values": [{"type": "TimeoutError", "value": "checkout took 31s"}]}});
    assert_eq!(app.post_envelope(envelope_with_event(&format!("{:032x}", 1), event)).await.status(), 200);

    let page = app.client.get(app.url("/")).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("TimeoutError: checkout took 31s"), "the issue is in the HTML");
    assert!(html.contains("/pkg/faultline.js") && html.contains("faultline.wasm"), "hydration loads the wasm");
    assert!(html.contains("/pkg/faultline.css"));
    assert!(html.contains("just now"), "last seen is relative");
}

#[tokio::test]
async fn an_empty_project_shows_how_to_send_the_first_event() {
    let app = spawn_app().await;
    let html = app.client.get(app.url("/")).send().await.expect("page").text().await.expect("html");
    assert!(html.contains("No issues yet"));
}

#[tokio::test]
async fn event_text_is_rendered_escaped() {
    let app = spawn_app().await;
    let event = json!({"exception": {"values": [{"type": "XssError", "value": "<script>alert(1)</script>"}]}});
    assert_eq!(app.post_envelope(envelope_with_event(&format!("{:032x}", 1), event)).await.status(), 200);
    let html = app.client.get(app.url("/")).send().await.expect("page").text().await.expect("html");
    assert!(html.contains("XssError: &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>alert(1)</script>"));
}

#[tokio::test]
async fn an_unknown_page_is_a_404() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/no/such/page")).send().await.expect("page");
    assert_eq!(response.status(), 404);
}
