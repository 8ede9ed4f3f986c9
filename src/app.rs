//! Runs a parsed command line: the whole program but argument parsing and the exit itself.

use std::io::{self, IsTerminal};

use crate::check::{check_file, CheckOptions};
use crate::cli::{Cli, ColorChoice, Command};
use crate::config::DiffConfig;
use crate::log;
use crate::output::{DestinationIsInput, OpenError, Output};
use crate::progress::progress_bar;
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
    for (name, location) in &config.inputs {
        let options = CheckOptions {
            max_listed: listing.left(),
            ..config.check.clone()
        };
        let mut report = match location.open() {
            Ok(source) => pool.install(|| {
                check_file(name, source, &options, &|total| {
                    progress_bar(show_progress, total)
                })
            }),
            Err(e) => FileReport::failed(name, format!("cannot open: {e}")),
        };
        listing.apply(&mut report);
        report.bound_messages();
        log::problems(&report);
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
