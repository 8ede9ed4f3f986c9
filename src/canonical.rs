//! Stored forms the arrow reader cannot hand back, brought to one canonical form on both paths
//! before they are compared and fingerprinted.
//!
//! The arrow reader returns INT96 as 64-bit nanosecond timestamps and BYTE_ARRAY decimals as
//! integers, so it cannot say which of several equivalent byte forms the file stored. Both
//! paths' values are therefore rewritten to the one form the arrow value implies: INT96 with
//! nanoseconds of the day in `0..86_400 * 10^9`, and decimals as minimal big-endian two's
//! complement. For every value a conforming writer stores, the canonical form is the stored
//! form, so fingerprints still match FINGERPRINT.md.

use crate::value::{ByteArrays, ColumnSlice, Values};

/// Julian day of 1970-01-01 (the INT96 timestamp convention of Impala and Spark).
const JULIAN_DAY_OF_EPOCH: i64 = 2_440_588;
const NANOS_PER_DAY: i64 = 86_400_000_000_000;

/// Which canonical form a column's values take.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Canonical {
    /// Stored values are compared as they are.
    #[default]
    Stored,
    /// INT96 timestamps, as the 64-bit nanosecond count readers convert them to.
    Int96Nanos,
    /// Decimals stored as BYTE_ARRAY, in their shortest two's complement form.
    MinimalDecimal,
    /// INTERVAL values (LogicalTypes.md, "INTERVAL": three little-endian unsigned 32-bit
    /// integers, months, days and milliseconds) without their months, which the arrow reader
    /// drops (it returns days and milliseconds): the two paths compare days and
    /// milliseconds, and the months are checked by the raw path alone.
    IntervalWithoutMonths,
}

impl Canonical {
    /// True when the canonical form drops part of the stored value, so that one path alone
    /// checks that part and fingerprints are taken of the stored values, not of this form.
    pub fn drops_part(self) -> bool {
        self == Self::IntervalWithoutMonths
    }

    /// For a form that drops part of the value: the values, the part dropped, and the
    /// rest, as the report names them.
    pub fn dropped_part(self) -> Option<(&'static str, &'static str, &'static str)> {
        self.drops_part()
            .then_some(("INTERVAL values", "months", "days and milliseconds"))
    }
}

/// Rewrites `slice` to the canonical form; returns how many values lie outside what the
/// arrow reader can represent (INT96 timestamps beyond 64-bit nanoseconds, which therefore
/// compare in the wrapped form that reader produces; INTERVALs with months, which compare
/// without them).
pub fn apply(canonical: Canonical, slice: &mut ColumnSlice) -> usize {
    match (canonical, &mut slice.values) {
        (Canonical::Int96Nanos, Values::Int96(values)) => {
            let mut out_of_range = 0;
            for value in values.iter_mut() {
                let (nanos, exact) = int96_nanos(value);
                out_of_range += usize::from(!exact);
                *value = int96_from_nanos(nanos);
            }
            out_of_range
        }
        (Canonical::MinimalDecimal, Values::ByteArray(values)) => {
            let mut minimal = ByteArrays::new();
            minimal.reserve(values.len(), values.data_len());
            for value in values.iter() {
                minimal.push(minimal_twos_complement(value));
            }
            *values = minimal;
            0
        }
        (Canonical::IntervalWithoutMonths, Values::FixedLenByteArray { width: 12, data }) => {
            let mut with_months = 0;
            for value in data.chunks_exact_mut(12) {
                with_months += usize::from(value[..4] != [0; 4]);
                value[..4].fill(0);
            }
            with_months
        }
        _ => 0,
    }
}

/// An INT96 value as nanoseconds since the epoch, wrapped to 64 bits as readers do, and
/// whether that is exact.
pub fn int96_nanos(value: &[u8; 12]) -> (i64, bool) {
    let nanos_of_day = i64::from_le_bytes(value[..8].try_into().expect("8 bytes"));
    let julian_day = i64::from(i32::from_le_bytes(value[8..].try_into().expect("4 bytes")));
    let exact = i128::from(julian_day - JULIAN_DAY_OF_EPOCH) * i128::from(NANOS_PER_DAY)
        + i128::from(nanos_of_day);
    let wrapped = (julian_day - JULIAN_DAY_OF_EPOCH)
        .wrapping_mul(NANOS_PER_DAY)
        .wrapping_add(nanos_of_day);
    (wrapped, i128::from(wrapped) == exact)
}

/// The canonical INT96 bytes of a nanosecond timestamp: nanoseconds within the day (8 bytes
/// little-endian), then the Julian day (4 bytes little-endian).
pub fn int96_from_nanos(nanos: i64) -> [u8; 12] {
    let day = nanos.div_euclid(NANOS_PER_DAY) + JULIAN_DAY_OF_EPOCH;
    let nanos_of_day = nanos.rem_euclid(NANOS_PER_DAY);
    let mut bytes = [0; 12];
    bytes[..8].copy_from_slice(&nanos_of_day.to_le_bytes());
    bytes[8..].copy_from_slice(&(day as i32).to_le_bytes());
    bytes
}

/// Drops leading bytes that only repeat the sign; an empty value is zero.
pub fn minimal_twos_complement(bytes: &[u8]) -> &[u8] {
    if bytes.is_empty() {
        return &[0];
    }
    let mut start = 0;
    while start + 1 < bytes.len() {
        let (byte, next) = (bytes[start], bytes[start + 1]);
        let redundant = (byte == 0x00 && next & 0x80 == 0) || (byte == 0xff && next & 0x80 != 0);
        if !redundant {
            break;
        }
        start += 1;
    }
    &bytes[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_forms() {
        assert_eq!(minimal_twos_complement(&[0, 0, 0x7f]), &[0x7f]);
        assert_eq!(minimal_twos_complement(&[0, 0x80]), &[0, 0x80]);
        assert_eq!(minimal_twos_complement(&[0xff, 0xff, 0x80]), &[0x80]);
        assert_eq!(minimal_twos_complement(&[0xff, 0x7f]), &[0xff, 0x7f]);
        assert_eq!(minimal_twos_complement(&[]), &[0]);
    }

    #[test]
    fn interval_months_are_dropped_and_counted() {
        let mut data = Vec::new();
        for (months, days, millis) in [(0u32, 3u32, 500u32), (14, 1, 2)] {
            for part in [months, days, millis] {
                data.extend_from_slice(&part.to_le_bytes());
            }
        }
        let mut slice = ColumnSlice::empty(crate::value::PhysicalType::FixedLenByteArray, 12);
        slice.values = Values::FixedLenByteArray { width: 12, data };
        slice.rows = 2;
        assert_eq!(apply(Canonical::IntervalWithoutMonths, &mut slice), 1);
        let Values::FixedLenByteArray { data, .. } = &slice.values else {
            unreachable!()
        };
        assert_eq!(&data[12..16], &[0; 4]);
        assert_eq!(&data[16..20], &1u32.to_le_bytes());
    }

    #[test]
    fn int96_round_trip_and_range() {
        let noon_2020 = 1_577_880_000_000_000_000i64;
        let bytes = int96_from_nanos(noon_2020);
        assert_eq!(int96_nanos(&bytes), (noon_2020, true));
        let before_epoch = int96_from_nanos(-1);
        assert_eq!(int96_nanos(&before_epoch), (-1, true));
        let mut far = [0u8; 12];
        far[8..].copy_from_slice(&i32::MAX.to_le_bytes());
        assert!(!int96_nanos(&far).1);
    }
}
