//! Who wrote a document: labelcheck's name and version, as reports and locks record it.

use serde::{Deserialize, Serialize};

/// Who wrote a document (a report, a lock).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// Always `labelcheck`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

impl Default for Tool {
    fn default() -> Self {
        Self {
            name: "labelcheck".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}
