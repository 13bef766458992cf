//! `cargo xtask`: builds, runs and tests Faultline without cargo-leptos. It installs what is
//! missing (the wasm32 target, wasm-bindgen, sass, wasm-opt, Chromium, the test SDKs), skipping
//! whatever is already there, so every command is safe to repeat.

mod cmd;
mod fuzz;
mod site;
mod test;
mod tools;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(about = "Build, run and test Faultline")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the wasm frontend, the stylesheet and the server.
    Build {
        /// Optimized build (size-optimized wasm, speed-optimized server).
        #[arg(long)]
        release: bool,
    },
    /// Build, then start the server; arguments after `--` go to the server.
    Run {
        /// Quicker, unoptimized build.
        #[arg(long)]
        dev: bool,
        #[arg(last = true)]
        server_args: Vec<String>,
    },
    /// Run every test: unit, integration (SQLite, and PostgreSQL when
    /// FAULTLINE_TEST_DATABASE_URL is set), real SDKs and the browser.
    Test,
    /// `cargo fmt --check` and `cargo clippy -D warnings` over the workspace.
    Lint,
    /// Fuzz the wire protocol (envelope framing, auth, decompression) with cargo-fuzz.
    Fuzz {
        /// Seconds per target.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
    },
    /// Fill the benchmark database (a fresh SQLite file in target/bench-data, or the PostgreSQL
    /// database in FAULTLINE_BENCH_DATABASE_URL) with events through the real ingest pipeline.
    Seed {
        #[arg(long, default_value_t = 1_000_000)]
        events: u64,
        #[arg(long, default_value_t = 10_000)]
        issues: u64,
    },
    /// Run a benchmark (optimized build) and print its numbers.
    Bench {
        suite: BenchSuite,
        /// Options of the benchmark, e.g. `--events 50000 --concurrency 64`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum BenchSuite {
    /// Events per second through the real ingest endpoint.
    Ingest,
    /// Latency of the issue list, searches, the issue page and the project chart over the
    /// database `cargo xtask seed` filled.
    Query,
}

fn main() -> anyhow::Result<()> {
    let root = workspace_root();
    std::env::set_current_dir(&root)?;
    match Cli::parse().command {
        Command::Build { release } => {
            site::build(&root, profile(release))?;
        }
        Command::Run { dev, server_args } => {
            let server = site::build(&root, profile(!dev))?;
            cmd::run(cmd::new(server).args(server_args))?;
        }
        Command::Test => test::all(&root)?,
        Command::Lint => {
            cmd::run(cmd::new("cargo").args(["fmt", "--all", "--check"]))?;
            cmd::run(cmd::new("cargo").args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
        }
        Command::Fuzz { seconds } => fuzz::run(&root, seconds)?,
        Command::Bench { suite, args } => {
            let name = match suite {
                BenchSuite::Ingest => "ingest",
                BenchSuite::Query => "query",
            };
            let mut bench = cmd::new("cargo");
            bench.args(["bench", "--package", "server", "--bench", name, "--"]).args(args);
            if let BenchSuite::Ingest = suite {
                // The server runs as a process of its own, so its CPU is told apart from the load's.
                cmd::run(cmd::new("cargo").args(["build", "--release", "--package", "server", "--bin", "faultline"]))?;
                bench.arg("--server").arg(root.join("target/release/faultline"));
            }
            cmd::run(&mut bench)?;
        }
        Command::Seed { events, issues } => {
            let (events, issues) = (events.to_string(), issues.to_string());
            let seed = ["seed", "--events", &events, "--issues", &issues];
            cmd::run(cmd::new("cargo").args(["bench", "--package", "server", "--bench", "query", "--"]).args(seed))?;
        }
    }
    Ok(())
}

fn profile(release: bool) -> site::Profile {
    if release { site::Profile::Release } else { site::Profile::Dev }
}

fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
