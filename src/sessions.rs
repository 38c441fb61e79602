//! Parsing the remote-session lists. List-all answers can hold 100 000+ sessions and there is
//! no server-side "active only" filter, so the list is parsed STREAMING: a hand-written reader
//! over `minijson::Parser` walks the `remote_sessions` sequence, borrows strings from the input,
//! and allocates only the sessions it keeps.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::json::{self, BodyKind, Lit};
use crate::minijson::{Parser, RawStr, R};
use crate::outcome::{classify, NextStep, Outcome, OutcomeKind};
use crate::request::HttpResponse;
use alloc::borrow::Cow;
use core::fmt::Write as _;
use serde::{Deserialize, Serialize};

/// One remote session. serde (JS view): camelCase
/// `{ id, user, originIp, credential, device, protocol, proxy, sessionId, start, end, time }`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteSession {
    /// Numeric row id (as text).
    pub id: String,
    pub user: String,
    pub origin_ip: String,
    pub credential: String,
    pub device: String,
    pub protocol: String,
    pub proxy: String,
    /// The hash the drop call takes.
    pub session_id: String,
    /// "YYYY-MM-DD HH:MM:SS".
    pub start: String,
    /// `None` while active.
    pub end: Option<String>,
    pub time: String,
}

impl RemoteSession {
    pub fn is_active(&self) -> bool {
        self.end.is_none()
    }
}

/// The JS shape of one session (RemoteSession already serializes camelCase).
pub type SessionView = RemoteSession;

/// Parsed list. `total` counts every session in the answer; `sessions` holds the kept ones
/// (only active ones, newest first, when `active_only`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionList {
    pub sessions: Vec<RemoteSession>,
    pub total: usize,
}

/// JS shape of `listActive`: `{ ok: true, total, activeCount, sessions }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionListView<'a> {
    pub ok: bool,
    pub total: usize,
    pub active_count: usize,
    pub sessions: &'a [RemoteSession],
}

impl SessionList {
    /// JS view; `limit` caps the sessions shown (`activeCount` still counts all kept ones).
    pub fn to_view(&self, limit: Option<usize>) -> SessionListView<'_> {
        let n = limit.map_or(self.sessions.len(), |l| l.min(self.sessions.len()));
        SessionListView {
            ok: true,
            total: self.total,
            active_count: self.sessions.len(),
            sessions: &self.sessions[..n],
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Streaming visitor

/// A string-ish value: borrowed when possible; numbers and bools as text; null, arrays and
/// objects → None.
/// Floats as plain decimals (up to 6 decimals; see `num::push_decimal`), `""` when not finite
/// or beyond exact integers.
fn float_text(f: f64) -> String {
    let mut s = String::new();
    if f.is_finite() && f.abs() < 9.0e15 {
        crate::num::push_decimal(&mut s, f);
    }
    s
}

fn text(v: Lit<'_>) -> Option<Cow<'_, str>> {
    match v {
        Lit::Str(s) => Some(s),
        Lit::Int(n) => {
            let mut s = String::new();
            crate::num::push_i64(&mut s, n);
            Some(Cow::Owned(s))
        }
        Lit::Float(f) => Some(Cow::Owned(float_text(f))),
        Lit::Bool(b) => Some(Cow::Borrowed(if b { "true" } else { "false" })),
        Lit::Null | Lit::Other => None,
    }
}

#[derive(Clone, Copy)]
enum SKey {
    Id,
    User,
    OriginIp,
    Credential,
    Device,
    Protocol,
    Proxy,
    SessionId,
    Start,
    End,
    Time,
    Other,
}

/// Which field a session key names (English and Portuguese spellings).
fn skey(k: &str) -> SKey {
    match k {
        "id" | "ID" => SKey::Id,
        "user" | "usuario" | "usuário" | "username" => SKey::User,
        "origin_ip" | "ip_origem" | "origem_ip" | "ip" => SKey::OriginIp,
        "credential" | "credencial" => SKey::Credential,
        "device" | "dispositivo" => SKey::Device,
        "protocol" | "protocolo" => SKey::Protocol,
        "proxy" => SKey::Proxy,
        "session_id" | "sessao_id" | "id_sessao" | "hash" => SKey::SessionId,
        "start" | "inicio" | "início" | "start_date" => SKey::Start,
        "end" | "fim" | "termino" | "término" | "end_date" => SKey::End,
        "time" | "tempo" | "duracao" | "duração" | "duration" => SKey::Time,
        _ => SKey::Other,
    }
}

/// An `end` meaning "still running": missing, null, empty, or a zero date.
fn end_means_active(end: Option<&str>) -> bool {
    match end.map(str::trim) {
        None | Some("") => true,
        Some(s) => s.starts_with("0000-00-00") || s.eq_ignore_ascii_case("null"),
    }
}

fn own(v: Option<Cow<'_, str>>) -> String {
    v.map(Cow::into_owned).unwrap_or_default()
}

/// The keys of the previous session, in order, with what they name: the sessions of a list
/// repeat the same keys in the same order, so a key is recognised by one comparison with the
/// key at its position in the previous session (bytes already checked as UTF-8 then) instead
/// of being checked and looked up again.
struct KeyCache<'a> {
    /// (key bytes, what they name) by position; the unused entries are the empty key, which
    /// names nothing ([`SKey::Other`]), as an empty key does.
    keys: [(&'a [u8], SKey); 16],
}

impl<'a> KeyCache<'a> {
    fn new() -> Self {
        KeyCache {
            keys: [(&[], SKey::Other); 16],
        }
    }

    /// What the `n`-th key of a session names.
    fn skey(&mut self, n: usize, k: RawStr<'a>) -> R<SKey> {
        let bytes = match k {
            RawStr::Bytes(b) => Some(b),
            RawStr::Decoded(_) => None,
        };
        if let (Some(b), Some(&(known, sk))) = (bytes, self.keys.get(n)) {
            if known == b {
                return Ok(sk);
            }
        }
        let sk = skey(&k.text()?);
        if let (Some(b), Some(e)) = (bytes, self.keys.get_mut(n)) {
            *e = (b, sk);
        }
        Ok(sk)
    }
}

/// One session: an object is counted in `total` and kept (Some) or skipped (None, nothing
/// allocated unless escapes); anything else is not a session (read, not counted).
fn session<'a>(
    p: &mut Parser<'a>,
    active_only: bool,
    total: &mut usize,
    cache: &mut KeyCache<'a>,
) -> R<Option<RemoteSession>> {
    if !p.begin_object() {
        p.scalar()?;
        return Ok(None);
    }
    *total += 1;
    let mut f: [Option<Cow<'a, str>>; 11] = Default::default();
    let mut first = true;
    let mut n = 0;
    while let Some(k) = p.key_raw(&mut first)? {
        let sk = cache.skey(n, k)?;
        n += 1;
        let slot = match sk {
            SKey::Other => {
                p.skip()?;
                continue;
            }
            k => k as usize,
        };
        let v = text(p.scalar()?);
        // First non-empty value wins (English and Portuguese keys may coexist).
        if let Some(cur) = f.get_mut(slot) {
            if cur.as_deref().map_or(true, str::is_empty) {
                *cur = v;
            }
        }
    }
    let active = end_means_active(f[SKey::End as usize].as_deref());
    if active_only && !active {
        return Ok(None);
    }
    let [id, user, origin_ip, credential, device, protocol, proxy, session_id, start, end, time] =
        f;
    Ok(Some(RemoteSession {
        id: own(id),
        user: own(user),
        origin_ip: own(origin_ip),
        credential: own(credential),
        device: own(device),
        protocol: own(protocol),
        proxy: own(proxy),
        session_id: own(session_id),
        start: own(start),
        end: if active {
            None
        } else {
            end.map(Cow::into_owned)
        },
        time: own(time),
    }))
}

/// The session container: an array (or, PHP-style, an object of index → session); any other
/// value holds no session.
fn list(
    p: &mut Parser<'_>,
    active_only: bool,
    out: &mut Vec<RemoteSession>,
    total: &mut usize,
) -> R<()> {
    let mut first = true;
    let mut cache = KeyCache::new();
    if p.begin_array() {
        while p.next_element(&mut first)? {
            if let Some(s) = session(p, active_only, total, &mut cache)? {
                out.push(s);
            }
        }
    } else if p.begin_object() {
        while p.key(&mut first)?.is_some() {
            if let Some(s) = session(p, active_only, total, &mut cache)? {
                out.push(s);
            }
        }
    } else {
        p.scalar()?;
    }
    Ok(())
}

/// Stream-parse; `Ok(None)` when the body is JSON without a session list (the first of
/// `remote_sessions` / `remote_session` / `sessoes_remotas` / `sessões_remotas` at the top
/// level; everything else is skipped).
fn stream(body: &[u8], active_only: bool) -> R<Option<SessionList>> {
    let mut sessions = Vec::new();
    let mut total = 0usize;
    let mut found = false;
    let mut p = Parser::new(body);
    if p.begin_object() {
        let mut first = true;
        while let Some(k) = p.key(&mut first)? {
            if !found
                && matches!(
                    &*k,
                    "remote_sessions" | "remote_session" | "sessoes_remotas" | "sessões_remotas"
                )
            {
                found = true;
                list(&mut p, active_only, &mut sessions, &mut total)?;
            } else {
                p.skip()?;
            }
        }
    } else {
        p.scalar()?;
    }
    p.end()?;
    Ok(found.then_some(SessionList { sessions, total }))
}

/// Stable sort by `start`, newest first. A small hand-written merge sort over indices: the
/// std stable sort weighs ~3 KB of wasm.
fn sort_newest_first(v: &mut Vec<RemoteSession>) {
    let n = v.len();
    if v.windows(2).all(|w| w[0].start >= w[1].start) {
        return;
    }
    let mut idx: Vec<usize> = (0..n).collect();
    let mut tmp: Vec<usize> = vec![0; n];
    let mut width = 1;
    while width < n {
        let mut lo = 0;
        while lo < n {
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            let (mut i, mut j, mut k) = (lo, mid, lo);
            while i < mid && j < hi {
                // Take from the left on ties: stable.
                if v[idx[i]].start >= v[idx[j]].start {
                    tmp[k] = idx[i];
                    i += 1;
                } else {
                    tmp[k] = idx[j];
                    j += 1;
                }
                k += 1;
            }
            tmp[k..k + (mid - i)].copy_from_slice(&idx[i..mid]);
            k += mid - i;
            tmp[k..k + (hi - j)].copy_from_slice(&idx[j..hi]);
            lo = hi;
        }
        core::mem::swap(&mut idx, &mut tmp);
        width *= 2;
    }
    let mut slots: Vec<Option<RemoteSession>> = core::mem::take(v).into_iter().map(Some).collect();
    v.extend(idx.into_iter().filter_map(|i| slots[i].take()));
}

/// Why a body without a usable list was not one (status unknown here: `None`).
fn not_a_list(body: &[u8], status: u16) -> Outcome {
    let kind = json::classify(body, None);
    let mut o = classify(status, &kind, true);
    if o.kind == OutcomeKind::Dropped
        || (o.kind == OutcomeKind::Gateway && matches!(kind, BodyKind::OtherJson))
    {
        o.kind = OutcomeKind::Unexpected;
        o.next = NextStep::Report;
    }
    o
}

/// Parse a list-all answer (`remote_sessions`). With `active_only`, keeps only sessions
/// whose `end` is missing, null or empty, sorted newest first by `start`.
/// Errors: an error envelope / gateway page / truncated JSON, classified (status `None`).
pub fn parse_list_all(body: &[u8], active_only: bool) -> Result<SessionList, Outcome> {
    match stream(body, active_only) {
        Ok(Some(mut list)) => {
            if active_only {
                sort_newest_first(&mut list.sessions);
            }
            Ok(list)
        }
        Ok(None) | Err(_) => {
            let mut o = not_a_list(body, 200);
            o.status = None;
            Err(o)
        }
    }
}

/// Parse a list-one answer (`remote_session`, an array of one).
/// HTTP 400 `1002: Session not found` → `SessionNotFound`; `1003` → `InvalidSessionRef`.
pub fn parse_list_one(resp: &HttpResponse) -> Result<RemoteSession, Outcome> {
    let status = resp.status;
    let st = Some(status);
    let body_kind = json::classify(&resp.body, resp.content_type.as_deref());
    if let BodyKind::Object(level) = &body_kind {
        let code = level.error_code();
        let text = level.all_text_lower();
        let msg = level.server_message();
        if code == Some(1002)
            || crate::text::contains(&text, "session not found")
            || crate::text::contains(&text, "sessão não encontrada")
        {
            return Err(Outcome::new(
                OutcomeKind::SessionNotFound,
                st,
                msg,
                NextStep::Report,
            ));
        }
        if code == Some(1003) || crate::text::contains(&text, "unexpected identifier") {
            return Err(Outcome::new(
                OutcomeKind::InvalidSessionRef,
                st,
                msg,
                NextStep::Report,
            ));
        }
    }
    if (200..300).contains(&status) {
        if let Ok(Some(list)) = stream(&resp.body, false) {
            return match list.sessions.into_iter().next() {
                Some(s) => Ok(s),
                None => Err(Outcome::new(
                    OutcomeKind::SessionNotFound,
                    st,
                    None,
                    NextStep::Report,
                )),
            };
        }
    }
    let mut o = classify(status, &body_kind, true);
    if o.kind == OutcomeKind::Dropped {
        o.kind = OutcomeKind::Unexpected;
        o.next = NextStep::Report;
    }
    Err(o)
}

// ---------------------------------------------------------------------------------------------
// Deterministic test data

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    // Howard Hinnant's days → civil date.
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn fmt_time(out: &mut String, epoch_s: i64) {
    let (y, m, d) = civil_from_days(epoch_s.div_euclid(86_400));
    let s = epoch_s.rem_euclid(86_400);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    );
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A deterministic list-all answer with `n` sessions; every `active_every`-th one (i % k == 0)
/// is active (`"end": ""`), 0 means none. Same shape as the appliance's (envelope, `tenant`,
/// extra fields `prevent_purge`, `request`, `ITSM`). Start times increase with the row id.
pub fn generate_list_json(n: usize, active_every: usize) -> String {
    let mut out = String::with_capacity(200 + n * 400);
    out.push_str(
        "{\"code\":200,\"response\":{\"status\":200,\"message\":\"OK\",\"error\":false,\"error_code\":0,\
         \"detail\":\"\",\"mensagem\":\"OK\",\"erro\":false,\"cod_erro\":0},\"tenant\":\"Segura\",\
         \"remote_sessions\":[",
    );
    const BASE: i64 = 1_714_000_000; // 2024-04-24
    const USERS: [&str; 5] = ["Admin", "mallory", "joao.silva", "maria", "ops-bot"];
    const PROTOS: [&str; 3] = ["rdp", "ssh", "http"];
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        let h1 = splitmix(i as u64);
        let h2 = splitmix(h1);
        let h3 = splitmix(h2);
        let active = active_every > 0 && i % active_every == 0;
        let start = BASE + (i as i64) * 37;
        let dur = (h1 % 7200) as i64 + 1;
        let _ = write!(
            out,
            "{{\"id\":\"{}\",\"user\":\"{}\",\"origin_ip\":\"172.16.{}.{}\",\"credential\":\"usr{:04}\",\
             \"device\":\"10.66.{}.{}:{}\",\"protocol\":\"{}\",\"proxy\":\"Web Proxy\",\
             \"session_id\":\"{:016x}{:016x}{:08x}\",\"start\":\"",
            i + 1,
            USERS[i % USERS.len()],
            (h1 >> 8) % 256,
            (h1 >> 16) % 256,
            i % 1000,
            (h2 >> 8) % 256,
            (h2 >> 16) % 256,
            if i % 3 == 1 { 22 } else { 3389 },
            PROTOS[i % PROTOS.len()],
            h1,
            h2,
            h3 as u32,
        );
        fmt_time(&mut out, start);
        out.push_str("\",\"end\":\"");
        if !active {
            fmt_time(&mut out, start + dur);
        }
        let _ = write!(
            out,
            "\",\"time\":\"{:02}:{:02}:{:02}\",\"prevent_purge\":\"No\",\"request\":null,\"ITSM\":null}}",
            dur / 3600,
            dur / 60 % 60,
            dur % 60
        );
    }
    out.push_str("]}");
    out
}
