//! The whole check, both paths, on an in-memory file, as `tests/sweeps.rs` runs it. Panics
//! inside the parquet crate's arrow reader are contained by the tool (`arrow_path::contain`)
//! and become that path's failure; any other panic is ours.
#![no_main]

use std::sync::Arc;

use labelcheck::check::{check_file, CheckOptions, Progress};
use labelcheck::columns::ColumnChoice;
use labelcheck::raw::column::DecodeOptions;
use labelcheck::report::{FailOn, Report};
use labelcheck::source::InMemory;
use libfuzzer_sys::fuzz_target;

fn no_progress(_: u64) -> Box<dyn Progress> {
    Box::new(())
}

fuzz_target!(|data: &[u8]| {
    let options = CheckOptions {
        columns: ColumnChoice::All,
        max_listed: 10,
        decode: DecodeOptions::default(),
        window: 1,
        against: None,
        timings: false,
    };
    let source = Arc::new(InMemory::new("fuzz.parquet", data.to_vec()));
    let file = check_file("fuzz.parquet", source, &options, &no_progress);
    let _ = Report::new(vec![file], FailOn::Mismatch).outcome();
});
