//! The CSV writer: one row per mismatch or finding, under a fixed header, for spreadsheets
//! and `xsv`.

use std::io::{self, Write};

use super::{Cell, Report};
use crate::witness_list::WitnessName;

/// The header; every row has these fields, empty where they do not apply.
pub const HEADER: [&str; 14] = [
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
];

/// Writes every listed mismatch and every finding of `report`.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(HEADER)?;
    let text = |value: Option<String>| value.unwrap_or_default();
    let cell = |cell: &Cell| match cell {
        Cell::Absent => String::new(),
        other => other.to_string(),
    };
    for file in &report.files {
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
                f.kind.fails_under(report.summary.fail_on).to_string(),
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
    }
    writer.flush()
}

/// The error `finding` gives for the witness named `name`, if any.
fn error_of(finding: &super::Finding, name: &WitnessName) -> Option<String> {
    finding.errors.as_ref()?.get(name)?.clone()
}
