//! Nested label columns for the tests: a detection dataset written by the arrow writer and
//! its `--against` dump ("Nested leaves" of the corpus' writers README), and files whose rows
//! continue across pages, which no common writer produces, crafted page by page.

use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{Float64Builder, Int32Builder, ListBuilder, StructBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Fields};

use super::craft::{
    file_shaped, hybrid, page, ChunkShape, CraftedPage, Group, Layout, PageKind, TRUE_COUNT,
};

/// Objects of a detection dataset, `list<struct<category: int32, bbox: list<double>>>`, per
/// row: its objects, each a category and a box (`None`: null).
pub type Objects = Option<Vec<(Option<i32>, Option<Vec<f64>>)>>;

/// Writes `rows` as one column `objects` with the arrow writer.
pub fn detection_file(path: &Path, rows: &[Objects]) {
    let fields = Fields::from(vec![
        Field::new("category", DataType::Int32, true),
        Field::new(
            "bbox",
            DataType::List(Arc::new(Field::new_list_field(DataType::Float64, true))),
            true,
        ),
    ]);
    let objects = StructBuilder::new(
        fields,
        vec![
            Box::new(Int32Builder::new()),
            Box::new(ListBuilder::new(Float64Builder::new())),
        ],
    );
    let mut column = ListBuilder::new(objects);
    for row in rows {
        let Some(row) = row else {
            column.append(false);
            continue;
        };
        let objects = column.values();
        for (category, bbox) in row {
            objects
                .field_builder::<Int32Builder>(0)
                .unwrap()
                .append_option(*category);
            let boxes = objects
                .field_builder::<ListBuilder<Float64Builder>>(1)
                .unwrap();
            match bbox {
                Some(bbox) => {
                    boxes.values().append_slice(bbox);
                    boxes.append(true);
                }
                None => boxes.append(false),
            }
            objects.append(true);
        }
        column.append(true);
    }
    let batch =
        RecordBatch::try_from_iter([("objects", Arc::new(column.finish()) as ArrayRef)]).unwrap();
    super::write_batch(path, &batch, None);
}

/// The Parquet paths of [`detection_file`]'s two leaves, as a dump names them.
pub const CATEGORY: &str = "objects.list.item.category";
pub const BBOX: &str = "objects.list.item.bbox.list.item";

/// A dump of `rows` (`--against`, "Nested leaves": compact JSON per leaf).
pub fn detection_dump(path: &Path, rows: &[Objects]) {
    let json = |values: Vec<String>| format!("\"[{}]\"", values.join(","));
    let mut text = format!("row,{CATEGORY},{BBOX}\n");
    for (i, row) in rows.iter().enumerate() {
        let Some(objects) = row else {
            text.push_str(&format!("{i},,\n"));
            continue;
        };
        let categories = objects
            .iter()
            .map(|(c, _)| c.map_or("null".to_owned(), |c| c.to_string()))
            .collect();
        let boxes = objects
            .iter()
            .map(|(_, b)| match b {
                None => "null".to_owned(),
                Some(b) => format!(
                    "[{}]",
                    b.iter()
                        .map(|x| format!("{x:?}"))
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            })
            .collect();
        text.push_str(&format!("{i},{},{}\n", json(categories), json(boxes)));
    }
    std::fs::write(path, text).unwrap();
}

/// The column of [`spanning_file`], `tags: list<int32>`, as a dump names it: a list of a
/// primitive by its top-level name.
pub const TAGS: &str = "tags";

/// A file of one column `tags` (an optional list of optional INT32) holding `rows`, in
/// DATA_PAGE v1 pages of `entries_per_page` level entries each, cut wherever that falls:
/// inside rows too, which the format allows without a page index.
pub fn spanning_file(path: &Path, rows: &[Vec<i32>], entries_per_page: usize) {
    assert!(
        rows.iter().all(|row| !row.is_empty()),
        "one entry per element"
    );
    // Every element is one level entry: repetition 0 where a row begins, definition 3 (the
    // list, its repeated group and the element all present).
    let entries: Vec<(u32, i32)> = rows
        .iter()
        .flat_map(|row| {
            row.iter()
                .enumerate()
                .map(|(i, &value)| (u32::from(i > 0), value))
        })
        .collect();
    let pages: Vec<CraftedPage> = entries
        .chunks(entries_per_page)
        .map(|entries| {
            let mut body = hybrid(entries.iter().map(|&(rep, _)| rep), 1, false);
            body.extend(hybrid(entries.iter().map(|_| 3), 2, false));
            body.extend(entries.iter().flat_map(|&(_, value)| value.to_le_bytes()));
            page(PageKind::Data { encoding: 0 }, entries.len() as i32, body)
        })
        .collect();
    let shape = ChunkShape {
        groups: vec![Group::list(TAGS), Group::repeated("list")],
        leaf_name: Some("element"),
        leaf_repetition: Some(1),
        rows: Some(rows.len() as i64),
        ..ChunkShape::default()
    };
    let layout = Layout {
        physical_type: 1, // INT32
        codec: 0,
    };
    std::fs::write(path, file_shaped(&pages, &TRUE_COUNT, layout, &shape)).unwrap();
}

/// The rows of `rows` that [`spanning_file`] with `entries_per_page` cuts: those that begin
/// on one page and end on another.
pub fn spanning_rows(rows: &[Vec<i32>], entries_per_page: usize) -> Vec<usize> {
    let mut start = 0;
    let mut spanning = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        let end = start + row.len();
        if start / entries_per_page != (end - 1) / entries_per_page {
            spanning.push(index);
        }
        start = end;
    }
    spanning
}

/// A dump of [`spanning_file`]'s `rows` (`--against`).
pub fn tags_dump(path: &Path, rows: &[Vec<i32>]) {
    let mut text = format!("row,{TAGS}\n");
    for (i, row) in rows.iter().enumerate() {
        let values: Vec<String> = row.iter().map(i32::to_string).collect();
        text.push_str(&format!("{i},\"[{}]\"\n", values.join(",")));
    }
    std::fs::write(path, text).unwrap();
}

/// A change to a nested slice's levels, the way a reader bug in them changes it.
#[derive(Debug, Clone, Copy)]
pub enum LevelChange {
    /// Item `item` of segment `segment`, an empty list, becomes null: a definition level read
    /// one off.
    EmptyToNull { segment: usize, item: usize },
    /// The last element of item `item` of segment `segment` moves to the next item, which
    /// must hold elements: a repetition level read one off.
    LastElementToNext { segment: usize, item: usize },
}

/// The raw decoder, with `changes` made to every chunk it decodes.
pub struct LevelChanger {
    pub inner: labelcheck::raw::RawFile,
    pub changes: Vec<LevelChange>,
}

impl labelcheck::decode::ColumnDecoder for LevelChanger {
    fn decode(
        &self,
        row_group: usize,
        leaf: usize,
    ) -> Result<labelcheck::decode::DecodedChunk, labelcheck::decode::DecodeError> {
        let mut chunk = self.inner.decode(row_group, leaf)?;
        for change in &self.changes {
            match *change {
                LevelChange::EmptyToNull { segment, item } => {
                    let shape = &mut chunk.slice.lists[segment];
                    assert!(shape.validity.get(item) && shape.children(item).is_empty());
                    let mut validity = labelcheck::value::Bitmap::new();
                    for (i, valid) in shape.validity.iter().enumerate() {
                        validity.push(valid && i != item);
                    }
                    shape.validity = validity;
                }
                LevelChange::LastElementToNext { segment, item } => {
                    let shape = &mut chunk.slice.lists[segment];
                    assert!(
                        !shape.children(item).is_empty() && !shape.children(item + 1).is_empty()
                    );
                    shape.offsets[item + 1] -= 1;
                }
            }
        }
        Ok(chunk)
    }
}
