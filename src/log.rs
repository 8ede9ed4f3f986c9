//! Lines on stderr. `eprintln!` panics when stderr cannot be written (a full disk, a closed
//! pipe), turning a log line into exit 101 and losing the run's real outcome; here a line
//! that cannot be written is dropped, since there is nowhere left to say so.

use std::fmt;
use std::io::{self, Write};

use crate::echo::Echo;
use crate::report::{ColumnStatus, FileReport, FindingKind};

/// Writes `labelcheck: MESSAGE` as one line on stderr, `message` rendered by
/// [`Echo::message`] so that whatever it quotes (paths, column names, values) cannot split
/// the line or reach the terminal as control characters. Errors are ignored.
pub fn line(message: impl fmt::Display) {
    let line = format!("labelcheck: {}\n", Echo::message(&message.to_string()));
    // One write of the whole line, so lines from threads never interleave mid-line.
    let _ = io::stderr().lock().write_all(line.as_bytes());
}

/// One line on stderr for every file or column that could not be checked, so the reason
/// reaches a user who only sees the exit code and the log.
pub fn problems(report: &FileReport) {
    if let Some(error) = &report.error {
        line(format_args!("{}: {error}", report.path));
    }
    // A decoder that could not open the file is said once, by the file's finding below.
    let unopened = report
        .findings
        .iter()
        .any(|f| f.kind == FindingKind::PathFailure && f.column.is_none());
    for column in &report.columns {
        if unopened && column.status == ColumnStatus::PathFailed {
            continue;
        }
        if let (
            Some(error),
            ColumnStatus::Unsupported
            | ColumnStatus::Unreadable
            | ColumnStatus::PathFailed
            | ColumnStatus::Partial,
        ) = (&column.error, column.status)
        {
            line(format_args!(
                "{}: column {:?}: {error}",
                report.path, column.column
            ));
        }
    }
    for finding in report.findings.iter().filter(|f| f.column.is_none()) {
        line(format_args!("{}: {}", report.path, finding.message));
    }
}
