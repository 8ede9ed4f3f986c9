//! The text writer: per file a summary table of the checked columns, then the first
//! mismatches and the findings; colour only when asked for. Everything that came from a file
//! or a path goes through [`crate::echo`], so no name or value can inject control characters
//! into a terminal, split a line, or make a line unbounded.

use std::io::{self, Write};

use super::Transitions;
use super::{cells, Cell, ColumnStatus, FileReport, Kind, Report, ReportWriter, Selection};
use crate::echo::{self, Echo};
use crate::source::ReadCounts;
use crate::witness_list::WitnessName;

/// Terminal styling, off unless the output is a terminal that wants colour.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Emit ANSI colour codes.
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
}

/// Mismatch rows shown per file in text; the JSON lists up to `--max-listed`.
const SHOWN_PER_FILE: usize = 20;

/// Writes each file's section as the file is checked, then the verdict and totals.
#[derive(Debug)]
pub struct Text {
    style: Style,
}

impl Text {
    /// A writer styling with `style`.
    pub fn new(style: Style) -> Self {
        Self { style }
    }
}

impl ReportWriter for Text {
    fn file(&mut self, file: &FileReport, out: &mut dyn Write) -> io::Result<()> {
        write_file(file, out, self.style)?;
        writeln!(out)
    }

    fn finish(&mut self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        if let Some(verification) = &report.lock {
            crate::verification::write_text(verification, out)?;
        }
        write_summary(report, out, self.style)
    }
}

fn write_summary(report: &Report, out: &mut dyn Write, style: Style) -> io::Result<()> {
    let s = &report.summary;
    let verdict = match report.outcome() {
        super::Outcome::Agree => style.paint("32;1", "OK"),
        super::Outcome::Disagree => style.paint("31;1", "MISMATCH"),
        super::Outcome::Error => style.paint("33;1", "INCOMPLETE"),
    };
    writeln!(
        out,
        "{verdict}: {} file{}, {} column{}, {} rows compared, {} mismatch{}, {} finding{}, {} error{}, {} unsupported",
        s.files,
        plural(s.files as u64),
        s.columns,
        plural(s.columns as u64),
        s.rows,
        s.mismatches,
        if s.mismatches == 1 { "" } else { "es" },
        s.findings,
        plural(s.findings as u64),
        s.errors,
        plural(s.errors as u64),
        s.unsupported
    )?;
    if s.single_decoder > 0 {
        writeln!(
            out,
            "  {} column{} checked by one decoder only (in whole or in part): not fully verified",
            s.single_decoder,
            plural(s.single_decoder as u64)
        )?;
    }
    Ok(())
}

/// A column's transitions from the old version: the changes on one line (`0→1: 27, 1→0: 3`),
/// then the matrix, old classes down and new classes across, with the rows only in one
/// version and each version's totals, indented by `indent`.
fn write_transitions(
    t: &Transitions,
    indent: usize,
    out: &mut dyn Write,
    style: Style,
) -> io::Result<()> {
    let labels: Vec<String> = t
        .classes
        .iter()
        .map(|cell| Echo::name(&cell.to_string()).to_string())
        .collect();
    let changes: Vec<String> = t
        .changes()
        .map(|(from, to, rows)| format!("{}→{}: {rows}", labels[from], labels[to]))
        .collect();
    let mut summary = if changes.is_empty() {
        "none".to_owned()
    } else {
        changes.join(", ")
    };
    for (rows, what) in [
        (t.added.iter().sum::<u64>(), "added"),
        (t.removed.iter().sum::<u64>(), "removed"),
    ] {
        if rows > 0 {
            summary.push_str(&format!("; {rows} row{} {what}", plural(rows)));
        }
    }
    let pad = " ".repeat(indent);
    writeln!(
        out,
        "{pad}{} {summary}",
        style.paint("36", "changes from the old version:"),
    )?;
    let n = labels.len();
    let row_sums: Vec<u64> = (0..n).map(|i| t.counts[i].iter().sum()).collect();
    let widest_count = t.old.iter().chain(&t.new).max().copied().unwrap_or(0);
    let width = labels
        .iter()
        .map(|l| l.chars().count())
        .chain([widest_count.to_string().len(), "old total".len()])
        .max()
        .unwrap_or(1);
    let line = |head: &str, cells: Vec<String>| {
        let cells: Vec<String> = cells.iter().map(|c| format!("{c:>width$}")).collect();
        format!("{pad}  {head:>width$}  {}", cells.join("  "))
    };
    let mut header: Vec<String> = labels.clone();
    header.extend(["removed".to_owned(), "old total".to_owned()]);
    writeln!(out, "{}", line("old \\ new", header))?;
    for i in 0..n {
        let mut cells: Vec<String> = t.counts[i].iter().map(u64::to_string).collect();
        cells.push(t.removed[i].to_string());
        cells.push((row_sums[i] + t.removed[i]).to_string());
        writeln!(out, "{}", line(&labels[i], cells))?;
    }
    writeln!(
        out,
        "{}",
        line("added", t.added.iter().map(u64::to_string).collect())
    )?;
    writeln!(
        out,
        "{}",
        line("new total", t.new.iter().map(u64::to_string).collect())
    )
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn write_file(file: &FileReport, out: &mut dyn Write, style: Style) -> io::Result<()> {
    let path = echo::message(&file.path);
    if let Some(error) = &file.error {
        return writeln!(
            out,
            "{}: {}",
            style.bold(&path),
            style.paint("31", &echo::message(error))
        );
    }
    writeln!(
        out,
        "{}: {} rows in {} row group{}{}",
        style.bold(&path),
        file.rows,
        file.row_groups,
        plural(file.row_groups as u64),
        file.created_by
            .as_ref()
            .map(|w| format!(", written by {}", Echo::name(w)))
            .unwrap_or_default()
    )?;
    if file.selection == Selection::AllNoLabelFound {
        writeln!(
            out,
            "  no column name looks like a label: checking all columns"
        )?;
    }
    if !file.columns.is_empty() {
        let names: Vec<String> = file.columns.iter().map(|c| echo::name(&c.column)).collect();
        let types: Vec<String> = file.columns.iter().map(type_label).collect();
        let name_width = names
            .iter()
            .map(|name| name.chars().count())
            .max()
            .unwrap_or(6)
            .max(6);
        let type_width = types
            .iter()
            .map(|label| label.chars().count())
            .max()
            .unwrap_or(4)
            .max(4);
        writeln!(
            out,
            "  {:name_width$}  {:type_width$}  {:>12}  {:>10}  {:>10}  {:11}  fingerprint",
            "column", "type", "rows", "nulls", "mismatches", "status"
        )?;
        for ((column, name), type_label) in file.columns.iter().zip(&names).zip(&types) {
            let status = match column.status {
                ColumnStatus::Agree => style.paint("32", "agree      "),
                ColumnStatus::Mismatch => style.paint("31;1", "MISMATCH   "),
                // Say who checked it: the one decoder's digest is in the last column.
                ColumnStatus::PathFailed if column.checked_by == [WitnessName::RAW] => {
                    style.paint("33;1", "raw only   ")
                }
                ColumnStatus::PathFailed if column.checked_by == [WitnessName::ARROW] => {
                    style.paint("33;1", "arrow only ")
                }
                ColumnStatus::PathFailed => style.paint("33;1", "PATH FAILED"),
                ColumnStatus::Partial => style.paint("33;1", "partial    "),
                ColumnStatus::Unsupported => style.paint("33", "unsupported"),
                ColumnStatus::Unreadable => style.paint("31", "unreadable "),
                ColumnStatus::Changed => style.paint("35;1", "CHANGED    "),
            };
            let digest = |name| column.digests.get(name).and_then(Option::as_ref);
            let fingerprint = match (digest(&WitnessName::ARROW), digest(&WitnessName::RAW)) {
                (Some(a), Some(r)) if a == r => short(a),
                (Some(a), Some(r)) => format!("arrow {} / raw {}", short(a), short(r)),
                (Some(a), None) => format!("arrow {}", short(a)),
                (None, Some(r)) => format!("raw {}", short(r)),
                (None, None) => "-".into(),
            };
            writeln!(
                out,
                "  {:name_width$}  {:type_width$}  {:>12}  {:>10}  {:>10}  {}  {}",
                name, type_label, column.rows, column.nulls, column.mismatches, status, fingerprint
            )?;
            if let Some(error) = &column.error {
                writeln!(
                    out,
                    "  {:name_width$}  {}",
                    "",
                    style.paint("33", &echo::message(error))
                )?;
            }
            for pattern in &column.diagnosis {
                writeln!(
                    out,
                    "  {:name_width$}  {} {}",
                    "",
                    style.paint("36", "diagnosis:"),
                    Echo::message(&pattern.message)
                )?;
            }
            if let Some(transitions) = &column.transitions {
                write_transitions(transitions, name_width + 4, out, style)?;
            }
        }
    }
    if let Some(keyed) = &file.keyed_diff {
        writeln!(
            out,
            "  by key {} against {}: {} rows matched, {} changed, {} added, {} removed",
            keyed
                .key
                .iter()
                .map(|k| Echo::name(k).to_string())
                .collect::<Vec<_>>()
                .join(","),
            Echo::name(&keyed.against),
            keyed.matched,
            keyed.changed,
            keyed.added,
            keyed.removed
        )?;
    }
    if !file.mismatches.is_empty() {
        writeln!(out, "  first mismatches:")?;
        for m in file.mismatches.iter().take(SHOWN_PER_FILE) {
            let page = match (m.page, m.page_offset) {
                (Some(page), Some(offset)) => format!(", page {page} at byte {offset}"),
                _ => String::new(),
            };
            // Where in a nested row: `objects[3].bbox[1]`.
            let at = m
                .position
                .as_ref()
                .map(|position| format!(" at {}", Echo::name(position)))
                .unwrap_or_default();
            // A keyed diff's row: its key, and for a removed row, that the row is the older
            // version's.
            let key = m
                .key
                .as_ref()
                .map(|cells| {
                    let cells: Vec<String> = cells
                        .iter()
                        .map(|k| {
                            format!(
                                "{}={}",
                                Echo::name(&k.column),
                                Echo::name(&k.value.to_string())
                            )
                        })
                        .collect();
                    format!(" key {}", cells.join(", "))
                })
                .unwrap_or_default();
            let whose = if m.kind == Kind::Removed { "old " } else { "" };
            let focus = m.focus();
            let leaf = |cell: &Cell| Echo::name(&cell.to_string()).to_string();
            let cells = cells::Style {
                leaf: &leaf,
                mark: None,
            };
            writeln!(
                out,
                "    {whose}row {} (row group {}, row {}{page}){key}: {} {}{at}: {}",
                m.row,
                m.row_group,
                m.row_in_group,
                Echo::name(&m.column),
                style.paint("31", m.kind.name()),
                // Each value is escaped as it is shown; a nested row is bounded as a message.
                m.values_line(|cell| echo::message(&focus.show(cell, &cells)))
            )?;
        }
        let total: u64 = file.columns.iter().map(|c| c.mismatches).sum();
        let shown = file.mismatches.len().min(SHOWN_PER_FILE) as u64;
        if total > shown {
            writeln!(out, "    … and {} more (see --format json)", total - shown)?;
        }
    }
    for finding in &file.findings {
        writeln!(
            out,
            "  {} {}",
            style.paint("35", "finding:"),
            Echo::message(&finding.message)
        )?;
        if let Some(errors) = &finding.errors {
            for (path, error) in errors.iter() {
                if let Some(error) = error {
                    writeln!(out, "    {path}: {}", Echo::message(error))?;
                }
            }
        }
    }
    Ok(())
}

fn type_label(column: &super::ColumnReport) -> String {
    match &column.logical_type {
        Some(logical) => format!(
            "{} ({})",
            column.physical_type,
            Echo::name(&logical.to_string())
        ),
        None => column.physical_type.clone(),
    }
}

fn short(digest: &str) -> String {
    digest.chars().take(16).collect()
}

/// One line of `--timings` on what was read: bytes and requests, against the input's size.
fn write_reads(out: &mut dyn Write, what: &str, reads: &ReadCounts) -> io::Result<()> {
    let requests = match reads.requests {
        1 => "1 request".to_owned(),
        n => format!("{n} requests"),
    };
    match reads.file_bytes {
        Some(size) => writeln!(
            out,
            "  {what} {} of {size} bytes ({:.1}%) in {requests}",
            reads.bytes,
            100.0 * reads.bytes as f64 / size.max(1) as f64
        ),
        None => writeln!(out, "  {what} {} bytes in {requests}", reads.bytes),
    }
}

/// Writes the `--timings` table of one file: wall seconds per stage, then thread-seconds per
/// column and phase. Nothing when the file was checked without timings.
pub fn write_timings(file: &FileReport, out: &mut dyn Write) -> io::Result<()> {
    let Some(times) = file.timings else {
        return Ok(());
    };
    writeln!(
        out,
        "timings for {}: open {:.3} s, check {:.3} s (wall); per column, thread-seconds:",
        Echo::message(&file.path),
        times.open,
        times.check
    )?;
    let names: Vec<String> = file.columns.iter().map(|c| echo::name(&c.column)).collect();
    let width = names
        .iter()
        .map(|name| name.chars().count())
        .chain(["column".len()])
        .max()
        .unwrap_or(0);
    writeln!(
        out,
        "  {:width$}  {:>8} {:>8} {:>8} {:>8} {:>11} {:>8} {:>8}",
        "column", "arrow", "raw", "against", "compare", "fingerprint", "metadata", "total"
    )?;
    for (column, name) in file.columns.iter().zip(&names) {
        if let Some(t) = &column.timings {
            let decode = |name| t.decode.get(name).copied().unwrap_or_default();
            writeln!(
                out,
                "  {:width$}  {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>11.3} {:>8.3} {:>8.3}",
                name,
                decode(&WitnessName::ARROW),
                decode(&WitnessName::RAW),
                decode(&WitnessName::AGAINST),
                t.compare,
                t.fingerprint,
                t.metadata,
                t.total()
            )?;
        }
    }
    write_reads(out, "read", &times.reads)?;
    if let Some(dump) = &times.dump_reads {
        write_reads(out, "dump read", dump)?;
    }
    Ok(())
}
