//! `/__sim/…` control endpoints (JSON in and out, never logged).

use crate::gen::{generate_sessions, generate_with};
use crate::model::{Behaviour, Grant, RedirectRule, Release, SimSession, SimState, TokenBody};
use crate::server::{Incoming, Inner, Reply};
use serde::Deserialize;
use serde_json::json;

fn err(status: u16, msg: &str) -> Reply {
    Reply::json(status, json!({ "ok": false, "error": msg }).to_string())
}

fn ok() -> Reply {
    Reply::json(200, json!({ "ok": true }).to_string())
}

pub(crate) fn config_json(st: &SimState) -> serde_json::Value {
    json!({
        "release": st.release,
        "latency_ms": st.latency_ms,
        "grant": st.grant,
        "token_ttl_s": st.token_ttl_s,
        "cors": st.cors,
        "portuguese_keys": st.portuguese_keys,
        "timeout_hang_ms": st.timeout_hang_ms,
        "client_id": st.client_id,
        "sessions": st.sessions.len(),
        "active": st.active_count(),
        "behaviours": st.behaviours,
        "tokens": st.tokens.len(),
        "token_body": st.token_body,
        "redirect": st.redirect,
        "list_delay_ms": st.list_delay_ms,
        "error_body_bytes": st.error_body_bytes,
    })
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct ConfigPatch {
    release: Option<String>,
    latency_ms: Option<u64>,
    grant: Option<String>,
    token_ttl_s: Option<u64>,
    cors: Option<bool>,
    portuguese_keys: Option<bool>,
    timeout_hang_ms: Option<u64>,
    client_id: Option<String>,
    client_secret: Option<String>,
    token_body: Option<TokenBody>,
    /// An object sets the rule; `null` removes it (absent: unchanged).
    #[serde(deserialize_with = "present")]
    redirect: Option<serde_json::Value>,
    list_delay_ms: Option<u64>,
    error_body_bytes: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct SessionsBody {
    generate: Option<usize>,
    active_every: Option<usize>,
    /// Number of active sessions (the newest ones), alternative to `active_every`.
    active: Option<usize>,
    seed: Option<u64>,
    sessions: Option<Vec<SimSession>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BehaviourBody {
    session_id: String,
    /// `null` or "normal" removes the override.
    behaviour: Option<String>,
    /// Apply to the next N drop calls only.
    #[serde(default)]
    times: Option<u32>,
}

/// A present key, `null` included, is `Some` (absent: `None` through `default`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

fn parse<T: for<'de> Deserialize<'de> + Default>(body: &str) -> Result<T, Reply> {
    if body.trim().is_empty() {
        return Ok(T::default());
    }
    serde_json::from_str(body).map_err(|e| err(400, &format!("bad JSON: {e}")))
}

pub(crate) fn handle(inner: &Inner, rq: &Incoming) -> Reply {
    // The console replica is served from the same origin: its page scripts must not reach the
    // control endpoints (the request log holds tokens and client secrets).
    let own = rq.header("host").map(|h| format!("http://{h}"));
    let from_own_page = |v: Option<&str>| match (v, own.as_deref()) {
        (Some(v), Some(o)) => v == o || v.starts_with(&format!("{o}/")),
        _ => false,
    };
    if rq
        .header("sec-fetch-site")
        .is_some_and(|v| v.eq_ignore_ascii_case("same-origin"))
        || from_own_page(rq.header("origin"))
        || from_own_page(rq.header("referer"))
    {
        return err(
            403,
            "control endpoints are not available to pages of this origin",
        );
    }
    let m = rq.method.as_str();
    let route = rq.path.trim_end_matches('/');
    match (m, route) {
        ("OPTIONS", _) => Reply::empty(204),
        ("GET", "/__sim/requests") => {
            let log = inner.requests();
            Reply::json(
                200,
                serde_json::to_string(&log).unwrap_or_else(|_| "[]".into()),
            )
        }
        ("DELETE", "/__sim/requests") | ("POST", "/__sim/requests/clear") => {
            inner.clear_requests();
            ok()
        }
        ("POST", "/__sim/reset") => {
            inner.reset_all();
            Reply::json(200, config_json(&inner.state()).to_string())
        }
        ("GET", "/__sim/config") => Reply::json(200, config_json(&inner.state()).to_string()),
        ("POST", "/__sim/config") => {
            let patch: ConfigPatch = match parse(&rq.body) {
                Ok(p) => p,
                Err(r) => return r,
            };
            let release = match patch.release.as_deref().map(Release::parse) {
                Some(None) => return err(400, "release must be \"api\" or \"iso\""),
                Some(r) => r,
                None => None,
            };
            let grant = match patch.grant.as_deref().map(Grant::parse) {
                Some(None) => return err(400, "grant must be \"read_write\" or \"read_only\""),
                Some(g) => g,
                None => None,
            };
            let redirect = match patch.redirect {
                None => None,
                Some(serde_json::Value::Null) => Some(None),
                Some(v) => match serde_json::from_value::<RedirectRule>(v) {
                    Ok(r) if (300..400).contains(&r.status) => Some(Some(r)),
                    _ => return err(
                        400,
                        "redirect must be null or {\"path_prefix\",\"status\":3xx,\"location\"}",
                    ),
                },
            };
            let mut st = inner.state();
            if let Some(r) = redirect {
                st.redirect = r;
            }
            if let Some(v) = patch.token_body {
                st.token_body = v;
            }
            if let Some(v) = patch.list_delay_ms {
                st.list_delay_ms = v;
            }
            if let Some(v) = patch.error_body_bytes {
                st.error_body_bytes = v;
            }
            if let Some(r) = release {
                st.release = r;
            }
            if let Some(g) = grant {
                st.grant = g;
            }
            if let Some(v) = patch.latency_ms {
                st.latency_ms = v;
            }
            if let Some(v) = patch.token_ttl_s {
                st.token_ttl_s = v;
            }
            if let Some(v) = patch.cors {
                st.cors = v;
            }
            if let Some(v) = patch.portuguese_keys {
                st.portuguese_keys = v;
            }
            if let Some(v) = patch.timeout_hang_ms {
                st.timeout_hang_ms = v;
            }
            if let Some(v) = patch.client_id {
                st.client_id = v;
            }
            if let Some(v) = patch.client_secret {
                st.client_secret = v;
            }
            Reply::json(200, config_json(&st).to_string())
        }
        ("GET", "/__sim/sessions") => Reply::json(
            200,
            serde_json::to_string(&inner.state().sessions).unwrap_or_else(|_| "[]".into()),
        ),
        ("POST", "/__sim/sessions") => {
            let b: SessionsBody = match parse(&rq.body) {
                Ok(b) => b,
                Err(r) => return r,
            };
            let sessions = if let Some(list) = b.sessions {
                list.into_iter()
                    .map(|mut s| {
                        if s.end.as_deref().is_some_and(|e| e.trim().is_empty()) {
                            s.end = None;
                        }
                        s
                    })
                    .collect()
            } else if let Some(n) = b.generate {
                let seed = b.seed.unwrap_or(2024);
                match (b.active_every, b.active) {
                    (Some(k), _) => generate_sessions(n, k, seed),
                    (None, Some(a)) => generate_with(n, seed, |i| i < a),
                    (None, None) => generate_sessions(n, 1, seed),
                }
            } else {
                return err(
                    400,
                    "give {\"generate\":N,\"active_every\":K} or {\"sessions\":[…]}",
                );
            };
            let mut st = inner.state();
            st.sessions = sessions;
            Reply::json(200, config_json(&st).to_string())
        }
        ("POST", "/__sim/behaviour") => {
            let b: BehaviourBody = match serde_json::from_str(&rq.body) {
                Ok(b) => b,
                Err(e) => return err(400, &format!("bad JSON: {e}")),
            };
            let behaviour = match b.behaviour.as_deref() {
                None => Behaviour::Normal,
                Some(s) => match Behaviour::parse(s) {
                    Some(x) => x,
                    None => return err(400, "unknown behaviour"),
                },
            };
            let mut st = inner.state();
            st.set_behaviour_times(&b.session_id, behaviour, b.times);
            Reply::json(200, config_json(&st).to_string())
        }
        ("POST", "/__sim/expire-tokens") => {
            inner.state().expire_tokens();
            ok()
        }
        ("GET", "/__sim/tokens") => {
            let st = inner.state();
            Reply::json(
                200,
                serde_json::to_string(&st.tokens.values().collect::<Vec<_>>())
                    .unwrap_or_else(|_| "[]".into()),
            )
        }
        _ => err(404, "unknown control endpoint"),
    }
}
