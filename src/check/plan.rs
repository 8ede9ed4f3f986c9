//! Stage 2, plan: the tasks — one per (row group, column) — taken a window of row groups at a
//! time, so that memory stays bounded by a few row groups of the checked columns; each
//! window's tasks run in parallel, and their outputs merge into each column's results in row
//! order. (Which byte ranges each task reads is the decoders' business for now.)

use rayon::prelude::*;

use super::chunk::{check_chunk, ChunkOutput};
use super::results::{ChunkEnd, ColumnState, Results, Standing};
use super::verdict::{column_report, file_report};
use super::{CheckOptions, FileToCheck, Progress, Witness};
use crate::report::{FileReport, Finding, Mismatch};

impl ColumnState {
    /// Adds the next chunk's output, whose first row is file row `first_row`.
    fn merge(
        &mut self,
        witnesses: &[Witness<'_>],
        leader: usize,
        output: ChunkOutput,
        first_row: u64,
    ) {
        let end = ChunkEnd {
            witnesses,
            leader,
            standing: &output.standing,
            pages: &output.pages,
            first_row,
            times: &output.times,
        };
        self.results.merge(output.results, &end);
        for (standing, next) in self.standing.iter_mut().zip(output.standing) {
            standing.merge(next);
        }
        self.leader_only_parts += output.leader_only_parts;
    }
}

/// Checks the columns of `file` through its witnesses. This is the seam tests use to put a
/// faulty decoder in a seat, or to add a witness.
pub fn check_with(
    file: &FileToCheck<'_>,
    options: &CheckOptions,
    progress: &dyn Progress,
) -> FileReport {
    let facts = file.facts;
    let row_group_starts: Vec<u64> = facts
        .row_group_rows
        .iter()
        .scan(0u64, |next, &rows| {
            let start = *next;
            *next += rows;
            Some(start)
        })
        .collect();
    // A decoder that could not open the file fails every column, row groups or none.
    let opening: Vec<Standing> = file
        .witnesses
        .iter()
        .map(|w| {
            w.decoder
                .unavailable()
                .map_or(Standing::Decoded, Standing::Failed)
        })
        .collect();
    let mut states: Vec<ColumnState> = file
        .columns
        .iter()
        .map(|_| ColumnState {
            standing: opening.clone(),
            results: Results::new(&opening),
            leader_only_parts: 0,
        })
        .collect();
    let mut listed: Vec<Mismatch> = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    let row_groups: Vec<usize> = (0..facts.row_group_rows.len()).collect();

    for window in row_groups.chunks(options.window.max(1)) {
        // Columns that already failed on a witness are not decoded again by it.
        let failed: Vec<Vec<bool>> = states
            .iter()
            .map(|s| s.standing.iter().map(|s| s.error().is_some()).collect())
            .collect();
        let tasks: Vec<(usize, usize)> = window
            .iter()
            .flat_map(|&rg| (0..file.columns.len()).map(move |c| (rg, c)))
            .collect();
        let outputs: Vec<ChunkOutput> = tasks
            .par_iter()
            .map(|&(rg, c)| {
                let output = check_chunk(
                    file,
                    &file.columns[c],
                    rg,
                    row_group_starts[rg],
                    &failed[c],
                    options,
                );
                progress.advance(facts.row_group_rows[rg]);
                output
            })
            .collect();
        let mut window_listed = Vec::new();
        for (&(rg, c), mut output) in tasks.iter().zip(outputs) {
            window_listed.append(&mut output.listed);
            findings.append(&mut output.findings);
            states[c].merge(file.witnesses, file.leader(), output, row_group_starts[rg]);
        }
        // Windows advance in row order, so sorting each window keeps the whole list ordered.
        window_listed
            .sort_by_key(|m| (m.row, file.columns.iter().position(|c| c.name == m.column)));
        let room = options.max_listed.saturating_sub(listed.len());
        listed.extend(window_listed.into_iter().take(room));
    }

    // A decoder that could not open the file is one finding about the file, not one per
    // column.
    let unopened = opening.iter().any(|s| s.error().is_some());
    let mut columns = Vec::new();
    for (column, state) in file.columns.iter().zip(states) {
        let (report, finding) = column_report(file, column, state, options.timings, unopened);
        columns.push(report);
        findings.extend(finding);
    }
    file_report(file, row_group_starts, columns, listed, findings)
}
