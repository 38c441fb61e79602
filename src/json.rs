//! Minimal, lenient JSON scanning of the appliance's small answers (drop envelope, gateway
//! message, OAuth answer, list-one errors). One hand-written reader over `minijson::Parser`, no
//! JSON value tree (wasm size), and any JSON type accepted anywhere: unknown keys and odd types
//! are skipped, never fatal.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::minijson::{Parser, R};
use alloc::borrow::Cow;

/// A JSON leaf, borrowing strings from the input when it can (objects and arrays collapse to
/// `Other`). `Scalar` is the owned form.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lit<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Cow<'a, str>),
    Other,
}

pub(crate) type Scalar = Lit<'static>;

/// Plain decimal ("3600", "60.5", "+7"); no exponent, no hex, no inf/nan. Avoids
/// `str::parse::<f64>` (its tables weigh ~10 KB in wasm).
pub(crate) fn parse_decimal(s: &str) -> Option<f64> {
    let s = s.trim();
    let s = s.strip_prefix('+').unwrap_or(s);
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if int.len() > 18
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut v = 0f64;
    for b in int.bytes() {
        v = v * 10.0 + f64::from(b - b'0');
    }
    let mut scale = 0.1;
    for b in frac.bytes().take(9) {
        v += f64::from(b - b'0') * scale;
        scale /= 10.0;
    }
    Some(if neg { -v } else { v })
}

impl<'a> Lit<'a> {
    pub(crate) fn into_owned(self) -> Scalar {
        match self {
            Lit::Null => Lit::Null,
            Lit::Bool(b) => Lit::Bool(b),
            Lit::Int(n) => Lit::Int(n),
            Lit::Float(f) => Lit::Float(f),
            Lit::Str(s) => Lit::Str(Cow::Owned(s.into_owned())),
            Lit::Other => Lit::Other,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Lit::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Number, or a string holding a plain decimal number.
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            Lit::Int(n) => Some(*n as f64),
            Lit::Float(f) => Some(*f),
            Lit::Str(s) => parse_decimal(s),
            _ => None,
        }
    }

    pub(crate) fn as_i64(&self) -> Option<i64> {
        match self {
            Lit::Int(n) => Some(*n),
            Lit::Float(f) => crate::num::exact_int(*f),
            Lit::Str(s) => {
                let t = s.trim();
                let (neg, d) = match t.strip_prefix('-') {
                    Some(r) => (true, r),
                    None => (false, t),
                };
                if d.is_empty() || d.len() > 18 || !d.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let n = d
                    .bytes()
                    .fold(0i64, |acc, b| acc * 10 + i64::from(b - b'0'));
                Some(if neg { -n } else { n })
            }
            _ => None,
        }
    }

    /// `true`/`false`, 1/0, "true"/"false"/"1"/"0" (any case). Other values: unknown.
    pub(crate) fn as_flag(&self) -> Option<bool> {
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

/// The interesting fields of one JSON object.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Level {
    pub message: Option<Scalar>,
    pub mensagem: Option<Scalar>,
    pub error: Option<Scalar>,
    pub erro: Option<Scalar>,
    pub error_code: Option<Scalar>,
    pub cod_erro: Option<Scalar>,
    pub status: Option<Scalar>,
    pub code: Option<Scalar>,
    pub error_description: Option<Scalar>,
    pub access_token: Option<String>,
    pub token_type: Option<String>,
    pub expires_in: Option<Scalar>,
    /// Nested `response` envelope (top level only).
    pub response: Option<Box<Level>>,
    /// Nested `exception` object (top level only).
    pub exception: Option<Box<Level>>,
    /// False when the value was not a JSON object.
    pub is_object: bool,
}

/// Reads one value as a [`Level`]: an object's interesting fields (`response` and `exception`
/// objects one level down when `top`); any other value is read and gives a non-object Level.
fn parse_level<'a>(p: &mut Parser<'a>, top: bool) -> R<Level> {
    if !p.begin_object() {
        p.scalar()?;
        return Ok(Level::default());
    }
    let mut l = Level {
        is_object: true,
        ..Level::default()
    };
    let mut first = true;
    while let Some(k) = p.key(&mut first)? {
        let slot = match &*k {
            "message" => &mut l.message,
            "mensagem" => &mut l.mensagem,
            "error" => &mut l.error,
            "erro" => &mut l.erro,
            "error_code" => &mut l.error_code,
            "cod_erro" => &mut l.cod_erro,
            "status" => &mut l.status,
            "code" => &mut l.code,
            "error_description" => &mut l.error_description,
            "expires_in" => &mut l.expires_in,
            "access_token" => {
                l.access_token = match p.scalar()? {
                    Lit::Str(s) => Some(s.into_owned()),
                    _ => None,
                };
                continue;
            }
            "token_type" => {
                l.token_type = Some(match p.scalar()? {
                    Lit::Str(s) => s.into_owned(),
                    _ => String::new(),
                });
                continue;
            }
            "response" if top => {
                l.response = Some(Box::new(parse_level(p, false)?));
                continue;
            }
            "exception" if top => {
                l.exception = Some(Box::new(parse_level(p, false)?));
                continue;
            }
            _ => {
                p.skip()?;
                continue;
            }
        };
        *slot = Some(p.scalar()?.into_owned());
    }
    Ok(l)
}

/// What a response body turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum BodyKind {
    /// Only whitespace (or nothing).
    Empty,
    /// A JSON object.
    Object(Box<Level>),
    /// Valid JSON that is not an object.
    OtherJson,
    /// An HTML page; its `<title>` when there is one.
    Html(Option<String>),
    /// Anything else; its text (lossy UTF-8).
    Text(String),
}

/// Classify a body. Never panics.
pub(crate) fn classify(body: &[u8], content_type: Option<&str>) -> BodyKind {
    let trimmed = body.trim_ascii();
    if trimmed.is_empty() {
        return BodyKind::Empty;
    }
    let looks_json = matches!(trimmed[0], b'{' | b'[' | b'"')
        || trimmed[0].is_ascii_digit()
        || matches!(trimmed[0], b'-' | b't' | b'f' | b'n');
    if looks_json {
        let mut p = Parser::new(trimmed);
        if let Ok(level) = parse_level(&mut p, true) {
            if p.end().is_ok() {
                return if level.is_object {
                    BodyKind::Object(Box::new(level))
                } else {
                    BodyKind::OtherJson
                };
            }
        }
    }
    let is_html = trimmed[0] == b'<'
        || content_type.is_some_and(|ct| crate::text::contains(&ct.to_ascii_lowercase(), "html"));
    let head = &trimmed[..trimmed.len().min(64 * 1024)];
    // Valid UTF-8 prefix only (no lossy conversion: smaller wasm, and the text is only shown).
    let text = match core::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) => core::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or(""),
    };
    if is_html {
        BodyKind::Html(html_title(text))
    } else {
        BodyKind::Text(text.to_owned())
    }
}

fn html_title(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let start = crate::text::find(&lower, "<title")?;
    let open_end = start + lower.get(start..)?.find('>')? + 1;
    let close = open_end + crate::text::find(lower.get(open_end..)?, "</title")?;
    // Same byte offsets: ASCII lower-casing keeps lengths.
    sanitize(text.get(open_end..close)?)
}

/// Appliance text made safe to show: control and bidi-override characters removed (line
/// breaks and tabs become spaces), whitespace runs collapsed, trimmed, at most 300 characters.
/// `None` when nothing is left.
pub(crate) fn sanitize(s: &str) -> Option<String> {
    const MAX: usize = 300;
    let mut out = String::with_capacity(s.len().min(MAX * 2));
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
            if n + 1 >= MAX {
                break;
            }
            out.push(' ');
            n += 1;
            pending_space = false;
        }
        if n >= MAX {
            break;
        }
        out.push(c);
        n += 1;
    }
    (!out.is_empty()).then_some(out)
}

impl Level {
    fn text(v: &Option<Scalar>) -> Option<&str> {
        v.as_ref().and_then(Scalar::as_str)
    }

    /// The appliance's message: `message` (envelope first, then top level), else `mensagem`,
    /// else `error_description`, else `exception.message`; sanitized.
    pub(crate) fn server_message(&self) -> Option<String> {
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

    /// Every message-like text in the body (for keyword matching), lower-cased.
    pub(crate) fn all_text_lower(&self) -> String {
        let mut out = String::new();
        let mut push = |v: &Option<Scalar>| {
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
    pub(crate) fn error_flag(&self) -> Option<bool> {
        let mut seen = None;
        for l in [Some(self), self.response.as_deref()].into_iter().flatten() {
            for f in [&l.error, &l.erro] {
                match f.as_ref().and_then(Scalar::as_flag) {
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
    pub(crate) fn oauth_error(&self) -> Option<&str> {
        Level::text(&self.error)
            .filter(|s| s.as_bytes().first().is_some_and(u8::is_ascii_alphabetic))
    }

    /// `error_code`/`cod_erro` (envelope first), or `exception.code`.
    pub(crate) fn error_code(&self) -> Option<i64> {
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
        .find_map(Scalar::as_i64)
        .filter(|c| *c != 0)
    }

    /// Status the envelope claims (`response.status`, else top-level `code`/`status`).
    pub(crate) fn inner_status(&self) -> Option<i64> {
        let r = self.response.as_deref();
        [
            r.and_then(|r| r.status.as_ref()),
            self.code.as_ref(),
            self.status.as_ref(),
        ]
        .into_iter()
        .flatten()
        .find_map(Scalar::as_i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals() {
        assert_eq!(parse_decimal("3600"), Some(3600.0));
        assert_eq!(parse_decimal(" +60.5 "), Some(60.5));
        assert_eq!(parse_decimal("-2"), Some(-2.0));
        assert_eq!(parse_decimal(".5"), Some(0.5));
        assert_eq!(parse_decimal("7."), Some(7.0));
        for bad in ["", ".", "1e3", "inf", "NaN", "0x10", "1.2.3", "--1", "1 2"] {
            assert_eq!(parse_decimal(bad), None, "{bad:?}");
        }
        assert_eq!(Lit::Str("-42".into()).as_i64(), Some(-42));
        assert_eq!(Lit::Str("4x".into()).as_i64(), None);
        assert_eq!(Lit::Float(1002.0).as_i64(), Some(1002));
    }

    #[test]
    fn sanitize_rules() {
        assert_eq!(sanitize("  a \n\t b  "), Some("a b".into()));
        assert_eq!(sanitize("\u{1}\u{202e}"), None);
        assert_eq!(
            sanitize(&"é".repeat(400)).map(|s| s.chars().count()),
            Some(300)
        );
    }
}
