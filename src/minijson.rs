//! A small JSON pull parser over a byte slice, used by the core's readers of the appliance's
//! answers (`json::parse_level`, `sessions::stream`) instead of serde_json.
//!
//! Why: serde_json's parser and its formatted error messages were ~22 KB of the wasm module,
//! and a serde `Deserializer` is monomorphised once per visitor. This parser is one
//! non-generic piece of code driven by hand-written readers, and its error is a unit value
//! (docs/WASM-SIZE.md).
//!
//! The readers call [`Parser::begin_object`] / [`Parser::key`], [`Parser::begin_array`] /
//! [`Parser::next_element`], [`Parser::scalar`] and [`Parser::skip`]; they only descend
//! (recursively) into the two or three levels they know, everything else is skipped
//! iteratively, so hostile nesting cannot exhaust the stack.
//!
//! What is accepted is what serde_json's `from_slice` accepted for the same readers (checked
//! by a differential fuzz run against the serde_json version, docs/WASM-SIZE.md): strict JSON,
//! skipped values included (structure, escapes, no raw control characters in strings, no
//! leading zeros); surrogate escapes must pair in strings that are read; numbers beyond f64
//! are refused where a value is read.
//! Strings are borrowed from the input when they hold no escape. Numbers: integers exactly
//! (i64, and u64 beyond it as f64), others as f64 (mantissa × 10^exp: exact for the values the
//! appliance sends, a few ulps at worst otherwise: no such value decides anything).

#[allow(unused_imports)]
use crate::prelude::*;

use crate::json::Lit;
use alloc::borrow::Cow;

/// Invalid JSON (no detail on purpose: see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Error;

pub(crate) type R<T> = Result<T, Error>;

/// A string as read by [`Parser::key_raw`]: the input's bytes when it has no escape (UTF-8 not
/// checked yet), else the decoded (checked) text.
pub(crate) enum RawStr<'a> {
    Bytes(&'a [u8]),
    Decoded(String),
}

impl<'a> RawStr<'a> {
    /// The text, checking the bytes of an escape-free string as UTF-8.
    pub(crate) fn text(self) -> R<Cow<'a, str>> {
        match self {
            RawStr::Bytes(b) => core::str::from_utf8(b)
                .map(Cow::Borrowed)
                .map_err(|_| Error),
            RawStr::Decoded(s) => Ok(Cow::Owned(s)),
        }
    }
}

pub(crate) struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(s: &'a [u8]) -> Self {
        Parser { s, i: 0 }
    }

    /// Only whitespace left.
    pub(crate) fn end(&mut self) -> R<()> {
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

    /// When the next value is an object: consumes its `{` and answers true (read it with
    /// [`key`](Self::key)). Otherwise consumes nothing.
    pub(crate) fn begin_object(&mut self) -> bool {
        self.begin(b'{')
    }

    /// When the next value is an array: consumes its `[` and answers true (read it with
    /// [`next_element`](Self::next_element)). Otherwise consumes nothing.
    pub(crate) fn begin_array(&mut self) -> bool {
        self.begin(b'[')
    }

    fn begin(&mut self, open: u8) -> bool {
        let yes = self.peek() == Some(open);
        if yes {
            self.i += 1;
        }
        yes
    }

    /// Before the next member (`first`: none read yet): `Ok(true)` when there is one, `Ok(false)`
    /// after consuming `close`.
    fn more(&mut self, first: &mut bool, close: u8) -> R<bool> {
        match self.peek().ok_or(Error)? {
            c if c == close => {
                self.i += 1;
                return Ok(false);
            }
            b',' if !*first => self.i += 1,
            _ if *first => {}
            _ => return Err(Error),
        }
        *first = false;
        Ok(true)
    }

    /// The next key of the object being read, with its `:` consumed (read or skip the value
    /// next); `None` once the closing `}` is consumed. `first` starts true for each object.
    pub(crate) fn key(&mut self, first: &mut bool) -> R<Option<Cow<'a, str>>> {
        match self.key_raw(first)? {
            None => Ok(None),
            Some(k) => k.text().map(Some),
        }
    }

    /// [`key`](Self::key) without the UTF-8 check of an escape-free key: the caller checks it
    /// ([`RawStr::text`]) unless it already knows the bytes (e.g. the same key as in the
    /// previous object, checked then).
    pub(crate) fn key_raw(&mut self, first: &mut bool) -> R<Option<RawStr<'a>>> {
        if !self.more(first, b'}')? {
            return Ok(None);
        }
        self.eat(b'"')?;
        let k = self.string_raw()?;
        self.eat(b':')?;
        Ok(Some(k))
    }

    /// Whether the array being read has another element (read or skip it next); false once
    /// the closing `]` is consumed. `first` starts true for each array.
    pub(crate) fn next_element(&mut self, first: &mut bool) -> R<bool> {
        self.more(first, b']')
    }

    /// The next value as a leaf; an object or array is passed over and gives [`Lit::Other`].
    pub(crate) fn scalar(&mut self) -> R<Lit<'a>> {
        Ok(match self.peek().ok_or(Error)? {
            b'n' => {
                self.lit(b"null")?;
                Lit::Null
            }
            b't' => {
                self.lit(b"true")?;
                Lit::Bool(true)
            }
            b'f' => {
                self.lit(b"false")?;
                Lit::Bool(false)
            }
            b'"' => {
                self.i += 1;
                Lit::Str(self.string()?)
            }
            b'-' | b'0'..=b'9' => match self.number()? {
                // Beyond f64 (as serde_json: "number out of range"; skipping accepts it).
                Lit::Float(f) if !f.is_finite() => return Err(Error),
                n => n,
            },
            b'[' => {
                self.skip()?;
                Lit::Other
            }
            b'{' => {
                // The object's own keys are read (so checked as strings, UTF-8 included, as
                // serde_json did for a visited map); their values are skipped.
                self.i += 1;
                let mut first = true;
                while self.key(&mut first)?.is_some() {
                    self.skip()?;
                }
                Lit::Other
            }
            _ => return Err(Error),
        })
    }

    /// After the opening quote: the string, borrowed when it has no escape.
    fn string(&mut self) -> R<Cow<'a, str>> {
        self.string_raw()?.text()
    }

    /// After the opening quote: to after the closing one. An escape-free string is returned as
    /// its bytes (not checked as UTF-8 yet); one with escapes is decoded (and checked).
    fn string_raw(&mut self) -> R<RawStr<'a>> {
        let start = self.i;
        loop {
            match self.s.get(self.i) {
                None => return Err(Error),
                Some(b'"') => {
                    let raw = self.s.get(start..self.i).ok_or(Error)?;
                    self.i += 1;
                    return Ok(RawStr::Bytes(raw));
                }
                Some(b'\\') => break,
                Some(&b) if b < 0x20 => return Err(Error),
                Some(_) => self.i += 1,
            }
        }
        let mut out: Vec<u8> = self.s.get(start..self.i).ok_or(Error)?.to_vec();
        loop {
            let Some(&b) = self.s.get(self.i) else {
                return Err(Error);
            };
            self.i += 1;
            match b {
                b'"' => {
                    return String::from_utf8(out)
                        .map(RawStr::Decoded)
                        .map_err(|_| Error)
                }
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
                            // Surrogates must come as a pair (as serde_json for strings).
                            let cp = match self.hex4()? {
                                0xDC00..=0xDFFF => return Err(Error),
                                hi @ 0xD800..=0xDBFF => {
                                    if self.s.get(self.i..self.i + 2) != Some(b"\\u") {
                                        return Err(Error);
                                    }
                                    self.i += 2;
                                    let lo = self.hex4()?;
                                    if !(0xDC00..=0xDFFF).contains(&lo) {
                                        return Err(Error);
                                    }
                                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                                }
                                n => n,
                            };
                            char::from_u32(cp).ok_or(Error)?
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
            v = v * 16 + u32::from(d);
        }
        self.i += 4;
        Ok(v)
    }

    /// A number: `Int` when it is an integer that fits an i64, else `Float`.
    fn number(&mut self) -> R<Lit<'a>> {
        let neg = self.s.get(self.i) == Some(&b'-');
        if neg {
            self.i += 1;
        }
        // One leading '0' at most ("01" is not JSON).
        if self.s.get(self.i) == Some(&b'0') && matches!(self.s.get(self.i + 1), Some(b'0'..=b'9'))
        {
            return Err(Error);
        }
        let mut int: u64 = 0;
        let mut mant: f64 = 0.0;
        let mut exact = true;
        let mut digits = 0;
        while let Some(&c @ b'0'..=b'9') = self.s.get(self.i) {
            self.i += 1;
            digits += 1;
            mant = mant * 10.0 + f64::from(c - b'0');
            match int
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(c - b'0')))
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
                    mant = mant * 10.0 + f64::from(c - b'0');
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
                e = e.saturating_mul(10).saturating_add(i32::from(c - b'0'));
            }
            if ed == 0 {
                return Err(Error);
            }
            exp = exp.saturating_add(if eneg { -e } else { e });
        }
        if !float && exact {
            if !neg {
                return Ok(i64::try_from(int).map_or(Lit::Float(int as f64), Lit::Int));
            } else if int != 0 && int <= i64::MAX as u64 + 1 {
                // ("-0" is a float, -0.0, as in serde_json.)
                return Ok(Lit::Int((int as i64).wrapping_neg()));
            }
        }
        let e = exp.unsigned_abs().min(700);
        let v = if mant == 0.0 {
            0.0
        } else if exp >= 0 {
            mant * crate::num::pow10(e)
        } else if e > 300 {
            // Two steps, so that 1e-320 (subnormal) is not rounded to 0 via 1/10^320 = 1/inf.
            mant / crate::num::pow10(300) / crate::num::pow10(e - 300)
        } else {
            mant / crate::num::pow10(e)
        };
        Ok(Lit::Float(if neg { -v } else { v }))
    }

    /// Skips one value without building anything, checking it as strictly as reading it
    /// would (structure, string escapes and control characters, number syntax) but at any
    /// depth: the open containers are kept on a heap stack, not the call stack.
    pub(crate) fn skip(&mut self) -> R<()> {
        // Open containers, innermost last (`{` or `[`).
        let mut open: Vec<u8> = Vec::new();
        loop {
            // A value.
            match self.peek().ok_or(Error)? {
                b'"' => {
                    self.i += 1;
                    self.skip_string()?;
                }
                c @ (b'{' | b'[') => {
                    self.i += 1;
                    let close = if c == b'{' { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.i += 1;
                    } else {
                        open.push(c);
                        if c == b'{' {
                            self.skip_key()?;
                        }
                        continue;
                    }
                }
                _ => {
                    self.scalar_syntax()?;
                }
            }
            // After a value: the next member, or closing brackets.
            loop {
                let Some(&c) = open.last() else {
                    return Ok(());
                };
                let close = if c == b'{' { b'}' } else { b']' };
                match self.peek().ok_or(Error)? {
                    b',' => {
                        self.i += 1;
                        if c == b'{' {
                            self.skip_key()?;
                        }
                        break;
                    }
                    b if b == close => {
                        self.i += 1;
                        open.pop();
                    }
                    _ => return Err(Error),
                }
            }
        }
    }

    /// `"key":` inside a skipped object.
    fn skip_key(&mut self) -> R<()> {
        self.eat(b'"')?;
        self.skip_string()?;
        self.eat(b':')
    }

    /// `null`, `true`, `false` or a number, checked and not kept.
    fn scalar_syntax(&mut self) -> R<()> {
        match self.peek().ok_or(Error)? {
            b'n' => self.lit(b"null"),
            b't' => self.lit(b"true"),
            b'f' => self.lit(b"false"),
            b'-' | b'0'..=b'9' => self.number().map(drop),
            _ => Err(Error),
        }
    }

    /// After the opening quote: to after the closing one. Escapes and control characters are
    /// checked (not UTF-8: the text is not used).
    fn skip_string(&mut self) -> R<()> {
        loop {
            let b = *self.s.get(self.i).ok_or(Error)?;
            self.i += 1;
            match b {
                b'"' => return Ok(()),
                b'\\' => match self.s.get(self.i) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.i += 1,
                    Some(b'u') => {
                        self.i += 1;
                        self.hex4()?;
                    }
                    _ => return Err(Error),
                },
                b if b < 0x20 => return Err(Error),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(s: &str) -> R<Vec<Lit<'_>>> {
        let mut p = Parser::new(s.as_bytes());
        let mut out = Vec::new();
        assert!(p.begin_array());
        let mut first = true;
        while p.next_element(&mut first)? {
            out.push(p.scalar()?);
        }
        p.end()?;
        Ok(out)
    }

    #[test]
    fn leaves() {
        assert_eq!(
            all(
                r#"[null, true, false, -7, 18446744073709551615, 2.5e1, "a\u00e9\n", {"x":[1]}, []]"#
            ),
            Ok(vec![
                Lit::Null,
                Lit::Bool(true),
                Lit::Bool(false),
                Lit::Int(-7),
                Lit::Float(18446744073709551615.0),
                Lit::Float(25.0),
                Lit::Str("a\u{e9}\n".into()),
                Lit::Other,
                Lit::Other,
            ])
        );
        assert_eq!(
            all(r#"["\ud83d\ude00"]"#),
            Ok(vec![Lit::Str("\u{1F600}".into())])
        );
        for bad in [
            "[1,]",
            "[,1]",
            "[1 2]",
            "[\"a]",
            "[01.]",
            "[-]",
            "[tru]",
            "[1] x",
            "[\"\u{1}\"]",
        ] {
            assert_eq!(all(bad), Err(Error), "{bad}");
        }
    }

    #[test]
    fn objects_and_deep_skips() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        let body = alloc::format!(r#"{{"a":1,"deep":{deep},"b":"x"}}"#);
        let mut p = Parser::new(body.as_bytes());
        assert!(p.begin_object());
        let mut first = true;
        let mut keys = Vec::new();
        while let Some(k) = p.key(&mut first).unwrap() {
            keys.push(k.into_owned());
            p.skip().unwrap();
        }
        p.end().unwrap();
        assert_eq!(keys, ["a", "deep", "b"]);
        for bad in [
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{,"a":1}"#,
            r#"{"a":1 "b":2}"#,
        ] {
            let mut p = Parser::new(bad.as_bytes());
            assert!(p.begin_object());
            let mut first = true;
            let r = (|| {
                while p.key(&mut first)?.is_some() {
                    p.skip()?;
                }
                Ok(())
            })();
            assert_eq!(r, Err(Error), "{bad}");
        }
    }

    #[test]
    fn as_strict_as_serde_json() {
        // Read values: leading zeros, "-0" as a float, lone surrogates, numbers beyond f64.
        assert_eq!(all("[-0]"), Ok(vec![Lit::Float(-0.0)]));
        for bad in [
            "[01]",
            "[-01]",
            r#"["\ud83d"]"#,
            r#"["\ude00"]"#,
            r#"["\ud83dx"]"#,
            r#"["\ud83d\u0041"]"#,
        ] {
            assert_eq!(all(bad), Err(Error), "{bad}");
        }
        // Passed-over values are checked as strictly, except UTF-8 and surrogate pairing
        // below the first level, at any depth.
        assert_eq!(
            all(r#"[["\ud83d", {"a":{"\udc00":1}}]]"#),
            Ok(vec![Lit::Other])
        );
        assert_eq!(all("[[1e400]]"), Ok(vec![Lit::Other]));
        for bad in [
            "[[01]]",
            "[[1:2]]",
            "[[1}]",
            r#"[{"a",1}]"#,
            r#"[{"a":1,}]"#,
            "[{1:2}]",
            "[[1,]]",
            "[[\"a\u{1}\"]]",
            r#"[["\x"]]"#,
            r#"[["\u12"]]"#,
            "[[nul]]",
        ] {
            assert_eq!(all(bad), Err(Error), "{bad}");
        }
        // The own keys of a passed-over object are read (UTF-8 checked), not deeper ones.
        let mut p = Parser::new(b"{\"k\xff\":1}");
        assert_eq!(p.scalar(), Err(Error));
        let mut p = Parser::new(b"{\"k\":{\"\xff\":1}}");
        assert_eq!(p.scalar(), Ok(Lit::Other));
    }

    /// JSON-ish text: serde_json's output for arbitrary values, then a few byte edits.
    #[cfg(not(target_arch = "wasm32"))]
    fn jsonish() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(|n| n.into()),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| f.into()),
            "[a-z\\u{0}-\\u{1f}\"\\\\é😀]{0,6}".prop_map(serde_json::Value::String),
        ];
        let value = leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
                prop::collection::btree_map("[a-z\"\\\\]{0,3}", inner, 0..4)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        });
        let edits = prop::collection::vec(
            (
                any::<prop::sample::Index>(),
                0u8..6,
                prop::sample::select(&b"{}[],:\"\\0-1e.nu\x01\xff"[..]),
            ),
            0..3,
        );
        (value, edits).prop_map(|(v, edits)| {
            let mut b = serde_json::to_vec(&v).unwrap();
            for (at, op, byte) in edits {
                let i = at.index(b.len() + 1);
                match op {
                    0 | 1 => b.insert(i, byte),
                    2 | 3 if i < b.len() => b[i] = byte,
                    _ if i < b.len() => {
                        b.remove(i);
                    }
                    _ => {}
                }
            }
            b
        })
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// Skipping accepts exactly what serde_json accepts as an ignored value (the readers
        /// of the core used serde_json before; docs/WASM-SIZE.md).
        #[test]
        fn skip_accepts_what_serde_json_accepts(b in jsonish()) {
            let mut p = Parser::new(&b);
            let ours = p.skip().and_then(|_| p.end()).is_ok();
            let theirs = serde_json::from_slice::<serde::de::IgnoredAny>(&b).is_ok();
            proptest::prop_assert_eq!(ours, theirs, "{:?}", String::from_utf8_lossy(&b));
        }
    }
}
