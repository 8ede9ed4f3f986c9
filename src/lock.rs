//! Lock files (docs/LOCK.md): what `labelcheck hash` records of a dataset's label columns —
//! per file and column the fingerprint and its block digests, the distribution of the values,
//! and with `--key` a keyed fingerprint that does not depend on the rows' order or files — and
//! what `labelcheck verify` finds when it compares a lock with the files as they are now.
//!
//! A lock is written with a fixed key order and no times, so regenerating it from the same
//! labels gives the same bytes, and a change to the labels is a readable diff in review.

use std::fmt;
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::column_type::Annotation;
use crate::distribution::{drift, Distribution, DistributionBuilder, Drift};
use crate::fingerprint::BLOCK_ROWS;
use crate::keyed::{KeyedBuilder, KeyedFingerprint};
use crate::report::{ColumnReport, ColumnStatus, FileReport};
use crate::tool::Tool;
use crate::verification::{
    Change, ColumnState, ColumnVerdict, MatchedBy, RowRange, Verification, VerifyPolicy,
    VerifySummary,
};
use crate::witness_list::WitnessName;

/// Version of the lock document's shape; a reader refuses a lock of a later version.
pub const LOCK_VERSION: u32 = 1;

/// Largest lock read, in bytes: a lock holds 64 hex digits per 65,536 rows and column, so a
/// billion-row, hundred-column dataset stays far below it.
pub const MAX_LOCK_BYTES: u64 = 256 << 20;

/// A lock: the label columns of a set of files as they were hashed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// Shape version of this document ([`LOCK_VERSION`]).
    pub lock_version: u32,
    /// The tool that wrote it.
    pub tool: Tool,
    /// Version of the fingerprint definition (docs/FINGERPRINT.md).
    pub fingerprint_version: u32,
    /// The key columns of the keyed fingerprints; empty without `--key`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key: Vec<String>,
    /// Where the labels came from: Parquet files, or a CSV source (`hash --csv`).
    pub source: LockSource,
    /// Each file, in the order hashed.
    pub files: Vec<LockedFile>,
    /// The files taken together: rows, distributions and keyed fingerprints over all of
    /// them, which re-partitioning the dataset does not change.
    pub dataset: LockedDataset,
}

/// What the labels of a lock were read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockSource {
    /// Parquet files, each read through both decoders that agreed on every row.
    Parquet,
    /// A CSV of the labels, typed by a Parquet file's schema (`hash --csv --like`).
    Csv,
}

/// One file of a lock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedFile {
    /// The file's path, relative to the lock's directory when the lock is a file under it.
    pub path: String,
    /// Rows in the file.
    pub rows: u64,
    /// Its label columns, in the file's order.
    pub columns: Vec<LockedColumn>,
}

/// One label column of one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedColumn {
    /// The column's name as reports spell it.
    pub column: String,
    /// Its path in the schema.
    pub path: Vec<String>,
    /// Parquet physical type.
    pub physical_type: String,
    /// Logical or converted type, if any.
    pub logical_type: Option<Annotation>,
    /// Rows.
    pub rows: u64,
    /// Null rows.
    pub nulls: u64,
    /// The column fingerprint (FINGERPRINT.md).
    pub fingerprint: String,
    /// Digest of each 65,536-row block, in order: what names the rows that changed.
    pub blocks: Vec<String>,
    /// The values' distribution.
    pub distribution: Distribution,
}

/// The files of a lock taken together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedDataset {
    /// Files.
    pub files: usize,
    /// Rows over all files.
    pub rows: u64,
    /// Each label column, over the files that hold it, by name in first-seen order.
    pub columns: Vec<DatasetColumn>,
}

/// One label column over the files of a lock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetColumn {
    /// The column's name.
    pub column: String,
    /// Its physical type: files where the column has another are another dataset column.
    pub physical_type: String,
    /// Files that hold it.
    pub files: usize,
    /// Rows over those files.
    pub rows: u64,
    /// The distribution over those files.
    pub distribution: Distribution,
    /// The keyed fingerprint over those files, with a key: the same whatever their order,
    /// their rows' order, or how their rows are split into files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyed: Option<KeyedFingerprint>,
}

/// Why a set of checked files cannot be locked: each reason names the file and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotLocked(pub Vec<String>);

impl fmt::Display for NotLocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no lock written: {}", self.0.join("; "))
    }
}

impl std::error::Error for NotLocked {}

impl Lock {
    /// The lock of checked files; `paths` are the names the lock gives them, in order.
    ///
    /// Only labels both decoders agreed on are locked: a file whose check failed, or a column
    /// with a mismatch or checked by one decoder alone, refuses the whole lock — a lock
    /// without that file would let a later `verify` pass without it.
    pub fn from_reports(
        files: &[FileReport],
        paths: &[String],
        key: &[String],
        source: LockSource,
    ) -> Result<Self, NotLocked> {
        let mut refused = Vec::new();
        let mut locked = Vec::with_capacity(files.len());
        let mut dataset: Vec<((String, String), DatasetBuilder)> = Vec::new();
        for (file, path) in files.iter().zip(paths) {
            if let Some(error) = &file.error {
                refused.push(format!("{}: {error}", file.path));
                continue;
            }
            let mut columns = Vec::new();
            for column in &file.columns {
                let summary = match column.summary.as_ref() {
                    Some(summary) if summary.is_key => continue,
                    Some(summary) => summary,
                    None => {
                        refused.push(format!(
                            "{}: column {:?} was not summarised",
                            file.path, column.column
                        ));
                        continue;
                    }
                };
                if let Some(reason) = unlockable(column, source) {
                    refused.push(format!(
                        "{}: column {:?}: {reason}",
                        file.path, column.column
                    ));
                    continue;
                }
                if let Some(error) = &summary.key_error {
                    refused.push(format!(
                        "{}: column {:?}: {error}",
                        file.path, column.column
                    ));
                    continue;
                }
                let (Some(distribution), Some(fingerprint)) = (
                    summary.distribution.as_ref(),
                    column.digests.get(&leader(source)).cloned().flatten(),
                ) else {
                    refused.push(format!(
                        "{}: column {:?}: not every row was decoded",
                        file.path, column.column
                    ));
                    continue;
                };
                // A column is the same across files when its name and physical type are:
                // values of another type are not counted with it (a cast is a change).
                let identity = (column.column.clone(), column.physical_type.clone());
                let entry = match dataset.iter_mut().find(|(id, _)| *id == identity) {
                    Some((_, entry)) => entry,
                    None => {
                        dataset.push((identity, DatasetBuilder::default()));
                        &mut dataset.last_mut().expect("just pushed").1
                    }
                };
                entry.add(column.rows, distribution, summary.keyed.as_ref());
                columns.push(LockedColumn {
                    column: column.column.clone(),
                    path: column.path.clone(),
                    physical_type: column.physical_type.clone(),
                    logical_type: column.logical_type.clone(),
                    rows: column.rows,
                    nulls: column.nulls,
                    fingerprint,
                    blocks: summary.blocks.clone(),
                    distribution: distribution.clone().finish(),
                });
            }
            if columns.is_empty() && refused.is_empty() {
                refused.push(format!("{}: no label column to lock", file.path));
            }
            locked.push(LockedFile {
                path: path.clone(),
                rows: file.rows,
                columns,
            });
        }
        if !refused.is_empty() {
            return Err(NotLocked(refused));
        }
        Ok(Self {
            lock_version: LOCK_VERSION,
            tool: Tool::default(),
            fingerprint_version: 1,
            key: key.to_vec(),
            source,
            dataset: LockedDataset {
                files: locked.len(),
                rows: locked.iter().map(|f| f.rows).sum(),
                columns: dataset
                    .into_iter()
                    .map(|((column, physical_type), builder)| builder.finish(column, physical_type))
                    .collect(),
            },
            files: locked,
        })
    }

    /// The lock as written: pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a lock serialises");
        text.push('\n');
        text
    }

    /// Reads the lock at `path`; the error is one line naming it.
    pub fn read(path: &Path) -> Result<Self, String> {
        let name = path.display();
        let file = std::fs::File::open(path).map_err(|e| format!("{name}: cannot open: {e}"))?;
        let mut bytes = Vec::new();
        file.take(MAX_LOCK_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{name}: cannot read: {e}"))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("{name}: not a labelcheck lock: not UTF-8 text"))?;
        if text.len() as u64 > MAX_LOCK_BYTES {
            return Err(format!(
                "{name}: larger than {MAX_LOCK_BYTES} bytes, the most a lock may be"
            ));
        }
        // The version first, so that a lock from a later labelcheck says so instead of
        // failing on a field this build does not know.
        #[derive(Deserialize)]
        struct Version {
            lock_version: Option<u32>,
        }
        let version: Version = serde_json::from_str(&text)
            .map_err(|e| format!("{name}: not a labelcheck lock: {e}"))?;
        match version.lock_version {
            None => return Err(format!("{name}: not a labelcheck lock: no lock_version")),
            Some(v) if v > LOCK_VERSION => {
                return Err(format!(
                    "{name}: lock version {v} is newer than this labelcheck reads ({LOCK_VERSION}); upgrade labelcheck"
                ))
            }
            Some(_) => {}
        }
        serde_json::from_str(&text).map_err(|e| format!("{name}: malformed lock: {e}"))
    }

    /// The label columns the lock holds, by name, in first-seen order.
    pub fn column_names(&self) -> Vec<String> {
        self.dataset
            .columns
            .iter()
            .map(|c| c.column.clone())
            .collect()
    }
}

/// The witness whose digest a lock records: the raw decoder's for Parquet (both decoders'
/// digests are equal in a lockable column), the dump's for a CSV source.
fn leader(source: LockSource) -> WitnessName {
    match source {
        LockSource::Parquet => WitnessName::RAW,
        LockSource::Csv => WitnessName::AGAINST,
    }
}

/// Why `column` cannot be locked, if it cannot.
fn unlockable(column: &ColumnReport, source: LockSource) -> Option<String> {
    if source == LockSource::Csv {
        return None;
    }
    match column.status {
        ColumnStatus::Agree => {
            let both = [WitnessName::ARROW, WitnessName::RAW]
                .iter()
                .all(|w| column.checked_by.contains(w));
            (!both)
                .then(|| "not checked by both decoders, so its values are not confirmed".to_owned())
        }
        ColumnStatus::Mismatch => Some(format!(
            "the decoders disagree on {} rows (run `labelcheck diff` for them)",
            column.mismatches
        )),
        status => Some(format!(
            "{}{}",
            serde_json::to_value(status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            column
                .error
                .as_ref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        )),
    }
}

/// One dataset column being added up over the files.
#[derive(Default)]
struct DatasetBuilder {
    files: usize,
    rows: u64,
    distribution: Option<DistributionBuilder>,
    keyed: Option<KeyedBuilder>,
}

impl DatasetBuilder {
    fn add(&mut self, rows: u64, distribution: &DistributionBuilder, keyed: Option<&KeyedBuilder>) {
        self.files += 1;
        self.rows += rows;
        match &mut self.distribution {
            Some(total) => total.merge(distribution.clone()),
            None => self.distribution = Some(distribution.clone()),
        }
        if let Some(keyed) = keyed {
            match &mut self.keyed {
                Some(total) => total.merge(keyed),
                None => self.keyed = Some(keyed.clone()),
            }
        }
    }

    fn finish(self, column: String, physical_type: String) -> DatasetColumn {
        DatasetColumn {
            column,
            physical_type,
            files: self.files,
            rows: self.rows,
            distribution: self
                .distribution
                .expect("a dataset column has a file")
                .finish(),
            keyed: self.keyed.map(KeyedBuilder::finish),
        }
    }
}

/// Compares `locked` with `now`, the same files hashed again.
pub fn verify(locked: &Lock, now: &Lock, lock_name: &str, policy: VerifyPolicy) -> Verification {
    let matched_by = if locked.key.is_empty() {
        MatchedBy::Position
    } else {
        MatchedBy::Key
    };
    let mut columns = Vec::new();
    match matched_by {
        MatchedBy::Position => {
            // File by file in order: the files now are the lock's files (or those given in
            // their place, one for one).
            let count = locked.files.len().max(now.files.len());
            for i in 0..count {
                let (old, new) = (locked.files.get(i), now.files.get(i));
                let file = old.or(new).map(|f| f.path.clone());
                for name in union(
                    old.map(|f| names(&f.columns)).unwrap_or_default(),
                    new.map(|f| names(&f.columns)).unwrap_or_default(),
                ) {
                    let (old_column, new_column) =
                        (find_column(old, &name), find_column(new, &name));
                    columns.push(positional(file.clone(), &name, old_column, new_column));
                }
            }
        }
        MatchedBy::Key => {}
    }
    // The dataset's distributions (and keyed fingerprints) whichever way files match.
    let identity = |c: &DatasetColumn| (c.column.clone(), c.physical_type.clone());
    let mut identities: Vec<(String, String)> =
        locked.dataset.columns.iter().map(identity).collect();
    for id in now.dataset.columns.iter().map(identity) {
        if !identities.contains(&id) {
            identities.push(id);
        }
    }
    for id in identities {
        let find = |l: &'_ Lock| {
            l.dataset
                .columns
                .iter()
                .find(|c| identity(c) == id)
                .cloned()
        };
        let (old, new) = (find(locked), find(now));
        let name = id.0.clone();
        match matched_by {
            MatchedBy::Key => columns.push(keyed(&name, old.as_ref(), new.as_ref())),
            // By position, each file's verdict says what changed and how far it drifted;
            // with several files, so does the dataset's as a whole, where shares can move
            // although no file's moved much.
            MatchedBy::Position if locked.files.len().max(now.files.len()) > 1 => {
                if let Some(verdict) = dataset_drift(&name, old.as_ref(), new.as_ref()) {
                    columns.push(verdict);
                }
            }
            MatchedBy::Position => {}
        }
    }
    let changed = columns
        .iter()
        .filter(|c| c.state != ColumnState::Unchanged)
        .count();
    let drifted = columns
        .iter()
        .filter(|c| {
            policy
                .max_drift
                .zip(c.drift.as_ref())
                .is_some_and(|(max, d)| d.distance > max)
        })
        .count();
    let passed = (changed == 0 || policy.allow_changes) && drifted == 0;
    Verification {
        lock_version: LOCK_VERSION,
        tool: Tool::default(),
        lock: lock_name.to_owned(),
        matched_by,
        max_drift: policy.max_drift,
        allow_changes: policy.allow_changes,
        summary: VerifySummary {
            columns: columns.len(),
            changed,
            drifted,
            passed,
            exit_code: i32::from(!passed),
        },
        columns,
    }
}

fn find_column<'a>(file: Option<&'a LockedFile>, name: &str) -> Option<&'a LockedColumn> {
    file.and_then(|f| f.columns.iter().find(|c| c.column == name))
}

fn names(columns: &[LockedColumn]) -> Vec<String> {
    columns.iter().map(|c| c.column.clone()).collect()
}

/// `a`'s names, then those only in `b`.
fn union(a: Vec<String>, b: Vec<String>) -> Vec<String> {
    let mut all = a;
    for name in b {
        if !all.contains(&name) {
            all.push(name);
        }
    }
    all
}

fn state_of(old: bool, new: bool, same: bool) -> ColumnState {
    match (old, new) {
        (true, false) => ColumnState::Missing,
        (false, true) => ColumnState::Added,
        _ if same => ColumnState::Unchanged,
        _ => ColumnState::Changed,
    }
}

fn drift_of(
    old: Option<&Distribution>,
    new: Option<&Distribution>,
) -> (Option<Drift>, Option<Change<Distribution>>) {
    let Some((old, new)) = old.zip(new) else {
        return (None, None);
    };
    let drift = drift(old, new);
    let moved = old != new;
    (
        Some(drift),
        moved.then(|| Change {
            locked: Some(old.clone()),
            now: Some(new.clone()),
        }),
    )
}

/// A column of one file, by position.
fn positional(
    file: Option<String>,
    name: &str,
    old: Option<&LockedColumn>,
    new: Option<&LockedColumn>,
) -> ColumnVerdict {
    let same = old.zip(new).is_some_and(|(o, n)| {
        o.fingerprint == n.fingerprint && o.rows == n.rows && o.physical_type == n.physical_type
    });
    let mut changed_blocks = Vec::new();
    if let (Some(o), Some(n)) = (old, new) {
        if !same {
            let rows = o.rows.max(n.rows);
            let blocks = o.blocks.len().max(n.blocks.len());
            for block in 0..blocks {
                if o.blocks.get(block) != n.blocks.get(block) {
                    let first = block as u64 * BLOCK_ROWS;
                    let last = (first + BLOCK_ROWS).min(rows).saturating_sub(1);
                    changed_blocks.push(RowRange {
                        block: block as u64,
                        first,
                        last,
                    });
                }
            }
        }
    }
    let (drift, distributions) =
        drift_of(old.map(|c| &c.distribution), new.map(|c| &c.distribution));
    ColumnVerdict {
        file,
        column: name.to_owned(),
        state: state_of(old.is_some(), new.is_some(), same),
        rows: Change {
            locked: old.map(|c| c.rows),
            now: new.map(|c| c.rows),
        },
        changed_blocks,
        changed_buckets: Vec::new(),
        drift,
        distributions,
    }
}

/// A column over the dataset, by key.
fn keyed(name: &str, old: Option<&DatasetColumn>, new: Option<&DatasetColumn>) -> ColumnVerdict {
    let (old_keyed, new_keyed) = (
        old.and_then(|c| c.keyed.as_ref()),
        new.and_then(|c| c.keyed.as_ref()),
    );
    let same = old_keyed.zip(new_keyed).is_some_and(|(o, n)| o == n);
    let changed_buckets = match (old_keyed, new_keyed) {
        (Some(o), Some(n)) if !same => o.changed_buckets(n),
        _ => Vec::new(),
    };
    let (drift, distributions) =
        drift_of(old.map(|c| &c.distribution), new.map(|c| &c.distribution));
    ColumnVerdict {
        file: None,
        column: name.to_owned(),
        state: state_of(old.is_some(), new.is_some(), same),
        rows: Change {
            locked: old.map(|c| c.rows),
            now: new.map(|c| c.rows),
        },
        changed_blocks: Vec::new(),
        changed_buckets,
        drift,
        distributions,
    }
}

/// The dataset-wide drift of a column by position, when it has one on both sides; the
/// per-file verdicts already say whether values changed.
fn dataset_drift(
    name: &str,
    old: Option<&DatasetColumn>,
    new: Option<&DatasetColumn>,
) -> Option<ColumnVerdict> {
    let (old, new) = (old?, new?);
    let (drift, distributions) = drift_of(Some(&old.distribution), Some(&new.distribution));
    Some(ColumnVerdict {
        file: None,
        column: name.to_owned(),
        state: ColumnState::Unchanged,
        rows: Change {
            locked: Some(old.rows),
            now: Some(new.rows),
        },
        changed_blocks: Vec::new(),
        changed_buckets: Vec::new(),
        drift,
        distributions,
    })
}
