//! Where a file's bytes come from. Both decode paths, the pre-flight screen and the dump read
//! through [`ByteSource`], asking for ranges in batches, so a remote object store only has to
//! serve batches of ranged reads to slot in. One [`Metered`] layer per input counts the
//! requests and bytes fetched ([`ReadCounts`], shown by `--timings`); a [`FooterPrefetch`]
//! layer fetches a Parquet file's footer once for both paths, and a [`Prefetched`] layer
//! serves each column chunk, fetched once by the check's plan, to all of its readers.
//!
//! Every input — Parquet files and `--against` dumps alike — is opened through [`open_input`],
//! which refuses anything but a regular file unless `--allow-special-files` says otherwise, and
//! which never waits in `open` for a FIFO's writer.

use std::fmt;
use std::fs::{File, FileType, OpenOptions};
use std::io::{self, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use serde::{Deserialize, Serialize};

/// Whether inputs that are not regular files may be read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SpecialFiles {
    /// Only regular files; anything else is refused before it is opened.
    #[default]
    Refuse,
    /// Pipes, devices and sockets too, read front to back (`--allow-special-files`): process
    /// substitution `<(...)` and `/dev/stdin` are pipes.
    Allow,
}

/// What kind of file a path names, as `stat` (following symbolic links) sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A regular file.
    Regular,
    /// A directory.
    Directory,
    /// A FIFO or an anonymous pipe.
    Fifo,
    /// A character device such as `/dev/zero` or a terminal.
    CharDevice,
    /// A block device.
    BlockDevice,
    /// A Unix domain socket.
    Socket,
    /// Anything else the platform has.
    Other,
}

impl FileKind {
    /// The kind of `file_type`.
    pub fn of(file_type: FileType) -> Self {
        if file_type.is_file() {
            return Self::Regular;
        }
        if file_type.is_dir() {
            return Self::Directory;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if file_type.is_fifo() {
                return Self::Fifo;
            }
            if file_type.is_char_device() {
                return Self::CharDevice;
            }
            if file_type.is_block_device() {
                return Self::BlockDevice;
            }
            if file_type.is_socket() {
                return Self::Socket;
            }
        }
        Self::Other
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Regular => "a regular file",
            Self::Directory => "a directory",
            Self::Fifo => "a FIFO (a pipe)",
            Self::CharDevice => "a character device",
            Self::BlockDevice => "a block device",
            Self::Socket => "a socket",
            Self::Other => "not a regular file",
        })
    }
}

/// An input opened by [`open_input`].
#[derive(Debug)]
pub enum Opened {
    /// A regular file and its length.
    Regular(File, u64),
    /// A pipe, device or socket that `SpecialFiles::Allow` let through: it can only be read
    /// front to back, and its length is unknown until its end.
    Stream(File),
}

/// Opens `path` for reading. Its type is checked with `stat` before it is opened, so a FIFO is
/// refused before `open` could wait for a writer that never comes; and the open itself never
/// waits (`O_NONBLOCK`, cleared once open), so an allowed FIFO without a writer reads as empty.
/// The type is checked again on the opened file, in case the path changed in between.
pub fn open_input(path: &Path, special: SpecialFiles) -> io::Result<Opened> {
    admit(FileKind::of(std::fs::metadata(path)?.file_type()), special)?;
    let file = open_without_waiting(path)?;
    let metadata = file.metadata()?;
    Ok(match admit(FileKind::of(metadata.file_type()), special)? {
        FileKind::Regular => Opened::Regular(file, metadata.len()),
        _ => Opened::Stream(file),
    })
}

/// `kind` if `special` lets it be read, else the one-line reason it is not.
fn admit(kind: FileKind, special: SpecialFiles) -> io::Result<FileKind> {
    match (kind, special) {
        (FileKind::Regular, _) => Ok(kind),
        (FileKind::Directory, _) => Err(io::Error::other("is a directory")),
        (_, SpecialFiles::Allow) => Ok(kind),
        (_, SpecialFiles::Refuse) => Err(io::Error::other(format!(
            "is {kind}, not a regular file; --allow-special-files reads it"
        ))),
    }
}

#[cfg(unix)]
fn open_without_waiting(path: &Path) -> io::Result<File> {
    use rustix::fs::OFlags;
    use std::os::unix::fs::OpenOptionsExt;
    // O_NOCTTY: a terminal named as an input must not become the controlling terminal.
    let file = OpenOptions::new()
        .read(true)
        .custom_flags((OFlags::NONBLOCK | OFlags::NOCTTY).bits() as i32)
        .open(path)?;
    // Reads may wait again: a pipe's writer can be slower than the reader.
    let flags = rustix::fs::fcntl_getfl(&file)?;
    rustix::fs::fcntl_setfl(&file, flags.difference(OFlags::NONBLOCK))?;
    Ok(file)
}

#[cfg(not(unix))]
fn open_without_waiting(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

/// Reads `input` to its end, refusing to hold more than `max_bytes`: what a stream will send
/// is unknown until it ends. The error for too much names `flag`, the limit a user can raise.
pub fn read_to_end_bounded(input: impl Read, max_bytes: u64, flag: &str) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    // `read_to_end` reserves with `try_reserve`, so running out of memory is an error too.
    input
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(io::Error::other(format!(
            "holds more than {max_bytes} bytes, the most {flag} allows"
        )));
    }
    Ok(bytes)
}

/// Random-access, read-only bytes of one input, shared across threads.
///
/// Readers ask for byte ranges in batches ([`ByteSource::read_ranges`]): a remote store
/// fetches a batch together, coalescing ranges that lie close, and a local file serves it with
/// positioned reads. What comes back is [`Bytes`], so a slice of a fetched block is shared,
/// never copied.
pub trait ByteSource: Send + Sync {
    /// Total length in bytes.
    fn len(&self) -> u64;

    /// True when the input has no bytes.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads every range of `ranges`, returning their bytes in the order asked. A range that
    /// runs past the end is an error ([`io::ErrorKind::UnexpectedEof`]) for the whole batch.
    fn read_ranges(&self, ranges: &[Range<u64>]) -> io::Result<Vec<Bytes>>;

    /// Reads exactly `length` bytes starting at `offset`: a batch of one range.
    fn read_at(&self, offset: u64, length: usize) -> io::Result<Bytes> {
        let range = offset..offset.saturating_add(length as u64);
        check_range(&range, self.len())?;
        let mut bytes = self.read_ranges(std::slice::from_ref(&range))?;
        Ok(bytes.pop().unwrap_or_default())
    }

    /// How the input is named in messages (a path or a URL).
    fn display_name(&self) -> &str;

    /// How many bytes may lie between two ranges of a batch for them to be fetched as one:
    /// what a second request costs, in bytes. 0: only ranges that touch or overlap.
    fn coalesce_gap(&self) -> u64 {
        0
    }

    /// What was read so far by the [`Metered`] layer below this one, if there is one.
    fn read_counts(&self) -> Option<ReadCounts> {
        None
    }
}

/// `Err` when `range` does not lie within an input of `len` bytes.
fn check_range(range: &Range<u64>, len: u64) -> io::Result<()> {
    if range.start <= range.end && range.end <= len {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!(
            "read of {} bytes at offset {} runs past the end of the file ({len} bytes)",
            range.end.saturating_sub(range.start),
            range.start
        ),
    ))
}

/// Bytes and requests read from one input: what `--timings` reports, and what a remote
/// store's bill follows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadCounts {
    /// Bytes the input holds; `None` for a stream, whose length is known only at its end.
    pub file_bytes: Option<u64>,
    /// Bytes fetched, the gaps a coalesced request spans included.
    pub bytes: u64,
    /// Requests made: ranges fetched after coalescing, or reads of a stream.
    pub requests: u64,
}

/// Counts requests and bytes as they are made, from any thread.
#[derive(Debug, Default)]
pub struct ReadCounter {
    bytes: AtomicU64,
    requests: AtomicU64,
}

impl ReadCounter {
    fn add(&self, requests: u64, bytes: u64) {
        self.requests.fetch_add(requests, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// The counts so far, for an input of `file_bytes` bytes.
    pub fn counts(&self, file_bytes: Option<u64>) -> ReadCounts {
        ReadCounts {
            file_bytes,
            bytes: self.bytes.load(Ordering::Relaxed),
            requests: self.requests.load(Ordering::Relaxed),
        }
    }
}

/// The ranges a batch fetches once ranges that lie within `gap` bytes of each other are
/// merged, and where each range asked for lies in them.
struct Coalesced {
    fetch: Vec<Range<u64>>,
    /// For each range asked for, in order: which fetched range holds it.
    within: Vec<usize>,
}

fn coalesce(ranges: &[Range<u64>], gap: u64) -> Coalesced {
    let mut order: Vec<usize> = (0..ranges.len()).collect();
    order.sort_by_key(|&i| ranges[i].start);
    let mut fetch: Vec<Range<u64>> = Vec::with_capacity(ranges.len());
    let mut within = vec![0; ranges.len()];
    for i in order {
        let range = &ranges[i];
        match fetch.last_mut() {
            Some(last) if range.start <= last.end.saturating_add(gap) => {
                last.end = last.end.max(range.end)
            }
            _ => fetch.push(range.clone()),
        }
        within[i] = fetch.len() - 1;
    }
    Coalesced { fetch, within }
}

/// The layer every reader of an input goes through: it coalesces each batch by the gap the
/// source below names, fetches it in one call, hands back shared slices, and counts the
/// requests and bytes fetched ([`ReadCounts`]).
pub struct Metered {
    inner: Arc<dyn ByteSource>,
    counter: Arc<ReadCounter>,
}

impl Metered {
    /// Counts the reads of `inner`.
    pub fn new(inner: Arc<dyn ByteSource>) -> Self {
        Self {
            inner,
            counter: Arc::default(),
        }
    }

    /// A handle on this layer's counts that outlives it.
    pub fn meter(&self) -> ReadMeter {
        ReadMeter {
            counter: self.counter.clone(),
            file_bytes: Some(self.len()),
        }
    }
}

/// The counts of one input's reads, readable while and after it is read.
#[derive(Debug, Clone)]
pub struct ReadMeter {
    counter: Arc<ReadCounter>,
    file_bytes: Option<u64>,
}

impl ReadMeter {
    /// What was read so far.
    pub fn counts(&self) -> ReadCounts {
        self.counter.counts(self.file_bytes)
    }
}

impl ByteSource for Metered {
    fn len(&self) -> u64 {
        self.inner.len()
    }

    fn read_ranges(&self, ranges: &[Range<u64>]) -> io::Result<Vec<Bytes>> {
        for range in ranges {
            check_range(range, self.len())?;
        }
        // The hot path, a single range, is passed on as it is.
        if let [range] = ranges {
            self.counter.add(1, range.end - range.start);
            return self.inner.read_ranges(ranges);
        }
        let Coalesced { fetch, within } = coalesce(ranges, self.inner.coalesce_gap());
        self.counter.add(
            fetch.len() as u64,
            fetch.iter().map(|r| r.end - r.start).sum(),
        );
        let fetched = self.inner.read_ranges(&fetch)?;
        Ok(ranges
            .iter()
            .zip(within)
            .map(|(range, i)| {
                let at = (range.start - fetch[i].start) as usize;
                fetched[i].slice(at..at + (range.end - range.start) as usize)
            })
            .collect())
    }

    fn display_name(&self) -> &str {
        self.inner.display_name()
    }

    fn read_counts(&self) -> Option<ReadCounts> {
        Some(self.counter.counts(Some(self.len())))
    }
}

/// Bytes first fetched from a file's end: a footer of up to this size, the 8 bytes after it
/// and often the page index before it come in one request.
const TAIL_PREFETCH: u64 = 64 << 10;

/// A prefetched tail larger than this (a large footer) is let go once both paths are open
/// ([`FooterPrefetch::release`]): its parsed forms are what they keep.
const TAIL_KEPT: usize = 1 << 20;

/// Bytes at the start of the file fetched with the tail: the leading magic.
const HEAD_PREFETCH: u64 = 4;

/// Serves a Parquet file's head and tail, footer included, from one fetch, so that both paths
/// read the footer's bytes once between them.
///
/// Only the bytes are shared. Each path still parses them with its own Thrift code: the arrow
/// path with the parquet crate's, the raw path with ours. The paths are independent witnesses
/// (src/raw/mod.rs, "Independence rule"): a footer parsed once and handed to both would make
/// a parser's mistake theirs alike, and the check could no longer see it.
pub struct FooterPrefetch {
    inner: Arc<dyn ByteSource>,
    /// Regions held: `(file offset, bytes)`.
    held: RwLock<Vec<(u64, Bytes)>>,
}

impl FooterPrefetch {
    /// Fetches the first bytes and the last 64 KiB (`TAIL_PREFETCH`) of `inner` in one batch,
    /// and when the last 8 bytes declare a longer footer (`<footer><u32 length>PAR1`, the
    /// format README, "File Format") of at most `max_footer_bytes`, the rest of it. Nothing is
    /// checked here: a read that fails, or a tail that is no footer, leaves the paths to read
    /// and judge the bytes themselves.
    pub fn open(inner: Arc<dyn ByteSource>, max_footer_bytes: u64) -> Self {
        let len = inner.len();
        let tail_start = len.saturating_sub(TAIL_PREFETCH);
        let head = 0..HEAD_PREFETCH.min(len);
        let mut held = Vec::new();
        if let Ok(mut fetched) = inner.read_ranges(&[head.clone(), tail_start..len]) {
            let mut tail = fetched.pop().unwrap_or_default();
            let mut tail_at = tail_start;
            if tail.len() >= 8 {
                let declared = u32::from_le_bytes(
                    tail[tail.len() - 8..tail.len() - 4]
                        .try_into()
                        .expect("4 bytes"),
                );
                let footer_start = (len - 8).checked_sub(u64::from(declared));
                if let Some(footer_start) = footer_start
                    .filter(|&start| start < tail_start && u64::from(declared) <= max_footer_bytes)
                {
                    if let Ok(rest) =
                        inner.read_at(footer_start, (tail_start - footer_start) as usize)
                    {
                        // Grown in place when the source handed over its own buffer (a
                        // large allocation is remapped, not copied), so a large footer is
                        // not held twice.
                        tail = match rest.try_into_mut() {
                            Ok(mut whole) => {
                                whole.extend_from_slice(&tail);
                                whole.freeze()
                            }
                            Err(rest) => Bytes::from([&rest[..], &tail[..]].concat()),
                        };
                        tail_at = footer_start;
                    }
                }
            }
            held.push((head.start, fetched.pop().unwrap_or_default()));
            held.push((tail_at, tail));
        }
        Self {
            inner,
            held: RwLock::new(held),
        }
    }

    /// Lets go of a large prefetched footer once both paths have read it; a small tail,
    /// where the page index often lies, stays.
    pub fn release(&self) {
        if let Ok(mut held) = self.held.write() {
            held.retain(|(_, bytes)| bytes.len() <= TAIL_KEPT);
        }
    }
}

impl HoldsBytes for FooterPrefetch {
    fn below(&self) -> &dyn ByteSource {
        self.inner.as_ref()
    }

    fn held(&self, range: &Range<u64>) -> Option<Bytes> {
        let held = self.held.read().ok()?;
        held.iter().find_map(|(at, bytes)| {
            let end = at + bytes.len() as u64;
            (range.start >= *at && range.end <= end)
                .then(|| bytes.slice((range.start - at) as usize..(range.end - at) as usize))
        })
    }
}

/// A layer that holds bytes it fetched ahead (the footer's tail, a task's chunk) above the
/// source that gave them: a read it holds is served from memory, any other goes below. The
/// one way such a layer serves a batch is [`ByteSource`]'s implementation for it.
pub trait HoldsBytes: Send + Sync {
    /// The source below, which serves what this layer does not hold.
    fn below(&self) -> &dyn ByteSource;

    /// The bytes of `range`, if this layer holds all of them.
    fn held(&self, range: &Range<u64>) -> Option<Bytes>;
}

impl<T: HoldsBytes> ByteSource for T {
    fn len(&self) -> u64 {
        self.below().len()
    }

    /// Serves each range this layer holds from memory, and fetches the others from below in
    /// one batch.
    fn read_ranges(&self, ranges: &[Range<u64>]) -> io::Result<Vec<Bytes>> {
        let mut out: Vec<Option<Bytes>> = ranges.iter().map(|r| self.held(r)).collect();
        let missing: Vec<Range<u64>> = ranges
            .iter()
            .zip(&out)
            .filter(|(_, held)| held.is_none())
            .map(|(range, _)| range.clone())
            .collect();
        if missing.is_empty() {
            return Ok(out.into_iter().flatten().collect());
        }
        let mut fetched = self.below().read_ranges(&missing)?.into_iter();
        for slot in &mut out {
            if slot.is_none() {
                *slot = fetched.next();
            }
        }
        Ok(out.into_iter().map(Option::unwrap_or_default).collect())
    }

    fn display_name(&self) -> &str {
        self.below().display_name()
    }

    fn coalesce_gap(&self) -> u64 {
        self.below().coalesce_gap()
    }

    fn read_counts(&self) -> Option<ReadCounts> {
        self.below().read_counts()
    }
}

/// Serves the byte ranges a task fetched ahead ([`Prefetched::hold`]) to every reader of the
/// file while the task runs, so that a column chunk's bytes are fetched once for all its
/// readers — the pre-flight screen, the raw decoder and the arrow decoder — which read it
/// block by block through this layer without knowing of it. A read that the held bytes do
/// not cover (a PARQUET-816 padding read past the declared end, a chunk too large to be
/// fetched whole, another task's read) goes to the source below.
///
/// Concurrency: tasks run in parallel, every reader of the file shares this one layer, and
/// readers ask by file range, not by task. So the layer keeps one small list of held regions
/// behind a lock, to which each task adds its ranges and from which they go when its
/// [`Hold`] is dropped, at the task's end. A read is served by any region that covers it:
/// the bytes are the file's whoever fetched them, so a read that falls in another task's
/// region (overlapping ranges of a hostile file) is still right. The list holds a few regions
/// per task in flight, so a scan of it costs less than the read it saves.
pub struct Prefetched {
    inner: Arc<dyn ByteSource>,
    held: RwLock<Vec<HeldRegion>>,
    next_hold: AtomicU64,
}

/// Bytes one [`Hold`] fetched, from file offset `start` on.
struct HeldRegion {
    hold: u64,
    start: u64,
    bytes: Bytes,
}

/// Ranges held by a [`Prefetched`] layer until this is dropped.
#[must_use = "the ranges are let go when the hold is dropped"]
pub struct Hold<'a> {
    layer: &'a Prefetched,
    id: u64,
}

impl Drop for Hold<'_> {
    fn drop(&mut self) {
        if let Ok(mut held) = self.layer.held.write() {
            held.retain(|region| region.hold != self.id);
        }
    }
}

impl Prefetched {
    /// Serves what is held, and reads the rest from `inner`.
    pub fn new(inner: Arc<dyn ByteSource>) -> Self {
        Self {
            inner,
            held: RwLock::default(),
            next_hold: AtomicU64::new(0),
        }
    }

    /// Fetches `ranges` from the source below in one batch (one request each after
    /// coalescing) and serves them from memory until the returned [`Hold`] is dropped.
    pub fn hold(&self, ranges: &[Range<u64>]) -> io::Result<Hold<'_>> {
        let fetched = self.inner.read_ranges(ranges)?;
        let id = self.next_hold.fetch_add(1, Ordering::Relaxed);
        let mut held = self
            .held
            .write()
            .map_err(|_| io::Error::other("a reader panicked while holding prefetched bytes"))?;
        held.extend(ranges.iter().zip(fetched).map(|(range, bytes)| HeldRegion {
            hold: id,
            start: range.start,
            bytes,
        }));
        Ok(Hold { layer: self, id })
    }
}

impl HoldsBytes for Prefetched {
    fn below(&self) -> &dyn ByteSource {
        self.inner.as_ref()
    }

    fn held(&self, range: &Range<u64>) -> Option<Bytes> {
        let held = self.held.read().ok()?;
        held.iter().find_map(|region| {
            let end = region.start + region.bytes.len() as u64;
            (range.start >= region.start && range.end <= end).then(|| {
                let at = region.start;
                region
                    .bytes
                    .slice((range.start - at) as usize..(range.end - at) as usize)
            })
        })
    }
}

/// A local file read with positioned reads, so threads never share a seek position.
#[derive(Debug)]
pub struct LocalFile {
    file: File,
    len: u64,
    name: String,
}

impl LocalFile {
    /// Opens `path` read-only; it must be a regular file (see [`open_input`]).
    pub fn open(path: &Path) -> io::Result<Self> {
        match open_input(path, SpecialFiles::Refuse)? {
            Opened::Regular(file, len) => Ok(Self::new(path, file, len)),
            Opened::Stream(_) => Err(io::Error::other("is not a regular file")),
        }
    }

    fn new(path: &Path, file: File, len: u64) -> Self {
        Self {
            file,
            len,
            name: path.display().to_string(),
        }
    }
}

/// Bytes between two ranges a local file reads as one: a positioned read costs a system
/// call, and this many bytes more cost about as much to copy.
const LOCAL_COALESCE_GAP: u64 = 16 << 10;

impl ByteSource for LocalFile {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_ranges(&self, ranges: &[Range<u64>]) -> io::Result<Vec<Bytes>> {
        ranges
            .iter()
            .map(|range| {
                check_range(range, self.len)?;
                let mut buffer = vec![0; (range.end - range.start) as usize];
                read_exact_at(&self.file, &mut buffer, range.start)?;
                Ok(Bytes::from(buffer))
            })
            .collect()
    }

    fn display_name(&self) -> &str {
        &self.name
    }

    fn coalesce_gap(&self) -> u64 {
        LOCAL_COALESCE_GAP
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, buffer: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buffer, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buffer: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buffer.is_empty() {
        match file.seek_read(buffer, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                buffer = &mut buffer[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

/// Bytes held in memory, for tests and for inputs already fetched whole.
#[derive(Debug, Clone)]
pub struct InMemory {
    bytes: Bytes,
    name: String,
}

impl InMemory {
    /// Wraps `bytes`, naming them `name` in messages.
    pub fn new(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        Self {
            bytes: Bytes::from(bytes),
            name: name.into(),
        }
    }
}

impl ByteSource for InMemory {
    fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    fn read_ranges(&self, ranges: &[Range<u64>]) -> io::Result<Vec<Bytes>> {
        ranges
            .iter()
            .map(|range| {
                check_range(range, self.len())?;
                Ok(self.bytes.slice(range.start as usize..range.end as usize))
            })
            .collect()
    }

    fn display_name(&self) -> &str {
        &self.name
    }
}

/// An input read front to back, as a dump is: through a [`Metered`] source when the input
/// has ranges, else straight from the pipe or device, each read counted as a request.
pub struct SourceStream {
    inner: StreamInner,
}

enum StreamInner {
    Ranged {
        source: Metered,
        position: u64,
    },
    Pipe {
        file: File,
        counter: Arc<ReadCounter>,
    },
}

impl SourceStream {
    /// Opens `path` to be read front to back; a special file only if `special` allows it.
    pub fn open(path: &Path, special: SpecialFiles) -> io::Result<Self> {
        let inner = match open_input(path, special)? {
            Opened::Regular(file, len) => StreamInner::Ranged {
                source: Metered::new(Arc::new(LocalFile::new(path, file, len))),
                position: 0,
            },
            Opened::Stream(file) => StreamInner::Pipe {
                file,
                counter: Arc::default(),
            },
        };
        Ok(Self { inner })
    }

    /// The input's length in bytes, when it has one (a regular file).
    pub fn size(&self) -> Option<u64> {
        match &self.inner {
            StreamInner::Ranged { source, .. } => Some(source.len()),
            StreamInner::Pipe { .. } => None,
        }
    }

    /// A handle on the counts of this stream's reads.
    pub fn meter(&self) -> ReadMeter {
        match &self.inner {
            StreamInner::Ranged { source, .. } => source.meter(),
            StreamInner::Pipe { counter, .. } => ReadMeter {
                counter: counter.clone(),
                file_bytes: None,
            },
        }
    }
}

impl Read for SourceStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.inner {
            StreamInner::Ranged { source, position } => {
                let count = buf
                    .len()
                    .min(usize::try_from(source.len() - *position).unwrap_or(usize::MAX));
                if count == 0 {
                    return Ok(0);
                }
                let bytes = source.read_at(*position, count)?;
                buf[..count].copy_from_slice(&bytes);
                *position += count as u64;
                Ok(count)
            }
            StreamInner::Pipe { file, counter } => {
                let read = file.read(buf)?;
                counter.add(1, read as u64);
                Ok(read)
            }
        }
    }
}

/// Where an input named on the command line lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputLocation {
    /// A path on the local file system.
    Local {
        /// The path.
        path: PathBuf,
        /// Whether it may be a pipe, device or socket.
        special: SpecialFiles,
        /// Most bytes held in memory for a Parquet input that is not a regular file.
        max_stream_bytes: u64,
    },
}

impl InputLocation {
    /// Opens the input for reading. Parquet is read from its end and by ranges, which a pipe
    /// cannot serve, so an allowed special file is read into memory, up to `max_stream_bytes`.
    pub fn open(&self) -> io::Result<Arc<dyn ByteSource>> {
        match self {
            Self::Local {
                path,
                special,
                max_stream_bytes,
            } => Ok(match open_input(path, *special)? {
                Opened::Regular(file, len) => Arc::new(LocalFile::new(path, file, len)),
                Opened::Stream(file) => Arc::new(InMemory::new(
                    path.display().to_string(),
                    read_to_end_bounded(file, *max_stream_bytes, "--max-stream-bytes")?,
                )),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(len: usize) -> Arc<dyn ByteSource> {
        Arc::new(InMemory::new(
            "numbered",
            (0..len).map(|i| i as u8).collect(),
        ))
    }

    #[test]
    fn a_batch_is_coalesced_counted_and_sliced_in_the_order_asked() {
        let metered = Metered::new(numbered(1000));
        let parts = metered
            .read_ranges(&[500..510, 0..4, 4..8, 2..6, 900..900])
            .unwrap();
        let expect = |range: Range<usize>| range.map(|i| i as u8).collect::<Vec<_>>();
        assert_eq!(parts[0][..], expect(500..510)[..]);
        assert_eq!(parts[1][..], expect(0..4)[..]);
        assert_eq!(parts[2][..], expect(4..8)[..]);
        assert_eq!(parts[3][..], expect(2..6)[..]);
        assert!(parts[4].is_empty());
        // 0..8 (three ranges that touch or overlap), 500..510, and the empty range at 900.
        let counts = metered.read_counts().unwrap();
        assert_eq!(counts.requests, 3);
        assert_eq!(counts.bytes, 18);
        assert_eq!(counts.file_bytes, Some(1000));
    }

    #[test]
    fn a_range_past_the_end_fails_the_batch_before_any_read() {
        let metered = Metered::new(numbered(100));
        let error = metered.read_ranges(&[0..10, 95..101]).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
        assert!(error.to_string().contains("runs past the end"), "{error}");
        assert_eq!(metered.read_counts().unwrap().requests, 0);
    }

    #[test]
    fn the_prefetched_head_and_tail_are_served_without_requests() {
        let len = 200_000u64;
        let metered = Arc::new(Metered::new(numbered(len as usize)));
        let prefetch = FooterPrefetch::open(metered.clone(), 1 << 20);
        let fetched = metered.read_counts().unwrap();
        assert_eq!(fetched.requests, 2, "the head and the tail, apart");
        let parts = prefetch
            .read_ranges(&[0..4, len - 8..len, len - 1000..len - 8])
            .unwrap();
        assert_eq!(parts[0][..], [0, 1, 2, 3]);
        assert_eq!(parts[1].len(), 8);
        assert_eq!(metered.read_counts().unwrap(), fetched);
        // Past the tail, reads go to the source.
        prefetch.read_at(1000, 10).unwrap();
        assert_eq!(metered.read_counts().unwrap().requests, 3);
    }

    #[test]
    fn held_ranges_are_served_until_the_hold_ends() {
        let metered = Arc::new(Metered::new(numbered(1000)));
        let layer = Prefetched::new(metered.clone());
        let hold = layer.hold(&[100..300, 900..950]).unwrap();
        assert_eq!(metered.read_counts().unwrap().requests, 2);
        assert_eq!(metered.read_counts().unwrap().bytes, 250);
        // Inside the held ranges: no request, the same bytes.
        let parts = layer.read_ranges(&[100..164, 200..300, 940..950]).unwrap();
        assert_eq!(
            parts[0][..],
            (100..164).map(|i| i as u8).collect::<Vec<_>>()[..]
        );
        assert_eq!(
            parts[2][..],
            (940..950).map(|i| i as u8).collect::<Vec<_>>()[..]
        );
        assert_eq!(metered.read_counts().unwrap().requests, 2);
        // A read running past a held range goes to the source, whole.
        assert_eq!(
            layer.read_at(250, 100).unwrap()[..],
            (250..350).map(|i| i as u8).collect::<Vec<_>>()[..]
        );
        assert_eq!(metered.read_counts().unwrap().requests, 3);
        drop(hold);
        layer.read_at(100, 10).unwrap();
        assert_eq!(metered.read_counts().unwrap().requests, 4);
    }
}
