//! A small self-describing JSON `Deserializer` (serde data model) over a byte slice, used instead
//! of serde_json by the core's visitors (`json::LevelSeed`, `sessions::TopSeed`…).
//!
//! Why: serde_json's parser and its formatted error messages are ~22 KB of the wasm module; this
//! one is a few KB because its error is a unit value (serde's `invalid_type` formatting is never
//! linked) and it only implements `deserialize_any` / `ignored_any` / `option`.
//! Strings are borrowed from the input when they hold no escape. Numbers: integers exactly
//! (u64 / i64), others as f64 (mantissa × 10^exp: exact for the values the appliance sends,
//! a few ulps at worst otherwise: no such value decides anything). Depth is limited where the
//! visitors descend (no stack overflow on hostile input); ignored values are skipped iteratively.

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Invalid JSON (no detail on purpose: see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Error;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid JSON")
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        Error
    }
}

type R<T> = Result<T, Error>;

/// Recursion limit of `deserialize_any` (skipping ignored values is iterative: any depth).
const MAX_DEPTH: u32 = 128;

pub struct Deserializer<'de> {
    s: &'de [u8],
    i: usize,
    depth: u32,
}

impl<'de> Deserializer<'de> {
    pub fn from_slice(s: &'de [u8]) -> Self {
        Deserializer { s, i: 0, depth: 0 }
    }

    /// Only whitespace left.
    pub fn end(&mut self) -> R<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(Error),
        }
    }

    fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.s.get(self.i) {
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            } else {
                return Some(b);
            }
        }
        None
    }

    fn eat(&mut self, b: u8) -> R<()> {
        if self.peek() == Some(b) {
            self.i += 1;
            Ok(())
        } else {
            Err(Error)
        }
    }

    fn lit(&mut self, w: &[u8]) -> R<()> {
        if self.s.get(self.i..self.i + w.len()) == Some(w) {
            self.i += w.len();
            Ok(())
        } else {
            Err(Error)
        }
    }

    /// After the opening quote: the string, borrowed when it has no escape.
    fn string(&mut self) -> R<Str<'de>> {
        let start = self.i;
        loop {
            match self.s.get(self.i) {
                None => return Err(Error),
                Some(b'"') => {
                    let raw = &self.s[start..self.i];
                    self.i += 1;
                    return std::str::from_utf8(raw)
                        .map(Str::Borrowed)
                        .map_err(|_| Error);
                }
                Some(b'\\') => break,
                Some(&b) if b < 0x20 => return Err(Error),
                Some(_) => self.i += 1,
            }
        }
        let mut out: Vec<u8> = self.s[start..self.i].to_vec();
        loop {
            let Some(&b) = self.s.get(self.i) else {
                return Err(Error);
            };
            self.i += 1;
            match b {
                b'"' => return String::from_utf8(out).map(Str::Owned).map_err(|_| Error),
                b'\\' => {
                    let Some(&e) = self.s.get(self.i) else {
                        return Err(Error);
                    };
                    self.i += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let cp = if (0xD800..0xDC00).contains(&hi)
                                && self.s.get(self.i..self.i + 2) == Some(b"\\u")
                            {
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                                } else {
                                    0xFFFD
                                }
                            } else {
                                hi
                            };
                            char::from_u32(cp).unwrap_or('\u{FFFD}')
                        }
                        _ => return Err(Error),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                b if b < 0x20 => return Err(Error),
                b => out.push(b),
            }
        }
    }

    fn hex4(&mut self) -> R<u32> {
        let h = self.s.get(self.i..self.i + 4).ok_or(Error)?;
        let mut v = 0u32;
        for &c in h {
            let d = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => return Err(Error),
            };
            v = v * 16 + d as u32;
        }
        self.i += 4;
        Ok(v)
    }

    fn number(&mut self) -> R<Num> {
        let neg = self.s.get(self.i) == Some(&b'-');
        if neg {
            self.i += 1;
        }
        let mut int: u64 = 0;
        let mut mant: f64 = 0.0;
        let mut exact = true;
        let mut digits = 0;
        while let Some(&c @ b'0'..=b'9') = self.s.get(self.i) {
            self.i += 1;
            digits += 1;
            mant = mant * 10.0 + (c - b'0') as f64;
            match int
                .checked_mul(10)
                .and_then(|v| v.checked_add((c - b'0') as u64))
            {
                Some(v) => int = v,
                None => exact = false,
            }
        }
        if digits == 0 {
            return Err(Error);
        }
        let mut exp: i32 = 0;
        let mut float = false;
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            float = true;
            let mut frac = 0;
            while let Some(&c @ b'0'..=b'9') = self.s.get(self.i) {
                self.i += 1;
                frac += 1;
                if frac < 300 {
                    mant = mant * 10.0 + (c - b'0') as f64;
                    exp -= 1;
                }
            }
            if frac == 0 {
                return Err(Error);
            }
        }
        if matches!(self.s.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            float = true;
            let eneg = match self.s.get(self.i) {
                Some(b'-') => {
                    self.i += 1;
                    true
                }
                Some(b'+') => {
                    self.i += 1;
                    false
                }
                _ => false,
            };
            let mut e: i32 = 0;
            let mut ed = 0;
            while let Some(&c @ b'0'..=b'9') = self.s.get(self.i) {
                self.i += 1;
                ed += 1;
                e = e.saturating_mul(10).saturating_add((c - b'0') as i32);
            }
            if ed == 0 {
                return Err(Error);
            }
            exp = exp.saturating_add(if eneg { -e } else { e });
        }
        if !float && exact {
            return Ok(if !neg {
                Num::U(int)
            } else if int <= i64::MAX as u64 + 1 {
                Num::I((int as i64).wrapping_neg())
            } else {
                Num::F(-(int as f64))
            });
        }
        let v = if exp >= 0 {
            mant * 10f64.powi(exp.min(400))
        } else {
            mant / 10f64.powi((-exp).min(400))
        };
        Ok(Num::F(if neg { -v } else { v }))
    }

    /// Skips one value without building anything.
    fn skip(&mut self) -> R<()> {
        let mut depth: u32 = 0;
        loop {
            match self.peek().ok_or(Error)? {
                b'"' => {
                    self.i += 1;
                    self.skip_string()?;
                }
                b'{' | b'[' => {
                    self.i += 1;
                    depth += 1; // iterative: any depth is fine here
                    if matches!(self.peek(), Some(b'}' | b']')) {
                        // empty container: fall through to the closing logic below
                    } else {
                        continue;
                    }
                }
                b'n' => self.lit(b"null")?,
                b't' => self.lit(b"true")?,
                b'f' => self.lit(b"false")?,
                b'-' | b'0'..=b'9' => {
                    self.number()?;
                }
                _ => return Err(Error),
            }
            // After a value: key separator, next element, or closing brackets.
            loop {
                match self.peek() {
                    Some(b':') if depth > 0 => {
                        self.i += 1;
                        break;
                    }
                    Some(b',') if depth > 0 => {
                        self.i += 1;
                        break;
                    }
                    Some(b'}' | b']') if depth > 0 => {
                        self.i += 1;
                        depth -= 1;
                        if depth == 0 {
                            return Ok(());
                        }
                    }
                    _ if depth == 0 => return Ok(()),
                    _ => return Err(Error),
                }
            }
        }
    }

    fn skip_string(&mut self) -> R<()> {
        loop {
            match self.s.get(self.i) {
                None => return Err(Error),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(());
                }
                Some(b'\\') => self.i += 2,
                Some(_) => self.i += 1,
            }
        }
    }
}

enum Str<'de> {
    Borrowed(&'de str),
    Owned(String),
}

enum Num {
    U(u64),
    I(i64),
    F(f64),
}

impl<'de> de::Deserializer<'de> for &mut Deserializer<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        match self.peek().ok_or(Error)? {
            b'n' => {
                self.lit(b"null")?;
                v.visit_unit()
            }
            b't' => {
                self.lit(b"true")?;
                v.visit_bool(true)
            }
            b'f' => {
                self.lit(b"false")?;
                v.visit_bool(false)
            }
            b'"' => {
                self.i += 1;
                match self.string()? {
                    Str::Borrowed(s) => v.visit_borrowed_str(s),
                    Str::Owned(s) => v.visit_string(s),
                }
            }
            b'-' | b'0'..=b'9' => match self.number()? {
                Num::U(n) => v.visit_u64(n),
                Num::I(n) => v.visit_i64(n),
                Num::F(n) => v.visit_f64(n),
            },
            open @ (b'[' | b'{') => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(Error);
                }
                self.i += 1;
                let close = if open == b'[' { b']' } else { b'}' };
                let r = if open == b'[' {
                    v.visit_seq(Access {
                        de: self,
                        first: true,
                    })?
                } else {
                    v.visit_map(Access {
                        de: self,
                        first: true,
                    })?
                };
                // Lenient: elements the visitor did not read are skipped.
                loop {
                    match self.peek().ok_or(Error)? {
                        c if c == close => break,
                        b',' => self.i += 1,
                        _ => {}
                    }
                    self.skip()?;
                    if open == b'{' {
                        self.eat(b':')?;
                        self.skip()?;
                    }
                }
                self.i += 1;
                self.depth -= 1;
                Ok(r)
            }
            _ => Err(Error),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        if self.peek() == Some(b'n') {
            self.lit(b"null")?;
            v.visit_none()
        } else {
            v.visit_some(self)
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        self.skip()?;
        v.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier
    }
}

struct Access<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    first: bool,
}

impl<'de> SeqAccess<'de> for Access<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> R<Option<T::Value>> {
        match self.de.peek().ok_or(Error)? {
            b']' => return Ok(None),
            b',' if !self.first => self.de.i += 1,
            _ if self.first => {}
            _ => return Err(Error),
        }
        self.first = false;
        seed.deserialize(&mut *self.de).map(Some)
    }
}

impl<'de> MapAccess<'de> for Access<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> R<Option<K::Value>> {
        match self.de.peek().ok_or(Error)? {
            b'}' => return Ok(None),
            b',' if !self.first => self.de.i += 1,
            _ if self.first => {}
            _ => return Err(Error),
        }
        self.first = false;
        if self.de.peek() != Some(b'"') {
            return Err(Error);
        }
        seed.deserialize(&mut *self.de).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> R<V::Value> {
        self.de.eat(b':')?;
        seed.deserialize(&mut *self.de)
    }
}
