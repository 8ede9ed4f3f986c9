//! What a file's metadata claims about one column chunk — the fourth witness. The raw path
//! reads these claims (footer statistics, the page index) alongside the pages; `witness`
//! checks them against the decoded values. Values are in their PLAIN encoding, as stored.

/// Chunk statistics (parquet.thrift `Statistics`, the `min_value`/`max_value` fields).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatisticsClaim {
    /// Nulls in the chunk.
    pub null_count: Option<i64>,
    /// Smallest value, PLAIN-encoded (byte arrays without their length).
    pub min: Option<Vec<u8>>,
    /// Largest value.
    pub max: Option<Vec<u8>>,
    /// `min` is the actual minimum, not a bound (absent: unknown).
    pub min_exact: Option<bool>,
    /// `max` is the actual maximum, not a bound.
    pub max_exact: Option<bool>,
    /// The deprecated `min` field, for files without `min_value`.
    pub legacy_min: Option<Vec<u8>>,
    /// The deprecated `max` field, for files without `max_value`.
    pub legacy_max: Option<Vec<u8>>,
}

/// One data page's entry in the page index (ColumnIndex and OffsetIndex).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageClaim {
    /// ColumnIndex `null_pages`: the page holds only nulls.
    pub null_page: Option<bool>,
    /// ColumnIndex `null_counts`.
    pub null_count: Option<i64>,
    /// ColumnIndex `min_values` (meaningless for a null page).
    pub min: Option<Vec<u8>>,
    /// ColumnIndex `max_values`.
    pub max: Option<Vec<u8>>,
    /// OffsetIndex: file offset of the page header.
    pub offset: Option<i64>,
    /// OffsetIndex: the page's first row within the row group.
    pub first_row_index: Option<i64>,
}

/// Level histograms as the file states them (parquet.thrift `SizeStatistics`, or a
/// `ColumnIndex`'s `repetition_level_histograms`/`definition_level_histograms`): counts of
/// each level value 0..=max; in a column index, every page's histogram one after the other.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LevelHistogramsClaim {
    /// Repetition level counts, when written.
    pub repetition: Option<Vec<i64>>,
    /// Definition level counts, when written.
    pub definition: Option<Vec<i64>>,
}

/// Everything the metadata claims about a column chunk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChunkClaims {
    /// Footer statistics, when written.
    pub statistics: Option<StatisticsClaim>,
    /// Page index entries, one per data page, when written.
    pub pages: Option<Vec<PageClaim>>,
    /// Why the page index could not be read, if it could not.
    pub page_index_error: Option<String>,
    /// A writer's habit in the page index, worked around (the part it spoils is ignored).
    pub page_index_quirk: Option<crate::quirks::Quirk>,
    /// The chunk's level histograms (ColumnMetaData `size_statistics`), when written.
    pub level_histograms: Option<LevelHistogramsClaim>,
    /// The column index's per-page level histograms, concatenated, when written.
    pub page_level_histograms: Option<LevelHistogramsClaim>,
    /// The split block bloom filter's bitset, when the chunk has one.
    pub bloom_filter: Option<Vec<u8>>,
    /// Why the bloom filter could not be read, if it could not.
    pub bloom_filter_error: Option<String>,
}
