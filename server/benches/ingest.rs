//! Ingest throughput: the real server on a fresh database, fed the recorded Python SDK event
//! (frames, local variables, breadcrumbs; ~2.7 KB) over HTTP by concurrent clients, each event
//! with its own id and one of 50 exception types. Prints events/s and request latencies.
//!
//! `cargo xtask bench ingest [--events N] [--concurrency C]`; set FAULTLINE_BENCH_DATABASE_URL
//! to measure PostgreSQL instead of SQLite. The load generator runs in the same process, so it
//! shares the machine's cores with the server.

use serde_json::Value;
use server::config::Settings;
use server::startup::Application;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const RECORDING: &str = "tests/fixtures/sentry/python/nocompress/py-nocompress-01.body.raw";
const ISSUE_KINDS: usize = 50;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The event payload of the recording, as JSON.
fn recorded_event() -> anyhow::Result<Value> {
    let raw = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(RECORDING))?;
    let envelope = protocol::envelope::envelope(raw.into())?;
    let item = envelope.event_item()?.ok_or_else(|| anyhow::anyhow!("the recording has no event"))?;
    Ok(serde_json::from_slice(&item.payload)?)
}

fn envelope(template: &Value, n: usize) -> String {
    let mut event = template.clone();
    let event_id = format!("{:032x}", n + 1);
    event["event_id"] = Value::from(event_id.clone());
    event["timestamp"] = Value::from(chrono::Utc::now().timestamp_millis() as f64 / 1000.0);
    event["exception"]["values"][0]["type"] = Value::from(format!("BenchError{}", n % ISSUE_KINDS));
    format!("{{\"event_id\":\"{event_id}\"}}\n{{\"type\":\"event\"}}\n{event}\n")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let events = arg("--events", 20_000);
    let concurrency = arg("--concurrency", 32);
    let data = tempfile::tempdir()?;
    let mut settings = Settings::from_defaults();
    settings.host = Some([127, 0, 0, 1].into());
    settings.port = Some(0);
    settings.data_dir = data.path().to_path_buf();
    settings.leptos_config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Leptos.toml");
    settings.database_url = std::env::var("FAULTLINE_BENCH_DATABASE_URL").ok().filter(|url| !url.is_empty());
    let backend = if settings.database_url.is_some() { "PostgreSQL" } else { "SQLite" };

    let app = Application::build(settings).await?;
    let project = app.default_project().clone();
    let url = format!(
        "http://{}/api/{}/envelope/?sentry_key={}",
        app.local_addr(),
        project.project_id,
        project.public_key.as_str()
    );
    tokio::spawn(app.run_until(std::future::pending()));

    let template = Arc::new(recorded_event()?);
    let next = Arc::new(AtomicUsize::new(0));
    let client = reqwest::Client::new();
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (template, next, client, url) = (template.clone(), next.clone(), client.clone(), url.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= events {
                        return Ok::<_, anyhow::Error>(latencies);
                    }
                    let body = envelope(&template, n);
                    let sent = Instant::now();
                    let status = client.post(&url).body(body).send().await?.status();
                    anyhow::ensure!(status == 200, "event {n} answered {status}");
                    latencies.push(sent.elapsed());
                }
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(events);
    for worker in workers {
        latencies.extend(worker.await??);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let percentile = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("ingest benchmark: {backend}, {events} events, {concurrency} concurrent clients");
    println!("  throughput: {:.0} events/s ({:.2} s)", events as f64 / elapsed.as_secs_f64(), elapsed.as_secs_f64());
    println!(
        "  latency: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms",
        ms(percentile(0.50)),
        ms(percentile(0.95)),
        ms(percentile(0.99))
    );
    Ok(())
}
