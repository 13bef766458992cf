//! Ingest throughput: a real server process on a fresh database, fed recorded official-SDK
//! events over HTTP by concurrent clients in this process, each event with its own id and one of
//! 50 exception types, for two sizes: **~5 KB** (the Python, Node and browser SDKs' error events
//! with frames, context lines, local variables and breadcrumbs, in turn) and **~50 KB** (the Node
//! SDK's large event). Bodies are sent uncompressed. Counted until the last event is
//! acknowledged (after its commit). Prints events/s and MB/s, acknowledgement latencies, CPU per
//! event of the server process and, apart, of PostgreSQL's processes, and the server's peak RSS.
//!
//! `cargo xtask bench ingest [--events N] [--concurrency C[,C…]] [--sizes 5k,50k] [--alert-rules R]
//! [--transition] [--server PATH]`; the xtask builds the release server and passes it. With `--alert-rules R`
//! the project has R alert rules (a new issue, or 100 events in 5 minutes, of level error) that
//! notify a webhook receiver in this process, which prints how many notifications came and how
//! long after its event was sent each arrived. With `--transition` the project is in the grouping
//! transition of a project made before the stack trace rules (each event also hashed the old
//! way). The ~50 KB runs send a tenth of N. Set
//! FAULTLINE_BENCH_DATABASE_URL to measure PostgreSQL instead of a fresh SQLite file: each run
//! creates a fresh database on that server (and drops it after), leaving the named one alone.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Recordings of error events, ~5 KB each.
const SMALL: [&str; 5] = [
    "python/nocompress/py-nocompress-01.body.raw",
    "node/chained/node-chained-02.body.raw",
    "node/unhandled/node-unhandled-02.body.raw",
    "node/default/node-default-02.body.raw",
    "browser/ingest/browser-05.body.raw",
];
/// A recording of a ~43 KB error event.
const LARGE: [&str; 1] = ["node/large_gzip/node-large-02.body.raw"];
const ISSUE_KINDS: usize = 50;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

/// An event body with places for its id, timestamp and exception type, filled per request by
/// string replacement: the load generator stays cheap beside the server on the same cores.
struct Template {
    parts: Vec<String>,
}

const EVENT_ID: &str = "__bench_event_id__";
const TIMESTAMP: &str = "\"__bench_timestamp__\"";
const KIND: &str = "__bench_kind__";

impl Template {
    /// The event of a recording, decoded as its recorded `Content-Encoding` says.
    fn recorded(path: &str) -> anyhow::Result<Template> {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sentry").join(path);
        let meta: serde_json::Value =
            serde_json::from_slice(&std::fs::read(file.with_extension("").with_extension("meta.json"))?)?;
        let headers = meta["headers"].as_array().into_iter().flatten();
        let encoding = headers
            .filter_map(|pair| Some((pair.get(0)?.as_str()?, pair.get(1)?.as_str()?)))
            .find_map(|(name, value)| name.eq_ignore_ascii_case("content-encoding").then_some(value));
        let encoding = protocol::decompress::Encoding::from_header(encoding)?;
        let raw = protocol::decompress::decode(encoding, std::fs::read(&file)?.into(), usize::MAX)?;
        let envelope = protocol::envelope::envelope(raw)?;
        let item = envelope.event_item()?.ok_or_else(|| anyhow::anyhow!("{path} has no event"))?;
        let mut event: serde_json::Value = serde_json::from_slice(&item.payload)?;
        event["event_id"] = EVENT_ID.into();
        event["timestamp"] = "__bench_timestamp__".into();
        let exception = event.pointer_mut("/exception/values/0/type");
        *exception.ok_or_else(|| anyhow::anyhow!("{path} has no exception"))? = KIND.into();
        let body = format!("{{\"event_id\":\"{EVENT_ID}\"}}\n{{\"type\":\"event\"}}\n{event}\n");
        let mut parts = Vec::new();
        let mut rest = body.as_str();
        while let Some((at, marker)) =
            [EVENT_ID, TIMESTAMP, KIND].iter().filter_map(|m| rest.find(m).map(|at| (at, *m))).min()
        {
            parts.push(rest[..at].to_owned());
            parts.push(marker.to_owned());
            rest = &rest[at + marker.len()..];
        }
        parts.push(rest.to_owned());
        Ok(Template { parts })
    }

    fn envelope(&self, n: usize) -> String {
        let event_id = format!("{:032x}", n + 1);
        let timestamp = format!("{:.3}", chrono::Utc::now().timestamp_millis() as f64 / 1000.0);
        let kind = format!("BenchError{}", n % ISSUE_KINDS);
        self.parts
            .iter()
            .map(|part| match part.as_str() {
                EVENT_ID => event_id.as_str(),
                TIMESTAMP => timestamp.as_str(),
                KIND => kind.as_str(),
                text => text,
            })
            .collect()
    }
}

/// The server process and where to send events.
struct Server {
    child: Child,
    url: String,
    project: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the server; with `alerts`, its alerts may reach the receiver on loopback.
fn start(binary: &str, data: &Path, database_url: Option<&str>, alerts: bool) -> anyhow::Result<Server> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut command = Command::new(binary);
    command.args(["--host", "127.0.0.1", "--port", "0", "--data-dir"]).arg(data).current_dir(root);
    if alerts {
        command.arg("--alerts-allow-private-networks");
    }
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
    Ok(Server { child, url: format!("{dashboard}/api/{project}/envelope/?sentry_key={key}"), project })
}

/// When each alert's webhook request arrived, by the id of the event it names.
type Arrivals = Arc<Mutex<Vec<(String, Instant)>>>;

/// A webhook receiver on loopback that notes when each alert arrives.
async fn receiver() -> anyhow::Result<(String, Arrivals)> {
    let arrivals: Arrivals = Arc::default();
    let noted = arrivals.clone();
    let app = axum::Router::new().fallback(move |body: axum::body::Bytes| {
        let noted = noted.clone();
        async move {
            let at = Instant::now();
            let alert: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let event = alert["event"]["id"].as_str().unwrap_or_default().to_owned();
            noted.lock().map(|mut arrivals| arrivals.push((event, at))).ok();
            "ok"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/alerts", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((url, arrivals))
}

/// Gives the project `count` rules notifying the webhook at `url`.
async fn add_rules(database_url: &str, project: i64, count: usize, url: &str) -> anyhow::Result<()> {
    use app::alerts::{ChannelKind, Trigger};
    use server::store::alerts::{channels, rules};
    let db = sea_orm::Database::connect(database_url).await?;
    // The bench times every delivery: the hourly cap must not hold any back.
    let cap = app::alerts::MAX_HOURLY_CAP;
    let secret = Some("bench-secret".into());
    let channel = channels::create(&db, project, "bench", ChannelKind::Webhook, url, secret, cap).await?;
    for n in 0..count {
        let settings = app::alerts::NewRule {
            name: format!("rule {n}"),
            triggers: vec![Trigger::NewIssue, Trigger::Frequency { events: 100, minutes: 5 }],
            filter: "level:error".to_owned(),
            interval_minutes: 30,
            channels: vec![channel.id],
            enabled: true,
        };
        rules::create(&db, project, settings).await?;
    }
    Ok(())
}

/// Puts the project in the grouping transition every project made before the stack trace
/// rules is in for 90 days: each event is also hashed as before them.
async fn start_transition(database_url: &str, project: i64) -> anyhow::Result<()> {
    use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
    use server::store::entities::project;
    let db = sea_orm::Database::connect(database_url).await?;
    let row = project::Entity::find_by_id(project).one(&db).await?.ok_or_else(|| anyhow::anyhow!("no project"))?;
    let mut row = row.into_active_model();
    row.previous_grouping_version = Set(Some("newstyle:2023-01-11".to_owned()));
    row.previous_stack_rules = Set(Some(String::new()));
    row.grouping_transition_until = Set(Some(chrono::Utc::now() + chrono::TimeDelta::days(90)));
    row.update(&db).await?;
    Ok(())
}

/// (name, user + system CPU seconds) of a process, from /proc.
fn cpu_of(pid: &str) -> Option<(String, f64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (name, rest) = stat.split_once(" (")?.1.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or_default();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; 100 ticks/s.
    Some((name.to_owned(), (ticks(11) + ticks(12)) / 100.0))
}

/// CPU seconds of every PostgreSQL process now running.
fn postgres_cpu() -> anyhow::Result<f64> {
    let mut total = 0.0;
    for entry in std::fs::read_dir("/proc")? {
        let name = entry?.file_name();
        let process = name.to_str().filter(|n| n.bytes().all(|b| b.is_ascii_digit())).and_then(cpu_of);
        if let Some((process, cpu)) = process
            && process == "postgres"
        {
            total += cpu;
        }
    }
    Ok(total)
}

/// (user + system CPU seconds, peak RSS in MiB) of a process, from /proc.
fn usage(pid: u32) -> anyhow::Result<(f64, u64)> {
    let (_, cpu) = cpu_of(&pid.to_string()).ok_or_else(|| anyhow::anyhow!("the server is gone"))?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let peak = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or_default();
    Ok((cpu, peak / 1024))
}

/// One measured run: `templates` in turn, `events` of them.
struct Run<'a> {
    binary: &'a str,
    events: usize,
    concurrency: usize,
    size: &'a str,
    templates: Arc<Vec<Template>>,
    database_url: Option<&'a str>,
    alert_rules: usize,
    transition: bool,
}

async fn run(run: Run<'_>) -> anyhow::Result<()> {
    let Run { binary, events, concurrency, size, templates, database_url, alert_rules, transition } = run;
    let data = tempfile::tempdir()?;
    let backend = if database_url.is_some() { "PostgreSQL" } else { "SQLite" };
    let server = start(binary, data.path(), database_url, alert_rules > 0)?;
    let pid = server.child.id();
    let (alert_url, arrivals) = receiver().await?;
    let sqlite = format!("sqlite://{}?mode=rwc", data.path().join("faultline.db").display());
    if alert_rules > 0 {
        add_rules(database_url.unwrap_or(&sqlite), server.project.parse()?, alert_rules, &alert_url).await?;
    }
    if transition {
        start_transition(database_url.unwrap_or(&sqlite), server.project.parse()?).await?;
    }
    let sent_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let next = Arc::new(AtomicUsize::new(0));
    let client = reqwest::Client::new();
    let (cpu_before, _) = usage(pid)?;
    let postgres_before = postgres_cpu()?;
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (templates, next, client, url) = (templates.clone(), next.clone(), client.clone(), server.url.clone());
            let sent_at = sent_at.clone();
            tokio::spawn(async move {
                let (mut latencies, mut bytes) = (Vec::new(), 0);
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= events {
                        return Ok::<_, anyhow::Error>((latencies, bytes));
                    }
                    let body = templates[n % templates.len()].envelope(n);
                    bytes += body.len();
                    let sent = Instant::now();
                    if alert_rules > 0 {
                        sent_at.lock().map(|mut sent_at| sent_at.insert(format!("{:032x}", n + 1), sent)).ok();
                    }
                    let status = client.post(&url).body(body).send().await?.status();
                    anyhow::ensure!(status == 200, "event {n} answered {status}");
                    latencies.push(sent.elapsed());
                }
            })
        })
        .collect();
    let (mut latencies, mut bytes) = (Vec::with_capacity(events), 0);
    for worker in workers {
        let (sent, sent_bytes) = worker.await??;
        latencies.extend(sent);
        bytes += sent_bytes;
    }
    let elapsed = started.elapsed();
    let (cpu_after, peak_mib) = usage(pid)?;
    let postgres = postgres_cpu()? - postgres_before;
    latencies.sort();
    let percentile = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let per_event = |seconds: f64| seconds * 1000.0 / events as f64;
    println!(
        "ingest benchmark: {backend}, {events} events of ~{size} (mean {:.1} KB), {concurrency} concurrent clients{}",
        bytes as f64 / events as f64 / 1000.0,
        if transition { ", grouping in transition" } else { "" }
    );
    println!(
        "  throughput: {:.0} events/s, {:.1} MB/s ({:.2} s)",
        events as f64 / elapsed.as_secs_f64(),
        bytes as f64 / elapsed.as_secs_f64() / 1e6,
        elapsed.as_secs_f64()
    );
    println!(
        "  latency: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms",
        ms(percentile(0.50)),
        ms(percentile(0.95)),
        ms(percentile(0.99))
    );
    println!("  server: {:.3} ms CPU per event, peak RSS {peak_mib} MiB", per_event(cpu_after - cpu_before));
    if database_url.is_some() {
        println!("  PostgreSQL: {:.3} ms CPU per event", per_event(postgres));
    }
    if alert_rules > 0 {
        report_alerts(alert_rules, &arrivals, &sent_at).await;
    }
    Ok(())
}

/// Waits until no alert has arrived for a second, then prints how many came and how long after
/// its event was sent.
async fn report_alerts(rules: usize, arrivals: &Arrivals, sent_at: &Mutex<HashMap<String, Instant>>) {
    let count = || arrivals.lock().map(|arrivals| arrivals.len()).unwrap_or_default();
    let mut seen = count();
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if count() == seen {
            break;
        }
        seen = count();
    }
    let sent_at = sent_at.lock().map(|sent_at| sent_at.clone()).unwrap_or_default();
    let mut delays: Vec<Duration> = arrivals
        .lock()
        .map(|arrivals| arrivals.iter().filter_map(|(event, at)| Some(*at - *sent_at.get(event)?)).collect())
        .unwrap_or_default();
    delays.sort();
    let ms =
        |p: f64| delays.get(((delays.len().max(1) - 1) as f64 * p) as usize).map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    println!(
        "  alerts: {rules} rules, {} webhooks received; event sent → webhook received p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        delays.len(),
        ms(0.50),
        ms(0.95),
        ms(1.0)
    );
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
    let list = |name: &str, default: &str| -> Vec<String> {
        arg(name).unwrap_or_else(|| default.to_owned()).split(',').map(|v| v.trim().to_owned()).collect()
    };
    let concurrency: Vec<usize> = list("--concurrency", "8,32").iter().filter_map(|v| v.parse().ok()).collect();
    let binary = arg("--server").unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/faultline").display().to_string()
    });
    let postgres = std::env::var("FAULTLINE_BENCH_DATABASE_URL").ok().filter(|url| !url.is_empty());
    let alert_rules = arg("--alert-rules").and_then(|v| v.parse().ok()).unwrap_or(0);
    let transition = std::env::args().any(|arg| arg == "--transition");
    let mut n = 0;
    for size in list("--sizes", "5k,50k") {
        let (recordings, events): (&[&str], usize) = match size.as_str() {
            "5k" => (&SMALL, events),
            "50k" => (&LARGE, (events / 10).max(1)),
            other => anyhow::bail!("--sizes takes 5k and 50k, not {other}"),
        };
        let templates =
            Arc::new(recordings.iter().map(|path| Template::recorded(path)).collect::<Result<Vec<_>, _>>()?);
        for &concurrency in &concurrency {
            n += 1;
            let run_with = |database_url| Run {
                binary: &binary,
                events,
                concurrency,
                size: size.as_str(),
                templates: templates.clone(),
                database_url,
                alert_rules,
                transition,
            };
            match &postgres {
                Some(url) => {
                    let (name, fresh) = fresh_database(url, n).await?;
                    let result = run(run_with(Some(&fresh))).await;
                    drop_database(url, &name).await?;
                    result?;
                }
                None => run(run_with(None)).await?,
            }
        }
    }
    Ok(())
}
