//! `cargo xtask fuzz [--seconds N] [--seed S]`: the stable-toolchain fuzz harness of the core's
//! parsers (`fuzz/`), built in release and run at low priority for a fixed time. Not part of
//! `cargo xtask test`. Prints inputs tried, panics found, invariant violations and the slowest
//! input's time per byte; fails when a panic or a violation was found.

use crate::util::{cargo, run};
use anyhow::{bail, Result};
use std::path::Path;
use std::process::Command;

pub fn fuzz(root: &Path, args: &[String]) -> Result<()> {
    let mut pass: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seconds" | "--seed" => {
                let Some(v) = it.next().filter(|v| v.parse::<u64>().is_ok()) else {
                    bail!("{a} needs a whole number");
                };
                pass.push(a.clone());
                pass.push(v.clone());
            }
            other => bail!("cargo xtask fuzz [--seconds N] [--seed S]: unknown argument {other:?}"),
        }
    }
    run(cargo()
        .current_dir(root)
        .args(["build", "--release", "-p", "session-drop-fuzz"]))?;
    let exe = root
        .join("target")
        .join("release")
        .join(format!("session-drop-fuzz{}", std::env::consts::EXE_SUFFIX));
    // The machine is shared: run at the lowest priority where `nice` exists.
    let mut cmd = if Command::new("nice").arg("true").status().is_ok() {
        let mut c = Command::new("nice");
        c.arg("-n").arg("19").arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    run(cmd.current_dir(root).args(&pass))
}
