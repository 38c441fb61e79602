//! End-to-end tests of issue 8's background items, in headless Chromium AND Firefox against the
//! simulator (docs/DESIGN.md §4 modes `token_body`, `redirect`, `list_delay_ms`):
//!
//! 1. a token-endpoint body the core cannot read never reaches the console row, its status or the
//!    audit trail (nor does the client secret);
//! 2. a redirect from the token endpoint sends the secret nowhere else and is reported as such;
//! 5. a background stopped mid bulk run (Chromium: the service worker through CDP; Firefox: the
//!    extension reloaded) leaves no session sent twice and every sent DELETE recorded;
//! 8. a list that takes longer than 30 s still shows in the popup (the popup lists itself with a
//!    token from `freshToken`).
//!
//! Run after `cargo xtask dist --server http://127.0.0.1:9 --dev-credentials demo-client:demo-secret
//! --out target/e2e-dist` with `SESSION_DROP_E2E_DIST=$PWD/target/e2e-dist cargo test -p
//! session-drop-e2e --test trust_background -- --test-threads=1`.

use serde_json::{json, Value};
use session_drop_e2e::*;
use session_drop_sim::generate_with;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

session_drop_e2e::both_browsers!(
    unreadable_token_bodies_never_reach_the_row_or_the_audit,
    token_redirect_sends_the_secret_nowhere_else,
    stopped_background_mid_bulk_run_sends_nothing_twice_and_records_every_delete,
    list_longer_than_30_s_still_shows_in_the_popup,
);

const SECRET: &str = "demo-secret";
const LONG: Duration = Duration::from_secs(60);

/// `POST /__sim/config` with a JSON body (the docs/DESIGN.md §4 modes).
fn sim_config(s: &Session, body: Value) {
    let url = s.url("/__sim/config");
    let r = ureq::post(&url)
        .header("Content-Type", "application/json")
        .send(body.to_string());
    match r {
        Ok(resp) => assert!(
            resp.status().is_success(),
            "POST /__sim/config {body}: HTTP {}",
            resp.status()
        ),
        Err(e) => panic!("POST /__sim/config {body}: {e}"),
    }
}

/// An extension page with no behaviour of its own, to talk to the background from.
async fn open_extension_page(s: &Session) {
    s.goto(&format!("{}confirm.html", s.ext_base)).await;
}

/// `runtime.sendMessage(msg)` from the current extension page; the answer (or `{error}`).
async fn bg(s: &Session, msg: Value) -> Value {
    s.client
        .execute_async(
            "const [m, done] = arguments;
             const api = globalThis.browser ?? globalThis.chrome;
             Promise.resolve().then(() => api.runtime.sendMessage(m))
               .then((a) => done(a ?? null), (e) => done({ error: String(e && e.message || e) }));",
            vec![msg],
        )
        .await
        .unwrap_or_else(|e| panic!("[{}] sendMessage: {e}", s.browser.name()))
}

/// Every string a token or the secret could hide in: issued tokens and the client secret.
fn secrets(s: &Session) -> Vec<String> {
    let mut v: Vec<String> = s.sim.state().tokens.keys().cloned().collect();
    v.push(SECRET.to_string());
    v
}

fn assert_clean(s: &Session, what: &str, text: &str) {
    for secret in secrets(s) {
        assert!(
            !text.contains(&secret),
            "[{}] {what} carries a secret ({secret}): {text}",
            s.browser.name()
        );
    }
    assert!(
        !text.contains("access_token"),
        "[{}] {what} quotes a token body: {text}",
        s.browser.name()
    );
}

/// Index and hash of the first console row whose session is active.
fn active_row(s: &Session, rows: &[Row]) -> (usize, String) {
    rows.iter()
        .enumerate()
        .find_map(|(i, r)| {
            let hash = r.cells.get(1)?.clone();
            s.sim.session(&hash)?.is_active().then_some((i, hash))
        })
        .expect("an active session row in the replica")
}

// ---------------------------------------------------------------------------------------------
// 1. Unreadable token bodies
// ---------------------------------------------------------------------------------------------

async fn unreadable_token_bodies_never_reach_the_row_or_the_audit(b: Browser) {
    for mode in [
        "bom",
        "php_notice",
        "huge_expires",
        "lone_surrogate",
        "garbage_2xx",
    ] {
        let s = Session::start(b, SimConfig::default()).await;
        sim_config(&s, json!({ "token_body": mode }));
        let rows = s.open_console("").await;
        let (i, hash) = active_row(&s, &rows);
        s.click_row(CONSOLE_TABLE, i).await;
        let row = s.wait_row_done(CONSOLE_TABLE, i).await;
        assert_clean(&s, &format!("{mode}: row status"), &row.status);
        let whole_row = s
            .js_args(
                "const r = document.querySelector(arguments[0]).tBodies[0].rows[arguments[1]];
                 return r.outerHTML;",
                vec![json!(CONSOLE_TABLE), json!(i)],
            )
            .await;
        assert_clean(
            &s,
            &format!("{mode}: row markup"),
            whole_row.as_str().unwrap_or(""),
        );
        let page = s.js("return document.documentElement.outerHTML;").await;
        assert_clean(
            &s,
            &format!("{mode}: console page"),
            page.as_str().unwrap_or(""),
        );
        open_extension_page(&s).await;
        let audit = bg(&s, json!({ "type": "auditList" })).await;
        let entries = audit["entries"].as_array().cloned().unwrap_or_default();
        assert!(
            !entries.is_empty(),
            "[{}] {mode}: the attempt is in the audit trail: {audit}",
            b.name()
        );
        assert_clean(&s, &format!("{mode}: audit trail"), &audit.to_string());
        // What was sent: a DELETE only with a usable token, never twice.
        let deletes = s.deletes();
        assert!(deletes.len() <= 1, "[{}] {mode}: {deletes:#?}", b.name());
        if row.state.as_deref() == Some("dropped") {
            assert!(!s.sim.session(&hash).unwrap().is_active());
        }
        s.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 2. A redirect from the token endpoint
// ---------------------------------------------------------------------------------------------

async fn token_redirect_sends_the_secret_nowhere_else(b: Browser) {
    let elsewhere = Simulator::start(SimConfig::default()).expect("second simulator");
    let s = Session::start(b, SimConfig::default()).await;
    let target = format!("{}{TOKEN_PATH}", elsewhere.base_url());
    sim_config(
        &s,
        json!({ "redirect": { "path_prefix": TOKEN_PATH, "status": 307, "location": target } }),
    );
    let rows = s.open_console("").await;
    let (i, hash) = active_row(&s, &rows);
    s.click_row(CONSOLE_TABLE, i).await;
    let row = s.wait_row_done(CONSOLE_TABLE, i).await;
    assert_eq!(row.state.as_deref(), Some("failed"), "[{}]", b.name());
    let title = session_drop_e2e::catalogue_message("en", "report_redirect_title");
    assert!(
        !title.is_empty(),
        "the catalogue names the redirect outcome"
    );
    assert!(
        row.status.contains(&title),
        "[{}] the row shows the redirect outcome ({title}): {}",
        b.name(),
        row.status
    );
    // One token request to the configured appliance, none re-sent; nothing carrying the secret
    // (or any credential) reached the other origin; no DELETE.
    let posts = s.requests_matching("POST", TOKEN_PATH);
    assert_eq!(posts.len(), 1, "[{}] token requests: {posts:#?}", b.name());
    for r in elsewhere.requests() {
        assert!(
            !r.body.contains(SECRET) && !r.query.contains(SECRET) && r.authorization.is_none(),
            "[{}] a credential reached the redirect target: {r:#?}",
            b.name()
        );
        assert_ne!(r.method, "DELETE", "[{}] {r:#?}", b.name());
    }
    assert!(s.deletes().is_empty(), "[{}] {:#?}", b.name(), s.deletes());
    assert!(s.sim.session(&hash).unwrap().is_active());
    open_extension_page(&s).await;
    let audit = bg(&s, json!({ "type": "auditList" })).await;
    assert_clean(&s, "audit trail", &audit.to_string());
    s.close().await;
}

// ---------------------------------------------------------------------------------------------
// 5. The background stopped in the middle of a 500-session bulk run
// ---------------------------------------------------------------------------------------------

const BULK: usize = 500;

/// Stops the background mid-run. Chromium: its service worker (CDP); Firefox: reloads the
/// extension (`runtime.reload()` from one of its pages).
async fn stop_background(s: &Session) {
    match s.browser {
        Browser::Chromium => {
            let targets = s
                .client
                .issue_cmd(cdp("Target.getTargets", json!({})))
                .await
                .expect("Target.getTargets");
            let worker = targets["targetInfos"].as_array().and_then(|a| {
                a.iter().find(|t| {
                    t["type"] == "service_worker"
                        && t["url"]
                            .as_str()
                            .is_some_and(|u| u.starts_with(&s.ext_base))
                })
            });
            let closed = match worker.and_then(|w| w["targetId"].as_str()) {
                Some(id) => s
                    .client
                    .issue_cmd(cdp("Target.closeTarget", json!({ "targetId": id })))
                    .await
                    .is_ok(),
                None => false,
            };
            if !closed {
                s.stop_service_workers().await;
            }
        }
        Browser::Firefox => {
            // The page goes away with the extension (its browsing context is discarded): a spare
            // tab, opened first, is where the test goes on.
            let spare = s.client.new_window(true).await.expect("a spare tab");
            let _ = s
                .client
                .execute(
                    "(globalThis.browser ?? globalThis.chrome).runtime.reload(); return true;",
                    vec![],
                )
                .await;
            tokio::time::sleep(Duration::from_millis(1500)).await;
            s.client
                .switch_to_window(spare.handle)
                .await
                .expect("switch to the spare tab");
        }
    }
}

async fn stopped_background_mid_bulk_run_sends_nothing_twice_and_records_every_delete(b: Browser) {
    let cfg = SimConfig {
        sessions: generate_with(BULK, 8, |_| true),
        ..SimConfig::default()
    };
    let s = Session::start(b, cfg).await;
    let hashes: Vec<String> = s
        .sim
        .state()
        .sessions
        .iter()
        .map(|x| x.session_id.clone())
        .collect();
    assert_eq!(hashes.len(), BULK);
    // Each DELETE takes a while: the run lasts long enough to be cut in the middle.
    s.sim.update(|st| st.latency_ms = 60);
    open_extension_page(&s).await;
    let items: Vec<Value> = hashes.iter().map(|h| json!({ "sessionId": h })).collect();
    let start = bg(
        &s,
        json!({ "type": "bulkStart", "sessions": items, "concurrency": 4 }),
    )
    .await;
    assert_eq!(start["ok"], json!(true), "[{}] {start}", b.name());
    s.wait_for("a first part of the run sent", LONG, || async {
        (s.deletes().len() >= 40).then_some(())
    })
    .await;
    stop_background(&s).await;
    let sent_at_stop = s.deletes().len();
    assert!(
        sent_at_stop < BULK,
        "[{}] the run was over before the stop",
        b.name()
    );

    // A new background instance: the run ends with an honest per-session state.
    open_extension_page(&s).await;
    let run = s
        .wait_for("the interrupted run settled", LONG, || async {
            let st = bg(&s, json!({ "type": "bulkState" })).await;
            let run = st["run"].clone();
            (run["running"] == json!(false)).then_some(run)
        })
        .await;
    assert_eq!(run["interrupted"], json!(true), "[{}] {run}", b.name());
    // Nothing more is sent by the new instance.
    let deletes_now = s.deletes().len();
    assert_stays(&s, "DELETE", "/", deletes_now, Duration::from_secs(2)).await;

    // No session sent twice.
    let deletes = s.deletes();
    let mut per_path: BTreeMap<String, usize> = BTreeMap::new();
    for d in &deletes {
        *per_path.entry(d.path.clone()).or_default() += 1;
    }
    let twice: Vec<_> = per_path.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "[{}] sent twice: {twice:?}", b.name());
    let sent: BTreeSet<String> = per_path
        .keys()
        .map(|p| p.rsplit('/').next().unwrap_or("").to_string())
        .collect();

    // Every sent DELETE has a record in the audit trail (written before it left).
    let audit = bg(&s, json!({ "type": "auditList" })).await;
    let recorded: BTreeSet<String> = audit["entries"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e["sessionId"].as_str().map(str::to_string))
        .collect();
    let missing: Vec<_> = sent.difference(&recorded).collect();
    assert!(
        missing.is_empty(),
        "[{}] DELETEs without a record: {missing:?}",
        b.name()
    );

    // The run's lines agree with what was sent: sent -> done or unknown, never "not_sent".
    let lines = run["results"].as_array().cloned().unwrap_or_default();
    assert_eq!(lines.len(), BULK, "[{}] one line per session", b.name());
    for l in &lines {
        let id = l["sessionId"].as_str().unwrap_or("");
        let state = l["state"].as_str().unwrap_or("");
        if sent.contains(id) {
            assert!(
                state == "done" || state == "unknown",
                "[{}] {id} was sent but is {state}",
                b.name()
            );
        } else {
            // Not received: never sent, or cut off between its write-ahead record and the wire
            // (the background cannot know which: "unknown", and only with a record).
            assert!(
                state == "not_sent" || (state == "unknown" && recorded.contains(id)),
                "[{}] {id} was not received but is {state}",
                b.name()
            );
        }
    }
    s.close().await;
}

// ---------------------------------------------------------------------------------------------
// 8. A list that takes longer than 30 s
// ---------------------------------------------------------------------------------------------

async fn list_longer_than_30_s_still_shows_in_the_popup(b: Browser) {
    let s = Session::start(b, SimConfig::default()).await;
    let active = s
        .sim
        .state()
        .sessions
        .iter()
        .filter(|x| x.is_active())
        .count();
    assert!(active > 0);
    sim_config(&s, json!({ "list_delay_ms": 35000 }));
    s.goto(&format!("{}popup.html", s.ext_base)).await;
    let shown = s
        .wait_for("the popup's rows after a 35 s list", LONG, || async {
            let n = s.count("#rows tr[data-key]").await;
            (n > 0).then_some(n)
        })
        .await;
    assert!(
        shown <= active,
        "[{}] {shown} rows shown for {active} active sessions",
        b.name()
    );
    // The list was asked for once (no retry after a dead worker's fetch).
    let gets = s
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("remotesessions"))
        .count();
    assert!(gets >= 1, "[{}] no list request", b.name());
    s.close().await;
}
