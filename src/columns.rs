//! Which columns to check: named ones, all of them, or those whose names look like labels.

use crate::against::{dump_type, DumpType};
use crate::canonical::Canonical;
use crate::compare::CellStyle;
use crate::raw::metadata::{ConvertedType, LogicalType, Repetition};
use crate::raw::schema::LeafColumn;
use crate::report::Selection;
use crate::value::PhysicalType;

/// How the user asked for columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnChoice {
    /// `--columns a,b`: dotted paths, or a group's name for all leaves under it.
    Named(Vec<String>),
    /// `--all`.
    All,
    /// The default: label-like names, else everything.
    Labels,
}

/// One column chosen for checking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedColumn {
    /// Index among the file's leaf columns.
    pub leaf: usize,
    /// The name reports use: the dotted path, or a list's top-level name.
    pub name: String,
    /// Parquet physical type.
    pub physical: PhysicalType,
    /// A list column (one repeated level).
    pub list: bool,
    /// How its values are written in a `--against` dump.
    pub dump: DumpType,
    /// Logical or converted type, when there is one.
    pub logical_type: Option<String>,
    /// How to show its values.
    pub style: CellStyle,
    /// The form its values are compared and fingerprinted in.
    pub canonical: Canonical,
}

/// Names that mark a label column, compared case-insensitively with each path component.
const LABEL_NAMES: &[&str] = &[
    "label",
    "labels",
    "target",
    "targets",
    "y",
    "class",
    "ground_truth",
    "gt",
];
/// Name endings and beginnings that mark a label column.
const LABEL_SUFFIXES: &[&str] = &["_label", "_labels", "_target"];
const LABEL_PREFIXES: &[&str] = &["label_", "labels_", "target_"];

/// True when a column name looks like it holds labels.
pub fn looks_like_label(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    LABEL_NAMES.contains(&name.as_str())
        || LABEL_SUFFIXES.iter().any(|s| name.ends_with(s))
        || LABEL_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// An error choosing columns: a name that matches nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no column named {name:?} (columns: {available})")]
pub struct UnknownColumn {
    /// The name asked for.
    pub name: String,
    /// The file's column names, comma-separated.
    pub available: String,
}

/// Resolves `choice` against the file's leaf columns.
pub fn choose(
    leaves: &[LeafColumn],
    choice: &ColumnChoice,
) -> Result<(Vec<CheckedColumn>, Selection), UnknownColumn> {
    let checked = |leaf: &LeafColumn| checked(leaf, leaves);
    let report_name = |leaf: &LeafColumn| report_name(leaf, leaves);
    let all = || leaves.iter().map(checked).collect::<Vec<_>>();
    match choice {
        ColumnChoice::All => Ok((all(), Selection::All)),
        ColumnChoice::Labels => {
            let labels: Vec<_> = leaves
                .iter()
                .filter(|leaf| {
                    report_name_parts(leaf)
                        .iter()
                        .any(|part| looks_like_label(part))
                })
                .map(checked)
                .collect();
            if labels.is_empty() {
                Ok((all(), Selection::AllNoLabelFound))
            } else {
                Ok((labels, Selection::Labels))
            }
        }
        ColumnChoice::Named(names) => {
            let mut chosen: Vec<CheckedColumn> = Vec::new();
            for name in names {
                let matches: Vec<_> = leaves
                    .iter()
                    .filter(|leaf| {
                        let dotted = leaf.dotted_path();
                        let report = report_name(leaf);
                        dotted == *name
                            || report == *name
                            || dotted.starts_with(&format!("{name}."))
                    })
                    .collect();
                if matches.is_empty() {
                    return Err(UnknownColumn {
                        name: name.clone(),
                        available: leaves
                            .iter()
                            .map(report_name)
                            .collect::<Vec<_>>()
                            .join(", "),
                    });
                }
                for leaf in matches {
                    if !chosen.iter().any(|c| c.leaf == leaf.index) {
                        chosen.push(checked(leaf));
                    }
                }
            }
            Ok((chosen, Selection::Named))
        }
    }
}

fn checked(leaf: &LeafColumn, leaves: &[LeafColumn]) -> CheckedColumn {
    CheckedColumn {
        leaf: leaf.index,
        name: report_name(leaf, leaves),
        physical: leaf.physical_type,
        list: leaf.max_rep_level > 0,
        dump: dump_type(
            leaf.physical_type,
            style(leaf).unsigned,
            logical_name(leaf).as_deref(),
        ),
        logical_type: logical_name(leaf),
        style: style(leaf),
        canonical: canonical(leaf),
    }
}

fn logical_name(leaf: &LeafColumn) -> Option<String> {
    leaf.logical_type
        .as_ref()
        .map(|t| t.name())
        .or_else(|| leaf.converted_type.map(|t| t.to_string()))
}

fn canonical(leaf: &LeafColumn) -> Canonical {
    let decimal = matches!(leaf.logical_type, Some(LogicalType::Decimal { .. }))
        || matches!(leaf.converted_type, Some(ConvertedType::Decimal));
    match leaf.physical_type {
        PhysicalType::Int96 => Canonical::Int96Nanos,
        PhysicalType::ByteArray if decimal => Canonical::MinimalDecimal,
        _ => Canonical::Stored,
    }
}

/// Path components up to the list: `labels.list.element` is reported as `labels`, as the
/// label CSVs and users name it.
fn report_name_parts(leaf: &LeafColumn) -> Vec<String> {
    let mut parts = Vec::new();
    for node in &leaf.ancestors {
        parts.push(node.name.clone());
        let is_list = matches!(node.logical_type, Some(LogicalType::List))
            || matches!(node.converted_type, Some(ConvertedType::List));
        if is_list || node.repetition == Repetition::Repeated {
            return parts;
        }
    }
    parts.push(leaf.path.last().cloned().unwrap_or_default());
    parts
}

/// The name reports use for `leaf`: its list's name when that names it alone, else its
/// dotted path (a repeated group holding several fields is not one list).
pub fn report_name(leaf: &LeafColumn, leaves: &[LeafColumn]) -> String {
    let short = report_name_parts(leaf).join(".");
    let shared = leaves
        .iter()
        .filter(|other| report_name_parts(other).join(".") == short)
        .count();
    if shared > 1 {
        leaf.dotted_path()
    } else {
        short
    }
}

fn style(leaf: &LeafColumn) -> CellStyle {
    let text = matches!(
        leaf.logical_type,
        Some(LogicalType::String | LogicalType::Enum | LogicalType::Json)
    ) || matches!(
        leaf.converted_type,
        Some(ConvertedType::Utf8 | ConvertedType::Enum | ConvertedType::Json)
    );
    let unsigned = matches!(
        leaf.logical_type,
        Some(LogicalType::Integer {
            is_signed: false,
            ..
        })
    ) || matches!(
        leaf.converted_type,
        Some(
            ConvertedType::Uint8
                | ConvertedType::Uint16
                | ConvertedType::Uint32
                | ConvertedType::Uint64
        )
    );
    CellStyle { text, unsigned }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_names() {
        for name in [
            "label",
            "Label",
            "TARGET",
            "y",
            "gt",
            "is_fraud_label",
            "click_target",
            "label_i32",
        ] {
            assert!(looks_like_label(name), "{name}");
        }
        for name in ["id", "f000", "labeler", "yy", "score", "element"] {
            assert!(!looks_like_label(name), "{name}");
        }
    }
}
