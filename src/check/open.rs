//! Stage 1, open: the file through both decoders (a footer one of them cannot read degrades
//! the check, never stops it while the other can), the footer's facts, the columns to check
//! and the dump to compare with: what [`super::check_file`] makes the witness list of.

use std::sync::Arc;

use parquet::errors::ParquetError;

use super::CheckOptions;
use crate::advisories::Writer;
use crate::against::{Dump, DumpStream};
use crate::arrow_path::ArrowFile;
use crate::columns::{CheckedColumn, ColumnChoice, ColumnNames};
use crate::raw::error::RawError;
use crate::raw::metadata::FileMetaData;
use crate::raw::RawFile;
use crate::report::{FileReport, Finding, FindingKind, Selection};
use crate::source::{ByteSource, FooterPrefetch, Metered, Prefetched, ReadMeter};
use crate::version::OldVersion;
use crate::witness_list::{ByWitness, WitnessName};

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

/// What the open stage found: both decoders (the arrow reader, or why it could not open the
/// file), the footer's facts, the columns to check, the dump, and findings about the file.
pub(super) struct Opened {
    /// The raw path, which could read the footer.
    pub raw: RawFile,
    /// The arrow path, or why it could not open the file.
    pub arrow: Result<ArrowFile, ParquetError>,
    /// The footer's facts.
    pub facts: FileFacts,
    /// The columns to check.
    pub columns: Vec<CheckedColumn>,
    /// How they were chosen.
    pub selection: Selection,
    /// The dump to compare with, when one was given and could be read.
    pub dump: Option<Dump>,
    /// Findings about the file so far.
    pub findings: Vec<Finding>,
    /// Counts the reads of the file, both paths' and the screen's.
    pub reads: ReadMeter,
    /// The layer every reader of the file reads through, which serves the chunks the plan
    /// fetches ahead.
    pub chunks: Arc<Prefetched>,
    /// Counts the reads of the dump, when one was opened.
    pub dump_reads: Option<ReadMeter>,
    /// The old version to compare with, when one was given and could be opened.
    pub old: Option<OldVersion>,
}

/// Opens the file read from `source` (`path` names it in the report), or gives the report of
/// a file that stops here.
pub(super) fn open(
    path: &str,
    source: Arc<dyn ByteSource>,
    options: &CheckOptions,
) -> Result<Opened, Box<FileReport>> {
    // Every read of the file goes through one metered source, and the footer's bytes are
    // fetched once for both paths; each path parses them itself (`source::FooterPrefetch`).
    let metered = Metered::new(source);
    let reads = metered.meter();
    let prefetched = Arc::new(FooterPrefetch::open(
        Arc::new(metered),
        options.decode.max_footer_bytes,
    ));
    // Above it, the chunks the plan fetches ahead, served to every reader of the file
    // (`source::Prefetched`, `super::plan::FilePlan`).
    let chunks = Arc::new(Prefetched::new(prefetched.clone()));
    let source: Arc<dyn ByteSource> = chunks.clone();
    let raw = crate::advisories::open_raw(source.clone(), options.decode);
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
    prefetched.release();
    let raw = match (raw, &arrow) {
        (Ok(raw), _) => raw,
        (Err(raw_error), Err(arrow_error)) => {
            return Err(Box::new(FileReport::failed(
                path,
                format!("{raw_error} (arrow reader: {arrow_error})"),
            )))
        }
        (Err(raw_error), Ok(_)) => {
            // Columns are chosen and named from the raw path's schema, so without it there is
            // nothing to check them against: the file stops here, incomplete (exit 2).
            let mut finding = Finding::about_file(
                FindingKind::PathFailure,
                "the raw path could not read the footer, the arrow path could; no column was checked".into(),
            );
            finding.errors = Some(ByWitness::from_iter([
                (WitnessName::ARROW, None),
                (WitnessName::RAW, Some(raw_error.to_string())),
            ]));
            return Err(Box::new(FileReport::with_finding(path, finding)));
        }
    };
    let mut findings: Vec<Finding> = Vec::new();
    // Degrade per column, never per file: when the arrow reader cannot open the footer, every
    // column is still decoded by the raw path and reported as checked by it alone.
    if let Err(arrow_error) = &arrow {
        let mut finding = Finding::about_file(
                FindingKind::PathFailure,
                "the arrow path could not read the footer; every column was checked by the raw path alone".into(),
            );
        finding.errors = Some(ByWitness::from_iter([
            (WitnessName::ARROW, Some(arrow_error.to_string())),
            (WitnessName::RAW, None),
        ]));
        findings.push(finding);
    }
    let metadata = raw.metadata();
    if let Ok(opened) = &arrow {
        if opened.num_row_groups() != metadata.row_groups.len() {
            let finding = Finding::about_file(
                FindingKind::PathFailure,
                format!(
                    "the paths read different footers: {} row groups (arrow) vs {} (raw)",
                    opened.num_row_groups(),
                    metadata.row_groups.len()
                ),
            );
            return Err(Box::new(FileReport::with_finding(path, finding)));
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
    let old = options
        .old
        .as_ref()
        .and_then(|old| match OldVersion::open(old, options.decode) {
            Ok(opened) => Some(opened),
            Err(message) => {
                findings.push(Finding::about_file(FindingKind::Against, message));
                None
            }
        });
    let mut dump_reads = None;
    let dump_stream = match &options.against {
        Some(against) => match DumpStream::open(against) {
            Ok(stream) => {
                dump_reads = Some(stream.meter());
                Some(stream)
            }
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
        Err(error) => return Err(Box::new(FileReport::failed(path, error.to_string()))),
    };
    let has_bounds = |leaf: usize| {
        metadata.row_groups.iter().any(|group| {
            let statistics = group
                .columns
                .get(leaf)
                .and_then(|chunk| chunk.meta_data.as_ref())
                .and_then(|meta| meta.statistics.as_ref());
            statistics.is_some_and(|s| {
                (s.min.is_some() && s.max.is_some())
                    || (s.min_value.is_some() && s.max_value.is_some())
            })
        })
    };
    findings.extend(crate::advisories::check(
        facts.created_by.as_deref(),
        &columns,
        has_bounds,
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
    Ok(Opened {
        raw,
        arrow,
        facts,
        columns,
        selection,
        dump,
        findings,
        reads,
        chunks,
        dump_reads,
        old,
    })
}
