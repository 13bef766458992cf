//! The other ways SDKs reach the server: every auth form, the legacy store endpoint, CORS for
//! browsers, per-project allowed origins, per-key rate limits, attachments and inbound filters.

use crate::helpers::{
    FIXTURE_KEY, FIXTURE_PROJECT, Options, envelope_with_event, key, project, spawn_app, spawn_app_with,
};
use crate::recordings;
use base64::Engine;
use serde_json::json;
use server::store::projects;
use std::io::Write;

fn event_id(n: u32) -> String {
    format!("{n:032x}")
}

fn error_event(n: u32) -> String {
    envelope_with_event(&event_id(n), json!({"exception": {"values": [{"type": "EdgeError", "value": "edge case"}]}}))
}

#[tokio::test]
async fn the_key_is_read_from_authorization_and_from_the_envelope_dsn() {
    let app = spawn_app().await;
    let url = app.url(&format!("/api/{FIXTURE_PROJECT}/envelope/"));
    let sentry = app
        .client
        .post(&url)
        .header("authorization", format!("Sentry sentry_key={FIXTURE_KEY}, sentry_version=7"))
        .body(error_event(1))
        .send()
        .await
        .expect("sent");
    assert_eq!(sentry.status(), 200);

    let dsn = format!("http://{FIXTURE_KEY}@{}/{FIXTURE_PROJECT}", app.addr);
    let only_dsn = format!(
        "{{\"event_id\":\"{}\",\"dsn\":\"{dsn}\"}}\n{{\"type\":\"event\"}}\n{{\"message\":\"from dsn\"}}\n",
        event_id(2)
    );
    assert_eq!(app.client.post(&url).body(only_dsn).send().await.expect("sent").status(), 200);

    let other_project_dsn = format!(
        "{{\"event_id\":\"{}\",\"dsn\":\"http://{FIXTURE_KEY}@host/9\"}}\n{{\"type\":\"event\"}}\n{{}}\n",
        event_id(3)
    );
    assert_eq!(app.client.post(&url).body(other_project_dsn).send().await.expect("sent").status(), 403);
    assert_eq!(app.event_count().await, 2);
}

#[tokio::test]
async fn a_newer_protocol_version_than_eight_is_refused() {
    let app = spawn_app().await;
    let response = app
        .ingest(
            &format!("/api/{FIXTURE_PROJECT}/envelope/?sentry_key={FIXTURE_KEY}&sentry_version=9"),
            None,
            error_event(1),
        )
        .await;
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "unsupported_version");
}

#[tokio::test]
async fn the_legacy_store_endpoint_takes_json_base64_and_base64_zlib_with_or_without_prefix() {
    let app = spawn_app().await;
    let auth = format!("Sentry sentry_key={FIXTURE_KEY}, sentry_version=6, sentry_client=raven-python/6.10.0");
    let event = |n: u32| json!({"event_id": event_id(n), "message": format!("legacy store {n}"), "level": "warning"});

    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    zlib.write_all(event(3).to_string().as_bytes()).expect("zlib");
    let bodies = [
        ("/api/42/store/", event(1).to_string()),
        ("/prefix/api/42/store", base64::engine::general_purpose::STANDARD.encode(event(2).to_string())),
        ("/api/store/", base64::engine::general_purpose::STANDARD.encode(zlib.finish().expect("zlib"))),
    ];
    for (path, body) in bodies {
        let response =
            app.client.post(app.url(path)).header("x-sentry-auth", &auth).body(body).send().await.expect("sent");
        assert_eq!(response.status(), 200, "{path}");
    }
    for n in 1..=3 {
        let (row, stored) = app.stored_event(&event_id(n)).await.expect("stored");
        assert_eq!((row.project_id, stored.level.as_str()), (FIXTURE_PROJECT, "warning"));
    }
    assert_eq!(app.issue_count().await, 1, "the three legacy messages differ only in a number");
}

#[tokio::test]
async fn browsers_get_relays_cors_answers_and_a_preflight() {
    let app = spawn_app().await;
    let recording = recordings::load("browser/ingest/browser-02");
    let response = recording.replay(&app).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let exposed = response.headers()["access-control-expose-headers"].to_str().expect("text").to_lowercase();
    for header in ["x-sentry-error", "x-sentry-rate-limits", "retry-after"] {
        assert!(exposed.contains(header), "{exposed}");
    }

    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/42/envelope/"))
        .header("origin", "http://127.0.0.1:18910")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type,x-sentry-auth")
        .send()
        .await
        .expect("preflight");
    assert!(preflight.status().is_success());
    assert_eq!(preflight.headers()["access-control-allow-methods"], "POST");
    assert_eq!(preflight.headers()["access-control-max-age"], "3600");
    let allowed = preflight.headers()["access-control-allow-headers"].to_str().expect("text").to_lowercase();
    assert!(allowed.contains("x-sentry-auth") && allowed.contains("content-type"), "{allowed}");
}

#[tokio::test]
async fn a_project_that_lists_its_origins_refuses_other_origins() {
    let app = spawn_app().await;
    app.update_project(FIXTURE_PROJECT, json!({"allowed_origins": ["*.shop.example"]})).await;
    let send = |origin: &'static str, n: u32| {
        app.client
            .post(app.url(&format!("/api/{FIXTURE_PROJECT}/envelope/?sentry_key={FIXTURE_KEY}")))
            .header("origin", origin)
            .body(error_event(n))
            .send()
    };
    assert_eq!(send("https://www.shop.example", 1).await.expect("sent").status(), 200);
    let refused = send("https://evil.example", 2).await.expect("sent");
    assert_eq!(refused.status(), 403);
    assert_eq!(refused.headers()["access-control-allow-origin"], "*", "the browser SDK can read the refusal");
    let body: serde_json::Value = refused.json().await.expect("json");
    assert_eq!(body["error"]["code"], "origin_not_allowed");
    assert_eq!(app.event_count().await, 1);
}

#[tokio::test]
async fn a_limited_keys_event_is_refused_before_its_body_is_decompressed() {
    let app = spawn_app_with(Options { max_envelope_bytes: Some(1 << 20), ..Options::default() }).await;
    projects::set_rate_limit(&app.db, &key(FIXTURE_KEY), Some(1)).await.expect("limit");
    assert_eq!(app.post_envelope(error_event(1)).await.status(), 200);
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gzip.write_all(b"{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"event\"}\n").expect("head");
    gzip.write_all(&vec![b' '; 4 << 20]).expect("4 MiB of event");
    let url = format!("/api/{FIXTURE_PROJECT}/envelope/?sentry_key={FIXTURE_KEY}");
    let limited = app.ingest(&url, Some("gzip"), gzip.finish().expect("gzip")).await;
    assert_eq!(limited.status(), 429, "refused as rate limited, not inflated to find it too large");
    let session = crate::recordings::load("python/session/py-session-02").replay(&app).await;
    assert_eq!(session.status(), 200, "what is not an event still arrives while errors are limited");
}

#[tokio::test]
async fn a_key_over_its_rate_limit_gets_429_with_sentrys_rate_limit_headers() {
    let app = spawn_app().await;
    projects::set_rate_limit(&app.db, &key(FIXTURE_KEY), Some(2)).await.expect("limit");
    for n in 1..=2 {
        assert_eq!(app.post_envelope(error_event(n)).await.status(), 200);
    }
    let limited = app.post_envelope(error_event(3)).await;
    assert_eq!(limited.status(), 429);
    let retry_after: u64 = limited.headers()["retry-after"].to_str().expect("text").parse().expect("seconds");
    assert!((1..=60).contains(&retry_after));
    assert_eq!(limited.headers()["x-sentry-rate-limits"], format!("{retry_after}:error:key").as_str());
    assert_eq!(app.event_count().await, 2);

    let other = projects::create(&app.db, None, "Other", None).await.expect("project");
    let other_url = format!("/api/{}/envelope/?sentry_key={}", other.project_id, other.public_key.as_str());
    assert_eq!(app.ingest(&other_url, None, error_event(4)).await.status(), 200, "other keys are not limited");
}

#[tokio::test]
async fn attachments_are_stored_with_their_event_and_listed_with_it() {
    let app = spawn_app().await;
    for name in ["python/attachment/py-attachment-01", "node/attachment/node-attachment-02"] {
        assert_eq!(recordings::load(name).replay(&app).await.status(), 200, "{name}");
    }
    for (event_id, filename) in
        [("5bd6b5aa1a3c4f64921ad85f34012d2a", "notes.txt"), ("e463768c8a8c494db174c2aaecfe7889", "notes.txt")]
    {
        let detail: serde_json::Value = app
            .client
            .get(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/events/{event_id}/")))
            .send()
            .await
            .expect("detail")
            .json()
            .await
            .expect("json");
        let attachment = &detail["attachments"][0];
        assert_eq!(attachment["filename"], filename, "{detail}");
        let bytes =
            app.client
                .get(app.url(&format!(
                    "/api/0/projects/{FIXTURE_PROJECT}/events/{event_id}/attachments/{}/",
                    attachment["id"]
                )))
                .send()
                .await
                .expect("download")
                .bytes()
                .await
                .expect("bytes");
        assert_eq!(bytes.len() as i64, attachment["size"].as_i64().expect("size"));
        assert!(!bytes.is_empty());
    }
}

#[tokio::test]
async fn attachments_past_the_per_event_budget_are_dropped_and_late_ones_join_their_event() {
    let app = crate::helpers::spawn_app_with(crate::helpers::Options {
        max_attachment_bytes: Some(10),
        ..Default::default()
    })
    .await;
    let id = event_id(7);
    let body = format!(
        "{{\"event_id\":\"{id}\"}}\n{{\"type\":\"event\"}}\n{{\"message\":\"with files\"}}\n\
         {{\"type\":\"attachment\",\"length\":6,\"filename\":\"a.txt\"}}\nsmall\n\n\
         {{\"type\":\"attachment\",\"length\":20,\"filename\":\"big.txt\"}}\n01234567890123456789\n"
    );
    assert_eq!(app.post_envelope(body).await.status(), 200);
    let late = format!(
        "{{\"event_id\":\"{id}\"}}\n{{\"type\":\"attachment\",\"length\":4,\"filename\":\"late.log\"}}\nlate\n"
    );
    assert_eq!(app.post_envelope(late).await.status(), 200);

    let detail =
        server::store::events::detail(&app.db, project(FIXTURE_PROJECT), &id).await.expect("query").expect("event");
    let names: Vec<_> = detail.attachments.iter().map(|a| (a.filename.as_str(), a.size)).collect();
    assert_eq!(names, [("a.txt", 6), ("late.log", 4)]);
}

#[tokio::test]
async fn an_error_from_a_browser_extension_is_acknowledged_but_not_stored() {
    let app = spawn_app().await;
    let event = json!({"platform": "javascript", "exception": {"values": [{"type": "TypeError", "value": "x is null",
        "stacktrace": {"frames": [{"abs_path": "chrome-extension://abc/content.js", "function": "inject"}]}}]}});
    let response = app.post_envelope(envelope_with_event(&event_id(1), event)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.event_count().await, 0);
}

#[tokio::test]
async fn an_attachment_with_control_bidi_or_unicode_characters_in_its_name_downloads_under_a_safe_name() {
    let app = spawn_app().await;
    let event_id = "c0ffee00c0ffee00c0ffee00c0ffee00";
    let names = ["\u{1}report.txt", "invoice\u{202E}fdp.exe", "résumé.pdf"];
    let mut body = format!("{{\"event_id\":\"{event_id}\"}}\n{{\"type\":\"event\"}}\n{{\"message\":\"with files\"}}\n");
    for name in names {
        let header = json!({"type": "attachment", "length": 2, "filename": name});
        body.push_str(&format!("{header}\nok\n"));
    }
    assert_eq!(app.post_envelope(body).await.status(), 200);
    let detail = app.get_json(&format!("/api/0/projects/{FIXTURE_PROJECT}/events/{event_id}/")).await;
    let mut dispositions = Vec::new();
    for attachment in detail["attachments"].as_array().expect("attachments") {
        let url = format!("/api/0/projects/{FIXTURE_PROJECT}/events/{event_id}/attachments/{}/", attachment["id"]);
        let response = app.client.get(app.url(&url)).send().await.expect("download");
        assert_eq!(response.status(), 200, "{}", attachment["filename"]);
        dispositions.push(response.headers()["content-disposition"].to_str().expect("ascii").to_owned());
    }
    dispositions.sort();
    assert_eq!(
        dispositions,
        [
            "attachment; filename=\"invoicefdp.exe\"; filename*=UTF-8''invoicefdp.exe",
            "attachment; filename=\"r_sum_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf",
            "attachment; filename=\"report.txt\"; filename*=UTF-8''report.txt",
        ]
    );
}
