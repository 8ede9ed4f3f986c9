//! The HTML writer: one self-contained page (no script, no network) with the summary, the
//! findings, each column's diagnosis, and per column a strip chart of where its mismatches
//! fall across the file's rows, with row-group and page boundaries marked.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use crate::fingerprint::BLOCK_ROWS;

use super::Transitions;
use super::{
    cells, escape_markup as escape, Cell, ColumnReport, ColumnStatus, FileReport, Outcome, Report,
    ReportWriter,
};
use crate::witness_list::WitnessName;

/// Width of a strip chart, in SVG units.
const CHART_WIDTH: f64 = 1000.0;
/// Boundaries drawn at most per kind (row groups, pages): past this they would fill the
/// 1,000-unit strip anyway, and a million row groups would write a million lines per chart.
const MAX_BOUNDARY_MARKS: usize = 2000;

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em}\
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.25em .6em;border-bottom:1px solid #ddd;text-align:left}\
.agree{color:#176f2c}.mismatch,.path_failed{color:#b00020;font-weight:bold}.unsupported,.unreadable{color:#9a6700}\
.verdict{font-size:1.3em;font-weight:bold;padding:.4em .8em;display:inline-block;border-radius:4px;color:#fff}\
.ok{background:#176f2c}.bad{background:#b00020}.incomplete{background:#9a6700}\
.diag{background:#eef6ff;border-left:4px solid #3b82f6;padding:.3em .6em;margin:.3em 0}\
.finding{background:#fff4e5;border-left:4px solid #f59e0b;padding:.3em .6em;margin:.3em 0}\
svg{display:block;margin:.3em 0 1em}code{font-size:.95em}";

/// Writes the page at the end: its top holds the verdict and the totals.
#[derive(Debug, Default)]
pub struct Html;

impl ReportWriter for Html {
    fn finish(&mut self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        write(report, out)
    }
}

/// Writes `report` as one HTML page.
fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut page = String::new();
    let s = &report.summary;
    let (class, verdict) = match report.outcome() {
        Outcome::Agree => ("ok", "OK: every checked column agrees"),
        Outcome::Disagree => ("bad", "MISMATCH"),
        Outcome::Error => (
            "incomplete",
            "INCOMPLETE: some files or columns could not be checked",
        ),
    };
    let _ = writeln!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>labelcheck report</title><style>{STYLE}</style></head><body>\n\
         <h1>labelcheck report</h1><div class=\"verdict {class}\">{verdict}</div>\n\
         <table><tr><th>files</th><th>columns</th><th>rows compared</th><th>mismatches</th><th>findings</th><th>errors</th><th>unsupported</th></tr>\
         <tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr></table>",
        s.files, s.columns, s.rows, s.mismatches, s.findings, s.errors, s.unsupported
    );
    for file in &report.files {
        file_section(&mut page, file);
    }
    let _ = writeln!(
        page,
        "<p><small>labelcheck {} · schema version {}</small></p></body></html>",
        escape(&report.tool.version),
        report.schema_version
    );
    out.write_all(page.as_bytes())
}

fn file_section(page: &mut String, file: &FileReport) {
    let _ = writeln!(page, "<h2>{}</h2>", escape(&file.path));
    if let Some(error) = &file.error {
        let _ = writeln!(page, "<div class=\"finding\">{}</div>", escape(error));
        return;
    }
    let _ = writeln!(
        page,
        "<p>{} rows in {} row groups{}</p>",
        file.rows,
        file.row_groups,
        file.created_by
            .as_deref()
            .map(|w| format!(", written by <code>{}</code>", escape(w)))
            .unwrap_or_default()
    );
    page.push_str("<table><tr><th>column</th><th>type</th><th>rows</th><th>nulls</th><th>mismatches</th><th>status</th><th>fingerprint (raw)</th></tr>\n");
    for c in &file.columns {
        let status = serde_json::to_value(c.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let _ = writeln!(
            page,
            "<tr><td><code>{}</code></td><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{status}\">{}</td><td><code>{}</code></td></tr>",
            escape(&c.column),
            c.physical_type,
            c.logical_type.as_ref().map(|l| format!(" ({})", escape(&l.to_string()))).unwrap_or_default(),
            c.rows,
            c.nulls,
            c.mismatches,
            status.replace('_', " "),
            c.digests.get(&WitnessName::RAW).and_then(Option::as_deref).map(|d| &d[..16.min(d.len())]).unwrap_or("-"),
        );
    }
    page.push_str("</table>\n");
    for finding in &file.findings {
        let _ = writeln!(
            page,
            "<div class=\"finding\">{}</div>",
            escape(&finding.message)
        );
    }
    // Grouped once: scanning every listed mismatch per column would cost columns × listed.
    let mut listed_by_column: HashMap<&str, Vec<u64>> = HashMap::new();
    for m in &file.mismatches {
        listed_by_column
            .entry(m.column.as_str())
            .or_default()
            .push(m.row);
    }
    for column in &file.columns {
        if let Some(error) = &column.error {
            let _ = writeln!(
                page,
                "<div class=\"finding\"><code>{}</code>: {}</div>",
                escape(&column.column),
                escape(error)
            );
        }
        if !matches!(
            column.status,
            ColumnStatus::Mismatch | ColumnStatus::Changed
        ) {
            // An unchanged column's classes are still worth seeing next to the old version's.
            if let Some(transitions) = &column.transitions {
                let _ = writeln!(page, "<h3><code>{}</code></h3>", escape(&column.column));
                transitions_chart(page, column, transitions);
            }
            continue;
        }
        let _ = writeln!(page, "<h3><code>{}</code></h3>", escape(&column.column));
        if let Some(transitions) = &column.transitions {
            transitions_chart(page, column, transitions);
        }
        for pattern in &column.diagnosis {
            let _ = writeln!(
                page,
                "<div class=\"diag\">{}</div>",
                escape(&pattern.message)
            );
        }
        let listed_rows = listed_by_column
            .get(column.column.as_str())
            .map_or(&[][..], Vec::as_slice);
        strip_chart(page, file, column, listed_rows);
    }
    if !file.mismatches.is_empty() {
        let shown = &file.mismatches[..file.mismatches.len().min(200)];
        // A column per witness: the decoders and the dump always, then any other witness
        // with a value in the rows shown, in the order the rows name them.
        let mut witnesses = vec![WitnessName::ARROW, WitnessName::RAW, WitnessName::AGAINST];
        for m in shown {
            for (name, _) in m.values.iter() {
                if !witnesses.contains(name) {
                    witnesses.push(name.clone());
                }
            }
        }
        // Where in the row, for nested columns: a flat column's table has no such column.
        let positions = shown.iter().any(|m| m.position.is_some());
        page.push_str("<table><tr><th>row</th><th>column</th>");
        if positions {
            page.push_str("<th>position</th>");
        }
        page.push_str("<th>row group</th><th>page</th><th>kind</th><th>fault</th>");
        for name in &witnesses {
            let _ = write!(page, "<th>{}</th>", escape(name.as_str()));
        }
        page.push_str("</tr>\n");
        let leaf = |cell: &Cell| escape(&cell.to_string());
        let cells = cells::Style {
            leaf: &leaf,
            mark: Some(("<mark>", "</mark>")),
        };
        for m in shown {
            let position = match &m.position {
                Some(position) => format!("<td><code>{}</code></td>", escape(position)),
                None if positions => "<td></td>".to_owned(),
                None => String::new(),
            };
            let focus = m.focus();
            let _ = write!(
                page,
                "<tr><td>{}</td><td><code>{}</code></td>{position}<td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
                m.row,
                escape(&m.column),
                m.row_group,
                m.page.map(|p| format!("{p} @ {}", m.page_offset.unwrap_or(0))).unwrap_or_default(),
                m.kind.name(),
                m.fault.name().replace('_', " "),
            );
            for name in &witnesses {
                // A decoder without the row says so; another witness without it is blank.
                let cell = match m.values.get(name) {
                    // A nested row around the difference, which is marked.
                    Some(cell) => focus.show(cell, &cells),
                    None if name == &WitnessName::ARROW || name == &WitnessName::RAW => {
                        escape(&Cell::Absent.to_string())
                    }
                    None => String::new(),
                };
                let _ = write!(page, "<td>{cell}</td>");
            }
            page.push_str("</tr>\n");
        }
        page.push_str("</table>\n");
    }
}

/// Side of one heat-map cell, in SVG units.
const HEAT_CELL: f64 = 44.0;
/// Room for the class labels left of and above the heat map.
const HEAT_LABELS: f64 = 90.0;
/// Longest class distribution bar, in SVG units.
const BAR_LENGTH: f64 = 420.0;
/// Colours: rows that kept their class, that changed it, that are in one version only; and
/// the two versions' bars.
const KEPT: &str = "#2563eb";
const CHANGED: &str = "#dc2626";
const ONE_SIDED: &str = "#9333ea";
const OLD_BAR: &str = "#f59e0b";
const NEW_BAR: &str = "#0d9488";

/// A class's label as charts show it: long text cut, so a label stays in its place.
fn class_label(cell: &Cell) -> String {
    let text = cell.to_string();
    if text.chars().count() > 12 {
        format!("{}…", text.chars().take(11).collect::<String>())
    } else {
        text
    }
}

/// How dark a heat-map cell is: its rows against the fullest cell's on a log scale, so that a
/// handful of changed rows shows beside millions kept; an empty cell is not filled.
fn heat(rows: u64, max: u64) -> f64 {
    if rows == 0 || max == 0 {
        return 0.0;
    }
    0.15 + 0.85 * (1.0 + rows as f64).ln() / (1.0 + max as f64).ln()
}

/// The transitions of a column from the old version: a heat map of old class (down) against
/// new class (across), rows that kept their class on the diagonal in blue and changes in red,
/// rows only in one version as an extra row and column; then each class's rows in both
/// versions as pairs of bars. Every mark carries its numbers (`data-*`, and a tooltip).
fn transitions_chart(page: &mut String, column: &ColumnReport, t: &Transitions) {
    let n = t.classes.len();
    let labels: Vec<String> = t.classes.iter().map(class_label).collect();
    let added = t.added.iter().any(|&rows| rows > 0);
    let removed = t.removed.iter().any(|&rows| rows > 0);
    let max = t
        .counts
        .iter()
        .flatten()
        .chain(&t.added)
        .chain(&t.removed)
        .max()
        .copied()
        .unwrap_or(0);
    let across = n + usize::from(removed);
    let down = n + usize::from(added);
    let width = HEAT_LABELS + across as f64 * HEAT_CELL + 10.0;
    let height = HEAT_LABELS + down as f64 * HEAT_CELL + 10.0;
    let middle_x = HEAT_LABELS + across as f64 * HEAT_CELL / 2.0;
    let middle_y = HEAT_LABELS + down as f64 * HEAT_CELL / 2.0;
    let _ = write!(
        page,
        "<p>Transitions from the old version: rows by their class in the old version (down) and in this file (across).</p>\
         <svg class=\"heatmap\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"transitions of {} from the old version\">\
         <text x=\"{middle_x:.1}\" y=\"14\" font-size=\"12\" text-anchor=\"middle\">new</text>\
         <text x=\"14\" y=\"{middle_y:.1}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 {middle_y:.1})\">old</text>",
        escape(&column.column),
    );
    let mut heads: Vec<String> = labels.clone();
    if removed {
        heads.push("removed".into());
    }
    for (j, label) in heads.iter().enumerate() {
        let x = HEAT_LABELS + (j as f64 + 0.5) * HEAT_CELL;
        let y = HEAT_LABELS - 6.0;
        let _ = write!(
            page,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"11\" text-anchor=\"start\" transform=\"rotate(-45 {x:.1} {y:.1})\">{}</text>",
            escape(label)
        );
    }
    let mut sides: Vec<String> = labels.clone();
    if added {
        sides.push("added".into());
    }
    for (i, label) in sides.iter().enumerate() {
        let _ = write!(
            page,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            HEAT_LABELS - 6.0,
            HEAT_LABELS + (i as f64 + 0.5) * HEAT_CELL + 4.0,
            escape(label)
        );
    }
    // One cell at grid place (`i`, `j`): `from` and `to` are classes, `None` for the row or
    // column of rows only in one version.
    let cell = |page: &mut String,
                (i, j): (usize, usize),
                from: Option<usize>,
                to: Option<usize>,
                rows: u64| {
        let (x, y) = (
            HEAT_LABELS + j as f64 * HEAT_CELL,
            HEAT_LABELS + i as f64 * HEAT_CELL,
        );
        let (kind, fill) = match (from, to) {
            (Some(a), Some(b)) if a == b => ("kept", KEPT),
            (Some(_), Some(_)) => ("changed", CHANGED),
            (None, _) => ("added", ONE_SIDED),
            (_, None) => ("removed", ONE_SIDED),
        };
        let shade = heat(rows, max);
        let name = |class: Option<usize>| {
            class.map_or_else(
                || "absent".to_owned(),
                |c| escape(&t.classes[c].to_string()),
            )
        };
        let (old, new) = (name(from), name(to));
        let _ = write!(
            page,
            "<g class=\"heat {kind}\" data-old=\"{old}\" data-new=\"{new}\" data-rows=\"{rows}\">\
             <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{HEAT_CELL}\" height=\"{HEAT_CELL}\" fill=\"{fill}\" fill-opacity=\"{shade:.2}\" stroke=\"#d1d5db\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\" fill=\"{}\">{rows}</text>\
             <title>{old} → {new}: {rows} rows</title></g>",
            x + HEAT_CELL / 2.0,
            y + HEAT_CELL / 2.0 + 4.0,
            if shade > 0.55 { "#fff" } else { "#111" },
        );
    };
    for i in 0..n {
        for j in 0..n {
            cell(page, (i, j), Some(i), Some(j), t.counts[i][j]);
        }
        if removed {
            cell(page, (i, n), Some(i), None, t.removed[i]);
        }
    }
    if added {
        for j in 0..n {
            cell(page, (n, j), None, Some(j), t.added[j]);
        }
    }
    page.push_str("</svg>\n");

    // The class distributions: per class a bar for each version, on one scale.
    let longest = t
        .old
        .iter()
        .chain(&t.new)
        .max()
        .copied()
        .unwrap_or(0)
        .max(1);
    let row_height = 30.0;
    let height = 24.0 + n as f64 * row_height;
    let width = HEAT_LABELS + BAR_LENGTH + 90.0;
    let _ = write!(
        page,
        "<svg class=\"classbars\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"class distribution of {} in both versions\">\
         <rect x=\"{HEAT_LABELS}\" y=\"2\" width=\"10\" height=\"10\" fill=\"{OLD_BAR}\"/><text x=\"{:.1}\" y=\"11\" font-size=\"11\">old version</text>\
         <rect x=\"{:.1}\" y=\"2\" width=\"10\" height=\"10\" fill=\"{NEW_BAR}\"/><text x=\"{:.1}\" y=\"11\" font-size=\"11\">this file</text>",
        escape(&column.column),
        HEAT_LABELS + 14.0,
        HEAT_LABELS + 110.0,
        HEAT_LABELS + 124.0,
    );
    for (i, label) in labels.iter().enumerate() {
        let y = 20.0 + i as f64 * row_height;
        let _ = write!(
            page,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            HEAT_LABELS - 6.0,
            y + 15.0,
            escape(label)
        );
        let class = escape(&t.classes[i].to_string());
        let versions = [("old", t.old[i], OLD_BAR), ("new", t.new[i], NEW_BAR)];
        for (k, (version, rows, fill)) in versions.into_iter().enumerate() {
            // A class with rows shows at least a sliver.
            let length = match rows {
                0 => 0.0,
                _ => (rows as f64 / longest as f64 * BAR_LENGTH).max(2.0),
            };
            let top = y + k as f64 * 12.0;
            let _ = write!(
                page,
                "<g class=\"bar {version}\" data-class=\"{class}\" data-rows=\"{rows}\">\
                 <rect x=\"{HEAT_LABELS}\" y=\"{top:.1}\" width=\"{length:.1}\" height=\"11\" fill=\"{fill}\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">{rows}</text>\
                 <title>{class}: {rows} rows in the {version} version</title></g>",
                HEAT_LABELS + length + 4.0,
                top + 9.5,
            );
        }
    }
    page.push_str("</svg>\n");
}

/// Bars drawn at most for a column's mismatch counts: past the strip's width in units, blocks
/// are added together per bar, so a file of any length draws at most this many.
const MAX_DENSITY_BARS: u64 = CHART_WIDTH as u64;

/// A span of the file's rows and how many of them mismatch, from the exact block counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bar {
    first_row: u64,
    end_row: u64,
    mismatches: u64,
}

/// The column's exact per-block mismatch counts, blocks added together in runs of equal
/// length when there are more blocks in the file than [`MAX_DENSITY_BARS`].
fn density_bars(file_rows: u64, column: &ColumnReport) -> Vec<Bar> {
    let blocks = file_rows.div_ceil(BLOCK_ROWS).max(1);
    let per_bar = blocks.div_ceil(MAX_DENSITY_BARS);
    let mut bars: Vec<Bar> = Vec::new();
    for counted in &column.mismatch_blocks {
        let first_block = counted.block / per_bar * per_bar;
        let first_row = first_block * BLOCK_ROWS;
        match bars.last_mut() {
            // Blocks come in order, so a bar's blocks are adjacent in the list.
            Some(bar) if bar.first_row == first_row => bar.mismatches += counted.mismatches,
            _ => bars.push(Bar {
                first_row,
                end_row: ((first_block + per_bar) * BLOCK_ROWS).min(file_rows.max(1)),
                mismatches: counted.mismatches,
            }),
        }
    }
    bars
}

/// How dark a bar is drawn: its share of mismatching rows on a log scale, from a visible
/// 0.3 for one mismatch in a bar of any size to 1 where every row mismatches, so that both a
/// lone mismatch and the difference between dense and sparse spans stay visible.
fn opacity(bar: &Bar) -> f64 {
    let rows = bar.end_row.saturating_sub(bar.first_row).max(1) as f64;
    let share = (bar.mismatches as f64 / rows).min(1.0);
    0.3 + 0.7 * (1.0 + 999.0 * share).ln() / 1000f64.ln()
}

/// A strip across the file's rows: row-group boundaries as dark lines, page boundaries as
/// light ticks, fingerprint blocks that differ shaded, where all mismatches fall (from the
/// exact counts per 65,536-row block, darker where denser), and the listed mismatches as
/// exact ticks below the strip.
fn strip_chart(page: &mut String, file: &FileReport, column: &ColumnReport, listed_rows: &[u64]) {
    let rows = file.rows.max(1) as f64;
    let x = |row: u64| row as f64 / rows * CHART_WIDTH;
    let _ = write!(
        page,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{CHART_WIDTH}\" height=\"66\" viewBox=\"0 0 {CHART_WIDTH} 66\" role=\"img\" aria-label=\"where the mismatches of {} lie\">\
         <rect x=\"0\" y=\"10\" width=\"{CHART_WIDTH}\" height=\"30\" fill=\"#f3f4f6\" stroke=\"#9ca3af\"/>",
        escape(&column.column)
    );
    for block in &column.differing_blocks {
        let (from, to) = (
            x(block.first_row),
            x((block.first_row + BLOCK_ROWS).min(file.rows)),
        );
        let _ = write!(
            page,
            "<rect x=\"{from:.2}\" y=\"10\" width=\"{:.2}\" height=\"30\" fill=\"#fecaca\"/>",
            (to - from).max(1.0)
        );
    }
    for bar in density_bars(file.rows, column) {
        let (from, to) = (x(bar.first_row), x(bar.end_row));
        let _ = write!(
            page,
            "<rect class=\"mismatches\" x=\"{from:.2}\" y=\"12\" width=\"{:.2}\" height=\"26\" fill=\"#dc2626\" fill-opacity=\"{:.2}\"><title>rows {}\u{2013}{}: {} mismatching</title></rect>",
            // At least a unit wide, so that a lone mismatch in a long file shows.
            (to - from).max(1.0),
            opacity(&bar),
            bar.first_row,
            bar.end_row - 1,
            bar.mismatches
        );
    }
    if column.page_starts.len() <= MAX_BOUNDARY_MARKS {
        for &start in &column.page_starts {
            let _ = write!(
                page,
                "<line x1=\"{0:.2}\" x2=\"{0:.2}\" y1=\"34\" y2=\"40\" stroke=\"#9ca3af\"/>",
                x(start)
            );
        }
    }
    if file.row_group_starts.len() <= MAX_BOUNDARY_MARKS {
        for &start in &file.row_group_starts {
            let _ = write!(page, "<line x1=\"{0:.2}\" x2=\"{0:.2}\" y1=\"6\" y2=\"44\" stroke=\"#374151\" stroke-width=\"2\"/>", x(start));
        }
    }
    for &row in listed_rows {
        let _ = write!(page, "<line x1=\"{0:.2}\" x2=\"{0:.2}\" y1=\"42\" y2=\"50\" stroke=\"#7f1d1d\" stroke-width=\"1.5\"/>", x(row));
    }
    // A report without block counts (written before they existed) marks the listed rows only.
    let counted = if column.mismatch_blocks.is_empty() && column.mismatches > 0 {
        "red: block counts are not in this report; only the listed mismatches are marked"
    } else {
        "red: where all mismatches fall, by exact count per 65,536-row block, darker where denser"
    };
    let _ = writeln!(
        page,
        "<text x=\"0\" y=\"62\" font-size=\"11\">row 0</text><text x=\"{CHART_WIDTH}\" y=\"62\" font-size=\"11\" text-anchor=\"end\">row {}</text></svg>\n\
         <p><small>{counted} · ticks below: the listed mismatches · dark lines: row groups · light ticks: pages (each drawn when there are at most {MAX_BOUNDARY_MARKS}) · shaded: 65,536-row blocks whose fingerprints differ</small></p>",
        file.rows
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{BlockMismatches, KindCounts};

    fn mismatching_column() -> ColumnReport {
        ColumnReport {
            column: "label".into(),
            path: vec!["label".into()],
            physical_type: "INT32".into(),
            logical_type: None,
            rows: 0,
            nulls: 0,
            digests: Default::default(),
            differing_blocks: Vec::new(),
            mismatches: 1,
            mismatch_kinds: KindCounts::default(),
            mismatch_blocks: Vec::new(),
            diagnosis: Vec::new(),
            page_starts: Vec::new(),
            status: ColumnStatus::Mismatch,
            checked_by: vec![WitnessName::ARROW, WitnessName::RAW],
            error: None,
            timings: None,
            summary: None,
            transitions: None,
        }
    }

    fn chart(row_groups: u64) -> String {
        let mut file = FileReport::failed("f.parquet", String::new());
        file.rows = row_groups;
        file.row_groups = row_groups as usize;
        file.row_group_starts = (0..row_groups).collect();
        let column = ColumnReport {
            page_starts: (0..row_groups).collect(),
            ..mismatching_column()
        };
        let mut page = String::new();
        strip_chart(&mut page, &file, &column, &[7]);
        page
    }

    #[test]
    fn boundaries_are_marked_up_to_the_cap() {
        let page = chart(MAX_BOUNDARY_MARKS as u64);
        // Row groups span y 6 to 44, page ticks 34 to 40.
        assert_eq!(page.matches("y1=\"6\"").count(), MAX_BOUNDARY_MARKS);
        assert_eq!(page.matches("y1=\"34\"").count(), MAX_BOUNDARY_MARKS);
        assert_eq!(
            page.matches("stroke=\"#7f1d1d\"").count(),
            1,
            "the listed row's tick"
        );
    }

    fn counted(blocks: &[(u64, u64)]) -> ColumnReport {
        ColumnReport {
            mismatch_blocks: blocks
                .iter()
                .map(|&(block, mismatches)| BlockMismatches {
                    block,
                    first_row: block * BLOCK_ROWS,
                    mismatches,
                })
                .collect(),
            ..mismatching_column()
        }
    }

    #[test]
    fn every_counted_block_is_drawn_however_few_are_listed() {
        let rows = 40 * BLOCK_ROWS + 100;
        let column = counted(&[(0, 1), (7, 65_536), (39, 3), (40, 100)]);
        let bars = density_bars(rows, &column);
        assert_eq!(
            bars.len(),
            4,
            "one bar per block: the file has fewer blocks than bars"
        );
        assert_eq!(
            bars[3],
            Bar {
                first_row: 40 * BLOCK_ROWS,
                end_row: rows,
                mismatches: 100
            },
            "the last block ends with the file"
        );
        // A lone mismatch is visible, a block of nothing but mismatches darkest.
        assert!((opacity(&bars[0]) - 0.3).abs() < 0.01);
        assert_eq!(opacity(&bars[1]), 1.0);
        assert!(opacity(&bars[2]) < opacity(&bars[3]));

        let mut file = FileReport::failed("f.parquet", String::new());
        file.rows = rows;
        let mut page = String::new();
        strip_chart(&mut page, &file, &column, &[0]);
        assert_eq!(page.matches("class=\"mismatches\"").count(), 4);
        assert!(page.contains("<title>rows 458752\u{2013}524287: 65536 mismatching</title>"));
    }

    #[test]
    fn a_long_file_adds_blocks_together_into_at_most_a_bar_per_unit() {
        // 10 billion rows: 152,588 blocks, 153 to a bar.
        let rows = 10_000_000_000;
        let blocks: Vec<(u64, u64)> = (0..rows / BLOCK_ROWS).map(|b| (b, 2)).collect();
        let bars = density_bars(rows, &counted(&blocks));
        assert!(bars.len() as u64 <= MAX_DENSITY_BARS, "{}", bars.len());
        assert_eq!(
            bars.iter().map(|b| b.mismatches).sum::<u64>(),
            2 * blocks.len() as u64
        );
        assert_eq!(bars[1].first_row, 153 * BLOCK_ROWS);
        assert!(bars.windows(2).all(|w| w[0].end_row == w[1].first_row));
    }

    #[test]
    fn a_million_row_groups_do_not_write_a_million_lines() {
        let page = chart(1_000_000);
        assert_eq!(page.matches("<line").count(), 1, "only the listed mismatch");
        assert!(page.len() < 4096, "{} bytes", page.len());
    }
}
