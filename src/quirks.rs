//! Writer quirks: habits of particular writers that break the letter of the format in a way
//! the established readers (parquet-cpp, parquet-java) recognise and work around. Both
//! decoders apply the same workaround, so the check goes on, and the report says so in a
//! `quirk` finding naming the quirk and where it is documented — never a failure.
//!
//! This module is shared by both paths and the screen: it knows no decoder.

/// A writer habit recognised and worked around.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quirk {
    /// parquet-mr before 1.2.9 left the dictionary page's header out of the chunk's
    /// `total_compressed_size`, so the last page runs past the declared range.
    DictionaryOutsideChunkSize,
    /// Every page CRC of the chunk is 0 and none matches: a writer that fills the field
    /// without computing it.
    CrcPlaceholder,
    /// `dictionary_page_offset` is set but does not lie before the data pages (a writer
    /// stores 0 there): the chunk starts at `data_page_offset`.
    DictionaryOffsetNotBeforeData,
    /// The chunk's declared range holds bytes after the page that completes its
    /// `num_values` (a SQL engine pads its chunks): no reader reads them.
    BytesAfterLastPage,
    /// A ColumnIndex without its required `null_pages` or `boundary_order` (parquet.js writes
    /// them so): the column index is ignored, as parquet-java ignores one it cannot read.
    ColumnIndexWithoutRequiredFields,
}

impl Quirk {
    /// The quirk's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::DictionaryOutsideChunkSize => "PARQUET-816",
            Self::CrcPlaceholder => "CRC placeholder",
            Self::DictionaryOffsetNotBeforeData => "dictionary_page_offset not before the data",
            Self::BytesAfterLastPage => "bytes after the last page",
            Self::ColumnIndexWithoutRequiredFields => "ColumnIndex without required fields",
        }
    }

    /// What the writer did and what was done about it, with the source.
    pub fn explain(self) -> &'static str {
        match self {
            Self::DictionaryOutsideChunkSize => "parquet-mr before 1.2.9 left the dictionary page header out of total_compressed_size; the chunk's range was extended by up to 100 bytes, as parquet-cpp does (kMaxDictHeaderSize in cpp/src/parquet/file_reader.cc; https://issues.apache.org/jira/browse/PARQUET-816)",
            Self::CrcPlaceholder => "every page CRC in the chunk is 0 and none matches its page: the writer stores 0 as a placeholder instead of a checksum (Parquet.jl writes `crc = 0`, src/writer.jl); the pages are read as unchecked, which is what parquet-cpp and parquet-java do by default (they verify no CRC unless asked)",
            Self::DictionaryOffsetNotBeforeData => "dictionary_page_offset is set but does not lie before data_page_offset; the chunk is read from data_page_offset, as parquet-cpp and parquet-java do (they use a dictionary_page_offset only when it is > 0 and precedes the data: ComputeColumnChunkRange in cpp/src/parquet/file_reader.cc, ColumnChunkMetaData.getStartingPos in parquet-java)",
            Self::BytesAfterLastPage => "the chunk's range holds bytes after the page that completes its num_values; both decoders stop there, as parquet-cpp (SerializedPageReader::NextPage reads while seen values < the chunk's num_values) and parquet-java (ParquetFileReader's hasMorePages) do, so those bytes are read by no reader",
            Self::ColumnIndexWithoutRequiredFields => "the chunk's ColumnIndex lacks null_pages or boundary_order, which parquet.thrift requires (parquet.js, LibertyDSNP/parquetjs, writes it so); the column index is ignored and the offset index still checked, as parquet-java reads such a file: it logs \"Unable to read column index\" and filters without the column index (ColumnIndexStoreImpl)",
        }
    }
}

impl std::fmt::Display for Quirk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "writer quirk {}: {}", self.name(), self.explain())
    }
}

/// The most bytes a chunk's range is extended by for PARQUET-816: parquet-cpp's
/// `kMaxDictHeaderSize`, the most a dictionary page header takes.
pub const DICTIONARY_HEADER_PADDING: u64 = 100;

/// A writer as `created_by` names it, parsed as parquet-cpp's `ApplicationVersion` parses it:
/// `NAME`, `NAME version X`, `NAME version X.Y.Z…` with anything after the numbers ignored; a
/// name without a version is version 0.0.0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterVersion<'a> {
    /// The application's name.
    pub application: &'a str,
    /// Major, minor and patch.
    pub version: (u32, u32, u32),
}

impl<'a> WriterVersion<'a> {
    /// Parses `created_by`; `None` when it is empty.
    pub fn parse(created_by: &'a str) -> Option<Self> {
        let created_by = created_by.trim();
        let (application, rest) = match created_by.split_once(" version ") {
            Some((name, rest)) => (name.trim(), rest.trim_start()),
            None => (created_by, ""),
        };
        if application.is_empty() {
            return None;
        }
        // Digits up to the first character that is neither a digit nor a dot.
        let numbers = rest
            .split(|c: char| !c.is_ascii_digit() && c != '.')
            .next()
            .unwrap_or("");
        let mut parts = numbers.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        let mut next = || parts.next().unwrap_or(0);
        let version = (next(), next(), next());
        Some(Self {
            application,
            version,
        })
    }

    /// True when this is `application` at a version before `fixed`: parquet-cpp's
    /// `VersionLt`, which is false for any other application.
    pub fn before(&self, application: &str, fixed: (u32, u32, u32)) -> bool {
        self.application == application && self.version < fixed
    }
}

/// True when chunks written by `created_by` may leave the dictionary page header out of
/// `total_compressed_size` (PARQUET-816): parquet-mr before 1.2.9, including a `created_by`
/// of just "parquet-mr". Without `created_by` parquet-cpp assumes no such writer.
pub fn dictionary_outside_chunk_size(created_by: Option<&str>) -> bool {
    created_by
        .and_then(WriterVersion::parse)
        .is_some_and(|w| w.before("parquet-mr", (1, 2, 9)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writers_parse_as_parquet_cpp_parses_them() {
        let w = WriterVersion::parse("parquet-mr version 1.2.8 (build abc)").unwrap();
        assert_eq!((w.application, w.version), ("parquet-mr", (1, 2, 8)));
        let w = WriterVersion::parse("parquet-mr").unwrap();
        assert_eq!((w.application, w.version), ("parquet-mr", (0, 0, 0)));
        let w = WriterVersion::parse("parquet-cpp-arrow version 14.0.1-SNAPSHOT").unwrap();
        assert_eq!(
            (w.application, w.version),
            ("parquet-cpp-arrow", (14, 0, 1))
        );
        let w = WriterVersion::parse("impala version 1.5").unwrap();
        assert_eq!(w.version, (1, 5, 0));
        assert!(WriterVersion::parse("  ").is_none());
    }

    #[test]
    fn parquet_816_applies_to_parquet_mr_before_1_2_9_only() {
        assert!(dictionary_outside_chunk_size(Some("parquet-mr")));
        assert!(dictionary_outside_chunk_size(Some(
            "parquet-mr version 1.2.8"
        )));
        assert!(!dictionary_outside_chunk_size(Some(
            "parquet-mr version 1.2.9"
        )));
        assert!(!dictionary_outside_chunk_size(Some(
            "parquet-mr version 1.12.0-databricks-0003 (build fd73)"
        )));
        assert!(!dictionary_outside_chunk_size(Some(
            "parquet-cpp version 1.0.0"
        )));
        assert!(!dictionary_outside_chunk_size(None));
    }
}
