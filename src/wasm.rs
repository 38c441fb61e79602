//! wasm-bindgen binding (wasm32 only): JS values in and out (serde-wasm-bindgen), HTTP
//! through gloo-net. No product logic lives here: options, references and results are read
//! and shaped by the core (`Config::from_options`, `ref_from_value`, `ListOptions`, the
//! Report and check views); this module only converts values and performs requests.
//!
//! - Works in a window, a (module) service worker, Firefox's event page and node: gloo-net
//!   calls the global `fetch`.
//! - Every request: `redirect: "manual"` (a redirect is reported, never followed: the
//!   credentials are never re-sent), `credentials: "omit"`, `cache: "no-store"`, and an
//!   `AbortSignal.timeout(timeoutMs)` that also cancels the body read. Only the core's
//!   credential-less probe follows redirects, to read the final URL.
//! - The body is read chunk by chunk from the stream, refused past the request's cap
//!   (`Content-Length` first), with progress callbacks for `listActive({onProgress})`.

use crate::client::{Client, ClientState, Progress, Transport};
use crate::config::{Config, ListOptions, ListOptionsInput};
use crate::http::{HttpRequest, HttpResponse, Method, TransportError};
use crate::id::{ref_from_value, row_from_value, IdError};
use crate::report::{RefCheck, Report, UrlCheck};
use crate::sessions::SessionView;
use gloo_net::http::{RequestBuilder, Response};
use js_sys::{Function, Promise, Reflect, Uint8Array};
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::{
    AbortSignal, ReadableStreamDefaultReader, RequestCache, RequestCredentials, RequestRedirect,
    ResponseType,
};

/// A plain JS value (objects, not Maps; `None` → `null`).
fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

/// A JS value as JSON (`undefined` / functions / failures → `null`).
fn from_js(v: JsValue) -> serde_json::Value {
    serde_wasm_bindgen::from_value(v).unwrap_or(serde_json::Value::Null)
}

fn report_js(r: Report) -> JsValue {
    to_js(&r.into_view())
}

// ---------------------------------------------------------------------------------------------
// Transport

/// gloo-net `fetch` with a timeout signal, no redirects followed, bounded streamed reads.
pub struct FetchTransport;

enum Failure {
    Js(JsValue),
    Redirect(Option<String>),
    Gloo(gloo_net::Error),
    TooLarge,
}

impl From<JsValue> for Failure {
    fn from(e: JsValue) -> Self {
        Failure::Js(e)
    }
}

fn method(m: Method) -> gloo_net::http::Method {
    match m {
        Method::Get => gloo_net::http::Method::GET,
        Method::Post => gloo_net::http::Method::POST,
        Method::Delete => gloo_net::http::Method::DELETE,
    }
}

/// Reads the body chunk by chunk; `TooLarge` past `max` (checked on `Content-Length` first).
async fn read_body(
    resp: &Response,
    max: u64,
    progress: Option<Progress<'_>>,
) -> Result<Vec<u8>, Failure> {
    let total = resp
        .headers()
        .get("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok());
    let Some(stream) = resp.body() else {
        return Ok(Vec::new());
    };
    if total.is_some_and(|t| t > max) {
        let _ = stream.cancel();
        return Err(Failure::TooLarge);
    }
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut buf: Vec<u8> = Vec::with_capacity(total.unwrap_or(0).min(max) as usize);
    loop {
        let chunk = JsFuture::from(reader.read()).await?;
        if Reflect::get(&chunk, &"done".into())?.as_bool() != Some(false) {
            break;
        }
        let value: Uint8Array = Reflect::get(&chunk, &"value".into())?.unchecked_into();
        let n = value.length() as usize;
        if (buf.len() + n) as u64 > max {
            let _ = reader.cancel();
            return Err(Failure::TooLarge);
        }
        let start = buf.len();
        buf.resize(start + n, 0);
        value.copy_to(&mut buf[start..]);
        if let Some(p) = progress {
            p(buf.len() as u64, total);
        }
    }
    Ok(buf)
}

async fn fetch(
    req: &HttpRequest,
    signal: &AbortSignal,
    progress: Option<Progress<'_>>,
) -> Result<HttpResponse, Failure> {
    let mut b = RequestBuilder::new(&req.url)
        .method(method(req.method))
        .redirect(if req.follow_redirects {
            RequestRedirect::Follow
        } else {
            RequestRedirect::Manual
        })
        .credentials(RequestCredentials::Omit)
        .cache(RequestCache::NoStore)
        .abort_signal(Some(signal));
    for (k, v) in &req.headers {
        b = b.header(k, v);
    }
    let request = match &req.body {
        Some(body) => b.body(body.as_str()),
        None => b.build(),
    }
    .map_err(Failure::Gloo)?;
    let resp = request.send().await.map_err(Failure::Gloo)?;
    // A browser hides a manual redirect (opaque, status 0); node shows it with its Location.
    if resp.type_() == ResponseType::Opaqueredirect || (300..400).contains(&resp.status()) {
        return Err(Failure::Redirect(resp.headers().get("location")));
    }
    let body = if req.follow_redirects {
        // The probe reads only where it ended.
        if let Some(s) = resp.body() {
            let _ = s.cancel();
        }
        Vec::new()
    } else {
        read_body(&resp, req.max_body_bytes, progress).await?
    };
    Ok(HttpResponse {
        status: resp.status(),
        content_type: resp.headers().get("content-type"),
        body,
        url: Some(resp.url()),
    })
}

impl FetchTransport {
    async fn run(
        &self,
        req: HttpRequest,
        timeout_ms: u32,
        progress: Option<Progress<'_>>,
    ) -> Result<HttpResponse, TransportError> {
        let signal = AbortSignal::timeout_with_u32(timeout_ms);
        match fetch(&req, &signal, progress).await {
            Ok(r) => Ok(r),
            Err(_) if signal.aborted() => Err(TransportError::Timeout),
            Err(Failure::TooLarge) => Err(TransportError::TooLarge {
                limit: req.max_body_bytes,
            }),
            Err(Failure::Redirect(location)) => Err(TransportError::Redirect { location }),
            Err(Failure::Js(e)) => Err(TransportError::Network(
                Reflect::get(&e, &"message".into())
                    .ok()
                    .and_then(|m| m.as_string())
                    .unwrap_or_else(|| "fetch failed".into()),
            )),
            Err(Failure::Gloo(gloo_net::Error::JsError(e))) => {
                Err(TransportError::Network(e.message))
            }
            Err(Failure::Gloo(_)) => Err(TransportError::Network("fetch failed".into())),
        }
    }
}

impl Transport for FetchTransport {
    async fn send(
        &self,
        req: HttpRequest,
        timeout_ms: u32,
    ) -> Result<HttpResponse, TransportError> {
        self.run(req, timeout_ms, None).await
    }

    async fn send_with_progress(
        &self,
        req: HttpRequest,
        timeout_ms: u32,
        progress: Progress<'_>,
    ) -> Result<HttpResponse, TransportError> {
        self.run(req, timeout_ms, Some(progress)).await
    }
}

type JsClient = Client<FetchTransport, fn() -> f64>;

fn now() -> f64 {
    js_sys::Date::now()
}

// ---------------------------------------------------------------------------------------------
// DropClient

/// A configured client: token cache, remembered generation, fetch transport.
#[wasm_bindgen]
pub struct DropClient {
    inner: Rc<JsClient>,
}

/// One asynchronous operation: a single future type serves every Promise-returning method.
enum Op {
    Drop(crate::id::SessionRef),
    Resolve(u64),
    Lookup(crate::id::SessionRef),
    List(ListOptions, Option<Function>),
    Test,
    Token(bool),
    Refused(IdError),
}

#[wasm_bindgen]
impl DropClient {
    /// `new DropClient({ serverUrl, clientId, clientSecret, generation, timeoutMs, tokenAuth })`;
    /// throws a Report (kind `invalid_config`, `params.field`) on a bad configuration.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<DropClient, JsValue> {
        let config = Config::from_options(&from_js(config))
            .map_err(|e| report_js(Report::invalid_config(&e)))?;
        Ok(DropClient {
            inner: Rc::new(Client::new(config, FetchTransport, now as fn() -> f64)),
        })
    }

    /// Restore `{ token: {accessToken, expiresAtMs} | null, generation: "api"|"iso"|null }`
    /// (what `state()` returned). Returns false, changing nothing, on a malformed value.
    #[wasm_bindgen(js_name = restoreState)]
    pub fn restore_state(&self, state: JsValue) -> bool {
        match serde_wasm_bindgen::from_value::<ClientState>(state) {
            Ok(s) => {
                self.inner.restore(s);
                true
            }
            Err(_) => false,
        }
    }

    /// `{ token: {accessToken, expiresAtMs} | null, generation: "api" | "iso" | null }`.
    pub fn state(&self) -> JsValue {
        to_js(&self.inner.state())
    }

    /// Drop a session: `{ kind: "hash" | "row", value }` → Promise<Report>.
    pub fn drop(&self, session_ref: JsValue) -> Promise {
        self.spawn(match ref_from_value(&from_js(session_ref)) {
            Ok(r) => Op::Drop(r),
            Err(e) => Op::Refused(e),
        })
    }

    /// Resolve a row id (string or number) → Promise<Report> (kind `resolved`, `sessionId`).
    pub fn resolve(&self, row_id: JsValue) -> Promise {
        self.spawn(match row_from_value(&from_js(row_id)) {
            Ok(n) => Op::Resolve(n),
            Err(e) => Op::Refused(e),
        })
    }

    /// List-one: `{ kind: "row", value }` → Promise<{ ok: true, session } | Report>.
    pub fn lookup(&self, session_ref: JsValue) -> Promise {
        self.spawn(match ref_from_value(&from_js(session_ref)) {
            Ok(r) => Op::Lookup(r),
            Err(e) => Op::Refused(e),
        })
    }

    /// Active sessions, newest first: `{ limit, timeoutMs, maxBytes, onProgress }` →
    /// Promise<{ ok: true, total, activeCount, sessions } | Report>; `onProgress(bytesRead,
    /// totalOrNull)` is called while the answer is read.
    #[wasm_bindgen(js_name = listActive)]
    pub fn list_active(&self, options: JsValue) -> Promise {
        let on_progress = Reflect::get(&options, &"onProgress".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok());
        let input: ListOptionsInput = serde_wasm_bindgen::from_value(options).unwrap_or_default();
        self.spawn(Op::List(input.into(), on_progress))
    }

    /// A NEW token, then the probe DELETE of an id that cannot exist → Promise<Report> (kind
    /// `connected` with `params.canDrop` "yes" | "no" | "unknown", or the failure).
    #[wasm_bindgen(js_name = testConnection)]
    pub fn test_connection(&self) -> Promise {
        self.spawn(Op::Test)
    }

    /// A usable token in the client (cached, or fetched; a fresh one with `renew`), nothing else
    /// sent → Promise<Report> (kind `connected`, or why no token could be had); read it with
    /// `state()`.
    #[wasm_bindgen(js_name = ensureToken)]
    pub fn ensure_token(&self, renew: Option<bool>) -> Promise {
        self.spawn(Op::Token(renew.unwrap_or(false)))
    }

    /// curl command of the DELETE the next drop of this session hash would send (token
    /// redacted unless `redact` is false); throws a Report (`invalid_session_ref`) otherwise.
    pub fn curl(&self, session_ref: JsValue, redact: Option<bool>) -> Result<String, JsValue> {
        let r = ref_from_value(&from_js(session_ref))
            .map_err(|e| report_js(Report::invalid_ref(&e)))?;
        self.inner
            .curl_ref(&r, redact.unwrap_or(true))
            .map_err(report_js)
    }
}

impl DropClient {
    fn spawn(&self, op: Op) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let rep = match op {
                Op::Drop(r) => inner.drop_session(&r).await,
                Op::Resolve(n) => inner.resolve_report(n).await,
                Op::Lookup(r) => match inner.lookup(&r).await {
                    Ok(s) => {
                        return Ok(to_js(&SessionView {
                            ok: true,
                            session: &s,
                        }))
                    }
                    Err(rep) => rep,
                },
                Op::List(opts, on_progress) => {
                    let cb = on_progress.map(|f| {
                        move |read: u64, total: Option<u64>| {
                            let total =
                                total.map_or(JsValue::NULL, |t| JsValue::from_f64(t as f64));
                            let _ =
                                f.call2(&JsValue::NULL, &JsValue::from_f64(read as f64), &total);
                        }
                    });
                    let progress: Option<Progress<'_>> = cb.as_ref().map(|c| c as Progress<'_>);
                    match inner.list_active_with(&opts, progress).await {
                        Ok(list) => return Ok(to_js(&list.to_view(opts.limit))),
                        Err(rep) => rep,
                    }
                }
                Op::Test => inner.test_connection().await,
                Op::Token(renew) => inner.ensure_token(renew).await,
                Op::Refused(e) => Report::invalid_ref(&e),
            };
            Ok(report_js(rep))
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Free functions

/// `checkServerUrl(url)` → `{ ok: true, base, origin, matchPattern }` |
/// `{ ok: false, kind: "invalid_config", params: { field: "serverUrl", reason, value? } }`.
#[wasm_bindgen(js_name = checkServerUrl)]
pub fn check_server_url(url: &str) -> JsValue {
    to_js(&UrlCheck::of(url))
}

/// `checkSessionRef({ kind, value })` → `{ ok: true }` |
/// `{ ok: false, kind: "invalid_session_ref", params }`.
#[wasm_bindgen(js_name = checkSessionRef)]
pub fn check_session_ref(session_ref: JsValue) -> JsValue {
    to_js(&RefCheck::of(&from_js(session_ref)))
}

#[cfg(feature = "bench")]
mod bench;
