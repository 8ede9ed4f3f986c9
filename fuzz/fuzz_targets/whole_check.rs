//! The whole check, both paths, on an in-memory file, as `tests/sweeps.rs` runs it: the
//! comparison, fingerprints, metadata witness, diagnosis and report on top of the decoders.
//! Panics inside the parquet crate's arrow reader are contained by the tool
//! (`arrow_path::contain`) and become that path's failure; any other panic is ours.
//!
//! Only files the raw path reads without a failure get the whole check. The parquet crate's
//! Thrift reader takes booleans inside lists and maps as zero bytes when it skips unknown
//! fields, so a page header with a list of 2^31 of them loops 2^31 times without reading input
//! (seconds each, and every such list of six bytes adds as much; docs/RELIABILITY.md,
//! "Fuzzing"). No containment helps with that, and it stopped the first run of this target as
//! a timeout. The raw path refuses such headers (a collection must fit in the bytes left), so
//! the gate keeps them out while leaving every file both paths can read, and every file only
//! the arrow path fails on. (A header the raw path accepts could still put the parquet crate's
//! reader out of step, a byte per boolean, onto such a list; no run has met one.)
#![no_main]

use std::sync::Arc;

use labelcheck::check::{check_file, CheckOptions, Progress};
use labelcheck::columns::ColumnChoice;
use labelcheck::decode::{ColumnDecoder, DecodeError};
use labelcheck::decode::DecodeOptions;
use labelcheck::raw::RawFile;
use labelcheck::report::{FailOn, Report};
use labelcheck::source::{ByteSource, InMemory};
use libfuzzer_sys::fuzz_target;

fn no_progress(_: u64) -> Box<dyn Progress> {
    Box::new(())
}

/// Whether the raw path opens the file and decodes every chunk, or calls it unsupported.
fn raw_path_reads(source: &Arc<dyn ByteSource>) -> bool {
    let Ok(file) = RawFile::open(source.clone(), DecodeOptions::default()) else {
        return false;
    };
    let leaves = file.leaves().len();
    (0..file.metadata().row_groups.len()).all(|row_group| {
        (0..leaves).all(|leaf| {
            !matches!(
                file.decode(row_group, leaf),
                Err(DecodeError::Failed(_) | DecodeError::Malformed(_))
            )
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let source: Arc<dyn ByteSource> = Arc::new(InMemory::new("fuzz.parquet", data.to_vec()));
    if !raw_path_reads(&source) {
        return;
    }
    let options = CheckOptions {
        columns: ColumnChoice::All,
        max_listed: 10,
        decode: DecodeOptions::default(),
        window: 1,
        window_rows: 1 << 20,
        against: None,
        old: None,
        timings: false,
    };
    let file = check_file("fuzz.parquet", source, &options, &no_progress);
    let _ = Report::new(vec![file], FailOn::Mismatch, 10).outcome();
});
