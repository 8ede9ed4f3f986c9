//! Hand-made Parquet files for cases no writer produces: page CRCs, headers that lie, rows
//! that continue across pages. A small Thrift compact-protocol writer (test-only) and a
//! one-column, one-row-group file builder, the column at the top level or under groups.
#![allow(dead_code)]

/// Writes Thrift compact-protocol structs (thrift-compact-protocol.md).
#[derive(Default)]
pub struct Compact {
    pub out: Vec<u8>,
    last_field: Vec<i16>,
}

const I32: u8 = 5;
const I64: u8 = 6;
const BINARY: u8 = 8;
const LIST: u8 = 9;
const STRUCT: u8 = 12;

impl Compact {
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.out.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.out.push(v as u8);
    }

    fn zigzag(&mut self, v: i64) {
        self.varint(((v << 1) ^ (v >> 63)) as u64);
    }

    fn field(&mut self, id: i16, kind: u8) {
        let last = self.last_field.last().copied().unwrap_or(0);
        let delta = id - last;
        if (1..=15).contains(&delta) {
            self.out.push(((delta as u8) << 4) | kind);
        } else {
            self.out.push(kind);
            self.zigzag(id.into());
        }
        *self.last_field.last_mut().expect("inside a struct") = id;
    }

    pub fn begin(&mut self) {
        self.last_field.push(0);
    }

    pub fn end(&mut self) {
        self.out.push(0);
        self.last_field.pop();
    }

    pub fn i32(&mut self, id: i16, v: i32) {
        self.field(id, I32);
        self.zigzag(v.into());
    }

    pub fn i64(&mut self, id: i16, v: i64) {
        self.field(id, I64);
        self.zigzag(v);
    }

    pub fn string(&mut self, id: i16, v: &str) {
        self.field(id, BINARY);
        self.varint(v.len() as u64);
        self.out.extend_from_slice(v.as_bytes());
    }

    pub fn binary(&mut self, id: i16, v: &[u8]) {
        self.field(id, BINARY);
        self.varint(v.len() as u64);
        self.out.extend_from_slice(v);
    }

    /// A struct field whose body (fields and stop byte) is written as given.
    pub fn struct_bytes(&mut self, id: i16, body: &[u8]) {
        self.field(id, STRUCT);
        self.out.extend_from_slice(body);
    }

    pub fn struct_field(&mut self, id: i16) {
        self.field(id, STRUCT);
        self.begin();
    }

    pub fn list(&mut self, id: i16, element: u8, size: usize) {
        self.field(id, LIST);
        if size < 15 {
            self.out.push(((size as u8) << 4) | element);
        } else {
            self.out.push(0xf0 | element);
            self.varint(size as u64);
        }
    }

    pub fn list_i32(&mut self, id: i16, values: &[i32]) {
        self.list(id, I32, values.len());
        for &v in values {
            self.zigzag(v.into());
        }
    }

    pub fn list_string(&mut self, id: i16, values: &[&str]) {
        self.list(id, BINARY, values.len());
        for v in values {
            self.varint(v.len() as u64);
            self.out.extend_from_slice(v.as_bytes());
        }
    }

    /// A list of structs: the caller writes each with `begin`/`end`.
    pub fn list_structs(&mut self, id: i16, size: usize) {
        self.list(id, STRUCT, size);
    }
}

/// One data page v1 of the crafted file.
pub struct CraftedPage {
    /// Level entries (rows, for a flat column).
    pub num_values: i32,
    /// The page body (uncompressed): levels and values.
    pub body: Vec<u8>,
    /// The CRC field to store, if any.
    pub crc: Option<i32>,
    /// The uncompressed_page_size to claim instead of the true one.
    pub declared_size: Option<i32>,
    /// Raw Thrift field bytes appended to the page header's own fields.
    pub header_extra: Vec<u8>,
    /// What kind of page this is.
    pub kind: PageKind,
    /// The body as stored, instead of the body compressed with the file's codec.
    pub stored: Option<Vec<u8>>,
}

/// The page types the crafter writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageKind {
    /// DATA_PAGE with the values in this encoding (parquet.thrift `Encoding`: 0 PLAIN,
    /// 8 RLE_DICTIONARY, ...).
    Data { encoding: i32 },
    /// DICTIONARY_PAGE declaring this many PLAIN entries; `num_values` is ignored.
    Dictionary { entries: i32 },
}

/// How the crafted column is typed and stored.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    /// parquet.thrift `Type`: 0 BOOLEAN, 2 INT64, ...
    pub physical_type: i32,
    /// parquet.thrift `CompressionCodec`: 0 UNCOMPRESSED, 1 SNAPPY, 2 GZIP, 4 BROTLI, 5 LZ4.
    pub codec: i32,
}

/// A REQUIRED BOOLEAN column, uncompressed.
pub const BOOLEAN_PLAIN: Layout = Layout {
    physical_type: 0,
    codec: 0,
};

/// A data page v1 of a REQUIRED BOOLEAN column holding `values`, PLAIN-encoded.
pub fn boolean_page(values: &[bool]) -> CraftedPage {
    let mut body = vec![0u8; values.len().div_ceil(8)];
    for (i, &v) in values.iter().enumerate() {
        body[i / 8] |= u8::from(v) << (i % 8);
    }
    CraftedPage {
        num_values: values.len() as i32,
        body,
        crc: None,
        declared_size: None,
        header_extra: Vec::new(),
        kind: PageKind::Data { encoding: 0 },
        stored: None,
    }
}

/// A page of `kind` with `num_values` level entries and this (uncompressed) body.
pub fn page(kind: PageKind, num_values: i32, body: Vec<u8>) -> CraftedPage {
    CraftedPage {
        num_values,
        body,
        crc: None,
        declared_size: None,
        header_extra: Vec::new(),
        kind,
        stored: None,
    }
}

/// CRC32 of a page body, as the `crc` field stores it.
pub fn crc_of(body: &[u8]) -> i32 {
    crc32fast::hash(body) as i32
}

/// What the footer claims, to craft files whose metadata lies.
pub struct Claims {
    /// FileMetaData.num_rows; `None` for the true count.
    pub file_rows: Option<i64>,
    /// ColumnMetaData.statistics: null_count, min_value, max_value.
    pub statistics: Option<(i64, Vec<u8>, Vec<u8>)>,
    /// FileMetaData.created_by; a test name when `None`.
    pub created_by: Option<&'static str>,
    /// RowGroup.num_rows; `None` for the true count.
    pub row_group_rows: Option<i64>,
    /// The deprecated Statistics.min/max (fields 2 and 1) instead of min_value/max_value.
    pub legacy_statistics: Option<(Vec<u8>, Vec<u8>)>,
}

/// Claims that tell the truth: every count as the pages hold it, no statistics.
pub const TRUE_COUNT: Claims = Claims {
    file_rows: None,
    statistics: None,
    created_by: None,
    row_group_rows: None,
    legacy_statistics: None,
};

/// A file with one REQUIRED BOOLEAN column `label` in one row group made of `pages`,
/// uncompressed.
pub fn boolean_file(pages: &[CraftedPage], claims: &Claims) -> Vec<u8> {
    boolean_file_with(pages, claims, false)
}

/// [`boolean_file`], with every page body SNAPPY-compressed when `snappy`.
pub fn boolean_file_with(pages: &[CraftedPage], claims: &Claims, snappy: bool) -> Vec<u8> {
    let layout = Layout {
        codec: i32::from(snappy),
        ..BOOLEAN_PLAIN
    };
    file_with(pages, claims, layout)
}

/// Annotations of the crafted leaf beyond its physical type.
#[derive(Clone, Copy, Debug, Default)]
pub struct LeafSchema {
    /// SchemaElement.type_length (FIXED_LEN_BYTE_ARRAY).
    pub type_length: Option<i32>,
    /// SchemaElement.converted_type (parquet.thrift `ConvertedType`: 21 INTERVAL, ...).
    pub converted_type: Option<i32>,
    /// SchemaElement.logicalType, as the compact bytes of the union's body (stop byte included).
    pub logical_type: Option<&'static [u8]>,
    /// OPTIONAL rather than REQUIRED: its data pages then start with definition levels.
    pub optional: bool,
    /// The data pages' definition_level_encoding (parquet.thrift `Encoding`); RLE (3) when
    /// `None`.
    pub definition_level_encoding: Option<i32>,
}

/// A file with one REQUIRED column `label` typed and stored as `layout` says, in one row
/// group made of `pages`.
pub fn file_with(pages: &[CraftedPage], claims: &Claims, layout: Layout) -> Vec<u8> {
    file_shaped(pages, claims, layout, &ChunkShape::default())
}

/// How the crafted column chunk departs from its pages.
#[derive(Clone, Debug, Default)]
pub struct ChunkShape {
    /// Bytes written after the last page, inside the chunk's declared range.
    pub tail: Vec<u8>,
    /// Bytes left out of the declared total_compressed_size (PARQUET-816 leaves out the
    /// dictionary page header).
    pub understated: i64,
    /// The dictionary_page_offset to declare instead of the true one (or none).
    pub dictionary_offset: Option<i64>,
    /// The leaf's annotations.
    pub leaf: LeafSchema,
    /// The groups on the leaf's path, outermost first, each the only child of the one before;
    /// empty for a top-level leaf. A repeated one makes the column nested: its data pages then
    /// start with repetition levels ([`hybrid`]).
    pub groups: Vec<Group>,
    /// The leaf's name; `label` when `None`.
    pub leaf_name: Option<&'static str>,
    /// The leaf's repetition (parquet.thrift `FieldRepetitionType`: 0 REQUIRED, 1 OPTIONAL,
    /// 2 REPEATED), instead of the one [`LeafSchema::optional`] gives.
    pub leaf_repetition: Option<i32>,
    /// Rows of the row group, when they are not the pages' level entries (a nested column).
    pub rows: Option<i64>,
}

/// A group node on the crafted leaf's path (parquet.thrift `SchemaElement` with children).
#[derive(Clone, Copy, Debug)]
pub struct Group {
    /// The node's name.
    pub name: &'static str,
    /// parquet.thrift `FieldRepetitionType`: 0 REQUIRED, 1 OPTIONAL, 2 REPEATED.
    pub repetition: i32,
    /// parquet.thrift `ConvertedType`: 1 MAP, 3 LIST, ...
    pub converted_type: Option<i32>,
}

impl Group {
    /// An optional LIST-annotated group: the outer node of a 3-level list.
    pub fn list(name: &'static str) -> Self {
        Self {
            name,
            repetition: 1,
            converted_type: Some(3),
        }
    }

    /// The repeated `list` group of a 3-level list.
    pub fn repeated(name: &'static str) -> Self {
        Self {
            name,
            repetition: 2,
            converted_type: None,
        }
    }
}

/// Levels or RLE booleans as a v1 data page stores them (Encodings.md, "Run Length Encoding /
/// Bit-Packing Hybrid"): a 4-byte length, then runs of `bit_width`-bit values. RLE runs of
/// equal values when `packed` is false (millions of equal values take a few bytes), else
/// bit-packed runs of 8 values (the last one padded with zeros).
pub fn hybrid(values: impl IntoIterator<Item = u32>, bit_width: u8, packed: bool) -> Vec<u8> {
    let mut runs = Vec::new();
    let varint = |out: &mut Vec<u8>, mut v: u64| {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    };
    let value_bytes = usize::from(bit_width).div_ceil(8);
    if packed {
        let values: Vec<u32> = values.into_iter().collect();
        let groups = values.len().div_ceil(8);
        varint(&mut runs, ((groups as u64) << 1) | 1);
        let mut bits = vec![0u8; groups * usize::from(bit_width)];
        for (i, v) in values.iter().enumerate() {
            for b in 0..usize::from(bit_width) {
                let at = i * usize::from(bit_width) + b;
                bits[at / 8] |= (((v >> b) & 1) as u8) << (at % 8);
            }
        }
        runs.extend_from_slice(&bits);
    } else {
        let mut run: Option<(u32, u64)> = None;
        let flush = |runs: &mut Vec<u8>, (value, count): (u32, u64)| {
            varint(runs, count << 1);
            runs.extend_from_slice(&value.to_le_bytes()[..value_bytes]);
        };
        for v in values {
            run = match run {
                Some((value, count)) if value == v => Some((value, count + 1)),
                Some(done) => {
                    flush(&mut runs, done);
                    Some((v, 1))
                }
                None => Some((v, 1)),
            };
        }
        if let Some(done) = run {
            flush(&mut runs, done);
        }
    }
    let mut out = (runs.len() as u32).to_le_bytes().to_vec();
    out.extend_from_slice(&runs);
    out
}

/// [`file_with`], the leaf annotated as `leaf` says.
pub fn file_with_leaf(
    pages: &[CraftedPage],
    claims: &Claims,
    layout: Layout,
    leaf: LeafSchema,
) -> Vec<u8> {
    let shape = ChunkShape {
        leaf,
        ..ChunkShape::default()
    };
    file_shaped(pages, claims, layout, &shape)
}

/// [`file_with`], its chunk shaped as `shape` says.
pub fn file_shaped(
    pages: &[CraftedPage],
    claims: &Claims,
    layout: Layout,
    shape: &ChunkShape,
) -> Vec<u8> {
    let mut file = b"PAR1".to_vec();
    let chunk_start = file.len() as i64;
    let num_values: i64 = pages
        .iter()
        .filter(|p| matches!(p.kind, PageKind::Data { .. }))
        .map(|p| i64::from(p.num_values))
        .sum();
    let dictionary_offset = pages
        .first()
        .filter(|p| matches!(p.kind, PageKind::Dictionary { .. }))
        .map(|_| chunk_start);
    let mut data_offset = None;
    for page in pages {
        let stored = match (&page.stored, layout.codec) {
            (Some(stored), _) => stored.clone(),
            (None, 0) => page.body.clone(),
            (None, 1) => snap::raw::Encoder::new()
                .compress_vec(&page.body)
                .expect("snappy compresses"),
            (None, codec) => panic!("the crafter compresses no codec {codec}: give `stored`"),
        };
        let mut header = Compact::default();
        header.begin();
        match page.kind {
            PageKind::Data { .. } => {
                data_offset.get_or_insert(file.len() as i64);
                header.i32(1, 0); // DATA_PAGE
            }
            PageKind::Dictionary { .. } => header.i32(1, 2), // DICTIONARY_PAGE
        }
        header.i32(2, page.declared_size.unwrap_or(page.body.len() as i32));
        header.i32(3, stored.len() as i32);
        if let Some(crc) = page.crc {
            header.i32(4, crc);
        }
        match page.kind {
            PageKind::Data { encoding } => {
                header.struct_field(5);
                header.i32(1, page.num_values);
                header.i32(2, encoding);
                header.i32(3, shape.leaf.definition_level_encoding.unwrap_or(3));
                header.i32(4, 3); // RLE
                header.end();
            }
            PageKind::Dictionary { entries } => {
                header.struct_field(7);
                header.i32(1, entries);
                header.i32(2, 0); // PLAIN
                header.end();
            }
        }
        header.out.extend_from_slice(&page.header_extra);
        header.end();
        file.extend_from_slice(&header.out);
        file.extend_from_slice(&stored);
    }
    file.extend_from_slice(&shape.tail);
    let chunk_len = file.len() as i64 - chunk_start - shape.understated;

    let mut meta = Compact::default();
    meta.begin();
    meta.i32(1, 1);
    meta.list_structs(2, 2 + shape.groups.len());
    // Root, the groups on the leaf's path, then the one leaf.
    meta.begin();
    meta.string(4, "schema");
    meta.i32(5, 1);
    meta.end();
    for group in &shape.groups {
        meta.begin();
        meta.i32(3, group.repetition);
        meta.string(4, group.name);
        meta.i32(5, 1);
        if let Some(converted) = group.converted_type {
            meta.i32(6, converted);
        }
        meta.end();
    }
    let leaf_name = shape.leaf_name.unwrap_or("label");
    meta.begin();
    meta.i32(1, layout.physical_type);
    if let Some(length) = shape.leaf.type_length {
        meta.i32(2, length);
    }
    // REQUIRED or OPTIONAL, unless told otherwise.
    meta.i32(
        3,
        shape
            .leaf_repetition
            .unwrap_or(i32::from(shape.leaf.optional)),
    );
    meta.string(4, leaf_name);
    if let Some(converted) = shape.leaf.converted_type {
        meta.i32(6, converted);
    }
    if let Some(logical) = shape.leaf.logical_type {
        meta.struct_bytes(10, logical);
    }
    meta.end();
    let rows = shape.rows.unwrap_or(num_values);
    meta.i64(3, claims.file_rows.unwrap_or(rows));
    meta.list_structs(4, 1);
    meta.begin(); // RowGroup
    meta.list_structs(1, 1);
    meta.begin(); // ColumnChunk
    meta.i64(2, chunk_start);
    meta.struct_field(3); // ColumnMetaData
    meta.i32(1, layout.physical_type);
    let encodings: &[i32] = if dictionary_offset.is_some() {
        &[0, 3, 8]
    } else {
        &[0, 3]
    };
    meta.list_i32(2, encodings);
    let path: Vec<&str> = shape
        .groups
        .iter()
        .map(|g| g.name)
        .chain([leaf_name])
        .collect();
    meta.list_string(3, &path);
    meta.i32(4, layout.codec);
    meta.i64(5, num_values);
    meta.i64(6, chunk_len);
    meta.i64(7, chunk_len);
    meta.i64(9, data_offset.unwrap_or(chunk_start));
    if let Some(offset) = shape.dictionary_offset.or(dictionary_offset) {
        meta.i64(11, offset);
    }
    if let Some((null_count, min, max)) = &claims.statistics {
        meta.struct_field(12);
        meta.i64(3, *null_count);
        meta.binary(5, max);
        meta.binary(6, min);
        meta.end();
    }
    if let Some((min, max)) = &claims.legacy_statistics {
        meta.struct_field(12);
        meta.binary(1, max);
        meta.binary(2, min);
        meta.end();
    }
    meta.end();
    meta.end(); // ColumnChunk
    meta.i64(2, chunk_len);
    meta.i64(3, claims.row_group_rows.unwrap_or(rows));
    meta.end(); // RowGroup
    meta.string(6, claims.created_by.unwrap_or("labelcheck test craft"));
    meta.end();
    file.extend_from_slice(&meta.out);
    file.extend_from_slice(&(meta.out.len() as u32).to_le_bytes());
    file.extend_from_slice(b"PAR1");
    file
}
