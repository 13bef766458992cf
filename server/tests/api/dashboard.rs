//! The issue list as the server renders it, before any JavaScript runs.

use crate::helpers::{OWNER_EMAIL, TestApp, envelope_with_event, spawn_app};
use serde_json::json;

/// The page as the signed-in owner's browser gets it.
async fn page(app: &TestApp, path: &str) -> reqwest::Response {
    let cookie = app.sign_in(OWNER_EMAIL).await;
    app.anonymous.get(app.url(path)).header("cookie", cookie).send().await.expect("page")
}

#[tokio::test]
async fn the_issue_list_is_rendered_on_the_server_with_its_hydration_scripts() {
    let app = spawn_app().await;
    let event = json!({"exception": {"values": [{"type": "TimeoutError", "value": "checkout took 31s"}]}});
    assert_eq!(app.post_envelope(envelope_with_event(&format!("{:032x}", 1), event)).await.status(), 200);

    let response = page(&app, "/").await;
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"].to_str().expect("csp").to_owned();
    let html = response.text().await.expect("html");
    assert!(html.contains("TimeoutError: checkout took 31s"), "the issue is in the HTML");
    assert!(html.contains("/pkg/faultline.js") && html.contains("faultline.wasm"), "hydration loads the wasm");
    assert!(html.contains("/pkg/faultline.css"));
    assert!(html.contains("just now"), "last seen is relative");
    let nonce = csp.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce in the CSP");
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the nonce");
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{csp}");
}

#[tokio::test]
async fn signed_out_visitors_are_sent_to_sign_in_and_a_fresh_instance_to_setup() {
    let app = spawn_app().await;
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let home = no_redirects.get(app.url("/")).header("accept", "text/html").send().await.expect("page");
    assert_eq!(home.status(), 302);
    assert_eq!(home.headers()["location"], "/login");
    let login = no_redirects.get(app.url("/login")).header("accept", "text/html").send().await.expect("page");
    assert_eq!(login.status(), 200, "the owner exists, so no setup");
}

#[tokio::test]
async fn an_empty_project_shows_how_to_send_the_first_event() {
    let app = spawn_app().await;
    let html = page(&app, "/").await.text().await.expect("html");
    assert!(html.contains("No issues yet"));
}

#[tokio::test]
async fn event_text_is_rendered_escaped() {
    let app = spawn_app().await;
    let event = json!({"exception": {"values": [{"type": "XssError", "value": "<script>alert(1)</script>"}]}});
    assert_eq!(app.post_envelope(envelope_with_event(&format!("{:032x}", 1), event)).await.status(), 200);
    let html = page(&app, "/").await.text().await.expect("html");
    assert!(html.contains("XssError: &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>alert(1)</script>"));
}

#[tokio::test]
async fn an_unknown_page_is_a_404() {
    let app = spawn_app().await;
    let response = page(&app, "/no/such/page").await;
    assert_eq!(response.status(), 404);
}
