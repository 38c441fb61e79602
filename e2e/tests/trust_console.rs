//! End-to-end tests of issue 8 items 3 and 4 on the console: what a script running in the console
//! page (XSS) can no longer make the content script do. The built extension in headless Chromium
//! AND headless Firefox against a fresh simulator per test; every assertion that matters is on the
//! simulator's log of received requests.
//!
//! Run after `cargo xtask dist --server http://127.0.0.1:9 --dev-credentials demo-client:demo-secret
//! --out target/e2e-dist` with
//! `SESSION_DROP_E2E_DIST=$PWD/target/e2e-dist cargo test -p session-drop-e2e --test trust_console -- --test-threads=1`.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::json;
use session_drop_e2e::*;
use std::time::Duration;

session_drop_e2e::both_browsers!(
    console_framed_by_another_origin_gets_no_buttons,
    button_moved_to_another_row_sends_nothing,
    element_put_first_in_our_cell_sends_nothing,
    script_focus_then_enter_sends_nothing,
);

/// Column of the hash in the Remote sessions report.
const HASH_COL: usize = 1;
/// How long "nothing is sent" is watched for.
const QUIET: Duration = Duration::from_millis(1500);

/// (index, hash) of the rows whose session the simulator has active, in page order.
fn active_rows(s: &Session, rows: &[Row]) -> Vec<(usize, String)> {
    rows.iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let hash = r.cells.get(HASH_COL)?.clone();
            s.sim
                .session(&hash)
                .filter(|x| x.is_active())
                .map(|_| (i, hash))
        })
        .collect()
}

/// A real (WebDriver) click on the element matching `css`.
async fn click_css(s: &Session, css: &str) {
    let el = s
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("[{}] no {css}: {e}", s.browser.name()));
    s.scroll_to(&el).await;
    el.click()
        .await
        .unwrap_or_else(|e| panic!("[{}] click {css}: {e}", s.browser.name()));
}

/// Real (WebDriver) key presses, one after the other.
async fn press(s: &Session, keys: &[Key]) {
    let mut a = KeyActions::new("keyboard".into());
    for k in keys {
        let c: char = (*k).into();
        a = a
            .then(KeyAction::Down { value: c })
            .then(KeyAction::Up { value: c });
    }
    s.client.perform_actions(a).await.unwrap();
    let _ = s.client.release_actions().await;
}

fn el_arg(el: &fantoccini::elements::Element) -> serde_json::Value {
    serde_json::to_value(el).expect("element as JSON")
}

/// Issue 8 item 3: the console replica (configured origin 127.0.0.1) framed by a page of another
/// origin (localhost, same simulator) gets no button and sends nothing; the same page at top
/// level gets its buttons (control).
async fn console_framed_by_another_origin_gets_no_buttons(b: Browser) {
    let s = Session::start(b, SimConfig::default()).await;
    let top = s.open_console("").await;
    assert!(top.iter().all(|r| r.buttons == 1), "control: top level");

    let base = s.sim.base_url();
    let port = base.rsplit(':').next().expect("port");
    let outer =
        format!("http://localhost:{port}/flow/static/frame.html?src={base}/flow/remote-sessions");
    s.goto(&outer).await;
    let frame = s
        .wait_for("the framed console", WAIT, || async {
            s.client.find(Locator::Id("console-frame")).await.ok()
        })
        .await;
    frame.enter_frame().await.expect("enter the frame");
    let origin = s.js("return location.origin;").await;
    assert_eq!(origin, json!(base), "the frame holds the console");
    s.wait_for("rows rendered in the frame", WAIT, || async {
        let rows = s.rows(CONSOLE_TABLE).await;
        (rows.len() == 30).then_some(())
    })
    .await;
    // Time for a content script to decorate (it does so within milliseconds when it acts).
    tokio::time::sleep(QUIET).await;
    let rows = s.rows(CONSOLE_TABLE).await;
    assert!(
        rows.iter()
            .all(|r| r.buttons == 0 && !r.ready && r.state.is_none()),
        "[{}] framed rows decorated: {rows:#?}",
        b.name()
    );
    assert_eq!(
        s.count("[data-session-drop-header],[data-session-drop-cell]")
            .await,
        0
    );
    // A real click on the console's own (cosmetic) drop icon in the frame does nothing either.
    click_css(
        &s,
        &format!("{CONSOLE_TABLE} tbody tr:nth-child(1) button.act.power"),
    )
    .await;
    s.client.enter_parent_frame().await.unwrap();
    assert_stays(&s, "DELETE", "/", 0, QUIET).await;
    assert!(
        s.requests_matching("POST", TOKEN_PATH).is_empty(),
        "no token asked for"
    );
    s.close().await;
}

/// Issue 8 item 4: a page script moves our button from row i into row j's action cell; a real
/// click on it sends nothing, for either row. Row i gets a fresh button; row j's own button still
/// works (control).
async fn button_moved_to_another_row_sends_nothing(b: Browser) {
    let s = Session::start(b, SimConfig::default()).await;
    let rows = s.open_console("").await;
    let act = active_rows(&s, &rows);
    let ((i, _), (j, hash_j)) = (act[0].clone(), act[1].clone());
    let moved = s
        .js_args(
            "const rs = document.querySelector(arguments[0]).tBodies[0].rows;
             const btn = rs[arguments[1]].querySelector('[data-session-drop-button]');
             btn.setAttribute('data-test-moved', '');
             rs[arguments[2]].querySelector('td.actions').appendChild(btn);
             return rs[arguments[2]].querySelectorAll('[data-session-drop-button]').length;",
            vec![json!(CONSOLE_TABLE), json!(i), json!(j)],
        )
        .await;
    assert_eq!(
        moved,
        json!(2),
        "row j holds its own button and the moved one"
    );
    click_css(&s, "[data-test-moved]").await;
    assert_stays(&s, "DELETE", "/", 0, QUIET).await;
    let after = s.rows(CONSOLE_TABLE).await;
    assert!(
        after[i].state.is_none() && after[j].state.is_none(),
        "no row went pending: {:?} / {:?}",
        after[i],
        after[j]
    );
    assert_eq!(after[i].buttons, 1, "row i got a fresh button");
    // Control: row j's own button, clicked the same way, drops row j's session.
    click_css(
        &s,
        &format!(
            "{CONSOLE_TABLE} tbody tr:nth-child({}) [data-session-drop-button]:not([data-test-moved])",
            j + 1
        ),
    )
    .await;
    let deletes = s.wait_requests("DELETE", "/", 1).await;
    assert_eq!(deletes[0].path, format!("{API_DROP}{hash_j}"));
    assert_stays(&s, "DELETE", "/", 1, Duration::from_millis(500)).await;
    s.close().await;
}

/// Issue 8 item 4: a page script puts its own look-alike first in the cell we created (the
/// dashboard table has no action column): clicks on it send nothing, and a click on ours, now
/// behind it, sends nothing either (it is no longer where we put it) and gives the row a fresh
/// button, which works (control).
async fn element_put_first_in_our_cell_sends_nothing(b: Browser) {
    let s = Session::start(b, SimConfig::default()).await;
    let rows = s.open_dashboard().await;
    assert!(!rows.is_empty());
    let first = format!("{DASHBOARD_TABLE} tbody tr:nth-child(1)");
    let inserted = s
        .js_args(
            "const td = document.querySelector(arguments[0] + ' [data-session-drop-cell]');
             const fake = document.createElement('button');
             fake.type = 'button';
             fake.setAttribute('data-session-drop-button', '');
             fake.setAttribute('aria-label', 'Terminate session');
             fake.setAttribute('data-test-fake', '');
             fake.textContent = 'Terminate session';
             td.insertBefore(fake, td.firstChild);
             td.querySelector('[data-session-drop-button]:not([data-test-fake])').setAttribute('data-test-ours', '');
             return td.firstElementChild === fake;",
            vec![json!(first)],
        )
        .await;
    assert_eq!(inserted, json!(true));
    click_css(&s, "[data-test-fake]").await;
    click_css(&s, "[data-test-fake]").await;
    assert_stays(&s, "DELETE", "/", 0, QUIET).await;
    click_css(&s, "[data-test-ours]").await;
    assert_stays(&s, "DELETE", "/", 0, QUIET).await;
    assert!(
        s.requests_matching("GET", "/")
            .iter()
            .all(|r| !r.path.contains("remotesessions")),
        "not even a list-one lookup"
    );
    // The row now has a fresh button of ours (and no look-alike); it works.
    s.wait_for("a fresh button", WAIT, || async {
        let n = s
            .count(&format!("{first} [data-session-drop-button]"))
            .await;
        let old = s.count("[data-test-fake],[data-test-ours]").await;
        (n == 1 && old == 0).then_some(())
    })
    .await;
    click_css(&s, &format!("{first} [data-session-drop-button]")).await;
    s.wait_requests("DELETE", "/", 1).await;
    s.close().await;
}

/// Issue 8 item 4: a page script `focus()`es our button, then the person presses Enter (a real,
/// trusted WebDriver key press): nothing is sent. Control: focus reaching the button by a real Tab
/// (from the console's own action just before it), then Enter, drops the session.
async fn script_focus_then_enter_sends_nothing(b: Browser) {
    let s = Session::start(b, SimConfig::default()).await;
    let rows = s.open_console("").await;
    let (i, hash) = active_rows(&s, &rows)[0].clone();
    let btn = s.row_button(CONSOLE_TABLE, i).await;
    s.scroll_to(&btn).await;
    let focused = s
        .js_args(
            "arguments[0].focus(); return document.activeElement === arguments[0];",
            vec![el_arg(&btn)],
        )
        .await;
    assert_eq!(focused, json!(true), "the page focused our button");
    press(&s, &[Key::Enter]).await;
    assert_stays(&s, "DELETE", "/", 0, QUIET).await;
    press(&s, &[Key::Enter]).await;
    assert_stays(&s, "DELETE", "/", 0, QUIET).await;
    assert!(s.rows(CONSOLE_TABLE).await[i].state.is_none());

    // Control: the element before ours gets the focus (by script), the person presses Tab (focus
    // moves to our button by the browser's own navigation), then Enter.
    let before = s
        .js_args(
            "const p = arguments[0].previousElementSibling; p.focus(); return document.activeElement === p;",
            vec![el_arg(&btn)],
        )
        .await;
    assert_eq!(before, json!(true));
    press(&s, &[Key::Tab]).await;
    let on_ours = s
        .js_args(
            "return document.activeElement === arguments[0];",
            vec![el_arg(&btn)],
        )
        .await;
    assert_eq!(on_ours, json!(true), "Tab moved the focus to our button");
    press(&s, &[Key::Enter]).await;
    let deletes = s.wait_requests("DELETE", "/", 1).await;
    assert_eq!(deletes[0].path, format!("{API_DROP}{hash}"));
    assert_stays(&s, "DELETE", "/", 1, Duration::from_millis(500)).await;
    s.close().await;
}
