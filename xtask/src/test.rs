//! `cargo xtask test`: every test, with everything it needs installed first.

use crate::site::{self, Profile};
use crate::{cmd, tools};
use std::path::Path;

const DATABASE_URL_VAR: &str = "FAULTLINE_TEST_DATABASE_URL";

pub fn all(root: &Path) -> anyhow::Result<()> {
    let chromium = tools::chromium()?;
    tools::npm_packages(&root.join("end2end"))?;
    let python = tools::python_venv(&root.join("end2end/sdk/requirements.txt"))?;
    let server = site::build(root, Profile::Dev)?;

    eprintln!("xtask: unit and integration tests on SQLite");
    cmd::run(
        cmd::new("cargo")
            .args(["test", "--workspace", "--exclude", "frontend"])
            .env("FAULTLINE_TEST_PYTHON", &python)
            .env_remove(DATABASE_URL_VAR),
    )?;

    match std::env::var(DATABASE_URL_VAR) {
        Ok(url) if !url.is_empty() => {
            eprintln!("xtask: integration tests on PostgreSQL");
            cmd::run(
                cmd::new("cargo")
                    .args(["test", "--package", "server", "--test", "api"])
                    .env("FAULTLINE_TEST_PYTHON", &python)
                    .env(DATABASE_URL_VAR, url),
            )?;
        }
        _ => eprintln!("xtask: {DATABASE_URL_VAR} is not set; skipping the PostgreSQL run"),
    }

    eprintln!("xtask: browser tests");
    // Their servers' logs and the secrets they used, for the check that follows them.
    let records = root.join("target/end2end");
    if records.exists() {
        std::fs::remove_dir_all(&records)?;
    }
    for suite in ["end2end/tests", "end2end/after"] {
        cmd::run(
            cmd::new("node")
                .args(["--test", "--test-concurrency=1"])
                .arg(root.join(suite))
                .env("FAULTLINE_BIN", &server)
                .env("CHROMIUM_PATH", &chromium)
                .env("FAULTLINE_TEST_PYTHON", &python)
                .current_dir(root),
        )?;
    }
    Ok(())
}
