//! STUB (lead's local stand-in until H1's module lands).
use serde::{Deserialize, Serialize};

use crate::columns::CheckedColumn;
use crate::value::ColumnSlice;

/// Stub.
#[derive(Debug, Clone)]
pub struct DistributionBuilder {
    values: u64,
}

impl DistributionBuilder {
    /// Stub.
    pub fn new(_column: &CheckedColumn) -> Self {
        Self { values: 0 }
    }
    /// Stub.
    pub fn observe(&mut self, slice: &ColumnSlice) {
        self.values += slice.rows as u64;
    }
    /// Stub.
    pub fn merge(&mut self, other: DistributionBuilder) {
        self.values += other.values;
    }
    /// Stub.
    pub fn finish(self) -> Distribution {
        Distribution {
            values: self.values,
        }
    }
}

/// Stub.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// Stub.
    pub values: u64,
}

/// Stub.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftMeasure {
    /// Stub.
    ClassTotalVariation,
}

/// Stub.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    /// Stub.
    pub measure: DriftMeasure,
    /// Stub.
    pub distance: f64,
}

/// Stub.
pub fn drift(old: &Distribution, new: &Distribution) -> Drift {
    Drift {
        measure: DriftMeasure::ClassTotalVariation,
        distance: if old == new { 0.0 } else { 1.0 },
    }
}
