//! The console replica under /flow/ and its data feed.

mod common;

use common::http::request;
use common::*;
use std::collections::HashSet;

/// The first page a replica page embeds (`<script id="initial-data">`).
fn initial_data(html: &str) -> serde_json::Value {
    let json = html
        .split(r#"id="initial-data">"#)
        .nth(1)
        .expect("initial-data script")
        .split("</script>")
        .next()
        .unwrap();
    serde_json::from_str(json).unwrap()
}

#[test]
fn pages_are_served() {
    let sim = start();
    let r = get(&sim, "/flow/");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(r.text().contains("/flow/remote-sessions"));
    assert!(r.text().contains("/flow/dashboard/remote-session"));
    assert_eq!(get(&sim, "/flow").status, 302);
    assert_eq!(get(&sim, "/").status, 302);

    let r = get(&sim, "/flow/remote-sessions");
    assert_eq!(r.status, 200);
    let html = r.text();
    assert!(html.contains("<title>Remote sessions"));
    for h in [
        "ID",
        "Session ID",
        "User",
        "Origin IP",
        "Credential",
        "Device",
        "Protocol",
        "Proxy",
        "Start",
        "End",
        "Time",
        "Action",
    ] {
        assert!(html.contains(&format!(">{h}<")), "{h}");
    }
    assert!(html.contains(r#"<script type="application/json" id="initial-data">"#));
    assert!(!html.contains("SIM:INITIAL_DATA"));
    let data = initial_data(&html);
    assert_eq!(data["rows"].as_array().unwrap().len(), 30);
    assert_eq!(data["total"], 75);

    let r = get(&sim, "/flow/remote-sessions?lang=pt");
    assert_eq!(r.status, 200);
    let r = get(&sim, "/flow/dashboard/remote-session");
    assert_eq!(r.status, 200);
    let html = r.text();
    assert!(html.contains("Remote Session"));
    assert!(!html.contains(">Session ID<"));
    let data = initial_data(&html);
    assert_eq!(data["rows"].as_array().unwrap().len(), 45);
}

#[test]
fn portuguese_headers_are_in_the_script() {
    let sim = start();
    let js = get(&sim, "/flow/static/console.js").text();
    for h in [
        "ID da sessão",
        "Usuário",
        "Dispositivo",
        "Credencial",
        "IP de origem",
        "Protocolo",
        "Início",
        "Fim",
        "Tempo",
        "Ações",
    ] {
        assert!(js.contains(&format!("\"{h}\"")), "{h}");
    }
}

#[test]
fn static_assets_and_traversal() {
    let sim = start();
    for (p, ct) in [
        ("/flow/static/console.css", "text/css"),
        ("/flow/static/console.js", "text/javascript"),
        ("/flow/static/remote-sessions.js", "text/javascript"),
        ("/flow/static/dashboard.js", "text/javascript"),
        ("/flow/static/favicon.svg", "image/svg+xml"),
    ] {
        let r = get(&sim, p);
        assert_eq!(r.status, 200, "{p}");
        assert!(r.header("content-type").unwrap().starts_with(ct), "{p}");
    }
    for p in [
        "/flow/static/../index.html",
        "/flow/static/%2e%2e/index.html",
        "/flow/static/..%2f..%2fCargo.toml",
        "/flow/static/",
        "/flow/static/.hidden",
        "/flow/nope",
    ] {
        assert_eq!(get(&sim, p).status, 404, "{p}");
    }
}

#[test]
fn no_secrets_in_the_replica() {
    let sim = start();
    for p in [
        "/flow/",
        "/flow/remote-sessions",
        "/flow/dashboard/remote-session",
        "/flow/static/console.js",
        "/flow/static/remote-sessions.js",
        "/flow/static/dashboard.js",
        "/flow/api/sessions",
    ] {
        let t = get(&sim, p).text();
        assert!(!t.contains("demo-secret"), "{p}");
        assert!(!t.contains("access_token"), "{p}");
    }
    // The pages' scripts cannot read the control endpoints (same origin).
    let r = request(
        "GET",
        &format!("{}/__sim/requests", sim.base_url()),
        &[
            ("Sec-Fetch-Site", "same-origin"),
            ("Sec-Fetch-Mode", "cors"),
        ],
        None,
    )
    .unwrap();
    assert_eq!(r.status, 403);
}

fn page(sim: &session_drop_sim::Simulator, q: &str) -> serde_json::Value {
    let r = get(sim, &format!("/flow/api/sessions?{q}"));
    assert_eq!(r.status, 200);
    r.json()
}

#[test]
fn sessions_feed_paging() {
    let sim = start();
    let mut seen = HashSet::new();
    let mut last_id = u64::MAX;
    for (p, n) in [(1, 30), (2, 30), (3, 15)] {
        let j = page(&sim, &format!("page={p}&per_page=30"));
        assert_eq!(j["total"], 75);
        assert_eq!(j["pages"], 3);
        assert_eq!(j["page"], p);
        let rows = j["rows"].as_array().unwrap();
        assert_eq!(rows.len(), n);
        for r in rows {
            let id: u64 = r["id"].as_str().unwrap().parse().unwrap();
            assert!(id < last_id);
            last_id = id;
            assert!(seen.insert(r["session_id"].as_str().unwrap().to_string()));
            assert_eq!(r["active"].as_bool().unwrap(), r["end"].is_null());
        }
    }
    assert_eq!(page(&sim, "page=4")["rows"].as_array().unwrap().len(), 0);
    assert_eq!(page(&sim, "")["per_page"], 30);
    assert_eq!(page(&sim, "per_page=100000")["per_page"], 500);
}

#[test]
fn sessions_feed_filters() {
    let sim = start();
    let st = sim.state();
    assert_eq!(page(&sim, "active=1&per_page=500")["total"], 45);
    assert_eq!(page(&sim, "active=0")["total"], 30);
    let s = &st.sessions[3];
    let j = page(&sim, &format!("id={}", s.id));
    assert_eq!(j["total"], 1);
    assert_eq!(j["rows"][0]["session_id"], s.session_id.as_str());
    let j = page(&sim, &format!("session_id={}", &s.session_id[..12]));
    assert_eq!(j["rows"][0]["id"], s.id.as_str());
    let users = st.sessions.iter().filter(|x| x.user == "Admin").count();
    assert_eq!(page(&sim, "user=admin&per_page=500")["total"], users);
    let rdp = st.sessions.iter().filter(|x| x.protocol == "rdp").count();
    assert_eq!(page(&sim, "protocol=rdp&per_page=500")["total"], rdp);
    let ssh_proxy = st
        .sessions
        .iter()
        .filter(|x| x.proxy == "SSH Proxy")
        .count();
    assert_eq!(page(&sim, "proxy=SSH+Proxy")["total"], ssh_proxy);
    let dev = &s.device;
    let n = st
        .sessions
        .iter()
        .filter(|x| x.device.contains(dev.as_str()))
        .count();
    assert_eq!(
        page(
            &sim,
            &format!("device={}", session_drop_sim::util::percent_encode(dev))
        )["total"],
        n
    );
    let day = &s.start[..10];
    let n = st
        .sessions
        .iter()
        .filter(|x| x.start.starts_with(day))
        .count();
    assert_eq!(
        page(&sim, &format!("start={day}&until={day}&per_page=500"))["total"],
        n
    );
    // Live: a drop shows up in the feed.
    let tok = token(&sim);
    let id = active_hash(&sim);
    drop_api(&sim, &id, &tok);
    assert_eq!(page(&sim, "active=1&per_page=500")["total"], 44);
}

#[test]
fn replica_without_www() {
    let sim = start_with(|c| c.www_dir = None);
    assert_eq!(get(&sim, "/flow/remote-sessions").status, 404);
    assert_eq!(page(&sim, "")["total"], 75);
}
