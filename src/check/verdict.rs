//! Stage 5, verdict: what a column's results and each witness's standing add up to — its
//! status, the error that says which decoder could not decode it, the witnesses its verdict
//! rests on — and the file's report.

use super::results::{ColumnEdge, ColumnState, Standing};
use super::FileToCheck;
use crate::columns::CheckedColumn;
use crate::decode::DecodeError;
use crate::report::{
    ColumnReport, ColumnStatus, FileReport, Finding, FindingKind, Mismatch, Selection,
};
use crate::witness_list::{WitnessName, WitnessRole};

/// The report of `column` from its state once every chunk is merged, and the findings its
/// verdict calls for. `unopened`: a decoder could not open the file, which a finding
/// about the file already says.
pub(super) fn column_report(
    file: &FileToCheck<'_>,
    column: &CheckedColumn,
    state: ColumnState,
    timings: bool,
    summarize: bool,
    unopened: bool,
) -> (ColumnReport, Vec<Finding>) {
    let witnesses = file.witnesses;
    let leader = file.leader();
    let mut report = ColumnReport {
        column: column.name.clone(),
        checked_by: Vec::new(),
        path: column.path.clone(),
        physical_type: column.physical.name().to_owned(),
        logical_type: column.logical_type.clone(),
        rows: 0,
        nulls: 0,
        digests: Default::default(),
        differing_blocks: Vec::new(),
        mismatches: 0,
        diagnosis: Vec::new(),
        page_starts: Vec::new(),
        mismatch_kinds: Default::default(),
        mismatch_blocks: Vec::new(),
        status: ColumnStatus::Agree,
        error: None,
        timings: None,
        summary: None,
        transitions: None,
    };
    let edge = ColumnEdge {
        column,
        witnesses,
        leader,
        standing: &state.standing,
        total_rows: file.facts.row_group_rows.iter().sum(),
        writer: file.facts.writer(),
        timings,
        summarize,
        is_key: file.keys.iter().any(|k| k.leaf == column.leaf),
        keyed: !file.keys.is_empty(),
    };
    state.results.finish(&edge, &mut report);

    // The decoders of the file, in list order: those that decoded every chunk, those that
    // failed.
    let decoders = || {
        witnesses
            .iter()
            .zip(&state.standing)
            .filter(|(w, _)| w.role.decodes_the_file())
    };
    let decoded: Vec<&WitnessName> = decoders()
        .filter(|(_, s)| matches!(s, Standing::Decoded))
        .map(|(w, _)| &w.name)
        .collect();
    let failed: Vec<(&WitnessName, &DecodeError)> = decoders()
        .filter_map(|(w, s)| Some((&w.name, s.error()?)))
        .collect();
    // A chunk the screen refused was never given to the decoder: the error says so, not that
    // the decoder failed.
    let describe = |name: &WitnessName, e: &DecodeError| match e {
        DecodeError::Screened(_) => format!("{e} (the {name} reader never saw it)"),
        _ => format!("{name} path: {e}"),
    };
    let all_described = || {
        failed
            .iter()
            .map(|(name, e)| describe(name, e))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let leader_name = &witnesses[leader].name;
    let (status, error, finding) = if failed.is_empty() {
        match column.canonical.dropped_part() {
            // Every mismatch a change from the old version, where the decoders agree.
            _ if report.mismatches > 0 && report.mismatch_kinds.changed == report.mismatches => {
                (ColumnStatus::Changed, None, None)
            }
            _ if report.mismatches > 0 => (ColumnStatus::Mismatch, None, None),
            Some((values, part, rest)) => {
                let other = decoded
                    .iter()
                    .find(|&&name| name != leader_name)
                    .map_or_else(String::new, |name| name.to_string());
                let note = format!(
                    "the {other} reader returns {values} without their {part}: both decoders agree on the {rest}, and the {part} were checked by the {leader_name} path alone ({} values have non-zero {part}); the digest is the {leader_name} path's",
                    state.leader_only_parts
                );
                let finding = Finding::about_column(
                    FindingKind::Lossy,
                    &column.name,
                    None,
                    format!("column {:?}: {note}", column.name),
                );
                (
                    ColumnStatus::Partial,
                    Some(format!("{other} path: {note}")),
                    Some(finding),
                )
            }
            None => (ColumnStatus::Agree, None, None),
        }
    } else if failed.iter().all(|(_, e)| e.is_unsupported()) {
        (ColumnStatus::Unsupported, Some(all_described()), None)
    } else if decoded.is_empty() {
        (ColumnStatus::Unreadable, Some(all_described()), None)
    } else {
        let (failed_name, e) = failed[0];
        let other = decoded[0];
        let (kind, message) = match e {
            DecodeError::Screened(_) => (
                FindingKind::Screen,
                format!("the pre-flight screen refused column {:?} before the {failed_name} reader saw it; the {other} path decoded it alone", column.name),
            ),
            // The reader that decoded it read bytes that break the format without a word: what
            // it returned is unverified, and is what such a reader hands a training job.
            DecodeError::Malformed(_) => (
                FindingKind::PathFailure,
                format!("the {failed_name} path found column {:?} malformed where the {other} reader decoded it without an error: the {other} reader accepted bytes that break the format, so the rows it returned are unverified", column.name),
            ),
            _ => (
                FindingKind::PathFailure,
                format!("the {failed_name} path failed to decode column {:?} where the {other} path decoded it", column.name),
            ),
        };
        // A decoder that could not open the file is one finding about the file, not one per
        // column.
        let finding = (!unopened).then(|| Finding {
            errors: Some(
                decoders()
                    .map(|(w, s)| (w.name.clone(), s.error().map(|e| e.to_string())))
                    .collect(),
            ),
            ..Finding::about_column(kind, &column.name, None, message)
        });
        (
            ColumnStatus::PathFailed,
            Some(describe(failed_name, e)),
            finding,
        )
    };
    // The decoders that decoded every chunk, and the dumps that cover the column, in order.
    report.checked_by = witnesses
        .iter()
        .zip(&state.standing)
        .filter(|(_, s)| matches!(s, Standing::Decoded))
        .map(|(w, _)| w.name.clone())
        .collect();
    report.status = status;
    report.error = error;
    // An old version that could not give its rows leaves the rest of the column uncompared
    // with it: its own report says why it failed, this one that changes may go unseen.
    let version_failed = witnesses
        .iter()
        .zip(&state.standing)
        .filter(|(w, _)| w.role == WitnessRole::Version)
        .filter_map(|(w, s)| Some((&w.name, s.error()?)))
        .map(|(name, e)| {
            Finding::about_column(
                FindingKind::Against,
                &column.name,
                None,
                format!(
                    "column {:?}: the {name} version's rows could not all be read ({e}); the rows after are not compared with it",
                    column.name
                ),
            )
        });
    (report, finding.into_iter().chain(version_failed).collect())
}

/// The report of a checked file.
pub(super) fn file_report(
    file: &FileToCheck<'_>,
    row_group_starts: Vec<u64>,
    columns: Vec<ColumnReport>,
    listed: Vec<Mismatch>,
    findings: Vec<Finding>,
) -> FileReport {
    let mismatch_total: u64 = columns.iter().map(|c| c.mismatches).sum();
    FileReport {
        path: file.path.to_owned(),
        rows: file.facts.row_group_rows.iter().sum(),
        row_groups: file.facts.row_group_rows.len(),
        row_group_starts,
        created_by: file.facts.created_by.clone(),
        selection: file.selection,
        columns,
        mismatches_truncated: mismatch_total > listed.len() as u64,
        mismatches: listed,
        findings,
        error: None,
        timings: None,
        keyed_diff: None,
    }
}

impl FileReport {
    /// The report of a file that could not be checked at all.
    pub fn failed(path: &str, error: String) -> Self {
        Self {
            error: Some(error),
            ..Self::with_finding(path, None)
        }
    }

    /// The report of a file whose check stopped at one finding (or none).
    pub(super) fn with_finding(path: &str, finding: impl Into<Option<Finding>>) -> Self {
        Self {
            path: path.to_owned(),
            rows: 0,
            row_groups: 0,
            row_group_starts: Vec::new(),
            created_by: None,
            selection: Selection::Named,
            columns: Vec::new(),
            mismatches: Vec::new(),
            mismatches_truncated: false,
            findings: finding.into().into_iter().collect(),
            error: None,
            timings: None,
            keyed_diff: None,
        }
    }
}
