//! A minimal serde `Serializer` that writes JSON text, for handing results to JS through one
//! `JSON.parse` (one string crossing instead of one JS call per field; see docs/WASM-SIZE.md).
//!
//! Why not serde_json's or serde-wasm-bindgen's serializer: both build error messages with
//! `format!`, which keeps float formatting and Debug escaping in the module. Here an error is a
//! unit value and every message is discarded, so none of that is linked.
//!
//! Covers what the core's views use: bools, integers, floats (integral values as integers,
//! others with up to 6 decimals, non-finite as `null`), strings, options, unit variants,
//! sequences, maps with string keys and structs. Other shapes (enum variants with data) are
//! refused with [`Unsupported`].

#[allow(unused_imports)]
use crate::prelude::*;

use core::fmt;
use serde::ser::{self, Serialize};

/// The only error: a shape JSON text cannot represent here. Carries no message on purpose.
#[derive(Debug)]
pub struct Unsupported;

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unsupported")
    }
}

impl core::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        Unsupported
    }
}

/// JSON text of `value`.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Unsupported> {
    let mut w = Writer {
        out: String::with_capacity(256),
    };
    value.serialize(&mut w)?;
    Ok(w.out)
}

pub struct Writer {
    out: String,
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl Writer {
    fn string(&mut self, s: &str) {
        self.out.reserve(s.len() + 2);
        self.out.push('"');
        let bytes = s.as_bytes();
        let mut start = 0;
        // `get` instead of `&s[a..b]`: the cut points are ASCII bytes, so always char
        // boundaries, and `get` keeps core's slicing-panic formatting out of the module.
        for (i, &b) in bytes.iter().enumerate() {
            let esc: &str = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0..=0x1f => "",
                _ => continue,
            };
            self.out.push_str(s.get(start..i).unwrap_or_default());
            if esc.is_empty() {
                self.out.push_str("\\u00");
                self.out.push(HEX[(b >> 4) as usize] as char);
                self.out.push(HEX[(b & 15) as usize] as char);
            } else {
                self.out.push_str(esc);
            }
            start = i + 1;
        }
        self.out.push_str(s.get(start..).unwrap_or_default());
        self.out.push('"');
    }

    fn uint(&mut self, n: u64) {
        crate::num::push_u64(&mut self.out, n);
    }

    fn int(&mut self, n: i64) {
        crate::num::push_i64(&mut self.out, n);
    }

    /// Integral values as integers (timestamps in ms are); others with up to 6 decimals,
    /// trailing zeros trimmed; NaN/inf as `null` (as `JSON.stringify`). No float formatting
    /// machinery.
    fn float(&mut self, v: f64) {
        if !v.is_finite() {
            self.out.push_str("null");
        } else if let Some(i) = crate::num::exact_int(v) {
            self.int(i);
        } else if v.abs() >= 9.0e15 {
            // Beyond exact integers; no such value in the views. Keep it valid JSON.
            self.out.push_str(if v < 0.0 { "-9e15" } else { "9e15" });
        } else {
            crate::num::push_decimal(&mut self.out, v);
        }
    }
}

/// State of a sequence / map / struct being written: whether a comma is due.
pub struct Compound<'a> {
    w: &'a mut Writer,
    first: bool,
    close: char,
}

impl Compound<'_> {
    fn comma(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.w.out.push(',');
        }
    }
}

type R = Result<(), Unsupported>;

impl<'a> ser::Serializer for &'a mut Writer {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = ser::Impossible<(), Unsupported>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = ser::Impossible<(), Unsupported>;

    fn serialize_bool(self, v: bool) -> R {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> R {
        self.int(v.into());
        Ok(())
    }
    fn serialize_i16(self, v: i16) -> R {
        self.int(v.into());
        Ok(())
    }
    fn serialize_i32(self, v: i32) -> R {
        self.int(v.into());
        Ok(())
    }
    fn serialize_i64(self, v: i64) -> R {
        self.int(v);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> R {
        self.uint(v.into());
        Ok(())
    }
    fn serialize_u16(self, v: u16) -> R {
        self.uint(v.into());
        Ok(())
    }
    fn serialize_u32(self, v: u32) -> R {
        self.uint(v.into());
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> R {
        self.uint(v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> R {
        self.float(v.into());
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> R {
        self.float(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> R {
        let mut b = [0u8; 4];
        self.string(v.encode_utf8(&mut b));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> R {
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, _v: &[u8]) -> R {
        Err(Unsupported)
    }
    fn serialize_none(self) -> R {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> R {
        value.serialize(self)
    }
    fn serialize_unit(self) -> R {
        self.out.push_str("null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> R {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> R {
        self.string(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> R {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> R {
        Err(Unsupported)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>, Unsupported> {
        self.out.push('[');
        Ok(Compound {
            w: self,
            first: true,
            close: ']',
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, Unsupported> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, Unsupported> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a>, Unsupported> {
        self.out.push('{');
        Ok(Compound {
            w: self,
            first: true,
            close: '}',
        })
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, Unsupported> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Unsupported> {
        Err(Unsupported)
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
        self.comma();
        value.serialize(&mut *self.w)
    }
    fn end(self) -> R {
        self.w.out.push(self.close);
        Ok(())
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> R {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> R {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> R {
        self.comma();
        // Keys must serialize as strings (all keys in the views are).
        let len = self.w.out.len();
        key.serialize(&mut *self.w)?;
        if self.w.out.as_bytes().get(len) != Some(&b'"') {
            return Err(Unsupported);
        }
        self.w.out.push(':');
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
        value.serialize(&mut *self.w)
    }
    fn end(self) -> R {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> R {
        self.comma();
        self.w.string(key);
        self.w.out.push(':');
        value.serialize(&mut *self.w)
    }
    fn end(self) -> R {
        ser::SerializeSeq::end(self)
    }
}
