//! Browser benchmark of the built extension (figures, no pass/fail):
//! - click → DELETE received by the simulator, warm and with the background stopped first,
//!   against a bare `fetch` of the same request from the same page; cold in two scenarios: the
//!   pointer coming onto the button from elsewhere (as every mouse click does), and the pointer
//!   already resting on the button while the background stopped (the worst case);
//! - the same comparison from an extension page (a bare `fetch` there against asking the
//!   background to drop), which isolates what the extension adds on top of the unavoidable
//!   content-script → background message hop;
//! - decoration time of a 1,000- and a 10,000-row session table;
//! - the traced cold start (worst case) of the extension and of a relay background (the floor of
//!   any background), and issue 9's two goals: cold click → DELETE within 10 ms of that floor,
//!   warm within 0.5 ms of an extension page's own background drop (figures, not assertions).
//!
//! Times: the page's `performance.timeOrigin + performance.now()` (sub-millisecond; Firefox's
//! timer-precision reduction is turned off for the run) against the simulator's arrival time in
//! microseconds (`LoggedRequest::at_us`). Both clocks are the machine's wall clock, so a constant
//! offset between them cancels in the differences (warm − fetch) but not in the ratios.
//!
//! `cargo xtask bench` runs it; by hand (after `cargo xtask test` or an e2e `dist`):
//! `SESSION_DROP_E2E_DIST=target/e2e-dist cargo run --release -p session-drop-e2e --example perf`
//! (`SESSION_DROP_PERF_BROWSERS=chromium` or `firefox` to run one browser,
//! `SESSION_DROP_PERF_TRACE_ONLY=1` for the traced cold start only, `SESSION_DROP_PERF_QUICK=1`
//! for fewer repetitions, `SESSION_DROP_PERF_TRACE_RUNS=N` (≤ 29) for more traced cold clicks,
//! `SESSION_DROP_PERF_STORED_RUN=N` for a stored bulk run of N lines in the traced cold start).

use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use serde_json::json;
use session_drop_e2e::*;
use session_drop_sim::{generate_sessions, IssuedToken};
use std::time::Duration;

/// Repetitions, fewer with `SESSION_DROP_PERF_QUICK=1` (a quick look, noisier medians).
struct Runs {
    /// Warm clicks (after the first one, which also fetches the token). With the first click and
    /// the cold ones (two scenarios) they must fit on the console's first page (30 rows).
    warm: usize,
    /// Cold clicks per scenario (pointer coming from elsewhere / already resting on the button).
    cold: usize,
    fetch: usize,
    /// Extension-page runs, each a bare fetch and a background drop.
    page: usize,
    decorate: usize,
}

fn runs() -> Runs {
    if std::env::var_os("SESSION_DROP_PERF_QUICK").is_some_and(|v| v != "0") {
        Runs {
            warm: 5,
            cold: 3,
            fetch: 5,
            page: 5,
            decorate: 2,
        }
    } else {
        Runs {
            warm: 15,
            cold: 7,
            fetch: 20,
            page: 15,
            decorate: 7,
        }
    }
}

/// Benchmark-only probe, added to a copy of the package by the cold-start trace (the shipped
/// background is unchanged): imported first by background.js, it records on the background's own
/// clock when its global was created (`performance.timeOrigin`), when the module graph was loaded
/// (this module is evaluated first), when the top level of every module has run (first
/// microtask), when the evaluation ended (first task), the `storage.session` read, the wasm
/// file's `fetch` and compile, the first port connection and port message, the first
/// `storage.local.set` after the message (the audit record, written before the DELETE) and the
/// `fetch` of the first DELETE (a `Request` from the core's gloo-net, a URL + init from the
/// relay); it stores them in `storage.local.__sdTrace` once that DELETE is sent.
const TRACE_MODULE: &str = r#"
const api = globalThis.browser ?? globalThis.chrome;
const now = () => performance.timeOrigin + performance.now();
const tr = { created: performance.timeOrigin, modules: now() };
queueMicrotask(() => { tr.topLevel ??= now(); });
setTimeout(() => { tr.evaluated ??= now(); }, 0);
try {
  const on = api.runtime.onConnect;
  const add = on.addListener.bind(on);
  on.addListener = (fn) => add((port) => {
    tr.connect ??= now();
    try {
      const pm = port.onMessage, addm = pm.addListener.bind(pm);
      pm.addListener = (g) => addm((m, p) => { tr.message ??= now(); return g(m, p); });
    } catch {}
    return fn(port);
  });
} catch {}
for (const k of ["instantiateStreaming", "instantiate"]) {
  const orig = WebAssembly[k];
  if (typeof orig !== "function") continue;
  WebAssembly[k] = function (...a) {
    tr.wasmStart ??= now();
    return orig.apply(this, a).then((r) => { tr.wasmReady ??= now(); return r; });
  };
}
try {
  const ss = api.storage.session, get = ss.get.bind(ss);
  ss.get = (...a) => { tr.sessionGet ??= now(); return get(...a).then((r) => { tr.sessionGot ??= now(); return r; }); };
} catch {}
try {
  const sl = api.storage.local, set = sl.set.bind(sl);
  sl.set = (...a) => {
    const first = tr.message && !tr.fetch && !tr.localSet;
    if (first) tr.localSet = now();
    const p = set(...a);
    return first ? p.then((r) => { tr.localSetDone ??= now(); return r; }) : p;
  };
} catch {}
const f = globalThis.fetch;
globalThis.fetch = function (url, init) {
  if (!tr.wasmFetch && String(url && url.url ? url.url : url).endsWith(".wasm")) tr.wasmFetch = now();
  // The core (gloo-net) passes a Request; the relay a URL and an init.
  const method = init && init.method ? init.method : url instanceof Request ? url.method : "GET";
  if (!tr.fetch && method === "DELETE") {
    tr.fetch = now();
    setTimeout(() => api.storage.local.set({ __sdTrace: tr }), 0);
  }
  return f.call(this, url, init);
};
"#;

/// The floor of any background (benchmark only): the package's background replaced by one that
/// relays the content script's drop to a `fetch` at once, with no check, no configuration, no
/// core and a fixed token (the simulator logs the DELETE and refuses it).
const RELAY_BACKGROUND: &str = r#"
const api = globalThis.browser ?? globalThis.chrome;
api.runtime.onConnect.addListener((port) => {
  const origin = new URL(port.sender.url).origin;
  port.onMessage.addListener((req) => {
    const ref = req && req.msg && req.msg.ref;
    // A Report of docs/DESIGN.md §2 (the content script formats it from `_locales`).
    const answer = (ok) => port.postMessage({ id: req.id, answer: {
      ok, kind: ok ? "dropped" : "network", status: null, next: ok ? "done" : "report",
      sessionId: ref ? ref.value : null, rowId: null, generation: null, attempts: 1,
      tokenRenewed: false, serverMessage: null, params: {},
    } });
    fetch(origin + "/api/pam/session/drop/" + encodeURIComponent(ref ? ref.value : "x"), {
      method: "DELETE",
      headers: { Authorization: "Bearer relay" },
    }).then(() => answer(true), () => answer(false));
  });
});
api.runtime.onMessage.addListener((m, s, reply) => {
  reply({ configured: true, askBeforeTerminate: false, columnTitles: {} });
});
"#;

/// Replaces the background of an unpacked package copy by [`RELAY_BACKGROUND`], traced.
fn relay_with_trace_probe(dir: &std::path::Path) -> Result<()> {
    std::fs::write(dir.join("background.js"), RELAY_BACKGROUND)?;
    add_trace_probe(dir)
}

/// Adds [`TRACE_MODULE`] to an unpacked package copy.
fn add_trace_probe(dir: &std::path::Path) -> Result<()> {
    std::fs::write(dir.join("sd-trace.js"), TRACE_MODULE)?;
    let bg = dir.join("background.js");
    let src = std::fs::read_to_string(&bg)?;
    std::fs::write(&bg, format!("import \"./sd-trace.js\";\n{src}"))?;
    Ok(())
}

/// Records, in the page (window capture phase: before the content script's listener on the
/// document), the time of every trusted click and of the first trusted pointer arrival on a
/// row button since the last reset (`__sdApproach = null`).
const CLICK_PROBE: &str = "
  if (!window.__sdClicks) {
    window.__sdClicks = [];
    window.__sdApproach = null;
    const now = () => performance.timeOrigin + performance.now();
    window.addEventListener('click', (e) => {
      if (e.isTrusted) window.__sdClicks.push(now());
    }, true);
    window.addEventListener('pointerover', (e) => {
      if (e.isTrusted && window.__sdApproach === null && e.target.closest
          && e.target.closest('[data-session-drop-button]')) window.__sdApproach = now();
    }, true);
  }
  window.__sdApproach = null;
  return true;";

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn med(v: &[f64]) -> f64 {
    median(&mut v.to_vec())
}

fn fmt(v: &[f64]) -> String {
    let mut c = v.to_vec();
    let m = median(&mut c);
    let min = c.first().copied().unwrap_or(f64::NAN);
    let max = c.last().copied().unwrap_or(f64::NAN);
    format!(
        "median {m:.2} ms (min {min:.2}, max {max:.2}, n={})",
        v.len()
    )
}

/// Arrival time of a logged request, ms since the UNIX epoch (µs precision).
fn arrival_ms(r: &LoggedRequest) -> f64 {
    r.at_us as f64 / 1000.0
}

/// A click's timings: ms from the trusted click to the simulator receiving the DELETE, and ms
/// from the first trusted pointer arrival on a row button (when the content script may start
/// waking the background) to the DELETE.
struct ClickTiming {
    from_click: f64,
    from_approach: Option<f64>,
}

/// Clicks row `i` (a real WebDriver click: the pointer moves onto the button first).
async fn click_to_delete(s: &Session, i: usize) -> ClickTiming {
    s.js(CLICK_PROBE).await;
    let before = s.deletes().len();
    s.click_row(CONSOLE_TABLE, i).await;
    let row = s.wait_row_done(CONSOLE_TABLE, i).await;
    assert_eq!(row.state.as_deref(), Some("dropped"), "{}", row.status);
    let deletes = s.deletes();
    assert_eq!(deletes.len(), before + 1, "one DELETE per click");
    let t = s
        .js("return [window.__sdClicks[window.__sdClicks.length - 1], window.__sdApproach];")
        .await;
    let at = arrival_ms(&deletes[before]);
    ClickTiming {
        from_click: at - t[0].as_f64().expect("click time"),
        from_approach: t[1].as_f64().map(|a| at - a),
    }
}

/// Sends one DELETE through `script` (which starts it and returns its start time, page clock)
/// and returns ms from that start to the simulator receiving it.
async fn timed_delete(s: &Session, script: &str, args: Vec<serde_json::Value>) -> f64 {
    let before = s.deletes().len();
    let t0 = s.js_args(script, args).await.as_f64().expect("start time");
    let got = s.wait_requests("DELETE", "/", before + 1).await;
    arrival_ms(&got[before]) - t0
}

const BARE_FETCH: &str = "
  const t0 = performance.timeOrigin + performance.now();
  fetch(arguments[0], { method: 'DELETE', headers: { Authorization: 'Bearer ' + arguments[1] } });
  return t0;";

/// Extension pages only: ask the background to drop, as the popup does.
const BACKGROUND_DROP: &str = "
  const t0 = performance.timeOrigin + performance.now();
  (globalThis.browser ?? globalThis.chrome).runtime.sendMessage(
    { type: 'drop', ref: { kind: 'hash', value: arguments[0] } });
  return t0;";

/// A bare `fetch` of the same DELETE from the current page.
async fn bare_fetch(s: &Session, hash: &str, token: &str) -> f64 {
    let url = s.url(&format!("/api/pam/session/drop/{hash}"));
    timed_delete(s, BARE_FETCH, vec![json!(url), json!(token)]).await
}

/// From the current (extension) page: the background drops `hash`.
async fn background_drop(s: &Session, hash: &str) -> f64 {
    timed_delete(s, BACKGROUND_DROP, vec![json!(hash)]).await
}

/// Stops the extension's background. Chromium: the service worker, through CDP; Firefox: waits
/// for the event page's idle suspension (pref set at launch). Returns what was done.
async fn stop_background(s: &Session) -> &'static str {
    match s.browser {
        Browser::Chromium => {
            let sw_running = || async {
                let t = s
                    .client
                    .issue_cmd(cdp("Target.getTargets", json!({})))
                    .await
                    .expect("Target.getTargets");
                t["targetInfos"].as_array().is_some_and(|a| {
                    a.iter().any(|t| {
                        t["type"] == "service_worker"
                            && t["url"]
                                .as_str()
                                .is_some_and(|u| u.starts_with(&s.ext_base))
                    })
                })
            };
            s.stop_service_workers().await;
            let stopped = wait_until(Duration::from_secs(5), || async {
                (!sw_running().await).then_some(())
            })
            .await;
            if stopped.is_some() {
                "service worker stopped (CDP ServiceWorker.stopAllWorkers)"
            } else {
                "service worker still listed after stopAllWorkers"
            }
        }
        Browser::Firefox => {
            tokio::time::sleep(Duration::from_millis(FIREFOX_IDLE_MS + 1500)).await;
            "background idle-suspended (extensions.background.idle.timeout)"
        }
    }
}

const FIREFOX_IDLE_MS: u64 = 1000;

/// Moves the pointer onto `on` (its centre), or to the page's top-left corner, away from every
/// row button.
async fn park_pointer(s: &Session, on: Option<fantoccini::elements::Element>) {
    let to = match on {
        Some(element) => PointerAction::MoveToElement {
            element,
            duration: None,
            x: 0.0,
            y: 0.0,
        },
        None => PointerAction::MoveTo {
            duration: None,
            x: 2.0,
            y: 2.0,
        },
    };
    s.client
        .perform_actions(MouseActions::new("mouse".into()).then(to))
        .await
        .expect("move the pointer");
    let _ = s.client.release_actions().await;
}

/// ms until every row of a fresh `n`-row session table is decorated. Completion is watched on
/// the last row only (the content script decorates in document order, in one synchronous pass)
/// and then checked on all rows, so that the measurement itself adds one mutation record, not
/// one per row.
async fn decorate(s: &Session, n: usize) -> f64 {
    let v = s
        .client
        .execute_async(
            "const [n, done] = [arguments[0], arguments[arguments.length - 1]];
             const READY = 'data-session-drop-ready';
             const t = document.createElement('table');
             const head = t.createTHead().insertRow();
             for (const h of ['ID', 'Session ID', 'User', 'Device', 'Start']) {
               const th = document.createElement('th'); th.textContent = h; head.appendChild(th);
             }
             const tb = t.createTBody();
             for (let i = 0; i < n; i++) {
               const r = tb.insertRow();
               for (const v of [String(100000 + i), 'b' + (1e15 + i).toString(16) + 'deadbeef', 'user' + i, 'srv' + i, '2025-06-02 10:00:00'])
                 r.insertCell().textContent = v;
             }
             const rows = tb.rows;
             const last = rows[n - 1];
             let finished = false;
             const finish = (value) => { if (!finished) { finished = true; mo.disconnect(); t.remove(); done(value); } };
             const allReady = () => tb.querySelectorAll(':scope > tr[' + READY + ']').length >= n;
             const mo = new MutationObserver(() => {
               const ms = performance.now() - t0;
               if (!last.hasAttribute(READY)) return;
               if (allReady()) finish(ms);
               else mo.observe(tb, { attributes: true, subtree: true, attributeFilter: [READY] });
             });
             mo.observe(last, { attributes: true, attributeFilter: [READY] });
             const t0 = performance.now();
             document.body.appendChild(t);
             setTimeout(() => finish(-tb.querySelectorAll(':scope > tr[' + READY + ']').length), 20000);",
            vec![json!(n)],
        )
        .await
        .expect("decoration script");
    let ms = v.as_f64().expect("number");
    assert!(ms >= 0.0, "only {} of {n} rows decorated within 20 s", -ms);
    ms
}

/// Browser preferences of the benchmark sessions.
fn perf_launch() -> Launch {
    Launch {
        prefs: Some(json!({
            // Firefox suspends an idle event page after this many ms (default 30 s).
            "extensions.background.idle.timeout": FIREFOX_IDLE_MS,
            // Firefox rounds performance.now() to 1 ms by default.
            "privacy.reduceTimerPrecision": false,
        })),
        ..Launch::default()
    }
}

/// Cold start, worst case (pointer resting on the button while the background stops), traced on
/// the background's clock (see [`TRACE_MODULE`]): where the milliseconds between the click and
/// the DELETE go. With `relay`, the same for [`RELAY_BACKGROUND`]: what any background costs.
async fn cold_trace(b: Browser, relay: bool) -> (Vec<String>, f64) {
    // SESSION_DROP_PERF_TRACE_RUNS=N: more traced clicks (rows of the console's first page).
    let cold_runs = std::env::var("SESSION_DROP_PERF_TRACE_RUNS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(runs().cold, |n| n.clamp(1, 29));
    let cfg = SimConfig {
        sessions: generate_sessions(100, 1, 7),
        ..SimConfig::default()
    };
    let launch = Launch {
        package: Some(if relay {
            Box::new(relay_with_trace_probe)
        } else {
            Box::new(add_trace_probe)
        }),
        ..perf_launch()
    };
    let s = Session::start_with(b, cfg, launch).await;
    s.open_console("").await;
    click_to_delete(&s, 0).await; // token
    let stored_run = stored_run_lines();
    if stored_run > 0 && !relay {
        seed_stored_run(&s, stored_run).await;
    }
    const STEPS: [(&str, &str); 14] = [
        ("created", "background created"),
        ("modules", "modules loaded"),
        ("sessionGet", "storage.session read starts"),
        ("topLevel", "top level run"),
        ("wasmFetch", "wasm file fetch"),
        ("wasmStart", "wasm compile starts"),
        ("evaluated", "evaluated"),
        ("sessionGot", "storage.session read done"),
        ("wasmReady", "wasm ready"),
        ("connect", "port connected"),
        ("message", "drop message received"),
        ("localSet", "audit write starts"),
        ("localSetDone", "audit write done"),
        ("fetch", "DELETE fetch called"),
    ];
    let mut cols: Vec<Vec<f64>> = vec![Vec::new(); STEPS.len() + 1];
    for row in 1..=cold_runs {
        let btn = s.row_button(CONSOLE_TABLE, row).await;
        s.scroll_to(&btn).await;
        park_pointer(&s, Some(btn)).await;
        stop_background(&s).await;
        s.js(CLICK_PROBE).await;
        let before = s.deletes().len();
        s.click_row(CONSOLE_TABLE, row).await;
        s.wait_row_done(CONSOLE_TABLE, row).await;
        let at = arrival_ms(&s.deletes()[before]);
        let click = s
            .js("return window.__sdClicks[window.__sdClicks.length - 1];")
            .await
            .as_f64()
            .expect("click time");
        // The trace, read from an extension page in a second window.
        let console = s.client.window().await.expect("window");
        let w = s.client.new_window(true).await.expect("new window");
        s.client.switch_to_window(w.handle).await.expect("switch");
        s.goto(&format!("{}options.html", s.ext_base)).await;
        let tr = s
            .wait_js(
                "trace",
                "const api = globalThis.browser ?? globalThis.chrome;
                 return api.storage.local.get('__sdTrace').then(async (x) => {
                   if (x.__sdTrace) await api.storage.local.remove('__sdTrace');
                   return x.__sdTrace || null; });",
            )
            .await;
        s.client.close_window().await.expect("close window");
        s.client
            .switch_to_window(console)
            .await
            .expect("switch back");
        for (i, (k, _)) in STEPS.iter().enumerate() {
            cols[i].push(tr[*k].as_f64().map_or(f64::NAN, |t| t - click));
        }
        cols[STEPS.len()].push(at - click);
    }
    s.close().await;
    let name = b.name();
    let what = if relay {
        "floor: a relay background (one listener, one fetch, nothing else)"
    } else {
        "the extension"
    };
    let stored = if relay || stored_run == 0 {
        String::new()
    } else {
        format!(", a finished bulk run of {stored_run} lines stored")
    };
    let mut line = format!(
        "{name}: cold worst case, {what}{stored}, ms after the click (medians, n={cold_runs}):"
    );
    for (i, (_, label)) in STEPS.iter().enumerate() {
        let v: Vec<f64> = cols[i].iter().copied().filter(|x| x.is_finite()).collect();
        if !v.is_empty() {
            line.push_str(&format!(" {label} {:.1};", med(&v)));
        }
    }
    let delete = med(&cols[STEPS.len()]);
    line.push_str(&format!(" DELETE received {delete:.1}"));
    (vec![line], delete)
}

/// `SESSION_DROP_PERF_STORED_RUN=N`: the traced cold start of the extension begins with a finished
/// bulk run of N lines in `storage.local` (as after an operator's bulk run), which a background
/// used to read at every start. Default 0 (the figures of docs/BENCHMARKS.md).
fn stored_run_lines() -> usize {
    std::env::var("SESSION_DROP_PERF_STORED_RUN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Stores a finished bulk run of `n` lines (`bulkRun`, docs/DESIGN.md §3), from an extension page
/// in a second window.
async fn seed_stored_run(s: &Session, n: usize) {
    let console = s.client.window().await.expect("window");
    let w = s.client.new_window(true).await.expect("new window");
    s.client.switch_to_window(w.handle).await.expect("switch");
    s.goto(&format!("{}options.html", s.ext_base)).await;
    s.client
        .execute_async(
            "const [n, done] = [arguments[0], arguments[arguments.length - 1]];
             const api = globalThis.browser ?? globalThis.chrome;
             const results = Array.from({ length: n }, (_, i) => ({
               sessionId: (1e15 + i).toString(16).padStart(40, 'a'), rowId: String(100000 + i),
               user: 'user' + i, device: 'srv' + i + ':3389', state: 'done', ok: true, kind: 'dropped', status: 200,
               report: { ok: true, kind: 'dropped', status: 200, next: 'done', sessionId: (1e15 + i).toString(16).padStart(40, 'a'),
                         rowId: null, generation: 'api', attempts: 1, tokenRenewed: false, serverMessage: 'Session dropped successfully', params: {} } }));
             const run = { id: 'run-20261206-000000-abcdef', appliance: location.origin, startedAt: new Date().toISOString(),
               finishedAt: new Date().toISOString(), running: false, interrupted: false, total: n, done: n, concurrency: 4,
               error: null, results };
             api.storage.local.set({ bulkRun: run }).then(() => done(true), (e) => done(String(e)));",
            vec![json!(n)],
        )
        .await
        .expect("store a bulk run");
    s.client.close_window().await.expect("close window");
    s.client
        .switch_to_window(console)
        .await
        .expect("switch back");
}

async fn bench(b: Browser) -> Vec<String> {
    let n = runs();
    let mut out = Vec::new();
    // All sessions active: every row of the first page can be dropped.
    let cfg = SimConfig {
        sessions: generate_sessions(400, 1, 7),
        ..SimConfig::default()
    };
    let s = Session::start_with(b, cfg, perf_launch()).await;

    // Warm: first click pays for token + wasm init; then `warm` more.
    s.open_console("").await;
    let first = click_to_delete(&s, 0).await.from_click;
    let mut warm = Vec::new();
    for i in 1..=n.warm {
        warm.push(click_to_delete(&s, i).await.from_click);
    }

    // Bare fetch of the same request from the same page, with a token the simulator knows.
    let token = "bench-token-0123456789";
    s.sim.update(|st| {
        let now = session_drop_sim::util::now_ms();
        st.tokens.insert(
            token.into(),
            IssuedToken {
                access_token: token.into(),
                client_id: st.client_id.clone(),
                issued_at_ms: now,
                expires_at_ms: now + 3_600_000,
            },
        );
    });
    // Sessions far from the first page (which the clicks use), oldest first.
    let mut spare: Vec<String> = s
        .sim
        .state()
        .sessions
        .iter()
        .rev()
        .filter(|x| x.is_active())
        .take(n.fetch + 2 * n.page + 3)
        .map(|x| x.session_id.clone())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let mut next_spare = move || spare.pop().expect("a spare active session");
    bare_fetch(&s, &next_spare(), token).await; // warm the connection like the extension's
    let mut fetches = Vec::new();
    for _ in 0..n.fetch {
        fetches.push(bare_fetch(&s, &next_spare(), token).await);
    }

    // The same comparison from an extension page: no content script, no tab → background hop.
    s.goto(&format!("{}options.html", s.ext_base)).await;
    background_drop(&s, &next_spare()).await; // the page's first message
    bare_fetch(&s, &next_spare(), token).await; // the page's first connection
    let (mut page_fetch, mut page_drop) = (Vec::new(), Vec::new());
    for _ in 0..n.page {
        page_fetch.push(bare_fetch(&s, &next_spare(), token).await);
        page_drop.push(background_drop(&s, &next_spare()).await);
    }

    // Cold: background stopped before each click (rows after the warm ones, still active), in
    // two scenarios:
    // - "approach": the pointer rests elsewhere while the background is stopped; the WebDriver
    //   click then moves it onto the button and clicks (at the driver's pace, faster than a
    //   hand). The content script's port, opened when the pointer reaches the button, starts
    //   waking the background before the click: what a person's click meets.
    // - "resting": the pointer (or the keyboard focus) already rests on the button while the
    //   background stops: nothing announces the click, the wake-up starts with it. Worst case.
    s.open_console("").await;
    let (mut cold, mut cold_approach, mut lead) = (Vec::new(), Vec::new(), Vec::new());
    let mut resting = Vec::new();
    let mut how = "";
    for k in 0..n.cold {
        let row = n.warm + 1 + 2 * k;
        park_pointer(&s, None).await;
        how = stop_background(&s).await;
        let t = click_to_delete(&s, row).await;
        cold.push(t.from_click);
        if let Some(a) = t.from_approach {
            cold_approach.push(a);
            lead.push(a - t.from_click);
        }
        let btn = s.row_button(CONSOLE_TABLE, row + 1).await;
        s.scroll_to(&btn).await;
        park_pointer(&s, Some(btn)).await;
        stop_background(&s).await;
        resting.push(click_to_delete(&s, row + 1).await.from_click);
    }

    // Decoration.
    let mut d1k = Vec::new();
    let mut d10k = Vec::new();
    for _ in 0..n.decorate {
        d1k.push(decorate(&s, 1_000).await);
        d10k.push(decorate(&s, 10_000).await);
    }
    s.close().await;

    let (wm, fm, cm) = (med(&warm), med(&fetches), med(&cold));
    let (pfm, pdm) = (med(&page_fetch), med(&page_drop));
    let name = b.name();
    out.push(format!(
        "{name}: first click (token + wasm init) → DELETE: {first:.1} ms"
    ));
    out.push(format!("{name}: click → DELETE, warm:      {}", fmt(&warm)));
    out.push(format!(
        "{name}: bare fetch → DELETE:       {}",
        fmt(&fetches)
    ));
    out.push(format!(
        "{name}: warm / bare fetch = {:.2}×; warm − fetch = {:+.2} ms",
        wm / fm,
        wm - fm
    ));
    out.push(format!(
        "{name}: extension page, bare fetch → DELETE:        {}",
        fmt(&page_fetch)
    ));
    out.push(format!(
        "{name}: extension page, background drop → DELETE:   {}",
        fmt(&page_drop)
    ));
    out.push(format!(
        "{name}: background drop / its bare fetch = {:.2}×; difference {:+.2} ms (message hop + core)",
        pdm / pfm,
        pdm - pfm
    ));
    let gap = wm - pdm;
    out.push(format!(
        "{name}: GOAL warm console click → DELETE {wm:.2} ms vs extension page's background drop {pdm:.2} ms: \
         {gap:+.2} ms (issue 9: ≤ +0.5 ms; {})",
        if gap <= 0.5 { "met" } else { "not met" }
    ));
    out.push(format!(
        "{name}: cold [{how}], pointer comes from elsewhere (approach → click: {}): click → DELETE {}",
        fmt(&lead),
        fmt(&cold)
    ));
    out.push(format!(
        "{name}: cold − warm = {:+.1} ms; from the pointer reaching the button: {:+.1} ms",
        cm - wm,
        med(&cold_approach) - wm
    ));
    out.push(format!(
        "{name}: cold, worst case (pointer already resting on the button): click → DELETE {}; − warm = {:+.1} ms",
        fmt(&resting),
        med(&resting) - wm
    ));
    out.push(format!(
        "{name}: decorate 1,000 rows:   {} (goal ≤ 16 ms)",
        fmt(&d1k)
    ));
    out.push(format!(
        "{name}: decorate 10,000 rows:  {} (goal ≤ 120 ms)",
        fmt(&d10k)
    ));
    out
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let only = std::env::var("SESSION_DROP_PERF_BROWSERS").unwrap_or_default();
    // Only the traced cold start (`SESSION_DROP_PERF_TRACE_ONLY=1`).
    let trace_only = std::env::var_os("SESSION_DROP_PERF_TRACE_ONLY").is_some();
    let mut lines = Vec::new();
    for b in Browser::ALL {
        if !only.is_empty() && !only.split(',').any(|x| x.trim() == b.name()) {
            continue;
        }
        eprintln!("perf: {} …", b.name());
        if !trace_only {
            lines.extend(bench(b).await);
        }
        let (ext, ext_ms) = cold_trace(b, false).await;
        let (floor, floor_ms) = cold_trace(b, true).await;
        lines.extend(ext);
        lines.extend(floor);
        let over = ext_ms - floor_ms;
        lines.push(format!(
            "{}: GOAL cold click → DELETE (worst case, traced) {ext_ms:.1} ms vs the relay floor {floor_ms:.1} ms: \
             {over:+.1} ms (issue 9: ≤ +10 ms; {}; before the rebuild ≈ {})",
            b.name(),
            if over <= 10.0 { "met" } else { "not met" },
            match b {
                Browser::Chromium => "+20 ms",
                Browser::Firefox => "+13 ms",
            }
        ));
    }
    println!("== browser end-to-end benchmark (built extension, simulator on loopback) ==");
    for l in lines {
        println!("{l}");
    }
}
