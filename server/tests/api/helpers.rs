//! `spawn_app()`: the real server on port 0 with a fresh database (a SQLite file in a temporary
//! directory, or a new PostgreSQL database when FAULTLINE_TEST_DATABASE_URL is set), plus the
//! recorded SDK requests to replay against it.

use app::model::Scope;
use protocol::ids::{ProjectId, PublicKey};
use sea_orm::{
    ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait, PaginatorTrait,
    Statement, TransactionTrait,
};
use server::config::Settings;
use server::startup::Application;
use server::store::entities::{event, issue};
use server::store::projects::{self, ProjectWithKey};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};
use tempfile::TempDir;

/// The key and project the recordings were made with.
pub const FIXTURE_KEY: &str = "abc123publickey";
pub const FIXTURE_PROJECT: i64 = 42;
/// The `dsn_*` recordings used `http://pubkey123[:secretkey456]@host/prefix/sub/7`.
pub const PREFIXED_DSN_KEY: &str = "pubkey123";
pub const PREFIXED_DSN_PROJECT: i64 = 7;

pub struct TestApp {
    pub addr: SocketAddr,
    pub db: DatabaseConnection,
    /// Sends the owner's admin API token with every request.
    pub client: reqwest::Client,
    /// Sends no credentials.
    pub anonymous: reqwest::Client,
    pub default_project: ProjectWithKey,
    pub writer: server::store::writer::Writer,
    pub retention: server::retention::Retention,
    _database: TestDatabase,
}

/// The instance owner every test server starts with.
pub const OWNER_EMAIL: &str = "owner@faultline.test";
pub const PASSWORD: &str = "correct horse battery";
/// The setup token of test servers started without an owner.
pub const SETUP_TOKEN: &str = "test-setup-token-0123456789";

/// Where a test's data lives: a temporary data directory, and a PostgreSQL database of its own
/// when FAULTLINE_TEST_DATABASE_URL is set.
pub struct TestDatabase {
    pub data_dir: TempDir,
    postgres: Option<PostgresDatabase>,
}

impl TestDatabase {
    pub async fn new() -> Self {
        let postgres = match std::env::var("FAULTLINE_TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => Some(PostgresDatabase::create(&url).await),
            _ => None,
        };
        TestDatabase { data_dir: tempfile::tempdir().expect("temporary data directory"), postgres }
    }

    pub fn is_sqlite(&self) -> bool {
        self.postgres.is_none()
    }

    /// Settings of a test server: port 0, the workspace's Leptos.toml, this database.
    pub fn settings(&self) -> Settings {
        let mut settings = Settings::from_defaults();
        settings.host = Some([127, 0, 0, 1].into());
        settings.port = Some(0);
        settings.data_dir = self.data_dir.path().to_path_buf();
        settings.leptos_config = workspace_root().join("Leptos.toml");
        settings.database_url = self.postgres.as_ref().map(|pg| pg.url.clone());
        settings
    }
}

#[derive(Default)]
pub struct Options {
    pub max_envelope_bytes: Option<usize>,
    pub max_attachment_bytes: Option<usize>,
    pub ingest_queue: Option<usize>,
    pub ingest_queue_bytes: Option<usize>,
    pub write_batch: Option<usize>,
    /// Start like a fresh install: no user at all.
    pub without_owner: bool,
    pub public_url: Option<String>,
    pub allowed_hosts: Vec<String>,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub max_sockets_per_user: Option<usize>,
    pub max_sockets_per_address: Option<usize>,
    pub socket_recheck_seconds: Option<u64>,
    pub retention_max_events_per_issue: Option<u64>,
    /// Alert webhooks may reach the test's receivers on loopback.
    pub alerts_allow_private_networks: bool,
    pub alerts_timeout_seconds: Option<f64>,
    pub alerts_retry_seconds: Option<f64>,
    /// Alert emails go through this SMTP server, from `alerts@faultline.test`.
    pub smtp_url: Option<String>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

pub async fn spawn_app_with(options: Options) -> TestApp {
    let database = TestDatabase::new().await;
    let mut settings = database.settings();
    if let Some(limit) = options.max_envelope_bytes {
        settings.max_envelope_bytes = limit;
    }
    if let Some(limit) = options.max_attachment_bytes {
        settings.max_attachment_bytes = limit;
    }
    if let Some(size) = options.ingest_queue {
        settings.ingest_queue = size;
    }
    if let Some(bytes) = options.ingest_queue_bytes {
        settings.ingest_queue_bytes = bytes;
    }
    if let Some(size) = options.write_batch {
        settings.write_batch = size;
    }
    settings.public_url = options.public_url.clone();
    settings.allowed_hosts = options.allowed_hosts.clone();
    settings.trusted_proxies = options.trusted_proxies.clone();
    if let Some(cap) = options.max_sockets_per_user {
        settings.max_sockets_per_user = cap;
    }
    if let Some(cap) = options.max_sockets_per_address {
        settings.max_sockets_per_address = cap;
    }
    if let Some(seconds) = options.socket_recheck_seconds {
        settings.socket_recheck_seconds = seconds;
    }
    if options.without_owner {
        settings.setup_token = Some(SETUP_TOKEN.to_owned());
    }
    if let Some(cap) = options.retention_max_events_per_issue {
        settings.retention_max_events_per_issue = cap;
    }
    settings.alerts_allow_private_networks = options.alerts_allow_private_networks;
    if let Some(seconds) = options.alerts_timeout_seconds {
        settings.alerts_timeout_seconds = seconds;
    }
    if let Some(seconds) = options.alerts_retry_seconds {
        settings.alerts_retry_seconds = seconds;
    }
    if let Some(url) = options.smtp_url {
        settings.smtp_url = Some(url);
        settings.smtp_from = Some("Faultline <alerts@faultline.test>".to_owned());
    }
    let app = Application::build(settings).await.expect("the application builds");
    let addr = app.local_addr();
    let db = app.db().clone();
    let default_project = app.default_project().clone();
    let writer = app.writer();
    let retention = app.retention();
    let token = if options.without_owner {
        String::new()
    } else {
        let owner = create_user(&db, OWNER_EMAIL, true).await;
        api_token(&db, owner.id, Scope::Admin).await
    };
    projects::create(&db, Some(project(FIXTURE_PROJECT)), "Recordings", Some(key(FIXTURE_KEY)))
        .await
        .expect("fixture project");
    projects::create(&db, Some(project(PREFIXED_DSN_PROJECT)), "Prefixed DSN", Some(key(PREFIXED_DSN_KEY)))
        .await
        .expect("prefixed-DSN project");
    tokio::spawn(app.run_until(std::future::pending()));
    TestApp {
        addr,
        db,
        client: client_with_token(&token),
        anonymous: reqwest::Client::new(),
        default_project,
        writer,
        retention,
        _database: database,
    }
}

/// A user with the test password.
pub async fn create_user(db: &DatabaseConnection, email: &str, is_owner: bool) -> server::store::entities::user::Model {
    let hash = server::auth::passwords::hash(PASSWORD.to_owned()).await.expect("hash");
    server::store::users::create(db, email, hash, is_owner).await.expect("user")
}

/// A new API token of the user.
pub async fn api_token(db: &DatabaseConnection, user_id: i64, scope: Scope) -> String {
    server::auth::tokens::issue(db, user_id, "tests", scope).await.expect("token").0
}

/// A client that sends `Authorization: Bearer <token>`.
pub fn client_with_token(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    let value = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}")).expect("header");
    headers.insert(reqwest::header::AUTHORIZATION, value);
    reqwest::Client::builder().default_headers(headers).build().expect("client")
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

pub fn project(id: i64) -> ProjectId {
    ProjectId::parse(&id.to_string()).expect("project id")
}

pub fn key(raw: &str) -> PublicKey {
    PublicKey::parse(raw).expect("public key")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `GET path` as the owner, decoded.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let response = self.client.get(self.url(path)).send().await.expect("get");
        assert!(response.status().is_success(), "GET {path}: {}", response.status());
        response.json().await.expect("json")
    }

    /// Changes project settings through the API, as the owner.
    pub async fn update_project(&self, project: i64, update: serde_json::Value) {
        let response = self
            .client
            .patch(self.url(&format!("/api/0/projects/{project}/")))
            .json(&update)
            .send()
            .await
            .expect("patch");
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    }

    /// This server's origin, as its pages send it.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Signs in as the user (with the test password) like the dashboard does; returns the
    /// `Cookie` header value of the session.
    pub async fn sign_in(&self, email: &str) -> String {
        let response = self
            .anonymous
            .post(self.url("/api/0/auth/login"))
            .header("origin", self.origin())
            .json(&serde_json::json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .expect("login");
        assert_eq!(response.status(), 200, "sign-in of {email}");
        let cookie = response.headers()["set-cookie"].to_str().expect("cookie").to_owned();
        cookie.split(';').next().expect("name=value").to_owned()
    }

    /// Posts an envelope to project 42 with the recordings' key in the query, as JavaScript does.
    pub async fn post_envelope(&self, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.ingest(&format!("/api/{FIXTURE_PROJECT}/envelope/?sentry_key={FIXTURE_KEY}"), None, body).await
    }

    /// Posts `body` to an ingest URL (path and query), with a Content-Encoding when given.
    pub async fn ingest(
        &self,
        path_and_query: &str,
        content_encoding: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        let mut request = self.client.post(self.url(path_and_query)).body(body);
        if let Some(encoding) = content_encoding {
            request = request.header("content-encoding", encoding);
        }
        request.send().await.expect("request sent")
    }

    pub async fn outcomes(&self) -> Vec<app::model::ProjectOutcomes> {
        self.client.get(self.url("/api/0/outcomes/")).send().await.expect("outcomes").json().await.expect("json")
    }

    pub async fn event_count(&self) -> u64 {
        event::Entity::find().count(&self.db).await.expect("count events")
    }

    pub async fn issue_count(&self) -> u64 {
        issue::Entity::find().count(&self.db).await.expect("count issues")
    }

    pub async fn issues(&self) -> Vec<issue::Model> {
        issue::Entity::find().all(&self.db).await.expect("list issues")
    }

    /// The stored event with this id, decoded.
    pub async fn stored_event(&self, event_id: &str) -> Option<(event::Model, app::event::Event)> {
        use sea_orm::{ColumnTrait, QueryFilter};
        let row = event::Entity::find()
            .filter(event::Column::EventId.eq(event_id))
            .one(&self.db)
            .await
            .expect("find event")?;
        let decoded = server::store::new_event::decode_payload(&row.payload).expect("payload decodes");
        Some((row, decoded))
    }
}

/// An envelope holding one event built from `event` (a JSON object without an id).
pub fn envelope_with_event(event_id: &str, event: serde_json::Value) -> String {
    format!("{{\"event_id\":\"{event_id}\"}}\n{{\"type\":\"event\"}}\n{event}\n")
}

/// A fresh PostgreSQL database for one test, dropped when the test ends.
struct PostgresDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PostgresDatabase {
    async fn create(admin_url: &str) -> Self {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs();
        let name = format!("faultline_test_{now}_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(admin_url).await.expect("connect to PostgreSQL");
        drop_stale_databases(&admin, now).await;
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
        let url = with_database(admin_url, &name);
        PostgresDatabase { admin_url: admin_url.to_owned(), name, url }
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // Drop cannot await, and the test's runtime may be shutting down: use a runtime of our own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                let admin = Database::connect(&admin_url).await.expect("connect to PostgreSQL");
                admin.execute_unprepared(&statement).await.expect("drop test database");
            });
        })
        .join();
        if dropped.is_err() {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}

/// Databases of test runs that crashed before dropping them, older than an hour.
async fn drop_stale_databases(admin: &DatabaseConnection, now: u64) {
    let rows = admin
        .query_all_raw(Statement::from_string(
            admin.get_database_backend(),
            "SELECT datname FROM pg_database WHERE datname LIKE 'faultline_test_%'",
        ))
        .await
        .expect("list test databases");
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "datname") else { continue };
        let created = name.split('_').nth(2).and_then(|secs| secs.parse::<u64>().ok()).unwrap_or(now);
        if now.saturating_sub(created) > 3600 {
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.ok();
        }
    }
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let (server, _) = base.rsplit_once('/').expect("database URL has a path");
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

/// Another connection takes a lock the writer needs first, so it blocks on its next event until
/// the returned transaction ends. On PostgreSQL that is the event table, which only events need
/// (a decision made meanwhile outside the writer would not wait); SQLite has one write lock.
pub async fn hold_the_writer(app: &TestApp) -> DatabaseTransaction {
    let lock = app.db.begin().await.expect("begin");
    match lock.get_database_backend() {
        DbBackend::Postgres => lock.execute_unprepared("LOCK TABLE event IN ACCESS EXCLUSIVE MODE").await,
        _ => lock.execute_unprepared("UPDATE project SET name = name").await,
    }
    .expect("take the write lock");
    lock
}
