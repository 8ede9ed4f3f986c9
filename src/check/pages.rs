//! The witness checks on the leader's pages: anomalies a page showed without stopping its
//! decoding, and page checksums (a writer's placeholder CRCs told apart from bytes that
//! changed at rest). The metadata witness ([`crate::metadata_witness`]) checks the chunk's claims.

use crate::advisories::{Writer, WriterBlame};
use crate::columns::CheckedColumn;
use crate::decode::{PageAnomaly, PageInfo};
use crate::quirks::Quirk;
use crate::report::{Finding, FindingKind};

/// Findings about the pages of a chunk: anomalies that did not stop their decoding. An
/// anomaly that a published bug of the file's writer (`created_by`) leaves is blamed on that
/// writer.
pub(super) fn page_findings(
    column: &CheckedColumn,
    row_group: usize,
    pages: &[PageInfo],
    writer: Writer<'_>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for page in pages {
        for anomaly in &page.anomalies {
            let symptom = crate::advisories::symptom_of(anomaly, page, column.depth > 0);
            let blamed = symptom.and_then(|symptom| WriterBlame::known(writer, symptom));
            let blame = blamed
                .as_ref()
                .map_or_else(String::new, |w| format!("; {w}"));
            findings.push(Finding {
                kind: match anomaly {
                    // A DATA_PAGE_V2 counter wrong in a shape writers are known for (num_rows
                    // counting values in a repeated column, num_nulls 0 or negative), which
                    // readers that count rows and nulls from the levels (parquet-cpp,
                    // parquet-java, both decoders) never read values by: a quirk, with the
                    // writer's published bug where its version has one.
                    PageAnomaly::NumRows { .. } | PageAnomaly::NumNulls { .. }
                        if symptom.is_some() =>
                    {
                        FindingKind::Quirk
                    }
                    PageAnomaly::NumRows { .. } | PageAnomaly::NumNulls { .. } => {
                        FindingKind::Stats
                    }
                    PageAnomaly::TrailingBytes { .. } => FindingKind::Page,
                    PageAnomaly::ChunkTail { .. } | PageAnomaly::Quirk { .. } => FindingKind::Quirk,
                    // A published writer bug, worked around: nothing is wrong with the labels.
                    PageAnomaly::DecompressedDespiteFlag => FindingKind::Advisory,
                },
                column: Some(column.name.clone()),
                row_group: Some(row_group),
                page: Some(page.index),
                page_offset: Some(page.offset),
                message: format!(
                    "page {} at byte {}: {anomaly}{blame}",
                    page.index, page.offset
                ),
                errors: None,
                omitted: None,
                writer: blamed,
            });
        }
    }
    findings
}

/// True when the pages read carry CRCs and every one of them stores 0 without matching its
/// page (once [`settle_placeholder_crcs`] ran, such a page reads as unchecked).
fn is_crc_placeholder(pages: &[PageInfo]) -> bool {
    let mut checked = pages.iter().filter(|p| p.crc.is_some()).peekable();
    checked.peek().is_some() && checked.all(|p| p.crc == Some(0) && p.crc_ok != Some(true))
}

/// While the pages read so far look like a placeholder chunk ([`is_crc_placeholder`]), their
/// failing zero CRCs are read as no CRC, so the diagnosis does not blame a mismatch on them
/// on bytes changed at rest; once a real CRC shows it is not one, they count as failing again.
pub(super) fn settle_placeholder_crcs(pages: &mut [PageInfo]) {
    if pages.iter().all(|p| p.crc != Some(0)) {
        return;
    }
    let placeholder = is_crc_placeholder(pages);
    for page in pages.iter_mut().filter(|p| p.crc == Some(0)) {
        match (placeholder, page.crc_ok) {
            (true, Some(false)) => page.crc_ok = None,
            (false, None) => page.crc_ok = Some(false),
            _ => {}
        }
    }
}

/// Findings about the checksums of a chunk's pages, once all its pages are read: one `crc`
/// finding per page whose CRC does not match, unless every page carrying a CRC stores 0 and
/// none matches — a writer's placeholder (Parquet.jl stores 0), one `quirk` note for the chunk.
/// A single 0 among real checksums is not a placeholder: it is a page that changed.
pub(super) fn crc_findings(
    column: &CheckedColumn,
    row_group: usize,
    pages: &[PageInfo],
) -> Vec<Finding> {
    let finding = |kind, page: Option<&PageInfo>, message| Finding {
        page: page.map(|p| p.index),
        page_offset: page.map(|p| p.offset),
        ..Finding::about_column(kind, &column.name, Some(row_group), message)
    };
    if is_crc_placeholder(pages) {
        return vec![finding(
            FindingKind::Quirk,
            None,
            format!(
                "column {:?}, row group {row_group}: {}",
                column.name,
                Quirk::CrcPlaceholder
            ),
        )];
    }
    pages
        .iter()
        .filter(|p| p.crc_ok == Some(false))
        .map(|page| {
            finding(
                FindingKind::Crc,
                Some(page),
                format!(
                    "page {} at byte {} fails its CRC32 check: its bytes changed after they were written",
                    page.index, page.offset
                ),
            )
        })
        .collect()
}
