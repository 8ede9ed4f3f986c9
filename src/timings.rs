//! Where a check spends its time, per column and phase, and what it read, for `--timings`:
//! enough to trace a slowdown to the phase (or the reads) that caused it without a profiler.

use std::ops::AddAssign;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::source::ReadCounts;

/// Seconds one column spent in each phase, summed over its row groups. Row groups run in
/// parallel, so these are thread-seconds: their sum can exceed the wall time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PhaseTimes {
    /// Decoding through the arrow reader (path A), including its conversion to our values.
    pub arrow: f64,
    /// Decoding through the raw decoder (path B): reading, decompressing, decoding pages.
    pub raw: f64,
    /// Parsing the `--against` dump's values for the column.
    pub against: f64,
    /// Comparing the paths row by row.
    pub compare: f64,
    /// Hashing the fingerprints of every path.
    pub fingerprint: f64,
    /// Checking the metadata's claims (statistics, page index, bloom filters) and pages.
    pub metadata: f64,
}

impl PhaseTimes {
    /// The sum over phases.
    pub fn total(&self) -> f64 {
        self.arrow + self.raw + self.against + self.compare + self.fingerprint + self.metadata
    }
}

impl AddAssign for PhaseTimes {
    fn add_assign(&mut self, other: Self) {
        self.arrow += other.arrow;
        self.raw += other.raw;
        self.against += other.against;
        self.compare += other.compare;
        self.fingerprint += other.fingerprint;
        self.metadata += other.metadata;
    }
}

/// Wall-clock seconds of one file's check, and the bytes and requests it read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct FileTimes {
    /// Opening the file through both paths: reading and parsing the footer, choosing columns.
    pub open: f64,
    /// Decoding, comparing and hashing every chosen column.
    pub check: f64,
    /// What was read of the file, by both paths, the screen and the claims' checks together.
    pub reads: ReadCounts,
    /// What was read of the `--against` dump, when there is one.
    pub dump_reads: Option<ReadCounts>,
}

/// Runs `work` and returns its result with the seconds it took.
pub fn timed<T>(work: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let result = work();
    (result, start.elapsed().as_secs_f64())
}
