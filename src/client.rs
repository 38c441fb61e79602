//! The async orchestrator: token cache, generation fallback, retries. Generic over the
//! transport and the clock so it runs natively (tests) and in wasm alike.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::generation::{list_one_path, AutoGeneration, Generation, GenerationPolicy};
use crate::id::{IdError, SessionId, SessionRef};
use crate::messages::{describe, Lang, Message};
use crate::outcome::{from_transport, interpret_drop, NextStep, Outcome, OutcomeKind};
use crate::request::{
    drop_request, list_request, to_curl, token_request, HttpRequest, HttpResponse, TransportError,
};
use crate::server::{ServerUrl, ServerUrlError};
use crate::sessions::{parse_list_all, parse_list_one, SessionList};
use crate::token::{interpret_token, Credentials, Token, TokenAuthStyle, TokenCache};
use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use serde::{Deserialize, Serialize};

/// Sends one request. Implementations must honour `timeout_ms` and answer
/// `TransportError::Timeout` when it elapses. No `Send` bound (wasm is single-threaded).
#[allow(async_fn_in_trait)]
pub trait Transport {
    async fn send(&self, req: HttpRequest, timeout_ms: u32)
        -> Result<HttpResponse, TransportError>;
}

impl<T: Transport + ?Sized> Transport for &T {
    async fn send(
        &self,
        req: HttpRequest,
        timeout_ms: u32,
    ) -> Result<HttpResponse, TransportError> {
        (**self).send(req, timeout_ms).await
    }
}

impl<T: Transport + ?Sized> Transport for alloc::rc::Rc<T> {
    async fn send(
        &self,
        req: HttpRequest,
        timeout_ms: u32,
    ) -> Result<HttpResponse, TransportError> {
        (**self).send(req, timeout_ms).await
    }
}

/// Milliseconds since the Unix epoch (like JS `Date.now()`).
pub trait Clock {
    fn now_ms(&self) -> f64;
}

impl<F: Fn() -> f64> Clock for F {
    fn now_ms(&self) -> f64 {
        self()
    }
}

/// Default request timeout.
pub const DEFAULT_TIMEOUT_MS: u32 = 15_000;

/// Client configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub server: ServerUrl,
    pub credentials: Credentials,
    pub generation: GenerationPolicy,
    pub timeout_ms: u32,
    pub token_auth: TokenAuthStyle,
}

/// Why a configuration was refused (kind `invalid_config`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    Server(ServerUrlError),
    MissingClientId,
    MissingClientSecret,
    /// Timeout outside 1 000..=300 000 ms.
    BadTimeout(u32),
}

impl ConfigError {
    pub fn describe(&self, lang: Lang) -> Message {
        crate::messages::config_error_message(self, lang)
    }
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.describe(Lang::En).cause)
    }
}

impl core::error::Error for ConfigError {}

impl From<ServerUrlError> for ConfigError {
    fn from(e: ServerUrlError) -> Self {
        ConfigError::Server(e)
    }
}

impl Config {
    /// Validated config with defaults: generation `auto`, 15 s timeout, credentials in the body.
    /// Client id and secret are trimmed.
    pub fn new(
        server_url: &str,
        client_id: &str,
        client_secret: &str,
    ) -> Result<Config, ConfigError> {
        let server = ServerUrl::parse(server_url)?;
        let credentials = Credentials::new(client_id.trim(), client_secret.trim());
        let c = Config {
            server,
            credentials,
            generation: GenerationPolicy::Auto,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            token_auth: TokenAuthStyle::Body,
        };
        c.validate()?;
        Ok(c)
    }

    /// Check credentials and timeout (the server URL is valid by construction).
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.credentials.client_id.trim().is_empty() {
            return Err(ConfigError::MissingClientId);
        }
        if self.credentials.client_secret.trim().is_empty() {
            return Err(ConfigError::MissingClientSecret);
        }
        if !(1_000..=300_000).contains(&self.timeout_ms) {
            return Err(ConfigError::BadTimeout(self.timeout_ms));
        }
        Ok(())
    }
}

/// Result of one user-level operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub outcome: Outcome,
    pub session_id: Option<String>,
    pub row_id: Option<String>,
    pub generation: Option<Generation>,
    /// API requests made for the operation (DELETEs for a drop, GETs for resolve/list);
    /// token requests are not counted.
    pub attempts: u32,
    /// The token was renewed after the appliance refused it.
    pub token_renewed: bool,
}

/// JS shape of a [`Report`] (camelCase). Fields are public so the wasm layer may swap the
/// message (e.g. for an [`IdError`]'s more precise one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportView {
    pub ok: bool,
    pub kind: OutcomeKind,
    pub status: Option<u16>,
    pub next: NextStep,
    pub session_id: Option<String>,
    pub row_id: Option<String>,
    pub generation: Option<Generation>,
    pub attempts: u32,
    pub token_renewed: bool,
    pub server_message: Option<String>,
    pub message: Message,
}

impl Report {
    pub fn new(outcome: Outcome) -> Self {
        Report {
            outcome,
            session_id: None,
            row_id: None,
            generation: None,
            attempts: 0,
            token_renewed: false,
        }
    }

    pub fn ok(&self) -> bool {
        self.outcome.is_ok()
    }

    pub fn kind(&self) -> OutcomeKind {
        self.outcome.kind
    }

    /// A refused session reference (`invalid_session_ref`).
    pub fn invalid_ref(_err: &IdError) -> Self {
        Report::new(Outcome::local(OutcomeKind::InvalidSessionRef))
    }

    /// A refused configuration (`invalid_config`).
    pub fn invalid_config() -> Self {
        Report::new(Outcome::local(OutcomeKind::InvalidConfig))
    }

    /// The JS shape, with the message in `lang`.
    pub fn to_view(&self, lang: Lang) -> ReportView {
        ReportView {
            ok: self.ok(),
            kind: self.outcome.kind,
            status: self.outcome.status,
            next: self.outcome.next,
            session_id: self.session_id.clone(),
            row_id: self.row_id.clone(),
            generation: self.generation,
            attempts: self.attempts,
            token_renewed: self.token_renewed,
            server_message: self.outcome.server_message.clone(),
            message: describe(&self.outcome, lang),
        }
    }
}

impl ReportView {
    /// Replace the message (builder style).
    pub fn with_message(mut self, message: Message) -> Self {
        self.message = message;
        self
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
        let waiters = core::mem::take(&mut *self.0.waiters.borrow_mut());
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

struct Flow {
    attempts: u32,
    renewed: bool,
}

/// What a list call found: the hash of a row id (list-one), or the active sessions (list-all).
enum Got {
    One(SessionId),
    All(SessionList),
}

/// A list answer: list-one of `row_id` → its hash; list-all (`None`) → the active sessions.
/// `Err` is the outcome to act on (renew the token, try the next path, or report).
fn read_list(resp: &HttpResponse, row_id: Option<u64>) -> Result<Got, Outcome> {
    if row_id.is_some() {
        let s = parse_list_one(resp)?;
        return SessionId::new(s.session_id.trim())
            .map(Got::One)
            .map_err(|_| {
                Outcome::new(
                    OutcomeKind::Unexpected,
                    Some(resp.status),
                    None,
                    NextStep::Report,
                )
            });
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

    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.transport.send(req, self.config.timeout_ms).await
    }

    /// Fetch a new token and cache it.
    async fn fetch_token(&self) -> Result<String, Outcome> {
        let req = token_request(
            &self.config.server,
            &self.config.credentials,
            self.config.token_auth,
        );
        let resp = self.send(req).await.map_err(|e| from_transport(&e))?;
        let now = self.clock.now_ms();
        let token = interpret_token(&resp, now)?;
        let s = token.access_token.clone();
        self.cache.borrow_mut().store(token, now);
        Ok(s)
    }

    /// A usable token: the cached one unless it equals `stale`, else a new one (one fetch in
    /// flight at a time; concurrent callers wait for it).
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
            SessionRef::Hash(id) => (
                id.clone(),
                None,
                Flow {
                    attempts: 0,
                    renewed: false,
                },
            ),
            SessionRef::RowId(n) => match self.resolve_flow(*n).await {
                Ok((id, flow)) => (id, Some(crate::num::u64_text(*n)), flow),
                Err(mut rep) => {
                    rep.row_id = Some(crate::num::u64_text(*n));
                    return rep;
                }
            },
        };
        // Only DELETEs count for the drop itself.
        flow.attempts = 0;
        let mut rep = self.drop_flow(&id, flow).await;
        rep.session_id = Some(id.as_str().to_owned());
        rep.row_id = row_id;
        rep
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
            let outcome = match self.send(req).await {
                Ok(resp) => interpret_drop(&resp, sent_token),
                Err(e) => from_transport(&e),
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

    /// GET each candidate list path (list-one of `row_id`, or list-all when `None`) until one
    /// is found; renew the token once. Non-generic on purpose: one copy of this retry loop
    /// serves both calls (its async state machine is sizeable in wasm).
    async fn get_with_fallback(&self, flow: &mut Flow, row_id: Option<u64>) -> Result<Got, Report> {
        let paths = self.list_paths();
        let mut token = self.token(None).await.map_err(|o| self.report(o, flow))?;
        let mut i = 0;
        loop {
            let path = paths[i];
            let full = match row_id {
                Some(n) => list_one_path(path, n),
                None => path.to_owned(),
            };
            let req = list_request(&self.config.server, &full, &token);
            flow.attempts += 1;
            let outcome = match self.send(req).await {
                Ok(resp) => match read_list(&resp, row_id) {
                    Ok(r) => {
                        self.list_path.set(Some(path));
                        return Ok(r);
                    }
                    Err(o) => o,
                },
                Err(e) => from_transport(&e),
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

    async fn resolve_flow(&self, row_id: u64) -> Result<(SessionId, Flow), Report> {
        let mut flow = Flow {
            attempts: 0,
            renewed: false,
        };
        match self.get_with_fallback(&mut flow, Some(row_id)).await {
            Ok(Got::One(id)) => Ok((id, flow)),
            // (`read_list` answers `One` for a row id.)
            Ok(Got::All(_)) => Err(self.report(Outcome::local(OutcomeKind::Unexpected), &flow)),
            Err(mut rep) => {
                rep.row_id = Some(crate::num::u64_text(row_id));
                Err(rep)
            }
        }
    }

    /// Find the hash of a numeric row id (list-one).
    pub async fn resolve(&self, row_id: u64) -> Result<SessionId, Report> {
        self.resolve_flow(row_id).await.map(|(id, _)| id)
    }

    /// [`resolve`](Self::resolve) as a Report: kind `resolved` with `session_id` set, or the failure.
    pub async fn resolve_report(&self, row_id: u64) -> Report {
        match self.resolve_flow(row_id).await {
            Ok((id, flow)) => {
                let mut rep = self.report(Outcome::local(OutcomeKind::Resolved), &flow);
                rep.outcome.status = Some(200);
                rep.session_id = Some(id.as_str().to_owned());
                rep.row_id = Some(crate::num::u64_text(row_id));
                rep
            }
            Err(rep) => rep,
        }
    }

    /// Every active session (newest first), from the list-all call.
    pub async fn list_active(&self) -> Result<SessionList, Report> {
        let mut flow = Flow {
            attempts: 0,
            renewed: false,
        };
        match self.get_with_fallback(&mut flow, None).await? {
            Got::All(list) => Ok(list),
            // (`read_list` answers `All` for the list-all call.)
            Got::One(_) => Err(self.report(Outcome::local(OutcomeKind::Unexpected), &flow)),
        }
    }

    /// Fetch a NEW token: `connected`, or why it failed.
    pub async fn test_connection(&self) -> Report {
        let flow = Flow {
            attempts: 0,
            renewed: false,
        };
        match self.fetch_token().await {
            Ok(_) => {
                let mut o = Outcome::local(OutcomeKind::Connected);
                o.status = Some(200);
                self.report(o, &flow)
            }
            Err(o) => self.report(o, &flow),
        }
    }
}
