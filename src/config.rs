//! The validated configuration of a run, built from the flags before any I/O.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::against::AgainstOptions;
use crate::check::CheckOptions;
use crate::cli::{ColorChoice, DiffArgs, Format, ReadArgs};
use crate::columns::ColumnChoice;
use crate::decode::DecodeOptions;
use crate::keyed_diff::KeyedDiffOptions;
use crate::output::{ReadFile, ReadRole};
use crate::report::FailOn;
use crate::source::{InputLocation, SpecialFiles};
use crate::spelling::{split_list, UnclosedQuote};
use crate::version::VersionOptions;
use crate::witness_list::DumpOrigin;

/// Most worker threads per core. Checking is CPU-bound, so threads beyond the cores only help
/// while some wait on reads; eight per core leaves room for slow storage, while `--threads
/// 10000` would spend minutes starting threads (and a decode window of twice as many
/// column chunks in memory) for nothing.
pub const MAX_THREADS_PER_CORE: usize = 8;

/// Smallest `--max-memory`: below it a partition could not hold even a few rows.
pub const MIN_MAX_MEMORY: u64 = 1 << 10;

/// Something the configuration changed from what was asked, worth one line on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigNote {
    /// `--threads` asked for more than [`MAX_THREADS_PER_CORE`] per core.
    ThreadsCapped {
        /// What `--threads` said.
        asked: usize,
        /// What the run uses.
        used: usize,
        /// The cores the cap was computed from.
        cores: usize,
    },
}

impl fmt::Display for ConfigNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ThreadsCapped { asked, used, cores } => write!(
                f,
                "--threads {asked} capped to {used} ({MAX_THREADS_PER_CORE} per core, {cores} core{})",
                if *cores == 1 { "" } else { "s" }
            ),
        }
    }
}

/// A flag combination that cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// `--columns` named an empty column.
    #[error("--columns has an empty name; give comma-separated column names")]
    EmptyColumnName,
    /// `--columns` opened a quote it never closed.
    #[error(transparent)]
    UnclosedQuote(#[from] UnclosedQuote),
    /// `--threads 0`.
    #[error("--threads must be at least 1")]
    ZeroThreads,
    /// `--max-page-bytes 0`.
    #[error("--max-page-bytes must be at least 1")]
    ZeroPageBytes,
    /// `--window-rows 0`.
    #[error("--window-rows must be at least 1")]
    ZeroWindowRows,
    /// `--max-dump-bytes 0`.
    #[error("--max-dump-bytes must be at least 1")]
    ZeroDumpBytes,
    /// `--max-stream-bytes 0`.
    #[error("--max-stream-bytes must be at least 1")]
    ZeroStreamBytes,
    /// `--against` (or `--against-source`, `--against-export`) with several files.
    #[error("{flag} compares one file with its dump; give exactly one FILE")]
    AgainstNeedsOneFile {
        /// The flag given.
        flag: &'static str,
    },
    /// `--key` named an empty column.
    #[error("--key has an empty name; give comma-separated key column names")]
    EmptyKeyName,
    /// `--key` with several files.
    #[error("--key compares one file with the --against file; give exactly one FILE")]
    KeyNeedsOneFile,
    /// `--key` with a `--against` file that is not Parquet.
    #[error("--key diffs FILE and an older version by key: --against must name a Parquet file")]
    KeyNeedsParquet,
    /// `--max-memory` below [`MIN_MAX_MEMORY`].
    #[error("--max-memory must be at least 1K")]
    MaxMemoryTooSmall,
    /// `--against OLD.parquet` with several files.
    #[error("--against OLD.parquet compares one file with its old version; give exactly one FILE")]
    VersionNeedsOneFile,
    /// `--null-token` with an old version, which has no text to spell null.
    #[error("--null-token applies to a CSV dump; the file given to --against is Parquet")]
    NullTokenWithVersion,
}

/// Everything `labelcheck diff` needs to run.
#[derive(Debug, Clone)]
pub struct DiffConfig {
    /// The inputs, in order.
    pub inputs: Vec<(String, InputLocation)>,
    /// What to check.
    pub check: CheckOptions,
    /// Report format.
    pub format: Format,
    /// Report destination; stdout when `None`.
    pub output: Option<PathBuf>,
    /// Whether a progress bar may be shown.
    pub progress: bool,
    /// Colour choice for the text report.
    pub color: ColorChoice,
    /// Worker threads, at most [`MAX_THREADS_PER_CORE`] per core; `None` for one per core.
    pub threads: Option<usize>,
    /// What fails the run.
    pub fail_on: FailOn,
    /// Print where the time went, per file and column, on stderr.
    pub timings: bool,
    /// What was changed from the flags as given, to be logged.
    pub notes: Vec<ConfigNote>,
    /// With `--key`: the one input is diffed by key against the old version (`check.old`)
    /// instead of by position.
    pub keyed: Option<KeyedDiffOptions>,
}

impl DiffConfig {
    /// Validates the flags.
    pub fn from_args(args: DiffArgs) -> Result<Self, ConfigError> {
        let columns = column_choice(args.all, &args.columns)?;
        read_limits(
            args.threads,
            args.max_page_bytes,
            args.window_rows,
            args.max_stream_bytes,
        )?;
        if args.max_dump_bytes == 0 {
            return Err(ConfigError::ZeroDumpBytes);
        }
        // Clap lets at most one of the three through.
        let dump = [
            ("--against", DumpOrigin::Unstated, args.against),
            ("--against-source", DumpOrigin::Source, args.against_source),
            ("--against-export", DumpOrigin::Export, args.against_export),
        ]
        .into_iter()
        .find_map(|(flag, origin, path)| path.map(|path| (flag, origin, path)));
        // `--against` names the old version of the file when it is Parquet, by its first
        // bytes, whatever its name: the only read before the report's destination is checked.
        let (dump, old) = match dump {
            Some(("--against", _, path)) if crate::version::is_parquet(&path) => (None, Some(path)),
            dump => (dump, None),
        };
        if let Some(&(flag, _, _)) = dump.as_ref().filter(|_| args.files.len() != 1) {
            return Err(ConfigError::AgainstNeedsOneFile { flag });
        }
        if old.is_some() && args.files.len() != 1 {
            return Err(ConfigError::VersionNeedsOneFile);
        }
        if old.is_some() && args.null_token.is_some() {
            return Err(ConfigError::NullTokenWithVersion);
        }
        let mut keys = Vec::new();
        for list in &args.key {
            keys.extend(split_list(list)?);
        }
        if keys.iter().any(String::is_empty) {
            return Err(ConfigError::EmptyKeyName);
        }
        if !keys.is_empty() && args.files.len() != 1 {
            return Err(ConfigError::KeyNeedsOneFile);
        }
        if args.max_memory < MIN_MAX_MEMORY {
            return Err(ConfigError::MaxMemoryTooSmall);
        }
        // With --key, the old version is diffed by key rather than by position.
        let keyed = match &old {
            _ if keys.is_empty() => None,
            Some(_) => Some(KeyedDiffOptions {
                keys,
                max_memory: args.max_memory,
            }),
            None => return Err(ConfigError::KeyNeedsParquet),
        };
        let special = if args.allow_special_files {
            SpecialFiles::Allow
        } else {
            SpecialFiles::Refuse
        };
        let (capped_threads, threads, notes) = thread_count(args.threads);
        Ok(Self {
            inputs: args
                .files
                .into_iter()
                .map(|path| {
                    let name = path.display().to_string();
                    let location = InputLocation::Local {
                        path,
                        special,
                        max_stream_bytes: args.max_stream_bytes,
                    };
                    (name, location)
                })
                .collect(),
            check: CheckOptions {
                columns,
                max_listed: args.max_listed,
                decode: DecodeOptions {
                    verify_crc: !args.no_crc,
                    max_page_bytes: args.max_page_bytes,
                    max_footer_bytes: args.max_footer_bytes,
                    ..DecodeOptions::default()
                },
                window: 2 * threads,
                window_rows: args.window_rows,
                against: dump.map(|(_, origin, path)| AgainstOptions {
                    path: path.display().to_string(),
                    origin,
                    null_token: args.null_token,
                    special,
                    max_bytes: args.max_dump_bytes,
                }),
                old: old.map(|path| VersionOptions {
                    path: path.display().to_string(),
                    location: InputLocation::Local {
                        path,
                        special,
                        max_stream_bytes: args.max_stream_bytes,
                    },
                }),
                timings: args.timings,
                summaries: None,
            },
            format: args.format,
            output: args.output,
            progress: !args.quiet,
            color: args.color,
            threads: capped_threads,
            fail_on: args.fail_on,
            timings: args.timings,
            notes,
            keyed,
        })
    }

    /// Every file the run reads — the Parquet files, the `--against` dump or old version — which the
    /// report must never be written over.
    pub fn read_files(&self) -> Vec<ReadFile<'_>> {
        let parquet = self.inputs.iter().map(|(_, location)| match location {
            InputLocation::Local { path, .. } => ReadFile {
                path,
                role: ReadRole::Parquet,
            },
        });
        let dump = self.check.against.iter().map(|against| ReadFile {
            path: Path::new(&against.path),
            role: ReadRole::Dump,
        });
        let old = self.check.old.iter().map(|old| match &old.location {
            InputLocation::Local { path, .. } => ReadFile {
                path,
                role: ReadRole::Parquet,
            },
        });
        parquet.chain(dump).chain(old).collect()
    }
}

/// Refuses the read limits that cannot run: no threads, no page, no window, no stream.
fn read_limits(
    threads: Option<usize>,
    max_page_bytes: usize,
    window_rows: usize,
    max_stream_bytes: u64,
) -> Result<(), ConfigError> {
    if threads == Some(0) {
        return Err(ConfigError::ZeroThreads);
    }
    if max_page_bytes == 0 {
        return Err(ConfigError::ZeroPageBytes);
    }
    if window_rows == 0 {
        return Err(ConfigError::ZeroWindowRows);
    }
    if max_stream_bytes == 0 {
        return Err(ConfigError::ZeroStreamBytes);
    }
    Ok(())
}

/// The threads a run starts: `asked` (`--threads`) capped at [`MAX_THREADS_PER_CORE`] per
/// core, or `None` for one per core; the count the decode window follows; and a note when
/// the cap applied.
fn thread_count(asked: Option<usize>) -> (Option<usize>, usize, Vec<ConfigNote>) {
    let mut notes = Vec::new();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cap = cores.saturating_mul(MAX_THREADS_PER_CORE);
    let capped = asked.map(|asked| asked.min(cap));
    if let Some(asked) = asked.filter(|&asked| asked > cap) {
        notes.push(ConfigNote::ThreadsCapped {
            asked,
            used: cap,
            cores,
        });
    }
    // The decode window follows the threads actually started, capped or not.
    let threads = capped.unwrap_or_else(|| rayon::current_num_threads().max(1));
    (capped, threads, notes)
}

/// How `hash` and `verify` read files, validated ([`ReadArgs`]).
#[derive(Debug, Clone)]
pub struct ReadConfig {
    /// Whether special files are read.
    pub special: SpecialFiles,
    /// Largest special file held in memory.
    pub max_stream_bytes: u64,
    /// The check's options but the columns (ALL until set).
    pub check: CheckOptions,
    /// Worker threads; `None` for one per core.
    pub threads: Option<usize>,
    /// Whether a progress bar may be shown.
    pub progress: bool,
    /// What was changed from the flags as given, to be logged.
    pub notes: Vec<ConfigNote>,
}

impl ReadConfig {
    /// Validates the flags.
    pub fn from_args(args: &ReadArgs) -> Result<Self, ConfigError> {
        read_limits(
            args.threads,
            args.max_page_bytes,
            args.window_rows,
            args.max_stream_bytes,
        )?;
        let (capped, threads, notes) = thread_count(args.threads);
        Ok(Self {
            special: if args.allow_special_files {
                SpecialFiles::Allow
            } else {
                SpecialFiles::Refuse
            },
            max_stream_bytes: args.max_stream_bytes,
            check: CheckOptions {
                columns: ColumnChoice::All,
                max_listed: 0,
                decode: DecodeOptions {
                    verify_crc: !args.no_crc,
                    max_page_bytes: args.max_page_bytes,
                    max_footer_bytes: args.max_footer_bytes,
                    ..DecodeOptions::default()
                },
                window: 2 * threads,
                window_rows: args.window_rows,
                against: None,
                old: None,
                timings: false,
                summaries: None,
            },
            threads: capped,
            progress: !args.quiet,
            notes,
        })
    }

    /// The input at `path`, named as given.
    pub fn input(&self, path: &Path) -> (String, InputLocation) {
        (
            path.display().to_string(),
            InputLocation::Local {
                path: path.to_path_buf(),
                special: self.special,
                max_stream_bytes: self.max_stream_bytes,
            },
        )
    }
}

/// The columns `--columns` and `--all` choose.
pub fn column_choice(all: bool, columns: &[String]) -> Result<ColumnChoice, ConfigError> {
    let mut named = Vec::new();
    for list in columns {
        named.extend(split_list(list)?);
    }
    if named.iter().any(String::is_empty) {
        return Err(ConfigError::EmptyColumnName);
    }
    Ok(if all {
        ColumnChoice::All
    } else if !named.is_empty() {
        ColumnChoice::Named(named)
    } else {
        ColumnChoice::Labels
    })
}
