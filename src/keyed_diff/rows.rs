//! Streaming one file's (key, labels) rows into partitions: the raw decoder's windows of each
//! key and label column, row group by row group, aligned by row — the first key column
//! leads with a window of about the asked rows, and every other column is asked for exactly
//! as many ([`WindowRows::Exactly`]).

use std::io;

use super::spill::{encode, Part, Partitioner, SpillDir};
use crate::decode::{ChunkWindows, ColumnDecoder, DecodeError, WindowRows};
use crate::fingerprint::row_bytes;
use crate::raw::RawFile;

/// The canonical bytes of a window's rows of one column, one after the other.
#[derive(Default)]
struct WindowBytes {
    bytes: Vec<u8>,
    /// Where each row starts, and the end.
    starts: Vec<usize>,
}

impl WindowBytes {
    fn row(&self, row: usize) -> &[u8] {
        &self.bytes[self.starts[row]..self.starts[row + 1]]
    }
}

/// Why a file's rows could not be streamed.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// A column could not be decoded.
    #[error("column {column:?}, row group {row_group}: {error}")]
    Decode {
        /// Its name.
        column: String,
        /// Where.
        row_group: usize,
        /// What the decoder said.
        error: DecodeError,
    },
    /// A column's chunk holds a different number of rows than the leading key column's.
    #[error(
        "column {column:?}, row group {row_group}: {rows} rows where the key column has {expected}"
    )]
    Rows {
        /// Its name.
        column: String,
        /// Where.
        row_group: usize,
        /// Rows it gave.
        rows: usize,
        /// Rows the leading key column gave.
        expected: usize,
    },
    /// A spill file could not be written.
    #[error("cannot write a spill file: {0}")]
    Spill(#[from] io::Error),
}

/// The columns streamed from one file: the key columns `leaves[..keys]`, then the label
/// columns, named `names`.
pub struct Streamed<'a> {
    /// Their leaves in the file.
    pub leaves: &'a [usize],
    /// Their names, for errors.
    pub names: &'a [String],
    /// How many of them are key columns.
    pub keys: usize,
}

/// Writes every row of `raw`'s `columns` into `fanout` partitions in `dir`, `window` rows of
/// each column decoded at a time; `what` names the spill files.
pub fn partition(
    raw: &RawFile,
    columns: &Streamed<'_>,
    window: usize,
    dir: &SpillDir,
    fanout: usize,
    what: &str,
) -> Result<Vec<Part>, StreamError> {
    let Streamed {
        leaves,
        names,
        keys,
    } = *columns;
    let mut partitioner = Partitioner::new(dir, what, fanout, 0)?;
    let mut rows_bytes: Vec<WindowBytes> = leaves.iter().map(|_| WindowBytes::default()).collect();
    let mut key = Vec::new();
    let mut record = Vec::new();
    let mut first_row = 0u64;
    for row_group in 0..raw.metadata().row_groups.len() {
        let decode_error = |column: usize, error| StreamError::Decode {
            column: names[column].clone(),
            row_group,
            error,
        };
        let mut windows: Vec<Box<dyn ChunkWindows + '_>> = Vec::with_capacity(leaves.len());
        for (column, &leaf) in leaves.iter().enumerate() {
            windows.push(
                raw.windows(row_group, leaf)
                    .map_err(|e| decode_error(column, e))?,
            );
        }
        loop {
            let mut rows = None;
            for (column, windows) in windows.iter_mut().enumerate() {
                let ask = rows.map_or(WindowRows::About(window), WindowRows::Exactly);
                let got = windows
                    .next_window(ask)
                    .map_err(|e| decode_error(column, e))?;
                let got_rows = got.as_ref().map_or(0, |w| w.slice.rows);
                match rows {
                    None => rows = Some(got_rows),
                    Some(expected) if expected != got_rows => {
                        return Err(StreamError::Rows {
                            column: names[column].clone(),
                            row_group,
                            rows: got_rows,
                            expected,
                        })
                    }
                    Some(_) => {}
                }
                let out = &mut rows_bytes[column];
                out.bytes.clear();
                out.starts.clear();
                if let Some(window) = got {
                    row_bytes(&window.slice, |_, bytes| {
                        out.starts.push(out.bytes.len());
                        out.bytes.extend_from_slice(bytes);
                    });
                }
                out.starts.push(out.bytes.len());
            }
            let rows = rows.unwrap_or(0);
            if rows == 0 {
                break;
            }
            for row in 0..rows {
                key.clear();
                for column in &rows_bytes[..keys] {
                    key.extend_from_slice(column.row(row));
                }
                let labels = rows_bytes[keys..].iter().map(|c| c.row(row));
                encode(&mut record, first_row + row as u64, &key, labels);
                partitioner.write(&key, &record)?;
            }
            first_row += rows as u64;
        }
    }
    Ok(partitioner.finish()?)
}
