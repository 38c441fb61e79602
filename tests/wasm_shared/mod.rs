//! Shared body of the wasm-bindgen-test suites (`tests/wasm_window.rs`, `tests/wasm_worker.rs`):
//! the exported client against the REAL simulator over HTTP (`session-drop-sim --cors`).
//!
//! The simulator URL is read at compile time from `SESSION_DROP_SIM_URL` (`cargo xtask test`
//! starts the simulator and sets it). Without it every test FAILS with a message saying so.

use js_sys::{Array, Promise, Reflect, JSON};
use session_drop::wasm::{check_server_url, check_session_ref, DropClient};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

const SIM_URL: Option<&str> = option_env!("SESSION_DROP_SIM_URL");

/// Base URL of the simulator, e.g. `http://127.0.0.1:41234`.
pub fn sim() -> &'static str {
    match SIM_URL {
        Some(u) if u.starts_with("http") => u.trim_end_matches('/'),
        _ => panic!(
            "SESSION_DROP_SIM_URL was not set when these wasm tests were compiled. Run `cargo xtask test`, \
             or start `session-drop-sim --port 0 --cors` and build the tests with \
             SESSION_DROP_SIM_URL=<the SIM_URL it printed>"
        ),
    }
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &JsValue) -> Promise;
    type Resp;
    #[wasm_bindgen(method, getter)]
    fn status(this: &Resp) -> u16;
    #[wasm_bindgen(method)]
    fn text(this: &Resp) -> Promise;
}

// Sessions every test starts from (ids/hashes fixed so assertions can name them).
pub const A1: &str = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
pub const A2: &str = "018d3131-0bf6-71c2-be17-999f062b8312";
pub const E1: &str = "e7acacb6aedbab70073456da5744166939b77527";
const FIXTURE: &str = r#"{"sessions":[
 {"id":"101","user":"Admin","origin_ip":"172.16.20.125","credential":"usrdomadm01","device":"10.66.33.15:3389","protocol":"rdp","proxy":"RDP Proxy","session_id":"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1","start":"2024-05-06 10:00:00","end":null,"time":"00:10:00"},
 {"id":"102","user":"maria","origin_ip":"172.16.20.126","credential":"root","device":"10.66.33.16:22","protocol":"ssh","proxy":"SSH Proxy","session_id":"018d3131-0bf6-71c2-be17-999f062b8312","start":"2024-05-06 11:00:00","end":null,"time":"00:05:00"},
 {"id":"103","user":"joao","origin_ip":"172.16.20.127","credential":"usr03","device":"10.66.33.17:3389","protocol":"rdp","proxy":"RDP Proxy","session_id":"e7acacb6aedbab70073456da5744166939b77527","start":"2024-05-06 09:00:00","end":"2024-05-06 09:30:00","time":"00:30:00"}
]}"#;

async fn await_js(p: Promise) -> JsValue {
    match JsFuture::from(p).await {
        Ok(v) => v,
        Err(e) => panic!("promise rejected: {}", show(&e)),
    }
}

/// Raw HTTP to the simulator. Bodies go as text/plain: simple CORS requests, no preflight.
async fn http(method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let init = js_sys::Object::new();
    Reflect::set(&init, &"method".into(), &method.into()).unwrap();
    if let Some(b) = body {
        Reflect::set(&init, &"body".into(), &b.into()).unwrap();
    }
    let url = format!("{}{}", sim(), path);
    let resp: Resp = match JsFuture::from(global_fetch(&url, &init)).await {
        Ok(r) => r.unchecked_into(),
        Err(e) => panic!(
            "cannot reach the simulator at {url} ({}); is `session-drop-sim --cors` running?",
            show(&e)
        ),
    };
    let status = resp.status();
    let text = await_js(resp.text()).await.as_string().unwrap_or_default();
    (status, text)
}

/// POST to a control endpoint; panics unless it answers 200.
pub async fn control(path: &str, body: &str) -> JsValue {
    let (status, text) = http("POST", path, Some(body)).await;
    assert_eq!(status, 200, "POST {path} {body} -> {status} {text}");
    JSON::parse(&text).unwrap_or(JsValue::NULL)
}

/// Fresh simulator state: default config (release api), the three FIXTURE sessions, empty log.
pub async fn reset() {
    control("/__sim/reset", "").await;
    control("/__sim/sessions", FIXTURE).await;
    control("/__sim/config", r#"{"timeout_hang_ms":3000}"#).await;
    control("/__sim/requests/clear", "").await;
}

/// `(method, path)` of every A2A request the simulator received (CORS preflights left out).
pub async fn requests() -> Vec<(String, String)> {
    let (status, text) = http("GET", "/__sim/requests", None).await;
    assert_eq!(status, 200, "GET /__sim/requests -> {status}");
    let arr: Array = JSON::parse(&text)
        .expect("request log JSON")
        .unchecked_into();
    arr.iter()
        .map(|r| (get_str(&r, "method"), get_str(&r, "path")))
        .filter(|(m, _)| m != "OPTIONS")
        .collect()
}

pub fn count(log: &[(String, String)], method: &str, path_prefix: &str) -> usize {
    log.iter()
        .filter(|(m, p)| m == method && p.starts_with(path_prefix))
        .count()
}

pub const TOKEN_PATH: &str = "/iso/oauth2/token";

pub fn show(v: &JsValue) -> String {
    JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| format!("{v:?}"))
}

pub fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

pub fn get_str(v: &JsValue, key: &str) -> String {
    get(v, key).as_string().unwrap_or_default()
}

pub fn get_num(v: &JsValue, key: &str) -> f64 {
    get(v, key).as_f64().unwrap_or(f64::NAN)
}

pub fn obj(json: &str) -> JsValue {
    JSON::parse(json).unwrap_or_else(|_| panic!("bad test JSON {json}"))
}

/// A client for the simulator; `extra` is appended to the options object (`,"k":v…`).
pub fn client(extra: &str) -> DropClient {
    let cfg = obj(&format!(
        r#"{{"serverUrl":"{}","clientId":"demo-client","clientSecret":"demo-secret"{extra}}}"#,
        sim()
    ));
    match DropClient::new(cfg) {
        Ok(c) => c,
        Err(e) => panic!("DropClient refused the config: {}", show(&e)),
    }
}

pub async fn drop_hash(c: &DropClient, id: &str) -> JsValue {
    await_js(c.drop(obj(&format!(r#"{{"kind":"hash","value":"{id}"}}"#)))).await
}

/// Asserts the Report shape of docs/DESIGN.md §2 and the expected kind.
pub fn expect_kind(rep: &JsValue, kind: &str) {
    assert_eq!(get_str(rep, "kind"), kind, "report: {}", show(rep));
    let ok = matches!(kind, "dropped" | "connected" | "resolved");
    assert_eq!(get(rep, "ok").as_bool(), Some(ok), "report: {}", show(rep));
    for key in [
        "status",
        "next",
        "sessionId",
        "rowId",
        "generation",
        "attempts",
        "tokenRenewed",
        "serverMessage",
        "params",
    ] {
        assert!(
            Reflect::has(rep, &key.into()).unwrap_or(false),
            "report lacks {key}: {}",
            show(rep)
        );
    }
    assert!(
        !Reflect::has(rep, &"message".into()).unwrap_or(true),
        "no message any more: {}",
        show(rep)
    );
    assert!(get(rep, "params").is_object(), "params: {}", show(rep));
}

fn now() -> f64 {
    js_sys::Date::now()
}

// ---------------------------------------------------------------------------------------------
// The tests (each wrapped by `wasm_suite!` in the suite files)

pub async fn drop_succeeds_and_token_is_reused() {
    reset().await;
    let c = client("");
    let r1 = drop_hash(&c, A1).await;
    expect_kind(&r1, "dropped");
    assert_eq!(get_num(&r1, "status"), 200.0);
    assert_eq!(get_str(&r1, "next"), "done");
    assert_eq!(get_str(&r1, "sessionId"), A1);
    assert_eq!(get_str(&r1, "generation"), "api");
    assert_eq!(get_num(&r1, "attempts"), 1.0);
    assert_eq!(get(&r1, "tokenRenewed").as_bool(), Some(false));
    let r2 = drop_hash(&c, A2).await;
    expect_kind(&r2, "dropped");
    let log = requests().await;
    assert_eq!(
        count(&log, "POST", TOKEN_PATH),
        1,
        "one token for two drops: {log:?}"
    );
    assert_eq!(
        count(&log, "DELETE", "/api/pam/session/drop/"),
        2,
        "{log:?}"
    );
    assert_eq!(log.len(), 3, "nothing else sent: {log:?}");
    assert!(log.contains(&("DELETE".into(), format!("/api/pam/session/drop/{A2}"))));
    // The token is in the state, ready to persist.
    let st = c.state();
    assert!(
        !get_str(&get(&st, "token"), "accessToken").is_empty(),
        "{}",
        show(&st)
    );
    assert!(get_num(&get(&st, "token"), "expiresAtMs") > now());
}

pub async fn expired_token_is_renewed_once_and_drop_retried() {
    reset().await;
    let c = client("");
    expect_kind(&drop_hash(&c, A1).await, "dropped");
    control("/__sim/expire-tokens", "").await;
    let r = drop_hash(&c, A2).await;
    expect_kind(&r, "dropped");
    assert_eq!(
        get(&r, "tokenRenewed").as_bool(),
        Some(true),
        "{}",
        show(&r)
    );
    assert_eq!(get_num(&r, "attempts"), 2.0, "{}", show(&r));
    let log = requests().await;
    assert_eq!(
        count(&log, "POST", TOKEN_PATH),
        2,
        "exactly one renewal: {log:?}"
    );
    let a2 = format!("/api/pam/session/drop/{A2}");
    assert_eq!(
        log.iter()
            .filter(|(m, p)| m == "DELETE" && *p == a2)
            .count(),
        2,
        "{log:?}"
    );
}

pub async fn refused_renewal_is_reported_not_looped() {
    reset().await;
    let c = client("");
    control(
        "/__sim/behaviour",
        &format!(r#"{{"session_id":"{A1}","behaviour":"auth_failed"}}"#),
    )
    .await;
    let r = drop_hash(&c, A1).await;
    expect_kind(&r, "auth_failed");
    assert_eq!(get(&r, "tokenRenewed").as_bool(), Some(true));
    let log = requests().await;
    assert_eq!(count(&log, "POST", TOKEN_PATH), 2, "{log:?}");
    assert_eq!(count(&log, "DELETE", "/"), 2, "one retry only: {log:?}");
}

pub async fn timeout_is_reported_within_the_configured_time() {
    reset().await;
    let c = client(r#","timeoutMs":1000"#);
    control(
        "/__sim/behaviour",
        &format!(r#"{{"session_id":"{A1}","behaviour":"timeout"}}"#),
    )
    .await;
    let t0 = now();
    let r = drop_hash(&c, A1).await;
    let elapsed = now() - t0;
    expect_kind(&r, "timeout");
    assert_eq!(get(&r, "status"), JsValue::NULL, "{}", show(&r));
    assert!(
        (900.0..2500.0).contains(&elapsed),
        "timeout after {elapsed} ms, expected ~1000"
    );
    let log = requests().await;
    assert_eq!(
        count(&log, "DELETE", "/"),
        1,
        "a timeout is not retried: {log:?}"
    );
}

pub async fn already_ended_session() {
    reset().await;
    let c = client("");
    let r = drop_hash(&c, E1).await;
    expect_kind(&r, "already_ended");
    assert_eq!(get_num(&r, "status"), 500.0);
    assert!(!get_str(&r, "serverMessage").is_empty(), "{}", show(&r));
    // Dropping twice: the second one finds it ended.
    expect_kind(&drop_hash(&c, A1).await, "dropped");
    expect_kind(&drop_hash(&c, A1).await, "already_ended");
}

pub async fn iso_release_auto_falls_back_and_remembers() {
    reset().await;
    control("/__sim/config", r#"{"release":"iso"}"#).await;
    let c = client(r#","generation":"auto""#);
    let r = drop_hash(&c, A1).await;
    expect_kind(&r, "dropped");
    assert_eq!(get_str(&r, "generation"), "iso", "{}", show(&r));
    assert_eq!(get_num(&r, "attempts"), 2.0, "{}", show(&r));
    assert_eq!(get_str(&c.state(), "generation"), "iso");
    control("/__sim/requests/clear", "").await;
    let r2 = drop_hash(&c, A2).await;
    expect_kind(&r2, "dropped");
    assert_eq!(get_num(&r2, "attempts"), 1.0, "remembered: {}", show(&r2));
    let log = requests().await;
    assert_eq!(
        log,
        vec![("DELETE".to_string(), format!("/iso/session/drop/{A2}"))]
    );
    // The remembered generation survives a restart through state()/restoreState().
    let c2 = client("");
    assert!(c2.restore_state(c.state()));
    control("/__sim/requests/clear", "").await;
    control(
        "/__sim/sessions",
        &FIXTURE.replace(r#""end":null"#, r#""end":"""#),
    )
    .await;
    let r3 = drop_hash(&c2, A1).await;
    expect_kind(&r3, "dropped");
    let log = requests().await;
    assert_eq!(
        count(&log, "POST", TOKEN_PATH),
        0,
        "restored token reused: {log:?}"
    );
    assert_eq!(
        log,
        vec![("DELETE".to_string(), format!("/iso/session/drop/{A1}"))]
    );
}

pub async fn fixed_generation_does_not_fall_back() {
    reset().await;
    control("/__sim/config", r#"{"release":"iso"}"#).await;
    let c = client(r#","generation":"api""#);
    let r = drop_hash(&c, A1).await;
    expect_kind(&r, "resource_not_found");
    assert_eq!(get_num(&r, "attempts"), 1.0, "{}", show(&r));
    assert_eq!(get_str(&r, "generation"), "api");
}

pub async fn list_active_returns_only_active_sessions() {
    reset().await;
    let c = client("");
    let res = await_js(c.list_active(obj("{}"))).await;
    assert_eq!(get(&res, "ok").as_bool(), Some(true), "{}", show(&res));
    assert_eq!(get_num(&res, "total"), 3.0, "{}", show(&res));
    assert_eq!(get_num(&res, "activeCount"), 2.0);
    let sessions: Array = get(&res, "sessions").unchecked_into();
    assert_eq!(sessions.length(), 2);
    let first = sessions.get(0);
    // Newest first; camelCase keys; end null while active.
    assert_eq!(get_str(&first, "sessionId"), A2);
    assert_eq!(get_str(&first, "id"), "102");
    assert_eq!(get_str(&first, "originIp"), "172.16.20.126");
    assert_eq!(get_str(&first, "device"), "10.66.33.16:22");
    assert_eq!(get(&first, "end"), JsValue::NULL);
    assert_eq!(get_str(&sessions.get(1), "sessionId"), A1);
    // limit caps the array, not the count.
    let res = await_js(c.list_active(obj(r#"{"limit":1}"#))).await;
    assert_eq!(get_num(&res, "activeCount"), 2.0);
    assert_eq!(Array::from(&get(&res, "sessions")).length(), 1);
    // A drop, then the list shrinks.
    expect_kind(&drop_hash(&c, A1).await, "dropped");
    let res = await_js(c.list_active(JsValue::UNDEFINED)).await;
    assert_eq!(get_num(&res, "activeCount"), 1.0, "{}", show(&res));
}

pub async fn invalid_ids_are_rejected_without_a_request() {
    reset().await;
    let c = client("");
    for (kind, value) in [
        ("hash", "../etc/passwd"),
        ("hash", "a/b"),
        ("hash", "abc?x=1"),
        ("hash", "abc#frag"),
        ("hash", "%2e%2e"),
        ("hash", "has space"),
        ("hash", ""),
        ("hash", "sessão"),
        ("row", "12a"),
        ("row", "-1"),
    ] {
        let r = await_js(c.drop(obj(&format!(r#"{{"kind":"{kind}","value":"{value}"}}"#)))).await;
        expect_kind(&r, "invalid_session_ref");
        let chk = check_session_ref(obj(&format!(r#"{{"kind":"{kind}","value":"{value}"}}"#)));
        assert_eq!(get(&chk, "ok").as_bool(), Some(false), "{kind} {value:?}");
        assert_eq!(get_str(&chk, "kind"), "invalid_session_ref");
        assert!(!get_str(&get(&chk, "params"), "reason").is_empty());
    }
    let r = await_js(c.resolve("1e3".into())).await;
    expect_kind(&r, "invalid_session_ref");
    let log = requests().await;
    assert!(log.is_empty(), "no request for invalid ids: {log:?}");
    let ok = check_session_ref(obj(r#"{"kind":"hash","value":"abc-DEF_1.2~x"}"#));
    assert_eq!(get(&ok, "ok").as_bool(), Some(true), "{}", show(&ok));
}

pub async fn row_id_is_resolved_then_dropped() {
    reset().await;
    let c = client("");
    let r = await_js(c.resolve("101".into())).await;
    expect_kind(&r, "resolved");
    assert_eq!(get_str(&r, "sessionId"), A1);
    assert_eq!(get_str(&r, "rowId"), "101");
    let r = await_js(c.drop(obj(r#"{"kind":"row","value":102}"#))).await;
    expect_kind(&r, "dropped");
    assert_eq!(get_str(&r, "sessionId"), A2);
    assert_eq!(get_str(&r, "rowId"), "102");
    let r = await_js(c.resolve(JsValue::from_f64(999.0))).await;
    expect_kind(&r, "session_not_found");
}

pub async fn test_connection_and_bad_credentials() {
    reset().await;
    let c = client("");
    let r = await_js(c.test_connection()).await;
    expect_kind(&r, "connected");
    // The probe DELETE of an id that cannot exist says drops are allowed.
    assert_eq!(
        get_str(&get(&r, "params"), "canDrop"),
        "yes",
        "{}",
        show(&r)
    );
    let log = requests().await;
    assert_eq!(
        count(
            &log,
            "DELETE",
            "/api/pam/session/drop/0000000000000000000000000000000000000000"
        ),
        1,
        "{log:?}"
    );
    control("/__sim/requests/clear", "").await;
    let bad = DropClient::new(obj(&format!(
        r#"{{"serverUrl":"{}","clientId":"demo-client","clientSecret":"wrong","lang":"pt-BR"}}"#,
        sim()
    )))
    .unwrap_or_else(|e| panic!("{}", show(&e)));
    let r = await_js(bad.test_connection()).await;
    expect_kind(&r, "auth_failed");
    let r = drop_hash(&bad, A1).await;
    expect_kind(&r, "auth_failed");
    let log = requests().await;
    assert_eq!(
        count(&log, "DELETE", "/"),
        0,
        "no DELETE without a token: {log:?}"
    );
    // Basic auth style works too.
    let basic = client(r#","tokenAuth":"basic""#);
    expect_kind(&await_js(basic.test_connection()).await, "connected");
}

pub async fn network_error_is_reported() {
    let c = DropClient::new(obj(
        r#"{"serverUrl":"http://127.0.0.1:9","clientId":"a","clientSecret":"b","timeoutMs":5000}"#,
    ))
    .unwrap_or_else(|e| panic!("{}", show(&e)));
    let r = drop_hash(&c, A1).await;
    expect_kind(&r, "network");
    assert_eq!(get(&r, "status"), JsValue::NULL);
}

pub async fn config_errors_throw_report_objects() {
    for (cfg, why) in [
        (
            r#"{"serverUrl":"http://pam.example.com","clientId":"a","clientSecret":"b"}"#,
            "http off loopback",
        ),
        (
            r#"{"serverUrl":"https://pam.example.com","clientId":"","clientSecret":"b"}"#,
            "empty client id",
        ),
        (
            r#"{"serverUrl":"https://pam.example.com","clientId":"a","clientSecret":"b","generation":"v9"}"#,
            "bad generation",
        ),
        (
            r#"{"serverUrl":"https://pam.example.com","clientId":"a","clientSecret":"b","timeoutMs":"fast"}"#,
            "bad timeout",
        ),
        (
            r#"{"serverUrl":"https://pam.example.com","clientId":"a","clientSecret":"b","tokenAuth":"jwt"}"#,
            "bad tokenAuth",
        ),
        (
            r#"{"serverUrl":"https://u:p@pam.example.com","clientId":"a","clientSecret":"b"}"#,
            "userinfo",
        ),
        ("null", "not an object"),
    ] {
        match DropClient::new(obj(cfg)) {
            Ok(_) => panic!("accepted ({why}): {cfg}"),
            Err(e) => {
                expect_kind(&e, "invalid_config");
                assert!(
                    !get_str(&get(&e, "params"), "field").is_empty(),
                    "{why}: {}",
                    show(&e)
                );
            }
        }
    }
    let u = check_server_url(" HTTPS://PAM.Example.com:8443/pam/ ");
    assert_eq!(get(&u, "ok").as_bool(), Some(true), "{}", show(&u));
    assert_eq!(get_str(&u, "base"), "https://pam.example.com:8443/pam");
    assert_eq!(get_str(&u, "origin"), "https://pam.example.com:8443");
    assert_eq!(get_str(&u, "matchPattern"), "https://pam.example.com/*");
    let bad = check_server_url("https://pam.example.com/?x#y");
    assert_eq!(get(&bad, "ok").as_bool(), Some(false));
    assert_eq!(get_str(&bad, "kind"), "invalid_config");
    assert_eq!(get_str(&get(&bad, "params"), "field"), "serverUrl");
    assert_eq!(
        get_str(&get(&bad, "params"), "reason"),
        "fragment",
        "{}",
        show(&bad)
    );
}

pub async fn curl_and_state() {
    reset().await;
    let c = client("");
    let curl = c
        .curl(obj(&format!(r#"{{"kind":"hash","value":"{A1}"}}"#)), None)
        .unwrap_or_else(|e| panic!("{}", show(&e)));
    assert!(
        curl.contains(&format!("{}/api/pam/session/drop/{A1}", sim())),
        "{curl}"
    );
    assert!(curl.contains("DELETE"), "{curl}");
    assert!(c.curl(obj(r#"{"kind":"row","value":"1"}"#), None).is_err());
    assert!(c
        .curl(obj(r#"{"kind":"hash","value":"a b"}"#), None)
        .is_err());
    expect_kind(&drop_hash(&c, E1).await, "already_ended");
    // state() -> restoreState() round trip; malformed states are refused.
    let st = c.state();
    let c2 = client("");
    assert!(c2.restore_state(st.clone()));
    assert_eq!(show(&c2.state()), show(&st));
    assert!(!c2.restore_state(obj(r#"{"token":{"accessToken":5}}"#)));
    assert!(!c2.restore_state(obj(r#"{"generation":"v2"}"#)));
    assert!(c2.restore_state(obj(r#"{"token":null,"generation":null}"#)));
    assert_eq!(get(&c2.state(), "token"), JsValue::NULL);
}

pub async fn lookup_returns_the_session() {
    reset().await;
    let c = client("");
    let r = await_js(c.lookup(obj(r#"{"kind":"row","value":"102"}"#))).await;
    assert_eq!(get(&r, "ok").as_bool(), Some(true), "{}", show(&r));
    let s = get(&r, "session");
    assert_eq!(get_str(&s, "sessionId"), A2);
    assert_eq!(get_str(&s, "user"), "maria");
    let r = await_js(c.lookup(obj(r#"{"kind":"row","value":"999"}"#))).await;
    expect_kind(&r, "session_not_found");
    let r = await_js(c.lookup(obj(&format!(r#"{{"kind":"hash","value":"{A1}"}}"#)))).await;
    expect_kind(&r, "invalid_session_ref");
}

pub async fn list_progress_and_caps() {
    reset().await;
    control("/__sim/sessions", r#"{"generate":3000,"active_every":10}"#).await;
    control("/__sim/config", r#"{"list_delay_ms":300}"#).await;
    let c = client("");
    let calls = std::rc::Rc::new(std::cell::RefCell::new(Vec::<(f64, JsValue)>::new()));
    let sink = calls.clone();
    let cb = Closure::<dyn FnMut(f64, JsValue)>::new(move |read: f64, total: JsValue| {
        sink.borrow_mut().push((read, total));
    });
    let opts = obj(r#"{"limit":5,"timeoutMs":20000}"#);
    Reflect::set(&opts, &"onProgress".into(), cb.as_ref()).unwrap();
    let res = await_js(c.list_active(opts)).await;
    assert_eq!(get(&res, "ok").as_bool(), Some(true), "{}", show(&res));
    assert_eq!(get_num(&res, "total"), 3000.0);
    assert_eq!(get_num(&res, "activeCount"), 300.0);
    assert_eq!(Array::from(&get(&res, "sessions")).length(), 5);
    let calls: Vec<(f64, JsValue)> = calls.borrow().clone();
    assert!(!calls.is_empty(), "onProgress was called");
    let (last, total) = calls.last().unwrap().clone();
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0), "monotonic");
    assert!(last > 500_000.0, "{last}");
    // The total is the Content-Length when the answer has one (the simulator streams big
    // answers chunked: null).
    assert!(
        total.is_null() || total.as_f64() == Some(last),
        "total {total:?}, read {last}"
    );
    // A list larger than maxBytes is refused with too_large.
    let res = await_js(c.list_active(obj(r#"{"maxBytes":100000}"#))).await;
    expect_kind(&res, "too_large");
    assert_eq!(get_str(&get(&res, "params"), "call"), "list");
    assert_eq!(get_num(&get(&res, "params"), "limit"), 100000.0);
    // A list slower than its timeout times out.
    control("/__sim/config", r#"{"list_delay_ms":3000}"#).await;
    let res = await_js(c.list_active(obj(r#"{"timeoutMs":1000}"#))).await;
    expect_kind(&res, "timeout");
}

pub async fn redirects_are_not_followed() {
    reset().await;
    let to = format!("{}/moved/iso/oauth2/token", sim());
    control(
        "/__sim/config",
        &format!(
            r#"{{"redirect":{{"path_prefix":"/iso/oauth2/token","status":307,"location":"{to}"}}}}"#
        ),
    )
    .await;
    let c = client("");
    let r = drop_hash(&c, A1).await;
    expect_kind(&r, "redirect");
    assert_eq!(
        get_str(&get(&r, "params"), "location"),
        sim(),
        "{}",
        show(&r)
    );
    let log = requests().await;
    // The POST (with the secret) went to the configured URL only; the probe carried nothing.
    assert_eq!(count(&log, "POST", "/moved"), 0, "{log:?}");
    assert_eq!(count(&log, "POST", TOKEN_PATH), 1, "{log:?}");
    assert_eq!(count(&log, "GET", TOKEN_PATH), 1, "one probe: {log:?}");
    assert_eq!(
        count(&log, "GET", "/moved/"),
        1,
        "the probe followed: {log:?}"
    );
    assert_eq!(count(&log, "DELETE", "/"), 0, "{log:?}");
    let (_, text) = http("GET", "/__sim/requests", None).await;
    let probe_has_secret = text.matches("demo-secret").count();
    assert_eq!(
        probe_has_secret, 1,
        "only the POST body holds the secret: {text}"
    );
}

pub async fn big_error_bodies_are_refused() {
    reset().await;
    control("/__sim/config", r#"{"error_body_bytes":2000000}"#).await;
    let c = client("");
    let t0 = now();
    let r = drop_hash(&c, E1).await;
    expect_kind(&r, "too_large");
    assert_eq!(get_str(&get(&r, "params"), "call"), "drop");
    assert_eq!(get_num(&get(&r, "params"), "limit"), 65536.0);
    assert!(now() - t0 < 5000.0);
}

pub async fn unreadable_token_bodies_are_never_quoted() {
    for mode in ["php_notice", "lone_surrogate", "garbage_2xx"] {
        reset().await;
        control("/__sim/config", &format!(r#"{{"token_body":"{mode}"}}"#)).await;
        let c = client("");
        for r in [drop_hash(&c, A1).await, await_js(c.test_connection()).await] {
            expect_kind(&r, "token_unreadable");
            assert_eq!(
                get(&r, "serverMessage"),
                JsValue::NULL,
                "{mode}: {}",
                show(&r)
            );
            assert!(!show(&r).contains("eyJ"), "{mode}: {}", show(&r));
        }
        assert_eq!(count(&requests().await, "DELETE", "/"), 0);
    }
}

pub async fn bom_token_is_accepted() {
    for mode in ["bom", "huge_expires"] {
        reset().await;
        control("/__sim/config", &format!(r#"{{"token_body":"{mode}"}}"#)).await;
        let c = client("");
        expect_kind(&drop_hash(&c, A1).await, "dropped");
        // huge_expires is clamped to 7 days.
        let exp = get_num(&get(&c.state(), "token"), "expiresAtMs");
        assert!(exp <= now() + 7.0 * 86_400_000.0 + 1000.0, "{mode}: {exp}");
    }
}

/// Defines one `#[wasm_bindgen_test]` per shared test.
macro_rules! wasm_suite {
    ($($name:ident),* $(,)?) => {
        $(
            #[wasm_bindgen_test::wasm_bindgen_test]
            async fn $name() {
                shared::$name().await
            }
        )*
    };
}

/// The whole shared suite, for each runner (window, service worker).
macro_rules! whole_suite {
    () => {
        shared::wasm_suite!(
            drop_succeeds_and_token_is_reused,
            expired_token_is_renewed_once_and_drop_retried,
            refused_renewal_is_reported_not_looped,
            timeout_is_reported_within_the_configured_time,
            already_ended_session,
            iso_release_auto_falls_back_and_remembers,
            fixed_generation_does_not_fall_back,
            list_active_returns_only_active_sessions,
            invalid_ids_are_rejected_without_a_request,
            row_id_is_resolved_then_dropped,
            test_connection_and_bad_credentials,
            network_error_is_reported,
            config_errors_throw_report_objects,
            curl_and_state,
            lookup_returns_the_session,
            list_progress_and_caps,
            redirects_are_not_followed,
            big_error_bodies_are_refused,
            unreadable_token_bodies_are_never_quoted,
            bom_token_is_accepted,
        );
    };
}
pub(crate) use {wasm_suite, whole_suite};
