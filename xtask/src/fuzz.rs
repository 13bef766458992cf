//! `cargo xtask fuzz`: every cargo-fuzz target (the wire protocol, event normalization and the
//! search language) for a bounded time, seeded with the recorded SDK requests and example
//! searches. Needs the nightly toolchain; installs cargo-fuzz once.

use crate::{cmd, tools};
use anyhow::{Context, bail};
use std::fs;
use std::path::Path;

const CARGO_FUZZ_VERSION: &str = "0.13.2";
const FUZZ_DIR: &str = "server/protocol/fuzz";
const TARGETS: [&str; 5] = ["envelope", "auth", "decompress", "normalize", "search"];
/// Searches the search target starts from: every kind of term, and some broken ones.
const SEARCHES: [&str; 6] = [
    "is:unresolved level:error checkout timeout",
    r#"!environment:production release:"shop@2.*" assigned:me"#,
    "firstSeen:-7d lastSeen:+24h timesSeen:>=100",
    r#"browser.name:Chrome "connection \"reset\"" url:"https://x""#,
    "lastSeen:-99999999d is:open",
    "!timeout a\"unclosed",
];

pub fn run(root: &Path, seconds: u64) -> anyhow::Result<()> {
    if cmd::stdout_of(cmd::new("rustup").args(["run", "nightly", "rustc", "--version"])).is_none() {
        bail!("cargo fuzz needs the nightly toolchain (`rustup toolchain install nightly`)");
    }
    let cargo_fuzz = cargo_fuzz()?;
    seed_corpora(root)?;
    for target in TARGETS {
        let corpus = root.join(FUZZ_DIR).join("corpus").join(target);
        cmd::run(
            cmd::new(&cargo_fuzz)
                .args(["fuzz", "run", "--fuzz-dir", FUZZ_DIR, target])
                .arg(&corpus)
                .args(["--", &format!("-max_total_time={seconds}"), "-rss_limit_mb=2048", "-max_len=65536"])
                .env("RUSTUP_TOOLCHAIN", "nightly")
                .current_dir(root),
        )
        .with_context(|| format!("fuzz target {target} found a failure; see {FUZZ_DIR}/artifacts/{target}"))?;
    }
    Ok(())
}

fn cargo_fuzz() -> anyhow::Result<std::path::PathBuf> {
    let install_root = tools::cache_dir().join(format!("cargo-fuzz-{CARGO_FUZZ_VERSION}"));
    let binary = install_root.join("bin/cargo-fuzz");
    if !binary.exists() {
        cmd::run(
            cmd::new("cargo")
                .args(["install", "cargo-fuzz", "--locked", "--version", CARGO_FUZZ_VERSION, "--root"])
                .arg(&install_root),
        )?;
    }
    Ok(binary)
}

/// Starts each target from real traffic: the recorded envelopes and their compressed bodies.
fn seed_corpora(root: &Path) -> anyhow::Result<()> {
    let fixtures = root.join("server/tests/fixtures/sentry");
    let corpus = root.join(FUZZ_DIR).join("corpus");
    for target in TARGETS {
        fs::create_dir_all(corpus.join(target))?;
    }
    let mut stack = vec![fixtures];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
            let Some(stem) = name.strip_suffix(".body.raw") else { continue };
            let body = fs::read(&path)?;
            let meta = fs::read_to_string(path.with_file_name(format!("{stem}.meta.json")))?;
            let selector = if meta.contains("\"gzip\"") {
                Some(1u8)
            } else if meta.contains("\"br\"") {
                Some(3u8)
            } else {
                None
            };
            match selector {
                Some(selector) => {
                    let mut seed = vec![selector];
                    seed.extend_from_slice(&body);
                    fs::write(corpus.join("decompress").join(stem), seed)?;
                }
                None => {
                    fs::write(corpus.join("envelope").join(stem), &body)?;
                    if let Some(event) = event_payload(&body) {
                        fs::write(corpus.join("normalize").join(stem), event)?;
                    }
                }
            }
            for line in meta.lines().filter(|line| line.contains("Sentry sentry_key") || line.contains("\"query\"")) {
                fs::write(corpus.join("auth").join(format!("{stem}-{}", line.len())), line.trim())?;
            }
        }
    }
    for (n, search) in SEARCHES.iter().enumerate() {
        fs::write(corpus.join("search").join(format!("search-{n}")), search)?;
    }
    Ok(())
}

/// The event item of an uncompressed envelope, after eight bytes of the SDK's clock (zero).
fn event_payload(envelope: &[u8]) -> Option<Vec<u8>> {
    let mut lines = envelope.split(|b| *b == b'\n');
    let _header = lines.next()?;
    while let Some(item_header) = lines.next() {
        let payload = lines.next()?;
        if std::str::from_utf8(item_header).is_ok_and(|text| text.contains("\"type\":\"event\"")) {
            let mut seed = vec![0u8; 8];
            seed.extend_from_slice(payload);
            return Some(seed);
        }
    }
    None
}
