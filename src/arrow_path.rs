//! Path A: the `parquet` crate's arrow reader, with a projection to one leaf column per task,
//! its arrays brought back to the stored physical values of the shared value model.

use std::cell::Cell;
use std::io::{self, Read};
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Mutex, Once};

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Decimal256Type, Decimal32Type, Decimal64Type,
    DurationMicrosecondType, DurationMillisecondType, DurationNanosecondType, DurationSecondType,
    Float16Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type,
    IntervalDayTimeType, Time32MillisecondType, Time32SecondType, Time64MicrosecondType,
    Time64NanosecondType, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::RecordBatch;
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, FieldRef, IntervalUnit, Schema, SchemaRef, TimeUnit};
use bytes::Bytes;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader,
    ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::ProjectionMask;
use parquet::basic::ConvertedType;
use parquet::errors::ParquetError;
use parquet::file::metadata::{
    FileMetaData, ParquetMetaData, ParquetMetaDataBuilder, ParquetMetaDataReader,
};
use parquet::file::reader::{ChunkReader, Length};
use parquet::schema::types::SchemaDescriptor;

use crate::canonical::{int96_from_nanos, minimal_twos_complement};
use crate::decode::{
    ChunkBytes, ChunkWindows, ColumnDecoder, DecodeError, DecodedChunk, WindowRows,
};
use crate::source::ByteSource;
use crate::value::{Bitmap, ByteArrays, ColumnSlice, PhysicalType, Values};

/// Runs the arrow reader on bytes it may choke on. The parquet crate panics on some corrupt
/// input (inside its level and bit-buffer code); a panic there is that reader failing on
/// this file, so it becomes the path's error, and the panic hook keeps quiet about it.
fn contain<T, E>(
    work: impl FnOnce() -> Result<T, E>,
    panicked: impl FnOnce(String) -> E,
) -> Result<T, E> {
    static QUIET_HOOK: Once = Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !CONTAINED.with(Cell::get) {
                previous(info);
            }
        }));
    });
    CONTAINED.with(|c| c.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(work));
    CONTAINED.with(|c| c.set(false));
    result.unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("no message");
        Err(panicked(format!(
            "the arrow reader failed with an internal error (a Rust panic): {message}"
        )))
    })
}

thread_local! {
    /// Set while this thread runs the arrow reader inside [`contain`].
    static CONTAINED: Cell<bool> = const { Cell::new(false) };
}

/// Rows per record batch: large batches amortise per-batch overhead.
const BATCH_ROWS: usize = 65_536;

/// Adapts a [`ByteSource`] to the parquet crate's reader trait. Opened for one column chunk
/// ([`SourceReader::for_chunk`]), it reads the chunk a block at a time and serves page
/// headers and bodies from the block it holds: the crate asks for a header and then a body
/// per page, two requests a page without it.
#[derive(Clone)]
struct SourceReader {
    source: Arc<dyn ByteSource>,
    chunk: Option<Arc<ChunkBlock>>,
}

/// Bytes of a column chunk the arrow path reads at once: pages of the usual 1 MiB or less
/// cost about one request each, or many pages one; one block (and what the decoder still
/// holds of the one before) is held per task.
const ARROW_READ_BLOCK: u64 = 1 << 20;

/// The block of one column chunk an arrow task reads from.
struct ChunkBlock {
    /// File offset where the chunk's bytes end: no block reads past it.
    end: u64,
    /// The bytes held, from a file offset on.
    held: Mutex<(u64, Bytes)>,
}

impl SourceReader {
    fn new(source: Arc<dyn ByteSource>) -> Self {
        Self {
            source,
            chunk: None,
        }
    }

    /// A reader for the chunk whose bytes end at `end`.
    fn for_chunk(&self, end: u64) -> Self {
        Self {
            source: self.source.clone(),
            chunk: Some(Arc::new(ChunkBlock {
                end: end.min(self.source.len()),
                held: Mutex::new((0, Bytes::new())),
            })),
        }
    }

    /// The bytes from `start` on that the chunk's block holds, at least `length` of them,
    /// reading a new block at `start` when the one held does not have them; `None` for bytes
    /// outside the chunk.
    fn block_slice(&self, start: u64, length: u64) -> Option<io::Result<Bytes>> {
        let chunk = self.chunk.as_ref()?;
        let wanted_end = start.checked_add(length).filter(|&end| end <= chunk.end)?;
        let mut held = chunk.held.lock().ok()?;
        let (at, bytes) = &*held;
        if start < *at || wanted_end > at + bytes.len() as u64 {
            let block = (chunk.end - start).min(length.max(ARROW_READ_BLOCK));
            // Let go of the old block first (the decoder may still hold pages of it).
            *held = (start, Bytes::new());
            match self.source.read_at(start, block as usize) {
                Ok(bytes) => held.1 = bytes,
                Err(e) => return Some(Err(e)),
            }
        }
        let (at, bytes) = &*held;
        Some(Ok(bytes.slice((start - at) as usize..)))
    }
}

impl Length for SourceReader {
    fn len(&self) -> u64 {
        self.source.len()
    }
}

impl ChunkReader for SourceReader {
    // The parquet crate reads page headers through this reader a few bytes at a time: unbuffered,
    // that was a positioned read per byte (2.1 million reads for 100,000 row groups).
    type T = PageRead;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        let held = match self.block_slice(start, 1) {
            Some(held) => held.map_err(|e| ParquetError::External(Box::new(e)))?,
            None => Bytes::new(),
        };
        Ok(PageRead {
            position: start + held.len() as u64,
            held,
            rest: None,
            source: self.source.clone(),
        })
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        match self.block_slice(start, length as u64) {
            Some(held) => held.map(|bytes| bytes.slice(..length)),
            None => self.source.read_at(start, length),
        }
        .map_err(|e| ParquetError::External(Box::new(e)))
    }
}

/// Reads from `start` on: first the bytes the chunk's block holds, then, should a header run
/// past them, from the source through a buffer.
struct PageRead {
    held: Bytes,
    /// File offset after `held`.
    position: u64,
    rest: Option<io::BufReader<SourceRead>>,
    source: Arc<dyn ByteSource>,
}

impl Read for PageRead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.held.is_empty() {
            let count = buf.len().min(self.held.len());
            buf[..count].copy_from_slice(&self.held[..count]);
            self.held = self.held.slice(count..);
            return Ok(count);
        }
        let (source, position) = (&self.source, self.position);
        self.rest
            .get_or_insert_with(|| {
                io::BufReader::with_capacity(
                    8 << 10,
                    SourceRead {
                        source: source.clone(),
                        position,
                    },
                )
            })
            .read(buf)
    }
}

/// A sequential reader over a [`ByteSource`], for the parts of the crate that stream.
struct SourceRead {
    source: Arc<dyn ByteSource>,
    position: u64,
}

impl Read for SourceRead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.source.len().saturating_sub(self.position);
        let count = buf
            .len()
            .min(usize::try_from(left).unwrap_or(usize::MAX))
            .min(1 << 20);
        if count == 0 {
            return Ok(0);
        }
        let bytes = self.source.read_at(self.position, count)?;
        buf[..count].copy_from_slice(&bytes);
        self.position += count as u64;
        Ok(count)
    }
}

/// Where one leaf column sits in the arrow schema the reader produces.
#[derive(Debug, Clone)]
struct LeafTarget {
    /// Field names from the top-level column down to the leaf.
    path: Vec<String>,
    physical_type: PhysicalType,
    type_length: usize,
    /// Repeated levels above the leaf: list (or map) arrays on the way down.
    depth: usize,
    /// Leaves read along with it: the reader cannot read a map without its keys and some of
    /// its values ([`map_companions`]).
    companions: Vec<usize>,
}

/// A Parquet file opened by the arrow path.
pub struct ArrowFile {
    reader: SourceReader,
    metadata: ArrowReaderMetadata,
    /// The options `metadata` was loaded with, its arrow schema included.
    options: ArrowReaderOptions,
    leaves: Vec<LeafTarget>,
}

impl ArrowFile {
    /// Loads the footer of `source` with the parquet crate.
    pub fn open(source: Arc<dyn ByteSource>) -> Result<Self, ParquetError> {
        contain(|| Self::load(source), ParquetError::General)
    }

    fn load(source: Arc<dyn ByteSource>) -> Result<Self, ParquetError> {
        let reader = SourceReader::new(source);
        // Arrow type hints stored by other writers would make the reader cast values (a
        // timestamp unit, a dictionary type); without them it reports what Parquet stores.
        let options = ArrowReaderOptions::new().with_skip_arrow_metadata(true);
        // The footer is parsed here once, by the parquet crate's own Thrift code (the page
        // index is not read: the raw path reads it, and the arrow reader does not need it).
        // Its bytes come from the file's prefetched tail, which the raw path read too
        // (`source::FooterPrefetch`); the parse is not shared, so the paths stay independent.
        let parsed = ParquetMetaDataReader::new().parse_and_finish(&reader)?;
        let metadata =
            ArrowReaderMetadata::try_new(Arc::new(with_row_group_rows(parsed)), options.clone())?;
        let (mut metadata, mut options) = (metadata, options);
        if let Some(hinted) = dictionary_hints(&metadata) {
            // Keep the plain schema if the reader will not take the hint.
            let hinted_options = options.clone().with_schema(hinted);
            if let Ok(with_hints) =
                ArrowReaderMetadata::try_new(metadata.metadata().clone(), hinted_options.clone())
            {
                metadata = with_hints;
                options = hinted_options;
            }
        }
        let schema = metadata.parquet_schema();
        let leaves = schema
            .columns()
            .iter()
            .enumerate()
            .map(|(index, column)| LeafTarget {
                path: column.path().parts().to_vec(),
                physical_type: physical_type(column.physical_type()),
                type_length: column.type_length().max(0) as usize,
                depth: column.max_rep_level().max(0) as usize,
                companions: companions(schema, index),
            })
            .collect();
        Ok(Self {
            reader,
            metadata,
            options,
            leaves,
        })
    }

    /// Number of row groups.
    pub fn num_row_groups(&self) -> usize {
        self.metadata.metadata().num_row_groups()
    }

    /// Builds the arrow reader for one leaf of one row group, its pages read from `bytes`
    /// when given.
    fn open_leaf(
        &self,
        row_group: usize,
        leaf: usize,
        bytes: Option<ChunkBytes>,
    ) -> Result<ArrowWindows<'_>, DecodeError> {
        let target = self
            .leaves
            .get(leaf)
            .ok_or_else(|| DecodeError::Failed(format!("no leaf column {leaf}")))?;
        if row_group >= self.num_row_groups() {
            return Err(DecodeError::Failed(format!("no row group {row_group}")));
        }
        let (metadata, row_group) = match bytes {
            Some(bytes) => match self.with_chunk_bytes(row_group, leaf, bytes)? {
                Some(narrowed) => (narrowed, 0),
                None => (self.metadata.clone(), row_group),
            },
            None => (self.metadata.clone(), row_group),
        };
        let projected = std::iter::once(leaf).chain(target.companions.iter().copied());
        let mask = ProjectionMask::leaves(self.metadata.parquet_schema(), projected);
        // The chunk's pages are read a block at a time, as far as the range the reader is
        // given (the screen's, when it narrowed it) goes.
        let chunk_end = metadata
            .metadata()
            .row_groups()
            .get(row_group)
            .and_then(|group| group.columns().get(leaf))
            .and_then(|chunk| {
                let start = chunk
                    .dictionary_page_offset()
                    .unwrap_or(chunk.data_page_offset());
                let start = u64::try_from(start).ok()?;
                start.checked_add(u64::try_from(chunk.compressed_size()).ok()?)
            });
        let reader = match chunk_end {
            Some(end) => self.reader.for_chunk(end),
            None => self.reader.clone(),
        };
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(reader, metadata)
            .with_row_groups(vec![row_group])
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(failed)?;
        Ok(ArrowWindows {
            target,
            reader,
            pending: None,
            first: true,
        })
    }
}

impl ArrowFile {
    /// Metadata holding only `row_group`, whose chunk of `leaf` lies at `bytes`; `None` when
    /// that is where the footer already puts it. The parquet crate's page reader reads headers
    /// until the chunk's `total_compressed_size` is used up, so bytes after the last page
    /// would be read as a page header; given the range where the pages end, it stops there.
    fn with_chunk_bytes(
        &self,
        row_group: usize,
        leaf: usize,
        bytes: ChunkBytes,
    ) -> Result<Option<ArrowReaderMetadata>, DecodeError> {
        let parquet = self.metadata.metadata();
        let group = parquet.row_group(row_group);
        let Some(chunk) = group.columns().get(leaf) else {
            return Ok(None);
        };
        let declared = (
            chunk
                .dictionary_page_offset()
                .unwrap_or(chunk.data_page_offset()),
            chunk.compressed_size(),
        );
        let (Ok(start), Ok(length)) = (i64::try_from(bytes.start), i64::try_from(bytes.length))
        else {
            return Ok(None);
        };
        if declared == (start, length) {
            return Ok(None);
        }
        let mut group = group.clone();
        let narrowed = {
            let columns = group.columns_mut();
            let builder = columns[leaf]
                .clone()
                .into_builder()
                .set_total_compressed_size(length);
            let builder = if bytes.dictionary_first {
                builder.set_dictionary_page_offset(Some(start))
            } else {
                builder
                    .set_dictionary_page_offset(None)
                    .set_data_page_offset(start)
            };
            columns[leaf] = builder.build().map_err(failed)?;
            group
        };
        let single = ParquetMetaDataBuilder::new(parquet.file_metadata().clone())
            .add_row_group(narrowed)
            .build();
        ArrowReaderMetadata::try_new(Arc::new(single), self.options.clone())
            .map(Some)
            .map_err(failed)
    }
}

/// `parsed` with the footer's `num_rows` raised to the rows its row groups hold. The reader
/// caps its batch size at the footer's num_rows, so a footer that undercounts its row groups
/// would make it read nothing. The row groups hold the data; the raw path reports the
/// footer's disagreement as a finding. The metadata is moved, not copied, into the patch.
fn with_row_group_rows(parsed: ParquetMetaData) -> ParquetMetaData {
    let file_metadata = parsed.file_metadata();
    let row_group_rows: i64 = parsed.row_groups().iter().map(|rg| rg.num_rows()).sum();
    if file_metadata.num_rows() >= row_group_rows {
        return parsed;
    }
    let patched = FileMetaData::new(
        file_metadata.version(),
        row_group_rows,
        file_metadata.created_by().map(str::to_owned),
        file_metadata.key_value_metadata().cloned(),
        file_metadata.schema_descr_ptr(),
        file_metadata.column_orders().cloned(),
    );
    let mut original = ParquetMetaDataBuilder::new_from_metadata(parsed);
    ParquetMetaDataBuilder::new(patched)
        .set_row_groups(original.take_row_groups())
        .set_page_index(original.take_page_index())
        .build()
}

/// One leaf of one row group read by the arrow reader a window of rows at a time: record
/// batches are converted until the window is full, and the rest of a batch waits for the
/// next window (a zero-copy slice).
struct ArrowWindows<'a> {
    target: &'a LeafTarget,
    reader: ParquetRecordBatchReader,
    pending: Option<RecordBatch>,
    first: bool,
}

impl ArrowWindows<'_> {
    fn read(&mut self, rows: usize) -> Result<Option<ColumnSlice>, DecodeError> {
        let target = self.target;
        let mut slice = ColumnSlice::nested(target.physical_type, target.type_length, target.depth);
        let mut collected = 0;
        while collected < rows {
            let batch = match self.pending.take() {
                Some(batch) => batch,
                None => match self.reader.next() {
                    Some(batch) => batch.map_err(batch_failed)?,
                    None => break,
                },
            };
            let wanted = rows - collected;
            let batch = if batch.num_rows() > wanted {
                self.pending = Some(batch.slice(wanted, batch.num_rows() - wanted));
                batch.slice(0, wanted)
            } else {
                batch
            };
            collected += batch.num_rows();
            append_items(
                batch.column(0),
                None,
                0,
                &target.path[1..],
                target,
                &mut slice,
            )?;
        }
        let first = std::mem::take(&mut self.first);
        if collected == 0 && !first {
            return Ok(None);
        }
        slice.rows = slice.items(0);
        Ok(Some(slice))
    }
}

impl ChunkWindows for ArrowWindows<'_> {
    fn next_window(&mut self, rows: WindowRows) -> Result<Option<DecodedChunk>, DecodeError> {
        let (WindowRows::About(rows) | WindowRows::Exactly(rows)) = rows;
        let slice = contain(|| self.read(rows), DecodeError::Failed)?;
        Ok(slice.map(|slice| DecodedChunk {
            slice,
            pages: Vec::new(),
            claims: None,
        }))
    }
}

impl ColumnDecoder for ArrowFile {
    fn also_reads(&self, leaf: usize) -> Vec<usize> {
        self.leaves
            .get(leaf)
            .map(|target| target.companions.clone())
            .unwrap_or_default()
    }

    fn decode(&self, row_group: usize, leaf: usize) -> Result<DecodedChunk, DecodeError> {
        crate::decode::drain(self.windows(row_group, leaf)?)
    }

    fn windows(
        &self,
        row_group: usize,
        leaf: usize,
    ) -> Result<Box<dyn ChunkWindows + '_>, DecodeError> {
        let windows = contain(
            || self.open_leaf(row_group, leaf, None),
            DecodeError::Failed,
        )?;
        Ok(Box::new(windows))
    }

    fn windows_in(
        &self,
        row_group: usize,
        leaf: usize,
        bytes: ChunkBytes,
    ) -> Result<Box<dyn ChunkWindows + '_>, DecodeError> {
        let windows = contain(
            || self.open_leaf(row_group, leaf, Some(bytes)),
            DecodeError::Failed,
        )?;
        Ok(Box::new(windows))
    }
}

/// The arrow schema with top-level string and binary columns that are dictionary-encoded in
/// every row group asked for as `Dictionary(Int32, _)`: the reader then hands over the
/// page's keys and one dictionary instead of copying every string; `None` when no column
/// qualifies. Columns written without a dictionary stay plain, since building one would cost
/// the reader a hash per value.
fn dictionary_hints(metadata: &ArrowReaderMetadata) -> Option<SchemaRef> {
    let schema = metadata.schema();
    let leaves = metadata.parquet_schema().columns();
    // Leaves that are top-level columns, by name: one pass, not a scan per field.
    let top_level_leaves: std::collections::HashMap<&str, usize> = leaves
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match c.path().parts() {
            [name] => Some((name.as_str(), i)),
            _ => None,
        })
        .collect();
    let row_groups = metadata.metadata().row_groups();
    let dictionary_everywhere = |leaf: usize| {
        !row_groups.is_empty()
            && row_groups.iter().all(|rg| {
                rg.column(leaf)
                    .dictionary_page_offset()
                    .is_some_and(|o| o > 0)
            })
    };
    // Top-level fields holding a byte-array leaf whose chunk inflates past what 32-bit
    // offsets address: their strings are read with 64-bit offsets, or the reader overflows.
    let large: std::collections::HashSet<&str> = leaves
        .iter()
        .enumerate()
        .filter(|&(i, c)| {
            c.physical_type() == parquet::basic::Type::BYTE_ARRAY
                && row_groups
                    .iter()
                    .any(|rg| rg.column(i).uncompressed_size() > i64::from(i32::MAX))
        })
        .filter_map(|(_, c)| c.path().parts().first().map(String::as_str))
        .collect();
    let mut changed = false;
    let fields: Vec<FieldRef> = schema
        .fields()
        .iter()
        .map(|field| {
            if large.contains(field.name().as_str()) {
                changed = true;
                return Arc::new(
                    field
                        .as_ref()
                        .clone()
                        .with_data_type(with_large_strings(field.data_type())),
                );
            }
            let value_type = field.data_type();
            if !matches!(value_type, DataType::Utf8 | DataType::Binary) {
                return field.clone();
            }
            let leaf = top_level_leaves.get(field.name().as_str()).copied();
            match leaf {
                Some(leaf) if dictionary_everywhere(leaf) => {
                    changed = true;
                    let keyed = DataType::Dictionary(
                        Box::new(DataType::Int32),
                        Box::new(value_type.clone()),
                    );
                    Arc::new(field.as_ref().clone().with_data_type(keyed))
                }
                _ => field.clone(),
            }
        })
        .collect();
    changed.then(|| Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone())))
}

/// `data_type` with its strings and binaries, at any depth, read with 64-bit offsets.
fn with_large_strings(data_type: &DataType) -> DataType {
    let field = |f: &FieldRef| {
        Arc::new(
            f.as_ref()
                .clone()
                .with_data_type(with_large_strings(f.data_type())),
        )
    };
    match data_type {
        DataType::Utf8 => DataType::LargeUtf8,
        DataType::Binary => DataType::LargeBinary,
        DataType::List(item) => DataType::List(field(item)),
        DataType::LargeList(item) => DataType::LargeList(field(item)),
        DataType::Map(entries, sorted) => DataType::Map(field(entries), *sorted),
        DataType::Struct(fields) => DataType::Struct(fields.iter().map(field).collect()),
        other => other.clone(),
    }
}

/// A record batch's error: the reader hands the parquet crate's errors over as text, so what
/// it has not implemented (`NYI: …`) is told apart by that text alone.
fn batch_failed(error: arrow_schema::ArrowError) -> DecodeError {
    let message = error.to_string();
    match message.split_once("NYI: ") {
        Some((_, feature)) => DecodeError::Unsupported(feature.to_owned()),
        None => DecodeError::Failed(message),
    }
}

fn failed(error: ParquetError) -> DecodeError {
    match error {
        ParquetError::NYI(feature) => DecodeError::Unsupported(feature),
        other => DecodeError::Failed(other.to_string()),
    }
}

fn physical_type(physical: parquet::basic::Type) -> PhysicalType {
    use parquet::basic::Type;
    match physical {
        Type::BOOLEAN => PhysicalType::Boolean,
        Type::INT32 => PhysicalType::Int32,
        Type::INT64 => PhysicalType::Int64,
        Type::INT96 => PhysicalType::Int96,
        Type::FLOAT => PhysicalType::Float,
        Type::DOUBLE => PhysicalType::Double,
        Type::BYTE_ARRAY => PhysicalType::ByteArray,
        Type::FIXED_LEN_BYTE_ARRAY => PhysicalType::FixedLenByteArray,
    }
}

/// Appends the items of `array` to segment `segment` of `slice` (FINGERPRINT.md, "Nested
/// columns"), and below them everything down to the leaf's values; `above` is the validity
/// the arrays above it in the same segment give its items.
///
/// Arrow nests one array per schema node: a struct per group, a list (or map) per repeated
/// node, with the list array itself in the segment above its elements. So a segment's items
/// are null where any array in the segment is, a list array ends a segment, and its valid
/// items' elements are the next segment's items. `path` is what is left of the leaf's
/// Parquet path, which picks a struct's field where it has several (a map's entries).
fn append_items(
    array: &ArrayRef,
    above: Option<&NullBuffer>,
    segment: usize,
    path: &[String],
    target: &LeafTarget,
    slice: &mut ColumnSlice,
) -> Result<(), DecodeError> {
    let nulls = NullBuffer::union(above, array.logical_nulls().as_ref());
    let (offsets, elements): (Vec<usize>, ArrayRef) = match array.data_type() {
        DataType::Struct(_) => {
            let fields = array.as_struct();
            let (child, rest) = match fields.num_columns() {
                1 => (fields.column(0), path_after(path, fields.column_names()[0])),
                _ => path
                    .iter()
                    .enumerate()
                    .find_map(|(at, name)| {
                        fields.column_by_name(name).map(|c| (c, &path[at + 1..]))
                    })
                    .ok_or_else(|| {
                        DecodeError::Failed(format!("no struct field on the leaf's path {path:?}"))
                    })?,
            };
            return append_items(child, nulls.as_ref(), segment, rest, target, slice);
        }
        DataType::List(_) => {
            let list = array.as_list::<i32>();
            let offsets = list.value_offsets().iter().map(|&o| o as usize).collect();
            (offsets, list.values().clone())
        }
        DataType::LargeList(_) => {
            let list = array.as_list::<i64>();
            let offsets = list.value_offsets().iter().map(|&o| o as usize).collect();
            (offsets, list.values().clone())
        }
        DataType::Map(_, _) => {
            let map = array.as_map();
            let offsets = map.value_offsets().iter().map(|&o| o as usize).collect();
            (offsets, Arc::new(map.entries().clone()) as ArrayRef)
        }
        DataType::FixedSizeList(_, _) | DataType::ListView(_) | DataType::LargeListView(_) => {
            return Err(DecodeError::Unsupported(format!(
                "arrow type {} for a repeated level",
                array.data_type()
            )))
        }
        _ if segment == slice.depth() => {
            return append_array(array.as_ref(), nulls.as_ref(), target, slice)
        }
        other => {
            return Err(DecodeError::Failed(format!(
                "arrow type {other} where the schema has {} more repeated levels",
                slice.depth() - segment
            )))
        }
    };
    if segment >= slice.depth() {
        return Err(DecodeError::Failed(format!(
            "a list array below the leaf's {} repeated levels",
            slice.depth()
        )));
    }
    // Runs of elements of consecutive non-null items are appended in one go; a null item
    // has no elements, whatever its offsets say.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let level = &mut slice.lists[segment];
    let mut end = *level.offsets.last().expect("offsets start at 0");
    for item in 0..array.len() {
        let valid = nulls.as_ref().is_none_or(|n| n.is_valid(item));
        level.validity.push(valid);
        if valid {
            let (start, stop) = (offsets[item], offsets[item + 1]);
            end += stop - start;
            match runs.last_mut() {
                Some(run) if run.1 == start => run.1 = stop,
                _ => runs.push((start, stop)),
            }
        }
        level.offsets.push(end);
    }
    // The repeated node's name (and, in the three-level form, the element's) is consumed by
    // the list array; the element array's own name is then skipped or matched below.
    let rest = path.get(1..).unwrap_or_default();
    for (start, stop) in runs {
        let items = elements.slice(start, stop - start);
        append_items(&items, None, segment + 1, rest, target, slice)?;
    }
    Ok(())
}

/// Every leaf the arrow reader must read along with leaf `leaf`: its [`map_companions`],
/// theirs in turn (a map inside a map's values needs its own keys and values), and so on.
fn companions(schema: &SchemaDescriptor, leaf: usize) -> Vec<usize> {
    let mut chosen = vec![leaf];
    let mut next = 0;
    while let Some(&at) = chosen.get(next) {
        for companion in map_companions(schema, at) {
            if !chosen.contains(&companion) {
                chosen.push(companion);
            }
        }
        next += 1;
    }
    chosen.split_off(1)
}

/// The leaves the arrow reader must read along with leaf `leaf` of `schema`: it refuses a
/// map with its keys or its values left out ("partial projection of MapArray"), so for each
/// map on the leaf's path the first leaf of the other side is read too, and dropped when
/// the map's entries are walked ([`append_items`] follows the leaf's path). It takes a
/// group as a map by its converted type, as the reader does.
fn map_companions(schema: &SchemaDescriptor, leaf: usize) -> Vec<usize> {
    let column = schema.column(leaf);
    // A map's entries are repeated: a leaf under no repeated node is under no map. Skipping
    // them keeps opening a wide flat file linear in its columns.
    if column.max_rep_level() == 0 {
        return Vec::new();
    }
    let path = column.path().parts();
    let mut companions = Vec::new();
    let mut node = schema.get_column_root(leaf);
    for depth in 0..path.len() {
        if depth > 0 {
            let Some(child) = node.get_fields().iter().find(|f| f.name() == path[depth]) else {
                break;
            };
            node = child;
        }
        let is_map = node.is_group()
            && matches!(
                node.get_basic_info().converted_type(),
                ConvertedType::MAP | ConvertedType::MAP_KEY_VALUE
            );
        if !is_map {
            continue;
        }
        // MAP wraps the repeated key_value group; the legacy MAP_KEY_VALUE may annotate the
        // key_value group itself.
        let (entries, entries_depth) = match node.get_fields() {
            [only] if only.is_group() => (only.as_ref(), depth + 1),
            _ => (node, depth),
        };
        if let [key, value, ..] = entries.get_fields() {
            let into = path.get(entries_depth + 1).map(String::as_str);
            let other = if into == Some(value.name()) {
                key
            } else {
                value
            };
            let mut prefix = path[..=entries_depth].to_vec();
            prefix.push(other.name().to_owned());
            companions.extend(first_leaf_under(schema, leaf, &prefix));
        }
    }
    companions
}

/// The first leaf whose path starts with `prefix`, which names a group holding leaf `near`'s
/// neighbours: leaves under one group are contiguous, so only the group's own run of leaves
/// around `near` is looked at.
fn first_leaf_under(schema: &SchemaDescriptor, near: usize, prefix: &[String]) -> Option<usize> {
    let group = &prefix[..prefix.len() - 1];
    let in_group = |i: usize| schema.column(i).path().parts().starts_with(group);
    let mut start = near;
    while start > 0 && in_group(start - 1) {
        start -= 1;
    }
    (start..schema.num_columns())
        .take_while(|&i| in_group(i))
        .find(|&i| schema.column(i).path().parts().starts_with(prefix))
}

/// The rest of `path` after the node named `name`, or all of it when it does not name one.
fn path_after<'p>(path: &'p [String], name: &str) -> &'p [String] {
    match path.iter().position(|part| part == name) {
        Some(at) => &path[at + 1..],
        None => path,
    }
}

/// Appends an arrow array's slots to `slice` in the leaf's physical representation.
fn append_array(
    array: &dyn Array,
    nulls: Option<&NullBuffer>,
    target: &LeafTarget,
    slice: &mut ColumnSlice,
) -> Result<(), DecodeError> {
    let valid = |i: usize| nulls.is_none_or(|n| n.is_valid(i));
    let unsupported = || {
        DecodeError::Unsupported(format!(
            "arrow type {} for a {} column",
            array.data_type(),
            target.physical_type
        ))
    };
    if let DataType::Dictionary(_, _) = array.data_type() {
        let dictionary = array.as_any_dictionary();
        let mut entries = ColumnSlice::empty(target.physical_type, target.type_length);
        let values_nulls = dictionary.values().logical_nulls();
        append_array(
            dictionary.values().as_ref(),
            values_nulls.as_ref(),
            target,
            &mut entries,
        )?;
        if values_nulls.is_none() {
            if let Some(keys) = valid_int32_keys(array, nulls, entries.values.len()) {
                append_validity(&mut slice.validity, nulls, array.len());
                extend_from_entries(&mut slice.values, entries.values, &keys);
                return Ok(());
            }
        }
        // Entry index -> position among the non-null entries.
        let mut positions = Vec::with_capacity(entries.rows);
        let mut next = 0u32;
        for entry_valid in entries.validity.iter() {
            positions.push(entry_valid.then_some(next));
            next += u32::from(entry_valid);
        }
        let keys = dictionary.normalized_keys();
        let mut indices = Vec::with_capacity(keys.len());
        // A slot whose key points at a null entry is null too.
        slice
            .validity
            .extend_from_bools(keys.into_iter().enumerate().map(|(i, key)| {
                let position = valid(i)
                    .then(|| positions.get(key).copied().flatten())
                    .flatten();
                indices.extend(position);
                position.is_some()
            }));
        extend_from_entries(&mut slice.values, entries.values, &indices);
        return Ok(());
    }

    append_validity(&mut slice.validity, nulls, array.len());

    match (&mut slice.values, array.data_type()) {
        // A column of the Null logical type holds only nulls, and no values.
        (_, DataType::Null) => {}
        (Values::Boolean(out), DataType::Boolean) => {
            let values = array.as_boolean().values();
            let stored = (values.values(), values.offset());
            match nulls {
                Some(nulls) => {
                    let valid = nulls.inner();
                    out.extend_selected(stored, (valid.values(), valid.offset()), values.len());
                }
                None => out.extend_from_lsb_bits(stored.0, stored.1, values.len()),
            }
        }
        (Values::Int32(out), data_type) => match data_type {
            DataType::Int8 => push_primitive::<Int8Type, _>(array, nulls, out, i32::from),
            DataType::Int16 => push_primitive::<Int16Type, _>(array, nulls, out, i32::from),
            DataType::Int32 => push_primitive::<Int32Type, _>(array, nulls, out, |v| v),
            DataType::UInt8 => push_primitive::<UInt8Type, _>(array, nulls, out, i32::from),
            DataType::UInt16 => push_primitive::<UInt16Type, _>(array, nulls, out, i32::from),
            DataType::UInt32 => push_primitive::<UInt32Type, _>(array, nulls, out, |v| v as i32),
            DataType::Date32 => push_primitive::<Date32Type, _>(array, nulls, out, |v| v),
            DataType::Time32(TimeUnit::Second) => {
                push_primitive::<Time32SecondType, _>(array, nulls, out, |v| v)
            }
            DataType::Time32(TimeUnit::Millisecond) => {
                push_primitive::<Time32MillisecondType, _>(array, nulls, out, |v| v)
            }
            DataType::Decimal32(_, _) => {
                push_primitive::<Decimal32Type, _>(array, nulls, out, |v| v)
            }
            DataType::Decimal64(_, _) => {
                push_primitive::<Decimal64Type, _>(array, nulls, out, |v| v as i32)
            }
            DataType::Decimal128(_, _) => {
                push_primitive::<Decimal128Type, _>(array, nulls, out, |v| v as i32)
            }
            _ => return Err(unsupported()),
        },
        (Values::Int64(out), data_type) => match data_type {
            DataType::Int64 => push_primitive::<Int64Type, _>(array, nulls, out, |v| v),
            DataType::UInt64 => push_primitive::<UInt64Type, _>(array, nulls, out, |v| v as i64),
            DataType::Date64 => push_primitive::<Date64Type, _>(array, nulls, out, |v| v),
            DataType::Time64(TimeUnit::Microsecond) => {
                push_primitive::<Time64MicrosecondType, _>(array, nulls, out, |v| v)
            }
            DataType::Time64(TimeUnit::Nanosecond) => {
                push_primitive::<Time64NanosecondType, _>(array, nulls, out, |v| v)
            }
            DataType::Timestamp(unit, _) => match unit {
                TimeUnit::Second => {
                    push_primitive::<TimestampSecondType, _>(array, nulls, out, |v| v)
                }
                TimeUnit::Millisecond => {
                    push_primitive::<TimestampMillisecondType, _>(array, nulls, out, |v| v)
                }
                TimeUnit::Microsecond => {
                    push_primitive::<TimestampMicrosecondType, _>(array, nulls, out, |v| v)
                }
                TimeUnit::Nanosecond => {
                    push_primitive::<TimestampNanosecondType, _>(array, nulls, out, |v| v)
                }
            },
            DataType::Duration(unit) => match unit {
                TimeUnit::Second => {
                    push_primitive::<DurationSecondType, _>(array, nulls, out, |v| v)
                }
                TimeUnit::Millisecond => {
                    push_primitive::<DurationMillisecondType, _>(array, nulls, out, |v| v)
                }
                TimeUnit::Microsecond => {
                    push_primitive::<DurationMicrosecondType, _>(array, nulls, out, |v| v)
                }
                TimeUnit::Nanosecond => {
                    push_primitive::<DurationNanosecondType, _>(array, nulls, out, |v| v)
                }
            },
            DataType::Decimal64(_, _) => {
                push_primitive::<Decimal64Type, _>(array, nulls, out, |v| v)
            }
            DataType::Decimal128(_, _) => {
                push_primitive::<Decimal128Type, _>(array, nulls, out, |v| v as i64)
            }
            _ => return Err(unsupported()),
        },
        (Values::Int96(out), DataType::Timestamp(TimeUnit::Nanosecond, _)) => {
            push_primitive::<TimestampNanosecondType, _>(array, nulls, out, int96_from_nanos)
        }
        (Values::Float(out), DataType::Float32) => {
            push_primitive::<Float32Type, _>(array, nulls, out, |v| v)
        }
        (Values::Double(out), DataType::Float64) => {
            push_primitive::<Float64Type, _>(array, nulls, out, |v| v)
        }
        // Decimals in BYTE_ARRAY: minimal big-endian two's complement (LogicalTypes.md, DECIMAL).
        (Values::ByteArray(out), DataType::Decimal128(_, _)) => {
            let values = array.as_primitive::<Decimal128Type>();
            for i in (0..array.len()).filter(|&i| valid(i)) {
                out.push(minimal_twos_complement(&values.value(i).to_be_bytes()));
            }
        }
        (Values::ByteArray(out), DataType::Decimal256(_, _)) => {
            let values = array.as_primitive::<Decimal256Type>();
            for i in (0..array.len()).filter(|&i| valid(i)) {
                out.push(minimal_twos_complement(&values.value(i).to_be_bytes()));
            }
        }
        (Values::ByteArray(out), data_type) => {
            push_bytes(array, data_type, &valid, out).ok_or_else(unsupported)?
        }
        (Values::FixedLenByteArray { width, data }, data_type) => {
            let width = *width;
            match data_type {
                DataType::FixedSizeBinary(_) => {
                    let values = array.as_fixed_size_binary();
                    for i in (0..array.len()).filter(|&i| valid(i)) {
                        data.extend_from_slice(values.value(i));
                    }
                }
                // The arrow reader returns INTERVAL as days and milliseconds and drops the
                // months; they are put back as zero, and both paths compare without them
                // (canonical.rs, IntervalWithoutMonths).
                DataType::Interval(IntervalUnit::DayTime) if width == 12 => {
                    let values = array.as_primitive::<IntervalDayTimeType>();
                    for i in (0..array.len()).filter(|&i| valid(i)) {
                        let value = values.value(i);
                        data.extend_from_slice(&[0; 4]);
                        data.extend_from_slice(&value.days.to_le_bytes());
                        data.extend_from_slice(&value.milliseconds.to_le_bytes());
                    }
                }
                DataType::Float16 if width == 2 => {
                    let values = array.as_primitive::<Float16Type>();
                    for i in (0..array.len()).filter(|&i| valid(i)) {
                        data.extend_from_slice(&values.value(i).to_le_bytes());
                    }
                }
                // Decimals in FIXED_LEN_BYTE_ARRAY are big-endian two's complement of the
                // column's width (LogicalTypes.md, DECIMAL).
                DataType::Decimal32(_, _) => {
                    push_decimal::<Decimal32Type>(array, &valid, width, data, |v| {
                        i128::from(v).to_be_bytes().to_vec()
                    })
                }
                DataType::Decimal64(_, _) => {
                    push_decimal::<Decimal64Type>(array, &valid, width, data, |v| {
                        i128::from(v).to_be_bytes().to_vec()
                    })
                }
                DataType::Decimal128(_, _) => {
                    push_decimal::<Decimal128Type>(array, &valid, width, data, |v| {
                        v.to_be_bytes().to_vec()
                    })
                }
                DataType::Decimal256(_, _) => {
                    push_decimal::<Decimal256Type>(array, &valid, width, data, |v| {
                        v.to_be_bytes().to_vec()
                    })
                }
                _ => return Err(unsupported()),
            }
        }
        _ => return Err(unsupported()),
    }
    Ok(())
}

/// Appends the validity of `len` slots, all valid when there is no null buffer.
fn append_validity(validity: &mut Bitmap, nulls: Option<&NullBuffer>, len: usize) {
    match nulls {
        Some(nulls) => {
            let bits = nulls.inner();
            validity.extend_from_lsb_bits(bits.values(), bits.offset(), bits.len())
        }
        None => validity.push_n(true, len),
    }
}

/// The keys of the valid slots of a dictionary array with `Int32` keys, when every one of
/// them names one of its `entries` (the common case, taken without a check per slot's
/// entry validity); `None` sends the array down the general path.
fn valid_int32_keys(
    array: &dyn Array,
    nulls: Option<&NullBuffer>,
    entries: usize,
) -> Option<Vec<u32>> {
    let keys = array.as_dictionary_opt::<Int32Type>()?.keys().values();
    let mut valid = Vec::with_capacity(keys.len());
    match nulls {
        Some(nulls) => {
            for (start, end) in nulls.inner().set_slices() {
                valid.extend(keys[start..end].iter().map(|&key| key as u32));
            }
        }
        None => valid.extend(keys.iter().map(|&key| key as u32)),
    }
    // A negative key wraps to a huge one and fails here too.
    valid
        .iter()
        .all(|&key| (key as usize) < entries)
        .then_some(valid)
}

/// Appends `entries[key]` for each key.
fn extend_from_entries(out: &mut Values, entries: Values, keys: &[u32]) {
    match (out, entries) {
        // Kept as keys, so a chunk read as one dictionary stays one dictionary.
        (Values::ByteArray(out), Values::ByteArray(strings)) => {
            out.extend_from_keys(&Arc::new(strings), keys)
        }
        (out, entries) => out.extend_from_dictionary(&entries, keys),
    }
}

fn push_primitive<T: ArrowPrimitiveType, U>(
    array: &dyn Array,
    nulls: Option<&NullBuffer>,
    out: &mut Vec<U>,
    convert: impl Fn(T::Native) -> U,
) {
    let values = array.as_primitive::<T>().values();
    match nulls {
        // Runs of valid slots are copied whole rather than tested slot by slot.
        Some(nulls) => {
            for (start, end) in nulls.inner().set_slices() {
                out.extend(values[start..end].iter().map(|&v| convert(v)));
            }
        }
        None => out.extend(values.iter().map(|&v| convert(v))),
    }
}

fn push_decimal<T: ArrowPrimitiveType>(
    array: &dyn Array,
    valid: &impl Fn(usize) -> bool,
    width: usize,
    data: &mut Vec<u8>,
    to_be_bytes: impl Fn(T::Native) -> Vec<u8>,
) {
    let values = array.as_primitive::<T>().values();
    for i in (0..values.len()).filter(|&i| valid(i)) {
        let bytes = to_be_bytes(values[i]);
        // Keep the low `width` bytes; sign extension fills any width wider than the native.
        if width <= bytes.len() {
            data.extend_from_slice(&bytes[bytes.len() - width..]);
        } else {
            let fill = if bytes.first().is_some_and(|b| b & 0x80 != 0) {
                0xff
            } else {
                0
            };
            data.extend(std::iter::repeat_n(fill, width - bytes.len()));
            data.extend_from_slice(&bytes);
        }
    }
}

fn push_bytes(
    array: &dyn Array,
    data_type: &DataType,
    valid: &impl Fn(usize) -> bool,
    out: &mut ByteArrays,
) -> Option<()> {
    match data_type {
        DataType::Utf8 | DataType::Binary => {
            let data = array.to_data();
            let offsets = data.buffer::<i32>(0);
            push_offset_bytes(array, offsets, data.buffers()[1].as_slice(), valid, out)
        }
        DataType::LargeUtf8 | DataType::LargeBinary => {
            let data = array.to_data();
            let offsets = data.buffer::<i64>(0);
            push_offset_bytes(array, offsets, data.buffers()[1].as_slice(), valid, out)
        }
        DataType::Utf8View => {
            let values = array.as_string_view();
            (0..array.len())
                .filter(|&i| valid(i))
                .for_each(|i| out.push(values.value(i).as_bytes()));
        }
        DataType::BinaryView => {
            let values = array.as_binary_view();
            (0..array.len())
                .filter(|&i| valid(i))
                .for_each(|i| out.push(values.value(i)));
        }
        _ => return None,
    }
    Some(())
}

/// Appends the valid values of an offsets-and-bytes array; without nulls, as one copy.
fn push_offset_bytes<O: Copy + TryInto<usize>>(
    array: &dyn Array,
    offsets: &[O],
    bytes: &[u8],
    valid: &impl Fn(usize) -> bool,
    out: &mut ByteArrays,
) {
    let offset = |i: usize| {
        offsets[i]
            .try_into()
            .ok()
            .expect("arrow offsets are non-negative")
    };
    if (0..array.len()).all(valid) {
        out.extend_from_offsets((0..=array.len()).map(offset), bytes);
    } else {
        for i in (0..array.len()).filter(|&i| valid(i)) {
            out.push(&bytes[offset(i)..offset(i + 1)]);
        }
    }
}
