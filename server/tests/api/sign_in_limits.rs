//! Password guessing: every attempt counts before its password is checked, under whatever
//! spelling of the account; only a few passwords are hashed at once and a burst beyond that is
//! answered 503 at once; behind a trusted reverse proxy the client's own address is locked out,
//! not the proxy's, and from anyone else forwarding headers change nothing.

use crate::helpers::{OWNER_EMAIL, Options, PASSWORD, TestApp, create_user, spawn_app, spawn_app_with};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

async fn login(app: &TestApp, email: &str, password: &str, forwarded_for: Option<&str>) -> reqwest::Response {
    let mut request = app
        .anonymous
        .post(app.url("/api/0/auth/login"))
        .header("origin", app.origin())
        .json(&json!({"email": email, "password": password}));
    if let Some(client) = forwarded_for {
        request = request.header("x-forwarded-for", client);
    }
    request.send().await.expect("login")
}

fn behind_proxy() -> Options {
    Options { trusted_proxies: vec!["127.0.0.1/32".parse().expect("cidr")], ..Options::default() }
}

#[tokio::test]
async fn an_account_is_locked_however_its_email_is_spaced_or_cased() {
    let app = spawn_app().await;
    create_user(&app.db, "carol@example.com", false).await;
    let spellings = [" carol@example.com ", "carol@example.com\t", "CAROL@example.com", "\u{2003}Carol@Example.com"];
    for n in 0..10 {
        let status = login(&app, spellings[n % spellings.len()], "wrong", None).await.status();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let locked = login(&app, "carol@example.com", PASSWORD, None).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS, "ten failures under four spellings are one account's");
}

#[tokio::test]
async fn of_forty_concurrent_wrong_passwords_only_ten_are_checked() {
    let app = spawn_app().await;
    let attempts = (0..40).map(|_| async { login(&app, OWNER_EMAIL, "wrong guess", None).await.status() });
    let statuses = join_all(attempts).await;
    let count = |status: StatusCode| statuses.iter().filter(|s| **s == status).count();
    assert_eq!(count(StatusCode::UNAUTHORIZED), 10, "{statuses:?}");
    assert_eq!(count(StatusCode::TOO_MANY_REQUESTS) + count(StatusCode::SERVICE_UNAVAILABLE), 30, "{statuses:?}");
}

#[tokio::test]
async fn a_burst_of_sign_ins_hashes_a_few_at_a_time_and_answers_the_rest_503() {
    let app = spawn_app_with(behind_proxy()).await;
    let attempts = (0..150).map(|n| {
        let app = &app;
        async move {
            let client = format!("198.51.100.{n}");
            let response = login(app, &format!("user{n}@example.com"), "wrong guess", Some(&client)).await;
            (response.status(), response.headers().get("retry-after").cloned())
        }
    });
    let answers = join_all(attempts).await;
    let busy: Vec<_> = answers.iter().filter(|(status, _)| *status == StatusCode::SERVICE_UNAVAILABLE).collect();
    let checked = answers.iter().filter(|(status, _)| *status == StatusCode::UNAUTHORIZED).count();
    assert!(!busy.is_empty(), "150 at once are not all queued");
    assert!(busy.iter().all(|(_, retry)| retry.as_ref().is_some_and(|value| value == "1")), "503 says when to retry");
    assert!(checked >= 4, "the ones admitted are checked: {checked}");
    assert_eq!(busy.len() + checked, 150);
    let after = login(&app, OWNER_EMAIL, PASSWORD, Some("198.51.100.200")).await;
    assert_eq!(after.status(), 200, "the burst over, sign-in works");
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_guessing_client_is_locked_out_not_everyone() {
    let app = spawn_app_with(behind_proxy()).await;
    for n in 0..10 {
        let status = login(&app, &format!("guess{n}@example.com"), "wrong", Some("203.0.113.7")).await.status();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let guesser = login(&app, OWNER_EMAIL, PASSWORD, Some("203.0.113.7")).await;
    assert_eq!(guesser.status(), StatusCode::TOO_MANY_REQUESTS, "the guessing client is locked out");
    let colleague = login(&app, OWNER_EMAIL, PASSWORD, Some("203.0.113.8")).await;
    assert_eq!(colleague.status(), 200, "another client behind the same proxy is not");
}

#[tokio::test]
async fn without_trusted_proxies_a_forged_forwarded_for_does_not_escape_the_lock() {
    let app = spawn_app().await;
    for n in 0..10 {
        let forged = format!("203.0.113.{n}");
        let status = login(&app, &format!("guess{n}@example.com"), "wrong", Some(&forged)).await.status();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let locked = login(&app, OWNER_EMAIL, PASSWORD, Some("198.51.100.99")).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS, "the peer's own address is what counts");
}
