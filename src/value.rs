//! The one value model both decode paths produce and the comparison, fingerprint and reports read.
//!
//! A column slice is stored the way Parquet stores it: a validity bitmap with one bit per slot and
//! the *non-null* values only, in their physical type (the stored value, whatever the logical
//! type). Keeping values dense-without-nulls lets the comparison check two sides with one bitmap
//! XOR and one slice equality when they agree, which is the common case.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

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

    /// The 64 bits from bit `offset` on, least significant first; bits past the end are zero.
    #[inline]
    pub fn load(&self, offset: usize) -> u64 {
        let (word, shift) = (offset / 64, offset % 64);
        let low = self.words.get(word).copied().unwrap_or(0) >> shift;
        let high = match (shift, self.words.get(word + 1)) {
            (0, _) | (_, None) => 0,
            (_, Some(&next)) => next << (64 - shift),
        };
        low | high
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
        let fill = if value { u64::MAX } else { 0 };
        let mut remaining = count;
        // Top up the partial word, then whole words at once.
        let head = remaining.min((64 - self.len % 64) % 64);
        self.append_bits(fill, head);
        remaining -= head;
        let whole = remaining / 64;
        self.words.extend(std::iter::repeat_n(fill, whole));
        self.len += whole * 64;
        self.append_bits(fill, remaining % 64);
    }

    /// Appends the low `count` bits of `word` (`count` ≤ 64), keeping the bits past the end
    /// zero so that equal bitmaps compare equal word for word.
    #[inline]
    fn append_bits(&mut self, word: u64, count: usize) {
        debug_assert!(count <= 64);
        if count == 0 {
            return;
        }
        let word = word & low_bits(count);
        let used = self.len % 64;
        if used == 0 {
            self.words.push(word);
        } else {
            *self.words.last_mut().expect("a partial word exists") |= word << used;
            if used + count > 64 {
                self.words.push(word >> (64 - used));
            }
        }
        self.len += count;
    }

    /// Appends `count` bits taken from `bytes`, least significant bit first, starting at bit 0.
    /// `bytes` must hold at least `count` bits.
    pub fn extend_from_lsb_bytes(&mut self, bytes: &[u8], count: usize) {
        self.extend_from_lsb_bits(bytes, 0, count);
    }

    /// Appends `count` bits of `bytes` starting at bit `offset`, least significant bit first
    /// (the layout of Parquet's bit-packed runs and of Arrow's bitmaps), a word at a time.
    /// `bytes` must hold at least `offset + count` bits.
    pub fn extend_from_lsb_bits(&mut self, bytes: &[u8], offset: usize, count: usize) {
        debug_assert!(bytes.len() * 8 >= offset + count);
        let mut done = 0;
        while done < count {
            let n = (count - done).min(64);
            self.append_bits(load_bits(bytes, offset + done), n);
            done += n;
        }
    }

    /// Appends, in order, the bits of `values` at the positions where `select` is set, both
    /// read from bit offset `offset` on for `count` positions: the non-null values of an
    /// Arrow boolean array, given its validity. Returns how many bits were appended.
    pub fn extend_selected(
        &mut self,
        values: (&[u8], usize),
        select: (&[u8], usize),
        count: usize,
    ) -> usize {
        let before = self.len;
        let mut done = 0;
        while done < count {
            let n = (count - done).min(64);
            let chosen = load_bits(select.0, select.1 + done) & low_bits(n);
            let word = load_bits(values.0, values.1 + done);
            if chosen == low_bits(n) {
                self.append_bits(word, n);
            } else if chosen != 0 {
                self.append_bits(compress_bits(word, chosen), chosen.count_ones() as usize);
            }
            done += n;
        }
        self.len - before
    }

    /// Appends one bit per item of `bits`, a word at a time; returns how many were set.
    pub fn extend_from_bools(&mut self, bits: impl IntoIterator<Item = bool>) -> usize {
        let mut set = 0;
        let mut word = 0u64;
        let mut filled = 0;
        for bit in bits {
            word |= u64::from(bit) << filled;
            filled += 1;
            if filled == 64 {
                set += word.count_ones() as usize;
                self.append_bits(word, 64);
                (word, filled) = (0, 0);
            }
        }
        set += word.count_ones() as usize;
        self.append_bits(word, filled);
        set
    }

    /// Appends every bit of `other`.
    pub fn extend_from_bitmap(&mut self, other: &Bitmap) {
        let mut done = 0;
        for &word in &other.words {
            let n = (other.len - done).min(64);
            self.append_bits(word, n);
            done += n;
        }
    }

    /// Keeps the first `len` bits.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        self.words.truncate(len.div_ceil(64));
        if !len.is_multiple_of(64) {
            // Bits past the end stay zero, so equal bitmaps compare equal word for word.
            *self.words.last_mut().expect("a partial word") &= low_bits(len % 64);
        }
        self.len = len;
    }

    /// Appends the bits of `other` in `range`, a word at a time.
    pub fn extend_from_range(&mut self, other: &Bitmap, range: std::ops::Range<usize>) {
        debug_assert!(range.end <= other.len);
        let mut at = range.start;
        while at < range.end {
            let n = (range.end - at).min(64);
            self.append_bits(other.load(at), n);
            at += n;
        }
    }

    /// Number of set bits in `range`.
    pub fn count_ones_in(&self, range: std::ops::Range<usize>) -> usize {
        let mut at = range.start;
        let mut set = 0;
        while at < range.end {
            let n = (range.end - at).min(64);
            set += (self.load(at) & low_bits(n)).count_ones() as usize;
            at += n;
        }
        set
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

/// A word with the low `count` bits set (`count` ≤ 64).
#[inline]
fn low_bits(count: usize) -> u64 {
    if count >= 64 {
        u64::MAX
    } else {
        (1u64 << count) - 1
    }
}

/// The 64 bits of `bytes` from bit `offset` on, LSB first; bits past the end read as zero.
#[inline]
fn load_bits(bytes: &[u8], offset: usize) -> u64 {
    let (byte, shift) = (offset / 8, offset % 8);
    // Nine bytes cover 64 bits at any shift; the fast path reads them in one load.
    let wide = match bytes.get(byte..byte + 16) {
        Some(head) => u128::from_le_bytes(head.try_into().expect("16 bytes")),
        None => {
            let mut padded = [0u8; 16];
            let tail = bytes.get(byte..).unwrap_or_default();
            let n = tail.len().min(16);
            padded[..n].copy_from_slice(&tail[..n]);
            u128::from_le_bytes(padded)
        }
    };
    (wide >> shift) as u64
}

/// The bits of `word` where `select` is set, packed to the low end in order (what x86's
/// PEXT does); walks the unselected bits from the top, which are few in validity words.
#[inline]
fn compress_bits(word: u64, select: u64) -> u64 {
    let top = 64 - select.leading_zeros() as usize;
    let mut out = word & low_bits(top);
    let mut dropped = !select & low_bits(top);
    while dropped != 0 {
        let position = 63 - dropped.leading_zeros() as usize;
        let below = out & low_bits(position);
        let above = if position == 63 {
            0
        } else {
            out >> (position + 1)
        };
        out = below | (above << position);
        dropped &= !(1u64 << position);
    }
    out
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

/// Variable-length byte strings: packed into one buffer, or as keys into a shared dictionary
/// when they arrived dictionary-encoded, so that work per distinct string (ordering, bloom
/// probes, equality of two paths that saw the same dictionary) is done once per entry.
/// Both forms hold the same sequence of strings; equality is by that sequence.
#[derive(Clone, Debug)]
pub struct ByteArrays {
    form: Form,
}

#[derive(Clone, Debug)]
enum Form {
    /// `offsets` has one more entry than there are strings, into `data`.
    Packed { offsets: Vec<usize>, data: Vec<u8> },
    /// String `i` is `dictionary[keys[i]]`; every key is in range.
    Keyed {
        dictionary: Arc<ByteArrays>,
        keys: Vec<u32>,
    },
}

impl Default for ByteArrays {
    fn default() -> Self {
        Self {
            form: Form::Packed {
                offsets: vec![0],
                data: Vec::new(),
            },
        }
    }
}

impl PartialEq for ByteArrays {
    fn eq(&self, other: &Self) -> bool {
        if let (Some((a, a_keys)), Some((b, b_keys))) = (self.keyed(), other.keyed()) {
            // The same keys into equal dictionaries are the same strings.
            if a_keys == b_keys && (Arc::ptr_eq(a, b) || a == b) {
                return true;
            }
        }
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for ByteArrays {}

impl ByteArrays {
    /// An empty list of byte strings.
    pub fn new() -> Self {
        Self::default()
    }

    /// The dictionary and keys, when the strings are held that way.
    pub fn keyed(&self) -> Option<(&Arc<ByteArrays>, &[u32])> {
        match &self.form {
            Form::Keyed { dictionary, keys } => Some((dictionary, keys)),
            Form::Packed { .. } => None,
        }
    }

    /// The packed buffers, converting keyed strings to packed ones first.
    fn packed(&mut self) -> (&mut Vec<usize>, &mut Vec<u8>) {
        if let Form::Keyed { dictionary, keys } = &self.form {
            let bytes = keys.iter().map(|&k| dictionary.get(k as usize).len()).sum();
            let mut offsets = Vec::with_capacity(keys.len() + 1);
            let mut data = Vec::with_capacity(bytes);
            offsets.push(0);
            for &key in keys {
                data.extend_from_slice(dictionary.get(key as usize));
                offsets.push(data.len());
            }
            self.form = Form::Packed { offsets, data };
        }
        match &mut self.form {
            Form::Packed { offsets, data } => (offsets, data),
            Form::Keyed { .. } => unreachable!("converted above"),
        }
    }

    /// Appends one byte string.
    #[inline]
    pub fn push(&mut self, value: &[u8]) {
        let (offsets, data) = self.packed();
        data.extend_from_slice(value);
        offsets.push(data.len());
    }

    /// Appends `dictionary[key]` for each key; every key must be below `dictionary.len()`.
    /// Keys into the dictionary these strings already use (or into any, while empty) are kept
    /// as keys; otherwise the strings are copied.
    pub fn extend_from_keys(&mut self, dictionary: &Arc<ByteArrays>, new_keys: &[u32]) {
        debug_assert!(new_keys.iter().all(|&k| (k as usize) < dictionary.len()));
        if self.is_empty() {
            self.form = Form::Keyed {
                dictionary: dictionary.clone(),
                keys: Vec::new(),
            };
        }
        if let Form::Keyed {
            dictionary: own,
            keys,
        } = &mut self.form
        {
            if Arc::ptr_eq(own, dictionary) || **own == **dictionary {
                keys.extend_from_slice(new_keys);
                return;
            }
        }
        let bytes = new_keys
            .iter()
            .map(|&k| dictionary.get(k as usize).len())
            .sum();
        self.reserve(new_keys.len(), bytes);
        for &key in new_keys {
            self.push(dictionary.get(key as usize));
        }
    }

    /// Number of byte strings.
    pub fn len(&self) -> usize {
        match &self.form {
            Form::Packed { offsets, .. } => offsets.len() - 1,
            Form::Keyed { keys, .. } => keys.len(),
        }
    }

    /// Appends the strings of another packed buffer: `offsets` (one more than strings, into
    /// `data`) as arrow and Parquet lay them out.
    pub fn extend_from_offsets(&mut self, mut offsets: impl Iterator<Item = usize>, data: &[u8]) {
        let Some(first) = offsets.next() else { return };
        let (own_offsets, own_data) = self.packed();
        let base = own_data.len();
        let mut last = first;
        own_offsets.extend(offsets.map(|end| {
            last = end;
            base + end - first
        }));
        own_data.extend_from_slice(&data[first..last]);
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The byte string at `index`.
    #[inline]
    pub fn get(&self, index: usize) -> &[u8] {
        match &self.form {
            Form::Packed { offsets, data } => &data[offsets[index]..offsets[index + 1]],
            Form::Keyed { dictionary, keys } => dictionary.get(keys[index] as usize),
        }
    }

    /// Total bytes of all strings.
    pub fn data_len(&self) -> usize {
        match &self.form {
            Form::Packed { data, .. } => data.len(),
            Form::Keyed { dictionary, keys } => {
                keys.iter().map(|&k| dictionary.get(k as usize).len()).sum()
            }
        }
    }

    /// Reserves room for `count` more strings of `bytes` bytes in all.
    pub fn reserve(&mut self, count: usize, bytes: usize) {
        let (offsets, data) = self.packed();
        offsets.reserve(count);
        data.reserve(bytes);
    }

    /// Iterates over the strings.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }

    /// Keeps the first `len` strings.
    pub fn truncate(&mut self, len: usize) {
        match &mut self.form {
            Form::Packed { offsets, data } => {
                if len + 1 < offsets.len() {
                    offsets.truncate(len + 1);
                    data.truncate(offsets[len]);
                }
            }
            Form::Keyed { keys, .. } => keys.truncate(len),
        }
    }

    /// A copy of the strings in `range`; keyed strings stay keys into the same dictionary.
    pub fn copy_range(&self, range: std::ops::Range<usize>) -> ByteArrays {
        let form = match &self.form {
            Form::Packed { offsets, data } => {
                let base = offsets[range.start];
                Form::Packed {
                    offsets: offsets[range.start..=range.end]
                        .iter()
                        .map(|&o| o - base)
                        .collect(),
                    data: data[base..offsets[range.end]].to_vec(),
                }
            }
            Form::Keyed { dictionary, keys } => Form::Keyed {
                dictionary: dictionary.clone(),
                keys: keys[range].to_vec(),
            },
        };
        ByteArrays { form }
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

    /// Appends `other`, values of the same physical type.
    pub fn append(&mut self, other: Values) {
        match (self, other) {
            (Self::Boolean(out), Self::Boolean(more)) => out.extend_from_bitmap(&more),
            (Self::Int32(out), Self::Int32(more)) => out.extend(more),
            (Self::Int64(out), Self::Int64(more)) => out.extend(more),
            (Self::Int96(out), Self::Int96(more)) => out.extend(more),
            (Self::Float(out), Self::Float(more)) => out.extend(more),
            (Self::Double(out), Self::Double(more)) => out.extend(more),
            (Self::ByteArray(out), Self::ByteArray(more)) => match &more.form {
                Form::Keyed { dictionary, keys } => out.extend_from_keys(dictionary, keys),
                Form::Packed { offsets, data } => {
                    out.extend_from_offsets(offsets.iter().copied(), data)
                }
            },
            (Self::FixedLenByteArray { data, .. }, Self::FixedLenByteArray { data: more, .. }) => {
                data.extend(more)
            }
            (out, more) => unreachable!(
                "{} values appended to {} values",
                more.physical_type(),
                out.physical_type()
            ),
        }
    }

    /// Keeps the first `len` values.
    pub fn truncate(&mut self, len: usize) {
        match self {
            Self::Boolean(v) => v.truncate(len),
            Self::Int32(v) => v.truncate(len),
            Self::Int64(v) => v.truncate(len),
            Self::Int96(v) => v.truncate(len),
            Self::Float(v) => v.truncate(len),
            Self::Double(v) => v.truncate(len),
            Self::ByteArray(v) => v.truncate(len),
            Self::FixedLenByteArray { width, data } => data.truncate(len * *width),
        }
    }

    /// A copy of the values in `range`.
    pub fn copy_range(&self, range: std::ops::Range<usize>) -> Values {
        match self {
            Self::Boolean(v) => {
                let mut out = Bitmap::with_capacity(range.len());
                out.extend_from_range(v, range);
                Self::Boolean(out)
            }
            Self::Int32(v) => Self::Int32(v[range].to_vec()),
            Self::Int64(v) => Self::Int64(v[range].to_vec()),
            Self::Int96(v) => Self::Int96(v[range].to_vec()),
            Self::Float(v) => Self::Float(v[range].to_vec()),
            Self::Double(v) => Self::Double(v[range].to_vec()),
            Self::ByteArray(v) => Self::ByteArray(v.copy_range(range)),
            Self::FixedLenByteArray { width, data } => Self::FixedLenByteArray {
                width: *width,
                data: data[range.start * width..range.end * width].to_vec(),
            },
        }
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
                let bytes: usize = indices.iter().map(|&i| dict.get(i as usize).len()).sum();
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

/// One repeated level of a column: how the items of one segment (FINGERPRINT.md, "Nested
/// columns": the schema nodes between two repeated nodes) group the items of the next.
///
/// Items of segment 0 are the rows. An item is null when an optional node of its segment is
/// null; a null item has no children. A non-null item with no children is an empty list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListShape {
    /// Per item of this segment, where its children start among the next segment's items; one
    /// more entry than items (the end).
    pub offsets: Vec<usize>,
    /// Per item of this segment, whether it is non-null.
    pub validity: Bitmap,
}

impl ListShape {
    /// A level with no items yet.
    pub fn new() -> Self {
        Self {
            offsets: vec![0],
            validity: Bitmap::new(),
        }
    }

    /// Number of items of this segment.
    pub fn len(&self) -> usize {
        self.validity.len()
    }

    /// True when the level holds no items.
    pub fn is_empty(&self) -> bool {
        self.validity.is_empty()
    }

    /// The children of item `item`, as item indexes of the next segment.
    pub fn children(&self, item: usize) -> Range<usize> {
        self.offsets[item]..self.offsets[item + 1]
    }
}

/// The decoded values of one column over a run of rows (a row group, usually).
///
/// A column is its values plus a stack of levels: `lists[i]` says which items of segment i
/// are null and how they group the items of segment i + 1; the last segment's items are the
/// *slots*, each null or holding one value. A flat column has no levels and one slot per row.
/// Every shape the format allows (lists of structs, structs of lists, lists of lists, maps)
/// is a stack of this kind, so one walker ([`RowWalker`]) serves every depth.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnSlice {
    /// Rows covered.
    pub rows: usize,
    /// One entry per repeated level above the leaf, outermost first; empty for flat columns.
    pub lists: Vec<ListShape>,
    /// One bit per slot (per row for flat columns, per innermost element otherwise): set when
    /// non-null.
    pub validity: Bitmap,
    /// The non-null values, in slot order.
    pub values: Values,
}

impl ColumnSlice {
    /// An empty flat slice of `physical` values.
    pub fn empty(physical: PhysicalType, type_length: usize) -> Self {
        Self::nested(physical, type_length, 0)
    }

    /// An empty slice of `physical` values under `depth` repeated levels.
    pub fn nested(physical: PhysicalType, type_length: usize, depth: usize) -> Self {
        Self {
            rows: 0,
            lists: (0..depth).map(|_| ListShape::new()).collect(),
            validity: Bitmap::new(),
            values: Values::empty(physical, type_length),
        }
    }

    /// Number of repeated levels above the leaf.
    pub fn depth(&self) -> usize {
        self.lists.len()
    }

    /// True for a column with repeated levels.
    pub fn is_nested(&self) -> bool {
        !self.lists.is_empty()
    }

    /// Number of null slots.
    pub fn null_slots(&self) -> usize {
        self.validity.len() - self.validity.count_ones()
    }

    /// Number of null rows: null values for flat columns, null outermost items otherwise.
    pub fn null_rows(&self) -> usize {
        match self.lists.first() {
            None => self.null_slots(),
            Some(shape) => shape.validity.len() - shape.validity.count_ones(),
        }
    }

    /// Items of segment `segment` (0: the rows; `depth()`: the slots).
    pub fn items(&self, segment: usize) -> usize {
        match self.lists.get(segment) {
            Some(shape) => shape.len(),
            None => self.validity.len(),
        }
    }

    /// Where item `item` of segment 0 (a row) starts in every segment: one index per segment,
    /// the slot last. `item` may be `self.rows`, for the end.
    pub fn starts_of_row(&self, row: usize) -> Vec<usize> {
        let mut starts = Vec::with_capacity(self.lists.len() + 1);
        let mut at = row;
        starts.push(at);
        for shape in &self.lists {
            at = shape.offsets[at];
            starts.push(at);
        }
        starts
    }

    /// Appends the rows of `other`, a slice of the same column.
    pub fn append(&mut self, other: ColumnSlice) {
        if self.rows == 0 && self.validity.is_empty() && self.lists.iter().all(ListShape::is_empty)
        {
            *self = other;
            return;
        }
        for (mine, theirs) in self.lists.iter_mut().zip(&other.lists) {
            let base = *mine.offsets.last().expect("offsets start at 0");
            mine.offsets
                .extend(theirs.offsets[1..].iter().map(|&o| o + base));
            mine.validity.extend_from_bitmap(&theirs.validity);
        }
        self.validity.extend_from_bitmap(&other.validity);
        self.values.append(other.values);
        self.rows += other.rows;
    }

    /// Splits after the first `rows` rows: keeps them and returns the rest.
    pub fn split_off_rows(&mut self, rows: usize) -> ColumnSlice {
        let rows = rows.min(self.rows);
        let at = self.cursor_at(rows);
        let (rest, _) = self.copy_rows(at, self.rows - rows);
        let starts = self.starts_of_row(rows);
        for (segment, shape) in self.lists.iter_mut().enumerate() {
            shape.offsets.truncate(starts[segment] + 1);
            shape.validity.truncate(starts[segment]);
        }
        self.validity.truncate(at.slot);
        self.values.truncate(at.value);
        self.rows = rows;
        rest
    }

    /// The cursor at the start of row `row` (which may be `self.rows`), counting the values
    /// before it: linear in the slots before it.
    pub fn cursor_at(&self, row: usize) -> SliceCursor {
        let slot = *self
            .starts_of_row(row)
            .last()
            .expect("one start per segment");
        SliceCursor {
            row,
            slot,
            value: self.validity.count_ones_in(0..slot),
        }
    }

    /// A copy of `rows` rows from `at` on (fewer where the slice ends), and where the copy
    /// ended, so that a slice can be served a window at a time with work linear in its size.
    pub fn copy_rows(&self, at: SliceCursor, rows: usize) -> (ColumnSlice, SliceCursor) {
        let end_row = at.row + rows.min(self.rows - at.row);
        let starts = self.starts_of_row(at.row);
        let ends = self.starts_of_row(end_row);
        let end_slot = *ends.last().expect("one end per segment");
        let end_value = at.value + self.validity.count_ones_in(at.slot..end_slot);
        let mut validity = Bitmap::with_capacity(end_slot - at.slot);
        validity.extend_from_range(&self.validity, at.slot..end_slot);
        let lists = self
            .lists
            .iter()
            .enumerate()
            .map(|(segment, shape)| {
                let (start, end) = (starts[segment], ends[segment]);
                let mut level_validity = Bitmap::with_capacity(end - start);
                level_validity.extend_from_range(&shape.validity, start..end);
                let base = shape.offsets[start];
                ListShape {
                    offsets: shape.offsets[start..=end]
                        .iter()
                        .map(|&o| o - base)
                        .collect(),
                    validity: level_validity,
                }
            })
            .collect();
        let copy = ColumnSlice {
            rows: end_row - at.row,
            lists,
            validity,
            values: self.values.copy_range(at.value..end_value),
        };
        let next = SliceCursor {
            row: end_row,
            slot: end_slot,
            value: end_value,
        };
        (copy, next)
    }

    /// Checks the stack's invariants: each level's offsets start at 0, never fall, end at the
    /// next segment's item count, and give a null item no children; the values are as many
    /// as the non-null slots. A decoder's output that breaks them is that decoder's error.
    pub fn check_shape(&self) -> Result<(), String> {
        let mut items = self.rows;
        for (segment, shape) in self.lists.iter().enumerate() {
            if shape.validity.len() != items || shape.offsets.len() != items + 1 {
                return Err(format!(
                    "level {segment} has {} items and {} offsets for {items} items",
                    shape.validity.len(),
                    shape.offsets.len()
                ));
            }
            if shape.offsets[0] != 0 || shape.offsets.windows(2).any(|w| w[1] < w[0]) {
                return Err(format!("level {segment} has offsets out of order"));
            }
            if (0..items)
                .any(|i| !shape.validity.get(i) && shape.offsets[i] != shape.offsets[i + 1])
            {
                return Err(format!("level {segment} has a null item with elements"));
            }
            items = shape.offsets[items];
        }
        if self.validity.len() != items {
            return Err(format!(
                "{} slots for {items} innermost items",
                self.validity.len()
            ));
        }
        if self.values.len() != self.validity.count_ones() {
            return Err(format!(
                "{} values for {} non-null slots",
                self.values.len(),
                self.validity.count_ones()
            ));
        }
        Ok(())
    }
}

/// A position in a [`ColumnSlice`]: a row, the slot it starts at and the values before it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SliceCursor {
    /// Rows before the position.
    pub row: usize,
    /// Slots before the position.
    pub slot: usize,
    /// Non-null values before the position.
    pub value: usize,
}

/// What a [`RowWalker`] reports of a row, in the order of its canonical bytes
/// (FINGERPRINT.md, "Nested columns"): every consumer of a row at any depth (comparison,
/// fingerprint, dump, report) is one of these.
pub trait RowVisitor {
    /// A null item of a segment above the leaf (`00`).
    fn null(&mut self);
    /// A non-null item of a segment above the leaf holding `len` items of the next segment,
    /// which follow (`01`, the count).
    fn list(&mut self, len: usize);
    /// The end of the items a [`Self::list`] announced.
    fn end_list(&mut self) {}
    /// Consecutive slots of the last segment, each null or holding the next value, in order;
    /// `first_value` is the index of the first non-null one among the slice's values.
    fn slots(&mut self, slots: Range<usize>, first_value: usize);
}

/// Walks the rows of a slice in order. Because rows are visited in order, each segment's
/// items are consumed in order too, so the walker needs one counter per segment and none of
/// the offsets' arithmetic a random access would.
#[derive(Clone, Debug)]
pub struct RowWalker<'a> {
    slice: &'a ColumnSlice,
    /// The next item of each segment, the slots last.
    next: Vec<usize>,
    /// The next value.
    value: usize,
}

impl<'a> RowWalker<'a> {
    /// A walker at the first row of `slice`.
    pub fn new(slice: &'a ColumnSlice) -> Self {
        Self {
            slice,
            next: vec![0; slice.lists.len() + 1],
            value: 0,
        }
    }

    /// The next row to be walked.
    pub fn row(&self) -> usize {
        self.next[0]
    }

    /// The index of the next value.
    pub fn value(&self) -> usize {
        self.value
    }

    /// True when every row was walked.
    pub fn done(&self) -> bool {
        self.next[0] >= self.slice.rows
    }

    /// Walks the next `rows` rows (fewer where the slice ends); a flat column's rows are
    /// one run of slots.
    pub fn walk(&mut self, rows: usize, visitor: &mut impl RowVisitor) {
        let end = (self.next[0] + rows).min(self.slice.rows);
        if self.slice.lists.is_empty() {
            let slots = self.next[0]..end;
            let first_value = self.value;
            self.value += self.slice.validity.count_ones_in(slots.clone());
            self.next[0] = end;
            visitor.slots(slots, first_value);
            return;
        }
        while self.next[0] < end {
            self.item(0, visitor);
        }
    }

    /// Skips the next `rows` rows without visiting them.
    pub fn skip(&mut self, rows: usize) {
        let end = (self.next[0] + rows).min(self.slice.rows);
        let before = *self.next.last().expect("a slot counter");
        self.next[0] = end;
        for (segment, shape) in self.slice.lists.iter().enumerate() {
            self.next[segment + 1] = shape.offsets[self.next[segment]];
        }
        let after = *self.next.last().expect("a slot counter");
        self.value += self.slice.validity.count_ones_in(before..after);
    }

    fn item(&mut self, segment: usize, visitor: &mut impl RowVisitor) {
        let shape = &self.slice.lists[segment];
        let item = self.next[segment];
        self.next[segment] += 1;
        if !shape.validity.get(item) {
            visitor.null();
            return;
        }
        let children = shape.children(item);
        visitor.list(children.len());
        if segment + 1 == self.slice.lists.len() {
            let first_value = self.value;
            self.value += self.slice.validity.count_ones_in(children.clone());
            self.next[segment + 1] = children.end;
            visitor.slots(children, first_value);
        } else {
            for _ in children {
                self.item(segment + 1, visitor);
            }
        }
        visitor.end_list();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A list slice of `rows` rows: row i holds i % 4 elements (row i % 5 == 0 is null),
    /// element j of row i is null when (i + j) % 3 == 0, values are strings "i.j".
    fn list_slice(rows: usize, keyed: bool) -> ColumnSlice {
        let mut offsets = vec![0];
        let mut list_validity = Bitmap::new();
        let mut validity = Bitmap::new();
        let mut strings = Vec::new();
        for i in 0..rows {
            let null = i % 5 == 0;
            list_validity.push(!null);
            if !null {
                for j in 0..i % 4 {
                    let valid = (i + j) % 3 != 0;
                    validity.push(valid);
                    if valid {
                        strings.push(format!("{i}.{j}"));
                    }
                }
            }
            offsets.push(validity.len());
        }
        let mut values = ByteArrays::new();
        if keyed {
            let mut dictionary = ByteArrays::new();
            for s in &strings {
                dictionary.push(s.as_bytes());
            }
            let keys: Vec<u32> = (0..strings.len() as u32).collect();
            values.extend_from_keys(&Arc::new(dictionary), &keys);
        } else {
            for s in &strings {
                values.push(s.as_bytes());
            }
        }
        ColumnSlice {
            rows,
            lists: vec![ListShape {
                offsets,
                validity: list_validity,
            }],
            validity,
            values: Values::ByteArray(values),
        }
    }

    #[test]
    fn windows_of_a_slice_put_back_together_are_the_slice() {
        for keyed in [false, true] {
            let whole = list_slice(203, keyed);
            for window in [1, 7, 64, 65, 300] {
                let mut cursor = SliceCursor::default();
                let mut joined = ColumnSlice::nested(PhysicalType::ByteArray, 0, 1);
                while cursor.row < whole.rows {
                    let (part, next) = whole.copy_rows(cursor, window);
                    assert_eq!(part.rows, window.min(whole.rows - cursor.row));
                    joined.append(part);
                    cursor = next;
                }
                assert_eq!(joined, whole, "keyed {keyed}, window {window}");
            }
        }
    }

    #[test]
    fn split_off_rows_keeps_the_head_and_returns_the_tail() {
        for keyed in [false, true] {
            let whole = list_slice(130, keyed);
            for at in [0, 1, 64, 77, 130] {
                let mut head = whole.clone();
                let tail = head.split_off_rows(at);
                assert_eq!(head, whole.copy_rows(SliceCursor::default(), at).0);
                assert_eq!((head.rows, tail.rows), (at, 130 - at));
                head.append(tail);
                assert_eq!(head, whole, "keyed {keyed}, at {at}");
            }
        }
        let mut flat = ColumnSlice {
            rows: 100,
            lists: Vec::new(),
            validity: Bitmap::filled(100, true),
            values: Values::Int64((0..100).collect()),
        };
        let tail = flat.split_off_rows(70);
        assert_eq!(flat.values, Values::Int64((0..70).collect()));
        assert_eq!(tail.values, Values::Int64((70..100).collect()));
        assert_eq!(tail.validity.len(), 30);
    }

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

    /// A bitmap built one `push` at a time: the reference the word-at-a-time paths must match.
    fn pushed(bits: impl IntoIterator<Item = bool>) -> Bitmap {
        let mut b = Bitmap::new();
        bits.into_iter().for_each(|bit| b.push(bit));
        b
    }

    fn lsb(bytes: &[u8], i: usize) -> bool {
        (bytes[i / 8] >> (i % 8)) & 1 == 1
    }

    #[test]
    fn word_at_a_time_appends_match_bit_at_a_time_at_every_alignment() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut random = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for case in 0..400 {
            let bytes: Vec<u8> = (0..40).map(|_| random() as u8).collect();
            // Dense selections, like validity with a few nulls, and sparse ones.
            let select: Vec<u8> = (0..40)
                .map(|_| {
                    let r = random() as u8;
                    if case % 2 == 0 {
                        r | (random() as u8) | (random() as u8)
                    } else {
                        r
                    }
                })
                .collect();
            let prefix = (random() % 70) as usize;
            let offset = (random() % 64) as usize;
            let count = (random() % 250) as usize;
            let head: Vec<bool> = (0..prefix).map(|i| i % 5 == 1).collect();

            let mut fast = pushed(head.clone());
            fast.extend_from_lsb_bits(&bytes, offset, count);
            let expected = pushed(
                head.iter()
                    .copied()
                    .chain((0..count).map(|i| lsb(&bytes, offset + i))),
            );
            assert_eq!(
                fast, expected,
                "lsb bits: prefix {prefix} offset {offset} count {count}"
            );

            let mut fast = pushed(head.clone());
            let appended = fast.extend_selected((&bytes, offset), (&select, offset + 3), count);
            let chosen: Vec<bool> = (0..count)
                .filter(|&i| lsb(&select, offset + 3 + i))
                .map(|i| lsb(&bytes, offset + i))
                .collect();
            assert_eq!(appended, chosen.len());
            assert_eq!(
                fast,
                pushed(head.iter().copied().chain(chosen)),
                "selected: {case}"
            );

            let mut fast = pushed(head.clone());
            let set = fast.extend_from_bools((0..count).map(|i| lsb(&bytes, i)));
            let reference = pushed(
                head.iter()
                    .copied()
                    .chain((0..count).map(|i| lsb(&bytes, i))),
            );
            assert_eq!(fast, reference);
            assert_eq!(set, (0..count).filter(|&i| lsb(&bytes, i)).count());

            let mut fast = pushed(head.clone());
            fast.push_n(case % 3 == 0, count);
            assert_eq!(
                fast,
                pushed(
                    head.iter()
                        .copied()
                        .chain(std::iter::repeat_n(case % 3 == 0, count))
                )
            );

            let at = (random() % (reference.len() as u64 + 1)) as usize;
            let loaded = reference.load(at);
            for bit in 0..64 {
                let expected = at + bit < reference.len() && reference.get(at + bit);
                assert_eq!((loaded >> bit) & 1 == 1, expected, "load({at}) bit {bit}");
            }

            let mut fast = pushed(head.clone());
            fast.extend_from_bitmap(&reference);
            assert_eq!(fast, pushed(head.iter().copied().chain(reference.iter())));
        }
    }

    #[test]
    fn keyed_strings_equal_packed_ones_and_stay_keyed_only_for_one_dictionary() {
        let dictionary = |entries: &[&[u8]]| {
            let mut d = ByteArrays::new();
            entries.iter().for_each(|e| d.push(e));
            Arc::new(d)
        };
        let first = dictionary(&[b"cat", b"dog", b"bird"]);
        let mut keyed = ByteArrays::new();
        keyed.extend_from_keys(&first, &[2, 0, 0, 1]);
        // An equal dictionary read again (the arrow reader's next batch) keeps the keys.
        keyed.extend_from_keys(&dictionary(&[b"cat", b"dog", b"bird"]), &[1]);
        assert_eq!(
            keyed.keyed().map(|(_, k)| k.to_vec()),
            Some(vec![2, 0, 0, 1, 1])
        );
        let mut packed = ByteArrays::new();
        for s in [&b"bird"[..], b"cat", b"cat", b"dog", b"dog"] {
            packed.push(s);
        }
        assert_eq!(keyed, packed);
        assert_eq!(packed, keyed);
        assert_eq!(keyed.data_len(), packed.data_len());

        // Same strings through another dictionary: equal by value, not by keys.
        let mut other = ByteArrays::new();
        other.extend_from_keys(&dictionary(&[b"dog", b"bird", b"cat"]), &[1, 2, 2, 0, 0]);
        assert_eq!(keyed, other);
        // One string differs: not equal, whichever form.
        let mut changed = ByteArrays::new();
        changed.extend_from_keys(&first, &[2, 0, 0, 1, 0]);
        assert_ne!(keyed, changed);

        // A different dictionary mid-way, or a plain push, turns the strings into packed ones.
        let mut mixed = ByteArrays::new();
        mixed.extend_from_keys(&first, &[2, 0]);
        mixed.extend_from_keys(&dictionary(&[b"cat", b"dog"]), &[0, 1]);
        mixed.push(b"dog");
        assert!(mixed.keyed().is_none());
        assert_eq!(mixed, packed);
        assert_eq!(
            mixed.iter().collect::<Vec<_>>(),
            packed.iter().collect::<Vec<_>>()
        );
    }

    /// One item of a nested row, at any depth: a null item, a non-null list of items of the
    /// next segment, or (in the last segment) a value.
    #[derive(Clone, Debug, PartialEq)]
    enum Tree {
        Null,
        List(Vec<Tree>),
        Value(i64),
    }

    use Tree::{List, Null, Value as V};

    /// The INT64 slice of `depth` repeated levels whose rows are `rows`, built item by item
    /// from the trees, independently of any decoder.
    fn build(depth: usize, rows: &[Tree]) -> ColumnSlice {
        fn push(slice: &mut ColumnSlice, segment: usize, item: &Tree) {
            if segment == slice.depth() {
                match item {
                    Null => slice.validity.push(false),
                    V(v) => {
                        slice.validity.push(true);
                        let Values::Int64(values) = &mut slice.values else {
                            unreachable!("an INT64 slice")
                        };
                        values.push(*v);
                    }
                    List(_) => panic!("a list in the last segment"),
                }
                return;
            }
            match item {
                Null => slice.lists[segment].validity.push(false),
                List(children) => {
                    slice.lists[segment].validity.push(true);
                    children.iter().for_each(|c| push(slice, segment + 1, c));
                }
                V(_) => panic!("a value above the last segment"),
            }
            let end = slice.items(segment + 1);
            slice.lists[segment].offsets.push(end);
        }
        let mut slice = ColumnSlice::nested(PhysicalType::Int64, 0, depth);
        for row in rows {
            push(&mut slice, 0, row);
            slice.rows += 1;
        }
        slice
    }

    /// Rebuilds the trees of the rows a [`RowWalker`] visits.
    struct Rebuild<'a> {
        slice: &'a ColumnSlice,
        /// The open lists: the length announced and the items so far.
        open: Vec<(usize, Vec<Tree>)>,
        rows: Vec<Tree>,
    }

    impl Rebuild<'_> {
        fn place(&mut self, item: Tree) {
            match self.open.last_mut() {
                Some((_, items)) => items.push(item),
                None => self.rows.push(item),
            }
        }
    }

    impl RowVisitor for Rebuild<'_> {
        fn null(&mut self) {
            self.place(Null);
        }

        fn list(&mut self, len: usize) {
            self.open.push((len, Vec::new()));
        }

        fn end_list(&mut self) {
            let (len, items) = self.open.pop().expect("a list was opened");
            assert_eq!(items.len(), len, "a list holds the items it announced");
            self.place(List(items));
        }

        fn slots(&mut self, slots: Range<usize>, first_value: usize) {
            let Values::Int64(values) = &self.slice.values else {
                unreachable!("an INT64 slice")
            };
            let mut value = first_value;
            for slot in slots {
                if self.slice.validity.get(slot) {
                    self.place(V(values[value]));
                    value += 1;
                } else {
                    self.place(Null);
                }
            }
        }
    }

    /// Rows of `depth` repeated levels with nulls, empty lists and null values at every
    /// level, from a fixed seed.
    fn trees(depth: usize, rows: usize, seed: u64) -> Vec<Tree> {
        let mut state = seed | 1;
        let mut random = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        fn item(depth: usize, segment: usize, random: &mut impl FnMut(u64) -> u64) -> Tree {
            match random(7) {
                0 => Null,
                _ if segment == depth => V(random(1000) as i64 - 500),
                1 => List(Vec::new()),
                _ => List(
                    (0..random(4))
                        .map(|_| item(depth, segment + 1, random))
                        .collect(),
                ),
            }
        }
        (0..rows).map(|_| item(depth, 0, &mut random)).collect()
    }

    /// The trees `walker` visits in its next `rows` rows.
    fn walk(walker: &mut RowWalker<'_>, slice: &ColumnSlice, rows: usize) -> Vec<Tree> {
        let mut rebuild = Rebuild {
            slice,
            open: Vec::new(),
            rows: Vec::new(),
        };
        walker.walk(rows, &mut rebuild);
        assert!(rebuild.open.is_empty(), "every list ends");
        rebuild.rows
    }

    #[test]
    fn built_slices_have_the_shape_of_their_trees() {
        // Row [[1, null], null, []] of a list<list<int64>>, by hand.
        let row = List(vec![List(vec![V(1), Null]), Null, List(vec![])]);
        let slice = build(2, &[row, Null, List(vec![])]);
        assert_eq!(slice.rows, 3);
        assert_eq!(slice.lists[0].offsets, [0, 3, 3, 3]);
        assert_eq!(
            slice.lists[0].validity.iter().collect::<Vec<_>>(),
            [true, false, true]
        );
        assert_eq!(slice.lists[1].offsets, [0, 2, 2, 2]);
        assert_eq!(
            slice.lists[1].validity.iter().collect::<Vec<_>>(),
            [true, false, true]
        );
        assert_eq!(slice.validity.iter().collect::<Vec<_>>(), [true, false]);
        assert_eq!(slice.values, Values::Int64(vec![1]));
        for depth in 0..=3 {
            let rows = trees(depth, 150, depth as u64 + 11);
            build(depth, &rows).check_shape().unwrap();
        }
    }

    #[test]
    fn copies_splits_and_appends_at_every_cut_give_back_the_slice() {
        for depth in [1, 2, 3] {
            let rows = trees(depth, 60, 7 * depth as u64);
            let whole = build(depth, &rows);
            for cut in 0..=rows.len() {
                let (head, at) = whole.copy_rows(SliceCursor::default(), cut);
                assert_eq!(at, whole.cursor_at(cut), "depth {depth}, cut {cut}");
                assert_eq!(head, build(depth, &rows[..cut]), "depth {depth}, cut {cut}");
                let (tail, end) = whole.copy_rows(at, usize::MAX);
                assert_eq!(end, whole.cursor_at(rows.len()));
                assert_eq!(tail, build(depth, &rows[cut..]), "depth {depth}, cut {cut}");
                tail.check_shape().unwrap();

                let mut joined = head.clone();
                joined.append(tail.clone());
                assert_eq!(joined, whole, "depth {depth}, cut {cut}");

                let mut split = whole.clone();
                let rest = split.split_off_rows(cut);
                assert_eq!((split, rest), (head, tail), "depth {depth}, cut {cut}");
            }
        }
    }

    #[test]
    fn check_shape_rejects_every_broken_invariant() {
        let rows = vec![
            List(vec![List(vec![V(1), Null]), Null, List(vec![V(2)])]),
            Null,
            List(vec![]),
        ];
        let good = build(2, &rows);
        good.check_shape().unwrap();
        /// What the error names, and how the slice is broken.
        type Breakage = (&'static str, fn(&mut ColumnSlice));
        let broken: [Breakage; 7] = [
            ("items and", |s| s.rows += 1),
            ("items and", |s| s.lists[1].validity.push(true)),
            ("out of order", |s| s.lists[0].offsets[0] = 1),
            ("out of order", |s| s.lists[1].offsets[1] = 3),
            ("null item with elements", |s| {
                // Item 1 of the inner level (null) takes the first value's slot.
                s.lists[1].offsets[1] = 1;
            }),
            ("innermost items", |s| s.validity.push(false)),
            ("values for", |s| s.values = Values::Int64(vec![1, 2, 3])),
        ];
        for (message, breaks) in broken {
            let mut slice = good.clone();
            breaks(&mut slice);
            let error = slice.check_shape().unwrap_err();
            assert!(error.contains(message), "{message:?} not in {error:?}");
        }
    }

    #[test]
    fn the_walker_visits_what_the_trees_say_and_skips_rows_exactly() {
        for depth in 0..=3 {
            let rows = trees(depth, 90, 3 + depth as u64);
            let slice = build(depth, &rows);
            let mut walker = RowWalker::new(&slice);
            assert_eq!(walk(&mut walker, &slice, usize::MAX), rows, "depth {depth}");
            assert!(walker.done());
            assert_eq!(walker.value(), slice.values.len());
            // Walked in steps of uneven sizes, with skips between: each step sees its rows.
            for (skip, step) in [(0, 1), (1, 2), (5, 7), (13, 1), (0, 64)] {
                let mut walker = RowWalker::new(&slice);
                let mut row = 0;
                while !walker.done() {
                    walker.skip(skip);
                    row = (row + skip).min(rows.len());
                    assert_eq!(walker.row(), row);
                    assert_eq!(walker.value(), slice.cursor_at(row).value);
                    let seen = walk(&mut walker, &slice, step);
                    let end = (row + step).min(rows.len());
                    assert_eq!(seen, rows[row..end], "depth {depth}, rows {row}..{end}");
                    row = end;
                }
            }
        }
    }

    #[test]
    fn floats_compare_by_bits() {
        let a = Values::Double(vec![f64::NAN, -0.0]);
        let b = Values::Double(vec![f64::NAN, 0.0]);
        assert!(a.same_at(0, &b, 0));
        assert!(!a.same_at(1, &b, 1));
    }
}
