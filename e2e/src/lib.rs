//! End-to-end harness: the BUILT extension (`$SESSION_DROP_E2E_DIST/{chrome,firefox}`, made by
//! `cargo xtask test` / `cargo xtask dist --server http://127.0.0.1:9 --dev-credentials …`) in
//! headless Chromium (chromedriver) or headless Firefox ESR (geckodriver), driven through
//! WebDriver (fantoccini), against a fresh in-process simulator per test.
//!
//! Every [`Session`] owns: a temp copy of the package whose `preset.json` points at the running
//! simulator, a WebDriver server on a free port, the browser, and the simulator. [`Session::close`]
//! ends it; if a test panics first, `Drop` still deletes the WebDriver session (a blocking
//! request) and kills the driver's process group, so no browser outlives its test.

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::future::Future;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub use session_drop_sim::{LoggedRequest, SimConfig, Simulator};

// The extension's identities and the browsers' paths are defined once, in the xtask library.
pub use xtask::browsers::{
    firefox_path, firefox_policies_file, geckodriver_path, CHROMEDRIVER, CHROMIUM,
    CHROMIUM_POLICY_DIR,
};
pub use xtask::identity::{chrome_extension_id, CHROME_EXTENSION_ID, GECKO_ID};
/// The add-on's internal UUID in Firefox, fixed through `extensions.webextensions.uuids`.
pub const FIREFOX_UUID: &str = "5e55d20b-d20b-4e2e-9a5e-0d205e55d20b";

/// Default bound of every wait.
pub const WAIT: Duration = Duration::from_secs(10);
/// Polling period of every wait.
/// Paths of the appliance API the tests look for in the simulator's request log.
pub const TOKEN_PATH: &str = "/iso/oauth2/token";
pub const API_DROP: &str = "/api/pam/session/drop/";
pub const ISO_DROP: &str = "/iso/session/drop/";
pub const POLL: Duration = Duration::from_millis(50);

pub type Result<T, E = Box<dyn std::error::Error + Send + Sync>> = std::result::Result<T, E>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Browser {
    Chromium,
    Firefox,
}

impl Browser {
    pub const ALL: [Browser; 2] = [Browser::Chromium, Browser::Firefox];

    pub fn name(self) -> &'static str {
        match self {
            Browser::Chromium => "chromium",
            Browser::Firefox => "firefox",
        }
    }

    /// Folder of the package in the dist directory.
    pub fn dist_name(self) -> &'static str {
        match self {
            Browser::Chromium => "chrome",
            Browser::Firefox => "firefox",
        }
    }

    /// `chrome-extension://<id>/` (id from the package's manifest `key`) or
    /// `moz-extension://<uuid>/`.
    pub fn extension_base(self, ext_dir: &Path) -> Result<String> {
        match self {
            Browser::Chromium => {
                let manifest: Value =
                    serde_json::from_str(&std::fs::read_to_string(ext_dir.join("manifest.json"))?)?;
                let key = manifest["key"]
                    .as_str()
                    .ok_or("the Chrome manifest has no `key` (the build must add it)")?;
                Ok(format!("chrome-extension://{}/", chrome_extension_id(key)?))
            }
            Browser::Firefox => Ok(format!("moz-extension://{FIREFOX_UUID}/")),
        }
    }
}

/// An edit of the package's preset.json (e.g. a wrong client secret).
pub type PresetEdit = Box<dyn FnOnce(&mut Value) + Send>;

/// An edit of the unpacked package copy before the browser loads it (benchmarks' probes).
pub type PackageEdit = Box<dyn FnOnce(&Path) -> Result<()> + Send>;

/// How to launch: browser language and edits of the package's `preset.json`.
pub struct Launch {
    /// "en-US", "pt-BR" or "pt-PT".
    pub lang: &'static str,
    /// Applied to preset.json after `serverUrl` is set to the simulator.
    pub preset: Option<PresetEdit>,
    /// Extra browser preferences (Firefox `prefs`, Chromium `prefs`), merged over the defaults.
    pub prefs: Option<Value>,
    /// Applied to the package copy after the preset (never used by the tests).
    pub package: Option<PackageEdit>,
    /// How the extension gets into the browser.
    pub install: Install,
    /// A browser profile folder kept by the caller (the same profile across two starts, e.g. to
    /// see what a restart changes); default: a fresh one per session. Firefox uses it in place
    /// (`-profile`).
    pub profile: Option<PathBuf>,
    /// Chromium: let WebDriver see the extension's own targets (`goog:chromeOptions`
    /// `enableExtensionTargets`, needed since ChromeDriver 136 for a window the extension opens
    /// with `windows.create` to be among the window handles). Firefox lists them anyway.
    pub extension_targets: bool,
}

/// How the extension gets into the browser.
#[derive(Clone, Debug, Default)]
pub enum Install {
    /// The harness loads a temp copy of the built package (Chromium `--load-extension`,
    /// Firefox a temporary add-on).
    #[default]
    Unpacked,
    /// Nothing is loaded: a machine policy installs it. The browser starts with no extension
    /// flag and with its extension updater on (Chromium without `--disable-background-networking`,
    /// which chromedriver adds by default and which stops the updater). `ext_base` is where the
    /// installed extension's pages are (`chrome-extension://<id>/`, `moz-extension://<uuid>/`).
    ByPolicy { ext_base: String },
}

impl Default for Launch {
    fn default() -> Self {
        Launch {
            lang: "en-US",
            preset: None,
            prefs: None,
            package: None,
            install: Install::Unpacked,
            profile: None,
            extension_targets: false,
        }
    }
}

impl Launch {
    pub fn lang(lang: &'static str) -> Launch {
        Launch {
            lang,
            ..Launch::default()
        }
    }

    pub fn preset(f: impl FnOnce(&mut Value) + Send + 'static) -> Launch {
        Launch {
            preset: Some(Box::new(f)),
            ..Launch::default()
        }
    }
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("e2e/ has a parent")
        .to_path_buf()
}

/// One message of the extension's catalogue (`extension/_locales/<locale>/messages.json`, the only
/// place operator texts live). Panics when it is missing.
pub fn catalogue_message(locale: &str, key: &str) -> String {
    let path = repo_root()
        .join("extension/_locales")
        .join(locale)
        .join("messages.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let cat: Value = serde_json::from_str(&text).expect("catalogue JSON");
    cat[key]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing from {}", path.display()))
        .to_owned()
}

impl Session {
    /// Chromium: stops every service worker through CDP (the extension's background included).
    pub async fn stop_service_workers(&self) {
        for method in ["ServiceWorker.enable", "ServiceWorker.stopAllWorkers"] {
            self.client
                .issue_cmd(cdp(method, json!({})))
                .await
                .expect(method);
        }
    }
}

/// `$SESSION_DROP_E2E_DIST`, else `target/e2e-dist` when it exists. Panics with the way to
/// build it otherwise: a missing package is a failure, never a skip.
pub fn dist_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("SESSION_DROP_E2E_DIST") {
        return PathBuf::from(d);
    }
    let d = repo_root().join("target").join("e2e-dist");
    if d.join("chrome").join("manifest.json").exists() {
        return d;
    }
    panic!(
        "SESSION_DROP_E2E_DIST is not set and target/e2e-dist is missing: run `cargo xtask test`, \
         or `cargo xtask dist --server http://127.0.0.1:9 --dev-credentials demo-client:demo-secret --out target/e2e-dist`"
    );
}

/// A directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> std::io::Result<TempDir> {
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "session-drop-e2e-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p)?;
        Ok(TempDir(p))
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub use xtask::release::copy_dir;

/// Copies the built package for `browser` into `dest` and points its preset at `server`.
pub fn prepare_extension(
    browser: Browser,
    dest: &Path,
    server: &str,
    edit: Option<PresetEdit>,
) -> Result<()> {
    let src = dist_dir().join(browser.dist_name());
    if !src.join("manifest.json").exists() {
        return Err(format!(
            "{} has no manifest.json: build the package first (cargo xtask test)",
            src.display()
        )
        .into());
    }
    copy_dir(&src, dest)?;
    let preset_path = dest.join("preset.json");
    let mut preset: Value = match std::fs::read_to_string(&preset_path) {
        Ok(s) => serde_json::from_str(&s)?,
        Err(_) => {
            return Err(format!(
                "{} has no preset.json: the e2e package must be built with --server",
                src.display()
            )
            .into())
        }
    };
    preset["serverUrl"] = json!(server);
    if let Some(f) = edit {
        f(&mut preset);
    }
    std::fs::write(&preset_path, serde_json::to_string_pretty(&preset)?)?;
    Ok(())
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A WebDriver server process (its own process group) and, once created, its session.
struct Driver {
    child: Child,
    port: u16,
    session_id: Option<String>,
    closed: bool,
}

impl Driver {
    fn start(browser: Browser, log: &Path, env: &[(&str, &str)]) -> Result<Driver> {
        use std::os::unix::process::CommandExt;
        let port = free_port()?;
        let mut cmd = match browser {
            Browser::Chromium => {
                if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
                    return Err(format!(
                        "{CHROMIUM} / {CHROMEDRIVER} missing: run `cargo xtask setup`"
                    )
                    .into());
                }
                let mut c = Command::new(CHROMEDRIVER);
                c.arg(format!("--port={port}"));
                c
            }
            Browser::Firefox => {
                let gd =
                    geckodriver_path().ok_or("geckodriver missing: run `cargo xtask setup`")?;
                let mut c = Command::new(gd);
                c.args(["--port", &port.to_string(), "--allow-system-access"]);
                c
            }
        };
        let logf = std::fs::File::create(log)?;
        cmd.stdin(Stdio::null())
            .stdout(logf.try_clone()?)
            .stderr(logf)
            .process_group(0);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn()?;
        let mut d = Driver {
            child,
            port,
            session_id: None,
            closed: false,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = d.child.try_wait() {
                let log = std::fs::read_to_string(log).unwrap_or_default();
                return Err(format!("{} driver exited ({status}):\n{log}", browser.name()).into());
            }
            if Instant::now() > deadline {
                d.kill();
                return Err(format!("{} driver did not listen within 20 s", browser.name()).into());
            }
            std::thread::sleep(POLL);
        }
        Ok(d)
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Blocking `DELETE /session/{id}` (used from Drop, where no runtime can be relied on).
    fn delete_session_blocking(&mut self) {
        let Some(id) = self.session_id.take() else {
            return;
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(15)))
            .http_status_as_error(false)
            .build()
            .into();
        let _ = agent.delete(&format!("{}/session/{id}", self.url())).call();
    }

    fn kill(&mut self) {
        // The whole group: the driver and the browser it started.
        let pid = self.child.id() as i32;
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.closed {
            self.delete_session_blocking();
        }
        self.kill();
    }
}

/// A WebDriver command on the session that fantoccini has no method for:
/// `POST /session/{id}/<suffix>` with a JSON body, or a `GET` without one.
#[derive(Debug)]
pub struct SessionCmd {
    pub suffix: String,
    /// `None`: a `GET`.
    pub body: Option<Value>,
}

impl WebDriverCompatibleCommand for SessionCmd {
    fn endpoint(
        &self,
        base_url: &url_shim::Url,
        session_id: Option<&str>,
    ) -> std::result::Result<url_shim::Url, url_shim::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.suffix
        ))
    }

    fn method_and_body(&self, _url: &url_shim::Url) -> (http_shim::Method, Option<String>) {
        match &self.body {
            Some(body) => (http_shim::Method::POST, Some(body.to_string())),
            None => (http_shim::Method::GET, None),
        }
    }
}

/// geckodriver: install an unpacked add-on temporarily (`moz/addon/install`).
fn install_addon(path: String) -> SessionCmd {
    SessionCmd {
        suffix: "moz/addon/install".into(),
        body: Some(json!({ "path": path, "temporary": true })),
    }
}

/// chromedriver: one Chrome DevTools Protocol command (`goog/cdp/execute`).
pub fn cdp(cmd: &str, params: Value) -> SessionCmd {
    SessionCmd {
        suffix: "goog/cdp/execute".into(),
        body: Some(json!({ "cmd": cmd, "params": params })),
    }
}

/// `GET /session/{id}/element/{element}/computedlabel`: the accessible name, as the browser's
/// accessibility tree computes it.
fn computed_label(element_id: &str) -> SessionCmd {
    SessionCmd {
        suffix: format!("element/{element_id}/computedlabel"),
        body: None,
    }
}

/// The `url` / `http` types of fantoccini's command trait.
mod url_shim {
    pub use url::{ParseError, Url};
}
mod http_shim {
    pub use http::Method;
}

/// One browser with the extension loaded, and the simulator it talks to.
pub struct Session {
    pub client: Client,
    pub sim: Simulator,
    pub browser: Browser,
    /// `chrome-extension://<id>/` or `moz-extension://<uuid>/` (with the trailing slash).
    pub ext_base: String,
    /// The unpacked extension this browser loaded (a temp copy with the preset rewritten); with
    /// [`Install::ByPolicy`] nothing is loaded and this folder does not exist.
    pub ext_dir: PathBuf,
    driver: Driver,
    work: TempDir,
}

impl Session {
    /// A fresh simulator with `cfg` and a fresh browser (en-US, preset credentials).
    pub async fn start(browser: Browser, cfg: SimConfig) -> Session {
        Session::start_with(browser, cfg, Launch::default()).await
    }

    pub async fn start_with(browser: Browser, cfg: SimConfig, launch: Launch) -> Session {
        match Session::try_start(browser, cfg, launch).await {
            Ok(s) => s,
            Err(e) => panic!("starting {} failed: {e}", browser.name()),
        }
    }

    pub async fn try_start(browser: Browser, cfg: SimConfig, launch: Launch) -> Result<Session> {
        let sim = Simulator::start(cfg)?;
        let work = TempDir::new(browser.name())?;
        let ext_dir = work.path().join("extension");
        let ext_base = match &launch.install {
            Install::Unpacked => {
                prepare_extension(browser, &ext_dir, &sim.base_url(), launch.preset)?;
                if let Some(edit) = launch.package {
                    edit(&ext_dir)?;
                }
                browser.extension_base(&ext_dir)?
            }
            Install::ByPolicy { ext_base } => ext_base.clone(),
        };
        let unpacked = matches!(launch.install, Install::Unpacked);
        let profile = launch
            .profile
            .clone()
            .unwrap_or_else(|| work.path().join("profile"));
        std::fs::create_dir_all(&profile)?;
        let log = work.path().join("driver.log");
        let lang_env = launch.lang.replace('-', "_");
        // geckodriver's temporary Firefox profile lands in TMPDIR: keep it inside `work`.
        let tmp = work.path().join("tmp");
        std::fs::create_dir_all(&tmp)?;
        let tmp = tmp.to_string_lossy().into_owned();
        let mut env: Vec<(&str, &str)> = vec![("TMPDIR", tmp.as_str())];
        if browser == Browser::Chromium {
            // Chromium on Linux takes its UI language from the environment too.
            env.push(("LANGUAGE", lang_env.as_str()));
        }
        let mut driver = Driver::start(browser, &log, &env)?;
        let caps = capabilities(
            browser,
            unpacked.then_some(ext_dir.as_path()),
            &profile,
            launch.profile.as_deref(),
            launch.lang,
            launch.prefs.as_ref(),
            launch.extension_targets,
        )?;
        let client =
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps)
                .connect(&driver.url())
                .await
            {
                Ok(c) => c,
                Err(e) => {
                    let log = std::fs::read_to_string(&log).unwrap_or_default();
                    return Err(format!(
                        "new {} session: {e}\n--- driver log ---\n{log}",
                        browser.name()
                    )
                    .into());
                }
            };
        driver.session_id = client.session_id().await?;
        let s = Session {
            client,
            sim,
            browser,
            ext_base,
            ext_dir,
            driver,
            work,
        };
        if browser == Browser::Firefox && unpacked {
            let path = s.ext_dir.to_string_lossy().into_owned();
            s.client.issue_cmd(install_addon(path)).await?;
        }
        s.client.set_window_size(1600, 1000).await?;
        Ok(s)
    }

    /// Ends the browser session and the driver (the simulator stops when dropped).
    pub async fn close(mut self) {
        let client = self.client.clone();
        if tokio::time::timeout(Duration::from_secs(20), client.close())
            .await
            .is_ok_and(|r| r.is_ok())
        {
            self.driver.closed = true;
            self.driver.session_id = None;
        }
        // Drop kills the driver group; the simulator and temp dir go too.
    }

    /// The driver log (for failure messages).
    pub fn driver_log(&self) -> String {
        std::fs::read_to_string(self.work.path().join("driver.log")).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.base_url())
    }

    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("goto {url}: {e}"));
    }

    /// Runs a script in the page (a page-world script: no extension privileges).
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("execute {script:?}: {e}"))
    }

    pub async fn js_args(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("execute {script:?}: {e}"))
    }

    /// The text of the element with id `id` (as rendered: `innerText`).
    pub async fn text_of_id(&self, id: &str) -> String {
        let el = self
            .client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("[{}] no #{id}: {e}", self.browser.name()));
        el.text()
            .await
            .unwrap_or_else(|e| panic!("[{}] text of #{id}: {e}", self.browser.name()))
    }

    pub async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .map(|v| v.len())
            .unwrap_or(0)
    }

    /// Polls `cond` every [`POLL`] until it returns `Some`, for at most `timeout`.
    pub async fn wait_for<T, F, Fut>(&self, what: &str, timeout: Duration, cond: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Option<T>>,
    {
        match wait_until(timeout, cond).await {
            Some(v) => v,
            None => panic!(
                "[{}] timed out after {:?} waiting for {what}",
                self.browser.name(),
                timeout
            ),
        }
    }

    /// Waits until a script returns a JSON value other than null/false.
    pub async fn wait_js(&self, what: &str, script: &str) -> Value {
        self.wait_for(what, WAIT, || async {
            match self.client.execute(script, vec![]).await {
                Ok(Value::Null) | Ok(Value::Bool(false)) | Err(_) => None,
                Ok(v) => Some(v),
            }
        })
        .await
    }

    /// Waits until at least `n` elements match `css`.
    pub async fn wait_count(&self, css: &str, n: usize) -> usize {
        self.wait_for(&format!("{n} × {css}"), WAIT, || async {
            let c = self.count(css).await;
            (c >= n).then_some(c)
        })
        .await
    }

    /// Requests the simulator saw with `method` whose path starts with `prefix`.
    pub fn requests_matching(&self, method: &str, prefix: &str) -> Vec<LoggedRequest> {
        self.sim
            .requests()
            .into_iter()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && r.path.starts_with(prefix))
            .collect()
    }

    /// All DELETE requests seen by the simulator.
    pub fn deletes(&self) -> Vec<LoggedRequest> {
        self.requests_matching("DELETE", "/")
    }

    /// Waits until the simulator has logged at least `n` requests matching.
    pub async fn wait_requests(&self, method: &str, prefix: &str, n: usize) -> Vec<LoggedRequest> {
        self.wait_for(&format!("{n} × {method} {prefix}"), WAIT, || async {
            let v = self.requests_matching(method, prefix);
            (v.len() >= n).then_some(v)
        })
        .await
    }

    /// Saves a PNG screenshot under `docs/screenshots/<name>`.
    pub async fn screenshot(&self, name: &str) {
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("screenshot: {e}"));
        let dir = repo_root().join("docs").join("screenshots");
        std::fs::create_dir_all(&dir).expect("create docs/screenshots");
        std::fs::write(dir.join(name), png).expect("write screenshot");
    }
}

/// The table of the Remote sessions report (hash in the "Session ID" column).
pub const CONSOLE_TABLE: &str = "#remote-sessions-report";
/// The table of the PAM dashboard's Remote Session page (numeric "ID" only).
pub const DASHBOARD_TABLE: &str = "#dashboard-remote-session";
/// The button the content script adds to each row.
pub const BUTTON: &str = "[data-session-drop-button]";

/// One data row of a session table, as the page shows it.
#[derive(Debug, Clone)]
pub struct Row {
    pub cells: Vec<String>,
    /// `data-session-drop`: None, "pending", "dropped" or "failed".
    pub state: Option<String>,
    pub ready: bool,
    pub buttons: usize,
    /// Text of `[role=status][data-session-drop-status]` in the row.
    pub status: String,
}

const ROWS_JS: &str = r#"
const t = document.querySelector(arguments[0]);
if (!t || !t.tBodies[0]) return null;
return Array.from(t.tBodies[0].rows).filter(r => !r.classList.contains('empty-row')).map(r => {
  const st = r.querySelector('[role="status"][data-session-drop-status]');
  return {
    cells: Array.from(r.cells).filter(c => !c.hasAttribute('data-session-drop-cell')).map(c => c.textContent.trim()),
    state: r.getAttribute('data-session-drop'),
    ready: r.hasAttribute('data-session-drop-ready'),
    buttons: r.querySelectorAll('[data-session-drop-button]').length,
    status: st ? st.textContent : '',
  };
});
"#;

/// The background's confirmation window (`confirm.html`, opened with `windows.create`), once
/// WebDriver has switched to it: its text and the window to go back to.
pub struct ConfirmWindow {
    pub text: String,
    pub back: fantoccini::wd::WindowHandle,
}

impl Session {
    /// Waits for the confirmation window the background opens, switches to it and waits until its
    /// "Terminate" button is enabled (the appliance has been asked). Returns its visible text.
    pub async fn confirm_window(&self) -> ConfirmWindow {
        let back = self.client.window().await.expect("current window");
        let handle = self
            .wait_for("the confirmation window", WAIT, || async {
                for h in self.client.windows().await.ok()? {
                    if h == back || self.client.switch_to_window(h.clone()).await.is_err() {
                        continue;
                    }
                    let url = self.client.current_url().await.ok()?;
                    if url.path().ends_with("/confirm.html") {
                        return Some(h);
                    }
                }
                let _ = self.client.switch_to_window(back.clone()).await;
                None
            })
            .await;
        self.client.switch_to_window(handle).await.expect("switch");
        let text = self
            .wait_js(
                "the confirmation window ready",
                "const y = document.getElementById('yes'); \
                 return y && !y.disabled ? document.body.innerText : null;",
            )
            .await;
        ConfirmWindow {
            text: text.as_str().unwrap_or_default().to_owned(),
            back,
        }
    }

    /// Clicks "Terminate" (`yes`) or "Cancel" in the confirmation window, then switches back.
    pub async fn answer_confirm(&self, w: ConfirmWindow, yes: bool) {
        let id = if yes { "yes" } else { "no" };
        self.client
            .find(Locator::Id(id))
            .await
            .expect("confirmation button")
            .click()
            .await
            .expect("click");
        self.client
            .switch_to_window(w.back)
            .await
            .expect("back to the page");
    }
}

impl Session {
    /// The data rows of `table` (a CSS selector), empty when the table is absent.
    pub async fn rows(&self, table: &str) -> Vec<Row> {
        let v = self.js_args(ROWS_JS, vec![json!(table)]).await;
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|r| Row {
                        cells: strings(&r["cells"]),
                        state: r["state"].as_str().map(str::to_string),
                        ready: r["ready"].as_bool().unwrap_or(false),
                        buttons: r["buttons"].as_u64().unwrap_or(0) as usize,
                        status: r["status"].as_str().unwrap_or("").to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits until `table` has at least one data row and every row is decorated (ready, one
    /// button); returns the rows.
    pub async fn wait_decorated(&self, table: &str) -> Vec<Row> {
        self.wait_for(&format!("every row of {table} decorated"), WAIT, || async {
            let rows = self.rows(table).await;
            (!rows.is_empty() && rows.iter().all(|r| r.ready && r.buttons == 1)).then_some(rows)
        })
        .await
    }

    /// Opens the Remote sessions report (optionally `?query`) and waits for the buttons.
    pub async fn open_console(&self, query: &str) -> Vec<Row> {
        let q = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        self.goto(&self.url(&format!("/flow/remote-sessions{q}")))
            .await;
        self.wait_decorated(CONSOLE_TABLE).await
    }

    /// Opens the PAM dashboard's Remote Session page and waits for the buttons.
    pub async fn open_dashboard(&self) -> Vec<Row> {
        self.goto(&self.url("/flow/dashboard/remote-session")).await;
        self.wait_decorated(DASHBOARD_TABLE).await
    }

    /// The button of data row `index` (0-based) of `table`.
    pub async fn row_button(&self, table: &str, index: usize) -> fantoccini::elements::Element {
        let css = format!("{table} tbody tr:nth-child({}) {BUTTON}", index + 1);
        self.client
            .find(Locator::Css(&css))
            .await
            .unwrap_or_else(|e| panic!("[{}] no button {css}: {e}", self.browser.name()))
    }

    /// Scrolls an element to the middle of the viewport (the console's sticky top bar must not
    /// cover it; pointer actions do not scroll by themselves).
    pub async fn scroll_to(&self, el: &fantoccini::elements::Element) {
        let arg = serde_json::to_value(el).expect("element as JSON");
        self.js_args(
            "arguments[0].scrollIntoView({ block: 'center', inline: 'nearest' }); return true;",
            vec![arg],
        )
        .await;
    }

    /// A real (trusted) WebDriver click on the button of row `index`.
    pub async fn click_row(&self, table: &str, index: usize) {
        let b = self.row_button(table, index).await;
        self.scroll_to(&b).await;
        b.click()
            .await
            .unwrap_or_else(|e| panic!("[{}] click row {index}: {e}", self.browser.name()));
    }

    /// Waits until row `index` is `dropped` or `failed`; returns the row.
    pub async fn wait_row_done(&self, table: &str, index: usize) -> Row {
        self.wait_for(
            &format!("row {index} of {table} dropped/failed"),
            WAIT,
            || async {
                let rows = self.rows(table).await;
                let r = rows.get(index)?.clone();
                matches!(r.state.as_deref(), Some("dropped" | "failed")).then_some(r)
            },
        )
        .await
    }

    /// The accessible name of an element (WebDriver "Get Computed Label").
    pub async fn accessible_name(&self, el: &fantoccini::elements::Element) -> String {
        let id = el.element_id().to_string();
        match self.client.issue_cmd(computed_label(&id)).await {
            Ok(Value::String(s)) => s,
            Ok(v) => panic!("computed label: unexpected {v}"),
            Err(e) => panic!("[{}] computed label: {e}", self.browser.name()),
        }
    }
}

/// Polls `cond` every [`POLL`] until `Some`, at most `timeout`.
pub async fn wait_until<T, F, Fut>(timeout: Duration, mut cond: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = cond().await {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// WebDriver capabilities. `ext_dir`: the unpacked extension to load, or `None` when a policy
/// installs it (then Chromium keeps its extension updater: no `--disable-background-networking`,
/// also removed from chromedriver's default switches).
fn capabilities(
    browser: Browser,
    ext_dir: Option<&Path>,
    profile: &Path,
    firefox_profile: Option<&Path>,
    lang: &str,
    extra_prefs: Option<&Value>,
    extension_targets: bool,
) -> Result<serde_json::Map<String, Value>> {
    let caps = match browser {
        Browser::Chromium => {
            let mut args: Vec<String> = [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
                "--window-size=1600,1000",
            ]
            .map(String::from)
            .to_vec();
            args.push(format!("--user-data-dir={}", profile.to_string_lossy()));
            args.push(format!("--lang={lang}"));
            let mut exclude: Vec<&str> = Vec::new();
            match ext_dir {
                Some(dir) => {
                    let ext = dir.to_string_lossy();
                    args.push("--disable-background-networking".into());
                    args.push(format!("--load-extension={ext}"));
                    args.push(format!("--disable-extensions-except={ext}"));
                }
                None => exclude.push("disable-background-networking"),
            }
            let mut c = json!({
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": CHROMIUM,
                    "args": args,
                    "excludeSwitches": exclude,
                    "prefs": { "intl.accept_languages": lang },
                },
            });
            if extension_targets {
                c["goog:chromeOptions"]["enableExtensionTargets"] = json!(true);
            }
            c
        }
        Browser::Firefox => {
            let ff = firefox_path().ok_or("firefox-esr missing: run `cargo xtask setup`")?;
            let uuids = json!({ GECKO_ID: FIREFOX_UUID }).to_string();
            // geckodriver's own temporary profile, unless the caller keeps one.
            let mut firefox_args = vec!["-headless".to_string()];
            if let Some(p) = firefox_profile {
                firefox_args.extend(["-profile".to_string(), p.to_string_lossy().into_owned()]);
            }
            json!({
                "browserName": "firefox",
                "moz:firefoxOptions": {
                    "binary": ff.to_string_lossy(),
                    "args": firefox_args,
                    "prefs": {
                        "extensions.webextensions.uuids": uuids,
                        "intl.locale.requested": lang,
                        "intl.accept_languages": lang,
                        "browser.shell.checkDefaultBrowser": false,
                        "app.update.enabled": false,
                        "datareporting.policy.dataSubmissionEnabled": false,
                        "toolkit.telemetry.enabled": false,
                    },
                },
            })
        }
    };
    let mut caps = caps;
    if let Some(Value::Object(extra)) = extra_prefs {
        let key = match browser {
            Browser::Chromium => "goog:chromeOptions",
            Browser::Firefox => "moz:firefoxOptions",
        };
        if let Some(Value::Object(prefs)) = caps[key].get_mut("prefs") {
            for (k, v) in extra {
                prefs.insert(k.clone(), v.clone());
            }
        }
    }
    match caps {
        Value::Object(m) => Ok(m),
        _ => unreachable!(),
    }
}

/// Each test body `async fn name(b: Browser)` runs once per browser, as `<name>::chromium` and
/// `<name>::firefox` (the test file must have `Browser` in scope).
#[macro_export]
macro_rules! both_browsers {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn chromium() {
                super::$name(super::Browser::Chromium).await
            }
            #[tokio::test]
            async fn firefox() {
                super::$name(super::Browser::Firefox).await
            }
        }
    )*};
}

/// A JSON array of strings (anything else in it as ""); empty when `v` is not an array.
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|x| x.as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts that the simulator's log stays at `n` requests matching `method` + path `prefix`
/// for the whole of `quiet` (polled).
pub async fn assert_stays(s: &Session, method: &str, prefix: &str, n: usize, quiet: Duration) {
    let end = std::time::Instant::now() + quiet;
    while std::time::Instant::now() < end {
        let got = s.requests_matching(method, prefix);
        assert_eq!(
            got.len(),
            n,
            "[{}] expected {n} × {method} {prefix}, got {:#?}",
            s.browser.name(),
            got.iter().map(|r| &r.path).collect::<Vec<_>>()
        );
        tokio::time::sleep(POLL).await;
    }
}

/// Machine policy files written by a test (Chromium's managed policy folder, Firefox's
/// `policies.json`), restored to what was there before when dropped, also when the test panics:
/// a leftover would force its policy on every later browser run of the machine. While one is
/// alive this process holds an exclusive lock (`flock` on [`POLICY_LOCK`]), so two test
/// processes never write policies at the same time (Firefox has one `policies.json`).
pub struct PolicyGuard {
    /// (file, previous content)
    files: Vec<(PathBuf, Option<Vec<u8>>)>,
    /// Directories created for them (removed when empty), innermost first.
    dirs: Vec<PathBuf>,
    _lock: std::fs::File,
}

/// The lock file serialising policy writers across test processes.
pub const POLICY_LOCK: &str = "/tmp/session-drop-e2e-policy.lock";

impl PolicyGuard {
    /// Writes `content` (JSON) to `path`, creating its folders. `Err` (a reason to print) only
    /// when the machine forbids writing there (not root); any other failure panics.
    pub fn try_write(path: &Path, content: &Value) -> std::result::Result<PolicyGuard, String> {
        use std::os::fd::AsRawFd;
        // Created by whoever comes first; a lock file another user made is opened read-only
        // (enough for flock).
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(POLICY_LOCK)
            .or_else(|_| std::fs::File::open(POLICY_LOCK))
            .unwrap_or_else(|e| panic!("open {POLICY_LOCK}: {e}"));
        // SAFETY: flock on a descriptor this File owns; released when the File closes.
        if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) } != 0 {
            panic!("flock {POLICY_LOCK}: {}", std::io::Error::last_os_error());
        }
        let mut dirs = Vec::new();
        let mut d = path.parent();
        while let Some(dir) = d {
            if dir.exists() {
                break;
            }
            dirs.push(dir.to_path_buf());
            d = dir.parent();
        }
        let previous = std::fs::read(path).ok();
        // Guard first: whatever happens next is undone.
        let guard = PolicyGuard {
            files: vec![(path.to_path_buf(), previous)],
            dirs,
            _lock: lock,
        };
        let parent = path.parent().expect("a policy file has a folder");
        match std::fs::create_dir_all(parent) {
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                return Err(format!("cannot create {}: {e}", parent.display()))
            }
            Err(e) => panic!("create {}: {e}", parent.display()),
            Ok(()) => {}
        }
        match guard.rewrite(content) {
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                Err(format!("cannot write {}: {e}", path.display()))
            }
            Err(e) => panic!("write {}: {e}", path.display()),
            Ok(()) => Ok(guard),
        }
    }

    /// [`PolicyGuard::try_write`], panicking when the folder is not writable.
    pub fn write(path: &Path, content: &Value) -> PolicyGuard {
        PolicyGuard::try_write(path, content).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Replaces the content of the (first) file this guard wrote, atomically (a new file renamed
    /// over it: a browser watching the folder never reads half a file).
    pub fn rewrite(&self, content: &Value) -> std::io::Result<()> {
        let path = &self.files[0].0;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(content)?)?;
        std::fs::rename(&tmp, path)
    }
}

impl Drop for PolicyGuard {
    fn drop(&mut self) {
        for (path, previous) in &self.files {
            let _ = std::fs::remove_file(path.with_extension("json.tmp"));
            match previous {
                Some(bytes) => {
                    let _ = std::fs::write(path, bytes);
                }
                None => {
                    let _ = std::fs::remove_file(path);
                }
            }
        }
        for d in &self.dirs {
            let _ = std::fs::remove_dir(d); // only when empty
        }
    }
}
