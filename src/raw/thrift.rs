//! A reader for the Thrift compact protocol, the encoding of every Parquet footer and page header.
//!
//! Written from the Thrift spec (apache/thrift `doc/specs/thrift-compact-protocol.md`, sections
//! "Integer encoding", "Binary encoding", "Double encoding", "Boolean encoding", "Struct
//! encoding", "List and Set", "Map"). Parquet uses only structs, unions, lists, enums (as i32),
//! integers, bools and binary, but `skip` handles every compact type so that fields added to the
//! format later can be stepped over.
//!
//! Everything read here comes from an untrusted file, so: every size is checked against the
//! bytes left before anything is allocated, nesting is capped at [`MAX_NESTING_DEPTH`] so no
//! input can drive recursion deep, and all size arithmetic is checked.

use std::fmt;

use super::cursor::Cursor;
use super::error::{RawError, RawResult};

/// Deepest nesting of structs, lists, sets and maps the reader accepts.
///
/// Parquet's own structures nest at most about eight deep (FileMetaData → RowGroup →
/// ColumnChunk → ColumnMetaData → Statistics …); the cap only bounds what unknown fields may do.
pub const MAX_NESTING_DEPTH: usize = 32;

/// Allocation cap for a list before its elements have been read: a list's element count only
/// bounds the *wire* bytes, and a decoded element may be far larger than its one wire byte.
const PREALLOCATE_LIMIT: usize = 1024;

/// The value types of the compact protocol ("Struct encoding" field types, "List and Set"
/// element types).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ThriftType {
    /// `bool`: in the field header for struct fields, one byte as an element.
    Bool,
    /// `i8` (also called `byte`): one raw byte.
    I8,
    /// `i16`: zigzag varint.
    I16,
    /// `i32` and enums: zigzag varint.
    I32,
    /// `i64`: zigzag varint.
    I64,
    /// `double`: 8 bytes, little-endian.
    Double,
    /// `binary` and `string`: varint length, then the bytes.
    Binary,
    /// `list<T>`.
    List,
    /// `set<T>`, encoded like a list.
    Set,
    /// `map<K, V>`.
    Map,
    /// A struct or union.
    Struct,
    /// `uuid`: 16 raw bytes.
    Uuid,
}

impl ThriftType {
    /// The IDL name of the type.
    pub fn name(self) -> &'static str {
        match self {
            Self::Bool => "bool",
            Self::I8 => "i8",
            Self::I16 => "i16",
            Self::I32 => "i32",
            Self::I64 => "i64",
            Self::Double => "double",
            Self::Binary => "binary",
            Self::List => "list",
            Self::Set => "set",
            Self::Map => "map",
            Self::Struct => "struct",
            Self::Uuid => "uuid",
        }
    }

    /// Decodes a field-header type nibble; bools carry their value in it (1 true, 2 false).
    fn from_field_nibble(nibble: u8) -> Option<(Self, Option<bool>)> {
        Some(match nibble {
            1 => (Self::Bool, Some(true)),
            2 => (Self::Bool, Some(false)),
            other => (Self::from_common_nibble(other)?, None),
        })
    }

    /// Decodes a collection element-type nibble.
    ///
    /// The spec gives 2 for `BOOL`, but the Java implementation writes 1 (its BOOLEAN_TRUE code)
    /// for `list<bool>`, which parquet-mr uses for `ColumnIndex.null_pages`; both are accepted.
    fn from_element_nibble(nibble: u8) -> Option<Self> {
        match nibble {
            1 | 2 => Some(Self::Bool),
            other => Self::from_common_nibble(other),
        }
    }

    fn from_common_nibble(nibble: u8) -> Option<Self> {
        Some(match nibble {
            3 => Self::I8,
            4 => Self::I16,
            5 => Self::I32,
            6 => Self::I64,
            7 => Self::Double,
            8 => Self::Binary,
            9 => Self::List,
            10 => Self::Set,
            11 => Self::Map,
            12 => Self::Struct,
            13 => Self::Uuid,
            _ => return None,
        })
    }

    /// True when a value of type `self` on the wire is read byte for byte as `other` would
    /// be, so reading one with the other's reader yields the value that was written.
    ///
    /// The compact protocol encodes `i16`, `i32` and `i64` alike (zigzag varints), and a set
    /// like a list; reading an `i16` as an `i32` is what Apache Thrift's generated code does for
    /// a list whose header names a narrower integer type, and range checks still apply. Any
    /// other pair differs in encoding (an `i8` is a raw byte, a bool element one byte of 0–2, a
    /// binary a length-prefixed run), so reading one as the other would decode garbage.
    fn same_encoding(self, other: Self) -> bool {
        use ThriftType::{List, Set, I16, I32, I64};
        self == other
            || matches!(
                (self, other),
                (I16 | I32 | I64, I16 | I32 | I64) | (List | Set, List | Set)
            )
    }

    /// Fewest bytes one element of this type takes on the wire, used to reject collection
    /// sizes that the remaining bytes cannot hold.
    fn min_encoded_len(self) -> usize {
        match self {
            Self::Double => 8,
            Self::Uuid => 16,
            // A varint, a length prefix, a collection header, an element bool or a struct's
            // stop byte: never less than one byte.
            _ => 1,
        }
    }
}

impl fmt::Display for ThriftType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A decoded field header ("Struct encoding": short form `ddddtttt` or long form `0000tttt` +
/// zigzag field id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldHeader {
    /// The field id from the IDL.
    pub id: i16,
    /// The type of the value that follows.
    pub field_type: ThriftType,
    /// For a bool field, its value, which the header itself encodes.
    pub bool_value: Option<bool>,
}

/// A list or set header ("List and Set"): element type and count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListHeader {
    /// Type of every element; `None` only for an empty list whose header names type 0 (the
    /// compact protocol's STOP), as fastparquet (2023.4) and other writers emit for an empty
    /// list.
    pub element_type: Option<ThriftType>,
    /// Number of elements, already checked to fit in the remaining bytes.
    pub size: usize,
}

/// A map header ("Map").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapHeader {
    /// Key and value types; `None` for the one-byte empty map, which carries no types.
    pub types: Option<(ThriftType, ThriftType)>,
    /// Number of key/value pairs, already checked to fit in the remaining bytes.
    pub size: usize,
}

/// A compact-protocol reader over a bounds-checked [`Cursor`].
#[derive(Debug, Clone)]
pub struct CompactReader<'a> {
    cursor: Cursor<'a>,
    /// Last field id read in each open struct, innermost last: short-form ids are deltas.
    last_field_ids: Vec<i16>,
    /// Open structs and collections.
    depth: usize,
    /// Most elements a list, set or map may declare.
    max_collection: usize,
    /// What is left of a budget that structs of one kind spend as they are read (see
    /// [`Self::spend`]).
    budget: usize,
}

impl<'a> CompactReader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self {
            cursor: Cursor::new(bytes),
            last_field_ids: Vec::new(),
            depth: 0,
            max_collection: usize::MAX,
            budget: usize::MAX,
        }
    }

    /// Gives the reader a budget of `count` for [`Self::spend`].
    pub fn with_budget(mut self, count: usize) -> Self {
        self.budget = count;
        self
    }

    /// Spends one of the budget on a `what` about to be read; past the budget, the value is
    /// refused before it is decoded. The footer's column chunks spend it: a chunk takes one
    /// byte on the wire at the least and hundreds once decoded, on each path.
    pub fn spend(&mut self, what: &'static str, limit: usize) -> RawResult<()> {
        self.budget = self.budget.checked_sub(1).ok_or_else(|| {
            RawError::BeyondLimit(format!("more than {limit} {what}, the most accepted"))
        })?;
        Ok(())
    }

    /// Refuses collections of more than `max` elements, whatever bytes are left: a few
    /// bytes per element on the wire become hundreds once decoded.
    pub fn with_collection_limit(mut self, max: usize) -> Self {
        self.max_collection = max;
        self
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.cursor.position()
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.cursor.remaining()
    }

    fn enter(&mut self) -> RawResult<()> {
        if self.depth >= MAX_NESTING_DEPTH {
            return Err(RawError::invalid(format!(
                "thrift values nested deeper than {MAX_NESTING_DEPTH} levels at byte {}",
                self.position()
            )));
        }
        self.depth += 1;
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    // ---- Base types ("Integer encoding", "Double encoding", "Binary encoding") ----

    /// Reads an `i8`: one raw byte, as in the binary protocol.
    pub fn read_i8(&mut self, what: &'static str) -> RawResult<i8> {
        Ok(self.cursor.read_u8(what)? as i8)
    }

    /// Reads an `i16` (zigzag varint), rejecting values outside its range.
    pub fn read_i16(&mut self, what: &'static str) -> RawResult<i16> {
        let value = self.cursor.read_zigzag(what)?;
        i16::try_from(value)
            .map_err(|_| RawError::invalid(format!("{what}: value {value} out of range for i16")))
    }

    /// Reads an `i32` or enum (zigzag varint), rejecting values outside its range.
    pub fn read_i32(&mut self, what: &'static str) -> RawResult<i32> {
        let value = self.cursor.read_zigzag(what)?;
        i32::try_from(value)
            .map_err(|_| RawError::invalid(format!("{what}: value {value} out of range for i32")))
    }

    /// Reads an `i64` (zigzag varint).
    pub fn read_i64(&mut self, what: &'static str) -> RawResult<i64> {
        self.cursor.read_zigzag(what)
    }

    /// Reads a `double`: 8 bytes little-endian (the compact protocol's byte order).
    pub fn read_double(&mut self, what: &'static str) -> RawResult<f64> {
        Ok(f64::from_le_bytes(self.cursor.read_array(what)?))
    }

    /// Reads a `uuid`: 16 raw bytes.
    pub fn read_uuid(&mut self, what: &'static str) -> RawResult<[u8; 16]> {
        self.cursor.read_array(what)
    }

    /// Reads a `binary`: varint byte length, then that many bytes, borrowed from the input.
    pub fn read_binary(&mut self, what: &'static str) -> RawResult<&'a [u8]> {
        let length = self.cursor.read_uleb128(what)?;
        let remaining = self.remaining();
        let length = usize::try_from(length)
            .ok()
            .filter(|&length| length <= remaining)
            .ok_or(RawError::Truncated {
                what,
                needed: length,
                available: remaining as u64,
            })?;
        self.cursor.read_bytes(length, what)
    }

    /// Reads a `string`: a binary that must be UTF-8.
    pub fn read_string(&mut self, what: &'static str) -> RawResult<String> {
        let bytes = self.read_binary(what)?;
        String::from_utf8(bytes.to_vec())
            .map_err(|e| RawError::invalid(format!("{what}: string is not UTF-8 ({e})")))
    }

    /// Reads a bool element of a list, set or map ("Boolean encoding").
    ///
    /// The spec says 1 is true and 0 false; the Java implementation writes 2 for false, so
    /// both 0 and 2 read as false.
    pub fn read_bool_element(&mut self, what: &'static str) -> RawResult<bool> {
        match self.cursor.read_u8(what)? {
            1 => Ok(true),
            0 | 2 => Ok(false),
            other => Err(RawError::invalid(format!(
                "{what}: byte {other} is not a bool element"
            ))),
        }
    }

    // ---- Structs ("Struct encoding") ----

    /// Opens a struct or union: its field ids start again from 0.
    pub fn struct_begin(&mut self) -> RawResult<()> {
        self.enter()?;
        self.last_field_ids.push(0);
        Ok(())
    }

    /// Closes the struct opened last, after its stop field has been read.
    pub fn struct_end(&mut self) {
        self.last_field_ids.pop();
        self.leave();
    }

    /// Reads the next field header of the open struct, or `None` at its stop field.
    pub fn read_field_header(&mut self) -> RawResult<Option<FieldHeader>> {
        let position = self.position();
        let byte = self.cursor.read_u8("thrift field header")?;
        if byte == 0 {
            return Ok(None);
        }
        let Some(last_id) = self.last_field_ids.last_mut() else {
            return Err(RawError::invalid(format!(
                "thrift field header at byte {position} read outside a struct"
            )));
        };
        let (field_type, bool_value) =
            ThriftType::from_field_nibble(byte & 0x0f).ok_or_else(|| {
                RawError::invalid(format!(
                    "thrift field header at byte {position}: unknown field type {}",
                    byte & 0x0f
                ))
            })?;
        let delta = byte >> 4;
        let id = if delta == 0 {
            // Long form: the id follows as an i16 zigzag varint.
            let value = self.cursor.read_zigzag("thrift field id")?;
            i16::try_from(value).map_err(|_| {
                RawError::invalid(format!(
                    "thrift field header at byte {position}: field id {value} out of range for i16"
                ))
            })?
        } else {
            last_id.checked_add(i16::from(delta)).ok_or_else(|| {
                RawError::invalid(format!(
                    "thrift field header at byte {position}: field id delta overflows i16"
                ))
            })?
        };
        *last_id = id;
        Ok(Some(FieldHeader {
            id,
            field_type,
            bool_value,
        }))
    }

    /// Reads a whole struct, calling `on_field` for each field header; `on_field` must consume
    /// the field's value (read it or [`skip_field`](Self::skip_field) it).
    ///
    /// A field whose wire type is not the IDL's ([`RawError::UnexpectedFieldType`], raised by
    /// the typed `*_field` readers before they read anything) is skipped as if it were absent:
    /// that is what Apache Thrift's generated `read()` does (C++ and Java alike: `if (ftype ==
    /// T_I32) { ... } else { iprot->skip(ftype); }`), so parquet-cpp and parquet-java read such
    /// footers. A required field skipped this way is then reported missing by the caller.
    pub fn read_struct<F>(&mut self, mut on_field: F) -> RawResult<()>
    where
        F: FnMut(&mut Self, &FieldHeader) -> RawResult<()>,
    {
        self.struct_begin()?;
        while let Some(header) = self.read_field_header()? {
            let value_start = self.position();
            match on_field(self, &header) {
                // Only when nothing of the value was consumed is skipping it from here exact.
                Err(RawError::UnexpectedFieldType { .. }) if self.position() == value_start => {
                    self.skip_field(&header)?
                }
                other => other?,
            }
        }
        self.struct_end();
        Ok(())
    }

    // ---- Collections ("List and Set", "Map") ----

    /// Reads a list header: `sssstttt` for sizes 0–14, else `1111tttt` + varint size.
    ///
    /// Element type 0 (STOP) is accepted for an empty list only: fastparquet (2023.4) and other
    /// writers emit it there, and Apache Thrift's C++ and Java readers map it to STOP without complaint
    /// and never look at the element type of an empty list. A non-empty list of STOP elements
    /// is refused: the C++ reader would "skip" each element without consuming a byte, the Java
    /// reader refuses it, and no writer produces it.
    pub fn read_list_header(&mut self, what: &'static str) -> RawResult<ListHeader> {
        let byte = self.cursor.read_u8(what)?;
        let nibble = byte & 0x0f;
        let short_size = byte >> 4;
        let size = if short_size == 15 {
            self.read_collection_size(what)?
        } else {
            usize::from(short_size)
        };
        let element_type = match ThriftType::from_element_nibble(nibble) {
            Some(element_type) => Some(element_type),
            None if nibble == 0 && size == 0 => None,
            None => {
                return Err(RawError::invalid(format!(
                    "{what}: unknown list element type {nibble}"
                )))
            }
        };
        let min_len = element_type.map_or(1, ThriftType::min_encoded_len);
        self.check_fits(what, "list", size, min_len)?;
        Ok(ListHeader { element_type, size })
    }

    /// Reads a set header, which is encoded exactly like a list header.
    pub fn read_set_header(&mut self, what: &'static str) -> RawResult<ListHeader> {
        self.read_list_header(what)
    }

    /// Reads a map header: `0` for an empty map, else varint size + `kkkkvvvv`.
    pub fn read_map_header(&mut self, what: &'static str) -> RawResult<MapHeader> {
        let size = self.read_collection_size(what)?;
        if size == 0 {
            return Ok(MapHeader { types: None, size });
        }
        let byte = self.cursor.read_u8(what)?;
        let key_type = ThriftType::from_element_nibble(byte >> 4).ok_or_else(|| {
            RawError::invalid(format!("{what}: unknown map key type {}", byte >> 4))
        })?;
        let value_type = ThriftType::from_element_nibble(byte & 0x0f).ok_or_else(|| {
            RawError::invalid(format!("{what}: unknown map value type {}", byte & 0x0f))
        })?;
        let pair_len = key_type.min_encoded_len() + value_type.min_encoded_len();
        self.check_fits(what, "map", size, pair_len)?;
        Ok(MapHeader {
            types: Some((key_type, value_type)),
            size,
        })
    }

    /// Reads a collection size: a varint holding a non-negative int32.
    fn read_collection_size(&mut self, what: &'static str) -> RawResult<usize> {
        let size = self.cursor.read_uleb128(what)?;
        if size > i32::MAX as u64 {
            return Err(RawError::invalid(format!(
                "{what}: collection size {size} exceeds the int32 limit"
            )));
        }
        usize::try_from(size)
            .map_err(|_| RawError::invalid(format!("{what}: collection size {size} too large")))
    }

    /// Rejects a collection of `size` elements of at least `element_len` bytes each that the
    /// remaining bytes cannot hold, before anything is allocated for it.
    fn check_fits(
        &self,
        what: &'static str,
        kind: &'static str,
        size: usize,
        element_len: usize,
    ) -> RawResult<()> {
        let remaining = self.remaining();
        match size.checked_mul(element_len) {
            Some(needed) if needed <= remaining => {}
            _ => {
                return Err(RawError::invalid(format!(
                    "{what}: {kind} of {size} elements cannot fit in {remaining} remaining bytes"
                )))
            }
        }
        if size > self.max_collection {
            return Err(RawError::BeyondLimit(format!(
                "{what}: a {kind} of {size} elements, more than the {} accepted",
                self.max_collection
            )));
        }
        Ok(())
    }

    /// Reads a list of `element_type` (the IDL's), decoding each element with `read_element`.
    ///
    /// As in Apache Thrift's generated code, the element type in the header does not decide
    /// how elements are read: an empty list is empty whatever it names, and the elements of a
    /// list that names another type of the same encoding (`list<i16>` where the IDL has
    /// `list<i32>`, as in parquet-testing's ARROW-GH-41317) are read with the IDL's reader.
    /// A list whose elements are encoded differently is refused: the generated code would
    /// decode garbage from it.
    pub fn read_list<T, F>(
        &mut self,
        what: &'static str,
        element_type: ThriftType,
        mut read_element: F,
    ) -> RawResult<Vec<T>>
    where
        F: FnMut(&mut Self) -> RawResult<T>,
    {
        let header = self.read_list_header(what)?;
        if header.size == 0 {
            return Ok(Vec::new());
        }
        match header.element_type {
            Some(found) if found.same_encoding(element_type) => {}
            found => {
                return Err(RawError::invalid(format!(
                    "{what}: expected list<{element_type}>, found list<{}>",
                    found.map_or("stop", ThriftType::name)
                )))
            }
        }
        self.enter()?;
        let mut items = Vec::with_capacity(header.size.min(PREALLOCATE_LIMIT));
        for _ in 0..header.size {
            items.push(read_element(self)?);
        }
        self.leave();
        Ok(items)
    }

    // ---- Typed struct fields: check the wire type, then read ----

    /// Fails with [`RawError::UnexpectedFieldType`] unless `header` announces a value of type
    /// `expected`; inside [`Self::read_struct`] that skips the field as if it were absent.
    pub fn expect_type(
        header: &FieldHeader,
        expected: ThriftType,
        what: &'static str,
    ) -> RawResult<()> {
        if header.field_type == expected {
            Ok(())
        } else {
            Err(RawError::UnexpectedFieldType {
                what,
                id: header.id,
                expected: expected.name(),
                found: header.field_type.name(),
            })
        }
    }

    /// The value of a bool field, which its header carries.
    pub fn bool_field(header: &FieldHeader, what: &'static str) -> RawResult<bool> {
        Self::expect_type(header, ThriftType::Bool, what)?;
        header.bool_value.ok_or_else(|| {
            RawError::invalid(format!(
                "{what} (field {}): bool without a value",
                header.id
            ))
        })
    }

    /// Reads an `i8` field.
    pub fn i8_field(&mut self, header: &FieldHeader, what: &'static str) -> RawResult<i8> {
        Self::expect_type(header, ThriftType::I8, what)?;
        self.read_i8(what)
    }

    /// Reads an `i16` field.
    pub fn i16_field(&mut self, header: &FieldHeader, what: &'static str) -> RawResult<i16> {
        Self::expect_type(header, ThriftType::I16, what)?;
        self.read_i16(what)
    }

    /// Reads an `i32` or enum field.
    pub fn i32_field(&mut self, header: &FieldHeader, what: &'static str) -> RawResult<i32> {
        Self::expect_type(header, ThriftType::I32, what)?;
        self.read_i32(what)
    }

    /// Reads an `i64` field.
    pub fn i64_field(&mut self, header: &FieldHeader, what: &'static str) -> RawResult<i64> {
        Self::expect_type(header, ThriftType::I64, what)?;
        self.read_i64(what)
    }

    /// Reads a `double` field.
    pub fn double_field(&mut self, header: &FieldHeader, what: &'static str) -> RawResult<f64> {
        Self::expect_type(header, ThriftType::Double, what)?;
        self.read_double(what)
    }

    /// Reads a `binary` field, borrowed from the input.
    pub fn binary_field(
        &mut self,
        header: &FieldHeader,
        what: &'static str,
    ) -> RawResult<&'a [u8]> {
        Self::expect_type(header, ThriftType::Binary, what)?;
        self.read_binary(what)
    }

    /// Reads a `string` field, which must be UTF-8.
    pub fn string_field(&mut self, header: &FieldHeader, what: &'static str) -> RawResult<String> {
        Self::expect_type(header, ThriftType::Binary, what)?;
        self.read_string(what)
    }

    /// Checks that a field holds a struct or union; the caller then reads it.
    pub fn struct_field(header: &FieldHeader, what: &'static str) -> RawResult<()> {
        Self::expect_type(header, ThriftType::Struct, what)
    }

    /// Reads a `list<T>` field whose elements must be `element_type`.
    pub fn list_field<T, F>(
        &mut self,
        header: &FieldHeader,
        what: &'static str,
        element_type: ThriftType,
        read_element: F,
    ) -> RawResult<Vec<T>>
    where
        F: FnMut(&mut Self) -> RawResult<T>,
    {
        Self::expect_type(header, ThriftType::List, what)?;
        self.read_list(what, element_type, read_element)
    }

    // ---- Skipping ----

    /// Skips the value of a struct field; a bool field's value is in its header already.
    pub fn skip_field(&mut self, header: &FieldHeader) -> RawResult<()> {
        if header.field_type == ThriftType::Bool {
            return Ok(());
        }
        self.skip(header.field_type)
    }

    /// Skips one value of `value_type` in element position (a bool is one byte), including
    /// nested structs and collections up to [`MAX_NESTING_DEPTH`].
    pub fn skip(&mut self, value_type: ThriftType) -> RawResult<()> {
        const WHAT: &str = "skipped thrift value";
        match value_type {
            ThriftType::Bool => self.read_bool_element(WHAT).map(drop),
            ThriftType::I8 => self.cursor.skip(1, WHAT),
            ThriftType::I16 | ThriftType::I32 | ThriftType::I64 => {
                self.cursor.read_uleb128(WHAT).map(drop)
            }
            ThriftType::Double => self.cursor.skip(8, WHAT),
            ThriftType::Uuid => self.cursor.skip(16, WHAT),
            ThriftType::Binary => self.read_binary(WHAT).map(drop),
            ThriftType::List | ThriftType::Set => {
                let header = self.read_list_header(WHAT)?;
                // An empty list's header may name no type; it has no elements to skip then.
                if let Some(element_type) = header.element_type {
                    self.enter()?;
                    for _ in 0..header.size {
                        self.skip(element_type)?;
                    }
                    self.leave();
                }
                Ok(())
            }
            ThriftType::Map => {
                let header = self.read_map_header(WHAT)?;
                if let Some((key_type, value_type)) = header.types {
                    self.enter()?;
                    for _ in 0..header.size {
                        self.skip(key_type)?;
                        self.skip(value_type)?;
                    }
                    self.leave();
                }
                Ok(())
            }
            ThriftType::Struct => {
                self.struct_begin()?;
                while let Some(header) = self.read_field_header()? {
                    self.skip_field(&header)?;
                }
                self.struct_end();
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(bytes: &[u8]) -> CompactReader<'_> {
        CompactReader::new(bytes)
    }

    #[test]
    fn a_spent_budget_refuses_the_next_value() {
        let mut r = CompactReader::new(&[]).with_budget(2);
        assert!(r.spend("chunks", 2).is_ok());
        assert!(r.spend("chunks", 2).is_ok());
        let error = r.spend("chunks", 2).unwrap_err();
        assert!(matches!(error, RawError::BeyondLimit(_)), "{error}");
        assert_eq!(error.to_string(), "more than 2 chunks, the most accepted");
    }

    #[test]
    fn collections_beyond_the_limit_are_refused_as_such() {
        // A list of three i32 (element type 5), then the three values.
        let bytes = [0x35, 0x02, 0x04, 0x06];
        assert_eq!(reader(&bytes).read_list_header("l").unwrap().size, 3);
        let error = reader(&bytes)
            .with_collection_limit(2)
            .read_list_header("l")
            .unwrap_err();
        assert!(matches!(error, RawError::BeyondLimit(_)), "{error}");
        assert!(
            error.to_string().contains("more than the 2 accepted"),
            "{error}"
        );
    }

    #[test]
    fn integers_are_zigzag_varints() {
        let bytes = [
            0xff, // i8 -1: a raw byte, not a varint
            0x03, // i16 zigzag 3 -> -2
            0xfe, 0x01, // i16 zigzag 254 -> 127
            0x01, // i32 zigzag 1 -> -1
            0xfe, 0xff, 0xff, 0xff, 0x0f, // i32 zigzag 4294967294 -> i32::MAX
            0xff, 0xff, 0xff, 0xff, 0x0f, // i32 zigzag 4294967295 -> i32::MIN
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, // i64 -> i64::MIN
            0x96, 0x01, // i64 zigzag 150 -> 75
        ];
        let mut r = reader(&bytes);
        assert_eq!(r.read_i8("i8").unwrap(), -1);
        assert_eq!(r.read_i16("i16").unwrap(), -2);
        assert_eq!(r.read_i16("i16").unwrap(), 127);
        assert_eq!(r.read_i32("i32").unwrap(), -1);
        assert_eq!(r.read_i32("i32").unwrap(), i32::MAX);
        assert_eq!(r.read_i32("i32").unwrap(), i32::MIN);
        assert_eq!(r.read_i64("i64").unwrap(), i64::MIN);
        assert_eq!(r.read_i64("i64").unwrap(), 75);
        assert_eq!(r.remaining(), 0);
    }

    #[test]
    fn out_of_range_integers_are_invalid() {
        // zigzag 65536 -> 32768, one past i16::MAX.
        let err = reader(&[0x80, 0x80, 0x04]).read_i16("x").unwrap_err();
        assert_eq!(err.to_string(), "x: value 32768 out of range for i16");
        // zigzag 2^32 -> 2^31, one past i32::MAX.
        assert!(reader(&[0x80, 0x80, 0x80, 0x80, 0x10])
            .read_i32("x")
            .is_err());
    }

    #[test]
    fn double_uuid_binary_and_string() {
        let mut bytes = 1.5f64.to_le_bytes().to_vec(); // double 1.5, little-endian
        bytes.extend(0u8..16); // uuid: 16 raw bytes
        bytes.extend([0x03, b'a', b'b', b'c']); // binary: length 3, "abc"
        bytes.extend([0x02, 0xc3, 0xa9]); // string: length 2, "é"
        bytes.extend([0x02, 0xff, 0xfe]); // string: length 2, not UTF-8
        let mut r = reader(&bytes);
        assert_eq!(r.read_double("d").unwrap(), 1.5);
        assert_eq!(r.read_uuid("u").unwrap()[15], 15);
        assert_eq!(r.read_binary("b").unwrap(), b"abc");
        assert_eq!(r.read_string("s").unwrap(), "é");
        assert!(matches!(r.read_string("s"), Err(RawError::Invalid(_))));
    }

    #[test]
    fn binary_longer_than_input_is_truncated() {
        // Length 2^40 with 1 byte following.
        let bytes = [0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x00];
        assert!(matches!(
            reader(&bytes).read_binary("b"),
            Err(RawError::Truncated { .. })
        ));
    }

    #[test]
    fn field_headers_short_long_and_bool() {
        let bytes = [
            0x15, 0x04, // field 1 (delta 1), i32, zigzag 4 -> 2
            0x21, // field 3 (delta 2), bool true in the type nibble
            0x12, // field 4 (delta 1), bool false
            0x08, 0xc8, 0x01,
            0x00, // long form: type binary, id zigzag 200 -> 100; empty binary
            0x16, 0x02, // field 101 (delta 1 from 100), i64 zigzag 2 -> 1
            0x06, 0x01, 0x02, // long form: i64, id zigzag 1 -> -1 (negative ids are legal)
            0x00, // stop
        ];
        let mut r = reader(&bytes);
        r.struct_begin().unwrap();
        let h = r.read_field_header().unwrap().unwrap();
        assert_eq!((h.id, h.field_type), (1, ThriftType::I32));
        assert_eq!(r.i32_field(&h, "f1").unwrap(), 2);
        let h = r.read_field_header().unwrap().unwrap();
        assert_eq!(
            (h.id, CompactReader::bool_field(&h, "f3").unwrap()),
            (3, true)
        );
        let h = r.read_field_header().unwrap().unwrap();
        assert_eq!(
            (h.id, CompactReader::bool_field(&h, "f4").unwrap()),
            (4, false)
        );
        let h = r.read_field_header().unwrap().unwrap();
        assert_eq!((h.id, h.field_type), (100, ThriftType::Binary));
        assert_eq!(r.binary_field(&h, "f100").unwrap(), b"");
        let h = r.read_field_header().unwrap().unwrap();
        assert_eq!(h.id, 101);
        assert_eq!(r.i64_field(&h, "f101").unwrap(), 1);
        let h = r.read_field_header().unwrap().unwrap();
        assert_eq!(h.id, -1);
        assert_eq!(r.i64_field(&h, "f-1").unwrap(), 1);
        assert_eq!(r.read_field_header().unwrap(), None);
        r.struct_end();
        assert_eq!(r.remaining(), 0);
    }

    #[test]
    fn wrong_field_type_names_field() {
        let bytes = [0x18, 0x00]; // field 1, binary, empty
        let mut r = reader(&bytes);
        r.struct_begin().unwrap();
        let h = r.read_field_header().unwrap().unwrap();
        let err = r.i32_field(&h, "PageHeader.type").unwrap_err();
        assert_eq!(
            err.to_string(),
            "PageHeader.type (field 1): expected i32, found binary"
        );
    }

    #[test]
    fn bad_field_type_nibbles_are_invalid() {
        for byte in [0x1e, 0x1f, 0x10] {
            let bytes = [byte];
            let mut r = reader(&bytes);
            r.struct_begin().unwrap();
            assert!(matches!(r.read_field_header(), Err(RawError::Invalid(_))));
        }
    }

    #[test]
    fn lists_short_and_long_form() {
        let mut bytes = vec![
            0x35, 0x02, 0x03, 0x05, // short form: 3 x i32 -> 1, -2, -3
            0xf6, 0x14, // long form: i64 elements, size 20
        ];
        bytes.extend((0..20).map(|i| (i as u8) * 2)); // zigzag 2i -> i
        bytes.extend([0x31, 0x01, 0x00, 0x02]); // list<bool> element type 1: true, false, false
        bytes.extend([0x22, 0x01, 0x00]); // list<bool> element type 2: true, false
        let mut r = reader(&bytes);
        let v = r
            .read_list("l", ThriftType::I32, |r| r.read_i32("e"))
            .unwrap();
        assert_eq!(v, [1, -2, -3]);
        let v = r
            .read_list("l", ThriftType::I64, |r| r.read_i64("e"))
            .unwrap();
        assert_eq!(v, (0..20).collect::<Vec<i64>>());
        let v = r
            .read_list("l", ThriftType::Bool, |r| r.read_bool_element("e"))
            .unwrap();
        assert_eq!(v, [true, false, false]);
        let v = r
            .read_list("l", ThriftType::Bool, |r| r.read_bool_element("e"))
            .unwrap();
        assert_eq!(v, [true, false]);
        assert_eq!(r.remaining(), 0);
    }

    #[test]
    fn list_element_type_mismatch_is_invalid() {
        let err = reader(&[0x18, 0x00])
            .read_list("l", ThriftType::I32, |r| r.read_i32("e"))
            .unwrap_err();
        assert_eq!(err.to_string(), "l: expected list<i32>, found list<binary>");
    }

    #[test]
    fn empty_list_of_element_type_stop_is_empty() {
        // fastparquet 2023.4 writes an empty list as 0x00: size 0, element type 0 (STOP).
        let read =
            |bytes: &[u8]| reader(bytes).read_list("l", ThriftType::I32, |r| r.read_i32("e"));
        assert_eq!(read(&[0x00]).unwrap(), Vec::<i32>::new());
        // Long form, size 0.
        assert_eq!(read(&[0xf0, 0x00]).unwrap(), Vec::<i32>::new());
        let mut r = reader(&[0x00]);
        r.skip(ThriftType::List).unwrap();
        assert_eq!(r.remaining(), 0);
        // An empty list naming another type is empty too: its element type is never used.
        assert_eq!(read(&[0x08]).unwrap(), Vec::<i32>::new());
        // One element of type STOP: no writer does this, and it has no defined encoding.
        let err = read(&[0x10, 0x02]).unwrap_err();
        assert_eq!(err.to_string(), "l: unknown list element type 0");
        assert!(reader(&[0x10, 0x02]).skip(ThriftType::List).is_err());
    }

    #[test]
    fn list_of_an_integer_type_of_the_same_encoding_is_read_as_the_idl_type() {
        // list<i16> of 2 where the IDL says list<i32>: zigzag 2 -> 1, zigzag 16 -> 8.
        let v = reader(&[0x24, 0x02, 0x10])
            .read_list("l", ThriftType::I32, |r| r.read_i32("e"))
            .unwrap();
        assert_eq!(v, [1, 8]);
        // list<i64> read as list<i32>: range checks still apply to each value.
        let err = reader(&[0x16, 0x80, 0x80, 0x80, 0x80, 0x10])
            .read_list("l", ThriftType::I32, |r| r.read_i32("e"))
            .unwrap_err();
        assert_eq!(err.to_string(), "e: value 2147483648 out of range for i32");
        // A set where the IDL says list: encoded alike.
        let v = reader(&[0x1a, 0x15, 0x01])
            .read_list("l", ThriftType::List, |r| {
                r.read_list("e", ThriftType::I32, |r| r.read_i32("e"))
            })
            .unwrap();
        assert_eq!(v, [vec![-1]]);
        // An i8 (a raw byte) or a bool element is not a varint: refused.
        for byte in [0x13, 0x11] {
            assert!(reader(&[byte, 0x02])
                .read_list("l", ThriftType::I32, |r| r.read_i32("e"))
                .is_err());
        }
    }

    #[test]
    fn field_of_unexpected_wire_type_is_skipped_as_if_absent() {
        let bytes = [
            0x15, 0x02, // field 1: i32 1
            0x29, 0x25, 0x02, 0x04, // field 3: list<i32> [1, 2], where an i32 is expected
            0x05, 0x02, 0x02, // long form: field 1 again, i32 1, kept
            0x08, 0x02, 0x01, b'x', // long form: field 1 as binary "x": skipped, 1 is kept
            0x14, 0x06, // field 2 (delta 1 from 1): i16 3, where an i32 is expected
            0x00,
        ];
        let (mut first, mut second, mut third) = (None, None, None);
        let mut r = reader(&bytes);
        r.read_struct(|r, f| {
            match f.id {
                1 => first = Some(r.i32_field(f, "S.first")?),
                2 => second = Some(r.i32_field(f, "S.second")?),
                3 => third = Some(r.i32_field(f, "S.third")?),
                _ => r.skip_field(f)?,
            }
            Ok(())
        })
        .unwrap();
        assert_eq!((first, second, third), (Some(1), None, None));
        assert_eq!(r.remaining(), 0);
        assert_eq!(r.depth, 0);
    }

    #[test]
    fn unexpected_wire_type_after_part_of_the_value_was_read_is_an_error() {
        // A callback that consumed bytes cannot have the value skipped from where it stopped.
        let bytes = [0x15, 0x02, 0x04, 0x00];
        let err = reader(&bytes)
            .read_struct(|r, f| {
                r.read_i32("S.first")?;
                CompactReader::expect_type(f, ThriftType::Binary, "S.first")
            })
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "S.first (field 1): expected binary, found i32"
        );
    }

    #[test]
    fn huge_list_is_rejected_before_allocation() {
        // Long form, i32 elements, size 2^31 - 1, then 4 bytes: 10 bytes in all.
        let bytes = [0xf5, 0xff, 0xff, 0xff, 0xff, 0x07, 0, 0, 0, 0];
        let mut r = reader(&bytes);
        let err = r
            .read_list("l", ThriftType::I32, |r| r.read_i32("e"))
            .unwrap_err();
        // The header takes 6 bytes, so 4 remain when the size is checked.
        assert_eq!(
            err.to_string(),
            "l: list of 2147483647 elements cannot fit in 4 remaining bytes"
        );
        // Sizes beyond int32 are rejected outright.
        let bytes = [0xf5, 0x80, 0x80, 0x80, 0x80, 0x08];
        assert!(reader(&bytes).read_list_header("l").is_err());
        // Doubles need 8 bytes each: 2 of them do not fit in 15 bytes.
        let mut bytes = vec![0x27];
        bytes.extend([0u8; 15]);
        assert!(reader(&bytes).read_list_header("l").is_err());
    }

    #[test]
    fn maps_and_sets_are_skipped() {
        let bytes = [
            0x00, // empty map: one byte, no types
            0x02, 0x85, // map of 2, binary keys -> i32 values
            0x01, b'a', 0x02, // "a" -> 1
            0x01, b'b', 0x04, // "b" -> 2
            0x2a, // set of 2 sets
            0x04, // empty set<i16>
            0x14, 0x02, // set<i16> { 1 }
        ];
        let mut r = reader(&bytes);
        assert_eq!(
            r.read_map_header("m").unwrap(),
            MapHeader {
                types: None,
                size: 0
            }
        );
        r.skip(ThriftType::Map).unwrap();
        assert_eq!(r.position(), 9);
        r.skip(ThriftType::Set).unwrap();
        assert_eq!(r.remaining(), 0);
        // A map of 3 pairs needs at least 6 bytes after its header.
        assert!(reader(&[0x03, 0x55, 0, 0, 0, 0])
            .read_map_header("m")
            .is_err());
    }

    #[test]
    fn skips_nested_unknown_fields() {
        let bytes = [
            0x15, 0x02, // field 1: i32 1
            0x19, 0x2c, // field 2: list of 2 structs
            /**/ 0x18, 0x01, b'x', // struct 1, field 1: binary "x"
            /**/ 0x1c, 0x11, 0x00, 0x00, // field 2: struct { field 1: bool true }, stop
            /**/ 0x00, // struct 2: empty
            0x17, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, // field 3: double 1.0
            0x1d, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, // field 4: uuid
            0x13, 0x80, // field 5: i8
            0x1b, 0x01, 0x88, 0x00, 0x00, // field 6: map of 1: binary "" -> binary ""
            0x00, // stop
            0xaa, // after the struct
        ];
        let mut r = reader(&bytes);
        r.skip(ThriftType::Struct).unwrap();
        assert_eq!(r.remaining(), 1);
        assert_eq!(r.depth, 0);
    }

    #[test]
    fn depth_bomb_is_invalid() {
        // A struct whose field 1 is a struct whose field 1 is a struct ...
        let bytes = vec![0x1c; 5000];
        let err = reader(&bytes).skip(ThriftType::Struct).unwrap_err();
        assert!(err.to_string().contains("nested deeper than 32"), "{err}");
        // Lists of lists of lists ...
        let bytes = vec![0x19; 5000];
        assert!(reader(&bytes).skip(ThriftType::List).is_err());
        // Exactly at the cap is fine: 31 openers nest 32 structs, then 32 stops.
        let mut bytes = vec![0x1c; MAX_NESTING_DEPTH - 1];
        bytes.extend(vec![0x00; MAX_NESTING_DEPTH]);
        reader(&bytes).skip(ThriftType::Struct).unwrap();
    }

    #[test]
    fn field_id_overflow_is_invalid() {
        let bytes = [0x05, 0xfe, 0xff, 0x03, 0x00, 0x15, 0x00]; // id 32767, then delta 1
        let mut r = reader(&bytes);
        r.struct_begin().unwrap();
        let h = r.read_field_header().unwrap().unwrap();
        assert_eq!(h.id, i16::MAX);
        r.skip_field(&h).unwrap();
        assert!(r.read_field_header().is_err());
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..4000 {
            let len = (next() % 64) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            for ty in [ThriftType::Struct, ThriftType::List, ThriftType::Map] {
                let _ = reader(&bytes).skip(ty);
            }
        }
    }
}
