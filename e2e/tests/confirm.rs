//! End-to-end tests of issue 8 item 4 (confirmation): with "Ask before terminating" on, a trusted
//! click on a console row's button opens the extension's own window (`confirm.html`, opened by
//! the background with `windows.create({type: "popup"})`), reached here through WebDriver window
//! handles. The window shows the session id the button was bound to and what the appliance
//! itself says about the row (list-one); only its "Terminate" sends the DELETE. The built
//! extension in headless Chromium AND headless Firefox against a fresh simulator per test; every
//! assertion that matters is on the simulator's log of received requests.
//!
//! Run after `cargo xtask dist --server http://127.0.0.1:9 --dev-credentials demo-client:demo-secret
//! --out target/e2e-dist` with
//! `SESSION_DROP_E2E_DIST=$PWD/target/e2e-dist cargo test -p session-drop-e2e --test confirm -- --test-threads=1`.

use fantoccini::wd::WindowHandle;
use fantoccini::Locator;
use serde_json::{json, Value};
use session_drop_e2e::*;
use std::time::Duration;

session_drop_e2e::both_browsers!(
    terminate_in_the_window_sends_one_delete,
    cancel_in_the_window_sends_nothing,
    closing_the_window_sends_nothing,
    page_showing_another_row_id_gets_a_mismatch_warning,
);

/// Columns of the Remote sessions report (our own cell excluded).
const ID_COL: usize = 0;
const HASH_COL: usize = 1;
/// How long "nothing is sent" is watched for.
const QUIET: Duration = Duration::from_millis(1500);

/// An `en` message of the catalogue (placeholders `$1`… filled from `subs`, as the browser does).
fn msg(key: &str, subs: &[&str]) -> String {
    let path = repo_root().join("extension/_locales/en/messages.json");
    let cat: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("catalogue")).expect("JSON");
    let m = &cat[key];
    let mut text = m["message"]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing from {}", path.display()))
        .to_owned();
    if let Some(ph) = m["placeholders"].as_object() {
        for (name, p) in ph {
            let content = p["content"].as_str().unwrap_or_default();
            let n: usize = content.trim_start_matches('$').parse().unwrap_or(0);
            let value = subs.get(n.wrapping_sub(1)).copied().unwrap_or_default();
            text = text.replace(&format!("${}$", name.to_uppercase()), value);
        }
    }
    text
}

/// (index, row id, hash) of the rows whose session the simulator has active, in page order.
fn active_rows(s: &Session, rows: &[Row]) -> Vec<(usize, String, String)> {
    rows.iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let hash = r.cells.get(HASH_COL)?.clone();
            let id = r.cells.get(ID_COL)?.clone();
            s.sim
                .session(&hash)
                .filter(|x| x.is_active() && x.id == id)
                .map(|_| (i, id, hash))
        })
        .collect()
}

/// Turns "Ask before terminating" on the way the options page does: a `saveSettings` message
/// from an extension page.
async fn ask_before_terminating(s: &Session) {
    s.goto(&format!("{}options.html", s.ext_base)).await;
    let answer = s
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const api = globalThis.browser ?? globalThis.chrome;
             api.runtime.sendMessage({ type: 'saveSettings', settings: { askBeforeTerminate: true } })
               .then((a) => done(a), (e) => done(String(e)));",
            vec![],
        )
        .await
        .expect("saveSettings from the options page");
    assert_eq!(
        answer["settings"]["askBeforeTerminate"],
        json!(true),
        "[{}] saving askBeforeTerminate: {answer}",
        s.browser.name()
    );
}

/// What the confirmation window shows, once it has its answer from the background.
#[derive(Debug)]
struct ConfirmView {
    url: String,
    /// (label, value) of `#facts`: what the button terminates.
    facts: Vec<(String, String)>,
    /// (label, value) of `#appliance`: what the appliance says (list-one).
    appliance: Vec<(String, String)>,
    /// `#lookup`'s text.
    lookup: String,
    /// `#mismatch`'s text when shown.
    mismatch: Option<String>,
}

impl ConfirmView {
    fn fact<'a>(list: &'a [(String, String)], label: &str) -> Option<&'a str> {
        list.iter()
            .find(|(l, _)| l == label)
            .map(|(_, v)| v.as_str())
    }
}

const VIEW_JS: &str = r#"
const yes = document.getElementById('yes');
if (!yes || yes.disabled) return null;
const pairs = (sel) => {
  const out = [];
  for (const dt of document.querySelectorAll(sel + ' dt')) {
    const dd = dt.nextElementSibling;
    out.push([dt.textContent, dd ? dd.textContent : '']);
  }
  return out;
};
const m = document.getElementById('mismatch');
return {
  url: location.href,
  facts: pairs('#facts'),
  appliance: pairs('#appliance'),
  lookup: document.getElementById('lookup').textContent,
  mismatch: m && !m.hidden ? m.textContent : null,
};
"#;

fn pairs(v: &Value) -> Vec<(String, String)> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    (
                        p[0].as_str().unwrap_or_default().to_owned(),
                        p[1].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Waits for a second top-level window (the confirmation), switches to it and waits until it
/// shows the background's answer.
async fn switch_to_confirm(s: &Session, main: &WindowHandle) -> (WindowHandle, ConfirmView) {
    let found = wait_until(WAIT, || async {
        let all = s.client.windows().await.ok()?;
        all.into_iter().find(|h| h != main)
    })
    .await;
    let handle = match found {
        Some(h) => h,
        None => {
            let rows = s.rows(CONSOLE_TABLE).await;
            let busy: Vec<_> = rows.iter().filter(|r| r.state.is_some()).collect();
            let targets = if s.browser == Browser::Chromium {
                s.client
                    .issue_cmd(cdp("Target.getTargets", json!({})))
                    .await
                    .map(|v| v.to_string())
                    .unwrap_or_else(|e| e.to_string())
            } else {
                String::new()
            };
            panic!(
                "[{}] no confirmation window: handles {:?}; rows {busy:#?}; targets {targets}",
                s.browser.name(),
                s.client.windows().await
            );
        }
    };
    s.client
        .switch_to_window(handle.clone())
        .await
        .unwrap_or_else(|e| panic!("[{}] switch to the confirmation: {e}", s.browser.name()));
    let v = s.wait_js("the confirmation window filled", VIEW_JS).await;
    let view = ConfirmView {
        url: v["url"].as_str().unwrap_or_default().to_owned(),
        facts: pairs(&v["facts"]),
        appliance: pairs(&v["appliance"]),
        lookup: v["lookup"].as_str().unwrap_or_default().to_owned(),
        mismatch: v["mismatch"].as_str().map(str::to_owned),
    };
    assert!(
        view.url
            .starts_with(&format!("{}confirm.html?id=", s.ext_base)),
        "[{}] the confirmation is the extension's own page: {}",
        s.browser.name(),
        view.url
    );
    (handle, view)
}

/// A WebDriver click on `#yes` / `#no` of the confirmation window; then back to the console.
async fn answer(s: &Session, main: &WindowHandle, button: &str) {
    let el = s
        .client
        .find(Locator::Css(button))
        .await
        .unwrap_or_else(|e| panic!("[{}] no {button}: {e}", s.browser.name()));
    el.click()
        .await
        .unwrap_or_else(|e| panic!("[{}] click {button}: {e}", s.browser.name()));
    back_to_console(s, main).await;
}

/// Switches back to the console window and waits until the confirmation window is gone.
async fn back_to_console(s: &Session, main: &WindowHandle) {
    s.client
        .switch_to_window(main.clone())
        .await
        .unwrap_or_else(|e| panic!("[{}] back to the console: {e}", s.browser.name()));
    s.wait_for("the confirmation window closed", WAIT, || async {
        let all = s.client.windows().await.ok()?;
        (all.len() == 1).then_some(())
    })
    .await;
}

/// Waits until row `i` is idle again (no `data-session-drop`, its button enabled, no status).
async fn wait_row_idle(s: &Session, i: usize) -> Row {
    s.wait_for(&format!("row {i} idle again"), WAIT, || async {
        let r = s.rows(CONSOLE_TABLE).await.get(i)?.clone();
        let enabled = s
            .js(&format!(
                "const b = document.querySelector('{CONSOLE_TABLE} tbody tr:nth-child({}) {BUTTON}');
                 return !!b && !b.disabled;",
                i + 1
            ))
            .await
            == json!(true);
        (r.state.is_none() && r.ready && r.buttons == 1 && r.status.is_empty() && enabled)
            .then_some(r)
    })
    .await
}

/// The list-one GETs of row `id` the simulator received.
fn list_one_gets(s: &Session, id: &str) -> usize {
    s.requests_matching("GET", "/")
        .iter()
        .filter(|r| r.path.ends_with(&format!("/remotesessions/{id}")))
        .count()
}

/// Starts a browser, turns confirmation on, opens the console; returns the session, the console
/// window's handle and the rows.
async fn start(b: Browser) -> (Session, WindowHandle, Vec<Row>) {
    let launch = Launch {
        extension_targets: true,
        ..Launch::default()
    };
    let s = Session::start_with(b, SimConfig::default(), launch).await;
    ask_before_terminating(&s).await;
    let rows = s.open_console("").await;
    let main = s
        .client
        .window()
        .await
        .expect("the console's window handle");
    (s, main, rows)
}

async fn terminate_in_the_window_sends_one_delete(b: Browser) {
    let (s, main, rows) = start(b).await;
    let (i, id, hash) = active_rows(&s, &rows)[0].clone();
    // The appliance's own data differs from what the page shows: the window must show the
    // appliance's (list-one), not page text.
    let (page_user, device) = {
        let sess = s.sim.session(&hash).expect("the row's session");
        (sess.user.clone(), sess.device.clone())
    };
    let appliance_user = format!("{page_user}-on-appliance");
    s.sim.update(|st| {
        st.session_mut(&hash).expect("known session").user = appliance_user.clone();
    });
    assert_eq!(
        s.rows(CONSOLE_TABLE).await[i].cells[2],
        page_user,
        "the page shows the old user"
    );

    s.click_row(CONSOLE_TABLE, i).await;
    let (_, view) = switch_to_confirm(&s, &main).await;
    assert_eq!(
        ConfirmView::fact(&view.facts, "Session ID"),
        Some(hash.as_str()),
        "{view:#?}"
    );
    assert_eq!(
        ConfirmView::fact(&view.facts, "Row ID"),
        Some(id.as_str()),
        "{view:#?}"
    );
    assert_eq!(
        ConfirmView::fact(&view.appliance, "Session ID"),
        Some(hash.as_str()),
        "{view:#?}"
    );
    assert_eq!(
        ConfirmView::fact(&view.appliance, "User"),
        Some(appliance_user.as_str()),
        "{view:#?}"
    );
    assert_eq!(
        ConfirmView::fact(&view.appliance, "Device"),
        Some(device.as_str()),
        "{view:#?}"
    );
    assert_eq!(view.lookup, msg("confirmApplianceSays", &[]), "{view:#?}");
    assert_eq!(
        view.mismatch, None,
        "no warning when the page and the appliance agree"
    );
    assert_eq!(
        list_one_gets(&s, &id),
        1,
        "the appliance was asked about row {id}"
    );
    assert!(s.deletes().is_empty(), "nothing sent before the answer");

    answer(&s, &main, "#yes").await;
    let row = s.wait_row_done(CONSOLE_TABLE, i).await;
    assert_eq!(
        row.state.as_deref(),
        Some("dropped"),
        "status: {}",
        row.status
    );
    let deletes = s.deletes();
    assert_eq!(deletes.len(), 1, "{deletes:#?}");
    assert_eq!(deletes[0].path, format!("{API_DROP}{hash}"));
    assert!(
        !s.sim.session(&hash).unwrap().is_active(),
        "the session ended"
    );
    assert_stays(&s, "DELETE", "/", 1, Duration::from_millis(500)).await;
    s.close().await;
}

async fn cancel_in_the_window_sends_nothing(b: Browser) {
    let (s, main, rows) = start(b).await;
    let (i, _, hash) = active_rows(&s, &rows)[0].clone();
    s.click_row(CONSOLE_TABLE, i).await;
    let (_, view) = switch_to_confirm(&s, &main).await;
    assert_eq!(
        ConfirmView::fact(&view.facts, "Session ID"),
        Some(hash.as_str())
    );
    answer(&s, &main, "#no").await;
    wait_row_idle(&s, i).await;
    assert_stays(&s, "DELETE", "/", 0, QUIET).await;
    assert!(
        s.sim.session(&hash).unwrap().is_active(),
        "the session is still active"
    );
    s.close().await;
}

async fn closing_the_window_sends_nothing(b: Browser) {
    let (s, main, rows) = start(b).await;
    let (i, _, hash) = active_rows(&s, &rows)[0].clone();
    s.click_row(CONSOLE_TABLE, i).await;
    let (_, view) = switch_to_confirm(&s, &main).await;
    assert_eq!(
        ConfirmView::fact(&view.facts, "Session ID"),
        Some(hash.as_str())
    );
    s.client
        .close_window()
        .await
        .unwrap_or_else(|e| panic!("[{}] close the confirmation: {e}", b.name()));
    back_to_console(&s, &main).await;
    wait_row_idle(&s, i).await;
    assert_stays(&s, "DELETE", "/", 0, QUIET).await;
    assert!(
        s.sim.session(&hash).unwrap().is_active(),
        "the session is still active"
    );
    s.close().await;
}

/// A page script shows, in row A (session `hash_a`), the row ID of another active session B. The
/// button is bound again to what the row shows, and the window warns that the appliance says
/// that row is session B; "Terminate" still ends only A, the session the button was bound to.
async fn page_showing_another_row_id_gets_a_mismatch_warning(b: Browser) {
    let (s, main, rows) = start(b).await;
    let active = active_rows(&s, &rows);
    assert!(active.len() >= 2, "two active sessions in the replica");
    let (i, _, hash_a) = active[0].clone();
    let (_, id_b, hash_b) = active[1].clone();
    let user_b = s.sim.session(&hash_b).unwrap().user.clone();
    // The lie, and a mark on the button it had, to see the content script bind a fresh one.
    s.js_args(
        &format!(
            "const row = document.querySelector('{CONSOLE_TABLE} tbody').rows[arguments[0]];
             window.__oldButton = row.querySelector('{BUTTON}');
             row.cells[{ID_COL}].textContent = arguments[1];
             return true;"
        ),
        vec![json!(i), json!(id_b)],
    )
    .await;
    s.wait_js(
        "a fresh button bound to what the row shows now",
        &format!(
            "const row = document.querySelector('{CONSOLE_TABLE} tbody').rows[{i}];
             const b = row.querySelector('{BUTTON}');
             return !!b && b !== window.__oldButton && row.querySelectorAll('{BUTTON}').length === 1;"
        ),
    )
    .await;

    s.click_row(CONSOLE_TABLE, i).await;
    let (_, view) = switch_to_confirm(&s, &main).await;
    assert_eq!(
        ConfirmView::fact(&view.facts, "Session ID"),
        Some(hash_a.as_str()),
        "{view:#?}"
    );
    assert_eq!(
        ConfirmView::fact(&view.facts, "Row ID"),
        Some(id_b.as_str()),
        "{view:#?}"
    );
    assert_eq!(
        ConfirmView::fact(&view.appliance, "Session ID"),
        Some(hash_b.as_str()),
        "{view:#?}"
    );
    assert_eq!(
        ConfirmView::fact(&view.appliance, "User"),
        Some(user_b.as_str()),
        "{view:#?}"
    );
    let warning = view
        .mismatch
        .clone()
        .unwrap_or_else(|| panic!("[{}] no mismatch warning: {view:#?}", b.name()));
    assert_eq!(
        warning,
        format!(
            "{}{}",
            msg("confirmMismatchTitle", &[]),
            msg("confirmMismatch", &[&id_b, &hash_b, &hash_a])
        )
    );
    assert_eq!(view.lookup, msg("confirmApplianceSaysOther", &[&id_b]));
    assert!(s.deletes().is_empty(), "nothing sent before the answer");

    answer(&s, &main, "#yes").await;
    s.wait_row_done(CONSOLE_TABLE, i).await;
    let deletes = s.deletes();
    assert_eq!(deletes.len(), 1, "{deletes:#?}");
    assert_eq!(
        deletes[0].path,
        format!("{API_DROP}{hash_a}"),
        "only the bound hash"
    );
    assert!(
        s.sim.session(&hash_b).unwrap().is_active(),
        "row B's session untouched"
    );
    assert_stays(&s, "DELETE", "/", 1, Duration::from_millis(500)).await;
    s.close().await;
}
