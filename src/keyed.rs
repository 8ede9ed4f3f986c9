//! STUB (lead's local stand-in until H1's module lands).
use serde::{Deserialize, Serialize};

use crate::value::ColumnSlice;

/// Stub.
pub const BUCKETS: usize = 256;

/// Stub.
#[derive(Debug, Clone, Default)]
pub struct KeyedBuilder {
    rows: u64,
}

impl KeyedBuilder {
    /// Stub.
    pub fn new() -> Self {
        Self::default()
    }
    /// Stub.
    pub fn observe(&mut self, _keys: &[&ColumnSlice], label: &ColumnSlice) {
        self.rows += label.rows as u64;
    }
    /// Stub.
    pub fn merge(&mut self, other: &KeyedBuilder) {
        self.rows += other.rows;
    }
    /// Stub.
    pub fn finish(self) -> KeyedFingerprint {
        KeyedFingerprint {
            rows: self.rows,
            digest: String::new(),
            buckets: Vec::new(),
        }
    }
}

/// Stub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketDigest {
    /// Stub.
    pub bucket: usize,
    /// Stub.
    pub rows: u64,
    /// Stub.
    pub digest: String,
}

/// Stub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyedFingerprint {
    /// Stub.
    pub rows: u64,
    /// Stub.
    pub digest: String,
    /// Stub.
    pub buckets: Vec<BucketDigest>,
}

impl KeyedFingerprint {
    /// Stub.
    pub fn changed_buckets(&self, other: &Self) -> Vec<usize> {
        let _ = other;
        Vec::new()
    }
}

/// Stub.
pub fn bucket_of(key_row_bytes: &[u8]) -> usize {
    key_row_bytes.len() % BUCKETS
}
