//! Hand-made nested files whose rows continue across pages: DATA_PAGE v1 allows a row to go
//! on in the next page (a page index would forbid it), and no common writer produces it, so
//! the test Thrift writer crafts them. Both decoders must read them alike, and the digest must
//! be the one FINGERPRINT.md ("Nested columns") defines, computed here from the crafted rows.
//! Levels that continue a list that is not there must fail the raw path with one clear line.

mod common;

use common::craft::{
    file_shaped, hybrid, page, ChunkShape, CraftedPage, Group, Layout, PageKind, TRUE_COUNT,
};
use common::{assert_no_panic, code, json, run, stderr, temp_dir};

/// One item of a crafted row at any depth: a null item, a list of items of the next segment,
/// or (in the last segment) a value.
#[derive(Clone, Debug)]
enum Tree {
    Null,
    List(Vec<Tree>),
    Value(i64),
}

use Tree::{List, Null, Value as V};

/// A crafted nested column: per segment (FINGERPRINT.md, "Nested columns"), whether it has
/// an optional node; the groups on its path; its leaf.
struct Column {
    optional: &'static [bool],
    groups: Vec<Group>,
    leaf: &'static str,
    /// parquet.thrift `Type`: 0 BOOLEAN, 1 INT32.
    physical_type: i32,
}

impl Column {
    /// The Parquet path of the leaf.
    fn path(&self) -> String {
        let mut names: Vec<&str> = self.groups.iter().map(|g| g.name).collect();
        names.push(self.leaf);
        names.join(".")
    }

    fn max_rep(&self) -> u32 {
        self.optional.len() as u32 - 1
    }

    /// The definition level at which an item of `segment` is null (when it can be).
    fn null_at(&self, segment: usize) -> u32 {
        self.optional[..segment]
            .iter()
            .map(|&o| u32::from(o) + 1)
            .sum()
    }

    fn max_def(&self) -> u32 {
        let last = self.optional.len() - 1;
        self.null_at(last) + u32::from(self.optional[last])
    }

    fn bit_width(level: u32) -> u8 {
        (32 - level.leading_zeros()) as u8
    }
}

/// One level entry of a column chunk: repetition level, definition level, and the value
/// when the entry holds one.
#[derive(Clone, Copy, Debug)]
struct Entry {
    rep: u32,
    def: u32,
    value: Option<i64>,
}

/// The level entries of `rows` (the Dremel paper's column striping, written for this test):
/// each null item, empty list and value is one entry; its repetition level says at which
/// segment it starts an item.
fn shred(column: &Column, rows: &[Tree]) -> Vec<Entry> {
    fn item(column: &Column, tree: &Tree, segment: usize, rep: u32, out: &mut Vec<Entry>) {
        let last = column.optional.len() - 1;
        let null_at = column.null_at(segment);
        match tree {
            Null => {
                assert!(column.optional[segment], "a null in a required segment");
                out.push(Entry {
                    rep,
                    def: null_at,
                    value: None,
                });
            }
            V(v) => {
                assert_eq!(segment, last, "a value above the leaf");
                out.push(Entry {
                    rep,
                    def: column.max_def(),
                    value: Some(*v),
                });
            }
            List(children) if children.is_empty() => out.push(Entry {
                rep,
                def: null_at + u32::from(column.optional[segment]),
                value: None,
            }),
            List(children) => {
                for (k, child) in children.iter().enumerate() {
                    let rep = if k == 0 { rep } else { segment as u32 + 1 };
                    item(column, child, segment + 1, rep, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    for row in rows {
        item(column, row, 0, 0, &mut out);
    }
    out
}

/// A data page v1 of `entries`: RLE repetition and definition levels (RLE runs, or
/// bit-packed ones when `packed`), then the values: PLAIN INT32, or RLE booleans.
fn data_page<I: Iterator<Item = Entry>>(
    column: &Column,
    entries: impl Fn() -> I,
    packed: bool,
) -> CraftedPage {
    let num_values = entries().count();
    let mut body = hybrid(
        entries().map(|e| e.rep),
        Column::bit_width(column.max_rep()),
        packed,
    );
    body.extend(hybrid(
        entries().map(|e| e.def),
        Column::bit_width(column.max_def()),
        packed,
    ));
    let values = entries().filter_map(|e| e.value);
    let encoding = match column.physical_type {
        0 => {
            body.extend(hybrid(values.map(|v| v as u32), 1, false));
            3 // RLE
        }
        1 => {
            body.extend(values.flat_map(|v| (v as i32).to_le_bytes()));
            0 // PLAIN
        }
        other => panic!("the test crafts no type {other}"),
    };
    page(PageKind::Data { encoding }, num_values as i32, body)
}

/// The file of `column` holding `rows` rows in `pages`.
fn crafted(column: &Column, pages: Vec<CraftedPage>, rows: usize) -> Vec<u8> {
    let shape = ChunkShape {
        groups: column.groups.clone(),
        leaf_name: Some(column.leaf),
        leaf_repetition: Some(i32::from(*column.optional.last().unwrap())),
        rows: Some(rows as i64),
        ..ChunkShape::default()
    };
    let layout = Layout {
        physical_type: column.physical_type,
        codec: 0,
    };
    file_shaped(&pages, &TRUE_COUNT, layout, &shape)
}

/// The pages of `entries` cut at `cuts` (entry indexes, in the middle of rows where a row is
/// to continue on the next page), every other page with bit-packed levels.
fn pages_at(column: &Column, entries: &[Entry], cuts: &[usize]) -> Vec<CraftedPage> {
    let mut bounds = vec![0];
    bounds.extend_from_slice(cuts);
    bounds.push(entries.len());
    bounds
        .windows(2)
        .enumerate()
        .map(|(i, w)| data_page(column, || entries[w[0]..w[1]].iter().copied(), i % 2 == 1))
        .collect()
}

/// The canonical bytes of one item (FINGERPRINT.md, "Nested columns"): `00` for a null,
/// `01` and the count then the items for a list, `01` and the value bytes for a value.
fn canonical(column: &Column, tree: &Tree, out: &mut Vec<u8>) {
    match tree {
        Null => out.push(0),
        List(children) => {
            out.push(1);
            out.extend_from_slice(&(children.len() as u32).to_le_bytes());
            children.iter().for_each(|c| canonical(column, c, out));
        }
        V(v) => {
            out.push(1);
            match column.physical_type {
                0 => out.push(u8::from(*v != 0)),
                _ => out.extend_from_slice(&(*v as i32).to_le_bytes()),
            }
        }
    }
}

/// The column digest of `rows` rows whose canonical bytes `write` feeds to a hasher, all in
/// one block (FINGERPRINT.md, "Digests").
fn digest(rows: u64, write: impl FnOnce(&mut blake3::Hasher)) -> String {
    assert!(rows <= 65_536, "one block");
    let mut block = blake3::Hasher::new();
    write(&mut block);
    let mut column = blake3::Hasher::new();
    column.update(b"labelcheck-fp-v1:");
    column.update(&rows.to_le_bytes());
    column.update(block.finalize().as_bytes());
    column.finalize().to_hex().to_string()
}

fn digest_of(column: &Column, rows: &[Tree]) -> String {
    digest(rows.len() as u64, |hasher| {
        for row in rows {
            let mut bytes = Vec::new();
            canonical(column, row, &mut bytes);
            hasher.update(&bytes);
        }
    })
}

fn write(name: &str, bytes: &[u8]) -> (tempfile::TempDir, String) {
    let dir = temp_dir();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path.to_str().unwrap().to_owned())
}

/// Checks `column` of the file at `path` with windows of `window_rows` rows, expecting both
/// decoders to agree, on `rows` rows, with the `expected` digest.
fn assert_agree(path: &str, column: &Column, rows: usize, expected: &str, window_rows: usize) {
    let window = window_rows.to_string();
    let output = run([
        "diff",
        path,
        "--columns",
        &column.path(),
        "--format",
        "json",
        "--window-rows",
        &window,
    ]);
    assert_no_panic(&output);
    let report = json(&output);
    let checked = &report["files"][0]["columns"][0];
    assert_eq!(
        code(&output),
        0,
        "window {window_rows}: {checked:#}\n{}",
        stderr(&output)
    );
    assert_eq!(checked["status"], "agree", "{checked:#}");
    assert_eq!(checked["rows"], rows as u64);
    assert_eq!(
        checked["digests"]["arrow"], expected,
        "the arrow reader's digest"
    );
    assert_eq!(checked["digests"]["raw"], expected, "the raw path's digest");
}

/// `optional group labels (LIST) { repeated group list { optional int32 element; } }`.
fn int_list() -> Column {
    Column {
        optional: &[true, true],
        groups: vec![Group::list("labels"), Group::repeated("list")],
        leaf: "element",
        physical_type: 1,
    }
}

/// `optional group polys (LIST) { repeated group list { optional group element (LIST) {
/// repeated group list { optional int32 element; } } } }`.
fn int_list_list() -> Column {
    Column {
        optional: &[true, true, true],
        groups: vec![
            Group::list("polys"),
            Group::repeated("list"),
            Group::list("element"),
            Group::repeated("list"),
        ],
        leaf: "element",
        physical_type: 1,
    }
}

#[test]
fn a_list_whose_rows_continue_across_two_and_three_pages_agrees() {
    let column = int_list();
    let values = |range: std::ops::Range<i64>| List(range.map(V).collect());
    let rows = vec![
        List(vec![V(1), V(2)]),
        List(vec![V(3), Null, V(4), V(5), V(6)]),
        Null,
        List(vec![V(7), V(8), V(9), V(10), V(11), V(12), Null, V(13)]),
        List(vec![]),
        values(14..15),
    ];
    let entries = shred(&column, &rows);
    assert_eq!(entries.len(), 18);
    // Row 1 (entries 2..7) spans pages 0 and 1; row 3 (entries 8..16) spans pages 1, 2 and
    // 3, and page 2 starts no row at all.
    let cuts = [4, 10, 13];
    assert!(
        cuts.iter().all(|&c| entries[c].rep > 0),
        "each cut is inside a row"
    );
    let file = crafted(&column, pages_at(&column, &entries, &cuts), rows.len());
    let (_dir, path) = write("list-across-pages.parquet", &file);
    let expected = digest_of(&column, &rows);
    for window_rows in [1, 2, 1 << 20] {
        assert_agree(&path, &column, rows.len(), &expected, window_rows);
    }
}

#[test]
fn a_list_of_lists_whose_row_continues_inside_an_inner_list_agrees() {
    let column = int_list_list();
    let rows = vec![
        List(vec![List(vec![V(1), V(2)]), List(vec![V(3)])]),
        List(vec![
            List(vec![V(4), Null, V(5)]),
            List(vec![]),
            Null,
            List(vec![V(6), V(7), V(8), V(9)]),
        ]),
        Null,
        List(vec![List(vec![V(10)])]),
        List(vec![]),
    ];
    let entries = shred(&column, &rows);
    assert_eq!(entries.len(), 15);
    // Row 1 spans four pages: cut inside its first inner list (the next entry repeats at
    // level 2), before its empty inner list (level 1), and inside its last inner list.
    let cuts = [4, 6, 10];
    let reps: Vec<u32> = cuts.iter().map(|&c| entries[c].rep).collect();
    assert_eq!(reps, [2, 1, 2]);
    let file = crafted(&column, pages_at(&column, &entries, &cuts), rows.len());
    let (_dir, path) = write("list-of-lists-across-pages.parquet", &file);
    let expected = digest_of(&column, &rows);
    for window_rows in [1, 3, 1 << 20] {
        assert_agree(&path, &column, rows.len(), &expected, window_rows);
    }
}

/// Values in the huge row: runs of a thousand equal booleans.
fn huge_value(k: usize) -> bool {
    (k / 1_000).is_multiple_of(3)
}

#[test]
fn a_row_of_more_values_than_a_page_may_hold_spans_pages_and_agrees() {
    // `optional group flags (LIST) { repeated group list { required boolean element; } }`.
    let column = Column {
        optional: &[true, false],
        groups: vec![Group::list("flags"), Group::repeated("list")],
        leaf: "element",
        physical_type: 0,
    };
    const PAGE_CAP: usize = 1 << 24; // MAX_PAGE_VALUES in src/decode.rs
    let huge = PAGE_CAP + 5;
    // Row 0: [true, false]; row 1: `huge` values; row 2: null; row 3: [false].
    let head = [
        Entry {
            rep: 0,
            def: 2,
            value: Some(1),
        },
        Entry {
            rep: 1,
            def: 2,
            value: Some(0),
        },
    ];
    let huge_row = |from: usize, to: usize| {
        (from..to).map(|k| Entry {
            rep: u32::from(k > 0),
            def: 2,
            value: Some(i64::from(huge_value(k))),
        })
    };
    let tail = [
        Entry {
            rep: 0,
            def: 0,
            value: None,
        },
        Entry {
            rep: 0,
            def: 2,
            value: Some(0),
        },
    ];
    // The first page holds as many entries as a page may: row 0 and most of row 1.
    let first = PAGE_CAP - head.len();
    let pages = vec![
        data_page(
            &column,
            || head.iter().copied().chain(huge_row(0, first)),
            false,
        ),
        data_page(
            &column,
            || huge_row(first, huge).chain(tail.iter().copied()),
            false,
        ),
    ];
    assert_eq!(pages[0].num_values as usize, PAGE_CAP);
    let file = crafted(&column, pages, 4);
    assert!(
        file.len() < 200_000,
        "RLE keeps the file small: {} bytes",
        file.len()
    );
    let (_dir, path) = write("huge-row.parquet", &file);

    let expected = digest(4, |hasher| {
        hasher.update(&[1, 2, 0, 0, 0, 1, 1, 1, 0]);
        hasher.update(&[1]);
        hasher.update(&(huge as u32).to_le_bytes());
        let mut bytes = Vec::with_capacity(2 * huge);
        for k in 0..huge {
            bytes.extend_from_slice(&[1, u8::from(huge_value(k))]);
        }
        hasher.update(&bytes);
        hasher.update(&[0]);
        hasher.update(&[1, 1, 0, 0, 0, 1, 0]);
    });
    for window_rows in [1, 1 << 20] {
        assert_agree(&path, &column, 4, &expected, window_rows);
    }
}

/// Checks the file and expects the raw path to refuse it with one line naming `problem`: the
/// column is not verified (exit 2), whatever the arrow reader makes of it.
fn assert_raw_refuses(path: &str, column: &Column, problem: &str) {
    let output = run([
        "diff",
        path,
        "--columns",
        &column.path(),
        "--format",
        "json",
    ]);
    assert_no_panic(&output);
    let report = json(&output);
    let checked = &report["files"][0]["columns"][0];
    assert_eq!(code(&output), 2, "{checked:#}");
    assert!(
        ["path_failed", "unreadable"].contains(&checked["status"].as_str().unwrap()),
        "{checked:#}"
    );
    assert_eq!(checked["digests"]["raw"], serde_json::Value::Null);
    let error = checked["error"]
        .as_str()
        .unwrap_or_else(|| panic!("{checked:#}"));
    let raw = error
        .split("raw path: ")
        .nth(1)
        .unwrap_or_else(|| panic!("the raw path's error: {error:?}"));
    assert!(raw.contains(problem), "{raw:?} lacks {problem:?}");
    assert!(!error.contains('\n'), "one line: {error:?}");
    // Where the arrow reader decoded what the raw path found malformed, the finding says the
    // arrow reader accepted malformed bytes, not that the raw path broke.
    if checked["status"] == "path_failed" {
        let findings = report["files"][0]["findings"].as_array().unwrap();
        assert!(
            findings.iter().any(|f| f["kind"] == "path_failure"
                && f["message"]
                    .as_str()
                    .unwrap()
                    .contains("the arrow reader accepted bytes that break the format")),
            "{findings:#?}"
        );
    }
}

#[test]
fn a_repetition_level_that_continues_a_null_or_empty_list_is_refused() {
    let column = int_list();
    let entry = |rep, def, value| Entry { rep, def, value };
    // Row 0 is [1]; row 1 is null (def 0) or empty (def 1), and the next entry continues it,
    // on the same page or on the next one. (The parquet crate's arrow reader, version 60,
    // reads such levels without an error: the value that continues a null list is dropped,
    // and the empty list becomes [2].)
    for (def, cut) in [(0, None), (1, None), (0, Some(2)), (1, Some(2))] {
        let entries = [
            entry(0, 3, Some(1)),
            entry(0, def, None),
            entry(1, 3, Some(2)),
            entry(0, 3, Some(3)),
        ];
        let cuts: Vec<usize> = cut.into_iter().collect();
        let file = crafted(&column, pages_at(&column, &entries, &cuts), 3);
        let (_dir, path) = write("continues-nothing.parquet", &file);
        assert_raw_refuses(
            &path,
            &column,
            "continues a list that is null, empty or absent",
        );
    }
}

#[test]
fn a_chunk_that_starts_inside_a_row_is_refused() {
    let column = int_list();
    let entries = [
        Entry {
            rep: 1,
            def: 3,
            value: Some(1),
        },
        Entry {
            rep: 0,
            def: 3,
            value: Some(2),
        },
    ];
    let file = crafted(&column, pages_at(&column, &entries, &[]), 1);
    let (_dir, path) = write("starts-inside-a-row.parquet", &file);
    assert_raw_refuses(
        &path,
        &column,
        "starts with a repetition level other than 0",
    );
}
