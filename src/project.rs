//! What `labelcheck check` runs: labelcheck.toml ([`crate::project_config`]) and the flags of
//! `check` merged — a flag overrides the file's key of the same name, the file overrides the
//! defaults — into a plan of steps and outputs, all checked before any Parquet file is read:
//! globs expanded (one matching nothing is an error naming it), combinations validated, and
//! every step this build cannot run refused up front.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::cli::{
    CheckArgs, DiffArgs, Format, DEFAULT_MAX_DUMP_BYTES, DEFAULT_MAX_FOOTER_BYTES,
    DEFAULT_MAX_LISTED, DEFAULT_MAX_MEMORY, DEFAULT_MAX_PAGE_BYTES, DEFAULT_MAX_STREAM_BYTES,
    DEFAULT_WINDOW_ROWS,
};
use crate::columns::ColumnChoice;
use crate::config::{ConfigError, DiffConfig};
use crate::lock::{Lock, LockSource, NotLocked};
use crate::output::{same_destination, ReadFile, ReadRole};
use crate::project_config::{self, ConfigFileError, Located, Problem, ProjectConfig};
use crate::report::FileReport;
use crate::spelling::split_list;
use crate::summary::SummaryOptions;
use crate::verification::{Verification, VerifyPolicy};

/// Who asked for a setting: a flag, or a line of the config file. Messages about a setting
/// start with it, so the user knows where to change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AskedBy {
    /// A flag of `check` (`--lock`).
    Flag(&'static str),
    /// Nobody: the default (one text report on stdout).
    Default,
    /// A key of the config file.
    File {
        /// The file.
        file: PathBuf,
        /// The key's line.
        line: usize,
        /// The key.
        key: &'static str,
    },
}

impl fmt::Display for AskedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Flag(flag) => f.write_str(flag),
            Self::Default => f.write_str("the default"),
            Self::File { file, line, key } => write!(f, "{}:{line}: {key}", file.display()),
        }
    }
}

/// One step of a `check` run, in the order they run. Each yields file reports that go into
/// the run's one report.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Both decoders over every file: what `labelcheck diff FILE...` does.
    Diff,
    /// The file against its old version, row by row by position or by key: what
    /// `labelcheck diff NEW --against OLD.parquet [--key COL,..]` does (both files through
    /// both decoders, so it takes the place of [`Step::Diff`]).
    VersionDiff(VersionDiffStep),
    /// The files against a lock: what `labelcheck verify LOCK FILE...` does.
    Verify(VerifyStep),
}

/// What [`Step::VersionDiff`] compares.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionDiffStep {
    /// The old version.
    pub against: PathBuf,
    /// Key columns matching the rows; empty to match by position.
    pub key: Vec<String>,
    /// Who asked for it.
    pub asked_by: AskedBy,
}

/// What [`Step::Verify`] checks.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyStep {
    /// The lock.
    pub lock: PathBuf,
    /// The distribution drift tolerated; `None` for none.
    pub max_drift: Option<f64>,
    /// Changed values do not fail the run.
    pub allow_changes: bool,
    /// Who asked for it.
    pub asked_by: AskedBy,
}

/// A step this build cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{asked_by}: {what} is not available in this build yet")]
pub struct StepUnavailable {
    /// Who asked for the step.
    pub asked_by: AskedBy,
    /// The step, in words.
    pub what: &'static str,
}

// SEAM (issue 14): the version diff (branches `versions`, `keyed-diff`) and `verify` (the
// lead's `crate::lock`) are built beside this branch. Until they are merged, a config or flag
// asking for them is refused before any work; at the merge, `available` says yes and the two
// runners below call `diff --against` / `crate::lock::verify` with the step's settings.
impl Step {
    /// Refuses, before any file is read, a step this build cannot run.
    pub fn available(&self) -> Result<(), StepUnavailable> {
        match self {
            Step::Diff => Ok(()),
            Step::VersionDiff(_) => Ok(()),
            Step::Verify(_) => Ok(()),
        }
    }
}

/// The lock a [`Step::Verify`] names, read before any Parquet file is: a lock that cannot be
/// read stops the run at once (exit 2), naming it.
pub fn read_lock(step: &VerifyStep) -> Result<Lock, PlanError> {
    Lock::read(&step.lock).map_err(PlanError::Lock)
}

/// Sets `diff` up to hash as it checks, for `lock`: the lock's key, and — when the check
/// names no columns of its own — the lock's columns.
pub fn hash_for(diff: &mut DiffConfig, lock: &Lock) {
    diff.check.summaries = Some(SummaryOptions {
        key: lock.key.clone(),
    });
    if diff.check.columns == ColumnChoice::Labels {
        diff.check.columns = ColumnChoice::Present(lock.column_names());
    }
}

/// Compares the checked `files` (hashed as [`hash_for`] set up) with `lock`, by position or
/// by key as the lock was made; `None`, with the reasons logged, when the files' labels
/// cannot be locked (the decoders disagree: the report says so and fails the run anyway).
pub fn verify(
    step: &VerifyStep,
    lock: &Lock,
    files: &[FileReport],
) -> Result<Option<Verification>, PlanError> {
    if lock.key.is_empty() && files.len() != lock.files.len() {
        return Err(PlanError::LockFiles {
            asked_by: step.asked_by.clone(),
            locked: lock.files.len(),
            checked: files.len(),
        });
    }
    let names: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    match Lock::from_reports(files, &names, &lock.key, LockSource::Parquet) {
        Ok(now) => Ok(Some(crate::lock::verify(
            lock,
            &now,
            &step.lock.display().to_string(),
            VerifyPolicy {
                max_drift: step.max_drift,
                allow_changes: step.allow_changes,
            },
        ))),
        Err(NotLocked(reasons)) => {
            for reason in reasons {
                crate::log::line(reason);
            }
            crate::log::line(format_args!(
                "{}: the labels cannot be compared with the lock",
                step.lock.display()
            ));
            Ok(None)
        }
    }
}

/// One report a run writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    /// Its format.
    pub format: Format,
    /// Its path; `None` for stdout.
    pub path: Option<PathBuf>,
    /// Who asked for it.
    pub asked_by: AskedBy,
}

/// Why a `check` run cannot start.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The config file is unusable.
    #[error(transparent)]
    File(#[from] ConfigFileError),
    /// A flag (or a setting the file passed on) does not form a valid diff.
    #[error(transparent)]
    Flags(#[from] ConfigError),
    /// A step this build lacks.
    #[error(transparent)]
    Unavailable(#[from] StepUnavailable),
    /// The lock cannot be read (its path and why, in one line).
    #[error("{0}")]
    Lock(String),
    /// A lock matched by position holds another number of files than the check reads.
    #[error(
        "{asked_by}: the lock holds {locked} files matched by position, the check reads {checked}"
    )]
    LockFiles {
        /// Who asked for the lock.
        asked_by: AskedBy,
        /// Files in the lock.
        locked: usize,
        /// Files checked.
        checked: usize,
    },
    /// Neither FILE arguments nor a config file with `files`.
    #[error("no files to check: give FILE arguments, or `files` in {0}")]
    NoFiles(String),
    /// A flag's value out of range.
    #[error("{flag} must be {range}")]
    FlagRange {
        /// The flag.
        flag: &'static str,
        /// Its range, in words.
        range: &'static str,
    },
    /// A flag that means something only with another setting.
    #[error("{flag} needs {needs}")]
    FlagRequires {
        /// The flag.
        flag: &'static str,
        /// What it needs.
        needs: &'static str,
    },
    /// A version diff asked for with several files.
    #[error("{asked_by}: compares one file with its old version, and the run has {files} files")]
    AgainstNeedsOneFile {
        /// Who asked for `against`.
        asked_by: AskedBy,
        /// How many files there are.
        files: usize,
    },
    /// Two reports to one destination.
    #[error("{asked_by}: {destination} already receives another report")]
    SharedDestination {
        /// The second output.
        asked_by: AskedBy,
        /// `stdout` or the path.
        destination: String,
    },
    /// The working directory cannot be found.
    #[error("cannot find the working directory: {0}")]
    WorkingDirectory(String),
}

/// Everything a `check` run does, decided before any Parquet file is read.
#[derive(Debug)]
pub struct CheckPlan {
    /// The config file read, if any.
    pub config_file: Option<PathBuf>,
    /// The files and settings every step shares (its `format` and `output` unused: see
    /// `outputs`).
    pub diff: DiffConfig,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// The reports to write, each from the same run.
    pub outputs: Vec<OutputSpec>,
}

impl CheckPlan {
    /// Merges the flags with the config file — `--config`, else the one [`project_config::find`]
    /// finds from `cwd` — and checks the result.
    pub fn new(args: CheckArgs, cwd: &Path) -> Result<Self, PlanError> {
        let config_path = args.config.clone().or_else(|| project_config::find(cwd));
        let file = match &config_path {
            Some(path) => ProjectConfig::load(path)?,
            None => ProjectConfig::default(),
        };
        Self::merge(args, file, config_path)
    }

    fn merge(
        args: CheckArgs,
        file: ProjectConfig,
        config_file: Option<PathBuf>,
    ) -> Result<Self, PlanError> {
        let asked = |line: usize, key: &'static str| AskedBy::File {
            file: file.path.clone(),
            line,
            key,
        };
        let files = if !args.files.is_empty() {
            args.files.clone()
        } else if let Some(patterns) = &file.files {
            expand(patterns, &file)?
        } else {
            let name = config_file.as_ref().map_or_else(
                || format!("a {} (none found here or above)", project_config::FILE_NAME),
                |path| path.display().to_string(),
            );
            return Err(PlanError::NoFiles(name));
        };

        // Columns: the flags' choice replaces the file's whole choice.
        let (columns, all) = if !args.columns.is_empty() || args.all {
            (args.columns.clone(), args.all)
        } else {
            (
                file.columns
                    .as_ref()
                    .map_or_else(Vec::new, |c| c.value.clone()),
                file.all.as_ref().is_some_and(|a| a.value),
            )
        };

        let against = match (&args.against, &file.against) {
            (Some(path), _) => Some((path.clone(), AskedBy::Flag("--against"))),
            (None, Some(Located { value, line })) => Some((value.clone(), asked(*line, "against"))),
            (None, None) => None,
        };
        let key = if args.key.is_empty() {
            file.key.as_ref().map_or_else(Vec::new, |k| k.value.clone())
        } else {
            let mut names = Vec::new();
            for list in &args.key {
                names.extend(split_list(list).map_err(ConfigError::from)?);
            }
            if names.iter().any(String::is_empty) {
                return Err(PlanError::FlagRange {
                    flag: "--key",
                    range: "comma-separated column names, none empty",
                });
            }
            names
        };
        if !key.is_empty() && against.is_none() {
            return Err(PlanError::FlagRequires {
                flag: "--key",
                needs: "--against (the old version whose rows it matches)",
            });
        }
        let lock = match (&args.lock, &file.lock) {
            (Some(path), _) => Some((path.clone(), AskedBy::Flag("--lock"))),
            (None, Some(Located { value, line })) => Some((value.clone(), asked(*line, "lock"))),
            (None, None) => None,
        };
        if let Some(drift) = args.max_drift {
            if !(0.0..=1.0).contains(&drift) {
                return Err(PlanError::FlagRange {
                    flag: "--max-drift",
                    range: "from 0 to 1 (a total variation distance)",
                });
            }
        }
        let max_drift = args.max_drift.or(file.max_drift.as_ref().map(|d| d.value));
        let allow_changes =
            args.allow_changes || file.allow_changes.as_ref().is_some_and(|a| a.value);
        if lock.is_none() {
            for (given, flag) in [
                (args.max_drift.is_some(), "--max-drift"),
                (args.allow_changes, "--allow-changes"),
            ] {
                if given {
                    return Err(PlanError::FlagRequires {
                        flag,
                        needs: "--lock or `lock` in the config file",
                    });
                }
            }
        }

        let mut steps = Vec::new();
        match against {
            Some((against, asked_by)) => {
                if files.len() != 1 {
                    return Err(PlanError::AgainstNeedsOneFile {
                        asked_by,
                        files: files.len(),
                    });
                }
                steps.push(Step::VersionDiff(VersionDiffStep {
                    against,
                    key,
                    asked_by,
                }));
            }
            None => steps.push(Step::Diff),
        }
        if let Some((lock, asked_by)) = lock {
            steps.push(Step::Verify(VerifyStep {
                lock,
                max_drift,
                allow_changes,
                asked_by,
            }));
        }

        let outputs = if args.format.is_some() || args.output.is_some() {
            vec![OutputSpec {
                format: args.format.unwrap_or(Format::Text),
                path: args.output.clone(),
                asked_by: AskedBy::Flag(if args.output.is_some() {
                    "-o"
                } else {
                    "--format"
                }),
            }]
        } else if let Some(entries) = &file.outputs {
            entries
                .iter()
                .map(|entry| OutputSpec {
                    format: entry.format,
                    path: entry.path.clone(),
                    asked_by: asked(entry.line, "outputs"),
                })
                .collect()
        } else {
            vec![OutputSpec {
                format: Format::Text,
                path: None,
                asked_by: AskedBy::Default,
            }]
        };
        refuse_shared_destinations(&outputs)?;

        // The version diff is `diff`'s own `--against OLD.parquet [--key]`.
        let version = steps.iter().find_map(|step| match step {
            Step::VersionDiff(version) => Some(version.clone()),
            _ => None,
        });
        let diff = DiffConfig::from_args(DiffArgs {
            key: version.as_ref().map(|v| v.key.clone()).unwrap_or_default(),
            max_memory: DEFAULT_MAX_MEMORY,
            files,
            columns,
            all,
            format: Format::Text,
            max_listed: args
                .max_listed
                .or(file.max_listed)
                .unwrap_or(DEFAULT_MAX_LISTED),
            output: None,
            quiet: args.quiet,
            threads: args.threads.or(file.threads),
            against: version.map(|v| v.against),
            against_source: None,
            against_export: None,
            null_token: None,
            max_dump_bytes: DEFAULT_MAX_DUMP_BYTES,
            allow_special_files: args.allow_special_files
                || file.allow_special_files.unwrap_or(false),
            max_stream_bytes: args
                .max_stream_bytes
                .or(file.max_stream_bytes)
                .unwrap_or(DEFAULT_MAX_STREAM_BYTES),
            no_crc: args.no_crc || file.no_crc.unwrap_or(false),
            max_page_bytes: args
                .max_page_bytes
                .or(file.max_page_bytes)
                .unwrap_or(DEFAULT_MAX_PAGE_BYTES),
            max_footer_bytes: args
                .max_footer_bytes
                .or(file.max_footer_bytes)
                .unwrap_or(DEFAULT_MAX_FOOTER_BYTES),
            window_rows: args
                .window_rows
                .or(file.window_rows)
                .unwrap_or(DEFAULT_WINDOW_ROWS),
            fail_on: args.fail_on.or(file.fail_on).unwrap_or_default(),
            timings: args.timings || file.timings.unwrap_or(false),
            color: args.color,
        })?;
        for step in &steps {
            step.available()?;
        }
        Ok(Self {
            config_file,
            diff,
            steps,
            outputs,
        })
    }

    /// Every file the run reads — the inputs, an old version, a lock, the config file itself
    /// — which no report may be written over.
    pub fn read_files(&self) -> Vec<ReadFile<'_>> {
        let mut reads = self.diff.read_files();
        for step in &self.steps {
            match step {
                Step::Diff => {}
                Step::VersionDiff(step) => reads.push(ReadFile {
                    path: &step.against,
                    role: ReadRole::Parquet,
                }),
                Step::Verify(step) => reads.push(ReadFile {
                    path: &step.lock,
                    role: ReadRole::Lock,
                }),
            }
        }
        reads.extend(self.config_file.iter().map(|path| ReadFile {
            path,
            role: ReadRole::Config,
        }));
        reads
    }
}

/// The files `patterns` name, relative to the config file's directory, in the patterns'
/// order (each glob's matches sorted, as a shell sorts them), each file once. A glob matches
/// files only (`**` descends into directories) and, as in a shell, a name beginning with `.`
/// only where the pattern spells the dot. A pattern that matches no file is an error: a CI
/// gate that checks nothing because a directory was renamed must not pass.
fn expand(
    patterns: &Located<Vec<String>>,
    file: &ProjectConfig,
) -> Result<Vec<PathBuf>, ConfigFileError> {
    let fail = |problem| ConfigFileError {
        file: file.path.clone(),
        line: Some(patterns.line),
        problem: Box::new(problem),
    };
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: true,
    };
    // The directory is taken literally, whatever characters it holds.
    let base = glob::Pattern::escape(&file.base.to_string_lossy());
    let mut seen = HashSet::new();
    let mut files = Vec::new();
    for pattern in &patterns.value {
        let full = if Path::new(pattern).is_absolute() || file.base == Path::new(".") {
            pattern.clone()
        } else {
            format!("{base}/{pattern}")
        };
        let matches = glob::glob_with(&full, options).map_err(|e| {
            fail(Problem::BadGlob {
                pattern: pattern.clone(),
                reason: e.msg,
            })
        })?;
        let mut matched = false;
        for found in matches {
            let path = found.map_err(|e| {
                fail(Problem::GlobUnreadable {
                    pattern: pattern.clone(),
                    path: e.path().to_path_buf(),
                    error: e.error().to_string(),
                })
            })?;
            if path.is_dir() {
                continue;
            }
            matched = true;
            if seen.insert(path.clone()) {
                files.push(path);
            }
        }
        if !matched {
            return Err(fail(Problem::NoMatch {
                pattern: pattern.clone(),
            }));
        }
    }
    Ok(files)
}

/// Two outputs to one destination would leave only the last report written there.
fn refuse_shared_destinations(outputs: &[OutputSpec]) -> Result<(), PlanError> {
    for (i, later) in outputs.iter().enumerate() {
        let shared = outputs[..i]
            .iter()
            .any(|earlier| match (&earlier.path, &later.path) {
                (None, None) => true,
                (Some(a), Some(b)) => same_destination(a, b),
                _ => false,
            });
        if shared {
            return Err(PlanError::SharedDestination {
                asked_by: later.asked_by.clone(),
                destination: later
                    .path
                    .as_ref()
                    .map_or_else(|| "stdout".to_owned(), |p| p.display().to_string()),
            });
        }
    }
    Ok(())
}
