//! Names of nested leaves through the real binary: reports name a nested leaf by its Parquet
//! path, as the label CSVs of ../shared/corpus/nested/ do; `--columns` also takes the short
//! form without the synthetic list/element/key_value levels and refuses one that leads to
//! several leaves; a group's path selects all its leaves.
//!
//! The names are checked whatever each column's status: a leaf a decoder cannot read yet is
//! still reported under its name.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Int32Array, ListArray, RecordBatch, StructArray};
use arrow_buffer::OffsetBuffer;
use arrow_schema::{DataType, Field, Fields, Schema};
use common::{code, json, run, stderr, temp_dir};

/// ../shared/corpus/nested/, beside the checkout.
fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/nested")
}

fn diff(file: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["diff", file.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    run(args)
}

/// The column names of the report's first file, in report order.
fn column_names(output: &std::process::Output) -> Vec<String> {
    let report = json(output);
    report["files"][0]["columns"]
        .as_array()
        .unwrap_or_else(|| panic!("no columns in {report}"))
        .iter()
        .map(|c| c["column"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn reports_name_every_nested_leaf_as_the_label_csvs_do() {
    let mut files = 0;
    for writer in ["pyarrow", "duckdb", "polars"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus().join(writer))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "parquet"))
            .collect();
        paths.sort();
        for file in paths {
            let csv = file.with_extension("labels.csv");
            let header = std::fs::read_to_string(&csv).unwrap();
            let leaves: Vec<&str> = header
                .lines()
                .next()
                .unwrap()
                .split(',')
                .filter(|name| *name != "row")
                .collect();
            let output = diff(&file, &["--all"]);
            let mut want = vec!["id".to_owned()];
            want.extend(leaves.iter().map(|s| s.to_string()));
            assert_eq!(column_names(&output), want, "{}", file.display());
            files += 1;
        }
    }
    assert!(files >= 22, "{files} files");
}

#[test]
fn columns_takes_short_forms_and_group_paths() {
    let file = |name: &str| corpus().join(name);
    for (path, asked, chosen) in [
        (
            "pyarrow/detection.parquet",
            "objects.category",
            &["objects.list.element.category"][..],
        ),
        (
            "pyarrow/detection.parquet",
            "objects.bbox",
            &["objects.list.element.bbox.list.element"],
        ),
        (
            "pyarrow/detection.parquet",
            "objects.list.element.bbox.list.element",
            &["objects.list.element.bbox.list.element"],
        ),
        // The top-level column's path selects all its leaves.
        (
            "pyarrow/detection.parquet",
            "objects",
            &[
                "objects.list.element.category",
                "objects.list.element.bbox.list.element",
            ],
        ),
        (
            "pyarrow/detection_item_names.parquet",
            "objects.bbox",
            &["objects.list.item.bbox.list.item"],
        ),
        (
            "pyarrow/hf_objects.parquet",
            "objects.bbox",
            &["objects.bbox.list.element.list.element"],
        ),
        (
            "duckdb/class_scores.parquet",
            "class_scores.value,task_labels.key",
            &["class_scores.key_value.value", "task_labels.key_value.key"],
        ),
        (
            "polars/polygons.parquet",
            "polygons",
            &["polygons.list.element.list.element"],
        ),
        (
            "pyarrow/deep.parquet",
            "deep.a.b",
            &["deep.list.element.a.list.element.b"],
        ),
    ] {
        let output = diff(&file(path), &["--columns", asked]);
        assert_eq!(column_names(&output), chosen, "{path} --columns {asked}");
    }
}

/// Writes `objects: list<struct<category: int32, class: int32, meta: struct<a, b>>>` (one
/// row of one object): `objects.meta` is the short form of a group of two leaves.
fn write_objects(dir: &Path) -> PathBuf {
    let int = |name: &str| Field::new(name, DataType::Int32, true);
    let one = |v: i32| -> ArrayRef { Arc::new(Int32Array::from(vec![v])) };
    let meta = StructArray::new(
        Fields::from(vec![int("a"), int("b")]),
        vec![one(3), one(4)],
        None,
    );
    let object = StructArray::new(
        Fields::from(vec![
            int("category"),
            int("class"),
            Field::new("meta", meta.data_type().clone(), true),
        ]),
        vec![one(1), one(2), Arc::new(meta)],
        None,
    );
    let element = Arc::new(Field::new("element", object.data_type().clone(), true));
    let objects = ListArray::new(
        element,
        OffsetBuffer::from_lengths([1]),
        Arc::new(object),
        None,
    );
    let schema = Schema::new(vec![Field::new(
        "objects",
        objects.data_type().clone(),
        true,
    )]);
    let batch = RecordBatch::try_new(Arc::new(schema), vec![Arc::new(objects)]).unwrap();
    let path = dir.join("objects.parquet");
    common::write_batch(&path, &batch, None);
    path
}

#[test]
fn a_short_form_leading_to_several_leaves_is_refused_in_one_line() {
    let dir = temp_dir();
    let file = write_objects(dir.path());
    let output = diff(&file, &["--columns", "objects.meta"]);
    assert_eq!(code(&output), 2);
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("objects.parquet")
            && err.contains(
                "\"objects.meta\" names 2 columns: objects.list.element.meta.a, objects.list.element.meta.b"
            ),
        "{err}"
    );
    // The group's path selects both; each leaf has its short form.
    let output = diff(&file, &["--columns", "objects.list.element.meta"]);
    assert_eq!(
        column_names(&output),
        ["objects.list.element.meta.a", "objects.list.element.meta.b"]
    );
    let output = diff(&file, &["--columns", "objects.meta.b"]);
    assert_eq!(column_names(&output), ["objects.list.element.meta.b"]);
}

#[test]
fn label_like_nested_leaves_are_chosen_by_their_short_form() {
    let dir = temp_dir();
    let file = write_objects(dir.path());
    // `objects.class` looks like a label; `category`, `a`, `b` and the synthetic `list` and
    // `element` levels do not.
    let output = diff(&file, &[]);
    let report = json(&output);
    assert_eq!(report["files"][0]["selection"], "labels", "{report}");
    assert_eq!(column_names(&output), ["objects.list.element.class"]);
}

#[test]
fn a_dump_header_may_name_nested_leaves_by_their_short_form() {
    let dir = temp_dir();
    let csv = std::fs::read_to_string(corpus().join("pyarrow/detection.labels.csv")).unwrap();
    let (header, rows) = csv.split_once('\n').unwrap();
    assert_eq!(
        header,
        "row,objects.list.element.category,objects.list.element.bbox.list.element"
    );
    let dump = dir.path().join("short.csv");
    std::fs::write(&dump, format!("row,objects.bbox,objects.category\n{rows}")).unwrap();
    // The header's names are swapped: each short form must find its own leaf, or the
    // values differ.
    let swapped = diff(
        &corpus().join("pyarrow/detection.parquet"),
        &["--against", dump.to_str().unwrap()],
    );
    assert_eq!(code(&swapped), 1, "{}", stderr(&swapped));
    std::fs::write(&dump, format!("row,objects.category,objects.bbox\n{rows}")).unwrap();
    let output = diff(
        &corpus().join("pyarrow/detection.parquet"),
        &["--against", dump.to_str().unwrap()],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    let columns = report["files"][0]["columns"].as_array().unwrap();
    assert_eq!(columns.len(), 2);
    for column in columns {
        assert_eq!(
            column["digests"]["against"], column["digests"]["raw"],
            "{column}"
        );
    }
}
