//! Parsing the remote-session lists. List-all answers can hold 100 000+ sessions and there is
//! no server-side "active only" filter, so the list is read STREAMING through serde visitors
//! (`DeserializeSeed` / `SeqAccess` over serde_json): strings are borrowed from the input,
//! unused fields are `IgnoredAny`, and only the sessions kept are allocated.

use crate::answer::{self, BodyKind};
use crate::http::HttpResponse;
use crate::outcome::{classify, NextStep, Outcome, OutcomeKind};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
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

/// JS shape of `lookup`: `{ ok: true, session }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionView<'a> {
    pub ok: bool,
    pub session: &'a RemoteSession,
}

// ---------------------------------------------------------------------------------------------
// Streaming visitors

/// Which field a session key names (English and Portuguese spellings via `alias`).
#[derive(Deserialize, Clone, Copy)]
#[serde(field_identifier, rename_all = "snake_case")]
enum SKey {
    #[serde(alias = "ID")]
    Id,
    #[serde(alias = "usuario", alias = "usuário", alias = "username")]
    User,
    #[serde(alias = "ip_origem", alias = "origem_ip", alias = "ip")]
    OriginIp,
    #[serde(alias = "credencial")]
    Credential,
    #[serde(alias = "dispositivo")]
    Device,
    #[serde(alias = "protocolo")]
    Protocol,
    Proxy,
    #[serde(alias = "sessao_id", alias = "id_sessao", alias = "hash")]
    SessionId,
    #[serde(alias = "inicio", alias = "início", alias = "start_date")]
    Start,
    #[serde(
        alias = "fim",
        alias = "termino",
        alias = "término",
        alias = "end_date"
    )]
    End,
    #[serde(
        alias = "tempo",
        alias = "duracao",
        alias = "duração",
        alias = "duration"
    )]
    Time,
    #[serde(other)]
    Other,
}

/// Floats as plain decimals (shortest form), `""` when not finite or beyond exact integers.
fn float_text(f: f64) -> String {
    if f.is_finite() && f.abs() < 9.0e15 {
        f.to_string()
    } else {
        String::new()
    }
}

/// A string-ish value: borrowed when possible; numbers and bools as text; null, arrays and
/// objects → None.
struct Text<'a>(Option<Cow<'a, str>>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_owned()))))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v))))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Borrowed(if v { "true" } else { "false" }))))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(float_text(v)))))
            }
            fn visit_unit<E>(self) -> Result<Text<'de>, E> {
                Ok(Text(None))
            }
            fn visit_none<E>(self) -> Result<Text<'de>, E> {
                Ok(Text(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Text<'de>, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Text<'de>, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
        }
        d.deserialize_any(V)
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

/// Where the sessions go, and what is counted.
struct Sink<'s> {
    active_only: bool,
    out: &'s mut Vec<RemoteSession>,
    total: &'s mut usize,
}

/// One session: an object is counted in `total` and kept or skipped (nothing allocated unless
/// escapes); anything else is not a session (read, not counted).
struct SessionSeed<'a, 's>(&'a mut Sink<'s>);

impl<'de> DeserializeSeed<'de> for SessionSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SessionSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a session object")
    }
    skip_scalars!(());
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<(), A::Error> {
        while s.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
        *self.0.total += 1;
        let mut f: [Option<Cow<'de, str>>; 11] = Default::default();
        while let Some(k) = m.next_key::<SKey>()? {
            if let SKey::Other = k {
                m.next_value::<IgnoredAny>()?;
                continue;
            }
            let v = m.next_value::<Text<'de>>()?.0;
            // First non-empty value wins (English and Portuguese keys may coexist).
            let cur = &mut f[k as usize];
            if cur.as_deref().is_none_or(str::is_empty) {
                *cur = v;
            }
        }
        let active = end_means_active(f[SKey::End as usize].as_deref());
        if self.0.active_only && !active {
            return Ok(());
        }
        let [id, user, origin_ip, credential, device, protocol, proxy, session_id, start, end, time] =
            f;
        self.0.out.push(RemoteSession {
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
        });
        Ok(())
    }
}

/// The session container: an array (or, PHP-style, an object of index → session); any other
/// value holds no session.
struct ListSeed<'a, 's>(&'a mut Sink<'s>);

impl<'de> DeserializeSeed<'de> for ListSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ListSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of sessions")
    }
    skip_scalars!(());
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<(), A::Error> {
        while s.next_element_seed(SessionSeed(&mut *self.0))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
        while m.next_key::<IgnoredAny>()?.is_some() {
            m.next_value_seed(SessionSeed(&mut *self.0))?;
        }
        Ok(())
    }
}

/// Top-level keys: the session list under its English and Portuguese names.
#[derive(Deserialize)]
#[serde(field_identifier)]
enum TopKey {
    #[serde(
        rename = "remote_sessions",
        alias = "remote_session",
        alias = "sessoes_remotas",
        alias = "sessões_remotas"
    )]
    Sessions,
    #[serde(other)]
    Other,
}

/// The whole answer: `Some(found)` for an object (the first session list key read, the
/// rest skipped), `None` for any other JSON value.
struct TopSeed<'a, 's>(&'a mut Sink<'s>);

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list answer")
    }
    skip_scalars!(false);
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<bool, A::Error> {
        while s.next_element::<IgnoredAny>()?.is_some() {}
        Ok(false)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<bool, A::Error> {
        let mut found = false;
        while let Some(k) = m.next_key::<TopKey>()? {
            match k {
                TopKey::Sessions if !found => {
                    found = true;
                    m.next_value_seed(ListSeed(&mut *self.0))?;
                }
                _ => {
                    m.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
}

/// Stream-parse; `Ok(None)` when the body is JSON without a session list.
fn stream(body: &[u8], active_only: bool) -> Result<Option<SessionList>, serde_json::Error> {
    let mut sessions = Vec::new();
    let mut total = 0usize;
    let mut sink = Sink {
        active_only,
        out: &mut sessions,
        total: &mut total,
    };
    let mut de = serde_json::Deserializer::from_slice(answer::json_slice(body));
    let found = TopSeed(&mut sink).deserialize(&mut de)?;
    de.end()?;
    Ok(found.then_some(SessionList { sessions, total }))
}

/// Why a body without a usable list was not one.
fn not_a_list(body: &[u8], status: u16) -> Outcome {
    let kind = answer::classify(body, None);
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
/// whose `end` is missing, null or empty, sorted newest first by `start` (stable).
/// Errors: an error envelope / gateway page / truncated JSON, classified (status `None`).
pub fn parse_list_all(body: &[u8], active_only: bool) -> Result<SessionList, Outcome> {
    match stream(body, active_only) {
        Ok(Some(mut list)) => {
            if active_only {
                list.sessions.sort_by(|a, b| b.start.cmp(&a.start));
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
    let body_kind = answer::classify(&resp.body, resp.content_type.as_deref());
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
