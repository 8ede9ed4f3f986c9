//! The arrow path's setup on any bytes: the footer handed to the parquet crate, the
//! pre-flight screen, then the arrow reader on every chunk the screen lets through — the
//! whole check as `labelcheck diff --all` runs it, without `whole_check`'s gate that keeps out
//! files the raw path cannot read. What this target looks for is a file our limits let
//! through on which the parquet crate allocates beyond them or aborts: it runs with
//! libFuzzer's `-malloc_limit_mb` (scripts/fuzz), so a single allocation larger than that is
//! reported as a crash, standing in for the address-space limit `tests/limits.rs` uses
//! (AddressSanitizer reserves terabytes of shadow memory, so `ulimit -v` cannot be used).
#![no_main]

use std::sync::Arc;

use labelcheck::check::{check_file, CheckOptions, Progress};
use labelcheck::columns::ColumnChoice;
use labelcheck::decode::DecodeOptions;
use labelcheck::report::{FailOn, Report};
use labelcheck::source::{ByteSource, InMemory};
use libfuzzer_sys::fuzz_target;

fn no_progress(_: u64) -> Box<dyn Progress> {
    Box::new(())
}

fuzz_target!(|data: &[u8]| {
    let source: Arc<dyn ByteSource> = Arc::new(InMemory::new("fuzz.parquet", data.to_vec()));
    let options = CheckOptions {
        columns: ColumnChoice::All,
        max_listed: 10,
        // Pages up to 256 MiB pass the screen: below the malloc limit the run is given, so
        // an allocation above it is the parquet crate going past what the screen checked.
        decode: DecodeOptions {
            max_page_bytes: 256 << 20,
            ..DecodeOptions::default()
        },
        window: 1,
        window_rows: 1 << 16,
        against: None,
        old: None,
        timings: false,
    };
    let file = check_file("fuzz.parquet", source, &options, &no_progress);
    let _ = Report::new(vec![file], FailOn::Mismatch, 10).outcome();
});
