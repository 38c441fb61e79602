//! The HTTP server: accept loop, one thread per request, routing.

use crate::model::{Behaviour, Grant, IssuedToken, Release, SimConfig, SimSession, SimState};
use crate::util::{
    base64_decode, base64url_encode, form_get, now_ms, now_us, parse_datetime, parse_form,
    percent_decode,
};
use crate::{replica, vendor};
use serde::{Deserialize, Serialize};
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// One request seen on the A2A side (everything except `/__sim/…` and `/flow/…`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedRequest {
    pub method: String,
    /// Raw path, without the query string (still percent-encoded).
    pub path: String,
    /// Raw query string without '?', empty when none.
    pub query: String,
    pub authorization: Option<String>,
    pub origin: Option<String>,
    pub content_type: Option<String>,
    pub body: String,
    /// Milliseconds since the UNIX epoch when the request arrived (`at_us / 1000`).
    pub at_ms: u128,
    /// Microseconds since the UNIX epoch when the request arrived: taken as soon as the HTTP
    /// server hands the parsed request over (before the per-request thread starts).
    #[serde(default)]
    pub at_us: u128,
    /// All request headers, in order, names lower-cased.
    pub headers: Vec<(String, String)>,
}

impl LoggedRequest {
    /// Value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An answer before it is turned into a tiny_http response.
pub(crate) struct Reply {
    pub status: u16,
    pub content_type: Option<&'static str>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(status: u16, body: impl Into<String>) -> Reply {
        Reply {
            status,
            content_type: Some("application/json"),
            headers: Vec::new(),
            body: body.into().into_bytes(),
        }
    }
    pub fn html(status: u16, body: impl Into<String>) -> Reply {
        Reply {
            status,
            content_type: Some("text/html; charset=utf-8"),
            headers: Vec::new(),
            body: body.into().into_bytes(),
        }
    }
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            content_type: None,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
    pub fn redirect(to: &str) -> Reply {
        let mut r = Reply::empty(302);
        r.headers.push(("Location".into(), to.into()));
        r
    }
}

/// A parsed incoming request.
pub(crate) struct Incoming {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Arrival time (µs since the UNIX epoch).
    pub at_us: u128,
    /// Arrival time (monotonic), from which the simulated latency is counted.
    pub arrived: Instant,
}

impl Incoming {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Response header naming the simulator instance that answered (unique per [`Simulator`]).
pub const INSTANCE_HEADER: &str = "X-Sim-Instance";

pub(crate) struct Inner {
    port: u16,
    instance: String,
    initial: SimConfig,
    state: Mutex<SimState>,
    log: Mutex<Vec<LoggedRequest>>,
    stop: AtomicBool,
    /// Notified when `stop` is set: sleeping requests (latency, hangs) wake at once.
    stop_wake: (Mutex<()>, Condvar),
    counter: AtomicU64,
    pub(crate) www: Option<PathBuf>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running simulator. Stops when dropped (or with [`Simulator::stop`]).
pub struct Simulator {
    inner: Arc<Inner>,
    /// Shared with the accept thread only (request threads never hold it), so that stopping
    /// drops the last reference and closes the listening socket.
    server: Option<Arc<tiny_http::Server>>,
    accept: Option<JoinHandle<()>>,
}

/// A process-unique, hard-to-guess name for a simulator instance.
fn instance_name() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let mut h = RandomState::new().build_hasher();
    h.write_u128(now_us());
    h.write_u64(n);
    format!("{:x}-{n}-{:016x}", std::process::id(), h.finish())
}

impl Simulator {
    /// Bind `127.0.0.1:port` (0 = free port) and serve on background threads.
    pub fn start(cfg: SimConfig) -> io::Result<Simulator> {
        let server = tiny_http::Server::http(("127.0.0.1", cfg.port))
            .map(Arc::new)
            .map_err(|e| io::Error::new(io::ErrorKind::AddrInUse, e.to_string()))?;
        let port = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .ok_or_else(|| io::Error::other("not an IP listener"))?;
        let inner = Arc::new(Inner {
            port,
            instance: instance_name(),
            state: Mutex::new(SimState::from_config(&cfg)),
            www: cfg.www_dir.clone(),
            initial: cfg,
            log: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
            stop_wake: (Mutex::new(()), Condvar::new()),
            counter: AtomicU64::new(0),
        });
        let acc = Arc::clone(&inner);
        let srv = Arc::clone(&server);
        let accept = thread::Builder::new()
            .name("sim-accept".into())
            .spawn(move || loop {
                match srv.recv() {
                    Ok(rq) => {
                        let arrived = Instant::now();
                        let at_us = now_us();
                        if acc.stop.load(Ordering::SeqCst) {
                            break;
                        }
                        let worker = Arc::clone(&acc);
                        let spawned = thread::Builder::new()
                            .name("sim-request".into())
                            .spawn(move || worker.handle(rq, at_us, arrived));
                        if spawned.is_err() {
                            // Out of threads: the request is dropped (connection closed).
                        }
                    }
                    Err(_) => {
                        if acc.stop.load(Ordering::SeqCst) {
                            break;
                        }
                        thread::sleep(Duration::from_millis(5));
                    }
                }
            })?;
        Ok(Simulator {
            inner,
            server: Some(server),
            accept: Some(accept),
        })
    }

    /// The value of the `X-Sim-Instance` header of every answer of this simulator.
    pub fn instance_id(&self) -> &str {
        &self.inner.instance
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.inner.port)
    }

    pub fn port(&self) -> u16 {
        self.inner.port
    }

    /// The A2A request log (oldest first).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.inner.log).clone()
    }

    pub fn clear_requests(&self) {
        lock(&self.inner.log).clear();
    }

    /// Change the live state (config, sessions, behaviours, tokens).
    pub fn update(&self, f: impl FnOnce(&mut SimState)) {
        f(&mut lock(&self.inner.state));
    }

    /// A copy of the live state.
    pub fn state(&self) -> SimState {
        lock(&self.inner.state).clone()
    }

    /// Session by hash.
    pub fn session(&self, session_id: &str) -> Option<SimSession> {
        lock(&self.inner.state).session(session_id).cloned()
    }

    /// Session by numeric row id.
    pub fn session_by_row(&self, row_id: &str) -> Option<SimSession> {
        lock(&self.inner.state).session_by_row(row_id).cloned()
    }

    /// Restore the start-up config and sessions, drop behaviours, clear the log.
    /// Issued tokens stay valid (use `expire_tokens`).
    pub fn reset(&self) {
        self.inner.reset();
    }

    pub fn expire_tokens(&self) {
        lock(&self.inner.state).expire_tokens();
    }

    /// Stop serving. When this returns the accept thread has ended and the HTTP server is
    /// closed: a new connection to the port is refused (or reaches another program that bound
    /// the port since). Requests still hanging (latency, `timeout` behaviour) end quickly.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.inner.stop.store(true, Ordering::SeqCst);
        {
            let _guard = lock(&self.inner.stop_wake.0);
            self.inner.stop_wake.1.notify_all();
        }
        if let Some(server) = &self.server {
            server.unblock();
        }
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
        // The last reference: tiny_http closes its listener (pending connections are reset).
        self.server = None;
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.shutdown();
    }
}

enum Auth {
    Ok,
    Missing,
    Invalid,
}

const LIST_PATHS: [&str; 3] = [
    "/api/session/remotesessions",
    "/api/pam/session/remotesessions",
    "/iso/session/remotesessions",
];

impl Inner {
    pub(crate) fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.log).clone()
    }

    pub(crate) fn clear_requests(&self) {
        lock(&self.log).clear();
    }

    pub(crate) fn reset_all(&self) {
        self.reset();
    }

    fn reset(&self) {
        let mut st = lock(&self.state);
        let tokens = std::mem::take(&mut st.tokens);
        let hang = st.timeout_hang_ms;
        *st = SimState::from_config(&self.initial);
        st.tokens = tokens;
        st.timeout_hang_ms = hang;
        drop(st);
        lock(&self.log).clear();
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, SimState> {
        lock(&self.state)
    }

    /// Sleep until `end` (one timed wait: no overshoot from slicing), waking early when the
    /// simulator stops.
    fn sleep_until(&self, end: Instant) {
        let (mutex, cv) = &self.stop_wake;
        let mut guard = lock(mutex);
        while !self.stop.load(Ordering::SeqCst) {
            let now = Instant::now();
            if now >= end {
                break;
            }
            guard = match cv.wait_timeout(guard, end - now) {
                Ok((g, _)) => g,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    fn sleep_ms(&self, ms: u64) {
        self.sleep_until(Instant::now() + Duration::from_millis(ms));
    }

    fn handle(self: Arc<Self>, mut rq: tiny_http::Request, at_us: u128, arrived: Instant) {
        let method = rq.method().as_str().to_ascii_uppercase();
        let url = rq.url().to_string();
        let (path, query) = match url.split_once('?') {
            Some((p, q)) => (p.to_string(), q.to_string()),
            None => (url.clone(), String::new()),
        };
        let headers: Vec<(String, String)> = rq
            .headers()
            .iter()
            .map(|h| {
                (
                    h.field.as_str().as_str().to_ascii_lowercase(),
                    h.value.as_str().to_string(),
                )
            })
            .collect();
        let mut raw = Vec::new();
        let _ = rq.as_reader().take(4 << 20).read_to_end(&mut raw);
        let inc = Incoming {
            method,
            path,
            query,
            headers,
            body: String::from_utf8_lossy(&raw).into_owned(),
            at_us,
            arrived,
        };
        let reply = self.route(&inc);
        let cors = self.state().cors;
        let _ = rq.respond(to_response(reply, cors, &self.instance));
    }

    fn route(&self, rq: &Incoming) -> Reply {
        let p = rq.path.as_str();
        if p == "/__sim" || p.starts_with("/__sim/") {
            return crate::control::handle(self, rq);
        }
        if p == "/flow" || p.starts_with("/flow/") {
            return replica::handle(self, rq);
        }
        if p == "/" && rq.method == "GET" {
            return Reply::redirect("/flow/");
        }
        if p == "/favicon.ico" {
            return Reply::empty(404);
        }
        lock(&self.log).push(LoggedRequest {
            method: rq.method.clone(),
            path: rq.path.clone(),
            query: rq.query.clone(),
            authorization: rq.header("authorization").map(str::to_string),
            origin: rq.header("origin").map(str::to_string),
            content_type: rq.header("content-type").map(str::to_string),
            body: rq.body.clone(),
            at_ms: rq.at_us / 1000,
            at_us: rq.at_us,
            headers: rq.headers.clone(),
        });
        if rq.method == "OPTIONS" {
            return if self.state().cors {
                Reply::empty(204)
            } else {
                Reply::json(404, vendor::NO_ROUTE)
            };
        }
        let redirect = self.state().redirect.clone();
        if let Some(r) = redirect.filter(|r| rq.path.starts_with(&r.path_prefix)) {
            let mut reply = Reply::empty(r.status);
            reply.headers.push(("Location".into(), r.location));
            return reply;
        }
        // The simulated latency is the time from the request's arrival to its answer (what a
        // client sees of a slow appliance), not added on top of the simulator's own work.
        let latency = self.state().latency_ms;
        if latency > 0 {
            self.sleep_until(rq.arrived + Duration::from_millis(latency));
        }
        self.api(rq)
    }

    fn api(&self, rq: &Incoming) -> Reply {
        let p = rq.path.as_str();
        if p == "/iso/oauth2/token" {
            return if rq.method == "POST" {
                self.token(rq)
            } else {
                Reply::json(404, vendor::NO_ROUTE)
            };
        }
        for rel in [Release::Api, Release::Iso] {
            let prefix = rel.drop_prefix();
            let bare = &prefix[..prefix.len() - 1];
            if p == bare || p.starts_with(prefix) {
                return self.drop_call(rq, rel, p.get(prefix.len()..).unwrap_or(""));
            }
        }
        for lp in LIST_PATHS {
            if p == lp || p == format!("{lp}/") {
                return self.list(rq, None);
            }
            if let Some(rest) = p.strip_prefix(lp).and_then(|r| r.strip_prefix('/')) {
                return self.list(rq, Some(rest));
            }
        }
        Reply::json(404, vendor::NO_ROUTE)
    }

    fn check_auth(&self, rq: &Incoming) -> Auth {
        let Some(h) = rq.header("authorization") else {
            return Auth::Missing;
        };
        let h = h.trim();
        let token = match h.split_once(' ') {
            Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") => t.trim(),
            _ => return Auth::Invalid,
        };
        let st = self.state();
        match st.tokens.get(token) {
            Some(t) if now_ms() < t.expires_at_ms => Auth::Ok,
            _ => Auth::Invalid,
        }
    }

    fn token(&self, rq: &Incoming) -> Reply {
        let is_json = rq
            .header("content-type")
            .is_some_and(|c| c.to_ascii_lowercase().contains("json"));
        let form: Vec<(String, String)> = if is_json {
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&rq.body)
                .map(|m| {
                    m.into_iter()
                        .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string())))
                        .collect()
                })
                .unwrap_or_default()
        } else {
            parse_form(&rq.body)
        };
        if form_get(&form, "grant_type") != Some("client_credentials") {
            return Reply::json(400, vendor::TOKEN_UNSUPPORTED_GRANT);
        }
        let mut candidates: Vec<(String, String)> = Vec::new();
        if let Some(id) = form_get(&form, "client_id") {
            candidates.push((
                id.to_string(),
                form_get(&form, "client_secret").unwrap_or("").to_string(),
            ));
        } else if let Some(h) = rq.header("authorization") {
            if let Some((scheme, b64)) = h.trim().split_once(' ') {
                if scheme.eq_ignore_ascii_case("basic") {
                    if let Some(raw) = base64_decode(b64.trim()) {
                        let raw = String::from_utf8_lossy(&raw).into_owned();
                        if let Some((i, s)) = raw.split_once(':') {
                            candidates.push((i.to_string(), s.to_string()));
                            // RFC 6749 §2.3.1: id and secret are form-encoded before base64.
                            candidates.push((percent_decode(i, true), percent_decode(s, true)));
                        }
                    }
                }
            }
        }
        let mut st = self.state();
        let ok = candidates
            .iter()
            .any(|(i, s)| *i == st.client_id && *s == st.client_secret);
        if !ok {
            return Reply::json(401, vendor::TOKEN_INVALID_CLIENT);
        }
        let ttl = st.token_ttl_s;
        let now = now_ms();
        let client_id = st.client_id.clone();
        let access_token = self.new_token(&client_id, now, ttl);
        st.tokens.insert(
            access_token.clone(),
            IssuedToken {
                access_token: access_token.clone(),
                client_id,
                issued_at_ms: now,
                expires_at_ms: now + ttl as u128 * 1000,
            },
        );
        #[derive(Serialize)]
        struct TokenBody<'a> {
            token_type: &'a str,
            expires_in: u64,
            access_token: &'a str,
        }
        let json = serde_json::to_string(&TokenBody {
            token_type: "Bearer",
            expires_in: ttl,
            access_token: &access_token,
        })
        .expect("serialisable");
        let body = match st.token_body {
            crate::model::TokenBody::Normal => json,
            crate::model::TokenBody::Bom => format!("\u{feff}{json}\r\n"),
            crate::model::TokenBody::PhpNotice => format!(
                "{json}\n<br />\n<b>Notice</b>:  Undefined index: scope in /var/www/html/oauth/token.php on line 42<br />\n"
            ),
            crate::model::TokenBody::HugeExpires => {
                json.replace(&format!("\"expires_in\":{ttl}"), "\"expires_in\":1e400")
            }
            crate::model::TokenBody::LoneSurrogate => {
                json.replace(&access_token, &format!("{access_token}\\ud800"))
            }
            crate::model::TokenBody::Garbage2xx => format!(
                "<br />\n<b>Notice</b>:  Undefined variable: scope in /var/www/html/oauth/token.php on line 42<br />\n{{\"access_token\":\"{access_token}\",\"token_type\":\"Bearer\",\"expires_in\":{ttl}"
            ),
        };
        Reply::json(200, body)
    }

    fn random_u64(&self, salt: u64) -> u64 {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(salt);
        h.write_u128(now_ms());
        h.write_u64(self.counter.fetch_add(1, Ordering::SeqCst));
        h.finish()
    }

    fn new_token(&self, client_id: &str, now: u128, ttl: u64) -> String {
        let jti: String = (0..5)
            .map(|i| format!("{:016x}", self.random_u64(i)))
            .collect::<String>()[..80]
            .to_string();
        let iat = (now / 1000) as u64;
        let payload = format!(
            r#"{{"aud":"{}","jti":"{}","iat":{},"nbf":{},"exp":{},"sub":"","scopes":[]}}"#,
            client_id.replace(['"', '\\'], ""),
            jti,
            iat,
            iat,
            iat + ttl
        );
        let sig: Vec<u8> = (0..8)
            .flat_map(|i| self.random_u64(100 + i).to_le_bytes())
            .collect();
        format!(
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.{}.{}",
            base64url_encode(payload.as_bytes()),
            base64url_encode(&sig)
        )
    }

    /// The drop answer, padded (with trailing whitespace) to `error_body_bytes` when it is
    /// an error and that is set.
    fn drop_call(&self, rq: &Incoming, path_release: Release, raw_id: &str) -> Reply {
        let mut reply = self.drop_answer(rq, path_release, raw_id);
        let pad = self.state().error_body_bytes;
        if reply.status >= 300 && reply.body.len() < pad {
            reply.body.resize(pad, b' ');
        }
        reply
    }

    fn drop_answer(&self, rq: &Incoming, path_release: Release, raw_id: &str) -> Reply {
        let release = self.state().release;
        if path_release != release
            || rq.method != "DELETE"
            || raw_id.is_empty()
            || raw_id.contains('/')
        {
            return Reply::json(404, vendor::resource_sub_not_found());
        }
        match self.check_auth(rq) {
            Auth::Missing => return Reply::json(404, vendor::NO_ROUTE),
            Auth::Invalid => return Reply::json(401, vendor::RESOURCE_AUTH_FAILED),
            Auth::Ok => {}
        }
        let id = percent_decode(raw_id, false);
        let behaviour = {
            let mut st = self.state();
            if st.grant == Grant::ReadOnly {
                return Reply::json(500, vendor::not_authorized());
            }
            let mut b = Behaviour::Normal;
            let mut exhausted = false;
            if let Some(o) = st.behaviours.get_mut(&id) {
                b = o.behaviour;
                if let Some(n) = o.remaining.as_mut() {
                    *n = n.saturating_sub(1);
                    exhausted = *n == 0;
                }
            }
            if exhausted {
                st.behaviours.remove(&id);
            }
            b
        };
        match behaviour {
            Behaviour::Normal | Behaviour::Empty => {}
            Behaviour::Unexpected => return Reply::json(500, vendor::unexpected_error()),
            Behaviour::NotAuthorized => return Reply::json(500, vendor::not_authorized()),
            Behaviour::DroppingSpelling => return Reply::json(500, vendor::droping_error(true)),
            Behaviour::AuthFailed => return Reply::json(401, vendor::RESOURCE_AUTH_FAILED),
            Behaviour::NoRoute => return Reply::json(404, vendor::NO_ROUTE),
            Behaviour::Html => return Reply::html(502, vendor::BAD_GATEWAY_HTML),
            Behaviour::Timeout => {
                let hang = self.state().timeout_hang_ms;
                self.sleep_ms(hang);
                return Reply::json(504, vendor::TIMED_OUT);
            }
        }
        let mut st = self.state();
        let release = st.release;
        match st.session_mut(&id) {
            Some(s) if s.is_active() => {
                s.end = Some(end_time(s));
                drop(st);
                if behaviour == Behaviour::Empty {
                    Reply::empty(200)
                } else {
                    Reply::json(200, vendor::drop_ok(release))
                }
            }
            _ => Reply::json(500, vendor::droping_error(false)),
        }
    }

    fn list(&self, rq: &Incoming, one: Option<&str>) -> Reply {
        if rq.method != "GET" {
            return Reply::json(404, vendor::resource_sub_not_found());
        }
        match self.check_auth(rq) {
            Auth::Missing => return Reply::json(404, vendor::NO_ROUTE),
            Auth::Invalid => return Reply::json(401, vendor::RESOURCE_AUTH_FAILED),
            Auth::Ok => {}
        }
        if one.is_none() {
            let delay = self.state().list_delay_ms;
            if delay > 0 {
                self.sleep_ms(delay);
            }
        }
        let st = self.state();
        match one {
            None => {
                let mut all: Vec<&SimSession> = st.sessions.iter().collect();
                all.sort_by_key(|s| row_key(&s.id));
                Reply::json(
                    200,
                    vendor::list_body(&all, st.portuguese_keys, "remote_sessions"),
                )
            }
            Some(raw) => {
                let id = percent_decode(raw, false);
                if id.is_empty() || id.len() > 20 || !id.bytes().all(|b| b.is_ascii_digit()) {
                    return Reply::json(400, vendor::list_one_error(1003));
                }
                let wanted = id.trim_start_matches('0');
                match st
                    .sessions
                    .iter()
                    .find(|s| s.id.trim_start_matches('0') == wanted)
                {
                    Some(s) => Reply::json(
                        200,
                        vendor::list_body(&[s], st.portuguese_keys, "remote_session"),
                    ),
                    None => Reply::json(400, vendor::list_one_error(1002)),
                }
            }
        }
    }
}

/// Sort key of a row id: numeric ids by value, others after them.
pub(crate) fn row_key(id: &str) -> (u8, u128, String) {
    match id.parse::<u128>() {
        Ok(n) => (0, n, String::new()),
        Err(_) => (1, 0, id.to_string()),
    }
}

/// When a dropped session ends: start + its running time (sessions live in simulated time).
fn end_time(s: &SimSession) -> String {
    let dur = s
        .time
        .split(':')
        .map(|p| p.parse::<i64>().unwrap_or(0))
        .fold(0i64, |acc, v| acc * 60 + v)
        .max(1);
    match parse_datetime(&s.start) {
        Some(start) => crate::util::format_datetime(start + dur),
        None => crate::util::format_datetime((now_ms() / 1000) as i64),
    }
}

fn header(name: &str, value: &str) -> Option<tiny_http::Header> {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn to_response(r: Reply, cors: bool, instance: &str) -> tiny_http::Response<io::Cursor<Vec<u8>>> {
    let mut headers = Vec::new();
    headers.extend(header(INSTANCE_HEADER, instance));
    if let Some(ct) = r.content_type {
        headers.extend(header("Content-Type", ct));
    }
    headers.extend(header("Cache-Control", "no-store"));
    for (k, v) in &r.headers {
        headers.extend(header(k, v));
    }
    if cors {
        headers.extend(header("Access-Control-Allow-Origin", "*"));
        headers.extend(header(
            "Access-Control-Allow-Headers",
            "Authorization, Content-Type, Accept",
        ));
        headers.extend(header(
            "Access-Control-Allow-Methods",
            "GET, POST, DELETE, OPTIONS",
        ));
        headers.extend(header("Access-Control-Max-Age", "600"));
    }
    let len = r.body.len();
    tiny_http::Response::new(
        tiny_http::StatusCode(r.status),
        headers,
        io::Cursor::new(r.body),
        Some(len),
        None,
    )
}
