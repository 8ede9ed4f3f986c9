//! Runs a parsed command line: the whole program but argument parsing and the exit itself.

use std::io::{self, IsTerminal};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::check::{check_file, CheckOptions, Progress};
use crate::cli::{Cli, ColorChoice, Command};
use crate::config::DiffConfig;
use crate::keyed_diff;
use crate::log;
use crate::output::{DestinationIsInput, OpenError, Output};
use crate::report::{
    self, text, ColumnStatus, FileReport, FindingKind, ListingCap, Report, WriterOptions,
};

/// Work (rows × columns) below which no progress bar is drawn: it would only flicker.
const PROGRESS_MIN_WORK: u64 = 2_000_000;

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
    /// The thread pool could not start.
    #[error("cannot start worker threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
}

/// Runs the command and returns the process exit code.
pub fn run(cli: Cli) -> Result<u8, AppError> {
    match cli.command {
        Command::Diff(args) => diff(DiffConfig::from_args(args)?),
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
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = config.threads {
        pool = pool.num_threads(threads);
    }
    let pool = pool.build()?;
    let show_progress = config.progress && io::stderr().is_terminal();

    let color = match config.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            output.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
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
        log_problems(&report);
        if config.timings {
            // Timings are a log of how the run went, so they go where the logs go.
            let _ = text::write_timings(&report, &mut io::stderr().lock());
        }
        if written.is_ok() {
            written = writer.file(&report, output.writer());
        }
        files.push(report);
    }
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

/// One line on stderr for every file or column that could not be checked, so the reason
/// reaches a user who only sees the exit code and the log.
fn log_problems(report: &FileReport) {
    if let Some(error) = &report.error {
        log::line(format_args!("{}: {error}", report.path));
    }
    // A decoder that could not open the file is said once, by the file's finding below.
    let unopened = report
        .findings
        .iter()
        .any(|f| f.kind == FindingKind::PathFailure && f.column.is_none());
    for column in &report.columns {
        if unopened && column.status == ColumnStatus::PathFailed {
            continue;
        }
        if let (
            Some(error),
            ColumnStatus::Unsupported
            | ColumnStatus::Unreadable
            | ColumnStatus::PathFailed
            | ColumnStatus::Partial,
        ) = (&column.error, column.status)
        {
            log::line(format_args!(
                "{}: column {:?}: {error}",
                report.path, column.column
            ));
        }
    }
    for finding in report.findings.iter().filter(|f| f.column.is_none()) {
        log::line(format_args!("{}: {}", report.path, finding.message));
    }
}

struct Bar(ProgressBar);

impl Progress for Bar {
    fn advance(&self, rows: u64) {
        self.0.inc(rows);
    }
}

fn progress_bar(show: bool, total: u64) -> Box<dyn Progress> {
    if !show || total < PROGRESS_MIN_WORK {
        return Box::new(());
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} values ({eta})",
        )
        .expect("the template is valid"),
    );
    Box::new(Bar(bar))
}
