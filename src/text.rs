//! Substring search and digit parsing without core's `StrSearcher` / `FromStr`: the two-way
//! searcher and its char-boundary panic path (which formats with `<char as Debug>`) weigh
//! ~5 KB of wasm; every haystack here is short (a message, a URL, an HTML head).

#[allow(unused_imports)]
use crate::prelude::*;

/// The parts, concatenated: `format!` without `core::fmt`, and smaller than `[..].concat()`
/// (whose generic join handles separators and overflow).
pub(crate) fn cat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// Byte offset of the first occurrence of `needle` in `hay`.
pub(crate) fn find(hay: &str, needle: &str) -> Option<usize> {
    let n = needle.as_bytes();
    if n.is_empty() {
        return Some(0);
    }
    hay.as_bytes().windows(n.len()).position(|w| w == n)
}

pub(crate) fn contains(hay: &str, needle: &str) -> bool {
    find(hay, needle).is_some()
}

/// `(before, after)` around the first `sep`, like `str::split_once`.
pub(crate) fn split_once<'a>(s: &'a str, sep: &str) -> Option<(&'a str, &'a str)> {
    let i = find(s, sep)?;
    Some((s.get(..i)?, s.get(i + sep.len()..)?))
}

/// A non-empty run of ASCII digits as a number (`None` on anything else or on overflow).
pub(crate) fn digits(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.bytes().try_fold(0u64, |acc, b| {
        if b.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_and_digits() {
        assert_eq!(find("abcabd", "abd"), Some(3));
        assert_eq!(find("ab", "abc"), None);
        assert_eq!(find("ação x", "x"), Some(7));
        assert!(contains("no route matched", "route"));
        assert_eq!(split_once("https://h", "://"), Some(("https", "h")));
        assert_eq!(split_once("h", "://"), None);
        assert_eq!(digits("18446744073709551615"), Some(u64::MAX));
        assert_eq!(digits("18446744073709551616"), None);
        assert_eq!(digits(""), None);
        assert_eq!(digits("1a"), None);
        assert_eq!(digits("+1"), None);
    }
}
