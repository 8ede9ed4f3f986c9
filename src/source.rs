//! Where a file's bytes come from. Both decode paths read through [`ByteSource`], so a remote
//! object store only has to provide ranged reads to slot in.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    /// Opens `path` read-only.
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = File::open(path)?;
        let metadata = file.metadata()?;
        if metadata.is_dir() {
            return Err(io::Error::other("is a directory"));
        }
        Ok(Self {
            len: metadata.len(),
            file,
            name: path.display().to_string(),
        })
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
    Local(PathBuf),
}

impl InputLocation {
    /// Opens the input for reading.
    pub fn open(&self) -> io::Result<Arc<dyn ByteSource>> {
        match self {
            Self::Local(path) => Ok(Arc::new(LocalFile::open(path)?)),
        }
    }
}
