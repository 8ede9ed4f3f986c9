//! Writers with a known, published bug that stored wrong values, counts or statistics, and
//! the symptoms by which a run recognises a writer's fault. Two uses:
//!
//! - an entry whose bug this tool cannot observe in the data (statistics in the wrong order,
//!   booleans padded between batches) is named as a file-level `advisory` when `created_by`
//!   names an affected version and a checked column has the affected type;
//! - an entry tied to a [`Symptom`] is named by the diagnosis when the run observes that
//!   symptom and `created_by` names an affected writer version: the fault is the writer's, and
//!   the report says which writer, which version, and which bug ([`WriterBlame`]).
//!
//! Small on purpose: each entry is sourced, and only entries whose affected writer and
//! versions are stated by their source are here. A symptom that is the writer's fault whatever
//! the writer (a stored value its logical type cannot hold) is blamed on the writer even when
//! no entry matches; the report then names no bug.

use crate::columns::CheckedColumn;
use crate::decode::PageInfo;
use crate::decode::{DecodeOptions, PageAnomaly};
use crate::quirks::WriterVersion;
use crate::raw::error::RawError;
use crate::raw::metadata::FileMetaData;
use crate::raw::RawFile;
use crate::report::{Finding, FindingKind};
pub use crate::report::{Symptom, WriterBlame};
use crate::source::ByteSource;
use crate::value::PhysicalType;

/// A writer version: major, minor, patch.
pub type Version = (u32, u32, u32);

/// When an advisory is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// As a file-level advisory when a checked column has this physical type: the bug leaves
    /// nothing this tool can observe.
    ColumnType(PhysicalType),
    /// As a file-level advisory when a checked column of this physical type carries min/max
    /// statistics in some row group: the bug is in statistics, so a column without them is
    /// not touched by it.
    Bounds(PhysicalType),
    /// By the diagnosis, when the run observes this symptom.
    Symptom(Symptom),
}

/// A published writer bug.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Advisory {
    /// The identifier.
    pub id: &'static str,
    /// The application names as `created_by` spells them, before " version ".
    pub writers: &'static [&'static str],
    /// The first affected version, as the source states it.
    pub first: Version,
    /// The first version without the bug; `None` when the source states no fixed release.
    pub fixed_in: Option<Version>,
    /// The parquet-mr object model the bug is in, when it is in one: a file whose footer
    /// names another (`writer.model.name`) does not have it.
    pub object_model: Option<&'static str>,
    /// When it is named.
    pub trigger: Trigger,
    /// What went wrong, in one sentence.
    pub effect: &'static str,
    /// Where it is published.
    pub source: &'static str,
}

impl Advisory {
    /// True when `writer` at `version` has the bug.
    pub fn affects(&self, writer: &str, version: Version) -> bool {
        self.writers.contains(&writer)
            && version >= self.first
            && self.fixed_in.is_none_or(|fixed| version < fixed)
    }

    /// True when the file's writer, as its footer names it, has the bug.
    fn affects_file(&self, file: Writer<'_>) -> bool {
        let model_fits = match (self.object_model, file.object_model) {
            (Some(model), Some(named)) => model == named,
            // A footer that names no model may come from any (older parquet-mr names none).
            _ => true,
        };
        model_fits
            && file
                .created_by
                .and_then(writer_version)
                .is_some_and(|(writer, version)| self.affects(writer, version))
    }
}

/// The footer's key naming parquet-mr's object model (`example`, `avro`, `protobuf`, …).
pub const OBJECT_MODEL_KEY: &str = "writer.model.name";

/// Who wrote a file, as its footer says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Writer<'a> {
    /// `created_by`.
    pub created_by: Option<&'a str>,
    /// The parquet-mr object model (`writer.model.name`), when the footer names one.
    pub object_model: Option<&'a str>,
}

impl<'a> Writer<'a> {
    /// The writer a footer names.
    pub fn of(metadata: &'a FileMetaData) -> Self {
        Self {
            created_by: metadata.created_by.as_deref(),
            object_model: object_model(metadata),
        }
    }
}

/// The parquet-mr object model a footer names.
pub fn object_model(metadata: &FileMetaData) -> Option<&str> {
    metadata
        .key_value_metadata
        .iter()
        .find(|(key, _)| key == OBJECT_MODEL_KEY)
        .and_then(|(_, value)| value.as_deref())
}

/// The advisories known to labelcheck.
pub const ADVISORIES: &[Advisory] = &[
    Advisory {
        id: "PARQUET-251",
        writers: &["parquet-mr"],
        first: (0, 0, 0),
        fixed_in: Some((1, 8, 0)),
        object_model: None,
        trigger: Trigger::Bounds(PhysicalType::ByteArray),
        effect: "min/max statistics of binary columns were computed with a signed byte order, so they can leave out values and engines that prune by them skip matching rows",
        source: "https://issues.apache.org/jira/browse/PARQUET-251",
    },
    Advisory {
        id: "apache/parquet-java#2009",
        writers: &["parquet-cpp"],
        first: (0, 0, 0),
        fixed_in: Some((1, 0, 0)),
        object_model: None,
        trigger: Trigger::ColumnType(PhysicalType::Boolean),
        effect: "booleans written in batches whose sizes were not multiples of 8 were bit-packed with padding between batches, so the values after it were stored wrong",
        source: "https://github.com/apache/parquet-java/issues/2009",
    },
    Advisory {
        id: "apache/parquet-java#3142",
        writers: &["parquet-mr", "parquet-java"],
        first: (0, 0, 0),
        fixed_in: None,
        object_model: Some("example"),
        trigger: Trigger::Symptom(Symptom::UnsignedValueOutOfRange),
        effect: "the example object model (ExampleParquetWriter, used by Drill's, Spark's and Comet's tests) writes uint_8 and uint_16 values outside their annotation without complaint",
        source: "https://github.com/apache/parquet-java/issues/3142",
    },
    Advisory {
        id: "apache/arrow#34086",
        writers: &["parquet-cpp", "parquet-cpp-arrow"],
        first: (0, 0, 0),
        fixed_in: Some((12, 0, 0)),
        object_model: None,
        trigger: Trigger::Symptom(Symptom::V2NumRowsCountsValues),
        effect: "DATA_PAGE_V2 headers carried num_values as num_rows, so a repeated column's pages declare more rows than they hold (fixed by apache/arrow#34096)",
        source: "https://github.com/apache/arrow/issues/34086",
    },
    Advisory {
        id: "apache/arrow#34326",
        writers: &["parquet-cpp", "parquet-cpp-arrow"],
        first: (0, 0, 0),
        fixed_in: Some((12, 0, 0)),
        object_model: None,
        trigger: Trigger::Symptom(Symptom::V2NumNullsZero),
        effect: "DATA_PAGE_V2 num_nulls was taken from page statistics, so with statistics disabled pages declare 0 nulls whatever they hold (fixed by apache/arrow#34327)",
        source: "https://github.com/apache/arrow/issues/34326",
    },
    Advisory {
        id: "apache/arrow-rs#2185",
        writers: &["parquet-rs"],
        first: (0, 0, 0),
        fixed_in: Some((20, 0, 0)),
        object_model: None,
        trigger: Trigger::Symptom(Symptom::V2NumNullsZero),
        effect: "with statistics disabled (EnabledStatistics::None) nulls were not counted, so DATA_PAGE_V2 headers declare 0 nulls (fixed in 20.0.0 by apache/arrow-rs#2191)",
        source: "https://github.com/apache/arrow-rs/issues/2185",
    },
    Advisory {
        id: "apache/parquet-java#3585",
        writers: &["parquet-mr", "parquet-java"],
        first: (0, 0, 0),
        // hardwood-hq/hardwood#1225 states the fix (apache/parquet-java#3586) shipped in 1.18.0.
        fixed_in: Some((1, 18, 0)),
        object_model: None,
        trigger: Trigger::Symptom(Symptom::V2NumNullsNegative),
        effect: "a column whose statistics are disabled gets DATA_PAGE_V2 num_nulls -1, the no-op statistics' null count, whatever the page holds",
        source: "https://github.com/apache/parquet-java/issues/3585",
    },
    Advisory {
        id: "ARROW-10353",
        // parquet-cpp's reader applies its workaround (ARROW-17100, apache/arrow#13665) to
        // "parquet-cpp" before 2.0.0; from Arrow 3.0 the writer names itself
        // "parquet-cpp-arrow" and is fixed.
        writers: &["parquet-cpp"],
        first: (0, 0, 0),
        fixed_in: Some((2, 0, 0)),
        object_model: None,
        trigger: Trigger::Symptom(Symptom::V2CompressedFlaggedUncompressed),
        effect: "DATA_PAGE_V2 pages were written with is_compressed = false while their values were compressed; parquet-cpp's reader decompresses them anyway for this writer (ARROW-17100)",
        source: "https://issues.apache.org/jira/browse/ARROW-10353",
    },
    Advisory {
        id: "apache/arrow-rs#5338",
        writers: &["parquet-rs"],
        first: (0, 0, 0),
        fixed_in: None,
        object_model: None,
        trigger: Trigger::Symptom(Symptom::BitPackedLevelsLsbFirst),
        effect: "the deprecated BIT_PACKED level encoding was written and read with the RLE hybrid's LSB-first bit order instead of the MSB-first order the format specifies (deprecated in apache/arrow-rs#5348)",
        source: "https://github.com/apache/arrow-rs/issues/5338",
    },
];

/// The writer and version a `created_by` string names (`"parquet-mr version 1.6.0 (build …)"`),
/// parsed as the quirks parse it; `None` unless it states a version. A bug is claimed only for
/// a version the file states, where a quirk is worked around for a bare name too (as
/// parquet-cpp does, reading it as 0.0.0).
pub fn writer_version(created_by: &str) -> Option<(&str, Version)> {
    let (_, stated) = created_by.split_once(" version ")?;
    if !stated
        .trim_start()
        .starts_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    WriterVersion::parse(created_by).map(|w| (w.application, w.version))
}

/// The writer-bug symptom a page anomaly shows, if any: a declared count of the shape a known
/// writer bug leaves (a repeated column's `num_rows` equal to the page's level entries; a
/// `num_nulls` of 0 over nulls), or a page decompressed despite its flag. The caller still
/// needs the writer and version to match.
pub fn symptom_of(anomaly: &PageAnomaly, page: &PageInfo, repeated: bool) -> Option<Symptom> {
    match *anomaly {
        PageAnomaly::NumRows { declared, decoded }
            if repeated && declared == page.num_values as i64 && decoded != page.num_values =>
        {
            Some(Symptom::V2NumRowsCountsValues)
        }
        PageAnomaly::NumNulls {
            declared: 0,
            decoded,
        } if decoded > 0 => Some(Symptom::V2NumNullsZero),
        PageAnomaly::NumNulls { declared, .. } if declared < 0 => Some(Symptom::V2NumNullsNegative),
        PageAnomaly::DecompressedDespiteFlag => Some(Symptom::V2CompressedFlaggedUncompressed),
        _ => None,
    }
}

// `WriterBlame` is report vocabulary (crate::report); which bug it names is decided here.
impl WriterBlame {
    /// The blame for `symptom` in a file written by `file`: the matching advisory, if any,
    /// names the bug; without one the writer is still named, and no bug is claimed.
    pub fn new(file: Writer<'_>, symptom: Symptom) -> Self {
        let created_by = file.created_by;
        let parsed = created_by.and_then(writer_version);
        let advisory = ADVISORIES
            .iter()
            .find(|a| a.trigger == Trigger::Symptom(symptom) && a.affects_file(file));
        let (writer, version) = match (parsed, created_by) {
            (Some((writer, (major, minor, patch))), _) => (
                Some(writer.to_owned()),
                Some(format!("{major}.{minor}.{patch}")),
            ),
            (None, Some(created_by)) => (Some(created_by.trim().to_owned()), None),
            (None, None) => (None, None),
        };
        Self {
            writer,
            version,
            object_model: file.object_model.map(str::to_owned),
            symptom,
            bug: advisory.map(|a| a.id.to_owned()),
            source: advisory.map(|a| a.source.to_owned()),
        }
    }

    /// Only when a published bug matches the writer, its version and the symptom: a symptom
    /// that may have other causes is blamed on the writer only then.
    pub fn known(file: Writer<'_>, symptom: Symptom) -> Option<Self> {
        Some(Self::new(file, symptom)).filter(|b| b.bug.is_some())
    }
}

/// Findings for the advisories that apply to a file written by `created_by` and that no
/// observation can confirm (statistics order, padding the values already hide);
/// `has_bounds(leaf)` says whether a leaf's chunks carry min/max statistics.
pub fn check(
    created_by: Option<&str>,
    columns: &[CheckedColumn],
    has_bounds: impl Fn(usize) -> bool,
) -> Vec<Finding> {
    let Some((writer, version)) = created_by.and_then(writer_version) else {
        return Vec::new();
    };
    ADVISORIES
        .iter()
        .filter(|a| a.affects(writer, version))
        .filter_map(|a| {
            let (physical_type, bounds) = match a.trigger {
                Trigger::ColumnType(physical_type) => (physical_type, false),
                Trigger::Bounds(physical_type) => (physical_type, true),
                Trigger::Symptom(_) => return None,
            };
            let affected: Vec<&str> = columns
                .iter()
                .filter(|c| c.physical == physical_type && (!bounds || has_bounds(c.leaf)))
                .map(|c| c.name.as_str())
                .collect();
            (!affected.is_empty()).then(|| {
                let fixed = a.fixed_in.map_or_else(String::new, |(major, minor, patch)| {
                    format!(", before {major}.{minor}.{patch},")
                });
                Finding::about_file(
                    FindingKind::Advisory,
                    format!(
                        "{} ({}): this file was written by {writer} {}.{}.{}{fixed} in which {}; affected columns: {}",
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

/// Opens `source` through the raw decoder with the workarounds its writer calls for: a writer
/// bug that parquet-cpp's reader works around is worked around here too.
pub fn open_raw(
    source: std::sync::Arc<dyn ByteSource>,
    decode: DecodeOptions,
) -> Result<RawFile, RawError> {
    RawFile::open(source, decode).map(|mut raw| {
        let writer = Writer::of(raw.metadata());
        if WriterBlame::known(writer, Symptom::V2CompressedFlaggedUncompressed).is_some() {
            raw.decompress_v2_pages_flagged_uncompressed();
        }
        raw
    })
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

    #[test]
    fn a_bug_is_named_only_for_an_affected_writer_version() {
        let by = |created_by| Writer {
            created_by: Some(created_by),
            object_model: None,
        };
        let old = WriterBlame::new(
            by("parquet-cpp-arrow version 10.0.1"),
            Symptom::V2NumNullsZero,
        );
        assert_eq!(old.bug.as_deref(), Some("apache/arrow#34326"));
        assert_eq!(old.writer.as_deref(), Some("parquet-cpp-arrow"));
        assert_eq!(old.version.as_deref(), Some("10.0.1"));
        let fixed = WriterBlame::new(
            by("parquet-cpp-arrow version 12.0.0"),
            Symptom::V2NumNullsZero,
        );
        assert_eq!(fixed.bug, None);
        assert_eq!(
            WriterBlame::known(
                by("parquet-cpp-arrow version 12.0.0"),
                Symptom::V2NumNullsZero
            ),
            None
        );
        let other = WriterBlame::new(by("parquet-mr version 1.8.1"), Symptom::V2NumNullsZero);
        assert_eq!(other.bug, None);
    }

    #[test]
    fn a_writer_without_a_version_is_still_named() {
        let blame = WriterBlame::new(
            Writer {
                created_by: Some("DuckDB"),
                object_model: None,
            },
            Symptom::SignedValueOutOfRange,
        );
        assert_eq!(
            blame.to_string(),
            "the writer (DuckDB) stored a value its logical type cannot hold: a writer fault"
        );
        let nobody = WriterBlame::new(Writer::default(), Symptom::SignedValueOutOfRange);
        assert_eq!(nobody.who(), "the writer");
    }

    #[test]
    fn a_bug_of_one_object_model_is_not_claimed_for_another() {
        let written = |object_model| Writer {
            created_by: Some("parquet-mr version 1.10.0 (build x)"),
            object_model,
        };
        let bug = |object_model| {
            WriterBlame::new(written(object_model), Symptom::UnsignedValueOutOfRange).bug
        };
        let bug = |object_model| bug(object_model).unwrap_or_default();
        assert_eq!(bug(Some("example")), "apache/parquet-java#3142");
        assert_eq!(bug(None), "apache/parquet-java#3142");
        assert_eq!(bug(Some("avro")), "");
    }

    #[test]
    fn every_symptom_entry_is_sourced() {
        for a in ADVISORIES {
            assert!(a.source.starts_with("https://"), "{}", a.id);
            assert!(!a.writers.is_empty(), "{}", a.id);
            assert!(a.fixed_in.is_none_or(|fixed| fixed > a.first), "{}", a.id);
        }
    }
}
