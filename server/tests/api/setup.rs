//! First-run setup: the owner account of a fresh instance needs the setup token the server
//! printed at start, exactly one owner is ever created however many try at once, and the token
//! works on every instance of the database until the owner exists.

use crate::helpers::{Options, PASSWORD, SETUP_TOKEN, TestApp, TestDatabase, spawn_app_with};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};
use server::auth::setup_token::SetupToken;
use server::startup::Application;
use std::net::SocketAddr;

async fn fresh_instance() -> TestApp {
    spawn_app_with(Options { without_owner: true, ..Options::default() }).await
}

async fn setup(addr: SocketAddr, token: &str, email: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("http://{addr}/api/0/auth/setup"))
        .header("origin", format!("http://{addr}"))
        .json(&json!({"setup_token": token, "email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("setup")
}

async fn owners(app: &TestApp) -> Vec<String> {
    let users = server::store::users::list(&app.db).await.expect("users");
    users.into_iter().filter(|user| user.is_owner).map(|user| user.email).collect()
}

#[tokio::test]
async fn a_fresh_instance_is_set_up_once_with_its_setup_token_and_its_owner_is_signed_in() {
    let app = fresh_instance().await;
    let state = app.get_json("/api/0/auth/setup").await;
    assert_eq!(state["needs_setup"], true);

    let created = setup(app.addr, SETUP_TOKEN, "Founder@Example.com").await;
    assert_eq!(created.status(), 200);
    let cookie = created.headers()["set-cookie"].to_str().expect("cookie").split(';').next().expect("pair").to_owned();
    let user: Value = created.json().await.expect("json");
    assert_eq!((user["email"].as_str(), user["is_owner"].as_bool()), (Some("founder@example.com"), Some(true)));
    let me = app.anonymous.get(app.url("/api/0/auth/me")).header("cookie", &cookie).send().await.expect("me");
    assert_eq!(me.status(), StatusCode::OK);

    let again = setup(app.addr, SETUP_TOKEN, "intruder@example.com").await;
    assert_eq!(again.status(), StatusCode::CONFLICT, "the token is spent once the owner exists");
    assert_eq!(app.get_json("/api/0/auth/setup").await["needs_setup"], false);
}

#[tokio::test]
async fn setup_without_the_right_token_is_refused_and_creates_nobody() {
    let app = fresh_instance().await;
    let wrong = setup(app.addr, "a-guess-at-the-setup-token", "intruder@example.com").await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let body: Value = wrong.json().await.expect("json");
    assert_eq!(body["error"]["code"], "forbidden");
    let missing = app
        .anonymous
        .post(app.url("/api/0/auth/setup"))
        .header("origin", app.origin())
        .json(&json!({"email": "intruder@example.com", "password": PASSWORD}))
        .send()
        .await
        .expect("setup");
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", missing.text().await.unwrap_or_default());
    assert!(owners(&app).await.is_empty());
    assert_eq!(setup(app.addr, SETUP_TOKEN, "founder@example.com").await.status(), 200, "the operator still can");
}

#[tokio::test]
async fn concurrent_setups_create_exactly_one_owner() {
    let app = fresh_instance().await;
    let attempts = (0..8).map(|n| {
        let addr = app.addr;
        async move { setup(addr, SETUP_TOKEN, &format!("owner{n}@example.com")).await.status() }
    });
    let mut statuses: Vec<u16> = join_all(attempts).await.into_iter().map(|status| status.as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409, 409, 409, 409, 409, 409, 409]);
    assert_eq!(owners(&app).await.len(), 1);
    assert_eq!(server::store::users::count(&app.db).await.expect("count"), 1);
}

#[tokio::test]
async fn a_token_printed_by_one_instance_sets_up_another_on_the_same_database_then_none_is_printed() {
    let database = TestDatabase::new().await;
    let start = || async {
        let app = Application::build(database.settings()).await.expect("builds");
        let (addr, token) = (app.local_addr(), app.setup_token().cloned());
        tokio::spawn(app.run_until(std::future::pending()));
        (addr, token)
    };
    let (first, first_token) = start().await;
    let (second, second_token) = start().await;
    let (Some(SetupToken::Generated(first_token)), Some(SetupToken::Generated(second_token))) =
        (first_token, second_token)
    else {
        panic!("each start without users makes a token");
    };
    assert_ne!(first_token, second_token);
    assert_eq!(setup(second, &first_token, "founder@example.com").await.status(), 200);
    assert_eq!(setup(first, &second_token, "intruder@example.com").await.status(), StatusCode::CONFLICT);
    assert_eq!(start().await.1, None, "an instance with an owner has nothing to set up");
}
