//! wasm-bindgen bindings (wasm32 only): conversion between JS values and the core, and a fetch
//! transport. No product logic lives here; see docs/DESIGN.md §2 for the JS API.
//!
//! - Works in a window, a (module) service worker and node: `fetch`, `setTimeout`,
//!   `clearTimeout` and `AbortController` are imported as globals (resolved on `globalThis`),
//!   never through `window`.
//! - Nothing panics on purpose: bad input becomes a Report-shaped object (returned, or thrown by
//!   the constructor and `curl`); serialisation failures become `null`.
//! - Results are plain JS objects: the core's serde views are written as JSON text by the tiny
//!   serializer in `wasm/json_text.rs` and turned into objects by one `JSON.parse` (smaller
//!   than serde-wasm-bindgen and faster for long session lists; docs/WASM-SIZE.md). Inputs are
//!   read field by field with `Reflect`.
//! - Timeout: an `AbortController` aborted by `setTimeout`; a rejected fetch (or body read) is
//!   `TransportError::Timeout` when the signal was aborted, else `TransportError::Network`.

#[allow(unused_imports)]
use crate::prelude::*;

mod json_text;

use crate::client::{Client, ClientState, Config, ConfigError, Report, Transport};
use crate::generation::{Generation, GenerationPolicy};
use crate::id::{IdError, RefKind, SessionRef};
use crate::messages::{describe, Lang, Message};
use crate::outcome::{Outcome, OutcomeKind};
use crate::request::{HttpRequest, HttpResponse, TransportError};
use crate::server::ServerUrl;
use crate::token::{Token, TokenAuthStyle};
use alloc::rc::Rc;
use core::cell::Cell;
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

// talc instead of std's dlmalloc: ~5 KB smaller after wasm-opt, same speed on the 100k-session
// list (docs/WASM-SIZE.md). It grows the wasm memory itself when it runs out.
#[global_allocator]
static ALLOC: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };

// ---------------------------------------------------------------------------------------------
// Globals (window, worker and node alike)

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = fetch)]
    fn js_fetch(url: &str, init: &Object) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: u32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);

    type AbortController;
    #[wasm_bindgen(constructor)]
    fn new() -> AbortController;
    #[wasm_bindgen(method, getter)]
    fn signal(this: &AbortController) -> AbortSignal;

    type AbortSignal;
    #[wasm_bindgen(method, getter)]
    fn aborted(this: &AbortSignal) -> bool;

    type FetchResponse;
    #[wasm_bindgen(method, getter)]
    fn status(this: &FetchResponse) -> u16;
    #[wasm_bindgen(method, getter)]
    fn headers(this: &FetchResponse) -> FetchHeaders;
    #[wasm_bindgen(catch, method, js_name = arrayBuffer)]
    fn array_buffer(this: &FetchResponse) -> Result<Promise, JsValue>;

    type FetchHeaders;
    #[wasm_bindgen(method)]
    fn get(this: &FetchHeaders, name: &str) -> Option<String>;
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

fn prop(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Plain JS value (objects, arrays, strings, numbers, booleans, `null` for `None`).
fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    parse_json(json_text::to_string(v).ok())
}

/// The non-generic half of [`to_js`] (one copy, whatever the view type).
fn parse_json(text: Option<String>) -> JsValue {
    text.and_then(|s| js_sys::JSON::parse(&s).ok())
        .unwrap_or(JsValue::NULL)
}

// ---------------------------------------------------------------------------------------------
// Transport and clock

/// `fetch` with an `AbortController` timeout.
pub struct FetchTransport;

async fn fetch_once(url: &str, init: &Object) -> Result<HttpResponse, JsValue> {
    let resp: FetchResponse = JsFuture::from(js_fetch(url, init)?).await?.unchecked_into();
    let status = resp.status();
    let content_type = resp.headers().get("content-type");
    // The abort signal also cancels the body read, so a stalled body times out too.
    let buf = JsFuture::from(resp.array_buffer()?).await?;
    Ok(HttpResponse {
        status,
        content_type,
        body: Uint8Array::new(&buf).to_vec(),
    })
}

fn error_text(e: &JsValue) -> String {
    prop(e, "message")
        .as_string()
        .filter(|s| !s.is_empty())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "fetch failed".to_owned())
}

impl Transport for FetchTransport {
    async fn send(
        &self,
        req: HttpRequest,
        timeout_ms: u32,
    ) -> Result<HttpResponse, TransportError> {
        let ctrl = AbortController::new();
        let signal = ctrl.signal();
        let init = Object::new();
        set(&init, "method", &JsValue::from_str(req.method.as_str()));
        let headers = Array::new();
        for (k, v) in &req.headers {
            headers.push(&Array::of2(&JsValue::from_str(k), &JsValue::from_str(v)));
        }
        set(&init, "headers", &headers);
        if let Some(body) = &req.body {
            set(&init, "body", &JsValue::from_str(body));
        }
        set(&init, "signal", &signal);
        // Bearer/Basic auth only: never send the console's cookies; never serve from cache.
        set(&init, "credentials", &JsValue::from_str("omit"));
        set(&init, "cache", &JsValue::from_str("no-store"));

        let abort: Function = prop(&ctrl, "abort")
            .unchecked_into::<Function>()
            .bind0(&ctrl);
        let timer = set_timeout(&abort, timeout_ms);
        let result = fetch_once(&req.url, &init).await;
        clear_timeout(&timer);
        result.map_err(|e| {
            if signal.aborted() {
                TransportError::Timeout
            } else {
                TransportError::Network(error_text(&e))
            }
        })
    }
}

/// `Date.now()`.
fn js_now() -> f64 {
    js_sys::Date::now()
}

type JsClient = Client<FetchTransport, fn() -> f64>;

// ---------------------------------------------------------------------------------------------
// JS inputs

/// `new DropClient({...})` options as read from JS.
struct JsConfig {
    server_url: String,
    client_id: String,
    client_secret: String,
    generation: Option<GenerationPolicy>,
    timeout_ms: Option<u32>,
    token_auth: Option<TokenAuthStyle>,
}

/// A string option: missing/null → `None`; anything else but a string → `Err(name)`.
fn opt_str(obj: &JsValue, key: &'static str) -> Result<Option<String>, &'static str> {
    let v = prop(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string().map(Some).ok_or(key)
}

/// Reads the options object; `Err` names the malformed option.
fn read_config(c: &JsValue) -> Result<JsConfig, &'static str> {
    if !c.is_object() {
        return Err("config");
    }
    let generation = match opt_str(c, "generation")? {
        None => None,
        Some(g) => Some(GenerationPolicy::parse(&g).ok_or("generation")?),
    };
    let token_auth = match opt_str(c, "tokenAuth")?.as_deref() {
        None => None,
        Some("body") => Some(TokenAuthStyle::Body),
        Some("basic") => Some(TokenAuthStyle::Basic),
        Some(_) => return Err("tokenAuth"),
    };
    let t = prop(c, "timeoutMs");
    let timeout_ms = if t.is_undefined() || t.is_null() {
        None
    } else {
        match t.as_f64() {
            Some(n) if (0.0..=4_294_967_295.0).contains(&n) && n as u32 as f64 == n => {
                Some(n as u32)
            }
            _ => return Err("timeoutMs"),
        }
    };
    Ok(JsConfig {
        server_url: opt_str(c, "serverUrl")?.unwrap_or_default(),
        client_id: opt_str(c, "clientId")?.unwrap_or_default(),
        client_secret: opt_str(c, "clientSecret")?.unwrap_or_default(),
        generation,
        timeout_ms,
        token_auth,
    })
}

fn config_report(msg: Message, lang: Lang) -> JsValue {
    to_js(&Report::invalid_config().to_view(lang).with_message(msg))
}

/// `{ token: {accessToken, expiresAtMs} | null, generation: "api" | "iso" | null }`.
fn read_state(v: &JsValue) -> Option<ClientState> {
    if !v.is_object() {
        return None;
    }
    let t = prop(v, "token");
    let token = if t.is_undefined() || t.is_null() {
        None
    } else {
        Some(Token {
            access_token: prop(&t, "accessToken").as_string()?,
            expires_at_ms: prop(&t, "expiresAtMs").as_f64()?,
        })
    };
    let g = prop(v, "generation");
    let generation = if g.is_undefined() || g.is_null() {
        None
    } else {
        Some(Generation::parse(&g.as_string()?)?)
    };
    Some(ClientState { token, generation })
}

fn build_config(c: &JsConfig) -> Result<Config, ConfigError> {
    let mut config = Config::new(&c.server_url, &c.client_id, &c.client_secret)?;
    if let Some(g) = c.generation {
        config.generation = g;
    }
    if let Some(t) = c.timeout_ms {
        config.timeout_ms = t;
    }
    if let Some(a) = c.token_auth {
        config.token_auth = a;
    }
    config.validate()?;
    Ok(config)
}

/// `{ kind: "hash" | "row", value }`; `value` may be a string or (for rows) a number.
fn parse_ref(r: &JsValue) -> Result<SessionRef, IdError> {
    let value = prop(r, "value");
    let value = match value.as_f64() {
        Some(n) if (0.0..=9_007_199_254_740_991.0).contains(&n) && n as u64 as f64 == n => {
            crate::num::u64_text(n as u64)
        }
        _ => value.as_string().unwrap_or_default(),
    };
    let kind = match prop(r, "kind").as_string().as_deref() {
        Some("row") => RefKind::Row,
        _ => RefKind::Hash,
    };
    SessionRef::parse(kind, &value)
}

fn invalid_ref(err: &IdError, lang: Lang) -> JsValue {
    to_js(
        &Report::invalid_ref(err)
            .to_view(lang)
            .with_message(err.message(lang)),
    )
}

fn lang_of(v: &JsValue) -> Lang {
    v.as_string().map_or(Lang::En, |s| Lang::parse(&s))
}

// ---------------------------------------------------------------------------------------------
// DropClient

/// A configured client: token cache, remembered generation, fetch transport.
#[wasm_bindgen]
pub struct DropClient {
    inner: Rc<JsClient>,
    lang: Cell<Lang>,
}

#[wasm_bindgen]
impl DropClient {
    /// Throws a Report-shaped object (kind `invalid_config`) on a bad configuration.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<DropClient, JsValue> {
        let lang = lang_of(&prop(&config, "lang"));
        let c = read_config(&config).map_err(|name| {
            let generic = describe(&Outcome::local(OutcomeKind::InvalidConfig), lang);
            let mut cause = generic.cause.clone();
            cause.push_str(" (");
            cause.push_str(name);
            cause.push(')');
            config_report(Message { cause, ..generic }, lang)
        })?;
        let config = build_config(&c).map_err(|e| config_report(e.describe(lang), lang))?;
        let clock: fn() -> f64 = js_now;
        Ok(DropClient {
            inner: Rc::new(Client::new(config, FetchTransport, clock)),
            lang: Cell::new(lang),
        })
    }

    /// Language of the messages: "en" | "pt-BR" (anything else → English).
    #[wasm_bindgen(js_name = setLang)]
    pub fn set_lang(&self, lang: &str) {
        self.lang.set(Lang::parse(lang));
    }

    /// Restore `{ token: {accessToken, expiresAtMs} | null, generation: "api"|"iso"|null }`
    /// (what `state()` returned). Returns false, changing nothing, on a malformed value.
    #[wasm_bindgen(js_name = restoreState)]
    pub fn restore_state(&self, state: JsValue) -> bool {
        match read_state(&state) {
            Some(s) => {
                self.inner.restore(s);
                true
            }
            None => false,
        }
    }

    /// `{ token: {accessToken, expiresAtMs} | null, generation: "api" | "iso" | null }`.
    pub fn state(&self) -> JsValue {
        to_js(&self.inner.state())
    }

    /// Drop a session: `{ kind: "hash" | "row", value }` → Promise<Report>.
    pub fn drop(&self, session_ref: JsValue) -> Promise {
        self.spawn(match parse_ref(&session_ref) {
            Ok(r) => Op::Drop(r),
            Err(e) => Op::Refused(e),
        })
    }

    /// Resolve a numeric row id (string or number) → Promise<Report> (kind `resolved`,
    /// `sessionId` set).
    pub fn resolve(&self, row_id: JsValue) -> Promise {
        let r = Object::new();
        set(&r, "kind", &JsValue::from_str("row"));
        set(&r, "value", &row_id);
        self.spawn(match parse_ref(&r) {
            Ok(SessionRef::RowId(n)) => Op::Resolve(n),
            Ok(SessionRef::Hash(_)) => Op::Refused(IdError::NotARowId),
            Err(e) => Op::Refused(e),
        })
    }

    /// Active sessions, newest first: Promise<{ ok: true, total, activeCount, sessions } | Report>.
    /// `options.limit` caps `sessions` (not `activeCount`).
    #[wasm_bindgen(js_name = listActive)]
    pub fn list_active(&self, options: JsValue) -> Promise {
        let limit = prop(&options, "limit")
            .as_f64()
            .filter(|n| *n >= 0.0)
            .map(|n| n as usize);
        self.spawn(Op::List(limit))
    }

    /// Fetch a new token → Promise<Report> (kind `connected` on success).
    #[wasm_bindgen(js_name = testConnection)]
    pub fn test_connection(&self) -> Promise {
        self.spawn(Op::Test)
    }

    /// curl command of the DELETE the next drop of this session would send (token redacted
    /// unless `redact` is false). Needs a session hash: throws a Report-shaped object
    /// (kind `invalid_session_ref`) for a row id or an invalid value.
    pub fn curl(&self, session_ref: JsValue, redact: Option<bool>) -> Result<String, JsValue> {
        let lang = self.lang.get();
        match parse_ref(&session_ref) {
            Ok(SessionRef::Hash(id)) => Ok(self.inner.curl(&id, redact.unwrap_or(true))),
            Ok(SessionRef::RowId(_)) => Err(to_js(
                &Report::new(Outcome::local(OutcomeKind::InvalidSessionRef)).to_view(lang),
            )),
            Err(e) => Err(invalid_ref(&e, lang)),
        }
    }
}

/// One asynchronous operation. A single future type (and so a single `future_to_promise`
/// instantiation) serves every Promise-returning method: smaller than one per method.
enum Op {
    Drop(SessionRef),
    Resolve(u64),
    List(Option<usize>),
    Test,
    Refused(IdError),
}

impl DropClient {
    fn spawn(&self, op: Op) -> Promise {
        let lang = self.lang.get();
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let rep = match op {
                Op::Drop(r) => inner.drop_session(&r).await,
                Op::Resolve(n) => inner.resolve_report(n).await,
                Op::List(limit) => match inner.list_active().await {
                    Ok(list) => return Ok(to_js(&list.to_view(limit))),
                    Err(rep) => rep,
                },
                Op::Test => inner.test_connection().await,
                Op::Refused(e) => return Ok(invalid_ref(&e, lang)),
            };
            Ok(to_js(&rep.to_view(lang)))
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Free functions

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ServerUrlCheck {
    ok: bool,
    base: Option<String>,
    origin: Option<String>,
    match_pattern: Option<String>,
    message: Option<Message>,
}

/// `checkServerUrl(url, lang?)` → `{ ok, base, origin, matchPattern, message }` (message:
/// `{title, cause, fix}` when refused, else null).
#[wasm_bindgen(js_name = checkServerUrl)]
pub fn check_server_url(url: &str, lang: JsValue) -> JsValue {
    let v = match ServerUrl::parse(url) {
        Ok(s) => ServerUrlCheck {
            ok: true,
            base: Some(s.base()),
            origin: Some(s.origin()),
            match_pattern: Some(s.match_pattern()),
            message: None,
        },
        Err(e) => ServerUrlCheck {
            ok: false,
            base: None,
            origin: None,
            match_pattern: None,
            message: Some(e.describe(lang_of(&lang))),
        },
    };
    to_js(&v)
}

#[derive(Serialize)]
struct RefCheck {
    ok: bool,
    message: Option<Message>,
}

/// `checkSessionRef({ kind, value }, lang?)` → `{ ok, message }` (message: `{title, cause, fix}`
/// when refused, else null).
#[wasm_bindgen(js_name = checkSessionRef)]
pub fn check_session_ref(session_ref: JsValue, lang: JsValue) -> JsValue {
    let message = parse_ref(&session_ref)
        .err()
        .map(|e| e.message(lang_of(&lang)));
    to_js(&RefCheck {
        ok: message.is_none(),
        message,
    })
}

#[cfg(feature = "bench")]
mod bench;
