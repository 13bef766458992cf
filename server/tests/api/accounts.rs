//! Accounts and sessions: signing in and out, lockout after failed attempts, session expiry,
//! password changes, CSRF, API tokens and the `createuser` command.

use crate::helpers::{OWNER_EMAIL, Options, PASSWORD, TestApp, create_user, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.anonymous
        .post(app.url("/api/0/auth/login"))
        .header("origin", app.origin())
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login")
}

async fn me(app: &TestApp, cookie: &str) -> StatusCode {
    app.anonymous.get(app.url("/api/0/auth/me")).header("cookie", cookie).send().await.expect("me").status()
}

#[tokio::test]
async fn the_session_cookie_is_http_only_same_site_and_secure_behind_https() {
    let app =
        spawn_app_with(Options { public_url: Some("https://errors.example.com".into()), ..Options::default() }).await;
    let response = app
        .anonymous
        .post(app.url("/api/0/auth/login"))
        .header("origin", "https://errors.example.com")
        .json(&json!({"email": OWNER_EMAIL, "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"].to_str().expect("cookie").to_owned();
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_ten_failures_lock_the_account() {
    let app = spawn_app().await;
    assert_eq!(login(&app, OWNER_EMAIL, "not the password").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(login(&app, "nobody@example.com", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    for _ in 0..9 {
        login(&app, OWNER_EMAIL, "still wrong").await;
    }
    let locked = login(&app, OWNER_EMAIL, PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits now");
    assert!(locked.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    let cookie = app.sign_in(OWNER_EMAIL).await;
    assert_eq!(me(&app, &cookie).await, StatusCode::OK);
    let out = app
        .anonymous
        .post(app.url("/api/0/auth/logout"))
        .header("cookie", &cookie)
        .header("origin", app.origin())
        .send()
        .await
        .expect("logout");
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(out.headers()["set-cookie"].to_str().expect("cookie").contains("Max-Age=0"));
    assert_eq!(me(&app, &cookie).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_idle_session_and_an_old_session_expire() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let app = spawn_app().await;
    let idle = app.sign_in(OWNER_EMAIL).await;
    let old = app.sign_in(OWNER_EMAIL).await;
    let days_ago = |days: i64| chrono::Utc::now() - chrono::Duration::days(days);
    let token = |cookie: &str| server::auth::secrets::digest(cookie.split_once('=').expect("pair").1);
    let set = |column: &str, at: chrono::DateTime<chrono::Utc>, cookie: &str| {
        let sql = match app.db.get_database_backend() {
            DbBackend::Postgres => format!("UPDATE session SET {column} = $1 WHERE id = $2"),
            _ => format!("UPDATE session SET {column} = ? WHERE id = ?"),
        };
        Statement::from_sql_and_values(app.db.get_database_backend(), sql, [at.into(), token(cookie).into()])
    };
    app.db.execute_raw(set("last_seen_at", days_ago(8), &idle)).await.expect("age the session");
    app.db.execute_raw(set("expires_at", days_ago(1), &old)).await.expect("age the session");
    assert_eq!(me(&app, &idle).await, StatusCode::UNAUTHORIZED, "a week without use ends it");
    assert_eq!(me(&app, &old).await, StatusCode::UNAUTHORIZED, "past its absolute end");
}

#[tokio::test]
async fn a_password_change_signs_out_the_other_sessions() {
    let app = spawn_app().await;
    let here = app.sign_in(OWNER_EMAIL).await;
    let elsewhere = app.sign_in(OWNER_EMAIL).await;
    let change = |current: &'static str| {
        app.anonymous
            .post(app.url("/api/0/auth/password"))
            .header("cookie", &here)
            .header("origin", app.origin())
            .json(&json!({"current_password": current, "new_password": "a brand new secret"}))
            .send()
    };
    assert_eq!(change("wrong").await.expect("change").status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(change(PASSWORD).await.expect("change").status(), StatusCode::NO_CONTENT);
    assert_eq!(me(&app, &here).await, StatusCode::OK);
    assert_eq!(me(&app, &elsewhere).await, StatusCode::UNAUTHORIZED);
    assert_eq!(login(&app, OWNER_EMAIL, "a brand new secret").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn cookie_authenticated_changes_from_another_site_are_refused() {
    let app = spawn_app().await;
    let cookie = app.sign_in(OWNER_EMAIL).await;
    let own = app.origin();
    let create = |origin: Option<&str>| {
        let mut request = app
            .anonymous
            .post(app.url("/api/0/projects/"))
            .header("cookie", &cookie)
            .json(&json!({"name": "From a form"}));
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    assert_eq!(create(Some("https://evil.example")).await.expect("post").status(), StatusCode::FORBIDDEN);
    assert_eq!(create(None).await.expect("post").status(), StatusCode::FORBIDDEN, "no origin, no change");
    assert_eq!(create(Some(own.as_str())).await.expect("post").status(), StatusCode::OK);
    let login_from_elsewhere = app
        .anonymous
        .post(app.url("/api/0/auth/login"))
        .header("origin", "https://evil.example")
        .json(&json!({"email": OWNER_EMAIL, "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(login_from_elsewhere.status(), StatusCode::FORBIDDEN, "no login CSRF either");
}

#[tokio::test]
async fn api_tokens_are_shown_once_act_within_their_scope_and_can_be_revoked() {
    let app = spawn_app().await;
    let cookie = app.sign_in(OWNER_EMAIL).await;
    let create = app
        .anonymous
        .post(app.url("/api/0/tokens/"))
        .header("cookie", &cookie)
        .header("origin", app.origin())
        .json(&json!({"name": "ci", "scope": "read"}))
        .send()
        .await
        .expect("create");
    let created: Value = create.json().await.expect("json");
    let secret = created["token"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("flt_"));

    let listed = app
        .anonymous
        .get(app.url("/api/0/tokens/"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("list")
        .text()
        .await
        .expect("text");
    assert!(listed.contains("\"ci\"") && !listed.contains(&secret), "the list shows the name, never the secret");

    let read_only = crate::helpers::client_with_token(&secret);
    assert_eq!(
        read_only.get(app.url("/api/0/projects/42/issues/")).send().await.expect("get").status(),
        StatusCode::OK
    );
    let write = read_only
        .put(app.url("/api/0/projects/42/issues/"))
        .json(&json!({"ids": [], "action": "resolve"}))
        .send()
        .await
        .expect("put");
    assert_eq!(write.status(), StatusCode::FORBIDDEN, "a read token cannot triage, even the owner's");
    let mint = read_only
        .post(app.url("/api/0/tokens/"))
        .json(&json!({"name": "x", "scope": "admin"}))
        .send()
        .await
        .expect("post");
    assert_eq!(mint.status(), StatusCode::FORBIDDEN, "a token cannot mint tokens");

    let id = created["info"]["id"].as_i64().expect("id");
    let revoke = app
        .anonymous
        .delete(app.url(&format!("/api/0/tokens/{id}/")))
        .header("cookie", &cookie)
        .header("origin", app.origin())
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoke.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        read_only.get(app.url("/api/0/projects/")).send().await.expect("get").status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_disabled_user_is_signed_out_and_the_last_owner_stays() {
    let app = spawn_app().await;
    let jane = create_user(&app.db, "jane@example.com", false).await;
    let cookie = app.sign_in("jane@example.com").await;
    let disable = app
        .client
        .patch(app.url(&format!("/api/0/users/{}/", jane.id)))
        .json(&json!({"disabled": true}))
        .send()
        .await
        .expect("patch");
    assert_eq!(disable.status(), 200);
    assert_eq!(me(&app, &cookie).await, StatusCode::UNAUTHORIZED);
    assert_eq!(login(&app, "jane@example.com", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);

    let users = app.get_json("/api/0/users/").await;
    let owner = users.as_array().expect("list").iter().find(|u| u["email"] == OWNER_EMAIL).expect("owner");
    let demote = app
        .client
        .patch(app.url(&format!("/api/0/users/{}/", owner["id"])))
        .json(&json!({"is_owner": false}))
        .send()
        .await
        .expect("patch");
    assert_eq!(demote.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn an_owner_cannot_demote_or_disable_themselves_but_another_owner_can() {
    let app = spawn_app().await;
    let users = app.get_json("/api/0/users/").await;
    let me = users.as_array().expect("list").iter().find(|u| u["email"] == OWNER_EMAIL).expect("owner")["id"].clone();
    create_user(&app.db, "second@example.com", true).await;
    for change in [json!({"is_owner": false}), json!({"disabled": true})] {
        let response =
            app.client.patch(app.url(&format!("/api/0/users/{me}/"))).json(&change).send().await.expect("patch");
        assert_eq!(response.status(), StatusCode::CONFLICT, "{change}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(
            body["error"]["message"],
            "you cannot remove your own ownership or disable yourself; another owner can"
        );
    }
    let cookie = app.sign_in("second@example.com").await;
    let by_other = app
        .anonymous
        .patch(app.url(&format!("/api/0/users/{me}/")))
        .header("origin", app.origin())
        .header("cookie", cookie)
        .json(&json!({"is_owner": false}))
        .send()
        .await
        .expect("patch");
    assert_eq!(by_other.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_createuser_command_makes_an_owner_who_can_sign_in() {
    use std::io::Write;
    let database = crate::helpers::TestDatabase::new().await;
    let settings = database.settings();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_faultline"));
    command.args(["--data-dir"]).arg(&settings.data_dir).args([
        "createuser",
        "--email",
        "cli@example.com",
        "--role",
        "owner",
    ]);
    if let Some(url) = &settings.database_url {
        command.env("FAULTLINE_DATABASE_URL", url);
    }
    let mut child =
        command.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).spawn().expect("runs");
    child.stdin.take().expect("stdin").write_all(format!("{PASSWORD}\n").as_bytes()).expect("password");
    let output = child.wait_with_output().expect("finishes");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));

    let app = server::startup::Application::build(settings).await.expect("builds");
    let user = server::store::users::by_email(app.db(), "cli@example.com").await.expect("query").expect("created");
    assert!(user.is_owner);
    assert!(server::auth::passwords::verify(PASSWORD.to_owned(), Some(user.password_hash)).await);
}
