//! Every API route against every kind of caller: the owner, a project admin, member and viewer,
//! a stranger to the project, an anonymous caller, and the owner through a read-only token.
//! Allowed calls succeed; a too-small role gets 403; a stranger gets 404 for the project's
//! objects; anonymous gets 401. Objects of another project answer 404 even to its admins.

use crate::helpers::{FIXTURE_PROJECT, OWNER_EMAIL, TestApp, api_token, client_with_token, create_user, spawn_app};
use app::model::{Role, Scope};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use server::store::{members, users};

/// Who may call a route.
#[derive(Clone, Copy, Debug)]
enum Need {
    /// Any signed-in caller.
    SignedIn,
    /// At least this role in the fixture project.
    Project(Role),
    /// The instance owner (not through a narrower token).
    Owner,
    /// A signed-in browser: tokens cannot use it.
    Browser,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caller {
    Owner,
    Admin,
    Member,
    Viewer,
    Stranger,
    Anonymous,
    OwnerReadToken,
}

impl Caller {
    const ALL: [Caller; 7] = [
        Caller::Owner,
        Caller::Admin,
        Caller::Member,
        Caller::Viewer,
        Caller::Stranger,
        Caller::Anonymous,
        Caller::OwnerReadToken,
    ];

    fn role(self) -> Option<Role> {
        match self {
            Caller::Owner | Caller::Admin => Some(Role::Admin),
            Caller::Member => Some(Role::Member),
            Caller::Viewer | Caller::OwnerReadToken => Some(Role::Viewer),
            Caller::Stranger | Caller::Anonymous => None,
        }
    }

    /// The status class the call must end with.
    fn expects(self, need: Need) -> Expect {
        if self == Caller::Anonymous {
            return Expect::Status(StatusCode::UNAUTHORIZED);
        }
        match need {
            Need::SignedIn => Expect::Success,
            Need::Browser => Expect::Status(StatusCode::FORBIDDEN),
            Need::Owner if self == Caller::Owner => Expect::Success,
            Need::Owner => Expect::Status(StatusCode::FORBIDDEN),
            Need::Project(needed) => match self.role() {
                None => Expect::Status(StatusCode::NOT_FOUND),
                Some(role) if role < needed => Expect::Status(StatusCode::FORBIDDEN),
                Some(_) => Expect::Success,
            },
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Expect {
    Success,
    Status(StatusCode),
}

struct Fixture {
    issue: i64,
    event: String,
    attachment: i64,
    key: i64,
    spare_key: i64,
    extra_user: i64,
    clients: Vec<(Caller, reqwest::Client)>,
}

async fn fixture(app: &TestApp) -> Fixture {
    let event = "feedbeeffeedbeeffeedbeeffeedbeef".to_owned();
    let body = format!(
        "{{\"event_id\":\"{event}\"}}\n{{\"type\":\"event\"}}\n{{\"exception\":[{{\"type\":\"MatrixError\",\"value\":\"x\"}}]}}\n\
         {{\"type\":\"attachment\",\"length\":2,\"filename\":\"a.txt\"}}\nhi\n"
    );
    assert_eq!(app.post_envelope(body).await.status(), 200);
    let issue = app.issues().await[0].id;
    let detail = app.get_json(&format!("/api/0/projects/{FIXTURE_PROJECT}/events/{event}/")).await;
    let attachment = detail["attachments"][0]["id"].as_i64().expect("attachment");
    let keys = app.get_json(&format!("/api/0/projects/{FIXTURE_PROJECT}/keys/")).await;
    let key = keys[0]["id"].as_i64().expect("key");
    let spare: Value = app
        .client
        .post(app.url(&format!("/api/0/projects/{FIXTURE_PROJECT}/keys/")))
        .json(&json!({"label": "spare"}))
        .send()
        .await
        .expect("key")
        .json()
        .await
        .expect("json");
    let spare_key = spare["id"].as_i64().expect("spare key");

    let mut clients = Vec::new();
    for caller in Caller::ALL {
        let client = match caller {
            Caller::Anonymous => reqwest::Client::new(),
            Caller::Owner => app.client.clone(),
            Caller::OwnerReadToken => {
                let owner = users::by_email(&app.db, OWNER_EMAIL).await.expect("query").expect("owner");
                client_with_token(&api_token(&app.db, owner.id, Scope::Read).await)
            }
            member => {
                let user = create_user(&app.db, &format!("{member:?}@example.com").to_lowercase(), false).await;
                match member.role() {
                    Some(role) => members::set(&app.db, FIXTURE_PROJECT, user.id, role).await.expect("member"),
                    None => members::set(&app.db, app.default_project.project_id.get(), user.id, Role::Admin)
                        .await
                        .expect("elsewhere"),
                }
                client_with_token(&api_token(&app.db, user.id, Scope::Admin).await)
            }
        };
        clients.push((caller, client));
    }
    let extra_user = create_user(&app.db, "extra@example.com", false).await.id;
    Fixture { issue, event, attachment, key, spare_key, extra_user, clients }
}

#[tokio::test]
async fn every_route_allows_exactly_the_roles_it_should() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let p = FIXTURE_PROJECT;
    let routes: Vec<(Method, String, Value, Need)> = vec![
        (Method::GET, "/api/0/auth/me".into(), Value::Null, Need::SignedIn),
        (Method::GET, "/api/0/projects/".into(), Value::Null, Need::SignedIn),
        (Method::GET, "/api/0/issues/".into(), Value::Null, Need::SignedIn),
        (Method::GET, "/api/0/outcomes/".into(), Value::Null, Need::SignedIn),
        (Method::GET, "/api/0/tokens/".into(), Value::Null, Need::Browser),
        (Method::POST, "/api/0/tokens/".into(), json!({"name": "t", "scope": "read"}), Need::Browser),
        (
            Method::POST,
            "/api/0/auth/password".into(),
            json!({"current_password": "x", "new_password": "yyyyyyyy"}),
            Need::Browser,
        ),
        (Method::GET, format!("/api/0/projects/{p}/"), Value::Null, Need::Project(Role::Viewer)),
        (Method::GET, format!("/api/0/projects/{p}/keys/"), Value::Null, Need::Project(Role::Viewer)),
        (Method::GET, format!("/api/0/projects/{p}/members/"), Value::Null, Need::Project(Role::Viewer)),
        (Method::GET, format!("/api/0/projects/{p}/issues/"), Value::Null, Need::Project(Role::Viewer)),
        (Method::GET, format!("/api/0/issues/{}/", f.issue), Value::Null, Need::Project(Role::Viewer)),
        (Method::GET, format!("/api/0/issues/{}/events/", f.issue), Value::Null, Need::Project(Role::Viewer)),
        (Method::GET, format!("/api/0/issues/{}/events/latest/", f.issue), Value::Null, Need::Project(Role::Viewer)),
        (Method::GET, format!("/api/0/projects/{p}/events/{}/", f.event), Value::Null, Need::Project(Role::Viewer)),
        (
            Method::GET,
            format!("/api/0/issues/{}/events/{}/", f.issue, f.event),
            Value::Null,
            Need::Project(Role::Viewer),
        ),
        (
            Method::GET,
            format!("/api/0/projects/{p}/events/{}/json/", f.event),
            Value::Null,
            Need::Project(Role::Viewer),
        ),
        (Method::GET, format!("/api/0/issues/{}/activity/", f.issue), Value::Null, Need::Project(Role::Viewer)),
        (Method::GET, format!("/api/0/projects/{p}/assignees/"), Value::Null, Need::Project(Role::Viewer)),
        (
            Method::POST,
            format!("/api/0/issues/{}/comments/", f.issue),
            json!({"text": "looking"}),
            Need::Project(Role::Member),
        ),
        (
            Method::GET,
            format!("/api/0/projects/{p}/events/{}/attachments/{}/", f.event, f.attachment),
            Value::Null,
            Need::Project(Role::Viewer),
        ),
        (
            Method::PATCH,
            format!("/api/0/issues/{}/", f.issue),
            json!({"action": "unresolve"}),
            Need::Project(Role::Member),
        ),
        (
            Method::PUT,
            format!("/api/0/projects/{p}/issues/"),
            json!({"ids": [f.issue], "action": "unresolve"}),
            Need::Project(Role::Member),
        ),
        (Method::GET, format!("/api/0/projects/{p}/settings/"), Value::Null, Need::Project(Role::Admin)),
        (Method::PATCH, format!("/api/0/projects/{p}/"), json!({"platform": "other"}), Need::Project(Role::Admin)),
        (Method::POST, format!("/api/0/projects/{p}/keys/"), json!({"label": "new"}), Need::Project(Role::Admin)),
        (
            Method::PATCH,
            format!("/api/0/projects/{p}/keys/{}/", f.key),
            json!({"label": "Default"}),
            Need::Project(Role::Admin),
        ),
        (
            Method::POST,
            format!("/api/0/projects/{p}/keys/{}/rotate/", f.spare_key),
            Value::Null,
            Need::Project(Role::Admin),
        ),
        (
            Method::POST,
            format!("/api/0/projects/{p}/members/"),
            json!({"email": "extra@example.com", "role": "viewer"}),
            Need::Project(Role::Admin),
        ),
        (
            Method::PATCH,
            format!("/api/0/projects/{p}/members/{}/", f.extra_user),
            json!({"role": "viewer"}),
            Need::Project(Role::Admin),
        ),
        (
            Method::DELETE,
            format!("/api/0/projects/{p}/members/{}/", f.extra_user),
            Value::Null,
            Need::Project(Role::Admin),
        ),
        (Method::GET, "/api/0/users/".into(), Value::Null, Need::Owner),
        (Method::PATCH, format!("/api/0/users/{}/", f.extra_user), json!({"disabled": false}), Need::Owner),
        (Method::POST, "/api/0/invites/".into(), json!({"project_id": p, "role": "viewer"}), Need::Owner),
        (Method::GET, "/api/0/invites/".into(), Value::Null, Need::Owner),
        (Method::POST, "/api/0/projects/".into(), json!({"name": "Matrix"}), Need::Owner),
        (Method::GET, "/metrics".into(), Value::Null, Need::Owner),
    ];

    let mut failures = Vec::new();
    for (method, path, body, need) in &routes {
        for (caller, client) in &f.clients {
            // The member routes act on the extra user: make them a member again before each call.
            members::set(&app.db, p, f.extra_user, Role::Viewer).await.expect("reset");
            let mut request = client.request(method.clone(), app.url(path));
            if !body.is_null() {
                request = request.json(body);
            }
            let status = request.send().await.expect("sent").status();
            let got = if status.is_success() { Expect::Success } else { Expect::Status(status) };
            let want = caller.expects(*need);
            if got != want {
                failures.push(format!("{method} {path} as {caller:?}: expected {want:?}, got {status}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} calls were wrong:\n{}",
        failures.len(),
        routes.len() * f.clients.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn deleting_a_project_takes_an_admin() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    for (caller, client) in &f.clients {
        let project: Value = app
            .client
            .post(app.url("/api/0/projects/"))
            .json(&json!({"name": "Doomed"}))
            .send()
            .await
            .expect("create")
            .json()
            .await
            .expect("json");
        let id = project["id"].as_i64().expect("id");
        for user in ["admin", "member", "viewer"] {
            let found = users::by_email(&app.db, &format!("{user}@example.com")).await.expect("query").expect("user");
            members::set(&app.db, id, found.id, Role::parse(user).expect("role")).await.expect("member");
        }
        let status = client
            .delete(app.url(&format!("/api/0/projects/{id}/")))
            .json(&json!({"confirm": "Doomed"}))
            .send()
            .await
            .expect("delete")
            .status();
        let got = if status.is_success() { Expect::Success } else { Expect::Status(status) };
        assert_eq!(got, caller.expects(Need::Project(Role::Admin)), "{caller:?}");
    }
}

#[tokio::test]
async fn objects_of_another_project_are_not_found_even_for_an_admin_of_this_one() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let (_, stranger) = f.clients.iter().find(|(caller, _)| *caller == Caller::Stranger).expect("stranger");
    let q = app.default_project.project_id.get();
    let admin_of_p = users::by_email(&app.db, "admin@example.com").await.expect("query").expect("admin").id;
    let attempts = [
        (Method::GET, format!("/api/0/projects/{q}/events/{}/", f.event)),
        (Method::GET, format!("/api/0/projects/{q}/events/{}/attachments/{}/", f.event, f.attachment)),
        (Method::PATCH, format!("/api/0/projects/{q}/keys/{}/", f.key)),
        (Method::POST, format!("/api/0/projects/{q}/keys/{}/rotate/", f.key)),
        (Method::PATCH, format!("/api/0/projects/{q}/members/{admin_of_p}/")),
        (Method::DELETE, format!("/api/0/projects/{q}/members/{admin_of_p}/")),
        (Method::GET, format!("/api/0/issues/{}/", f.issue)),
        (Method::PATCH, format!("/api/0/issues/{}/", f.issue)),
        (Method::GET, format!("/api/0/issues/{}/events/latest/", f.issue)),
        (Method::GET, format!("/api/0/issues/{}/activity/", f.issue)),
        (Method::POST, format!("/api/0/issues/{}/comments/", f.issue)),
        (Method::GET, format!("/api/0/projects/{q}/events/{}/json/", f.event)),
    ];
    for (method, path) in attempts {
        let body = json!({"label": "x", "role": "viewer", "action": "resolve", "text": "hi"});
        let status = stranger.request(method.clone(), app.url(&path)).json(&body).send().await.expect("sent").status();
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    let issue = app.get_json(&format!("/api/0/issues/{}/", f.issue)).await;
    assert_eq!(issue["issue"]["status"], "unresolved", "nothing was changed");
    let activity = app.get_json(&format!("/api/0/issues/{}/activity/", f.issue)).await;
    assert_eq!(activity, serde_json::json!([]), "and nothing was said");
}
