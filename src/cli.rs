//! Command-line flags as the user types them; [`crate::config`] turns them into a validated
//! configuration before any file is read.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::report::FailOn;
pub use crate::report::Format;

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
    #[arg(long, value_name = "N", default_value_t = 1000)]
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
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 30)]
    pub max_dump_bytes: u64,

    /// Read inputs and dumps that are not regular files: pipes (process substitution
    /// `<(...)`, `/dev/stdin`), character devices, sockets. Without it they are refused before
    /// they are opened. A FIFO with no writer reads as empty. A Parquet input read this way is
    /// held in memory, since Parquet is read from its end.
    #[arg(long)]
    pub allow_special_files: bool,

    /// Largest Parquet input held in memory when it is not a regular file (see
    /// --allow-special-files), in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 30)]
    pub max_stream_bytes: u64,

    /// Do not verify page CRC32 checksums.
    #[arg(long)]
    pub no_crc: bool,

    /// Largest page accepted, in bytes; a page header claiming more is an error.
    #[arg(long, value_name = "BYTES", default_value_t = 512 << 20)]
    pub max_page_bytes: usize,

    /// Largest footer accepted, in bytes; a larger one is refused before either decoder
    /// parses it.
    #[arg(long, value_name = "BYTES", default_value_t = 256 << 20)]
    pub max_footer_bytes: u64,

    /// Rows of a column chunk decoded at once, per thread (the raw path rounds up to a page
    /// boundary): memory follows this window, not the row groups' size.
    #[arg(long, value_name = "ROWS", default_value_t = 1 << 20)]
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
