//! The third witness: `--against DUMP.csv`, the labels as another reader or the source data
//! gave them, parsed to each column's type and served through the same [`ColumnDecoder`]
//! interface as the two decode paths.
//!
//! The dump contract (the `.labels.csv` files of the shared writer corpus follow it): a header
//! with an optional `row` column (0-based row in file order) and one column per label column,
//! named as reports spell it ([`crate::spelling`]: struct fields dotted, a list by its
//! top-level name), or by a plain dotted name that fits one column. An empty *unquoted*
//! field is null and `""` the empty string; `--null-token` names another null spelling.
//! Booleans `true`/`false` (any case) or `1`/`0`; integers in decimal; floats in any decimal or
//! exponent form or `nan`/`inf`/`-inf`, parsed at the column's own width; strings (the byte
//! arrays [`DumpType::of`] reads as bytes) as they are; list columns as JSON arrays. Problems — unknown columns, missing, repeated or extra rows,
//! unreadable fields — are findings naming the line, never skipped silently.

use std::collections::{HashMap, TryReserveError};
use std::path::Path;

use crate::column_type::DumpType;
use crate::columns::{CheckedColumn, ColumnNameError, ColumnNames};
use crate::decode::{ColumnDecoder, DecodeError, DecodedChunk};
use crate::dump::{excerpt, Field, Limits, Reader, Record};
use crate::report::{Finding, FindingCap, FindingKind};
use crate::source::{ReadMeter, SourceStream, SpecialFiles};
use crate::value::{ColumnSlice, Values};
use crate::witness_list::DumpOrigin;

/// Where the dump is, what it is, how it spells null, and what reading it may cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgainstOptions {
    /// The dump's path, as given.
    pub path: String,
    /// What the dump is.
    pub origin: DumpOrigin,
    /// An unquoted field equal to this is null too.
    pub null_token: Option<String>,
    /// Whether the dump may be a pipe or device (`--allow-special-files`).
    pub special: SpecialFiles,
    /// Most bytes the dump may hold (`--max-dump-bytes`).
    pub max_bytes: u64,
}

/// A dump opened and its header read; [`Dump::load`] reads the rest.
pub struct DumpStream {
    header: Record,
    records: Reader<SourceStream>,
    meter: ReadMeter,
}

impl DumpStream {
    /// Opens the dump named by `options` and reads its header. The error is one line naming
    /// the dump.
    pub fn open(options: &AgainstOptions) -> Result<Self, String> {
        let path = &options.path;
        let stream = match SourceStream::open(Path::new(path), options.special) {
            Err(e) => return Err(format!("{path}: cannot read the dump: {e}")),
            Ok(stream) => stream,
        };
        if let Some(len) = stream.size().filter(|&len| len > options.max_bytes) {
            return Err(format!(
                "{path}: the dump is {len} bytes, more than the {} --max-dump-bytes allows; it is not compared",
                options.max_bytes
            ));
        }
        let meter = stream.meter();
        let not_compared = |e| format!("{path}: {e}; the dump is not compared");
        let mut records =
            Reader::new(stream, Limits::with_max_bytes(options.max_bytes)).map_err(not_compared)?;
        let mut header = Record::default();
        if !records.next_record(&mut header).map_err(not_compared)? {
            return Err(format!("{path}: the dump is empty; it is not compared"));
        }
        Ok(Self {
            header,
            records,
            meter,
        })
    }

    /// The counts of the dump's reads, readable after it is loaded.
    pub fn meter(&self) -> ReadMeter {
        self.meter.clone()
    }

    /// The header record: the dump's column names.
    pub fn header(&self) -> &Record {
        &self.header
    }

    /// Reads the rest of the dump only to count its records: the rows of a CSV source that
    /// no Parquet file gives a count for (`hash --csv`). The error is one line naming it.
    pub fn count_records(mut self, options: &AgainstOptions) -> Result<u64, String> {
        let mut record = Record::default();
        let mut count = 0u64;
        while self
            .records
            .next_record(&mut record)
            .map_err(|e| format!("{}: {e}", options.path))?
        {
            count += 1;
        }
        Ok(count)
    }
}

/// A dump parsed for the checked columns, split by row group.
pub struct Dump {
    /// Per leaf column, one slice per row group.
    columns: HashMap<usize, Vec<ColumnSlice>>,
}

impl ColumnDecoder for Dump {
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

/// One dump column being read: the checked column it holds, its place in the records, and
/// its fields' texts in dump order, to be parsed in row order once the order is known.
struct Loading<'a> {
    column: &'a CheckedColumn,
    position: usize,
    texts: FieldTexts,
}

/// Field texts one after another, with where each ends and whether it was quoted.
struct FieldTexts {
    text: String,
    /// Where each field's text ends, its top bit set if it was quoted.
    ends: Vec<usize>,
}

/// The bit of an entry of `FieldTexts::ends` that says the field was quoted: no text held in
/// memory is half the address space long.
const QUOTED: usize = 1 << (usize::BITS - 1);

impl FieldTexts {
    fn new() -> Self {
        Self {
            text: String::new(),
            ends: Vec::new(),
        }
    }

    fn push(&mut self, field: Field<'_>) -> Result<(), TryReserveError> {
        self.text.try_reserve(field.text.len())?;
        self.ends.try_reserve(1)?;
        self.text.push_str(field.text);
        self.ends
            .push(self.text.len() | if field.quoted { QUOTED } else { 0 });
        Ok(())
    }

    fn get(&self, index: usize) -> Field<'_> {
        let start = index
            .checked_sub(1)
            .map_or(0, |before| self.ends[before] & !QUOTED);
        Field {
            text: &self.text[start..self.ends[index] & !QUOTED],
            quoted: self.ends[index] & QUOTED != 0,
        }
    }
}

/// Where each dump record goes: its line, and with a `row` column, its row. A dump usually
/// has a record on every line and its rows in order; such records cost nothing here, only
/// those that break the pattern do.
struct Placement {
    records: usize,
    /// `(record, line)` for each record that is not on the line after the previous one.
    line_jumps: Vec<(usize, u64)>,
    rows: RowNumbers,
}

/// The row numbers a dump gives.
enum RowNumbers {
    /// No `row` column: records are rows in file order.
    Implicit,
    /// So far every record gave its own index: rows 0, 1, 2, ….
    InOrder,
    /// Every record's row, once one was out of order.
    Listed(Vec<u64>),
}

impl Placement {
    fn new(row_column: bool) -> Self {
        Self {
            records: 0,
            line_jumps: Vec::new(),
            rows: if row_column {
                RowNumbers::InOrder
            } else {
                RowNumbers::Implicit
            },
        }
    }

    /// Adds the next record, on `line`, giving `row` if the dump has a `row` column.
    fn push(&mut self, line: u64, row: Option<u64>) -> Result<(), TryReserveError> {
        let record = self.records;
        if record == 0 || self.line(record - 1) + 1 != line {
            self.line_jumps.try_reserve(1)?;
            self.line_jumps.push((record, line));
        }
        match (&mut self.rows, row) {
            (RowNumbers::InOrder, Some(row)) if row != record as u64 => {
                let mut rows = Vec::new();
                rows.try_reserve(record + 1)?;
                rows.extend(0..record as u64);
                rows.push(row);
                self.rows = RowNumbers::Listed(rows);
            }
            (RowNumbers::Listed(rows), Some(row)) => {
                rows.try_reserve(1)?;
                rows.push(row);
            }
            _ => {}
        }
        self.records += 1;
        Ok(())
    }

    /// The line of `record`.
    fn line(&self, record: usize) -> u64 {
        let jump = self
            .line_jumps
            .partition_point(|&(first, _)| first <= record);
        let (first, line) = self.line_jumps[jump - 1];
        line + (record - first) as u64
    }
}

impl Dump {
    /// Reads the rest of `stream` (named by `options`) for `columns` of a file whose row
    /// groups hold `row_group_rows`, the header's names read as `names` reads them; returns
    /// the usable part and a finding for every problem.
    ///
    /// Memory follows the dump, never a count from the file: the records are read one at a
    /// time, the checked columns' fields kept as text (and, where they break the usual
    /// pattern, records' lines and rows), and only once every row is known to be given
    /// exactly once are they parsed, in row order. What is kept grows with `try_reserve`, so
    /// running out of memory is a finding.
    pub fn load(
        stream: DumpStream,
        options: &AgainstOptions,
        names: &ColumnNames<'_>,
        columns: &[CheckedColumn],
        row_group_rows: &[u64],
    ) -> (Self, Vec<Finding>) {
        let DumpStream {
            header,
            mut records,
            ..
        } = stream;
        let mut problems = FindingCap::default();
        let mut problem = |message: String| {
            problems.push(Finding::about_file(
                FindingKind::Against,
                format!("{}: {message}", options.path),
            ))
        };
        let (row_column, mut loading) = header_columns(&header, names, columns, &mut problem);
        let total_rows = row_group_rows
            .iter()
            .fold(0u64, |sum, &rows| sum.saturating_add(rows));

        let mut placement = Placement::new(row_column.is_some());
        let mut misplaced = 0u64;
        let mut record = Record::default();
        loop {
            match records.next_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    problem(format!("{e}; the dump is not compared"));
                    return (Self::empty(), problems.finish());
                }
            }
            let row = match place(&record, header.len(), row_column, total_rows) {
                Ok(row) => row,
                Err(message) => {
                    problem(message);
                    if misplaced == 0 {
                        // The dump will not be compared: stop keeping what it holds.
                        placement = Placement::new(false);
                        loading.clear();
                    }
                    misplaced += 1;
                    continue;
                }
            };
            if misplaced > 0 {
                continue;
            }
            let held = placement.push(record.line, row).and_then(|()| {
                loading.iter_mut().try_for_each(|column| {
                    record
                        .field(column.position)
                        .map_or(Ok(()), |field| column.texts.push(field))
                })
            });
            if let Err(e) = held {
                problem(format!(
                    "line {}: cannot hold the dump's checked columns in memory ({e}); the dump is not compared",
                    record.line
                ));
                return (Self::empty(), problems.finish());
            }
        }
        if misplaced > 0 {
            return (
                Self::empty(),
                concluded(
                    problems,
                    format!(
                        "{}: {misplaced} of the dump's records cannot be placed on the file's rows; the dump is not compared",
                        options.path
                    ),
                ),
            );
        }
        let order = match row_order(&placement, total_rows, &mut problem) {
            Ok(order) => order,
            Err(conclusion) => {
                let conclusion = format!("{}: {conclusion}", options.path);
                return (Self::empty(), concluded(problems, conclusion));
            }
        };

        let mut loaded = HashMap::new();
        for column in loading {
            let name = &column.column.name;
            match read_column(
                &column,
                order.as_deref(),
                &placement,
                row_group_rows,
                options,
            ) {
                Ok(groups) => {
                    loaded.insert(column.column.leaf, groups);
                }
                Err(message) => problem(format!(
                    "{message}; column {} is not compared",
                    excerpt(name)
                )),
            }
        }
        (Self { columns: loaded }, problems.finish())
    }

    fn empty() -> Self {
        Self {
            columns: HashMap::new(),
        }
    }
}

/// `conclusion` first, then the problems that led to it.
fn concluded(problems: FindingCap, conclusion: String) -> Vec<Finding> {
    let mut findings = vec![Finding::about_file(FindingKind::Against, conclusion)];
    findings.extend(problems.finish());
    findings
}

/// The `row` column's position, and the header's columns that can be compared.
fn header_columns<'a>(
    header: &Record,
    names: &ColumnNames<'_>,
    columns: &'a [CheckedColumn],
    problem: &mut impl FnMut(String),
) -> (Option<usize>, Vec<Loading<'a>>) {
    let mut row_column = None;
    let mut loading: Vec<Loading<'a>> = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (position, field) in header.fields().enumerate() {
        let name = field.text;
        if let Some(first) = seen.insert(name, position) {
            problem(format!(
                "line {}: column {} is field {} and again field {}; the second is not read",
                header.line,
                excerpt(name),
                first + 1,
                position + 1
            ));
            seen.insert(name, first);
            continue;
        }
        if name == "row" {
            row_column = Some(position);
            continue;
        }
        let leaf = match names.resolve_leaf(name) {
            Ok(leaf) => leaf,
            Err(ColumnNameError::Ambiguous { spellings, .. }) => {
                problem(format!(
                    "line {}: column {} names {} of the file's columns ({}); a dump column holds one, named by its spelling",
                    header.line,
                    excerpt(name),
                    spellings.len(),
                    excerpt(&spellings.join(", "))
                ));
                continue;
            }
            Err(ColumnNameError::Unknown { .. }) => None,
        };
        let Some(column) = leaf.and_then(|leaf| columns.iter().find(|c| c.leaf == leaf)) else {
            problem(format!(
                "line {}: column {} is not among the file's checked columns",
                header.line,
                excerpt(name)
            ));
            continue;
        };
        if let Some(first) = loading.iter().find(|l| l.column.leaf == column.leaf) {
            problem(format!(
                "line {}: column {} is field {} and again field {}, spelled {}; the second is not read",
                header.line,
                excerpt(&column.name),
                first.position + 1,
                position + 1,
                excerpt(name)
            ));
            continue;
        }
        if let DumpType::Unsupported(what) = &column.dump {
            problem(format!(
                "column {}: {what} values cannot be compared with a dump yet",
                excerpt(name)
            ));
            continue;
        }
        loading.push(Loading {
            column,
            position,
            texts: FieldTexts::new(),
        });
    }
    (row_column, loading)
}

/// Checks that `record` can take a place among the file's rows — the header's width, a row
/// number within the file — and returns its row number, if the dump gives them.
fn place(
    record: &Record,
    width: usize,
    row_column: Option<usize>,
    total_rows: u64,
) -> Result<Option<u64>, String> {
    if record.len() != width {
        return Err(format!(
            "line {}: {} fields where the header has {width}",
            record.line,
            record.len()
        ));
    }
    let Some(text) = row_column.and_then(|at| record.field(at)).map(|f| f.text) else {
        return Ok(None);
    };
    match text.parse::<u64>() {
        Ok(row) if row < total_rows => Ok(Some(row)),
        Ok(row) => Err(format!(
            "line {}: row {row} is beyond the file's {total_rows} rows",
            record.line
        )),
        Err(_) => Err(format!(
            "line {}: row {} is not a row number",
            record.line,
            excerpt(text)
        )),
    }
}

/// The dump records in file row order: `None` when they already are, `Some(order)` when the
/// `row` column reorders them. When the dump's rows are not the file's rows, each exactly
/// once, the error says so (each repeated row is a finding too). Nothing here is sized by
/// `total_rows`, which comes from the file.
fn row_order(
    placement: &Placement,
    total_rows: u64,
    problem: &mut impl FnMut(String),
) -> Result<Option<Vec<usize>>, String> {
    let count = placement.records as u64;
    let rows = match &placement.rows {
        RowNumbers::Implicit if count != total_rows => {
            return Err(format!(
                "the dump has {count} rows, the file {total_rows}; the dump is not compared"
            ))
        }
        RowNumbers::Implicit => return Ok(None),
        // Rows 0 to count - 1, each once: only some may be missing.
        RowNumbers::InOrder if count != total_rows => {
            return Err(format!(
                "{} of the file's rows are not in the dump, the first row {count}; the dump is not compared",
                total_rows - count
            ))
        }
        RowNumbers::InOrder => return Ok(None),
        RowNumbers::Listed(rows) => rows,
    };
    let order = if rows.windows(2).all(|pair| pair[0] < pair[1]) {
        None
    } else {
        let mut order: Vec<usize> = Vec::new();
        order.try_reserve_exact(rows.len()).map_err(|e| {
            format!("cannot hold the order of the dump's rows in memory ({e}); the dump is not compared")
        })?;
        order.extend(0..rows.len());
        // Of two records giving one row, the earlier comes first; sorting in place needs no
        // more memory.
        order.sort_unstable_by_key(|&record| (rows[record], record));
        Some(order)
    };
    let record_at = |k: usize| order.as_ref().map_or(k, |order| order[k]);
    let mut repeated = 0u64;
    let mut distinct = 0u64;
    let mut first_missing = None;
    let mut first_given: Option<usize> = None;
    for k in 0..rows.len() {
        let record = record_at(k);
        let row = rows[record];
        if let Some(first) = first_given.filter(|&first| rows[first] == row) {
            problem(format!(
                "line {}: row {row} was already given on line {}",
                placement.line(record),
                placement.line(first)
            ));
            repeated += 1;
            continue;
        }
        if row != distinct && first_missing.is_none() {
            first_missing = Some(distinct);
        }
        first_given = Some(record);
        distinct += 1;
    }
    let missing = total_rows - distinct;
    let mut wrong = Vec::new();
    if missing > 0 {
        wrong.push(format!(
            "{missing} of the file's rows are not in the dump, the first row {}",
            first_missing.unwrap_or(distinct)
        ));
    }
    if repeated > 0 {
        wrong.push(format!("{repeated} records repeat a row given before"));
    }
    if wrong.is_empty() {
        Ok(order)
    } else {
        Err(format!(
            "{}; the dump is not compared",
            wrong.join(", and ")
        ))
    }
}

/// Parses one column of the dump, in row order, into a slice per row group.
fn read_column(
    loading: &Loading<'_>,
    order: Option<&[usize]>,
    placement: &Placement,
    row_group_rows: &[u64],
    options: &AgainstOptions,
) -> Result<Vec<ColumnSlice>, String> {
    let column = loading.column;
    let mut groups = Vec::with_capacity(row_group_rows.len());
    // The rows were checked to be the file's rows, so the row groups' counts add up to the
    // records read, and these loops are bounded by the dump.
    let mut records = (0..placement.records).map(|k| order.map_or(k, |order| order[k]));
    for &count in row_group_rows {
        let mut slice = ColumnSlice::nested(column.physical, 0, column.depth);
        for record in records
            .by_ref()
            .take(usize::try_from(count).unwrap_or(usize::MAX))
        {
            let at = |e: String| {
                format!(
                    "line {}, column {}: {e}",
                    placement.line(record),
                    excerpt(&column.name)
                )
            };
            push_field(&mut slice, column, loading.texts.get(record), options).map_err(at)?;
        }
        groups.push(slice);
    }
    Ok(groups)
}

fn is_null(field: Field<'_>, options: &AgainstOptions) -> bool {
    !field.quoted && (field.text.is_empty() || options.null_token.as_deref() == Some(field.text))
}

/// Appends one row's field to `slice`: a value, or for a nested column compact JSON whose
/// arrays mirror the column's repeated levels (corpus README, "Nested leaves").
fn push_field(
    slice: &mut ColumnSlice,
    column: &CheckedColumn,
    field: Field<'_>,
    options: &AgainstOptions,
) -> Result<(), String> {
    slice.rows += 1;
    let null = is_null(field, options);
    if slice.lists.is_empty() {
        slice.validity.push(!null);
        if !null {
            push_text(&mut slice.values, &column.dump, field.text)?;
        }
        return Ok(());
    }
    if null {
        let level = &mut slice.lists[0];
        level.validity.push(false);
        let end = *level.offsets.last().expect("offsets start at 0");
        level.offsets.push(end);
        return Ok(());
    }
    let row: serde_json::Value = serde_json::from_str(field.text)
        .map_err(|e| format!("{} is not JSON: {e}", excerpt(field.text)))?;
    push_item(slice, column, &row, 0)
}

/// Appends one item of segment `segment` from its JSON: `null`, an array of the next
/// segment's items, or in the last segment a value.
fn push_item(
    slice: &mut ColumnSlice,
    column: &CheckedColumn,
    item: &serde_json::Value,
    segment: usize,
) -> Result<(), String> {
    if segment == slice.lists.len() {
        return match item {
            serde_json::Value::Null => {
                slice.validity.push(false);
                Ok(())
            }
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => Err(format!(
                "{} where a value is expected ({} list levels)",
                excerpt(&item.to_string()),
                slice.lists.len()
            )),
            serde_json::Value::String(text) => {
                slice.validity.push(true);
                push_text(&mut slice.values, &column.dump, text)
            }
            other => {
                slice.validity.push(true);
                push_text(&mut slice.values, &column.dump, &other.to_string())
            }
        };
    }
    let elements = match item {
        serde_json::Value::Null => None,
        serde_json::Value::Array(elements) => Some(elements),
        other => {
            return Err(format!(
                "{} where a list is expected (level {} of {})",
                excerpt(&other.to_string()),
                segment + 1,
                slice.lists.len()
            ))
        }
    };
    slice.lists[segment].validity.push(elements.is_some());
    for element in elements.into_iter().flatten() {
        push_item(slice, column, element, segment + 1)?;
    }
    let end = slice.items(segment + 1);
    slice.lists[segment].offsets.push(end);
    Ok(())
}

/// Parses `text` as the column's type and appends it.
fn push_text(values: &mut Values, dump_type: &DumpType, text: &str) -> Result<(), String> {
    let unreadable = |what: &str| format!("cannot read {} as {what}", excerpt(text));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_on_consecutive_lines_with_rows_in_order_cost_nothing() {
        let mut placement = Placement::new(true);
        for (line, row) in [(2, 0), (3, 1), (4, 2), (7, 3), (8, 4)] {
            placement.push(line, Some(row)).unwrap();
        }
        assert_eq!(placement.line_jumps, [(0, 2), (3, 7)]);
        assert!(matches!(placement.rows, RowNumbers::InOrder));
        let lines: Vec<u64> = (0..5).map(|record| placement.line(record)).collect();
        assert_eq!(lines, [2, 3, 4, 7, 8]);

        // The first row out of order lists every row from then on.
        placement.push(9, Some(9)).unwrap();
        placement.push(10, Some(5)).unwrap();
        let RowNumbers::Listed(rows) = &placement.rows else {
            panic!("rows are listed once one is out of order")
        };
        assert_eq!(rows, &[0, 1, 2, 3, 4, 9, 5]);
        assert_eq!(placement.line(6), 10);
    }

    #[test]
    fn field_texts_keep_quoting() {
        let mut texts = FieldTexts::new();
        for (text, quoted) in [("a", false), ("", true), ("", false), ("say \"hi\"", true)] {
            texts.push(Field { text, quoted }).unwrap();
        }
        let got: Vec<(&str, bool)> = (0..4)
            .map(|i| texts.get(i))
            .map(|f| (f.text, f.quoted))
            .collect();
        assert_eq!(
            got,
            [("a", false), ("", true), ("", false), ("say \"hi\"", true)]
        );
    }
}
