//! Which columns to check: named ones, all of them, or those whose names look like labels.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::against::{dump_type, DumpType};
use crate::canonical::Canonical;
use crate::compare::CellStyle;
use crate::diagnosis::IntegerAnnotation;
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
///
/// Builds a [`ColumnNames`] for the one call; a caller resolving many names against the same
/// file builds one and asks it, so the work stays linear in the column count.
pub fn choose(
    leaves: &[LeafColumn],
    choice: &ColumnChoice,
) -> Result<(Vec<CheckedColumn>, Selection), UnknownColumn> {
    ColumnNames::new(leaves).choose(choice)
}

/// The names of a file's leaf columns, computed once: the name reports use for each leaf, and
/// the indexes `--columns` names are looked up in.
///
/// A leaf's report name depends on every other leaf (a list's name stands for it only when no
/// other leaf shares it), so computing it leaf by leaf costs the square of the column count;
/// counting the short names first makes the whole linear, and a name is then looked up in
/// O(log n) plus the leaves it matches.
#[derive(Debug)]
pub struct ColumnNames<'a> {
    leaves: &'a [LeafColumn],
    /// Report name of each leaf, by position in `leaves`.
    report: Vec<String>,
    /// Built on the first lookup: choosing label-like or all columns never needs it.
    lookup: OnceLock<Lookup>,
}

/// The indexes a name is looked up in.
#[derive(Debug)]
struct Lookup {
    /// Every leaf's dotted path with its position, sorted by path: the leaves whose path
    /// starts with `name.` are then one contiguous run.
    sorted_paths: Vec<(String, usize)>,
    /// Positions of the leaves sorted by report name.
    by_report_name: Vec<usize>,
}

impl<'a> ColumnNames<'a> {
    /// Computes the names of `leaves` (in schema order, as [`leaf_columns`] returns them).
    ///
    /// [`leaf_columns`]: crate::raw::schema::leaf_columns
    pub fn new(leaves: &'a [LeafColumn]) -> Self {
        let short: Vec<String> = leaves
            .iter()
            .map(|leaf| report_name_parts(leaf).join("."))
            .collect();
        let shared: Vec<bool> = {
            let mut sharing: HashMap<&str, usize> = HashMap::with_capacity(short.len());
            for name in &short {
                *sharing.entry(name.as_str()).or_default() += 1;
            }
            short
                .iter()
                .map(|name| sharing[name.as_str()] > 1)
                .collect()
        };
        // A repeated group holding several fields is not one list: its leaves keep their
        // dotted paths.
        let report: Vec<String> = leaves
            .iter()
            .zip(short)
            .zip(shared)
            .map(|((leaf, short), shared)| if shared { leaf.dotted_path() } else { short })
            .collect();
        Self {
            leaves,
            report,
            lookup: OnceLock::new(),
        }
    }

    fn lookup(&self) -> &Lookup {
        self.lookup.get_or_init(|| {
            let mut by_report_name: Vec<usize> = (0..self.report.len()).collect();
            by_report_name.sort_unstable_by(|&a, &b| self.report[a].cmp(&self.report[b]));
            let mut sorted_paths: Vec<(String, usize)> = self
                .leaves
                .iter()
                .enumerate()
                .map(|(position, leaf)| (leaf.dotted_path(), position))
                .collect();
            sorted_paths.sort_unstable();
            Lookup {
                sorted_paths,
                by_report_name,
            }
        })
    }

    /// The name reports use for the leaf at `position`: its list's name when that names it
    /// alone, else its dotted path.
    pub fn report_name(&self, position: usize) -> &str {
        &self.report[position]
    }

    /// Positions of the leaves `name` selects, in schema order: the leaf whose dotted path or
    /// report name it is, or every leaf under the group whose dotted path it is.
    pub fn matches(&self, name: &str) -> Vec<usize> {
        let Lookup {
            sorted_paths,
            by_report_name,
        } = self.lookup();
        let first = by_report_name.partition_point(|&p| self.report[p].as_str() < name);
        let mut found: Vec<usize> = by_report_name[first..]
            .iter()
            .take_while(|&&p| self.report[p] == name)
            .copied()
            .collect();
        let first = sorted_paths.partition_point(|(path, _)| path.as_str() < name);
        found.extend(
            sorted_paths[first..]
                .iter()
                .take_while(|(path, _)| path == name)
                .map(|&(_, position)| position),
        );
        let group = format!("{name}.");
        let first = sorted_paths.partition_point(|(path, _)| path.as_str() < group.as_str());
        found.extend(
            sorted_paths[first..]
                .iter()
                .take_while(|(path, _)| path.starts_with(&group))
                .map(|&(_, position)| position),
        );
        found.sort_unstable();
        found.dedup();
        found
    }

    /// Resolves `choice` against the leaves.
    pub fn choose(
        &self,
        choice: &ColumnChoice,
    ) -> Result<(Vec<CheckedColumn>, Selection), UnknownColumn> {
        let all = || (0..self.leaves.len()).map(|p| self.checked(p)).collect();
        match choice {
            ColumnChoice::All => Ok((all(), Selection::All)),
            ColumnChoice::Labels => {
                let labels: Vec<_> = (0..self.leaves.len())
                    .filter(|&p| {
                        report_name_parts(&self.leaves[p])
                            .iter()
                            .any(|part| looks_like_label(part))
                    })
                    .map(|p| self.checked(p))
                    .collect();
                if labels.is_empty() {
                    Ok((all(), Selection::AllNoLabelFound))
                } else {
                    Ok((labels, Selection::Labels))
                }
            }
            ColumnChoice::Named(names) => {
                let mut chosen: Vec<CheckedColumn> = Vec::new();
                let mut taken = vec![false; self.leaves.len()];
                for name in names {
                    let matches = self.matches(name);
                    if matches.is_empty() {
                        return Err(UnknownColumn {
                            name: name.clone(),
                            available: self.report.join(", "),
                        });
                    }
                    for position in matches {
                        if !std::mem::replace(&mut taken[position], true) {
                            chosen.push(self.checked(position));
                        }
                    }
                }
                Ok((chosen, Selection::Named))
            }
        }
    }

    fn checked(&self, position: usize) -> CheckedColumn {
        let leaf = &self.leaves[position];
        CheckedColumn {
            leaf: leaf.index,
            name: self.report[position].clone(),
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
    CellStyle {
        text,
        unsigned,
        integer: integer_annotation(leaf),
    }
}

/// The annotation of an INT32 column that is narrower than its storage, if any.
fn integer_annotation(leaf: &LeafColumn) -> Option<IntegerAnnotation> {
    if leaf.physical_type != PhysicalType::Int32 {
        return None;
    }
    let (bits, signed) = match (&leaf.logical_type, leaf.converted_type) {
        (
            Some(LogicalType::Integer {
                bit_width,
                is_signed,
            }),
            _,
        ) => (u8::try_from(*bit_width).ok()?, *is_signed),
        (_, Some(ConvertedType::Int8)) => (8, true),
        (_, Some(ConvertedType::Int16)) => (16, true),
        (_, Some(ConvertedType::Uint8)) => (8, false),
        (_, Some(ConvertedType::Uint16)) => (16, false),
        _ => return None,
    };
    IntegerAnnotation::narrower_than_int32(bits, signed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::metadata::SchemaElement;
    use crate::raw::schema::leaf_columns;

    /// One schema node written as `(depth, name, repetition, kind)`, depth-first.
    #[derive(Clone)]
    enum Node {
        Group(Option<LogicalType>, Option<ConvertedType>),
        Leaf,
    }

    /// Builds leaf columns from `(depth, name, repetition, node)` rows under a root, the
    /// children counts worked out from the depths.
    fn leaves(rows: &[(usize, &str, Repetition, Node)]) -> Vec<LeafColumn> {
        let element = |name: &str, repetition: Option<Repetition>, node: &Node| SchemaElement {
            physical_type: matches!(node, Node::Leaf).then_some(PhysicalType::Int32),
            type_length: None,
            repetition,
            name: name.to_owned(),
            num_children: None,
            converted_type: match node {
                Node::Group(_, converted) => *converted,
                Node::Leaf => None,
            },
            scale: None,
            precision: None,
            field_id: None,
            logical_type: match node {
                Node::Group(logical, _) => logical.clone(),
                Node::Leaf => None,
            },
        };
        let mut schema = vec![element("schema", None, &GROUP)];
        schema[0].num_children = Some(0);
        let mut open = vec![0usize];
        for (depth, name, repetition, node) in rows {
            open.truncate(depth + 1);
            let parent = *open.last().expect("a parent");
            *schema[parent].num_children.get_or_insert(0) += 1;
            let mut node_element = element(name, Some(*repetition), node);
            if matches!(node, Node::Group(..)) {
                node_element.num_children = Some(0);
                open.push(schema.len());
            }
            schema.push(node_element);
        }
        leaf_columns(&schema).expect("a valid schema")
    }

    const LIST: Node = Node::Group(Some(LogicalType::List), None);
    const LEGACY_LIST: Node = Node::Group(None, Some(ConvertedType::List));
    const MAP: Node = Node::Group(Some(LogicalType::Map), None);
    const GROUP: Node = Node::Group(None, None);
    const LEAF: Node = Node::Leaf;
    use Repetition::{Optional, Repeated, Required};

    /// The schema of every tricky naming case at once: lists whose element is a leaf or a
    /// struct, a legacy list, a repeated group of several fields, a repeated leaf, a map,
    /// structs, two lists sharing a short name, leaves whose names hold dots, and duplicate
    /// names.
    fn tricky() -> Vec<LeafColumn> {
        leaves(&[
            (0, "id", Required, LEAF),
            (0, "labels", Optional, LIST),
            (1, "list", Repeated, GROUP),
            (2, "element", Optional, LEAF),
            (0, "items", Optional, LIST),
            (1, "list", Repeated, GROUP),
            (2, "element", Optional, GROUP),
            (3, "a", Optional, LEAF),
            (3, "b", Optional, LEAF),
            (0, "old_tags", Optional, LEGACY_LIST),
            (1, "array", Repeated, LEAF),
            (0, "points", Repeated, GROUP),
            (1, "x", Required, LEAF),
            (1, "y", Required, LEAF),
            (0, "ids", Repeated, LEAF),
            (0, "m", Optional, MAP),
            (1, "key_value", Repeated, GROUP),
            (2, "key", Required, LEAF),
            (2, "value", Optional, LEAF),
            (0, "s", Optional, GROUP),
            (1, "target", Optional, LEAF),
            (1, "inner", Optional, GROUP),
            (2, "class", Optional, LEAF),
            (1, "labels", Optional, LIST),
            (2, "list", Repeated, GROUP),
            (3, "element", Optional, LEAF),
            (0, "t", Optional, GROUP),
            (1, "labels", Optional, LIST),
            (2, "list", Repeated, GROUP),
            (3, "element", Optional, LEAF),
            (0, "s.labels", Optional, LEAF),
            (0, "a.b", Optional, LEAF),
            (0, "a", Optional, GROUP),
            (1, "b", Optional, LEAF),
            (0, "dup", Optional, LEAF),
            (0, "dup", Optional, LEAF),
            (0, "s.", Optional, LEAF),
            (0, "s-", Optional, LEAF),
        ])
    }

    /// The names as the first implementation computed them, leaf by leaf over all leaves:
    /// the oracle the linear computation must agree with.
    fn quadratic_report_name(leaf: &LeafColumn, leaves: &[LeafColumn]) -> String {
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

    /// The leaves `name` selected in the first implementation, in schema order.
    fn quadratic_matches(name: &str, leaves: &[LeafColumn]) -> Vec<usize> {
        leaves
            .iter()
            .filter(|leaf| {
                let dotted = leaf.dotted_path();
                dotted == name
                    || quadratic_report_name(leaf, leaves) == name
                    || dotted.starts_with(&format!("{name}."))
            })
            .map(|leaf| leaf.index)
            .collect()
    }

    #[test]
    fn report_names_in_tricky_schemas() {
        let leaves = tricky();
        let names = ColumnNames::new(&leaves);
        let got: Vec<&str> = (0..leaves.len()).map(|p| names.report_name(p)).collect();
        assert_eq!(
            got,
            [
                "id",
                "labels",
                "items.list.element.a",
                "items.list.element.b",
                "old_tags",
                "points.x",
                "points.y",
                "ids",
                "m.key_value.key",
                "m.key_value.value",
                "s.target",
                "s.inner.class",
                // The list `s.labels` shares its short name with the leaf named "s.labels".
                "s.labels.list.element",
                "t.labels",
                "s.labels",
                "a.b",
                "a.b",
                "dup",
                "dup",
                "s.",
                "s-",
            ]
        );
        for (position, leaf) in leaves.iter().enumerate() {
            assert_eq!(
                names.report_name(position),
                quadratic_report_name(leaf, &leaves)
            );
        }
    }

    #[test]
    fn named_columns_match_as_before() {
        let leaves = tricky();
        let names = ColumnNames::new(&leaves);
        let mut asked: Vec<String> = [
            "",
            ".",
            "s",
            "s.",
            "s.labels",
            "s.labels.list",
            "t",
            "t.labels",
            "labels",
            "items",
            "items.list",
            "items.list.element",
            "a",
            "a.b",
            "m",
            "m.key_value",
            "dup",
            "points",
            "points.x",
            "nope",
            "list",
            "element",
            "s-",
            "s.inner",
            "S",
        ]
        .map(String::from)
        .to_vec();
        asked.extend(leaves.iter().map(LeafColumn::dotted_path));
        for name in &asked {
            assert_eq!(
                names.matches(name),
                quadratic_matches(name, &leaves),
                "{name:?}"
            );
        }
    }

    #[test]
    fn choosing_keeps_order_and_drops_repeats() {
        let leaves = tricky();
        let named = |list: &[&str]| {
            choose(
                &leaves,
                &ColumnChoice::Named(list.iter().map(|s| s.to_string()).collect()),
            )
        };
        // "a" is the group `a` and the leaf named "a.b", whose dotted path starts with "a.".
        let (chosen, selection) = named(&["points.y", "points", "labels", "a"]).unwrap();
        assert_eq!(selection, Selection::Named);
        let chosen: Vec<(usize, &str)> = chosen.iter().map(|c| (c.leaf, c.name.as_str())).collect();
        assert_eq!(
            chosen,
            [
                (6, "points.y"),
                (5, "points.x"),
                (1, "labels"),
                (15, "a.b"),
                (16, "a.b")
            ]
        );
        let error = named(&["id", "nope"]).unwrap_err();
        assert_eq!(error.name, "nope");
        let all: Vec<String> = (0..leaves.len())
            .map(|p| quadratic_report_name(&leaves[p], &leaves))
            .collect();
        assert_eq!(error.available, all.join(", "));

        // Label names are matched per path component: the leaf named "s.labels" is not one.
        let (labels, selection) = choose(&leaves, &ColumnChoice::Labels).unwrap();
        assert_eq!(selection, Selection::Labels);
        let labels: Vec<&str> = labels.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            labels,
            [
                "labels",
                "s.target",
                "s.inner.class",
                "s.labels.list.element",
                "t.labels",
            ]
        );
    }

    #[test]
    fn many_columns_are_named_once() {
        // 20,000 columns took seconds leaf by leaf; with the names counted once, a test this
        // size is instant. Correctness only: speed is measured in docs/PERFORMANCE.md.
        let rows: Vec<(usize, String)> = (0..20_000)
            .map(|i| (0, format!("f{i}")))
            .chain([(0, "label".to_owned())])
            .collect();
        let rows: Vec<(usize, &str, Repetition, Node)> = rows
            .iter()
            .map(|(depth, name)| (*depth, name.as_str(), Required, Node::Leaf))
            .collect();
        let leaves = leaves(&rows);
        let names: Vec<String> = (0..1000).map(|i| format!("f{}", i * 20)).collect();
        let (chosen, _) = choose(&leaves, &ColumnChoice::Named(names.clone())).unwrap();
        let chosen: Vec<String> = chosen.into_iter().map(|c| c.name).collect();
        assert_eq!(chosen, names);
        let (labels, _) = choose(&leaves, &ColumnChoice::Labels).unwrap();
        assert_eq!(labels.len(), 1);
        assert_eq!(labels[0].leaf, 20_000);
    }

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
