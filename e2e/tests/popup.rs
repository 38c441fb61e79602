//! End-to-end tests of issue 4 (popup, bulk termination, audit trail, enterprise policy): the
//! built extension in headless Chromium AND headless Firefox, against a fresh simulator and a
//! fresh browser per test. The pages are opened as tabs at the extension's own URLs
//! (`chrome-extension://<id>/popup.html`, `moz-extension://<uuid>/popup.html`); what the
//! appliance received is always checked on the simulator's request log.
//!
//! After `cargo xtask dist --server http://127.0.0.1:9 --dev-credentials demo-client:demo-secret --out target/e2e-dist`:
//! `SESSION_DROP_E2E_DIST=target/e2e-dist cargo test -p session-drop-e2e --test popup -- --test-threads=1`
//!
//! The managed-policy test writes a machine-wide policy file (Chromium:
//! `/etc/chromium/policies/managed/session-drop-test.json`, Firefox:
//! `<install dir>/distribution/policies.json`) and always removes it (a `Drop` guard, also on
//! panic). So that a browser of another test running at the same time on this machine is not
//! affected, that test loads the package under its own identity (another Chrome `key`, another
//! Gecko id): the policy names that identity only.

use fantoccini::Locator;
use serde_json::{json, Value};
use session_drop::OutcomeKind;
use session_drop_e2e::*;
use session_drop_sim::{generate_sessions, Behaviour, SimSession};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

session_drop_e2e::both_browsers!(
    popup_lists_exactly_the_active_sessions_newest_first,
    long_list_first_page_then_the_whole_list_from_one_download,
    filter_and_bulk_terminate_a_subset,
    mixed_outcomes_are_reported_per_session,
    bulk_run_survives_closing_the_popup,
    audit_page_and_exports_list_every_attempt,
    managed_policy_overrides_the_options,
    token_expiry_mid_run_renews_once,
);

/// Bound of the waits that include a list load or a whole bulk run.
const LONG: Duration = Duration::from_secs(30);
/// Column of the hash in the console replica's Remote sessions report.
const HASH_COL: usize = 1;

// ---------------------------------------------------------------------------------------------
// Expected texts: the extension's own English messages (no copied strings) and the core's titles
// ---------------------------------------------------------------------------------------------

fn messages() -> &'static Value {
    static M: OnceLock<Value> = OnceLock::new();
    M.get_or_init(|| {
        let p = repo_root().join("extension/_locales/en/messages.json");
        serde_json::from_str(&std::fs::read_to_string(&p).expect("en messages.json"))
            .expect("valid messages.json")
    })
}

/// `i18n.getMessage(key, subs)` for the English locale.
fn msg(key: &str, subs: &[&str]) -> String {
    let entry = &messages()[key];
    let mut text = entry["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no message {key:?} in the en locale"))
        .to_string();
    if let Some(ph) = entry["placeholders"].as_object() {
        for (name, p) in ph {
            let content = p["content"].as_str().unwrap_or("");
            let value = content
                .strip_prefix('$')
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| subs.get(n.wrapping_sub(1)))
                .copied()
                .unwrap_or(content);
            let needle = format!("${}$", name.to_ascii_lowercase());
            while let Some(at) = text.to_ascii_lowercase().find(&needle) {
                text.replace_range(at..at + needle.len(), value);
            }
        }
    }
    text
}

fn title(kind: OutcomeKind) -> String {
    catalogue_title(kind, "en")
}

/// The title the extension shows for a Report kind: `report_<kind>_title` of the message
/// catalogue (`extension/_locales/<locale>/messages.json`, docs/DESIGN.md §2).
fn catalogue_title(kind: OutcomeKind, locale: &str) -> String {
    let name = serde_json::to_value(kind).expect("kind name");
    session_drop_e2e::catalogue_message(
        locale,
        &format!("report_{}_title", name.as_str().unwrap_or_default()),
    )
}

// ---------------------------------------------------------------------------------------------
// Simulator helpers
// ---------------------------------------------------------------------------------------------

/// The simulator's active sessions, newest first (by start).
fn active_newest_first(s: &Session) -> Vec<SimSession> {
    let mut v: Vec<SimSession> = s
        .sim
        .state()
        .sessions
        .into_iter()
        .filter(|x| x.is_active())
        .collect();
    v.sort_by(|a, b| b.start.cmp(&a.start));
    v
}

fn key_of(hash: &str) -> String {
    format!("hash:{hash}")
}

fn drop_path(hash: &str) -> String {
    format!("{API_DROP}{hash}")
}

/// Renames the user of the given sessions (unique names make result lines identifiable).
fn rename(s: &Session, names: &[(String, String)]) {
    s.sim.update(|st| {
        for (hash, user) in names {
            st.session_mut(hash).expect("known session").user = user.clone();
        }
    });
}

fn end_session(s: &Session, hash: &str) {
    s.sim.update(|st| {
        st.session_mut(hash).expect("known session").end = Some("2025-06-02 17:50:00".into());
    });
}

/// DELETE paths received so far, in order.
fn delete_paths(s: &Session) -> Vec<String> {
    s.deletes().into_iter().map(|r| r.path).collect()
}

// ---------------------------------------------------------------------------------------------
// Popup page helpers
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct PopupRow {
    key: String,
    /// Text of every cell (0 = checkbox, 1 user, 2 device, 3 credential, 4 protocol, 5 IP,
    /// 6 start (short), 7 duration, 8 actions).
    cells: Vec<String>,
    /// Full start time (the start cell's title).
    start: String,
    checked: bool,
}

#[derive(Debug, Clone)]
struct PopupView {
    loading: bool,
    status: String,
    rows: Vec<PopupRow>,
    more: String,
    terminate: String,
    terminate_disabled: bool,
}

const POPUP_JS: &str = r#"
const st = document.getElementById('listStatus');
if (!st) return null;
const more = document.getElementById('more');
const term = document.getElementById('terminateSelected');
return {
  loading: st.classList.contains('loading'),
  status: st.textContent,
  more: more.hidden ? '' : more.textContent,
  terminate: term.textContent,
  terminateDisabled: term.disabled,
  rows: Array.from(document.querySelectorAll('#rows tr[data-key]')).map((tr) => ({
    key: tr.dataset.key,
    cells: Array.from(tr.cells).map((c) => c.textContent.trim()),
    start: tr.cells[6] ? (tr.cells[6].title || '') : '',
    checked: !!(tr.querySelector('input[data-act="select"]') || {}).checked,
  })),
};
"#;

fn s_of(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or("").to_string()
}

async fn popup_view(s: &Session) -> Option<PopupView> {
    let v = s.client.execute(POPUP_JS, vec![]).await.ok()?;
    if v.is_null() {
        return None;
    }
    Some(PopupView {
        loading: v["loading"].as_bool().unwrap_or(true),
        status: s_of(&v, "status"),
        more: s_of(&v, "more"),
        terminate: s_of(&v, "terminate"),
        terminate_disabled: v["terminateDisabled"].as_bool().unwrap_or(true),
        rows: v["rows"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| PopupRow {
                        key: s_of(r, "key"),
                        cells: strings(&r["cells"]),
                        start: s_of(r, "start"),
                        checked: r["checked"].as_bool().unwrap_or(false),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    })
}

fn popup_url(s: &Session) -> String {
    format!("{}popup.html", s.ext_base)
}

/// Opens the popup page and waits until the session list has loaded (or failed).
async fn open_popup(s: &Session) -> PopupView {
    s.goto(&popup_url(s)).await;
    wait_list_loaded(s).await
}

async fn wait_list_loaded(s: &Session) -> PopupView {
    s.wait_for("the popup's session list loaded", LONG, || async {
        let v = popup_view(s).await?;
        (!v.loading && !v.status.trim().is_empty()).then_some(v)
    })
    .await
}

/// Types `text` into the filter box (real key events) and waits until the rows are exactly `keys`.
async fn filter_to(s: &Session, text: &str, keys: &BTreeSet<String>) -> PopupView {
    let f = s.client.find(Locator::Id("filter")).await.expect("#filter");
    f.clear().await.expect("clear #filter");
    // (Clearing fires no `input` event everywhere: tell the page.)
    s.js("document.getElementById('filter').dispatchEvent(new Event('input', { bubbles: true })); return true;")
        .await;
    if !text.is_empty() {
        f.send_keys(text).await.expect("type in #filter");
    }
    s.wait_for(
        &format!("filter {text:?} to show exactly {} rows", keys.len()),
        WAIT,
        || async {
            let v = popup_view(s).await?;
            let got: BTreeSet<String> = v.rows.iter().map(|r| r.key.clone()).collect();
            (got == *keys).then_some(v)
        },
    )
    .await
}

async fn click_id(s: &Session, id: &str) {
    let el = s
        .client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("[{}] no #{id}: {e}", s.browser.name()));
    el.click()
        .await
        .unwrap_or_else(|e| panic!("[{}] click #{id}: {e}", s.browser.name()));
}

/// Ticks "select all matching" and checks the bulk button counts `n`.
async fn select_all_matching(s: &Session, n: usize) {
    click_id(s, "selectAll").await;
    let want = msg("buttonTerminateSelected", &[&n.to_string()]);
    let v = s
        .wait_for(&format!("button text {want:?}"), WAIT, || async {
            let v = popup_view(s).await?;
            (v.terminate == want && !v.terminate_disabled).then_some(v)
        })
        .await;
    assert!(
        v.rows.iter().all(|r| r.checked),
        "[{}] every matching row is ticked: {:?}",
        s.browser.name(),
        v.rows
    );
}

/// Clicks "Terminate selected (n)", checks the confirmation states the count, confirms.
async fn confirm_bulk(s: &Session, n: usize) {
    let before = s.deletes().len();
    click_id(s, "terminateSelected").await;
    let dialog = s
        .wait_js(
            "the bulk confirmation dialog",
            "const d = document.getElementById('confirmDialog');
             return d && d.open ? { text: d.querySelector('[data-dialog-text]').textContent,
               yes: d.querySelector('[data-dialog-yes]').textContent } : null;",
        )
        .await;
    let count = n.to_string();
    assert_eq!(dialog["text"], json!(msg("confirmBulk", &[&count])));
    assert_eq!(dialog["yes"], json!(msg("buttonConfirmBulk", &[&count])));
    // Bulk is not one click: nothing was sent before the confirmation.
    assert_eq!(
        s.deletes().len(),
        before,
        "a DELETE before the confirmation"
    );
    let yes = s
        .client
        .find(Locator::Css("#confirmDialog [data-dialog-yes]"))
        .await
        .expect("yes button");
    yes.click().await.expect("confirm");
}

#[derive(Debug, Clone)]
struct ResultLine {
    kind: String,
    who: String,
    what: String,
}

#[derive(Debug, Clone)]
struct RunView {
    visible: bool,
    finished: bool,
    summary: String,
    reasons: Vec<String>,
    progress: (f64, f64),
    results: Vec<ResultLine>,
}

const RUN_JS: &str = r#"
const panel = document.getElementById('runPanel');
if (!panel) return null;
const p = document.getElementById('runProgress');
return {
  visible: !panel.hidden,
  finished: !panel.hidden && !document.getElementById('runDismiss').hidden,
  summary: document.getElementById('runSummary').textContent,
  reasons: Array.from(document.querySelectorAll('#runReasons li')).map((li) => li.textContent),
  value: Number(p.value), max: Number(p.max),
  results: Array.from(document.querySelectorAll('#runResults li[data-kind]')).map((li) => ({
    kind: li.dataset.kind,
    who: (li.querySelector('.who') || {}).textContent || '',
    what: (li.querySelector('.what') || {}).textContent || '',
  })),
};
"#;

async fn run_view(s: &Session) -> Option<RunView> {
    let v = s.client.execute(RUN_JS, vec![]).await.ok()?;
    if v.is_null() {
        return None;
    }
    Some(RunView {
        visible: v["visible"].as_bool().unwrap_or(false),
        finished: v["finished"].as_bool().unwrap_or(false),
        summary: s_of(&v, "summary"),
        reasons: strings(&v["reasons"]),
        progress: (
            v["value"].as_f64().unwrap_or(-1.0),
            v["max"].as_f64().unwrap_or(-1.0),
        ),
        results: v["results"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| ResultLine {
                        kind: s_of(r, "kind"),
                        who: s_of(r, "who"),
                        what: s_of(r, "what"),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// Waits until the run panel shows a finished run with `n` result lines.
async fn wait_run_finished(s: &Session, n: usize) -> RunView {
    s.wait_for(&format!("a finished run of {n}"), LONG, || async {
        let v = run_view(s).await?;
        (v.finished && v.results.len() == n).then_some(v)
    })
    .await
}

fn finished_text(dropped: usize, ended: usize, failed: usize) -> String {
    msg(
        "runFinished",
        &[
            &dropped.to_string(),
            &ended.to_string(),
            &failed.to_string(),
        ],
    )
}

/// Screenshot of the page body (the popup's own size) under docs/screenshots/.
async fn body_screenshot(s: &Session, name: &str) {
    let png = match s.client.find(Locator::Css("body")).await {
        Ok(body) => body.screenshot().await.ok(),
        Err(_) => None,
    };
    let png = match png {
        Some(p) => p,
        None => s.client.screenshot().await.expect("screenshot"),
    };
    let dir = repo_root().join("docs").join("screenshots");
    std::fs::create_dir_all(&dir).expect("create docs/screenshots");
    std::fs::write(dir.join(name), png).expect("write screenshot");
}

/// Active sessions renamed `<prefix>NN` (unique user names), newest first; returns their hashes.
fn tag_active(s: &Session, prefix: &str, n: usize, skip: usize) -> Vec<String> {
    let chosen: Vec<String> = active_newest_first(s)
        .into_iter()
        .skip(skip)
        .take(n)
        .map(|x| x.session_id)
        .collect();
    assert_eq!(
        chosen.len(),
        n,
        "not enough active sessions in the simulator"
    );
    let names: Vec<(String, String)> = chosen
        .iter()
        .enumerate()
        .map(|(i, h)| (h.clone(), format!("{prefix}{i:02}")))
        .collect();
    rename(s, &names);
    chosen
}

// ---------------------------------------------------------------------------------------------
// 1. The list
// ---------------------------------------------------------------------------------------------

async fn popup_lists_exactly_the_active_sessions_newest_first(b: Browser) {
    let s = Session::start(b, SimConfig::default()).await;
    // Live state, not the start-up set: end the newest active session, give one an accented name.
    let initial = active_newest_first(&s);
    end_session(&s, &initial[0].session_id);
    rename(
        &s,
        &[(initial[3].session_id.clone(), "Conceição.Ângelo".into())],
    );
    let expected = active_newest_first(&s);
    assert_eq!(expected.len(), initial.len() - 1);

    let v = open_popup(&s).await;
    assert_eq!(
        v.status.trim(),
        msg("statusActiveCount", &[&expected.len().to_string()]),
        "[{}] list status",
        b.name()
    );
    let keys: Vec<String> = v.rows.iter().map(|r| r.key.clone()).collect();
    let want: Vec<String> = expected.iter().map(|x| key_of(&x.session_id)).collect();
    assert_eq!(keys.len(), want.len(), "[{}] row count", b.name());
    assert_eq!(
        keys.iter().collect::<BTreeSet<_>>(),
        want.iter().collect::<BTreeSet<_>>(),
        "[{}] exactly the active sessions",
        b.name()
    );
    assert_eq!(keys, want, "[{}] newest first", b.name());
    assert!(
        !keys.contains(&key_of(&initial[0].session_id)),
        "the session ended in the simulator is not listed"
    );
    for (row, sess) in v.rows.iter().zip(&expected) {
        assert_eq!(
            row.cells[1..6],
            [
                sess.user.clone(),
                sess.device.clone(),
                sess.credential.clone(),
                sess.protocol.clone(),
                sess.origin_ip.clone()
            ],
            "[{}] cells of {}",
            b.name(),
            sess.session_id
        );
        assert_eq!(row.start, sess.start, "full start time in the title");
        assert!(!row.checked, "nothing selected at first");
    }
    assert!(v.more.is_empty(), "45 rows fit in one page: {:?}", v.more);
    assert_eq!(v.terminate, msg("buttonTerminateSelected", &["0"]));
    assert!(v.terminate_disabled, "nothing to terminate yet");
    // Listing sends no DELETE.
    assert!(s.deletes().is_empty());
    s.close().await;
}

/// GETs of a list-all path received by the simulator.
fn list_gets(s: &Session) -> usize {
    s.sim
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("remotesessions"))
        .count()
}

async fn long_list_first_page_then_the_whole_list_from_one_download(b: Browser) {
    // 500 active sessions: more than the 200 rows the popup renders at once.
    let s = Session::start(
        b,
        SimConfig {
            sessions: generate_sessions(1000, 2, 41),
            ..SimConfig::default()
        },
    )
    .await;
    let before = active_newest_first(&s);
    let oldest = before.last().unwrap().session_id.clone();
    rename(&s, &[(oldest.clone(), "Needle.Ünique".into())]);
    let expected = active_newest_first(&s);
    assert_eq!(expected.len(), 500);

    let v = open_popup(&s).await;
    assert_eq!(
        v.status.trim(),
        msg("statusActiveCount", &["500"]),
        "[{}] the whole list counted",
        b.name()
    );
    let keys: Vec<String> = v.rows.iter().map(|r| r.key.clone()).collect();
    let want: Vec<String> = expected
        .iter()
        .take(200)
        .map(|x| key_of(&x.session_id))
        .collect();
    assert_eq!(keys, want, "[{}] the newest 200 rendered", b.name());
    assert_eq!(v.more, msg("moreRows", &["300"]));
    assert_eq!(
        list_gets(&s),
        1,
        "[{}] first page and whole list come from one download",
        b.name()
    );
    // The filter searches the whole list, not only the rendered rows.
    let needle: BTreeSet<String> = [key_of(&oldest)].into_iter().collect();
    filter_to(&s, "needle.unique", &needle).await;
    // Select-all-matching takes every active session.
    let all: BTreeSet<String> = want.iter().cloned().collect();
    filter_to(&s, "", &all).await;
    select_all_matching(&s, 500).await;
    // A refresh downloads again (not served from the kept list) and keeps the selection.
    click_id(&s, "refresh").await;
    s.wait_for("a second download", WAIT, || async {
        (list_gets(&s) == 2).then_some(())
    })
    .await;
    let v = wait_list_loaded(&s).await;
    assert_eq!(v.terminate, msg("buttonTerminateSelected", &["500"]));
    assert_eq!(list_gets(&s), 2, "[{}] one download per load", b.name());
    assert!(s.deletes().is_empty());
    s.close().await;
}

// ---------------------------------------------------------------------------------------------
// 2. Filter + select all matching + bulk terminate of a subset
// ---------------------------------------------------------------------------------------------

async fn filter_and_bulk_terminate_a_subset(b: Browser) {
    let s = Session::start(b, SimConfig::default()).await;
    let active = active_newest_first(&s);
    // Three active sessions of "José.Álvares", one ended one of the same user, and a near miss.
    let chosen: Vec<String> = [2usize, 9, 17]
        .iter()
        .map(|&i| active[i].session_id.clone())
        .collect();
    let ended = s
        .sim
        .state()
        .sessions
        .iter()
        .find(|x| !x.is_active())
        .expect("an ended session")
        .session_id
        .clone();
    let near_miss = active[5].session_id.clone();
    let mut names: Vec<(String, String)> = chosen
        .iter()
        .map(|h| (h.clone(), "José.Álvares".to_string()))
        .collect();
    names.push((ended.clone(), "José.Álvares".into()));
    names.push((near_miss.clone(), "Josefa.Alvarenga".into()));
    rename(&s, &names);

    let all = open_popup(&s).await;
    assert_eq!(all.rows.len(), active.len());
    let want: BTreeSet<String> = chosen.iter().map(|h| key_of(h)).collect();
    // Other case, accents on other letters than the stored name.
    let v = filter_to(&s, "jose ÁLVARES", &want).await;
    assert_eq!(v.rows.len(), 3);
    select_all_matching(&s, 3).await;
    confirm_bulk(&s, 3).await;
    let run = wait_run_finished(&s, 3).await;

    assert_eq!(
        run.summary,
        finished_text(3, 0, 0),
        "[{}] summary",
        b.name()
    );
    assert_eq!(run.progress, (3.0, 3.0), "progress bar full");
    for r in &run.results {
        assert_eq!(r.kind, "dropped", "[{}] result {r:?}", b.name());
        assert!(r.who.starts_with("José.Álvares @ "), "who: {:?}", r.who);
        assert_eq!(r.what, title(OutcomeKind::Dropped));
    }
    // Exactly one DELETE per chosen session, none for the others.
    assert_stays(&s, "DELETE", "/", 3, Duration::from_millis(800)).await;
    let mut paths = delete_paths(&s);
    paths.sort();
    let mut want_paths: Vec<String> = chosen.iter().map(|h| drop_path(h)).collect();
    want_paths.sort();
    assert_eq!(paths, want_paths, "[{}] DELETEs", b.name());
    for h in &chosen {
        assert!(!s.sim.session(h).unwrap().is_active(), "{h} ended");
    }
    assert!(s.sim.session(&near_miss).unwrap().is_active());
    assert_eq!(active_newest_first(&s).len(), active.len() - 3);
    // The list reloads once the run is over: the terminated sessions are gone from it.
    s.wait_for(
        "the list reloaded without the dropped sessions",
        WAIT,
        || async {
            let v = popup_view(&s).await?;
            (!v.loading && v.rows.iter().all(|r| !want.contains(&r.key))).then_some(())
        },
    )
    .await;
    s.close().await;
}

// ---------------------------------------------------------------------------------------------
// 3. Mixed outcomes
// ---------------------------------------------------------------------------------------------

async fn mixed_outcomes_are_reported_per_session(b: Browser) {
    let s = Session::start(b, SimConfig::default()).await;
    let chosen = tag_active(&s, "mix.", 5, 1);
    let v = open_popup(&s).await;
    assert!(!v.rows.is_empty());
    let want: BTreeSet<String> = chosen.iter().map(|h| key_of(h)).collect();
    filter_to(&s, "MIX.", &want).await;
    select_all_matching(&s, 5).await;
    // Between listing and terminating: two sessions end on their own, one is refused.
    end_session(&s, &chosen[0]);
    end_session(&s, &chosen[1]);
    s.sim
        .update(|st| st.set_behaviour(&chosen[2], Behaviour::NotAuthorized));
    confirm_bulk(&s, 5).await;
    let run = wait_run_finished(&s, 5).await;

    let expected: BTreeMap<String, (&str, String)> = [
        (
            "mix.00",
            ("already_ended", title(OutcomeKind::AlreadyEnded)),
        ),
        (
            "mix.01",
            ("already_ended", title(OutcomeKind::AlreadyEnded)),
        ),
        (
            "mix.02",
            ("not_authorized", title(OutcomeKind::NotAuthorized)),
        ),
        ("mix.03", ("dropped", title(OutcomeKind::Dropped))),
        ("mix.04", ("dropped", title(OutcomeKind::Dropped))),
    ]
    .into_iter()
    .map(|(u, k)| (u.to_string(), k))
    .collect();
    let mut seen = BTreeSet::new();
    for r in &run.results {
        let user = r.who.split(" @ ").next().unwrap_or("").to_string();
        let (kind, t) = expected
            .get(&user)
            .unwrap_or_else(|| panic!("[{}] unexpected result line {r:?}", b.name()));
        assert_eq!(r.kind, *kind, "[{}] outcome of {user}: {r:?}", b.name());
        assert!(
            r.what.starts_with(t.as_str()),
            "[{}] {user}: {:?} should start with {t:?}",
            b.name(),
            r.what
        );
        assert!(seen.insert(user), "one line per session");
    }
    assert_eq!(seen.len(), 5);
    assert_eq!(
        run.summary,
        finished_text(2, 2, 1),
        "[{}] summary",
        b.name()
    );
    assert_eq!(
        run.reasons,
        vec![msg("runReason", &["1", &title(OutcomeKind::NotAuthorized)])],
        "[{}] failure reasons",
        b.name()
    );
    // One DELETE per session (the ended ones too: that is how "already ended" is learnt).
    assert_stays(&s, "DELETE", "/", 5, Duration::from_millis(500)).await;
    let paths: BTreeSet<String> = delete_paths(&s).into_iter().collect();
    assert_eq!(
        paths,
        chosen.iter().map(|h| drop_path(h)).collect::<BTreeSet<_>>()
    );
    assert!(
        s.sim.session(&chosen[2]).unwrap().is_active(),
        "refused: still active"
    );
    s.close().await;
}

// ---------------------------------------------------------------------------------------------
// 4. The run survives closing the popup
// ---------------------------------------------------------------------------------------------

async fn bulk_run_survives_closing_the_popup(b: Browser) {
    const LATENCY: u64 = 700;
    const N: usize = 12;
    let s = Session::start(b, SimConfig::default()).await;
    let chosen = tag_active(&s, "bulk.", N, 0);
    // Latency only now: the list loads quickly, every DELETE takes LATENCY.
    let v = open_popup(&s).await;
    assert!(!v.rows.is_empty());
    let want: BTreeSet<String> = chosen.iter().map(|h| key_of(h)).collect();
    filter_to(&s, "bulk.", &want).await;
    select_all_matching(&s, N).await;
    s.sim.update(|st| st.latency_ms = LATENCY);
    confirm_bulk(&s, N).await;

    // Mid-run: the first results are in, the run is not over.
    let mid = s
        .wait_for("the run in progress with results", LONG, || async {
            let v = run_view(&s).await?;
            (v.visible && !v.results.is_empty()).then_some(v)
        })
        .await;
    // The run took the selection: no row stays ticked, nothing left to terminate.
    let list = popup_view(&s).await.expect("popup view");
    assert!(
        list.rows.iter().all(|r| !r.checked),
        "[{}] rows still ticked after the run started",
        b.name()
    );
    assert_eq!(list.terminate, msg("buttonTerminateSelected", &["0"]));
    if b == Browser::Chromium {
        body_screenshot(&s, "popup-midrun.png").await;
    }
    // Close the popup: open another tab, close the popup's.
    let popup_window = s.client.window().await.expect("current window");
    let other = s.client.new_window(true).await.expect("new tab");
    s.client.switch_to_window(popup_window).await.unwrap();
    s.client.close_window().await.expect("close the popup tab");
    s.client.switch_to_window(other.handle).await.unwrap();
    let ended_when_closed = chosen
        .iter()
        .filter(|h| !s.sim.session(h).unwrap().is_active())
        .count();
    assert!(
        !mid.finished && ended_when_closed < N,
        "[{}] the run was over before the popup closed ({ended_when_closed} ended): {mid:?}",
        b.name()
    );
    assert_eq!(
        mid.summary,
        msg(
            "runInProgress",
            &[&mid.results.len().to_string(), &N.to_string()]
        ),
        "[{}] in-progress text",
        b.name()
    );

    // The background goes on: every chosen session receives its DELETE and ends.
    s.wait_for("every chosen session ended", LONG, || async {
        chosen
            .iter()
            .all(|h| !s.sim.session(h).unwrap().is_active())
            .then_some(())
    })
    .await;
    let deletes = s.deletes();
    let paths: Vec<String> = deletes.iter().map(|r| r.path.clone()).collect();
    let unique: BTreeSet<String> = paths.iter().cloned().collect();
    assert_eq!(
        paths.len(),
        N,
        "[{}] one DELETE per session: {paths:#?}",
        b.name()
    );
    assert_eq!(
        unique,
        chosen.iter().map(|h| drop_path(h)).collect::<BTreeSet<_>>()
    );
    // A bounded number in flight (default concurrency 4): 4 start together, and the (k+4)-th
    // DELETE never arrives before the k-th one was answered (each takes LATENCY).
    let mut at: Vec<u128> = deletes.iter().map(|r| r.at_ms).collect();
    at.sort();
    assert!(
        at[3] - at[0] < LATENCY as u128,
        "[{}] 4 DELETEs in flight at once: {at:?}",
        b.name()
    );
    for k in 0..N - 4 {
        assert!(
            at[k + 4] - at[k] + 2 >= LATENCY as u128,
            "[{}] more than 4 in flight: {at:?}",
            b.name()
        );
    }

    // Reopen: the popup shows the finished run.
    s.goto(&popup_url(&s)).await;
    let run = wait_run_finished(&s, N).await;
    assert_eq!(run.summary, finished_text(N, 0, 0), "[{}]", b.name());
    assert_eq!(run.progress, (N as f64, N as f64));
    assert!(run.results.iter().all(|r| r.kind == "dropped"), "{run:?}");
    let users: BTreeSet<String> = run
        .results
        .iter()
        .map(|r| r.who.split(" @ ").next().unwrap_or("").to_string())
        .collect();
    assert_eq!(users.len(), N, "one line per session");
    assert_stays(&s, "DELETE", "/", N, Duration::from_millis(500)).await;
    s.close().await;
}

// ---------------------------------------------------------------------------------------------
// 5. Audit page and exports
// ---------------------------------------------------------------------------------------------

/// Index and hash of the first console row (from `from`) whose session is `active` or not.
fn console_row(s: &Session, rows: &[Row], active: bool, from: usize) -> (usize, String) {
    rows.iter()
        .enumerate()
        .skip(from)
        .find_map(|(i, r)| {
            let hash = r.cells.get(HASH_COL)?.clone();
            (s.sim.session(&hash)?.is_active() == active).then_some((i, hash))
        })
        .expect("a matching console row")
}

/// Records every Blob given to URL.createObjectURL and the names of downloads (page hooks).
const EXPORT_HOOK: &str = r#"
if (!window.__sdBlobs) {
  window.__sdBlobs = [];
  window.__sdNames = [];
  const orig = URL.createObjectURL;
  URL.createObjectURL = function (b) { window.__sdBlobs.push(b); return orig.call(URL, b); };
  document.addEventListener('click', (e) => {
    const a = e.target;
    if (a instanceof HTMLAnchorElement && a.hasAttribute('download')) window.__sdNames.push(a.download);
  }, true);
}
return window.__sdBlobs.length;
"#;

/// The bytes, type and file name of export number `i`.
async fn exported(s: &Session, i: usize) -> (Vec<u8>, String, String) {
    s.wait_for(&format!("export #{i}"), WAIT, || async {
        let n = s
            .client
            .execute(
                "return window.__sdBlobs ? window.__sdBlobs.length : 0;",
                vec![],
            )
            .await
            .ok()?;
        (n.as_u64()? as usize > i).then_some(())
    })
    .await;
    let v = s
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const b = window.__sdBlobs[arguments[0]];
             b.arrayBuffer().then(
               (buf) => done({ bytes: Array.from(new Uint8Array(buf)), type: b.type, name: window.__sdNames[arguments[0]] || '' }),
               (e) => done({ error: String(e) }));",
            vec![json!(i)],
        )
        .await
        .expect("read the exported blob");
    assert!(v["error"].is_null(), "reading the blob: {v}");
    let bytes = v["bytes"]
        .as_array()
        .expect("bytes")
        .iter()
        .map(|x| x.as_u64().unwrap() as u8)
        .collect();
    (bytes, s_of(&v, "type"), s_of(&v, "name"))
}

/// RFC 4180 CSV (quoted fields, doubled quotes, CRLF).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else {
            match c {
                '"' => quoted = true,
                ',' => row.push(std::mem::take(&mut field)),
                '\r' => {}
                '\n' => {
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                _ => field.push(c),
            }
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

struct Attempt {
    hash: String,
    kind: &'static str,
    source: &'static str,
}

/// The attempts in the order shown (by session hash), checking newest first: attempts made one
/// after the other appear in reverse order; the drops of one bulk run (concurrent) in any order.
fn in_shown_order<'a>(
    b: Browser,
    what: &str,
    shown: &[String],
    attempts: &'a [Attempt],
) -> Vec<&'a Attempt> {
    assert_eq!(
        shown.len(),
        attempts.len(),
        "[{}] {what}: {shown:?}",
        b.name()
    );
    let group = |a: &Attempt| {
        if a.source == "bulk" {
            usize::MAX
        } else {
            attempts.iter().position(|x| x.hash == a.hash).unwrap()
        }
    };
    let out: Vec<&Attempt> = shown
        .iter()
        .map(|h| {
            attempts
                .iter()
                .find(|a| a.hash == *h)
                .unwrap_or_else(|| panic!("[{}] {what}: unknown session {h}", b.name()))
        })
        .collect();
    let distinct: BTreeSet<&str> = out.iter().map(|a| a.hash.as_str()).collect();
    assert_eq!(
        distinct.len(),
        attempts.len(),
        "[{}] {what}: one entry per attempt",
        b.name()
    );
    let groups: Vec<usize> = out.iter().map(|a| group(a)).collect();
    assert!(
        groups.windows(2).all(|w| w[0] >= w[1]),
        "[{}] {what}: not newest first: {shown:?}",
        b.name()
    );
    out
}

async fn audit_page_and_exports_list_every_attempt(b: Browser) {
    let downloads = TempDir::new("downloads").expect("temp dir");
    let dl = downloads.path().to_string_lossy().into_owned();
    let prefs = match b {
        Browser::Chromium => json!({
            "download.default_directory": dl,
            "download.prompt_for_download": false,
        }),
        Browser::Firefox => json!({
            "browser.download.dir": dl,
            "browser.download.folderList": 2,
            "browser.download.useDownloadDir": true,
            "browser.download.always_ask_before_handling_new_types": false,
            "browser.download.panel.shown": true,
        }),
    };
    let s = Session::start_with(
        b,
        SimConfig::default(),
        Launch {
            prefs: Some(prefs),
            ..Launch::default()
        },
    )
    .await;
    let mut attempts: Vec<Attempt> = Vec::new();

    // Console: one active session (dropped), one ended session (already ended).
    let rows = s.open_console("").await;
    let (i, h1) = console_row(&s, &rows, true, 0);
    let (j, h2) = console_row(&s, &rows, false, 0);
    s.click_row(CONSOLE_TABLE, i).await;
    assert_eq!(
        s.wait_row_done(CONSOLE_TABLE, i).await.state.as_deref(),
        Some("dropped")
    );
    attempts.push(Attempt {
        hash: h1.clone(),
        kind: "dropped",
        source: "console",
    });
    s.click_row(CONSOLE_TABLE, j).await;
    assert_eq!(
        s.wait_row_done(CONSOLE_TABLE, j).await.state.as_deref(),
        Some("failed")
    );
    attempts.push(Attempt {
        hash: h2.clone(),
        kind: "already_ended",
        source: "console",
    });

    // Popup: one row's own Terminate button, then a bulk run of two (one refused).
    let bulk = tag_active(&s, "audit.", 2, 2);
    s.sim
        .update(|st| st.set_behaviour(&bulk[1], Behaviour::NotAuthorized));
    let v = open_popup(&s).await;
    let single = active_newest_first(&s)
        .into_iter()
        .map(|x| x.session_id)
        .find(|h| !bulk.contains(h))
        .expect("another active session");
    assert!(v.rows.iter().any(|r| r.key == key_of(&single)));
    let btn = s
        .client
        .find(Locator::Css(&format!(
            "#rows tr[data-key=\"{}\"] [data-act=\"drop\"]",
            key_of(&single)
        )))
        .await
        .expect("the row's Terminate button");
    btn.click().await.expect("click Terminate");
    let kind = s
        .wait_js(
            "the row's result",
            &format!(
                "const tr = document.querySelector('#rows tr[data-key=\"{}\"]');
                 const st = tr && tr.nextElementSibling && tr.nextElementSibling.querySelector('.row-status');
                 return st && st.dataset.kind ? st.dataset.kind : null;",
                key_of(&single)
            ),
        )
        .await;
    assert_eq!(
        kind,
        json!("dropped"),
        "[{}] the popup row's drop",
        b.name()
    );
    attempts.push(Attempt {
        hash: single.clone(),
        kind: "dropped",
        source: "popup",
    });
    let want: BTreeSet<String> = bulk.iter().map(|h| key_of(h)).collect();
    filter_to(&s, "audit.", &want).await;
    select_all_matching(&s, 2).await;
    confirm_bulk(&s, 2).await;
    wait_run_finished(&s, 2).await;
    attempts.push(Attempt {
        hash: bulk[0].clone(),
        kind: "dropped",
        source: "bulk",
    });
    attempts.push(Attempt {
        hash: bulk[1].clone(),
        kind: "not_authorized",
        source: "bulk",
    });
    assert_eq!(s.deletes().len(), attempts.len(), "one DELETE per attempt");

    // The audit page lists every attempt, newest first.
    s.goto(&format!("{}audit.html", s.ext_base)).await;
    let rows = s
        .wait_for("the audit rows", LONG, || async {
            let v = s
                .client
                .execute(
                    "return Array.from(document.querySelectorAll('#rows tr')).map((tr) =>
                       Array.from(tr.cells).map((c) => c.textContent.trim()));",
                    vec![],
                )
                .await
                .ok()?;
            let rows: Vec<Vec<String>> = serde_json::from_value(v).ok()?;
            (rows.len() >= attempts.len()).then_some(rows)
        })
        .await;
    assert_eq!(
        rows.len(),
        attempts.len(),
        "[{}] audit rows: {rows:#?}",
        b.name()
    );
    let status = s.text_of_id("status").await;
    assert_eq!(status, msg("auditCount", &[&attempts.len().to_string()]));
    let source_label = |src: &str| match src {
        "console" => msg("sourceConsole", &[]),
        "popup" => msg("sourcePopup", &[]),
        _ => msg("sourceBulk", &[]),
    };
    let mut run_ids = BTreeSet::new();
    let shown: Vec<String> = rows.iter().map(|r| r[2].clone()).collect();
    let order = in_shown_order(b, "audit page", &shown, &attempts);
    for (row, a) in rows.iter().zip(order) {
        // Time, appliance, session id, row id, user, device, outcome, message, source.
        assert_eq!(row[1], s.sim.base_url(), "appliance");
        assert_eq!(row[2], a.hash, "[{}] newest first: {row:?}", b.name());
        assert!(
            row[6].starts_with(a.kind),
            "[{}] outcome of {}: {:?}",
            b.name(),
            a.hash,
            row[6]
        );
        assert!(
            row[8].starts_with(&source_label(a.source)),
            "source {:?}",
            row[8]
        );
        if a.source == "bulk" {
            run_ids.insert(row[8].clone());
            assert!(row[8].contains("(run-"), "bulk run id: {:?}", row[8]);
        }
        assert_eq!(row[4], s.sim.session(&a.hash).unwrap().user, "user");
    }
    assert_eq!(run_ids.len(), 1, "both bulk attempts carry the same run id");
    if b == Browser::Chromium {
        s.screenshot("audit.png").await;
    }

    // Exports: what the buttons hand to the browser's download.
    s.js(EXPORT_HOOK).await;
    click_id(&s, "exportJson").await;
    let (json_bytes, json_type, json_name) = exported(&s, 0).await;
    click_id(&s, "exportCsv").await;
    let (csv_bytes, csv_type, csv_name) = exported(&s, 1).await;

    assert!(json_type.starts_with("application/json"), "{json_type}");
    assert!(
        json_name.starts_with("session-drop-audit-") && json_name.ends_with(".json"),
        "{json_name}"
    );
    let entries: Vec<Value> = serde_json::from_slice(&json_bytes).expect("the JSON export parses");
    assert_eq!(entries.len(), attempts.len(), "[{}] JSON entries", b.name());
    let shown: Vec<String> = entries.iter().map(|e| s_of(e, "sessionId")).collect();
    let order = in_shown_order(b, "JSON export", &shown, &attempts);
    for (e, a) in entries.iter().zip(order) {
        assert_eq!(
            e["sessionId"],
            json!(a.hash),
            "[{}] JSON newest first",
            b.name()
        );
        assert_eq!(e["kind"], json!(a.kind), "JSON outcome of {}", a.hash);
        assert_eq!(e["ok"], json!(a.kind == "dropped"));
        assert_eq!(e["source"], json!(a.source));
        assert_eq!(e["appliance"], json!(s.sim.base_url()));
        assert!(
            e["at"].as_str().is_some_and(|t| t.contains('T')),
            "ISO time"
        );
        if a.source == "bulk" {
            assert!(e["runId"].as_str().is_some_and(|r| r.starts_with("run-")));
        } else {
            assert!(e["runId"].is_null());
        }
    }

    assert!(csv_type.starts_with("text/csv"), "{csv_type}");
    assert!(
        csv_name.starts_with("session-drop-audit-") && csv_name.ends_with(".csv"),
        "{csv_name}"
    );
    let csv = String::from_utf8(csv_bytes.clone()).expect("UTF-8 CSV");
    let csv = csv
        .strip_prefix('\u{feff}')
        .expect("the CSV starts with a BOM");
    assert!(csv.contains("\r\n"), "CRLF line ends");
    let table = parse_csv(csv);
    assert_eq!(
        table.len(),
        attempts.len() + 1,
        "[{}] header + rows",
        b.name()
    );
    let header = &table[0];
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("CSV column {name} in {header:?}"))
    };
    let (c_hash, c_kind, c_source, c_ok) =
        (col("sessionId"), col("kind"), col("source"), col("ok"));
    let shown: Vec<String> = table[1..].iter().map(|r| r[c_hash].clone()).collect();
    let order = in_shown_order(b, "CSV export", &shown, &attempts);
    for (r, a) in table[1..].iter().zip(order) {
        assert_eq!(r.len(), header.len(), "CSV row width: {r:?}");
        assert_eq!(r[c_hash], a.hash, "[{}] CSV newest first", b.name());
        assert_eq!(r[c_kind], a.kind, "CSV outcome of {}", a.hash);
        assert_eq!(r[c_source], a.source);
        assert_eq!(r[c_ok], if a.kind == "dropped" { "true" } else { "false" });
    }

    // The browser saved the files too (when it downloads in this headless mode).
    let saved = wait_until(Duration::from_secs(5), || async {
        let names: Vec<String> = std::fs::read_dir(downloads.path())
            .ok()?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        (names.contains(&json_name) && names.contains(&csv_name)).then_some(())
    })
    .await;
    if saved.is_some() {
        assert_eq!(
            std::fs::read(downloads.path().join(&json_name)).unwrap(),
            json_bytes,
            "the saved JSON file is the exported blob"
        );
        assert_eq!(
            std::fs::read(downloads.path().join(&csv_name)).unwrap(),
            csv_bytes
        );
    } else {
        eprintln!(
            "[{}] note: the browser did not save the exports to disk within 5 s (blob content checked)",
            b.name()
        );
    }
    s.close().await;
}

// ---------------------------------------------------------------------------------------------
// 6. Managed policy
// ---------------------------------------------------------------------------------------------

/// A public key (DER, base64) giving this test's own Chrome extension id (no private key needed
/// for an unpacked extension).
const POLICY_TEST_KEY: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvuhzOLeqIktwdI1C0RRtQWlVhKJVfGYgXl7vIOwiw0CXH0qO45pv61km0pl2BJ+Fehpxj2U/pRAf2q/VFdU7HIS3AGgPKNkggIhLrRz3WHn8TuohayDmWgg4ysViRJqXxXAVTEq50P1KBFpoeWytfP/MXXUkuKmgRSCi/wT1RHWyI5AsI3Y3cG+/mFOYkgnw7cvwuqrLqe03DU+6s+miY/9sjPzajhjWLxi6NrRSfxkwSdC0GhX5SFtAD+unkSh1w5C17UipFeaHZe8epYP3HfGlw/8jKt1l/+Gxu+6/3kOH6AgjVrW8isbSyTf/yPN9/YFrcLrqCFCu1nhQCoS4FwIDAQAB";
const POLICY_TEST_GECKO_ID: &str = "session-drop-policy-test@session-drop.dev";
/// This test's Chromium policy file (in [`CHROMIUM_POLICY_DIR`]).
const CHROMIUM_POLICY: &str = "session-drop-test.json";

/// Sets `SESSION_DROP_E2E_DIST` for the duration of a browser start; restores it when dropped.
struct DistEnv(Option<std::ffi::OsString>);

impl DistEnv {
    fn set(dir: &Path) -> DistEnv {
        let prev = std::env::var_os("SESSION_DROP_E2E_DIST");
        std::env::set_var("SESSION_DROP_E2E_DIST", dir);
        DistEnv(prev)
    }
}

impl Drop for DistEnv {
    fn drop(&mut self) {
        match self.0.take() {
            Some(v) => std::env::set_var("SESSION_DROP_E2E_DIST", v),
            None => std::env::remove_var("SESSION_DROP_E2E_DIST"),
        }
    }
}

/// A copy of the built package for `b` under this test's own identity (Chrome key / Gecko id).
fn package_with_test_identity(b: Browser) -> TempDir {
    let tmp = TempDir::new("policy-dist").expect("temp dir");
    let dest = tmp.path().join(b.dist_name());
    copy_dir(&dist_dir().join(b.dist_name()), &dest).expect("copy the package");
    let mpath = dest.join("manifest.json");
    let mut m: Value = serde_json::from_str(&std::fs::read_to_string(&mpath).unwrap()).unwrap();
    match b {
        Browser::Chromium => m["key"] = json!(POLICY_TEST_KEY),
        Browser::Firefox => {
            m["browser_specific_settings"]["gecko"]["id"] = json!(POLICY_TEST_GECKO_ID)
        }
    }
    std::fs::write(&mpath, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    tmp
}

async fn managed_policy_overrides_the_options(b: Browser) {
    // The managed values: the server (the package's preset points elsewhere, at a closed port)
    // and "ask before terminating" (off by default).
    let package = package_with_test_identity(b);
    // The policy must exist before the browser starts (Firefox reads it at start-up) and names
    // the simulator, which the harness starts: give the simulator a port chosen here.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = format!("http://127.0.0.1:{port}");
    let managed = json!({ "serverUrl": server, "askBeforeTerminate": true });
    let _policy = match b {
        Browser::Chromium => {
            let id = chrome_extension_id(POLICY_TEST_KEY).unwrap();
            PolicyGuard::write(
                &Path::new(CHROMIUM_POLICY_DIR).join(CHROMIUM_POLICY),
                &json!({ "3rdparty": { "extensions": { id: managed } } }),
            )
        }
        Browser::Firefox => PolicyGuard::write(
            &firefox_policies_file().expect("firefox-esr"),
            &json!({ "policies": { "3rdparty": { "Extensions": { POLICY_TEST_GECKO_ID: managed } } } }),
        ),
    };
    let prefs = match b {
        Browser::Chromium => None,
        Browser::Firefox => Some(json!({
            "extensions.webextensions.uuids": json!({ POLICY_TEST_GECKO_ID: FIREFOX_UUID }).to_string(),
        })),
    };
    let s = {
        let _env = DistEnv::set(package.path());
        Session::start_with(
            b,
            SimConfig {
                port,
                ..SimConfig::default()
            },
            Launch {
                preset: Some(Box::new(|p| p["serverUrl"] = json!("http://127.0.0.1:9"))),
                prefs,
                // chromedriver lists the background's confirmation window only with this
                extension_targets: true,
                ..Launch::default()
            },
        )
        .await
    };
    drop(package);
    assert_eq!(s.sim.base_url(), server);
    if b == Browser::Chromium {
        assert_eq!(
            s.ext_base,
            format!(
                "chrome-extension://{}/",
                chrome_extension_id(POLICY_TEST_KEY).unwrap()
            ),
            "loaded under the test identity"
        );
    }

    // A user option saved before (or despite) the policy: other server, no confirmation.
    s.goto(&format!("{}options.html", s.ext_base)).await;
    let set = s
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const api = globalThis.browser ?? globalThis.chrome;
             api.storage.local.set({ settings: { serverUrl: 'http://127.0.0.1:9', askBeforeTerminate: false,
               generation: 'auto', timeoutMs: 15000, bulkConcurrency: 4, tokenAuth: 'body' } })
               .then(() => done(true), (e) => done(String(e)));",
            vec![],
        )
        .await
        .expect("storage.local.set from the options page");
    assert_eq!(set, json!(true), "[{}] saving the user option", b.name());

    // The options page shows the managed values, locked.
    s.goto(&format!("{}options.html", s.ext_base)).await;
    let fields = s
        .wait_js(
            "the options page filled, the policy known",
            "const f = (id) => document.getElementById(id);
             // values first, then (once the policy read answered) the form editable with them
             if (!f('serverUrl').value
               || !performance.getEntriesByName('session-drop:editable').length) return null;
             const note = (id) => { const n = f(id).closest('.field').querySelector('.managed-note');
               return n ? { hidden: n.hidden, text: n.textContent.trim() } : null; };
             return {
               server: f('serverUrl').value, serverDisabled: f('serverUrl').disabled, serverNote: note('serverUrl'),
               ask: f('askBeforeTerminate').checked, askDisabled: f('askBeforeTerminate').disabled,
               askNote: note('askBeforeTerminate'),
               clientIdDisabled: f('clientId').disabled, generationDisabled: f('generation').disabled,
               managedCount: document.querySelectorAll('.field.is-managed').length,
             };",
        )
        .await;
    let note = json!({ "hidden": false, "text": msg("managedNote", &[]) });
    assert_eq!(
        fields["server"],
        json!(server),
        "[{}] managed server URL shown",
        b.name()
    );
    assert_eq!(fields["serverDisabled"], json!(true), "server URL locked");
    assert_eq!(fields["serverNote"], note);
    assert_eq!(
        fields["ask"],
        json!(true),
        "[{}] managed 'ask before' shown",
        b.name()
    );
    assert_eq!(fields["askDisabled"], json!(true), "'ask before' locked");
    assert_eq!(fields["askNote"], note);
    assert_eq!(
        fields["clientIdDisabled"],
        json!(false),
        "not managed: editable"
    );
    assert_eq!(fields["generationDisabled"], json!(false));
    assert_eq!(fields["managedCount"], json!(2));

    // The background uses the managed server: the popup lists the simulator's sessions.
    let v = open_popup(&s).await;
    let active = active_newest_first(&s);
    assert_eq!(
        v.rows.len(),
        active.len(),
        "[{}] listed from the managed server: {:?}",
        b.name(),
        v.status
    );
    assert!(!s
        .requests_matching("GET", "/api/pam/session/remotesessions")
        .is_empty());

    // …and the managed "ask before terminating": a console click asks first.
    let rows = s.open_console("").await;
    let (i, hash) = console_row(&s, &rows, true, 0);
    s.click_row(CONSOLE_TABLE, i).await;
    // The background asks in its own window (not the page): the session id is shown there.
    let w = s.confirm_window().await;
    assert!(
        w.text.contains(&hash),
        "[{}] the confirmation names the session: {}",
        b.name(),
        w.text
    );
    s.answer_confirm(w, false).await;
    assert_stays(&s, "DELETE", "/", 0, Duration::from_millis(700)).await;
    s.click_row(CONSOLE_TABLE, i).await;
    let w = s.confirm_window().await;
    s.answer_confirm(w, true).await;
    let row = s.wait_row_done(CONSOLE_TABLE, i).await;
    assert_eq!(row.state.as_deref(), Some("dropped"), "{}", row.status);
    assert_eq!(delete_paths(&s), vec![drop_path(&hash)]);
    s.close().await;
}

// ---------------------------------------------------------------------------------------------
// 7. Token expiry in the middle of a run
// ---------------------------------------------------------------------------------------------

async fn token_expiry_mid_run_renews_once(b: Browser) {
    const LATENCY: u64 = 400;
    const N: usize = 12;
    let s = Session::start(
        b,
        SimConfig {
            sessions: generate_sessions(30, 1, 77),
            ..SimConfig::default()
        },
    )
    .await;
    let chosen = tag_active(&s, "exp.", N, 3);
    open_popup(&s).await;
    let want: BTreeSet<String> = chosen.iter().map(|h| key_of(h)).collect();
    filter_to(&s, "exp.", &want).await;
    select_all_matching(&s, N).await;
    let tokens_before = s.requests_matching("POST", TOKEN_PATH).len();
    assert_eq!(tokens_before, 1, "one token for the list");
    s.sim.update(|st| st.latency_ms = LATENCY);
    confirm_bulk(&s, N).await;
    // As soon as the first DELETEs are in flight (each takes LATENCY), every token expires.
    s.wait_requests("DELETE", "/", 1).await;
    s.sim.expire_tokens();
    let expired: BTreeSet<String> = s.sim.state().tokens.keys().cloned().collect();
    let log_at_expiry = s.sim.requests().len();

    let run = wait_run_finished(&s, N).await;
    assert_eq!(
        run.summary,
        finished_text(N, 0, 0),
        "[{}] {run:?}",
        b.name()
    );
    assert!(run.results.iter().all(|r| r.kind == "dropped"));
    for h in &chosen {
        assert!(!s.sim.session(h).unwrap().is_active(), "{h} ended");
    }
    // Renewed once for the whole run, not once per worker.
    let renewals = s.sim.requests()[log_at_expiry..]
        .iter()
        .filter(|r| r.method == "POST" && r.path == TOKEN_PATH)
        .count();
    assert_eq!(
        renewals,
        1,
        "[{}] token renewals after the expiry",
        b.name()
    );
    let bearer = |r: &LoggedRequest| {
        r.authorization
            .as_deref()
            .and_then(|a| a.strip_prefix("Bearer "))
            .unwrap_or("")
            .to_string()
    };
    let deletes = s.deletes();
    let distinct: BTreeSet<String> = deletes.iter().map(bearer).collect();
    assert_eq!(
        distinct.len(),
        2,
        "[{}] the old token and one new one",
        b.name()
    );
    // Per session: one DELETE, or the refused one (old token) and its single retry (new token).
    let mut retried = 0;
    for h in &chosen {
        let mine: Vec<&LoggedRequest> = deletes.iter().filter(|r| r.path == drop_path(h)).collect();
        match mine.len() {
            1 => {}
            2 => {
                retried += 1;
                assert!(
                    expired.contains(&bearer(mine[0])),
                    "first with the expired token"
                );
                assert!(
                    !expired.contains(&bearer(mine[1])),
                    "retry with the new token"
                );
            }
            n => panic!("[{}] {n} DELETEs for {h}", b.name()),
        }
    }
    assert!(
        retried >= 1,
        "[{}] no DELETE was refused: the expiry did not land mid-run",
        b.name()
    );
    assert_stays(&s, "DELETE", "/", N + retried, Duration::from_millis(500)).await;
    s.close().await;
}
