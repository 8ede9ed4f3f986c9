//! One decoded value as reports show it ([`Cell`]): what a mismatch's values, a class of a
//! distribution and a transition matrix's classes are written as, in every report format.
//! Outside the report so that what the check computes (distributions, comparisons) can show
//! values without depending on the report that shows them.

use serde::Serialize;

use crate::column_type::CellStyle;
use crate::value::Value;

/// One decoded value as reports show it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// The witness has no such row (shown in text; left out of a mismatch's `values`).
    Absent,
    /// A null.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer (INT32, INT64).
    Int(i64),
    /// A floating-point value, widened to f64 exactly.
    Float(f64),
    /// Text from a string column.
    Text(String),
    /// Bytes that are not text, shown as hex.
    Bytes(Vec<u8>),
    /// A list's elements, at any depth: a nested row is lists of lists.
    List(Vec<Cell>),
    /// Elements of a long list left out of a mismatch's cell (written `{"more": n}`), so a
    /// huge row stays readable; the mismatch's position says where the difference is.
    More(usize),
}

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // A missing row is left out by the structure holding the cell (`PathValues`);
            // should one get here, it has no value, like a null.
            Self::Absent | Self::Null => serializer.serialize_none(),
            Self::Bool(b) => serializer.serialize_bool(*b),
            Self::Int(i) => serializer.serialize_i64(*i),
            Self::Float(f) if f.is_finite() => serializer.serialize_f64(*f),
            Self::Float(f) => serializer.serialize_str(&float_text(*f)),
            Self::Text(s) => serializer.serialize_str(s),
            Self::Bytes(b) => serializer.serialize_str(&hex(b)),
            Self::List(items) => serializer.collect_seq(items),
            Self::More(count) => {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("more", count)?;
                map.end()
            }
        }
    }
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Absent => f.write_str("(no row)"),
            Self::Null => f.write_str("null"),
            Self::Bool(b) => write!(f, "{b}"),
            Self::Int(i) => write!(f, "{i}"),
            Self::Float(x) => f.write_str(&float_text(*x)),
            Self::Text(s) => write!(f, "{s:?}"),
            Self::Bytes(b) => f.write_str(&hex(b)),
            Self::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Self::More(count) => write!(f, "…{count} more"),
        }
    }
}

/// A float as reports write it: `NaN`, `inf`, `-inf`, or Rust's shortest round-trip text.
pub fn float_text(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "inf" } else { "-inf" }.into()
    } else {
        format!("{f:?}")
    }
}

impl Cell {
    /// One value as a report cell, shown as the column's style says.
    pub fn of(value: Value<'_>, style: CellStyle) -> Cell {
        match value {
            Value::Boolean(b) => Cell::Bool(b),
            Value::Int32(v) if style.unsigned => Cell::Int(i64::from(v as u32)),
            Value::Int32(v) => Cell::Int(i64::from(v)),
            Value::Int64(v) if style.unsigned && v < 0 => Cell::Text((v as u64).to_string()),
            Value::Int64(v) => Cell::Int(v),
            Value::Int96(bytes) => Cell::Bytes(bytes.to_vec()),
            Value::Float(v) => Cell::Float(f64::from(v)),
            Value::Double(v) => Cell::Float(v),
            Value::Bytes(bytes) if style.text => match std::str::from_utf8(bytes) {
                Ok(text) => Cell::Text(text.to_owned()),
                Err(_) => Cell::Bytes(bytes.to_vec()),
            },
            Value::Bytes(bytes) => Cell::Bytes(bytes.to_vec()),
        }
    }
}

/// Bytes as `0x` and lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(2 + bytes.len() * 2);
    out.push_str("0x");
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    out
}
