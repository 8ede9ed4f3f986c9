//! The JUnit XML writer: one test suite per file and one test case per column, so CI systems
//! show the check natively. A column with mismatches fails; one that could not be checked is
//! an error; findings are cases of their own.

use std::io::{self, Write};

use super::{cells, escape_markup as escape, Cell, ColumnStatus, Report, ReportWriter};

/// Mismatches quoted in a failing case's body.
const QUOTED: usize = 10;

/// Writes the whole document at the end: its first line holds the totals.
#[derive(Debug, Default)]
pub struct Junit;

impl ReportWriter for Junit {
    fn finish(&mut self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        write(report, out)
    }
}

/// Writes `report` as JUnit XML.
fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // A finding is a JUnit failure when it fails the run under this run's `--fail-on`.
    let fail_on = report.summary.fail_on;
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="labelcheck" tests="{}" failures="{}" errors="{}">"#,
        report.files.iter().map(cases).sum::<usize>() + lock_cases(report),
        report
            .files
            .iter()
            .map(|f| failures(f, fail_on))
            .sum::<usize>()
            + lock_failures(report),
        report.files.iter().map(errors).sum::<usize>(),
    )?;
    for file in &report.files {
        let path = escape(&file.path);
        writeln!(
            out,
            r#"  <testsuite name="{path}" tests="{}" failures="{}" errors="{}">"#,
            cases(file),
            failures(file, fail_on),
            errors(file),
        )?;
        if let Some(error) = &file.error {
            writeln!(out, r#"    <testcase classname="{path}" name="(file)">"#)?;
            writeln!(out, r#"      <error message="{}"/>"#, escape(error))?;
            writeln!(out, "    </testcase>")?;
        }
        for column in &file.columns {
            writeln!(
                out,
                r#"    <testcase classname="{path}" name="{}">"#,
                escape(&column.column)
            )?;
            match column.status {
                ColumnStatus::Agree => {}
                ColumnStatus::Mismatch | ColumnStatus::Changed => {
                    writeln!(
                        out,
                        r#"      <failure message="{} mismatching rows" type="mismatch">"#,
                        column.mismatches
                    )?;
                    let leaf = Cell::to_string;
                    let cells = cells::Style {
                        leaf: &leaf,
                        mark: None,
                    };
                    for m in file
                        .mismatches
                        .iter()
                        .filter(|m| m.column == column.column)
                        .take(QUOTED)
                    {
                        // Where in a nested row: `objects[3].bbox[1]`.
                        let at = m
                            .position
                            .as_ref()
                            .map(|position| format!(" at {position}"))
                            .unwrap_or_default();
                        let focus = m.focus();
                        writeln!(
                            out,
                            "{}",
                            escape(&format!(
                                "row {} (row group {}, page {}): {}{at}: {}",
                                m.row,
                                m.row_group,
                                m.page.map_or("?".into(), |p| p.to_string()),
                                m.kind.name(),
                                m.values_line(|cell| focus.show(cell, &cells))
                            ))
                        )?;
                    }
                    writeln!(out, "      </failure>")?;
                }
                // Not verified is an error in JUnit's terms (the test could not run in
                // full), not a failure (the labels disagree): exit 2, not 1.
                ColumnStatus::PathFailed
                | ColumnStatus::Partial
                | ColumnStatus::Unsupported
                | ColumnStatus::Unreadable => writeln!(
                    out,
                    r#"      <error message="{}"/>"#,
                    escape(column.error.as_deref().unwrap_or("not checked"))
                )?,
            }
            writeln!(out, "    </testcase>")?;
        }
        for (index, finding) in file.findings.iter().enumerate() {
            let kind = serde_json::to_value(finding.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            writeln!(
                out,
                r#"    <testcase classname="{path}" name="finding {} ({kind})">"#,
                index + 1
            )?;
            let message = escape(&finding.message);
            if finding.kind.fails_under(fail_on) {
                writeln!(out, r#"      <failure message="{message}" type="{kind}"/>"#)?;
            } else {
                writeln!(out, "      <system-out>{message}</system-out>")?;
            }
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    if let Some(v) = &report.lock {
        // The lock's verdicts as a suite of their own: a column that changed or drifted fails.
        writeln!(
            out,
            r#"  <testsuite name="lock {}" tests="{}" failures="{}" errors="0">"#,
            escape(&v.lock),
            lock_cases(report),
            lock_failures(report),
        )?;
        for column in &v.columns {
            writeln!(
                out,
                r#"    <testcase classname="lock {}" name="{}">"#,
                escape(&v.lock),
                escape(&column.place())
            )?;
            match column.describe(v) {
                Some(what) if column.fails(v) => writeln!(
                    out,
                    r#"      <failure message="{}" type="lock"/>"#,
                    escape(&what)
                )?,
                Some(what) => writeln!(out, "      <system-out>{}</system-out>", escape(&what))?,
                None => {}
            }
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

/// Test cases of the lock's suite: one per column verdict.
fn lock_cases(report: &Report) -> usize {
    report.lock.as_ref().map_or(0, |v| v.columns.len())
}

/// Failing cases of the lock's suite.
fn lock_failures(report: &Report) -> usize {
    report
        .lock
        .as_ref()
        .map_or(0, |v| v.columns.iter().filter(|c| c.fails(v)).count())
}

fn cases(file: &super::FileReport) -> usize {
    file.columns.len() + file.findings.len() + usize::from(file.error.is_some())
}

fn errors(file: &super::FileReport) -> usize {
    usize::from(file.error.is_some())
        + file
            .columns
            .iter()
            .filter(|c| {
                matches!(
                    c.status,
                    ColumnStatus::Unsupported
                        | ColumnStatus::Unreadable
                        | ColumnStatus::PathFailed
                        | ColumnStatus::Partial
                )
            })
            .count()
}

fn failures(file: &super::FileReport, fail_on: super::FailOn) -> usize {
    file.columns
        .iter()
        .filter(|c| matches!(c.status, ColumnStatus::Mismatch | ColumnStatus::Changed))
        .count()
        + file
            .findings
            .iter()
            .filter(|f| f.kind.fails_under(fail_on))
            .count()
}
