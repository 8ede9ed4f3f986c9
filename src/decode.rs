//! The interface both decode paths implement, so the comparison sees neither decoder's
//! internals and a test can put a deliberately faulty decoder in either seat.

pub use crate::raw::column::{DecodedChunk, PageInfo};

/// Which decoder produced a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PathName {
    /// The `parquet` crate's arrow reader.
    Arrow,
    /// labelcheck's own page decoder.
    Raw,
    /// An external dump of the labels (`--against`).
    Against,
}

impl std::fmt::Display for PathName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Arrow => "arrow",
            Self::Raw => "raw",
            Self::Against => "against",
        })
    }
}

/// Why a decoder produced no values for a column chunk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Valid Parquet that this decoder does not read.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The bytes could not be decoded.
    #[error("{0}")]
    Failed(String),
}

impl DecodeError {
    /// True when the decoder lacks the feature, as opposed to failing on the bytes.
    pub fn is_unsupported(&self) -> bool {
        matches!(self, Self::Unsupported(_))
    }

    /// The message without the `unsupported:` prefix.
    pub fn detail(&self) -> &str {
        match self {
            Self::Unsupported(message) | Self::Failed(message) => message,
        }
    }
}

/// Decodes column chunks of one file: the seat each path (or a test's faulty stand-in) fills.
pub trait ColumnDecoder: Send + Sync {
    /// Which path this is.
    fn name(&self) -> PathName;

    /// Decodes leaf column `leaf` (its index among the file's leaf columns) in `row_group`.
    fn decode(&self, row_group: usize, leaf: usize) -> Result<DecodedChunk, DecodeError>;
}
