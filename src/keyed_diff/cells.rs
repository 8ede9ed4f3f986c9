//! A row's canonical bytes (FINGERPRINT.md, "Canonical row bytes" and "Nested columns") read
//! back into the report cell its decoders would show, for the listed differences.

use crate::report::Cell;
use crate::value::{PhysicalType, Value};

/// Elements of a list shown in a cell; the rest are counted ([`Cell::More`]).
const CELL_ELEMENTS: usize = 20;

/// How to read one column's rows.
#[derive(Debug, Clone, Copy)]
pub struct RowShape {
    /// The values' physical type.
    pub physical: PhysicalType,
    /// FIXED_LEN_BYTE_ARRAY width.
    pub width: usize,
    /// Repeated levels above the values.
    pub depth: usize,
    /// How its values are shown.
    pub style: crate::column_type::CellStyle,
}

impl RowShape {
    /// The cell of the row whose canonical bytes are `bytes`; a row that does not read back
    /// (which a spill file this run wrote never holds) shows as its bytes.
    pub fn cell(&self, bytes: &[u8]) -> Cell {
        let mut at = bytes;
        match self.item(&mut at, self.depth) {
            Some(cell) if at.is_empty() => cell,
            _ => Cell::Bytes(bytes.to_vec()),
        }
    }

    /// The cell of the row at the start of `at`, moving past it: for keys of several
    /// columns, whose bytes follow each other.
    pub fn next_cell(&self, at: &mut &[u8]) -> Option<Cell> {
        self.item(at, self.depth)
    }

    fn item(&self, at: &mut &[u8], depth: usize) -> Option<Cell> {
        let (&marker, rest) = at.split_first()?;
        *at = rest;
        if marker == 0 {
            return Some(Cell::Null);
        }
        if depth > 0 {
            let len = u32::from_le_bytes(*take(at, 4)?.first_chunk()?) as usize;
            let mut items = Vec::with_capacity(len.min(CELL_ELEMENTS + 1));
            for index in 0..len {
                let item = self.item(at, depth - 1)?;
                if index < CELL_ELEMENTS {
                    items.push(item);
                }
            }
            if len > CELL_ELEMENTS {
                items.push(Cell::More(len - CELL_ELEMENTS));
            }
            return Some(Cell::List(items));
        }
        let value = match self.physical {
            PhysicalType::Boolean => Value::Boolean(take(at, 1)?[0] != 0),
            PhysicalType::Int32 => Value::Int32(i32::from_le_bytes(*take(at, 4)?.first_chunk()?)),
            PhysicalType::Int64 => Value::Int64(i64::from_le_bytes(*take(at, 8)?.first_chunk()?)),
            PhysicalType::Int96 => Value::Int96(*take(at, 12)?.first_chunk()?),
            PhysicalType::Float => Value::Float(f32::from_bits(u32::from_le_bytes(
                *take(at, 4)?.first_chunk()?,
            ))),
            PhysicalType::Double => Value::Double(f64::from_bits(u64::from_le_bytes(
                *take(at, 8)?.first_chunk()?,
            ))),
            PhysicalType::ByteArray => {
                let len = u32::from_le_bytes(*take(at, 4)?.first_chunk()?) as usize;
                Value::Bytes(take(at, len)?)
            }
            PhysicalType::FixedLenByteArray => Value::Bytes(take(at, self.width)?),
        };
        Some(Cell::of(value, self.style))
    }
}

/// The next `n` bytes.
fn take<'a>(at: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if at.len() < n {
        return None;
    }
    let (head, rest) = at.split_at(n);
    *at = rest;
    Some(head)
}
