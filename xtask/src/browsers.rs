//! Where the browsers, their WebDriver servers and their policy folders are (Debian packages,
//! as `cargo xtask setup` installs them).

use std::path::{Path, PathBuf};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const FIREFOX: &str = "/usr/bin/firefox-esr";

/// Debian's Chromium reads every `*.json` here as mandatory machine policy.
pub const CHROMIUM_POLICY_DIR: &str = "/etc/chromium/policies/managed";

/// Firefox ESR's executable (the first that exists).
pub fn firefox_path() -> Option<PathBuf> {
    [
        "/usr/lib/firefox-esr/firefox-esr",
        FIREFOX,
        "/usr/bin/firefox",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

/// `<install dir>/distribution/policies.json` of the installed Firefox (symlinks resolved):
/// the enterprise policies Firefox reads at start-up.
pub fn firefox_policies_file() -> Option<PathBuf> {
    let ff = std::fs::canonicalize(firefox_path()?).ok()?;
    Some(ff.parent()?.join("distribution").join("policies.json"))
}

/// `$CARGO_HOME` (default `~/.cargo`).
pub fn cargo_home() -> PathBuf {
    if let Some(h) = std::env::var_os("CARGO_HOME") {
        return PathBuf::from(h);
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| "/root".into());
    PathBuf::from(home).join(".cargo")
}

/// An executable: an absolute path that exists, else a name on PATH, else in
/// `$CARGO_HOME/bin` (where `cargo install` puts it even when PATH lacks it).
pub fn which(name: &str) -> Option<PathBuf> {
    let p = Path::new(name);
    if p.is_absolute() {
        return is_executable(p).then(|| p.to_path_buf());
    }
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|v| std::env::split_paths(&v).collect())
        .unwrap_or_default();
    dirs.push(cargo_home().join("bin"));
    dirs.into_iter()
        .map(|d| d.join(name))
        .find(|c| is_executable(c))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// geckodriver: `$GECKODRIVER`, else PATH, else `$CARGO_HOME/bin`.
pub fn geckodriver_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("GECKODRIVER") {
        return Some(PathBuf::from(p));
    }
    which("geckodriver")
}
