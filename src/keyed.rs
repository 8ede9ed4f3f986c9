//! Keyed fingerprints (FINGERPRINT.md, "Keyed fingerprints"): a digest of the *multiset* of
//! (key, label) rows of a column, which does not depend on the order of the rows or on how
//! they are split into row groups and files, so a lock still holds after an ETL step shuffles,
//! sorts or re-partitions the data.
//!
//! Each row is hashed on its own (BLAKE3 over a tag, the key columns' canonical row bytes and
//! the label's), and the row digests are added as 256-bit integers: addition commutes, so the
//! sum is the same in any order and over any split. The rows are also summed in
//! [`BUCKETS`] buckets chosen by a hash of the key alone, so two fingerprints that differ
//! name the buckets (the keys) where they do.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::fingerprint::{Digest, RowCursor};
use crate::value::ColumnSlice;

/// Number of buckets rows are summed in.
pub const BUCKETS: usize = 256;

/// Prefix of every row's digest input, naming the definition's version.
const TAG: &[u8; 20] = b"labelcheck-keyed-v1:";

/// The bucket of a row whose key columns' canonical row bytes, concatenated in key order,
/// are `key_row_bytes`: xxh64 (seed 0) of those bytes, modulo [`BUCKETS`]. The keyed diff
/// and `verify` name the same buckets through this function.
pub fn bucket_of(key_row_bytes: &[u8]) -> usize {
    (twox_hash::XxHash64::oneshot(0, key_row_bytes) % BUCKETS as u64) as usize
}

/// A 256-bit unsigned integer kept modulo 2^256, as four 64-bit limbs, least significant
/// first.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
struct Sum([u64; 4]);

impl Sum {
    /// Adds `other`, dropping the carry out of the top limb (modulo 2^256).
    #[inline]
    fn add(&mut self, other: &Sum) {
        let mut carry = false;
        for (limb, &more) in self.0.iter_mut().zip(&other.0) {
            let (sum, over) = limb.overflowing_add(more);
            let (sum, over_carry) = sum.overflowing_add(u64::from(carry));
            *limb = sum;
            carry = over || over_carry;
        }
    }

    /// The digest read as a little-endian 256-bit integer.
    #[inline]
    fn of_digest(digest: &Digest) -> Sum {
        let mut limbs = [0u64; 4];
        for (limb, bytes) in limbs.iter_mut().zip(digest.chunks_exact(8)) {
            *limb = u64::from_le_bytes(bytes.try_into().expect("8 bytes"));
        }
        Sum(limbs)
    }

    /// The sum as 32 little-endian bytes.
    fn to_digest(self) -> Digest {
        let mut digest = [0u8; 32];
        for (bytes, limb) in digest.chunks_exact_mut(8).zip(self.0) {
            bytes.copy_from_slice(&limb.to_le_bytes());
        }
        digest
    }
}

/// The rows of one bucket so far.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
struct Tally {
    rows: u64,
    sum: Sum,
}

/// Sums the row digests of a column's (key, label) rows; builders of any parts of the rows,
/// merged in any order, finish to the same [`KeyedFingerprint`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyedBuilder {
    buckets: Vec<Tally>,
}

impl Default for KeyedBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl KeyedBuilder {
    /// A builder with no rows yet.
    pub fn new() -> Self {
        Self {
            buckets: vec![Tally::default(); BUCKETS],
        }
    }

    /// Adds the rows of `label` keyed by the same rows of `keys`, in key order; every slice
    /// must hold the same rows (the caller reads them side by side).
    pub fn observe(&mut self, keys: &[&ColumnSlice], label: &ColumnSlice) {
        for key in keys {
            assert_eq!(
                key.rows, label.rows,
                "a key slice must hold the label slice's rows"
            );
        }
        let mut key_rows: Vec<RowCursor> = keys.iter().map(|key| RowCursor::new(key)).collect();
        let mut label_rows = RowCursor::new(label);
        // The whole digest input, reused: the tag stays, key and label bytes follow it.
        let mut input = Vec::with_capacity(256);
        input.extend_from_slice(TAG);
        while let Some((_, label_bytes)) = label_rows.next_row() {
            input.truncate(TAG.len());
            for rows in &mut key_rows {
                let (_, key_bytes) = rows.next_row().expect("key slices hold the label's rows");
                input.extend_from_slice(key_bytes);
            }
            let bucket = bucket_of(&input[TAG.len()..]);
            input.extend_from_slice(label_bytes);
            let digest = Sum::of_digest(blake3::hash(&input).as_bytes());
            let tally = &mut self.buckets[bucket];
            tally.rows += 1;
            tally.sum.add(&digest);
        }
    }

    /// Adds the rows `other` has seen.
    pub fn merge(&mut self, other: &KeyedBuilder) {
        for (mine, theirs) in self.buckets.iter_mut().zip(&other.buckets) {
            mine.rows += theirs.rows;
            mine.sum.add(&theirs.sum);
        }
    }

    /// The fingerprint of every row added.
    pub fn finish(self) -> KeyedFingerprint {
        let mut total = Tally::default();
        let mut buckets = Vec::new();
        for (bucket, tally) in self.buckets.iter().enumerate() {
            if tally.rows == 0 {
                continue;
            }
            total.rows += tally.rows;
            total.sum.add(&tally.sum);
            buckets.push(KeyedBucket {
                bucket,
                rows: tally.rows,
                digest: KeyedDigest(tally.sum.to_digest()),
            });
        }
        KeyedFingerprint {
            rows: total.rows,
            digest: KeyedDigest(total.sum.to_digest()),
            buckets,
        }
    }
}

/// A sum of row digests modulo 2^256, as 32 little-endian bytes; written as 64 lower-case hex
/// digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyedDigest(pub Digest);

impl fmt::Display for KeyedDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::fingerprint::to_hex(&self.0))
    }
}

impl fmt::Debug for KeyedDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyedDigest({self})")
    }
}

impl Serialize for KeyedDigest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for KeyedDigest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        // Lower case only, so a digest read back writes back byte for byte.
        if text.len() != 64 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(serde::de::Error::custom(format!(
                "a keyed digest is 64 lower-case hex digits, not {text:?}"
            )));
        }
        let hash = blake3::Hash::from_hex(text.as_bytes()).map_err(serde::de::Error::custom)?;
        Ok(KeyedDigest(*hash.as_bytes()))
    }
}

/// The rows of one bucket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyedBucket {
    /// Its number, below [`BUCKETS`] ([`bucket_of`]).
    pub bucket: usize,
    /// Rows whose key falls in it.
    pub rows: u64,
    /// The sum of their row digests.
    pub digest: KeyedDigest,
}

/// The keyed fingerprint of one label column: its rows, the sum of all row digests, and the
/// same per bucket (buckets that hold no row are left out).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyedFingerprint {
    /// Rows summed.
    pub rows: u64,
    /// The sum of every row digest.
    pub digest: KeyedDigest,
    /// The buckets holding rows, in bucket order.
    pub buckets: Vec<KeyedBucket>,
}

impl KeyedFingerprint {
    /// The buckets whose rows or digest differ between `self` and `other` (a bucket present in
    /// one only included), in bucket order: where the keys of the changed rows lie.
    pub fn changed_buckets(&self, other: &KeyedFingerprint) -> Vec<usize> {
        let tallies = |fingerprint: &KeyedFingerprint| -> BTreeMap<usize, (u64, KeyedDigest)> {
            fingerprint
                .buckets
                .iter()
                .map(|b| (b.bucket, (b.rows, b.digest)))
                .collect()
        };
        let (mine, theirs) = (tallies(self), tallies(other));
        let buckets: BTreeSet<usize> = mine.keys().chain(theirs.keys()).copied().collect();
        buckets
            .into_iter()
            .filter(|b| mine.get(b) != theirs.get(b))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Bitmap, ByteArrays, Values};

    /// Integer keys and string labels, row i: key `keys[i]`, label `labels[i]` (None: null).
    fn rows(keys: &[i64], labels: &[Option<&str>]) -> (ColumnSlice, ColumnSlice) {
        let key = ColumnSlice {
            rows: keys.len(),
            lists: Vec::new(),
            validity: Bitmap::filled(keys.len(), true),
            values: Values::Int64(keys.to_vec()),
        };
        let mut validity = Bitmap::new();
        validity.extend_from_bools(labels.iter().map(Option::is_some));
        let mut strings = ByteArrays::new();
        labels
            .iter()
            .flatten()
            .for_each(|l| strings.push(l.as_bytes()));
        let label = ColumnSlice {
            rows: labels.len(),
            lists: Vec::new(),
            validity,
            values: Values::ByteArray(strings),
        };
        (key, label)
    }

    fn label_of(i: i64) -> Option<String> {
        (i % 11 != 0).then(|| ["cat", "dog", "bird"][(i % 3) as usize].to_owned())
    }

    /// The fingerprint of rows with keys `keys` and their labels, cut into parts of `part`
    /// rows whose builders are merged in reverse.
    fn fingerprint(keys: &[i64], part: usize, change: Option<i64>) -> KeyedFingerprint {
        let mut builders = Vec::new();
        for chunk in keys.chunks(part) {
            let labels: Vec<Option<String>> = chunk
                .iter()
                .map(|&k| match change {
                    Some(c) if c == k => Some("changed".to_owned()),
                    _ => label_of(k),
                })
                .collect();
            let labels: Vec<Option<&str>> = labels.iter().map(|l| l.as_deref()).collect();
            let (key, label) = rows(chunk, &labels);
            let mut builder = KeyedBuilder::new();
            builder.observe(&[&key], &label);
            builders.push(builder);
        }
        let mut all = KeyedBuilder::new();
        for builder in builders.iter().rev() {
            all.merge(builder);
        }
        all.finish()
    }

    /// A deterministic shuffle (xorshift-driven Fisher–Yates).
    fn shuffled(n: i64) -> Vec<i64> {
        let mut keys: Vec<i64> = (0..n).collect();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for i in (1..keys.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            keys.swap(i, (state % (i as u64 + 1)) as usize);
        }
        keys
    }

    #[test]
    fn shuffled_and_repartitioned_rows_give_the_same_fingerprint() {
        let ordered: Vec<i64> = (0..5_000).collect();
        let expected = fingerprint(&ordered, 5_000, None);
        assert_eq!(expected.rows, 5_000);
        assert!(expected.buckets.len() > 200, "5,000 keys fill most buckets");
        for part in [1, 7, 1_000, 5_000] {
            assert_eq!(fingerprint(&shuffled(5_000), part, None), expected);
        }
        // A dropped row, a duplicated one, are changes.
        assert_ne!(fingerprint(&ordered[1..], 5_000, None), expected);
        let mut doubled = ordered.clone();
        doubled.push(17);
        assert_ne!(fingerprint(&doubled, 5_000, None).digest, expected.digest);
    }

    #[test]
    fn one_changed_label_changes_exactly_its_bucket() {
        let keys = shuffled(5_000);
        let before = fingerprint(&keys, 5_000, None);
        let after = fingerprint(&keys, 333, Some(1234));
        assert_ne!(before.digest, after.digest);
        assert_eq!(before.rows, after.rows);
        let key_bytes = [&[1u8][..], &1234i64.to_le_bytes()].concat();
        assert_eq!(before.changed_buckets(&after), vec![bucket_of(&key_bytes)]);
        assert_eq!(after.changed_buckets(&before), vec![bucket_of(&key_bytes)]);
        assert!(before.changed_buckets(&before).is_empty());
        // A row missing from a bucket changes that bucket too.
        let fewer = fingerprint(&keys[..4_999], 5_000, None);
        let missing = [&[1u8][..], &keys[4_999].to_le_bytes()].concat();
        assert_eq!(before.changed_buckets(&fewer), vec![bucket_of(&missing)]);
    }

    #[test]
    fn one_row_is_its_documented_digest() {
        // FINGERPRINT.md, "Keyed fingerprints": key 7 (INT64), label "cat" (BYTE_ARRAY).
        let (key, label) = rows(&[7], &[Some("cat")]);
        let mut builder = KeyedBuilder::new();
        builder.observe(&[&key], &label);
        let fingerprint = builder.finish();
        let mut input = b"labelcheck-keyed-v1:".to_vec();
        let key_bytes = [1, 7, 0, 0, 0, 0, 0, 0, 0];
        input.extend_from_slice(&key_bytes);
        input.extend_from_slice(&[1, 3, 0, 0, 0, b'c', b'a', b't']);
        let digest = *blake3::hash(&input).as_bytes();
        assert_eq!(fingerprint.digest, KeyedDigest(digest));
        assert_eq!(
            fingerprint.buckets,
            vec![KeyedBucket {
                bucket: (twox_hash::XxHash64::oneshot(0, &key_bytes) % 256) as usize,
                rows: 1,
                digest: KeyedDigest(digest),
            }]
        );
        assert_eq!(
            fingerprint.digest.to_string(),
            "3ffa4f01dab79eb5c09302603951ad79d182c5c7c15fe076b85bdb5d578aaa90",
            "the worked example in FINGERPRINT.md"
        );
        assert_eq!(
            fingerprint.buckets[0].bucket, 135,
            "FINGERPRINT.md's example"
        );
    }

    #[test]
    fn sums_carry_across_limbs_and_wrap_modulo_2_256() {
        let mut sum = Sum::of_digest(&[0xff; 32]);
        let mut one = [0u8; 32];
        one[0] = 1;
        sum.add(&Sum::of_digest(&one));
        assert_eq!(sum, Sum::default());
        let mut low = [0u8; 32];
        low[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        let mut sum = Sum::of_digest(&low);
        sum.add(&Sum::of_digest(&one));
        let mut expected = [0u8; 32];
        expected[8] = 1;
        assert_eq!(sum.to_digest(), expected);
    }

    #[test]
    fn swapping_key_and_label_bytes_is_a_change() {
        // Keys and labels of the same type: (1, 2) and (2, 1) are different rows.
        let ints = |v: &[i64]| ColumnSlice {
            rows: v.len(),
            lists: Vec::new(),
            validity: Bitmap::filled(v.len(), true),
            values: Values::Int64(v.to_vec()),
        };
        let mut a = KeyedBuilder::new();
        a.observe(&[&ints(&[1])], &ints(&[2]));
        let mut b = KeyedBuilder::new();
        b.observe(&[&ints(&[2])], &ints(&[1]));
        assert_ne!(a.finish().digest, b.finish().digest);
    }

    #[test]
    fn a_fingerprint_reads_back_from_its_json() {
        let fingerprint = fingerprint(&shuffled(50), 50, None);
        let json = serde_json::to_string(&fingerprint).unwrap();
        assert!(json.starts_with(r#"{"rows":50,"digest":""#), "{json}");
        assert!(json.contains(r#""buckets":[{"bucket":"#), "{json}");
        crate::distribution::tests::assert_valid(
            "keyed_fingerprint",
            &serde_json::from_str(&json).unwrap(),
        );
        let back: KeyedFingerprint = serde_json::from_str(&json).unwrap();
        assert_eq!(back, fingerprint);
        let upper = json.replace(
            &fingerprint.digest.to_string(),
            &fingerprint.digest.to_string().to_uppercase(),
        );
        assert!(serde_json::from_str::<KeyedFingerprint>(&upper).is_err());
    }
}
