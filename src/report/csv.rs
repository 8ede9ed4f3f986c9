//! The CSV writer: one row per mismatch or finding, under a fixed header, for spreadsheets
//! and `xsv`.

use std::io::{self, Write};

use super::{Cell, FailOn, FileReport, Report, ReportWriter};
use crate::witness_list::WitnessName;

/// The header; every row has these fields, empty where they do not apply.
/// `position` (where in a nested row the difference is) and then `old` (the old version's
/// value, `--against OLD.parquet`) came last, after the columns of earlier versions, so that
/// a consumer reading fields by index reads what it read before.
pub const HEADER: [&str; 16] = [
    "file",
    "record",
    "kind",
    "column",
    "row",
    "row_group",
    "row_in_group",
    "page",
    "page_offset",
    "arrow",
    "raw",
    "against",
    "message",
    "fails",
    "position",
    "old",
];

/// Writes the header first, then each file's rows as the file is checked.
#[derive(Debug)]
pub struct Csv {
    fail_on: FailOn,
}

impl Csv {
    /// A writer marking in `fails` what fails the run under `fail_on`.
    pub fn new(fail_on: FailOn) -> Self {
        Self { fail_on }
    }
}

impl ReportWriter for Csv {
    fn begin(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(HEADER)?;
        writer.flush()
    }

    fn file(&mut self, file: &FileReport, out: &mut dyn Write) -> io::Result<()> {
        let mut writer = csv::Writer::from_writer(out);
        write_file(&mut writer, file, self.fail_on)?;
        writer.flush()
    }

    fn finish(&mut self, _report: &Report, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
}

/// Writes every listed mismatch and every finding of `file`, and its error.
fn write_file<W: Write>(
    writer: &mut csv::Writer<W>,
    file: &FileReport,
    fail_on: FailOn,
) -> io::Result<()> {
    let text = |value: Option<String>| value.unwrap_or_default();
    let cell = |cell: &Cell| match cell {
        Cell::Absent => String::new(),
        other => other.to_string(),
    };
    for m in &file.mismatches {
        writer.write_record([
            file.path.clone(),
            "mismatch".into(),
            m.kind.name().into(),
            m.column.clone(),
            m.row.to_string(),
            m.row_group.to_string(),
            m.row_in_group.to_string(),
            text(m.page.map(|p| p.to_string())),
            text(m.page_offset.map(|p| p.to_string())),
            text(m.values.get(&WitnessName::ARROW).map(cell)),
            text(m.values.get(&WitnessName::RAW).map(cell)),
            text(m.values.get(&WitnessName::AGAINST).map(cell)),
            String::new(),
            "true".into(),
            text(m.position.clone()),
            text(m.values.get(&WitnessName::OLD).map(cell)),
        ])?;
    }
    for f in &file.findings {
        writer.write_record([
            file.path.clone(),
            "finding".into(),
            serde_json::to_value(f.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            text(f.column.clone()),
            String::new(),
            text(f.row_group.map(|r| r.to_string())),
            String::new(),
            text(f.page.map(|p| p.to_string())),
            text(f.page_offset.map(|p| p.to_string())),
            text(error_of(f, &WitnessName::ARROW)),
            text(error_of(f, &WitnessName::RAW)),
            String::new(),
            f.message.clone(),
            f.kind.fails_under(fail_on).to_string(),
            String::new(),
            String::new(),
        ])?;
    }
    if let Some(error) = &file.error {
        let mut row = vec![String::new(); HEADER.len()];
        row[0] = file.path.clone();
        row[1] = "error".into();
        row[12] = error.clone();
        row[13] = "true".into();
        writer.write_record(&row)?;
    }
    Ok(())
}

/// The error `finding` gives for the witness named `name`, if any.
fn error_of(finding: &super::Finding, name: &WitnessName) -> Option<String> {
    finding.errors.as_ref()?.get(name)?.clone()
}
