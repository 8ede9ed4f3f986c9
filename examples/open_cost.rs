//! What opening a file costs each path: the footer parse and everything built from it,
//! in seconds and growth of resident memory. For docs/PERFORMANCE.md ("Linear work"), to
//! tell the raw footer's share from the parquet crate's.
//!
//!     cargo run --release --example open_cost -- FILE raw|arrow

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use labelcheck::arrow_path::ArrowFile;
use labelcheck::decode::DecodeOptions;
use labelcheck::raw::RawFile;
use labelcheck::source::{ByteSource, LocalFile};

/// Resident memory of this process in MiB (Linux: /proc/self/statm, in pages of 4 KiB).
fn resident_mib() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0 / f64::from(1 << 20)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, which] = args.as_slice() else {
        eprintln!("usage: open_cost FILE raw|arrow");
        std::process::exit(2);
    };
    let source: Arc<dyn ByteSource> =
        Arc::new(LocalFile::open(Path::new(path)).expect("open the file"));
    let before = resident_mib();
    let started = Instant::now();
    // Each file is kept open until its cost is read: dropping it would return the memory.
    let report = |row_groups: usize| {
        println!(
            "{which} open: {:.3} s, resident +{:.0} MiB, {row_groups} row groups",
            started.elapsed().as_secs_f64(),
            resident_mib() - before
        )
    };
    match which.as_str() {
        "raw" => {
            let raw = RawFile::open(source, DecodeOptions::default()).expect("raw footer");
            report(raw.metadata().row_groups.len());
        }
        "arrow" => {
            let arrow = ArrowFile::open(source).expect("arrow footer");
            report(arrow.num_row_groups());
        }
        other => {
            eprintln!("open_cost: unknown path {other:?}");
            std::process::exit(2);
        }
    }
}
