//! Spill files: each file's rows, partitioned by a stable hash of their key, written to a
//! temporary directory that is removed when dropped and on SIGINT/SIGTERM/SIGHUP
//! ([`crate::interrupt`]), then read back one partition at a time.
//!
//! A record is the row's place and bytes, little-endian:
//! `row: u64 | key length: u32 | key | (label length: u32 | label)…`, the key being the
//! canonical row bytes of each key column in turn and each label the canonical row bytes of
//! one label column (FINGERPRINT.md), so rows compare exactly as the fingerprint hashes them.

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

use tempfile::TempDir;
use twox_hash::XxHash64;

use crate::interrupt::Registration;

/// Bytes buffered per open partition file: with at most [`MAX_FANOUT`] partitions per file
/// and two files, the writers hold 8 MiB at most.
const WRITE_BUFFER: usize = 16 << 10;

/// Most partitions one file is split into at once; a partition still too large for the
/// memory bound is split again, [`SPLIT_FANOUT`] ways, when it is joined.
pub const MAX_FANOUT: usize = 256;

/// Ways a partition too large to join in memory is split.
pub const SPLIT_FANOUT: usize = 16;

/// The stable hash of a row's key bytes at a level of partitioning: xxh64 seeded by the
/// level, so that rows sharing one partition at a level spread over the next.
pub fn key_hash(key: &[u8], level: u32) -> u64 {
    XxHash64::oneshot(u64::from(level), key)
}

/// The partition of `hash` among `fanout`, by its high bits (multiply-shift), so that every
/// partition gets an even share whatever `fanout` is.
pub fn partition_of(hash: u64, fanout: usize) -> usize {
    ((u128::from(hash) * fanout as u128) >> 64) as usize
}

/// The temporary directory holding the spill files.
pub struct SpillDir {
    // Declared first, so it is dropped (forgotten by the signal thread) before the directory
    // goes: a signal in between finds nothing left to remove, never a directory half gone.
    _registration: Registration,
    dir: TempDir,
    next: std::sync::atomic::AtomicUsize,
}

impl SpillDir {
    /// Makes a new directory in the system's temporary directory (`TMPDIR`).
    pub fn new() -> io::Result<Self> {
        let (dir, registration) = Registration::create_dir(
            || {
                tempfile::Builder::new()
                    .prefix("labelcheck-keyed-")
                    .tempdir()
            },
            |dir: &TempDir| dir.path(),
        )?;
        Ok(Self {
            _registration: registration,
            dir,
            next: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    /// A new file name in the directory, never used before.
    fn fresh(&self, what: &str) -> PathBuf {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.dir.path().join(format!("{what}-{n}"))
    }
}

/// One partition of one file's rows, written.
#[derive(Debug)]
pub struct Part {
    /// Its file.
    pub path: PathBuf,
    /// Bytes written.
    pub bytes: u64,
    /// Records written.
    pub records: u64,
}

impl Part {
    /// Reads the whole partition into memory.
    pub fn load(&self) -> io::Result<Vec<u8>> {
        let mut bytes = Vec::with_capacity(self.bytes as usize);
        File::open(&self.path)?.read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    /// Removes its file.
    pub fn remove(self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Writes one file's records into partitions by their key's hash.
pub struct Partitioner {
    level: u32,
    writers: Vec<BufWriter<File>>,
    parts: Vec<Part>,
}

impl Partitioner {
    /// `fanout` partitions in `dir`, hashing keys at `level`; `what` names the files.
    pub fn new(dir: &SpillDir, what: &str, fanout: usize, level: u32) -> io::Result<Self> {
        let mut writers = Vec::with_capacity(fanout);
        let mut parts = Vec::with_capacity(fanout);
        for _ in 0..fanout {
            let path = dir.fresh(what);
            writers.push(BufWriter::with_capacity(WRITE_BUFFER, File::create(&path)?));
            parts.push(Part {
                path,
                bytes: 0,
                records: 0,
            });
        }
        Ok(Self {
            level,
            writers,
            parts,
        })
    }

    /// Writes one record whose key bytes are `key`: `record` is the whole record.
    pub fn write(&mut self, key: &[u8], record: &[u8]) -> io::Result<()> {
        let part = partition_of(key_hash(key, self.level), self.writers.len());
        self.writers[part].write_all(record)?;
        self.parts[part].bytes += record.len() as u64;
        self.parts[part].records += 1;
        Ok(())
    }

    /// Flushes and closes every partition.
    pub fn finish(self) -> io::Result<Vec<Part>> {
        for writer in self.writers {
            writer
                .into_inner()
                .map_err(io::IntoInnerError::into_error)?;
        }
        Ok(self.parts)
    }
}

/// Encodes a record into `out` (cleared first).
pub fn encode<'a>(out: &mut Vec<u8>, row: u64, key: &[u8], labels: impl Iterator<Item = &'a [u8]>) {
    out.clear();
    out.extend_from_slice(&row.to_le_bytes());
    out.extend_from_slice(&(key.len() as u32).to_le_bytes());
    out.extend_from_slice(key);
    for label in labels {
        out.extend_from_slice(&(label.len() as u32).to_le_bytes());
        out.extend_from_slice(label);
    }
}

/// One record read back, borrowing its bytes.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// The row in its file.
    pub row: u64,
    /// The key bytes.
    pub key: &'a [u8],
    /// The label bytes, all columns in turn, each with its length.
    labels: &'a [u8],
}

impl<'a> Record<'a> {
    /// The record at the start of `bytes` with `labels` label columns, and its length; `None`
    /// when the bytes are not one (only a spill file this run wrote is read).
    pub fn parse(bytes: &'a [u8], labels: usize) -> Option<(Self, usize)> {
        let row = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
        let key_len = u32::from_le_bytes(bytes.get(8..12)?.try_into().ok()?) as usize;
        let key = bytes.get(12..12 + key_len)?;
        let start = 12 + key_len;
        let mut at = start;
        for _ in 0..labels {
            let len = u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
            at += 4 + len;
        }
        let labels = bytes.get(start..at)?;
        Some((Self { row, key, labels }, at))
    }

    /// Each label column's bytes, in order.
    pub fn labels(&self) -> impl Iterator<Item = &'a [u8]> {
        let mut rest = self.labels;
        std::iter::from_fn(move || {
            let (len, tail) = rest.split_first_chunk::<4>()?;
            let len = u32::from_le_bytes(*len) as usize;
            let (label, tail) = tail.split_at(len);
            rest = tail;
            Some(label)
        })
    }

    /// The record's bytes as written.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.clear();
        out.extend_from_slice(&self.row.to_le_bytes());
        out.extend_from_slice(&(self.key.len() as u32).to_le_bytes());
        out.extend_from_slice(self.key);
        out.extend_from_slice(self.labels);
    }
}

/// Reads a partition's records one at a time, a buffer of the file at a time.
pub struct RecordReader {
    reader: BufReader<File>,
    labels: usize,
    record: Vec<u8>,
}

impl RecordReader {
    /// Opens `part`, whose records have `labels` label columns.
    pub fn open(part: &Part, labels: usize) -> io::Result<Self> {
        Ok(Self {
            reader: BufReader::with_capacity(WRITE_BUFFER, File::open(&part.path)?),
            labels,
            record: Vec::new(),
        })
    }

    /// The next record, or `None` at the end.
    pub fn next_record(&mut self) -> io::Result<Option<Record<'_>>> {
        let record = &mut self.record;
        // The fixed head: row and key length.
        record.clear();
        record.resize(12, 0);
        match self.reader.read_exact(record) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        let key_len = u32::from_le_bytes(record[8..12].try_into().expect("4 bytes")) as usize;
        read_more(&mut self.reader, record, key_len)?;
        for _ in 0..self.labels {
            read_more(&mut self.reader, record, 4)?;
            let at = record.len() - 4;
            let len = u32::from_le_bytes(record[at..].try_into().expect("4 bytes")) as usize;
            read_more(&mut self.reader, record, len)?;
        }
        Record::parse(&self.record, self.labels)
            .map(|(record, _)| Some(record))
            .ok_or_else(|| io::Error::other("a spill file does not read back as written"))
    }
}

/// Splits `part` (`labels` label columns) into `fanout` partitions hashed at `level`, reading
/// it a buffer at a time, and removes it.
pub fn split(
    dir: &SpillDir,
    part: Part,
    labels: usize,
    fanout: usize,
    level: u32,
    what: &str,
) -> io::Result<Vec<Part>> {
    let mut out = Partitioner::new(dir, what, fanout, level)?;
    let mut reader = RecordReader::open(&part, labels)?;
    let mut encoded = Vec::new();
    while let Some(record) = reader.next_record()? {
        record.write_to(&mut encoded);
        out.write(record.key, &encoded)?;
    }
    part.remove();
    out.finish()
}

fn read_more(reader: &mut impl Read, buffer: &mut Vec<u8>, more: usize) -> io::Result<()> {
    let at = buffer.len();
    buffer.resize(at + more, 0);
    reader.read_exact(&mut buffer[at..])
}
