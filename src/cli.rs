//! Command-line flags as the user types them; [`crate::config`] turns them into a validated
//! configuration before any file is read.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::report::FailOn;
pub use crate::report::Format;

/// `--max-listed`'s default, shared by `diff`, `check` and labelcheck.toml.
pub const DEFAULT_MAX_LISTED: usize = 1000;
/// `--max-dump-bytes`'s default.
pub const DEFAULT_MAX_DUMP_BYTES: u64 = 1 << 30;
/// `--max-stream-bytes`'s default.
pub const DEFAULT_MAX_STREAM_BYTES: u64 = 1 << 30;
/// `--max-page-bytes`'s default.
pub const DEFAULT_MAX_PAGE_BYTES: usize = 512 << 20;
/// `--max-footer-bytes`'s default.
pub const DEFAULT_MAX_FOOTER_BYTES: u64 = 256 << 20;
/// `--window-rows`'s default.
pub const DEFAULT_WINDOW_ROWS: usize = 1 << 20;
/// `--max-memory`'s default: the keyed diff's join within 1 GiB.
pub const DEFAULT_MAX_MEMORY: u64 = 1 << 30;

/// Audit the label columns of Parquet files by decoding them through two independent decoders.
///
/// labelcheck reads each label column twice — through the `parquet` crate's arrow reader and
/// through its own page decoder, which shares no decoding code with it — and reports every row
/// where the two disagree, with BLAKE3 fingerprints of each column.
#[derive(Debug, Parser)]
#[command(name = "labelcheck", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode label columns through both decoders and report every row where they differ.
    ///
    /// Exit status: 0 when every checked column agrees; 1 when a row mismatches or one decoder
    /// failed where the other decoded; 2 on a usage error, a file neither decoder can read, or
    /// a column a decoder does not support yet.
    Diff(DiffArgs),

    /// Record the label columns of Parquet files in a lock: per file and column the
    /// fingerprint and its block digests, the distribution of the values, and with --key a
    /// keyed fingerprint that survives shuffling and re-partitioning (docs/LOCK.md).
    ///
    /// Both decoders read every column, and only labels they agree on are locked: a mismatch
    /// or a column one decoder could not read writes no lock. Exit status: 0 when the lock was
    /// written; 1 when the decoders disagree; 2 on a usage error or a file or column that
    /// cannot be read.
    Hash(HashArgs),

    /// Check files against a lock: report columns whose values changed (as 65,536-row blocks,
    /// or key buckets for a keyed lock), row counts and distributions that moved.
    ///
    /// Exit status: 0 when the labels are as locked (or changed only as allowed); 1 when a
    /// value changed (without --allow-changes), a distribution drifted beyond --max-drift, or
    /// the decoders disagree on the files' labels; 2 on a usage error, an unreadable lock or
    /// file.
    Verify(VerifyArgs),

    /// Run the project's checks as labelcheck.toml describes them: a CI step or a
    /// pre-commit hook in one command.
    ///
    /// The config file is `--config PATH`, or `labelcheck.toml` in the working directory or
    /// the nearest directory above it (not above the repository's root); paths in it are
    /// relative to its directory. A flag given here overrides the file's key of the same name;
    /// FILE arguments replace its `files`. Every key is checked before any file is read
    /// (docs/CONFIG.md). Exit status as for `diff`.
    Check(CheckArgs),
}

/// How files are read: the limits and switches `hash` and `verify` share with `diff`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReadArgs {
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,

    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Read inputs that are not regular files (see `diff --help`).
    #[arg(long)]
    pub allow_special_files: bool,

    /// Largest Parquet input held in memory when it is not a regular file, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 30)]
    pub max_stream_bytes: u64,

    /// Do not verify page CRC32 checksums.
    #[arg(long)]
    pub no_crc: bool,

    /// Largest page accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 512 << 20)]
    pub max_page_bytes: usize,

    /// Largest footer accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 256 << 20)]
    pub max_footer_bytes: u64,

    /// Rows of a column chunk decoded at once, per thread.
    #[arg(long, value_name = "ROWS", default_value_t = 1 << 20)]
    pub window_rows: usize,
}

/// Flags of `labelcheck hash`.
#[derive(Debug, clap::Args)]
pub struct HashArgs {
    /// Parquet files to lock.
    #[arg(
        value_name = "FILE",
        required_unless_present = "csv",
        conflicts_with = "csv"
    )]
    pub files: Vec<PathBuf>,

    /// Columns to lock, as `diff --columns` takes them. Default: the label-like columns
    /// (with --csv: the CSV's columns).
    #[arg(long, value_name = "A,B", conflicts_with = "all")]
    pub columns: Vec<String>,

    /// Lock every leaf column.
    #[arg(long)]
    pub all: bool,

    /// Key columns, comma-separated: each label column also gets a keyed fingerprint of its
    /// (key, label) pairs, the same whatever the rows' order and however they are split into
    /// files. Keys are checked by both decoders too, but not locked as labels.
    #[arg(long, value_name = "COL,COL")]
    pub key: Option<String>,

    /// Write the lock to PATH instead of stdout (replaced atomically; never an input).
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Lock the labels of SOURCE.csv instead of a Parquet file: the values handed to a
    /// writer, typed by --like's schema and parsed as `diff --against` parses a dump, so that
    /// the lock of the file written from them is the same when it holds them.
    #[arg(long, value_name = "SOURCE.csv", requires = "like")]
    pub csv: Option<PathBuf>,

    /// The Parquet file whose schema types the --csv values (only its footer is read).
    #[arg(long, value_name = "FILE.parquet", requires = "csv")]
    pub like: Option<PathBuf>,

    /// With --csv: an unquoted field equal to TOKEN is null too (e.g. `NULL`).
    #[arg(long, value_name = "TOKEN", requires = "csv")]
    pub null_token: Option<String>,

    /// With --csv: the largest CSV read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 30)]
    pub max_dump_bytes: u64,

    /// How files are read.
    #[command(flatten)]
    pub read: ReadArgs,
}

/// Flags of `labelcheck verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The lock to check against.
    #[arg(value_name = "LOCK")]
    pub lock: PathBuf,

    /// Files to check, in place of the lock's (one for one, in order; for a keyed lock, any
    /// number: the dataset is compared as a whole). Default: the files the lock names,
    /// relative to its directory.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Largest distribution drift accepted (total variation distance, 0 to 1; docs/LOCK.md,
    /// "Drift"); a column that drifts further fails. Without it, drift is reported only.
    #[arg(long, value_name = "X")]
    pub max_drift: Option<f64>,

    /// Report value changes without failing on them (drift still fails beyond --max-drift).
    #[arg(long)]
    pub allow_changes: bool,

    /// Report format.
    #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
    pub format: VerifyFormat,

    /// Write the report to PATH instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// How files are read.
    #[command(flatten)]
    pub read: ReadArgs,
}

/// Formats of `verify`'s report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    /// A line per column that changed or drifted, then the outcome.
    Text,
    /// The verification as JSON (docs/lock.schema.json, `$defs.verification`).
    Json,
}

/// Flags of `labelcheck diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// Parquet files to check.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Columns to check, comma-separated, as reports spell them: dotted paths for struct
    /// fields, a list's top-level name for a list, a nested leaf's Parquet path
    /// (`objects.list.element.category`) or its short form without the list/element/key_value
    /// levels (`objects.category`; refused if it fits several leaves), a group's path for all
    /// its leaves, a segment holding `.`, `"`, `#` or `,` in double quotes (`"a.b"`,
    /// `"say ""hi"""`), `#N` for the Nth of several columns spelled alike; a plain dotted name
    /// that fits one column works too. A comma inside quotes does not split the list. Default: columns whose names look like labels (label, target, y,
    /// class, gt, ground_truth, *_label, *_target, label_*, target_*, …), or all columns when none do.
    #[arg(long, value_name = "A,B", conflicts_with = "all")]
    pub columns: Vec<String>,

    /// Check every leaf column.
    #[arg(long)]
    pub all: bool,

    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Most mismatches listed in the whole report, over all files: the first N in file
    /// order, then row order. Every count stays exact, and a file whose list was cut says so
    /// (`mismatches_truncated`).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_LISTED)]
    pub max_listed: usize,

    /// Write the report to PATH instead of stdout (a regular file is replaced atomically).
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,

    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Compare with DUMP.csv too, a dump of unstated origin: the labels as another reader or
    /// the source data gave them (a header with an optional `row` column and one column per
    /// label column; an empty unquoted field is null). Without --columns, the dump's columns
    /// are checked. Where both decoders agree and the dump differs, the diagnosis names both
    /// the writer and the dump's reader; --against-source or --against-export says which.
    ///
    /// A Parquet file here (told by its first bytes, not its name) is the old version of FILE:
    /// both are checked through both decoders, and FILE's rows are compared with the old
    /// version's by position; a row that differs is `changed` (exit 1), and a label column
    /// with at most 20 classes gets its transition matrix (`0→1: 27`).
    #[arg(long, value_name = "DUMP.csv|OLD.parquet", group = "dump")]
    pub against: Option<PathBuf>,

    /// Like --against, for a dump of the labels as they were handed to the writer: where both
    /// decoders agree and the dump differs, the writer (or the pipeline before it) is blamed.
    #[arg(long, value_name = "DUMP.csv", group = "dump")]
    pub against_source: Option<PathBuf>,

    /// Like --against, for a dump another reader exported from this Parquet file: where both
    /// decoders agree and the dump differs, the reader that made the export is blamed.
    #[arg(long, value_name = "DUMP.csv", group = "dump")]
    pub against_export: Option<PathBuf>,

    /// With --against OLD.parquet: match rows of FILE and OLD by these key columns
    /// (comma-separated, spelled as for --columns) instead of by position. Rows only in FILE
    /// are `added`, only in OLD `removed`, with other labels `changed`; a key found twice in
    /// either file is an error. Rows are partitioned by key into spill files in a temporary
    /// directory, so files larger than memory are compared within --max-memory.
    #[arg(long, value_name = "COL[,COL]", requires = "against")]
    pub key: Vec<String>,

    /// Most memory the keyed diff (--key) holds for joining rows, in bytes (suffixes K, M, G
    /// for KiB, MiB, GiB): partitions are sized so that those joined at once fit in it.
    /// Decoding windows (--window-rows) come on top; docs/KEYED-DIFF.md states the whole bound.
    #[arg(long, value_name = "BYTES", default_value = "1G", value_parser = parse_bytes, requires = "key")]
    pub max_memory: u64,

    /// An unquoted dump field equal to TOKEN is null too (e.g. `NULL` or `\N`).
    #[arg(long, value_name = "TOKEN", requires = "dump")]
    pub null_token: Option<String>,

    /// Largest dump read, in bytes; a longer dump is not compared. Fields are capped at 1 MiB
    /// and records at 65,536 fields.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_DUMP_BYTES)]
    pub max_dump_bytes: u64,

    /// Read inputs and dumps that are not regular files: pipes (process substitution
    /// `<(...)`, `/dev/stdin`), character devices, sockets. Without it they are refused before
    /// they are opened. A FIFO with no writer reads as empty. A Parquet input read this way is
    /// held in memory, since Parquet is read from its end.
    #[arg(long)]
    pub allow_special_files: bool,

    /// Largest Parquet input held in memory when it is not a regular file (see
    /// --allow-special-files), in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_STREAM_BYTES)]
    pub max_stream_bytes: u64,

    /// Do not verify page CRC32 checksums.
    #[arg(long)]
    pub no_crc: bool,

    /// Largest page accepted, in bytes; a page header claiming more is an error.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_PAGE_BYTES)]
    pub max_page_bytes: usize,

    /// Largest footer accepted, in bytes; a larger one is refused before either decoder
    /// parses it.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_FOOTER_BYTES)]
    pub max_footer_bytes: u64,

    /// Rows of a column chunk decoded at once, per thread (the raw path rounds up to a page
    /// boundary): memory follows this window, not the row groups' size.
    #[arg(long, value_name = "ROWS", default_value_t = DEFAULT_WINDOW_ROWS)]
    pub window_rows: usize,

    /// What fails the run (exit 1): mismatches and failing findings (page checksums that do
    /// not match, an unusable dump); also every warning finding (statistics, page layout,
    /// advisories); or nothing. A `quirk` note (a writer habit worked around) never fails the
    /// run, and a column checked by one decoder only makes it exit 2 whatever this says.
    #[arg(long, value_enum, default_value_t = FailOn::Mismatch, value_name = "WHAT")]
    pub fail_on: FailOn,

    /// Report the seconds spent per file stage and, per column, in each phase (arrow path,
    /// raw path, dump, comparison, fingerprints, metadata checks): a table on stderr, and
    /// `timings` fields in the JSON report.
    #[arg(long)]
    pub timings: bool,

    /// When to colour the text report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// Flags of `labelcheck check`: each overrides the config file's key of the same name
/// (`--max-listed` over `max_listed`), so none has a default of its own here — the defaults
/// are the config's (docs/CONFIG.md), which are `diff`'s.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The config file [default: labelcheck.toml in the working directory or above].
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Parquet files to check instead of the config's `files` (as a pre-commit hook passes
    /// the staged files); read as given, not as globs.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Columns to check, comma-separated, as `diff --columns` reads them; overrides both
    /// `columns` and `all`.
    #[arg(long, value_name = "A,B", conflicts_with = "all")]
    pub columns: Vec<String>,

    /// Check every leaf column; overrides `columns`.
    #[arg(long)]
    pub all: bool,

    /// One report in this format instead of the config's `outputs`: to stdout, or to `-o`.
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Write that one report to PATH (format: `--format`, else text) instead of the
    /// config's `outputs`.
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Most mismatches listed in the whole report (as `diff --max-listed`).
    #[arg(long, value_name = "N")]
    pub max_listed: Option<usize>,

    /// What fails the run (as `diff --fail-on`).
    #[arg(long, value_enum, value_name = "WHAT")]
    pub fail_on: Option<FailOn>,

    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Rows of a column chunk decoded at once, per thread (as `diff --window-rows`).
    #[arg(long, value_name = "ROWS")]
    pub window_rows: Option<usize>,

    /// Largest page accepted, in bytes (as `diff --max-page-bytes`).
    #[arg(long, value_name = "BYTES")]
    pub max_page_bytes: Option<usize>,

    /// Largest footer accepted, in bytes (as `diff --max-footer-bytes`).
    #[arg(long, value_name = "BYTES")]
    pub max_footer_bytes: Option<u64>,

    /// Largest Parquet input held in memory when it is not a regular file.
    #[arg(long, value_name = "BYTES")]
    pub max_stream_bytes: Option<u64>,

    /// Read inputs that are not regular files (as `diff --allow-special-files`).
    #[arg(long)]
    pub allow_special_files: bool,

    /// Do not verify page CRC32 checksums.
    #[arg(long)]
    pub no_crc: bool,

    /// Report where the time went, on stderr (as `diff --timings`).
    #[arg(long)]
    pub timings: bool,

    /// The old version of the (one) file to compare with, by position or by `--key`.
    #[arg(long, value_name = "OLD.parquet")]
    pub against: Option<PathBuf>,

    /// Key columns matching the rows of `--against`, comma-separated.
    #[arg(long, value_name = "COL,COL")]
    pub key: Vec<String>,

    /// A lock (`labelcheck hash -o labels.lock`) the files must still match.
    #[arg(long, value_name = "LOCK")]
    pub lock: Option<PathBuf>,

    /// With a lock: the largest distribution drift tolerated (total variation distance, 0–1).
    #[arg(long, value_name = "X")]
    pub max_drift: Option<f64>,

    /// With a lock: changed values do not fail the run (drift beyond --max-drift still does).
    #[arg(long)]
    pub allow_changes: bool,

    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,

    /// When to colour a text report on a terminal.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// A byte count with an optional binary suffix: `512`, `64K`, `256M`, `2G`.
fn parse_bytes(text: &str) -> Result<u64, String> {
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, ""),
    };
    let shift = match unit {
        "" | "B" => 0,
        "K" | "KiB" => 10,
        "M" | "MiB" => 20,
        "G" | "GiB" => 30,
        _ => {
            return Err(format!(
                "{text:?} is not a byte count (e.g. 512, 64K, 256M, 2G)"
            ))
        }
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .ok_or_else(|| format!("{text:?} is not a byte count (e.g. 512, 64K, 256M, 2G)"))
}
