//! The JSON writer: the whole report as one document, the contract in `docs/report.schema.json`.

use std::io::{self, Write};

use super::{Report, ReportWriter};

/// Writes the report as pretty-printed JSON followed by a newline, at the end: the document
/// is one object.
#[derive(Debug, Default)]
pub struct Json;

impl ReportWriter for Json {
    fn finish(&mut self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, report)?;
        out.write_all(b"\n")
    }
}
