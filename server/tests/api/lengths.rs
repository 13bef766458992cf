//! What people type has a length: names and labels 1 to 100 characters, emails at most 254,
//! searches at most 2,000 characters and 50 terms; beyond that a clear 422 (400 for searches),
//! never a 500 from the database.

use crate::helpers::{FIXTURE_PROJECT, OWNER_EMAIL, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn refused(response: reqwest::Response, status: StatusCode, says: &str) {
    assert_eq!(response.status(), status, "{says}");
    let body: Value = response.json().await.expect("a JSON error");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains(says), "{message}");
}

#[tokio::test]
async fn names_labels_and_emails_past_their_length_are_refused_with_the_limit() {
    let app = spawn_app().await;
    let long = "n".repeat(101);
    let cookie = app.sign_in(OWNER_EMAIL).await;
    let token = |name: String| {
        let request =
            app.anonymous.post(app.url("/api/0/tokens/")).header("cookie", &cookie).header("origin", app.origin());
        request.json(&json!({"name": name, "scope": "read"})).send()
    };
    let refused_token = token(long.clone()).await.expect("token");
    refused(refused_token, StatusCode::UNPROCESSABLE_ENTITY, "a token name has 1 to 100 characters").await;
    let project = app.client.post(app.url("/api/0/projects/")).json(&json!({"name": long})).send();
    refused(project.await.expect("project"), StatusCode::UNPROCESSABLE_ENTITY, "a project name has 1 to 100").await;
    let keys = format!("/api/0/projects/{FIXTURE_PROJECT}/keys/");
    let key = app.client.post(app.url(&keys)).json(&json!({"label": long})).send();
    refused(key.await.expect("key"), StatusCode::UNPROCESSABLE_ENTITY, "a key label has 1 to 100 characters").await;
    let existing = app.get_json(&keys).await[0]["id"].as_i64().expect("a key");
    let relabel = app.client.patch(app.url(&format!("{keys}{existing}/"))).json(&json!({"label": long})).send();
    refused(relabel.await.expect("relabel"), StatusCode::UNPROCESSABLE_ENTITY, "a key label has 1 to 100").await;
    let email = format!("{}@example.com", "x".repeat(300));
    let member = app.client.post(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/members/")));
    let member = member.json(&json!({"email": email, "role": "viewer"})).send();
    refused(member.await.expect("member"), StatusCode::UNPROCESSABLE_ENTITY, "enter an email address").await;
    let login = app.anonymous.post(app.url("/api/0/auth/login")).header("origin", app.origin());
    let login = login.json(&json!({"email": "x".repeat(10_000), "password": "whatever"})).send();
    refused(login.await.expect("login"), StatusCode::UNPROCESSABLE_ENTITY, "at most 254 characters").await;

    assert_eq!(token("n".repeat(100)).await.expect("token").status(), 200, "a hundred is allowed");
}

#[tokio::test]
async fn a_search_of_thousands_of_terms_or_characters_is_a_query_error() {
    let app = spawn_app().await;
    let thousands = vec!["a"; 5_000].join(" ");
    let many = vec!["level:error"; 60].join(" ");
    for (query, says) in [(thousands, "at most 2000 characters"), (many, "at most 50 terms")] {
        let response = app.client.get(app.url("/api/0/issues/")).query(&[("query", &query)]).send().await;
        refused(response.expect("search"), StatusCode::BAD_REQUEST, says).await;
    }
}
