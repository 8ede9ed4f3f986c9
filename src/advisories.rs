//! Writers with a known, published bug that stored wrong values or statistics. When a file's
//! `created_by` names an affected version and a checked column has the affected type, the
//! report names the advisory. Small on purpose: each entry is sourced, and only entries whose
//! affected versions are stated by their source are here.

use crate::columns::CheckedColumn;
use crate::report::{Finding, FindingKind};
use crate::value::PhysicalType;

/// A published writer bug.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Advisory {
    /// The identifier.
    pub id: &'static str,
    /// The application name as `created_by` spells it, before " version ".
    pub writer: &'static str,
    /// The first version without the bug.
    pub fixed_in: (u32, u32, u32),
    /// The physical type of the columns it affects.
    pub physical_type: PhysicalType,
    /// What went wrong, in one sentence.
    pub effect: &'static str,
    /// Where it is published.
    pub source: &'static str,
}

/// The advisories known to labelcheck.
pub const ADVISORIES: &[Advisory] = &[
    Advisory {
        id: "PARQUET-251",
        writer: "parquet-mr",
        fixed_in: (1, 8, 0),
        physical_type: PhysicalType::ByteArray,
        effect: "min/max statistics of binary columns were computed with a signed byte order, so they can leave out values and engines that prune by them skip matching rows",
        source: "https://issues.apache.org/jira/browse/PARQUET-251",
    },
    Advisory {
        id: "apache/parquet-java#2009",
        writer: "parquet-cpp",
        fixed_in: (1, 0, 0),
        physical_type: PhysicalType::Boolean,
        effect: "booleans written in batches whose sizes were not multiples of 8 were bit-packed with padding between batches, so the values after it were stored wrong",
        source: "https://github.com/apache/parquet-java/issues/2009",
    },
];

/// The writer and version a `created_by` string names: `"parquet-mr version 1.6.0 (build …)"`.
pub fn writer_version(created_by: &str) -> Option<(&str, (u32, u32, u32))> {
    let (writer, rest) = created_by.split_once(" version ")?;
    let version = rest.split([' ', '-']).next()?;
    let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
    let major = parts.next()??;
    let minor = parts.next().flatten().unwrap_or(0);
    let patch = parts.next().flatten().unwrap_or(0);
    Some((writer.trim(), (major, minor, patch)))
}

/// Findings for the advisories that apply to a file written by `created_by`.
pub fn check(created_by: Option<&str>, columns: &[CheckedColumn]) -> Vec<Finding> {
    let Some((writer, version)) = created_by.and_then(writer_version) else {
        return Vec::new();
    };
    ADVISORIES
        .iter()
        .filter(|a| a.writer == writer && version < a.fixed_in)
        .filter_map(|a| {
            let affected: Vec<&str> = columns
                .iter()
                .filter(|c| c.physical == a.physical_type)
                .map(|c| c.name.as_str())
                .collect();
            (!affected.is_empty()).then(|| {
                let (major, minor, patch) = a.fixed_in;
                Finding::about_file(
                    FindingKind::Advisory,
                    format!(
                        "{} ({}): this file was written by {writer} {}.{}.{}, before {major}.{minor}.{patch}, in which {}; affected columns: {}",
                        a.id,
                        a.source,
                        version.0,
                        version.1,
                        version.2,
                        a.effect,
                        affected.join(", ")
                    ),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_from_created_by() {
        assert_eq!(
            writer_version(
                "parquet-mr version 1.6.0 (build 6aa21f8776625b5fa6b18059cfebe7549f2e00cb)"
            ),
            Some(("parquet-mr", (1, 6, 0)))
        );
        assert_eq!(
            writer_version("parquet-cpp-arrow version 26.0.1"),
            Some(("parquet-cpp-arrow", (26, 0, 1)))
        );
        assert_eq!(
            writer_version("parquet-mr version 1.12.0-SNAPSHOT"),
            Some(("parquet-mr", (1, 12, 0)))
        );
        assert_eq!(writer_version("DuckDB"), None);
    }
}
