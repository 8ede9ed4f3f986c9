//! Where the report goes: stdout, a device or pipe written directly, or a regular file
//! replaced atomically (written to a temporary file beside it, then renamed), so an
//! interrupted run never leaves half a report and `-o /dev/null` never replaces the device.
//! Before anything is opened, the destination is checked against every file the run reads:
//! the report never replaces its own input, under any name.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::interrupt::Registration;

/// A file the run reads, which the report must never be written over.
#[derive(Debug, Clone, Copy)]
pub struct ReadFile<'a> {
    /// The path as given.
    pub path: &'a Path,
    /// What the run reads it as.
    pub role: ReadRole,
}

/// What the run reads a file as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadRole {
    /// A Parquet file to check.
    Parquet,
    /// The `--against` dump.
    Dump,
    /// The config file (`labelcheck check`).
    Config,
    /// A lock to verify.
    Lock,
}

impl fmt::Display for ReadRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Parquet => "the input",
            Self::Dump => "the --against dump",
            Self::Config => "the config file",
            Self::Lock => "the lock",
        })
    }
}

/// Where the report was to go, as messages name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output.
    Stdout,
    /// The `-o` path.
    Path(PathBuf),
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Stdout => f.write_str("stdout"),
            Self::Path(path) => write!(f, "-o {}", path.display()),
        }
    }
}

/// The report destination is a file the run reads (by the same name, a symlink, a hard link
/// or a redirected stdout), so writing the report would destroy it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{destination} is the same file as {role} {input}: refusing to write the report over it")]
pub struct DestinationIsInput {
    /// Where the report was to go.
    pub destination: Destination,
    /// What the run reads that file as.
    pub role: ReadRole,
    /// The input's path as given.
    pub input: PathBuf,
}

impl DestinationIsInput {
    /// The destination's path; `None` for stdout.
    pub fn destination_path(&self) -> Option<&Path> {
        match &self.destination {
            Destination::Stdout => None,
            Destination::Path(path) => Some(path),
        }
    }
}

/// Why a report destination cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// It is one of the files the run reads.
    #[error(transparent)]
    IsInput(#[from] DestinationIsInput),
    /// The file system refused.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// An open report destination.
pub enum Output {
    /// Standard output.
    Stdout(BufWriter<io::Stdout>),
    /// A device, pipe or other non-regular file, written in place.
    Direct(BufWriter<File>),
    /// A regular file, written to `temp` and renamed over `destination` on success.
    Atomic {
        /// The temporary file in the destination's directory.
        temp: BufWriter<NamedTempFile>,
        /// The final path.
        destination: PathBuf,
        /// Removes `temp` if a signal ends the run first.
        registration: Registration,
    },
}

impl Output {
    /// Opens the destination up front, so a bad path fails before any work is done, after
    /// checking that it is none of the files in `reads`.
    pub fn open(path: Option<&Path>, reads: &[ReadFile<'_>]) -> Result<Self, OpenError> {
        refuse_inputs(path, reads)?;
        let Some(path) = path else {
            return Ok(Self::Stdout(BufWriter::new(io::stdout())));
        };
        Ok(Self::open_path(path)?)
    }

    fn open_path(path: &Path) -> io::Result<Self> {
        match fs::metadata(path) {
            Ok(metadata) if !metadata.is_file() => {
                if metadata.is_dir() {
                    return Err(io::Error::other("is a directory"));
                }
                let file = OpenOptions::new().write(true).open(path)?;
                Ok(Self::Direct(BufWriter::new(file)))
            }
            _ => {
                // Follow a symlink so the rename replaces the file it points to, not the link.
                let destination = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
                let directory = match destination.parent() {
                    Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                let (temp, registration) = Registration::create(
                    || {
                        tempfile::Builder::new()
                            .prefix(".labelcheck-")
                            .suffix(".tmp")
                            .tempfile_in(&directory)
                    },
                    NamedTempFile::path,
                )?;
                Ok(Self::Atomic {
                    temp: BufWriter::new(temp),
                    destination,
                    registration,
                })
            }
        }
    }

    /// True when this is standard output and it is a terminal.
    pub fn is_terminal(&self) -> bool {
        use std::io::IsTerminal;
        matches!(self, Self::Stdout(_)) && io::stdout().is_terminal()
    }

    /// The writer to render into.
    pub fn writer(&mut self) -> &mut dyn Write {
        match self {
            Self::Stdout(w) => w,
            Self::Direct(w) => w,
            Self::Atomic { temp, .. } => temp,
        }
    }

    /// Flushes and, for a regular file, moves the finished report into place.
    pub fn finish(self) -> io::Result<()> {
        match self {
            Self::Stdout(mut w) => w.flush(),
            Self::Direct(mut w) => w.flush(),
            Self::Atomic {
                temp,
                destination,
                registration,
            } => {
                let temp = temp.into_inner().map_err(|e| e.into_error())?;
                set_report_permissions(temp.as_file(), &destination)?;
                registration.finish(|| temp.persist(&destination).map(drop).map_err(|e| e.error))
            }
        }
    }
}

/// Fails when the destination — the `-o` path, or stdout when there is none — is the same
/// file as one in `reads`, compared by identity (device and inode) so that symlinks, hard
/// links, `-o /dev/stdout` and a stdout redirected onto an input (`>> x.parquet`) are caught
/// too. A destination that does not exist yet, or an input that cannot be examined, is no
/// match: the input's own open reports the latter.
pub fn refuse_inputs(
    destination: Option<&Path>,
    reads: &[ReadFile<'_>],
) -> Result<(), DestinationIsInput> {
    let target = match destination {
        Some(path) => FileId::of_path(path),
        None => FileId::of_stdout(),
    };
    let Some(target) = target else {
        return Ok(());
    };
    match reads
        .iter()
        .find(|read| FileId::of_path(read.path).as_ref() == Some(&target))
    {
        Some(read) => Err(DestinationIsInput {
            destination: destination.map_or(Destination::Stdout, |p| Destination::Path(p.into())),
            role: read.role,
            input: read.path.to_path_buf(),
        }),
        None => Ok(()),
    }
}

/// Whether two report destinations are the same file, so that one report would replace the
/// other: by identity (device and inode) when both exist, else by their paths with the
/// directory resolved (`out/../r.json` is `r.json`).
pub fn same_destination(a: &Path, b: &Path) -> bool {
    match (FileId::of_path(a), FileId::of_path(b)) {
        (Some(a), Some(b)) => a == b,
        (None, None) => resolved(a) == resolved(b),
        _ => false,
    }
}

/// `path` with its directory canonicalised where it exists.
fn resolved(path: &Path) -> PathBuf {
    let directory = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let directory = fs::canonicalize(directory).unwrap_or_else(|_| directory.to_path_buf());
    match path.file_name() {
        Some(name) => directory.join(name),
        None => directory,
    }
}

/// Which file a name reaches, whatever the name: on Unix the device and inode, which a
/// symlink, a hard link or `/dev/stdout` all lead to.
#[derive(Debug, PartialEq, Eq)]
struct FileId {
    #[cfg(unix)]
    device: u64,
    #[cfg(unix)]
    inode: u64,
    #[cfg(not(unix))]
    canonical: PathBuf,
}

impl FileId {
    /// The file `path` reaches (following symlinks), if it exists.
    #[cfg(unix)]
    fn of_path(path: &Path) -> Option<Self> {
        fs::metadata(path).ok().map(|m| Self::of_metadata(&m))
    }

    /// The file standard output is, if it is open.
    #[cfg(unix)]
    fn of_stdout() -> Option<Self> {
        use std::os::fd::AsFd;
        let stdout = io::stdout();
        let fd = stdout.as_fd().try_clone_to_owned().ok()?;
        File::from(fd)
            .metadata()
            .ok()
            .map(|m| Self::of_metadata(&m))
    }

    #[cfg(unix)]
    fn of_metadata(metadata: &fs::Metadata) -> Self {
        use std::os::unix::fs::MetadataExt;
        Self {
            device: metadata.dev(),
            inode: metadata.ino(),
        }
    }

    /// Without inodes in stable std, the canonical path: catches symlinks, not hard links.
    #[cfg(not(unix))]
    fn of_path(path: &Path) -> Option<Self> {
        fs::canonicalize(path)
            .ok()
            .map(|canonical| Self { canonical })
    }

    #[cfg(not(unix))]
    fn of_stdout() -> Option<Self> {
        None
    }
}

/// Temporary files are private; a report should get the permissions of the file it replaces,
/// or the usual ones for a new file.
#[cfg(unix)]
fn set_report_permissions(file: &File, destination: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(destination)
        .map(|m| m.permissions().mode())
        .unwrap_or(0o644);
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_report_permissions(_: &File, _: &Path) -> io::Result<()> {
    Ok(())
}
