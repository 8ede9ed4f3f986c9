//! Checking one file: a pipeline of stages, one file each, to be read in this order.
//!
//! 1. `open.rs`: the file through both decoders, the footer's facts, the column selection, the
//!    dump; [`check_file`] then assembles the witness list.
//! 2. `plan.rs`: the tasks — one per (row group, column), a window of row groups at a time so
//!    memory stays bounded — and the byte ranges each needs ([`TaskPlan`]), fetched once
//!    for all of its readers; the tasks run in parallel and merge per column in row order.
//! 3. `read.rs`: per task, each witness's chunk opened for decoding a window of rows at a time,
//!    behind the pre-flight screen (`screen.rs`) for the decoders it guards; the leader decodes
//!    the next window while the others decode the current one.
//! 4. `chunk.rs`: per window, the stages in turn: the canonical form, the witness checks on the
//!    leader's pages (`pages.rs`), the comparison ([`crate::compare`]), the fingerprints
//!    (`fingerprint.rs`); each result kind observes the window (`results.rs`).
//! 5. `verdict.rs`: per column, what the results and each witness's standing add up to, and the
//!    file's report.
//!
//! The witness list ([`Witness`]) is the only place that names the witnesses: inside, a
//! witness is its index in the list, and names appear at the report's edge.

mod chunk;
mod fingerprint;
mod open;
mod pages;
mod plan;
mod read;
mod results;
mod screen;
mod verdict;

pub use open::FileFacts;
pub use plan::{check_with, FilePlan, TaskPlan, MAX_FETCHED_AHEAD};

use std::sync::Arc;
use std::time::Instant;

use crate::against::AgainstOptions;
use crate::columns::{CheckedColumn, ColumnChoice};
use crate::decode::{ColumnDecoder, DecodeOptions, Unopened};
use crate::preflight::Screen;
use crate::report::{FileReport, Selection};
use crate::source::{ByteSource, ReadMeter};
use crate::timings::FileTimes;
use crate::version::VersionOptions;
use crate::witness_list::{DumpOrigin, WitnessName, WitnessRole};

/// Checks one file read from `source`; `path` names it in the report.
pub fn check_file(
    path: &str,
    source: Arc<dyn ByteSource>,
    options: &CheckOptions,
    progress: &dyn Fn(u64) -> Box<dyn Progress>,
) -> FileReport {
    let started = Instant::now();
    let opened = match open::open(path, source, options) {
        Ok(opened) => opened,
        Err(stopped) => return *stopped,
    };
    let open_seconds = started.elapsed().as_secs_f64();
    let facts = &opened.facts;
    let progress = progress(facts.row_group_rows.iter().sum::<u64>() * opened.columns.len() as u64);
    // A decoder that could not open the file stays in the list, failing every column with
    // its reason, so that each is reported as checked by the others.
    let unopened;
    let arrow: &dyn ColumnDecoder = match &opened.arrow {
        Ok(arrow) => arrow,
        Err(error) => {
            unopened = Unopened {
                reason: error.to_string(),
            };
            &unopened
        }
    };
    let mut witnesses = vec![Witness::arrow(arrow), Witness::raw(&opened.raw)];
    if let (Some(dump), Some(against)) = (&opened.dump, &options.against) {
        witnesses.push(Witness::dump(dump, against.origin));
    }
    let mut version_findings = Vec::new();
    let realigned = opened
        .old
        .as_ref()
        .zip(options.old.as_ref())
        .map(|(old, given)| {
            let (realigned, findings) =
                old.realigned(&opened.columns, &facts.row_group_rows, &given.path);
            version_findings = findings;
            realigned
        });
    if let Some(realigned) = &realigned {
        witnesses.push(Witness::version(realigned));
    }
    let screen = Screen::new(&opened.raw, options.decode.max_page_bytes);
    let plan = FilePlan::new(&opened.raw, opened.chunks.clone());
    let file = FileToCheck {
        path,
        facts,
        columns: &opened.columns,
        selection: opened.selection,
        witnesses: &witnesses,
        screen: Some(&screen),
        plan: Some(&plan),
    };
    let mut report = check_with(&file, options, progress.as_ref());
    report
        .findings
        .splice(0..0, opened.findings.into_iter().chain(version_findings));
    crate::report::cap_repeated_findings(&mut report.findings);
    if options.timings {
        report.timings = Some(FileTimes {
            open: open_seconds,
            check: started.elapsed().as_secs_f64() - open_seconds,
            reads: opened.reads.counts(),
            dump_reads: opened.dump_reads.as_ref().map(ReadMeter::counts),
        });
    }
    report
}

/// What to check and how.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Which columns.
    pub columns: ColumnChoice,
    /// Most mismatches listed for the file (all are counted): what is left of the run's
    /// `--max-listed` ([`crate::report::ListingCap`]).
    pub max_listed: usize,
    /// Raw decoder options.
    pub decode: DecodeOptions,
    /// Row groups checked at once, each column chunk of them a task.
    pub window: usize,
    /// Rows of a column chunk decoded at once (the raw path rounds up to a page boundary):
    /// with the number of threads, this bounds memory whatever the row groups' size.
    pub window_rows: usize,
    /// A label dump to compare with, as a third witness.
    pub against: Option<AgainstOptions>,
    /// The old version of the file to compare with, row by row by position
    /// (`--against OLD.parquet`).
    pub old: Option<VersionOptions>,
    /// Put the seconds spent per stage and phase in the report.
    pub timings: bool,
}

/// Reports progress as rows are checked.
pub trait Progress: Sync {
    /// `rows` more rows of one column were checked.
    fn advance(&self, rows: u64);
}

impl Progress for () {
    fn advance(&self, _: u64) {}
}

/// One entry of the witness list: who it is, what role it plays, and what gives its rows.
#[derive(Clone)]
pub struct Witness<'a> {
    /// How reports key its results.
    pub name: WitnessName,
    /// What the check asks of it and what its disagreement means.
    pub role: WitnessRole,
    /// What decodes its rows. (A witness that gives block digests and no rows, a lock file,
    /// will be a second kind of source here, seen by the fingerprints alone.)
    pub decoder: &'a dyn ColumnDecoder,
}

impl<'a> Witness<'a> {
    /// The arrow reader (path A): a decoder the pre-flight screen guards.
    pub fn arrow(decoder: &'a dyn ColumnDecoder) -> Self {
        Self::decoder(WitnessName::ARROW, decoder, true)
    }

    /// The raw decoder (path B), which leads the windows.
    pub fn raw(decoder: &'a dyn ColumnDecoder) -> Self {
        Self {
            name: WitnessName::RAW,
            role: WitnessRole::Leader,
            decoder,
        }
    }

    /// Another decoder of the file named `name`, guarded by the screen when `screened`.
    pub fn decoder(name: WitnessName, decoder: &'a dyn ColumnDecoder, screened: bool) -> Self {
        Self {
            name,
            role: WitnessRole::Decoder { screened },
            decoder,
        }
    }

    /// The old version of the file (`--against OLD.parquet`), its rows realigned to this
    /// file's row groups.
    pub fn version(decoder: &'a dyn ColumnDecoder) -> Self {
        Self {
            name: WitnessName::OLD,
            role: WitnessRole::Version,
            decoder,
        }
    }

    /// The `--against` dump, which is `origin`.
    pub fn dump(decoder: &'a dyn ColumnDecoder, origin: DumpOrigin) -> Self {
        Self {
            name: WitnessName::AGAINST,
            role: WitnessRole::Dump(origin),
            decoder,
        }
    }
}

/// A file ready to be checked: what the open stage hands the rest of the pipeline.
pub struct FileToCheck<'a> {
    /// The file's name in the report.
    pub path: &'a str,
    /// The footer's facts.
    pub facts: &'a FileFacts,
    /// The columns to check.
    pub columns: &'a [CheckedColumn],
    /// How they were chosen.
    pub selection: Selection,
    /// Who checks them; exactly one witness leads.
    pub witnesses: &'a [Witness<'a>],
    /// The pre-flight screen for the decoders it guards, if the file has one.
    pub screen: Option<&'a Screen<'a>>,
    /// The byte ranges of the tasks, fetched ahead for all their readers; without one, each
    /// reader fetches what it reads.
    pub plan: Option<&'a FilePlan<'a>>,
}

impl FileToCheck<'_> {
    /// The index of the leading witness.
    fn leader(&self) -> usize {
        let mut leaders = self
            .witnesses
            .iter()
            .enumerate()
            .filter(|(_, w)| w.role == WitnessRole::Leader)
            .map(|(i, _)| i);
        let leader = leaders.next().expect("a witness leads");
        assert!(leaders.next().is_none(), "one witness leads");
        leader
    }
}
