//! What `labelcheck verify` finds when it compares a lock with the files as they are now
//! ([`crate::lock::verify`]): per column whether its values changed (and where: blocks of rows,
//! or key buckets), its rows then and now, and how far its distribution drifted. A document of
//! its own (`verify --format json`), and the `lock` section of a `check` run's report.

use serde::{Deserialize, Serialize};

use crate::distribution::{Distribution, Drift};
use crate::tool::Tool;

/// What `verify` tolerates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VerifyPolicy {
    /// Largest drift accepted (docs/LOCK.md, "Drift"); `None`: any drift is accepted, and
    /// is reported.
    pub max_drift: Option<f64>,
    /// Value changes are reported but do not fail.
    pub allow_changes: bool,
}

/// What `verify` found, column by column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    /// Shape version of this document (the lock's).
    pub lock_version: u32,
    /// The tool that wrote it.
    pub tool: Tool,
    /// The lock compared with.
    pub lock: String,
    /// How the labels were matched: by file and position, or by key.
    pub matched_by: MatchedBy,
    /// The largest drift accepted, when one was set.
    pub max_drift: Option<f64>,
    /// Value changes were allowed.
    pub allow_changes: bool,
    /// Every column compared, with what changed.
    pub columns: Vec<ColumnVerdict>,
    /// The outcome.
    pub summary: VerifySummary,
}

/// How `verify` matched the labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// File by file, row by row: the positional fingerprints and their blocks.
    Position,
    /// Over the whole dataset by key: the keyed fingerprints and their buckets.
    Key,
}

/// What became of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnVerdict {
    /// The file, as the lock names it; `None` for a dataset-wide (keyed) verdict.
    pub file: Option<String>,
    /// The column.
    pub column: String,
    /// Its state.
    pub state: ColumnState,
    /// Rows in the lock and now.
    pub rows: Change<u64>,
    /// The changed 65,536-row blocks as row ranges (by position).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed_blocks: Vec<RowRange>,
    /// The changed key buckets (by key; docs/FINGERPRINT.md, "Keyed fingerprints").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed_buckets: Vec<usize>,
    /// How far the distribution moved, when both sides have one.
    pub drift: Option<Drift>,
    /// The distribution in the lock and now, when it moved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distributions: Option<Change<Distribution>>,
}

/// A value in the lock and now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change<T> {
    /// In the lock.
    pub locked: Option<T>,
    /// Now.
    pub now: Option<T>,
}

/// Rows `first..=last` of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowRange {
    /// Block number.
    pub block: u64,
    /// First row.
    pub first: u64,
    /// Last row.
    pub last: u64,
}

/// What became of a column since it was locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnState {
    /// The same values (and rows).
    Unchanged,
    /// Values changed: a fingerprint differs.
    Changed,
    /// In the lock, not in the files now.
    Missing,
    /// In the files now, not in the lock.
    Added,
}

/// `verify`'s outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifySummary {
    /// Columns compared.
    pub columns: usize,
    /// Columns whose values changed, went missing or were added.
    pub changed: usize,
    /// Columns whose drift is above `--max-drift`.
    pub drifted: usize,
    /// Whether the labels pass.
    pub passed: bool,
    /// 0 passed, 1 failed.
    pub exit_code: i32,
}

impl ColumnVerdict {
    /// Where it is: `FILE: COLUMN`, or `dataset: COLUMN` for a verdict over every file.
    pub fn place(&self) -> String {
        match &self.file {
            Some(file) => format!("{file}: {}", self.column),
            None => format!("dataset: {}", self.column),
        }
    }

    /// True when it fails the verification under `v`'s policy: its values changed (unless
    /// changes are allowed) or it drifted beyond `--max-drift`.
    pub fn fails(&self, v: &Verification) -> bool {
        let changed = self.state != ColumnState::Unchanged && !v.allow_changes;
        changed || self.drifted(v)
    }

    fn drifted(&self, v: &Verification) -> bool {
        v.max_drift
            .zip(self.drift.as_ref())
            .is_some_and(|(max, d)| d.distance > max)
    }

    /// What changed, as one line's worth of parts (`CHANGED; changed rows 0-65535; drift
    /// 0.000005`); `None` when nothing did.
    pub fn describe(&self, v: &Verification) -> Option<String> {
        let drift = self.drift.as_ref().filter(|d| d.distance > 0.0).map(|d| {
            format!(
                "drift {:.6}{}",
                d.distance,
                if self.drifted(v) {
                    " (above --max-drift)"
                } else {
                    ""
                }
            )
        });
        let rows = match (self.rows.locked, self.rows.now) {
            (Some(a), Some(b)) if a != b => Some(format!("rows {a} -> {b}")),
            _ => None,
        };
        let state = match self.state {
            ColumnState::Unchanged => None,
            ColumnState::Changed => Some("CHANGED".to_owned()),
            ColumnState::Missing => Some("MISSING (in the lock, not in the files)".to_owned()),
            ColumnState::Added => Some("ADDED (not in the lock)".to_owned()),
        };
        let mut parts: Vec<String> = state.into_iter().chain(rows).collect();
        if !self.changed_blocks.is_empty() {
            let shown: Vec<String> = self
                .changed_blocks
                .iter()
                .take(10)
                .map(|r| format!("{}-{}", r.first, r.last))
                .collect();
            let more = self.changed_blocks.len().saturating_sub(10);
            parts.push(format!(
                "changed rows {}{}",
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more blocks")
                } else {
                    String::new()
                }
            ));
        }
        if !self.changed_buckets.is_empty() {
            let shown: Vec<String> = self
                .changed_buckets
                .iter()
                .take(16)
                .map(usize::to_string)
                .collect();
            parts.push(format!(
                "key buckets {}{} (labelcheck diff --key names the rows)",
                shown.join(", "),
                if self.changed_buckets.len() > 16 {
                    ", …"
                } else {
                    ""
                }
            ));
        }
        parts.extend(drift);
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// The verification as text: one line per column that changed or drifted, then the outcome.
pub fn write_text(v: &Verification, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    for c in &v.columns {
        if let Some(what) = c.describe(v) {
            writeln!(out, "{}: {what}", c.place())?;
        }
    }
    let s = &v.summary;
    writeln!(
        out,
        "{}: {} columns compared with {}, {} changed, {} drifted{}",
        if s.passed { "OK" } else { "FAILED" },
        s.columns,
        v.lock,
        s.changed,
        s.drifted,
        if s.changed > 0 && v.allow_changes {
            " (changes allowed)"
        } else {
            ""
        }
    )
}
