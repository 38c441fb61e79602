//! Numbers as text, and the few float helpers `core` lacks (`trunc`, `round`, `fract` and
//! `powi` are std-only). Hand-written instead of `core::fmt` (`to_string`, `format!`): the
//! formatting machinery (padding, width, `Display` of every integer type) weighs several KB of
//! wasm, and these few loops are all the crate needs (docs/WASM-SIZE.md).

#[allow(unused_imports)]
use crate::prelude::*;

/// Decimal digits of `n`.
pub(crate) fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in buf.get(i..).unwrap_or_default() {
        out.push(char::from(b));
    }
}

/// `n` as decimal text.
pub(crate) fn u64_text(n: u64) -> String {
    let mut s = String::new();
    push_u64(&mut s, n);
    s
}

pub(crate) fn push_i64(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_u64(out, n.unsigned_abs());
}

/// `f` when it is an integer that an f64 holds exactly (|f| < 9·10^15).
pub(crate) fn exact_int(f: f64) -> Option<i64> {
    if f.abs() < 9.0e15 {
        let i = f as i64;
        if i as f64 == f {
            return Some(i);
        }
    }
    None
}

/// A finite `v` with |v| < 9·10^15 as plain decimal text: the integer part, then at most 6
/// decimals with trailing zeros trimmed ("3", "-2.5", "0.000001"). No exponent, no float
/// formatting machinery.
pub(crate) fn push_decimal(out: &mut String, v: f64) {
    if v < 0.0 {
        out.push('-');
    }
    let a = v.abs();
    // `as` truncates toward zero; `a` < 9e15 fits a u64 exactly.
    let mut int = a as u64;
    let mut frac = ((a - int as f64) * 1e6 + 0.5) as u64;
    if frac >= 1_000_000 {
        int += 1;
        frac -= 1_000_000;
    }
    push_u64(out, int);
    if frac > 0 {
        let mut digits = [b'0'; 6];
        for d in digits.iter_mut().rev() {
            *d = b'0' + (frac % 10) as u8;
            frac /= 10;
        }
        let mut end = digits.len();
        while end > 1 && digits[end - 1] == b'0' {
            end -= 1;
        }
        out.push('.');
        for &d in &digits[..end] {
            out.push(char::from(d));
        }
    }
}

/// 10^n by repeated squaring (what `f64::powi` does), n ≥ 0.
pub(crate) fn pow10(mut n: u32) -> f64 {
    let mut base = 10f64;
    let mut r = 1f64;
    while n > 0 {
        if n & 1 == 1 {
            r *= base;
        }
        base *= base;
        n >>= 1;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(v: f64) -> String {
        let mut s = String::new();
        push_decimal(&mut s, v);
        s
    }

    #[test]
    fn integers_and_decimals() {
        assert_eq!(u64_text(0), "0");
        assert_eq!(u64_text(u64::MAX), "18446744073709551615");
        let mut s = String::new();
        push_i64(&mut s, i64::MIN);
        assert_eq!(s, "-9223372036854775808");
        assert_eq!(dec(3.0), "3");
        assert_eq!(dec(-2.5), "-2.5");
        assert_eq!(dec(0.000001), "0.000001");
        assert_eq!(dec(1.9999999), "2");
        assert_eq!(dec(60.125), "60.125");
        assert_eq!(exact_int(1002.0), Some(1002));
        assert_eq!(exact_int(0.5), None);
        assert_eq!(exact_int(f64::NAN), None);
        assert_eq!(exact_int(1e16), None);
        assert_eq!(pow10(0), 1.0);
        assert_eq!(pow10(22), 1e22);
    }
}
