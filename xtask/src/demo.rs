//! `cargo xtask demo`: install what is missing, build the extension pre-configured for the
//! embedded simulator, serve the console replica and open Chromium with the extension loaded
//! (or, without a display, print where to point a browser). Serves until Ctrl-C.

use crate::dist::{self, DistOptions};
use crate::test::DEV_CREDENTIALS;
use crate::util::is_root;
use crate::{setup, wasm};
use anyhow::{bail, Context, Result};
use session_drop_sim::{SimConfig, Simulator};
use std::path::Path;
use std::process::{Command, Stdio};

pub fn demo(root: &Path, args: &[String]) -> Result<()> {
    let mut port: u16 = 0;
    let mut open_browser = true;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--port" => {
                port = it
                    .next()
                    .context("--port needs a value")?
                    .parse()
                    .context("--port takes a number")?
            }
            "--no-browser" => open_browser = false,
            other => bail!(
                "unknown demo option {other:?} (usage: cargo xtask demo [--port N] [--no-browser])"
            ),
        }
    }

    setup::setup(root)?;
    wasm::build_wasm(root, &wasm::extension_wasm_dir(root))?;

    let sim = Simulator::start(SimConfig {
        port,
        www_dir: Some(root.join("www")),
        ..SimConfig::default()
    })
    .context("starting the simulator")?;
    let base = sim.base_url();
    let out = dist::assemble(
        root,
        &DistOptions {
            server: Some(base.clone()),
            dev_credentials: Some((DEV_CREDENTIALS.0.into(), DEV_CREDENTIALS.1.into())),
            out: None,
            ..DistOptions::default()
        },
    )?;
    let console = format!("{base}/flow/remote-sessions");
    let dashboard = format!("{base}/flow/dashboard/remote-session");

    let display = std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty());
    let mut launched = false;
    if open_browser && display {
        let profile = root.join("target").join("demo-profile");
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile)?;
        let ext = out.chrome_dir.display().to_string();
        let mut cmd = Command::new(setup::CHROMIUM);
        cmd.arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--load-extension={ext}"))
            .arg(format!("--disable-extensions-except={ext}"))
            .args([
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ]);
        if is_root() {
            cmd.arg("--no-sandbox"); // Chromium refuses to run as root with the sandbox
        }
        cmd.arg(&console).stdin(Stdio::null());
        println!("$ {}", crate::util::show(&cmd));
        match cmd.spawn() {
            Ok(_) => launched = true,
            Err(e) => {
                println!("xtask demo: could not start Chromium ({e}); open it by hand (below)")
            }
        }
    }

    println!();
    println!("==== Session Drop demo ====");
    println!("simulated senhasegura appliance: {base}  (A2A client demo-client / demo-secret)");
    println!("console replica, Remote sessions: {console}");
    println!("console replica, PAM dashboard:   {dashboard}");
    println!("request log of the simulator:     {base}/__sim/requests");
    println!("extension, pre-configured for the simulator:");
    println!("  Chrome/Chromium (unpacked): {}", out.chrome_dir.display());
    println!(
        "  Firefox (unpacked):         {}",
        out.firefox_dir.display()
    );
    println!(
        "  packages: {} and {}",
        out.chrome_zip.display(),
        out.firefox_xpi.display()
    );
    if launched {
        println!("Chromium is open on the console replica with the extension loaded: click a");
        println!("\"Terminate session\" button on any row.");
    } else {
        println!(
            "No display here{}: to try it from a browser on this machine:",
            if open_browser { "" } else { " (--no-browser)" }
        );
        println!(
            "  Chromium: chrome://extensions -> Developer mode -> Load unpacked -> {}",
            out.chrome_dir.display()
        );
        println!("            or: chromium --user-data-dir=$(mktemp -d) --load-extension={0} --disable-extensions-except={0} {console}", out.chrome_dir.display());
        println!("  Firefox:  about:debugging#/runtime/this-firefox -> Load Temporary Add-on -> {}/manifest.json", out.firefox_dir.display());
        println!("  then open {console} and click \"Terminate session\" on a row.");
    }
    println!("Serving until Ctrl-C.");
    loop {
        std::thread::park();
    }
}
