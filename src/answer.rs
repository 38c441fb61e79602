//! The appliance's small answers (drop envelope, gateway message, OAuth answer, list-one
//! errors) read with serde_json: one lenient shape, [`Level`], where unknown keys are skipped
//! and odd types never fail the read. Also what makes appliance text safe to show.

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// The JSON text of a body: a leading UTF-8 BOM and surrounding whitespace removed (PHP
/// appliances send both around otherwise valid JSON).
pub fn json_slice(body: &[u8]) -> &[u8] {
    let b = body.trim_ascii();
    b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b).trim_ascii()
}

/// A JSON leaf (objects and arrays collapse to `Other`).
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Other,
}

impl<'de> Deserialize<'de> for Lit {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Lit, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Lit;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Lit, E> {
                Ok(Lit::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Lit, E> {
                Ok(Lit::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Lit, E> {
                Ok(i64::try_from(v).map_or(Lit::Float(v as f64), Lit::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Lit, E> {
                Ok(Lit::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Lit, E> {
                Ok(Lit::Str(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Lit, E> {
                Ok(Lit::Str(v))
            }
            fn visit_unit<E>(self) -> Result<Lit, E> {
                Ok(Lit::Null)
            }
            fn visit_none<E>(self) -> Result<Lit, E> {
                Ok(Lit::Null)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Lit, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Lit::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Lit, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Lit::Other)
            }
        }
        d.deserialize_any(V)
    }
}

impl Lit {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Lit::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Lit::Int(n) => Some(*n),
            Lit::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            Lit::Str(s) => {
                let t = s.trim();
                let (neg, d) = match t.strip_prefix('-') {
                    Some(d) => (true, d),
                    None => (false, t),
                };
                if d.is_empty() || d.len() > 18 || !d.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let n = d.bytes().fold(0i64, |n, b| n * 10 + i64::from(b - b'0'));
                Some(if neg { -n } else { n })
            }
            _ => None,
        }
    }

    /// `true`/`false`, 1/0, "true"/"false"/"1"/"0" (any case). Other values: unknown.
    pub fn as_flag(&self) -> Option<bool> {
        match self {
            Lit::Bool(b) => Some(*b),
            Lit::Int(0) => Some(false),
            Lit::Int(1) => Some(true),
            Lit::Str(s) => {
                let t = s.trim();
                if t.eq_ignore_ascii_case("true") || t == "1" {
                    Some(true)
                } else if t.eq_ignore_ascii_case("false") || t == "0" {
                    Some(false)
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}

/// The keys of the vendor's answers this core reads (both envelope variants: the English
/// keys and their Portuguese twins, which coexist in one answer and so are separate fields).
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Key {
    Message,
    Mensagem,
    Error,
    Erro,
    ErrorCode,
    CodErro,
    Status,
    Code,
    ErrorDescription,
    AccessToken,
    TokenType,
    ExpiresIn,
    Response,
    Exception,
    #[serde(other)]
    Other,
}

/// The interesting fields of one JSON object (the vendor's envelope `{code, response:{status,
/// message, error, error_code, detail, mensagem, erro, cod_erro}, tenant, exception}`, the OAuth
/// answer `{access_token, token_type, expires_in}` / `{error, error_description}`, or a bare
/// gateway `{message}`). On duplicate keys the last one wins.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Level {
    pub message: Option<Lit>,
    pub mensagem: Option<Lit>,
    pub error: Option<Lit>,
    pub erro: Option<Lit>,
    pub error_code: Option<Lit>,
    pub cod_erro: Option<Lit>,
    pub status: Option<Lit>,
    pub code: Option<Lit>,
    pub error_description: Option<Lit>,
    /// `Some` when the key is present (the string, or `None` for another type).
    pub access_token: Option<Option<String>>,
    pub token_type: Option<Lit>,
    /// The raw JSON text of `expires_in` (read without converting: `1e400` is not an error).
    pub expires_in: Option<String>,
    /// Nested `response` envelope (top level only).
    pub response: Option<Box<Level>>,
    /// Nested `exception` object (top level only).
    pub exception: Option<Box<Level>>,
    /// False when the value was not a JSON object.
    pub is_object: bool,
}

/// Reads one value as a [`Level`]; `top` also reads the nested `response` / `exception`.
struct LevelSeed {
    top: bool,
}

impl<'de> DeserializeSeed<'de> for LevelSeed {
    type Value = Level;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Level, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LevelSeed {
    type Value = Level;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    skip_scalars!(Level::default());
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Level, A::Error> {
        while s.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Level::default())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Level, A::Error> {
        let mut l = Level {
            is_object: true,
            ..Level::default()
        };
        while let Some(k) = m.next_key::<Key>()? {
            let slot = match k {
                Key::Message => &mut l.message,
                Key::Mensagem => &mut l.mensagem,
                Key::Error => &mut l.error,
                Key::Erro => &mut l.erro,
                Key::ErrorCode => &mut l.error_code,
                Key::CodErro => &mut l.cod_erro,
                Key::Status => &mut l.status,
                Key::Code => &mut l.code,
                Key::ErrorDescription => &mut l.error_description,
                Key::TokenType => &mut l.token_type,
                Key::AccessToken => {
                    l.access_token = Some(match m.next_value::<Lit>()? {
                        Lit::Str(s) => Some(s),
                        _ => None,
                    });
                    continue;
                }
                Key::ExpiresIn => {
                    let raw = m.next_value::<&serde_json::value::RawValue>()?;
                    l.expires_in = Some(raw.get().to_owned());
                    continue;
                }
                Key::Response if self.top => {
                    l.response = Some(Box::new(m.next_value_seed(LevelSeed { top: false })?));
                    continue;
                }
                Key::Exception if self.top => {
                    l.exception = Some(Box::new(m.next_value_seed(LevelSeed { top: false })?));
                    continue;
                }
                Key::Response | Key::Exception | Key::Other => {
                    m.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            *slot = Some(m.next_value::<Lit>()?);
        }
        Ok(l)
    }
}

/// What a response body turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyKind {
    /// Only whitespace (or nothing).
    Empty,
    /// A JSON object.
    Object(Box<Level>),
    /// Valid JSON that is not an object.
    OtherJson,
    /// JSON nested deeper than the reader goes (an object it cannot read).
    TooDeep,
    /// An HTML page; its `<title>` when there is one.
    Html(Option<String>),
    /// Anything else; its text (valid UTF-8 prefix of the first 64 KiB).
    Text(String),
}

/// Read a body as a [`Level`] (JSON after [`json_slice`]).
pub fn parse_level(json: &[u8]) -> Result<Level, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let l = LevelSeed { top: true }.deserialize(&mut de)?;
    de.end()?;
    Ok(l)
}

/// Classify a body. Never panics.
pub fn classify(body: &[u8], content_type: Option<&str>) -> BodyKind {
    let trimmed = json_slice(body);
    if trimmed.is_empty() {
        return BodyKind::Empty;
    }
    match parse_level(trimmed) {
        Ok(level) if level.is_object => return BodyKind::Object(Box::new(level)),
        Ok(_) => return BodyKind::OtherJson,
        Err(e) if trimmed[0] == b'{' && e.to_string().starts_with("recursion limit") => {
            return BodyKind::TooDeep
        }
        Err(_) => {}
    }
    let is_html = trimmed[0] == b'<'
        || content_type.is_some_and(|ct| ct.to_ascii_lowercase().contains("html"));
    let head = &trimmed[..trimmed.len().min(64 * 1024)];
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or(""),
    };
    if is_html {
        BodyKind::Html(html_title(text))
    } else {
        BodyKind::Text(text.to_owned())
    }
}

fn html_title(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = start + lower.get(start..)?.find('>')? + 1;
    let close = open_end + lower.get(open_end..)?.find("</title")?;
    // Same byte offsets: ASCII lower-casing keeps lengths.
    sanitize(text.get(open_end..close)?)
}

/// Longest server message shown (characters).
pub const MAX_MESSAGE_CHARS: usize = 300;

/// Appliance text made safe to show: control and bidi-override characters removed (line
/// breaks and tabs become spaces), whitespace runs collapsed, trimmed, at most 300 characters.
/// `None` when nothing is left.
pub fn sanitize(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len().min(MAX_MESSAGE_CHARS * 2));
    let mut n = 0;
    let mut pending_space = false;
    for c in s.chars() {
        let c = if c.is_whitespace() { ' ' } else { c };
        if c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
        {
            continue;
        }
        if c == ' ' {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            if n + 1 >= MAX_MESSAGE_CHARS {
                break;
            }
            out.push(' ');
            n += 1;
            pending_space = false;
        }
        if n >= MAX_MESSAGE_CHARS {
            break;
        }
        out.push(c);
        n += 1;
    }
    (!out.is_empty()).then_some(out)
}

/// A message worth quoting to the operator: some letters, not just a number or a code.
pub fn sensible(m: &str) -> bool {
    // ASCII letters, or any non-ASCII character (accents), counted as letters.
    let letters = m
        .chars()
        .filter(|c| c.is_ascii_alphabetic() || !c.is_ascii())
        .count();
    letters >= 3 && m.contains(' ') || letters >= 6
}

impl Level {
    fn text(v: &Option<Lit>) -> Option<&str> {
        v.as_ref().and_then(Lit::as_str)
    }

    /// The appliance's message: `message` (envelope first, then top level), else `mensagem`,
    /// else `error_description`, else `exception.message`; sanitized.
    pub fn server_message(&self) -> Option<String> {
        let r = self.response.as_deref();
        let e = self.exception.as_deref();
        [
            r.and_then(|r| Level::text(&r.message)),
            Level::text(&self.message),
            r.and_then(|r| Level::text(&r.mensagem)),
            Level::text(&self.mensagem),
            Level::text(&self.error_description),
            r.and_then(|r| Level::text(&r.error_description)),
            e.and_then(|e| Level::text(&e.message)),
        ]
        .into_iter()
        .flatten()
        .find_map(sanitize)
    }

    /// Only a parsed `error_description` or `message` string field (the token endpoint's
    /// error answers: nothing else of its body is ever quoted).
    pub fn error_text(&self) -> Option<String> {
        [
            Level::text(&self.error_description),
            Level::text(&self.message),
            self.response
                .as_deref()
                .and_then(|r| Level::text(&r.message)),
        ]
        .into_iter()
        .flatten()
        .find_map(sanitize)
    }

    /// Every message-like text in the body (for keyword matching), lower-cased.
    pub fn all_text_lower(&self) -> String {
        let mut out = String::new();
        let mut push = |v: &Option<Lit>| {
            if let Some(s) = Level::text(v) {
                out.push_str(&s.to_ascii_lowercase());
                out.push('\n');
            }
        };
        for l in [
            Some(self),
            self.response.as_deref(),
            self.exception.as_deref(),
        ]
        .into_iter()
        .flatten()
        {
            push(&l.message);
            push(&l.mensagem);
            push(&l.error_description);
            push(&l.error);
            push(&l.erro);
        }
        out
    }

    /// Combined error flag of the envelope and top level: Some(true) if any says error,
    /// Some(false) if at least one says no error and none says error, None if absent.
    pub fn error_flag(&self) -> Option<bool> {
        let mut seen = None;
        for l in [Some(self), self.response.as_deref()].into_iter().flatten() {
            for f in [&l.error, &l.erro] {
                match f.as_ref().and_then(Lit::as_flag) {
                    Some(true) => return Some(true),
                    Some(false) => seen = Some(false),
                    None => {
                        // A non-flag string under "error" (OAuth: "invalid_client") is an error.
                        if let Some(Lit::Str(s)) = f {
                            if !s.trim().is_empty() {
                                return Some(true);
                            }
                        }
                    }
                }
            }
        }
        seen
    }

    /// The OAuth `error` code when it is a string such as "invalid_client".
    pub fn oauth_error(&self) -> Option<&str> {
        Level::text(&self.error)
            .filter(|s| s.as_bytes().first().is_some_and(u8::is_ascii_alphabetic))
    }

    /// `error_code`/`cod_erro` (envelope first), or `exception.code`.
    pub fn error_code(&self) -> Option<i64> {
        let r = self.response.as_deref();
        let e = self.exception.as_deref();
        [
            r.and_then(|r| r.error_code.as_ref()),
            r.and_then(|r| r.cod_erro.as_ref()),
            self.error_code.as_ref(),
            self.cod_erro.as_ref(),
            e.and_then(|e| e.code.as_ref()),
        ]
        .into_iter()
        .flatten()
        .find_map(Lit::as_i64)
        .filter(|c| *c != 0)
    }

    /// Status the envelope claims (`response.status`, else top-level `code`/`status`).
    pub fn inner_status(&self) -> Option<i64> {
        let r = self.response.as_deref();
        [
            r.and_then(|r| r.status.as_ref()),
            self.code.as_ref(),
            self.status.as_ref(),
        ]
        .into_iter()
        .flatten()
        .find_map(Lit::as_i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_rules() {
        assert_eq!(sanitize("  a \n\t b  "), Some("a b".into()));
        assert_eq!(sanitize("\u{1}\u{202e}"), None);
        assert_eq!(
            sanitize(&"é".repeat(400)).map(|s| s.chars().count()),
            Some(300)
        );
    }

    #[test]
    fn bom_and_whitespace_are_stripped() {
        assert_eq!(json_slice(b"\xEF\xBB\xBF {\"a\":1}\r\n \n"), b"{\"a\":1}");
        assert_eq!(json_slice(b" \n\xEF\xBB\xBF{}\t"), b"{}");
        assert!(matches!(
            classify(b"\xEF\xBB\xBF{\"message\":\"x\"}\n\n", None),
            BodyKind::Object(_)
        ));
    }

    #[test]
    fn expires_in_is_read_raw() {
        let l = parse_level(br#"{"expires_in":1e400,"access_token":"a"}"#).unwrap();
        assert_eq!(l.expires_in.as_deref(), Some("1e400"));
    }
}
