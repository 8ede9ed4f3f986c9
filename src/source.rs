//! Where a file's bytes come from. Both decode paths read through [`ByteSource`], so a remote
//! object store only has to provide ranged reads to slot in.
//!
//! Every input — Parquet files and `--against` dumps alike — is opened through [`open_input`],
//! which refuses anything but a regular file unless `--allow-special-files` says otherwise, and
//! which never waits in `open` for a FIFO's writer.

use std::fmt;
use std::fs::{File, FileType, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
pub trait ByteSource: Send + Sync {
    /// Total length in bytes.
    fn len(&self) -> u64;

    /// True when the input has no bytes.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads exactly `length` bytes starting at `offset`.
    fn read_at(&self, offset: u64, length: usize) -> io::Result<Vec<u8>>;

    /// How the input is named in messages (a path or a URL).
    fn display_name(&self) -> &str;
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

impl ByteSource for LocalFile {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, length: usize) -> io::Result<Vec<u8>> {
        let end = offset.checked_add(length as u64);
        if end.is_none_or(|end| end > self.len) {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "read of {length} bytes at offset {offset} runs past the end of the file ({} bytes)",
                    self.len
                ),
            ));
        }
        let mut buffer = vec![0; length];
        read_exact_at(&self.file, &mut buffer, offset)?;
        Ok(buffer)
    }

    fn display_name(&self) -> &str {
        &self.name
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
    bytes: Arc<Vec<u8>>,
    name: String,
}

impl InMemory {
    /// Wraps `bytes`, naming them `name` in messages.
    pub fn new(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        Self {
            bytes: Arc::new(bytes),
            name: name.into(),
        }
    }
}

impl ByteSource for InMemory {
    fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    fn read_at(&self, offset: u64, length: usize) -> io::Result<Vec<u8>> {
        usize::try_from(offset)
            .ok()
            .and_then(|start| Some(start..start.checked_add(length)?))
            .and_then(|range| self.bytes.get(range))
            .map(<[u8]>::to_vec)
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "read of {length} bytes at offset {offset} runs past the end ({} bytes)",
                        self.bytes.len()
                    ),
                )
            })
    }

    fn display_name(&self) -> &str {
        &self.name
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
