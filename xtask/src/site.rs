//! Building the site the way cargo-leptos would: the wasm frontend through wasm-bindgen (and
//! wasm-opt for release), the stylesheet through sass, the public assets, then the server.

use crate::{cmd, tools};
use anyhow::{Context, bail};
use flate2::{Compression, write::GzEncoder};
use serde::Deserialize;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    Dev,
    Release,
}

impl Profile {
    /// Cargo profile and output folder of the wasm build: `opt-level = "z"` and LTO belong to the
    /// wasm only (`wasm-release`); the server's release profile is optimized for speed.
    fn wasm(self) -> (&'static str, &'static str) {
        match self {
            Profile::Dev => ("dev", "debug"),
            Profile::Release => ("wasm-release", "wasm-release"),
        }
    }

    fn server(self) -> (&'static str, &'static str) {
        match self {
            Profile::Dev => ("dev", "debug"),
            Profile::Release => ("release", "release"),
        }
    }
}

/// The `[package.metadata.leptos]` options of Leptos.toml that the build needs.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct SiteOptions {
    pub output_name: String,
    pub site_root: PathBuf,
    pub site_pkg_dir: PathBuf,
    pub style_file: PathBuf,
    pub assets_dir: PathBuf,
}

pub fn options(root: &Path) -> anyhow::Result<SiteOptions> {
    #[derive(Deserialize)]
    struct File {
        package: Package,
    }
    #[derive(Deserialize)]
    struct Package {
        metadata: Metadata,
    }
    #[derive(Deserialize)]
    struct Metadata {
        leptos: SiteOptions,
    }
    let text = fs::read_to_string(root.join("Leptos.toml")).context("reading Leptos.toml")?;
    let options = toml::from_str::<File>(&text).context("parsing Leptos.toml")?.package.metadata.leptos;
    // Leptos bakes the name into the hydration script at compile time, from the environment that
    // .cargo/config.toml sets for every cargo command, including this one.
    let baked = std::env::var("LEPTOS_OUTPUT_NAME").unwrap_or_default();
    if baked != options.output_name {
        bail!(
            "Leptos.toml says output-name = {:?} but .cargo/config.toml sets LEPTOS_OUTPUT_NAME = {baked:?}; make them equal",
            options.output_name
        );
    }
    Ok(options)
}

/// Builds everything the server serves, then the server. Returns the server binary.
pub fn build(root: &Path, profile: Profile) -> anyhow::Result<PathBuf> {
    let options = options(root)?;
    let toolchain = tools::wasm_toolchain()?;
    let wasm_bindgen = tools::wasm_bindgen(root)?;
    tools::npm_packages(&root.join("xtask"))?;

    let pkg = root.join(&options.site_root).join(&options.site_pkg_dir);
    fs::create_dir_all(&pkg)?;
    build_wasm(root, profile, toolchain.as_deref(), &wasm_bindgen, &options, &pkg)?;
    build_style(root, profile, &options, &pkg)?;
    copy_dir(&root.join(&options.assets_dir), &root.join(&options.site_root))?;

    let (cargo_profile, folder) = profile.server();
    cmd::run(cmd::new("cargo").args([
        "build",
        "--package",
        "server",
        "--bin",
        "faultline",
        "--profile",
        cargo_profile,
    ]))?;
    Ok(root.join("target").join(folder).join("faultline"))
}

fn build_wasm(
    root: &Path,
    profile: Profile,
    toolchain: Option<&str>,
    wasm_bindgen: &Path,
    options: &SiteOptions,
    pkg: &Path,
) -> anyhow::Result<()> {
    let (cargo_profile, folder) = profile.wasm();
    let mut cargo = cmd::new("cargo");
    cargo.args([
        "build",
        "--package",
        "frontend",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        cargo_profile,
    ]);
    if let Some(toolchain) = toolchain {
        cargo.env("RUSTUP_TOOLCHAIN", toolchain);
    }
    cmd::run(&mut cargo)?;

    let wasm = root.join("target/wasm32-unknown-unknown").join(folder).join("frontend.wasm");
    cmd::run(
        cmd::new(wasm_bindgen)
            .args(["--target", "web", "--no-typescript", "--out-name", &options.output_name, "--out-dir"])
            .arg(pkg)
            .arg(&wasm),
    )?;
    // The hydration script asks for `<name>.wasm`, not wasm-bindgen's `<name>_bg.wasm`.
    let output = pkg.join(format!("{}.wasm", options.output_name));
    fs::rename(pkg.join(format!("{}_bg.wasm", options.output_name)), &output)?;

    if profile == Profile::Release {
        let wasm_opt = root.join("xtask/node_modules/.bin/wasm-opt");
        cmd::run(
            cmd::new(wasm_opt)
                .args(["-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "-o"])
                .arg(&output)
                .arg(&output),
        )?;
        let gzipped = precompress(&output)?;
        precompress(&pkg.join(format!("{}.js", options.output_name)))?;
        let raw = fs::metadata(&output)?.len();
        eprintln!("xtask: {} is {} KB, {} KB gzipped", output.display(), raw / 1000, gzipped / 1000);
    } else {
        // Stale precompressed files from a release build would be served instead.
        for suffix in ["wasm.gz", "js.gz"] {
            let stale = pkg.join(format!("{}.{suffix}", options.output_name));
            if stale.exists() {
                fs::remove_file(stale)?;
            }
        }
    }
    Ok(())
}

/// Writes `<file>.gz` next to the file, which the server sends to browsers that accept gzip.
fn precompress(file: &Path) -> anyhow::Result<u64> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(&fs::read(file)?)?;
    let compressed = encoder.finish()?;
    let mut target = file.as_os_str().to_owned();
    target.push(".gz");
    fs::write(&target, &compressed)?;
    Ok(compressed.len() as u64)
}

fn build_style(root: &Path, profile: Profile, options: &SiteOptions, pkg: &Path) -> anyhow::Result<()> {
    let style = match profile {
        Profile::Dev => "--style=expanded",
        Profile::Release => "--style=compressed",
    };
    cmd::run(
        cmd::new(root.join("xtask/node_modules/.bin/sass"))
            .args(["--no-source-map", style])
            .arg(root.join(&options.style_file))
            .arg(pkg.join(format!("{}.css", options.output_name))),
    )
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
