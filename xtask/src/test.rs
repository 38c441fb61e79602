//! `cargo xtask test`: the one command that runs every check and test, fresh-machine safe.

use crate::dist::{self, DistOptions, DistOutput};
use crate::util::{cargo, run, Steps};
use crate::{setup, wasm};
use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Server baked into the e2e packages (the harness rewrites preset.json to the running
/// simulator; the host permission is port-less so any loopback port matches).
pub const E2E_SERVER: &str = "http://127.0.0.1:9";
pub const DEV_CREDENTIALS: (&str, &str) = ("demo-client", "demo-secret");

pub fn test(root: &Path, args: &[String]) -> Result<()> {
    if let Some(a) = args.first() {
        bail!("cargo xtask test takes no arguments (got {a:?})");
    }
    let mut steps = Steps::new();
    steps.step("setup (install what is missing)", || setup::setup(root));
    steps.step("cargo fmt --check", || {
        run(cargo()
            .current_dir(root)
            .args(["fmt", "--all", "--", "--check"]))
    });
    steps.step("clippy (native, all targets, -D warnings)", || {
        run(cargo().current_dir(root).args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    });
    steps.step("clippy (wasm32, -D warnings)", || {
        run(cargo()
            .current_dir(root)
            .env("CARGO_TARGET_DIR", wasm::wasm_target_dir(root))
            .args([
                "clippy",
                "-p",
                "session-drop",
                "--target",
                wasm::WASM_TARGET,
                "--",
                "-D",
                "warnings",
            ]))
    });
    steps.step("cargo test (native: core, simulator, xtask)", || {
        run(cargo().current_dir(root).args([
            "test",
            "--workspace",
            "--exclude",
            "session-drop-e2e",
        ]))
    });
    steps.step("node --test extension/tests/", || node_tests(root));
    steps.step("build wasm (release, wasm-bindgen, wasm-opt)", || {
        crate::build(root).map(|_| ())
    });
    steps.step("smoke test of the optimised wasm", || {
        wasm::smoke_test_optimised(root)
    });
    steps.step(
        "wasm-bindgen tests in headless Chromium against the simulator",
        || {
            let sim = SimProcess::start(root, &["--cors"])?;
            if std::env::var_os("CHROMEDRIVER").is_none() {
                std::env::set_var("CHROMEDRIVER", setup::CHROMEDRIVER);
            }
            let r = wasm::run_wasm_tests(root, &sim.url);
            drop(sim);
            r
        },
    );
    steps.step("dist (dist/, no server baked in)", || {
        let out = dist::assemble(root, &DistOptions::default())?;
        crate::print_dist(&out);
        Ok(())
    });
    let e2e_dir = root.join("target").join("e2e-dist");
    let e2e = steps.step("dist for end-to-end tests (target/e2e-dist)", || {
        let out = e2e_dist_assemble(root, &e2e_dir)?;
        crate::print_dist(&out);
        Ok(out)
    });
    let release = steps.step(
        "release packages (dist --update-base: CRX, updates.xml, updates.json; target/release-dist)",
        || release_dist_check(root),
    );
    steps.step("web-ext lint (0 errors, 0 warnings)", || {
        let e2e = e2e.as_ref().context("no e2e dist")?;
        let release = release.as_ref().context("no release dist")?;
        web_ext_lint(root, &root.join("dist").join("firefox"), false)?;
        web_ext_lint(root, &e2e.firefox_dir, false)?;
        web_ext_lint(root, &release.firefox_dir, true)
    });
    steps.step(
        "end-to-end tests (Chromium + Firefox, built extension, simulator)",
        || {
            run(cargo()
                .current_dir(root)
                .env("SESSION_DROP_E2E_DIST", &e2e_dir)
                .args([
                    "test",
                    "-p",
                    "session-drop-e2e",
                    "--no-fail-fast",
                    "--",
                    "--test-threads=1",
                ]))
        },
    );
    steps.finish()
}

/// The e2e packages (server [`E2E_SERVER`], dev credentials) from the wasm already built.
pub fn e2e_dist_assemble(root: &Path, out: &Path) -> Result<DistOutput> {
    dist::assemble(
        root,
        &DistOptions {
            server: Some(E2E_SERVER.into()),
            dev_credentials: Some((DEV_CREDENTIALS.0.into(), DEV_CREDENTIALS.1.into())),
            out: Some(out.to_path_buf()),
            ..DistOptions::default()
        },
    )
}

fn node_tests(root: &Path) -> Result<()> {
    let dir = root.join("extension").join("tests");
    if !dir.is_dir() {
        bail!(
            "{} is missing: the extension's unit tests must exist",
            dir.display()
        );
    }
    let mut files: Vec<PathBuf> = Vec::new();
    for e in std::fs::read_dir(&dir)? {
        let p = e?.path();
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if p.is_file()
            && (name.ends_with(".test.js")
                || name.ends_with(".test.mjs")
                || name.ends_with(".test.cjs"))
        {
            files.push(p);
        }
    }
    files.sort();
    if files.is_empty() {
        bail!("no *.test.js / *.test.mjs files in {}", dir.display());
    }
    run(Command::new("node")
        .current_dir(root)
        .arg("--test")
        .args(&files))
}

/// A release build as an organisation makes it (`dist --server … --update-base …`, signed with a
/// test key kept in target/), checked: a CRX3 whose id is the one printed, updates.xml and
/// updates.json pointing at the packages, the xpi's `gecko.update_url`, DEPLOY.md filled in.
fn release_dist_check(root: &Path) -> Result<DistOutput> {
    use xtask::release;
    let key = root.join("target").join("release-test-key.pem");
    let chromium = Path::new(setup::CHROMIUM);
    release::ChromeKey::load_or_create(chromium, &key)?;
    let base = "https://updates.example.com/session-drop";
    let out = dist::assemble(
        root,
        &DistOptions {
            server: Some("https://pam.example.com".into()),
            out: Some(root.join("target").join("release-dist")),
            update_base: Some(base.into()),
            key: Some(key),
            ..DistOptions::default()
        },
    )?;
    crate::print_dist(&out);
    let r = out.release.as_ref().context("no release output")?;
    let crx = std::fs::read(&r.crx)?;
    if crx.get(..4) != Some(b"Cr24".as_slice()) {
        bail!("{} is not a CRX", r.crx.display());
    }
    let id = std::fs::read_to_string(&r.id_file)?;
    let xml = std::fs::read_to_string(&r.updates_xml)?;
    if id.trim() != r.chrome_id
        || !xml.contains(&format!("appid='{}'", r.chrome_id))
        || !xml.contains(&format!("codebase='{base}/{}'", release::CRX_FILE))
    {
        bail!("updates.xml / extension-id.txt do not name the CRX:\n{xml}");
    }
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&r.updates_json)?)?;
    let link = &json["addons"][dist::GECKO_ID]["updates"][0]["update_link"];
    if link != &serde_json::json!(format!("{base}/{}", release::FIREFOX_XPI)) {
        bail!("updates.json does not point at the xpi: {json}");
    }
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        out.firefox_dir.join("manifest.json"),
    )?)?;
    if manifest["browser_specific_settings"]["gecko"]["update_url"]
        != serde_json::json!(format!("{base}/{}", release::UPDATES_JSON))
    {
        bail!("the Firefox manifest has no gecko.update_url");
    }
    if std::fs::read_to_string(&r.deploy_md)?.contains("{{") {
        bail!("{} still has placeholders", r.deploy_md.display());
    }
    Ok(out)
}

/// Runs `web-ext lint` on an unpacked Firefox package; fails on any error or warning.
/// `self_hosted`: a package with `gecko.update_url` (not for addons.mozilla.org).
pub fn web_ext_lint(root: &Path, dir: &Path, self_hosted: bool) -> Result<()> {
    let bin = root.join("node_modules").join(".bin").join("web-ext");
    if !bin.exists() {
        bail!(
            "{} is missing: run `cargo xtask setup` (npm ci)",
            bin.display()
        );
    }
    let mut cmd = Command::new(&bin);
    cmd.current_dir(root).args([
        "lint",
        "--output",
        "json",
        "--no-config-discovery",
        "--no-input",
    ]);
    if self_hosted {
        cmd.arg("--self-hosted");
    }
    cmd.arg("--source-dir");
    cmd.arg(dir);
    println!("$ {}", crate::util::show(&cmd));
    let out = cmd.output().context("running web-ext lint")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json_start = stdout.find('{').with_context(|| {
        format!(
            "web-ext lint printed no JSON (exit {}):\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let report: serde_json::Value = serde_json::from_str(stdout[json_start..].trim())
        .with_context(|| format!("parsing web-ext lint output:\n{stdout}"))?;
    // `summary` has the counts; fall back to the message lists.
    let count = |k: &str| {
        report["summary"][k]
            .as_u64()
            .or_else(|| report[k].as_array().map(|a| a.len() as u64))
            .unwrap_or(u64::MAX)
    };
    let (errors, warnings, notices) = (count("errors"), count("warnings"), count("notices"));
    for kind in ["errors", "warnings", "notices"] {
        if let Some(list) = report[kind].as_array() {
            for m in list {
                println!(
                    "  {kind}: {} {} {}{}",
                    m["code"].as_str().unwrap_or("?"),
                    m["message"].as_str().unwrap_or(""),
                    m["file"].as_str().unwrap_or(""),
                    m["line"]
                        .as_u64()
                        .map(|l| format!(":{l}"))
                        .unwrap_or_default()
                );
            }
        }
    }
    println!(
        "web-ext lint {}: {errors} errors, {warnings} warnings, {notices} notices",
        dir.display()
    );
    if errors != 0 || warnings != 0 {
        bail!(
            "web-ext lint of {}: {errors} errors, {warnings} warnings (0 and 0 required)",
            dir.display()
        );
    }
    Ok(())
}

/// The simulator binary, started as a child process; killed on drop.
pub struct SimProcess {
    child: Child,
    pub url: String,
}

impl SimProcess {
    pub fn start(root: &Path, args: &[&str]) -> Result<SimProcess> {
        let exe = build_sim_binary(root)?;
        let mut cmd = Command::new(&exe);
        cmd.current_dir(root)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped());
        println!("$ {}", crate::util::show(&cmd));
        let mut child = cmd
            .spawn()
            .with_context(|| format!("starting {}", exe.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
                if let Some(url) = line.trim().strip_prefix("SIM_URL=") {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(url.to_string());
                    }
                }
                println!("[sim] {line}");
            }
        });
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(url) => Ok(SimProcess { child, url }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                bail!("the simulator printed no SIM_URL=… within 30 s")
            }
        }
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `cargo build -p session-drop-sim` and the path of its binary.
fn build_sim_binary(root: &Path) -> Result<PathBuf> {
    let out = cargo()
        .current_dir(root)
        .args([
            "build",
            "-p",
            "session-drop-sim",
            "--bin",
            "session-drop-sim",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(Stdio::inherit())
        .output()
        .context("cargo build -p session-drop-sim")?;
    if !out.status.success() {
        bail!("cargo build -p session-drop-sim failed");
    }
    let mut exe = None;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if v["reason"] == "compiler-artifact" && v["target"]["name"] == "session-drop-sim" {
            if let Some(p) = v["executable"].as_str() {
                exe = Some(PathBuf::from(p));
            }
        }
    }
    exe.context("cargo reported no session-drop-sim executable")
}
