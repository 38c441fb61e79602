//! The async client against a scripted fake appliance (mock Transport, fake clock).
// Native only (proptest and the std-only helpers are not built for wasm32).
#![cfg(not(target_arch = "wasm32"))]

use session_drop::{
    Client, ClientState, Clock, Config, Generation, GenerationPolicy, HttpRequest, HttpResponse,
    Method, NextStep, OutcomeKind, SessionRef, TokenAuthStyle, Transport, TransportError,
};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

// ---- tiny executor -----------------------------------------------------------------------

fn noop_waker() -> Waker {
    fn clone(_: *const ()) -> RawWaker {
        RawWaker::new(std::ptr::null(), &VTABLE)
    }
    fn noop(_: *const ()) {}
    static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, noop, noop, noop);
    // SAFETY: every vtable function ignores the data pointer.
    unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) }
}

fn block_on<F: Future>(f: F) -> F::Output {
    let waker = noop_waker();
    let mut cx = Context::from_waker(&waker);
    let mut f = pin!(f);
    for _ in 0..10_000 {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("future never completed");
}

/// Poll two futures to completion, interleaved.
fn join2<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let waker = noop_waker();
    let mut cx = Context::from_waker(&waker);
    let mut a = pin!(a);
    let mut b = pin!(b);
    let (mut ra, mut rb) = (None, None);
    for _ in 0..10_000 {
        if ra.is_none() {
            if let Poll::Ready(v) = a.as_mut().poll(&mut cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let Poll::Ready(v) = b.as_mut().poll(&mut cx) {
                rb = Some(v);
            }
        }
        if let (Some(_), Some(_)) = (&ra, &rb) {
            return (ra.unwrap(), rb.unwrap());
        }
    }
    panic!("futures never completed");
}

/// A transport future that is Pending once before answering (lets another task interleave).
struct YieldOnce(bool);
impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            Poll::Pending
        }
    }
}

// ---- fake appliance ------------------------------------------------------------------------

const DROP_OK_ISO: &str = r#"{"code":200,"response":{"status":200,"message":"Sessão interrompida com sucesso","error":false,"error_code":0,"detail":"","mensagem":"Sessão interrompida com sucesso","erro":false,"cod_erro":0}}"#;
const DROP_OK_API: &str = r#"{"code":200,"response":{"status":200,"message":"Session dropped successfully","error":false,"error_code":0,"detail":"","mensagem":"Sessão encerrada com sucesso","erro":false,"cod_erro":0},"tenant":"Segura"}"#;
const NO_ROUTE: &str = r#"{"message":"no Route matched with those values"}"#;
const AUTH_FAILED: &str =
    r#"{"error":"invalid_client","error_description":"Client authentication failed"}"#;

fn envelope(status: u16, message: &str, code: u32) -> String {
    format!(
        r#"{{"code":{status},"response":{{"status":{status},"message":"{message}","error":true,"error_code":{code},"detail":"","mensagem":"{message}","erro":true,"cod_erro":{code}}}}}"#
    )
}

struct Pam {
    release: Generation,
    /// session hash → (row id, active)
    sessions: RefCell<HashMap<String, (u64, bool)>>,
    tokens: RefCell<HashSet<String>>,
    issued: Cell<u32>,
    log: RefCell<Vec<HttpRequest>>,
    read_only: Cell<bool>,
    hang: Cell<bool>,
    bad_secret: Cell<bool>,
    yield_token: Cell<bool>,
}

impl Pam {
    fn new(release: Generation) -> Pam {
        let mut sessions = HashMap::new();
        sessions.insert(
            "3fcf1e4a16104e328d6794e1b9693cfc457871d2".to_owned(),
            (42, true),
        );
        sessions.insert(
            "018d3131-0bf6-71c2-be17-999f062b8312".to_owned(),
            (43, true),
        );
        sessions.insert(
            "e7acacb6aedbab70073456da5744166939b77527".to_owned(),
            (3, false),
        );
        Pam {
            release,
            sessions: RefCell::new(sessions),
            tokens: RefCell::new(HashSet::new()),
            issued: Cell::new(0),
            log: RefCell::new(Vec::new()),
            read_only: Cell::new(false),
            hang: Cell::new(false),
            bad_secret: Cell::new(false),
            yield_token: Cell::new(false),
        }
    }

    fn expire_tokens(&self) {
        self.tokens.borrow_mut().clear();
    }

    fn paths(&self) -> Vec<String> {
        self.log
            .borrow()
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r.method.as_str(),
                    r.url.trim_start_matches("https://pam.example.com")
                )
            })
            .collect()
    }

    fn count(&self, prefix: &str) -> usize {
        self.paths()
            .iter()
            .filter(|p| p.starts_with(prefix))
            .count()
    }

    fn handle(&self, req: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let path = req
            .url
            .strip_prefix("https://pam.example.com")
            .unwrap()
            .to_owned();
        let json = |s: u16, b: &str| Ok(HttpResponse::json(s, b.as_bytes().to_vec()));
        if path == "/iso/oauth2/token" {
            assert_eq!(req.method, Method::Post);
            let body = req.body.as_deref().unwrap_or("");
            let ok = body.contains("client_id=demo-client&client_secret=demo-secret")
                || (req.header("authorization") == Some("Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ=")
                    && body == "grant_type=client_credentials");
            if !ok || self.bad_secret.get() {
                return json(401, AUTH_FAILED);
            }
            let n = self.issued.get() + 1;
            self.issued.set(n);
            let t = format!("tok-{n}");
            self.tokens.borrow_mut().insert(t.clone());
            return json(
                200,
                &format!(r#"{{"token_type":"bearer","expires_in":"3600","access_token":"{t}"}}"#),
            );
        }
        let bearer = req
            .header("authorization")
            .and_then(|v| v.strip_prefix("Bearer "));
        let Some(bearer) = bearer else {
            return json(404, NO_ROUTE);
        };
        let (drop_prefix, own_list) = match self.release {
            Generation::Api => ("/api/pam/session/drop/", "/api/pam/session/remotesessions"),
            Generation::Iso => ("/iso/session/drop/", "/iso/session/remotesessions"),
        };
        let known = path.starts_with("/api/pam/session/drop/")
            || path.starts_with("/iso/session/drop/")
            || path.contains("/remotesessions");
        if !known {
            return json(404, NO_ROUTE);
        }
        if !self.tokens.borrow().contains(bearer) {
            return json(401, r#"{"message":"Client authentication failed"}"#);
        }
        if let Some(id) = path.strip_prefix(drop_prefix) {
            assert_eq!(req.method, Method::Delete);
            if self.hang.get() {
                return Err(TransportError::Timeout);
            }
            if self.read_only.get() {
                return json(
                    500,
                    &envelope(500, "You are not authorized to access this resource", 3),
                );
            }
            let mut sessions = self.sessions.borrow_mut();
            return match sessions.get_mut(id) {
                Some((_, active)) if *active => {
                    *active = false;
                    json(
                        200,
                        if self.release == Generation::Iso {
                            DROP_OK_ISO
                        } else {
                            DROP_OK_API
                        },
                    )
                }
                _ => json(
                    500,
                    &envelope(500, "An error occurred while droping session", 1),
                ),
            };
        }
        if path.contains("/session/drop/") {
            return json(404, &envelope(404, "Resource sub not found", 4));
        }
        // Lists: the common path and this release's own path.
        let list_base = if path.starts_with("/api/session/remotesessions") {
            "/api/session/remotesessions"
        } else if path.starts_with(own_list) {
            own_list
        } else {
            return json(404, &envelope(404, "Resource sub not found", 4));
        };
        let rest = &path[list_base.len()..];
        let sessions = self.sessions.borrow();
        let item = |h: &str, (row, active): &(u64, bool)| {
            format!(
                r#"{{"id":"{row}","user":"u{row}","session_id":"{h}","start":"2024-05-06 16:{:02}:00","end":{}}}"#,
                row % 60,
                if *active {
                    "\"\""
                } else {
                    "\"2024-05-06 17:00:00\""
                }
            )
        };
        if rest.is_empty() {
            let mut v: Vec<_> = sessions.iter().collect();
            v.sort_by_key(|(_, (row, _))| *row);
            let items: Vec<String> = v.into_iter().map(|(h, s)| item(h, s)).collect();
            return json(
                200,
                &format!(r#"{{"code":200,"remote_sessions":[{}]}}"#, items.join(",")),
            );
        }
        let row: u64 = match rest.strip_prefix('/').and_then(|r| r.parse().ok()) {
            Some(r) => r,
            None => {
                return json(
                    400,
                    r#"{"exception":{"code":1003,"message":"1003: Unexpected identifier type","detail":null}}"#,
                )
            }
        };
        match sessions.iter().find(|(_, (r, _))| *r == row) {
            Some((h, s)) => json(
                200,
                &format!(r#"{{"code":200,"remote_session":[{}]}}"#, item(h, s)),
            ),
            None => json(
                400,
                r#"{"code":400,"response":{"status":400,"message":"1002: Session not found","error":true,"error_code":1002},"exception":{"code":1002,"message":"1002: Session not found","detail":null}}"#,
            ),
        }
    }
}

impl Transport for Pam {
    async fn send(
        &self,
        req: HttpRequest,
        timeout_ms: u32,
    ) -> Result<HttpResponse, TransportError> {
        assert_eq!(timeout_ms, 15_000);
        self.log.borrow_mut().push(req.clone());
        if self.yield_token.get() && req.url.ends_with("/oauth2/token") {
            YieldOnce(false).await;
        }
        self.handle(&req)
    }
}

#[derive(Clone)]
struct FakeClock(Rc<Cell<f64>>);
impl Clock for FakeClock {
    fn now_ms(&self) -> f64 {
        self.0.get()
    }
}

const T0: f64 = 1_700_000_000_000.0;

fn client(pam: &Pam, policy: GenerationPolicy) -> (Client<&Pam, FakeClock>, FakeClock) {
    let mut config = Config::new("https://pam.example.com/", "demo-client", "demo-secret").unwrap();
    config.generation = policy;
    let clock = FakeClock(Rc::new(Cell::new(T0)));
    (Client::new(config, pam, clock.clone()), clock)
}

fn hash(s: &str) -> SessionRef {
    SessionRef::hash(s).unwrap()
}

const H1: &str = "3fcf1e4a16104e328d6794e1b9693cfc457871d2";
const H2: &str = "018d3131-0bf6-71c2-be17-999f062b8312";
const ENDED: &str = "e7acacb6aedbab70073456da5744166939b77527";

// ---- tests ---------------------------------------------------------------------------------

#[test]
fn drop_on_latest_release_fetches_token_once_and_reuses_it() {
    let pam = Pam::new(Generation::Api);
    let (c, _) = client(&pam, GenerationPolicy::Auto);
    let r = block_on(c.drop_session(&hash(H1)));
    assert_eq!(r.outcome.kind, OutcomeKind::Dropped, "{r:?}");
    assert!(r.ok());
    assert_eq!(r.attempts, 1);
    assert!(!r.token_renewed);
    assert_eq!(r.generation, Some(Generation::Api));
    assert_eq!(r.session_id.as_deref(), Some(H1));
    assert_eq!(r.row_id, None);
    assert_eq!(
        r.outcome.server_message.as_deref(),
        Some("Session dropped successfully")
    );
    let r = block_on(c.drop_session(&hash(H2)));
    assert_eq!(r.outcome.kind, OutcomeKind::Dropped);
    assert_eq!(pam.issued.get(), 1, "token fetched once and reused");
    assert_eq!(
        pam.paths(),
        [
            "POST /iso/oauth2/token",
            "DELETE /api/pam/session/drop/3fcf1e4a16104e328d6794e1b9693cfc457871d2",
            "DELETE /api/pam/session/drop/018d3131-0bf6-71c2-be17-999f062b8312",
        ]
    );
    // Second drop of the same session: already ended, no retry.
    let r = block_on(c.drop_session(&hash(H1)));
    assert_eq!(r.outcome.kind, OutcomeKind::AlreadyEnded);
    assert_eq!(r.outcome.next, NextStep::Report);
    assert_eq!(r.attempts, 1);
    assert_eq!(pam.count("DELETE"), 3);
}

#[test]
fn token_renewed_exactly_once_on_401_then_retried() {
    let pam = Pam::new(Generation::Api);
    let (c, _) = client(&pam, GenerationPolicy::Auto);
    assert_eq!(
        block_on(c.test_connection()).outcome.kind,
        OutcomeKind::Connected
    );
    // test_connection: a token, then the probe DELETE of an id that cannot exist.
    assert_eq!(
        pam.paths(),
        [
            "POST /iso/oauth2/token",
            "DELETE /api/pam/session/drop/0000000000000000000000000000000000000000",
        ]
    );
    pam.log.borrow_mut().truncate(1);
    pam.expire_tokens();
    let r = block_on(c.drop_session(&hash(H1)));
    assert_eq!(r.outcome.kind, OutcomeKind::Dropped, "{r:?}");
    assert!(r.token_renewed);
    assert_eq!(r.attempts, 2);
    assert_eq!(pam.issued.get(), 2);
    assert_eq!(
        pam.paths(),
        [
            "POST /iso/oauth2/token",
            "DELETE /api/pam/session/drop/3fcf1e4a16104e328d6794e1b9693cfc457871d2",
            "POST /iso/oauth2/token",
            "DELETE /api/pam/session/drop/3fcf1e4a16104e328d6794e1b9693cfc457871d2",
        ]
    );
}

#[test]
fn token_that_keeps_failing_is_renewed_only_once() {
    let pam = Pam::new(Generation::Api);
    let (c, _) = client(&pam, GenerationPolicy::Auto);
    // Tokens are issued, but the API refuses every one of them.
    block_on(c.test_connection());
    pam.expire_tokens();
    struct Refuser<'a>(&'a Pam);
    impl Transport for Refuser<'_> {
        async fn send(&self, req: HttpRequest, t: u32) -> Result<HttpResponse, TransportError> {
            let r = self.0.send(req, t).await;
            self.0.expire_tokens();
            r
        }
    }
    let mut config = Config::new("https://pam.example.com", "demo-client", "demo-secret").unwrap();
    config.generation = GenerationPolicy::Auto;
    let c = Client::new(config, Refuser(&pam), FakeClock(Rc::new(Cell::new(T0))));
    pam.log.borrow_mut().clear();
    let r = block_on(c.drop_session(&hash(H1)));
    assert_eq!(r.outcome.kind, OutcomeKind::AuthFailed);
    assert!(r.token_renewed);
    assert_eq!(r.attempts, 2);
    assert_eq!(pam.count("POST"), 2);
    assert_eq!(pam.count("DELETE"), 2);
}

#[test]
fn old_release_auto_falls_back_to_iso_and_remembers() {
    let pam = Pam::new(Generation::Iso);
    let (c, _) = client(&pam, GenerationPolicy::Auto);
    let r = block_on(c.drop_session(&hash(H1)));
    assert_eq!(r.outcome.kind, OutcomeKind::Dropped, "{r:?}");
    assert_eq!(r.generation, Some(Generation::Iso));
    assert_eq!(r.attempts, 2);
    assert_eq!(
        r.outcome.server_message.as_deref(),
        Some("Sessão interrompida com sucesso")
    );
    assert_eq!(c.state().generation, Some(Generation::Iso));
    // Next drop goes straight to iso.
    let r = block_on(c.drop_session(&hash(H2)));
    assert_eq!(r.outcome.kind, OutcomeKind::Dropped);
    assert_eq!(r.attempts, 1);
    assert_eq!(
        pam.paths(),
        [
            "POST /iso/oauth2/token",
            "DELETE /api/pam/session/drop/3fcf1e4a16104e328d6794e1b9693cfc457871d2",
            "DELETE /iso/session/drop/3fcf1e4a16104e328d6794e1b9693cfc457871d2",
            "DELETE /iso/session/drop/018d3131-0bf6-71c2-be17-999f062b8312",
        ]
    );
    // The remembered generation survives a restart through ClientState.
    let state = c.state();
    let json = serde_json::to_string(&state).unwrap();
    assert!(json.contains(r#""generation":"iso""#), "{json}");
    assert!(json.contains(r#""accessToken":"tok-1""#), "{json}");
    let (c2, _) = client(&pam, GenerationPolicy::Auto);
    c2.restore(serde_json::from_str::<ClientState>(&json).unwrap());
    pam.log.borrow_mut().clear();
    let r = block_on(c2.drop_session(&hash(ENDED)));
    assert_eq!(r.outcome.kind, OutcomeKind::AlreadyEnded);
    assert_eq!(
        pam.paths(),
        ["DELETE /iso/session/drop/e7acacb6aedbab70073456da5744166939b77527"]
    );
}

#[test]
fn fixed_policy_does_not_fall_back() {
    let pam = Pam::new(Generation::Iso);
    let (c, _) = client(&pam, GenerationPolicy::Api);
    let r = block_on(c.drop_session(&hash(H1)));
    assert_eq!(r.outcome.kind, OutcomeKind::ResourceNotFound);
    assert_eq!(r.outcome.next, NextStep::TryOtherGeneration);
    assert_eq!(r.attempts, 1);
    assert_eq!(r.generation, Some(Generation::Api));
    assert_eq!(pam.count("DELETE"), 1);
    assert_eq!(c.state().generation, None);
    // The matching fixed policy works.
    let (c, _) = client(&pam, GenerationPolicy::Iso);
    assert_eq!(
        block_on(c.drop_session(&hash(H1))).outcome.kind,
        OutcomeKind::Dropped
    );
}

#[test]
fn auto_gives_up_after_one_switch() {
    // An appliance where neither generation exists (wrong server URL prefix): 2 DELETEs max.
    struct Nowhere(Pam);
    impl Transport for Nowhere {
        async fn send(&self, req: HttpRequest, t: u32) -> Result<HttpResponse, TransportError> {
            if req.method == Method::Delete {
                self.0.log.borrow_mut().push(req);
                return Ok(HttpResponse::json(
                    404,
                    envelope(404, "Resource sub not found", 4),
                ));
            }
            self.0.send(req, t).await
        }
    }
    let t = Nowhere(Pam::new(Generation::Api));
    let config = Config::new("https://pam.example.com", "demo-client", "demo-secret").unwrap();
    let c = Client::new(config, &t, FakeClock(Rc::new(Cell::new(T0))));
    let r = block_on(c.drop_session(&hash(H1)));
    assert_eq!(r.outcome.kind, OutcomeKind::ResourceNotFound);
    assert_eq!(r.attempts, 2);
    assert_eq!(r.generation, Some(Generation::Iso));
    assert_eq!(
        c.state().generation,
        None,
        "nothing worked: nothing remembered"
    );
}

#[test]
fn row_id_is_resolved_then_dropped() {
    let pam = Pam::new(Generation::Api);
    let (c, _) = client(&pam, GenerationPolicy::Auto);
    let r = block_on(c.drop_session(&SessionRef::row_id("42").unwrap()));
    assert_eq!(r.outcome.kind, OutcomeKind::Dropped, "{r:?}");
    assert_eq!(r.session_id.as_deref(), Some(H1));
    assert_eq!(r.row_id.as_deref(), Some("42"));
    assert_eq!(r.attempts, 1);
    assert_eq!(
        pam.paths(),
        [
            "POST /iso/oauth2/token",
            "GET /api/pam/session/remotesessions/42",
            "DELETE /api/pam/session/drop/3fcf1e4a16104e328d6794e1b9693cfc457871d2",
        ]
    );
    // Unknown row: session_not_found, nothing deleted.
    let r = block_on(c.drop_session(&SessionRef::row_id("999").unwrap()));
    assert_eq!(r.outcome.kind, OutcomeKind::SessionNotFound);
    assert_eq!(r.outcome.status, Some(400));
    assert_eq!(r.row_id.as_deref(), Some("999"));
    assert_eq!(r.session_id, None);
    assert_eq!(pam.count("DELETE"), 1);
    // resolve_report
    let r = block_on(c.resolve_report(43));
    assert_eq!(r.outcome.kind, OutcomeKind::Resolved);
    assert!(r.ok());
    assert_eq!(r.session_id.as_deref(), Some(H2));
    assert_eq!(block_on(c.resolve(43)).unwrap().as_str(), H2);
}

#[test]
fn old_release_resolves_via_list_path_fallback() {
    let pam = Pam::new(Generation::Iso);
    let (c, _) = client(&pam, GenerationPolicy::Auto);
    let r = block_on(c.drop_session(&SessionRef::row_id("43").unwrap()));
    assert_eq!(r.outcome.kind, OutcomeKind::Dropped, "{r:?}");
    assert_eq!(
        pam.paths(),
        [
            "POST /iso/oauth2/token",
            "GET /api/pam/session/remotesessions/43",
            "GET /api/session/remotesessions/43",
            "DELETE /api/pam/session/drop/018d3131-0bf6-71c2-be17-999f062b8312",
            "DELETE /iso/session/drop/018d3131-0bf6-71c2-be17-999f062b8312",
        ]
    );
    // The list path that worked is tried first next time.
    pam.log.borrow_mut().clear();
    let r = block_on(c.resolve_report(42));
    assert!(r.ok());
    assert_eq!(pam.paths()[0], "GET /api/session/remotesessions/42");
}

#[test]
fn list_active_filters_and_sorts() {
    let pam = Pam::new(Generation::Iso);
    let (c, _) = client(&pam, GenerationPolicy::Iso);
    let l = block_on(c.list_active()).unwrap();
    assert_eq!(l.total, 3);
    let ids: Vec<&str> = l.sessions.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["43", "42"]);
    assert_eq!(pam.paths()[1], "GET /iso/session/remotesessions");
}

#[test]
fn timeout_is_reported_not_retried() {
    let pam = Pam::new(Generation::Api);
    pam.hang.set(true);
    let (c, _) = client(&pam, GenerationPolicy::Auto);
    let r = block_on(c.drop_session(&hash(H1)));
    assert_eq!(r.outcome.kind, OutcomeKind::Timeout);
    assert_eq!(r.outcome.status, None);
    assert_eq!(r.attempts, 1);
    assert_eq!(pam.count("DELETE"), 1);
    let v = r.to_view();
    assert!(!v.ok);
}

#[test]
fn read_only_grant_is_not_authorized() {
    let pam = Pam::new(Generation::Api);
    pam.read_only.set(true);
    let (c, _) = client(&pam, GenerationPolicy::Auto);
    let r = block_on(c.drop_session(&hash(H1)));
    assert_eq!(r.outcome.kind, OutcomeKind::NotAuthorized);
    assert_eq!(r.attempts, 1);
    assert_eq!(r.to_view().kind, OutcomeKind::NotAuthorized);
}

#[test]
fn bad_credentials() {
    let pam = Pam::new(Generation::Api);
    pam.bad_secret.set(true);
    let (c, _) = client(&pam, GenerationPolicy::Auto);
    let r = block_on(c.test_connection());
    assert_eq!(r.outcome.kind, OutcomeKind::AuthFailed);
    assert_eq!(r.outcome.next, NextStep::Report);
    let r = block_on(c.drop_session(&hash(H1)));
    assert_eq!(r.outcome.kind, OutcomeKind::AuthFailed);
    assert_eq!(r.attempts, 0, "no DELETE without a token");
    assert_eq!(pam.count("DELETE"), 0);
    assert_eq!(r.session_id.as_deref(), Some(H1));
}

#[test]
fn basic_auth_style() {
    let pam = Pam::new(Generation::Api);
    let mut config = Config::new("https://pam.example.com", "demo-client", "demo-secret").unwrap();
    config.token_auth = TokenAuthStyle::Basic;
    let c = Client::new(config, &pam, FakeClock(Rc::new(Cell::new(T0))));
    assert_eq!(
        block_on(c.test_connection()).outcome.kind,
        OutcomeKind::Connected
    );
}

#[test]
fn token_expiry_uses_the_clock() {
    let pam = Pam::new(Generation::Api);
    let (c, clock) = client(&pam, GenerationPolicy::Auto);
    block_on(c.drop_session(&hash(H1)));
    clock.0.set(T0 + 3_500_000.0);
    block_on(c.drop_session(&hash(H2)));
    assert_eq!(pam.issued.get(), 1);
    // Within 60 s of expiry: renewed before use.
    clock.0.set(T0 + 3_545_000.0);
    block_on(c.drop_session(&hash(ENDED)));
    assert_eq!(pam.issued.get(), 2);
    // Restoring an expired token does not use it.
    let (c2, _) = client(&pam, GenerationPolicy::Auto);
    c2.restore(ClientState {
        token: Some(session_drop::Token {
            access_token: "tok-1".into(),
            expires_at_ms: T0 - 1.0,
        }),
        generation: None,
    });
    block_on(c2.drop_session(&hash(ENDED)));
    assert_eq!(pam.issued.get(), 3);
}

#[test]
fn concurrent_drops_share_one_token_fetch() {
    let pam = Pam::new(Generation::Api);
    pam.yield_token.set(true);
    let (c, _) = client(&pam, GenerationPolicy::Auto);
    let (a, b) = join2(c.drop_session(&hash(H1)), c.drop_session(&hash(H2)));
    assert_eq!(a.outcome.kind, OutcomeKind::Dropped);
    assert_eq!(b.outcome.kind, OutcomeKind::Dropped);
    assert_eq!(pam.issued.get(), 1);
    assert_eq!(pam.count("POST"), 1);
}

#[test]
fn curl_of_the_next_drop() {
    let pam = Pam::new(Generation::Iso);
    let (c, _) = client(&pam, GenerationPolicy::Auto);
    let id = session_drop::SessionId::new(H1).unwrap();
    let before = c.curl(&id, true);
    assert!(before.contains("/api/pam/session/drop/"), "{before}");
    block_on(c.drop_session(&hash(H2)));
    let after = c.curl(&id, false);
    assert!(
        after.contains(
            "'https://pam.example.com/iso/session/drop/3fcf1e4a16104e328d6794e1b9693cfc457871d2'"
        ),
        "{after}"
    );
    assert!(after.contains("Bearer tok-1"));
    assert!(!c.curl(&id, true).contains("tok-1"));
}

#[test]
fn report_view_shape() {
    let pam = Pam::new(Generation::Api);
    let (c, _) = client(&pam, GenerationPolicy::Auto);
    let r = block_on(c.drop_session(&SessionRef::row_id("42").unwrap()));
    let v = serde_json::to_value(r.to_view()).unwrap();
    let obj = v.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "attempts",
            "generation",
            "kind",
            "next",
            "ok",
            "params",
            "rowId",
            "serverMessage",
            "sessionId",
            "status",
            "tokenRenewed"
        ]
    );
    assert_eq!(v["ok"], true);
    assert_eq!(v["kind"], "dropped");
    assert_eq!(v["status"], 200);
    assert_eq!(v["next"], "done");
    assert_eq!(v["generation"], "api");
    assert_eq!(v["rowId"], "42");
    assert_eq!(v["sessionId"], H1);
    assert_eq!(v["attempts"], 1);
    assert_eq!(v["tokenRenewed"], false);
    assert_eq!(v["serverMessage"], "Session dropped successfully");
    assert_eq!(v["params"], serde_json::json!({}));
    // invalid_config / invalid ref reports.
    let v = serde_json::to_value(
        session_drop::Report::invalid_config(&session_drop::ConfigError::MissingClientId).to_view(),
    )
    .unwrap();
    assert_eq!(v["kind"], "invalid_config");
    assert_eq!(v["params"]["field"], "clientId");
    assert_eq!(v["ok"], false);
    assert!(v["status"].is_null() && v["generation"].is_null() && v["sessionId"].is_null());
}

#[test]
fn config_validation() {
    use session_drop::ConfigError;
    assert!(matches!(
        Config::new("http://pam.example.com", "a", "b"),
        Err(ConfigError::Server(_))
    ));
    assert_eq!(
        Config::new("https://pam.example.com", " ", "b").unwrap_err(),
        ConfigError::MissingClientId
    );
    assert_eq!(
        Config::new("https://pam.example.com", "a", "").unwrap_err(),
        ConfigError::MissingClientSecret
    );
    let mut c = Config::new("https://pam.example.com", "a", "b").unwrap();
    c.timeout_ms = 10;
    assert_eq!(c.validate().unwrap_err(), ConfigError::BadTimeout(10));
    assert_eq!(
        serde_json::Value::Object(ConfigError::BadTimeout(10).params()),
        serde_json::json!({"field": "timeoutMs", "reason": "out_of_range", "value": 10})
    );
}

#[test]
fn ensure_token_fetches_only_a_token_reuses_it_and_renews_on_request() {
    let pam = Pam::new(Generation::Api);
    let (c, _) = client(&pam, GenerationPolicy::Auto);
    let r = block_on(c.ensure_token(false));
    assert_eq!(r.outcome.kind, OutcomeKind::Connected, "{r:?}");
    let first = c.state().token.expect("a token in the client").access_token;
    let r = block_on(c.ensure_token(false));
    assert_eq!(r.outcome.kind, OutcomeKind::Connected);
    assert_eq!(pam.issued.get(), 1, "the cached token is reused");
    let r = block_on(c.ensure_token(true));
    assert_eq!(r.outcome.kind, OutcomeKind::Connected);
    assert_eq!(pam.issued.get(), 2, "renew asks for a new one");
    assert_ne!(c.state().token.unwrap().access_token, first);
    assert_eq!(
        pam.paths(),
        ["POST /iso/oauth2/token", "POST /iso/oauth2/token"],
        "nothing but token requests"
    );
    pam.bad_secret.set(true);
    let r = block_on(c.ensure_token(true));
    assert_eq!(r.outcome.kind, OutcomeKind::AuthFailed, "{r:?}");
    assert!(!r.ok());
}
