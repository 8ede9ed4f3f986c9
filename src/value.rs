//! The one value model both decode paths produce and the comparison, fingerprint and reports read.
//!
//! A column slice is stored the way Parquet stores it: a validity bitmap with one bit per slot and
//! the *non-null* values only, in their physical type (the stored value, whatever the logical
//! type). Keeping values dense-without-nulls lets the comparison check two sides with one bitmap
//! XOR and one slice equality when they agree, which is the common case.

use std::fmt;

/// A growable bitmap, least significant bit first within each 64-bit word.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Bitmap {
    words: Vec<u64>,
    len: usize,
}

impl fmt::Debug for Bitmap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bitmap({} bits, {} set)", self.len, self.count_ones())
    }
}

impl Bitmap {
    /// An empty bitmap.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty bitmap with room for `bits` bits.
    pub fn with_capacity(bits: usize) -> Self {
        Self {
            words: Vec::with_capacity(bits.div_ceil(64)),
            len: 0,
        }
    }

    /// `len` bits, all set to `value`.
    pub fn filled(len: usize, value: bool) -> Self {
        let mut bitmap = Self::with_capacity(len);
        bitmap.push_n(value, len);
        bitmap
    }

    /// Number of bits.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the bitmap holds no bits.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bit at `index`; panics past the end like slice indexing.
    #[inline]
    pub fn get(&self, index: usize) -> bool {
        assert!(index < self.len, "bit {index} past the end ({})", self.len);
        (self.words[index / 64] >> (index % 64)) & 1 == 1
    }

    /// Appends one bit.
    #[inline]
    pub fn push(&mut self, value: bool) {
        let bit = self.len % 64;
        if bit == 0 {
            self.words.push(0);
        }
        if value {
            *self.words.last_mut().expect("a word was just ensured") |= 1 << bit;
        }
        self.len += 1;
    }

    /// Appends `count` copies of one bit.
    pub fn push_n(&mut self, value: bool, count: usize) {
        let mut remaining = count;
        // Fill the partial word bit by bit, then whole words at once.
        while remaining > 0 && self.len % 64 != 0 {
            self.push(value);
            remaining -= 1;
        }
        let whole = remaining / 64;
        let fill = if value { u64::MAX } else { 0 };
        self.words.extend(std::iter::repeat_n(fill, whole));
        self.len += whole * 64;
        for _ in 0..remaining % 64 {
            self.push(value);
        }
    }

    /// Appends `count` bits taken from `bytes`, least significant bit first, starting at bit 0.
    /// `bytes` must hold at least `count` bits.
    pub fn extend_from_lsb_bytes(&mut self, bytes: &[u8], count: usize) {
        debug_assert!(bytes.len() * 8 >= count);
        if self.len % 64 == 0 {
            let whole_words = count / 64;
            for chunk in bytes[..whole_words * 8].chunks_exact(8) {
                self.words
                    .push(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
            }
            self.len += whole_words * 64;
            for i in whole_words * 64..count {
                self.push((bytes[i / 8] >> (i % 8)) & 1 == 1);
            }
        } else {
            for i in 0..count {
                self.push((bytes[i / 8] >> (i % 8)) & 1 == 1);
            }
        }
    }

    /// Appends every bit of `other`.
    pub fn extend_from_bitmap(&mut self, other: &Bitmap) {
        if self.len % 64 == 0 {
            self.words.extend_from_slice(&other.words);
            self.len += other.len;
        } else {
            for i in 0..other.len {
                self.push(other.get(i));
            }
        }
    }

    /// Number of set bits.
    pub fn count_ones(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Iterates over the bits.
    pub fn iter(&self) -> impl Iterator<Item = bool> + '_ {
        (0..self.len).map(move |i| (self.words[i / 64] >> (i % 64)) & 1 == 1)
    }
}

/// The physical types of the Parquet format (parquet.thrift `Type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PhysicalType {
    /// 1-bit booleans.
    Boolean,
    /// 32-bit signed integers.
    Int32,
    /// 64-bit signed integers.
    Int64,
    /// 96-bit values, the legacy timestamp form.
    Int96,
    /// IEEE 754 single precision.
    Float,
    /// IEEE 754 double precision.
    Double,
    /// Variable-length byte strings.
    ByteArray,
    /// Byte strings of a fixed width.
    FixedLenByteArray,
}

impl PhysicalType {
    /// The name the format spec uses.
    pub fn name(self) -> &'static str {
        match self {
            Self::Boolean => "BOOLEAN",
            Self::Int32 => "INT32",
            Self::Int64 => "INT64",
            Self::Int96 => "INT96",
            Self::Float => "FLOAT",
            Self::Double => "DOUBLE",
            Self::ByteArray => "BYTE_ARRAY",
            Self::FixedLenByteArray => "FIXED_LEN_BYTE_ARRAY",
        }
    }
}

impl fmt::Display for PhysicalType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Non-null values of one physical type, in slot order.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// BOOLEAN values as bits.
    Boolean(Bitmap),
    /// INT32 values.
    Int32(Vec<i32>),
    /// INT64 values.
    Int64(Vec<i64>),
    /// INT96 values, the 12 stored bytes each.
    Int96(Vec<[u8; 12]>),
    /// FLOAT values; compared by their bits so NaN payloads and -0.0 count.
    Float(Vec<f32>),
    /// DOUBLE values; compared by their bits.
    Double(Vec<f64>),
    /// BYTE_ARRAY values: `offsets` has one more entry than there are values.
    ByteArray(ByteArrays),
    /// FIXED_LEN_BYTE_ARRAY values of `width` bytes each, back to back.
    FixedLenByteArray {
        /// Bytes per value.
        width: usize,
        /// `width * count` bytes.
        data: Vec<u8>,
    },
}

/// Variable-length byte strings packed into one buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ByteArrays {
    offsets: Vec<usize>,
    data: Vec<u8>,
}

impl Default for ByteArrays {
    fn default() -> Self {
        Self {
            offsets: vec![0],
            data: Vec::new(),
        }
    }
}

impl ByteArrays {
    /// An empty list of byte strings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one byte string.
    #[inline]
    pub fn push(&mut self, value: &[u8]) {
        self.data.extend_from_slice(value);
        self.offsets.push(self.data.len());
    }

    /// Number of byte strings.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Appends the strings of another packed buffer: `offsets` (one more than strings, into
    /// `data`) as arrow and Parquet lay them out.
    pub fn extend_from_offsets(&mut self, mut offsets: impl Iterator<Item = usize>, data: &[u8]) {
        let Some(first) = offsets.next() else { return };
        let base = self.data.len();
        let mut last = first;
        self.offsets.extend(offsets.map(|end| {
            last = end;
            base + end - first
        }));
        self.data.extend_from_slice(&data[first..last]);
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The byte string at `index`.
    #[inline]
    pub fn get(&self, index: usize) -> &[u8] {
        &self.data[self.offsets[index]..self.offsets[index + 1]]
    }

    /// Total bytes of all strings.
    pub fn data_len(&self) -> usize {
        self.data.len()
    }

    /// Reserves room for `count` more strings of `bytes` bytes in all.
    pub fn reserve(&mut self, count: usize, bytes: usize) {
        self.offsets.reserve(count);
        self.data.reserve(bytes);
    }

    /// Iterates over the strings.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.offsets.windows(2).map(move |w| &self.data[w[0]..w[1]])
    }
}

impl Values {
    /// An empty container for `physical` values; `type_length` is the width of fixed-length arrays.
    pub fn empty(physical: PhysicalType, type_length: usize) -> Self {
        match physical {
            PhysicalType::Boolean => Self::Boolean(Bitmap::new()),
            PhysicalType::Int32 => Self::Int32(Vec::new()),
            PhysicalType::Int64 => Self::Int64(Vec::new()),
            PhysicalType::Int96 => Self::Int96(Vec::new()),
            PhysicalType::Float => Self::Float(Vec::new()),
            PhysicalType::Double => Self::Double(Vec::new()),
            PhysicalType::ByteArray => Self::ByteArray(ByteArrays::new()),
            PhysicalType::FixedLenByteArray => Self::FixedLenByteArray {
                width: type_length,
                data: Vec::new(),
            },
        }
    }

    /// The physical type these values have.
    pub fn physical_type(&self) -> PhysicalType {
        match self {
            Self::Boolean(_) => PhysicalType::Boolean,
            Self::Int32(_) => PhysicalType::Int32,
            Self::Int64(_) => PhysicalType::Int64,
            Self::Int96(_) => PhysicalType::Int96,
            Self::Float(_) => PhysicalType::Float,
            Self::Double(_) => PhysicalType::Double,
            Self::ByteArray(_) => PhysicalType::ByteArray,
            Self::FixedLenByteArray { .. } => PhysicalType::FixedLenByteArray,
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Self::Boolean(v) => v.len(),
            Self::Int32(v) => v.len(),
            Self::Int64(v) => v.len(),
            Self::Int96(v) => v.len(),
            Self::Float(v) => v.len(),
            Self::Double(v) => v.len(),
            Self::ByteArray(v) => v.len(),
            Self::FixedLenByteArray { width, data } => {
                if *width == 0 {
                    0
                } else {
                    data.len() / width
                }
            }
        }
    }

    /// True when there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `index`, borrowed.
    pub fn get(&self, index: usize) -> Value<'_> {
        match self {
            Self::Boolean(v) => Value::Boolean(v.get(index)),
            Self::Int32(v) => Value::Int32(v[index]),
            Self::Int64(v) => Value::Int64(v[index]),
            Self::Int96(v) => Value::Int96(v[index]),
            Self::Float(v) => Value::Float(v[index]),
            Self::Double(v) => Value::Double(v[index]),
            Self::ByteArray(v) => Value::Bytes(v.get(index)),
            Self::FixedLenByteArray { width, data } => {
                Value::Bytes(&data[index * width..(index + 1) * width])
            }
        }
    }

    /// True when the value at `a` of `self` equals the value at `b` of `other`, bit for bit.
    #[inline]
    pub fn same_at(&self, a: usize, other: &Values, b: usize) -> bool {
        match (self, other) {
            (Self::Boolean(x), Self::Boolean(y)) => x.get(a) == y.get(b),
            (Self::Int32(x), Self::Int32(y)) => x[a] == y[b],
            (Self::Int64(x), Self::Int64(y)) => x[a] == y[b],
            (Self::Int96(x), Self::Int96(y)) => x[a] == y[b],
            (Self::Float(x), Self::Float(y)) => x[a].to_bits() == y[b].to_bits(),
            (Self::Double(x), Self::Double(y)) => x[a].to_bits() == y[b].to_bits(),
            _ => self.get(a) == other.get(b),
        }
    }

    /// Appends the values of `dictionary` named by `indices`; the caller has checked every index.
    pub fn extend_from_dictionary(&mut self, dictionary: &Values, indices: &[u32]) {
        match (self, dictionary) {
            (Self::Boolean(out), Self::Boolean(dict)) => {
                for &i in indices {
                    out.push(dict.get(i as usize));
                }
            }
            (Self::Int32(out), Self::Int32(dict)) => {
                out.extend(indices.iter().map(|&i| dict[i as usize]))
            }
            (Self::Int64(out), Self::Int64(dict)) => {
                out.extend(indices.iter().map(|&i| dict[i as usize]))
            }
            (Self::Int96(out), Self::Int96(dict)) => {
                out.extend(indices.iter().map(|&i| dict[i as usize]))
            }
            (Self::Float(out), Self::Float(dict)) => {
                out.extend(indices.iter().map(|&i| dict[i as usize]))
            }
            (Self::Double(out), Self::Double(dict)) => {
                out.extend(indices.iter().map(|&i| dict[i as usize]))
            }
            (Self::ByteArray(out), Self::ByteArray(dict)) => {
                let bytes: usize = indices
                    .iter()
                    .map(|&i| dict.offsets[i as usize + 1] - dict.offsets[i as usize])
                    .sum();
                out.reserve(indices.len(), bytes);
                for &i in indices {
                    out.push(dict.get(i as usize));
                }
            }
            (
                Self::FixedLenByteArray { width, data },
                Self::FixedLenByteArray {
                    data: dict_data, ..
                },
            ) => {
                let w = *width;
                for &i in indices {
                    let start = i as usize * w;
                    data.extend_from_slice(&dict_data[start..start + w]);
                }
            }
            (out, dict) => unreachable!(
                "dictionary of {} used for {} values",
                dict.physical_type(),
                out.physical_type()
            ),
        }
    }
}

/// One value, borrowed from a [`Values`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    /// A boolean.
    Boolean(bool),
    /// A stored INT32.
    Int32(i32),
    /// A stored INT64.
    Int64(i64),
    /// The 12 bytes of an INT96.
    Int96([u8; 12]),
    /// A FLOAT.
    Float(f32),
    /// A DOUBLE.
    Double(f64),
    /// A BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY.
    Bytes(&'a [u8]),
}

/// The repetition structure of a list column: which slots belong to which row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListShape {
    /// Per row, the first element slot; one more entry than rows.
    pub offsets: Vec<usize>,
    /// Per row, whether the list itself is non-null.
    pub validity: Bitmap,
}

/// The decoded values of one column over a run of rows (a row group, usually).
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnSlice {
    /// Rows covered.
    pub rows: usize,
    /// For list columns, how element slots group into rows; `None` for flat columns.
    pub lists: Option<ListShape>,
    /// One bit per slot (per row for flat columns, per element for lists): set when non-null.
    pub validity: Bitmap,
    /// The non-null values, in slot order.
    pub values: Values,
}

impl ColumnSlice {
    /// An empty flat slice of `physical` values.
    pub fn empty(physical: PhysicalType, type_length: usize) -> Self {
        Self {
            rows: 0,
            lists: None,
            validity: Bitmap::new(),
            values: Values::empty(physical, type_length),
        }
    }

    /// Number of null slots.
    pub fn null_slots(&self) -> usize {
        self.validity.len() - self.validity.count_ones()
    }

    /// Number of null rows: null values for flat columns, null lists for list columns.
    pub fn null_rows(&self) -> usize {
        match &self.lists {
            None => self.null_slots(),
            Some(shape) => shape.validity.len() - shape.validity.count_ones(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitmap_push_and_get_across_words() {
        let mut b = Bitmap::new();
        for i in 0..200 {
            b.push(i % 3 == 0);
        }
        assert_eq!(b.len(), 200);
        assert!((0..200).all(|i| b.get(i) == (i % 3 == 0)));
        assert_eq!(b.count_ones(), 67);
    }

    #[test]
    fn bitmap_push_n_and_lsb_bytes() {
        let mut b = Bitmap::new();
        b.push(true);
        b.push_n(false, 130);
        b.push_n(true, 3);
        assert_eq!(b.len(), 134);
        assert_eq!(b.count_ones(), 4);
        let mut c = Bitmap::new();
        c.extend_from_lsb_bytes(&[0b0000_0101, 0xff, 0, 0, 0, 0, 0, 0, 0x01], 65);
        assert!(c.get(0) && !c.get(1) && c.get(2) && c.get(8) && c.get(64));
        assert_eq!(c.count_ones(), 11);
    }

    #[test]
    fn floats_compare_by_bits() {
        let a = Values::Double(vec![f64::NAN, -0.0]);
        let b = Values::Double(vec![f64::NAN, 0.0]);
        assert!(a.same_at(0, &b, 0));
        assert!(!a.same_at(1, &b, 1));
    }
}
