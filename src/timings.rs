//! Where a check spends its time, per column and phase, and what it read, for `--timings`:
//! enough to trace a slowdown to the phase (or the reads) that caused it without a profiler.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::source::ReadCounts;

use crate::witness_list::ByWitness;

/// Seconds one column spent in each phase, summed over its row groups. Row groups run in
/// parallel, so these are thread-seconds: their sum can exceed the wall time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PhaseTimes {
    /// Decoding, per witness: the arrow reader (path A) with its conversion to our values,
    /// the raw decoder (path B) reading, decompressing and decoding pages, the dump's values
    /// parsed for the column.
    #[serde(flatten)]
    pub decode: ByWitness<f64>,
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
        self.decode.iter().map(|(_, seconds)| seconds).sum::<f64>()
            + self.compare
            + self.fingerprint
            + self.metadata
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
