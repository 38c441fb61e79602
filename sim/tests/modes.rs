//! docs/DESIGN.md §4: the simulator's answer modes (`token_body`, `redirect`, `list_delay_ms`,
//! `error_body_bytes`), each set through `POST /__sim/config`.

mod common;

use common::http;
use common::*;
use std::time::Instant;

const FORM: &str = "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret";

fn token_answer(sim: &session_drop_sim::Simulator) -> http::Response {
    http::post_form(&format!("{}/iso/oauth2/token", sim.base_url()), FORM).expect("request")
}

fn config(sim: &session_drop_sim::Simulator, json: &str) {
    let r = post_json(sim, "/__sim/config", json);
    assert_eq!(r.status, 200, "{json}: {}", r.text());
}

#[test]
fn token_body_modes() {
    let sim = start();
    let normal = token_answer(&sim);
    assert_eq!(normal.status, 200);
    assert!(normal.body.starts_with(b"{") && normal.json()["access_token"].is_string());

    config(&sim, r#"{"token_body":"bom"}"#);
    let r = token_answer(&sim);
    assert!(r.body.starts_with(b"\xEF\xBB\xBF{"), "{}", r.text());
    assert!(r.body.ends_with(b"}\r\n"));
    let json: serde_json::Value =
        serde_json::from_slice(r.body[3..].trim_ascii()).expect("valid JSON after the BOM");
    let tok = json["access_token"].as_str().unwrap().to_string();
    // The token it carries is a real one.
    assert_eq!(drop_api(&sim, &active_hash(&sim), &tok).status, 200);

    config(&sim, r#"{"token_body":"php_notice"}"#);
    let t = token_answer(&sim).text();
    assert!(
        t.starts_with(r#"{"token_type":"Bearer""#) && t.contains("}\n<br />\n<b>Notice</b>"),
        "{t}"
    );

    config(&sim, r#"{"token_body":"huge_expires"}"#);
    let t = token_answer(&sim).text();
    assert!(t.contains(r#""expires_in":1e400"#), "{t}");

    config(&sim, r#"{"token_body":"lone_surrogate"}"#);
    let t = token_answer(&sim).text();
    assert!(t.contains(r#"\ud800""#), "{t}");
    assert!(
        serde_json::from_str::<serde_json::Value>(&t).is_err(),
        "{t}"
    );

    config(&sim, r#"{"token_body":"garbage_2xx"}"#);
    let r = token_answer(&sim);
    assert_eq!(r.status, 200);
    let t = r.text();
    assert!(
        t.starts_with("<br />") && t.contains(r#"{"access_token":""#),
        "{t}"
    );
    assert!(serde_json::from_str::<serde_json::Value>(&t).is_err());

    config(&sim, r#"{"token_body":"normal"}"#);
    assert!(token_answer(&sim).body.starts_with(b"{"));
    let r = post_json(&sim, "/__sim/config", r#"{"token_body":"weird"}"#);
    assert_eq!(r.status, 400);
}

#[test]
fn redirect_rule() {
    let sim = start();
    let to = format!("{}/elsewhere/iso/oauth2/token", sim.base_url());
    config(
        &sim,
        &format!(
            r#"{{"redirect":{{"path_prefix":"/iso/oauth2/token","status":307,"location":"{to}"}}}}"#
        ),
    );
    let r = token_answer(&sim);
    assert_eq!(r.status, 307);
    assert_eq!(r.header("location"), Some(to.as_str()));
    // Other paths are not redirected; the redirected request is logged with its body.
    let tok_status = drop_api(&sim, "x", "nope").status;
    assert_ne!(tok_status, 307);
    let log = sim.requests();
    let logged = log
        .iter()
        .find(|q| q.path == "/iso/oauth2/token")
        .expect("logged");
    assert!(logged.body.contains("client_secret=demo-secret"));
    assert!(logged.header("content-type").is_some());
    config(&sim, r#"{"redirect":null}"#);
    assert_eq!(token_answer(&sim).status, 200);
    let r = post_json(
        &sim,
        "/__sim/config",
        r#"{"redirect":{"path_prefix":"/","status":200,"location":"x"}}"#,
    );
    assert_eq!(r.status, 400);
}

#[test]
fn list_delay() {
    let sim = start();
    let tok = token(&sim);
    config(&sim, r#"{"list_delay_ms":400}"#);
    let t0 = Instant::now();
    let r = http::get_bearer(
        &format!("{}/api/pam/session/remotesessions", sim.base_url()),
        &tok,
    )
    .unwrap();
    assert_eq!(r.status, 200);
    assert!(t0.elapsed().as_millis() >= 400, "{:?}", t0.elapsed());
    // list-one is not delayed.
    let t0 = Instant::now();
    let row = sim.state().sessions[0].id.clone();
    let r = http::get_bearer(
        &format!("{}/api/pam/session/remotesessions/{row}", sim.base_url()),
        &tok,
    )
    .unwrap();
    assert_eq!(r.status, 200);
    assert!(t0.elapsed().as_millis() < 400);
}

#[test]
fn error_body_padding() {
    let sim = start();
    let tok = token(&sim);
    config(&sim, r#"{"error_body_bytes":200000}"#);
    let r = drop_api(&sim, "does-not-exist", &tok);
    assert_eq!(r.status, 500);
    assert_eq!(r.body.len(), 200_000);
    let v: serde_json::Value = serde_json::from_slice(&r.body).expect("still JSON");
    assert_eq!(v["response"]["error"], true);
    // A success is not padded.
    let r = drop_api(&sim, &active_hash(&sim), &tok);
    assert_eq!(r.status, 200);
    assert!(r.body.len() < 1000);
}
