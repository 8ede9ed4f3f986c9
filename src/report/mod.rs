//! The report model: one serialisable type that every writer renders. The JSON form is the
//! contract documented in `docs/report.schema.json`; new fields may be added, existing ones
//! change only with `SCHEMA_VERSION`.

pub mod cells;
pub mod csv;
mod evidence;
pub mod html;
pub mod json;
pub mod junit;
pub mod ndjson;
mod read;
pub mod text;

use std::collections::HashMap;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

pub use self::evidence::{Fault, Pattern, PatternKind, Symptom, WriterBlame};
pub use self::read::ReadError;
pub use crate::cell::{hex, Cell};
use crate::column_type::Annotation;
use crate::timings::{FileTimes, PhaseTimes};
pub use crate::tool::Tool;
use crate::witness_list::{ByWitness, WitnessName};

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A summary table per file, then the first mismatches.
    Text,
    /// One JSON document (docs/report.schema.json).
    Json,
    /// One JSON object per line: mismatches, findings, a file record each, then a summary.
    Ndjson,
    /// One CSV row per mismatch or finding.
    Csv,
    /// JUnit XML: a test case per file and column, for CI systems.
    Junit,
    /// One self-contained HTML page with a chart of where mismatches fall.
    Html,
}

/// Writes a report as a run produces it: [`begin`](Self::begin) before the first file,
/// [`file`](Self::file) as each file is checked, [`finish`](Self::finish) with the whole
/// report. A format that can stream (NDJSON, text, CSV) writes each file as it comes; one whose
/// first lines need totals (JSON, JUnit, HTML) writes everything at the end. A report read
/// back (a merge, a lock) goes through the same calls ([`write()`]).
pub trait ReportWriter {
    /// Before any file; nothing by default.
    fn begin(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let _ = out;
        Ok(())
    }
    /// One file's result, in the order of the report's files; nothing by default, for a
    /// format that writes the whole report at the end.
    fn file(&mut self, file: &FileReport, out: &mut dyn Write) -> io::Result<()> {
        let _ = (file, out);
        Ok(())
    }
    /// After the last file, with the whole report (its files are those passed to `file`).
    fn finish(&mut self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}

/// What a writer needs to know before the first file.
#[derive(Debug, Clone, Copy)]
pub struct WriterOptions {
    /// What fails the run (`--fail-on`), which CSV marks per row.
    pub fail_on: FailOn,
    /// Colour the text report.
    pub color: bool,
}

/// The writer of `format`.
pub fn writer(format: Format, options: WriterOptions) -> Box<dyn ReportWriter> {
    match format {
        Format::Text => Box::new(text::Text::new(text::Style {
            color: options.color,
        })),
        Format::Json => Box::new(json::Json),
        Format::Ndjson => Box::new(ndjson::Ndjson),
        Format::Csv => Box::new(csv::Csv::new(options.fail_on)),
        Format::Junit => Box::new(junit::Junit),
        Format::Html => Box::new(html::Html),
    }
}

/// Writes a whole `report` through `writer`: begin, each file, finish.
pub fn write(
    report: &Report,
    writer: &mut dyn ReportWriter,
    out: &mut dyn Write,
) -> io::Result<()> {
    writer.begin(out)?;
    for file in &report.files {
        writer.file(file, out)?;
    }
    writer.finish(report, out)
}

/// Version of the report document's shape.
pub const SCHEMA_VERSION: u32 = 5;

/// The whole report of one run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// Shape version of this document.
    pub schema_version: u32,
    /// The tool and version that wrote it.
    pub tool: Tool,
    /// One entry per input file, in command-line order.
    pub files: Vec<FileReport>,
    /// Totals over all files.
    pub summary: Summary,
    /// The files compared with a lock (`labelcheck check` with `lock` in labelcheck.toml):
    /// docs/lock.schema.json, `$defs.verification`. A failed verification fails the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock: Option<crate::verification::Verification>,
}

/// How the checked columns were chosen: a column fact, reported as it is.
pub use crate::columns::Selection;

/// The result for one input file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileReport {
    /// The path as given.
    pub path: String,
    /// Rows in the file (from the footer).
    pub rows: u64,
    /// Row groups in the file.
    pub row_groups: usize,
    /// First row of each row group, for charts.
    #[serde(default)]
    pub row_group_starts: Vec<u64>,
    /// The writer named in the footer.
    pub created_by: Option<String>,
    /// How the columns were chosen.
    pub selection: Selection,
    /// One entry per checked column.
    pub columns: Vec<ColumnReport>,
    /// The first mismatches in row order, at most `--max-listed` over the whole run.
    pub mismatches: Vec<Mismatch>,
    /// True when more mismatches exist than are listed.
    pub mismatches_truncated: bool,
    /// Problems that are not row mismatches: one path failing, a bad page checksum.
    pub findings: Vec<Finding>,
    /// Set when the file could not be checked at all.
    pub error: Option<String>,
    /// Wall-clock seconds per stage, with `--timings`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timings: Option<FileTimes>,
    /// The keyed diff of this file against its older version (`--key`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyed_diff: Option<KeyedDiffSummary>,
}

/// What the keyed diff (`--key`, [`crate::keyed_diff`]) of a file against its older version
/// found, in the newer file's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyedDiffSummary {
    /// The older version's path, as given.
    pub against: String,
    /// The key columns, as the report spells them.
    pub key: Vec<String>,
    /// The label columns compared by key.
    pub columns: Vec<String>,
    /// Rows whose key both versions hold.
    pub matched: u64,
    /// Rows only in this file.
    pub added: u64,
    /// Rows only in the older version.
    pub removed: u64,
    /// Matched rows with at least one label changed.
    pub changed: u64,
    /// Partitions the rows were spilled into, after any split.
    pub partitions: u64,
    /// Bytes written to spill files, splits included.
    pub spilled_bytes: u64,
    /// The memory bound the joins kept to (`--max-memory`), in bytes.
    pub max_memory: u64,
}

/// The result for one column of one file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColumnReport {
    /// The column's name, spelled as [`crate::spelling`] says: unique within the file.
    pub column: String,
    /// The column's path in the schema, one string per segment.
    pub path: Vec<String>,
    /// Parquet physical type.
    pub physical_type: String,
    /// Parquet logical (or converted) type, when there is one, written as its name.
    pub logical_type: Option<Annotation>,
    /// Rows compared.
    pub rows: u64,
    /// Null rows, as the raw path decoded them (arrow's when raw failed).
    pub nulls: u64,
    /// Column fingerprints (docs/FINGERPRINT.md) per witness, in the witness list's order:
    /// every decoder of the file, null where it failed; a dump only where it covers the column.
    pub digests: ByWitness<Option<String>>,
    /// Fingerprint blocks whose digests differ between the decoders.
    pub differing_blocks: Vec<BlockDifference>,
    /// Rows where the paths disagree.
    pub mismatches: u64,
    /// Those rows by kind.
    pub mismatch_kinds: KindCounts,
    /// Exact mismatch counts per 65,536-row fingerprint block (the listed mismatches and
    /// those beyond `--max-listed` alike), blocks without a mismatch left out, in block
    /// order: where all of a column's mismatches fall, for charts and merges.
    pub mismatch_blocks: Vec<BlockMismatches>,
    /// Patterns in the column's mismatches and what they suggest.
    pub diagnosis: Vec<Pattern>,
    /// File row where each data page starts, for charts.
    #[serde(default)]
    pub page_starts: Vec<u64>,
    /// The verdict for this column.
    pub status: ColumnStatus,
    /// The decoders whose values the verdict rests on: both (`arrow`, `raw`) when the column
    /// was fully verified, one when the other could not decode it. A `partial` column lists
    /// both, and its `error` says which part of each value one decoder checked alone.
    pub checked_by: Vec<WitnessName>,
    /// Why one or both paths could not decode the column, if so.
    pub error: Option<String>,
    /// Thread-seconds per phase, with `--timings`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timings: Option<PhaseTimes>,
    /// What `labelcheck hash` records of the column; not part of the report.
    #[serde(skip)]
    pub summary: Option<crate::summary::ColumnSummary>,
    /// How the column's rows moved between classes from the old version to this one
    /// (`--against OLD.parquet`), for a flat column with at most
    /// `transitions::MAX_CLASSES` classes whose decoders agree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transitions: Option<Transitions>,
}

/// The verdict for one column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnStatus {
    /// Both paths decoded it and agree on every row.
    Agree,
    /// Both paths decoded it and disagree on some rows.
    Mismatch,
    /// One path decoded it and the other failed: checked by one decoder only (exit 2).
    PathFailed,
    /// Both paths decoded it and agree on what both can represent; part of each value (such
    /// as an INTERVAL's months, which the arrow reader drops) was checked by one alone (exit 2).
    Partial,
    /// A path does not support a feature the column uses.
    Unsupported,
    /// Neither path could decode it.
    Unreadable,
    /// Both paths decoded it and agree on every row, and its labels differ from the older
    /// version's (`--against OLD.parquet`, by position or by key): rows changed, added or
    /// removed.
    Changed,
}

/// How many of a column's mismatching rows fall in one 65,536-row fingerprint block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockMismatches {
    /// Block number: file rows `block * 65,536` up to the next block.
    pub block: u64,
    /// First file row of the block.
    pub first_row: u64,
    /// Mismatching rows in the block.
    pub mismatches: u64,
}

/// A 65,536-row fingerprint block that differs between the decoders.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BlockDifference {
    /// Block number.
    pub block: u64,
    /// First row of the block.
    pub first_row: u64,
    /// The block's digest from each decoder (`arrow`, `raw`), null where it has none.
    #[serde(flatten)]
    pub digests: ByWitness<Option<String>>,
}

/// What kind of disagreement a mismatch is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Booleans that differ, or integers swapped between 0 and 1.
    Flip,
    /// Two different non-null values.
    Value,
    /// Null on one side only.
    Null,
    /// One path produced fewer rows.
    Missing,
    /// A list holds a different number of elements on each side (a nested column).
    Count,
    /// A list is empty on one side and null on the other (a nested column).
    EmptyNull,
    /// The two paths agree with each other but not with the `--against` dump.
    Against,
    /// The row's label differs from the older version's (`--against OLD.parquet`), where both
    /// files' decoders agree: a change between versions, not a fault.
    Changed,
    /// A row only the newer version has (`--key`: its key is not in the older version).
    Added,
    /// A row only the older version has (`--key`: its key is not in the newer version).
    Removed,
}

impl Kind {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Flip => "flip",
            Self::Value => "value",
            Self::Null => "null",
            Self::Missing => "missing",
            Self::Count => "count",
            Self::EmptyNull => "empty_null",
            Self::Against => "against",
            Self::Changed => "changed",
            Self::Added => "added",
            Self::Removed => "removed",
        }
    }
}

/// The transitions of one label column between two versions (`--against OLD.parquet`),
/// counted by `crate::transitions::TransitionCounter`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transitions {
    /// The classes of both versions, as cells, in natural order (null last, when present).
    pub classes: Vec<Cell>,
    /// `counts[i][j]`: rows of class `i` in the old version and class `j` in the new; the
    /// diagonal is the rows that kept their class.
    pub counts: Vec<Vec<u64>>,
    /// Per class, rows only in the new version.
    pub added: Vec<u64>,
    /// Per class, rows only in the old version.
    pub removed: Vec<u64>,
    /// Per class, the old version's rows (its class distribution).
    pub old: Vec<u64>,
    /// Per class, the new version's rows.
    pub new: Vec<u64>,
}

impl Transitions {
    /// Every change of class with its rows (`(from, to, rows)`, indexes into `classes`), in
    /// matrix order; the diagonal is left out.
    pub fn changes(&self) -> impl Iterator<Item = (usize, usize, u64)> + '_ {
        self.counts.iter().enumerate().flat_map(|(i, row)| {
            row.iter()
                .enumerate()
                .filter(move |&(j, &rows)| i != j && rows > 0)
                .map(move |(j, &rows)| (i, j, rows))
        })
    }

    /// Rows whose class changed.
    pub fn changed_rows(&self) -> u64 {
        self.changes().map(|(_, _, rows)| rows).sum()
    }
}

/// Mismatch counts by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCounts {
    /// Flipped values.
    pub flip: u64,
    /// Different values.
    pub value: u64,
    /// Null on one side only.
    pub null: u64,
    /// Rows one path lacks.
    pub missing: u64,
    /// Rows where a list's element count differs.
    #[serde(default)]
    pub count: u64,
    /// Rows where a list is empty on one side and null on the other.
    #[serde(default)]
    pub empty_null: u64,
    /// Rows where both paths disagree with the dump.
    pub against: u64,
    /// Rows whose label changed from the older version.
    #[serde(default)]
    pub changed: u64,
    /// Rows only in the newer version.
    #[serde(default)]
    pub added: u64,
    /// Rows only in the older version.
    #[serde(default)]
    pub removed: u64,
}

impl KindCounts {
    /// Counts one more mismatch of `kind`.
    pub fn add(&mut self, kind: Kind, count: u64) {
        match kind {
            Kind::Flip => self.flip += count,
            Kind::Value => self.value += count,
            Kind::Null => self.null += count,
            Kind::Missing => self.missing += count,
            Kind::Count => self.count += count,
            Kind::EmptyNull => self.empty_null += count,
            Kind::Against => self.against += count,
            Kind::Changed => self.changed += count,
            Kind::Added => self.added += count,
            Kind::Removed => self.removed += count,
        }
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &KindCounts) {
        self.flip += other.flip;
        self.value += other.value;
        self.null += other.null;
        self.missing += other.missing;
        self.count += other.count;
        self.empty_null += other.empty_null;
        self.against += other.against;
        self.changed += other.changed;
        self.added += other.added;
        self.removed += other.removed;
    }

    /// All mismatches.
    pub fn total(&self) -> u64 {
        self.flip
            + self.value
            + self.null
            + self.missing
            + self.count
            + self.empty_null
            + self.against
            + self.changed
            + self.added
            + self.removed
    }
}

/// One row where the two paths disagree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mismatch {
    /// The column's name, spelled as [`crate::spelling`] says.
    pub column: String,
    /// Row in the file, 0-based.
    pub row: u64,
    /// Row group holding the row.
    pub row_group: usize,
    /// Row within that row group.
    pub row_in_group: u64,
    /// Index of the page (within the column chunk, dictionary page included) holding the row.
    pub page: Option<usize>,
    /// File offset of that page's header.
    pub page_offset: Option<u64>,
    /// Where in the row the first difference is, for a nested column: the list indexes and
    /// field names down to it, as `objects[3].bbox[1]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    /// What kind of disagreement.
    pub kind: Kind,
    /// What the evidence points to.
    pub fault: Fault,
    /// The row's key, one cell per `--key` column, in a keyed diff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Vec<KeyCell>>,
    /// The value each witness decoded, in the witness list's order; a witness that has no
    /// such row is left out.
    pub values: ByWitness<Cell>,
}

/// One key column's value in a keyed diff's mismatch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyCell {
    /// The key column's name, as the report spells it.
    pub column: String,
    /// Its value in the row.
    pub value: Cell,
}

/// Escapes text for HTML and XML, attributes and content alike. XML 1.0 cannot carry most
/// control characters, even escaped, so they become U+FFFD, as do DEL and the C1 controls.
pub(crate) fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Not XML 1.0 characters at all (C0 controls, U+FFFE, U+FFFF), or legal but
            // "discouraged" ones a terminal obeys when the report is read there (DEL, C1
            // controls such as U+009B, CSI).
            c if (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
                || matches!(c, '\u{fffe}' | '\u{ffff}') =>
            {
                out.push('\u{fffd}')
            }
            c => out.push(c),
        }
    }
    out
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// One path decoded what the other could not.
    PathFailure,
    /// A page's CRC32 does not match its bytes.
    Crc,
    /// File metadata disagrees with the data it describes.
    Stats,
    /// Values that a path can only return in a lossy, converted form.
    Lossy,
    /// A page whose layout disagrees with its counts (bytes left after its last value).
    Page,
    /// The file's writer has a published bug affecting a checked column.
    Advisory,
    /// The `--against` dump cannot be compared as given: unknown columns, rows missing,
    /// repeated or extra, fields that do not parse.
    Against,
    /// The pre-flight screen refused a column chunk before the arrow reader saw it (a page
    /// declaring more than a limit allows, a header that does not parse): that column was
    /// decoded by the raw path only.
    Screen,
    /// A writer habit recognised and worked around as the established readers work around
    /// it (docs/COVERAGE.md, "Writer quirks"): a note, never a failure.
    Quirk,
}

impl FindingKind {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::PathFailure => "path_failure",
            Self::Crc => "crc",
            Self::Stats => "stats",
            Self::Lossy => "lossy",
            Self::Page => "page",
            Self::Advisory => "advisory",
            Self::Against => "against",
            Self::Screen => "screen",
            Self::Quirk => "quirk",
        }
    }

    /// True when the finding alone makes the run exit 1; the others are warnings.
    pub fn fails_by_default(self) -> bool {
        match self {
            // One decoder failing where the other decoded leaves the column checked by one
            // witness: the run is incomplete (exit 2), which is not a disagreement.
            Self::PathFailure => false,
            // A dump that cannot be compared leaves the third witness silent.
            Self::Against => true,
            // The bytes changed after they were written: the fault at rest this tool exists to
            // catch, even where both paths read the changed bytes alike. A placeholder CRC is
            // a quirk, not this.
            Self::Crc => true,
            // One decoder never saw the column: it was not verified by two, which makes the
            // run incomplete (exit 2) through the column's status, not a disagreement.
            Self::Screen => false,
            // Metadata and representability are warnings about the file, not the labels read.
            Self::Stats | Self::Lossy | Self::Page | Self::Advisory => false,
            Self::Quirk => false,
        }
    }

    /// True when the finding fails the run (exit 1) under `fail_on`. A quirk never does, not
    /// even with `--fail-on finding`: it says a workaround was applied, not that anything is
    /// wrong. Nor do a path failure and a screen refusal: they say what was not verified,
    /// which the run's exit 2 reports, not that the labels disagree.
    pub fn fails_under(self, fail_on: FailOn) -> bool {
        match fail_on {
            _ if matches!(self, Self::Quirk | Self::PathFailure | Self::Screen) => false,
            FailOn::Mismatch => self.fails_by_default(),
            FailOn::Finding => true,
            FailOn::Never => false,
        }
    }
}

/// A problem other than a row mismatch.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    /// What it is about.
    pub kind: FindingKind,
    /// The column, if it concerns one.
    pub column: Option<String>,
    /// The row group, if it concerns one.
    pub row_group: Option<usize>,
    /// The page index within the column chunk, if it concerns one.
    pub page: Option<usize>,
    /// File offset of that page's header.
    pub page_offset: Option<u64>,
    /// One sentence saying what is wrong.
    pub message: String,
    /// Each decoder's error (null where it decoded), where the finding is a path failure.
    pub errors: Option<ByWitness<Option<String>>>,
    /// Set on the finding that stands for the findings of its kind and column left out of
    /// the list beyond the first [`MAX_REPEATED_FINDINGS`]: how many there were.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub omitted: Option<u64>,
    /// The writer fault the finding shows, when a published writer bug matches the file's
    /// writer, its version and what the finding saw.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub writer: Option<WriterBlame>,
}

impl Finding {
    /// A finding about the whole file rather than a column or page.
    pub fn about_file(kind: FindingKind, message: String) -> Self {
        Self {
            kind,
            column: None,
            row_group: None,
            page: None,
            page_offset: None,
            message,
            errors: None,
            omitted: None,
            writer: None,
        }
    }

    /// A finding about column `column`, in row group `row_group` when it concerns one.
    pub fn about_column(
        kind: FindingKind,
        column: &str,
        row_group: Option<usize>,
        message: String,
    ) -> Self {
        Self {
            column: Some(column.to_owned()),
            row_group,
            ..Self::about_file(kind, message)
        }
    }

    /// How many findings this one counts for: itself, or those it says were left out.
    pub fn count(&self) -> u64 {
        self.omitted.unwrap_or(1)
    }
}

/// Findings of one kind about one column (or about the file) listed per file; the rest are
/// counted in one finding, so a file or dump with a problem on every row still gives a
/// report a person can read, in memory that does not grow with the rows.
pub const MAX_REPEATED_FINDINGS: usize = 100;

/// Collects findings, keeping the first [`MAX_REPEATED_FINDINGS`] of each kind and column and
/// counting the rest. Collecting what it has already collected changes nothing, so a
/// producer that streams findings (the dump reader) can bound its memory with one, and the
/// file's findings still pass through one at the end.
#[derive(Debug, Default)]
pub struct FindingCap {
    kept: Vec<Finding>,
    tallies: HashMap<(FindingKind, Option<String>), Tally>,
}

/// Per kind and column: findings kept, findings left out, and where the last kept one is.
#[derive(Debug, Default)]
struct Tally {
    kept: usize,
    omitted: u64,
    last: Option<usize>,
}

impl FindingCap {
    /// Adds `finding`: kept if fewer than the maximum of its kind and column are, else
    /// counted. A finding that already counts left-out findings adds its count.
    pub fn push(&mut self, finding: Finding) {
        let tally = self
            .tallies
            .entry((finding.kind, finding.column.clone()))
            .or_default();
        if let Some(omitted) = finding.omitted {
            tally.omitted += omitted;
        } else if tally.kept < MAX_REPEATED_FINDINGS {
            tally.kept += 1;
            tally.last = Some(self.kept.len());
            self.kept.push(finding);
        } else {
            tally.omitted += 1;
        }
    }

    /// The findings kept, in the order they came, each count right after the last finding
    /// of its kind and column.
    pub fn finish(self) -> Vec<Finding> {
        let mut counts: Vec<(Option<usize>, Finding)> = self
            .tallies
            .into_iter()
            .filter(|(_, tally)| tally.omitted > 0)
            .map(|((kind, column), tally)| {
                let about = column
                    .as_deref()
                    .map(|c| format!(" about column {c:?}"))
                    .unwrap_or_default();
                let message = format!(
                    "{} more {} findings{about} are not listed; only the first {MAX_REPEATED_FINDINGS} are",
                    tally.omitted,
                    kind.name()
                );
                let finding = Finding {
                    column,
                    omitted: Some(tally.omitted),
                    ..Finding::about_file(kind, message)
                };
                (tally.last, finding)
            })
            .collect();
        // Those with no finding kept go last; ties in the order the kinds first came.
        counts.sort_by_key(|(last, _)| last.map_or(usize::MAX, |last| last));
        let mut counts = counts.into_iter().peekable();
        let mut out = Vec::with_capacity(self.kept.len() + counts.len());
        for (index, finding) in self.kept.into_iter().enumerate() {
            out.push(finding);
            while let Some((_, count)) = counts.next_if(|(last, _)| *last == Some(index)) {
                out.push(count);
            }
        }
        out.extend(counts.map(|(_, count)| count));
        out
    }
}

/// Caps `findings` as [`FindingCap`] does: the first [`MAX_REPEATED_FINDINGS`] of each kind
/// and column, then one finding with the count of the rest.
pub fn cap_repeated_findings(findings: &mut Vec<Finding>) {
    let mut cap = FindingCap::default();
    for finding in findings.drain(..) {
        cap.push(finding);
    }
    *findings = cap.finish();
}

/// Totals over the run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Files named.
    pub files: usize,
    /// Columns checked, over all files.
    pub columns: usize,
    /// Rows compared, summed over columns.
    pub rows: u64,
    /// Mismatching rows, summed over columns.
    pub mismatches: u64,
    /// Findings, those left out of the lists included.
    pub findings: usize,
    /// Files and columns that could not be checked.
    pub errors: usize,
    /// Columns a path does not support yet.
    pub unsupported: usize,
    /// Columns checked, in whole or in part, by one decoder only (`path_failed`, `partial`,
    /// or `unsupported` by one path while the other decoded them).
    pub single_decoder: usize,
    /// The exit code the run ends with.
    pub exit_code: i32,
    /// What makes the run fail (`--fail-on`).
    pub fail_on: FailOn,
    /// Most mismatches listed over the run (`--max-listed`), so that a merge of reports
    /// lists what one run over all their files would.
    pub max_listed: usize,
}

impl Summary {
    /// Adds the totals of `other`, a report over other files. The exit code is the merged
    /// report's to compute ([`Report::merge`] does); settings are left as they are.
    pub fn add(&mut self, other: &Summary) {
        self.files += other.files;
        self.columns += other.columns;
        self.rows += other.rows;
        self.mismatches += other.mismatches;
        self.findings = self.findings.saturating_add(other.findings);
        self.errors += other.errors;
        self.unsupported += other.unsupported;
        self.single_decoder += other.single_decoder;
    }
}

/// The run's allowance of listed mismatches (`--max-listed`): the first N in file order,
/// and within a file in row order, whatever the number of files. Counts stay exact; a file
/// whose list was cut says so (`mismatches_truncated`). A merge of reports applies it again
/// over their files in order and lists what one run over all of them would have.
#[derive(Debug, Clone, Copy)]
pub struct ListingCap {
    left: usize,
}

impl ListingCap {
    /// An allowance of `max` listed mismatches.
    pub fn new(max: usize) -> Self {
        Self { left: max }
    }

    /// Mismatches that may still be listed: what the next file's check may collect.
    pub fn left(&self) -> usize {
        self.left
    }

    /// Cuts `file`'s list to what is left, and spends what it keeps.
    pub fn apply(&mut self, file: &mut FileReport) {
        if file.mismatches.len() > self.left {
            file.mismatches.truncate(self.left);
            file.mismatches_truncated = true;
        }
        self.left -= file.mismatches.len();
    }
}

/// Why reports cannot be merged into one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// Reports of runs under different settings: a merge would mean neither.
    #[error("the reports were written with different {0}; merge reports of runs with the same")]
    Settings(&'static str),
    /// Nothing to merge.
    #[error("no report to merge")]
    Empty,
}

/// How a run ends, from the report alone (see the README's "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every checked column agrees.
    Agree = 0,
    /// Witnesses disagree: a mismatch, or a finding that fails the run (`--fail-on`).
    Disagree = 1,
    /// Nothing disagrees, but not everything was verified: a file or column could not be
    /// checked, or was checked by one decoder only (in whole or in part).
    Error = 2,
}

/// What makes a run fail (exit 1), for CI gates: `--fail-on`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum FailOn {
    /// Mismatches and the findings that mean a witness disagrees or the bytes changed (path
    /// failures, screen refusals, checksums that do not match, unusable dumps).
    #[default]
    Mismatch,
    /// Those and every finding, warnings included (statistics, page layout), quirks excepted.
    Finding,
    /// Nothing: report, but exit 0 unless something could not be checked.
    Never,
}

impl Mismatch {
    /// Where the witnesses' cells of this mismatch first differ, for the formats that show a
    /// nested row around it ([`cells`]).
    pub fn focus(&self) -> cells::Focus {
        cells::Focus::of(self.values.iter().map(|(_, cell)| cell))
    }

    /// The witnesses' values as the text reports write them on one line: `arrow X / raw Y`
    /// (a decoder without the row shown as such), then each other witness that has the row,
    /// by name, in the witness list's order (`/ against Z`). `show` renders one value.
    pub fn values_line(&self, show: impl Fn(&Cell) -> String) -> String {
        let decoders = [WitnessName::ARROW, WitnessName::RAW];
        let mut line = decoders
            .iter()
            .map(|name| {
                format!(
                    "{name} {}",
                    show(self.values.get(name).unwrap_or(&Cell::Absent))
                )
            })
            .collect::<Vec<_>>()
            .join(" / ");
        for (name, cell) in self.values.iter().filter(|(n, _)| !decoders.contains(n)) {
            line.push_str(&format!(" / {name} {}", show(cell)));
        }
        line
    }
}

impl ColumnReport {
    /// True when one decoder alone checked the column's values, in whole or in part.
    pub fn single_decoder(&self) -> bool {
        match self.status {
            ColumnStatus::PathFailed | ColumnStatus::Partial => true,
            ColumnStatus::Unsupported => self.checked_by.len() == 1,
            _ => false,
        }
    }
}

impl FileReport {
    /// True when the check of the file stopped before its columns, at a path failure (the
    /// two paths read different footers): nothing in it was verified.
    pub fn stopped_early(&self) -> bool {
        self.columns.is_empty()
            && self
                .findings
                .iter()
                .any(|f| f.kind == FindingKind::PathFailure && f.column.is_none())
    }

    /// Cuts every message (file and column errors, findings, diagnoses) to
    /// [`crate::echo::MESSAGE_CHARS`] characters. Messages may quote a file's contents —
    /// a dump field, a decoder's error text — and no single one may make the report
    /// unbounded; names and values are data and stay whole.
    pub fn bound_messages(&mut self) {
        use crate::echo::bound;
        self.error.iter_mut().for_each(bound);
        for column in &mut self.columns {
            column.error.iter_mut().for_each(bound);
            for pattern in &mut column.diagnosis {
                bound(&mut pattern.message);
            }
        }
        for finding in &mut self.findings {
            bound(&mut finding.message);
            if let Some(errors) = &mut finding.errors {
                errors.values_mut().flatten().for_each(bound);
            }
        }
    }
}

impl Report {
    /// The report with what comparing its files with a lock found, the exit code computed
    /// again: a failed verification fails the run (exit 1).
    pub fn with_lock(mut self, verification: crate::verification::Verification) -> Self {
        self.lock = Some(verification);
        self.summary.exit_code = self.outcome() as i32;
        self
    }

    /// Builds the report from its files, computing the summary; `fail_on` sets what fails,
    /// `max_listed` is the run's listing cap (the files' lists are within it).
    pub fn new(files: Vec<FileReport>, fail_on: FailOn, max_listed: usize) -> Self {
        let mut summary = Summary {
            files: files.len(),
            ..Summary::default()
        };
        for file in &files {
            summary.findings += file
                .findings
                .iter()
                .map(|f| usize::try_from(f.count()).unwrap_or(usize::MAX))
                .fold(0, usize::saturating_add);
            summary.errors += usize::from(file.error.is_some());
            for column in &file.columns {
                summary.columns += 1;
                summary.rows += column.rows;
                summary.mismatches += column.mismatches;
                match column.status {
                    ColumnStatus::Unsupported => summary.unsupported += 1,
                    ColumnStatus::Unreadable => summary.errors += 1,
                    _ => {}
                }
                summary.single_decoder += usize::from(column.single_decoder());
            }
        }
        summary.fail_on = fail_on;
        summary.max_listed = max_listed;
        let mut report = Self {
            schema_version: SCHEMA_VERSION,
            tool: Tool::default(),
            files,
            summary,
            lock: None,
        };
        report.summary.exit_code = report.outcome() as i32;
        report
    }

    /// One report of the files of `reports`, in order, as one run over all of them would
    /// have written it: totals added, mismatches listed up to the runs' shared
    /// `--max-listed`, the exit code computed again from the merged files.
    pub fn merge(reports: Vec<Report>) -> Result<Report, MergeError> {
        let mut reports = reports.into_iter();
        let mut merged = reports.next().ok_or(MergeError::Empty)?;
        for report in reports {
            let (ours, theirs) = (&merged.summary, &report.summary);
            if report.schema_version != merged.schema_version {
                return Err(MergeError::Settings("schema versions"));
            }
            if theirs.fail_on != ours.fail_on {
                return Err(MergeError::Settings("--fail-on"));
            }
            if theirs.max_listed != ours.max_listed {
                return Err(MergeError::Settings("--max-listed"));
            }
            merged.summary.add(theirs);
            merged.files.extend(report.files);
        }
        let mut cap = ListingCap::new(merged.summary.max_listed);
        merged.files.iter_mut().for_each(|file| cap.apply(file));
        merged.summary.exit_code = merged.outcome() as i32;
        Ok(merged)
    }

    /// The exit status this report calls for: 1 when witnesses disagree, else 2 when
    /// anything was not verified by both decoders, else 0. A CI gate can so tell "the labels
    /// disagree" from "the labels could not be fully verified".
    pub fn outcome(&self) -> Outcome {
        let fails = |finding: &Finding| finding.kind.fails_under(self.summary.fail_on);
        let disagree = self.summary.fail_on != FailOn::Never
            && self.files.iter().any(|f| {
                f.findings.iter().any(fails)
                    || f.columns
                        .iter()
                        .any(|c| matches!(c.status, ColumnStatus::Mismatch | ColumnStatus::Changed))
            });
        let incomplete = self.summary.errors > 0
            || self.summary.unsupported > 0
            || self.summary.single_decoder > 0
            || self.files.iter().any(FileReport::stopped_early);
        let lock_failed = self.lock.as_ref().is_some_and(|v| !v.summary.passed);
        if disagree || lock_failed {
            Outcome::Disagree
        } else if incomplete {
            Outcome::Error
        } else {
            Outcome::Agree
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(kind: FindingKind, column: Option<&str>, index: usize) -> Finding {
        Finding {
            column: column.map(str::to_owned),
            ..Finding::about_file(kind, format!("{index}"))
        }
    }

    fn shape(findings: &[Finding]) -> Vec<(FindingKind, Option<&str>, &str, Option<u64>)> {
        findings
            .iter()
            .map(|f| (f.kind, f.column.as_deref(), f.message.as_str(), f.omitted))
            .collect()
    }

    #[test]
    fn repeated_findings_are_counted_after_the_first_hundred() {
        let mut findings = Vec::new();
        for index in 0..250 {
            findings.push(finding(FindingKind::Stats, Some("label"), index));
            if index < 3 {
                findings.push(finding(FindingKind::Stats, Some("other"), index));
            }
        }
        findings.push(finding(FindingKind::Against, None, 0));
        let mut capped = findings.clone();
        cap_repeated_findings(&mut capped);
        // 100 of "label", 3 of "other", the count, then the dump's.
        assert_eq!(capped.len(), 105);
        let count = &capped[103];
        assert_eq!(
            (count.kind, count.column.as_deref(), count.omitted),
            (FindingKind::Stats, Some("label"), Some(150))
        );
        assert_eq!(
            count.message,
            "150 more stats findings about column \"label\" are not listed; only the first 100 are"
        );
        assert_eq!(capped[102].message, "99");
        assert_eq!(capped[104].kind, FindingKind::Against);
        assert_eq!(capped.iter().map(Finding::count).sum::<u64>(), 254);

        // Capping again changes nothing; nor does capping in two steps.
        let mut again = capped.clone();
        cap_repeated_findings(&mut again);
        assert_eq!(shape(&again), shape(&capped));
        let mut first = findings[..120].to_vec();
        cap_repeated_findings(&mut first);
        first.extend_from_slice(&findings[120..]);
        cap_repeated_findings(&mut first);
        assert_eq!(first.iter().map(Finding::count).sum::<u64>(), 254);
    }

    #[test]
    fn the_summary_counts_left_out_findings() {
        let mut findings: Vec<Finding> = (0..300)
            .map(|i| finding(FindingKind::Crc, Some("label"), i))
            .collect();
        cap_repeated_findings(&mut findings);
        let file = FileReport {
            findings,
            ..FileReport::failed("x.parquet", String::new())
        };
        let report = Report::new(vec![file], FailOn::Mismatch, 1000);
        assert_eq!(report.summary.findings, 300);
    }

    fn mismatch(column: &str, row: u64) -> Mismatch {
        Mismatch {
            column: column.into(),
            row,
            row_group: 0,
            row_in_group: row,
            page: None,
            page_offset: None,
            position: None,
            kind: Kind::Value,
            fault: Fault::Reader,
            key: None,
            values: ByWitness::from_iter([
                (WitnessName::ARROW, Cell::Int(0)),
                (WitnessName::RAW, Cell::Int(1)),
            ]),
        }
    }

    fn column(name: &str, status: ColumnStatus, mismatches: u64) -> ColumnReport {
        ColumnReport {
            column: name.into(),
            path: vec![name.into()],
            physical_type: "INT32".into(),
            logical_type: None,
            rows: 100,
            nulls: 3,
            digests: ByWitness::new(),
            differing_blocks: Vec::new(),
            mismatches,
            mismatch_kinds: KindCounts {
                value: mismatches,
                ..KindCounts::default()
            },
            mismatch_blocks: Vec::new(),
            diagnosis: Vec::new(),
            page_starts: Vec::new(),
            status,
            checked_by: vec![WitnessName::ARROW, WitnessName::RAW],
            error: None,
            timings: None,
            summary: None,
            transitions: None,
        }
    }

    /// A file whose `label` column has `mismatches` mismatches, of which `listed` listed.
    fn file(name: &str, mismatches: u64, listed: u64, extra: ColumnStatus) -> FileReport {
        let status = if mismatches > 0 {
            ColumnStatus::Mismatch
        } else {
            ColumnStatus::Agree
        };
        FileReport {
            path: name.into(),
            rows: 100,
            row_groups: 1,
            columns: vec![
                column("label", status, mismatches),
                column("other", extra, 0),
            ],
            mismatches: (0..listed).map(|row| mismatch("label", row)).collect(),
            mismatches_truncated: listed < mismatches,
            findings: vec![finding(FindingKind::Stats, None, 0)],
            error: None,
            ..FileReport::failed(name, String::new())
        }
    }

    #[test]
    fn merged_reports_sum_up_as_one_run_over_their_files() {
        let agree = file("a.parquet", 0, 0, ColumnStatus::Agree);
        let unsupported = file("b.parquet", 0, 0, ColumnStatus::Unsupported);
        let failed = FileReport::failed("c.parquet", "cannot open".into());
        let mismatching = file("d.parquet", 7, 3, ColumnStatus::PathFailed);
        let whole = |files: &[&FileReport]| {
            Report::new(
                files.iter().map(|&f| f.clone()).collect(),
                FailOn::Mismatch,
                5,
            )
        };
        for (a, b) in [
            (vec![&agree], vec![&unsupported]),
            (vec![&agree, &unsupported], vec![&failed]),
            (vec![&agree], vec![&mismatching, &failed]),
            (vec![&mismatching], vec![&agree]),
        ] {
            let merged = Report::merge(vec![whole(&a), whole(&b)]).unwrap();
            let one_run = whole(&[a, b].concat());
            assert_eq!(merged.summary, one_run.summary);
            assert_eq!(merged.summary.exit_code, one_run.outcome() as i32);
        }
        // The three outcomes are all met above.
        let outcome = |files: &[&FileReport]| whole(files).summary.exit_code;
        assert_eq!(
            [
                outcome(&[&agree]),
                outcome(&[&agree, &mismatching]),
                outcome(&[&agree, &unsupported])
            ],
            [0, 1, 2]
        );
    }

    #[test]
    fn a_merge_lists_what_one_run_would() {
        // Each shard listed up to the cap of 5 on its own: 3 + 3 + 4 listed.
        let shards = [
            file("a.parquet", 3, 3, ColumnStatus::Agree),
            file("b.parquet", 9, 3, ColumnStatus::Agree),
            file("c.parquet", 4, 4, ColumnStatus::Agree),
        ];
        let reports = shards
            .iter()
            .map(|f| Report::new(vec![f.clone()], FailOn::Mismatch, 5))
            .collect();
        let merged = Report::merge(reports).unwrap();
        let listed: Vec<(usize, bool)> = merged
            .files
            .iter()
            .map(|f| (f.mismatches.len(), f.mismatches_truncated))
            .collect();
        assert_eq!(listed, [(3, false), (2, true), (0, true)]);
        assert_eq!(merged.summary.mismatches, 16);

        let other_cap = Report::new(vec![shards[0].clone()], FailOn::Mismatch, 6);
        let same_cap = Report::new(vec![shards[1].clone()], FailOn::Mismatch, 5);
        assert_eq!(
            Report::merge(vec![same_cap, other_cap]).unwrap_err(),
            MergeError::Settings("--max-listed")
        );
    }
}
