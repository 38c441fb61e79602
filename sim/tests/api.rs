//! The A2A side: token, drop (both generations), lists, behaviours, latency, CORS, log.

mod common;

use common::http::{self, request, request_timeout};
use common::*;
use session_drop_sim::util::{base64_encode, percent_encode};
use session_drop_sim::{Behaviour, Grant, Release, SimSession};
use std::time::{Duration, Instant};

fn token_url(sim: &session_drop_sim::Simulator) -> String {
    format!("{}/iso/oauth2/token", sim.base_url())
}

#[test]
fn token_form_good() {
    let sim = start();
    let r = http::post_form(
        &token_url(&sim),
        "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret",
    )
    .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let text = r.text();
    assert!(
        text.starts_with(r#"{"token_type":"Bearer","expires_in":3600,"access_token":""#),
        "{text}"
    );
    let tok = r.json()["access_token"].as_str().unwrap().to_string();
    assert!(tok.len() > 40);
    assert!(sim.state().tokens.contains_key(&tok));
    // Tokens are distinct.
    assert_ne!(tok, token(&sim));
}

#[test]
fn token_form_percent_decoding_and_ttl() {
    let sim = start_with(|c| {
        c.client_id = "app id+1".into();
        c.client_secret = "s3cr+t/=&é".into();
        c.token_ttl_s = 5;
    });
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        "app+id%2B1",
        percent_encode("s3cr+t/=&é")
    );
    let r = http::post_form(&token_url(&sim), &form).unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["expires_in"], 5);
}

#[test]
fn token_bad_credentials() {
    let sim = start();
    for form in [
        "grant_type=client_credentials&client_id=demo-client&client_secret=nope",
        "grant_type=client_credentials&client_id=other&client_secret=demo-secret",
        "grant_type=client_credentials",
    ] {
        let r = http::post_form(&token_url(&sim), form).unwrap();
        assert_eq!(r.status, 401, "{form}");
        assert_eq!(
            r.text(),
            r#"{"error":"invalid_client","error_description":"Client authentication failed"}"#
        );
    }
}

#[test]
fn token_basic() {
    let sim = start();
    let good = format!("Basic {}", base64_encode(b"demo-client:demo-secret"));
    let r = request(
        "POST",
        &token_url(&sim),
        &[
            ("Authorization", &good),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        Some(b"grant_type=client_credentials"),
    )
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["token_type"], "Bearer");

    let bad = format!("Basic {}", base64_encode(b"demo-client:wrong"));
    let r = request(
        "POST",
        &token_url(&sim),
        &[("Authorization", &bad)],
        Some(b"grant_type=client_credentials"),
    )
    .unwrap();
    assert_eq!(r.status, 401);
    assert!(r.text().contains("Client authentication failed"));
}

#[test]
fn token_grant_type_required() {
    let sim = start();
    for form in [
        "client_id=demo-client&client_secret=demo-secret",
        "grant_type=password&client_id=demo-client&client_secret=demo-secret",
    ] {
        let r = http::post_form(&token_url(&sim), form).unwrap();
        assert_eq!(r.status, 400);
        assert_eq!(r.json()["error"], "unsupported_grant_type");
    }
}

#[test]
fn drop_api_release_success_then_already_ended() {
    let sim = start();
    let tok = token(&sim);
    let id = active_hash(&sim);
    assert!(sim.session(&id).unwrap().is_active());
    let r = drop_api(&sim, &id, &tok);
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), DROP_OK_API);
    let s = sim.session(&id).unwrap();
    assert!(!s.is_active());
    assert!(s.end.unwrap().starts_with("20"));
    // Second drop of the same session.
    let r = drop_api(&sim, &id, &tok);
    assert_eq!(r.status, 500);
    assert_eq!(
        r.text(),
        r#"{"code":500,"response":{"status":500,"message":"An error occurred while droping session","error":true,"error_code":1,"detail":"","mensagem":"Ocorreu um erro ao encerrar a sessão","erro":true,"cod_erro":1}}"#
    );
}

#[test]
fn drop_iso_release_success_verbatim() {
    let sim = start_with(|c| c.release = Release::Iso);
    let tok = token(&sim);
    let id = active_hash(&sim);
    let r = drop_iso(&sim, &id, &tok);
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), DROP_OK_ISO);
    assert!(!sim.session(&id).unwrap().is_active());
}

#[test]
fn wrong_generation_is_resource_sub_not_found() {
    let sim = start();
    let tok = token(&sim);
    let id = active_hash(&sim);
    for auth in [true, false] {
        let r = if auth {
            drop_iso(&sim, &id, &tok)
        } else {
            request(
                "DELETE",
                &format!("{}/iso/session/drop/{id}", sim.base_url()),
                &[],
                None,
            )
            .unwrap()
        };
        assert_eq!(r.status, 404);
        let j = r.json();
        assert_eq!(j["code"], 404);
        assert_eq!(j["response"]["message"], "Resource sub not found");
        assert_eq!(j["response"]["error"], true);
        assert_eq!(j["response"]["error_code"], 4);
    }
    assert!(sim.session(&id).unwrap().is_active());
    // And the other way round.
    sim.update(|s| s.release = Release::Iso);
    let r = drop_api(&sim, &id, &tok);
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["response"]["error_code"], 4);
    let r = drop_iso(&sim, &id, &tok);
    assert_eq!(r.text(), DROP_OK_ISO);
}

#[test]
fn missing_authorization_is_bare_no_route() {
    let sim = start();
    let id = active_hash(&sim);
    let r = request(
        "DELETE",
        &format!("{}/api/pam/session/drop/{id}", sim.base_url()),
        &[],
        None,
    )
    .unwrap();
    assert_eq!(r.status, 404);
    assert_eq!(r.text(), NO_ROUTE);
    assert!(sim.session(&id).unwrap().is_active());
}

#[test]
fn expired_unknown_or_non_bearer_token_is_401() {
    let sim = start();
    let tok = token(&sim);
    let id = active_hash(&sim);
    sim.expire_tokens();
    let r = drop_api(&sim, &id, &tok);
    assert_eq!(r.status, 401);
    assert!(r.text().contains("Client authentication failed"));
    let r = drop_api(&sim, &id, "not-a-token");
    assert_eq!(r.status, 401);
    let r = request(
        "DELETE",
        &format!("{}/api/pam/session/drop/{id}", sim.base_url()),
        &[("Authorization", "Basic ZGVtbzpkZW1v")],
        None,
    )
    .unwrap();
    assert_eq!(r.status, 401);
    assert!(sim.session(&id).unwrap().is_active());
    // A fresh token works again.
    let r = drop_api(&sim, &id, &token(&sim));
    assert_eq!(r.status, 200);
}

#[test]
fn token_expires_by_ttl() {
    let sim = start_with(|c| c.token_ttl_s = 0);
    let tok = token(&sim);
    let r = drop_api(&sim, &active_hash(&sim), &tok);
    assert_eq!(r.status, 401);
}

#[test]
fn read_only_grant_is_500_not_authorized() {
    let sim = start_with(|c| c.grant = Grant::ReadOnly);
    let tok = token(&sim);
    let id = active_hash(&sim);
    let r = drop_api(&sim, &id, &tok);
    assert_eq!(r.status, 500);
    let j = r.json();
    assert_eq!(
        j["response"]["message"],
        "You are not authorized to access this resource"
    );
    assert_eq!(j["response"]["error"], true);
    assert!(sim.session(&id).unwrap().is_active());
    // Reads stay allowed.
    let r = http::get_bearer(
        &format!("{}/api/session/remotesessions", sim.base_url()),
        &tok,
    )
    .unwrap();
    assert_eq!(r.status, 200);
}

#[test]
fn unknown_and_encoded_ids() {
    let sim = start();
    let tok = token(&sim);
    let r = drop_api(&sim, "0000000000000000000000000000000000000000", &tok);
    assert_eq!(r.status, 500);
    assert_eq!(
        r.json()["response"]["message"],
        "An error occurred while droping session"
    );
    // An encoded '/' or '..' just does not match.
    for raw in ["a%2Fb", "%2E%2E", "%2e%2e%2f%2e%2e", "x%3Fy%23z", "%00"] {
        let r = drop_api(&sim, raw, &tok);
        assert_eq!(r.status, 500, "{raw}");
        assert_eq!(r.json()["response"]["error_code"], 1, "{raw}");
    }
    // A raw extra segment is not the drop resource.
    let r = drop_api(&sim, "a/b", &tok);
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["response"]["error_code"], 4);
    // The segment is percent-decoded before lookup.
    let id = active_hash(&sim);
    let encoded: String = id.bytes().map(|b| format!("%{b:02x}")).collect();
    let r = drop_api(&sim, &encoded, &tok);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(!sim.session(&id).unwrap().is_active());
}

#[test]
fn ids_of_any_shape_work() {
    let sim = start();
    let uuid = "018d3131-0bf6-71c2-be17-999f062b8312";
    sim.update(|s| {
        s.sessions.push(SimSession {
            id: "9001".into(),
            session_id: uuid.into(),
            user: "u".into(),
            start: "2025-06-02 10:00:00".into(),
            time: "00:10:00".into(),
            ..Default::default()
        })
    });
    let r = drop_api(&sim, uuid, &token(&sim));
    assert_eq!(r.status, 200);
    assert_eq!(
        sim.session(uuid).unwrap().end.as_deref(),
        Some("2025-06-02 10:10:00")
    );
}

#[test]
fn behaviours() {
    let sim = start();
    let tok = token(&sim);
    let actives: Vec<String> = sim
        .state()
        .sessions
        .iter()
        .filter(|s| s.is_active())
        .map(|s| s.session_id.clone())
        .collect();
    let set = |i: usize, b: Behaviour| sim.update(|s| s.set_behaviour(&actives[i], b));

    set(0, Behaviour::Unexpected);
    let r = drop_api(&sim, &actives[0], &tok);
    assert_eq!(r.status, 500);
    assert_eq!(r.json()["response"]["message"], "Unexpected error.");
    assert!(sim.session(&actives[0]).unwrap().is_active());

    set(1, Behaviour::Html);
    let r = drop_api(&sim, &actives[1], &tok);
    assert_eq!(r.status, 502);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(r.text().contains("502 Bad Gateway"));

    set(2, Behaviour::Empty);
    let r = drop_api(&sim, &actives[2], &tok);
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    assert_eq!(r.header("content-length"), Some("0"));

    set(3, Behaviour::NotAuthorized);
    let r = drop_api(&sim, &actives[3], &tok);
    assert_eq!(r.status, 500);
    assert_eq!(
        r.json()["response"]["message"],
        "You are not authorized to access this resource"
    );

    set(4, Behaviour::DroppingSpelling);
    let r = drop_api(&sim, &actives[4], &tok);
    assert_eq!(r.status, 500);
    assert_eq!(
        r.json()["response"]["message"],
        "An error occurred while dropping session"
    );
    assert_eq!(r.json()["response"]["error_code"], 1);

    set(5, Behaviour::AuthFailed);
    assert_eq!(drop_api(&sim, &actives[5], &tok).status, 401);
    set(6, Behaviour::NoRoute);
    assert_eq!(drop_api(&sim, &actives[6], &tok).text(), NO_ROUTE);

    // Removing an override restores the normal answer.
    set(0, Behaviour::Normal);
    assert_eq!(drop_api(&sim, &actives[0], &tok).text(), DROP_OK_API);

    // Limited to N calls.
    sim.update(|s| s.set_behaviour_times(&actives[7], Behaviour::Unexpected, Some(1)));
    assert_eq!(drop_api(&sim, &actives[7], &tok).status, 500);
    assert_eq!(drop_api(&sim, &actives[7], &tok).status, 200);
}

#[test]
fn timeout_behaviour_hangs_without_blocking_others() {
    let sim = start();
    sim.update(|s| s.timeout_hang_ms = 1500);
    let tok = token(&sim);
    let id = active_hash(&sim);
    sim.update(|s| s.set_behaviour(&id, Behaviour::Timeout));
    let url = format!("{}/api/pam/session/drop/{id}", sim.base_url());
    let auth = format!("Bearer {tok}");
    let t0 = Instant::now();
    let hanging = std::thread::spawn(move || {
        request("DELETE", &url, &[("Authorization", &auth)], None).unwrap()
    });
    std::thread::sleep(Duration::from_millis(100));
    // Other requests are served meanwhile.
    let t1 = Instant::now();
    let other = drop_api(&sim, &sim.state().sessions[1].session_id.clone(), &tok);
    assert!(other.status == 200 || other.status == 500);
    assert!(t1.elapsed() < Duration::from_millis(800));
    let r = hanging.join().unwrap();
    assert!(t0.elapsed() >= Duration::from_millis(1500));
    assert_eq!(r.status, 504);
    assert!(r.text().contains("Request timed out"));
    assert!(sim.session(&id).unwrap().is_active());
}

#[test]
fn timeout_default_is_60s_and_client_side_timeout_sees_nothing() {
    let sim = start();
    assert_eq!(sim.state().timeout_hang_ms, 60_000);
    let tok = token(&sim);
    let id = active_hash(&sim);
    sim.update(|s| s.set_behaviour(&id, Behaviour::Timeout));
    let auth = format!("Bearer {tok}");
    let r = request_timeout(
        "DELETE",
        &format!("{}/api/pam/session/drop/{id}", sim.base_url()),
        &[("Authorization", &auth)],
        None,
        Duration::from_millis(400),
    );
    assert!(r.is_err());
    // Stopping the simulator does not wait for the hanging request.
    let t = Instant::now();
    sim.stop();
    assert!(t.elapsed() < Duration::from_secs(2));
}

fn list(sim: &session_drop_sim::Simulator, path: &str, tok: &str) -> http::Response {
    http::get_bearer(&format!("{}{path}", sim.base_url()), tok).unwrap()
}

#[test]
fn lists_on_all_paths() {
    let sim = start();
    let tok = token(&sim);
    let mut bodies = Vec::new();
    for p in [
        "/api/session/remotesessions",
        "/api/pam/session/remotesessions",
        "/iso/session/remotesessions",
    ] {
        let r = list(&sim, p, &tok);
        assert_eq!(r.status, 200, "{p}");
        bodies.push(r.text());
    }
    assert!(bodies.iter().all(|b| *b == bodies[0]));
    let text = &bodies[0];
    assert!(text.starts_with(r#"{"code":200,"response":{"status":200,"#));
    assert!(text.contains(r#""tenant":"Segura","remote_sessions":[{"id":""#));
    let j: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(j["response"]["error"], false);
    let rows = j["remote_sessions"].as_array().unwrap();
    assert_eq!(rows.len(), 75);
    // Oldest first (by row id); the core has to sort.
    let ids: Vec<u64> = rows
        .iter()
        .map(|r| r["id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    let keys: Vec<&str> = rows[0]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    for k in [
        "id",
        "user",
        "origin_ip",
        "credential",
        "device",
        "protocol",
        "proxy",
        "session_id",
        "start",
        "end",
        "time",
        "prevent_purge",
        "request",
        "ITSM",
    ] {
        assert!(keys.contains(&k), "{k}");
    }
    let (mut nulls, mut empties, mut ended) = (0, 0, 0);
    for r in rows {
        let id: u64 = r["id"].as_str().unwrap().parse().unwrap();
        let active = sim.session_by_row(&id.to_string()).unwrap().is_active();
        match &r["end"] {
            serde_json::Value::Null => {
                assert!(active && id % 2 == 0);
                nulls += 1
            }
            serde_json::Value::String(s) if s.is_empty() => {
                assert!(active && id % 2 == 1);
                empties += 1
            }
            serde_json::Value::String(_) => {
                assert!(!active);
                ended += 1
            }
            other => panic!("{other}"),
        }
        assert_eq!(r["prevent_purge"], "No");
        assert_eq!(r["session_id"].as_str().unwrap().len(), 40);
    }
    assert!(nulls > 10 && empties > 10, "{nulls} {empties}");
    assert_eq!(nulls + empties, 45);
    assert_eq!(ended, 30);
}

#[test]
fn lists_portuguese_keys() {
    let sim = start_with(|c| c.portuguese_keys = true);
    let tok = token(&sim);
    let r = list(&sim, "/api/session/remotesessions", &tok);
    let j = r.json();
    let row = &j["remote_sessions"][0];
    assert!(row.get("credencial").is_some());
    assert!(row.get("dispositivo").is_some());
    assert!(row.get("credential").is_none());
    assert!(row.get("device").is_none());
    assert_eq!(row["prevent_purge"], "Não");
    let r = list(&sim, "/api/session/remotesessions/1001", &tok);
    assert!(r.json()["remote_session"][0].get("dispositivo").is_some());
}

#[test]
fn lists_require_auth() {
    let sim = start();
    let r = get(&sim, "/api/pam/session/remotesessions");
    assert_eq!(r.status, 404);
    assert_eq!(r.text(), NO_ROUTE);
    let r = list(&sim, "/api/pam/session/remotesessions", "bogus");
    assert_eq!(r.status, 401);
}

#[test]
fn list_one() {
    let sim = start();
    let tok = token(&sim);
    let r = list(&sim, "/api/session/remotesessions/1075", &tok);
    assert_eq!(r.status, 200);
    let j = r.json();
    let one = j["remote_session"].as_array().unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["id"], "1075");
    assert_eq!(
        one[0]["session_id"].as_str().unwrap(),
        sim.session_by_row("1075").unwrap().session_id
    );
    let r = list(&sim, "/iso/session/remotesessions/99999", &tok);
    assert_eq!(r.status, 400);
    assert_eq!(
        r.text(),
        r#"{"code":400,"response":{"status":400,"message":"1002: Session not found","error":true,"error_code":1002,"detail":"","mensagem":"1002: Session not found","erro":true,"cod_erro":1002},"exception":{"code":1002,"message":"1002: Session not found","detail":null}}"#
    );
    for bad in ["abc", "12a", "-1", "1.5", "%2F1"] {
        let r = list(
            &sim,
            &format!("/api/pam/session/remotesessions/{bad}"),
            &tok,
        );
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(r.json()["exception"]["code"], 1003, "{bad}");
        assert_eq!(
            r.json()["exception"]["message"],
            "1003: Unexpected identifier type"
        );
    }
}

#[test]
fn latency_is_applied_to_api_only() {
    let sim = start_with(|c| c.latency_ms = 300);
    let t = Instant::now();
    let tok = token(&sim);
    assert!(t.elapsed() >= Duration::from_millis(300));
    let t = Instant::now();
    let r = drop_api(&sim, &active_hash(&sim), &tok);
    assert_eq!(r.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    let t = Instant::now();
    assert_eq!(get(&sim, "/__sim/config").status, 200);
    assert_eq!(get(&sim, "/flow/api/sessions").status, 200);
    assert!(t.elapsed() < Duration::from_millis(300));
    // Changed live.
    sim.update(|s| s.latency_ms = 0);
    let t = Instant::now();
    token(&sim);
    assert!(t.elapsed() < Duration::from_millis(250));
}

#[test]
fn cors() {
    let sim = start_with(|c| c.cors = true);
    let r = request(
        "OPTIONS",
        &format!("{}/api/pam/session/drop/abc", sim.base_url()),
        &[
            ("Origin", "http://127.0.0.1:9999"),
            ("Access-Control-Request-Method", "DELETE"),
            ("Access-Control-Request-Headers", "authorization"),
        ],
        None,
    )
    .unwrap();
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("Authorization, Content-Type, Accept")
    );
    assert_eq!(
        r.header("access-control-allow-methods"),
        Some("GET, POST, DELETE, OPTIONS")
    );
    let r = http::post_form(
        &format!("{}/iso/oauth2/token", sim.base_url()),
        "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret",
    )
    .unwrap();
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));

    sim.update(|s| s.cors = false);
    let r = request(
        "OPTIONS",
        &format!("{}/api/pam/session/drop/abc", sim.base_url()),
        &[("Origin", "http://127.0.0.1:9999")],
        None,
    )
    .unwrap();
    assert_eq!(r.status, 404);
    assert!(r.header("access-control-allow-origin").is_none());
    let r = get(&sim, "/api/session/remotesessions");
    assert!(r.header("access-control-allow-origin").is_none());
}

#[test]
fn request_log() {
    let sim = start();
    let tok = token(&sim);
    let id = active_hash(&sim);
    let auth = format!("Bearer {tok}");
    request(
        "DELETE",
        &format!("{}/api/pam/session/drop/{id}", sim.base_url()),
        &[
            ("Authorization", &auth),
            ("Origin", "chrome-extension://abcdefghijklmnop"),
        ],
        None,
    )
    .unwrap();
    get(&sim, "/__sim/config");
    get(&sim, "/flow/api/sessions");
    get(&sim, "/flow/remote-sessions");
    let log = sim.requests();
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[0].method, "POST");
    assert_eq!(log[0].path, "/iso/oauth2/token");
    assert_eq!(
        log[0].content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert!(log[0].body.contains("client_secret=demo-secret"));
    assert_eq!(log[1].method, "DELETE");
    assert_eq!(log[1].path, format!("/api/pam/session/drop/{id}"));
    assert_eq!(log[1].authorization.as_deref(), Some(auth.as_str()));
    assert_eq!(
        log[1].origin.as_deref(),
        Some("chrome-extension://abcdefghijklmnop")
    );
    assert_eq!(log[1].header("ORIGIN"), log[1].origin.as_deref());
    assert!(log[1].at_ms >= log[0].at_ms);
    // Over HTTP too.
    let j = get(&sim, "/__sim/requests").json();
    assert_eq!(j.as_array().unwrap().len(), 2);
    assert_eq!(j[1]["method"], "DELETE");
    sim.clear_requests();
    assert!(sim.requests().is_empty());
}

#[test]
fn unknown_paths_are_gateway_404() {
    let sim = start();
    let r = get(&sim, "/api/whatever");
    assert_eq!(r.status, 404);
    assert_eq!(r.text(), NO_ROUTE);
    let r = get(&sim, "/iso/oauth2/token");
    assert_eq!(r.status, 404);
}

#[test]
fn many_parallel_requests() {
    let sim = start_with(|c| c.latency_ms = 200);
    let tok = token(&sim);
    let base = sim.base_url();
    let ids: Vec<String> = sim
        .state()
        .sessions
        .iter()
        .filter(|s| s.is_active())
        .take(20)
        .map(|s| s.session_id.clone())
        .collect();
    let t = Instant::now();
    let handles: Vec<_> = ids
        .iter()
        .map(|id| {
            let url = format!("{base}/api/pam/session/drop/{id}");
            let tok = tok.clone();
            std::thread::spawn(move || http::delete_bearer(&url, &tok).unwrap().status)
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 200);
    }
    // 20 × 200 ms in parallel, not in sequence.
    assert!(
        t.elapsed() < Duration::from_millis(2000),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(sim.state().active_count(), 25);
}
