//! The async flow: token cache, generation fallback, retries, redirect probe. Generic over
//! the transport and the clock so it runs natively (tests) and in wasm alike.

use crate::config::{Config, ListOptions};
use crate::generation::{list_one_path, AutoGeneration, Generation, GenerationPolicy};
use crate::http::{Call, HttpRequest, HttpResponse, TransportError};
use crate::id::{IdError, SessionId, SessionRef};
use crate::outcome::{from_transport, interpret_drop, NextStep, Outcome, OutcomeKind};
use crate::report::Report;
use crate::request::{drop_request, list_call, probe_request, to_curl, token_request};
use crate::sessions::{parse_list_all, parse_list_one, RemoteSession, SessionList};
use crate::token::{interpret_token, Token, TokenCache};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Progress of reading an answer: `(bytes read, total when known)`.
pub type Progress<'a> = &'a dyn Fn(u64, Option<u64>);

/// Sends one request. Implementations must honour `timeout_ms` (answer
/// `TransportError::Timeout`), never follow a redirect unless the request says so (answer
/// `TransportError::Redirect`), and stop reading past `max_body_bytes` (answer
/// `TransportError::TooLarge`). No `Send` bound (wasm is single-threaded).
#[allow(async_fn_in_trait)]
pub trait Transport {
    async fn send(&self, req: HttpRequest, timeout_ms: u32)
        -> Result<HttpResponse, TransportError>;

    /// [`send`](Self::send), reporting progress while the body is read (default: none).
    async fn send_with_progress(
        &self,
        req: HttpRequest,
        timeout_ms: u32,
        progress: Progress<'_>,
    ) -> Result<HttpResponse, TransportError> {
        let _ = progress;
        self.send(req, timeout_ms).await
    }
}

/// A reference or a shared pointer to a transport is a transport.
macro_rules! forward_transport {
    ($($ptr:ty),+) => {$(
        impl<T: Transport + ?Sized> Transport for $ptr {
            async fn send(
                &self,
                req: HttpRequest,
                timeout_ms: u32,
            ) -> Result<HttpResponse, TransportError> {
                (**self).send(req, timeout_ms).await
            }
            async fn send_with_progress(
                &self,
                req: HttpRequest,
                timeout_ms: u32,
                progress: Progress<'_>,
            ) -> Result<HttpResponse, TransportError> {
                (**self).send_with_progress(req, timeout_ms, progress).await
            }
        }
    )+};
}
forward_transport!(&T, std::rc::Rc<T>);

/// Milliseconds since the Unix epoch (like JS `Date.now()`).
pub trait Clock {
    fn now_ms(&self) -> f64;
}

impl<F: Fn() -> f64> Clock for F {
    fn now_ms(&self) -> f64 {
        self()
    }
}

/// What survives a background restart. serde: `{ token: {accessToken, expiresAtMs} | null,
/// generation: "api" | "iso" | null }`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientState {
    #[serde(default)]
    pub token: Option<Token>,
    #[serde(default)]
    pub generation: Option<Generation>,
}

/// The id `testConnection` asks the appliance to drop: well-formed, and no session has it.
pub const PROBE_SESSION_ID: &str = "0000000000000000000000000000000000000000";

/// Single-flight gate for token fetches: concurrent callers wait for the one in flight.
#[derive(Default)]
struct Gate {
    busy: Cell<bool>,
    waiters: RefCell<Vec<Waker>>,
}

struct GateGuard<'a>(&'a Gate);

impl Drop for GateGuard<'_> {
    fn drop(&mut self) {
        self.0.busy.set(false);
        let waiters = std::mem::take(&mut *self.0.waiters.borrow_mut());
        for w in waiters {
            w.wake();
        }
    }
}

struct WaitIdle<'a>(&'a Gate);

impl Future for WaitIdle<'_> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.busy.get() {
            self.0.waiters.borrow_mut().push(cx.waker().clone());
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }
}

/// The client. Every method takes `&self`; no `RefCell` borrow is held across an `.await`,
/// so calls may interleave (e.g. bulk drops with some concurrency).
pub struct Client<T, C> {
    config: Config,
    transport: T,
    clock: C,
    cache: RefCell<TokenCache>,
    remembered: Cell<Option<Generation>>,
    list_path: Cell<Option<&'static str>>,
    gate: Gate,
}

#[derive(Default)]
struct Flow {
    attempts: u32,
    renewed: bool,
}

/// How a list call is made: list-one of a row id, or list-all with its options.
#[derive(Clone, Copy)]
enum ListCall<'a> {
    One(u64),
    All(&'a ListOptions, Option<Progress<'a>>),
}

/// What a list call found.
enum Got {
    One(Box<RemoteSession>),
    All(SessionList),
}

/// A list answer. `Err` is the outcome to act on (renew the token, try the next path, or report).
fn read_list(resp: &HttpResponse, one: bool) -> Result<Got, Outcome> {
    if one {
        return parse_list_one(resp).map(|s| Got::One(Box::new(s)));
    }
    if !(200..300).contains(&resp.status) {
        let mut o = interpret_drop(resp, true);
        if o.kind == OutcomeKind::Dropped {
            o.kind = OutcomeKind::Unexpected;
            o.next = NextStep::Report;
        }
        return Err(o);
    }
    parse_list_all(&resp.body, true)
        .map(Got::All)
        .map_err(|mut o| {
            o.status = Some(resp.status);
            o
        })
}

impl<T: Transport, C: Clock> Client<T, C> {
    pub fn new(config: Config, transport: T, clock: C) -> Self {
        Client {
            config,
            transport,
            clock,
            cache: RefCell::new(TokenCache::new()),
            remembered: Cell::new(None),
            list_path: Cell::new(None),
            gate: Gate::default(),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Token + remembered generation, for persisting.
    pub fn state(&self) -> ClientState {
        ClientState {
            token: self.cache.borrow().peek().cloned(),
            generation: self.remembered.get(),
        }
    }

    /// Restore what [`state`](Self::state) gave (an expired token is simply not used).
    pub fn restore(&self, s: ClientState) {
        let now = self.clock.now_ms();
        {
            let mut cache = self.cache.borrow_mut();
            match s.token {
                Some(t) if !t.access_token.is_empty() => cache.store(t, now),
                _ => cache.clear(),
            }
        }
        self.remembered.set(s.generation);
    }

    /// The generation the next drop will start with.
    pub fn current_generation(&self) -> Generation {
        self.config
            .generation
            .fixed()
            .or(self.remembered.get())
            .unwrap_or(Generation::Api)
    }

    /// The curl command of the DELETE the next drop of `id` would send first. Without a cached
    /// token the token is shown as `$TOKEN`.
    pub fn curl(&self, id: &SessionId, redact: bool) -> String {
        let token = self
            .cache
            .borrow()
            .get(self.clock.now_ms())
            .map(|t| t.access_token.clone())
            .unwrap_or_else(|| "$TOKEN".to_owned());
        let req = drop_request(&self.config.server, self.current_generation(), id, &token);
        to_curl(&req, redact)
    }

    /// [`curl`](Self::curl) of a reference: a row id is refused (`invalid_session_ref`,
    /// `not_a_row_id`: the hash is needed).
    pub fn curl_ref(&self, r: &SessionRef, redact: bool) -> Result<String, Report> {
        match r {
            SessionRef::Hash(id) => Ok(self.curl(id, redact)),
            SessionRef::RowId(_) => Err(Report::invalid_ref(&IdError::NotARowId)),
        }
    }

    /// The curl command of the token request.
    pub fn token_curl(&self, redact: bool) -> String {
        to_curl(
            &token_request(
                &self.config.server,
                &self.config.credentials,
                self.config.token_auth,
            ),
            redact,
        )
    }

    /// Sends a request; a transport failure becomes its outcome. A redirect is never
    /// followed: a credential-less probe (GET of the same URL, following redirects) finds
    /// where it leads when the transport could not read `Location`.
    async fn call(
        &self,
        req: HttpRequest,
        timeout_ms: u32,
        progress: Option<Progress<'_>>,
    ) -> Result<HttpResponse, Outcome> {
        let call = req.call;
        let url = req.url.clone();
        let result = match progress {
            Some(p) => self.transport.send_with_progress(req, timeout_ms, p).await,
            None => self.transport.send(req, timeout_ms).await,
        };
        let err = match result {
            Ok(resp) => return Ok(resp),
            Err(e) => e,
        };
        let err = match err {
            TransportError::Redirect { location: None } => {
                let probe = self
                    .transport
                    .send(probe_request(&url), self.config.timeout_ms)
                    .await;
                let location = probe
                    .ok()
                    .and_then(|r| r.url)
                    .filter(|final_url| *final_url != url);
                TransportError::Redirect { location }
            }
            e => e,
        };
        let mut o = from_transport(&err);
        if o.kind == OutcomeKind::TooLarge {
            o = o.with("call", call.as_str());
        }
        Err(o)
    }

    /// The secrets every Report is scrubbed of: the client secret and the current token.
    fn finish(&self, mut rep: Report) -> Report {
        let token = self.cache.borrow().peek().map(|t| t.access_token.clone());
        let mut secrets: Vec<&str> = vec![self.config.credentials.client_secret.as_str()];
        if let Some(t) = token.as_deref() {
            secrets.push(t);
        }
        rep.scrub(&secrets);
        rep
    }

    /// Fetch a new token and cache it.
    async fn fetch_token(&self) -> Result<String, Outcome> {
        if self.config.token_only() {
            return Err(Outcome::new(
                OutcomeKind::AuthFailed,
                None,
                None,
                NextStep::RenewToken,
            ));
        }
        let req = token_request(
            &self.config.server,
            &self.config.credentials,
            self.config.token_auth,
        );
        let resp = self.call(req, self.config.timeout_ms, None).await?;
        let now = self.clock.now_ms();
        let token = interpret_token(&resp, now)?;
        let s = token.access_token.clone();
        self.cache.borrow_mut().store(token, now);
        Ok(s)
    }

    /// A usable token: the cached one unless it equals `stale`, else a new one (one fetch in
    /// flight at a time; concurrent callers wait for it). A token-only client never fetches:
    /// without a usable token it answers `auth_failed` with `next: renew_token`.
    async fn token(&self, stale: Option<&str>) -> Result<String, Outcome> {
        loop {
            let cached = {
                let cache = self.cache.borrow();
                cache
                    .get(self.clock.now_ms())
                    .filter(|t| Some(t.access_token.as_str()) != stale)
                    .map(|t| t.access_token.clone())
            };
            if let Some(t) = cached {
                return Ok(t);
            }
            if self.gate.busy.get() {
                WaitIdle(&self.gate).await;
                continue;
            }
            self.gate.busy.set(true);
            let _guard = GateGuard(&self.gate);
            {
                let mut cache = self.cache.borrow_mut();
                if stale.is_some() && cache.peek().map(|t| t.access_token.as_str()) == stale {
                    cache.clear();
                }
            }
            return self.fetch_token().await;
        }
    }

    fn report(&self, outcome: Outcome, flow: &Flow) -> Report {
        Report {
            outcome,
            session_id: None,
            row_id: None,
            generation: None,
            attempts: flow.attempts,
            token_renewed: flow.renewed,
        }
    }

    /// Drop (terminate) a session. A row id is first resolved to its hash.
    ///
    /// Retries, each at most once per call: a refused token (`AuthFailed`, or "no Route
    /// matched" without a token) → new token and the same DELETE again; under `auto`, a
    /// missing route (`RouteNotMatched` with a token, `ResourceNotFound`) → the other
    /// generation, remembered when it works. Timeouts and network errors are never retried.
    pub async fn drop_session(&self, r: &SessionRef) -> Report {
        let (id, row_id, mut flow) = match r {
            SessionRef::Hash(id) => (id.clone(), None, Flow::default()),
            SessionRef::RowId(n) => match self.resolve_flow(*n).await {
                Ok((id, flow)) => (id, Some(n.to_string()), flow),
                Err(rep) => return self.finish(rep),
            },
        };
        // Only DELETEs count for the drop itself.
        flow.attempts = 0;
        let mut rep = self.drop_flow(&id, flow).await;
        rep.session_id = Some(id.as_str().to_owned());
        rep.row_id = row_id;
        self.finish(rep)
    }

    async fn drop_flow(&self, id: &SessionId, mut flow: Flow) -> Report {
        let policy = self.config.generation;
        let mut auto = AutoGeneration::for_policy(policy, self.remembered.get());
        let mut token = match self.token(None).await {
            Ok(t) => t,
            Err(o) => {
                let mut rep = self.report(o, &flow);
                rep.generation = Some(auto.current());
                return rep;
            }
        };
        loop {
            let gen = auto.current();
            let req = drop_request(&self.config.server, gen, id, &token);
            let sent_token = req.has_bearer();
            flow.attempts += 1;
            let outcome = match self.call(req, self.config.timeout_ms, None).await {
                Ok(resp) => interpret_drop(&resp, sent_token),
                Err(o) => o,
            };
            // Answers that can only come from the drop handler prove the route exists.
            if matches!(
                outcome.kind,
                OutcomeKind::Dropped | OutcomeKind::AlreadyEnded | OutcomeKind::NotAuthorized
            ) && !auto.is_fixed()
            {
                auto.on_success(gen);
                self.remembered.set(Some(gen));
            }
            let retry = match outcome.next {
                NextStep::RenewToken if !flow.renewed => {
                    flow.renewed = true;
                    match self.token(Some(&token)).await {
                        Ok(t) => {
                            token = t;
                            true
                        }
                        Err(o) => {
                            let mut rep = self.report(o, &flow);
                            rep.generation = Some(gen);
                            return rep;
                        }
                    }
                }
                NextStep::TryOtherGeneration => auto.on_route_not_found().is_some(),
                _ => false,
            };
            if !retry {
                let mut rep = self.report(outcome, &flow);
                rep.generation = Some(gen);
                return rep;
            }
        }
    }

    /// List paths to try, in order: the one that worked last, then the generation's own, the
    /// common one, and (under `auto`) the other generation's own.
    fn list_paths(&self) -> Vec<&'static str> {
        let gen = self.current_generation();
        let mut paths: Vec<&'static str> = Vec::with_capacity(4);
        if let Some(p) = self.list_path.get() {
            paths.push(p);
        }
        let mut cand: Vec<&'static str> = gen.list_paths().to_vec();
        if self.config.generation == GenerationPolicy::Auto {
            cand.push(gen.other().list_paths()[0]);
        }
        for p in cand {
            if !paths.contains(&p) {
                paths.push(p);
            }
        }
        paths
    }

    /// GET each candidate list path until one is found; renew the token once.
    async fn get_with_fallback(&self, flow: &mut Flow, what: ListCall<'_>) -> Result<Got, Report> {
        let paths = self.list_paths();
        let mut token = self.token(None).await.map_err(|o| self.report(o, flow))?;
        let mut i = 0;
        loop {
            let path = paths[i];
            let (req, timeout, progress) = match what {
                ListCall::One(n) => (
                    list_call(
                        &self.config.server,
                        &list_one_path(path, n),
                        &token,
                        Call::ListOne,
                    ),
                    self.config.timeout_ms,
                    None,
                ),
                ListCall::All(opts, progress) => {
                    let mut req = list_call(&self.config.server, path, &token, Call::List);
                    req.max_body_bytes = opts.cap();
                    (
                        req,
                        opts.timeout_ms.unwrap_or(self.config.timeout_ms),
                        progress,
                    )
                }
            };
            flow.attempts += 1;
            let outcome = match self.call(req, timeout, progress).await {
                Ok(resp) => match read_list(&resp, matches!(what, ListCall::One(_))) {
                    Ok(r) => {
                        self.list_path.set(Some(path));
                        return Ok(r);
                    }
                    Err(o) => o,
                },
                Err(o) => o,
            };
            match outcome.next {
                NextStep::RenewToken if !flow.renewed => {
                    flow.renewed = true;
                    token = self
                        .token(Some(&token))
                        .await
                        .map_err(|o| self.report(o, flow))?;
                }
                NextStep::TryOtherGeneration if i + 1 < paths.len() => {
                    if self.list_path.get() == Some(path) {
                        self.list_path.set(None);
                    }
                    i += 1;
                }
                _ => return Err(self.report(outcome, flow)),
            }
        }
    }

    /// List-one of a row id: the session, or the failure (with `row_id` set).
    async fn lookup_flow(&self, row_id: u64) -> Result<(RemoteSession, Flow), Report> {
        let mut flow = Flow::default();
        match self
            .get_with_fallback(&mut flow, ListCall::One(row_id))
            .await
        {
            Ok(Got::One(s)) => Ok((*s, flow)),
            // (`read_list` answers `One` for list-one.)
            Ok(Got::All(_)) => Err(self.report(Outcome::local(OutcomeKind::Unexpected), &flow)),
            Err(mut rep) => {
                rep.row_id = Some(row_id.to_string());
                Err(rep)
            }
        }
    }

    async fn resolve_flow(&self, row_id: u64) -> Result<(SessionId, Flow), Report> {
        let (s, flow) = self.lookup_flow(row_id).await?;
        match SessionId::new(s.session_id.trim()) {
            Ok(id) => Ok((id, flow)),
            Err(_) => {
                let mut rep = self.report(
                    Outcome::new(OutcomeKind::Unexpected, Some(200), None, NextStep::Report),
                    &flow,
                );
                rep.row_id = Some(row_id.to_string());
                Err(rep)
            }
        }
    }

    /// Find the hash of a numeric row id (list-one).
    pub async fn resolve(&self, row_id: u64) -> Result<SessionId, Report> {
        self.resolve_flow(row_id)
            .await
            .map(|(id, _)| id)
            .map_err(|r| self.finish(r))
    }

    /// [`resolve`](Self::resolve) as a Report: kind `resolved` with `session_id` set, or the failure.
    pub async fn resolve_report(&self, row_id: u64) -> Report {
        let rep = match self.resolve_flow(row_id).await {
            Ok((id, flow)) => {
                let mut rep = self.report(Outcome::local(OutcomeKind::Resolved), &flow);
                rep.outcome.status = Some(200);
                rep.session_id = Some(id.as_str().to_owned());
                rep.row_id = Some(row_id.to_string());
                rep
            }
            Err(rep) => rep,
        };
        self.finish(rep)
    }

    /// What the appliance itself says about a session (list-one). Needs a row id: a hash is
    /// refused as `invalid_session_ref` (`not_a_row_id`) without a request.
    pub async fn lookup(&self, r: &SessionRef) -> Result<RemoteSession, Report> {
        match r {
            SessionRef::RowId(n) => self
                .lookup_flow(*n)
                .await
                .map(|(s, _)| s)
                .map_err(|r| self.finish(r)),
            SessionRef::Hash(_) => Err(Report::invalid_ref(&IdError::NotARowId)),
        }
    }

    /// Every active session (newest first), from the list-all call, with the default options.
    pub async fn list_active(&self) -> Result<SessionList, Report> {
        self.list_active_with(&ListOptions::default(), None).await
    }

    /// [`list_active`](Self::list_active) with a timeout / cap of its own and progress.
    pub async fn list_active_with(
        &self,
        opts: &ListOptions,
        progress: Option<Progress<'_>>,
    ) -> Result<SessionList, Report> {
        let mut flow = Flow::default();
        match self
            .get_with_fallback(&mut flow, ListCall::All(opts, progress))
            .await
        {
            Ok(Got::All(list)) => Ok(list),
            // (`read_list` answers `All` for the list-all call.)
            Ok(Got::One(_)) => {
                Err(self.finish(self.report(Outcome::local(OutcomeKind::Unexpected), &flow)))
            }
            Err(rep) => Err(self.finish(rep)),
        }
    }

    /// Makes sure the client holds a usable token (the cached one, or a new one when there is
    /// none or `renew` asks for a fresh one), without any other request: `connected` (no params),
    /// or why no token could be had. The background uses it to hand a token to its own pages.
    pub async fn ensure_token(&self, renew: bool) -> Report {
        let flow = Flow::default();
        let stale = if renew {
            self.cache.borrow().peek().map(|t| t.access_token.clone())
        } else {
            None
        };
        let o = match self.token(stale.as_deref()).await {
            Ok(_) => Outcome::local(OutcomeKind::Connected),
            Err(o) => o,
        };
        self.finish(self.report(o, &flow))
    }

    /// Fetch a NEW token, then ask to drop [`PROBE_SESSION_ID`] (well-formed, never a real
    /// session) to learn whether the authorization may terminate sessions: `connected` with
    /// `params.canDrop` "yes" (the drop handler answered "already ended"-class: the route and
    /// write permission work), "no" (not authorized), "unknown" (anything else); or why the
    /// token failed.
    pub async fn test_connection(&self) -> Report {
        let flow = Flow::default();
        if let Err(o) = self.fetch_token().await {
            return self.finish(self.report(o, &flow));
        }
        let probe_id = match SessionId::new(PROBE_SESSION_ID) {
            Ok(id) => id,
            Err(e) => return Report::invalid_ref(&e),
        };
        let probe = self.drop_flow(&probe_id, Flow::default()).await;
        let can_drop = match probe.outcome.kind {
            OutcomeKind::AlreadyEnded | OutcomeKind::Dropped => "yes",
            OutcomeKind::NotAuthorized => "no",
            _ => "unknown",
        };
        let mut o = Outcome::local(OutcomeKind::Connected).with("canDrop", can_drop);
        o.status = Some(200);
        let mut rep = self.report(o, &flow);
        rep.generation = probe.generation;
        rep.attempts = probe.attempts;
        rep.token_renewed = probe.token_renewed;
        self.finish(rep)
    }
}
