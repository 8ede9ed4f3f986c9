//! Checking one file: open it through both paths, choose columns, then decode, compare and
//! fingerprint every (column, row group) in parallel, a window of row groups at a time so
//! memory stays bounded by a few row groups of the label columns.

use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::against::{AgainstOptions, Dump, DumpOrigin, DumpStream};
use crate::arrow_path::ArrowFile;
use parquet::errors::ParquetError;

use crate::advisories::{Symptom, Writer, WriterBlame};
use crate::canonical::apply;
use crate::columns::{CheckedColumn, ColumnChoice, ColumnNames};
use crate::compare::{compare_chunk, ChunkComparison, ChunkPosition, DumpSlice};
use crate::decode::{
    ChunkWindows, ColumnDecoder, DecodeError, DecodedChunk, PageInfo, PathName, Unopened,
    WindowRows,
};
use crate::decode::{DecodeOptions, PageAnomaly};
use crate::diagnosis::{explain, Profile};
use crate::fingerprint::{hash_slice, to_hex, BlockPiece, FingerprintBuilder, BLOCK_ROWS};
use crate::preflight::Screen;
use crate::quirks::Quirk;
use crate::raw::error::RawError;
use crate::raw::metadata::FileMetaData;
use crate::raw::RawFile;
use crate::report::{
    BlockDifference, ColumnReport, ColumnStatus, Digests, FileReport, Finding, FindingKind,
    KindCounts, Mismatch, PathErrors, Selection,
};
use crate::source::ByteSource;
use crate::timings::{timed, FileTimes, PhaseTimes};
use crate::value::ColumnSlice;
use crate::witness::ChunkWitness;

/// What to check and how.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Which columns.
    pub columns: ColumnChoice,
    /// Most mismatches listed per file (all are counted).
    pub max_listed: usize,
    /// Raw decoder options.
    pub decode: DecodeOptions,
    /// Row groups checked at once, each column chunk of them a task.
    pub window: usize,
    /// Rows of a column chunk decoded at once (the raw path rounds up to a page boundary):
    /// with the number of threads, this bounds memory whatever the row groups' size.
    pub window_rows: usize,
    /// A label dump to compare with, as a third witness.
    pub against: Option<AgainstOptions>,
    /// Put the seconds spent per stage and phase in the report.
    pub timings: bool,
}

/// The facts about a file that the check needs besides its decoders.
#[derive(Debug, Clone)]
pub struct FileFacts {
    /// Rows in each row group, in order.
    pub row_group_rows: Vec<u64>,
    /// The writer named in the footer.
    pub created_by: Option<String>,
    /// The parquet-mr object model the footer names (`writer.model.name`).
    pub object_model: Option<String>,
}

impl FileFacts {
    /// The facts a footer states.
    pub fn of(metadata: &FileMetaData) -> Self {
        Self {
            row_group_rows: metadata
                .row_groups
                .iter()
                .map(|rg| rg.num_rows.max(0) as u64)
                .collect(),
            created_by: metadata.created_by.clone(),
            object_model: crate::advisories::object_model(metadata).map(str::to_owned),
        }
    }

    /// Who wrote the file.
    pub fn writer(&self) -> Writer<'_> {
        Writer {
            created_by: self.created_by.as_deref(),
            object_model: self.object_model.as_deref(),
        }
    }
}

/// Reports progress as rows are checked.
pub trait Progress: Sync {
    /// `rows` more rows of one column were checked.
    fn advance(&self, rows: u64);
}

impl Progress for () {
    fn advance(&self, _: u64) {}
}

/// Checks one file read from `source`; `path` names it in the report.
pub fn check_file(
    path: &str,
    source: Arc<dyn ByteSource>,
    options: &CheckOptions,
    progress: &dyn Fn(u64) -> Box<dyn Progress>,
) -> FileReport {
    let started = Instant::now();
    let raw = RawFile::open(source.clone(), options.decode).map(|mut raw| {
        // A writer bug that parquet-cpp's reader works around is worked around here too.
        let writer = Writer::of(raw.metadata());
        if WriterBlame::known(writer, Symptom::V2CompressedFlaggedUncompressed).is_some() {
            raw.decompress_v2_pages_flagged_uncompressed();
        }
        raw
    });
    // The parquet crate's Thrift reader can spin for seconds on a malformed list
    // (docs/RELIABILITY.md, "Fuzzing"): a footer ours finds malformed is not handed to it.
    let arrow = match &raw {
        Err(RawError::MalformedFooter(_)) => Err(ParquetError::General(
            "not tried: the footer's Thrift is malformed".into(),
        )),
        // Every size the footer declares is checked before the parquet crate sees it: its
        // schema walk recurses without a bound, and its structures are allocated as declared.
        Err(RawError::BeyondLimit(_)) => Err(ParquetError::General(
            "not tried: the footer declares more than a resource limit allows".into(),
        )),
        _ => ArrowFile::open(source),
    };
    let arrow_file = &arrow;
    let raw = match (raw, &arrow) {
        (Ok(raw), _) => raw,
        (Err(raw_error), Err(arrow_error)) => {
            return FileReport::failed(path, format!("{raw_error} (arrow reader: {arrow_error})"))
        }
        (Err(raw_error), Ok(_)) => {
            // Columns are chosen and named from the raw path's schema, so without it there is
            // nothing to check them against: the file stops here, incomplete (exit 2).
            let mut finding = Finding::about_file(
                FindingKind::PathFailure,
                "the raw path could not read the footer, the arrow path could; no column was checked".into(),
            );
            finding.errors = Some(PathErrors {
                arrow: None,
                raw: Some(raw_error.to_string()),
            });
            return FileReport::with_finding(path, finding);
        }
    };
    let mut findings: Vec<Finding> = Vec::new();
    // Degrade per column, never per file: when the arrow reader cannot open the footer, every
    // column is still decoded by the raw path and reported as checked by it alone.
    let unopened;
    let arrow: &dyn ColumnDecoder = match &arrow {
        Ok(arrow) => arrow,
        Err(arrow_error) => {
            let mut finding = Finding::about_file(
                FindingKind::PathFailure,
                "the arrow path could not read the footer; every column was checked by the raw path alone".into(),
            );
            finding.errors = Some(PathErrors {
                arrow: Some(arrow_error.to_string()),
                raw: None,
            });
            findings.push(finding);
            unopened = Unopened {
                path: PathName::Arrow,
                reason: arrow_error.to_string(),
            };
            &unopened
        }
    };
    let metadata = raw.metadata();
    if let Ok(opened) = &arrow_file {
        if opened.num_row_groups() != metadata.row_groups.len() {
            let finding = Finding::about_file(
                FindingKind::PathFailure,
                format!(
                    "the paths read different footers: {} row groups (arrow) vs {} (raw)",
                    opened.num_row_groups(),
                    metadata.row_groups.len()
                ),
            );
            return FileReport::with_finding(path, finding);
        }
    }
    let facts = FileFacts::of(metadata);
    let row_group_total: i64 = metadata.row_groups.iter().map(|rg| rg.num_rows).sum();
    let footer_finding = (metadata.num_rows != row_group_total).then(|| {
        Finding::about_file(
            FindingKind::Stats,
            format!(
                "the footer's num_rows is {} but its row groups hold {row_group_total} rows; readers that trust the footer read the wrong number of rows",
                metadata.num_rows
            ),
        )
    });
    findings.extend(footer_finding);
    let dump_stream = match &options.against {
        Some(against) => match DumpStream::open(against) {
            Ok(stream) => Some(stream),
            Err(message) => {
                findings.push(Finding::about_file(FindingKind::Against, message));
                None
            }
        },
        None => None,
    };
    // With a dump and no columns named, the dump's columns (those the file has; the dump
    // reports the others) are the ones to check.
    // The names are computed once: a dump header may name tens of thousands of columns.
    let names = ColumnNames::new(raw.leaves());
    let choice = match (
        &options.columns,
        dump_stream.as_ref().map(DumpStream::header),
    ) {
        (ColumnChoice::Labels, Some(header)) => ColumnChoice::Named(
            header
                .fields()
                .map(|f| f.text)
                .filter(|&name| name != "row")
                .filter_map(|name| names.resolve_leaf(name).ok().flatten())
                .map(|position| names.report_name(position).to_owned())
                .collect(),
        ),
        (choice, _) => choice.clone(),
    };
    let (columns, selection) = match names.choose(&choice) {
        Ok(chosen) => chosen,
        Err(error) => return FileReport::failed(path, error.to_string()),
    };
    findings.extend(crate::advisories::check(
        facts.created_by.as_deref(),
        &columns,
    ));
    let dump = match (&options.against, dump_stream) {
        (Some(against), Some(stream)) => {
            let (dump, problems) =
                Dump::load(stream, against, &names, &columns, &facts.row_group_rows);
            findings.extend(problems);
            Some(dump)
        }
        _ => None,
    };
    let total: u64 = facts.row_group_rows.iter().sum::<u64>() * columns.len() as u64;
    let opened = started.elapsed().as_secs_f64();
    let progress = progress(total);
    let screen = Screen::new(&raw, options.decode.max_page_bytes);
    let witnesses = Witnesses {
        arrow,
        raw: &raw,
        against: dump.as_ref().map(|d| d as &dyn ColumnDecoder),
        screen: Some(&screen),
    };
    let mut report = check_with(
        path,
        &facts,
        &columns,
        selection,
        witnesses,
        options,
        progress.as_ref(),
    );
    report.findings.splice(0..0, findings);
    crate::report::cap_repeated_findings(&mut report.findings);
    if options.timings {
        report.timings = Some(FileTimes {
            open: opened,
            check: started.elapsed().as_secs_f64() - opened,
        });
    }
    report
}

/// Everything one (column, row group) task produced.
struct TaskOutput {
    arrow: Result<PathOutput, DecodeError>,
    raw: Result<PathOutput, DecodeError>,
    /// `None` when no dump covers the column.
    against: Option<PathOutput>,
    /// The raw path's data pages counted for the diagnosis.
    page_profile: Profile,
    /// File rows where the raw path's data pages start.
    page_starts: Vec<u64>,
    comparison: Option<ChunkComparison>,
    findings: Vec<Finding>,
    times: PhaseTimes,
    /// Values whose part the canonical form drops is not empty (INTERVALs with months):
    /// that part was checked by the raw path alone.
    raw_only_parts: u64,
}

/// What one path produced for a task, once its values are compared and hashed.
struct PathOutput {
    rows: u64,
    nulls: u64,
    pieces: Vec<BlockPiece>,
    /// File row of the chunk's first row.
    first_row: u64,
}

/// Per-column state carried across windows.
struct ColumnState {
    arrow: Option<FingerprintBuilder>,
    raw: Option<FingerprintBuilder>,
    against: Option<FingerprintBuilder>,
    arrow_error: Option<DecodeError>,
    raw_error: Option<DecodeError>,
    counts: KindCounts,
    profile: Profile,
    page_starts: Vec<u64>,
    rows: u64,
    nulls: u64,
    times: PhaseTimes,
    /// Values with a part only the raw path checked (see `TaskOutput::raw_only_parts`).
    raw_only_parts: u64,
}

/// The decoders a file is checked with.
#[derive(Clone, Copy)]
pub struct Witnesses<'a> {
    /// Path A.
    pub arrow: &'a dyn ColumnDecoder,
    /// Path B.
    pub raw: &'a dyn ColumnDecoder,
    /// The `--against` dump, if any.
    pub against: Option<&'a dyn ColumnDecoder>,
    /// The pre-flight screen a chunk must pass before the arrow seat is asked to decode it.
    pub screen: Option<&'a Screen<'a>>,
}

/// Checks `columns` of a file through its witnesses. This is the seam tests use to put a
/// faulty decoder in either seat.
pub fn check_with(
    path: &str,
    facts: &FileFacts,
    columns: &[CheckedColumn],
    selection: Selection,
    witnesses: Witnesses<'_>,
    options: &CheckOptions,
    progress: &dyn Progress,
) -> FileReport {
    let row_group_starts: Vec<u64> = facts
        .row_group_rows
        .iter()
        .scan(0u64, |next, &rows| {
            let start = *next;
            *next += rows;
            Some(start)
        })
        .collect();
    // A decoder that could not open the file fails every column, row groups or none.
    let (arrow_unavailable, raw_unavailable) =
        (witnesses.arrow.unavailable(), witnesses.raw.unavailable());
    let mut states: Vec<ColumnState> = columns
        .iter()
        .map(|_| ColumnState {
            arrow: arrow_unavailable.is_none().then(FingerprintBuilder::new),
            raw: raw_unavailable.is_none().then(FingerprintBuilder::new),
            against: Some(FingerprintBuilder::new()),
            arrow_error: arrow_unavailable.clone(),
            raw_error: raw_unavailable.clone(),
            counts: KindCounts::default(),
            profile: Profile::default(),
            page_starts: Vec::new(),
            rows: 0,
            nulls: 0,
            times: PhaseTimes::default(),
            raw_only_parts: 0,
        })
        .collect();
    let mut listed: Vec<Mismatch> = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    let row_groups: Vec<usize> = (0..facts.row_group_rows.len()).collect();

    for window in row_groups.chunks(options.window.max(1)) {
        // Columns that already failed on a path are not decoded again on it.
        let skip: Vec<(bool, bool)> = states
            .iter()
            .map(|s| (s.arrow_error.is_some(), s.raw_error.is_some()))
            .collect();
        let tasks: Vec<(usize, usize)> = window
            .iter()
            .flat_map(|&rg| (0..columns.len()).map(move |c| (rg, c)))
            .collect();
        let outputs: Vec<TaskOutput> = tasks
            .par_iter()
            .map(|&(rg, c)| {
                let output = run_task(
                    &columns[c],
                    rg,
                    row_group_starts[rg],
                    facts,
                    witnesses,
                    skip[c],
                    options,
                );
                progress.advance(facts.row_group_rows[rg]);
                output
            })
            .collect();
        let mut window_listed = Vec::new();
        for (&(_, c), output) in tasks.iter().zip(outputs) {
            let state = &mut states[c];
            merge_path(&mut state.arrow, &mut state.arrow_error, output.arrow, None);
            let raw_rows = merge_path(
                &mut state.raw,
                &mut state.raw_error,
                output.raw,
                Some(&mut state.nulls),
            );
            state.rows += raw_rows;
            match output.against {
                Some(against) => {
                    if let Some(builder) = &mut state.against {
                        builder.add(against.pieces, against.rows);
                    }
                }
                None => state.against = None,
            }
            state.profile.merge(output.page_profile);
            state.times += output.times;
            state.raw_only_parts += output.raw_only_parts;
            state.page_starts.extend(output.page_starts);
            if let Some(comparison) = output.comparison {
                state.counts.merge(&comparison.counts);
                state.profile.merge(comparison.profile);
                window_listed.extend(comparison.listed);
            }
            findings.extend(output.findings);
        }
        // Windows advance in row order, so sorting each window keeps the whole list ordered.
        window_listed.sort_by_key(|m| (m.row, columns.iter().position(|c| c.name == m.column)));
        let room = options.max_listed.saturating_sub(listed.len());
        listed.extend(window_listed.into_iter().take(room));
    }

    let total_rows: u64 = facts.row_group_rows.iter().sum();
    let mut column_reports = Vec::new();
    for (column, state) in columns.iter().zip(states) {
        let (report, finding) = column_report(
            column,
            state,
            total_rows,
            facts.writer(),
            options.timings,
            arrow_unavailable.is_some() || raw_unavailable.is_some(),
        );
        column_reports.push(report);
        findings.extend(finding);
    }
    let mismatch_total: u64 = column_reports.iter().map(|c| c.mismatches).sum();
    FileReport {
        path: path.to_owned(),
        rows: total_rows,
        row_groups: facts.row_group_rows.len(),
        row_group_starts,
        created_by: facts.created_by.clone(),
        selection,
        columns: column_reports,
        mismatches_truncated: mismatch_total > listed.len() as u64,
        mismatches: listed,
        findings,
        error: None,
        timings: None,
    }
}

/// Folds one task's output of a path into the column's state; returns the rows it covered.
fn merge_path(
    builder: &mut Option<FingerprintBuilder>,
    error: &mut Option<DecodeError>,
    output: Result<PathOutput, DecodeError>,
    nulls: Option<&mut u64>,
) -> u64 {
    match output {
        Ok(output) => {
            if let Some(builder) = builder {
                builder.add(output.pieces, output.rows);
            }
            if let Some(nulls) = nulls {
                *nulls += output.nulls;
            }
            output.rows
        }
        Err(e) => {
            builder.take();
            error.get_or_insert(e);
            0
        }
    }
}

/// Takes the next window from a decoder still in the run; a decoding error takes it out of
/// the run for the rest of the chunk, keeping the error.
fn next_window(
    windows: &mut Result<Box<dyn ChunkWindows + '_>, DecodeError>,
    rows: WindowRows,
) -> Option<DecodedChunk> {
    let decoder = windows.as_mut().ok()?;
    match decoder.next_window(rows) {
        Ok(window) => window,
        Err(e) => {
            *windows = Err(e);
            None
        }
    }
}

impl PathOutput {
    /// Nothing yet of a chunk whose first row is file row `first_row`.
    fn empty(first_row: u64) -> Self {
        Self {
            rows: 0,
            nulls: 0,
            pieces: Vec::new(),
            first_row,
        }
    }

    /// Counts a window whose fingerprint pieces are `pieces`.
    fn add(&mut self, slice: &ColumnSlice, pieces: Vec<BlockPiece>) {
        self.rows += slice.rows as u64;
        self.nulls += slice.null_rows() as u64;
        for piece in pieces {
            self.push(piece);
        }
    }

    /// Keeps the bytes of at most two partial blocks, whatever the windows: pieces of one
    /// block from consecutive windows are joined, and a block that started in this chunk is
    /// hashed as soon as a later block begins. Only the chunk's first block (which may have
    /// begun in the previous row group) and its last (which may go on in the next) wait for
    /// the column's builder as bytes; kept per window, the bytes of every window's edge
    /// blocks added up to the chunk's size.
    fn push(&mut self, piece: BlockPiece) {
        let block_of = |piece: &BlockPiece| match piece {
            BlockPiece::Whole { block, .. } | BlockPiece::Partial { block, .. } => *block,
        };
        let next = block_of(&piece);
        if let Some(BlockPiece::Partial { block, bytes }) = self.pieces.last_mut() {
            match &piece {
                BlockPiece::Partial { bytes: more, .. } if *block == next => {
                    bytes.extend_from_slice(more);
                    return;
                }
                _ if *block < next && *block * BLOCK_ROWS >= self.first_row => {
                    let whole = BlockPiece::Whole {
                        block: *block,
                        digest: *blake3::hash(bytes).as_bytes(),
                    };
                    *self.pieces.last_mut().expect("a last piece") = whole;
                }
                _ => {}
            }
        }
        self.pieces.push(piece);
    }
}

/// Decodes, compares and fingerprints one column chunk a window of rows at a time, so that
/// memory follows the window whatever the row group's size. The raw path leads: it ends a
/// window at a page boundary, the other witnesses read as many rows, and it decodes the next
/// window while the arrow path decodes the current one.
fn run_task(
    column: &CheckedColumn,
    row_group: usize,
    first_row: u64,
    facts: &FileFacts,
    Witnesses {
        arrow,
        raw,
        against,
        screen,
    }: Witnesses<'_>,
    (skip_arrow, skip_raw): (bool, bool),
    options: &CheckOptions,
) -> TaskOutput {
    let skipped = || {
        Err(DecodeError::Failed(
            "skipped after an earlier failure".into(),
        ))
    };
    let leaf = column.leaf;
    let group_rows = facts.row_group_rows[row_group];
    let window_rows = options.window_rows.max(1);
    let mut times = PhaseTimes::default();
    let ((mut arrow_windows, arrow_seconds), (mut raw_windows, raw_seconds)) = rayon::join(
        || {
            timed(|| {
                if skip_arrow {
                    return skipped();
                }
                // The arrow reader reads the pages the screen read, from the bytes where it
                // found them, and no further.
                match screen.map(|s| s.check(row_group, leaf)) {
                    Some(Err(refusal)) => Err(DecodeError::Screened(refusal.to_string())),
                    Some(Ok(Some(bytes))) => arrow.windows_in(row_group, leaf, bytes),
                    Some(Ok(None)) | None => arrow.windows(row_group, leaf),
                }
            })
        },
        || {
            timed(|| {
                if skip_raw {
                    skipped()
                } else {
                    raw.windows(row_group, leaf)
                }
            })
        },
    );
    (times.arrow, times.raw) = (arrow_seconds, raw_seconds);
    // A column the dump does not hold is simply not compared with it.
    let mut against_windows = against.and_then(|d| d.windows(row_group, leaf).ok());

    let mut arrow_out = PathOutput::empty(first_row);
    let mut raw_out = PathOutput::empty(first_row);
    let mut against_out = against_windows
        .as_ref()
        .map(|_| PathOutput::empty(first_row));
    let mut comparison: Option<ChunkComparison> = None;
    let mut witness = ChunkWitness::new(column, row_group);
    let mut pages: Vec<PageInfo> = Vec::new();
    let mut findings = Vec::new();
    let mut beyond_arrow = 0;
    let mut window_start = 0usize;

    let (mut raw_next, seconds) =
        timed(|| next_window(&mut raw_windows, WindowRows::About(window_rows)));
    times.raw += seconds;
    loop {
        let mut raw_window = raw_next.take();
        let rows = raw_window.as_ref().map_or(window_rows, |w| w.slice.rows);
        let raw_running = raw_window.is_some();
        let ((arrow_window, arrow_seconds), (following, raw_seconds)) = rayon::join(
            || timed(|| next_window(&mut arrow_windows, WindowRows::Exactly(rows))),
            || {
                timed(|| {
                    raw_running
                        .then(|| next_window(&mut raw_windows, WindowRows::About(window_rows)))
                        .flatten()
                })
            },
        );
        raw_next = following;
        let (against_window, against_seconds) = timed(|| {
            against_windows
                .as_mut()
                .and_then(|w| w.next_window(WindowRows::Exactly(rows)).ok().flatten())
        });
        times.against += against_seconds;
        if raw_window.is_none() && arrow_window.is_none() && against_window.is_none() {
            // The last attempt's seconds count too: a decoder may fail after a long search.
            times.arrow += arrow_seconds;
            times.raw += raw_seconds;
            break;
        }
        let (mut arrow_window, canonical_seconds) = timed(|| {
            arrow_window.map(|mut w| {
                apply(column.canonical, &mut w.slice);
                w
            })
        });
        times.arrow += arrow_seconds + canonical_seconds;
        // A canonical form that drops part of the value is compared, but the stored value
        // is what the raw path fingerprints (the arrow path cannot give it whole).
        let raw_stored = raw_window
            .as_ref()
            .filter(|_| column.canonical.drops_part())
            .map(|w| w.slice.clone());
        let (beyond, canonical_seconds) = timed(|| match &mut raw_window {
            Some(w) => apply(column.canonical, &mut w.slice),
            None => 0,
        });
        beyond_arrow += beyond;
        times.raw += raw_seconds + canonical_seconds;

        let metadata_started = Instant::now();
        if let Some(window) = &mut raw_window {
            witness.observe(window);
            findings.extend(page_findings(
                column,
                row_group,
                &window.pages,
                facts.writer(),
            ));
            pages.append(&mut window.pages);
            settle_placeholder_crcs(&mut pages);
        }
        times.metadata += metadata_started.elapsed().as_secs_f64();

        let empty = ColumnSlice::empty(column.physical, 0);
        let (arrow_slice, raw_slice) = (
            arrow_window.take().map(|w| w.slice),
            raw_window.take().map(|w| w.slice),
        );
        let against_slice = against_window.map(|w| w.slice);
        let window_comparison;
        (window_comparison, times.compare) = timed(|| {
            let listed = comparison.as_ref().map_or(0, |c| c.listed.len());
            compare_chunk(
                ChunkPosition {
                    column: &column.name,
                    row_group,
                    first_row,
                    window_start,
                    group_rows: group_rows as usize,
                    writer: facts.writer(),
                },
                column.style,
                arrow_slice.as_ref().unwrap_or(&empty),
                raw_slice.as_ref().unwrap_or(&empty),
                against_slice.as_ref().map(|slice| DumpSlice {
                    slice,
                    origin: options
                        .against
                        .as_ref()
                        .map_or(DumpOrigin::Unstated, |dump| dump.origin),
                }),
                &pages,
                options.max_listed.saturating_sub(listed),
            )
        });
        let window_first_row = first_row + window_start as u64;
        let identical = window_comparison.paths_identical
            && arrow_slice.is_some()
            && raw_slice.is_some()
            && raw_stored.is_none();
        let fingerprint_started = Instant::now();
        if identical {
            let (a, r) = (arrow_slice.unwrap(), raw_slice.unwrap());
            let pieces = hash_slice(&a, window_first_row);
            raw_out.add(&r, pieces.clone());
            arrow_out.add(&a, pieces);
        } else {
            let hash = |slice: &Option<ColumnSlice>| {
                slice
                    .as_ref()
                    .map(|s| hash_slice(s, window_first_row))
                    .unwrap_or_default()
            };
            let raw_hashed = if raw_stored.is_some() {
                &raw_stored
            } else {
                &raw_slice
            };
            let (arrow_pieces, raw_pieces) =
                rayon::join(|| hash(&arrow_slice), || hash(raw_hashed));
            if let Some(a) = &arrow_slice {
                arrow_out.add(a, arrow_pieces);
            }
            if let Some(r) = &raw_slice {
                raw_out.add(r, raw_pieces);
            }
        }
        if let (Some(out), Some(d)) = (&mut against_out, &against_slice) {
            out.add(d, hash_slice(d, window_first_row));
        }
        times.fingerprint += fingerprint_started.elapsed().as_secs_f64();
        window_start += rows;
        match &mut comparison {
            Some(total) => total.merge(window_comparison),
            None => comparison = Some(window_comparison),
        }
    }

    let metadata_started = Instant::now();
    findings.splice(0..0, witness.finish());
    findings.extend(crc_findings(column, row_group, &pages));
    if raw_windows.is_ok() && raw_out.rows != group_rows {
        findings.push(Finding::about_column(
            FindingKind::Stats,
            &column.name,
            Some(row_group),
            format!(
                "column {:?}, row group {row_group}: the row group declares num_rows {group_rows}, its column chunk holds {} rows",
                column.name, raw_out.rows
            ),
        ));
    }
    let raw_only_parts = if column.canonical.drops_part() {
        std::mem::take(&mut beyond_arrow) as u64
    } else {
        0
    };
    if beyond_arrow > 0 {
        findings.push(Finding::about_column(
            FindingKind::Lossy,
            &column.name,
            Some(row_group),
            format!(
                "{beyond_arrow} INT96 timestamps in row group {row_group} lie outside the range of 64-bit nanoseconds (years 1677 to 2262); readers that convert them, the arrow reader among them, wrap them, and they are compared as wrapped"
            ),
        ));
    }
    let mut page_profile = Profile::default();
    let mut page_starts = Vec::new();
    if raw_windows.is_ok() {
        page_profile.count_pages(&pages);
        page_starts.extend(
            pages
                .iter()
                .filter(|p| p.rows > 0)
                .map(|p| first_row + p.first_row as u64),
        );
    }
    times.metadata += metadata_started.elapsed().as_secs_f64();
    // Rows compared while both paths still decoded mean nothing once one of them failed.
    let comparison = comparison.filter(|_| arrow_windows.is_ok() && raw_windows.is_ok());
    TaskOutput {
        arrow: arrow_windows.map(|_| arrow_out),
        raw: raw_windows.map(|_| raw_out),
        against: against_out,
        page_profile,
        page_starts,
        comparison,
        findings,
        times,
        raw_only_parts,
    }
}

/// Findings about the pages of a chunk: anomalies that did not stop their decoding. An
/// anomaly that a published bug of the file's writer (`created_by`) leaves is blamed on that
/// writer.
fn page_findings(
    column: &CheckedColumn,
    row_group: usize,
    pages: &[PageInfo],
    writer: Writer<'_>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for page in pages {
        for anomaly in &page.anomalies {
            let blamed = crate::advisories::symptom_of(anomaly, page, column.list)
                .and_then(|symptom| WriterBlame::known(writer, symptom));
            let blame = blamed
                .as_ref()
                .map_or_else(String::new, |w| format!("; {w}"));
            findings.push(Finding {
                kind: match anomaly {
                    PageAnomaly::NumRows { .. } | PageAnomaly::NumNulls { .. } => {
                        FindingKind::Stats
                    }
                    PageAnomaly::TrailingBytes { .. } => FindingKind::Page,
                    PageAnomaly::ChunkTail { .. } | PageAnomaly::Quirk { .. } => FindingKind::Quirk,
                    // A published writer bug, worked around: nothing is wrong with the labels.
                    PageAnomaly::DecompressedDespiteFlag => FindingKind::Advisory,
                },
                column: Some(column.name.clone()),
                row_group: Some(row_group),
                page: Some(page.index),
                page_offset: Some(page.offset),
                message: format!(
                    "page {} at byte {}: {anomaly}{blame}",
                    page.index, page.offset
                ),
                errors: None,
                omitted: None,
                writer: blamed,
            });
        }
    }
    findings
}

/// True when the pages read carry CRCs and every one of them stores 0 without matching its
/// page (once [`settle_placeholder_crcs`] ran, such a page reads as unchecked).
fn is_crc_placeholder(pages: &[PageInfo]) -> bool {
    let mut checked = pages.iter().filter(|p| p.crc.is_some()).peekable();
    checked.peek().is_some() && checked.all(|p| p.crc == Some(0) && p.crc_ok != Some(true))
}

/// While the pages read so far look like a placeholder chunk ([`is_crc_placeholder`]), their
/// failing zero CRCs are read as no CRC, so the diagnosis does not blame a mismatch on them
/// on bytes changed at rest; once a real CRC shows it is not one, they count as failing again.
fn settle_placeholder_crcs(pages: &mut [PageInfo]) {
    if pages.iter().all(|p| p.crc != Some(0)) {
        return;
    }
    let placeholder = is_crc_placeholder(pages);
    for page in pages.iter_mut().filter(|p| p.crc == Some(0)) {
        match (placeholder, page.crc_ok) {
            (true, Some(false)) => page.crc_ok = None,
            (false, None) => page.crc_ok = Some(false),
            _ => {}
        }
    }
}

/// Findings about the checksums of a chunk's pages, once all its pages are read: one `crc`
/// finding per page whose CRC does not match, unless every page carrying a CRC stores 0 and
/// none matches — a writer's placeholder (Parquet.jl stores 0), one `quirk` note for the chunk.
/// A single 0 among real checksums is not a placeholder: it is a page that changed.
fn crc_findings(column: &CheckedColumn, row_group: usize, pages: &[PageInfo]) -> Vec<Finding> {
    let finding = |kind, page: Option<&PageInfo>, message| Finding {
        page: page.map(|p| p.index),
        page_offset: page.map(|p| p.offset),
        ..Finding::about_column(kind, &column.name, Some(row_group), message)
    };
    if is_crc_placeholder(pages) {
        return vec![finding(
            FindingKind::Quirk,
            None,
            format!(
                "column {:?}, row group {row_group}: {}",
                column.name,
                Quirk::CrcPlaceholder
            ),
        )];
    }
    pages
        .iter()
        .filter(|p| p.crc_ok == Some(false))
        .map(|page| {
            finding(
                FindingKind::Crc,
                Some(page),
                format!(
                    "page {} at byte {} fails its CRC32 check: its bytes changed after they were written",
                    page.index, page.offset
                ),
            )
        })
        .collect()
}

fn column_report(
    column: &CheckedColumn,
    state: ColumnState,
    total_rows: u64,
    writer: Writer<'_>,
    timings: bool,
    path_unopened: bool,
) -> (ColumnReport, Option<Finding>) {
    // Where the arrow reader cannot return part of each value, its fingerprint would be of
    // something else than the stored values: the column's digest is the raw path's alone.
    let raw_only_part = column.canonical.dropped_part();
    let arrow_decoded = state.arrow.is_some();
    let arrow_fp = state
        .arrow
        .filter(|_| raw_only_part.is_none())
        .map(FingerprintBuilder::finish);
    let raw_fp = state.raw.map(FingerprintBuilder::finish);
    let against_fp = state.against.map(FingerprintBuilder::finish);
    let mut differing_blocks = Vec::new();
    if let (Some(a), Some(r)) = (&arrow_fp, &raw_fp) {
        for block in 0..a.blocks.len().max(r.blocks.len()) {
            let (x, y) = (a.blocks.get(block), r.blocks.get(block));
            if x != y {
                differing_blocks.push(BlockDifference {
                    block: block as u64,
                    first_row: block as u64 * BLOCK_ROWS,
                    arrow: x.map(to_hex),
                    raw: y.map(to_hex),
                });
            }
        }
    }
    // A chunk the screen refused was never given to the arrow reader: the error says so,
    // not that the arrow path failed.
    let describe = |path: PathName, e: &DecodeError| match e {
        DecodeError::Screened(_) => format!("{e} (the {path} reader never saw it)"),
        _ => format!("{path} path: {e}"),
    };
    let (status, error, finding) = match (&state.arrow_error, &state.raw_error) {
        (None, None) if state.counts.total() > 0 => (ColumnStatus::Mismatch, None, None),
        (None, None) if raw_only_part.is_some() => {
            let (values, part, rest) = raw_only_part.unwrap_or_default();
            let note = format!(
                "the arrow reader returns {values} without their {part}: both decoders agree on the {rest}, and the {part} were checked by the raw path alone ({} values have non-zero {part}); the digest is the raw path's",
                state.raw_only_parts
            );
            let finding = Finding::about_column(
                FindingKind::Lossy,
                &column.name,
                None,
                format!("column {:?}: {note}", column.name),
            );
            (
                ColumnStatus::Partial,
                Some(format!("arrow path: {note}")),
                Some(finding),
            )
        }
        (None, None) => (ColumnStatus::Agree, None, None),
        (Some(e), None) | (None, Some(e)) if e.is_unsupported() => {
            let path = if state.arrow_error.is_some() {
                PathName::Arrow
            } else {
                PathName::Raw
            };
            (ColumnStatus::Unsupported, Some(describe(path, e)), None)
        }
        (Some(a), Some(r)) if a.is_unsupported() && r.is_unsupported() => (
            ColumnStatus::Unsupported,
            Some(format!(
                "{}; {}",
                describe(PathName::Arrow, a),
                describe(PathName::Raw, r)
            )),
            None,
        ),
        (Some(a), Some(r)) => (
            ColumnStatus::Unreadable,
            Some(format!(
                "{}; {}",
                describe(PathName::Arrow, a),
                describe(PathName::Raw, r)
            )),
            None,
        ),
        (arrow_error, raw_error) => {
            let (failed, other, e) = match (arrow_error, raw_error) {
                (Some(e), _) => (PathName::Arrow, PathName::Raw, e),
                (_, Some(e)) => (PathName::Raw, PathName::Arrow, e),
                _ => unreachable!("one path failed"),
            };
            let (kind, message) = match e {
                DecodeError::Screened(_) => (
                    FindingKind::Screen,
                    format!("the pre-flight screen refused column {:?} before the {failed} reader saw it; the {other} path decoded it alone", column.name),
                ),
                _ => (
                    FindingKind::PathFailure,
                    format!("the {failed} path failed to decode column {:?} where the {other} path decoded it", column.name),
                ),
            };
            // A decoder that could not open the file is one finding about the file, not
            // one per column.
            let finding = (!path_unopened).then(|| Finding {
                errors: Some(PathErrors {
                    arrow: arrow_error.as_ref().map(|e| e.to_string()),
                    raw: raw_error.as_ref().map(|e| e.to_string()),
                }),
                ..Finding::about_column(kind, &column.name, None, message)
            });
            (ColumnStatus::PathFailed, Some(describe(failed, e)), finding)
        }
    };
    let checked_by = [
        (PathName::Arrow, arrow_decoded),
        (PathName::Raw, raw_fp.is_some()),
        (PathName::Against, against_fp.is_some()),
    ]
    .into_iter()
    .filter_map(|(path, decoded)| decoded.then_some(path))
    .collect();
    let report = ColumnReport {
        column: column.name.clone(),
        checked_by,
        path: column.path.clone(),
        physical_type: column.physical.name().to_owned(),
        logical_type: column.logical_type.clone(),
        rows: if state.raw_error.is_none() {
            state.rows
        } else {
            total_rows
        },
        nulls: state.nulls,
        digests: Digests {
            arrow: arrow_fp.as_ref().map(|f| f.hex()),
            raw: raw_fp.as_ref().map(|f| f.hex()),
            against: against_fp.as_ref().map(|f| f.hex()),
        },
        differing_blocks,
        mismatches: state.counts.total(),
        diagnosis: explain(&state.profile, writer),
        page_starts: state.page_starts,
        mismatch_kinds: state.counts,
        mismatch_blocks: Vec::new(),
        status,
        error,
        timings: timings.then_some(state.times),
    };
    (report, finding)
}

impl FileReport {
    /// The report of a file that could not be checked at all.
    pub fn failed(path: &str, error: String) -> Self {
        Self {
            error: Some(error),
            ..Self::with_finding(path, None)
        }
    }

    /// The report of a file whose check stopped at one finding (or none).
    fn with_finding(path: &str, finding: impl Into<Option<Finding>>) -> Self {
        Self {
            path: path.to_owned(),
            rows: 0,
            row_groups: 0,
            row_group_starts: Vec::new(),
            created_by: None,
            selection: Selection::Named,
            columns: Vec::new(),
            mismatches: Vec::new(),
            mismatches_truncated: false,
            findings: finding.into().into_iter().collect(),
            error: None,
            timings: None,
        }
    }
}
