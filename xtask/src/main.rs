//! `cargo xtask` — the single build entry point of Session Drop.
//!
//! ```text
//! cargo xtask setup   install what is missing (wasm32 target, wasm-bindgen-cli, npm packages,
//!                     Chromium + chromedriver, Firefox ESR, geckodriver)
//! cargo xtask build   release wasm -> extension/wasm/
//! cargo xtask dist    [--server URL] [--dev-credentials ID:SECRET] [--out DIR]
//!                     [--update-base URL [--key FILE]]
//!                     unpacked DIR/chrome, DIR/firefox + .zip/.xpi (default DIR: dist/); with
//!                     --update-base also the CRX, updates.xml, updates.json, DEPLOY.md
//! cargo xtask demo    simulator + console replica + Chromium with the extension pre-configured
//! cargo xtask test    everything: fmt, clippy, unit, node, wasm, lint, end-to-end (both browsers)
//! cargo xtask bench   [wasm] [core] [perf] [popup]
//!                     wasm sizes, wasm + native core benchmarks, browser end-to-end figures
//! ```

mod demo;
mod dist;
mod fuzz;
mod setup;
mod test;
mod util;
mod wasm;

use anyhow::{bail, Result};
use std::path::Path;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  setup   install what is missing: rust wasm32 target, wasm-bindgen-cli, npm packages
          (binaryen, web-ext), Chromium + chromedriver + Firefox ESR (apt), geckodriver (cargo)
  build   build the wasm core into extension/wasm/
  dist    [--server URL] [--dev-credentials ID:SECRET] [--out DIR] [--update-base URL [--key FILE]]
          build, then write DIR/chrome, DIR/firefox, DIR/session-drop-chrome.zip and
          DIR/session-drop-firefox.xpi (DIR defaults to dist/). With --update-base (where the
          organisation hosts the packages) also DIR/session-drop.crx (signed with --key, default
          .keys/session-drop.pem, created on first use), DIR/updates.xml, DIR/updates.json,
          the xpi with gecko.update_url, DIR/extension-id.txt and DIR/DEPLOY.md (docs/DEPLOY.md
          filled in)
  demo    setup + dist against the embedded simulator, serve the console replica and open
          Chromium with the extension loaded (or print how to, without a display)
  test    run every check and test (fmt, clippy, unit, node, wasm, web-ext lint, end-to-end)
  bench   [wasm] [core] [perf] [popup]
          print the benchmark figures (wasm size + wasm core, native core, browser click ->
          DELETE, popup); naming parts runs only those, without the setup step. Shorter runs:
          SESSION_DROP_PERF_QUICK=1 (fewer repetitions in perf and popup), SD_BENCH_RUNS=N and
          SD_BENCH_SESSIONS=N (wasm), SESSION_DROP_PERF_BROWSERS=chromium|firefox (perf, popup)
  fuzz    [--seconds N] [--seed S] fuzz the core's parsers (time-boxed; not part of test)";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(e) = real_main(&args) {
        eprintln!("xtask: error: {e:#}");
        std::process::exit(1);
    }
}

fn real_main(args: &[String]) -> Result<()> {
    let root = util::root();
    std::env::set_current_dir(&root)?;
    let Some(cmd) = args.first() else {
        println!("{USAGE}");
        return Ok(());
    };
    let rest = &args[1..];
    match cmd.as_str() {
        "setup" => setup::setup(&root),
        "build" => build(&root).map(|_| ()),
        "dist" => {
            let opts = dist::DistOptions::from_args(rest)?;
            build(&root)?;
            let out = dist::assemble(&root, &opts)?;
            print_dist(&out);
            Ok(())
        }
        "demo" => demo::demo(&root, rest),
        "test" => test::test(&root, rest),
        "bench" => bench(&root, rest),
        "fuzz" => fuzz::fuzz(&root, rest),
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command {other:?}\n\n{USAGE}"),
    }
}

/// Release wasm into `extension/wasm/` (tools are checked, not installed: `setup` does that).
pub fn build(root: &Path) -> Result<wasm::WasmArtifacts> {
    let art = wasm::build_wasm(root, &wasm::extension_wasm_dir(root))?;
    print!("{}", art.summary());
    Ok(art)
}

pub fn print_dist(out: &dist::DistOutput) {
    println!("xtask dist: wrote");
    println!("  {}", out.chrome_dir.display());
    println!("  {}", out.firefox_dir.display());
    println!("  {}", out.chrome_zip.display());
    println!("  {}", out.firefox_xpi.display());
    match &out.server {
        Some(s) => println!(
            "  server baked in: {} (host permission {})",
            s.base(),
            s.match_pattern()
        ),
        None => println!("  no server baked in: set it in the options page"),
    }
    match &out.release {
        None => println!(
            "  Chrome extension id (unpacked): {}",
            dist::CHROME_EXTENSION_ID
        ),
        Some(r) => {
            println!("  {}", r.crx.display());
            println!("  {}", r.updates_xml.display());
            println!("  {}", r.updates_json.display());
            println!("  {}", r.id_file.display());
            println!("  {}", r.deploy_md.display());
            println!(
                "  signing key: {}{}",
                r.key.display(),
                if r.key_created {
                    " (created now: keep it safe, every later version must be signed with it)"
                } else {
                    ""
                }
            );
            println!(
                "  version {}, hosted at {}",
                r.version,
                r.update_base.base()
            );
            println!(
                "  Chrome/Edge extension id: {} (CRX; the unpacked dist/chrome keeps {})",
                r.chrome_id,
                dist::CHROME_EXTENSION_ID
            );
            println!("  Firefox add-on id: {}", dist::GECKO_ID);
        }
    }
}

/// The parts of `cargo xtask bench`, in the order they run.
const BENCH_PARTS: [&str; 4] = ["wasm", "core", "perf", "popup"];

fn bench(root: &Path, args: &[String]) -> Result<()> {
    if let Some(bad) = args.iter().find(|a| !BENCH_PARTS.contains(&a.as_str())) {
        bail!(
            "unknown bench part {bad:?} (parts: {})",
            BENCH_PARTS.join(", ")
        );
    }
    let all = args.is_empty();
    let want = |p: &str| all || args.iter().any(|a| a == p);
    let mut steps = util::Steps::new();
    if all {
        steps.step("setup (install what is missing)", || setup::setup(root));
    }
    if want("wasm") || want("perf") || want("popup") {
        steps.step("build wasm", || build(root));
    }
    if want("wasm") {
        steps.step(
            "wasm benchmark (sizes, drop build+interpret, 100k-session list)",
            || wasm::run_wasm_bench(root),
        );
    }
    if want("core") {
        steps.step(
            "native core benchmark (cargo run --release --example bench_core)",
            || {
                util::run(util::cargo().current_dir(root).args([
                    "run",
                    "--release",
                    "-p",
                    "session-drop",
                    "--example",
                    "bench_core",
                ]))
            },
        );
    }
    if !(want("perf") || want("popup")) {
        return steps.finish();
    }
    let dist_dir = root.join("target").join("e2e-dist");
    steps.step("dist for the browser benchmark (target/e2e-dist)", || {
        test::e2e_dist_assemble(root, &dist_dir).map(|_| ())
    });
    // The browser benchmarks are examples of the e2e crate, run in release against that dist.
    let example = |name: &str| {
        util::run(
            util::cargo()
                .current_dir(root)
                .env("SESSION_DROP_E2E_DIST", &dist_dir)
                .args([
                    "run",
                    "--release",
                    "-p",
                    "session-drop-e2e",
                    "--example",
                    name,
                ]),
        )
    };
    if want("perf") {
        steps.step(
            "browser benchmark (click -> DELETE warm/cold vs bare fetch and relay floor, decoration time)",
            || example("perf"),
        );
    }
    if want("popup") {
        steps.step(
            "popup benchmark (500 bulk drops at 50 ms, first rows of a 100k-session list)",
            || example("perf_popup"),
        );
    }
    steps.finish()
}
