//! What a column's check adds up to, one accumulator per kind of result: each observes the
//! windows of a chunk, merges the chunks of a column in row order, and finishes into the
//! column's report. Adding a kind of result is one accumulator and one line in
//! [`column_results!`]; nothing else in the pipeline changes.

use std::collections::BTreeMap;

use super::fingerprint::ChunkPieces;
use super::Witness;
use crate::advisories::Writer;
use crate::columns::CheckedColumn;
use crate::compare::ChunkComparison;
use crate::decode::{DecodeError, PageInfo};
use crate::diagnosis::{explain, Profile};
use crate::fingerprint::{to_hex, BlockPiece, Fingerprint, FingerprintBuilder, BLOCK_ROWS};
use crate::report::{BlockDifference, BlockMismatches, ColumnReport, KindCounts};
use crate::timings::PhaseTimes;
use crate::transitions::TransitionCounter;
use crate::value::ColumnSlice;
use crate::witness_list::{ByWitness, WitnessName, WitnessRole};

/// How a witness stands with a chunk, or with a column's chunks so far.
#[derive(Debug, Clone)]
pub(super) enum Standing {
    /// It gave every row it had.
    Decoded,
    /// It failed (the first error is kept).
    Failed(DecodeError),
    /// A dump that does not hold the column, or not in every row group.
    NotCovered,
}

impl Standing {
    /// Folds in how the witness ended the next chunk: a failure stays.
    pub fn merge(&mut self, next: Standing) {
        if matches!(self, Self::Decoded) {
            *self = next;
        }
    }

    /// The error, when the witness failed.
    pub fn error(&self) -> Option<&DecodeError> {
        match self {
            Self::Failed(e) => Some(e),
            _ => None,
        }
    }
}

/// Seconds a chunk spent per stage; decoding per witness.
#[derive(Debug, Clone, Default)]
pub(super) struct ChunkTimes {
    /// Per witness: decoding its windows, its canonical form included.
    pub decode: Vec<f64>,
    /// Comparing the witnesses row by row.
    pub compare: f64,
    /// Hashing every witness's fingerprint.
    pub fingerprint: f64,
    /// The witness checks on the leader's pages and the metadata's claims.
    pub metadata: f64,
}

/// One window of a chunk as the stages left it.
pub(super) struct WindowSeen<'a> {
    /// The witness list.
    pub witnesses: &'a [Witness<'a>],
    /// Each witness's rows, in list order; `None` where it gave none.
    pub slices: &'a [Option<ColumnSlice>],
    /// Each witness's fingerprint pieces of the window, for the fingerprints to take.
    pub pieces: Vec<Option<Vec<BlockPiece>>>,
    /// The witnesses compared.
    pub comparison: &'a ChunkComparison,
    /// The leader's index.
    pub leader: usize,
}

/// A chunk's end: what the accumulators need to merge it into the column.
pub(super) struct ChunkEnd<'a> {
    /// The witness list.
    pub witnesses: &'a [Witness<'a>],
    /// The leader's index.
    pub leader: usize,
    /// How each witness ended the chunk.
    pub standing: &'a [Standing],
    /// The leader's page map of the chunk (empty when it failed).
    pub pages: &'a [PageInfo],
    /// File row of the chunk's first row.
    pub first_row: u64,
    /// Seconds the chunk spent.
    pub times: &'a ChunkTimes,
}

/// True when every decoder of the file decoded the whole chunk, so that its comparison means
/// something: rows compared while one decoder still ran mean nothing once it failed.
pub(super) fn every_decoder_decoded(witnesses: &[Witness<'_>], standing: &[Standing]) -> bool {
    witnesses
        .iter()
        .zip(standing)
        .all(|(w, s)| !w.role.decodes_the_file() || matches!(s, Standing::Decoded))
}

impl ChunkEnd<'_> {
    /// See [`every_decoder_decoded`].
    fn compared(&self) -> bool {
        every_decoder_decoded(self.witnesses, self.standing)
    }

    /// True when the leader decoded the whole chunk.
    fn led(&self) -> bool {
        matches!(self.standing[self.leader], Standing::Decoded)
    }
}

/// A column's end: what the accumulators need to finish into its report.
pub(super) struct ColumnEdge<'a> {
    /// The column.
    pub column: &'a CheckedColumn,
    /// The witness list.
    pub witnesses: &'a [Witness<'a>],
    /// The leader's index.
    pub leader: usize,
    /// How each witness stands with the column.
    pub standing: &'a [Standing],
    /// Rows in the file.
    pub total_rows: u64,
    /// Who wrote the file.
    pub writer: Writer<'a>,
    /// Seconds go in the report (`--timings`).
    pub timings: bool,
}

/// A column's check so far, carried across windows.
pub(super) struct ColumnState {
    /// How each witness stands with the column.
    pub standing: Vec<Standing>,
    /// Every kind of result.
    pub results: Results,
    /// Values with a part only the leader checked (see the chunks' `leader_only_parts`).
    pub leader_only_parts: u64,
}

/// One kind of result of a column's check.
pub(super) trait ColumnResult: Sized {
    /// What it keeps of one chunk.
    type Chunk: Send;

    /// Nothing yet, for a column whose witnesses stand as `standing` before its first chunk.
    fn new(standing: &[Standing]) -> Self;

    /// Nothing yet of a chunk of `witnesses` witnesses whose first row is file row `first_row`.
    fn chunk(witnesses: usize, first_row: u64) -> Self::Chunk;

    /// Notes one window of the chunk; windows come in row order.
    fn observe(chunk: &mut Self::Chunk, window: &mut WindowSeen<'_>);

    /// Adds the next chunk of the column; chunks come in row order.
    fn merge(&mut self, chunk: Self::Chunk, end: &ChunkEnd<'_>);

    /// Writes the result into the column's report.
    fn finish(self, edge: &ColumnEdge<'_>, report: &mut ColumnReport);
}

/// Declares the kinds of result a column's check keeps: [`Results`] for a column and
/// [`ChunkResults`] for one of its chunks, each field an accumulator.
macro_rules! column_results {
    ($($field:ident: $kind:ty,)*) => {
        /// Every kind of result of a column's check.
        pub(super) struct Results {
            $($field: $kind,)*
        }

        /// Every kind of result of one chunk.
        pub(super) struct ChunkResults {
            $($field: <$kind as ColumnResult>::Chunk,)*
        }

        impl Results {
            /// Nothing yet; see [`ColumnResult::new`].
            pub fn new(standing: &[Standing]) -> Self {
                Self { $($field: <$kind>::new(standing),)* }
            }

            /// Adds the next chunk.
            pub fn merge(&mut self, chunk: ChunkResults, end: &ChunkEnd<'_>) {
                $(self.$field.merge(chunk.$field, end);)*
            }

            /// Writes every result into the column's report.
            pub fn finish(self, edge: &ColumnEdge<'_>, report: &mut ColumnReport) {
                $(self.$field.finish(edge, report);)*
            }
        }

        impl ChunkResults {
            /// Nothing yet; see [`ColumnResult::chunk`].
            pub fn new(witnesses: usize, first_row: u64) -> Self {
                Self { $($field: <$kind>::chunk(witnesses, first_row),)* }
            }

            /// Lets every result observe a window.
            pub fn observe(&mut self, window: &mut WindowSeen<'_>) {
                $(<$kind>::observe(&mut self.$field, window);)*
            }
        }
    };
}

column_results! {
    fingerprints: Fingerprints,
    rows: RowCounts,
    mismatch_kinds: MismatchKinds,
    mismatch_blocks: MismatchBlocks,
    diagnosis: Diagnosis,
    timings: Timings,
    transitions: VersionTransitions,
}

/// Each witness's column fingerprint, and the blocks where the decoders' differ.
pub(super) struct Fingerprints {
    /// Per witness; `None` once it failed or did not cover a chunk.
    builders: Vec<Option<FingerprintBuilder>>,
}

impl ColumnResult for Fingerprints {
    type Chunk = Vec<ChunkPieces>;

    fn new(standing: &[Standing]) -> Self {
        let builders = standing
            .iter()
            .map(|s| matches!(s, Standing::Decoded).then(FingerprintBuilder::new))
            .collect();
        Self { builders }
    }

    fn chunk(witnesses: usize, first_row: u64) -> Self::Chunk {
        (0..witnesses)
            .map(|_| ChunkPieces::empty(first_row))
            .collect()
    }

    fn observe(chunk: &mut Self::Chunk, window: &mut WindowSeen<'_>) {
        for ((out, slice), pieces) in chunk.iter_mut().zip(window.slices).zip(&mut window.pieces) {
            if let (Some(slice), Some(pieces)) = (slice, pieces.take()) {
                out.add(slice.rows, pieces);
            }
        }
    }

    fn merge(&mut self, chunk: Self::Chunk, end: &ChunkEnd<'_>) {
        for ((builder, out), standing) in self.builders.iter_mut().zip(chunk).zip(end.standing) {
            match (builder.as_mut(), standing) {
                (Some(builder), Standing::Decoded) => builder.add(out.pieces, out.rows),
                _ => *builder = None,
            }
        }
    }

    fn finish(self, edge: &ColumnEdge<'_>, report: &mut ColumnReport) {
        // Where a decoder other than the leader cannot return part of each value, its
        // fingerprint would be of something else than the stored values: the column's
        // digest is the leader's alone.
        let partial = edge.column.canonical.dropped_part().is_some();
        let fingerprints: Vec<Option<Fingerprint>> = self
            .builders
            .into_iter()
            .zip(edge.witnesses)
            .map(|(builder, w)| {
                let partial = partial && matches!(w.role, WitnessRole::Decoder { .. });
                builder.filter(|_| !partial).map(FingerprintBuilder::finish)
            })
            .collect();
        for (witness, fingerprint) in edge.witnesses.iter().zip(&fingerprints) {
            let digest = fingerprint.as_ref().map(Fingerprint::hex);
            // Every decoder of the file has a digest, null where it failed; a dump has one
            // where it covers the column.
            if witness.role.decodes_the_file() || digest.is_some() {
                report.digests.insert(witness.name.clone(), digest);
            }
        }
        let decoders: Vec<(&WitnessName, &Fingerprint)> = edge
            .witnesses
            .iter()
            .zip(&fingerprints)
            .filter(|(w, _)| w.role.decodes_the_file())
            .filter_map(|(w, f)| Some((&w.name, f.as_ref()?)))
            .collect();
        if decoders.len() < 2 {
            return;
        }
        let blocks = decoders
            .iter()
            .map(|(_, f)| f.blocks.len())
            .max()
            .unwrap_or(0);
        for block in 0..blocks {
            let digests: Vec<Option<&_>> =
                decoders.iter().map(|(_, f)| f.blocks.get(block)).collect();
            if digests.iter().all(|d| *d == digests[0]) {
                continue;
            }
            report.differing_blocks.push(BlockDifference {
                block: block as u64,
                first_row: block as u64 * BLOCK_ROWS,
                digests: decoders
                    .iter()
                    .zip(&digests)
                    .map(|((name, _), digest)| ((*name).clone(), digest.map(to_hex)))
                    .collect(),
            });
        }
    }
}

/// The column's rows and nulls, as the leader decoded them.
pub(super) struct RowCounts {
    rows: u64,
    nulls: u64,
}

impl ColumnResult for RowCounts {
    type Chunk = (u64, u64);

    fn new(_: &[Standing]) -> Self {
        Self { rows: 0, nulls: 0 }
    }

    fn chunk(_: usize, _: u64) -> Self::Chunk {
        (0, 0)
    }

    fn observe((rows, nulls): &mut Self::Chunk, window: &mut WindowSeen<'_>) {
        if let Some(slice) = &window.slices[window.leader] {
            *rows += slice.rows as u64;
            *nulls += slice.null_rows() as u64;
        }
    }

    fn merge(&mut self, (rows, nulls): Self::Chunk, end: &ChunkEnd<'_>) {
        if end.led() {
            self.rows += rows;
            self.nulls += nulls;
        }
    }

    fn finish(self, edge: &ColumnEdge<'_>, report: &mut ColumnReport) {
        report.rows = match edge.standing[edge.leader] {
            Standing::Failed(_) => edge.total_rows,
            _ => self.rows,
        };
        report.nulls = self.nulls;
    }
}

/// Mismatching rows by kind.
pub(super) struct MismatchKinds(KindCounts);

impl ColumnResult for MismatchKinds {
    type Chunk = KindCounts;

    fn new(_: &[Standing]) -> Self {
        Self(KindCounts::default())
    }

    fn chunk(_: usize, _: u64) -> Self::Chunk {
        KindCounts::default()
    }

    fn observe(chunk: &mut Self::Chunk, window: &mut WindowSeen<'_>) {
        chunk.merge(&window.comparison.counts);
    }

    fn merge(&mut self, chunk: Self::Chunk, end: &ChunkEnd<'_>) {
        if end.compared() {
            self.0.merge(&chunk);
        }
    }

    fn finish(self, _: &ColumnEdge<'_>, report: &mut ColumnReport) {
        report.mismatches = self.0.total();
        report.mismatch_kinds = self.0;
    }
}

/// Exact mismatch counts per 65,536-row fingerprint block, listed or not: where all of a
/// column's mismatches fall.
pub(super) struct MismatchBlocks(BTreeMap<u64, u64>);

impl ColumnResult for MismatchBlocks {
    /// (block, mismatching rows in it), in block order.
    type Chunk = Vec<(u64, u64)>;

    fn new(_: &[Standing]) -> Self {
        Self(BTreeMap::new())
    }

    fn chunk(_: usize, _: u64) -> Self::Chunk {
        Vec::new()
    }

    fn observe(chunk: &mut Self::Chunk, window: &mut WindowSeen<'_>) {
        for row in &window.comparison.mismatching_rows {
            let block = row / BLOCK_ROWS;
            match chunk.last_mut() {
                Some((last, count)) if *last == block => *count += 1,
                _ => chunk.push((block, 1)),
            }
        }
    }

    fn merge(&mut self, chunk: Self::Chunk, end: &ChunkEnd<'_>) {
        if end.compared() {
            for (block, count) in chunk {
                *self.0.entry(block).or_default() += count;
            }
        }
    }

    fn finish(self, _: &ColumnEdge<'_>, report: &mut ColumnReport) {
        report.mismatch_blocks = self
            .0
            .into_iter()
            .map(|(block, mismatches)| BlockMismatches {
                block,
                first_row: block * BLOCK_ROWS,
                mismatches,
            })
            .collect();
    }
}

/// Where the mismatches lie against the leader's pages, for the diagnosis; and where its
/// data pages start, for charts.
pub(super) struct Diagnosis {
    profile: Profile,
    page_starts: Vec<u64>,
}

impl ColumnResult for Diagnosis {
    type Chunk = Profile;

    fn new(_: &[Standing]) -> Self {
        Self {
            profile: Profile::default(),
            page_starts: Vec::new(),
        }
    }

    fn chunk(_: usize, _: u64) -> Self::Chunk {
        Profile::default()
    }

    fn observe(chunk: &mut Self::Chunk, window: &mut WindowSeen<'_>) {
        chunk.merge(window.comparison.profile.clone());
    }

    fn merge(&mut self, chunk: Self::Chunk, end: &ChunkEnd<'_>) {
        if end.led() {
            self.profile.count_pages(end.pages);
            self.page_starts.extend(
                end.pages
                    .iter()
                    .filter(|p| p.rows > 0)
                    .map(|p| end.first_row + p.first_row as u64),
            );
        }
        if end.compared() {
            self.profile.merge(chunk);
        }
    }

    fn finish(self, edge: &ColumnEdge<'_>, report: &mut ColumnReport) {
        report.diagnosis = explain(&self.profile, edge.writer);
        report.page_starts = self.page_starts;
    }
}

/// Thread-seconds per stage, decoding per witness (`--timings`).
pub(super) struct Timings(ChunkTimes);

impl ColumnResult for Timings {
    type Chunk = ();

    fn new(standing: &[Standing]) -> Self {
        Self(ChunkTimes {
            decode: vec![0.0; standing.len()],
            ..ChunkTimes::default()
        })
    }

    fn chunk(_: usize, _: u64) -> Self::Chunk {}

    fn observe(_: &mut Self::Chunk, _: &mut WindowSeen<'_>) {}

    fn merge(&mut self, _: Self::Chunk, end: &ChunkEnd<'_>) {
        let (total, chunk) = (&mut self.0, end.times);
        for (seconds, more) in total.decode.iter_mut().zip(&chunk.decode) {
            *seconds += more;
        }
        total.compare += chunk.compare;
        total.fingerprint += chunk.fingerprint;
        total.metadata += chunk.metadata;
    }

    fn finish(self, edge: &ColumnEdge<'_>, report: &mut ColumnReport) {
        if !edge.timings {
            return;
        }
        // One entry per witness in the list: without a dump, no `against` seconds.
        let decode: ByWitness<f64> = edge
            .witnesses
            .iter()
            .zip(&self.0.decode)
            .map(|(w, &seconds)| (w.name.clone(), seconds))
            .collect();
        report.timings = Some(PhaseTimes {
            decode,
            compare: self.0.compare,
            fingerprint: self.0.fingerprint,
            metadata: self.0.metadata,
        });
    }
}

/// How the rows moved between classes from the old version (`--against OLD.parquet`) to the
/// file: the leader's rows against the old version's, counted where the file's decoders agree.
pub(super) struct VersionTransitions {
    /// `None` once a chunk could not be counted whole: a matrix of part of the rows would be
    /// read as the whole.
    counter: Option<TransitionCounter>,
}

impl ColumnResult for VersionTransitions {
    /// `None` once a window's decoders disagreed.
    type Chunk = Option<TransitionCounter>;

    fn new(_: &[Standing]) -> Self {
        Self {
            counter: Some(TransitionCounter::new()),
        }
    }

    fn chunk(_: usize, _: u64) -> Self::Chunk {
        Some(TransitionCounter::new())
    }

    fn observe(chunk: &mut Self::Chunk, window: &mut WindowSeen<'_>) {
        let Some(version) = window
            .witnesses
            .iter()
            .position(|w| w.role == WitnessRole::Version)
        else {
            return;
        };
        let decoders_agree = window
            .witnesses
            .iter()
            .zip(&window.comparison.identical)
            .all(|(w, &same)| same || !w.role.decodes_the_file());
        if !decoders_agree {
            *chunk = None;
        }
        let (Some(counter), Some(old)) = (chunk.as_mut(), &window.slices[version]) else {
            return;
        };
        // Past the leader's last row, the old version's rows beyond the file's are removed.
        let empty;
        let new = match &window.slices[window.leader] {
            Some(new) => new,
            None => {
                empty = ColumnSlice::empty(old.values.physical_type(), 0);
                &empty
            }
        };
        if !old.is_nested() && !counter.overflowed() {
            counter.count_slices(old, new);
        }
    }

    fn merge(&mut self, chunk: Self::Chunk, end: &ChunkEnd<'_>) {
        match (self.counter.as_mut(), chunk) {
            (Some(counter), Some(chunk)) if end.compared() => counter.merge(chunk),
            _ => self.counter = None,
        }
    }

    fn finish(self, edge: &ColumnEdge<'_>, report: &mut ColumnReport) {
        // Only an old version that gave every row of the column has a matrix to show.
        let whole = edge
            .witnesses
            .iter()
            .zip(edge.standing)
            .any(|(w, s)| w.role == WitnessRole::Version && matches!(s, Standing::Decoded));
        if whole {
            report.transitions = self.counter.and_then(|c| c.finish(edge.column));
        }
    }
}
