//! Checking one file: open it through both paths, choose columns, then decode, compare and
//! fingerprint every (column, row group) in parallel, a window of row groups at a time so
//! memory stays bounded by a few row groups of the label columns.

use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::against::{AgainstOptions, Dump};
use crate::arrow_path::ArrowFile;
use parquet::errors::ParquetError;

use crate::canonical::apply;
use crate::columns::{choose, CheckedColumn, ColumnChoice};
use crate::compare::{compare_chunk, ChunkComparison, ChunkPosition};
use crate::decode::{ColumnDecoder, DecodeError, DecodedChunk, PathName};
use crate::diagnosis::{explain, Profile};
use crate::dump::{self, Record};
use crate::fingerprint::{hash_slice, to_hex, BlockPiece, FingerprintBuilder, BLOCK_ROWS};
use crate::raw::column::{DecodeOptions, PageAnomaly};
use crate::raw::error::RawError;
use crate::raw::RawFile;
use crate::report::{
    BlockDifference, ColumnReport, ColumnStatus, Digests, FileReport, Finding, FindingKind,
    KindCounts, Mismatch, PathErrors, Selection,
};
use crate::source::ByteSource;
use crate::timings::{timed, FileTimes, PhaseTimes};

/// What to check and how.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Which columns.
    pub columns: ColumnChoice,
    /// Most mismatches listed per file (all are counted).
    pub max_listed: usize,
    /// Raw decoder options.
    pub decode: DecodeOptions,
    /// Row groups decoded at once; bounds memory.
    pub window: usize,
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
    let raw = RawFile::open(source.clone(), options.decode);
    // The parquet crate's Thrift reader can spin for seconds on a malformed list
    // (docs/RELIABILITY.md, "Fuzzing"): a footer ours finds malformed is not handed to it.
    let arrow = match &raw {
        Err(RawError::MalformedFooter(_)) => Err(ParquetError::General(
            "not tried: the footer's Thrift is malformed".into(),
        )),
        _ => ArrowFile::open(source)
            .map(|file| file.with_max_page_bytes(options.decode.max_page_bytes)),
    };
    let (raw, arrow) = match (raw, arrow) {
        (Ok(raw), Ok(arrow)) => (raw, arrow),
        (Err(raw_error), Err(arrow_error)) => {
            return FileReport::failed(path, format!("{raw_error} (arrow reader: {arrow_error})"))
        }
        (raw, arrow) => {
            let errors = PathErrors {
                arrow: arrow.err().map(|e| e.to_string()),
                raw: raw.err().map(|e| e.to_string()),
            };
            let (failed, other) = if errors.raw.is_some() {
                ("raw", "arrow")
            } else {
                ("arrow", "raw")
            };
            let mut finding = Finding::about_file(
                FindingKind::PathFailure,
                format!("the {failed} path could not read the footer, the {other} path could"),
            );
            finding.errors = Some(errors);
            return FileReport::with_finding(path, finding);
        }
    };
    let metadata = raw.metadata();
    if arrow.num_row_groups() != metadata.row_groups.len() {
        let finding = Finding::about_file(
            FindingKind::PathFailure,
            format!(
                "the paths read different footers: {} row groups (arrow) vs {} (raw)",
                arrow.num_row_groups(),
                metadata.row_groups.len()
            ),
        );
        return FileReport::with_finding(path, finding);
    }
    let facts = FileFacts {
        row_group_rows: metadata
            .row_groups
            .iter()
            .map(|rg| rg.num_rows.max(0) as u64)
            .collect(),
        created_by: metadata.created_by.clone(),
    };
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
    let mut findings: Vec<Finding> = footer_finding.into_iter().collect();
    let dump_records = match &options.against {
        Some(against) => match read_dump(against) {
            Ok(records) => Some(records),
            Err(message) => {
                findings.push(Finding::about_file(FindingKind::Against, message));
                None
            }
        },
        None => None,
    };
    // With a dump and no columns named, the dump's columns (those the file has; the dump
    // reports the others) are the ones to check.
    let choice = match (
        &options.columns,
        dump_records.as_ref().and_then(|r| r.first()),
    ) {
        (ColumnChoice::Labels, Some(header)) => ColumnChoice::Named(
            header
                .fields
                .iter()
                .map(|f| f.text.clone())
                .filter(|name| {
                    name != "row"
                        && choose(raw.leaves(), &ColumnChoice::Named(vec![name.clone()])).is_ok()
                })
                .collect(),
        ),
        (choice, _) => choice.clone(),
    };
    let (columns, selection) = match choose(raw.leaves(), &choice) {
        Ok(chosen) => chosen,
        Err(error) => return FileReport::failed(path, error.to_string()),
    };
    findings.extend(crate::advisories::check(
        facts.created_by.as_deref(),
        &columns,
    ));
    let dump = match (&options.against, &dump_records) {
        (Some(against), Some(records)) => {
            let (dump, problems) = Dump::load(records, against, &columns, &facts.row_group_rows);
            findings.extend(problems);
            Some(dump)
        }
        _ => None,
    };
    let total: u64 = facts.row_group_rows.iter().sum::<u64>() * columns.len() as u64;
    let opened = started.elapsed().as_secs_f64();
    let progress = progress(total);
    let witnesses = Witnesses {
        arrow: &arrow,
        raw: &raw,
        against: dump.as_ref().map(|d| d as &dyn ColumnDecoder),
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
    if options.timings {
        report.timings = Some(FileTimes {
            open: opened,
            check: started.elapsed().as_secs_f64() - opened,
        });
    }
    report
}

/// Reads and splits the dump; an error is one line naming the dump.
fn read_dump(against: &AgainstOptions) -> Result<Vec<Record>, String> {
    let bytes = std::fs::read(&against.path)
        .map_err(|e| format!("{}: cannot read the dump: {e}", against.path))?;
    let records = dump::parse(&bytes)
        .map_err(|e| format!("{}: {e}; the dump is not compared", against.path))?;
    if records.is_empty() {
        return Err(format!(
            "{}: the dump is empty; it is not compared",
            against.path
        ));
    }
    Ok(records)
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
}

/// What one path produced for a task, once its values are compared and hashed.
struct PathOutput {
    rows: u64,
    nulls: u64,
    pieces: Vec<BlockPiece>,
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
    let mut states: Vec<ColumnState> = columns
        .iter()
        .map(|_| ColumnState {
            arrow: Some(FingerprintBuilder::new()),
            raw: Some(FingerprintBuilder::new()),
            against: Some(FingerprintBuilder::new()),
            arrow_error: None,
            raw_error: None,
            counts: KindCounts::default(),
            profile: Profile::default(),
            page_starts: Vec::new(),
            rows: 0,
            nulls: 0,
            times: PhaseTimes::default(),
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
                    facts.row_group_rows[rg],
                    witnesses,
                    skip[c],
                    options.max_listed,
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
        let (report, finding) = column_report(column, state, total_rows, options.timings);
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

fn run_task(
    column: &CheckedColumn,
    row_group: usize,
    first_row: u64,
    group_rows: u64,
    Witnesses {
        arrow,
        raw,
        against,
    }: Witnesses<'_>,
    (skip_arrow, skip_raw): (bool, bool),
    max_listed: usize,
) -> TaskOutput {
    let skipped = || {
        Err(DecodeError::Failed(
            "skipped after an earlier failure".into(),
        ))
    };
    let mut times = PhaseTimes::default();
    let ((arrow_chunk, arrow_seconds), (mut raw_chunk, raw_seconds)) = rayon::join(
        || {
            timed(|| {
                if skip_arrow {
                    return skipped();
                }
                let mut chunk = arrow.decode(row_group, column.leaf);
                if let Ok(chunk) = &mut chunk {
                    apply(column.canonical, &mut chunk.slice);
                }
                chunk
            })
        },
        || {
            timed(|| {
                if skip_raw {
                    skipped()
                } else {
                    raw.decode(row_group, column.leaf)
                }
            })
        },
    );
    times.arrow = arrow_seconds;
    let (beyond_arrow, canonical_seconds) = timed(|| match &mut raw_chunk {
        Ok(chunk) => apply(column.canonical, &mut chunk.slice),
        Err(_) => 0,
    });
    times.raw = raw_seconds + canonical_seconds;
    // A column the dump does not hold is simply not compared with it.
    let against_chunk;
    (against_chunk, times.against) =
        timed(|| against.and_then(|d| d.decode(row_group, column.leaf).ok()));
    let comparison;
    (comparison, times.compare) = timed(|| match (&arrow_chunk, &raw_chunk) {
        (Ok(a), Ok(r)) => Some(compare_chunk(
            ChunkPosition {
                column: &column.name,
                row_group,
                first_row,
            },
            column.style,
            &a.slice,
            &r.slice,
            against_chunk.as_ref().map(|d| &d.slice),
            &r.pages,
            max_listed,
        )),
        _ => None,
    });
    let metadata_started = Instant::now();
    let mut findings = Vec::new();
    if let Ok(chunk) = &raw_chunk {
        findings.extend(crate::witness::check(column, row_group, chunk));
        for page in &chunk.pages {
            for anomaly in &page.anomalies {
                findings.push(Finding {
                    kind: match anomaly {
                        PageAnomaly::NumRows { .. } | PageAnomaly::NumNulls { .. } => {
                            FindingKind::Stats
                        }
                        PageAnomaly::TrailingBytes { .. } | PageAnomaly::ChunkTail { .. } => {
                            FindingKind::Page
                        }
                    },
                    column: Some(column.name.clone()),
                    row_group: Some(row_group),
                    page: Some(page.index),
                    page_offset: Some(page.offset),
                    message: format!("page {} at byte {}: {anomaly}", page.index, page.offset),
                    errors: None,
                });
            }
        }
        for page in chunk.pages.iter().filter(|p| p.crc_ok == Some(false)) {
            findings.push(Finding {
                kind: FindingKind::Crc,
                column: Some(column.name.clone()),
                row_group: Some(row_group),
                page: Some(page.index),
                page_offset: Some(page.offset),
                message: format!(
                    "page {} at byte {} fails its CRC32 check: its bytes changed after they were written",
                    page.index, page.offset
                ),
                errors: None,
            });
        }
    }
    if let Ok(chunk) = &raw_chunk {
        let declared = group_rows;
        if chunk.slice.rows as u64 != declared {
            findings.push(Finding {
                kind: FindingKind::Stats,
                column: Some(column.name.clone()),
                row_group: Some(row_group),
                page: None,
                page_offset: None,
                message: format!(
                    "column {:?}, row group {row_group}: the row group declares num_rows {declared}, its column chunk holds {} rows",
                    column.name, chunk.slice.rows
                ),
                errors: None,
            });
        }
    }
    if beyond_arrow > 0 {
        findings.push(Finding {
            kind: FindingKind::Lossy,
            column: Some(column.name.clone()),
            row_group: Some(row_group),
            page: None,
            page_offset: None,
            message: format!(
                "{beyond_arrow} INT96 timestamps in row group {row_group} lie outside the range of 64-bit nanoseconds (years 1677 to 2262); readers that convert them, the arrow reader among them, wrap them, and they are compared as wrapped"
            ),
            errors: None,
        });
    }
    let finish = |chunk: Result<DecodedChunk, DecodeError>| {
        chunk.map(|c| PathOutput {
            rows: c.slice.rows as u64,
            nulls: c.slice.null_rows() as u64,
            pieces: hash_slice(&c.slice, first_row),
        })
    };
    let mut page_profile = Profile::default();
    let mut page_starts = Vec::new();
    if let Ok(chunk) = &raw_chunk {
        page_profile.count_pages(&chunk.pages);
        page_starts.extend(
            chunk
                .pages
                .iter()
                .filter(|p| p.rows > 0)
                .map(|p| first_row + p.first_row as u64),
        );
    }
    times.metadata = metadata_started.elapsed().as_secs_f64();
    // Identical slices have identical fingerprints, so they are hashed once; a chunk where
    // the paths differ anywhere is hashed on each.
    let identical = comparison.as_ref().is_some_and(|c| c.paths_identical);
    let ((arrow, arrow_seconds), (raw, raw_seconds)) = if identical {
        let (arrow, seconds) = timed(|| finish(arrow_chunk));
        let raw = match (&arrow, raw_chunk) {
            (Ok(hashed), Ok(chunk)) => Ok(PathOutput {
                rows: chunk.slice.rows as u64,
                nulls: chunk.slice.null_rows() as u64,
                pieces: hashed.pieces.clone(),
            }),
            (_, chunk) => finish(chunk),
        };
        ((arrow, seconds), (raw, 0.0))
    } else {
        rayon::join(
            || timed(|| finish(arrow_chunk)),
            || timed(|| finish(raw_chunk)),
        )
    };
    let (against, against_seconds) =
        timed(|| against_chunk.and_then(|chunk| finish(Ok(chunk)).ok()));
    times.fingerprint = arrow_seconds + raw_seconds + against_seconds;
    TaskOutput {
        arrow,
        raw,
        against,
        page_profile,
        page_starts,
        comparison,
        findings,
        times,
    }
}

fn column_report(
    column: &CheckedColumn,
    state: ColumnState,
    total_rows: u64,
    timings: bool,
) -> (ColumnReport, Option<Finding>) {
    let arrow_fp = state.arrow.map(FingerprintBuilder::finish);
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
    let describe = |path: PathName, e: &DecodeError| format!("{path} path: {e}");
    let (status, error, finding) = match (&state.arrow_error, &state.raw_error) {
        (None, None) if state.counts.total() > 0 => (ColumnStatus::Mismatch, None, None),
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
            let finding = Finding {
                kind: FindingKind::PathFailure,
                column: Some(column.name.clone()),
                row_group: None,
                page: None,
                page_offset: None,
                message: format!("the {failed} path failed to decode column {:?} where the {other} path decoded it", column.name),
                errors: Some(PathErrors {
                    arrow: arrow_error.as_ref().map(|e| e.to_string()),
                    raw: raw_error.as_ref().map(|e| e.to_string()),
                }),
            };
            (
                ColumnStatus::PathFailed,
                Some(describe(failed, e)),
                Some(finding),
            )
        }
    };
    let report = ColumnReport {
        column: column.name.clone(),
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
        diagnosis: explain(&state.profile),
        page_starts: state.page_starts,
        mismatch_kinds: state.counts,
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
