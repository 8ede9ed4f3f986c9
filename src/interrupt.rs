//! Temporary files and directories that must not outlive the process, even when SIGINT,
//! SIGTERM or SIGHUP ends the run. `tempfile` removes them on drop, but a signal's default
//! action ends the process without running destructors; so while a temporary file (the
//! report being written) or directory (the keyed diff's spill files) is registered here, a
//! thread waits for those signals, removes everything registered, and then ends the process
//! by the same signal (its default action), as if nothing had caught it.
//!
//! Re-raising rather than calling `exit(128 + n)` matters to the shell: bash stops a script
//! or loop on Ctrl-C only when the child *died* of SIGINT; a child that exits 130 is taken to
//! have handled the signal, and the loop runs on. Shells still report `$?` as 130 (SIGINT),
//! 143 (SIGTERM) or 129 (SIGHUP).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Paths the signal thread removes before the process ends. The signal thread holds the lock
/// from the removal until the process is gone, so a file is either moved into place before
/// the signal is handled or removed — never removed half-way through [`Registration::finish`].
static REGISTERED: Mutex<Vec<Registered>> = Mutex::new(Vec::new());

/// What a registered path is, which says how to remove it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Registered {
    /// A file.
    File(PathBuf),
    /// A directory, removed with everything in it.
    Directory(PathBuf),
}

impl Registered {
    fn path(&self) -> &Path {
        match self {
            Self::File(path) | Self::Directory(path) => path,
        }
    }
}

fn registered() -> MutexGuard<'static, Vec<Registered>> {
    // A panic while holding the lock leaves the list as valid as before: keep using it.
    REGISTERED.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A temporary file or directory the signal thread will remove; dropping this forgets it
/// again.
#[derive(Debug)]
pub struct Registration {
    path: PathBuf,
}

impl Registration {
    /// Makes a temporary file with `create` and registers its path, holding the lock
    /// throughout: a signal arriving while the file is being made waits, then removes it.
    ///
    /// Fails when `create` fails or the signal handling cannot be set up; in the latter case
    /// the file is not made, since nothing could remove it on a signal.
    pub fn create<T>(
        create: impl FnOnce() -> io::Result<T>,
        path_of: impl FnOnce(&T) -> &Path,
    ) -> io::Result<(T, Self)> {
        Self::register(create, path_of, Registered::File)
    }

    /// Makes a temporary directory with `create` and registers its path, as
    /// [`create`](Self::create) does a file: on a signal, the directory is removed with
    /// everything in it. Files made inside it later need no registration of their own.
    pub fn create_dir<T>(
        create: impl FnOnce() -> io::Result<T>,
        path_of: impl FnOnce(&T) -> &Path,
    ) -> io::Result<(T, Self)> {
        Self::register(create, path_of, Registered::Directory)
    }

    fn register<T>(
        create: impl FnOnce() -> io::Result<T>,
        path_of: impl FnOnce(&T) -> &Path,
        kind: fn(PathBuf) -> Registered,
    ) -> io::Result<(T, Self)> {
        install_handler()?;
        let mut paths = registered();
        let made = create()?;
        let path = path_of(&made).to_path_buf();
        paths.push(kind(path.clone()));
        Ok((made, Self { path }))
    }

    /// Runs `finish` — which moves the file into place or removes it — and forgets the
    /// file, with the lock held so the signal thread cannot remove it part way through.
    pub fn finish<T>(self, finish: impl FnOnce() -> T) -> T {
        let mut paths = registered();
        let result = finish();
        forget(&mut paths, &self.path);
        result
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        forget(&mut registered(), &self.path);
    }
}

fn forget(paths: &mut Vec<Registered>, path: &Path) {
    if let Some(index) = paths.iter().position(|p| p.path() == path) {
        paths.swap_remove(index);
    }
}

/// Starts the signal thread once; later calls return its first outcome.
#[cfg(unix)]
fn install_handler() -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;
    use std::fs;
    use std::sync::OnceLock;

    static INSTALLED: OnceLock<Result<(), io::ErrorKind>> = OnceLock::new();
    let outcome = INSTALLED.get_or_init(|| {
        // signal-hook's handler only writes to a pipe (async-signal-safe); the file system
        // work happens on this ordinary thread.
        let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP]).map_err(|e| e.kind())?;
        std::thread::Builder::new()
            .name("labelcheck-signals".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    let paths = registered();
                    for registered in paths.iter() {
                        match registered {
                            Registered::File(path) => {
                                let _ = fs::remove_file(path);
                            }
                            Registered::Directory(path) => remove_dir(path),
                        }
                    }
                    // Ends the process; `paths` stays locked until then.
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                }
            })
            .map(drop)
            .map_err(|e| e.kind())
    });
    outcome.map_err(|kind| {
        io::Error::new(
            kind,
            "cannot set up the removal of temporary files on SIGINT/SIGTERM",
        )
    })
}

/// Removes a registered directory with everything in it. Other threads may still be making
/// files in it while the signal is handled (the keyed diff's spill files), and a file made
/// after the removal listed the directory leaves it not empty: try again until it is gone —
/// nothing makes the directory itself again.
#[cfg(unix)]
fn remove_dir(path: &Path) {
    for _ in 0..1000 {
        match std::fs::remove_dir_all(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => continue,
            _ => return,
        }
    }
}

/// Elsewhere the console's Ctrl-C is not caught: nothing to set up.
#[cfg(not(unix))]
fn install_handler() -> io::Result<()> {
    Ok(())
}
