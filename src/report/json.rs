//! The JSON writer: the whole report as one document, the contract in `docs/report.schema.json`.

use std::io::{self, Write};

use super::Report;

/// Writes `report` as pretty-printed JSON followed by a newline.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}
