//! Typed Parquet footer, page header and page index structures, decoded with the compact reader.
//!
//! Field ids, types and requiredness follow apache/parquet-format `src/main/thrift/parquet.thrift`
//! (structs `FileMetaData`, `SchemaElement`, `RowGroup`, `ColumnChunk`, `ColumnMetaData`,
//! `Statistics`, `PageHeader`, `DataPageHeader`, `DictionaryPageHeader`, `DataPageHeaderV2`,
//! `OffsetIndex`, `ColumnIndex`) and the unions `LogicalType`, `TimeUnit` and `ColumnOrder`,
//! whose values are the format's vocabulary in [`crate::format`]. Unknown field ids are
//! skipped, as the Thrift spec allows, so files from newer writers still decode; a missing
//! `required` field is [`RawError::Invalid`] naming the struct and field.

use super::error::{RawError, RawResult};
use super::thrift::{CompactReader, FieldHeader, ThriftType};
use crate::format::{
    BoundaryOrder, Codec, ColumnOrder, ConvertedType, Encoding, LogicalType, PageType, Repetition,
    TimeUnit,
};
use crate::value::PhysicalType;

/// Decodes parquet.thrift `Type`; the set of physical types is closed, so an unknown value is
/// a corrupt file rather than a newer one.
pub fn physical_type_from_i32(value: i32) -> RawResult<PhysicalType> {
    Ok(match value {
        0 => PhysicalType::Boolean,
        1 => PhysicalType::Int32,
        2 => PhysicalType::Int64,
        3 => PhysicalType::Int96,
        4 => PhysicalType::Float,
        5 => PhysicalType::Double,
        6 => PhysicalType::ByteArray,
        7 => PhysicalType::FixedLenByteArray,
        other => return Err(RawError::invalid(format!("unknown physical type {other}"))),
    })
}

/// parquet.thrift `FileMetaData`: the footer.
#[derive(Clone, Debug, PartialEq)]
pub struct FileMetaData {
    /// `version` (1).
    pub version: i32,
    /// `schema` (2): the schema tree, flattened depth-first; the first element is the root.
    pub schema: Vec<SchemaElement>,
    /// `num_rows` (3).
    pub num_rows: i64,
    /// `row_groups` (4).
    pub row_groups: Vec<RowGroup>,
    /// `key_value_metadata` (5) as (key, value) pairs; empty when absent.
    pub key_value_metadata: Vec<(String, Option<String>)>,
    /// `created_by` (6).
    pub created_by: Option<String>,
    /// `column_orders` (7), one per leaf column, when written.
    pub column_orders: Option<Vec<ColumnOrder>>,
    /// True when `encryption_algorithm` (8) is set: an encrypted file with a plaintext footer.
    pub encryption_algorithm: bool,
}

/// parquet.thrift `SchemaElement`: one node of the schema tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaElement {
    /// `type` (1): set on leaves only.
    pub physical_type: Option<PhysicalType>,
    /// `type_length` (2): the width of FIXED_LEN_BYTE_ARRAY values.
    pub type_length: Option<i32>,
    /// `repetition_type` (3): absent on the root.
    pub repetition: Option<Repetition>,
    /// `name` (4).
    pub name: String,
    /// `num_children` (5): set on groups only.
    pub num_children: Option<i32>,
    /// `converted_type` (6).
    pub converted_type: Option<ConvertedType>,
    /// `scale` (7), for DECIMAL.
    pub scale: Option<i32>,
    /// `precision` (8), for DECIMAL.
    pub precision: Option<i32>,
    /// `field_id` (9).
    pub field_id: Option<i32>,
    /// `logicalType` (10).
    pub logical_type: Option<LogicalType>,
}

/// parquet.thrift `RowGroup`.
#[derive(Clone, Debug, PartialEq)]
pub struct RowGroup {
    /// `columns` (1): one chunk per leaf column, in schema order.
    pub columns: Vec<ColumnChunk>,
    /// `total_byte_size` (2): uncompressed size of the column data.
    pub total_byte_size: i64,
    /// `num_rows` (3).
    pub num_rows: i64,
    /// `file_offset` (5): offset of the first page.
    pub file_offset: Option<i64>,
    /// `total_compressed_size` (6).
    pub total_compressed_size: Option<i64>,
    /// `ordinal` (7).
    pub ordinal: Option<i16>,
}

/// parquet.thrift `ColumnChunk`.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnChunk {
    /// `file_path` (1): set only for chunks stored in another file.
    pub file_path: Option<String>,
    /// `file_offset` (2): deprecated; the spec's default 0 when absent.
    pub file_offset: i64,
    /// `meta_data` (3): optional in the IDL, but every reader needs it.
    pub meta_data: Option<ColumnMetaData>,
    /// `offset_index_offset` (4).
    pub offset_index_offset: Option<i64>,
    /// `offset_index_length` (5).
    pub offset_index_length: Option<i32>,
    /// `column_index_offset` (6).
    pub column_index_offset: Option<i64>,
    /// `column_index_length` (7).
    pub column_index_length: Option<i32>,
    /// True when `crypto_metadata` (8) or `encrypted_column_metadata` (9) is set.
    pub encrypted: bool,
}

/// parquet.thrift `ColumnMetaData`.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnMetaData {
    /// `type` (1).
    pub physical_type: PhysicalType,
    /// `encodings` (2): every encoding used in the chunk.
    pub encodings: Vec<Encoding>,
    /// `path_in_schema` (3).
    pub path_in_schema: Vec<String>,
    /// `codec` (4).
    pub codec: Codec,
    /// `num_values` (5), nulls included.
    pub num_values: i64,
    /// `total_uncompressed_size` (6), page headers included.
    pub total_uncompressed_size: i64,
    /// `total_compressed_size` (7), page headers included.
    pub total_compressed_size: i64,
    /// `key_value_metadata` (8); empty when absent.
    pub key_value_metadata: Vec<(String, Option<String>)>,
    /// `data_page_offset` (9): offset of the first data page.
    pub data_page_offset: i64,
    /// `index_page_offset` (10).
    pub index_page_offset: Option<i64>,
    /// `dictionary_page_offset` (11).
    pub dictionary_page_offset: Option<i64>,
    /// `statistics` (12).
    pub statistics: Option<Statistics>,
    /// `encoding_stats` (13); empty when absent.
    pub encoding_stats: Vec<PageEncodingStats>,
    /// `bloom_filter_offset` (14).
    pub bloom_filter_offset: Option<i64>,
    /// `bloom_filter_length` (15).
    pub bloom_filter_length: Option<i32>,
    /// `size_statistics` (16).
    pub size_statistics: Option<SizeStatistics>,
}

/// parquet.thrift `SizeStatistics`: the chunk's unencoded byte array size and the histograms
/// of its repetition and definition levels. Every field is optional; a histogram, when
/// present, holds one count per level value 0..=max level (a writer may leave out the
/// histogram of a level whose maximum is 0). Lengths are not checked here: a wrong one is the
/// metadata witness's finding, not a reason to refuse the footer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SizeStatistics {
    /// `unencoded_byte_array_data_bytes` (1).
    pub unencoded_byte_array_data_bytes: Option<i64>,
    /// `repetition_level_histogram` (2).
    pub repetition_level_histogram: Option<Vec<i64>>,
    /// `definition_level_histogram` (3).
    pub definition_level_histogram: Option<Vec<i64>>,
}

/// parquet.thrift `Statistics`, of a column chunk or a page. Every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Statistics {
    /// `max` (1): deprecated, signed order.
    pub max: Option<Vec<u8>>,
    /// `min` (2): deprecated, signed order.
    pub min: Option<Vec<u8>>,
    /// `null_count` (3); absent is not zero.
    pub null_count: Option<i64>,
    /// `distinct_count` (4).
    pub distinct_count: Option<i64>,
    /// `max_value` (5), in the ColumnOrder.
    pub max_value: Option<Vec<u8>>,
    /// `min_value` (6), in the ColumnOrder.
    pub min_value: Option<Vec<u8>>,
    /// `is_max_value_exact` (7).
    pub is_max_value_exact: Option<bool>,
    /// `is_min_value_exact` (8).
    pub is_min_value_exact: Option<bool>,
    /// `nan_count` (9).
    pub nan_count: Option<i64>,
}

/// parquet.thrift `PageEncodingStats`: how many pages of a type use an encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageEncodingStats {
    /// `page_type` (1).
    pub page_type: PageType,
    /// `encoding` (2).
    pub encoding: Encoding,
    /// `count` (3).
    pub count: i32,
}

/// parquet.thrift `PageHeader`, which precedes every page.
#[derive(Clone, Debug, PartialEq)]
pub struct PageHeader {
    /// `type` (1): says which of the page-specific headers is set.
    pub page_type: PageType,
    /// `uncompressed_page_size` (2), header excluded.
    pub uncompressed_page_size: i32,
    /// `compressed_page_size` (3), header excluded: the bytes of page body that follow.
    pub compressed_page_size: i32,
    /// `crc` (4): CRC-32 of the page body as stored.
    pub crc: Option<i32>,
    /// `data_page_header` (5).
    pub data_page_header: Option<DataPageHeader>,
    /// `dictionary_page_header` (7).
    pub dictionary_page_header: Option<DictionaryPageHeader>,
    /// `data_page_header_v2` (8).
    pub data_page_header_v2: Option<DataPageHeaderV2>,
}

/// parquet.thrift `DataPageHeader` (v1 data page).
#[derive(Clone, Debug, PartialEq)]
pub struct DataPageHeader {
    /// `num_values` (1), nulls included.
    pub num_values: i32,
    /// `encoding` (2) of the values.
    pub encoding: Encoding,
    /// `definition_level_encoding` (3).
    pub definition_level_encoding: Encoding,
    /// `repetition_level_encoding` (4).
    pub repetition_level_encoding: Encoding,
    /// `statistics` (5).
    pub statistics: Option<Statistics>,
}

/// parquet.thrift `DictionaryPageHeader`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DictionaryPageHeader {
    /// `num_values` (1): entries in the dictionary.
    pub num_values: i32,
    /// `encoding` (2) of the entries.
    pub encoding: Encoding,
    /// `is_sorted` (3).
    pub is_sorted: Option<bool>,
}

/// parquet.thrift `DataPageHeaderV2`: levels stored uncompressed before the values.
#[derive(Clone, Debug, PartialEq)]
pub struct DataPageHeaderV2 {
    /// `num_values` (1), nulls included.
    pub num_values: i32,
    /// `num_nulls` (2).
    pub num_nulls: i32,
    /// `num_rows` (3).
    pub num_rows: i32,
    /// `encoding` (4) of the values.
    pub encoding: Encoding,
    /// `definition_levels_byte_length` (5).
    pub definition_levels_byte_length: i32,
    /// `repetition_levels_byte_length` (6).
    pub repetition_levels_byte_length: i32,
    /// `is_compressed` (7): true when absent, as the IDL's default says.
    pub is_compressed: bool,
    /// `statistics` (8).
    pub statistics: Option<Statistics>,
}

/// parquet.thrift `PageLocation`: where one data page of a chunk is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageLocation {
    /// `offset` (1) of the page header in the file.
    pub offset: i64,
    /// `compressed_page_size` (2), header included.
    pub compressed_page_size: i32,
    /// `first_row_index` (3) within the row group.
    pub first_row_index: i64,
}

/// parquet.thrift `OffsetIndex`: page locations of a column chunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffsetIndex {
    /// `page_locations` (1), by increasing offset.
    pub page_locations: Vec<PageLocation>,
    /// `unencoded_byte_array_data_bytes` (2), one per page.
    pub unencoded_byte_array_data_bytes: Option<Vec<i64>>,
}

/// parquet.thrift `ColumnIndex`: per-page statistics of a column chunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnIndex {
    /// `null_pages` (1): true for a page holding only nulls. Required, but `None` when a writer
    /// left it out (parquet.js does): the caller decides what the index is worth then.
    pub null_pages: Option<Vec<bool>>,
    /// `min_values` (2).
    pub min_values: Vec<Vec<u8>>,
    /// `max_values` (3).
    pub max_values: Vec<Vec<u8>>,
    /// `boundary_order` (4). Required, but `None` when a writer left it out (parquet.js).
    pub boundary_order: Option<BoundaryOrder>,
    /// `null_counts` (5).
    pub null_counts: Option<Vec<i64>>,
    /// `repetition_level_histograms` (6): every page's repetition level histogram, page after
    /// page (page i's is entries `i * (max + 1) .. (i + 1) * (max + 1)`).
    pub repetition_level_histograms: Option<Vec<i64>>,
    /// `definition_level_histograms` (7), laid out as the repetition ones.
    pub definition_level_histograms: Option<Vec<i64>>,
}

/// Decodes the footer's `FileMetaData`. Bytes after the struct are ignored: an encrypted file's
/// plaintext footer carries its signature there.
pub fn parse_file_metadata(bytes: &[u8]) -> RawResult<FileMetaData> {
    let mut reader = CompactReader::new(bytes)
        .with_collection_limit(MAX_FOOTER_COLLECTION)
        .with_budget(MAX_FOOTER_COLUMN_CHUNKS);
    read_file_metadata(&mut reader)
}

/// Most column chunks (row groups × columns) a footer may describe: each takes about 780 bytes
/// decoded on the raw path and 500 in the parquet crate, so this bounds the two footers at
/// about 5 GiB, however few bytes the chunks take on the wire; a million row groups of one
/// column, or a thousand of four thousand columns, fit.
pub const MAX_FOOTER_COLUMN_CHUNKS: usize = 1 << 22;

/// Most elements a list in the footer may hold (schema elements, row groups, column chunks
/// of a row group, ...): parquet-cpp's default `thrift_container_size_limit`, so a footer
/// that reader opens, this one opens too.
pub const MAX_FOOTER_COLLECTION: usize = 1_000_000;

/// Decodes a `PageHeader` at the start of `bytes`, returning it and its encoded length; the
/// page body starts right after.
pub fn parse_page_header(bytes: &[u8]) -> RawResult<(PageHeader, usize)> {
    let mut reader = CompactReader::new(bytes);
    let header = read_page_header(&mut reader)?;
    Ok((header, reader.position()))
}

/// Decodes an `OffsetIndex` from the bytes `ColumnChunk.offset_index_offset/length` locate.
pub fn parse_offset_index(bytes: &[u8]) -> RawResult<OffsetIndex> {
    read_offset_index(&mut CompactReader::new(bytes).with_collection_limit(MAX_FOOTER_COLLECTION))
}

/// Decodes a `ColumnIndex` from the bytes `ColumnChunk.column_index_offset/length` locate.
pub fn parse_column_index(bytes: &[u8]) -> RawResult<ColumnIndex> {
    read_column_index(&mut CompactReader::new(bytes).with_collection_limit(MAX_FOOTER_COLLECTION))
}

fn required<T>(value: Option<T>, struct_name: &str, field: &str, id: i16) -> RawResult<T> {
    value.ok_or_else(|| {
        RawError::invalid(format!(
            "{struct_name}: required field '{field}' ({id}) missing"
        ))
    })
}

/// Key-value metadata and `created_by` are informational and some writers put arbitrary bytes
/// there, so they are decoded lossily rather than failing the whole footer.
fn lossy_string(reader: &mut CompactReader<'_>, what: &'static str) -> RawResult<String> {
    Ok(String::from_utf8_lossy(reader.read_binary(what)?).into_owned())
}

fn lossy_string_field(
    reader: &mut CompactReader<'_>,
    field: &FieldHeader,
    what: &'static str,
) -> RawResult<String> {
    CompactReader::expect_type(field, ThriftType::Binary, what)?;
    lossy_string(reader, what)
}

fn binary_vec(
    reader: &mut CompactReader<'_>,
    field: &FieldHeader,
    what: &'static str,
) -> RawResult<Vec<u8>> {
    Ok(reader.binary_field(field, what)?.to_vec())
}

fn i64_list(
    reader: &mut CompactReader<'_>,
    field: &FieldHeader,
    what: &'static str,
) -> RawResult<Vec<i64>> {
    reader.list_field(field, what, ThriftType::I64, |r| r.read_i64(what))
}

fn read_file_metadata(reader: &mut CompactReader<'_>) -> RawResult<FileMetaData> {
    const S: &str = "FileMetaData";
    let mut version = None;
    let mut schema = None;
    let mut num_rows = None;
    let mut row_groups = None;
    let mut key_value_metadata = Vec::new();
    let mut created_by = None;
    let mut column_orders = None;
    let mut encryption_algorithm = false;
    reader.read_struct(|r, f| {
        match f.id {
            1 => version = Some(r.i32_field(f, "FileMetaData.version")?),
            2 => {
                schema = Some(r.list_field(
                    f,
                    "FileMetaData.schema",
                    ThriftType::Struct,
                    read_schema_element,
                )?)
            }
            3 => num_rows = Some(r.i64_field(f, "FileMetaData.num_rows")?),
            4 => {
                row_groups = Some(r.list_field(
                    f,
                    "FileMetaData.row_groups",
                    ThriftType::Struct,
                    read_row_group,
                )?)
            }
            5 => {
                key_value_metadata = r.list_field(
                    f,
                    "FileMetaData.key_value_metadata",
                    ThriftType::Struct,
                    read_key_value,
                )?
            }
            6 => created_by = Some(lossy_string_field(r, f, "FileMetaData.created_by")?),
            7 => {
                column_orders = Some(r.list_field(
                    f,
                    "FileMetaData.column_orders",
                    ThriftType::Struct,
                    read_column_order,
                )?)
            }
            8 => {
                CompactReader::struct_field(f, "FileMetaData.encryption_algorithm")?;
                encryption_algorithm = true;
                r.skip_field(f)?;
            }
            _ => r.skip_field(f)?,
        }
        Ok(())
    })?;
    Ok(FileMetaData {
        version: required(version, S, "version", 1)?,
        schema: required(schema, S, "schema", 2)?,
        num_rows: required(num_rows, S, "num_rows", 3)?,
        row_groups: required(row_groups, S, "row_groups", 4)?,
        key_value_metadata,
        created_by,
        column_orders,
        encryption_algorithm,
    })
}

/// parquet.thrift `KeyValue`.
fn read_key_value(reader: &mut CompactReader<'_>) -> RawResult<(String, Option<String>)> {
    let mut key = None;
    let mut value = None;
    reader.read_struct(|r, f| {
        match f.id {
            1 => key = Some(lossy_string_field(r, f, "KeyValue.key")?),
            2 => value = Some(lossy_string_field(r, f, "KeyValue.value")?),
            _ => r.skip_field(f)?,
        }
        Ok(())
    })?;
    Ok((required(key, "KeyValue", "key", 1)?, value))
}

fn read_column_order(reader: &mut CompactReader<'_>) -> RawResult<ColumnOrder> {
    let order = read_union(reader, "ColumnOrder", |r, f| {
        let order = match f.id {
            1 => ColumnOrder::TypeDefinedOrder,
            2 => ColumnOrder::Ieee754TotalOrder,
            3 => ColumnOrder::Int96TimestampOrder,
            other => ColumnOrder::Unknown(other),
        };
        // Every known member is an empty struct; skipping also steps over fields added later.
        r.skip_field(f)?;
        Ok(order)
    })?;
    // parquet-cpp (`FileMetaData::InitColumnOrders`) and parquet-java
    // (`ParquetMetadataConverter`) read a ColumnOrder without TYPE_ORDER as an undefined order.
    Ok(order.unwrap_or(ColumnOrder::Undefined))
}

/// Reads a Thrift union: a struct with at most one field set, as the Thrift spec says; `None`
/// when none is. Whether an empty union is acceptable depends on the union (see the callers).
fn read_union<T, F>(
    reader: &mut CompactReader<'_>,
    name: &'static str,
    mut member: F,
) -> RawResult<Option<T>>
where
    F: FnMut(&mut CompactReader<'_>, &FieldHeader) -> RawResult<T>,
{
    let mut value = None;
    let mut members = 0usize;
    reader.read_struct(|r, f| {
        // Counted once read: a member of the wrong wire type is skipped by `read_struct` as if
        // absent, as the generated union readers of Apache Thrift do.
        value = Some(member(r, f)?);
        members += 1;
        Ok(())
    })?;
    if members > 1 {
        return Err(RawError::invalid(format!(
            "{name}: union has {members} members set, at most one is allowed"
        )));
    }
    Ok(value)
}

/// A union that must have a member: every Parquet union but `ColumnOrder` is meaningless
/// empty, and parquet-cpp refuses an empty `LogicalType`.
fn one_member<T>(value: Option<T>, name: &str) -> RawResult<T> {
    value.ok_or_else(|| RawError::invalid(format!("{name}: union has no member set")))
}

fn read_schema_element(reader: &mut CompactReader<'_>) -> RawResult<SchemaElement> {
    let mut element = SchemaElement {
        physical_type: None,
        type_length: None,
        repetition: None,
        name: String::new(),
        num_children: None,
        converted_type: None,
        scale: None,
        precision: None,
        field_id: None,
        logical_type: None,
    };
    let mut name = None;
    reader.read_struct(|r, f| {
        match f.id {
            1 => {
                let value = r.i32_field(f, "SchemaElement.type")?;
                element.physical_type = Some(physical_type_from_i32(value).map_err(|_| {
                    RawError::invalid(format!("SchemaElement.type: unknown physical type {value}"))
                })?);
            }
            2 => element.type_length = Some(r.i32_field(f, "SchemaElement.type_length")?),
            3 => {
                element.repetition = Some(Repetition::from_i32(
                    r.i32_field(f, "SchemaElement.repetition_type")?,
                ))
            }
            4 => name = Some(r.string_field(f, "SchemaElement.name")?),
            5 => element.num_children = Some(r.i32_field(f, "SchemaElement.num_children")?),
            6 => {
                element.converted_type = Some(ConvertedType::from_i32(
                    r.i32_field(f, "SchemaElement.converted_type")?,
                ))
            }
            7 => element.scale = Some(r.i32_field(f, "SchemaElement.scale")?),
            8 => element.precision = Some(r.i32_field(f, "SchemaElement.precision")?),
            9 => element.field_id = Some(r.i32_field(f, "SchemaElement.field_id")?),
            10 => {
                CompactReader::struct_field(f, "SchemaElement.logicalType")?;
                element.logical_type = Some(read_logical_type(r)?);
            }
            _ => r.skip_field(f)?,
        }
        Ok(())
    })?;
    element.name = required(name, "SchemaElement", "name", 4)?;
    Ok(element)
}

fn read_logical_type(reader: &mut CompactReader<'_>) -> RawResult<LogicalType> {
    let logical_type = read_union(reader, "LogicalType", |r, f| {
        let simple = match f.id {
            1 => Some(LogicalType::String),
            2 => Some(LogicalType::Map),
            3 => Some(LogicalType::List),
            4 => Some(LogicalType::Enum),
            6 => Some(LogicalType::Date),
            11 => Some(LogicalType::Unknown),
            12 => Some(LogicalType::Json),
            13 => Some(LogicalType::Bson),
            14 => Some(LogicalType::Uuid),
            15 => Some(LogicalType::Float16),
            // VARIANT, GEOMETRY and GEOGRAPHY carry optional details (specification version,
            // CRS, edge algorithm) that decoding values does not need.
            16 => Some(LogicalType::Variant),
            17 => Some(LogicalType::Geometry),
            18 => Some(LogicalType::Geography),
            _ => None,
        };
        if let Some(simple) = simple {
            CompactReader::struct_field(f, "LogicalType member")?;
            r.skip_field(f)?;
            return Ok(simple);
        }
        match f.id {
            5 => {
                CompactReader::struct_field(f, "LogicalType.DECIMAL")?;
                read_decimal_type(r)
            }
            7 => {
                CompactReader::struct_field(f, "LogicalType.TIME")?;
                let (is_adjusted_to_utc, unit) = read_time_like(r, "TimeType")?;
                Ok(LogicalType::Time {
                    is_adjusted_to_utc,
                    unit,
                })
            }
            8 => {
                CompactReader::struct_field(f, "LogicalType.TIMESTAMP")?;
                let (is_adjusted_to_utc, unit) = read_time_like(r, "TimestampType")?;
                Ok(LogicalType::Timestamp {
                    is_adjusted_to_utc,
                    unit,
                })
            }
            10 => {
                CompactReader::struct_field(f, "LogicalType.INTEGER")?;
                read_int_type(r)
            }
            other => {
                r.skip_field(f)?;
                Ok(LogicalType::Other(other))
            }
        }
    })?;
    one_member(logical_type, "LogicalType")
}

/// parquet.thrift `DecimalType`.
fn read_decimal_type(reader: &mut CompactReader<'_>) -> RawResult<LogicalType> {
    let mut scale = None;
    let mut precision = None;
    reader.read_struct(|r, f| {
        match f.id {
            1 => scale = Some(r.i32_field(f, "DecimalType.scale")?),
            2 => precision = Some(r.i32_field(f, "DecimalType.precision")?),
            _ => r.skip_field(f)?,
        }
        Ok(())
    })?;
    Ok(LogicalType::Decimal {
        scale: required(scale, "DecimalType", "scale", 1)?,
        precision: required(precision, "DecimalType", "precision", 2)?,
    })
}

/// parquet.thrift `TimeType` and `TimestampType`, which share their fields.
fn read_time_like(
    reader: &mut CompactReader<'_>,
    struct_name: &'static str,
) -> RawResult<(bool, TimeUnit)> {
    let mut is_adjusted_to_utc = None;
    let mut unit = None;
    reader.read_struct(|r, f| {
        match f.id {
            1 => is_adjusted_to_utc = Some(CompactReader::bool_field(f, "isAdjustedToUTC")?),
            2 => {
                CompactReader::struct_field(f, "unit")?;
                let union = read_union(r, "TimeUnit", |r, f| {
                    let unit = match f.id {
                        1 => TimeUnit::Millis,
                        2 => TimeUnit::Micros,
                        3 => TimeUnit::Nanos,
                        other => TimeUnit::Unknown(other),
                    };
                    r.skip_field(f)?;
                    Ok(unit)
                })?;
                // parquet-cpp reads an empty TimeUnit as an unknown unit, which fails only the
                // column that uses it, not the footer: so does this reader (`Unknown(0)`; no
                // member has field id 0).
                unit = Some(union.unwrap_or(TimeUnit::Unknown(0)));
            }
            _ => r.skip_field(f)?,
        }
        Ok(())
    })?;
    Ok((
        required(is_adjusted_to_utc, struct_name, "isAdjustedToUTC", 1)?,
        required(unit, struct_name, "unit", 2)?,
    ))
}

/// parquet.thrift `IntType`.
fn read_int_type(reader: &mut CompactReader<'_>) -> RawResult<LogicalType> {
    let mut bit_width = None;
    let mut is_signed = None;
    reader.read_struct(|r, f| {
        match f.id {
            1 => bit_width = Some(r.i8_field(f, "IntType.bitWidth")?),
            2 => is_signed = Some(CompactReader::bool_field(f, "IntType.isSigned")?),
            _ => r.skip_field(f)?,
        }
        Ok(())
    })?;
    Ok(LogicalType::Integer {
        bit_width: required(bit_width, "IntType", "bitWidth", 1)?,
        is_signed: required(is_signed, "IntType", "isSigned", 2)?,
    })
}

fn read_row_group(reader: &mut CompactReader<'_>) -> RawResult<RowGroup> {
    const S: &str = "RowGroup";
    let mut columns = None;
    let mut total_byte_size = None;
    let mut num_rows = None;
    let mut file_offset = None;
    let mut total_compressed_size = None;
    let mut ordinal = None;
    reader.read_struct(|r, f| {
        match f.id {
            1 => {
                columns = Some(r.list_field(
                    f,
                    "RowGroup.columns",
                    ThriftType::Struct,
                    read_column_chunk,
                )?)
            }
            2 => total_byte_size = Some(r.i64_field(f, "RowGroup.total_byte_size")?),
            3 => num_rows = Some(r.i64_field(f, "RowGroup.num_rows")?),
            5 => file_offset = Some(r.i64_field(f, "RowGroup.file_offset")?),
            6 => total_compressed_size = Some(r.i64_field(f, "RowGroup.total_compressed_size")?),
            7 => ordinal = Some(r.i16_field(f, "RowGroup.ordinal")?),
            _ => r.skip_field(f)?,
        }
        Ok(())
    })?;
    Ok(RowGroup {
        columns: required(columns, S, "columns", 1)?,
        total_byte_size: required(total_byte_size, S, "total_byte_size", 2)?,
        num_rows: required(num_rows, S, "num_rows", 3)?,
        file_offset,
        total_compressed_size,
        ordinal,
    })
}

fn read_column_chunk(reader: &mut CompactReader<'_>) -> RawResult<ColumnChunk> {
    reader.spend("column chunks in the footer", MAX_FOOTER_COLUMN_CHUNKS)?;
    let mut chunk = ColumnChunk {
        file_path: None,
        file_offset: 0,
        meta_data: None,
        offset_index_offset: None,
        offset_index_length: None,
        column_index_offset: None,
        column_index_length: None,
        encrypted: false,
    };
    reader.read_struct(|r, f| {
        match f.id {
            1 => chunk.file_path = Some(r.string_field(f, "ColumnChunk.file_path")?),
            // Required in the IDL but with a default and deprecated, so absence is not an error.
            2 => chunk.file_offset = r.i64_field(f, "ColumnChunk.file_offset")?,
            3 => {
                CompactReader::struct_field(f, "ColumnChunk.meta_data")?;
                chunk.meta_data = Some(read_column_metadata(r)?);
            }
            4 => {
                chunk.offset_index_offset = Some(r.i64_field(f, "ColumnChunk.offset_index_offset")?)
            }
            5 => {
                chunk.offset_index_length = Some(r.i32_field(f, "ColumnChunk.offset_index_length")?)
            }
            6 => {
                chunk.column_index_offset = Some(r.i64_field(f, "ColumnChunk.column_index_offset")?)
            }
            7 => {
                chunk.column_index_length = Some(r.i32_field(f, "ColumnChunk.column_index_length")?)
            }
            8 | 9 => {
                chunk.encrypted = true;
                r.skip_field(f)?;
            }
            _ => r.skip_field(f)?,
        }
        Ok(())
    })?;
    Ok(chunk)
}

fn read_column_metadata(reader: &mut CompactReader<'_>) -> RawResult<ColumnMetaData> {
    const S: &str = "ColumnMetaData";
    let mut physical_type = None;
    let mut encodings = None;
    let mut path_in_schema = None;
    let mut codec = None;
    let mut num_values = None;
    let mut total_uncompressed_size = None;
    let mut total_compressed_size = None;
    let mut key_value_metadata = Vec::new();
    let mut data_page_offset = None;
    let mut index_page_offset = None;
    let mut dictionary_page_offset = None;
    let mut statistics = None;
    let mut encoding_stats = Vec::new();
    let mut bloom_filter_offset = None;
    let mut bloom_filter_length = None;
    let mut size_statistics = None;
    reader.read_struct(|r, f| {
        match f.id {
            1 => {
                let value = r.i32_field(f, "ColumnMetaData.type")?;
                physical_type = Some(physical_type_from_i32(value).map_err(|_| {
                    RawError::invalid(format!(
                        "ColumnMetaData.type: unknown physical type {value}"
                    ))
                })?);
            }
            2 => {
                encodings = Some(r.list_field(
                    f,
                    "ColumnMetaData.encodings",
                    ThriftType::I32,
                    |r| Ok(Encoding::from_i32(r.read_i32("ColumnMetaData.encodings")?)),
                )?)
            }
            3 => {
                path_in_schema = Some(r.list_field(
                    f,
                    "ColumnMetaData.path_in_schema",
                    ThriftType::Binary,
                    |r| r.read_string("ColumnMetaData.path_in_schema"),
                )?)
            }
            4 => codec = Some(Codec::from_i32(r.i32_field(f, "ColumnMetaData.codec")?)),
            5 => num_values = Some(r.i64_field(f, "ColumnMetaData.num_values")?),
            6 => {
                total_uncompressed_size =
                    Some(r.i64_field(f, "ColumnMetaData.total_uncompressed_size")?)
            }
            7 => {
                total_compressed_size =
                    Some(r.i64_field(f, "ColumnMetaData.total_compressed_size")?)
            }
            8 => {
                key_value_metadata = r.list_field(
                    f,
                    "ColumnMetaData.key_value_metadata",
                    ThriftType::Struct,
                    read_key_value,
                )?
            }
            9 => data_page_offset = Some(r.i64_field(f, "ColumnMetaData.data_page_offset")?),
            10 => index_page_offset = Some(r.i64_field(f, "ColumnMetaData.index_page_offset")?),
            11 => {
                dictionary_page_offset =
                    Some(r.i64_field(f, "ColumnMetaData.dictionary_page_offset")?)
            }
            12 => {
                CompactReader::struct_field(f, "ColumnMetaData.statistics")?;
                statistics = Some(read_statistics(r)?);
            }
            13 => {
                encoding_stats = r.list_field(
                    f,
                    "ColumnMetaData.encoding_stats",
                    ThriftType::Struct,
                    read_page_encoding_stats,
                )?
            }
            14 => bloom_filter_offset = Some(r.i64_field(f, "ColumnMetaData.bloom_filter_offset")?),
            15 => bloom_filter_length = Some(r.i32_field(f, "ColumnMetaData.bloom_filter_length")?),
            16 => {
                CompactReader::struct_field(f, "ColumnMetaData.size_statistics")?;
                size_statistics = Some(read_size_statistics(r)?);
            }
            _ => r.skip_field(f)?,
        }
        Ok(())
    })?;
    Ok(ColumnMetaData {
        physical_type: required(physical_type, S, "type", 1)?,
        encodings: required(encodings, S, "encodings", 2)?,
        path_in_schema: required(path_in_schema, S, "path_in_schema", 3)?,
        codec: required(codec, S, "codec", 4)?,
        num_values: required(num_values, S, "num_values", 5)?,
        total_uncompressed_size: required(
            total_uncompressed_size,
            S,
            "total_uncompressed_size",
            6,
        )?,
        total_compressed_size: required(total_compressed_size, S, "total_compressed_size", 7)?,
        key_value_metadata,
        data_page_offset: required(data_page_offset, S, "data_page_offset", 9)?,
        index_page_offset,
        dictionary_page_offset,
        statistics,
        encoding_stats,
        bloom_filter_offset,
        bloom_filter_length,
        size_statistics,
    })
}

fn read_size_statistics(reader: &mut CompactReader<'_>) -> RawResult<SizeStatistics> {
    let mut stats = SizeStatistics::default();
    reader.read_struct(|r, f| {
        match f.id {
            1 => {
                stats.unencoded_byte_array_data_bytes =
                    Some(r.i64_field(f, "SizeStatistics.unencoded_byte_array_data_bytes")?)
            }
            2 => {
                stats.repetition_level_histogram =
                    Some(i64_list(r, f, "SizeStatistics.repetition_level_histogram")?)
            }
            3 => {
                stats.definition_level_histogram =
                    Some(i64_list(r, f, "SizeStatistics.definition_level_histogram")?)
            }
            _ => r.skip_field(f)?,
        }
        Ok(())
    })?;
    Ok(stats)
}

fn read_statistics(reader: &mut CompactReader<'_>) -> RawResult<Statistics> {
    let mut stats = Statistics::default();
    reader.read_struct(|r, f| {
        match f.id {
            1 => stats.max = Some(binary_vec(r, f, "Statistics.max")?),
            2 => stats.min = Some(binary_vec(r, f, "Statistics.min")?),
            3 => stats.null_count = Some(r.i64_field(f, "Statistics.null_count")?),
            4 => stats.distinct_count = Some(r.i64_field(f, "Statistics.distinct_count")?),
            5 => stats.max_value = Some(binary_vec(r, f, "Statistics.max_value")?),
            6 => stats.min_value = Some(binary_vec(r, f, "Statistics.min_value")?),
            7 => {
                stats.is_max_value_exact = Some(CompactReader::bool_field(
                    f,
                    "Statistics.is_max_value_exact",
                )?)
            }
            8 => {
                stats.is_min_value_exact = Some(CompactReader::bool_field(
                    f,
                    "Statistics.is_min_value_exact",
                )?)
            }
            9 => stats.nan_count = Some(r.i64_field(f, "Statistics.nan_count")?),
            _ => r.skip_field(f)?,
        }
        Ok(())
    })?;
    Ok(stats)
}

fn read_page_encoding_stats(reader: &mut CompactReader<'_>) -> RawResult<PageEncodingStats> {
    const S: &str = "PageEncodingStats";
    let mut page_type = None;
    let mut encoding = None;
    let mut count = None;
    reader.read_struct(|r, f| {
        match f.id {
            1 => {
                page_type = Some(PageType::from_i32(
                    r.i32_field(f, "PageEncodingStats.page_type")?,
                ))
            }
            2 => {
                encoding = Some(Encoding::from_i32(
                    r.i32_field(f, "PageEncodingStats.encoding")?,
                ))
            }
            3 => count = Some(r.i32_field(f, "PageEncodingStats.count")?),
            _ => r.skip_field(f)?,
        }
        Ok(())
    })?;
    Ok(PageEncodingStats {
        page_type: required(page_type, S, "page_type", 1)?,
        encoding: required(encoding, S, "encoding", 2)?,
        count: required(count, S, "count", 3)?,
    })
}

fn read_page_header(reader: &mut CompactReader<'_>) -> RawResult<PageHeader> {
    const S: &str = "PageHeader";
    let mut page_type = None;
    let mut uncompressed_page_size = None;
    let mut compressed_page_size = None;
    let mut crc = None;
    let mut data_page_header = None;
    let mut dictionary_page_header = None;
    let mut data_page_header_v2 = None;
    reader.read_struct(|r, f| {
        match f.id {
            1 => page_type = Some(PageType::from_i32(r.i32_field(f, "PageHeader.type")?)),
            2 => {
                uncompressed_page_size = Some(r.i32_field(f, "PageHeader.uncompressed_page_size")?)
            }
            3 => compressed_page_size = Some(r.i32_field(f, "PageHeader.compressed_page_size")?),
            4 => crc = Some(r.i32_field(f, "PageHeader.crc")?),
            5 => {
                CompactReader::struct_field(f, "PageHeader.data_page_header")?;
                data_page_header = Some(read_data_page_header(r)?);
            }
            7 => {
                CompactReader::struct_field(f, "PageHeader.dictionary_page_header")?;
                dictionary_page_header = Some(read_dictionary_page_header(r)?);
            }
            8 => {
                CompactReader::struct_field(f, "PageHeader.data_page_header_v2")?;
                data_page_header_v2 = Some(read_data_page_header_v2(r)?);
            }
            // 6 is index_page_header, an empty struct for a page type nobody writes.
            _ => r.skip_field(f)?,
        }
        Ok(())
    })?;
    Ok(PageHeader {
        page_type: required(page_type, S, "type", 1)?,
        uncompressed_page_size: required(uncompressed_page_size, S, "uncompressed_page_size", 2)?,
        compressed_page_size: required(compressed_page_size, S, "compressed_page_size", 3)?,
        crc,
        data_page_header,
        dictionary_page_header,
        data_page_header_v2,
    })
}

fn read_data_page_header(reader: &mut CompactReader<'_>) -> RawResult<DataPageHeader> {
    const S: &str = "DataPageHeader";
    let mut num_values = None;
    let mut encoding = None;
    let mut definition_level_encoding = None;
    let mut repetition_level_encoding = None;
    let mut statistics = None;
    reader.read_struct(|r, f| {
        match f.id {
            1 => num_values = Some(r.i32_field(f, "DataPageHeader.num_values")?),
            2 => {
                encoding = Some(Encoding::from_i32(
                    r.i32_field(f, "DataPageHeader.encoding")?,
                ))
            }
            3 => {
                definition_level_encoding = Some(Encoding::from_i32(
                    r.i32_field(f, "DataPageHeader.definition_level_encoding")?,
                ))
            }
            4 => {
                repetition_level_encoding = Some(Encoding::from_i32(
                    r.i32_field(f, "DataPageHeader.repetition_level_encoding")?,
                ))
            }
            5 => {
                CompactReader::struct_field(f, "DataPageHeader.statistics")?;
                statistics = Some(read_statistics(r)?);
            }
            _ => r.skip_field(f)?,
        }
        Ok(())
    })?;
    Ok(DataPageHeader {
        num_values: required(num_values, S, "num_values", 1)?,
        encoding: required(encoding, S, "encoding", 2)?,
        definition_level_encoding: required(
            definition_level_encoding,
            S,
            "definition_level_encoding",
            3,
        )?,
        repetition_level_encoding: required(
            repetition_level_encoding,
            S,
            "repetition_level_encoding",
            4,
        )?,
        statistics,
    })
}

fn read_dictionary_page_header(reader: &mut CompactReader<'_>) -> RawResult<DictionaryPageHeader> {
    const S: &str = "DictionaryPageHeader";
    let mut num_values = None;
    let mut encoding = None;
    let mut is_sorted = None;
    reader.read_struct(|r, f| {
        match f.id {
            1 => num_values = Some(r.i32_field(f, "DictionaryPageHeader.num_values")?),
            2 => {
                encoding = Some(Encoding::from_i32(
                    r.i32_field(f, "DictionaryPageHeader.encoding")?,
                ))
            }
            3 => {
                is_sorted = Some(CompactReader::bool_field(
                    f,
                    "DictionaryPageHeader.is_sorted",
                )?)
            }
            _ => r.skip_field(f)?,
        }
        Ok(())
    })?;
    Ok(DictionaryPageHeader {
        num_values: required(num_values, S, "num_values", 1)?,
        encoding: required(encoding, S, "encoding", 2)?,
        is_sorted,
    })
}

fn read_data_page_header_v2(reader: &mut CompactReader<'_>) -> RawResult<DataPageHeaderV2> {
    const S: &str = "DataPageHeaderV2";
    let mut num_values = None;
    let mut num_nulls = None;
    let mut num_rows = None;
    let mut encoding = None;
    let mut definition_levels_byte_length = None;
    let mut repetition_levels_byte_length = None;
    let mut is_compressed = None;
    let mut statistics = None;
    reader.read_struct(|r, f| {
        match f.id {
            1 => num_values = Some(r.i32_field(f, "DataPageHeaderV2.num_values")?),
            2 => num_nulls = Some(r.i32_field(f, "DataPageHeaderV2.num_nulls")?),
            3 => num_rows = Some(r.i32_field(f, "DataPageHeaderV2.num_rows")?),
            4 => {
                encoding = Some(Encoding::from_i32(
                    r.i32_field(f, "DataPageHeaderV2.encoding")?,
                ))
            }
            5 => {
                definition_levels_byte_length =
                    Some(r.i32_field(f, "DataPageHeaderV2.definition_levels_byte_length")?)
            }
            6 => {
                repetition_levels_byte_length =
                    Some(r.i32_field(f, "DataPageHeaderV2.repetition_levels_byte_length")?)
            }
            7 => {
                is_compressed = Some(CompactReader::bool_field(
                    f,
                    "DataPageHeaderV2.is_compressed",
                )?)
            }
            8 => {
                CompactReader::struct_field(f, "DataPageHeaderV2.statistics")?;
                statistics = Some(read_statistics(r)?);
            }
            _ => r.skip_field(f)?,
        }
        Ok(())
    })?;
    Ok(DataPageHeaderV2 {
        num_values: required(num_values, S, "num_values", 1)?,
        num_nulls: required(num_nulls, S, "num_nulls", 2)?,
        num_rows: required(num_rows, S, "num_rows", 3)?,
        encoding: required(encoding, S, "encoding", 4)?,
        definition_levels_byte_length: required(
            definition_levels_byte_length,
            S,
            "definition_levels_byte_length",
            5,
        )?,
        repetition_levels_byte_length: required(
            repetition_levels_byte_length,
            S,
            "repetition_levels_byte_length",
            6,
        )?,
        is_compressed: is_compressed.unwrap_or(true),
        statistics,
    })
}

fn read_page_location(reader: &mut CompactReader<'_>) -> RawResult<PageLocation> {
    const S: &str = "PageLocation";
    let mut offset = None;
    let mut compressed_page_size = None;
    let mut first_row_index = None;
    reader.read_struct(|r, f| {
        match f.id {
            1 => offset = Some(r.i64_field(f, "PageLocation.offset")?),
            2 => compressed_page_size = Some(r.i32_field(f, "PageLocation.compressed_page_size")?),
            3 => first_row_index = Some(r.i64_field(f, "PageLocation.first_row_index")?),
            _ => r.skip_field(f)?,
        }
        Ok(())
    })?;
    Ok(PageLocation {
        offset: required(offset, S, "offset", 1)?,
        compressed_page_size: required(compressed_page_size, S, "compressed_page_size", 2)?,
        first_row_index: required(first_row_index, S, "first_row_index", 3)?,
    })
}

fn read_offset_index(reader: &mut CompactReader<'_>) -> RawResult<OffsetIndex> {
    let mut page_locations = None;
    let mut unencoded_byte_array_data_bytes = None;
    reader.read_struct(|r, f| {
        match f.id {
            1 => {
                page_locations = Some(r.list_field(
                    f,
                    "OffsetIndex.page_locations",
                    ThriftType::Struct,
                    read_page_location,
                )?)
            }
            2 => {
                unencoded_byte_array_data_bytes = Some(i64_list(
                    r,
                    f,
                    "OffsetIndex.unencoded_byte_array_data_bytes",
                )?)
            }
            _ => r.skip_field(f)?,
        }
        Ok(())
    })?;
    Ok(OffsetIndex {
        page_locations: required(page_locations, "OffsetIndex", "page_locations", 1)?,
        unencoded_byte_array_data_bytes,
    })
}

fn read_column_index(reader: &mut CompactReader<'_>) -> RawResult<ColumnIndex> {
    const S: &str = "ColumnIndex";
    let mut null_pages = None;
    let mut min_values = None;
    let mut max_values = None;
    let mut boundary_order = None;
    let mut null_counts = None;
    let mut repetition_level_histograms = None;
    let mut definition_level_histograms = None;
    reader.read_struct(|r, f| {
        match f.id {
            1 => {
                null_pages = Some(r.list_field(
                    f,
                    "ColumnIndex.null_pages",
                    ThriftType::Bool,
                    |r| r.read_bool_element("ColumnIndex.null_pages"),
                )?)
            }
            2 => {
                min_values = Some(r.list_field(
                    f,
                    "ColumnIndex.min_values",
                    ThriftType::Binary,
                    |r| Ok(r.read_binary("ColumnIndex.min_values")?.to_vec()),
                )?)
            }
            3 => {
                max_values = Some(r.list_field(
                    f,
                    "ColumnIndex.max_values",
                    ThriftType::Binary,
                    |r| Ok(r.read_binary("ColumnIndex.max_values")?.to_vec()),
                )?)
            }
            4 => {
                boundary_order = Some(BoundaryOrder::from_i32(
                    r.i32_field(f, "ColumnIndex.boundary_order")?,
                ))
            }
            5 => null_counts = Some(i64_list(r, f, "ColumnIndex.null_counts")?),
            6 => {
                repetition_level_histograms =
                    Some(i64_list(r, f, "ColumnIndex.repetition_level_histograms")?)
            }
            7 => {
                definition_level_histograms =
                    Some(i64_list(r, f, "ColumnIndex.definition_level_histograms")?)
            }
            _ => r.skip_field(f)?,
        }
        Ok(())
    })?;
    Ok(ColumnIndex {
        null_pages,
        min_values: required(min_values, S, "min_values", 2)?,
        max_values: required(max_values, S, "max_values", 3)?,
        boundary_order,
        null_counts,
        repetition_level_histograms,
        definition_level_histograms,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Concatenates annotated byte pieces.
    fn bytes(pieces: &[&[u8]]) -> Vec<u8> {
        pieces.concat()
    }

    /// A footer with the schema
    /// `schema { optional group s { optional int32 a } optional group l (LIST) { repeated group
    /// list { optional int32 element } } }`, one row group of two chunks, key-value metadata,
    /// `created_by` and an unknown field holding a struct within a list within a struct.
    pub(crate) fn sample_file_metadata() -> Vec<u8> {
        bytes(&[
            &[0x15, 0x02], // 1: version, i32 1
            &[0x19, 0x6c], // 2: schema, list<struct> of 6
            // [0] root
            &[0x48, 0x06], //   4: name (delta 4), binary of 6
            b"schema",
            &[0x15, 0x04], //   5: num_children 2
            &[0x00],
            // [1] optional group s
            &[0x35, 0x02],       // 3: repetition_type OPTIONAL (1)
            &[0x18, 0x01, b's'], // 4: name "s"
            &[0x15, 0x02],       // 5: num_children 1
            &[0x00],
            // [2] optional int32 a
            &[0x15, 0x02],       // 1: type INT32 (1)
            &[0x25, 0x02],       // 3: repetition_type (delta 2) OPTIONAL
            &[0x18, 0x01, b'a'], // 4: name "a"
            &[0x00],
            // [3] optional group l (LIST)
            &[0x35, 0x02],             // 3: OPTIONAL
            &[0x18, 0x01, b'l'],       // 4: name "l"
            &[0x15, 0x02],             // 5: num_children 1
            &[0x15, 0x06],             // 6: converted_type LIST (3)
            &[0x4c, 0x3c, 0x00, 0x00], // 10: logicalType (delta 4) { 3: LIST {} }
            &[0x00],
            // [4] repeated group list
            &[0x35, 0x04], // 3: REPEATED (2)
            &[0x18, 0x04], // 4: name, binary of 4
            b"list",
            &[0x15, 0x02], // 5: num_children 1
            &[0x00],
            // [5] optional int32 element
            &[0x15, 0x02], // 1: type INT32
            &[0x25, 0x02], // 3: OPTIONAL
            &[0x18, 0x07], // 4: name, binary of 7
            b"element",
            &[0x00],
            &[0x16, 0x0a], // 3: num_rows, i64 5
            &[0x19, 0x1c], // 4: row_groups, list<struct> of 1
            &[0x19, 0x2c], //   1: columns, list<struct> of 2
            // chunk 0
            &[0x26, 0x00],                         // 2: file_offset (delta 2), i64 0
            &[0x1c],                               // 3: meta_data
            &[0x15, 0x02],                         //   1: type INT32
            &[0x19, 0x25, 0x00, 0x06],             //   2: encodings, list<i32> [PLAIN, RLE]
            &[0x19, 0x28, 0x01, b's', 0x01, b'a'], //   3: path_in_schema ["s", "a"]
            &[0x15, 0x02],                         //   4: codec SNAPPY (1)
            &[0x16, 0x0a],                         //   5: num_values 5
            &[0x16, 0x64],                         //   6: total_uncompressed_size 50
            &[0x16, 0x50],                         //   7: total_compressed_size 40
            &[0x26, 0x08],                         //   9: data_page_offset (delta 2) 4
            &[0x00],                               //   end of ColumnMetaData
            &[0x00],                               // end of ColumnChunk
            // chunk 1
            &[0x26, 0x00],                   // 2: file_offset 0
            &[0x1c],                         // 3: meta_data
            &[0x15, 0x02],                   //   1: type INT32
            &[0x19, 0x15, 0x10],             //   2: encodings [RLE_DICTIONARY (8)]
            &[0x19, 0x38, 0x01, b'l', 0x04], //   3: path_in_schema ["l", "list", "element"]
            b"list",
            &[0x07],
            b"element",
            &[0x15, 0x0c], //   4: codec ZSTD (6)
            &[0x16, 0x0a], //   5: num_values 5
            &[0x16, 0x64], //   6: total_uncompressed_size 50
            &[0x16, 0x50], //   7: total_compressed_size 40
            &[0x26, 0x64], //   9: data_page_offset 50
            &[0x26, 0x58], //  11: dictionary_page_offset (delta 2) 44
            &[0x1c],       //  12: statistics
            &[0x36, 0x02], //     3: null_count (delta 3) 1
            &[0x00],
            &[0x19, 0x1c], //  13: encoding_stats, list<struct> of 1
            &[0x15, 0x00], //     1: page_type DATA_PAGE
            &[0x15, 0x10], //     2: encoding RLE_DICTIONARY
            &[0x15, 0x02], //     3: count 1
            &[0x00],
            &[0x00],             // end of ColumnMetaData
            &[0x16, 0x90, 0x03], // 4: offset_index_offset 200
            &[0x15, 0x28],       // 5: offset_index_length 20
            &[0x00],             // end of ColumnChunk
            &[0x16, 0x64],       //   2: total_byte_size 50
            &[0x16, 0x0a],       //   3: num_rows 5
            &[0x44, 0x00],       //   7: ordinal (delta 4), i16 0
            &[0x00],             // end of RowGroup
            &[0x19, 0x1c],       // 5: key_value_metadata, list<struct> of 1
            &[0x18, 0x01, b'k'], //   1: key "k"
            &[0x18, 0x01, b'v'], //   2: value "v"
            &[0x00],
            &[0x18, 0x04], // 6: created_by, binary of 4
            b"test",
            &[0x09, 0xc6, 0x01], // long form: list, field id 99 (unknown)
            &[0x1c],             //   list<struct> of 1
            &[0x19, 0x1c],       //     1: list<struct> of 1
            &[0x15, 0x02],       //       1: i32 1
            &[0x00],
            &[0x00],
            &[0x00], // end of FileMetaData
        ])
    }

    #[test]
    fn file_metadata_decodes() {
        let meta = parse_file_metadata(&sample_file_metadata()).unwrap();
        assert_eq!(meta.version, 1);
        assert_eq!(meta.num_rows, 5);
        assert_eq!(meta.schema.len(), 6);
        assert_eq!(meta.schema[0].name, "schema");
        assert_eq!(meta.schema[0].num_children, Some(2));
        assert_eq!(meta.schema[3].converted_type, Some(ConvertedType::List));
        assert_eq!(meta.schema[3].logical_type, Some(LogicalType::List));
        assert_eq!(meta.schema[4].repetition, Some(Repetition::Repeated));
        assert_eq!(meta.schema[5].physical_type, Some(PhysicalType::Int32));
        assert_eq!(meta.created_by.as_deref(), Some("test"));
        assert_eq!(
            meta.key_value_metadata,
            [("k".to_string(), Some("v".to_string()))]
        );
        assert_eq!(meta.column_orders, None);
        let group = &meta.row_groups[0];
        assert_eq!(
            (group.num_rows, group.total_byte_size, group.ordinal),
            (5, 50, Some(0))
        );
        let first = group.columns[0].meta_data.as_ref().unwrap();
        assert_eq!(first.encodings, [Encoding::Plain, Encoding::Rle]);
        assert_eq!(first.path_in_schema, ["s", "a"]);
        assert_eq!(first.codec, Codec::Snappy);
        assert_eq!(first.data_page_offset, 4);
        assert_eq!(first.statistics, None);
        let second_chunk = &group.columns[1];
        assert_eq!(second_chunk.offset_index_offset, Some(200));
        assert_eq!(second_chunk.offset_index_length, Some(20));
        assert!(!second_chunk.encrypted);
        let second = second_chunk.meta_data.as_ref().unwrap();
        assert_eq!(second.path_in_schema, ["l", "list", "element"]);
        assert_eq!(second.codec, Codec::Zstd);
        assert_eq!(second.dictionary_page_offset, Some(44));
        assert_eq!(second.data_page_offset, 50);
        assert_eq!(second.statistics.as_ref().unwrap().null_count, Some(1));
        assert_eq!(
            second.encoding_stats,
            [PageEncodingStats {
                page_type: PageType::DataPage,
                encoding: Encoding::RleDictionary,
                count: 1
            }]
        );
    }

    #[test]
    fn every_truncation_of_the_footer_is_an_error() {
        let full = sample_file_metadata();
        for length in 0..full.len() {
            assert!(
                parse_file_metadata(&full[..length]).is_err(),
                "prefix {length}"
            );
        }
    }

    #[test]
    fn missing_required_field_is_named() {
        let footer = [
            0x15, 0x02, // 1: version 1
            0x19, 0x0c, // 2: schema, empty list<struct>
            0x16, 0x00, // 3: num_rows 0
            0x00, // no 4: row_groups
        ];
        assert_eq!(
            parse_file_metadata(&footer).unwrap_err().to_string(),
            "FileMetaData: required field 'row_groups' (4) missing"
        );
        let footer = bytes(&[
            &[0x15, 0x02, 0x19, 0x0c, 0x16, 0x00], // version, empty schema, num_rows
            &[0x19, 0x1c],                         // 4: row_groups, 1
            &[0x19, 0x1c],                         //   1: columns, 1
            &[0x26, 0x00],                         //     2: file_offset 0
            &[0x1c],                               //     3: meta_data
            &[0x15, 0x02],                         //       1: type INT32
            &[0x19, 0x05],                         //       2: encodings, empty
            &[0x19, 0x08],                         //       3: path_in_schema, empty
            &[0x26, 0x00],                         //       5: num_values (delta 2, no codec)
            &[0x00, 0x00, 0x00, 0x00],
        ]);
        assert_eq!(
            parse_file_metadata(&footer).unwrap_err().to_string(),
            "ColumnMetaData: required field 'codec' (4) missing"
        );
    }

    /// A footer of one row group of one INT32 chunk whose ColumnMetaData ends with `tail`
    /// (fields after 9: data_page_offset), before its stop byte.
    fn footer_with_column_metadata_tail(tail: &[u8]) -> Vec<u8> {
        bytes(&[
            &[0x15, 0x02, 0x19, 0x0c, 0x16, 0x00], // version, empty schema, num_rows
            &[0x19, 0x1c],                         // 4: row_groups, 1
            &[0x19, 0x1c],                         //   1: columns, 1
            &[0x26, 0x00],                         //     2: file_offset 0
            &[0x1c],                               //     3: meta_data
            &[0x15, 0x02],                         //       1: type INT32
            &[0x19, 0x05],                         //       2: encodings, empty
            &[0x19, 0x08],                         //       3: path_in_schema, empty
            &[0x15, 0x00],                         //       4: codec UNCOMPRESSED
            &[0x16, 0x00],                         //       5: num_values 0
            &[0x16, 0x00, 0x16, 0x00],             //       6, 7: sizes 0
            &[0x26, 0x08],                         //       9: data_page_offset 4
            tail,
            &[0x00, 0x00, 0x16, 0x00, 0x16, 0x00, 0x00, 0x00], // stops, RowGroup 2 and 3
        ])
    }

    #[test]
    fn field_of_unexpected_wire_type_is_absent() {
        // As in parquet-testing's dict-page-offset-zero.parquet: 15: bloom_filter_length
        // (i32 in parquet.thrift) written as a list, skipped as Apache Thrift's readers do.
        let footer = footer_with_column_metadata_tail(&[0x69, 0x25, 0x02, 0x04]);
        let meta = parse_file_metadata(&footer).unwrap();
        let chunk = meta.row_groups[0].columns[0].meta_data.as_ref().unwrap();
        assert_eq!(chunk.bloom_filter_length, None);
        assert_eq!(chunk.data_page_offset, 4);
        // A required field of the wrong type is skipped too, and then missing.
        let footer = bytes(&[
            &[0x15, 0x02, 0x19, 0x0c], // version, empty schema
            &[0x18, 0x01, b'5'],       // 3: num_rows (delta 2) as binary "5"
            &[0x19, 0x0c, 0x00],       // 4: row_groups, empty
        ]);
        assert_eq!(
            parse_file_metadata(&footer).unwrap_err().to_string(),
            "FileMetaData: required field 'num_rows' (3) missing"
        );
    }

    #[test]
    fn union_member_of_unexpected_wire_type_is_not_a_member() {
        // LogicalType { 1: STRING as an i32 (skipped), 5: DECIMAL(10,2) }
        let body = [0x15, 0x00, 0x4c, 0x15, 0x04, 0x15, 0x14, 0x00, 0x00];
        assert_eq!(
            logical_type_of(&body).unwrap(),
            Some(LogicalType::Decimal {
                scale: 2,
                precision: 10
            })
        );
        // Alone, the skipped member leaves the union empty, which stays an error.
        assert_eq!(
            logical_type_of(&[0x15, 0x00, 0x00])
                .unwrap_err()
                .to_string(),
            "LogicalType: union has no member set"
        );
    }

    #[test]
    fn column_order_with_no_member_is_undefined() {
        let footer = [
            0x15, 0x02, 0x19, 0x0c, 0x16, 0x00, // version, empty schema, num_rows
            0x19, 0x0c, // 4: row_groups, empty
            0x39, 0x2c, // 7: column_orders (delta 3), list<struct> of 2
            0x00, //   {}: no member
            0x1c, 0x00, 0x00, //   { 1: TYPE_ORDER {} }
            0x00,
        ];
        let meta = parse_file_metadata(&footer).unwrap();
        assert_eq!(
            meta.column_orders,
            Some(vec![ColumnOrder::Undefined, ColumnOrder::TypeDefinedOrder])
        );
    }

    #[test]
    fn unknown_physical_type_is_invalid() {
        let footer = bytes(&[
            &[0x15, 0x02, 0x19, 0x1c], // version 1; schema, list<struct> of 1
            &[0x15, 0x10],             //   1: type 8, which parquet.thrift does not define
            &[0x38, 0x01, b'x', 0x00], //   4: name "x"
            &[0x00],
        ]);
        assert_eq!(
            parse_file_metadata(&footer).unwrap_err().to_string(),
            "SchemaElement.type: unknown physical type 8"
        );
    }

    /// Parses one SchemaElement holding `logical_type_body` as field 10.
    fn logical_type_of(logical_type_body: &[u8]) -> RawResult<Option<LogicalType>> {
        let element = bytes(&[
            &[0x48, 0x01, b'x'], // 4: name "x"
            &[0x6c],             // 10: logicalType (delta 6)
            logical_type_body,
            &[0x00],
        ]);
        read_schema_element(&mut CompactReader::new(&element)).map(|e| e.logical_type)
    }

    #[test]
    fn logical_types_decode() {
        let cases: [(&[u8], &str); 9] = [
            (&[0x1c, 0x00, 0x00], "STRING"),
            // 5: DECIMAL { 1: scale 2, 2: precision 10 }
            (&[0x5c, 0x15, 0x04, 0x15, 0x14, 0x00, 0x00], "DECIMAL(10,2)"),
            // 7: TIME { 1: isAdjustedToUTC true, 2: unit { 1: MILLIS {} } }
            (
                &[0x7c, 0x11, 0x1c, 0x1c, 0x00, 0x00, 0x00, 0x00],
                "TIME(MILLIS,utc)",
            ),
            // 8: TIMESTAMP { 1: false, 2: unit { 2: MICROS {} } }
            (
                &[0x8c, 0x12, 0x1c, 0x2c, 0x00, 0x00, 0x00, 0x00],
                "TIMESTAMP(MICROS,local)",
            ),
            // 10 (long form): INTEGER { 1: bitWidth i8 8, 2: isSigned true }
            (&[0x0c, 0x14, 0x13, 0x08, 0x11, 0x00, 0x00], "INT(8,signed)"),
            // 11: UNKNOWN (NullType)
            (&[0x0c, 0x16, 0x00, 0x00], "UNKNOWN"),
            // 16: VARIANT { 1: specification_version i8 1 }
            (&[0x0c, 0x20, 0x13, 0x01, 0x00, 0x00], "VARIANT"),
            // 18: GEOGRAPHY { 1: crs "c", 2: algorithm 1 }
            (
                &[0x0c, 0x24, 0x18, 0x01, b'c', 0x15, 0x02, 0x00, 0x00],
                "GEOGRAPHY",
            ),
            // 40: an unknown member holding a binary
            (&[0x08, 0x50, 0x01, 0xff, 0x00], "LOGICAL_TYPE(40)"),
        ];
        for (body, name) in cases {
            let logical = logical_type_of(body).unwrap().unwrap();
            assert_eq!(logical.name(), name);
        }
        // An empty union and a union with two members are both invalid.
        assert!(logical_type_of(&[0x00]).is_err());
        assert!(logical_type_of(&[0x1c, 0x00, 0x1c, 0x00, 0x00]).is_err());
        // NANOS and an unknown unit.
        let nanos = logical_type_of(&[0x8c, 0x11, 0x1c, 0x3c, 0x00, 0x00, 0x00, 0x00]).unwrap();
        assert_eq!(nanos.unwrap().name(), "TIMESTAMP(NANOS,utc)");
        let odd = logical_type_of(&[0x8c, 0x11, 0x1c, 0x9c, 0x00, 0x00, 0x00, 0x00]).unwrap();
        assert_eq!(odd.unwrap().name(), "TIMESTAMP(UNKNOWN(9),utc)");
        // An empty unit is an unknown one, as parquet-cpp reads it: the column, not the
        // footer, is what cannot be read.
        let empty = logical_type_of(&[0x8c, 0x11, 0x1c, 0x00, 0x00, 0x00]).unwrap();
        assert_eq!(empty.unwrap().name(), "TIMESTAMP(UNKNOWN(0),utc)");
        // A DECIMAL lacking precision.
        assert_eq!(
            logical_type_of(&[0x5c, 0x15, 0x04, 0x00, 0x00])
                .unwrap_err()
                .to_string(),
            "DecimalType: required field 'precision' (2) missing"
        );
    }

    /// A v1 data page header followed by two bytes of page body.
    fn data_page_v1() -> Vec<u8> {
        bytes(&[
            &[0x15, 0x00],       // 1: type DATA_PAGE (0)
            &[0x15, 0xc8, 0x01], // 2: uncompressed_page_size 100
            &[0x15, 0x50],       // 3: compressed_page_size 40
            &[0x15, 0x0d],       // 4: crc -7
            &[0x1c],             // 5: data_page_header
            &[0x15, 0x14],       //   1: num_values 10
            &[0x15, 0x00],       //   2: encoding PLAIN
            &[0x15, 0x06],       //   3: definition_level_encoding RLE (3)
            &[0x15, 0x08],       //   4: repetition_level_encoding BIT_PACKED (4)
            &[0x1c],             //   5: statistics
            &[0x36, 0x02],       //     3: null_count (delta 3) 1
            &[0x28, 0x01, 0x09], //     5: max_value (delta 2) [9]
            &[0x18, 0x01, 0x01], //     6: min_value [1]
            &[0x11],             //     7: is_max_value_exact true
            &[0x12],             //     8: is_min_value_exact false
            &[0x00],
            &[0x00],
            &[0x00],       // end of PageHeader
            &[0xde, 0xad], // page body
        ])
    }

    #[test]
    fn v1_data_page_header() {
        let input = data_page_v1();
        let (header, length) = parse_page_header(&input).unwrap();
        assert_eq!(length, input.len() - 2);
        assert_eq!(header.page_type, PageType::DataPage);
        assert_eq!(header.page_type.to_string(), "DATA_PAGE");
        assert_eq!(header.uncompressed_page_size, 100);
        assert_eq!(header.compressed_page_size, 40);
        assert_eq!(header.crc, Some(-7));
        let data = header.data_page_header.unwrap();
        assert_eq!(data.num_values, 10);
        assert_eq!(data.encoding, Encoding::Plain);
        assert_eq!(data.definition_level_encoding, Encoding::Rle);
        assert_eq!(data.repetition_level_encoding, Encoding::BitPacked);
        let stats = data.statistics.unwrap();
        assert_eq!(stats.null_count, Some(1));
        assert_eq!(stats.max_value.as_deref(), Some(&[9u8][..]));
        assert_eq!(stats.min_value.as_deref(), Some(&[1u8][..]));
        assert_eq!(stats.is_max_value_exact, Some(true));
        assert_eq!(stats.is_min_value_exact, Some(false));
        assert_eq!(
            (stats.max, stats.min, stats.distinct_count),
            (None, None, None)
        );
        assert!(header.dictionary_page_header.is_none() && header.data_page_header_v2.is_none());
    }

    fn data_page_v2(is_compressed: &[u8]) -> Vec<u8> {
        bytes(&[
            &[0x15, 0x06], // 1: type DATA_PAGE_V2 (3)
            &[0x15, 0x20], // 2: uncompressed_page_size 16
            &[0x15, 0x20], // 3: compressed_page_size 16
            &[0x3c, 0x00], // 6: index_page_header (delta 3), empty: skipped
            &[0x2c],       // 8: data_page_header_v2 (delta 2)
            &[0x15, 0x0a], //   1: num_values 5
            &[0x15, 0x02], //   2: num_nulls 1
            &[0x15, 0x0a], //   3: num_rows 5
            &[0x15, 0x10], //   4: encoding RLE_DICTIONARY (8)
            &[0x15, 0x04], //   5: definition_levels_byte_length 2
            &[0x15, 0x00], //   6: repetition_levels_byte_length 0
            is_compressed, //   7: is_compressed, when given
            &[0x00],
            &[0x00],
        ])
    }

    #[test]
    fn v2_data_page_header() {
        let input = data_page_v2(&[]);
        let (header, length) = parse_page_header(&input).unwrap();
        assert_eq!(length, input.len());
        assert_eq!(header.page_type.name(), "DATA_PAGE_V2");
        let v2 = header.data_page_header_v2.unwrap();
        assert_eq!(
            v2,
            DataPageHeaderV2 {
                num_values: 5,
                num_nulls: 1,
                num_rows: 5,
                encoding: Encoding::RleDictionary,
                definition_levels_byte_length: 2,
                repetition_levels_byte_length: 0,
                is_compressed: true,
                statistics: None,
            }
        );
        // 7: is_compressed (delta 1) false
        let (header, _) = parse_page_header(&data_page_v2(&[0x12])).unwrap();
        assert!(!header.data_page_header_v2.unwrap().is_compressed);
    }

    fn dictionary_page() -> Vec<u8> {
        bytes(&[
            &[0x15, 0x04], // 1: type DICTIONARY_PAGE (2)
            &[0x15, 0x18], // 2: uncompressed_page_size 12
            &[0x15, 0x18], // 3: compressed_page_size 12
            &[0x4c],       // 7: dictionary_page_header (delta 4)
            &[0x15, 0x06], //   1: num_values 3
            &[0x15, 0x00], //   2: encoding PLAIN
            &[0x11],       //   3: is_sorted true
            &[0x00],
            &[0x00],
        ])
    }

    #[test]
    fn dictionary_page_header() {
        let (header, length) = parse_page_header(&dictionary_page()).unwrap();
        assert_eq!(length, dictionary_page().len());
        assert_eq!(header.page_type, PageType::DictionaryPage);
        assert_eq!(
            header.dictionary_page_header,
            Some(DictionaryPageHeader {
                num_values: 3,
                encoding: Encoding::Plain,
                is_sorted: Some(true),
            })
        );
    }

    #[test]
    fn every_truncation_of_a_page_header_is_an_error() {
        for input in [data_page_v1(), data_page_v2(&[0x12]), dictionary_page()] {
            let end = parse_page_header(&input).unwrap().1;
            for length in 0..end {
                assert!(
                    parse_page_header(&input[..length]).is_err(),
                    "prefix {length}"
                );
            }
        }
    }

    #[test]
    fn page_header_missing_size_is_named() {
        let input = [0x15, 0x00, 0x15, 0x02, 0x00]; // type DATA_PAGE, uncompressed 1, stop
        assert_eq!(
            parse_page_header(&input).unwrap_err().to_string(),
            "PageHeader: required field 'compressed_page_size' (3) missing"
        );
    }

    pub(crate) fn offset_index() -> Vec<u8> {
        bytes(&[
            &[0x19, 0x2c],       // 1: page_locations, list<struct> of 2
            &[0x16, 0x08],       //   1: offset 4
            &[0x15, 0x80, 0x01], //   2: compressed_page_size 64
            &[0x16, 0x00],       //   3: first_row_index 0
            &[0x00],
            &[0x16, 0x88, 0x01], //   1: offset 68
            &[0x15, 0x80, 0x01], //   2: compressed_page_size 64
            &[0x16, 0x14],       //   3: first_row_index 10
            &[0x00],
            &[0x00],
        ])
    }

    /// [`column_index`] as parquet.js writes it: without `null_pages` and `boundary_order`.
    pub(crate) fn column_index_without_required_fields() -> Vec<u8> {
        bytes(&[
            &[0x29, 0x28, 0x00, 0x01, 0x05], // 2: min_values: ["", [5]]
            &[0x19, 0x28, 0x00, 0x01, 0x09], // 3: max_values: ["", [9]]
            &[0x29, 0x26, 0x02, 0x00],       // 5: null_counts: [1, 0]
            &[0x00],
        ])
    }

    pub(crate) fn column_index() -> Vec<u8> {
        bytes(&[
            &[0x19, 0x21, 0x01, 0x02], // 1: null_pages, list<bool> (Java's type 1): [true, false]
            &[0x19, 0x28, 0x00, 0x01, 0x05], // 2: min_values, list<binary>: ["", [5]]
            &[0x19, 0x28, 0x00, 0x01, 0x09], // 3: max_values: ["", [9]]
            &[0x15, 0x02],             // 4: boundary_order ASCENDING
            &[0x19, 0x26, 0x02, 0x00], // 5: null_counts, list<i64>: [1, 0]
            &[0x00],
        ])
    }

    #[test]
    fn page_indexes_decode() {
        let index = parse_offset_index(&offset_index()).unwrap();
        assert_eq!(
            index.page_locations,
            [
                PageLocation {
                    offset: 4,
                    compressed_page_size: 64,
                    first_row_index: 0
                },
                PageLocation {
                    offset: 68,
                    compressed_page_size: 64,
                    first_row_index: 10
                },
            ]
        );
        assert_eq!(index.unencoded_byte_array_data_bytes, None);
        let index = parse_column_index(&column_index()).unwrap();
        assert_eq!(index.null_pages, Some(vec![true, false]));
        assert_eq!(index.min_values, [vec![], vec![5]]);
        assert_eq!(index.max_values, [vec![], vec![9]]);
        assert_eq!(index.boundary_order, Some(BoundaryOrder::Ascending));
        assert_eq!(index.null_counts, Some(vec![1, 0]));
        for input in [offset_index(), column_index()] {
            for length in 0..input.len() {
                assert!(parse_offset_index(&input[..length]).is_err());
                assert!(parse_column_index(&input[..length]).is_err());
            }
        }
    }

    #[test]
    fn level_histograms_decode() {
        // ColumnIndex with both per-page histograms: two pages of levels 0..=1.
        let mut index = column_index();
        index.pop();
        index.extend_from_slice(&[
            0x19, 0x46, 0x06, 0x02, 0x04, 0x00, // 6: repetition_level_histograms [3, 1, 2, 0]
            0x19, 0x26, 0x00, 0x0a, // 7: definition_level_histograms [0, 5]
            0x00,
        ]);
        let index = parse_column_index(&index).unwrap();
        assert_eq!(index.repetition_level_histograms, Some(vec![3, 1, 2, 0]));
        assert_eq!(index.definition_level_histograms, Some(vec![0, 5]));
        assert_eq!(
            parse_column_index(&column_index())
                .unwrap()
                .repetition_level_histograms,
            None
        );

        let meta = bytes(&[
            &[0x15, 0x02],                   // 1: type INT32
            &[0x19, 0x15, 0x00],             // 2: encodings [PLAIN]
            &[0x19, 0x18, 0x01, b'a'],       // 3: path_in_schema ["a"]
            &[0x15, 0x00],                   // 4: codec UNCOMPRESSED
            &[0x16, 0x0a],                   // 5: num_values 5
            &[0x16, 0x64],                   // 6: total_uncompressed_size 50
            &[0x16, 0x64],                   // 7: total_compressed_size 50
            &[0x26, 0x08],                   // 9: data_page_offset (delta 2) 4
            &[0x7c],                         // 16: size_statistics (delta 7)
            &[0x16, 0x14],                   //   1: unencoded_byte_array_data_bytes 10
            &[0x19, 0x26, 0x08, 0x02],       //   2: repetition_level_histogram [4, 1]
            &[0x19, 0x36, 0x02, 0x00, 0x08], //   3: definition_level_histogram [1, 0, 4]
            &[0x00],
            &[0x00],
        ]);
        let meta = read_column_metadata(&mut CompactReader::new(&meta)).unwrap();
        assert_eq!(
            meta.size_statistics,
            Some(SizeStatistics {
                unencoded_byte_array_data_bytes: Some(10),
                repetition_level_histogram: Some(vec![4, 1]),
                definition_level_histogram: Some(vec![1, 0, 4]),
            })
        );
    }

    #[test]
    fn unknown_physical_types_are_invalid() {
        assert!(physical_type_from_i32(8).is_err());
        assert!(physical_type_from_i32(-1).is_err());
    }

    #[test]
    fn encrypted_column_chunk_is_flagged() {
        let chunk = [
            0x26, 0x00, // 2: file_offset 0
            0x7c, 0x1c, 0x00,
            0x00, // 8: crypto_metadata (delta 6) { 1: ENCRYPTION_WITH_FOOTER_KEY {} }
            0x00,
        ];
        let chunk = read_column_chunk(&mut CompactReader::new(&chunk)).unwrap();
        assert!(chunk.encrypted);
        assert!(chunk.meta_data.is_none());
    }

    #[test]
    fn depth_bomb_in_unknown_footer_field_is_invalid() {
        let mut footer = vec![0x0c, 0x28]; // long form: struct, field id 20 (unknown)
        footer.extend(vec![0x1c; 5000]); // struct in struct in struct ...
        let err = parse_file_metadata(&footer).unwrap_err();
        assert!(err.to_string().contains("nested deeper"), "{err}");
    }

    /// xorshift64: deterministic pseudo-random numbers for the no-panic sweeps.
    pub(crate) struct XorShift(pub(crate) u64);

    impl XorShift {
        pub(crate) fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn random_and_mutated_inputs_never_panic() {
        let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
        let seeds = [
            sample_file_metadata(),
            data_page_v1(),
            data_page_v2(&[0x11]),
            dictionary_page(),
            offset_index(),
            column_index(),
        ];
        for round in 0..6000 {
            let input: Vec<u8> = if round % 2 == 0 {
                let length = (rng.next() % 96) as usize;
                (0..length).map(|_| rng.next() as u8).collect()
            } else {
                // Flip a few bytes of a valid input, so parsing gets deep before failing.
                let mut input = seeds[(rng.next() % seeds.len() as u64) as usize].clone();
                for _ in 0..1 + rng.next() % 4 {
                    let at = (rng.next() % input.len() as u64) as usize;
                    if let Some(byte) = input.get_mut(at) {
                        *byte = rng.next() as u8;
                    }
                }
                input
            };
            if let Ok(meta) = parse_file_metadata(&input) {
                let _ = crate::raw::schema::leaf_columns(&meta.schema);
            }
            let _ = parse_page_header(&input);
            let _ = parse_offset_index(&input);
            let _ = parse_column_index(&input);
        }
    }
}
