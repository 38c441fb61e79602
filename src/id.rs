//! Session references: the appliance's session hash, or the numeric row id shown by the console.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest accepted session hash.
pub const MAX_ID_LEN: usize = 256;
/// Longest accepted row id (digits); `u64::MAX` has 20 digits.
pub const MAX_ROW_ID_DIGITS: usize = 20;

/// A validated session hash (the `session_id` the drop call takes).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(String);

/// What the user pointed at: a session hash, or a numeric row id to resolve first.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SessionRef {
    Hash(SessionId),
    RowId(u64),
}

/// Which kind of reference a user-provided string is. serde: `"hash"` | `"row"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RefKind {
    Hash,
    Row,
}

/// Why a session reference was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdError {
    Empty,
    TooLong {
        max: usize,
    },
    /// `pos` is the character (not byte) index of `ch`.
    Forbidden {
        ch: char,
        pos: usize,
    },
    DotSegment,
    NotARowId,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdError::Empty => f.write_str("the session ID is empty"),
            IdError::TooLong { max } => write!(f, "the session ID is longer than {max} characters"),
            IdError::Forbidden { ch, pos } => {
                write!(
                    f,
                    "the session ID contains U+{:04X} at position {}",
                    *ch as u32,
                    pos + 1
                )
            }
            IdError::DotSegment => f.write_str("the session ID contains a dot segment"),
            IdError::NotARowId => f.write_str("a row ID is 1 to 20 digits"),
        }
    }
}

impl std::error::Error for IdError {}

/// How a refused character is named in `params.char`: itself when visible (a space is " "),
/// else `U+XXXX`.
fn shown_char(c: char) -> String {
    if c == ' ' || !(c.is_control() || c.is_whitespace()) {
        c.to_string()
    } else {
        format!("U+{:04X}", c as u32)
    }
}

impl IdError {
    /// The reason name (snake_case): `empty`, `too_long`, `forbidden`, `dot_segment`,
    /// `not_a_row_id` (the only list of these strings).
    pub fn reason(&self) -> &'static str {
        match self {
            IdError::Empty => "empty",
            IdError::TooLong { .. } => "too_long",
            IdError::Forbidden { .. } => "forbidden",
            IdError::DotSegment => "dot_segment",
            IdError::NotARowId => "not_a_row_id",
        }
    }

    /// The catalogue parameters: `{ reason, char?, position? (1-based, in characters), max? }`.
    pub fn params(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut m = serde_json::Map::new();
        m.insert("reason".into(), self.reason().into());
        match self {
            IdError::TooLong { max } => {
                m.insert("max".into(), (*max as u64).into());
            }
            IdError::Forbidden { ch, pos } => {
                m.insert("char".into(), shown_char(*ch).into());
                m.insert("position".into(), (*pos as u64 + 1).into());
            }
            _ => {}
        }
        m
    }
}

fn forbidden(c: char) -> bool {
    matches!(c, '/' | '\\' | '%' | '?' | '#')
        || c.is_whitespace()
        || c.is_control()
        || !c.is_ascii()
        || c.is_ascii_control()
        || c == ' '
}

impl SessionId {
    /// Validate a session hash. Hex of any length, a UUID, or any other "safe" token is accepted;
    /// anything that could change the request path is refused.
    pub fn new(s: &str) -> Result<SessionId, IdError> {
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        if s.len() > MAX_ID_LEN {
            // Report a forbidden char first when there is one: more useful than "too long".
            if let Some((pos, ch)) = s.chars().enumerate().find(|(_, c)| forbidden(*c)) {
                return Err(IdError::Forbidden { ch, pos });
            }
            return Err(IdError::TooLong { max: MAX_ID_LEN });
        }
        if let Some((pos, ch)) = s.chars().enumerate().find(|(_, c)| forbidden(*c)) {
            return Err(IdError::Forbidden { ch, pos });
        }
        if s.contains("..") {
            return Err(IdError::DotSegment);
        }
        // "." alone is a dot segment too (it would be removed by URL normalisation).
        if s == "." {
            return Err(IdError::DotSegment);
        }
        Ok(SessionId(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as ONE percent-encoded path segment: RFC 3986 unreserved characters
    /// (`A-Z a-z 0-9 - . _ ~`) are kept, every other byte becomes `%XX`.
    pub fn encoded(&self) -> String {
        encode_segment(&self.0)
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for SessionId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Percent-encode a string as a single path segment (unreserved kept).
pub fn encode_segment(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
    out
}

impl SessionRef {
    /// A session hash (see [`SessionId::new`]). Surrounding whitespace is NOT trimmed.
    pub fn hash(s: &str) -> Result<SessionRef, IdError> {
        SessionId::new(s).map(SessionRef::Hash)
    }

    /// A numeric row id: ASCII decimal digits only, 1..=20 of them, fitting a u64.
    pub fn row_id(s: &str) -> Result<SessionRef, IdError> {
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        if s.len() > MAX_ROW_ID_DIGITS || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdError::NotARowId);
        }
        s.parse::<u64>()
            .map(SessionRef::RowId)
            .map_err(|_| IdError::NotARowId)
    }

    pub fn parse(kind: RefKind, s: &str) -> Result<SessionRef, IdError> {
        match kind {
            RefKind::Hash => SessionRef::hash(s),
            RefKind::Row => SessionRef::row_id(s),
        }
    }

    pub fn kind(&self) -> RefKind {
        match self {
            SessionRef::Hash(_) => RefKind::Hash,
            SessionRef::RowId(_) => RefKind::Row,
        }
    }

    /// The hash, when this is one.
    pub fn session_id(&self) -> Option<&SessionId> {
        match self {
            SessionRef::Hash(id) => Some(id),
            SessionRef::RowId(_) => None,
        }
    }

    pub fn row(&self) -> Option<u64> {
        match self {
            SessionRef::Hash(_) => None,
            SessionRef::RowId(n) => Some(*n),
        }
    }
}

/// A session reference as JS gives it: `{ kind: "hash" | "row", value }` where `value` is a
/// string or (for rows) a whole number; any other `kind` means a hash.
pub fn ref_from_value(v: &serde_json::Value) -> Result<SessionRef, IdError> {
    let kind = match v.get("kind").and_then(serde_json::Value::as_str) {
        Some("row") => RefKind::Row,
        _ => RefKind::Hash,
    };
    SessionRef::parse(kind, &value_text(v.get("value")))
}

/// A row id as JS gives it (a string or a whole number).
pub fn row_from_value(v: &serde_json::Value) -> Result<u64, IdError> {
    match SessionRef::row_id(&value_text(Some(v)))? {
        SessionRef::RowId(n) => Ok(n),
        SessionRef::Hash(_) => Err(IdError::NotARowId),
    }
}

/// A string as is; a whole, safe, non-negative number as its digits; anything else "".
fn value_text(v: Option<&serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => match (n.as_u64(), n.as_f64()) {
            (Some(u), _) => u.to_string(),
            (None, Some(f)) if (0.0..=9_007_199_254_740_991.0).contains(&f) && f.fract() == 0.0 => {
                (f as u64).to_string()
            }
            _ => String::new(),
        },
        _ => String::new(),
    }
}
