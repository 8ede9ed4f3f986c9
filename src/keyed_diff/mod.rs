//! The keyed diff: `labelcheck diff NEW --against OLD.parquet --key COL[,COL]`.
//!
//! Both files are checked through both decoders as any file is (their reports come first);
//! where each file's decoders agree on the key and label columns, the rows are matched by key
//! rather than by position:
//!
//! 1. `rows.rs`: each file's (key, labels) rows streamed from its raw decoder, the columns'
//!    windows aligned by row, as canonical row bytes (FINGERPRINT.md).
//! 2. `spill.rs`: the rows partitioned by a stable hash of their key into spill files in a
//!    temporary directory, removed when done and on SIGINT/SIGTERM.
//! 3. `join.rs`: each partition's rows of both files joined in memory; a partition larger than
//!    its share of `--max-memory` is split again first.
//!
//! Memory (docs/KEYED-DIFF.md): the joins running at once hold at most `--max-memory`
//! between them; streaming holds a window of rows per column and file and the spill
//! writers' buffers (at most 8 MiB).

mod cells;
mod join;
mod rows;
mod spill;

use std::collections::HashMap;
use std::io;
use std::sync::Arc;

use rayon::prelude::*;

use self::cells::RowShape;
use self::join::{Duplicates, Joined, Listed, Side, BYTES_PER_RECORD};
use self::spill::{Part, SpillDir, MAX_FANOUT, SPLIT_FANOUT};
use crate::check::{check_file, CheckOptions, Progress};
use crate::columns::{CheckedColumn, ColumnChoice, ColumnNames};
use crate::raw::RawFile;
use crate::report::{
    Cell, ColumnStatus, Fault, FileReport, KeyCell, KeyedDiffSummary, Kind, Mismatch,
};
use crate::source::{ByteSource, InputLocation};
use crate::value::PhysicalType;
use crate::version::VersionOptions;
use crate::witness_list::{ByWitness, WitnessName};

/// Rows of each column decoded at once while streaming (the raw path rounds up to a page).
const STREAM_ROWS: usize = 1 << 16;

/// Bytes of a partition's join that its reads in key order stay fast within: what a core's
/// share of a processor's last-level cache holds.
const CACHED_PARTITION: u64 = 8 << 20;

/// Levels of splitting a partition that is too large to join; after that many, its rows
/// share a key hash at every level, which only a key repeated many times does.
const MAX_LEVEL: u32 = 6;

/// What `--key` asks for.
#[derive(Debug, Clone)]
pub struct KeyedDiffOptions {
    /// The key columns, as named.
    pub keys: Vec<String>,
    /// Most bytes the joins hold at once (`--max-memory`).
    pub max_memory: u64,
}

/// Checks `new` and its older version `old`, then diffs them by key: the reports of both
/// files, the newer first, carrying the differences. Each file is checked on its own
/// (`options.old` is not a witness here: the rows are matched by key, not position).
pub fn run(
    new: &(String, InputLocation),
    old: &VersionOptions,
    keyed: &KeyedDiffOptions,
    options: &CheckOptions,
    threads: usize,
    progress: &dyn Fn(u64) -> Box<dyn Progress>,
) -> Vec<FileReport> {
    let options = &CheckOptions {
        old: None,
        ..options.clone()
    };
    let (new_name, old_name) = (new.0.as_str(), old.path.as_str());
    let sources = (new.1.open(), old.location.open());
    let (new_source, old_source) = match sources {
        (Ok(new), Ok(old)) => (new, old),
        (new_source, old_source) => {
            // Each file that opens is still checked; the diff cannot run.
            let report = |name: &str, source: io::Result<Arc<dyn ByteSource>>| match source {
                Ok(source) => check_file(name, source, options, progress),
                Err(e) => FileReport::failed(name, format!("cannot open: {e}")),
            };
            return vec![report(new_name, new_source), report(old_name, old_source)];
        }
    };
    let plan = match Plan::new(&new_source, &old_source, keyed, options) {
        Ok(plan) => plan,
        Err((side, message)) => {
            let mut reports = vec![
                check_file(new_name, new_source, options, progress),
                check_file(old_name, old_source, options, progress),
            ];
            not_run(&mut reports[side as usize], message);
            return reports;
        }
    };
    let mut new_report = check_file(
        new_name,
        new_source,
        &plan.check_options(options, Side::New),
        progress,
    );
    new_report.selection = plan.selection;
    let mut old_report = check_file(
        old_name,
        old_source,
        &plan.check_options(options, Side::Old),
        progress,
    );
    // Only what both decoders of both files agree on is compared by key.
    let agreed = |report: &FileReport, name: &str| {
        report
            .columns
            .iter()
            .any(|c| c.column == name && c.status == ColumnStatus::Agree)
    };
    for (key, old_key) in plan.keys.iter().zip(&plan.old_keys) {
        let mut reports = [new_report, old_report];
        let names = [&key.name, old_key];
        let disagreed = (0..2).find(|&i| !agreed(&reports[i], names[i]));
        if let Some(i) = disagreed {
            let message = format!(
                "keyed diff not run: key column {:?} was not read alike by both decoders",
                names[i]
            );
            not_run(&mut reports[i], message);
            return reports.into();
        }
        [new_report, old_report] = reports;
    }
    let labels: Vec<usize> = (0..plan.labels.len())
        .filter(|&i| {
            let both = agreed(&new_report, &plan.labels[i].name)
                && agreed(&old_report, &plan.old_labels[i]);
            if !both {
                crate::log::line(format_args!(
                    "{new_name}: column {:?} not compared by key: its decoders disagree or failed in one of the files",
                    plan.labels[i].name
                ));
            }
            both
        })
        .collect();
    let plan = plan.keep_labels(&labels);
    let cap = options
        .max_listed
        .saturating_sub(new_report.mismatches.len());
    match plan.diff(threads, keyed.max_memory, cap) {
        Ok(diff) => diff.apply(&plan, old_name, keyed, &mut new_report, &mut old_report),
        Err(message) => not_run(&mut new_report, message),
    }
    vec![new_report, old_report]
}

/// Marks a report whose keyed diff could not run: an error (exit 2), unless it has one.
fn not_run(report: &mut FileReport, message: String) {
    if report.error.is_none() {
        report.error = Some(message);
    }
}

/// The columns of the diff in both files, and the files' raw decoders.
struct Plan {
    new: RawFile,
    old: RawFile,
    /// Key columns, as NEW has them.
    keys: Vec<CheckedColumn>,
    /// Their names in OLD.
    old_keys: Vec<String>,
    /// Their leaves in OLD.
    old_key_leaves: Vec<usize>,
    /// Label columns, as NEW has them.
    labels: Vec<CheckedColumn>,
    /// Their names in OLD.
    old_labels: Vec<String>,
    /// Their leaves in OLD.
    old_label_leaves: Vec<usize>,
    /// How NEW's labels were chosen.
    selection: crate::columns::Selection,
}

impl Plan {
    /// Resolves the key and label columns in both files; an error names the file at fault.
    fn new(
        new_source: &Arc<dyn ByteSource>,
        old_source: &Arc<dyn ByteSource>,
        keyed: &KeyedDiffOptions,
        options: &CheckOptions,
    ) -> Result<Self, (Side, String)> {
        let open = |source: &Arc<dyn ByteSource>, side| {
            RawFile::open(source.clone(), options.decode)
                .map_err(|e| (side, format!("keyed diff not run: {e}")))
        };
        let new = open(new_source, Side::New)?;
        let old = open(old_source, Side::Old)?;
        let names = ColumnNames::new(new.leaves());
        let (keys, _) = names
            .choose(&ColumnChoice::Named(keyed.keys.clone()))
            .map_err(|e| (Side::New, format!("--key: {e}")))?;
        if let Some(nested) = keys.iter().find(|k| k.depth > 0) {
            return Err((
                Side::New,
                format!(
                    "--key: column {:?} is a list or map; a key column must hold one value per row",
                    nested.name
                ),
            ));
        }
        let (labels, selection) = names
            .choose(&options.columns)
            .map_err(|e| (Side::New, e.to_string()))?;
        let labels: Vec<CheckedColumn> = labels
            .into_iter()
            .filter(|l| keys.iter().all(|k| k.leaf != l.leaf))
            .collect();
        if labels.is_empty() {
            return Err((
                Side::New,
                "keyed diff not run: no label column besides the key columns; name some with --columns".into(),
            ));
        }
        // The same columns in OLD, matched by their path in the schema.
        let old_names = ColumnNames::new(old.leaves());
        let by_path: HashMap<&[String], usize> = old
            .leaves()
            .iter()
            .enumerate()
            .map(|(position, leaf)| (leaf.path.as_slice(), position))
            .collect();
        let in_old = |column: &CheckedColumn| {
            let position = *by_path.get(column.path.as_slice())?;
            let leaf = &old.leaves()[position];
            (leaf.physical_type == column.physical
                && usize::from(leaf.max_rep_level) == column.depth)
                .then(|| (old_names.report_name(position).to_owned(), leaf.index))
        };
        let mut old_keys = Vec::new();
        let mut old_key_leaves = Vec::new();
        for key in &keys {
            let (name, leaf) = in_old(key).ok_or_else(|| {
                (
                    Side::Old,
                    format!(
                        "--key: no key column {:?} of type {} in this file, the older version",
                        key.name,
                        key.physical.name()
                    ),
                )
            })?;
            old_keys.push(name);
            old_key_leaves.push(leaf);
        }
        let mut kept = Vec::new();
        let mut old_labels = Vec::new();
        let mut old_label_leaves = Vec::new();
        for label in labels {
            match in_old(&label) {
                Some((name, leaf)) => {
                    old_labels.push(name);
                    old_label_leaves.push(leaf);
                    kept.push(label);
                }
                None => crate::log::line(format_args!(
                    "column {:?} not compared by key: the older version has no column of its path and type",
                    label.name
                )),
            }
        }
        if kept.is_empty() {
            return Err((
                Side::Old,
                "keyed diff not run: it has none of the label columns".into(),
            ));
        }
        Ok(Self {
            new,
            old,
            keys,
            old_keys,
            old_key_leaves,
            labels: kept,
            old_labels,
            old_label_leaves,
            selection,
        })
    }

    /// The options to check one file with: its label and key columns.
    fn check_options(&self, options: &CheckOptions, side: Side) -> CheckOptions {
        let names: Vec<String> = match side {
            Side::New => self
                .labels
                .iter()
                .chain(&self.keys)
                .map(|c| c.name.clone())
                .collect(),
            Side::Old => self
                .old_labels
                .iter()
                .chain(&self.old_keys)
                .cloned()
                .collect(),
        };
        CheckOptions {
            columns: ColumnChoice::Named(names),
            ..options.clone()
        }
    }

    /// Keeps the label columns at `kept`.
    fn keep_labels(mut self, kept: &[usize]) -> Self {
        self.labels = kept.iter().map(|&i| self.labels[i].clone()).collect();
        self.old_labels = kept.iter().map(|&i| self.old_labels[i].clone()).collect();
        self.old_label_leaves = kept.iter().map(|&i| self.old_label_leaves[i]).collect();
        self
    }

    /// Bytes a row of `raw`'s `leaves` is estimated to take in a spill file and in a join:
    /// canonical bytes by type, byte arrays by their uncompressed size in the footer. Only
    /// the number of partitions follows it; a partition larger than estimated is split when
    /// joined, so the memory bound holds whatever the estimate.
    fn row_cost(raw: &RawFile, leaves: &[usize]) -> u64 {
        let rows: u64 = raw
            .metadata()
            .row_groups
            .iter()
            .map(|g| g.num_rows.max(0) as u64)
            .sum();
        let per_column = |leaf: usize| -> u64 {
            let column = &raw.leaves()[leaf];
            let fixed = match column.physical_type {
                PhysicalType::Boolean => 2,
                PhysicalType::Int32 | PhysicalType::Float => 5,
                PhysicalType::Int64 | PhysicalType::Double => 9,
                PhysicalType::Int96 => 13,
                PhysicalType::FixedLenByteArray => {
                    1 + column.type_length.unwrap_or(0).max(0) as u64
                }
                PhysicalType::ByteArray => 5,
            };
            let stored: u64 = raw
                .metadata()
                .row_groups
                .iter()
                .filter_map(|g| g.columns.get(leaf)?.meta_data.as_ref())
                .map(|m| m.total_uncompressed_size.max(0) as u64)
                .sum();
            // 4 for the label's length in the record.
            4 + fixed.max(stored / rows.max(1))
        };
        12 + BYTES_PER_RECORD + leaves.iter().map(|&l| per_column(l)).sum::<u64>()
    }

    /// Streams, partitions and joins both files' rows.
    fn diff(&self, threads: usize, max_memory: u64, cap: usize) -> Result<Diff, String> {
        let dir = SpillDir::new()
            .map_err(|e| format!("keyed diff not run: cannot make a spill directory: {e}"))?;
        let new_leaves: Vec<usize> = self
            .keys
            .iter()
            .chain(&self.labels)
            .map(|c| c.leaf)
            .collect();
        let old_leaves: Vec<usize> = self
            .old_key_leaves
            .iter()
            .chain(&self.old_label_leaves)
            .copied()
            .collect();
        let rows = |raw: &RawFile| -> u64 {
            raw.metadata()
                .row_groups
                .iter()
                .map(|g| g.num_rows.max(0) as u64)
                .sum()
        };
        let budget = (max_memory / threads.max(1) as u64).max(1);
        let estimate = rows(&self.new) * Self::row_cost(&self.new, &new_leaves)
            + rows(&self.old) * Self::row_cost(&self.old, &old_leaves);
        // Partitions small enough for the budget, and for the processor's cache: a join reads
        // its records in key-hash order, all over the partition, which from main memory
        // costs a cache miss per record.
        let fanout =
            (estimate.div_ceil(budget.min(CACHED_PARTITION)) as usize).clamp(1, MAX_FANOUT);
        let new_names: Vec<String> = self
            .keys
            .iter()
            .chain(&self.labels)
            .map(|c| c.name.clone())
            .collect();
        let old_names: Vec<String> = self
            .old_keys
            .iter()
            .chain(&self.old_labels)
            .cloned()
            .collect();
        let keys = self.keys.len();
        let streamed = |leaves, names| rows::Streamed {
            leaves,
            names,
            keys,
        };
        let (new_streamed, old_streamed) = (
            streamed(&new_leaves, &new_names),
            streamed(&old_leaves, &old_names),
        );
        let (new_parts, old_parts) = rayon::join(
            || rows::partition(&self.new, &new_streamed, STREAM_ROWS, &dir, fanout, "new"),
            || rows::partition(&self.old, &old_streamed, STREAM_ROWS, &dir, fanout, "old"),
        );
        let new_parts = new_parts.map_err(|e| format!("keyed diff not run: {e}"))?;
        let old_parts = old_parts.map_err(|e| format!("keyed diff not run: {e}"))?;
        let flat: Vec<bool> = self.labels.iter().map(|l| l.depth == 0).collect();
        let join = JoinSettings {
            dir: &dir,
            labels: self.labels.len(),
            flat: &flat,
            cap,
            budget,
        };
        let joined = new_parts
            .into_par_iter()
            .zip(old_parts)
            .map(|(new, old)| join.pair(new, old, 1))
            .try_reduce(
                || (Joined::new(&flat, cap), Counts::default()),
                |mut a, b| {
                    a.0.merge(b.0);
                    a.1.add(b.1);
                    Ok(a)
                },
            )
            .map_err(|e| format!("keyed diff not run: spill files: {e}"))?;
        Ok(Diff {
            joined: joined.0,
            counts: joined.1,
        })
    }
}

/// Partitions joined and bytes spilled.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    partitions: u64,
    spilled: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.partitions += other.partitions;
        self.spilled += other.spilled;
    }
}

/// What every partition's join needs.
struct JoinSettings<'a> {
    dir: &'a SpillDir,
    labels: usize,
    flat: &'a [bool],
    cap: usize,
    /// Bytes one join may hold.
    budget: u64,
}

impl JoinSettings<'_> {
    /// Joins one partition of each file (hashed at `level - 1`), splitting them first while
    /// they are too large for the budget.
    fn pair(&self, new: Part, old: Part, level: u32) -> io::Result<(Joined, Counts)> {
        let cost = new.bytes + old.bytes + (new.records + old.records) * BYTES_PER_RECORD;
        let spilled = new.bytes + old.bytes;
        if cost <= self.budget || level > MAX_LEVEL {
            // Past the last level the partition is a key repeated (every level's hash put its
            // rows together), found as a duplicate — the diff's error — without loading it;
            // or, under a bound too small for even a few rows, a few rows joined all the same.
            let mut joined = Joined::new(self.flat, self.cap);
            if cost > self.budget {
                joined.duplicate_by_scan(&new, &old, self.labels)?;
            }
            if !joined.has_duplicates() {
                joined.join(&new.load()?, &old.load()?, self.labels);
            }
            new.remove();
            old.remove();
            return Ok((
                joined,
                Counts {
                    partitions: 1,
                    spilled,
                },
            ));
        }
        let new = spill::split(self.dir, new, self.labels, SPLIT_FANOUT, level, "new")?;
        let old = spill::split(self.dir, old, self.labels, SPLIT_FANOUT, level, "old")?;
        let mut total = (
            Joined::new(self.flat, self.cap),
            Counts {
                partitions: 0,
                spilled,
            },
        );
        for (new, old) in new.into_iter().zip(old) {
            let (joined, counts) = self.pair(new, old, level + 1)?;
            total.0.merge(joined);
            total.1.add(counts);
        }
        Ok(total)
    }
}

/// What the diff found.
struct Diff {
    joined: Joined,
    counts: Counts,
}

impl Diff {
    /// Puts what was found into the reports: duplicates as each file's error, else the
    /// differences in the newer file's columns, list and summary.
    fn apply(
        self,
        plan: &Plan,
        old_name: &str,
        keyed: &KeyedDiffOptions,
        new_report: &mut FileReport,
        old_report: &mut FileReport,
    ) {
        let key_shapes: Vec<RowShape> = plan.keys.iter().map(|k| shape(&plan.new, k)).collect();
        let joined = self.joined;
        let mut duplicated = false;
        for (report, duplicates) in [
            (&mut *new_report, &joined.new_duplicates),
            (&mut *old_report, &joined.old_duplicates),
        ] {
            if duplicates.keys > 0 {
                duplicated = true;
                report.error = Some(duplicate_message(duplicates, plan, &key_shapes));
            }
        }
        if duplicated {
            return;
        }
        for (c, label) in plan.labels.iter().enumerate() {
            let Some(column) = new_report
                .columns
                .iter_mut()
                .find(|r| r.column == label.name)
            else {
                continue;
            };
            column.mismatch_kinds.add(Kind::Changed, joined.changed[c]);
            column.mismatch_kinds.add(Kind::Added, joined.added);
            column.mismatch_kinds.add(Kind::Removed, joined.removed);
            let changes = joined.changed[c] + joined.added + joined.removed;
            column.mismatches += changes;
            if changes > 0 && column.status == ColumnStatus::Agree {
                column.status = ColumnStatus::Changed;
            }
            column.transitions = joined.transitions[c]
                .clone()
                .and_then(|counter| counter.finish(label));
        }
        let new_starts = new_report.row_group_starts.clone();
        let old_starts = old_report.row_group_starts.clone();
        let listed: Vec<Listed> = joined.listing.finish();
        for listed in listed {
            let (side, row, c) = listed.order;
            let label = &plan.labels[c];
            let label_shape = shape(&plan.new, label);
            let starts = match side {
                Side::New => &new_starts,
                Side::Old => &old_starts,
            };
            let row_group = starts.partition_point(|&s| s <= row).saturating_sub(1);
            let mut values = ByWitness::new();
            if let Some(new) = &listed.new {
                let cell = label_shape.cell(new);
                values.insert(WitnessName::ARROW, cell.clone());
                values.insert(WitnessName::RAW, cell);
            }
            if let Some(old) = &listed.old {
                values.insert(WitnessName::OLD, label_shape.cell(old));
            }
            new_report.mismatches.push(Mismatch {
                column: label.name.clone(),
                row,
                row_group,
                row_in_group: row - starts.get(row_group).copied().unwrap_or(0),
                page: None,
                page_offset: None,
                position: None,
                kind: listed.kind,
                fault: Fault::Change,
                key: Some(key_cells(&listed.key, plan, &key_shapes)),
                values,
            });
        }
        let total: u64 = new_report.columns.iter().map(|c| c.mismatches).sum();
        new_report.mismatches_truncated = total > new_report.mismatches.len() as u64;
        new_report.keyed_diff = Some(KeyedDiffSummary {
            against: old_name.to_owned(),
            key: plan.keys.iter().map(|k| k.name.clone()).collect(),
            columns: plan.labels.iter().map(|l| l.name.clone()).collect(),
            matched: joined.matched,
            added: joined.added,
            removed: joined.removed,
            changed: joined.changed_rows,
            partitions: self.counts.partitions,
            spilled_bytes: self.counts.spilled,
            max_memory: keyed.max_memory,
        });
    }
}

/// How `column` of `raw` reads back from its canonical bytes.
fn shape(raw: &RawFile, column: &CheckedColumn) -> RowShape {
    RowShape {
        physical: column.physical,
        width: raw.leaves()[column.leaf].type_length.unwrap_or(0).max(0) as usize,
        depth: column.depth,
        style: column.style,
    }
}

/// The key cells of a row's key bytes, one per key column.
fn key_cells(key: &[u8], plan: &Plan, shapes: &[RowShape]) -> Vec<KeyCell> {
    let mut at = key;
    plan.keys
        .iter()
        .zip(shapes)
        .map(|(column, shape)| KeyCell {
            column: column.name.clone(),
            value: shape.next_cell(&mut at).unwrap_or(Cell::Absent),
        })
        .collect()
}

/// The one-line error for a file whose keys repeat: the first few, where they repeat.
fn duplicate_message(duplicates: &Duplicates, plan: &Plan, shapes: &[RowShape]) -> String {
    let shown: Vec<String> = duplicates
        .shown
        .iter()
        .map(|d| {
            let key = key_cells(&d.key, plan, shapes)
                .iter()
                .map(|k| format!("{}={}", k.column, k.value))
                .collect::<Vec<_>>()
                .join(", ");
            format!("({key}) at rows {} and {}", d.first, d.second)
        })
        .collect();
    let more = duplicates.keys - duplicates.shown.len() as u64;
    let more = if more > 0 {
        format!(", and {more} more")
    } else {
        String::new()
    };
    format!(
        "duplicate keys ({} repeated): {}{more}; a keyed diff needs each key once",
        duplicates.keys,
        shown.join(", ")
    )
}
