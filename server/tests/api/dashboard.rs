//! The issue list and the issue page as the server renders them, before any JavaScript runs.

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
    let deep =
        no_redirects.get(app.url("/issues/12?event=abc")).header("accept", "text/html").send().await.expect("page");
    assert_eq!(deep.status(), 302);
    assert_eq!(deep.headers()["location"], "/login?next=%2Fissues%2F12%3Fevent%3Dabc", "signing in comes back here");
    let login = no_redirects.get(app.url("/login")).header("accept", "text/html").send().await.expect("page");
    assert_eq!(login.status(), 200, "the owner exists, so no setup");
}

#[tokio::test]
async fn an_empty_project_shows_how_to_send_the_first_event() {
    let app = spawn_app().await;
    let html = page(&app, "/").await.text().await.expect("html");
    assert!(html.contains("No unresolved issues") && html.contains("the moment they arrive"));
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

#[tokio::test]
async fn the_list_shows_unresolved_issues_and_each_status_under_its_tab() {
    let app = spawn_app().await;
    for (n, ty) in [(1, "KeptError"), (2, "FixedError")] {
        let event = json!({"exception": {"values": [{"type": ty, "value": "x"}]}});
        assert_eq!(app.post_envelope(envelope_with_event(&format!("{n:032x}"), event)).await.status(), 200);
    }
    let fixed = app.issues().await.into_iter().find(|issue| issue.title.starts_with("FixedError")).expect("issue");
    let resolve =
        app.client.patch(app.url(&format!("/api/0/issues/{}/", fixed.id))).json(&json!({"action": "resolve"}));
    assert_eq!(resolve.send().await.expect("patch").status(), 200);

    let unresolved = page(&app, "/").await.text().await.expect("html");
    assert!(unresolved.contains("KeptError") && !unresolved.contains("FixedError"));
    let resolved = page(&app, "/?query=is%3Aresolved").await.text().await.expect("html");
    assert!(resolved.contains("FixedError") && !resolved.contains("KeptError"));
    let all = page(&app, "/?query=").await.text().await.expect("html");
    assert!(all.contains("FixedError") && all.contains("KeptError"));
    let searched = page(&app, "/?query=fixed&sort=events").await.text().await.expect("html");
    assert!(searched.contains("FixedError") && !searched.contains("KeptError"), "free text and sort from the URL");
    assert!(searched.contains(r#"value="fixed""#), "the search box shows the search");
    let absurd = page(&app, "/?query=lastSeen%3A-99999999d").await;
    assert_eq!(absurd.status(), 200, "the page answers");
    let absurd = absurd.text().await.expect("html");
    assert!(absurd.contains("up to 36500d"), "and shows what is wrong with the search");
}

#[tokio::test]
async fn the_issue_page_shows_the_event_in_full_and_escapes_what_users_wrote() {
    let app = spawn_app().await;
    let event = json!({
        "exception": {"values": [{
            "type": "LedgerError",
            "value": "</title><b>unbalanced</b>",
            "stacktrace": {"frames": [
                {"function": "main", "filename": "app.py", "lineno": 3, "in_app": true},
                {"function": "post_entry", "filename": "ledger.py", "lineno": 42, "colno": 7, "in_app": true,
                 "pre_context": ["def post_entry(entry):"], "context_line": "    raise LedgerError(entry)",
                 "post_context": [""], "vars": {"entry": "{'amount': 12}"}}
            ]}
        }]},
        "breadcrumbs": {"values": [{"category": "db.query", "message": "SELECT balance", "timestamp": 1}]},
        "request": {"method": "POST", "url": "https://shop.example/ledger"},
        "release": "ledger@3.1",
    });
    assert_eq!(app.post_envelope(envelope_with_event(&format!("{:032x}", 1), event)).await.status(), 200);
    let issue = app.issues().await[0].id;
    let comment = app.client.post(app.url(&format!("/api/0/issues/{issue}/comments/")));
    let comment = comment.json(&json!({"text": "<img src=x onerror=alert(1)>"})).send().await.expect("comment");
    assert_eq!(comment.status(), 201);

    let response = page(&app, &format!("/issues/{issue}")).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.expect("html");
    for expected in [
        "LedgerError: &lt;/title&gt;&lt;b&gt;unbalanced&lt;/b&gt;",
        "post_entry",
        "ledger.py:42:7",
        "raise LedgerError(entry)",
        "SELECT balance",
        "POST https://shop.example/ledger",
        "ledger@3.1",
        "&lt;img src=x onerror=alert(1)&gt;",
    ] {
        assert!(html.contains(expected), "the page shows {expected}");
    }
    assert!(!html.contains("<img src=x") && !html.contains("<b>unbalanced"), "nothing users wrote is markup");
    let head = html.split("</head>").next().expect("a head");
    assert_eq!(head.matches("</title>").count(), 1, "not even in the window title");
    let missing = page(&app, "/issues/999999").await.text().await.expect("html");
    assert!(missing.contains("no such issue"), "a missing issue is a page that says so");
}
