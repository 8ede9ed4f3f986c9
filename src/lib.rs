//! labelcheck: audit the label columns of Parquet files by decoding them through two
//! independent decoders — the `parquet` crate's arrow reader ([`arrow_path`]) and our own
//! page decoder ([`raw`]) — and comparing them row by row ([`compare`]), with BLAKE3
//! fingerprints of every column ([`fingerprint`]).

pub mod advisories;
pub mod against;
pub mod app;
pub mod arrow_path;
pub mod canonical;
pub mod cell;
pub mod check;
pub mod claims;
pub mod cli;
pub mod column_type;
pub mod columns;
pub mod compare;
pub mod config;
pub mod decode;
pub mod diagnosis;
pub mod distribution;
pub mod dump;
pub mod echo;
pub mod fingerprint;
pub mod format;
pub mod interrupt;
pub mod keyed;
pub mod keyed_diff;
pub mod lock;
pub mod lock_commands;
pub mod log;
pub mod metadata_witness;
pub mod output;
pub mod preflight;
pub mod progress;
pub mod project;
pub mod project_config;
pub mod quirks;
pub mod raw;
pub mod report;
pub mod source;
pub mod spelling;
pub mod summary;
pub mod timings;
pub mod tool;
pub mod transitions;
pub mod value;
pub mod verification;
pub mod version;
pub mod witness_list;
