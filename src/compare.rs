//! The comparison: the only module that sees the witnesses' rows side by side. It walks the
//! witnesses' slices of a window row by row, each against the leading decoder's, and
//! classifies every row where one differs.

use crate::decode::PageInfo;
use crate::report::{Cell, Kind, KindCounts, Mismatch};
use crate::witness_list::{ByWitness, DumpOrigin, WitnessName, WitnessRole};
use std::ops::Range;

use crate::advisories::{Symptom, Writer, WriterBlame};
use crate::column_type::{CellStyle, IntegerAnnotation};
use crate::diagnosis::{Fault, NestedDifference, Observation, Profile, WriterEvidence};
use crate::format::PageType;
use crate::value::{Bitmap, ColumnSlice, PhysicalType, RowVisitor, RowWalker, Value, Values};

/// One witness's rows of the compared window, and who the witness is.
#[derive(Debug, Clone, Copy)]
pub struct Testimony<'a> {
    /// The witness's name, for the values of a listed mismatch.
    pub name: &'a WitnessName,
    /// What the witness is: the leader is the reference, a decoder that differs from it is a
    /// decoder disagreement, a dump that differs where the decoders agree is [`Kind::Against`],
    /// an old version that does is [`Kind::Changed`].
    pub role: WitnessRole,
    /// Its rows; `None` when it gave none for this window, so that it is not compared.
    pub slice: Option<&'a ColumnSlice>,
}

/// The column and row group a comparison is about.
#[derive(Debug, Clone, Copy)]
pub struct ChunkPosition<'a> {
    /// Dotted column path.
    pub column: &'a str,
    /// The names that place a difference inside a nested row, one more than the column's
    /// repeated levels ([`crate::columns::CheckedColumn::pieces`]); empty for a flat column.
    pub pieces: &'a [String],
    /// Row group index.
    pub row_group: usize,
    /// File row of the row group's first row.
    pub first_row: u64,
    /// Row within the row group of the compared slices' first row: a chunk is compared a
    /// window of rows at a time.
    pub window_start: usize,
    /// Rows the row group holds.
    pub group_rows: usize,
    /// Who wrote the file, to blame its writer for a layout its version is known to get
    /// wrong.
    pub writer: Writer<'a>,
}

/// The outcome of comparing one column chunk.
#[derive(Debug, Clone, Default)]
pub struct ChunkComparison {
    /// Every mismatching row, counted by kind.
    pub counts: KindCounts,
    /// Every mismatching row, counted by where it lies, for the diagnosis.
    pub profile: Profile,
    /// The first mismatches, in row order, at most the cap asked for.
    pub listed: Vec<Mismatch>,
    /// The file row of every mismatching row, listed or not, in row order.
    pub mismatching_rows: Vec<u64>,
    /// Per witness: its slice is the leader's, value for value (floats by their bits), so
    /// anything computed from one, such as its fingerprint, holds for the other.
    pub identical: Vec<bool>,
}

impl ChunkComparison {
    /// Counts a mismatching row and lists it while fewer than `cap` are listed; the values
    /// are only rendered for listed rows.
    fn record(
        &mut self,
        at: &Where<'_>,
        row: usize,
        Evidence {
            kind,
            difference,
            booleans,
            out_of_range,
            dump,
            at: position_in_row,
        }: Evidence,
        values: impl FnOnce(Option<&InRow>) -> ByWitness<Cell>,
    ) {
        self.counts.add(kind, 1);
        let row = at.position.window_start + row;
        self.mismatching_rows
            .push(at.position.first_row + row as u64);
        let page = page_of(at.pages, row);
        let known_bug = (kind != Kind::Against
            && at.bit_packed_lsb_writer
            && page.is_some_and(|p| p.bit_packed_levels))
        .then_some(WriterEvidence::KnownBug(Symptom::BitPackedLevelsLsbFirst));
        let writer = out_of_range.or(known_bug);
        let fault = Fault::of(kind, page, dump, writer);
        // The diagnosis looks for the signatures of faults; a change between versions is
        // none, and its rows would only blur them.
        let observed = (kind != Kind::Changed).then_some(Observation {
            row_in_group: row,
            group_rows: at.group_rows,
            page,
            chunk_has_dictionary: at.has_dictionary,
            booleans,
            fault,
            row_group: at.position.row_group,
            writer: writer.filter(|_| fault == Fault::Writer),
            pages: at.pages,
            nested: position_in_row.as_ref().map(|at| NestedDifference {
                difference,
                at_list_edge: at.at_list_edge,
            }),
        });
        if let Some(observation) = &observed {
            self.profile.observe(observation);
        }
        if self.listed.len() >= at.cap {
            return;
        }
        let position = at.position;
        self.listed.push(Mismatch {
            column: position.column.to_owned(),
            row: position.first_row + row as u64,
            row_group: position.row_group,
            row_in_group: row as u64,
            page: page.map(|p| p.index),
            page_offset: page.map(|p| p.offset),
            position: position_in_row
                .as_ref()
                .map(|at| at.render(position.pieces)),
            kind,
            fault,
            key: None,
            values: values(position_in_row.as_ref()),
        });
    }
}

/// What a mismatching row shows: how it differs, and what that says about whose fault it is.
struct Evidence {
    kind: Kind,
    /// How the rows differ where they first do: the kind, but for a dump's difference
    /// ([`Kind::Against`]) or a change ([`Kind::Changed`]) what the kind of a decoder's
    /// difference would be.
    difference: Kind,
    /// The two booleans, where the row is a flat boolean on both sides.
    booleans: Option<(bool, bool)>,
    /// A stored value the column's annotation cannot hold, which explains the difference.
    out_of_range: Option<WriterEvidence>,
    /// What the dump that differs is, for [`Kind::Against`].
    dump: Option<DumpOrigin>,
    /// Where in a nested row the first difference is.
    at: Option<InRow>,
}

/// Where a chunk's mismatches are: its position, its page map, and the listing cap.
struct Where<'a> {
    position: ChunkPosition<'a>,
    pages: &'a [PageInfo],
    cap: usize,
    group_rows: usize,
    has_dictionary: bool,
    /// The file's writer version packs BIT_PACKED levels in the wrong bit order.
    bit_packed_lsb_writer: bool,
}

/// Compares every witness's slice of a window with the leader's, row by row.
///
/// `pages` is the leader's page map, used to say where a mismatching row is stored; `cap`
/// bounds how many mismatches are listed (all are counted). A row where a decoder differs
/// from the leader is classified by the first such decoder in the list; a row where every
/// decoder agrees with the leader but a dump differs is [`Kind::Against`].
pub fn compare_chunk(
    position: ChunkPosition<'_>,
    style: CellStyle,
    witnesses: &[Testimony<'_>],
    pages: &[PageInfo],
    cap: usize,
) -> ChunkComparison {
    let leader = witnesses
        .iter()
        .position(|w| w.role == WitnessRole::Leader)
        .expect("one witness leads");
    let empty;
    let lead = match witnesses[leader].slice {
        Some(slice) => slice,
        None => {
            empty = ColumnSlice::empty(PhysicalType::Boolean, 0);
            &empty
        }
    };
    let identical: Vec<bool> = witnesses
        .iter()
        .enumerate()
        .map(|(i, w)| {
            i == leader
                || w.slice
                    .is_some_and(|s| s.rows == lead.rows && slices_identical(s, lead))
        })
        .collect();
    let all_agree = witnesses
        .iter()
        .zip(&identical)
        .all(|(w, &same)| same || w.slice.is_none());
    let mut result = ChunkComparison {
        identical,
        ..ChunkComparison::default()
    };
    if all_agree {
        return result;
    }
    let rows = witnesses
        .iter()
        .filter_map(|w| w.slice)
        .map(|s| s.rows)
        .max()
        .unwrap_or(0);
    let at = Where {
        position,
        pages,
        cap,
        group_rows: position.group_rows.max(position.window_start + rows),
        has_dictionary: pages
            .iter()
            .any(|p| p.page_type == PageType::DictionaryPage),
        bit_packed_lsb_writer: pages.iter().any(|p| p.bit_packed_levels)
            && WriterBlame::known(position.writer, Symptom::BitPackedLevelsLsbFirst).is_some(),
    };
    // Only the witnesses that differ somewhere in the window are walked row by row.
    let walked: Vec<usize> = (0..witnesses.len())
        .filter(|&i| i == leader || (!result.identical[i] && witnesses[i].slice.is_some()))
        .collect();
    let mut cursors: Vec<Option<Rows>> = witnesses
        .iter()
        .enumerate()
        .map(|(i, w)| w.slice.filter(|_| walked.contains(&i)).map(Rows::new))
        .collect();
    let mut row_of: Vec<Option<Row>> = vec![None; witnesses.len()];
    // Set aside while rows are recorded, which needs the comparison whole.
    let identical = std::mem::take(&mut result.identical);
    for row in 0..rows {
        for (cursor, out) in cursors.iter_mut().zip(row_of.iter_mut()) {
            match cursor {
                Some(rows) => rows.next(row, out),
                None => *out = None,
            }
        }
        let l = &row_of[leader];
        let differing_decoder = walked.iter().find_map(|&i| {
            let WitnessRole::Decoder { .. } = witnesses[i].role else {
                return None;
            };
            let slice = witnesses[i].slice?;
            let (kind, at) = disagreement(&row_of[i], slice, l, lead)?;
            Some(Evidence {
                kind,
                difference: kind,
                booleans: booleans(&row_of[i], slice, l, lead),
                out_of_range: style.integer.and_then(|annotation| {
                    stored_out_of_range(&row_of[i], slice, l, lead, annotation)
                }),
                dump: None,
                at,
            })
        });
        // Where the decoders agree, the first other witness that differs: a dump's
        // difference is [`Kind::Against`], an old version's a change.
        let found = differing_decoder.or_else(|| {
            walked.iter().find_map(|&i| {
                let slice = witnesses[i].slice?;
                let (kind, dump) = match witnesses[i].role {
                    WitnessRole::Dump(origin) => (Kind::Against, Some(origin)),
                    WitnessRole::Version => (Kind::Changed, None),
                    WitnessRole::Leader | WitnessRole::Decoder { .. } => return None,
                };
                let (difference, at) = disagreement(l, lead, &row_of[i], slice)?;
                Some(Evidence {
                    kind,
                    difference,
                    booleans: booleans(l, lead, &row_of[i], slice),
                    out_of_range: None,
                    dump,
                    at,
                })
            })
        });
        if let Some(evidence) = found {
            let values = |at: Option<&InRow>| {
                // A witness identical to the leader was not walked: its row is the leader's.
                let lead_cell = row_of[leader].as_ref().map(|row| row.cell(lead, style, at));
                witnesses
                    .iter()
                    .zip(&row_of)
                    .enumerate()
                    .filter_map(|(i, (witness, row))| {
                        let cell = match (witness.slice, &cursors[i]) {
                            (Some(slice), Some(_)) => row.as_ref()?.cell(slice, style, at),
                            _ if identical[i] => lead_cell.clone()?,
                            _ => return None,
                        };
                        Some((witness.name.clone(), cell))
                    })
                    .collect()
            };
            result.record(&at, row, evidence, values);
        }
    }
    result.identical = identical;
    result
}

/// One step of a row's canonical form, as the [`RowWalker`] gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// A null item above the leaf.
    Null,
    /// A non-null item with this many elements, which follow.
    List(usize),
    /// The end of a list's elements.
    End,
    /// A slot of the leaf: its value's index, or `None` for a null.
    Slot(Option<usize>),
}

/// One row of a slice, in its canonical form: a flat row is one slot.
#[derive(Debug, Clone, Default)]
struct Row {
    steps: Vec<Step>,
}

/// Records a row's steps, slot by slot.
struct Steps<'r, 's> {
    steps: &'r mut Vec<Step>,
    validity: &'s Bitmap,
}

impl RowVisitor for Steps<'_, '_> {
    fn null(&mut self) {
        self.steps.push(Step::Null);
    }

    fn list(&mut self, len: usize) {
        self.steps.push(Step::List(len));
    }

    fn end_list(&mut self) {
        self.steps.push(Step::End);
    }

    fn slots(&mut self, slots: Range<usize>, first_value: usize) {
        let mut value = first_value;
        for slot in slots {
            if self.validity.get(slot) {
                self.steps.push(Step::Slot(Some(value)));
                value += 1;
            } else {
                self.steps.push(Step::Slot(None));
            }
        }
    }
}

/// Walks the rows of a slice in order.
struct Rows<'a> {
    slice: &'a ColumnSlice,
    walker: RowWalker<'a>,
}

impl<'a> Rows<'a> {
    fn new(slice: &'a ColumnSlice) -> Self {
        Self {
            slice,
            walker: RowWalker::new(slice),
        }
    }

    /// The next row, which must be `row`, into `out`; `None` past the slice's end.
    fn next(&mut self, row: usize, out: &mut Option<Row>) {
        if row >= self.slice.rows {
            *out = None;
            return;
        }
        debug_assert_eq!(self.walker.row(), row);
        let target = out.get_or_insert_with(Row::default);
        target.steps.clear();
        self.walker.walk(
            1,
            &mut Steps {
                steps: &mut target.steps,
                validity: &self.slice.validity,
            },
        );
    }
}

/// Where in a nested row a difference is: the index of the element at each list level
/// down to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InRow {
    /// The index at each list level entered, outermost first.
    pub indexes: Vec<usize>,
    /// The difference lies at an end of a list: it is the first or last element of its list,
    /// or two lists of different lengths agree but for elements at one of their ends — what
    /// repetition levels read one entry off leave ([`crate::diagnosis`]).
    pub at_list_edge: bool,
}

impl InRow {
    /// The position as people write it: `objects[3].bbox[1]`, from the column's pieces
    /// ([`crate::columns::CheckedColumn::pieces`]).
    pub fn render(&self, pieces: &[String]) -> String {
        let mut text = pieces.first().cloned().unwrap_or_default();
        for (level, index) in self.indexes.iter().enumerate() {
            text.push_str(&format!("[{index}]"));
            if let Some(piece) = pieces.get(level + 1).filter(|p| !p.is_empty()) {
                text.push('.');
                text.push_str(piece);
            }
        }
        text
    }
}

/// Elements of a list shown in a mismatch's cell: a window around the difference on its
/// path, the first ones elsewhere; the rest are counted, so a huge row stays readable.
const CELL_ELEMENTS: usize = 20;

impl Row {
    /// True for a flat row: one slot.
    fn flat(&self) -> bool {
        matches!(self.steps.as_slice(), [Step::Slot(_)])
    }

    /// The row as a report cell; lists longer than [`CELL_ELEMENTS`] are cut around the
    /// elements on the path to `at`, and say how many they leave out.
    fn cell(&self, slice: &ColumnSlice, style: CellStyle, at: Option<&InRow>) -> Cell {
        let path = at.map_or(&[][..], |at| at.indexes.as_slice());
        let mut steps = self.steps.iter().copied();
        build_cell(&mut steps, slice, style, Some(path))
    }
}

/// Builds the cell of the item whose first step comes next; `path` is the rest of the
/// mismatch's position while the item lies on it.
fn build_cell(
    steps: &mut impl Iterator<Item = Step>,
    slice: &ColumnSlice,
    style: CellStyle,
    path: Option<&[usize]>,
) -> Cell {
    match steps.next() {
        None | Some(Step::Null) | Some(Step::Slot(None)) | Some(Step::End) => Cell::Null,
        Some(Step::Slot(Some(value))) => Cell::of(slice.values.get(value), style),
        Some(Step::List(len)) => {
            let on_path = path.and_then(|p| p.first().copied());
            let shown = match on_path {
                Some(index) if len > CELL_ELEMENTS => {
                    let start = index
                        .saturating_sub(CELL_ELEMENTS / 2)
                        .min(len - CELL_ELEMENTS);
                    start..start + CELL_ELEMENTS
                }
                _ => 0..len.min(CELL_ELEMENTS),
            };
            let mut items = Vec::with_capacity(shown.len() + 2);
            if shown.start > 0 {
                items.push(Cell::More(shown.start));
            }
            for index in 0..len {
                let rest = path.filter(|_| on_path == Some(index)).map(|p| &p[1..]);
                let item = build_cell(steps, slice, style, rest);
                if shown.contains(&index) {
                    items.push(item);
                }
            }
            if shown.end < len {
                items.push(Cell::More(len - shown.end));
            }
            // The list's end.
            steps.next();
            Cell::List(items)
        }
    }
}

/// The two booleans of a flat boolean row present and non-null on both sides.
fn booleans(
    a: &Option<Row>,
    x: &ColumnSlice,
    b: &Option<Row>,
    y: &ColumnSlice,
) -> Option<(bool, bool)> {
    let (a, b) = (a.as_ref()?, b.as_ref()?);
    let ([Step::Slot(Some(p))], [Step::Slot(Some(q))]) = (a.steps.as_slice(), b.steps.as_slice())
    else {
        return None;
    };
    match (x.values.get(*p), y.values.get(*q)) {
        (Value::Boolean(p), Value::Boolean(q)) => Some((p, q)),
        _ => None,
    }
}

/// How row `a` of slice `x` differs from row `b` of slice `y`, if it does, and where in the
/// row for a nested one: the two rows' canonical steps side by side, up to the first that
/// differs.
fn disagreement(
    a: &Option<Row>,
    x: &ColumnSlice,
    b: &Option<Row>,
    y: &ColumnSlice,
) -> Option<(Kind, Option<InRow>)> {
    let (a, b) = match (a, b) {
        (Some(a), Some(b)) => (a, b),
        (None, None) => return None,
        _ => return Some((Kind::Missing, None)),
    };
    let nested = !a.flat() || !b.flat();
    // The index of the next element at each open list level, and the list's length (the
    // same on both sides, or its count would have differed first).
    let mut open: Vec<usize> = Vec::new();
    let mut lengths: Vec<usize> = Vec::new();
    let here = |open: &[usize], at_list_edge: bool| {
        nested.then(|| InRow {
            indexes: open.to_vec(),
            at_list_edge,
        })
    };
    for (step, (&p, &q)) in a.steps.iter().zip(&b.steps).enumerate() {
        let kind = match (p, q) {
            (Step::Slot(Some(u)), Step::Slot(Some(v))) => (!x.values.same_at(u, &y.values, v))
                .then(|| value_kind(x.values.get(u), y.values.get(v))),
            (Step::Slot(None), Step::Slot(None)) | (Step::Null, Step::Null) => None,
            (Step::List(m), Step::List(n)) => (m != n).then_some(Kind::Count),
            (Step::End, Step::End) => None,
            (Step::Null, Step::List(0)) | (Step::List(0), Step::Null) => Some(Kind::EmptyNull),
            (Step::Null | Step::Slot(None), _) | (_, Step::Null | Step::Slot(None)) => {
                Some(Kind::Null)
            }
            _ => Some(Kind::Value),
        };
        if let Some(kind) = kind {
            let at_list_edge = match (p, q) {
                (Step::List(_), Step::List(_)) => {
                    differ_at_an_end(&a.steps[step..], x, &b.steps[step..], y)
                }
                _ => matches!(
                    (open.last(), lengths.last()),
                    (Some(&index), Some(&length)) if index == 0 || index + 1 == length
                ),
            };
            return Some((kind, here(&open, at_list_edge)));
        }
        match p {
            Step::List(length) => {
                open.push(0);
                lengths.push(length);
            }
            Step::End => {
                open.pop();
                lengths.pop();
                if let Some(index) = open.last_mut() {
                    *index += 1;
                }
            }
            Step::Null | Step::Slot(_) => {
                if let Some(index) = open.last_mut() {
                    *index += 1;
                }
            }
        }
    }
    (a.steps.len() != b.steps.len()).then(|| (Kind::Value, here(&open, false)))
}

/// True when the lists that `a` and `b` begin with (of different lengths) agree but for
/// elements at one of their ends: the shorter one's elements are the longer one's first or
/// last ones.
fn differ_at_an_end(a: &[Step], x: &ColumnSlice, b: &[Step], y: &ColumnSlice) -> bool {
    let (a, b) = (elements(a), elements(b));
    let ((short, s), (long, l)) = if a.len() <= b.len() {
        ((a, x), (b, y))
    } else {
        ((b, y), (a, x))
    };
    // Equal steps from the start or from the end of balanced lists end or begin at an
    // element boundary, so the steps alone say which elements agree.
    let same = |from: &[Step]| {
        from.iter().zip(short).all(|(&q, &p)| match (p, q) {
            (Step::Slot(Some(u)), Step::Slot(Some(v))) => s.values.same_at(u, &l.values, v),
            (p, q) => p == q,
        })
    };
    same(&long[..short.len()]) || same(&long[long.len() - short.len()..])
}

/// The steps of the elements of the list `steps` begins with, up to its end.
fn elements(steps: &[Step]) -> &[Step] {
    let mut depth = 0usize;
    for (index, step) in steps.iter().enumerate() {
        match step {
            Step::List(_) => depth += 1,
            Step::End => {
                depth -= 1;
                if depth == 0 {
                    return &steps[1..index];
                }
            }
            Step::Null | Step::Slot(_) => {}
        }
    }
    steps.get(1..).unwrap_or_default()
}

/// The first stored value of raw row `r` that `annotation` cannot hold, when such values are
/// the whole difference from arrow row `a`: the arrow reader returns the annotated type, so it
/// narrows a value that does not fit, where the raw path keeps what is stored. Both read the
/// same bytes then, and the writer stored what the column's type cannot hold.
fn stored_out_of_range(
    a: &Option<Row>,
    arrow: &ColumnSlice,
    r: &Option<Row>,
    raw: &ColumnSlice,
    annotation: IntegerAnnotation,
) -> Option<WriterEvidence> {
    let (a, r) = (a.as_ref()?, r.as_ref()?);
    if a.steps.len() != r.steps.len() {
        return None;
    }
    let mut first = None;
    for (&p, &q) in a.steps.iter().zip(&r.steps) {
        match (p, q) {
            (Step::Slot(Some(u)), Step::Slot(Some(v))) => {
                let (Value::Int32(x), Value::Int32(y)) = (arrow.values.get(u), raw.values.get(v))
                else {
                    return None;
                };
                if !annotation.holds(y) {
                    if x != annotation.narrow(y) {
                        return None;
                    }
                    first.get_or_insert(y);
                } else if x != y {
                    return None;
                }
            }
            (p, q) if p == q && !matches!(p, Step::Slot(Some(_))) => {}
            _ => return None,
        }
    }
    first.map(|value| WriterEvidence::OutOfRange { value, annotation })
}

/// A flip is a boolean that differs, or an integer label swapped between 0 and 1.
fn value_kind(arrow: Value<'_>, raw: Value<'_>) -> Kind {
    let zero_one = |a: i64, b: i64| (a == 0 && b == 1) || (a == 1 && b == 0);
    match (arrow, raw) {
        (Value::Boolean(_), Value::Boolean(_)) => Kind::Flip,
        (Value::Int32(a), Value::Int32(b)) if zero_one(a.into(), b.into()) => Kind::Flip,
        (Value::Int64(a), Value::Int64(b)) if zero_one(a, b) => Kind::Flip,
        _ => Kind::Value,
    }
}

/// The data page holding `row_in_group`, from the page map (ordered by first row).
fn page_of(pages: &[PageInfo], row_in_group: usize) -> Option<&PageInfo> {
    let after = pages.partition_point(|p| p.first_row <= row_in_group);
    pages[..after]
        .iter()
        .rev()
        .find(|p| p.rows > 0)
        .filter(|p| row_in_group < p.first_row + p.rows)
}

/// True when both slices hold the same rows, nulls and values, bit for bit.
fn slices_identical(a: &ColumnSlice, b: &ColumnSlice) -> bool {
    a.lists == b.lists
        && a.validity == b.validity
        && match (&a.values, &b.values) {
            (Values::Float(x), Values::Float(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits())
            }
            (Values::Double(x), Values::Double(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits())
            }
            (x, y) => x == y,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bools(values: &[Option<bool>]) -> ColumnSlice {
        let mut validity = Bitmap::new();
        let mut bits = Bitmap::new();
        for v in values {
            validity.push(v.is_some());
            if let Some(b) = v {
                bits.push(*b);
            }
        }
        ColumnSlice {
            rows: values.len(),
            lists: Vec::new(),
            validity,
            values: Values::Boolean(bits),
        }
    }

    const AT: ChunkPosition<'static> = ChunkPosition {
        column: "label",
        pieces: &[],
        row_group: 2,
        first_row: 100,
        window_start: 0,
        group_rows: 0,
        writer: Writer {
            created_by: None,
            object_model: None,
        },
    };

    /// The arrow path's and the raw path's slices as the witness list.
    fn pair<'a>(arrow: &'a ColumnSlice, raw: &'a ColumnSlice) -> [Testimony<'a>; 2] {
        [
            Testimony {
                name: &WitnessName::ARROW,
                role: WitnessRole::Decoder { screened: true },
                slice: Some(arrow),
            },
            Testimony {
                name: &WitnessName::RAW,
                role: WitnessRole::Leader,
                slice: Some(raw),
            },
        ]
    }

    #[test]
    fn identical_slices_have_no_mismatches() {
        let a = bools(&[Some(true), None, Some(false)]);
        let b = a.clone();
        let result = compare_chunk(AT, CellStyle::default(), &pair(&a, &b), &[], 10);
        assert_eq!(result.counts.total(), 0);
    }

    #[test]
    fn each_kind_is_classified_with_its_row() {
        let arrow = bools(&[Some(true), None, Some(false), Some(true), Some(true)]);
        let raw = bools(&[Some(false), Some(true), Some(false), Some(true)]);
        let result = compare_chunk(AT, CellStyle::default(), &pair(&arrow, &raw), &[], 10);
        let kinds: Vec<_> = result
            .listed
            .iter()
            .map(|m| (m.row, m.row_in_group, m.kind))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (100, 0, Kind::Flip),
                (101, 1, Kind::Null),
                (104, 4, Kind::Missing)
            ]
        );
        // The raw path has no row 4: its value is left out, not written as null.
        assert_eq!(result.listed[2].values.get(&WitnessName::RAW), None);
        assert_eq!(
            result.listed[2].values.get(&WitnessName::ARROW),
            Some(&Cell::Bool(true))
        );
        assert_eq!(result.mismatching_rows, [100, 101, 104]);
    }

    #[test]
    fn the_cap_limits_the_list_but_not_the_count() {
        let arrow = bools(&[Some(true); 50]);
        let raw = bools(&[Some(false); 50]);
        let result = compare_chunk(AT, CellStyle::default(), &pair(&arrow, &raw), &[], 3);
        assert_eq!(result.counts.flip, 50);
        assert_eq!(result.listed.len(), 3);
    }

    #[test]
    fn integers_swapped_between_zero_and_one_are_flips() {
        assert_eq!(value_kind(Value::Int32(0), Value::Int32(1)), Kind::Flip);
        assert_eq!(value_kind(Value::Int64(1), Value::Int64(0)), Kind::Flip);
        assert_eq!(value_kind(Value::Int32(2), Value::Int32(1)), Kind::Value);
    }
}
