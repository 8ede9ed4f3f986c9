//! One task: a column chunk checked a window of rows at a time, so that memory follows the
//! window whatever the row group's size. Per window, the stages in turn: decode per witness
//! ([`super::read`]), the canonical form, the witness checks on the leader's pages
//! ([`super::pages`], [`crate::metadata_witness`]), the comparison ([`crate::compare`]) and the
//! fingerprints ([`super::fingerprint`]); then every kind of result observes the window.

use std::time::Instant;

use super::fingerprint::hash_window;
use super::pages::{crc_findings, page_findings, settle_placeholder_crcs};
use super::read::Seats;
use super::results::{every_decoder_decoded, ChunkResults, ChunkTimes, Standing, WindowSeen};
use super::screen::ChunkScreen;
use super::{CheckOptions, FileToCheck};
use crate::canonical::apply;
use crate::columns::CheckedColumn;
use crate::compare::{compare_chunk, ChunkPosition, Testimony};
use crate::decode::PageInfo;
use crate::metadata_witness::ChunkWitness;
use crate::report::{Finding, FindingKind, Mismatch};
use crate::timings::timed;
use crate::value::ColumnSlice;
use crate::witness_list::WitnessRole;

/// Everything one chunk produced.
pub(super) struct ChunkOutput {
    /// How each witness ended the chunk.
    pub standing: Vec<Standing>,
    /// Every kind of result, for the column to merge.
    pub results: ChunkResults,
    /// The leader's page map (empty when it failed).
    pub pages: Vec<PageInfo>,
    /// The first mismatches, in row order; none when a decoder failed on the chunk.
    pub listed: Vec<Mismatch>,
    /// Findings about the chunk.
    pub findings: Vec<Finding>,
    /// Seconds spent.
    pub times: ChunkTimes,
    /// Values whose part the canonical form drops is not empty (INTERVALs with months):
    /// that part was checked by the leader alone.
    pub leader_only_parts: u64,
}

/// Checks the chunk of `column` in `row_group`, whose first row is file row `first_row`;
/// `failed` says which witnesses already failed on the column (they are not asked again).
pub(super) fn check_chunk(
    file: &FileToCheck<'_>,
    column: &CheckedColumn,
    row_group: usize,
    first_row: u64,
    failed: &[bool],
    options: &CheckOptions,
) -> ChunkOutput {
    let witnesses = file.witnesses;
    let leader = file.leader();
    let group_rows = file.facts.row_group_rows[row_group];
    let window_rows = options.window_rows.max(1);
    let mut times = ChunkTimes {
        decode: vec![0.0; witnesses.len()],
        ..ChunkTimes::default()
    };
    let screen = ChunkScreen::new(file.screen, row_group, column.leaf);
    let mut seats = Seats::open(
        witnesses,
        leader,
        (row_group, column.leaf),
        failed,
        &screen,
        window_rows,
        &mut times.decode,
    );

    let mut results = ChunkResults::new(witnesses.len(), first_row);
    let mut listed: Vec<Mismatch> = Vec::new();
    let mut witness = ChunkWitness::new(column, row_group);
    let mut pages: Vec<PageInfo> = Vec::new();
    let mut findings = Vec::new();
    let mut beyond_arrow = 0;
    let mut leader_rows = 0u64;
    let mut window_start = 0usize;

    while let Some(mut windows) = seats.next(&mut times.decode) {
        // The canonical form: values as every decoder can give them. A form that drops part
        // of the value is compared, but the stored value is what the leader fingerprints
        // (the others cannot give it whole).
        let mut stored = None;
        for (i, (window, w)) in windows.iter_mut().zip(witnesses).enumerate() {
            let Some(window) = window.as_mut().filter(|_| w.role.gives_stored_values()) else {
                continue;
            };
            if i == leader && column.canonical.drops_part() {
                stored = Some(window.slice.clone());
            }
            let (beyond, seconds) = timed(|| apply(column.canonical, &mut window.slice));
            times.decode[i] += seconds;
            if i == leader {
                beyond_arrow += beyond;
            }
        }
        let rows = windows[leader]
            .as_ref()
            .map_or(window_rows, |w| w.slice.rows);

        // The witness checks on the leader's pages and the metadata's claims.
        let metadata_started = Instant::now();
        if let Some(window) = &mut windows[leader] {
            leader_rows += window.slice.rows as u64;
            witness.observe(window);
            findings.extend(page_findings(
                column,
                row_group,
                &window.pages,
                file.facts.writer(),
            ));
            pages.append(&mut window.pages);
            settle_placeholder_crcs(&mut pages);
        }
        times.metadata += metadata_started.elapsed().as_secs_f64();

        let slices: Vec<Option<ColumnSlice>> = windows
            .into_iter()
            .map(|window| window.map(|w| w.slice))
            .collect();
        // A decoder without rows for the window is compared as empty (its rows are missing);
        // a dump or an old version without rows is not compared.
        let empty = ColumnSlice::empty(column.physical, 0);
        let testimonies: Vec<Testimony<'_>> = witnesses
            .iter()
            .zip(&slices)
            .map(|(w, slice)| Testimony {
                name: &w.name,
                role: w.role,
                slice: match w.role {
                    WitnessRole::Dump(_) | WitnessRole::Version => slice.as_ref(),
                    _ => Some(slice.as_ref().unwrap_or(&empty)),
                },
            })
            .collect();
        let (comparison, seconds) = timed(|| {
            compare_chunk(
                ChunkPosition {
                    column: &column.name,
                    pieces: &column.pieces,
                    row_group,
                    first_row,
                    window_start,
                    group_rows: group_rows as usize,
                    writer: file.facts.writer(),
                },
                column.style,
                &testimonies,
                &pages,
                options.max_listed.saturating_sub(listed.len()),
            )
        });
        times.compare += seconds;

        let fingerprint_started = Instant::now();
        let window_first_row = first_row + window_start as u64;
        let pieces = hash_window(
            &slices,
            leader,
            stored.as_ref(),
            &comparison.identical,
            window_first_row,
        );
        results.observe(&mut WindowSeen {
            witnesses,
            slices: &slices,
            pieces,
            comparison: &comparison,
            leader,
        });
        times.fingerprint += fingerprint_started.elapsed().as_secs_f64();
        listed.extend(comparison.listed);
        window_start += rows;
    }

    let metadata_started = Instant::now();
    let standing = seats.standings();
    let led = matches!(standing[leader], Standing::Decoded);
    findings.splice(0..0, witness.finish());
    findings.extend(crc_findings(column, row_group, &pages));
    if led && leader_rows != group_rows {
        findings.push(Finding::about_column(
            FindingKind::Stats,
            &column.name,
            Some(row_group),
            format!(
                "column {:?}, row group {row_group}: the row group declares num_rows {group_rows}, its column chunk holds {leader_rows} rows",
                column.name
            ),
        ));
    }
    let leader_only_parts = if column.canonical.drops_part() {
        std::mem::take(&mut beyond_arrow) as u64
    } else {
        0
    };
    if beyond_arrow > 0 {
        findings.push(Finding::about_column(
            FindingKind::Lossy,
            &column.name,
            Some(row_group),
            format!(
                "{beyond_arrow} INT96 timestamps in row group {row_group} lie outside the range of 64-bit nanoseconds (years 1677 to 2262); readers that convert them, the arrow reader among them, wrap them, and they are compared as wrapped"
            ),
        ));
    }
    if !led {
        pages.clear();
    }
    times.metadata += metadata_started.elapsed().as_secs_f64();
    // Rows compared while every decoder still decoded mean nothing once one of them failed.
    if !every_decoder_decoded(witnesses, &standing) {
        listed.clear();
    }
    ChunkOutput {
        standing,
        results,
        pages,
        listed,
        findings,
        times,
        leader_only_parts,
    }
}
