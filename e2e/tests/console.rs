//! End-to-end tests of issue 3: the built extension in headless Chromium AND headless Firefox,
//! against a fresh simulator per test; every assertion that matters is on the simulator's log
//! of received requests.
//!
//! Run through `cargo xtask test` (which builds the packages), or after
//! `cargo xtask dist --server http://127.0.0.1:9 --dev-credentials demo-client:demo-secret --out target/e2e-dist`
//! with `cargo test -p session-drop-e2e -- --test-threads=1`.

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::Locator;
use serde_json::json;
use session_drop::OutcomeKind;
use session_drop_e2e::*;
use session_drop_sim::{Grant, Release};
use std::time::Duration;

session_drop_e2e::both_browsers!(
    every_row_has_one_terminate_button,
    click_sends_exactly_one_authorized_delete,
    double_click_while_pending_sends_one_delete,
    ended_session_reports_drop_failed,
    read_only_grant_reports_not_authorized,
    wrong_secret_reports_auth_failure_without_delete,
    expired_token_is_renewed_once,
    release_3_32_auto_falls_back_and_remembers,
    dashboard_numeric_id_is_resolved_then_dropped,
    page_script_forged_clicks_send_nothing,
    rows_added_after_load_get_buttons,
    options_page_fields_and_test_connection,
    portuguese_browser_gets_portuguese_button,
    portugal_browser_gets_portuguese_button,
);

/// Column of the hash in the Remote sessions report, and of the row id in both tables.
const HASH_COL: usize = 1;
const ID_COL: usize = 0;

/// The two catalogue languages the tests look at.
#[derive(Clone, Copy)]
enum Lang {
    En,
    PtBr,
}

fn title(kind: OutcomeKind, lang: Lang) -> String {
    catalogue_title(
        kind,
        match lang {
            Lang::En => "en",
            Lang::PtBr => "pt_BR",
        },
    )
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

/// Index of the first row (from `from`) whose session the simulator has in state `active`.
fn find_row(s: &Session, rows: &[Row], active: bool, from: usize) -> (usize, String) {
    rows.iter()
        .enumerate()
        .skip(from)
        .find_map(|(i, r)| {
            let hash = r.cells.get(HASH_COL)?.clone();
            let sess = s.sim.session(&hash)?;
            (sess.is_active() == active).then_some((i, hash))
        })
        .unwrap_or_else(|| {
            panic!(
                "no {} session row in the replica",
                if active { "active" } else { "ended" }
            )
        })
}

/// Clicks the Terminate button of the first row (from `from`) with an active session and waits
/// for the row to settle; returns its index, the settled row and its session hash.
async fn terminate_active(s: &Session, rows: &[Row], from: usize) -> (usize, Row, String) {
    let (i, hash) = find_row(s, rows, true, from);
    s.click_row(CONSOLE_TABLE, i).await;
    (i, s.wait_row_done(CONSOLE_TABLE, i).await, hash)
}

/// Asserts the row's final state and that its status shows the core's title for `kind`.
fn assert_row(row: &Row, state: &str, kind: OutcomeKind, lang: Lang) {
    assert_eq!(row.state.as_deref(), Some(state), "status: {}", row.status);
    assert!(
        row.status.contains(&title(kind, lang)),
        "status text: {:?}",
        row.status
    );
}

fn assert_bearer(s: &Session, r: &LoggedRequest) {
    let auth = r.authorization.as_deref().unwrap_or("");
    assert!(
        auth.starts_with("Bearer ") && auth.len() > "Bearer ".len(),
        "[{}] DELETE {} without a Bearer token: {auth:?}",
        s.browser.name(),
        r.path
    );
}

async fn every_row_has_one_terminate_button(b: Browser) {
    let s = Session::start(b, SimConfig::default()).await;
    let rows = s.open_console("").await;
    assert_eq!(rows.len(), 30, "the replica shows 30 rows a page");
    let buttons = s
        .client
        .find_all(Locator::Css(&format!("{CONSOLE_TABLE} tbody tr {BUTTON}")))
        .await
        .unwrap();
    assert_eq!(buttons.len(), rows.len(), "exactly one button per row");
    for (i, btn) in buttons.iter().enumerate() {
        assert_eq!(
            s.accessible_name(btn).await,
            "Terminate session",
            "row {i}: accessible name"
        );
        assert_eq!(btn.attr("type").await.unwrap().as_deref(), Some("button"));
    }
    assert!(rows.iter().all(|r| r.buttons == 1 && r.state.is_none()));
    // Nothing is sent just by showing the page.
    assert!(s.deletes().is_empty());
    s.close().await;
}

async fn click_sends_exactly_one_authorized_delete(b: Browser) {
    let s = Session::start(b, SimConfig::default()).await;
    let rows = s.open_console("").await;
    let (_, row, hash) = terminate_active(&s, &rows, 0).await;
    assert_row(&row, "dropped", OutcomeKind::Dropped, Lang::En);
    let deletes = s.deletes();
    assert_eq!(deletes.len(), 1, "{deletes:#?}");
    assert_eq!(deletes[0].path, format!("{API_DROP}{hash}"));
    assert_bearer(&s, &deletes[0]);
    assert!(
        !s.sim.session(&hash).unwrap().is_active(),
        "the session ended"
    );
    // No other row changed.
    let after = s.rows(CONSOLE_TABLE).await;
    assert_eq!(after.iter().filter(|r| r.state.is_some()).count(), 1);
    s.js(
        "window.scrollTo(0, 0); document.querySelector('.table-wrap').scrollLeft = 0; return true;",
    )
    .await;
    s.screenshot(&format!("{}-console.png", b.name())).await;
    assert_stays(&s, "DELETE", "/", 1, Duration::from_millis(500)).await;
    s.close().await;
}

async fn double_click_while_pending_sends_one_delete(b: Browser) {
    // Latency keeps the row pending long enough for the extra clicks to land.
    let s = Session::start(
        b,
        SimConfig {
            latency_ms: 700,
            ..SimConfig::default()
        },
    )
    .await;
    let rows = s.open_console("").await;
    let (i, hash) = find_row(&s, &rows, true, 0);
    let btn = s.row_button(CONSOLE_TABLE, i).await;
    s.scroll_to(&btn).await;
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: btn.clone(),
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    s.client.perform_actions(mouse).await.unwrap();
    let _ = s.client.release_actions().await;
    let pending = s
        .wait_for("row pending", WAIT, || async {
            let r = s.rows(CONSOLE_TABLE).await.get(i)?.clone();
            r.state.is_some().then_some(r)
        })
        .await;
    assert_eq!(pending.state.as_deref(), Some("pending"), "{pending:?}");
    // A third click while pending (the button is disabled: may be refused, must send nothing).
    let _ = btn.click().await;
    let row = s.wait_row_done(CONSOLE_TABLE, i).await;
    assert_eq!(
        row.state.as_deref(),
        Some("dropped"),
        "status: {}",
        row.status
    );
    assert_stays(&s, "DELETE", "/", 1, Duration::from_millis(1500)).await;
    assert_eq!(s.deletes()[0].path, format!("{API_DROP}{hash}"));
    s.close().await;
}

async fn ended_session_reports_drop_failed(b: Browser) {
    let s = Session::start(b, SimConfig::default()).await;
    let rows = s.open_console("").await;
    let (i, hash) = find_row(&s, &rows, false, 0);
    s.click_row(CONSOLE_TABLE, i).await;
    let row = s.wait_row_done(CONSOLE_TABLE, i).await;
    assert_eq!(row.state.as_deref(), Some("failed"));
    assert!(
        row.status
            .contains(&title(OutcomeKind::AlreadyEnded, Lang::En)),
        "status text: {:?}",
        row.status
    );
    let deletes = s.deletes();
    assert_eq!(deletes.len(), 1, "{deletes:#?}");
    assert_eq!(deletes[0].path, format!("{API_DROP}{hash}"));
    s.close().await;
}

async fn read_only_grant_reports_not_authorized(b: Browser) {
    let s = Session::start(
        b,
        SimConfig {
            grant: Grant::ReadOnly,
            ..SimConfig::default()
        },
    )
    .await;
    let rows = s.open_console("").await;
    let (_, row, hash) = terminate_active(&s, &rows, 0).await;
    assert_row(&row, "failed", OutcomeKind::NotAuthorized, Lang::En);
    let deletes = s.deletes();
    assert_eq!(deletes.len(), 1, "{deletes:#?}");
    assert_eq!(deletes[0].path, format!("{API_DROP}{hash}"));
    assert!(s.sim.session(&hash).unwrap().is_active(), "still active");
    s.close().await;
}

async fn wrong_secret_reports_auth_failure_without_delete(b: Browser) {
    let s = Session::start_with(
        b,
        SimConfig::default(),
        Launch::preset(|p| p["clientSecret"] = json!("not-the-secret")),
    )
    .await;
    let rows = s.open_console("").await;
    let (_, row, _) = terminate_active(&s, &rows, 0).await;
    assert_row(&row, "failed", OutcomeKind::AuthFailed, Lang::En);
    let tokens = s.requests_matching("POST", TOKEN_PATH);
    assert!(!tokens.is_empty(), "a token was asked for");
    assert_stays(&s, "DELETE", "/", 0, Duration::from_millis(500)).await;
    s.close().await;
}

async fn expired_token_is_renewed_once(b: Browser) {
    let s = Session::start(b, SimConfig::default()).await;
    let rows = s.open_console("").await;
    let (i, row, _) = terminate_active(&s, &rows, 0).await;
    assert_row(&row, "dropped", OutcomeKind::Dropped, Lang::En);
    assert_eq!(s.requests_matching("POST", TOKEN_PATH).len(), 1);

    s.sim.expire_tokens();
    let (_, row, hash) = terminate_active(&s, &rows, i + 1).await;
    assert_row(&row, "dropped", OutcomeKind::Dropped, Lang::En);
    assert_eq!(
        s.requests_matching("POST", TOKEN_PATH).len(),
        2,
        "exactly one renewal"
    );
    let second: Vec<_> = s.requests_matching("DELETE", &format!("{API_DROP}{hash}"));
    assert_eq!(
        second.len(),
        2,
        "refused once (401), retried once: {second:#?}"
    );
    assert_ne!(
        second[0].authorization, second[1].authorization,
        "the retry uses the new token"
    );
    assert_stays(&s, "DELETE", "/", 3, Duration::from_millis(500)).await;
    s.close().await;
}

async fn release_3_32_auto_falls_back_and_remembers(b: Browser) {
    let s = Session::start(
        b,
        SimConfig {
            release: Release::Iso,
            ..SimConfig::default()
        },
    )
    .await;
    let rows = s.open_console("").await;
    let (i, row, h1) = terminate_active(&s, &rows, 0).await;
    assert_row(&row, "dropped", OutcomeKind::Dropped, Lang::En);
    let paths: Vec<String> = s.deletes().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        vec![format!("{API_DROP}{h1}"), format!("{ISO_DROP}{h1}")],
        "3.33 path first (404), then the 3.32 path"
    );

    let (_, row, h2) = terminate_active(&s, &rows, i + 1).await;
    assert_row(&row, "dropped", OutcomeKind::Dropped, Lang::En);
    let paths: Vec<String> = s.deletes().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths[2..],
        [format!("{ISO_DROP}{h2}")],
        "the next drop goes straight to the remembered generation"
    );
    s.close().await;
}

async fn dashboard_numeric_id_is_resolved_then_dropped(b: Browser) {
    let s = Session::start(b, SimConfig::default()).await;
    let rows = s.open_dashboard().await;
    let id = rows[0].cells[ID_COL].clone();
    assert!(id.chars().all(|c| c.is_ascii_digit()), "numeric id {id:?}");
    let hash = s.sim.session_by_row(&id).expect("row id known").session_id;
    s.click_row(DASHBOARD_TABLE, 0).await;
    let row = s.wait_row_done(DASHBOARD_TABLE, 0).await;
    assert_eq!(
        row.state.as_deref(),
        Some("dropped"),
        "status: {}",
        row.status
    );
    let log = s.sim.requests();
    let get = log
        .iter()
        .position(|r| {
            r.method == "GET"
                && r.path.contains("remotesessions")
                && r.path.ends_with(&format!("/{id}"))
        })
        .unwrap_or_else(|| panic!("no list-one GET for {id}: {log:#?}"));
    let del = log
        .iter()
        .position(|r| r.method == "DELETE")
        .unwrap_or_else(|| panic!("no DELETE: {log:#?}"));
    assert!(get < del, "resolved before the drop");
    assert_eq!(log[del].path, format!("{API_DROP}{hash}"));
    assert_bearer(&s, &log[del]);
    assert_eq!(s.deletes().len(), 1);
    s.close().await;
}

async fn page_script_forged_clicks_send_nothing(b: Browser) {
    let s = Session::start(b, SimConfig::default()).await;
    s.open_console("").await;
    let before = s.sim.requests().len();
    s.js(
        "const bs = document.querySelectorAll('[data-session-drop-button]');
         bs[0].click();
         bs[1].dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, view: window }));
         HTMLElement.prototype.click.call(bs[2]);
         bs[3].dispatchEvent(new PointerEvent('click', { bubbles: true, cancelable: true }));
         return true;",
    )
    .await;
    let quiet = std::time::Instant::now() + Duration::from_millis(1500);
    while std::time::Instant::now() < quiet {
        let log = s.sim.requests();
        assert_eq!(
            log.len(),
            before,
            "[{}] forged click sent {:#?}",
            b.name(),
            &log[before..]
        );
        tokio::time::sleep(POLL).await;
    }
    let rows = s.rows(CONSOLE_TABLE).await;
    assert!(
        rows.iter().all(|r| r.state.is_none()),
        "no row changed state"
    );
    s.close().await;
}

async fn rows_added_after_load_get_buttons(b: Browser) {
    let s = Session::start(b, SimConfig::default()).await;
    let first = s.open_console("").await;
    let first_id = first[0].cells[ID_COL].clone();
    s.client
        .find(Locator::Css("#pagination button[data-page='2']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let rows = s
        .wait_for("page 2 decorated", WAIT, || async {
            let rows = s.rows(CONSOLE_TABLE).await;
            let changed = rows.first().is_some_and(|r| r.cells[ID_COL] != first_id);
            (changed && rows.iter().all(|r| r.ready && r.buttons == 1)).then_some(rows)
        })
        .await;
    assert_eq!(rows.len(), 30);
    // And they work.
    let (_, row, hash) = terminate_active(&s, &rows, 0).await;
    assert_row(&row, "dropped", OutcomeKind::Dropped, Lang::En);
    let deletes = s.deletes();
    assert_eq!(deletes.len(), 1);
    assert_eq!(deletes[0].path, format!("{API_DROP}{hash}"));
    s.close().await;
}

async fn options_page_fields_and_test_connection(b: Browser) {
    let s = Session::start(b, SimConfig::default()).await;
    s.goto(&format!("{}options.html", s.ext_base)).await;
    for (id, label) in [
        ("serverUrl", "Server URL"),
        ("clientId", "Client ID"),
        ("clientSecret", "Client secret"),
    ] {
        let input = s
            .wait_for(&format!("#{id}"), WAIT, || async {
                s.client.find(Locator::Id(id)).await.ok()
            })
            .await;
        assert_eq!(s.accessible_name(&input).await, label, "label of #{id}");
    }
    let server = s
        .wait_for("server URL pre-filled", WAIT, || async {
            let v = s
                .client
                .find(Locator::Id("serverUrl"))
                .await
                .ok()?
                .prop("value")
                .await
                .ok()??;
            (!v.is_empty()).then_some(v)
        })
        .await;
    assert_eq!(server, s.sim.base_url(), "the preset's server URL");
    let save = s.client.find(Locator::Id("save")).await.unwrap();
    assert_eq!(s.accessible_name(&save).await, "Save");
    let test = s.client.find(Locator::Id("test")).await.unwrap();
    assert_eq!(s.accessible_name(&test).await, "Test connection");

    // The form is disabled until the policy read has answered (Chromium answers it a few seconds
    // late right after start-up): the button is clicked once it is enabled, as a person would.
    s.wait_for("Test connection enabled", WAIT, || async {
        let t = s.client.find(Locator::Id("test")).await.ok()?;
        (t.prop("disabled").await.ok()?.as_deref() == Some("false")).then_some(())
    })
    .await;
    let before = s.requests_matching("POST", TOKEN_PATH).len();
    test.click().await.unwrap();
    let kind = s
        .wait_for("test connection result", WAIT, || async {
            let st = s.client.find(Locator::Id("status")).await.ok()?;
            let kind = st.attr("data-kind").await.ok()??;
            (!kind.is_empty()).then_some(kind)
        })
        .await;
    let text = s.text_of_id("status").await;
    assert_eq!(kind, "connected", "status: {text}");
    assert_eq!(
        s.requests_matching("POST", TOKEN_PATH).len(),
        before + 1,
        "Test connection gets a new token"
    );
    if b == Browser::Chromium {
        s.screenshot("chromium-options.png").await;
    }
    s.close().await;
}

/// A browser in `lang` shows "Encerrar sessão" and Portuguese outcomes.
async fn portuguese_button(b: Browser, lang: &'static str) {
    let s = Session::start_with(b, SimConfig::default(), Launch::lang(lang)).await;
    // The replica in Portuguese too: headers "ID da sessão", "Usuário", "Dispositivo".
    let rows = s.open_console("lang=pt").await;
    let btn = s.row_button(CONSOLE_TABLE, 0).await;
    assert_eq!(s.accessible_name(&btn).await, "Encerrar sessão", "{lang}");
    let (_, row, hash) = terminate_active(&s, &rows, 0).await;
    assert_row(&row, "dropped", OutcomeKind::Dropped, Lang::PtBr);
    assert_eq!(s.deletes()[0].path, format!("{API_DROP}{hash}"));
    s.close().await;
}

async fn portuguese_browser_gets_portuguese_button(b: Browser) {
    portuguese_button(b, "pt-BR").await;
}

/// A Portuguese (Portugal) browser gets the Portuguese strings too (the package serves pt_PT
/// with the pt_BR strings; browsers would otherwise fall back to English).
async fn portugal_browser_gets_portuguese_button(b: Browser) {
    portuguese_button(b, "pt-PT").await;
}
