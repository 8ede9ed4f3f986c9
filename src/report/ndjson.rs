//! The NDJSON writer: one JSON object per line — each mismatch and finding tagged with
//! `"type"`, then one `"summary"` object, which is always last — so consumers can stream
//! records and stop at the summary (cargo's machine messages work the same way).

use std::io::{self, Write};

use serde::Serialize;

use crate::timings::FileTimes;

use super::{
    ColumnReport, FileReport, Finding, KeyedDiffSummary, Mismatch, Report, ReportWriter, Summary,
};

/// One line of the stream.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Line<'a> {
    Mismatch {
        file: &'a str,
        #[serde(flatten)]
        mismatch: &'a Mismatch,
    },
    Finding {
        file: &'a str,
        #[serde(flatten)]
        finding: &'a Finding,
    },
    File {
        path: &'a str,
        rows: u64,
        row_groups: usize,
        created_by: Option<&'a str>,
        columns: &'a [ColumnReport],
        mismatches_truncated: bool,
        error: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        timings: Option<FileTimes>,
        #[serde(skip_serializing_if = "Option::is_none")]
        keyed_diff: Option<&'a KeyedDiffSummary>,
    },
    Summary {
        schema_version: u32,
        #[serde(flatten)]
        summary: &'a Summary,
    },
}

/// Writes each file's records as soon as the file is checked (flushed, so a consumer sees
/// them), and the summary at the end.
#[derive(Debug, Default)]
pub struct Ndjson;

impl ReportWriter for Ndjson {
    fn file(&mut self, file: &FileReport, out: &mut dyn Write) -> io::Result<()> {
        write_file(file, out)?;
        out.flush()
    }

    fn finish(&mut self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        line(
            out,
            &Line::Summary {
                schema_version: report.schema_version,
                summary: &report.summary,
            },
        )
    }
}

fn line(out: &mut dyn Write, value: &Line<'_>) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

/// Writes one file's records: its mismatches, its findings, then its `file` record.
fn write_file(file: &FileReport, out: &mut dyn Write) -> io::Result<()> {
    let path = &file.path;
    for mismatch in &file.mismatches {
        line(
            out,
            &Line::Mismatch {
                file: path,
                mismatch,
            },
        )?;
    }
    for finding in &file.findings {
        line(
            out,
            &Line::Finding {
                file: path,
                finding,
            },
        )?;
    }
    line(
        out,
        &Line::File {
            path,
            rows: file.rows,
            row_groups: file.row_groups,
            created_by: file.created_by.as_deref(),
            columns: &file.columns,
            mismatches_truncated: file.mismatches_truncated,
            error: file.error.as_deref(),
            timings: file.timings,
            keyed_diff: file.keyed_diff.as_ref(),
        },
    )
}
