//! Stage 1, open: the file through both decoders (a footer one of them cannot read degrades
//! the check, never stops it while the other can), the footer's facts, the columns to check
//! and the dump to compare with; then the witness list, handed to the plan.

use std::sync::Arc;
use std::time::Instant;

use parquet::errors::ParquetError;

use super::{check_with, CheckOptions, FileToCheck, Progress, Witness};
use crate::advisories::{Symptom, Writer, WriterBlame};
use crate::against::{Dump, DumpStream};
use crate::arrow_path::ArrowFile;
use crate::columns::{ColumnChoice, ColumnNames};
use crate::decode::{ColumnDecoder, Unopened};
use crate::preflight::Screen;
use crate::raw::error::RawError;
use crate::raw::metadata::FileMetaData;
use crate::raw::RawFile;
use crate::report::{FileReport, Finding, FindingKind};
use crate::source::ByteSource;
use crate::timings::FileTimes;
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
            finding.errors = Some(ByWitness::from_iter([
                (WitnessName::ARROW, None),
                (WitnessName::RAW, Some(raw_error.to_string())),
            ]));
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
            finding.errors = Some(ByWitness::from_iter([
                (WitnessName::ARROW, Some(arrow_error.to_string())),
                (WitnessName::RAW, None),
            ]));
            findings.push(finding);
            unopened = Unopened {
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
    let mut witnesses = vec![Witness::arrow(arrow), Witness::raw(&raw)];
    if let (Some(dump), Some(against)) = (&dump, &options.against) {
        witnesses.push(Witness::dump(dump, against.origin));
    }
    let file = FileToCheck {
        path,
        facts: &facts,
        columns: &columns,
        selection,
        witnesses: &witnesses,
        screen: Some(&screen),
    };
    let mut report = check_with(&file, options, progress.as_ref());
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
