//! Browser benchmark of the built extension (figures, no pass/fail):
//! - click → DELETE received by the simulator, warm and with the background stopped first,
//!   against a bare `fetch` of the same request from the same page;
//! - decoration time of a 1,000- and a 10,000-row session table.
//!
//! `cargo xtask bench` runs it; by hand (after `cargo xtask test` or an e2e `dist`):
//! `SESSION_DROP_E2E_DIST=target/e2e-dist cargo run -p session-drop-e2e --example perf`

use serde_json::json;
use session_drop_e2e::*;
use session_drop_sim::{generate_sessions, IssuedToken};
use std::time::Duration;

const WARM_RUNS: usize = 12;
const COLD_RUNS: usize = 5;
const FETCH_RUNS: usize = 12;
const DECORATE_RUNS: usize = 3;

/// Records the time of every trusted click in the page (window capture phase: before the
/// content script's listener on the document).
const CLICK_PROBE: &str = "
  if (!window.__sdClicks) {
    window.__sdClicks = [];
    window.addEventListener('click', (e) => {
      if (e.isTrusted) window.__sdClicks.push(performance.timeOrigin + performance.now());
    }, true);
  }
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

fn fmt(v: &[f64]) -> String {
    let mut c = v.to_vec();
    let m = median(&mut c);
    let min = c.first().copied().unwrap_or(f64::NAN);
    let max = c.last().copied().unwrap_or(f64::NAN);
    format!(
        "median {m:.1} ms (min {min:.1}, max {max:.1}, n={})",
        v.len()
    )
}

/// Clicks row `i` and returns ms from the trusted click to the simulator receiving the DELETE.
async fn click_to_delete(s: &Session, i: usize) -> f64 {
    s.js(CLICK_PROBE).await;
    let before = s.deletes().len();
    s.click_row(CONSOLE_TABLE, i).await;
    let row = s.wait_row_done(CONSOLE_TABLE, i).await;
    assert_eq!(row.state.as_deref(), Some("dropped"), "{}", row.status);
    let deletes = s.deletes();
    assert_eq!(deletes.len(), before + 1, "one DELETE per click");
    let clicked = s
        .js("return window.__sdClicks[window.__sdClicks.length - 1];")
        .await;
    deletes[before].at_ms as f64 - clicked.as_f64().expect("click time")
}

/// A bare `fetch` of the same DELETE from the page: ms from the call to the simulator receiving it.
async fn bare_fetch(s: &Session, hash: &str, token: &str) -> f64 {
    let before = s.deletes().len();
    let url = s.url(&format!("/api/pam/session/drop/{hash}"));
    let t0 = s
        .js_args(
            "const t0 = performance.timeOrigin + performance.now();
             fetch(arguments[0], { method: 'DELETE', headers: { Authorization: 'Bearer ' + arguments[1] } });
             return t0;",
            vec![json!(url), json!(token)],
        )
        .await
        .as_f64()
        .expect("t0");
    let got = s.wait_requests("DELETE", "/", before + 1).await;
    got[before].at_ms as f64 - t0
}

/// Stops the extension's background. Chromium: the service worker, through CDP; Firefox: waits
/// for the event page's idle suspension (pref set at launch). Returns what was done.
async fn stop_background(s: &Session) -> &'static str {
    match s.browser {
        Browser::Chromium => {
            let sw_running = || async {
                let t = s
                    .client
                    .issue_cmd(Cdp {
                        cmd: "Target.getTargets".into(),
                        params: json!({}),
                    })
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
            s.client
                .issue_cmd(Cdp {
                    cmd: "ServiceWorker.enable".into(),
                    params: json!({}),
                })
                .await
                .expect("ServiceWorker.enable");
            s.client
                .issue_cmd(Cdp {
                    cmd: "ServiceWorker.stopAllWorkers".into(),
                    params: json!({}),
                })
                .await
                .expect("ServiceWorker.stopAllWorkers");
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

/// ms until every row of a fresh `n`-row session table is decorated.
async fn decorate(s: &Session, n: usize) -> f64 {
    let v = s
        .client
        .execute_async(
            "const [n, done] = [arguments[0], arguments[arguments.length - 1]];
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
             let seen = 0;
             const mo = new MutationObserver((recs) => {
               for (const m of recs) if (m.target.parentNode === tb && m.target.hasAttribute('data-session-drop-ready')) seen++;
               if (seen >= n) { mo.disconnect(); const ms = performance.now() - t0; t.remove(); done(ms); }
             });
             mo.observe(tb, { attributes: true, subtree: true, attributeFilter: ['data-session-drop-ready'] });
             const t0 = performance.now();
             document.body.appendChild(t);
             setTimeout(() => { mo.disconnect(); done(-seen); }, 20000);",
            vec![json!(n)],
        )
        .await
        .expect("decoration script");
    let ms = v.as_f64().expect("number");
    assert!(ms >= 0.0, "only {} of {n} rows decorated within 20 s", -ms);
    ms
}

async fn bench(b: Browser) -> Vec<String> {
    let mut out = Vec::new();
    // All sessions active: every row of the first page can be dropped.
    let cfg = SimConfig {
        sessions: generate_sessions(400, 1, 7),
        ..SimConfig::default()
    };
    // Firefox suspends an idle event page after this many ms (default 30 s).
    let launch = Launch {
        prefs: Some(json!({ "extensions.background.idle.timeout": FIREFOX_IDLE_MS })),
        ..Launch::default()
    };
    let s = Session::start_with(b, cfg, launch).await;

    // Warm: first click pays for token + wasm init; then WARM_RUNS more.
    s.open_console("").await;
    let first = click_to_delete(&s, 0).await;
    let mut warm = Vec::new();
    for i in 1..=WARM_RUNS {
        warm.push(click_to_delete(&s, i).await);
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
    let spare: Vec<String> = s
        .sim
        .state()
        .sessions
        .iter()
        .rev()
        .filter(|x| x.is_active())
        .take(FETCH_RUNS + 1)
        .map(|x| x.session_id.clone())
        .collect();
    bare_fetch(&s, &spare[0], token).await; // warm the connection like the extension's
    let mut fetches = Vec::new();
    for h in &spare[1..] {
        fetches.push(bare_fetch(&s, h, token).await);
    }

    // Cold: background stopped before each click.
    let mut cold = Vec::new();
    let mut how = "";
    for k in 0..COLD_RUNS {
        how = stop_background(&s).await;
        cold.push(click_to_delete(&s, WARM_RUNS + 1 + k).await);
    }

    // Decoration.
    let mut d1k = Vec::new();
    let mut d10k = Vec::new();
    for _ in 0..DECORATE_RUNS {
        d1k.push(decorate(&s, 1_000).await);
        d10k.push(decorate(&s, 10_000).await);
    }
    s.close().await;

    let (mut w, mut f, mut c) = (warm.clone(), fetches.clone(), cold.clone());
    let (wm, fm, cm) = (median(&mut w), median(&mut f), median(&mut c));
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
        "{name}: warm / bare fetch = {:.2}× (goal ≤ 1.2×); warm − fetch = {:+.1} ms",
        wm / fm,
        wm - fm
    ));
    out.push(format!(
        "{name}: click → DELETE, cold:      {} [{how}]",
        fmt(&cold)
    ));
    out.push(format!(
        "{name}: cold − warm = {:+.1} ms (goal ≤ +40 ms)",
        cm - wm
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
    let mut lines = Vec::new();
    for b in Browser::ALL {
        eprintln!("perf: {} …", b.name());
        lines.extend(bench(b).await);
    }
    println!("== browser end-to-end benchmark (built extension, simulator on loopback) ==");
    for l in lines {
        println!("{l}");
    }
}
