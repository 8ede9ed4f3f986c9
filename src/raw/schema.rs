//! From the footer's flattened schema to the leaf columns that column chunks hold.
//!
//! parquet.thrift `FileMetaData.schema` is the schema tree flattened depth-first, the root
//! first, with `SchemaElement.num_children` giving the shape. Each leaf is one column chunk per
//! row group, in this order. Levels follow the format README ("Nested Encoding"): a value's
//! maximum definition level counts the OPTIONAL and REPEATED nodes on its path and its maximum
//! repetition level the REPEATED ones; the root does not count.
//!
//! Which element is a leaf follows parquet-cpp (`schema.cc`, `Unflatten`): a leaf is an element
//! with a physical type and no children; any other element is a group, whatever its `type`
//! says, and the root is always a group. A Go writer sets a physical type on the root, and
//! parquet-cpp and parquet-java read such files (parquet-java ignores the root's type too).
//!
//! The walk is iterative with an explicit stack capped at [`MAX_SCHEMA_DEPTH`], so no schema can
//! exhaust the call stack.

use super::error::{RawError, RawResult};
use super::metadata::SchemaElement;
use crate::format::{ConvertedType, LogicalType, Repetition};
use crate::value::PhysicalType;

/// Deepest group nesting accepted, root included.
pub const MAX_SCHEMA_DEPTH: usize = 64;

/// A group on the path from the root to a leaf.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SchemaNode {
    /// The group's name.
    pub name: String,
    /// Its repetition; REQUIRED when the element has none.
    pub repetition: Repetition,
    /// Its logical type annotation (LIST, MAP, ...).
    pub logical_type: Option<LogicalType>,
    /// Its converted type annotation (LIST, MAP, MAP_KEY_VALUE, ...).
    pub converted_type: Option<ConvertedType>,
    /// Its index in the footer's schema list: tells apart sibling groups of the same name.
    pub element: usize,
}

/// A primitive column of the schema: what one column chunk per row group holds.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LeafColumn {
    /// Leaf ordinal: the index of this column's chunk in every `RowGroup.columns`.
    pub index: usize,
    /// Names from below the root down to the leaf, as in `ColumnMetaData.path_in_schema`.
    pub path: Vec<String>,
    /// The physical type.
    pub physical_type: PhysicalType,
    /// `type_length`: the width of FIXED_LEN_BYTE_ARRAY values.
    pub type_length: Option<i32>,
    /// Maximum definition level.
    pub max_def_level: u16,
    /// Maximum repetition level.
    pub max_rep_level: u16,
    /// The leaf's own repetition.
    pub repetition: Repetition,
    /// The leaf's logical type annotation.
    pub logical_type: Option<LogicalType>,
    /// The leaf's converted type annotation.
    pub converted_type: Option<ConvertedType>,
    /// `scale`, for DECIMAL.
    pub scale: Option<i32>,
    /// `precision`, for DECIMAL.
    pub precision: Option<i32>,
    /// The groups above the leaf, root excluded, outermost first.
    pub ancestors: Vec<SchemaNode>,
}

impl LeafColumn {
    /// The path joined with dots, e.g. `labels.list.element`.
    pub fn dotted_path(&self) -> String {
        self.path.join(".")
    }
}

/// An open group during the walk.
struct Frame {
    children_left: usize,
    def_level: u16,
    rep_level: u16,
}

/// Builds the leaf columns of a flattened schema, validating its shape.
pub fn leaf_columns(schema: &[SchemaElement]) -> RawResult<Vec<LeafColumn>> {
    let root = schema
        .first()
        .ok_or_else(|| RawError::invalid("schema: no elements, not even a root"))?;
    // The root is a group even when it carries a physical type; without num_children it has
    // no children, and any element after it is reported as left over below.
    let root_children = child_count(root, 0)?.unwrap_or(0);

    let mut leaves = Vec::new();
    let mut stack = vec![Frame {
        children_left: root_children,
        def_level: 0,
        rep_level: 0,
    }];
    // The groups of the open frames other than the root: `stack.len() - 1` entries.
    let mut ancestors: Vec<SchemaNode> = Vec::new();
    let mut next = 1usize;

    while let Some(top) = stack.last_mut() {
        if top.children_left == 0 {
            stack.pop();
            ancestors.pop();
            continue;
        }
        top.children_left -= 1;
        let (parent_def, parent_rep) = (top.def_level, top.rep_level);

        let index = next;
        let element = schema.get(index).ok_or_else(|| {
            RawError::invalid(format!(
                "schema: groups declare more children than the {} elements present",
                schema.len()
            ))
        })?;
        next += 1;

        let repetition = element.repetition;
        let (def_level, rep_level) = match repetition {
            // parquet.thrift says every node but the root has a repetition; a group without
            // one is read as REQUIRED (adding no level) rather than failing. Leaves reject it.
            Some(Repetition::Required) | None => (parent_def, parent_rep),
            Some(Repetition::Optional) => (parent_def.saturating_add(1), parent_rep),
            Some(Repetition::Repeated) => {
                (parent_def.saturating_add(1), parent_rep.saturating_add(1))
            }
            Some(other @ Repetition::Unknown(_)) => {
                return Err(RawError::unsupported(format!(
                    "schema element {index} '{}': repetition_type {other}",
                    element.name
                )))
            }
        };

        match (element.physical_type, child_count(element, index)?) {
            // A group: no type, or children whatever the type says (parquet-cpp's rule; a
            // missing num_children is 0, the IDL's default).
            (None, children) | (Some(_), children @ Some(1..)) => {
                let children = children.unwrap_or(0);
                if stack.len() >= MAX_SCHEMA_DEPTH {
                    return Err(RawError::BeyondLimit(format!(
                        "schema element {index} '{}': groups nested deeper than {MAX_SCHEMA_DEPTH} levels",
                        element.name
                    )));
                }
                ancestors.push(SchemaNode {
                    name: element.name.clone(),
                    repetition: repetition.unwrap_or(Repetition::Required),
                    logical_type: element.logical_type.clone(),
                    converted_type: element.converted_type,
                    element: index,
                });
                stack.push(Frame {
                    children_left: children,
                    def_level,
                    rep_level,
                });
            }
            // Some writers set num_children = 0 on leaves; a leaf is what has a type.
            (Some(physical_type), None | Some(0)) => {
                let repetition = repetition.ok_or_else(|| {
                    RawError::invalid(format!(
                        "schema element {index} '{}': leaf has no repetition_type",
                        element.name
                    ))
                })?;
                if physical_type == PhysicalType::FixedLenByteArray
                    && !matches!(element.type_length, Some(length) if length > 0)
                {
                    return Err(RawError::invalid(format!(
                        "schema element {index} '{}': FIXED_LEN_BYTE_ARRAY needs a positive type_length, found {:?}",
                        element.name, element.type_length
                    )));
                }
                let mut path: Vec<String> = ancestors.iter().map(|a| a.name.clone()).collect();
                path.push(element.name.clone());
                leaves.push(LeafColumn {
                    index: leaves.len(),
                    path,
                    physical_type,
                    type_length: element.type_length,
                    max_def_level: def_level,
                    max_rep_level: rep_level,
                    repetition,
                    logical_type: element.logical_type.clone(),
                    converted_type: element.converted_type,
                    scale: element.scale,
                    precision: element.precision,
                    ancestors: ancestors.clone(),
                });
            }
        }
    }

    if next != schema.len() {
        return Err(RawError::invalid(format!(
            "schema: the tree under root '{}' uses {next} of {} elements",
            root.name,
            schema.len()
        )));
    }
    Ok(leaves)
}

/// `num_children` as a count, rejecting negative values.
fn child_count(element: &SchemaElement, index: usize) -> RawResult<Option<usize>> {
    match element.num_children {
        None => Ok(None),
        Some(n) => usize::try_from(n).map(Some).map_err(|_| {
            RawError::invalid(format!(
                "schema element {index} '{}': negative num_children {n}",
                element.name
            ))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::metadata::{parse_file_metadata, tests::sample_file_metadata, tests::XorShift};

    fn group(name: &str, repetition: Option<Repetition>, num_children: i32) -> SchemaElement {
        SchemaElement {
            physical_type: None,
            type_length: None,
            repetition,
            name: name.to_string(),
            num_children: Some(num_children),
            converted_type: None,
            scale: None,
            precision: None,
            field_id: None,
            logical_type: None,
        }
    }

    fn leaf(name: &str, repetition: Repetition, physical_type: PhysicalType) -> SchemaElement {
        SchemaElement {
            physical_type: Some(physical_type),
            num_children: None,
            repetition: Some(repetition),
            ..group(name, None, 0)
        }
    }

    use PhysicalType::{ByteArray, FixedLenByteArray, Int32, Int64};
    use Repetition::{Optional, Repeated, Required};

    #[test]
    fn footer_schema_levels_and_paths() {
        let meta = parse_file_metadata(&sample_file_metadata()).unwrap();
        let leaves = leaf_columns(&meta.schema).unwrap();
        assert_eq!(leaves.len(), 2);
        // root -> optional group s -> optional int32 a
        let a = &leaves[0];
        assert_eq!((a.index, a.dotted_path()), (0, "s.a".to_string()));
        assert_eq!((a.max_def_level, a.max_rep_level), (2, 0));
        assert_eq!((a.physical_type, a.repetition), (Int32, Optional));
        assert_eq!(a.ancestors.len(), 1);
        assert_eq!(a.ancestors[0].name, "s");
        // root -> optional group l (LIST) -> repeated group list -> optional int32 element
        let element = &leaves[1];
        assert_eq!(element.index, 1);
        assert_eq!(element.path, ["l", "list", "element"]);
        assert_eq!((element.max_def_level, element.max_rep_level), (3, 1));
        let names: Vec<_> = element.ancestors.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["l", "list"]);
        assert_eq!(element.ancestors[0].logical_type, Some(LogicalType::List));
        assert_eq!(
            element.ancestors[0].converted_type,
            Some(ConvertedType::List)
        );
        assert_eq!(element.ancestors[1].repetition, Repeated);
        // The leaves line up with the column chunks.
        for (leaf, chunk) in leaves.iter().zip(&meta.row_groups[0].columns) {
            assert_eq!(leaf.path, chunk.meta_data.as_ref().unwrap().path_in_schema);
        }
    }

    #[test]
    fn flat_and_legacy_layouts() {
        let schema = [
            group("root", None, 4),
            leaf("id", Required, Int64),
            SchemaElement {
                type_length: Some(16),
                ..leaf("uuid", Optional, FixedLenByteArray)
            },
            // A legacy two-level list: repeated primitive directly under the root.
            leaf("tags", Repeated, ByteArray),
            // A leaf with num_children 0, as some writers emit.
            SchemaElement {
                num_children: Some(0),
                ..leaf("zero", Optional, Int32)
            },
        ];
        let leaves = leaf_columns(&schema).unwrap();
        let summary: Vec<_> = leaves
            .iter()
            .map(|l| (l.dotted_path(), l.max_def_level, l.max_rep_level))
            .collect();
        assert_eq!(
            summary,
            [
                ("id".to_string(), 0, 0),
                ("uuid".to_string(), 1, 0),
                ("tags".to_string(), 1, 1),
                ("zero".to_string(), 1, 0),
            ]
        );
        assert_eq!(leaves[1].type_length, Some(16));
        assert!(leaves.iter().all(|l| l.ancestors.is_empty()));
    }

    #[test]
    fn map_layout_and_empty_group() {
        let schema = [
            group("root", None, 2),
            group("m", Some(Optional), 1),
            group("key_value", Some(Repeated), 2),
            leaf("key", Required, ByteArray),
            leaf("value", Optional, Int32),
            group("empty", Some(Optional), 0),
        ];
        let leaves = leaf_columns(&schema).unwrap();
        assert_eq!(leaves.len(), 2);
        assert_eq!(leaves[0].dotted_path(), "m.key_value.key");
        assert_eq!((leaves[0].max_def_level, leaves[0].max_rep_level), (2, 1));
        assert_eq!(leaves[1].dotted_path(), "m.key_value.value");
        assert_eq!((leaves[1].max_def_level, leaves[1].max_rep_level), (3, 1));
    }

    fn error_of(schema: &[SchemaElement]) -> String {
        leaf_columns(schema).unwrap_err().to_string()
    }

    #[test]
    fn malformed_schemas_are_invalid() {
        assert!(error_of(&[]).contains("no elements"));
        // Root claims 3 children, 2 elements follow.
        let schema = [
            group("root", None, 3),
            leaf("a", Required, Int32),
            leaf("b", Required, Int32),
        ];
        assert!(error_of(&schema).contains("more children than the 3 elements"));
        // Elements left over after the tree.
        let schema = [
            group("root", None, 1),
            leaf("a", Required, Int32),
            leaf("b", Required, Int32),
        ];
        assert!(error_of(&schema).contains("uses 2 of 3 elements"));
        let schema = [group("root", None, -1)];
        assert!(error_of(&schema).contains("negative num_children -1"));
        let schema = [group("root", None, 1), group("g", Some(Optional), -5)];
        assert!(error_of(&schema).contains("negative num_children -5"));
        // FIXED_LEN_BYTE_ARRAY without, or with a non-positive, type_length.
        let schema = [
            group("root", None, 1),
            leaf("f", Required, FixedLenByteArray),
        ];
        assert!(error_of(&schema).contains("positive type_length"));
        let schema = [
            group("root", None, 1),
            SchemaElement {
                type_length: Some(0),
                ..leaf("f", Required, FixedLenByteArray)
            },
        ];
        assert!(error_of(&schema).contains("positive type_length"));
        // A leaf with no repetition.
        let schema = [
            group("root", None, 1),
            SchemaElement {
                repetition: None,
                ..leaf("a", Required, Int32)
            },
        ];
        assert!(error_of(&schema).contains("no repetition_type"));
        // A root without num_children has no children: what follows it is left over.
        let schema = [
            SchemaElement {
                num_children: None,
                ..group("root", None, 0)
            },
            leaf("a", Required, Int32),
        ];
        assert!(error_of(&schema).contains("uses 1 of 2 elements"));
    }

    /// Leaves and groups as parquet-cpp tells them apart (`Unflatten`): a leaf has a type and
    /// no children; anything else is a group, and the root always is.
    #[test]
    fn elements_with_children_are_groups_whatever_their_type() {
        let paths = |schema: &[SchemaElement]| -> Vec<String> {
            let leaves = leaf_columns(schema).unwrap();
            leaves.iter().map(LeafColumn::dotted_path).collect()
        };
        // A root with a physical type, as a Go writer writes it.
        let typed_root = SchemaElement {
            physical_type: Some(Int32),
            ..group("root", Some(Required), 1)
        };
        assert_eq!(
            paths(&[typed_root.clone(), leaf("a", Required, Int32)]),
            ["a"]
        );
        // Alone, it is an empty schema, as in parquet-cpp.
        let lone_root = SchemaElement {
            num_children: None,
            ..typed_root
        };
        assert_eq!(paths(&[lone_root]), Vec::<String>::new());
        // Below the root, an element with a type and children is a group too.
        let schema = [
            group("root", None, 2),
            SchemaElement {
                num_children: Some(1),
                ..leaf("g", Optional, Int32)
            },
            leaf("b", Required, Int32),
            leaf("c", Required, Int64),
        ];
        let leaves = leaf_columns(&schema).unwrap();
        assert_eq!(leaves[0].dotted_path(), "g.b");
        assert_eq!(leaves[0].max_def_level, 1);
        assert_eq!(leaves[1].dotted_path(), "c");
        // Neither a type nor num_children: an empty group, which holds no column.
        let schema = [
            group("root", None, 2),
            SchemaElement {
                num_children: None,
                ..group("x", Some(Optional), 0)
            },
            leaf("a", Required, Int32),
        ];
        assert_eq!(paths(&schema), ["a"]);
    }

    #[test]
    fn unknown_repetition_is_unsupported() {
        let schema = [
            group("root", None, 1),
            SchemaElement {
                repetition: Some(Repetition::Unknown(3)),
                ..leaf("v", Required, Int32)
            },
        ];
        assert!(leaf_columns(&schema).unwrap_err().is_unsupported());
    }

    #[test]
    fn nesting_is_capped() {
        let deep = |depth: usize| {
            let mut schema = vec![group("root", None, 1)];
            for i in 0..depth {
                schema.push(group(&format!("g{i}"), Some(Optional), 1));
            }
            schema.push(leaf("v", Optional, Int32));
            schema
        };
        // Root plus 63 groups is the deepest accepted.
        let leaves = leaf_columns(&deep(MAX_SCHEMA_DEPTH - 1)).unwrap();
        assert_eq!(leaves[0].max_def_level, 64);
        assert_eq!(leaves[0].ancestors.len(), 63);
        assert!(error_of(&deep(MAX_SCHEMA_DEPTH)).contains("nested deeper than 64"));
        assert!(leaf_columns(&deep(10_000)).is_err());
    }

    #[test]
    fn random_schemas_never_panic() {
        let mut rng = XorShift(0xdead_beef_cafe_f00d);
        for _ in 0..3000 {
            let length = 1 + (rng.next() % 12) as usize;
            let schema: Vec<SchemaElement> = (0..length)
                .map(|i| {
                    let mut element = group(&format!("e{i}"), None, 0);
                    element.num_children = match rng.next() % 4 {
                        0 => None,
                        1 => Some(-1),
                        _ => Some((rng.next() % 4) as i32),
                    };
                    element.physical_type = match rng.next() % 3 {
                        0 => None,
                        1 => Some(Int32),
                        _ => Some(FixedLenByteArray),
                    };
                    element.type_length = rng.next().is_multiple_of(2).then_some(4);
                    element.repetition = match rng.next() % 5 {
                        0 => None,
                        1 => Some(Required),
                        2 => Some(Optional),
                        3 => Some(Repeated),
                        _ => Some(Repetition::Unknown(7)),
                    };
                    element
                })
                .collect();
            if let Ok(leaves) = leaf_columns(&schema) {
                for (i, leaf) in leaves.iter().enumerate() {
                    assert_eq!(leaf.index, i);
                    assert_eq!(leaf.path.len(), leaf.ancestors.len() + 1);
                }
            }
        }
    }
}
