//! Managing projects, DSN keys and members through the API, as admins do from the dashboard.

use crate::helpers::{FIXTURE_PROJECT, create_user, envelope_with_event, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn the_owner_creates_renames_and_deletes_a_project_after_confirming_its_name() {
    let app = spawn_app().await;
    let created: Value = app
        .client
        .post(app.url("/api/0/projects/"))
        .json(&json!({"name": "Checkout", "platform": "node"}))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let id = created["id"].as_i64().expect("id");
    assert_eq!((created["platform"].as_str(), created["role"].as_str()), (Some("node"), Some("admin")));
    let keys = app.get_json(&format!("/api/0/projects/{id}/keys/")).await;
    assert_eq!(keys.as_array().map(Vec::len), Some(1), "a new project has a DSN key");
    assert!(keys[0]["dsn"].as_str().is_some_and(|dsn| dsn.ends_with(&format!("/{id}"))));

    let renamed = app
        .client
        .patch(app.url(&format!("/api/0/projects/{id}/")))
        .json(&json!({"name": "Checkout API", "platform": "cobol"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(renamed.status(), StatusCode::UNPROCESSABLE_ENTITY, "unknown platforms are refused");
    let renamed: Value = app
        .client
        .patch(app.url(&format!("/api/0/projects/{id}/")))
        .json(&json!({"name": "Checkout API"}))
        .send()
        .await
        .expect("patch")
        .json()
        .await
        .expect("json");
    assert_eq!(renamed["name"], "Checkout API");

    let delete = |confirm: &'static str| {
        app.client.delete(app.url(&format!("/api/0/projects/{id}/"))).json(&json!({"confirm": confirm})).send()
    };
    assert_eq!(delete("Checkout").await.expect("delete").status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(delete("Checkout API").await.expect("delete").status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.client.get(app.url(&format!("/api/0/projects/{id}/"))).send().await.expect("get").status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_disabled_key_is_refused_and_a_rotated_key_replaces_its_dsn() {
    let app = spawn_app().await;
    let keys = app.get_json(&format!("/api/0/projects/{FIXTURE_PROJECT}/keys/")).await;
    let key_id = keys[0]["id"].as_i64().expect("id");
    let old_key = keys[0]["public_key"].as_str().expect("key").to_owned();
    let app = &app;
    let send = |key: String, n: u32| async move {
        let body = envelope_with_event(&format!("{n:032x}"), json!({"message": "key test"}));
        app.ingest(&format!("/api/{FIXTURE_PROJECT}/envelope/?sentry_key={key}"), None, body).await.status()
    };
    let key_url = app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/keys/{key_id}/"));

    assert_eq!(send(old_key.clone(), 6).await, StatusCode::OK, "used, so ingestion remembers the key");
    app.client.patch(&key_url).json(&json!({"active": false, "label": "Paused"})).send().await.expect("disable");
    assert_eq!(send(old_key.clone(), 1).await, StatusCode::FORBIDDEN, "refused at once, not a second later");
    app.client.patch(&key_url).json(&json!({"active": true})).send().await.expect("enable");
    assert_eq!(send(old_key.clone(), 2).await, StatusCode::OK);

    let rotated: Value =
        app.client.post(format!("{key_url}rotate/")).send().await.expect("rotate").json().await.expect("json");
    let new_key = rotated["public_key"].as_str().expect("key").to_owned();
    assert_ne!(new_key, old_key);
    assert_eq!(rotated["label"], "Paused");
    assert_eq!(send(old_key, 3).await, StatusCode::FORBIDDEN, "the old DSN stops working");
    assert_eq!(send(new_key, 4).await, StatusCode::OK);

    let added: Value = app
        .client
        .post(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/keys/")))
        .json(&json!({"label": "Mobile"}))
        .send()
        .await
        .expect("add")
        .json()
        .await
        .expect("json");
    assert_eq!(added["label"], "Mobile");
    assert_eq!(send(added["public_key"].as_str().expect("key").to_owned(), 5).await, StatusCode::OK);
}

#[tokio::test]
async fn admins_add_members_by_email_change_their_role_and_remove_them() {
    let app = spawn_app().await;
    let jane = create_user(&app.db, "jane@example.com", false).await;
    let members_url = app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/members/"));
    let unknown = app
        .client
        .post(&members_url)
        .json(&json!({"email": "nobody@example.com", "role": "member"}))
        .send()
        .await
        .expect("add");
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY, "invite unknown people first");
    let added = app
        .client
        .post(&members_url)
        .json(&json!({"email": "JANE@example.com", "role": "viewer"}))
        .send()
        .await
        .expect("add");
    assert_eq!(added.status(), 200);

    let member_url = app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/members/{}/", jane.id));
    app.client.patch(&member_url).json(&json!({"role": "admin"})).send().await.expect("promote");
    let members: Value = app.client.get(&members_url).send().await.expect("list").json().await.expect("json");
    assert_eq!(members, json!([{"user_id": jane.id, "email": "jane@example.com", "role": "admin"}]));

    assert_eq!(app.client.delete(&member_url).send().await.expect("remove").status(), StatusCode::NO_CONTENT);
    let cookie = app.sign_in("jane@example.com").await;
    let gone = app
        .anonymous
        .get(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/")))
        .header("cookie", cookie)
        .send()
        .await
        .expect("get");
    assert_eq!(gone.status(), StatusCode::NOT_FOUND, "a removed member no longer sees the project");
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let app = spawn_app().await;
    let response = app.anonymous.get(app.url("/api/0/openapi.json")).send().await.expect("openapi");
    assert_eq!(response.status(), 200);
    let document: Value = response.json().await.expect("json");
    assert!(document["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for path in [
        "/api/0/projects/",
        "/api/0/issues/{id}/",
        "/api/0/projects/{id}/keys/{key_id}/rotate/",
        "/api/0/tokens/",
        "/api/0/auth/login",
    ] {
        assert!(document["paths"].get(path).is_some(), "{path} is documented");
    }
    assert!(document["components"]["schemas"].get("IssueSummary").is_some());
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in ["/api/0/projects/", "/login", "/pkg/missing.js"] {
        let response = app.client.get(app.url(path)).send().await.expect("get");
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "strict-origin-when-cross-origin", "{path}");
        let csp = headers["content-security-policy"].to_str().expect("csp");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    }
}
