//! Ingest throughput: a real server process on a fresh database, fed the recorded Python SDK
//! event (frames, local variables, breadcrumbs; ~2.7 KB) over HTTP by concurrent clients in this
//! process, each event with its own id and one of 50 exception types. Counted until the last
//! event is acknowledged (after its commit). Prints events/s, acknowledgement latencies, the
//! server's CPU per event (its own process only: the load generator and PostgreSQL are apart)
//! and its peak RSS.
//!
//! `cargo xtask bench ingest [--events N] [--concurrency C[,C…]] [--server PATH]`; the xtask
//! builds the release server and passes it. Set FAULTLINE_BENCH_DATABASE_URL to measure
//! PostgreSQL instead of a fresh SQLite file: each run creates a fresh database on that server
//! (and drops it after), leaving the named one alone.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const RECORDING: &str = "tests/fixtures/sentry/python/nocompress/py-nocompress-01.body.raw";
const ISSUE_KINDS: usize = 50;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
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

/// The server process and where to send events.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(binary: &str, data: &Path, database_url: Option<&str>) -> anyhow::Result<Server> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut command = Command::new(binary);
    command.args(["--host", "127.0.0.1", "--port", "0", "--data-dir"]).arg(data).current_dir(root);
    if let Some(url) = database_url {
        command.args(["--database-url", url]);
    }
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn()?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let (mut dsn, mut dashboard) = (None, None);
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        if let Some(rest) = line.strip_prefix("DSN: ") {
            dsn = Some(rest.to_owned());
        } else if let Some(rest) = line.strip_prefix("Dashboard: ") {
            dashboard = Some(rest.trim_end_matches('/').to_owned());
            break;
        }
    }
    let (dsn, dashboard) = dsn.zip(dashboard).ok_or_else(|| anyhow::anyhow!("the server printed no DSN"))?;
    // http://KEY@host:port/PROJECT
    let key = dsn.split("//").nth(1).and_then(|rest| rest.split('@').next()).unwrap_or_default().to_owned();
    let project = dsn.rsplit('/').next().unwrap_or_default().to_owned();
    Ok(Server { child, url: format!("{dashboard}/api/{project}/envelope/?sentry_key={key}") })
}

/// (user + system CPU seconds, peak RSS in MiB) of a process, from /proc.
fn usage(pid: u32) -> anyhow::Result<(f64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or_default().split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or_default();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; 100 ticks/s.
    let cpu = (ticks(11) + ticks(12)) / 100.0;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let peak = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or_default();
    Ok((cpu, peak / 1024))
}

async fn run(
    binary: &str,
    events: usize,
    concurrency: usize,
    template: Arc<Value>,
    database_url: Option<&str>,
) -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    let backend = if database_url.is_some() { "PostgreSQL" } else { "SQLite" };
    let server = start(binary, data.path(), database_url)?;
    let pid = server.child.id();
    let next = Arc::new(AtomicUsize::new(0));
    let client = reqwest::Client::new();
    let (cpu_before, _) = usage(pid)?;
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (template, next, client, url) = (template.clone(), next.clone(), client.clone(), server.url.clone());
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
    let (cpu_after, peak_mib) = usage(pid)?;
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
    println!(
        "  server: {:.3} ms CPU per event, peak RSS {peak_mib} MiB",
        (cpu_after - cpu_before) * 1000.0 / events as f64
    );
    Ok(())
}

/// A fresh database on the server of `url`, and its URL.
async fn fresh_database(url: &str, run: usize) -> anyhow::Result<(String, String)> {
    use sea_orm::{ConnectionTrait, Database};
    let name = format!("faultline_ingest_bench_{}_{run}", std::process::id());
    let db = Database::connect(url).await?;
    db.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
    let base = url.rsplit_once('/').map_or(url, |(base, _)| base);
    Ok((name.clone(), format!("{base}/{name}")))
}

async fn drop_database(url: &str, name: &str) -> anyhow::Result<()> {
    use sea_orm::{ConnectionTrait, Database};
    let db = Database::connect(url).await?;
    db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let events = arg("--events").and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let concurrency: Vec<usize> = arg("--concurrency")
        .unwrap_or_else(|| "8,32".to_owned())
        .split(',')
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    let binary = arg("--server").unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/faultline").display().to_string()
    });
    let template = Arc::new(recorded_event()?);
    let postgres = std::env::var("FAULTLINE_BENCH_DATABASE_URL").ok().filter(|url| !url.is_empty());
    for (n, concurrency) in concurrency.into_iter().enumerate() {
        match &postgres {
            Some(url) => {
                let (name, fresh) = fresh_database(url, n).await?;
                let result = run(&binary, events, concurrency, template.clone(), Some(&fresh)).await;
                drop_database(url, &name).await?;
                result?;
            }
            None => run(&binary, events, concurrency, template.clone(), None).await?,
        }
    }
    Ok(())
}
