//! Running commands with their command line echoed, failing loudly.

use anyhow::{Context, bail};
use std::ffi::OsStr;
use std::process::{Command, Output};

pub fn new(program: impl AsRef<OsStr>) -> Command {
    Command::new(program)
}

fn describe(command: &Command) -> String {
    let mut line = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        line.push(' ');
        line.push_str(&arg.to_string_lossy());
    }
    line
}

/// Runs the command with inherited output; fails unless it exits successfully.
pub fn run(command: &mut Command) -> anyhow::Result<()> {
    let line = describe(command);
    eprintln!("$ {line}");
    let status = command.status().with_context(|| format!("starting `{line}`"))?;
    if !status.success() {
        bail!("`{line}` failed: {status}");
    }
    Ok(())
}

/// Runs the command quietly and returns its output, whatever its exit status.
pub fn capture(command: &mut Command) -> anyhow::Result<Output> {
    let line = describe(command);
    command.output().with_context(|| format!("starting `{line}`"))
}

/// Standard output of a successful run, trimmed; `None` when the command is missing or fails.
pub fn stdout_of(command: &mut Command) -> Option<String> {
    let output = capture(command).ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}
