//! Parsing the remote-session lists. List-all answers can hold 100 000+ sessions and there is
//! no server-side "active only" filter, so the list is parsed STREAMING: a serde visitor walks
//! the `remote_sessions` sequence, borrows strings from the input, and allocates only the
//! sessions it keeps.

use crate::json::{self, BodyKind, Lit};
use crate::outcome::{classify, NextStep, Outcome, OutcomeKind};
use crate::request::HttpResponse;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt::{self, Write as _};

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
/// Float as text without core's float formatting (~15 KB of wasm): up to 6 decimals.
fn float_text(f: f64) -> String {
    if !f.is_finite() {
        return String::new();
    }
    let neg = f < 0.0;
    let a = f.abs();
    if a >= 9.0e15 {
        return String::new();
    }
    let mut int = a.trunc() as u64;
    let mut frac = ((a - a.trunc()) * 1e6).round() as u64;
    if frac >= 1_000_000 {
        int += 1;
        frac -= 1_000_000;
    }
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    s.push_str(&int.to_string());
    if frac > 0 {
        let digits = format!("{frac:06}");
        s.push('.');
        s.push_str(digits.trim_end_matches('0'));
    }
    s
}

fn text(v: Lit<'_>) -> Option<Cow<'_, str>> {
    match v {
        Lit::Str(s) => Some(s),
        Lit::Int(n) => Some(Cow::Owned(n.to_string())),
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

struct SKeyVisitor;

impl Visitor<'_> for SKeyVisitor {
    type Value = SKey;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E>(self, v: &str) -> Result<SKey, E> {
        Ok(match v {
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
        })
    }
}

impl<'de> Deserialize<'de> for SKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SKey, D::Error> {
        d.deserialize_any(SKeyVisitor)
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

/// One session object: kept (Some) or skipped (None, nothing allocated unless escapes).
/// Every object is counted in `total`.
struct SessionSeed<'t> {
    active_only: bool,
    total: &'t mut usize,
}

impl<'de> DeserializeSeed<'de> for SessionSeed<'_> {
    type Value = Option<RemoteSession>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SessionSeed<'_> {
    type Value = Option<RemoteSession>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a session object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        *self.total += 1;
        let mut f: [Option<Cow<'de, str>>; 11] = Default::default();
        while let Some(k) = map.next_key::<SKey>()? {
            let slot = match k {
                SKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                k => k as usize,
            };
            let v = text(map.next_value::<Lit<'de>>()?);
            // First non-empty value wins (English and Portuguese keys may coexist).
            if f[slot].as_deref().map_or(true, str::is_empty) {
                f[slot] = v;
            }
        }
        let active = end_means_active(f[SKey::End as usize].as_deref());
        if self.active_only && !active {
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
    // Anything that is not an object is not a session (and is not counted).
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// The session container: an array (or, PHP-style, an object of index → session).
struct ListSeed<'a> {
    active_only: bool,
    out: &'a mut Vec<RemoteSession>,
    total: &'a mut usize,
}

impl<'de> DeserializeSeed<'de> for ListSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ListSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of sessions")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let active_only = self.active_only;
        while let Some(s) = seq.next_element_seed(SessionSeed {
            active_only,
            total: &mut *self.total,
        })? {
            if let Some(s) = s {
                self.out.push(s);
            }
        }
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let active_only = self.active_only;
        while map.next_key::<IgnoredAny>()?.is_some() {
            let s = map.next_value_seed(SessionSeed {
                active_only,
                total: &mut *self.total,
            })?;
            if let Some(s) = s {
                self.out.push(s);
            }
        }
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
}

/// Top level: finds `remote_sessions` / `remote_session`, skips everything else.
struct TopSeed<'a> {
    active_only: bool,
    out: &'a mut Vec<RemoteSession>,
    total: &'a mut usize,
    found: &'a mut bool,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    // Not an object: no list (found stays false). Explicit so no serde "invalid type"
    // error (and its float formatting) is linked.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        struct TopKey(bool);
        impl<'de> Deserialize<'de> for TopKey {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = TopKey;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("a key")
                    }
                    fn visit_str<E>(self, v: &str) -> Result<TopKey, E> {
                        Ok(TopKey(matches!(
                            v,
                            "remote_sessions"
                                | "remote_session"
                                | "sessoes_remotas"
                                | "sessões_remotas"
                        )))
                    }
                }
                d.deserialize_any(V)
            }
        }
        while let Some(TopKey(is_list)) = map.next_key::<TopKey>()? {
            if is_list && !*self.found {
                *self.found = true;
                map.next_value_seed(ListSeed {
                    active_only: self.active_only,
                    out: self.out,
                    total: self.total,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// Stream-parse; `Ok(None)` when the body is a JSON object without a session list.
fn stream(body: &[u8], active_only: bool) -> Result<Option<SessionList>, serde_json::Error> {
    let mut sessions = Vec::new();
    let mut total = 0usize;
    let mut found = false;
    let mut de = serde_json::Deserializer::from_slice(body);
    TopSeed {
        active_only,
        out: &mut sessions,
        total: &mut total,
        found: &mut found,
    }
    .deserialize(&mut de)?;
    de.end()?;
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
        std::mem::swap(&mut idx, &mut tmp);
        width *= 2;
    }
    let mut slots: Vec<Option<RemoteSession>> = std::mem::take(v).into_iter().map(Some).collect();
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
            || text.contains("session not found")
            || text.contains("sessão não encontrada")
        {
            return Err(Outcome::new(
                OutcomeKind::SessionNotFound,
                st,
                msg,
                NextStep::Report,
            ));
        }
        if code == Some(1003) || text.contains("unexpected identifier") {
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
