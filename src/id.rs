//! Session references: the appliance's session hash, or the numeric row id shown by the console.

#[allow(unused_imports)]
use crate::prelude::*;

use core::fmt;
use serde::{Deserialize, Serialize};

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
        f.write_str(&self.message(crate::messages::Lang::En).cause)
    }
}

impl core::error::Error for IdError {}

impl IdError {
    /// Operator-facing explanation (title, cause, fix).
    pub fn message(&self, lang: crate::messages::Lang) -> crate::messages::Message {
        crate::messages::id_error_message(self, lang)
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
        if crate::text::contains(s, "..") {
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
        crate::text::digits(s)
            .map(SessionRef::RowId)
            .ok_or(IdError::NotARowId)
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
