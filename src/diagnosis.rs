//! Diagnosis: the patterns in a column's mismatches, and what each suggests. Known reader and
//! writer bugs leave signatures — booleans wrong only on pages whose value count is not a
//! multiple of 8 (apache/arrow#33605, duckdb/duckdb#5926), values wrong only across page
//! boundaries (apache/arrow#34492) — so the report says which signature the mismatches match,
//! with the numbers it rests on. A mismatch whose stored value its logical type cannot hold is
//! the writer's fault, not a reader's: the readers only differ in how they return it.
//!
//! Nested columns have signatures of their own, in their repetition and definition levels:
//! empty and null lists swapped (a definition level read one off), differences only at the
//! first or last element of a list (a repetition level read one off moves an element to the
//! neighbouring list, or drops it at the end of a page), and rows that begin on one page and
//! continue on the next (a reader that assumes every page starts a row).

use std::collections::BTreeSet;

use crate::advisories::{Symptom, Writer, WriterBlame};
use crate::column_type::IntegerAnnotation;
use crate::decode::PageInfo;
use crate::format::{Encoding, PageType};
use crate::report::Kind;
pub use crate::report::{Fault, Pattern, PatternKind};
use crate::witness_list::DumpOrigin;

/// Distinct pages remembered per column; past this, only the count grows.
const PAGES_REMEMBERED: usize = 4096;

// `Fault` is report vocabulary (crate::report); what decides it is the diagnosis's.
impl Fault {
    /// Classifies a mismatch of `kind` on `page`; `dump` is what the `--against` dump is,
    /// when one is compared; `writer` when the decoders differ only in how they return what
    /// the writer stored wrong.
    pub fn of(
        kind: Kind,
        page: Option<&PageInfo>,
        dump: Option<DumpOrigin>,
        writer: Option<WriterEvidence>,
    ) -> Self {
        if kind == Kind::Changed {
            Fault::Change
        } else if kind == Kind::Against {
            match dump.unwrap_or(DumpOrigin::Unstated) {
                DumpOrigin::Source => Fault::Writer,
                DumpOrigin::Export => Fault::DumpReader,
                DumpOrigin::Unstated => Fault::WriterOrDumpReader,
            }
        } else if page.is_some_and(|p| p.crc_ok == Some(false)) {
            // Changed bytes explain any value, an out-of-range one included.
            Fault::AtRest
        } else if writer.is_some() {
            Fault::Writer
        } else {
            Fault::Reader
        }
    }
}

/// Why two decoders that disagree point at the writer rather than at either of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriterEvidence {
    /// The stored value is one its annotation cannot hold: the arrow reader returns it
    /// narrowed to the annotation, the raw path as stored.
    OutOfRange {
        /// The stored value.
        value: i32,
        /// The column's annotation.
        annotation: IntegerAnnotation,
    },
    /// The page is laid out the way a published bug of the file's writer version lays it
    /// out, which the two decoders read differently.
    KnownBug(Symptom),
}

/// One mismatching row, as the diagnosis sees it.
#[derive(Debug, Clone, Copy)]
pub struct Observation<'a> {
    /// Row within its row group.
    pub row_in_group: usize,
    /// Rows in the row group.
    pub group_rows: usize,
    /// The data page holding the row, if known.
    pub page: Option<&'a PageInfo>,
    /// Whether the chunk has a dictionary page.
    pub chunk_has_dictionary: bool,
    /// For booleans: the first witness's value and the second's.
    pub booleans: Option<(bool, bool)>,
    /// What the evidence points to.
    pub fault: Fault,
    /// Row group index, to tell pages apart.
    pub row_group: usize,
    /// Why the decoders' disagreement is the writer's doing, when it is.
    pub writer: Option<WriterEvidence>,
    /// The leader's page map of the chunk so far, in page order, to tell whether the row
    /// continues on the page after `page`.
    pub pages: &'a [PageInfo],
    /// For a nested column, how and where the row first differs.
    pub nested: Option<NestedDifference>,
}

/// How and where a nested row first differs, as the comparison found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NestedDifference {
    /// What differs there: for a dump's difference too, whose kind is [`Kind::Against`].
    pub difference: Kind,
    /// The difference lies at an end of a list: the first or last element of its list, or
    /// lists of different lengths that agree but for elements at one end.
    pub at_list_edge: bool,
}

/// True when `row_in_group`, begun on `page`, continues on the next data page: it is the last
/// row begun on `page`, and the next data page begins inside a row. The page map counts rows
/// where they begin (`first_row`, `rows`), so only [`PageInfo::starts_inside_row`] can say it.
fn continues_on_next_page(pages: &[PageInfo], page: &PageInfo, row_in_group: usize) -> bool {
    row_in_group + 1 == page.first_row + page.rows
        && pages[pages.partition_point(|p| p.index <= page.index)..]
            .iter()
            .find(|p| p.page_type != PageType::DictionaryPage)
            .is_some_and(|next| next.starts_inside_row)
}

/// Counts over every mismatch of a column (not only the listed ones).
#[derive(Debug, Clone, Default)]
pub struct Profile {
    total: u64,
    first_values_of_page: u64,
    last_values_of_page: u64,
    row_group_edge: u64,
    page_count_not_multiple_of_8: u64,
    true_then_false: u64,
    false_then_true: u64,
    dictionary_pages: u64,
    plain_pages: u64,
    after_fallback: u64,
    with_page: u64,
    reader: u64,
    at_rest: u64,
    writer: u64,
    dump_reader: u64,
    writer_or_dump_reader: u64,
    stored_out_of_range: u64,
    first_out_of_range: Option<(i32, IntegerAnnotation)>,
    bit_packed_pages: u64,
    known_writer_bug: u64,
    empty_null: u64,
    at_list_edge: u64,
    across_pages: u64,
    pages: BTreeSet<(usize, usize)>,
    /// Data pages checked in the column, mismatching or not.
    pub data_pages: u64,
    /// Data pages whose value count is not a multiple of 8.
    pub data_pages_not_multiple_of_8: u64,
    /// Data pages that begin inside a row.
    pub data_pages_inside_row: u64,
}

impl Profile {
    /// Counts one mismatching row.
    pub fn observe(&mut self, o: &Observation<'_>) {
        self.total += 1;
        match o.fault {
            Fault::Reader => self.reader += 1,
            Fault::AtRest => self.at_rest += 1,
            Fault::Writer => match o.writer {
                Some(WriterEvidence::OutOfRange { value, annotation }) => {
                    self.stored_out_of_range += 1;
                    self.first_out_of_range.get_or_insert((value, annotation));
                }
                Some(WriterEvidence::KnownBug(_)) => self.known_writer_bug += 1,
                // Both decoders agree and the dump differs.
                None => self.writer += 1,
            },
            Fault::DumpReader => self.dump_reader += 1,
            Fault::WriterOrDumpReader => self.writer_or_dump_reader += 1,
            // The comparison leaves changes out of the diagnosis (`compare.rs`, `record`).
            Fault::Change => {}
        }
        if o.row_in_group < 8 || o.row_in_group + 8 >= o.group_rows {
            self.row_group_edge += 1;
        }
        match o.booleans {
            Some((true, false)) => self.true_then_false += 1,
            Some((false, true)) => self.false_then_true += 1,
            _ => {}
        }
        if let Some(nested) = o.nested {
            self.empty_null += u64::from(nested.difference == Kind::EmptyNull);
            self.at_list_edge += u64::from(nested.at_list_edge);
        }
        let Some(page) = o.page else { return };
        self.across_pages += u64::from(continues_on_next_page(o.pages, page, o.row_in_group));
        self.with_page += 1;
        self.bit_packed_pages += u64::from(page.bit_packed_levels);
        let position = o.row_in_group - page.first_row;
        self.first_values_of_page += u64::from(position < 8);
        self.last_values_of_page += u64::from(position + 8 >= page.rows);
        self.page_count_not_multiple_of_8 += u64::from(page.num_values % 8 != 0);
        match page.encoding {
            Encoding::PlainDictionary | Encoding::RleDictionary => self.dictionary_pages += 1,
            Encoding::Plain => {
                self.plain_pages += 1;
                self.after_fallback += u64::from(o.chunk_has_dictionary);
            }
            _ => {}
        }
        if self.pages.len() < PAGES_REMEMBERED {
            self.pages.insert((o.row_group, page.index));
        }
    }

    /// Counts a chunk's data pages, for the share of pages that mismatch.
    pub fn count_pages(&mut self, pages: &[PageInfo]) {
        for page in pages
            .iter()
            .filter(|p| p.page_type != PageType::DictionaryPage)
        {
            self.data_pages += 1;
            self.data_pages_not_multiple_of_8 += u64::from(page.num_values % 8 != 0);
            self.data_pages_inside_row += u64::from(page.starts_inside_row);
        }
    }

    /// Adds another chunk's counts.
    pub fn merge(&mut self, other: Profile) {
        self.total += other.total;
        self.first_values_of_page += other.first_values_of_page;
        self.last_values_of_page += other.last_values_of_page;
        self.row_group_edge += other.row_group_edge;
        self.page_count_not_multiple_of_8 += other.page_count_not_multiple_of_8;
        self.true_then_false += other.true_then_false;
        self.false_then_true += other.false_then_true;
        self.dictionary_pages += other.dictionary_pages;
        self.plain_pages += other.plain_pages;
        self.after_fallback += other.after_fallback;
        self.with_page += other.with_page;
        self.reader += other.reader;
        self.at_rest += other.at_rest;
        self.writer += other.writer;
        self.dump_reader += other.dump_reader;
        self.writer_or_dump_reader += other.writer_or_dump_reader;
        self.stored_out_of_range += other.stored_out_of_range;
        self.first_out_of_range = self.first_out_of_range.or(other.first_out_of_range);
        self.bit_packed_pages += other.bit_packed_pages;
        self.known_writer_bug += other.known_writer_bug;
        self.empty_null += other.empty_null;
        self.at_list_edge += other.at_list_edge;
        self.across_pages += other.across_pages;
        self.data_pages += other.data_pages;
        self.data_pages_not_multiple_of_8 += other.data_pages_not_multiple_of_8;
        self.data_pages_inside_row += other.data_pages_inside_row;
        for page in other.pages {
            if self.pages.len() >= PAGES_REMEMBERED {
                break;
            }
            self.pages.insert(page);
        }
    }
}

/// The symptom of a stored value its integer annotation cannot hold.
fn out_of_range(annotation: IntegerAnnotation) -> Symptom {
    if annotation.signed {
        Symptom::SignedValueOutOfRange
    } else {
        Symptom::UnsignedValueOutOfRange
    }
}

/// The fault every mismatch of `profile` points to, if they all point to one.
fn common_fault(profile: &Profile) -> Option<Fault> {
    let writer = profile.writer + profile.stored_out_of_range + profile.known_writer_bug;
    [
        (profile.reader, Fault::Reader),
        (profile.at_rest, Fault::AtRest),
        (writer, Fault::Writer),
        (profile.dump_reader, Fault::DumpReader),
        (profile.writer_or_dump_reader, Fault::WriterOrDumpReader),
    ]
    .into_iter()
    .find(|&(n, _)| n == profile.total)
    .map(|(_, fault)| fault)
}

/// Who reads or writes a nested column's levels wrong, as `fault` says: a dump's difference
/// is about the dump, where both decoders agree on the file.
fn levels_suspect(fault: Option<Fault>) -> &'static str {
    match fault {
        Some(Fault::Reader) => "one of the two decoders reads these levels wrong",
        Some(Fault::AtRest) => "the bytes of these pages changed after they were written",
        Some(Fault::Writer) => {
            "both decoders agree on the file and the labels as handed to the writer differ: the writer stored these levels wrong"
        }
        Some(Fault::DumpReader) => {
            "both decoders agree on the file: the reader that exported the dump read these levels wrong"
        }
        Some(Fault::WriterOrDumpReader) => {
            "both decoders agree on the file: the writer stored these levels wrong, or the reader that made the dump read them wrong"
        }
        Some(Fault::Change) => "the levels changed between the two versions",
        None => "one of the witnesses reads or writes these levels wrong",
    }
}

/// Mismatches needed before a pattern is worth stating.
const MIN_FOR_PATTERN: u64 = 2;

/// The patterns in `profile`, most specific first, for a file written by `writer`.
pub fn explain(profile: &Profile, writer: Writer<'_>) -> Vec<Pattern> {
    let total = profile.total;
    let mut out = Vec::new();
    if total == 0 {
        return out;
    }
    if let (true, Some((value, annotation))) = (
        profile.stored_out_of_range == total,
        profile.first_out_of_range,
    ) {
        // Where such values lie says nothing about a reader: the page-position signatures
        // would only point away from the writer.
        let blame = WriterBlame::new(writer, out_of_range(annotation));
        out.push(Pattern {
            pattern: PatternKind::Evidence,
            matching: total,
            of: total,
            message: format!(
                "{total} of {total} mismatches: {} stored {} in an {annotation} column, which cannot hold it: {}. The arrow reader returns such values narrowed to the annotation, the raw path as stored.",
                blame.who(),
                annotation.show(value),
                blame.verdict()
            ),
            writer: Some(blame),
            fault: None,
        });
        return out;
    }
    if profile.bit_packed_pages == total && profile.known_writer_bug == total {
        let blame = WriterBlame::new(writer, Symptom::BitPackedLevelsLsbFirst);
        out.push(Pattern {
            pattern: PatternKind::BitPackedLevels,
            matching: total,
            of: total,
            message: format!(
                "{total} of {total} mismatches lie on pages whose levels use the deprecated BIT_PACKED encoding: {} {}: {}. The raw path reads them most significant bit first, as the format specifies; the arrow reader least significant bit first, as that writer wrote them.",
                blame.who(),
                blame.symptom.describe(),
                blame.verdict()
            ),
            writer: Some(blame),
            fault: None,
        });
        return out;
    }
    let fault = common_fault(profile);
    let mut push_levels = |pattern, matching: u64, message: String| {
        out.push(Pattern {
            pattern,
            matching,
            of: total,
            message: format!("{message}; {}.", levels_suspect(fault)),
            writer: None,
            fault,
        })
    };
    let all = |n: u64| n == total && n >= MIN_FOR_PATTERN;
    if all(profile.empty_null) {
        push_levels(
            PatternKind::EmptyNullSwap,
            total,
            format!("{total} of {total} mismatches are a list empty on one side and null on the other: the definition level that tells an empty list from a null one is read one off, a known bug class of readers of nested data"),
        );
    }
    if all(profile.at_list_edge) {
        push_levels(
            PatternKind::ListBoundary,
            total,
            format!("{total} of {total} mismatches lie at the first or last element of a list, or are lists that agree but for elements at one end: repetition levels read one entry off where a list begins or ends (an element moved to the neighbouring list, or dropped at the end of a page) are the likely cause"),
        );
    }
    if all(profile.across_pages) {
        push_levels(
            PatternKind::RowAcrossPages,
            total,
            format!(
                "{total} of {total} mismatches are rows that begin on one page and continue on the next ({} of {} pages begin inside a row): a reader that assumes every page begins a row, and splits, drops or repeats the row's continuation, is the likely cause",
                profile.data_pages_inside_row, profile.data_pages
            ),
        );
    }
    let mut push = |pattern, matching: u64, message: String| {
        out.push(Pattern {
            pattern,
            matching,
            of: total,
            message,
            writer: None,
            fault: None,
        })
    };
    if profile.bit_packed_pages == total {
        push(
            PatternKind::BitPackedLevels,
            total,
            format!("{total} of {total} mismatches lie on pages whose levels use the deprecated BIT_PACKED encoding: the raw path reads them most significant bit first, as the format specifies; the arrow reader, like parquet-cpp's, reads them least significant bit first: a known reader bug (apache/arrow-rs#5338, apache/arrow#42368)."),
        );
    }
    if all(profile.page_count_not_multiple_of_8) {
        push(
            PatternKind::PagesNotMultipleOfEight,
            total,
            format!(
                "{total} of {total} mismatches lie on pages whose value count is not a multiple of 8 ({} of {} pages are such). Bit-packed values that straddle such a page's last byte are a known reader bug signature (apache/arrow#33605, duckdb/duckdb#5926).",
                profile.data_pages_not_multiple_of_8, profile.data_pages
            ),
        );
    }
    if all(profile.first_values_of_page) {
        push(
            PatternKind::PageStart,
            total,
            format!("{total} of {total} mismatches lie within the first 8 values of a page: state carried across a page boundary (a bit position or a run not reset) is the likely cause (apache/arrow#34492)."),
        );
    }
    if all(profile.last_values_of_page) {
        push(
            PatternKind::PageEnd,
            total,
            format!("{total} of {total} mismatches lie within the last 8 values of a page: the page's final, partly filled byte or run is the likely cause."),
        );
    }
    if all(profile.row_group_edge) {
        push(
            PatternKind::RowGroupBoundary,
            total,
            format!("{total} of {total} mismatches lie within 8 rows of a row-group boundary: suggests rows dropped, repeated or shifted where row groups meet."),
        );
    }
    for (n, (from, to)) in [
        (profile.true_then_false, (true, false)),
        (profile.false_then_true, (false, true)),
    ] {
        if all(n) {
            push(
                PatternKind::OneDirection,
                n,
                format!("{n} of {total} mismatches go one way ({from} in the first witness, {to} in the second): a systematic bias, such as padding bits read as values, rather than random damage."),
            );
        }
    }
    if all(profile.after_fallback) {
        push(
            PatternKind::AfterDictionaryFallback,
            total,
            format!("{total} of {total} mismatches lie on PLAIN pages after the chunk's dictionary fell back: the switch from dictionary to PLAIN encoding is the likely cause."),
        );
    } else if all(profile.plain_pages) {
        push(
            PatternKind::PlainPagesOnly,
            total,
            format!("{total} of {total} mismatches lie on PLAIN-encoded pages: suspect the PLAIN decoder or encoder."),
        );
    }
    if all(profile.dictionary_pages) {
        push(
            PatternKind::DictionaryPagesOnly,
            total,
            format!("{total} of {total} mismatches lie on dictionary-encoded pages: suspect the dictionary or its indices."),
        );
    }
    let pages = profile.pages.len() as u64;
    if pages == 1 && profile.with_page == total && total >= MIN_FOR_PATTERN {
        push(
            PatternKind::OnePage,
            total,
            format!("{total} of {total} mismatches lie inside one page: local damage to that page, or a decoder bug its layout triggers."),
        );
    } else if profile.data_pages >= 4 && pages * 2 >= profile.data_pages {
        push(
            PatternKind::Uniform,
            total,
            format!("mismatches are spread over {pages} of {} pages: a systematic difference in decoding, not local damage.", profile.data_pages),
        );
    }
    for (n, what) in [
        (
            profile.reader,
            "the two decoders disagree: one of the readers is wrong",
        ),
        (
            profile.at_rest,
            "the pages' checksums fail: the bytes changed at rest, after they were written",
        ),
    ] {
        if n == total {
            push(
                PatternKind::Evidence,
                n,
                format!("{n} of {total} mismatches: {what}."),
            );
        }
    }
    // Who is to blame for a dump's difference is said whenever there is one: it depends on
    // what the user said the dump is, not on the other mismatches.
    for (n, what) in [
        (profile.writer, "both decoders agree and the labels as handed to the writer (--against-source) differ: the writer or the pipeline before it stored wrong values"),
        (profile.dump_reader, "both decoders agree and the export another reader made of this file (--against-export) differs: that reader misread the file, which holds what both decoders read"),
        (profile.writer_or_dump_reader, "both decoders agree and the dump differs: if it holds the labels as handed to the writer, the writer or the pipeline before it stored wrong values; if another reader exported it from this file, that reader misread the file (say which with --against-source or --against-export)"),
    ] {
        if n > 0 {
            push(PatternKind::Evidence, n, format!("{n} of {total} mismatches: {what}."));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PLAIN data page holding rows `first_row..first_row + rows`.
    fn page(index: usize, first_row: usize, rows: usize, starts_inside_row: bool) -> PageInfo {
        PageInfo {
            index,
            offset: 4 + index as u64 * 100,
            page_type: PageType::DataPage,
            encoding: Encoding::Plain,
            first_row,
            rows,
            num_values: rows * 3,
            non_null: rows * 3,
            crc_ok: None,
            crc: None,
            starts_inside_row,
            bit_packed_levels: false,
            anomalies: Vec::new(),
            level_histograms: None,
        }
    }

    /// Observes a mismatch at `row_in_group` of row group `row_group` of a chunk paged as
    /// `pages`, with `fault`, and differing in a nested row as `nested` says.
    fn observe(
        profile: &mut Profile,
        pages: &[PageInfo],
        (row_group, row_in_group): (usize, usize),
        fault: Fault,
        nested: Option<NestedDifference>,
    ) {
        let page = pages
            .iter()
            .find(|p| p.first_row <= row_in_group && row_in_group < p.first_row + p.rows);
        profile.observe(&Observation {
            row_in_group,
            group_rows: 1000,
            page,
            chunk_has_dictionary: false,
            booleans: None,
            fault,
            row_group,
            writer: None,
            pages,
            nested,
        });
    }

    fn kinds(patterns: &[Pattern]) -> Vec<(PatternKind, Option<Fault>)> {
        patterns.iter().map(|p| (p.pattern, p.fault)).collect()
    }

    const NO_WRITER: Writer<'static> = Writer {
        created_by: None,
        object_model: None,
    };

    /// Pages of 10 rows (0..10 on page 0, 10..20 on page 1, ...), none beginning inside a row.
    fn pages() -> Vec<PageInfo> {
        (0..5).map(|i| page(i, 10 * i, 10, false)).collect()
    }

    fn nested(difference: Kind, at_list_edge: bool) -> Option<NestedDifference> {
        Some(NestedDifference {
            difference,
            at_list_edge,
        })
    }

    #[test]
    fn empty_and_null_lists_swapped_are_named_with_who_is_suspect() {
        let pages = pages();
        for (fault, suspect) in [
            (Fault::Reader, "one of the two decoders reads these levels wrong."),
            (
                Fault::WriterOrDumpReader,
                "the writer stored these levels wrong, or the reader that made the dump read them wrong.",
            ),
        ] {
            let mut profile = Profile::default();
            for row in [13, 25, 37] {
                observe(&mut profile, &pages, (0, row), fault, nested(Kind::EmptyNull, false));
            }
            let patterns = explain(&profile, NO_WRITER);
            assert_eq!(patterns[0].pattern, PatternKind::EmptyNullSwap, "{patterns:#?}");
            assert_eq!((patterns[0].matching, patterns[0].of), (3, 3));
            assert_eq!(patterns[0].fault, Some(fault));
            assert!(patterns[0].message.starts_with("3 of 3 mismatches are a list empty on one side and null on the other"));
            assert!(patterns[0].message.ends_with(suspect), "{}", patterns[0].message);
            assert!(!kinds(&patterns).iter().any(|(p, _)| *p == PatternKind::ListBoundary));
        }
        // One mismatch of another kind, and the swaps are not all there is.
        let mut profile = Profile::default();
        observe(
            &mut profile,
            &pages,
            (0, 13),
            Fault::Reader,
            nested(Kind::EmptyNull, false),
        );
        observe(
            &mut profile,
            &pages,
            (0, 25),
            Fault::Reader,
            nested(Kind::Count, false),
        );
        let patterns = explain(&profile, NO_WRITER);
        assert!(!kinds(&patterns)
            .iter()
            .any(|(p, _)| *p == PatternKind::EmptyNullSwap));
    }

    #[test]
    fn differences_at_the_ends_of_lists_are_a_boundary_pattern() {
        let pages = pages();
        let mut profile = Profile::default();
        for (row, kind) in [(3, Kind::Count), (15, Kind::Value), (27, Kind::Null)] {
            observe(
                &mut profile,
                &pages,
                (0, row),
                Fault::Reader,
                nested(kind, true),
            );
        }
        let mut inner = profile.clone();
        let patterns = explain(&profile, NO_WRITER);
        assert_eq!(
            kinds(&patterns)[0],
            (PatternKind::ListBoundary, Some(Fault::Reader))
        );
        assert!(patterns[0]
            .message
            .contains("lie at the first or last element of a list"));
        observe(
            &mut inner,
            &pages,
            (0, 33),
            Fault::Reader,
            nested(Kind::Value, false),
        );
        let patterns = explain(&inner, NO_WRITER);
        assert!(!kinds(&patterns)
            .iter()
            .any(|(p, _)| *p == PatternKind::ListBoundary));
    }

    #[test]
    fn rows_that_continue_on_the_next_page_are_a_pattern() {
        // Page 1 begins inside row 9, the last row begun on page 0; page 2 begins a row.
        let mut pages = pages();
        pages[1].starts_inside_row = true;
        let mut profile = Profile::default();
        profile.count_pages(&pages);
        for row_group in [0, 1] {
            observe(
                &mut profile,
                &pages,
                (row_group, 9),
                Fault::Reader,
                nested(Kind::Value, false),
            );
        }
        let patterns = explain(&profile, NO_WRITER);
        let across = patterns
            .iter()
            .find(|p| p.pattern == PatternKind::RowAcrossPages)
            .unwrap_or_else(|| panic!("{patterns:#?}"));
        assert_eq!(across.fault, Some(Fault::Reader));
        assert!(across.message.starts_with("2 of 2 mismatches are rows that begin on one page and continue on the next (1 of 5 pages begin inside a row)"), "{}", across.message);
        // Row 19 is the last row begun on page 1, but page 2 begins a row of its own; row 8
        // is not the last row begun on page 0.
        for row in [19, 8] {
            let mut profile = Profile::default();
            observe(
                &mut profile,
                &pages,
                (0, row),
                Fault::Reader,
                nested(Kind::Value, false),
            );
            observe(
                &mut profile,
                &pages,
                (1, row),
                Fault::Reader,
                nested(Kind::Value, false),
            );
            assert!(!kinds(&explain(&profile, NO_WRITER))
                .iter()
                .any(|(p, _)| *p == PatternKind::RowAcrossPages));
        }
    }

    #[test]
    fn flat_columns_have_no_level_patterns() {
        let pages = pages();
        let mut profile = Profile::default();
        profile.count_pages(&pages);
        for row in [0, 1, 2] {
            observe(&mut profile, &pages, (0, row), Fault::Reader, None);
        }
        let patterns = explain(&profile, NO_WRITER);
        assert!(!patterns.is_empty());
        assert!(patterns.iter().all(|p| p.fault.is_none()), "{patterns:#?}");
        assert!(!patterns.iter().any(|p| matches!(
            p.pattern,
            PatternKind::EmptyNullSwap | PatternKind::ListBoundary | PatternKind::RowAcrossPages
        )));
    }

    #[test]
    fn fault_names_are_the_json_names() {
        for fault in [
            Fault::Reader,
            Fault::AtRest,
            Fault::Writer,
            Fault::DumpReader,
            Fault::WriterOrDumpReader,
        ] {
            assert_eq!(serde_json::to_value(fault).unwrap(), fault.name());
        }
    }

    #[test]
    fn a_dump_difference_is_blamed_by_what_the_dump_is() {
        let of = |origin| Fault::of(Kind::Against, None, origin, None);
        assert_eq!(of(Some(DumpOrigin::Source)), Fault::Writer);
        assert_eq!(of(Some(DumpOrigin::Export)), Fault::DumpReader);
        assert_eq!(of(Some(DumpOrigin::Unstated)), Fault::WriterOrDumpReader);
        assert_eq!(of(None), Fault::WriterOrDumpReader);
        assert_eq!(
            Fault::of(Kind::Value, None, Some(DumpOrigin::Source), None),
            Fault::Reader
        );
    }
}
