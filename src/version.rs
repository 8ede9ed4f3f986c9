//! The old version of a file as a witness (`labelcheck diff NEW --against OLD.parquet`): OLD's
//! raw decoder, its rows served as NEW's row groups hold them, so that the check compares the
//! two versions row by row by position through the same witness list, comparison and results
//! as every other witness ([`crate::witness_list::WitnessRole::Version`]).
//!
//! The two files need not share a layout: NEW's row group `g` holds file rows
//! `start(g)..start(g + 1)`, and OLD's leaf with the same column path serves exactly those rows
//! of OLD, from whichever of OLD's row groups hold them. Rows OLD lacks are missing from its
//! side; rows OLD has beyond NEW's last are served with NEW's last row group, so they are
//! compared (as rows NEW lacks) too.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::Mutex;

use crate::advisories::open_raw;
use crate::columns::CheckedColumn;
use crate::decode::{
    ChunkWindows, ColumnDecoder, DecodeError, DecodeOptions, DecodedChunk, WindowRows,
};
use crate::raw::RawFile;
use crate::report::{Finding, FindingKind};
use crate::source::InputLocation;
use crate::value::{ColumnSlice, SliceCursor};

/// The four bytes a Parquet file begins (and ends) with.
pub const MAGIC: &[u8; 4] = b"PAR1";

/// True when `path` is a regular file that begins with Parquet's magic: what tells an old
/// version from a CSV dump given to `--against`, whatever its name. A pipe or device is never
/// read here (the bytes read would be lost to the dump reader): it is taken for a dump.
pub fn is_parquet(path: &Path) -> bool {
    let regular = std::fs::metadata(path).is_ok_and(|m| m.is_file());
    let mut magic = [0u8; 4];
    regular
        && std::fs::File::open(path)
            .and_then(|mut file| file.read_exact(&mut magic))
            .is_ok()
        && &magic == MAGIC
}

/// Where the old version is.
#[derive(Debug, Clone)]
pub struct VersionOptions {
    /// Its path, as given.
    pub path: String,
    /// How to open it.
    pub location: InputLocation,
}

/// The old version opened through the raw decoder.
pub struct OldVersion {
    raw: RawFile,
    /// File row of each row group's first row, and the file's rows at the end.
    starts: Vec<u64>,
}

impl OldVersion {
    /// Opens the old version named by `options` through the raw decoder, with the writer
    /// workarounds its own check applies. The error is one line naming the file.
    pub fn open(options: &VersionOptions, decode: DecodeOptions) -> Result<Self, String> {
        let path = &options.path;
        let not_compared = |e: &dyn std::fmt::Display| {
            format!("{path}: cannot read the old version: {e}; it is not compared")
        };
        let source = options.location.open().map_err(|e| not_compared(&e))?;
        let raw = open_raw(source, decode).map_err(|e| not_compared(&e))?;
        let mut starts = vec![0u64];
        for group in &raw.metadata().row_groups {
            let last = *starts.last().expect("starts at 0");
            starts.push(last + group.num_rows.max(0) as u64);
        }
        Ok(Self { raw, starts })
    }

    /// Rows the old version holds.
    pub fn rows(&self) -> u64 {
        *self.starts.last().expect("starts at 0")
    }

    /// The old version's rows served as a file whose row groups hold `new_group_rows` rows,
    /// for `columns` (the new file's checked columns), and a finding for each column the old
    /// version lacks or holds as another type.
    pub fn realigned<'a>(
        &'a self,
        columns: &[CheckedColumn],
        new_group_rows: &[u64],
        path: &str,
    ) -> (Realigned<'a>, Vec<Finding>) {
        let by_path: HashMap<&[String], usize> = self
            .raw
            .leaves()
            .iter()
            .map(|leaf| (leaf.path.as_slice(), leaf.index))
            .collect();
        let mut leaves = HashMap::new();
        let mut findings = Vec::new();
        for column in columns {
            let problem = match by_path.get(column.path.as_slice()) {
                None => Some("has no such column".to_owned()),
                Some(&old) => {
                    let physical = self.raw.leaves()[old].physical_type;
                    if physical != column.physical {
                        Some(format!(
                            "holds it as {}, this file as {}",
                            physical.name(),
                            column.physical.name()
                        ))
                    } else {
                        leaves.insert(column.leaf, (old, column.depth));
                        None
                    }
                }
            };
            if let Some(problem) = problem {
                findings.push(Finding::about_column(
                    FindingKind::Against,
                    &column.name,
                    None,
                    format!(
                        "column {:?}: the old version {path} {problem}; it is not compared with it",
                        column.name
                    ),
                ));
            }
        }
        // Rows beyond the file's are served with its last row group; a file without row
        // groups has none to serve them with.
        if new_group_rows.is_empty() && self.rows() > 0 {
            findings.push(Finding::about_file(
                FindingKind::Against,
                format!(
                    "the old version {path} has {} rows and this file none; they are not compared",
                    self.rows()
                ),
            ));
        }
        let mut new_starts = Vec::with_capacity(new_group_rows.len());
        let mut start = 0u64;
        for rows in new_group_rows {
            new_starts.push(start);
            start += rows;
        }
        let realigned = Realigned {
            old: self,
            leaves,
            new_starts,
            new_group_rows: new_group_rows.to_vec(),
            parked: Mutex::new(Vec::new()),
        };
        (realigned, findings)
    }
}

/// The old version's rows of the checked columns, served by the new file's row groups.
pub struct Realigned<'a> {
    old: &'a OldVersion,
    /// The old version's leaf of each checked leaf of the new file, and the repeated levels
    /// above its values.
    leaves: HashMap<usize, (usize, usize)>,
    /// File row of each of the new file's row groups' first row.
    new_starts: Vec<u64>,
    /// Rows in each of the new file's row groups.
    new_group_rows: Vec<u64>,
    /// Readings of the old version that finished tasks left where they stopped, so that the
    /// task of the next row group goes on from there instead of decoding again the rows of
    /// a long old row group before its own.
    parked: Mutex<Vec<Parked<'a>>>,
}

impl<'a> ColumnDecoder for Realigned<'a> {
    fn decode(&self, row_group: usize, leaf: usize) -> Result<DecodedChunk, DecodeError> {
        crate::decode::drain(self.windows(row_group, leaf)?)
    }

    fn windows(
        &self,
        row_group: usize,
        leaf: usize,
    ) -> Result<Box<dyn ChunkWindows + '_>, DecodeError> {
        let (old_leaf, depth) = *self.leaves.get(&leaf).ok_or_else(|| {
            DecodeError::Unsupported("the old version does not hold the column".into())
        })?;
        let first = *self
            .new_starts
            .get(row_group)
            .ok_or_else(|| DecodeError::Failed(format!("no row group {row_group}")))?;
        // The last row group also serves the old version's rows beyond the new file's.
        let owed = self.new_group_rows[row_group];
        let rows = if row_group + 1 == self.new_group_rows.len() {
            u64::MAX
        } else {
            owed
        };
        let leaf_column = &self.old.raw.leaves()[old_leaf];
        let empty = ColumnSlice::nested(
            leaf_column.physical_type,
            leaf_column.type_length.unwrap_or(0).max(0) as usize,
            depth,
        );
        // Where the task of the row group before left the old version's reading, if it has
        // finished; otherwise from the start of the old row group holding row `first` (the
        // first that ends after it), passing over the rows before it.
        let parked = self.parked.lock().ok().and_then(|mut parked| {
            let at = parked
                .iter()
                .position(|p| p.cursor.leaf == old_leaf && p.row == first)?;
            Some(parked.swap_remove(at).cursor)
        });
        let (cursor, skip) = match parked {
            Some(cursor) => (cursor, 0),
            None => {
                let starts = &self.old.starts;
                let group = starts[1..].partition_point(|&end| end <= first);
                let skip = first.saturating_sub(starts[group.min(starts.len() - 1)]);
                (Cursor::new(&self.old.raw, old_leaf, group), skip)
            }
        };
        Ok(Box::new(RealignedWindows {
            parked: &self.parked,
            cursor: Some(cursor),
            row: first,
            skip,
            left: rows,
            owed,
            empty,
        }))
    }
}

/// Most readings of the old version left for a following task at once. Each holds an open
/// chunk and less than a page of decoded rows; one per column being checked is the most
/// useful, so past this the oldest is dropped (its successor then reads from its chunk's start).
const MAX_PARKED: usize = 16;

/// A reading of the old version left at file row `row` by a finished task.
struct Parked<'a> {
    row: u64,
    cursor: Cursor<'a>,
}

/// Where a reading of one leaf of the old version stands.
struct Cursor<'a> {
    raw: &'a RawFile,
    leaf: usize,
    /// The old row group to open once the current one is used up.
    next_group: usize,
    /// The old chunk being decoded.
    current: Option<Box<dyn ChunkWindows + 'a>>,
    /// The old window decoded last, and how far it was served.
    held: Option<(ColumnSlice, SliceCursor)>,
}

impl<'a> Cursor<'a> {
    fn new(raw: &'a RawFile, leaf: usize, group: usize) -> Self {
        Self {
            raw,
            leaf,
            next_group: group,
            current: None,
            held: None,
        }
    }

    /// The old version's next window of about `rows` rows, across its row groups; `None`
    /// once its rows are used up.
    fn pull(&mut self, rows: usize) -> Result<Option<ColumnSlice>, DecodeError> {
        loop {
            let current = match &mut self.current {
                Some(current) => current,
                None => {
                    if self.next_group >= self.raw.metadata().row_groups.len() {
                        return Ok(None);
                    }
                    let opened = self.raw.windows(self.next_group, self.leaf)?;
                    self.next_group += 1;
                    self.current.insert(opened)
                }
            };
            match current.next_window(WindowRows::About(rows))? {
                Some(window) => return Ok(Some(window.slice)),
                None => self.current = None,
            }
        }
    }
}

/// One of the new file's row groups being served from the old version's chunks.
struct RealignedWindows<'s, 'a> {
    /// Where a finished task leaves its reading for the next.
    parked: &'s Mutex<Vec<Parked<'a>>>,
    /// The reading; `None` once it failed, so that it is not left for another task.
    cursor: Option<Cursor<'a>>,
    /// File row of the next old row the reading gives (once `skip` rows are passed over).
    row: u64,
    /// Rows of the old chunk to pass over before the first row served.
    skip: u64,
    /// Rows still to serve.
    left: u64,
    /// Rows of the new file's row group not yet asked for: while some are, a window the old
    /// version has no rows for is empty (its rows are missing), not absent (not compared).
    owed: u64,
    /// An empty slice of the column.
    empty: ColumnSlice,
}

impl Drop for RealignedWindows<'_, '_> {
    fn drop(&mut self) {
        // A reading that stands exactly at a row is left for the task that starts there.
        if let (Some(cursor), 0) = (self.cursor.take(), self.skip) {
            if let Ok(mut parked) = self.parked.lock() {
                if parked.len() >= MAX_PARKED {
                    parked.remove(0);
                }
                parked.push(Parked {
                    row: self.row,
                    cursor,
                });
            }
        }
    }
}

impl RealignedWindows<'_, '_> {
    /// The next window's rows (see [`ChunkWindows::next_window`]), with the reading in hand.
    fn serve(
        &mut self,
        cursor: &mut Cursor<'_>,
        want: usize,
    ) -> Result<Option<ColumnSlice>, DecodeError> {
        let mut out: Option<ColumnSlice> = None;
        let mut served = 0usize;
        while served < want {
            let used_up = cursor
                .held
                .as_ref()
                .is_none_or(|(slice, at)| at.row >= slice.rows);
            if used_up {
                // Rows passed over are decoded a window at a time too, so memory stays bounded.
                let ask = if self.skip > 0 {
                    self.skip.min(want as u64) as usize
                } else {
                    want - served
                };
                match cursor.pull(ask)? {
                    Some(slice) => cursor.held = Some((slice, SliceCursor::default())),
                    None => break,
                }
            }
            let (slice, at) = cursor.held.as_mut().expect("a window is held");
            let available = slice.rows - at.row;
            if self.skip > 0 {
                let passed = (self.skip.min(available as u64)) as usize;
                *at = slice.cursor_at(at.row + passed);
                self.skip -= passed as u64;
                continue;
            }
            let take = available.min(want - served);
            let part = if at.row == 0 && take == slice.rows {
                let (whole, _) = cursor.held.take().expect("a window is held");
                whole
            } else {
                let (part, next) = slice.copy_rows(*at, take);
                *at = next;
                part
            };
            served += take;
            match &mut out {
                Some(out) => out.append(part),
                None => out = Some(part),
            }
        }
        self.left -= served as u64;
        self.row += served as u64;
        Ok(out)
    }
}

impl ChunkWindows for RealignedWindows<'_, '_> {
    fn next_window(&mut self, rows: WindowRows) -> Result<Option<DecodedChunk>, DecodeError> {
        let (WindowRows::About(rows) | WindowRows::Exactly(rows)) = rows;
        let want = (rows as u64).min(self.left) as usize;
        let Some(mut cursor) = self.cursor.take() else {
            return Err(DecodeError::Failed(
                "the old version's reading failed before".into(),
            ));
        };
        let mut out = self.serve(&mut cursor, want)?;
        // Only a reading that did not fail goes on (and may be left for another task).
        self.cursor = Some(cursor);
        let owed = self.owed;
        self.owed = owed.saturating_sub(rows as u64);
        if out.is_none() && owed > 0 {
            out = Some(self.empty.clone());
        }
        Ok(out.map(|slice| DecodedChunk {
            slice,
            pages: Vec::new(),
            claims: None,
        }))
    }
}
