//! The report's vocabulary for what the evidence points to: a mismatch's [`Fault`], the
//! [`Pattern`]s found in a column's mismatches, and the writer a fault is blamed on
//! ([`WriterBlame`], with its [`Symptom`]). These are words of the report, read back as well
//! as written; [`crate::diagnosis`] and [`crate::advisories`] decide which apply.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What the evidence for a mismatch points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// The two decoders disagree: one of the readers is wrong.
    Reader,
    /// The page's checksum fails: its bytes changed after they were written.
    AtRest,
    /// The writer stored wrong values: both decoders agree and the labels as handed to the
    /// writer (`--against-source`) differ, or the stored value is one its logical type cannot
    /// hold, or the writer has a published bug with this symptom.
    Writer,
    /// Both decoders agree and another reader's export of the file (`--against-export`)
    /// differs: that reader misread the file.
    DumpReader,
    /// Both decoders agree and a dump of unstated origin (`--against`) differs: the writer
    /// (or the pipeline before it) if the dump holds the labels as handed to it, the reader
    /// that made the dump if it was exported from this file.
    WriterOrDumpReader,
    /// Both decoders agree and the old version (`--against OLD.parquet`) holds another row:
    /// not a fault of any reader or writer, a change between the versions to review.
    Change,
}

impl Fault {
    /// The name used in reports, as in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::Reader => "reader",
            Self::AtRest => "at_rest",
            Self::Writer => "writer",
            Self::DumpReader => "dump_reader",
            Self::WriterOrDumpReader => "writer_or_dump_reader",
            Self::Change => "change",
        }
    }
}

/// A pattern found in a column's mismatches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatternKind {
    /// All within the first 8 values of a page.
    PageStart,
    /// All within the last 8 values of a page.
    PageEnd,
    /// All within 8 rows of a row-group boundary.
    RowGroupBoundary,
    /// All on pages whose value count is not a multiple of 8.
    PagesNotMultipleOfEight,
    /// All booleans wrong the same way.
    OneDirection,
    /// All on dictionary-encoded pages.
    DictionaryPagesOnly,
    /// All on PLAIN pages.
    PlainPagesOnly,
    /// All on PLAIN pages after the chunk's dictionary fell back.
    AfterDictionaryFallback,
    /// All inside one page.
    OnePage,
    /// Spread over most of the pages.
    Uniform,
    /// All on pages whose levels use the deprecated BIT_PACKED encoding.
    BitPackedLevels,
    /// What the evidence points to, when it points one way; for a dump's differences,
    /// whenever there are some.
    Evidence,
    /// All lists empty on one side and null on the other (nested columns).
    EmptyNullSwap,
    /// All at the first or last element of a list, or lists that agree but for elements at
    /// one end (nested columns).
    ListBoundary,
    /// All rows that begin on one page and continue on the next (nested columns).
    RowAcrossPages,
}

/// A pattern with the numbers it rests on and what it suggests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pattern {
    /// Which pattern.
    pub pattern: PatternKind,
    /// Mismatches that fit it.
    pub matching: u64,
    /// Mismatches in all.
    pub of: u64,
    /// One or two sentences: the numbers, then what they suggest.
    pub message: String,
    /// The writer fault the evidence points to, with the writer and the published bug.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub writer: Option<WriterBlame>,
    /// What the pattern's mismatches point to, when they all point one way: set on the
    /// patterns of nested columns' levels, whose message names the suspect by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
}

/// What a writer bug leaves in a file, as a run observes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Symptom {
    /// A stored integer outside the range of its unsigned annotation (UINT_8, INT(16, false)).
    UnsignedValueOutOfRange,
    /// A stored integer outside the range of its signed annotation (INT_8, INT(16, true)).
    SignedValueOutOfRange,
    /// A DATA_PAGE_V2 header of a repeated column declares as `num_rows` its level entries
    /// (`num_values`), not its rows.
    V2NumRowsCountsValues,
    /// A DATA_PAGE_V2 header declares `num_nulls` 0 though its levels hold nulls.
    V2NumNullsZero,
    /// A DATA_PAGE_V2 header declares a negative `num_nulls`.
    V2NumNullsNegative,
    /// A DATA_PAGE_V2 page flagged `is_compressed = false` whose values are compressed.
    V2CompressedFlaggedUncompressed,
    /// Deprecated BIT_PACKED levels packed least significant bit first, where the format
    /// packs them most significant bit first.
    BitPackedLevelsLsbFirst,
}

impl Symptom {
    /// What the writer did, in a few words, for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Self::UnsignedValueOutOfRange | Self::SignedValueOutOfRange => {
                "stored a value its logical type cannot hold"
            }
            Self::V2NumRowsCountsValues => {
                "wrote the page's value count as its num_rows in a repeated column"
            }
            Self::V2NumNullsZero => "wrote num_nulls 0 in a page that holds nulls",
            Self::V2NumNullsNegative => "wrote a negative num_nulls in a DATA_PAGE_V2 header",
            Self::V2CompressedFlaggedUncompressed => {
                "flagged a compressed DATA_PAGE_V2 page as uncompressed"
            }
            Self::BitPackedLevelsLsbFirst => "packed BIT_PACKED levels least significant bit first",
        }
    }
}

/// A writer fault the run observed: who wrote the file, what it did, and the published bug
/// when one matches the writer, its version and the symptom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriterBlame {
    /// The application `created_by` names, or the whole `created_by` when it names no
    /// version; `None` when the footer names no writer.
    pub writer: Option<String>,
    /// Its version as `created_by` states it (`"1.8.1"`), when it states one.
    pub version: Option<String>,
    /// The parquet-mr object model the footer names (`writer.model.name`), if any.
    pub object_model: Option<String>,
    /// What the writer did.
    pub symptom: Symptom,
    /// The published bug's identifier, when one matches.
    pub bug: Option<String>,
    /// Where that bug is published.
    pub source: Option<String>,
}

impl WriterBlame {
    /// "the writer (parquet-mr 1.10.0, object model example)", or "the writer" when the
    /// footer names none.
    pub fn who(&self) -> String {
        let model = self
            .object_model
            .as_ref()
            .map_or_else(String::new, |m| format!(", object model {m}"));
        match (&self.writer, &self.version) {
            (Some(writer), Some(version)) => format!("the writer ({writer} {version}{model})"),
            (Some(writer), None) => format!("the writer ({writer}{model})"),
            _ => "the writer".to_owned(),
        }
    }

    /// "a writer fault (apache/arrow#34086, https://…)", or "a writer fault" without a bug.
    pub fn verdict(&self) -> String {
        match (&self.bug, &self.source) {
            (Some(bug), Some(source)) => format!("a writer fault ({bug}, {source})"),
            _ => "a writer fault".to_owned(),
        }
    }
}

impl fmt::Display for WriterBlame {
    /// "the writer (parquet-cpp-arrow 10.0.1) wrote num_nulls 0 in a page that holds nulls: a
    /// writer fault (apache/arrow#34326, https://…)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.who(),
            self.symptom.describe(),
            self.verdict()
        )
    }
}
