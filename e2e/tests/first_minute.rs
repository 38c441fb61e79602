//! End-to-end tests of issue 10, "the first minute of a person who installs it by hand": the
//! built extension in headless Chromium AND headless Firefox ESR, a fresh profile and a fresh
//! simulator per test.
//!
//! - The options page opened the first time after install: how long until the server URL, the
//!   timeout (15) and the concurrency (4) are on screen is PRINTED (a figure, never a timed
//!   assertion); asserted: the form is not editable until filled, the fields keep their
//!   accessible names all the time, what a person types is never overwritten, and Save at once
//!   with the shown defaults saves without a validation error.
//! - Onboarding: an unconfigured install opens its options page once and shows the badge "!"
//!   until configured; a configured one opens nothing and shows no badge.
//! - Test connection tells whether the authorization may terminate sessions, by a DELETE of an
//!   id of 40 zeros only.
//!
//! Run after `cargo xtask build` and
//! `cargo xtask dist --server http://127.0.0.1:9 --dev-credentials demo-client:demo-secret --out target/e2e-dist`:
//! `SESSION_DROP_E2E_DIST=$PWD/target/e2e-dist cargo test -p session-drop-e2e --test first_minute -- --test-threads=1`.
//! Add `--nocapture` to see the figures.

use fantoccini::Locator;
use serde_json::{json, Value};
use session_drop_e2e::*;
use session_drop_sim::Grant;
use std::path::Path;
use std::time::{Duration, Instant};

session_drop_e2e::both_browsers!(
    options_first_open_with_preset_credentials,
    options_first_open_without_credentials,
    options_slow_start_not_editable_until_filled_and_typing_kept,
    unconfigured_install_opens_options_once_with_badge,
    configured_install_opens_nothing_and_shows_no_badge,
    test_connection_tells_whether_it_may_terminate,
);

/// The performance marks options.js sets once the values are on screen, and once the form is
/// editable (the policy known too).
const FILLED_MARK: &str = "session-drop:filled";
const EDITABLE_MARK: &str = "session-drop:editable";
/// The three fields whose accessible names outside checks rely on.
const LABELLED: [(&str, &str); 3] = [
    ("serverUrl", "Server URL"),
    ("clientId", "Client ID"),
    ("clientSecret", "Client secret"),
];
/// The session id `Test connection` tries to terminate: well-formed, never a real session.
const PROBE_ID: &str = "0000000000000000000000000000000000000000";

/// A message of the English catalogue (`extension/_locales/en/messages.json`).
fn msg(key: &str) -> String {
    session_drop_e2e::catalogue_message("en", key)
}

/// The package as `cargo xtask dist --server URL` makes it without `--dev-credentials`: its
/// preset has the server URL only (not configured).
fn without_credentials(p: &mut Value) {
    if let Some(o) = p.as_object_mut() {
        o.remove("clientId");
        o.remove("clientSecret");
    }
}

// ---------------------------------------------------------------------------------------------
// The options page probe
// ---------------------------------------------------------------------------------------------

/// A classic script put first in the `<head>` of the package copy's `options.html` (the test's
/// copy only; `script-src 'self'` allows it), so it runs before the page's module. It records a
/// snapshot of the form at every DOM mutation (MutationObserver) and every frame
/// (requestAnimationFrame) for 6 s: which fieldsets are disabled, the three values, the labels.
/// It also times the background's `getSettings` answer and, to play a slow start, can delay
/// `preset.json` (the page's local read) and that answer (`__CFG__`: `presetDelayMs`,
/// `answerDelayMs`).
const PROBE_JS: &str = r#"// e2e probe (e2e/tests/first_minute.rs): in the test's package copy only.
(() => {
  "use strict";
  const cfg = __CFG__;
  const log = { snaps: [], typedAt: null, answerAt: null, presetAt: null, wrapped: false };
  window.__firstMinute = log;
  log.startedAt = performance.now();
  const api = globalThis.browser ?? globalThis.chrome;
  const later = (ms) => new Promise((r) => setTimeout(r, ms));

  const send = api.runtime.sendMessage;
  const wrapper = function (msg, ...rest) {
    const p = send.call(api.runtime, msg, ...rest);
    if (!msg || msg.type !== "getSettings") return p;
    return p.then(async (answer) => {
      if (cfg.answerDelayMs) await later(cfg.answerDelayMs);
      log.answerAt = performance.now();
      return answer;
    });
  };
  try { api.runtime.sendMessage = wrapper; } catch {}
  if (api.runtime.sendMessage !== wrapper) {
    try { Object.defineProperty(api.runtime, "sendMessage", { value: wrapper, configurable: true, writable: true }); } catch {}
  }
  log.wrapped = api.runtime.sendMessage === wrapper;

  // When each of the page's own reads settles (figures only).
  log.reads = {};
  for (const area of ["local", "managed"]) {
    const store = api.storage[area];
    if (!store) continue;
    const get = store.get;
    const timed = function (...args) {
      const p = get.apply(store, args);
      const done = () => { if (!(area in log.reads)) log.reads[area] = performance.now(); };
      p.then(done, done);
      return p;
    };
    try { store.get = timed; } catch {}
  }

  const realFetch = window.fetch;
  window.fetch = function (input, init) {
    const url = String((input && input.url) || input);
    const p = realFetch(input, init);
    if (!url.endsWith("/preset.json")) return p;
    return p.then(async (r) => {
      if (cfg.presetDelayMs) await later(cfg.presetDelayMs);
      log.presetAt = performance.now();
      log.reads.preset = log.presetAt;
      return r;
    });
  };

  const LABELLED = ["serverUrl", "clientId", "clientSecret"];
  const byId = (id) => document.getElementById(id);
  const label = (id) => {
    const el = byId(id);
    if (!el) return null;
    const l = el.labels && el.labels[0];
    return l ? l.textContent.trim() : "";
  };
  function snap(why) {
    if (!byId("status")) return; // the form is not parsed to its end yet
    const form = byId("form");
    if (log.snaps.length >= 5000) return;
    log.snaps.push({
      t: performance.now(),
      why,
      disabled: Array.from(form.querySelectorAll("fieldset")).map((f) => f.disabled),
      hidden: !!form.closest("[inert], [aria-hidden='true'], [hidden]"),
      serverUrl: byId("serverUrl").value,
      timeout: byId("timeoutSeconds").value,
      concurrency: byId("bulkConcurrency").value,
      labels: LABELLED.map(label),
    });
  }
  new MutationObserver(() => snap("mutation"))
    .observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  const frame = () => {
    snap("frame");
    if (performance.now() < 6000) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  // The test's first edit (WebDriver's Element Clear fires only "change", and chromedriver's
  // an untrusted one).
  const edited = () => {
    if (log.typedAt === null) log.typedAt = performance.now();
  };
  document.addEventListener("input", edited, true);
  document.addEventListener("change", edited, true);
})();
"#;

/// The probe's script file in the package copy.
const PROBE_FILE: &str = "first-minute-probe.js";

/// Adds the probe to the package copy's options page.
fn add_probe(dir: &Path, cfg: &Value) -> Result<()> {
    std::fs::write(
        dir.join(PROBE_FILE),
        PROBE_JS.replace("__CFG__", &cfg.to_string()),
    )?;
    let page = dir.join("options.html");
    let html = std::fs::read_to_string(&page)?;
    let anchor = "<meta charset=\"utf-8\">";
    if !html.contains(anchor) {
        return Err(format!("{} has no {anchor}", page.display()).into());
    }
    std::fs::write(
        &page,
        html.replacen(
            anchor,
            &format!("{anchor}\n  <script src=\"{PROBE_FILE}\"></script>"),
            1,
        ),
    )?;
    Ok(())
}

/// A launch whose options page has the probe; `credentials`: the preset keeps the dev ones.
fn probed(credentials: bool, preset_delay_ms: u64, answer_delay_ms: u64) -> Launch {
    let cfg = json!({ "presetDelayMs": preset_delay_ms, "answerDelayMs": answer_delay_ms });
    Launch {
        preset: (!credentials).then(|| Box::new(without_credentials) as PresetEdit),
        package: Some(Box::new(move |dir: &Path| add_probe(dir, &cfg))),
        ..Launch::default()
    }
}

/// One snapshot of the form, as the probe took it.
#[derive(Debug)]
struct Snap {
    t: f64,
    why: String,
    disabled: Vec<bool>,
    hidden: bool,
    server_url: String,
    timeout: String,
    concurrency: String,
    labels: Vec<Option<String>>,
}

impl Snap {
    fn editable(&self) -> bool {
        self.disabled.iter().any(|d| !d)
    }
    fn shows(&self, server: &str) -> bool {
        self.server_url == server && self.timeout == "15" && self.concurrency == "4"
    }
}

/// What the probe and the page's mark recorded (times in ms from the navigation start).
struct Record {
    snaps: Vec<Snap>,
    filled_mark: Option<f64>,
    editable_mark: Option<f64>,
    typed_at: Option<f64>,
    answer_at: Option<f64>,
    preset_at: Option<f64>,
    wrapped: bool,
    /// When the probe started and the page's reads settled (storage.local, storage.managed,
    /// preset.json): figures only.
    reads: Value,
}

async fn record(s: &Session) -> Record {
    let v = s
        .js(&format!(
            "const at = (n) => {{ const m = performance.getEntriesByName(n)[0]; return m ? m.startTime : null; }};
             return {{ log: window.__firstMinute || null, filled: at('{FILLED_MARK}'),
                       editable: at('{EDITABLE_MARK}') }};"
        ))
        .await;
    let log = &v["log"];
    assert!(
        log.is_object(),
        "[{}] the probe did not run in options.html",
        s.browser.name()
    );
    let text = |x: &Value| x.as_str().unwrap_or("").to_string();
    let snaps = log["snaps"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| Snap {
                    t: x["t"].as_f64().unwrap_or(f64::NAN),
                    why: text(&x["why"]),
                    disabled: x["disabled"]
                        .as_array()
                        .map(|d| d.iter().map(|b| b.as_bool().unwrap_or(false)).collect())
                        .unwrap_or_default(),
                    hidden: x["hidden"].as_bool().unwrap_or(true),
                    server_url: text(&x["serverUrl"]),
                    timeout: text(&x["timeout"]),
                    concurrency: text(&x["concurrency"]),
                    labels: x["labels"]
                        .as_array()
                        .map(|l| l.iter().map(|n| n.as_str().map(String::from)).collect())
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    Record {
        snaps,
        filled_mark: v["filled"].as_f64(),
        editable_mark: v["editable"].as_f64(),
        typed_at: log["typedAt"].as_f64(),
        answer_at: log["answerAt"].as_f64(),
        preset_at: log["presetAt"].as_f64(),
        wrapped: log["wrapped"].as_bool().unwrap_or(false),
        reads: json!({ "probe": log["startedAt"], "reads": log["reads"] }),
    }
}

/// The functional rules over every snapshot: the labels never change or go away, the form is
/// never hidden from the accessibility tree, it starts disabled, it is editable only with the
/// values in, and values once shown stay (until the test typed). Returns the times of the first
/// frame that showed the values and of the first frame with an editable form.
fn check_snapshots(b: Browser, rec: &Record, server: &str) -> (f64, f64) {
    let name = b.name();
    assert!(!rec.snaps.is_empty(), "[{name}] the probe took no snapshot");
    let first = &rec.snaps[0];
    assert!(
        first.disabled.len() >= 2 && first.disabled.iter().all(|d| *d),
        "[{name}] the form is not disabled when first parsed: {first:?}"
    );
    let mut seen = false;
    for s in &rec.snaps {
        assert!(!s.hidden, "[{name}] the form was hidden / inert: {s:?}");
        for (i, (id, label)) in LABELLED.iter().enumerate() {
            assert_eq!(
                s.labels.get(i).cloned().flatten().as_deref(),
                Some(*label),
                "[{name}] label of #{id} at {:.1} ms ({})",
                s.t,
                s.why
            );
        }
        if rec.typed_at.is_some_and(|t| s.t >= t) {
            continue;
        }
        if s.editable() {
            assert!(
                s.shows(server),
                "[{name}] the form was editable before its values were in: {s:?}"
            );
        } else {
            // disabled: every fieldset (the form is one unit)
            assert!(
                s.disabled.iter().all(|d| *d),
                "[{name}] half-disabled: {s:?}"
            );
        }
        assert!(
            !seen || s.shows(server),
            "[{name}] the values went away: {s:?}"
        );
        seen |= s.shows(server);
    }
    let first_frame = |what: &str, f: &dyn Fn(&Snap) -> bool| {
        // A painted frame when one was recorded; under load a frame may be missed while a state
        // lasts, and the DOM-change snapshot of that state gives its time instead (a figure only).
        rec.snaps
            .iter()
            .find(|s| s.why == "frame" && f(s))
            .or_else(|| rec.snaps.iter().find(|s| f(s)))
            .map(|s| s.t)
            .unwrap_or_else(|| panic!("[{name}] no snapshot {what}; last: {:?}", rec.snaps.last()))
    };
    (
        first_frame("showed the values", &|s| s.shows(server)),
        first_frame("with an editable form", &|s| s.editable()),
    )
}

async fn goto_options(s: &Session) {
    s.goto(&format!("{}options.html", s.ext_base)).await;
}

/// Polls (as fast as WebDriver answers) until the form's fieldsets are enabled.
async fn wait_editable(s: &Session) {
    s.wait_for("the options form editable", WAIT, || async {
        let v = s
            .client
            .execute(
                "const f = document.querySelector('#form fieldset'); return !!f && !f.disabled;",
                vec![],
            )
            .await
            .ok()?;
        (v == json!(true)).then_some(())
    })
    .await
}

/// Waits until the page has the background's answer (the client ID field no longer pending).
async fn wait_background_answer(s: &Session) {
    s.wait_js(
        "the background's settings in the options page",
        "const c = document.getElementById('clientId');
         return performance.getEntriesByName('session-drop:editable').length > 0
           && !!c && !c.readOnly && !c.hasAttribute('aria-busy');",
    )
    .await;
}

/// The text of `#status` once it is neither empty nor one of `transient`.
async fn wait_status(s: &Session, transient: &[String]) -> String {
    s.wait_for("a result in #status", WAIT, || async {
        let t = s
            .client
            .find(Locator::Id("status"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        let t = t.trim().to_string();
        (!t.is_empty() && !transient.contains(&t)).then_some(t)
    })
    .await
}

/// Asserts the three fields' accessible names as the browser's accessibility tree computes them.
async fn assert_accessible_names(s: &Session, when: &str) {
    for (id, label) in LABELLED {
        let el = s
            .client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("[{}] no #{id}: {e}", s.browser.name()));
        assert_eq!(
            s.accessible_name(&el).await,
            label,
            "[{}] accessible name of #{id} {when}",
            s.browser.name()
        );
    }
}

/// Runs `script` (ending with a promise) in the current extension page; returns its value.
async fn ext_async(s: &Session, what: &str, body: &str) -> Value {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         const api = globalThis.browser ?? globalThis.chrome;
         Promise.resolve().then(() => {body}).then(done, (e) => done({{ error: String(e) }}));"
    );
    s.client
        .execute_async(&script, vec![])
        .await
        .unwrap_or_else(|e| panic!("[{}] {what}: {e}", s.browser.name()))
}

async fn saved_settings(s: &Session) -> Value {
    ext_async(
        s,
        "storage.local settings",
        "api.storage.local.get('settings').then((v) => v.settings || null)",
    )
    .await
}

async fn badge(s: &Session) -> String {
    let v = ext_async(
        s,
        "getBadgeText",
        "(api.action ?? api.browserAction).getBadgeText({})",
    )
    .await;
    v.as_str()
        .unwrap_or_else(|| panic!("[{}] getBadgeText: {v}", s.browser.name()))
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// 1. The options page, the first time after install
// ---------------------------------------------------------------------------------------------

/// First open of the options page in a fresh profile: prints the figures, checks the rules,
/// then presses Save at once with the shown defaults.
async fn first_open(b: Browser, credentials: bool) {
    let s = Session::start_with(b, SimConfig::default(), probed(credentials, 0, 0)).await;
    let server = s.sim.base_url();
    goto_options(&s).await;
    wait_editable(&s).await;
    // Save at once, with what is on screen ("15" s, "4").
    s.client
        .find(Locator::Id("save"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap_or_else(|e| panic!("[{}] click Save: {e}", b.name()));
    let status = wait_status(&s, &[msg("statusSaving")]).await;
    let expected = msg(if credentials {
        "statusSaved"
    } else {
        "statusSavedIncomplete"
    });
    assert_eq!(status, expected, "[{}] Save with the defaults", b.name());
    let invalid = s
        .js(
            "return Array.from(document.querySelectorAll('[aria-invalid=\"true\"], .field-error'))
               .filter((e) => e.getAttribute('aria-invalid') === 'true' || e.textContent.trim())
               .map((e) => e.id);",
        )
        .await;
    assert_eq!(
        invalid,
        json!([]),
        "[{}] no field reported invalid",
        b.name()
    );
    let saved = saved_settings(&s).await;
    assert_eq!(
        saved["timeoutMs"],
        json!(15000),
        "[{}] saved: {saved}",
        b.name()
    );
    assert_eq!(
        saved["bulkConcurrency"],
        json!(4),
        "[{}] saved: {saved}",
        b.name()
    );
    assert_eq!(
        saved["serverUrl"],
        json!(server),
        "[{}] saved: {saved}",
        b.name()
    );

    wait_background_answer(&s).await;
    assert_accessible_names(&s, "once filled").await;
    let rec = record(&s).await;
    let (shown, editable) = check_snapshots(b, &rec, &server);
    let mark = rec
        .filled_mark
        .unwrap_or_else(|| panic!("[{}] no `{FILLED_MARK}` mark", b.name()));
    let editable_mark = rec
        .editable_mark
        .unwrap_or_else(|| panic!("[{}] no `{EDITABLE_MARK}` mark", b.name()));
    println!(
        "FIGURE first-minute options values on screen [{}, {}]: mark {FILLED_MARK} {mark:.1} ms, \
         first frame showing them {shown:.1} ms; editable: mark {editable_mark:.1} ms, frame \
         {editable:.1} ms; background answer {} ms (from navigation start, first open after \
         install); {}",
        b.name(),
        if credentials {
            "preset credentials"
        } else {
            "no credentials"
        },
        rec.answer_at
            .map(|t| format!("{t:.1}"))
            .unwrap_or_else(|| "?".into()),
        rec.reads,
    );
    s.close().await;
}

async fn options_first_open_with_preset_credentials(b: Browser) {
    first_open(b, true).await;
}

async fn options_first_open_without_credentials(b: Browser) {
    first_open(b, false).await;
}

/// A slow start played by the probe: the page's local read (preset.json) takes 1.5 s and the
/// background answers 2.5 s after that. While the values are not in, the form is disabled (a key
/// typed does nothing) and the fields keep their accessible names; once editable, what is typed
/// before the background's late answer stays.
async fn options_slow_start_not_editable_until_filled_and_typing_kept(b: Browser) {
    let s = Session::start_with(b, SimConfig::default(), probed(true, 1500, 2500)).await;
    let name = b.name();
    let server = s.sim.base_url();
    goto_options(&s).await;
    let rec = record(&s).await;
    assert!(
        rec.wrapped,
        "[{name}] the probe could not delay the background's answer"
    );
    assert!(
        rec.preset_at.is_none(),
        "[{name}] the preset came in before the test looked"
    );
    // Not filled yet: disabled, named, and a key does nothing.
    assert_accessible_names(&s, "while not filled").await;
    let url_field = s.client.find(Locator::Id("serverUrl")).await.unwrap();
    assert!(
        !url_field.is_enabled().await.unwrap(),
        "[{name}] #serverUrl enabled before the values are in"
    );
    let _ = url_field.send_keys("x").await; // refused (not interactable) or ignored
    assert_eq!(
        url_field.prop("value").await.unwrap().as_deref(),
        Some(""),
        "[{name}] a key reached the field before it was filled"
    );

    wait_editable(&s).await;
    let typed_url = "https://pam.example.com";
    url_field.clear().await.unwrap();
    url_field.send_keys(typed_url).await.unwrap();
    let timeout = s.client.find(Locator::Id("timeoutSeconds")).await.unwrap();
    timeout.clear().await.unwrap();
    timeout.send_keys("30").await.unwrap();

    wait_background_answer(&s).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rec = record(&s).await;
    let typed_at = rec.typed_at.expect("the probe saw the typing");
    let answer_at = rec
        .answer_at
        .expect("the probe saw the background's answer");
    assert!(
        typed_at < answer_at,
        "[{name}] typed at {typed_at:.0} ms, not before the background's answer at {answer_at:.0} ms"
    );
    assert_eq!(
        url_field.prop("value").await.unwrap().as_deref(),
        Some(typed_url),
        "[{name}] the typed server URL was overwritten"
    );
    assert_eq!(
        timeout.prop("value").await.unwrap().as_deref(),
        Some("30"),
        "[{name}] the typed timeout was overwritten"
    );
    let (shown, editable) = check_snapshots(b, &rec, &server);
    assert_accessible_names(&s, "once filled").await;
    println!(
        "FIGURE first-minute slow start [{name}]: preset read {:.0} ms, values on screen {shown:.1} ms \
         (mark {:.1} ms), editable {editable:.1} ms, typed {typed_at:.0} ms, background answer \
         {answer_at:.0} ms",
        rec.preset_at.unwrap_or(f64::NAN),
        rec.filled_mark.unwrap_or(f64::NAN),
    );
    s.close().await;
}

// ---------------------------------------------------------------------------------------------
// 2. Onboarding
// ---------------------------------------------------------------------------------------------

/// The documents open in tabs of this extension, as the extension sees them
/// (`runtime.getContexts`, read from the extension page the current tab shows): chromedriver
/// lists no window handle for a tab the extension opened.
async fn extension_tabs(s: &Session) -> Vec<String> {
    let v = ext_async(
        s,
        "runtime.getContexts",
        "api.runtime.getContexts({ contextTypes: ['TAB'] }).then((c) => c.map((x) => x.documentUrl))",
    )
    .await;
    strings(&v)
}

/// Opens the extension's audit page in a NEW tab and stays there, to look from: the first tab
/// stays as the browser left it (Firefox loads an options page opened by the extension into a
/// blank tab; navigating that tab would hide it).
async fn watch_from_new_tab(s: &Session) {
    let tab = s
        .client
        .new_window(true)
        .await
        .unwrap_or_else(|e| panic!("[{}] new tab: {e}", s.browser.name()));
    s.client.switch_to_window(tab.handle).await.unwrap();
    s.goto(&format!("{}audit.html", s.ext_base)).await;
}

fn count_options(s: &Session, tabs: &[String]) -> usize {
    let page = format!("{}options.html", s.ext_base);
    tabs.iter().filter(|u| u.starts_with(&page)).count()
}

/// A package with the server URL only (no credentials, no policy): the options page opens by
/// itself once (after the policy grace of `background/onboarding.js`), the badge is "!" until
/// credentials are saved, then "".
async fn unconfigured_install_opens_options_once_with_badge(b: Browser) {
    let name = b.name();
    let launch = Launch::preset(without_credentials);
    let s = Session::start_with(b, SimConfig::default(), launch).await;
    let started = Instant::now();
    watch_from_new_tab(&s).await;
    s.wait_for(
        "the options page opened by itself",
        Duration::from_secs(20),
        || async { (count_options(&s, &extension_tabs(&s).await) > 0).then_some(()) },
    )
    .await;
    let after = started.elapsed();
    println!(
        "FIGURE first-minute onboarding [{name}]: options page opened by itself {:.1} s after the \
         session started",
        after.as_secs_f64()
    );
    assert_eq!(badge(&s).await, "!", "[{name}] badge while not configured");
    // Still exactly one a while later.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let tabs = extension_tabs(&s).await;
    assert_eq!(count_options(&s, &tabs), 1, "[{name}] tabs: {tabs:?}");
    assert_eq!(badge(&s).await, "!", "[{name}] badge while not configured");

    // The person enters the credentials and saves (in an options page of their own): the badge
    // goes.
    goto_options(&s).await;
    wait_editable(&s).await;
    wait_background_answer(&s).await;
    let server = s
        .client
        .find(Locator::Id("serverUrl"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        server.as_deref(),
        Some(s.sim.base_url().as_str()),
        "[{name}] server URL"
    );
    for (id, value) in [("clientId", "demo-client"), ("clientSecret", "demo-secret")] {
        let el = s.client.find(Locator::Id(id)).await.unwrap();
        el.send_keys(value).await.unwrap();
    }
    s.client
        .find(Locator::Id("save"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let status = wait_status(&s, &[msg("statusSaving")]).await;
    assert_eq!(status, msg("statusSaved"), "[{name}] save the credentials");
    s.wait_for("the badge cleared", WAIT, || async {
        (badge(&s).await.is_empty()).then_some(())
    })
    .await;
    let tabs = extension_tabs(&s).await;
    assert_eq!(
        count_options(&s, &tabs),
        2,
        "[{name}] the one opened at install and the test's own: {tabs:?}"
    );
    s.close().await;
}

/// The e2e package as built (preset server and dev credentials): configured at install, so no
/// options page opens and no badge shows, also past the policy grace.
async fn configured_install_opens_nothing_and_shows_no_badge(b: Browser) {
    let name = b.name();
    let s = Session::start(b, SimConfig::default()).await;
    let started = Instant::now();
    watch_from_new_tab(&s).await;
    // Past onboarding.js's 6 s policy grace, when an unconfigured install opens its options.
    tokio::time::sleep(Duration::from_millis(8500).saturating_sub(started.elapsed())).await;
    let tabs = extension_tabs(&s).await;
    assert_eq!(
        tabs,
        vec![format!("{}audit.html", s.ext_base)],
        "[{name}] no tab opened"
    );
    assert_eq!(badge(&s).await, "", "[{name}] badge when configured");
    s.close().await;
}

// ---------------------------------------------------------------------------------------------
// 3. Test connection: may the authorization terminate?
// ---------------------------------------------------------------------------------------------

async fn click_test_connection(s: &Session) -> (String, String) {
    s.client
        .find(Locator::Id("test"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap_or_else(|e| panic!("[{}] click Test connection: {e}", s.browser.name()));
    let text = wait_status(s, &[msg("statusTesting")]).await;
    let kind = s
        .client
        .find(Locator::Id("status"))
        .await
        .unwrap()
        .attr("data-kind")
        .await
        .unwrap()
        .unwrap_or_default();
    (kind, text)
}

fn active_sessions(s: &Session) -> Vec<String> {
    s.sim
        .state()
        .sessions
        .iter()
        .filter(|x| x.is_active())
        .map(|x| x.session_id.clone())
        .collect()
}

async fn test_connection_tells_whether_it_may_terminate(b: Browser) {
    let name = b.name();
    let s = Session::start(b, SimConfig::default()).await;
    let active = active_sessions(&s);
    assert!(!active.is_empty(), "the simulator has active sessions");
    goto_options(&s).await;
    wait_editable(&s).await;
    wait_background_answer(&s).await;

    // grant read-write: may terminate
    let (kind, text) = click_test_connection(&s).await;
    assert_eq!(kind, "connected", "[{name}] read-write: {text}");
    assert!(
        text.contains(&msg("report_connected_yes_title"))
            && text.contains(&msg("report_connected_yes_cause")),
        "[{name}] read-write result: {text:?}"
    );

    // grant read-only: connected, cannot terminate
    s.sim.update(|st| st.grant = Grant::ReadOnly);
    let (kind, text) = click_test_connection(&s).await;
    assert_eq!(kind, "connected", "[{name}] read-only: {text}");
    assert!(
        text.contains(&msg("report_connected_no_title"))
            && text.contains(&msg("report_connected_no_cause")),
        "[{name}] read-only result: {text:?}"
    );

    // Each test sent one DELETE, of the id of 40 zeros only; no real session was touched.
    let deletes: Vec<String> = s.deletes().into_iter().map(|r| r.path).collect();
    assert_eq!(
        deletes,
        vec![format!("{API_DROP}{PROBE_ID}"); 2],
        "[{name}] the probe DELETEs"
    );
    assert_eq!(active_sessions(&s), active, "[{name}] active sessions");
    s.close().await;
}
