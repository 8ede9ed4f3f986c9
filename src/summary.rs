//! What `labelcheck hash` records of a label column beside its positional fingerprint: the
//! block digests (so `verify` can name the 65,536-row blocks that changed), the distribution
//! of its values (so it can measure drift), and with `--key` the keyed fingerprint (so it can
//! check the labels whatever the rows' order and files). The check computes it from the
//! leading decoder's rows; a lock holds it only where every decoder agreed on every row.

use crate::distribution::DistributionBuilder;
use crate::keyed::KeyedBuilder;

/// What to compute besides the check (`labelcheck hash`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SummaryOptions {
    /// Key columns, as `--key` names them: with any, each label column gets a keyed
    /// fingerprint of its (key, label) pairs.
    pub key: Vec<String>,
}

/// A column's summary, from the leading decoder's rows.
#[derive(Debug, Clone, Default)]
pub struct ColumnSummary {
    /// The fingerprint's block digests, in hex, in block order (FINGERPRINT.md).
    pub blocks: Vec<String>,
    /// The distribution of its values, unfinished so that a lock can merge the files of a
    /// dataset; `None` when the leader did not decode every chunk.
    pub distribution: Option<DistributionBuilder>,
    /// The keyed fingerprint, unfinished likewise, with `--key`, for a column that is not itself a key.
    pub keyed: Option<KeyedBuilder>,
    /// Why the key columns could not be read beside it, when they could not.
    pub key_error: Option<String>,
    /// It is a key column: checked, not locked as a label.
    pub is_key: bool,
}
