//! Runs a parsed command line: the whole program but argument parsing and the exit itself.

use std::io::{self, IsTerminal};

use crate::check::{check_file, CheckOptions};
use crate::cli::{CheckArgs, Cli, ColorChoice, Command};
use crate::config::DiffConfig;
use crate::keyed_diff;
use crate::log;
use crate::output::{DestinationIsInput, OpenError, Output};
use crate::progress::progress_bar;
use crate::project::{self, AskedBy, CheckPlan, PlanError, Step, StepUnavailable};
use crate::report::{self, text, FileReport, ListingCap, Report, WriterOptions};

/// An error that stops the run before a report exists.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The flags do not form a valid run.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The report destination is a file the run reads.
    #[error(transparent)]
    OutputIsInput(#[from] DestinationIsInput),
    /// The report destination cannot be opened or written.
    #[error("{path}: {source}")]
    Output {
        /// The destination.
        path: String,
        /// What failed.
        source: io::Error,
    },
    /// A report the config file asks for would replace a file the run reads.
    #[error(
        "{asked_by}: {} is the same file as {} {}: refusing to write the report over it",
        output_name(source.destination_path()),
        source.role,
        source.input.display()
    )]
    ConfiguredOutputIsInput {
        /// The output's line in the config file.
        asked_by: AskedBy,
        /// The clash.
        source: DestinationIsInput,
    },
    /// `labelcheck check` cannot start: its config file, flags or steps.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A step of `check` this build cannot run.
    #[error(transparent)]
    Step(#[from] StepUnavailable),
    /// The thread pool could not start.
    #[error("cannot start worker threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
    /// `hash` or `verify` stopped before a result.
    #[error(transparent)]
    Lock(#[from] crate::lock_commands::LockCommandError),
}

/// Runs the command and returns the process exit code.
pub fn run(cli: Cli) -> Result<u8, AppError> {
    match cli.command {
        Command::Diff(args) => diff(DiffConfig::from_args(args)?),
        Command::Hash(args) => Ok(crate::lock_commands::hash(args)?),
        Command::Verify(args) => Ok(crate::lock_commands::verify(args)?),
        Command::Check(args) => check(args),
    }
}

fn diff(config: DiffConfig) -> Result<u8, AppError> {
    let output_name = config
        .output
        .as_ref()
        .map_or_else(|| "stdout".to_owned(), |p| p.display().to_string());
    let output_error = |source| AppError::Output {
        path: output_name.clone(),
        source,
    };
    for note in &config.notes {
        log::line(note);
    }
    // Before anything is read or created: the report must not replace an input.
    let mut output =
        Output::open(config.output.as_deref(), &config.read_files()).map_err(|e| match e {
            OpenError::IsInput(e) => AppError::OutputIsInput(e),
            OpenError::Io(e) => output_error(e),
        })?;
    let pool = thread_pool(config.threads)?;
    let show_progress = config.progress && io::stderr().is_terminal();
    let color = use_color(config.color, &output);
    let mut writer = report::writer(
        config.format,
        WriterOptions {
            fail_on: config.fail_on,
            color,
        },
    );
    // A format that streams writes each file as soon as it is checked; once writing fails,
    // the run goes on to its outcome without writing more.
    let mut written = writer.begin(output.writer());
    let files = check_inputs(&config, &pool, show_progress, |report| {
        if written.is_ok() {
            written = writer.file(report, output.writer());
        }
    });
    let report = Report::new(files, config.fail_on, config.check.max_listed);
    let written = written
        .and_then(|()| writer.finish(&report, output.writer()))
        .and_then(|()| output.finish());
    match written {
        Ok(()) => {}
        // A reader that stopped early (`| head`) is not an error of ours: the run's outcome
        // stands. Any other failure to write the report is exit 2.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(output_error(e)),
    }
    Ok(report.outcome() as u8)
}

/// Checks every input of `config` in order, handing each file's report to `each` as soon as
/// it is done (a streaming writer writes it then), and returns them all.
fn check_inputs(
    config: &DiffConfig,
    pool: &rayon::ThreadPool,
    show_progress: bool,
    mut each: impl FnMut(&FileReport),
) -> Vec<FileReport> {
    let mut files: Vec<FileReport> = Vec::with_capacity(config.inputs.len());
    // `--max-listed` bounds the run's list, not each file's: a check collects no more than
    // is left, so memory and the report stay bounded whatever the number of files.
    let mut listing = ListingCap::new(config.check.max_listed);
    // With --key, the one input and its old version are diffed by key: both reports are
    // made at once.
    let mut keyed_reports = match (&config.keyed, &config.check.old, config.inputs.first()) {
        (Some(keyed), Some(old), Some(new)) => pool.install(|| {
            keyed_diff::run(
                new,
                old,
                keyed,
                &config.check,
                pool.current_num_threads(),
                &|total| progress_bar(show_progress, total),
            )
        }),
        _ => Vec::new(),
    }
    .into_iter();
    // With an old version, the file is checked with it as a witness, and then the old
    // version on its own through both decoders, as one more file of the report.
    let by_position = config.keyed.is_none();
    let old_version = config
        .check
        .old
        .as_ref()
        .filter(|_| by_position)
        .map(|old| {
            let options = CheckOptions {
                old: None,
                ..config.check.clone()
            };
            (old.path.clone(), old.location.clone(), options)
        });
    let mut inputs = config
        .inputs
        .iter()
        .filter(|_| by_position)
        .map(|(name, location)| (name.clone(), location.clone(), config.check.clone()))
        .chain(old_version);
    loop {
        let mut report = if let Some(report) = keyed_reports.next() {
            report
        } else if let Some((name, location, check)) = inputs.next() {
            let options = CheckOptions {
                max_listed: listing.left(),
                ..check
            };
            match location.open() {
                Ok(source) => pool.install(|| {
                    check_file(&name, source, &options, &|total| {
                        progress_bar(show_progress, total)
                    })
                }),
                Err(e) => FileReport::failed(&name, format!("cannot open: {e}")),
            }
        } else {
            break;
        };
        listing.apply(&mut report);
        report.bound_messages();
        log::problems(&report);
        if config.timings {
            // Timings are a log of how the run went, so they go where the logs go.
            let _ = text::write_timings(&report, &mut io::stderr().lock());
        }
        each(&report);
        files.push(report);
    }
    files
}

/// `labelcheck check`: the plan made and every output opened before any file is read, the
/// steps run, then the one report written to each output.
fn check(args: CheckArgs) -> Result<u8, AppError> {
    let cwd = std::env::current_dir().map_err(|e| PlanError::WorkingDirectory(e.to_string()))?;
    let plan = CheckPlan::new(args, &cwd)?;
    if let Some(path) = plan.config_file.as_ref().filter(|p| p.starts_with("..")) {
        // Found above the working directory: say which file steers the run.
        log::line(format_args!("using {}", path.display()));
    }
    for note in &plan.diff.notes {
        log::line(note);
    }
    // Before anything is read or created: no report may replace an input, and a path that
    // cannot be written fails now, not after the work.
    let reads = plan.read_files();
    let mut outputs = Vec::with_capacity(plan.outputs.len());
    for spec in &plan.outputs {
        let output = Output::open(spec.path.as_deref(), &reads).map_err(|e| match e {
            // A report the config file asked for is named by its line there.
            OpenError::IsInput(source) if matches!(spec.asked_by, AskedBy::File { .. }) => {
                AppError::ConfiguredOutputIsInput {
                    asked_by: spec.asked_by.clone(),
                    source,
                }
            }
            OpenError::IsInput(e) => AppError::OutputIsInput(e),
            OpenError::Io(source) => AppError::Output {
                path: output_name(spec.path.as_deref()),
                source,
            },
        })?;
        outputs.push((spec, output));
    }
    // A lock is read before any Parquet file, and the check hashes as it goes, so the files
    // are read once for both.
    let mut diff = plan.diff.clone();
    let mut lock = None;
    for step in &plan.steps {
        if let Step::Verify(step) = step {
            let locked = project::read_lock(step)?;
            project::hash_for(&mut diff, &locked);
            lock = Some((step, locked));
        }
    }
    let pool = thread_pool(diff.threads)?;
    let show_progress = diff.progress && io::stderr().is_terminal();
    let mut files = Vec::new();
    for step in &plan.steps {
        match step {
            // The old version and the key are in `diff` itself (`diff --against OLD.parquet`).
            Step::Diff | Step::VersionDiff(_) => {
                files.extend(check_inputs(&diff, &pool, show_progress, |_| {}))
            }
            Step::Verify(_) => {}
        }
    }
    let verification = match &lock {
        Some((step, locked)) => project::verify(step, locked, &files)?,
        None => None,
    };
    let mut report = Report::new(files, diff.fail_on, diff.check.max_listed);
    if let Some(verification) = verification {
        report = report.with_lock(verification);
    }
    // Every output is written even when one fails; the first failure is the run's error.
    let mut first_error = None;
    for (spec, mut output) in outputs {
        let mut writer = report::writer(
            spec.format,
            WriterOptions {
                fail_on: plan.diff.fail_on,
                color: use_color(plan.diff.color, &output),
            },
        );
        let written =
            report::write(&report, writer.as_mut(), output.writer()).and_then(|()| output.finish());
        match written {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
            Err(source) => {
                let error = AppError::Output {
                    path: output_name(spec.path.as_deref()),
                    source,
                };
                log::line(&error);
                first_error.get_or_insert(error);
            }
        }
    }
    match first_error {
        Some(error) => Err(error),
        None => Ok(report.outcome() as u8),
    }
}

fn output_name(path: Option<&std::path::Path>) -> String {
    path.map_or_else(|| "stdout".to_owned(), |p| p.display().to_string())
}

fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, AppError> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = threads {
        pool = pool.num_threads(threads);
    }
    Ok(pool.build()?)
}

fn use_color(choice: ColorChoice, output: &Output) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            output.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}
