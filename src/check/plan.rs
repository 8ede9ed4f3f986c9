//! Stage 2, plan: the tasks — one per (row group, column) — taken a window of row groups at a
//! time, so that memory stays bounded by a few row groups of the checked columns; each
//! window's tasks run in parallel, and their outputs merge into each column's results in row
//! order. The plan states the byte ranges each task needs ([`TaskPlan`]), and a task fetches
//! them in one batch before its readers start, so that the screen and both decoders read the
//! chunk from memory instead of each fetching it again ([`FilePlan`]).

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rayon::prelude::*;

use super::chunk::{check_chunk, ChunkOutput};
use super::results::{ChunkEnd, ColumnState, Results, Standing};
use super::verdict::{column_report, file_report};
use super::{CheckOptions, FileToCheck, Progress, Witness};
use crate::raw::metadata::ColumnChunk;
use crate::raw::page::chunk_range;
use crate::raw::RawFile;
use crate::report::{FileReport, Finding, Mismatch};
use crate::source::{ByteSource, Hold, Prefetched};

/// The most bytes one task fetches ahead (its chunk and its page index and bloom filter
/// together). Up to it, a chunk is fetched in one request and held while the task runs, so
/// that its three readers (the screen, the raw and the arrow decoder) cost one request and
/// one copy of its bytes instead of three, which a remote store bills. Above it, holding the
/// chunk would make memory follow the chunk instead of the window of rows (docs/RELIABILITY.md),
/// and the readers fetch it block by block as they always could. 16 MiB is twice the raw
/// decoder's block, so holding a chunk costs little more than reading it did, and label
/// columns' chunks are mostly far smaller (a label column of a 128 MiB row group of many
/// columns); with the budget of [`FilePlan`], the memory held is at most this times the
/// worker threads.
pub const MAX_FETCHED_AHEAD: u64 = 16 << 20;

/// The byte ranges one task — the chunk of one column in one row group — needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskPlan {
    /// The row group.
    pub row_group: usize,
    /// The column, as its index among the file's leaf columns.
    pub column: usize,
    /// The chunk's pages: from the dictionary page to the end of the last data page, and the
    /// PARQUET-816 padding after it, as the raw decoder finds it
    /// ([`crate::raw::page::chunk_range`]).
    pub chunk: Range<u64>,
    /// Its column index, offset index and bloom filter, those the footer locates (with a
    /// length) inside the file.
    pub index: Vec<Range<u64>>,
}

impl TaskPlan {
    /// The ranges of the chunk of `column` in `row_group` of a file of `file_len` bytes, or
    /// `None` when the footer does not locate its pages in the file (the decoders then read
    /// what they can and say what is wrong).
    fn of(
        chunk: &ColumnChunk,
        (row_group, column): (usize, usize),
        file_len: u64,
        pad_dictionary: bool,
    ) -> Option<Self> {
        if chunk.file_path.is_some() {
            return None;
        }
        let meta = chunk.meta_data.as_ref()?;
        let range = chunk_range(meta, file_len, pad_dictionary).ok()?;
        let located = |offset: Option<i64>, length: Option<i32>| {
            let start = u64::try_from(offset?).ok()?;
            let end = start.checked_add(u64::try_from(length?).ok()?)?;
            (start < end && end <= file_len).then_some(start..end)
        };
        let index = [
            located(chunk.column_index_offset, chunk.column_index_length),
            located(chunk.offset_index_offset, chunk.offset_index_length),
            located(meta.bloom_filter_offset, meta.bloom_filter_length),
        ]
        .into_iter()
        .flatten()
        .collect();
        Some(Self {
            row_group,
            column,
            chunk: range.start..range.end(),
            index,
        })
    }

    /// Bytes the task fetches ahead.
    fn bytes(&self) -> u64 {
        let length = |r: &Range<u64>| r.end - r.start;
        length(&self.chunk) + self.index.iter().map(length).sum::<u64>()
    }
}

/// Where a file's tasks find their byte ranges (the raw path's footer), and the layer through
/// which every reader of the file reads ([`Prefetched`]). A window's tasks are planned as the
/// window starts ([`FilePlan::task`]), not the whole file's at once: for a footer of 100,000
/// row groups that would be a second copy of it.
///
/// Memory: a task holds what it fetched ahead until it ends, and tasks nest on rayon's
/// threads (a thread waiting inside one task runs another), so how many are in flight is not
/// the number of threads. A budget of [`MAX_FETCHED_AHEAD`] bytes a thread bounds it instead:
/// a task that finds the budget spent does not wait for it (a nested task waiting for the
/// one below it could wait forever) but reads its chunk block by block, as without a plan.
pub struct FilePlan<'a> {
    raw: &'a RawFile,
    source: Arc<Prefetched>,
    /// Bytes that tasks in flight may still fetch ahead.
    budget: AtomicU64,
}

impl<'a> FilePlan<'a> {
    /// Plans the tasks of `raw`, whose reads go through `source`, with a budget for the
    /// threads of the current rayon pool.
    pub fn new(raw: &'a RawFile, source: Arc<Prefetched>) -> Self {
        let threads = rayon::current_num_threads().max(1) as u64;
        Self {
            raw,
            source,
            budget: AtomicU64::new(MAX_FETCHED_AHEAD.saturating_mul(threads)),
        }
    }

    /// The byte ranges the task of `column` (a leaf) in `row_group` needs, when the footer
    /// locates them in the file.
    pub fn task(&self, row_group: usize, column: usize) -> Option<TaskPlan> {
        let chunk = self
            .raw
            .metadata()
            .row_groups
            .get(row_group)?
            .columns
            .get(column)?;
        TaskPlan::of(
            chunk,
            (row_group, column),
            self.source.len(),
            self.raw.pads_dictionary(),
        )
    }

    /// Fetches `task`'s ranges in one batch and holds them for its readers until what this
    /// returns is dropped; `None` when the task needs more than [`MAX_FETCHED_AHEAD`], finds
    /// the budget spent, or the fetch fails (the readers then meet the failure themselves,
    /// per column).
    fn fetch(&self, task: &TaskPlan) -> Option<Fetched<'_>> {
        let bytes = task.bytes();
        if bytes > MAX_FETCHED_AHEAD {
            return None;
        }
        self.budget
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
                left.checked_sub(bytes)
            })
            .ok()?;
        let returned = Budget { plan: self, bytes };
        let mut ranges = Vec::with_capacity(1 + task.index.len());
        ranges.push(task.chunk.clone());
        ranges.extend(task.index.iter().cloned());
        let hold = self.source.hold(&ranges).ok()?;
        Some(Fetched {
            _hold: hold,
            _budget: returned,
        })
    }
}

/// A task's ranges, held until it ends; then its bytes go back to the budget.
struct Fetched<'p> {
    // Dropped first: the bytes are let go before the budget says they are.
    _hold: Hold<'p>,
    _budget: Budget<'p>,
}

/// Bytes taken from a [`FilePlan`]'s budget, given back when dropped.
struct Budget<'p> {
    plan: &'p FilePlan<'p>,
    bytes: u64,
}

impl Drop for Budget<'_> {
    fn drop(&mut self) {
        self.plan.budget.fetch_add(self.bytes, Ordering::AcqRel);
    }
}

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
        // The ranges of a task whose column some witness still reads; a column every
        // witness already failed on is not read at all.
        let plans: Vec<Option<TaskPlan>> = tasks
            .iter()
            .map(|&(rg, c)| {
                let reading = failed[c].iter().any(|&failed| !failed);
                let plan = file.plan.filter(|_| reading)?;
                plan.task(rg, file.columns[c].leaf)
            })
            .collect();
        let outputs: Vec<ChunkOutput> = tasks
            .par_iter()
            .zip(&plans)
            .map(|(&(rg, c), task)| {
                let _fetched = file
                    .plan
                    .zip(task.as_ref())
                    .and_then(|(plan, task)| plan.fetch(task));
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
        let (report, finding) = column_report(
            file,
            column,
            state,
            options.timings,
            options.summaries.is_some(),
            unopened,
        );
        columns.push(report);
        findings.extend(finding);
    }
    file_report(file, row_group_starts, columns, listed, findings)
}
