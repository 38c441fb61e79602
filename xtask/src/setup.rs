//! `cargo xtask setup`: idempotent fresh-machine install of everything the build and the tests
//! need. Each check is cheap when the tool is already there; prints what it did.

use crate::util::{cargo, is_root, output_of, run, which};
use crate::wasm;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const GECKODRIVER_VERSION: &str = "0.37.1";
pub use xtask::browsers::{CHROMEDRIVER, CHROMIUM, FIREFOX};
/// pt-BR and pt-PT UI of each browser (the e2e suite checks the Portuguese button name): Debian's
/// chromium-l10n, firefox-esr-l10n-pt-br and firefox-esr-l10n-pt-pt.
pub const CHROMIUM_PT_BR: &str = "/usr/lib/chromium/locales/pt-BR.pak";
pub const FIREFOX_PT_BR: &str =
    "/usr/lib/firefox-esr/browser/extensions/langpack-pt-BR@firefox-esr.mozilla.org.xpi";
pub const FIREFOX_PT_PT: &str =
    "/usr/lib/firefox-esr/browser/extensions/langpack-pt-PT@firefox-esr.mozilla.org.xpi";
/// Debian packages for the browsers, their drivers and their Portuguese translations.
const APT_PACKAGES: &[&str] = &[
    "chromium",
    "chromium-driver",
    "chromium-l10n",
    "firefox-esr",
    "firefox-esr-l10n-pt-br",
    "firefox-esr-l10n-pt-pt",
];
const APT_FILES: &[&str] = &[
    CHROMIUM,
    CHROMEDRIVER,
    FIREFOX,
    CHROMIUM_PT_BR,
    FIREFOX_PT_BR,
    FIREFOX_PT_PT,
];

pub fn setup(root: &Path) -> Result<()> {
    let mut did: Vec<String> = Vec::new();

    // Rust components used by `cargo xtask test`.
    let components = output_of(Command::new("rustup").args(["component", "list", "--installed"]))
        .unwrap_or_default();
    for (component, probe) in [("rustfmt", "cargo-fmt"), ("clippy", "cargo-clippy")] {
        if !components.lines().any(|l| l.starts_with(component)) && which(probe).is_none() {
            run(Command::new("rustup").args(["component", "add", component]))?;
            did.push(format!("rustup component add {component}"));
        }
    }

    // wasm32 target, wasm-bindgen-cli at the pinned version, npm binaryen (wasm pipeline).
    let before = wasm_tools_state(root);
    wasm::ensure_wasm_tools(root).context("installing the wasm tools")?;
    let after = wasm_tools_state(root);
    if before != after {
        did.push(format!("wasm tools: {before} -> {after}"));
    }

    // npm packages (binaryen, web-ext): `npm ci` when node_modules is missing or stale.
    if let Some(why) = npm_stale(root)? {
        println!("xtask setup: npm packages {why}: npm ci");
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(root))?;
        if let Some(why) = npm_stale(root)? {
            bail!("node_modules still {why} after npm ci");
        }
        did.push("npm ci".into());
    }

    // Browsers and chromedriver from Debian.
    let missing: Vec<&str> = APT_FILES
        .iter()
        .copied()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if !missing.is_empty() {
        println!(
            "xtask setup: missing {}: installing {}",
            missing.join(", "),
            APT_PACKAGES.join(" ")
        );
        let sudo = if is_root() {
            None
        } else if which("sudo").is_some() {
            Some("sudo")
        } else {
            bail!(
                "{} missing and not root: run `apt-get install -y {}` as root",
                missing.join(", "),
                APT_PACKAGES.join(" ")
            );
        };
        let apt = |args: &[&str]| -> Result<()> {
            let mut c = match sudo {
                Some(s) => {
                    let mut c = Command::new(s);
                    c.args(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
                    c
                }
                None => Command::new("apt-get"),
            };
            c.env("DEBIAN_FRONTEND", "noninteractive").args(args);
            run(&mut c)
        };
        apt(&["update"])?;
        let mut install = vec!["install", "-y"];
        install.extend_from_slice(APT_PACKAGES);
        apt(&install)?;
        for p in APT_FILES {
            if !Path::new(p).exists() {
                bail!("{p} is still missing after apt-get install");
            }
        }
        did.push(format!("apt-get install {}", APT_PACKAGES.join(" ")));
    }

    // geckodriver from crates.io.
    if geckodriver().is_none() {
        println!("xtask setup: installing geckodriver {GECKODRIVER_VERSION} (takes ~2 min)");
        run(cargo().args(["install", "geckodriver", "--version", GECKODRIVER_VERSION]))?;
        if geckodriver().is_none() {
            bail!("geckodriver {GECKODRIVER_VERSION} not found after cargo install (is ~/.cargo/bin on PATH?)");
        }
        did.push(format!("cargo install geckodriver {GECKODRIVER_VERSION}"));
    }

    if did.is_empty() {
        println!("xtask setup: everything already installed (rust wasm32 target, wasm-bindgen-cli {}, npm packages, chromium + chromedriver, firefox-esr (+ pt-BR, pt-PT), geckodriver {GECKODRIVER_VERSION})", wasm::WASM_BINDGEN_VERSION);
    } else {
        println!("xtask setup: did: {}", did.join("; "));
    }
    Ok(())
}

/// A one-line description of the wasm tools, to tell whether ensure_wasm_tools changed anything.
fn wasm_tools_state(root: &Path) -> String {
    let target = output_of(Command::new("rustup").args(["target", "list", "--installed"]))
        .is_some_and(|s| s.lines().any(|l| l.trim() == wasm::WASM_TARGET));
    let wb = output_of(Command::new("wasm-bindgen").arg("--version"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "no wasm-bindgen".into());
    let opt = root.join("node_modules/.bin/wasm-opt").exists();
    format!(
        "{} target, {wb}, {}",
        if target { "wasm32" } else { "no wasm32" },
        if opt { "wasm-opt" } else { "no wasm-opt" }
    )
}

/// geckodriver at the pinned version, if installed (found where the tests look for it).
pub fn geckodriver() -> Option<PathBuf> {
    let p = xtask::browsers::geckodriver_path()?;
    let v = output_of(Command::new(&p).arg("--version"))?;
    v.lines()
        .next()
        .is_some_and(|l| l.contains(GECKODRIVER_VERSION))
        .then_some(p)
}

/// Why `node_modules` needs `npm ci` (None when it is up to date): missing, a devDependency
/// absent or at another version, or package-lock.json newer than npm's hidden lockfile.
pub fn npm_stale(root: &Path) -> Result<Option<String>> {
    let nm = root.join("node_modules");
    if !nm.is_dir() {
        return Ok(Some("missing".into()));
    }
    let pkg: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("package.json")).context("reading package.json")?,
    )
    .context("parsing package.json")?;
    if let Some(deps) = pkg.get("devDependencies").and_then(|d| d.as_object()) {
        for (name, want) in deps {
            let installed = std::fs::read_to_string(nm.join(name).join("package.json"))
                .ok()
                .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
                .and_then(|v| {
                    v.get("version")
                        .and_then(|v| v.as_str())
                        .map(str::to_string)
                });
            match installed {
                None => return Ok(Some(format!("lack {name}"))),
                Some(v) if Some(v.as_str()) != want.as_str() => {
                    return Ok(Some(format!("have {name} {v}, want {want}")))
                }
                _ => {}
            }
        }
    }
    let lock = std::fs::metadata(root.join("package-lock.json")).and_then(|m| m.modified());
    let hidden = std::fs::metadata(nm.join(".package-lock.json")).and_then(|m| m.modified());
    match (lock, hidden) {
        (Ok(l), Ok(h)) if l > h => Ok(Some("older than package-lock.json".into())),
        (Ok(_), Err(_)) => Ok(Some("not installed by npm".into())),
        _ => Ok(None),
    }
}
