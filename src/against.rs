//! The third witness: `--against DUMP.csv`, the labels as another reader or the source data
//! gave them, parsed to each column's type and served through the same [`ColumnDecoder`]
//! interface as the two decode paths.
//!
//! The dump contract (the `.labels.csv` files of the shared writer corpus follow it): a header
//! with an optional `row` column (0-based row in file order) and one column per label column,
//! named by its path (struct fields dotted, a list by its top-level name). An empty *unquoted*
//! field is null and `""` the empty string; `--null-token` names another null spelling.
//! Booleans `true`/`false` (any case) or `1`/`0`; integers in decimal; floats in any decimal or
//! exponent form or `nan`/`inf`/`-inf`, parsed at the column's own width; strings as they are;
//! list columns as JSON arrays. Problems — unknown columns, missing, repeated or extra rows,
//! unreadable fields — are findings naming the line, never skipped silently.

use std::collections::HashMap;

use crate::columns::CheckedColumn;
use crate::decode::{ColumnDecoder, DecodeError, DecodedChunk, PathName};
use crate::dump::{Field, Record};
use crate::report::{Finding, FindingKind};
use crate::value::{Bitmap, ColumnSlice, ListShape, PhysicalType, Values};

/// How a column's values are written in a dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DumpType {
    /// `true`/`false`/`1`/`0`.
    Boolean,
    /// A decimal integer stored as INT32 (unsigned ones up to 2^32 - 1).
    Int32 {
        /// The column holds unsigned integers.
        unsigned: bool,
    },
    /// A decimal integer stored as INT64 (unsigned ones up to 2^64 - 1).
    Int64 {
        /// The column holds unsigned integers.
        unsigned: bool,
    },
    /// A float, parsed at 32 bits.
    Float,
    /// A float, parsed at 64 bits.
    Double,
    /// Text, compared byte for byte.
    Bytes,
    /// A type the dump contract does not cover yet.
    Unsupported(String),
}

/// Where the dump is and how it spells null.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgainstOptions {
    /// The dump's path, as given.
    pub path: String,
    /// An unquoted field equal to this is null too.
    pub null_token: Option<String>,
}

/// A dump parsed for the checked columns, split by row group.
pub struct Dump {
    /// Per leaf column, one slice per row group.
    columns: HashMap<usize, Vec<ColumnSlice>>,
}

impl ColumnDecoder for Dump {
    fn name(&self) -> PathName {
        PathName::Against
    }

    fn decode(&self, row_group: usize, leaf: usize) -> Result<DecodedChunk, DecodeError> {
        let slice = self
            .columns
            .get(&leaf)
            .and_then(|groups| groups.get(row_group))
            .ok_or_else(|| DecodeError::Unsupported("the column is not in the dump".into()))?;
        Ok(DecodedChunk {
            slice: slice.clone(),
            pages: Vec::new(),
            claims: None,
        })
    }
}

impl Dump {
    /// Takes the dump's records (named by `options`) for `columns` of a file whose row groups
    /// hold `row_group_rows`; returns the usable part and a finding for every problem.
    pub fn load(
        records: &[Record],
        options: &AgainstOptions,
        columns: &[CheckedColumn],
        row_group_rows: &[u64],
    ) -> (Self, Vec<Finding>) {
        let mut findings = Vec::new();
        let mut problem = |message: String| {
            findings.push(Finding::about_file(
                FindingKind::Against,
                format!("{}: {message}", options.path),
            ))
        };
        let empty = Self {
            columns: HashMap::new(),
        };
        let Some((header, records)) = records.split_first() else {
            problem("the dump is empty; it is not compared".into());
            return (empty, findings);
        };
        let total_rows: u64 = row_group_rows.iter().sum();
        let Some(order) = row_order(header, records, total_rows, &mut problem) else {
            return (empty, findings);
        };

        let mut loaded = HashMap::new();
        for (position, field) in header.fields.iter().enumerate() {
            let name = field.text.as_str();
            if name == "row" {
                continue;
            }
            let Some(column) = columns.iter().find(|c| c.name == name) else {
                problem(format!(
                    "line {}: column {name:?} is not among the file's checked columns",
                    header.line
                ));
                continue;
            };
            if let DumpType::Unsupported(what) = &column.dump {
                problem(format!(
                    "column {name:?}: {what} values cannot be compared with a dump yet"
                ));
                continue;
            }
            match read_column(column, position, &order, row_group_rows, options) {
                Ok(groups) => {
                    loaded.insert(column.leaf, groups);
                }
                Err(message) => problem(format!("{message}; column {name:?} is not compared")),
            }
        }
        (Self { columns: loaded }, findings)
    }
}

/// The record holding each file row, in row order; `None` (after findings) when the dump's
/// rows do not cover the file's rows exactly once.
fn row_order<'a>(
    header: &Record,
    records: &'a [Record],
    total_rows: u64,
    problem: &mut impl FnMut(String),
) -> Option<Vec<&'a Record>> {
    let width = header.fields.len();
    let mut ok = true;
    for record in records.iter().filter(|r| r.fields.len() != width) {
        problem(format!(
            "line {}: {} fields where the header has {width}",
            record.line,
            record.fields.len()
        ));
        ok = false;
    }
    if !ok {
        problem("the dump is not compared".into());
        return None;
    }
    let Some(row_column) = header.fields.iter().position(|f| f.text == "row") else {
        if records.len() as u64 != total_rows {
            problem(format!(
                "the dump has {} rows, the file {total_rows}; the dump is not compared",
                records.len()
            ));
            return None;
        }
        return Some(records.iter().collect());
    };
    let mut order: Vec<Option<&Record>> = vec![None; usize::try_from(total_rows).ok()?];
    for record in records {
        let text = &record.fields[row_column].text;
        match text.parse::<u64>() {
            Ok(row) if row < total_rows => {
                let slot = &mut order[row as usize];
                if let Some(first) = slot {
                    problem(format!(
                        "line {}: row {row} was already given on line {}",
                        record.line, first.line
                    ));
                    ok = false;
                } else {
                    *slot = Some(record);
                }
            }
            Ok(row) => {
                problem(format!(
                    "line {}: row {row} is beyond the file's {total_rows} rows",
                    record.line
                ));
                ok = false;
            }
            Err(_) => {
                problem(format!(
                    "line {}: row {text:?} is not a row number",
                    record.line
                ));
                ok = false;
            }
        }
    }
    let missing: Vec<usize> = order
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_none())
        .map(|(row, _)| row)
        .collect();
    if let Some(first) = missing.first() {
        problem(format!(
            "{} of the file's rows are not in the dump, the first row {first}",
            missing.len()
        ));
        ok = false;
    }
    if !ok {
        problem("the dump is not compared".into());
        return None;
    }
    Some(order.into_iter().flatten().collect())
}

/// Parses one column of the dump into a slice per row group.
fn read_column(
    column: &CheckedColumn,
    position: usize,
    order: &[&Record],
    row_group_rows: &[u64],
    options: &AgainstOptions,
) -> Result<Vec<ColumnSlice>, String> {
    let mut groups = Vec::with_capacity(row_group_rows.len());
    let mut rows = order.iter();
    for &count in row_group_rows {
        let mut slice = ColumnSlice::empty(column.physical, 0);
        if column.list {
            slice.lists = Some(ListShape {
                offsets: vec![0],
                validity: Bitmap::new(),
            });
        }
        for record in rows.by_ref().take(count as usize) {
            let field = &record.fields[position];
            let at = |e: String| format!("line {}, column {:?}: {e}", record.line, column.name);
            push_field(&mut slice, column, field, options).map_err(at)?;
        }
        groups.push(slice);
    }
    Ok(groups)
}

fn is_null(field: &Field, options: &AgainstOptions) -> bool {
    !field.quoted
        && (field.text.is_empty() || options.null_token.as_deref() == Some(field.text.as_str()))
}

/// Appends one row's field to `slice`.
fn push_field(
    slice: &mut ColumnSlice,
    column: &CheckedColumn,
    field: &Field,
    options: &AgainstOptions,
) -> Result<(), String> {
    slice.rows += 1;
    let null = is_null(field, options);
    let Some(shape) = slice.lists.as_mut() else {
        slice.validity.push(!null);
        if !null {
            push_text(&mut slice.values, &column.dump, &field.text)?;
        }
        return Ok(());
    };
    shape.validity.push(!null);
    if !null {
        let elements: Vec<serde_json::Value> = serde_json::from_str(&field.text)
            .map_err(|e| format!("{:?} is not a JSON array: {e}", field.text))?;
        for element in elements {
            match element {
                serde_json::Value::Null => slice.validity.push(false),
                serde_json::Value::String(text) => {
                    slice.validity.push(true);
                    push_text(&mut slice.values, &column.dump, &text)?;
                }
                other => {
                    slice.validity.push(true);
                    push_text(&mut slice.values, &column.dump, &other.to_string())?;
                }
            }
        }
    }
    let shape = slice.lists.as_mut().expect("a list column");
    shape.offsets.push(slice.validity.len());
    Ok(())
}

/// Parses `text` as the column's type and appends it.
fn push_text(values: &mut Values, dump_type: &DumpType, text: &str) -> Result<(), String> {
    let unreadable = |what: &str| format!("cannot read {text:?} as {what}");
    match (values, dump_type) {
        (Values::Boolean(bits), DumpType::Boolean) => bits.push(match text {
            "1" => true,
            "0" => false,
            _ if text.eq_ignore_ascii_case("true") => true,
            _ if text.eq_ignore_ascii_case("false") => false,
            _ => return Err(unreadable("a boolean")),
        }),
        (Values::Int32(out), DumpType::Int32 { unsigned: false }) => {
            out.push(text.parse().map_err(|_| unreadable("a 32-bit integer"))?)
        }
        (Values::Int32(out), DumpType::Int32 { unsigned: true }) => out.push(
            text.parse::<u32>()
                .map_err(|_| unreadable("an unsigned 32-bit integer"))? as i32,
        ),
        (Values::Int64(out), DumpType::Int64 { unsigned: false }) => {
            out.push(text.parse().map_err(|_| unreadable("a 64-bit integer"))?)
        }
        (Values::Int64(out), DumpType::Int64 { unsigned: true }) => out.push(
            text.parse::<u64>()
                .map_err(|_| unreadable("an unsigned 64-bit integer"))? as i64,
        ),
        (Values::Float(out), DumpType::Float) => {
            out.push(text.parse().map_err(|_| unreadable("a float"))?)
        }
        (Values::Double(out), DumpType::Double) => {
            out.push(text.parse().map_err(|_| unreadable("a double"))?)
        }
        (Values::ByteArray(out), DumpType::Bytes) => out.push(text.as_bytes()),
        (_, other) => {
            return Err(format!(
                "values of type {other:?} cannot be read from a dump"
            ))
        }
    }
    Ok(())
}

/// How values of a column with this physical type and these annotations appear in a dump.
pub fn dump_type(physical: PhysicalType, unsigned: bool, logical: Option<&str>) -> DumpType {
    // Integers that mean something else (dates, times, decimals) have no agreed text form yet.
    let plain_integer = logical
        .is_none_or(|l| l.starts_with("INT(") || l.starts_with("INT_") || l.starts_with("UINT_"));
    match physical {
        PhysicalType::Boolean => DumpType::Boolean,
        PhysicalType::Int32 if plain_integer => DumpType::Int32 { unsigned },
        PhysicalType::Int64 if plain_integer => DumpType::Int64 { unsigned },
        PhysicalType::Float => DumpType::Float,
        PhysicalType::Double => DumpType::Double,
        PhysicalType::ByteArray
            if logical.is_none_or(|l| matches!(l, "STRING" | "UTF8" | "ENUM" | "JSON")) =>
        {
            DumpType::Bytes
        }
        _ => DumpType::Unsupported(match logical {
            Some(logical) => format!("{physical} ({logical})"),
            None => physical.to_string(),
        }),
    }
}
