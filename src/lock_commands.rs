//! The two lock commands: `hash` checks files (or a CSV source) with summaries and writes the
//! lock; `verify` hashes the files again and compares with a lock ([`crate::lock`]).

use std::io::{self, IsTerminal};
use std::path::{Component, Path, PathBuf};

use crate::against::AgainstOptions;
use crate::check::{check_file, check_source, CheckOptions};
use crate::cli::{HashArgs, VerifyArgs, VerifyFormat};
use crate::columns::ColumnChoice;
use crate::config::{column_choice, ConfigError, ReadConfig};
use crate::lock::{verify as compare, Lock, LockSource, NotLocked};
use crate::log;
use crate::output::{OpenError, Output, ReadFile, ReadRole};
use crate::progress::progress_bar;
use crate::report::{ColumnStatus, FileReport, FindingKind};
use crate::source::InputLocation;
use crate::spelling::split_list;
use crate::summary::SummaryOptions;
use crate::verification::VerifyPolicy;
use crate::witness_list::DumpOrigin;

/// Why `hash` or `verify` stopped before a result (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum LockCommandError {
    /// The flags do not form a valid run.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A flag's value is not usable.
    #[error("{0}")]
    Usage(String),
    /// The output cannot be opened, or is an input.
    #[error("{0}")]
    Output(String),
    /// The lock cannot be read.
    #[error("{0}")]
    Lock(String),
    /// The thread pool could not start.
    #[error("cannot start worker threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
}

/// Runs `labelcheck hash`; returns the exit code.
pub fn hash(args: HashArgs) -> Result<u8, LockCommandError> {
    let mut read = ReadConfig::from_args(&args.read)?;
    read.check.columns = column_choice(args.all, &args.columns)?;
    let key = key_columns(args.key.as_deref())?;
    read.check.summaries = Some(SummaryOptions { key: key.clone() });
    if args.max_dump_bytes == 0 {
        return Err(ConfigError::ZeroDumpBytes.into());
    }
    let csv = args.csv.as_ref().map(|path| AgainstOptions {
        path: path.display().to_string(),
        origin: DumpOrigin::Source,
        null_token: args.null_token.clone(),
        special: read.special,
        max_bytes: args.max_dump_bytes,
    });
    let inputs: Vec<PathBuf> = match (&csv, &args.like) {
        (Some(_), Some(like)) => vec![like.clone()],
        _ => args.files.clone(),
    };
    let mut reads: Vec<ReadFile<'_>> = inputs
        .iter()
        .map(|path| ReadFile {
            path,
            role: ReadRole::Parquet,
        })
        .collect();
    if let Some(path) = &args.csv {
        reads.push(ReadFile {
            path,
            role: ReadRole::Dump,
        });
    }
    let mut output = open_output(args.output.as_deref(), &reads)?;
    for note in &read.notes {
        log::line(note);
    }
    let pool = pool(read.threads)?;
    let (reports, names) = match &csv {
        Some(csv) => {
            let (name, like) = read.input(&inputs[0]);
            let report = match like.open() {
                Ok(source) => pool.install(|| check_source(&name, source, csv, &read.check)),
                Err(e) => FileReport::failed(&name, format!("cannot open: {e}")),
            };
            let path = lock_path(Path::new(&csv.path), args.output.as_deref());
            (vec![report], vec![path])
        }
        None => {
            let reports = check_all(&inputs, &read, &read.check, &pool);
            let names = inputs
                .iter()
                .map(|p| lock_path(p, args.output.as_deref()))
                .collect();
            (reports, names)
        }
    };
    let source = if csv.is_some() {
        LockSource::Csv
    } else {
        LockSource::Parquet
    };
    let lock = match lockable(&reports, source)
        .and_then(|()| Lock::from_reports(&reports, &names, &key, source))
    {
        Ok(lock) => lock,
        Err(NotLocked(reasons)) => {
            for reason in &reasons {
                log::line(reason);
            }
            log::line(format_args!(
                "no lock written: {} problem{}",
                reasons.len(),
                if reasons.len() == 1 { "" } else { "s" }
            ));
            // Dropping the output removes its temporary file: nothing is left behind.
            drop(output);
            return Ok(if disagree(&reports) { 1 } else { 2 });
        }
    };
    let written = output
        .writer()
        .write_all(lock.to_json().as_bytes())
        .and_then(|()| output.finish());
    if let (Ok(()), Some(path), false) = (&written, &args.output, args.read.quiet) {
        let columns: usize = lock.files.iter().map(|f| f.columns.len()).sum();
        log::line(format_args!(
            "locked {columns} column{} of {} file{} ({} rows) in {}",
            if columns == 1 { "" } else { "s" },
            lock.files.len(),
            if lock.files.len() == 1 { "" } else { "s" },
            lock.dataset.rows,
            path.display()
        ));
    }
    match written {
        Ok(()) => Ok(0),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(0),
        Err(e) => Err(LockCommandError::Output(format!(
            "{}: {e}",
            destination(args.output.as_deref())
        ))),
    }
}

/// Runs `labelcheck verify`; returns the exit code.
pub fn verify(args: VerifyArgs) -> Result<u8, LockCommandError> {
    let mut read = ReadConfig::from_args(&args.read)?;
    if let Some(max) = args.max_drift {
        if !(0.0..=1.0).contains(&max) {
            return Err(LockCommandError::Usage(format!(
                "--max-drift {max}: a total variation distance lies between 0 and 1"
            )));
        }
    }
    let mut reads = vec![ReadFile {
        path: &args.lock,
        role: ReadRole::Lock,
    }];
    reads.extend(args.files.iter().map(|path| ReadFile {
        path,
        role: ReadRole::Parquet,
    }));
    let mut output = open_output(args.output.as_deref(), &reads)?;
    let locked = Lock::read(&args.lock).map_err(LockCommandError::Lock)?;
    let base = args.lock.parent().unwrap_or(Path::new(""));
    let (files, names): (Vec<PathBuf>, Vec<String>) = if args.files.is_empty() {
        locked
            .files
            .iter()
            .map(|f| (base.join(&f.path), f.path.clone()))
            .unzip()
    } else {
        if locked.key.is_empty() && args.files.len() != locked.files.len() {
            return Err(LockCommandError::Usage(format!(
                "{}: the lock holds {} file{} matched by position; give as many FILEs, or none to check the files it names",
                args.lock.display(),
                locked.files.len(),
                if locked.files.len() == 1 { "" } else { "s" }
            )));
        }
        args.files
            .iter()
            .map(|p| (p.clone(), p.display().to_string()))
            .unzip()
    };
    // The files the lock names are inputs too: the report must not replace one.
    let named: Vec<ReadFile<'_>> = files
        .iter()
        .map(|path| ReadFile {
            path,
            role: ReadRole::Parquet,
        })
        .collect();
    crate::output::refuse_inputs(args.output.as_deref(), &named)
        .map_err(|e| LockCommandError::Output(e.to_string()))?;
    for note in &read.notes {
        log::line(note);
    }
    read.check.columns = ColumnChoice::Present(locked.column_names());
    read.check.summaries = Some(SummaryOptions {
        key: locked.key.clone(),
    });
    let pool = pool(read.threads)?;
    let reports = check_all(&files, &read, &read.check, &pool);
    let now = match lockable(&reports, LockSource::Parquet)
        .and_then(|()| Lock::from_reports(&reports, &names, &locked.key, LockSource::Parquet))
    {
        Ok(now) => now,
        Err(NotLocked(reasons)) => {
            for reason in &reasons {
                log::line(reason);
            }
            log::line(format_args!(
                "{}: the labels cannot be compared with the lock",
                args.lock.display()
            ));
            drop(output);
            return Ok(if disagree(&reports) { 1 } else { 2 });
        }
    };
    let verification = compare(
        &locked,
        &now,
        &args.lock.display().to_string(),
        VerifyPolicy {
            max_drift: args.max_drift,
            allow_changes: args.allow_changes,
        },
    );
    let written = match args.format {
        VerifyFormat::Text => crate::verification::write_text(&verification, output.writer()),
        VerifyFormat::Json => serde_json::to_writer_pretty(output.writer(), &verification)
            .map_err(io::Error::from)
            .and_then(|()| output.writer().write_all(b"\n")),
    }
    .and_then(|()| output.finish());
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => {
            return Err(LockCommandError::Output(format!(
                "{}: {e}",
                destination(args.output.as_deref())
            )))
        }
    }
    Ok(u8::from(!verification.summary.passed))
}

/// `--key`'s columns.
fn key_columns(key: Option<&str>) -> Result<Vec<String>, LockCommandError> {
    let Some(key) = key else {
        return Ok(Vec::new());
    };
    let names = split_list(key).map_err(ConfigError::from)?;
    if names.is_empty() || names.iter().any(String::is_empty) {
        return Err(LockCommandError::Usage(
            "--key has an empty name; give comma-separated column names".into(),
        ));
    }
    Ok(names)
}

fn open_output(path: Option<&Path>, reads: &[ReadFile<'_>]) -> Result<Output, LockCommandError> {
    Output::open(path, reads).map_err(|e| match e {
        OpenError::IsInput(e) => LockCommandError::Output(e.to_string()),
        OpenError::Io(e) => LockCommandError::Output(format!("{}: {e}", destination(path))),
    })
}

fn destination(path: Option<&Path>) -> String {
    path.map_or_else(|| "stdout".to_owned(), |p| p.display().to_string())
}

fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = threads {
        pool = pool.num_threads(threads);
    }
    pool.build()
}

/// Checks each file in order, with summaries, logging what could not be checked.
fn check_all(
    files: &[PathBuf],
    read: &ReadConfig,
    options: &CheckOptions,
    pool: &rayon::ThreadPool,
) -> Vec<FileReport> {
    let show = read.progress && io::stderr().is_terminal();
    files
        .iter()
        .map(|path| {
            let (name, location): (String, InputLocation) = read.input(path);
            let report = match location.open() {
                Ok(source) => pool.install(|| {
                    check_file(&name, source, options, &|total| progress_bar(show, total))
                }),
                Err(e) => FileReport::failed(&name, format!("cannot open: {e}")),
            };
            log::problems(&report);
            report
        })
        .collect()
}

/// Findings that make a file's labels unlockable whatever its columns say: a CSV source
/// whose values could not all be read.
fn lockable(reports: &[FileReport], source: LockSource) -> Result<(), NotLocked> {
    if source != LockSource::Csv {
        return Ok(());
    }
    let problems: Vec<String> = reports
        .iter()
        .flat_map(|r| &r.findings)
        .filter(|f| f.kind == FindingKind::Against)
        .map(|f| f.message.clone())
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(NotLocked(problems))
    }
}

/// True when the decoders disagree on a column (exit 1), as opposed to a file or column that
/// could not be read (exit 2).
fn disagree(reports: &[FileReport]) -> bool {
    reports
        .iter()
        .flat_map(|r| &r.columns)
        .any(|c| c.status == ColumnStatus::Mismatch)
}

/// How a lock names `file`: relative to the lock's directory when the lock is written to a
/// file (so the lock and the data can move together), else as given.
fn lock_path(file: &Path, lock: Option<&Path>) -> String {
    let relative = lock.and_then(|lock| {
        let base = absolute(lock.parent().unwrap_or(Path::new("")))?;
        relative_to(&absolute(file)?, &base)
    });
    relative
        .unwrap_or_else(|| file.to_path_buf())
        .to_string_lossy()
        .replace('\\', "/")
}

/// `path` made absolute and without `.`/`..` (lexically: a lock names paths as typed).
fn absolute(path: &Path) -> Option<PathBuf> {
    let joined = std::env::current_dir().ok()?.join(path);
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

/// `path` relative to the directory `base`, both absolute.
fn relative_to(path: &Path, base: &Path) -> Option<PathBuf> {
    let path: Vec<Component<'_>> = path.components().collect();
    let base: Vec<Component<'_>> = base.components().collect();
    // Different roots (drives) have no relative path.
    if path.first() != base.first() {
        return None;
    }
    let common = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..base.len() {
        out.push("..");
    }
    for component in &path[common..] {
        out.push(component);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_paths_are_relative_to_the_lock() {
        assert_eq!(
            relative_to(Path::new("/a/b/data/x.parquet"), Path::new("/a/b")).unwrap(),
            PathBuf::from("data/x.parquet")
        );
        assert_eq!(
            relative_to(Path::new("/a/data/x.parquet"), Path::new("/a/b/locks")).unwrap(),
            PathBuf::from("../../data/x.parquet")
        );
        assert_eq!(lock_path(Path::new("x.parquet"), None), "x.parquet");
    }
}
