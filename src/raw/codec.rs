//! Page decompression for the raw path (parquet.thrift `CompressionCodec`).
//!
//! Every codec decompresses into a buffer of exactly the size the page header declares, so a
//! page can never expand past what the file claims, and a claim that does not match the data is
//! an error rather than a silently short or long page. Where a well-kept independent
//! implementation exists, it differs from the one the arrow path uses (ruzstd for ZSTD), so the
//! two paths disagree if a codec does.

use std::io::Read;

use super::error::{RawError, RawResult};
use crate::format::Codec;

/// Decompresses `input` with `codec` into exactly `uncompressed_size` bytes.
pub fn decompress(codec: Codec, input: &[u8], uncompressed_size: usize) -> RawResult<Vec<u8>> {
    let output = match codec {
        Codec::Uncompressed => input.to_vec(),
        Codec::Snappy => snappy(input, uncompressed_size)?,
        Codec::Gzip => read_bounded(
            flate2::read::MultiGzDecoder::new(input),
            uncompressed_size,
            "GZIP",
        )?,
        Codec::Brotli => read_bounded(
            brotli_decompressor::Decompressor::new(input, 4096),
            uncompressed_size,
            "BROTLI",
        )?,
        Codec::Zstd => zstd(input, uncompressed_size)?,
        Codec::Lz4Raw => lz4_block(input, uncompressed_size, "LZ4_RAW")?,
        Codec::Lz4 => lz4_legacy(input, uncompressed_size)?,
        other => {
            return Err(RawError::unsupported(format!(
                "compression codec {}",
                other.name()
            )))
        }
    };
    if output.len() != uncompressed_size {
        return Err(RawError::invalid(format!(
            "{} page decompressed to {} bytes, header declares {uncompressed_size}",
            codec.name(),
            output.len()
        )));
    }
    Ok(output)
}

fn snappy(input: &[u8], uncompressed_size: usize) -> RawResult<Vec<u8>> {
    let claimed =
        snap::raw::decompress_len(input).map_err(|e| RawError::invalid(format!("SNAPPY: {e}")))?;
    if claimed != uncompressed_size {
        return Err(RawError::invalid(format!(
            "SNAPPY stream holds {claimed} bytes, header declares {uncompressed_size}"
        )));
    }
    let mut output = zeroed(uncompressed_size)?;
    snap::raw::Decoder::new()
        .decompress(input, &mut output)
        .map_err(|e| RawError::invalid(format!("SNAPPY: {e}")))?;
    Ok(output)
}

fn zstd(input: &[u8], uncompressed_size: usize) -> RawResult<Vec<u8>> {
    let mut output = zeroed(uncompressed_size)?;
    let written = ruzstd::decoding::FrameDecoder::new()
        .decode_all(input, &mut output)
        .map_err(|e| RawError::invalid(format!("ZSTD: {e}")))?;
    output.truncate(written);
    Ok(output)
}

fn lz4_block(input: &[u8], uncompressed_size: usize, name: &str) -> RawResult<Vec<u8>> {
    let mut output = zeroed(uncompressed_size)?;
    let written = lz4_flex::block::decompress_into(input, &mut output)
        .map_err(|e| RawError::invalid(format!("{name}: {e}")))?;
    output.truncate(written);
    Ok(output)
}

/// The deprecated LZ4 codec: writers disagreed on its framing, so like other readers we accept
/// Hadoop's framing (big-endian decompressed and compressed sizes before each block), then the
/// LZ4 frame format, then a bare block.
fn lz4_legacy(input: &[u8], uncompressed_size: usize) -> RawResult<Vec<u8>> {
    if let Some(output) = lz4_hadoop(input, uncompressed_size) {
        return Ok(output);
    }
    if let Ok(output) = read_bounded(
        lz4_flex::frame::FrameDecoder::new(input),
        uncompressed_size,
        "LZ4",
    ) {
        if output.len() == uncompressed_size {
            return Ok(output);
        }
    }
    lz4_block(input, uncompressed_size, "LZ4")
}

fn lz4_hadoop(mut input: &[u8], uncompressed_size: usize) -> Option<Vec<u8>> {
    let mut output = Vec::new();
    output.try_reserve_exact(uncompressed_size).ok()?;
    while !input.is_empty() {
        let header = input.get(..8)?;
        let block_uncompressed = u32::from_be_bytes(header[..4].try_into().ok()?) as usize;
        let block_compressed = u32::from_be_bytes(header[4..].try_into().ok()?) as usize;
        let block = input.get(8..8usize.checked_add(block_compressed)?)?;
        let start = output.len();
        let end = start.checked_add(block_uncompressed)?;
        if end > uncompressed_size {
            return None;
        }
        output.resize(end, 0);
        let written = lz4_flex::block::decompress_into(block, &mut output[start..]).ok()?;
        if written != block_uncompressed {
            return None;
        }
        input = &input[8 + block_compressed..];
    }
    (output.len() == uncompressed_size).then_some(output)
}

/// Reads a decompressing stream to its end, but never more than `limit` bytes plus one (to tell
/// "more than declared" from "exactly").
fn read_bounded(reader: impl Read, limit: usize, name: &str) -> RawResult<Vec<u8>> {
    let mut output = Vec::new();
    reserve(&mut output, limit)?;
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut output)
        .map_err(|e| RawError::invalid(format!("{name}: {e}")))?;
    Ok(output)
}

/// A zeroed buffer of a size the file declared, failing cleanly where memory runs out.
fn zeroed(len: usize) -> RawResult<Vec<u8>> {
    let mut buffer = Vec::new();
    reserve(&mut buffer, len)?;
    buffer.resize(len, 0);
    Ok(buffer)
}

/// Reserves room for a declared size: a failed allocation is an error, not an abort.
fn reserve(buffer: &mut Vec<u8>, len: usize) -> RawResult<()> {
    buffer
        .try_reserve_exact(len)
        .map_err(|_| RawError::invalid(format!("cannot allocate the {len} bytes a page declares")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncompressed_size_must_match() {
        assert!(decompress(Codec::Uncompressed, b"abc", 3).is_ok());
        let err = decompress(Codec::Uncompressed, b"abc", 4).unwrap_err();
        assert!(err.to_string().contains("declares 4"), "{err}");
    }

    #[test]
    fn snappy_round_trip_and_wrong_size() {
        let data = b"labels labels labels labels".repeat(10);
        let packed = snap::raw::Encoder::new().compress_vec(&data).unwrap();
        assert_eq!(
            decompress(Codec::Snappy, &packed, data.len()).unwrap(),
            data
        );
        assert!(decompress(Codec::Snappy, &packed, data.len() - 1).is_err());
        assert!(decompress(Codec::Snappy, &packed[..packed.len() / 2], data.len()).is_err());
    }

    #[test]
    fn gzip_output_is_capped_at_the_declared_size() {
        use std::io::Write;
        let data = vec![7u8; 100_000];
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&data).unwrap();
        let packed = encoder.finish().unwrap();
        assert_eq!(decompress(Codec::Gzip, &packed, data.len()).unwrap(), data);
        let err = decompress(Codec::Gzip, &packed, 10).unwrap_err();
        assert!(err.to_string().contains("declares 10"), "{err}");
    }

    #[test]
    fn lz4_hadoop_framing() {
        let data = b"0123456789".repeat(20);
        let block = lz4_flex::block::compress(&data);
        let mut framed = Vec::new();
        framed.extend_from_slice(&(data.len() as u32).to_be_bytes());
        framed.extend_from_slice(&(block.len() as u32).to_be_bytes());
        framed.extend_from_slice(&block);
        assert_eq!(decompress(Codec::Lz4, &framed, data.len()).unwrap(), data);
        assert_eq!(decompress(Codec::Lz4, &block, data.len()).unwrap(), data);
        assert_eq!(decompress(Codec::Lz4Raw, &block, data.len()).unwrap(), data);
    }

    #[test]
    fn garbage_is_an_error_for_every_codec() {
        for codec in [
            Codec::Snappy,
            Codec::Gzip,
            Codec::Brotli,
            Codec::Zstd,
            Codec::Lz4,
            Codec::Lz4Raw,
        ] {
            assert!(decompress(codec, &[0xff; 16], 64).is_err(), "{codec:?}");
        }
    }
}
