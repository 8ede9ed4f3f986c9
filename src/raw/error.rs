//! Errors of the raw decoder, typed so the comparison can tell "unsupported" from "corrupt".

/// What went wrong while decoding bytes on the raw path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RawError {
    /// The bytes end before a structure or value that the file declares.
    #[error("unexpected end of data reading {what}: needed {needed} bytes, {available} available")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Bytes the read needed.
        needed: u64,
        /// Bytes that were left.
        available: u64,
    },
    /// The bytes do not follow the format.
    #[error("{0}")]
    Invalid(String),
    /// The bytes could not be read (an I/O error): nothing is known about them.
    #[error("{0}")]
    Read(String),
    /// The footer's Thrift does not parse: other readers are not handed it either, since the
    /// parquet crate's Thrift reader can spin on malformed lists (docs/RELIABILITY.md).
    #[error("footer: {0}")]
    MalformedFooter(String),
    /// The file declares more than a resource limit allows (docs/RELIABILITY.md, "Resource
    /// policy"): nothing is allocated for it, and the parquet crate is not handed it either.
    #[error("{0}")]
    BeyondLimit(String),
    /// The bytes are valid Parquet that this decoder does not read yet.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// A struct field's wire type is not the one the IDL gives it. Raised before any of the
    /// value is read, so [`CompactReader::read_struct`](super::thrift::CompactReader::read_struct)
    /// can skip the value as if the field were absent, as Apache Thrift's generated readers do.
    #[error("{what} (field {id}): expected {expected}, found {found}")]
    UnexpectedFieldType {
        /// The field, as `Struct.field`.
        what: &'static str,
        /// Its field id.
        id: i16,
        /// The IDL's type.
        expected: &'static str,
        /// The type on the wire.
        found: &'static str,
    },
}

impl RawError {
    /// A format violation described by `message`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(message.into())
    }

    /// A feature this decoder does not read yet.
    pub fn unsupported(feature: impl Into<String>) -> Self {
        Self::Unsupported(feature.into())
    }

    /// True for a feature this decoder does not read, as opposed to bad bytes.
    pub fn is_unsupported(&self) -> bool {
        matches!(self, Self::Unsupported(_))
    }
}

/// Result of raw decoding.
pub type RawResult<T> = Result<T, RawError>;
