//! Reading a JSON report back: the wire form of a [`Cell`], and the pass that gives each cell
//! back the type its column says it has, so that a report read back renders in every format
//! as the run that wrote it did (a merge of shard reports and a lock file read reports).
//!
//! The JSON holds a few values as text that are not text: bytes as `0x…` hex, non-finite
//! floats as `"NaN"`, `"inf"`, `"-inf"`. Read alone, such a string is [`Cell::Text`], which
//! writes back the same JSON; the column's physical and logical type then say what it was.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;

use super::{Cell, ColumnReport, FileReport, Report};
use crate::column_type::Annotation;

/// Why a report could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Not a report of this shape: the parser's message, with line and column.
    #[error("not a labelcheck report: {0}")]
    Json(#[from] serde_json::Error),
    /// A report of a shape this version cannot read.
    #[error("report schema version {found} is not {expected}, the version this labelcheck reads")]
    Version {
        /// The document's `schema_version`.
        found: u32,
        /// [`super::SCHEMA_VERSION`].
        expected: u32,
    },
}

impl Report {
    /// Reads a JSON report (as `--format json` writes it) back. Writing the result as JSON
    /// gives the same bytes, and rendering it in another format gives what the run that
    /// wrote it gave — but for one value the JSON cannot tell apart: in a text column, text
    /// spelled as the `0x…` hex of bytes that are not UTF-8 reads back as those bytes.
    pub fn read(json: &str) -> Result<Report, ReadError> {
        let mut report: Report = serde_json::from_str(json)?;
        if report.schema_version != super::SCHEMA_VERSION {
            return Err(ReadError::Version {
                found: report.schema_version,
                expected: super::SCHEMA_VERSION,
            });
        }
        report.files.iter_mut().for_each(retype_file);
        Ok(report)
    }
}

/// How a column's values appear as report cells, from its physical and logical type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Values {
    /// FLOAT and DOUBLE: text is a non-finite float.
    Float,
    /// Byte arrays holding UTF-8 text (STRING, ENUM, JSON): text is text, unless it is the
    /// hex of bytes that are not UTF-8, which the decoders show as bytes.
    Text,
    /// Other byte arrays and INT96: text is hex.
    Bytes,
    /// Anything else (integers: an unsigned 64-bit value beyond `i64` is text).
    Other,
}

impl Values {
    fn of(column: &ColumnReport) -> Self {
        match column.physical_type.as_str() {
            "FLOAT" | "DOUBLE" => Self::Float,
            "INT96" => Self::Bytes,
            // The rule of `columns::style`: the annotation decides what is text.
            "BYTE_ARRAY" | "FIXED_LEN_BYTE_ARRAY" => {
                if column
                    .logical_type
                    .as_ref()
                    .is_some_and(Annotation::is_text)
                {
                    Self::Text
                } else {
                    Self::Bytes
                }
            }
            _ => Self::Other,
        }
    }

    fn retype(self, cell: &mut Cell) {
        match cell {
            Cell::List(items) => items.iter_mut().for_each(|item| self.retype(item)),
            Cell::Text(text) => {
                if let Some(typed) = self.typed(text) {
                    *cell = typed;
                }
            }
            _ => {}
        }
    }

    fn typed(self, text: &str) -> Option<Cell> {
        match self {
            Self::Float => match text {
                "NaN" => Some(Cell::Float(f64::NAN)),
                "inf" => Some(Cell::Float(f64::INFINITY)),
                "-inf" => Some(Cell::Float(f64::NEG_INFINITY)),
                _ => None,
            },
            Self::Bytes => unhex(text).map(Cell::Bytes),
            // Text that is valid UTF-8 the decoders show as text, so only hex of bytes that
            // are not can have been bytes. (Text spelled as such hex reads back as bytes: the
            // JSON does not tell the two apart.)
            Self::Text => unhex(text)
                .filter(|bytes| std::str::from_utf8(bytes).is_err())
                .map(Cell::Bytes),
            Self::Other => None,
        }
    }
}

/// `0x` and lower-case hex, as [`super::hex`] writes bytes, back to the bytes.
fn unhex(text: &str) -> Option<Vec<u8>> {
    let digits = text.strip_prefix("0x")?;
    if digits.len() % 2 != 0
        || !digits
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).ok())
        .collect()
}

fn retype_file(file: &mut FileReport) {
    // Column names are unique within a file (`crate::spelling`).
    let columns: HashMap<&str, Values> = file
        .columns
        .iter()
        .map(|c| (c.column.as_str(), Values::of(c)))
        .collect();
    for mismatch in &mut file.mismatches {
        // A keyed diff's key cells, by their key columns, which the file's check covers.
        for key in mismatch.key.iter_mut().flatten() {
            if let Some(values) = columns.get(key.column.as_str()) {
                values.retype(&mut key.value);
            }
        }
        let Some(&values) = columns.get(mismatch.column.as_str()) else {
            continue;
        };
        // A witness without the row is left out of the JSON, and so of the map read back.
        mismatch
            .values
            .values_mut()
            .for_each(|cell| values.retype(cell));
    }
}

impl<'de> Deserialize<'de> for Cell {
    /// null, a boolean, an integer, a float, text or a list, as the JSON holds them; what text
    /// stands for is decided by [`Report::read`], which knows the column.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CellVisitor)
    }
}

struct CellVisitor;

impl<'de> Visitor<'de> for CellVisitor {
    type Value = Cell;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a report cell: null, a boolean, a number, text, a list or {\"more\": n}")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Cell, E> {
        Ok(Cell::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Cell, E> {
        Ok(Cell::Null)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Cell, E> {
        Ok(Cell::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Cell, E> {
        Ok(Cell::Int(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Cell, E> {
        // Reports write unsigned values beyond i64 as text, so no report holds this.
        i64::try_from(value)
            .map(Cell::Int)
            .map_err(|_| E::custom(format!("integer {value} is beyond a 64-bit signed cell")))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Cell, E> {
        Ok(Cell::Float(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Cell, E> {
        Ok(Cell::Text(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Cell, E> {
        Ok(Cell::Text(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Cell, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Cell::List(items))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Cell, A::Error> {
        match map.next_entry::<String, usize>()? {
            Some((key, count)) if key == "more" && map.next_key::<String>()?.is_none() => {
                Ok(Cell::More(count))
            }
            _ => Err(de::Error::custom("a cell object must be {\"more\": count}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_reads_back_as_written() {
        for bytes in [&b""[..], b"\x00\xff", b"abc"] {
            assert_eq!(unhex(&super::super::hex(bytes)).as_deref(), Some(bytes));
        }
        assert_eq!(unhex("0xABCD"), None, "the report writes lower case");
        assert_eq!(unhex("0x123"), None);
        assert_eq!(unhex("12"), None);
    }

    #[test]
    fn text_is_typed_by_its_column() {
        assert!(matches!(Values::Float.typed("NaN"), Some(Cell::Float(f)) if f.is_nan()));
        assert_eq!(
            Values::Float.typed("-inf"),
            Some(Cell::Float(f64::NEG_INFINITY))
        );
        assert_eq!(Values::Text.typed("NaN"), None);
        assert_eq!(
            Values::Text.typed("0x61"),
            None,
            "valid UTF-8 is shown as text"
        );
        assert_eq!(Values::Text.typed("0xff"), Some(Cell::Bytes(vec![0xff])));
        assert_eq!(Values::Bytes.typed("0x61"), Some(Cell::Bytes(vec![0x61])));
        assert_eq!(Values::Other.typed("18446744073709551615"), None);
    }
}
