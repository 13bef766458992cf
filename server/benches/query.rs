//! Reading at scale: how fast the issue list, searches, the issue page and the project chart
//! answer over a database of a million events.
//!
//! `cargo xtask seed --events 1000000 --issues 10000` fills the bench database through the real
//! ingest pipeline (normalize, fingerprint, the writer) with events spread over 30 days: a few
//! issues get most events, as in life; levels, environments, releases, browsers and users vary.
//! `cargo xtask bench query [--samples N]` then starts the server on that database and times
//! each request over HTTP with an API token, one at a time, printing p50/p95/p99.
//!
//! The SQLite database lives in `target/bench-data`; set FAULTLINE_BENCH_DATABASE_URL to a
//! fresh PostgreSQL database to seed and measure that instead.

use app::model::Scope;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::Value;
use server::config::Settings;
use server::ingest::{normalize, pipeline};
use server::startup::Application;
use server::store::projects::IngestSettings;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;

const RECORDING: &str = "tests/fixtures/sentry/python/nocompress/py-nocompress-01.body.raw";
const DAYS: f64 = 30.0;
const USERS: u64 = 20_000;
const MESSAGES: [&str; 6] = [
    "connection reset by peer",
    "timeout while reading",
    "invalid token",
    "null pointer",
    "index out of range",
    "permission denied",
];
const BROWSERS: [&str; 4] = ["Chrome", "Chrome", "Firefox", "Safari"];

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data")
}

fn settings() -> Settings {
    let mut settings = Settings::from_defaults();
    settings.host = Some([127, 0, 0, 1].into());
    settings.port = Some(0);
    settings.data_dir = data_dir();
    settings.leptos_config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Leptos.toml");
    settings.database_url = std::env::var("FAULTLINE_BENCH_DATABASE_URL").ok().filter(|url| !url.is_empty());
    settings
}

fn backend(settings: &Settings) -> &'static str {
    if settings.database_url.is_some() { "PostgreSQL" } else { "SQLite" }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "seed") { seed().await } else { measure().await }
}

/// xorshift64*: reproducible seeds without a dependency.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The recorded Python SDK event made into event `n` of issue `kind`.
fn event(template: &Value, n: u64, kind: u64, random: &mut Random) -> Value {
    let mut event = template.clone();
    let level = match kind % 20 {
        0 => "fatal",
        1..=3 => "warning",
        4 => "info",
        _ => "error",
    };
    event["event_id"] = Value::from(format!("{:032x}", n + 1));
    event["level"] = Value::from(level);
    event["exception"]["values"][0]["type"] = Value::from(format!("Seed{kind}Error"));
    event["exception"]["values"][0]["value"] = Value::from(format!("{} (#{kind})", MESSAGES[kind as usize % 6]));
    event["environment"] = Value::from(if random.unit() < 0.8 { "production" } else { "staging" });
    let browser = BROWSERS[(random.next() % 4) as usize];
    event["tags"] = serde_json::json!({"browser.name": browser});
    event["user"] = serde_json::json!({"id": format!("user-{}", random.next() % USERS)});
    event
}

async fn seed() -> anyhow::Result<()> {
    let events = arg("--events", 1_000_000) as u64;
    let issues = arg("--issues", 10_000) as u64;
    let settings = settings();
    if settings.database_url.is_none() && data_dir().exists() {
        std::fs::remove_dir_all(data_dir())?;
    }
    std::fs::create_dir_all(data_dir())?;
    let backend = backend(&settings);
    let app = Application::build(settings).await?;
    let project = app.default_project().project_id;
    let writer = app.writer();
    let raw = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(RECORDING))?;
    let envelope = protocol::envelope::envelope(raw.into())?;
    let item = envelope.event_item()?.ok_or_else(|| anyhow::anyhow!("the recording has no event"))?;
    let template: Value = serde_json::from_slice(&item.payload)?;

    println!("seeding {backend}: {events} events over {issues} issues and {DAYS} days");
    let in_flight = Arc::new(Semaphore::new(512));
    let now = chrono::Utc::now();
    let started = Instant::now();
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..events {
        // Every issue gets an event first; after that a few issues get most of them.
        let kind = if n < issues { n } else { (issues as f64 * random.unit().powi(3)) as u64 };
        let ago = chrono::Duration::seconds((random.unit().powi(2) * DAYS * 86_400.0) as i64);
        let mut json = event(&template, n, kind, &mut random);
        json["release"] = Value::from(format!("shop@1.{}", 30 - ago.num_days()));
        let received = now - ago;
        let permit = in_flight.clone().acquire_owned().await?;
        let writer = writer.clone();
        // Both cores prepare events; fewer in flight than the writer's queue holds, so it is
        // never full.
        tasks.spawn(async move {
            let _permit = permit;
            let payload = serde_json::to_vec(&json)?;
            let mut normalized = normalize::event(&payload, None, None, received)?;
            let new = pipeline::prepare(project, &mut normalized, &IngestSettings::default(), Vec::new())?;
            writer.store(Box::new(new)).await.map_err(anyhow::Error::from)
        });
        while let Some(done) = tasks.try_join_next() {
            done??;
        }
        if (n + 1) % 50_000 == 0 {
            println!("  {} events, {:.0} events/s", n + 1, (n + 1) as f64 / started.elapsed().as_secs_f64());
        }
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    println!("seeded in {:.0} s", started.elapsed().as_secs_f64());
    // Statistics for the planners, as after any bulk load. PostgreSQL's autovacuum would also
    // vacuum (setting the visibility map that index-only scans need); it may be off on a test
    // server, so the seed does it.
    let settle = if app.db().get_database_backend() == DbBackend::Postgres { "VACUUM ANALYZE" } else { "ANALYZE" };
    app.db().execute_unprepared(settle).await?;
    Ok(())
}

/// Times `path` `samples` times; returns milliseconds sorted.
async fn time(client: &reqwest::Client, base: &str, path: &str, samples: usize) -> anyhow::Result<Vec<f64>> {
    let mut latencies = Vec::with_capacity(samples);
    for i in 0..samples + 5 {
        let started = Instant::now();
        let response = client.get(format!("{base}{path}")).send().await?;
        anyhow::ensure!(response.status().is_success(), "{path} answered {}", response.status());
        response.bytes().await?;
        if i >= 5 {
            latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    latencies.sort_by(f64::total_cmp);
    Ok(latencies)
}

async fn measure() -> anyhow::Result<()> {
    let samples = arg("--samples", 200);
    let settings = settings();
    let backend = backend(&settings);
    let app = Application::build(settings).await?;
    let db = app.db().clone();
    let project = app.default_project().project_id.get();
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until(std::future::pending()));

    let email = format!("bench-{}@faultline.test", uuid::Uuid::new_v4().simple());
    let password = server::auth::passwords::hash(uuid::Uuid::new_v4().to_string()).await?;
    let user = server::store::users::create(&db, &email, password, true).await?;
    let token = server::auth::tokens::issue(&db, user.id, "query bench", Scope::Read).await?.0;
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, HeaderValue::from_str(&format!("Bearer {token}"))?);
    let client = reqwest::Client::builder().default_headers(headers).build()?;

    let busiest: Value = client.get(format!("{base}/api/0/issues/?sort=events")).send().await?.json().await?;
    let issue = busiest[0]["id"].as_i64().ok_or_else(|| anyhow::anyhow!("seed the database first: no issues"))?;
    let first_page = client.get(format!("{base}/api/0/issues/?query=is:unresolved")).send().await?;
    let link = first_page.headers().get("link").and_then(|l| l.to_str().ok()).unwrap_or_default().to_owned();
    let second_page = link.split_once('<').and_then(|(_, rest)| rest.split_once('>')).map(|(url, _)| url.to_owned());

    let mut cases = vec![
        ("issue list (is:unresolved, last seen)", "/api/0/issues/?query=is:unresolved".to_owned()),
        (
            "search: level:error browser.name:Safari",
            "/api/0/issues/?query=is:unresolved%20level:error%20browser.name:Safari".to_owned(),
        ),
        ("search: \"connection reset\" (free text)", "/api/0/issues/?query=%22connection%20reset%22".to_owned()),
        (
            "search: firstSeen:-7d timesSeen:>50 environment:production, by events",
            "/api/0/issues/?query=firstSeen:-7d%20timesSeen:%3E50%20environment:production&sort=events".to_owned(),
        ),
        ("issue page: the busiest issue", format!("/api/0/issues/{issue}/")),
        ("issue page: its latest event", format!("/api/0/issues/{issue}/events/latest/")),
        ("project chart 24h", format!("/api/0/projects/{project}/chart/?range=24h")),
        ("project chart 30d", format!("/api/0/projects/{project}/chart/?range=30d")),
    ];
    if let Some(next) = second_page {
        cases.insert(1, ("issue list, page 2 (cursor)", next));
    }
    println!("query benchmark: {backend}, {samples} requests each, one at a time (ms)");
    println!("  {:<70} {:>7} {:>7} {:>7}", "request", "p50", "p95", "p99");
    for (name, path) in cases {
        let ms = time(&client, &base, &path, samples).await?;
        let at = |p: f64| ms[((ms.len() - 1) as f64 * p) as usize];
        println!("  {name:<70} {:>7.1} {:>7.1} {:>7.1}", at(0.50), at(0.95), at(0.99));
    }
    Ok(())
}
