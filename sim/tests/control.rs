//! Control endpoints, the library API (update/reset) and the generated data sets.

mod common;

use common::http::{self, request};
use common::*;
use session_drop_sim::{demo_sessions, generate_sessions, util, Grant, Release, INSTANCE_HEADER};
use std::time::Duration;

#[test]
fn demo_set_is_realistic() {
    let s = demo_sessions();
    assert_eq!(s.len(), 75);
    assert_eq!(s.iter().filter(|x| x.is_active()).count(), 45);
    assert!(s
        .iter()
        .all(|x| x.session_id.len() == 40 && x.session_id.bytes().all(|b| b.is_ascii_hexdigit())));
    assert!(s.iter().all(|x| x.id.parse::<u64>().is_ok()));
    let mut hashes: Vec<_> = s.iter().map(|x| &x.session_id).collect();
    hashes.sort();
    hashes.dedup();
    assert_eq!(hashes.len(), 75);
    // Starts descending, "YYYY-MM-DD HH:MM:SS".
    assert!(s.windows(2).all(|w| w[0].start > w[1].start));
    assert!(s
        .iter()
        .all(|x| util::parse_datetime(&x.start).is_some() && x.start.len() == 19));
    for p in ["rdp", "ssh", "http"] {
        assert!(s.iter().any(|x| x.protocol == p), "{p}");
    }
    for x in &s {
        if let Some(end) = &x.end {
            assert!(*end > x.start);
            let d = util::parse_datetime(end).unwrap() - util::parse_datetime(&x.start).unwrap();
            assert_eq!(util::format_duration(d), x.time);
        }
    }
    assert_eq!(s, demo_sessions());
}

#[test]
fn generate_is_deterministic() {
    let a = generate_sessions(100, 3, 7);
    assert_eq!(a, generate_sessions(100, 3, 7));
    assert_ne!(a, generate_sessions(100, 3, 8));
    assert_eq!(a.iter().filter(|x| x.is_active()).count(), 34);
    assert!(a[0].is_active() && !a[1].is_active());
    assert_eq!(
        generate_sessions(10, 0, 1)
            .iter()
            .filter(|x| x.is_active())
            .count(),
        0
    );
    assert_eq!(
        generate_sessions(10, 1, 1)
            .iter()
            .filter(|x| x.is_active())
            .count(),
        10
    );
    assert_eq!(a[0].id, "1100");
    assert_eq!(a[99].id, "1001");
}

#[test]
fn config_endpoint() {
    let sim = start();
    let j = get(&sim, "/__sim/config").json();
    assert_eq!(j["release"], "api");
    assert_eq!(j["grant"], "read_write");
    assert_eq!(j["sessions"], 75);
    assert_eq!(j["active"], 45);
    let r = post_json(
        &sim,
        "/__sim/config",
        r#"{"release":"iso","latency_ms":5,"grant":"read_only","token_ttl_s":10,"cors":true,"portuguese_keys":true}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let st = sim.state();
    assert_eq!(st.release, Release::Iso);
    assert_eq!(st.grant, Grant::ReadOnly);
    assert_eq!(st.latency_ms, 5);
    assert_eq!(st.token_ttl_s, 10);
    assert!(st.cors && st.portuguese_keys);
    assert_eq!(
        post_json(&sim, "/__sim/config", r#"{"release":"v9"}"#).status,
        400
    );
    assert_eq!(
        post_json(&sim, "/__sim/config", r#"{"nope":1}"#).status,
        400
    );
    assert_eq!(post_json(&sim, "/__sim/config", "{").status, 400);
}

#[test]
fn sessions_endpoint() {
    let sim = start();
    let r = post_json(
        &sim,
        "/__sim/sessions",
        r#"{"generate":12,"active_every":4}"#,
    );
    assert_eq!(r.status, 200);
    assert_eq!(sim.state().sessions.len(), 12);
    assert_eq!(sim.state().active_count(), 3);
    post_json(&sim, "/__sim/sessions", r#"{"generate":10,"active":7}"#);
    assert_eq!(sim.state().active_count(), 7);
    let r = post_json(
        &sim,
        "/__sim/sessions",
        r#"{"sessions":[{"id":"1","session_id":"abc","user":"x","start":"2024-05-06 16:05:07","end":"","time":"00:00:10"},
                        {"id":"2","session_id":"def","end":"2024-05-06 16:07:59"}]}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(sim.session("abc").unwrap().is_active());
    assert!(sim.session("abc").unwrap().end.is_none());
    assert!(!sim.session("def").unwrap().is_active());
    let list = get(&sim, "/__sim/sessions").json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(post_json(&sim, "/__sim/sessions", "{}").status, 400);
}

#[test]
fn behaviour_and_expire_endpoints() {
    let sim = start();
    let tok = token(&sim);
    let id = active_hash(&sim);
    let r = post_json(
        &sim,
        "/__sim/behaviour",
        &format!(r#"{{"session_id":"{id}","behaviour":"unexpected"}}"#),
    );
    assert_eq!(r.status, 200);
    assert_eq!(drop_api(&sim, &id, &tok).status, 500);
    post_json(
        &sim,
        "/__sim/behaviour",
        &format!(r#"{{"session_id":"{id}","behaviour":null}}"#),
    );
    assert!(sim.state().behaviours.is_empty());
    assert_eq!(
        post_json(
            &sim,
            "/__sim/behaviour",
            r#"{"session_id":"x","behaviour":"explode"}"#
        )
        .status,
        400
    );
    let r = post_json(&sim, "/__sim/expire-tokens", "");
    assert_eq!(r.status, 200);
    assert_eq!(drop_api(&sim, &id, &tok).status, 401);
}

#[test]
fn reset_restores_start_state() {
    let sim = start();
    let tok = token(&sim);
    let id = active_hash(&sim);
    drop_api(&sim, &id, &tok);
    sim.update(|s| {
        s.release = Release::Iso;
        s.latency_ms = 9;
        s.set_behaviour("x", session_drop_sim::Behaviour::Html);
    });
    assert!(!sim.session(&id).unwrap().is_active());
    let r = post_json(&sim, "/__sim/reset", "");
    assert_eq!(r.status, 200);
    let st = sim.state();
    assert_eq!(st.release, Release::Api);
    assert_eq!(st.latency_ms, 0);
    assert!(st.behaviours.is_empty());
    assert!(sim.session(&id).unwrap().is_active());
    assert!(sim.requests().is_empty());
    // Tokens survive a reset.
    assert_eq!(drop_api(&sim, &id, &tok).status, 200);
    sim.reset();
    assert!(sim.session(&id).unwrap().is_active());
}

#[test]
fn control_refuses_same_origin_pages() {
    let sim = start();
    let r = request(
        "GET",
        &format!("{}/__sim/requests", sim.base_url()),
        &[("Sec-Fetch-Site", "same-origin")],
        None,
    )
    .unwrap();
    assert_eq!(r.status, 403);
    let r = request(
        "GET",
        &format!("{}/__sim/requests", sim.base_url()),
        &[("Sec-Fetch-Site", "cross-site")],
        None,
    )
    .unwrap();
    assert_eq!(r.status, 200);
    let own = sim.base_url();
    for (h, v) in [
        ("Origin", own.clone()),
        ("Referer", format!("{own}/flow/remote-sessions")),
    ] {
        let r = request(
            "POST",
            &format!("{}/__sim/expire-tokens", sim.base_url()),
            &[(h, v.as_str())],
            None,
        )
        .unwrap();
        assert_eq!(r.status, 403, "{h}");
    }
    let r = request(
        "GET",
        &format!("{}/__sim/config", sim.base_url()),
        &[("Origin", "http://127.0.0.1:1")],
        None,
    )
    .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(get(&sim, "/__sim/nope").status, 404);
}

#[test]
fn tokens_endpoint_and_stop() {
    let sim = start();
    token(&sim);
    let j = get(&sim, "/__sim/tokens").json();
    assert_eq!(j.as_array().unwrap().len(), 1);
    // Every answer names the simulator that gave it, and two simulators never share a name.
    let me = sim.instance_id().to_string();
    assert_eq!(
        get(&sim, "/__sim/config").header(INSTANCE_HEADER),
        Some(me.as_str())
    );
    let other = start();
    assert_ne!(other.instance_id(), me);
    assert_eq!(
        get(&other, "/__sim/config").header(INSTANCE_HEADER),
        Some(other.instance_id())
    );
    drop(other);
    let url = sim.base_url();
    sim.stop();
    // Once stop() returned, the stopped simulator answers nothing on its port: the connection
    // is refused or reset, or (tests run in parallel) a simulator started since took the free
    // port and answers under its own name. Several attempts, a short timeout each: an accepted
    // but never answered connection (a listener left open) fails too.
    for _ in 0..5 {
        match http::request_timeout(
            "GET",
            &format!("{url}/__sim/config"),
            &[],
            None,
            Duration::from_secs(5),
        ) {
            Err(e) => assert!(
                !matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ),
                "connection accepted but never answered: {e}"
            ),
            Ok(r) => {
                let by = r.header(INSTANCE_HEADER);
                assert!(
                    by.is_some(),
                    "answered by something that is not a simulator"
                );
                assert_ne!(by, Some(me.as_str()), "the stopped simulator still answers");
            }
        }
    }
}

#[test]
fn request_log_has_microsecond_times() {
    let sim = start();
    let before = util::now_us();
    token(&sim);
    let after = util::now_us();
    let log = sim.requests();
    assert_eq!(log.len(), 1);
    let r = &log[0];
    assert!(
        before <= r.at_us && r.at_us <= after,
        "{before} <= {} <= {after}",
        r.at_us
    );
    assert_eq!(r.at_ms, r.at_us / 1000);
    // Serialised through the control endpoint too; an older log without `at_us` still parses.
    let j = get(&sim, "/__sim/requests").json();
    assert_eq!(j[0]["at_us"].as_u64().map(u128::from), Some(r.at_us));
    let mut old = j[0].clone();
    old.as_object_mut().unwrap().remove("at_us");
    let parsed: session_drop_sim::LoggedRequest = serde_json::from_value(old).unwrap();
    assert_eq!(parsed.at_us, 0);
}

#[test]
fn port_is_reported() {
    let sim = start();
    assert!(sim.port() > 0);
    assert_eq!(sim.base_url(), format!("http://127.0.0.1:{}", sim.port()));
}
