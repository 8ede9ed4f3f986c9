//! A bounds-checked reader over a byte slice: with the Thrift reader, the only code that
//! indexes raw bytes. Every read checks what is left, so no length taken from a file can
//! index past its buffer.

use super::error::{RawError, RawResult};

/// A position in a byte slice that only moves forward.
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, position: 0 }
    }

    /// Bytes read so far.
    pub fn position(&self) -> usize {
        self.position
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.position
    }

    /// The unread bytes, without consuming them.
    pub fn rest(&self) -> &'a [u8] {
        &self.bytes[self.position..]
    }

    /// True when every byte has been read.
    pub fn is_at_end(&self) -> bool {
        self.position == self.bytes.len()
    }

    /// Reads one byte.
    #[inline]
    pub fn read_u8(&mut self, what: &'static str) -> RawResult<u8> {
        let byte = *self.bytes.get(self.position).ok_or(RawError::Truncated {
            what,
            needed: 1,
            available: 0,
        })?;
        self.position += 1;
        Ok(byte)
    }

    /// Reads `count` bytes.
    #[inline]
    pub fn read_bytes(&mut self, count: usize, what: &'static str) -> RawResult<&'a [u8]> {
        if count > self.remaining() {
            return Err(RawError::Truncated {
                what,
                needed: count as u64,
                available: self.remaining() as u64,
            });
        }
        let slice = &self.bytes[self.position..self.position + count];
        self.position += count;
        Ok(slice)
    }

    /// Reads exactly `N` bytes into an array.
    #[inline]
    pub fn read_array<const N: usize>(&mut self, what: &'static str) -> RawResult<[u8; N]> {
        let slice = self.read_bytes(N, what)?;
        Ok(slice.try_into().expect("read_bytes returned N bytes"))
    }

    /// Reads a little-endian u32.
    pub fn read_u32_le(&mut self, what: &'static str) -> RawResult<u32> {
        Ok(u32::from_le_bytes(self.read_array(what)?))
    }

    /// Reads an unsigned LEB128 varint of at most 64 bits.
    pub fn read_uleb128(&mut self, what: &'static str) -> RawResult<u64> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.read_u8(what)?;
            let bits = u64::from(byte & 0x7f);
            // The tenth byte may carry only the top bit of a 64-bit value.
            if shift == 63 && bits > 1 {
                return Err(RawError::invalid(format!(
                    "{what}: varint overflows 64 bits"
                )));
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(RawError::invalid(format!(
            "{what}: varint longer than 10 bytes"
        )))
    }

    /// Reads a zigzag-encoded signed varint.
    pub fn read_zigzag(&mut self, what: &'static str) -> RawResult<i64> {
        let raw = self.read_uleb128(what)?;
        Ok((raw >> 1) as i64 ^ -((raw & 1) as i64))
    }

    /// Skips `count` bytes.
    pub fn skip(&mut self, count: usize, what: &'static str) -> RawResult<()> {
        self.read_bytes(count, what).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_zigzag() {
        let mut c = Cursor::new(&[0x96, 0x01, 0x03, 0x04]);
        assert_eq!(c.read_uleb128("v").unwrap(), 150);
        assert_eq!(c.read_zigzag("z").unwrap(), -2);
        assert_eq!(c.read_zigzag("z").unwrap(), 2);
        assert!(c.is_at_end());
    }

    #[test]
    fn reads_past_the_end_are_errors() {
        let mut c = Cursor::new(&[1, 2]);
        assert!(matches!(
            c.read_bytes(3, "x"),
            Err(RawError::Truncated {
                needed: 3,
                available: 2,
                ..
            })
        ));
        assert_eq!(
            c.read_u32_le("x").unwrap_err().to_string(),
            "unexpected end of data reading x: needed 4 bytes, 2 available"
        );
        assert!(Cursor::new(&[0xff; 11]).read_uleb128("v").is_err());
    }
}
