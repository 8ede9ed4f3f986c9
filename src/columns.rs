//! Which columns to check: named ones, all of them, or those whose names look like labels.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::canonical::Canonical;
use crate::column_type::{Annotation, CellStyle, DumpType};
use crate::format::{ConvertedType, LogicalType, Repetition};
use crate::raw::schema::{LeafColumn, SchemaNode};
use crate::spelling;
use crate::value::PhysicalType;

/// How the user asked for columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnChoice {
    /// `--columns a,b`: spelled paths ([`crate::spelling`]) or plain dotted ones, or a
    /// group's path for all leaves under it.
    Named(Vec<String>),
    /// `--all`.
    All,
    /// The default: label-like names, else everything.
    Labels,
    /// The columns of a lock (`labelcheck verify`), as reports spelled them: those the file
    /// has; a column it no longer has is the lock comparison's to report, not an error.
    Present(Vec<String>),
}

/// How the checked columns were chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    /// Named with `--columns`.
    Named,
    /// Every leaf column, asked for with `--all`.
    All,
    /// Columns whose names look like labels.
    Labels,
    /// No column looked like a label, so every leaf column.
    AllNoLabelFound,
}

/// One column chosen for checking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedColumn {
    /// Index among the file's leaf columns.
    pub leaf: usize,
    /// The name reports use: the path, or a list's top-level name, spelled as
    /// [`crate::spelling`] says.
    pub name: String,
    /// The path in the schema, one string per segment: the identity programs use.
    pub path: Vec<String>,
    /// Parquet physical type.
    pub physical: PhysicalType,
    /// Repeated levels above its values: 0 for a flat column, 1 for a list, more for lists
    /// of lists, lists inside structs inside lists, maps of lists.
    pub depth: usize,
    /// The names that place a difference inside a row, one per segment (FINGERPRINT.md,
    /// "Nested columns"), without the synthetic list and map levels: `objects`, `bbox`, ``
    /// for `objects.list.element.bbox.list.element`, so a position reads
    /// `objects[3].bbox[1]`. Empty for a flat column.
    pub pieces: Vec<String>,
    /// Its maximum definition level.
    pub max_def_level: u16,
    /// The definition level at which the innermost repeated node on its path (the leaf
    /// itself, if repeated) holds an occurrence; 0 when nothing on the path repeats. Level
    /// entries from it up to below the maximum are null element slots: the nulls a leaf's
    /// array holds, without the null or empty lists above it.
    pub element_def_level: u16,
    /// How its values are written in a `--against` dump.
    pub dump: DumpType,
    /// Its logical or converted type, when it has one: what its values mean.
    pub logical_type: Option<Annotation>,
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

/// A column name that does not name one column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ColumnNameError {
    /// It matches nothing.
    #[error("no column named {name:?} (columns: {available})")]
    Unknown {
        /// The name asked for.
        name: String,
        /// The file's column spellings, comma-separated.
        available: String,
    },
    /// It matches several leaves, or groups, that share a name.
    #[error("{name:?} names {} columns: {}; give one of these spellings", spellings.len(), spellings.join(", "))]
    Ambiguous {
        /// The name asked for.
        name: String,
        /// The spellings of the leaves it matches.
        spellings: Vec<String>,
    },
}

/// Resolves `choice` against the file's leaf columns.
///
/// Builds a [`ColumnNames`] for the one call; a caller resolving many names against the same
/// file builds one and asks it, so the work stays linear in the column count.
pub fn choose(
    leaves: &[LeafColumn],
    choice: &ColumnChoice,
) -> Result<(Vec<CheckedColumn>, Selection), ColumnNameError> {
    ColumnNames::new(leaves).choose(choice)
}

/// The names of a file's leaf columns, computed once: the spelling reports use for each leaf
/// ([`crate::spelling`]), and the indexes names are looked up in.
///
/// A leaf's report name depends on every other leaf (a list's name stands for it only when no
/// other leaf shares it; a `#N` only when another leaf spells the same), so computing it leaf
/// by leaf costs the square of the column count; counting the names first makes the whole
/// linear, and a name is then looked up in O(log n) plus the leaves it matches.
#[derive(Debug)]
pub struct ColumnNames<'a> {
    leaves: &'a [LeafColumn],
    /// Segments of each leaf's report name: its list's path, or its whole path.
    segments: Vec<Vec<String>>,
    /// Each leaf's `#N`, when another leaf's segments are the same.
    occurrence: Vec<Option<usize>>,
    /// Each leaf's short form: its path without the synthetic levels of LIST and MAP groups
    /// ([`short_form`]).
    short: Vec<Vec<String>>,
    /// Report name of each leaf, by position in `leaves`: unique within the file.
    report: Vec<String>,
    /// Built on the first lookup: choosing label-like or all columns never needs it.
    lookup: OnceLock<Lookup>,
    /// Per group (by schema element), how many fields it has ([`group_fields`]): short forms
    /// need it for every leaf.
    fields: HashMap<usize, usize>,
}

/// The indexes a name is looked up in.
#[derive(Debug)]
struct Lookup {
    /// Positions sorted by report segments and occurrence.
    by_spelling: Vec<usize>,
    /// Positions sorted by schema path: the leaves whose path starts with some segments are
    /// then one contiguous run.
    by_path: Vec<usize>,
    /// Each leaf's path, report segments and short form joined with plain dots, with its
    /// position, sorted: a name that is not a spelling is looked up here.
    plain: Vec<(String, usize)>,
    /// Positions sorted by short form: the leaves whose short form starts with some segments
    /// are then one contiguous run.
    by_short: Vec<usize>,
}

/// What a name finds among the leaves.
enum Found {
    /// These leaves, in schema order: one, or a group's.
    Leaves(Vec<usize>),
    /// Leaves of several nodes that share the name.
    Ambiguous(Vec<usize>),
    Nothing,
}

/// One node of the schema a name can stand for: a group, or a leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Node {
    Group(usize),
    Leaf(usize),
}

impl<'a> ColumnNames<'a> {
    /// Computes the names of `leaves` (in schema order, as [`leaf_columns`] returns them).
    ///
    /// [`leaf_columns`]: crate::raw::schema::leaf_columns
    pub fn new(leaves: &'a [LeafColumn]) -> Self {
        let fields = group_fields(leaves);
        let fields_of = |group: usize| fields.get(&group).copied().unwrap_or(1);
        let short: Vec<Vec<String>> = leaves
            .iter()
            .map(|leaf| short_form(leaf, fields_of))
            .collect();
        let parts: Vec<Vec<String>> = leaves
            .iter()
            .zip(&short)
            .map(|(leaf, short)| report_name_parts(leaf, short))
            .collect();
        let parts_shared = shared(&parts);
        // A repeated group holding several fields is not one list: its leaves keep their
        // paths.
        let segments: Vec<Vec<String>> = leaves
            .iter()
            .zip(parts)
            .zip(parts_shared)
            .map(|((leaf, parts), shared)| if shared { leaf.path.clone() } else { parts })
            .collect();
        let mut seen: HashMap<&[String], usize> = HashMap::new();
        let occurrence: Vec<Option<usize>> = segments
            .iter()
            .zip(shared(&segments))
            .map(|(segments, shared)| {
                let count = seen.entry(segments.as_slice()).or_default();
                *count += 1;
                shared.then_some(*count)
            })
            .collect();
        let report = segments
            .iter()
            .zip(&occurrence)
            .map(|(segments, &occurrence)| spelling::spell(segments, occurrence))
            .collect();
        Self {
            leaves,
            segments,
            occurrence,
            short,
            report,
            lookup: OnceLock::new(),
            fields,
        }
    }

    /// Number of fields of the group at schema element `group`.
    fn fields_of(&self, group: usize) -> usize {
        self.fields.get(&group).copied().unwrap_or(1)
    }

    fn lookup(&self) -> &Lookup {
        self.lookup.get_or_init(|| {
            let mut by_spelling: Vec<usize> = (0..self.leaves.len()).collect();
            by_spelling.sort_unstable_by(|&a, &b| {
                (&self.segments[a], self.occurrence[a])
                    .cmp(&(&self.segments[b], self.occurrence[b]))
            });
            let mut by_path: Vec<usize> = (0..self.leaves.len()).collect();
            by_path.sort_by(|&a, &b| self.leaves[a].path.cmp(&self.leaves[b].path));
            let mut plain: Vec<(String, usize)> = Vec::with_capacity(self.leaves.len());
            for (position, leaf) in self.leaves.iter().enumerate() {
                plain.push((leaf.dotted_path(), position));
                if self.segments[position] != leaf.path {
                    plain.push((self.segments[position].join("."), position));
                }
                if self.short[position] != leaf.path {
                    plain.push((self.short[position].join("."), position));
                }
            }
            plain.sort_unstable();
            plain.dedup();
            let mut by_short: Vec<usize> = (0..self.leaves.len()).collect();
            by_short.sort_by(|&a, &b| self.short[a].cmp(&self.short[b]));
            Lookup {
                by_spelling,
                by_path,
                plain,
                by_short,
            }
        })
    }

    /// The name reports use for the leaf at `position`: its list's name when that names it
    /// alone, else its path; spelled as [`crate::spelling`] says.
    pub fn report_name(&self, position: usize) -> &str {
        &self.report[position]
    }

    /// Positions of the leaves `name` selects, in schema order.
    ///
    /// `name` is read as a spelling first: a leaf's report name (quoting optional where it is
    /// not needed), or the path of a leaf or of a group, which selects every leaf under it;
    /// else a short form ([`short_form`]: `objects.category` for
    /// `objects.list.element.category`), which must lead to one leaf. A name that is not a
    /// spelling, or that a spelling finds nothing for, is then taken as it is, as the plain
    /// dotted path, list name or short form of a leaf. A name that fits several leaves or
    /// groups of the same name, or a short form that leads to several leaves, is ambiguous.
    pub fn resolve(&self, name: &str) -> Result<Vec<usize>, ColumnNameError> {
        match self.find(name) {
            Found::Leaves(positions) => Ok(positions),
            Found::Ambiguous(positions) => Err(self.ambiguous(name, positions)),
            // Listing the columns costs their total length: only for an error that is shown.
            Found::Nothing => Err(ColumnNameError::Unknown {
                name: name.to_owned(),
                available: self.report.join(", "),
            }),
        }
    }

    /// The one leaf `name` names; `Ok(None)` when it names none, an error when it names
    /// several (a group's leaves, or leaves of one name).
    pub fn resolve_leaf(&self, name: &str) -> Result<Option<usize>, ColumnNameError> {
        match self.find(name) {
            Found::Leaves(positions) if positions.len() == 1 => Ok(Some(positions[0])),
            Found::Leaves(positions) | Found::Ambiguous(positions) => {
                Err(self.ambiguous(name, positions))
            }
            Found::Nothing => Ok(None),
        }
    }

    fn find(&self, name: &str) -> Found {
        let Lookup {
            by_spelling,
            by_path,
            plain,
            by_short,
        } = self.lookup();
        if let Some(spelled) = spelling::parse(name) {
            let key = (&spelled.segments, spelled.occurrence);
            let first =
                by_spelling.partition_point(|&p| (&self.segments[p], self.occurrence[p]) < key);
            if let Some(&position) = by_spelling
                .get(first)
                .filter(|&&p| (&self.segments[p], self.occurrence[p]) == key)
            {
                return Found::Leaves(vec![position]);
            }
            if spelled.occurrence.is_none() {
                let wanted = spelled.segments.as_slice();
                let first = by_path.partition_point(|&p| self.leaves[p].path.as_slice() < wanted);
                let mut under: Vec<usize> = by_path[first..]
                    .iter()
                    .take_while(|&&p| self.leaves[p].path.starts_with(wanted))
                    .copied()
                    .collect();
                if !under.is_empty() {
                    under.sort_unstable();
                    let depth = wanted.len();
                    // Groups of one name are told apart by their schema element.
                    let node = |p: usize| {
                        let leaf = &self.leaves[p];
                        if depth < leaf.path.len() {
                            Node::Group(leaf.ancestors[depth - 1].element)
                        } else {
                            Node::Leaf(p)
                        }
                    };
                    let one_node = under.iter().all(|&p| node(p) == node(under[0]));
                    return if one_node {
                        Found::Leaves(under)
                    } else {
                        Found::Ambiguous(under)
                    };
                }
                // A group's path won above; a short form names one leaf, or is refused.
                let first = by_short.partition_point(|&p| self.short[p].as_slice() < wanted);
                let mut shortened: Vec<usize> = by_short[first..]
                    .iter()
                    .take_while(|&&p| self.short[p].starts_with(wanted))
                    .copied()
                    .collect();
                shortened.sort_unstable();
                match shortened.len() {
                    0 => {}
                    1 => return Found::Leaves(shortened),
                    _ => return Found::Ambiguous(shortened),
                }
            }
        }
        let first = plain.partition_point(|(text, _)| text.as_str() < name);
        let mut found: Vec<usize> = plain[first..]
            .iter()
            .take_while(|(text, _)| text == name)
            .map(|&(_, position)| position)
            .collect();
        found.sort_unstable();
        found.dedup();
        match found.len() {
            0 => Found::Nothing,
            1 => Found::Leaves(found),
            _ => Found::Ambiguous(found),
        }
    }

    fn ambiguous(&self, name: &str, positions: Vec<usize>) -> ColumnNameError {
        ColumnNameError::Ambiguous {
            name: name.to_owned(),
            spellings: positions
                .into_iter()
                .map(|p| self.report[p].clone())
                .collect(),
        }
    }

    /// Resolves `choice` against the leaves.
    pub fn choose(
        &self,
        choice: &ColumnChoice,
    ) -> Result<(Vec<CheckedColumn>, Selection), ColumnNameError> {
        let all = || (0..self.leaves.len()).map(|p| self.checked(p)).collect();
        match choice {
            ColumnChoice::All => Ok((all(), Selection::All)),
            ColumnChoice::Labels => {
                // By the short form, so that the synthetic `list`/`element`/`key_value` levels
                // neither hide a label name nor stand for one: `objects.category` is no label,
                // `objects.class` is one.
                let labels: Vec<_> = (0..self.leaves.len())
                    .filter(|&p| self.short[p].iter().any(|part| looks_like_label(part)))
                    .map(|p| self.checked(p))
                    .collect();
                if labels.is_empty() {
                    Ok((all(), Selection::AllNoLabelFound))
                } else {
                    Ok((labels, Selection::Labels))
                }
            }
            ColumnChoice::Named(names) | ColumnChoice::Present(names) => {
                let lenient = matches!(choice, ColumnChoice::Present(_));
                let mut chosen: Vec<CheckedColumn> = Vec::new();
                let mut taken = vec![false; self.leaves.len()];
                for name in names {
                    let positions = match self.resolve(name) {
                        Err(ColumnNameError::Unknown { .. }) if lenient => Vec::new(),
                        resolved => resolved?,
                    };
                    for position in positions {
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
        let annotation = Annotation::of(leaf.logical_type.as_ref(), leaf.converted_type);
        CheckedColumn {
            leaf: leaf.index,
            name: self.report[position].clone(),
            path: leaf.path.clone(),
            physical: leaf.physical_type,
            depth: usize::from(leaf.max_rep_level),
            pieces: if leaf.max_rep_level > 0 {
                position_pieces(leaf, |group| self.fields_of(group))
            } else {
                Vec::new()
            },
            max_def_level: leaf.max_def_level,
            element_def_level: element_def_level(leaf),
            dump: DumpType::of(leaf.physical_type, annotation.as_ref()),
            style: CellStyle::of(leaf.physical_type, annotation.as_ref()),
            canonical: canonical(leaf, annotation.as_ref()),
            logical_type: annotation,
        }
    }
}

/// [`CheckedColumn::element_def_level`] of `leaf`: the levels counted down to its innermost
/// repeated node (format README, "Nested Encoding": OPTIONAL and REPEATED nodes each add one).
fn element_def_level(leaf: &LeafColumn) -> u16 {
    let repetitions = leaf
        .ancestors
        .iter()
        .map(|node| node.repetition)
        .chain([leaf.repetition]);
    let (mut level, mut element) = (0u16, 0u16);
    for repetition in repetitions {
        match repetition {
            Repetition::Optional => level += 1,
            Repetition::Repeated => {
                level += 1;
                element = level;
            }
            _ => {}
        }
    }
    element
}

/// Which of `names` another one equals.
fn shared(names: &[Vec<String>]) -> Vec<bool> {
    let mut sharing: HashMap<&[String], usize> = HashMap::with_capacity(names.len());
    for name in names {
        *sharing.entry(name.as_slice()).or_default() += 1;
    }
    names
        .iter()
        .map(|name| sharing[name.as_slice()] > 1)
        .collect()
}

/// The form a leaf's values are compared and fingerprinted in.
fn canonical(leaf: &LeafColumn, annotation: Option<&Annotation>) -> Canonical {
    let decimal = annotation.is_some_and(Annotation::is_decimal);
    let interval = annotation.is_some_and(Annotation::is_interval);
    match leaf.physical_type {
        PhysicalType::Int96 => Canonical::Int96Nanos,
        PhysicalType::ByteArray if decimal => Canonical::MinimalDecimal,
        PhysicalType::FixedLenByteArray if interval && leaf.type_length == Some(12) => {
            Canonical::IntervalWithoutMonths
        }
        _ => Canonical::Stored,
    }
}

/// True for a LIST-annotated group (LogicalTypes.md, "Lists").
fn is_list_group(node: &SchemaNode) -> bool {
    Annotation::of(node.logical_type.as_ref(), node.converted_type)
        .as_ref()
        .is_some_and(Annotation::is_list)
}

/// True for a MAP-annotated group, or a legacy MAP_KEY_VALUE one (LogicalTypes.md, "Maps").
fn is_map_group(node: &SchemaNode) -> bool {
    matches!(node.logical_type, Some(LogicalType::Map))
        || matches!(
            node.converted_type,
            Some(ConvertedType::Map | ConvertedType::MapKeyValue)
        )
}

/// Which nodes of `leaf`'s path (its groups, then the leaf) are the synthetic levels of a
/// list or map: a LIST group's repeated child and, in the three-level form, the element
/// below it; a MAP group's repeated `key_value` child. Which form a list has follows the
/// backward-compatibility rules of LogicalTypes.md ("Lists"): its repeated child is itself
/// the element when it is a primitive, a group of several fields, is named `array` or
/// `<list name>_tuple`, or is itself a list or map. `fields(element)` counts a group's
/// fields.
pub fn synthetic_nodes(leaf: &LeafColumn, fields: impl Fn(usize) -> usize) -> Vec<bool> {
    let groups = &leaf.ancestors;
    let nodes = groups.len() + 1;
    let mut synthetic = vec![false; nodes];
    for (depth, parent) in groups.iter().enumerate() {
        let child = depth + 1;
        let repeated = match groups.get(child) {
            Some(node) => node.repetition == Repetition::Repeated,
            None => leaf.repetition == Repetition::Repeated,
        };
        if !repeated {
            continue;
        }
        if is_map_group(parent) && groups.get(child).is_some() {
            synthetic[child] = true;
        } else if is_list_group(parent) {
            synthetic[child] = true;
            let element_itself = match groups.get(child) {
                None => true,
                Some(node) => {
                    fields(node.element) > 1
                        || node.name == "array"
                        || node.name == format!("{}_tuple", parent.name)
                        || is_list_group(node)
                        || is_map_group(node)
                }
            };
            if !element_itself && child + 1 < nodes {
                synthetic[child + 1] = true;
            }
        }
    }
    synthetic
}

/// The names that place a difference inside a row of `leaf` ([`CheckedColumn::pieces`]):
/// the path's real names, split at its repeated nodes; a repeated node that is a real field
/// (not a list's or map's synthetic level) ends its piece.
fn position_pieces(leaf: &LeafColumn, fields: impl Fn(usize) -> usize) -> Vec<String> {
    let synthetic = synthetic_nodes(leaf, fields);
    let mut pieces = vec![String::new()];
    let repetitions = leaf
        .ancestors
        .iter()
        .map(|node| node.repetition)
        .chain([leaf.repetition]);
    for ((name, repetition), synthetic) in leaf.path.iter().zip(repetitions).zip(synthetic) {
        let piece = pieces.last_mut().expect("one piece at least");
        if !synthetic {
            if !piece.is_empty() {
                piece.push('.');
            }
            piece.push_str(name);
        }
        if repetition == Repetition::Repeated {
            pieces.push(String::new());
        }
    }
    pieces
}

/// The segments of a leaf's report name before any `#N`: a nested leaf's whole path
/// ([`is_nested`]); else, as version 1 named them, the path segments up to the list
/// (`labels.list.element` is reported as `labels`, as the label CSVs and users name it).
/// `short` is the leaf's [`short_form`].
fn report_name_parts(leaf: &LeafColumn, short: &[String]) -> Vec<String> {
    if is_nested(leaf, short) {
        return leaf.path.clone();
    }
    let mut parts = Vec::new();
    for node in &leaf.ancestors {
        parts.push(node.name.clone());
        if is_list_group(node) || node.repetition == Repetition::Repeated {
            return parts;
        }
    }
    parts.push(leaf.path.last().cloned().unwrap_or_default());
    parts
}

/// A nested leaf (../shared/corpus/writers/README.md, "Nested leaves"): every leaf under a
/// repeated level but a top-level list of a primitive with one repeated level, whose short
/// form is its list's name alone (`labels_multi`, a legacy 2-level list, a bare repeated
/// primitive). So a leaf under two repeated levels, under a map, in a list of structs or in
/// a list inside a struct is nested. Reports name it by its path, which names exactly one
/// leaf whatever the nesting; the others keep their version-1 names.
fn is_nested(leaf: &LeafColumn, short: &[String]) -> bool {
    match leaf.max_rep_level {
        0 => false,
        1 => short.len() > 1 || leaf.ancestors.iter().any(is_map_group),
        _ => true,
    }
}

/// How many fields each group has, by schema element: leaves under one group are contiguous,
/// so a group's fields are the changes of the name below it along the leaves.
fn group_fields(leaves: &[LeafColumn]) -> HashMap<usize, usize> {
    let mut fields: HashMap<usize, usize> = HashMap::new();
    let mut last: Vec<Option<(usize, &str)>> = Vec::new();
    for leaf in leaves {
        last.resize(leaf.ancestors.len().max(last.len()), None);
        for (depth, node) in leaf.ancestors.iter().enumerate() {
            let child = leaf.path[depth + 1].as_str();
            if last[depth] != Some((node.element, child)) {
                *fields.entry(node.element).or_default() += 1;
                last[depth] = Some((node.element, child));
            }
        }
    }
    fields
}

/// A leaf's short form (../shared/FINGERPRINT.md, "Naming a leaf"): its path without the
/// synthetic levels of lists and maps ([`synthetic_nodes`]), the same for every writer:
/// `objects.category` for `objects.list.element.category`, `polys` for
/// `polys.list.element.list.element`.
fn short_form(leaf: &LeafColumn, fields: impl Fn(usize) -> usize) -> Vec<String> {
    leaf.path
        .iter()
        .zip(synthetic_nodes(leaf, fields))
        .filter(|&(_, synthetic)| !synthetic)
        .map(|(segment, _)| segment.clone())
        .collect()
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

    /// The report name of `leaf` computed leaf by leaf over all leaves, as the rules say it:
    /// the oracle the linear computation must agree with.
    fn quadratic_report_name(leaf: &LeafColumn, leaves: &[LeafColumn]) -> String {
        let fields = group_fields(leaves);
        let fields_of = |group: usize| fields.get(&group).copied().unwrap_or(1);
        let parts = |leaf: &LeafColumn| report_name_parts(leaf, &short_form(leaf, fields_of));
        let segments = |leaf: &LeafColumn| {
            let short = parts(leaf);
            let shared = leaves.iter().filter(|other| parts(other) == short).count();
            if shared > 1 {
                leaf.path.clone()
            } else {
                short
            }
        };
        let mine = segments(leaf);
        let alike: Vec<usize> = leaves
            .iter()
            .filter(|other| segments(other) == mine)
            .map(|other| other.index)
            .collect();
        let occurrence =
            (alike.len() > 1).then(|| alike.iter().position(|&i| i == leaf.index).unwrap() + 1);
        spelling::spell(&mine, occurrence)
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
                // A list inside a struct is nested: named by its path, and the top-level leaf
                // named "s.labels" is spelled apart from it.
                "s.labels.list.element",
                "t.labels.list.element",
                "\"s.labels\"",
                "\"a.b\"",
                "a.b",
                "dup#1",
                "dup#2",
                "\"s.\"",
                "s-",
            ]
        );
        for (position, leaf) in leaves.iter().enumerate() {
            assert_eq!(
                names.report_name(position),
                quadratic_report_name(leaf, &leaves)
            );
        }
        // Every report name selects its leaf alone.
        for position in 0..leaves.len() {
            assert_eq!(
                names.resolve(names.report_name(position)),
                Ok(vec![position])
            );
        }
    }

    #[test]
    fn lists_sharing_a_name_are_spelled_by_path_and_occurrence() {
        let leaves = leaves(&[
            (0, "labels", Optional, LIST),
            (1, "list", Repeated, GROUP),
            (2, "element", Optional, LEAF),
            (0, "labels", Optional, LIST),
            (1, "list", Repeated, GROUP),
            (2, "element", Optional, LEAF),
        ]);
        let names = ColumnNames::new(&leaves);
        assert_eq!(names.report_name(0), "labels.list.element#1");
        assert_eq!(names.report_name(1), "labels.list.element#2");
        assert_eq!(names.resolve("labels.list.element#2"), Ok(vec![1]));
        // Two groups of one name: the name is ambiguous, not both.
        for name in ["labels", "labels.list.element"] {
            assert_eq!(
                names.resolve(name),
                Err(ColumnNameError::Ambiguous {
                    name: name.into(),
                    spellings: vec![
                        "labels.list.element#1".into(),
                        "labels.list.element#2".into()
                    ],
                })
            );
        }
    }

    #[test]
    fn names_resolve_by_spelling_then_as_plain_text() {
        let leaves = tricky();
        let names = ColumnNames::new(&leaves);
        let resolve = |name: &str| names.resolve(name);
        let ambiguous = |name: &str, spellings: &[&str]| {
            Err(ColumnNameError::Ambiguous {
                name: name.into(),
                spellings: spellings.iter().map(|s| s.to_string()).collect(),
            })
        };
        // Groups select the leaves under them, by segment, not by text.
        assert_eq!(resolve("s"), Ok(vec![10, 11, 12]));
        assert_eq!(resolve("a"), Ok(vec![16]));
        assert_eq!(resolve("items"), Ok(vec![2, 3]));
        assert_eq!(resolve("items.list.element"), Ok(vec![2, 3]));
        assert_eq!(resolve("m"), Ok(vec![8, 9]));
        assert_eq!(resolve("points"), Ok(vec![5, 6]));
        // A list by its name or its path; quotes where none are needed are fine.
        assert_eq!(resolve("labels"), Ok(vec![1]));
        assert_eq!(resolve("labels.list.element"), Ok(vec![1]));
        assert_eq!(resolve("\"labels\".list.\"element\""), Ok(vec![1]));
        // The spelling wins over the plain reading: `a.b` is the struct's field.
        assert_eq!(resolve("a.b"), Ok(vec![16]));
        assert_eq!(resolve("\"a.b\""), Ok(vec![15]));
        assert_eq!(resolve("s.labels"), Ok(vec![12]));
        assert_eq!(resolve("\"s.labels\""), Ok(vec![14]));
        // Not a spelling (an empty unquoted segment): taken as plain text.
        assert_eq!(resolve("s."), Ok(vec![19]));
        assert_eq!(resolve("\"s.\""), Ok(vec![19]));
        // Duplicates: by occurrence, or ambiguous.
        assert_eq!(resolve("dup#2"), Ok(vec![18]));
        assert_eq!(resolve("dup"), ambiguous("dup", &["dup#1", "dup#2"]));
        for unknown in [
            "dup#3", "", ".", "nope", "list", "element", "S", "s.nope", "id#1",
        ] {
            assert!(
                matches!(resolve(unknown), Err(ColumnNameError::Unknown { .. })),
                "{unknown:?}"
            );
        }
        assert_eq!(names.resolve_leaf("s.inner"), Ok(Some(11)));
        assert_eq!(names.resolve_leaf("nope"), Ok(None));
        assert_eq!(
            names.resolve_leaf("points").map(|_| vec![]),
            ambiguous("points", &["points.x", "points.y"])
        );
        assert_eq!(
            names.resolve_leaf("dup").map(|_| vec![]),
            ambiguous("dup", &["dup#1", "dup#2"])
        );
    }

    #[test]
    fn plain_names_with_dots() {
        // A top-level name with a dot, read from a real file, and a leaf whose plain dotted
        // path is another leaf's too.
        let leaves = leaves(&[
            (0, "Preorder FP equi.", Optional, LEAF),
            (0, "x.y", Optional, LEAF),
            (0, "x", Optional, GROUP),
            (1, "y", Optional, LEAF),
            (0, "p.q", Optional, LEAF),
        ]);
        let names = ColumnNames::new(&leaves);
        assert_eq!(names.report_name(0), "\"Preorder FP equi.\"");
        assert_eq!(names.resolve("Preorder FP equi."), Ok(vec![0]));
        assert_eq!(names.resolve("\"Preorder FP equi.\""), Ok(vec![0]));
        // `p.q` as a spelling finds nothing, as plain text one leaf.
        assert_eq!(names.resolve("p.q"), Ok(vec![3]));
        assert_eq!(names.resolve("x.y"), Ok(vec![2]));
        assert_eq!(names.resolve("\"x.y\""), Ok(vec![1]));
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
        let (chosen, selection) =
            named(&["points.y", "points", "labels", "a", "\"a.b\"", "dup#1"]).unwrap();
        assert_eq!(selection, Selection::Named);
        let chosen: Vec<(usize, &str, Vec<&str>)> = chosen
            .iter()
            .map(|c| {
                (
                    c.leaf,
                    c.name.as_str(),
                    c.path.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            chosen,
            [
                (6, "points.y", vec!["points", "y"]),
                (5, "points.x", vec!["points", "x"]),
                (1, "labels", vec!["labels", "list", "element"]),
                (16, "a.b", vec!["a", "b"]),
                (15, "\"a.b\"", vec!["a.b"]),
                (17, "dup#1", vec!["dup"]),
            ]
        );
        let error = named(&["id", "nope"]).unwrap_err();
        let all: Vec<String> = (0..leaves.len())
            .map(|p| quadratic_report_name(&leaves[p], &leaves))
            .collect();
        assert_eq!(
            error,
            ColumnNameError::Unknown {
                name: "nope".into(),
                available: all.join(", ")
            }
        );
        assert!(matches!(
            named(&["id", "dup"]),
            Err(ColumnNameError::Ambiguous { .. })
        ));

        // Label names are matched per path component: the leaf named "s.labels" is not one.
        let (labels, selection) = choose(&leaves, &ColumnChoice::Labels).unwrap();
        assert_eq!(selection, Selection::Labels);
        let labels: Vec<&str> = labels.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            labels,
            [
                "labels",
                // A field of a repeated group is named by its short form's parts, as a
                // struct's field is: `y` is a label name.
                "points.y",
                "s.target",
                "s.inner.class",
                "s.labels.list.element",
                "t.labels.list.element",
            ]
        );
    }

    /// Nested shapes: detection objects (a list of structs holding a list), HF-style structs
    /// of lists, a list of lists, a map, 2-level lists by each backward-compatibility rule,
    /// and a struct inside a list whose short form leads to two leaves.
    fn nested() -> Vec<LeafColumn> {
        leaves(&[
            (0, "objects", Optional, LIST),
            (1, "list", Repeated, GROUP),
            (2, "element", Optional, GROUP),
            (3, "category", Optional, LEAF),
            (3, "bbox", Optional, LIST),
            (4, "list", Repeated, GROUP),
            (5, "element", Optional, LEAF),
            (3, "class", Optional, LEAF),
            (3, "meta", Optional, GROUP),
            (4, "a", Optional, LEAF),
            (4, "b", Optional, LEAF),
            (0, "hf", Optional, GROUP),
            (1, "category", Optional, LIST),
            (2, "list", Repeated, GROUP),
            (3, "element", Optional, LEAF),
            (0, "polys", Optional, LIST),
            (1, "list", Repeated, GROUP),
            (2, "element", Optional, LIST),
            (3, "list", Repeated, GROUP),
            (4, "element", Optional, LEAF),
            (0, "scores", Optional, MAP),
            (1, "key_value", Repeated, GROUP),
            (2, "key", Required, LEAF),
            (2, "value", Optional, LEAF),
            // 2-level: the repeated group is the element when named `array`, when its name
            // ends in `_tuple`, when it has several fields, or when it is a LIST itself.
            (0, "arr", Optional, LIST),
            (1, "array", Repeated, GROUP),
            (2, "x", Optional, LEAF),
            (0, "tup", Optional, LEGACY_LIST),
            (1, "tup_tuple", Repeated, GROUP),
            (2, "x", Optional, LEAF),
            (0, "pairs", Optional, LIST),
            (1, "bag", Repeated, GROUP),
            (2, "x", Optional, LEAF),
            (2, "z", Optional, LEAF),
            (0, "ll", Optional, LIST),
            (1, "inner", Repeated, LIST),
            (2, "array", Repeated, LEAF),
            // A repeated group that is no LIST's child is a real field.
            (0, "rows", Optional, GROUP),
            (1, "row", Repeated, GROUP),
            (2, "list", Repeated, GROUP),
            (3, "v", Optional, LEAF),
            (0, "labels", Optional, LIST),
            (1, "list", Repeated, GROUP),
            (2, "element", Optional, LEAF),
        ])
    }

    #[test]
    fn nested_leaves_are_named_by_path_and_found_by_short_form() {
        let leaves = nested();
        let names = ColumnNames::new(&leaves);
        // (report name, short form) of every leaf.
        let got: Vec<(&str, String)> = leaves
            .iter()
            .enumerate()
            .map(|(p, leaf)| {
                let short = short_form(leaf, |group| names.fields_of(group));
                (names.report_name(p), short.join("."))
            })
            .collect();
        let want = [
            ("objects.list.element.category", "objects.category"),
            ("objects.list.element.bbox.list.element", "objects.bbox"),
            ("objects.list.element.class", "objects.class"),
            ("objects.list.element.meta.a", "objects.meta.a"),
            ("objects.list.element.meta.b", "objects.meta.b"),
            ("hf.category.list.element", "hf.category"),
            ("polys.list.element.list.element", "polys"),
            ("scores.key_value.key", "scores.key"),
            ("scores.key_value.value", "scores.value"),
            ("arr.array.x", "arr.x"),
            ("tup.tup_tuple.x", "tup.x"),
            ("pairs.bag.x", "pairs.x"),
            ("pairs.bag.z", "pairs.z"),
            ("ll.inner.array", "ll"),
            ("rows.row.list.v", "rows.row.list.v"),
            // A top-level list of a primitive keeps its version-1 name.
            ("labels", "labels"),
        ];
        let want: Vec<(&str, String)> = want.iter().map(|&(r, s)| (r, s.to_owned())).collect();
        assert_eq!(got, want);

        // Null element slots start at the innermost repeated node's definition level.
        let element_defs: Vec<u16> = (0..leaves.len())
            .map(|p| names.checked(p).element_def_level)
            .collect();
        assert_eq!(
            element_defs,
            [2, 5, 2, 2, 2, 3, 4, 2, 2, 2, 2, 2, 2, 3, 3, 2]
        );

        let resolve = |name: &str| names.resolve(name);
        // Short forms name one leaf each; report names and paths still work.
        assert_eq!(resolve("objects.category"), Ok(vec![0]));
        assert_eq!(resolve("objects.bbox"), Ok(vec![1]));
        assert_eq!(
            resolve("objects.list.element.bbox.list.element"),
            Ok(vec![1])
        );
        assert_eq!(resolve("objects.meta.b"), Ok(vec![4]));
        assert_eq!(resolve("hf.category"), Ok(vec![5]));
        assert_eq!(resolve("polys"), Ok(vec![6]));
        assert_eq!(resolve("scores.key"), Ok(vec![7]));
        assert_eq!(resolve("scores.value"), Ok(vec![8]));
        assert_eq!(resolve("tup.x"), Ok(vec![10]));
        assert_eq!(resolve("ll"), Ok(vec![13]));
        assert_eq!(resolve("labels"), Ok(vec![15]));
        assert_eq!(names.resolve_leaf("objects.category"), Ok(Some(0)));
        // A group's path selects all its leaves, short form or not: the group wins.
        assert_eq!(resolve("objects"), Ok(vec![0, 1, 2, 3, 4]));
        assert_eq!(resolve("objects.list.element.meta"), Ok(vec![3, 4]));
        assert_eq!(resolve("pairs"), Ok(vec![11, 12]));
        // A short form leading to several leaves is refused, naming them by their paths.
        let refused = ColumnNameError::Ambiguous {
            name: "objects.meta".into(),
            spellings: vec![
                "objects.list.element.meta.a".into(),
                "objects.list.element.meta.b".into(),
            ],
        };
        assert_eq!(resolve("objects.meta"), Err(refused.clone()));
        assert_eq!(names.resolve_leaf("objects.meta"), Err(refused));
        assert!(matches!(
            resolve("objects.nope"),
            Err(ColumnNameError::Unknown { .. })
        ));

        // Label-like by the short form's parts: `objects.class` is a label, the synthetic
        // levels are not, and `objects.category` is not.
        let (labels, selection) = choose(&leaves, &ColumnChoice::Labels).unwrap();
        assert_eq!(selection, Selection::Labels);
        let labels: Vec<&str> = labels.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(labels, ["objects.list.element.class", "labels"]);
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
