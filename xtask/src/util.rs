//! Small helpers shared by the xtask commands: running programs, finding tools, timing steps.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The repository root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    dir.parent().unwrap_or(dir).to_path_buf()
}

/// The cargo that started us (so nested builds use the same toolchain).
pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string()))
}

/// Prints the command, runs it with inherited stdio, fails on a non-zero exit.
pub fn run(cmd: &mut Command) -> Result<()> {
    let shown = show(cmd);
    println!("$ {shown}");
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

/// stdout of a command when it starts and exits 0.
pub fn output_of(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A readable one-line rendering of a command (program and arguments, no environment).
pub fn show(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        let a = a.to_string_lossy();
        if a.is_empty() || a.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
            s.push_str(&format!(" '{}'", a.replace('\'', "'\\''")));
        } else {
            s.push(' ');
            s.push_str(&a);
        }
    }
    s
}

/// Finds an executable (absolute path, PATH, `$CARGO_HOME/bin`).
pub use xtask::browsers::which;

pub fn is_root() -> bool {
    output_of(Command::new("id").arg("-u")).is_some_and(|s| s.trim() == "0")
}

pub fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// Runs named steps in order, printing a header and the duration of each; stops at the first
/// failure. Ends with the summary line `xtask: N passed, M failed`.
pub struct Steps {
    started: Instant,
    passed: Vec<(String, Duration)>,
    failed: Option<(String, Duration, anyhow::Error)>,
}

impl Steps {
    pub fn new() -> Steps {
        Steps {
            started: Instant::now(),
            passed: Vec::new(),
            failed: None,
        }
    }

    /// Runs `f` as step `name` unless an earlier step failed.
    pub fn step<T>(&mut self, name: &str, f: impl FnOnce() -> Result<T>) -> Option<T> {
        if self.failed.is_some() {
            return None;
        }
        let n = self.passed.len() + 1;
        println!();
        println!("==== xtask step {n}: {name} ====");
        let t = Instant::now();
        match f() {
            Ok(v) => {
                let d = t.elapsed();
                println!("==== step {n} ok: {name} ({}) ====", secs(d));
                self.passed.push((name.to_string(), d));
                Some(v)
            }
            Err(e) => {
                let d = t.elapsed();
                println!("==== step {n} FAILED: {name} ({}) ====", secs(d));
                println!("error: {e:#}");
                self.failed = Some((name.to_string(), d, e));
                None
            }
        }
    }

    /// Prints the per-step durations and the summary line; Err when a step failed.
    pub fn finish(self) -> Result<()> {
        println!();
        println!(
            "==== xtask summary ({} in all) ====",
            secs(self.started.elapsed())
        );
        for (name, d) in &self.passed {
            println!("  ok      {:>8}  {name}", secs(*d));
        }
        if let Some((name, d, _)) = &self.failed {
            println!("  FAILED  {:>8}  {name}", secs(*d));
        }
        let failed = usize::from(self.failed.is_some());
        println!("xtask: {} passed, {failed} failed", self.passed.len());
        match self.failed {
            Some((name, _, e)) => Err(e.context(format!("step `{name}` failed"))),
            None => Ok(()),
        }
    }
}
