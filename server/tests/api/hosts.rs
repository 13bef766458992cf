//! DNS rebinding: a page on a name the attacker controls, resolved to this server, sends its own
//! name in `Host` and `Origin`. Only allowed hosts reach pages, the API, setup, sign-in and the
//! live socket; ingestion and the health checks answer any host; and a cookie-authenticated
//! change must come from an allowed origin, whatever `Host` says.

use crate::helpers::{OWNER_EMAIL, Options, PASSWORD, SETUP_TOKEN, TestApp, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

const REBOUND: &str = "rebind.evil.example";

/// `Host` and `Origin` of the attacker's name on this server's port.
fn rebound(app: &TestApp) -> (String, String) {
    let host = format!("{REBOUND}:{}", app.addr.port());
    let origin = format!("http://{host}");
    (host, origin)
}

/// `POST path` under the rebound name, as the attacker's page sends it (with the victim's
/// session cookie, when the browser has one for that name).
async fn rebound_post(app: &TestApp, path: &str, cookie: Option<&str>, body: Value) -> reqwest::Response {
    let (host, origin) = rebound(app);
    let mut request = app.anonymous.post(app.url(path)).header("host", host).header("origin", origin).json(&body);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.expect("sent")
}

async fn refused_as_rebound(response: reqwest::Response, what: &str) {
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{what}");
    let body: Value = response.json().await.expect("a JSON error");
    assert_eq!(body["error"]["code"], "host_not_allowed", "{what}");
}

#[tokio::test]
async fn a_rebound_host_gets_no_page_setup_sign_in_token_comment_or_socket() {
    let fresh = spawn_app_with(Options { without_owner: true, ..Options::default() }).await;
    let owner = json!({"setup_token": SETUP_TOKEN, "email": "mallory@example.com", "password": PASSWORD});
    refused_as_rebound(rebound_post(&fresh, "/api/0/auth/setup", None, owner).await, "setup").await;
    assert_eq!(server::store::users::count(&fresh.db).await.expect("count"), 0, "nobody was created");

    let app = spawn_app().await;
    let (host, origin) = rebound(&app);
    let page = app.anonymous.get(app.url("/login")).header("host", &host).send().await.expect("page");
    refused_as_rebound(page, "a page").await;
    let credentials = json!({"email": OWNER_EMAIL, "password": PASSWORD});
    refused_as_rebound(rebound_post(&app, "/api/0/auth/login", None, credentials).await, "sign-in").await;

    // A browser signed in on the real name carries its cookie to the rebound one only if the
    // names match; the server must refuse even then.
    let cookie = app.sign_in(OWNER_EMAIL).await;
    let token = rebound_post(&app, "/api/0/tokens/", Some(&cookie), json!({"name": "stolen", "scope": "admin"}));
    refused_as_rebound(token.await, "token creation").await;
    let comment = rebound_post(&app, "/api/0/issues/1/comments/", Some(&cookie), json!({"text": "hi"}));
    refused_as_rebound(comment.await, "a comment").await;

    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut socket = format!("ws://{}/api/0/live", app.addr).into_client_request().expect("request");
    socket.headers_mut().insert("host", host.parse().expect("host"));
    socket.headers_mut().insert("origin", origin.parse().expect("origin"));
    socket.headers_mut().insert("cookie", cookie.parse().expect("cookie"));
    match tokio_tungstenite::connect_async(socket).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 400),
        other => panic!("the socket opened for a rebound host: {:?}", other.map(|(_, response)| response.status())),
    }
}

#[tokio::test]
async fn ingestion_and_the_health_checks_answer_any_host() {
    let app = spawn_app().await;
    let (host, _) = rebound(&app);
    let event = crate::helpers::envelope_with_event("a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4", json!({"message": "hi"}));
    let ingest = app
        .anonymous
        .post(app.url(&format!(
            "/api/{}/envelope/?sentry_key={}",
            crate::helpers::FIXTURE_PROJECT,
            crate::helpers::FIXTURE_KEY
        )))
        .header("host", "sdk-facing.example:443")
        .body(event)
        .send()
        .await
        .expect("ingest");
    assert_eq!(ingest.status(), 200);
    for path in ["/healthz", "/readyz"] {
        let health = app.anonymous.get(app.url(path)).header("host", &host).send().await.expect("health");
        assert_eq!(health.status(), 200, "{path}");
        assert_eq!(health.json::<Value>().await.expect("json")["status"], "ok");
    }
}

#[tokio::test]
async fn the_public_url_and_allowed_hosts_are_served_with_their_own_origins() {
    let app = spawn_app_with(Options {
        public_url: Some("https://errors.example.com".into()),
        allowed_hosts: vec!["errors.internal".into()],
        ..Options::default()
    })
    .await;
    let login = |host: String, origin: String| {
        app.anonymous
            .post(app.url("/api/0/auth/login"))
            .header("host", host)
            .header("origin", origin)
            .json(&json!({"email": OWNER_EMAIL, "password": PASSWORD}))
            .send()
    };
    let port = app.addr.port();
    let behind_proxy = login("errors.example.com".into(), "https://errors.example.com".into()).await.expect("login");
    assert_eq!(behind_proxy.status(), 200, "the public URL, as a reverse proxy forwards it");
    let internal =
        login(format!("errors.internal:{port}"), format!("http://errors.internal:{port}")).await.expect("login");
    assert_eq!(internal.status(), 200, "an allowed host on the server's own port");
    let loopback = login(format!("127.0.0.1:{port}"), format!("http://localhost:{port}")).await.expect("login");
    assert_eq!(loopback.status(), 200, "loopback names while listening on loopback");
    let other_port = login(format!("127.0.0.1:{port}"), format!("http://127.0.0.1:{}", port.wrapping_add(1))).await;
    assert_eq!(other_port.expect("login").status(), StatusCode::FORBIDDEN, "another program on this machine");
    let page = app.anonymous.get(app.url("/login")).header("host", format!("errors.internal:{port}")).send().await;
    assert_eq!(page.expect("page").status(), 200);
    let other = app.anonymous.get(app.url("/login")).header("host", "errors.example.org").send().await;
    assert_eq!(other.expect("page").status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn listening_on_every_address_without_a_public_url_warns_at_start() {
    use std::io::{BufRead, BufReader};
    let data = tempfile::tempdir().expect("data directory");
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(["--host", "0.0.0.0", "--port", "0", "--data-dir"])
        .arg(data.path())
        .current_dir(crate::helpers::workspace_root())
        .env_remove("FAULTLINE_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the server starts");
    let stderr = server.stderr.take().expect("stderr");
    let warning = tokio::task::spawn_blocking(move || {
        BufReader::new(stderr).lines().map_while(Result::ok).find(|line| line.contains("without --public-url"))
    });
    let warning = tokio::time::timeout(std::time::Duration::from_secs(30), warning).await;
    server.kill().expect("stopped");
    server.wait().expect("reaped");
    let line = warning.expect("a warning within 30 s").expect("read").expect("the warning");
    assert!(line.contains("WARN") && line.contains("localhost"), "{line}");
}
