//! Where the report goes: stdout, a device or pipe written directly, or a regular file
//! replaced atomically (written to a temporary file beside it, then renamed), so an
//! interrupted run never leaves half a report and `-o /dev/null` never replaces the device.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

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
    },
}

impl Output {
    /// Opens the destination up front, so a bad path fails before any work is done.
    pub fn open(path: Option<&Path>) -> io::Result<Self> {
        let Some(path) = path else {
            return Ok(Self::Stdout(BufWriter::new(io::stdout())));
        };
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
                let temp = tempfile::Builder::new()
                    .prefix(".labelcheck-")
                    .suffix(".tmp")
                    .tempfile_in(&directory)?;
                Ok(Self::Atomic {
                    temp: BufWriter::new(temp),
                    destination,
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
            Self::Atomic { temp, destination } => {
                let temp = temp.into_inner().map_err(|e| e.into_error())?;
                set_report_permissions(temp.as_file(), &destination)?;
                temp.persist(&destination).map_err(|e| e.error)?;
                Ok(())
            }
        }
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
