//! `labelcheck diff NEW --against OLD.parquet --key COL`: rows matched by key, on real files
//! the tests write — shuffled and re-partitioned copies, added, removed and changed rows,
//! duplicate keys, the spill path under a tiny --max-memory, and no temporary file left,
//! also after SIGINT.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow_array::{ArrayRef, Int32Array, Int64Array, RecordBatch, StringArray};
use parquet::file::properties::WriterProperties;
use serde_json::{json, Value};

use common::{assert_valid, code, json, stderr, temp_dir};

/// One row: key, label (null when `None`), and a string label.
type Row = (i64, Option<i32>, &'static str);

/// Writes `rows` as columns `id` (INT64), `label` (INT32) and `class_label` (STRING), in
/// row groups of `group_rows`.
fn write(path: &Path, rows: &[Row], group_rows: usize) {
    let ids: ArrayRef = Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.0)));
    let labels: ArrayRef = Arc::new(Int32Array::from_iter(rows.iter().map(|r| r.1)));
    let classes: ArrayRef = Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.2)));
    let batch =
        RecordBatch::try_from_iter([("id", ids), ("label", labels), ("class_label", classes)])
            .unwrap();
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(group_rows))
        .build();
    common::write_batch(path, &batch, Some(properties));
}

/// `n` rows: id `i`, label `i % 3` (null every 50th), class `"cat"`/`"dog"`.
fn rows(n: i64) -> Vec<Row> {
    (0..n)
        .map(|i| {
            let label = (i % 50 != 7).then_some((i % 3) as i32);
            (i, label, if i % 2 == 0 { "cat" } else { "dog" })
        })
        .collect()
}

/// A fixed permutation of `rows`, so no test depends on a random generator.
fn shuffled(mut rows: Vec<Row>) -> Vec<Row> {
    let n = rows.len();
    for i in 0..n {
        let j = (i * 7919 + 13) % n;
        rows.swap(i, j);
    }
    rows
}

/// `labelcheck diff NEW --against OLD --key id EXTRA…`, in JSON unless EXTRA says.
fn keyed(new: &Path, old: &Path, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "diff".as_ref(),
        new.as_os_str(),
        "--against".as_ref(),
        old.as_os_str(),
        "--key".as_ref(),
        "id".as_ref(),
    ];
    if !extra.contains(&"--format") {
        args.extend(["--format", "json"].map(std::ffi::OsStr::new));
    }
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    common::run(args)
}

fn column<'a>(file: &'a Value, name: &str) -> &'a Value {
    file["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

#[test]
fn a_shuffled_and_repartitioned_copy_has_no_changes() {
    let dir = temp_dir();
    let (old, new) = (
        dir.path().join("old.parquet"),
        dir.path().join("new.parquet"),
    );
    write(&old, &rows(5000), 1000);
    write(&new, &shuffled(rows(5000)), 777);
    let output = keyed(&new, &old, &[]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    assert_valid(&report);
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "the older version's own check follows");
    assert_eq!(files[1]["path"], old.display().to_string());
    let diff = &files[0]["keyed_diff"];
    assert_eq!(diff["matched"], 5000);
    assert_eq!(
        (diff["added"].as_u64(), diff["removed"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(diff["changed"], 0);
    assert_eq!(diff["columns"], json!(["label", "class_label"]));
    for name in ["label", "class_label"] {
        let c = column(&files[0], name);
        assert_eq!(c["status"], "agree");
        assert_eq!(c["mismatches"], 0);
        // Every row kept its class: the matrix is its diagonal.
        let t = &c["transitions"];
        let counts = t["counts"].as_array().unwrap();
        for (i, row) in counts.iter().enumerate() {
            for (j, n) in row.as_array().unwrap().iter().enumerate() {
                assert!(i == j || n == 0, "{name}: {t}");
            }
        }
        assert_eq!(t["old"], t["new"]);
    }
    assert_eq!(
        column(&files[0], "label")["transitions"]["classes"],
        json!([0, 1, 2, null])
    );
    assert!(files[0]["mismatches"].as_array().unwrap().is_empty());
}

/// OLD: rows 0..3000; NEW, shuffled: row 5 and 2999 removed, ids 5000 and 5001 added, the
/// label of ids 10 (1 → 2), 20 (2 → null) and 100 (1 → 0) changed, the class of id 30.
fn write_changed(dir: &Path) -> (PathBuf, PathBuf) {
    let old_rows = rows(3000);
    let mut new_rows: Vec<Row> = old_rows
        .iter()
        .filter(|r| r.0 != 5 && r.0 != 2999)
        .map(|&(id, label, class)| match id {
            10 => (id, Some(2), class),
            20 => (id, None, class),
            100 => (id, Some(0), class),
            30 => (id, label, "bird"),
            _ => (id, label, class),
        })
        .collect();
    new_rows.push((5000, Some(1), "cat"));
    new_rows.push((5001, Some(0), "dog"));
    let new_rows = shuffled(new_rows);
    let (old, new) = (dir.join("old.parquet"), dir.join("new.parquet"));
    write(&old, &old_rows, 1000);
    write(&new, &new_rows, 640);
    (new, old)
}

/// The row of `id` in the rows NEW was written from.
fn new_row_of(id: i64) -> u64 {
    let old_rows = rows(3000);
    let mut new_ids: Vec<i64> = old_rows
        .iter()
        .filter(|r| r.0 != 5 && r.0 != 2999)
        .map(|r| r.0)
        .collect();
    new_ids.push(5000);
    new_ids.push(5001);
    let ids: Vec<i64> = shuffled(new_ids.iter().map(|&i| (i, None, "")).collect())
        .iter()
        .map(|r| r.0)
        .collect();
    ids.iter().position(|&i| i == id).unwrap() as u64
}

#[test]
fn added_removed_and_changed_rows_are_found_exactly_with_the_transition_matrix() {
    let dir = temp_dir();
    let (new, old) = write_changed(dir.path());
    let output = keyed(&new, &old, &[]);
    assert_eq!(
        code(&output),
        1,
        "a change fails the run: {}",
        stderr(&output)
    );
    let report = json(&output);
    assert_valid(&report);
    let file = &report["files"][0];
    let diff = &file["keyed_diff"];
    assert_eq!(diff["matched"], 2998);
    assert_eq!(diff["added"], 2);
    assert_eq!(diff["removed"], 2);
    assert_eq!(diff["changed"], 4, "ids 10, 20, 100 and 30");

    let label = column(file, "label");
    assert_eq!(label["status"], "changed");
    assert_eq!(label["mismatch_kinds"]["changed"], 3);
    assert_eq!(label["mismatch_kinds"]["added"], 2);
    assert_eq!(label["mismatch_kinds"]["removed"], 2);
    assert_eq!(label["mismatches"], 7);
    let t = &label["transitions"];
    assert_eq!(t["classes"], json!([0, 1, 2, null]));
    // Old rows by class: ids 0..3000 with i % 3, null at i % 50 == 7.
    let old_class = |i: i64| if i % 50 == 7 { 3 } else { (i % 3) as usize };
    let mut expected = vec![vec![0u64; 4]; 4];
    for i in 0..3000 {
        if i == 5 || i == 2999 {
            continue;
        }
        let new_class = match i {
            10 => 2,
            20 => 3,
            100 => 0,
            _ => old_class(i),
        };
        expected[old_class(i)][new_class] += 1;
    }
    assert_eq!(t["counts"], json!(expected));
    assert_eq!(t["counts"][1][2], 1, "id 10: 1 → 2");
    assert_eq!(t["counts"][2][3], 1, "id 20: 2 → null");
    assert_eq!(t["counts"][1][0], 1, "id 100: 1 → 0");
    // Removed: ids 5 (class 2) and 2999 (class 2); added: 5000 (1) and 5001 (0).
    assert_eq!(t["removed"], json!([0, 0, 2, 0]));
    assert_eq!(t["added"], json!([1, 1, 0, 0]));

    let class = column(file, "class_label");
    assert_eq!(class["mismatch_kinds"]["changed"], 1);
    assert_eq!(
        class["transitions"]["classes"],
        json!(["bird", "cat", "dog"])
    );
    assert_eq!(class["transitions"]["counts"][1][0], 1, "id 30: cat → bird");

    // Listed: new rows in NEW's row order, each row's columns in order, then removed rows
    // in OLD's row order.
    let listed: Vec<(String, u64, String, Value)> = file["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            assert_eq!(m["fault"], "change");
            (
                m["kind"].as_str().unwrap().to_owned(),
                m["row"].as_u64().unwrap(),
                m["column"].as_str().unwrap().to_owned(),
                m["key"][0]["value"].clone(),
            )
        })
        .collect();
    let mut new_side: Vec<(String, u64, String, Value)> = vec![
        ("changed".into(), new_row_of(10), "label".into(), json!(10)),
        ("changed".into(), new_row_of(20), "label".into(), json!(20)),
        (
            "changed".into(),
            new_row_of(100),
            "label".into(),
            json!(100),
        ),
        (
            "changed".into(),
            new_row_of(30),
            "class_label".into(),
            json!(30),
        ),
    ];
    for id in [5000, 5001] {
        for c in ["label", "class_label"] {
            new_side.push(("added".into(), new_row_of(id), c.into(), json!(id)));
        }
    }
    new_side.sort_by_key(|(_, row, c, _)| (*row, c != "label"));
    let mut expected = new_side;
    for (row, id) in [(5, 5), (2999, 2999)] {
        for c in ["label", "class_label"] {
            expected.push(("removed".into(), row, c.into(), json!(id)));
        }
    }
    assert_eq!(listed, expected);
    let first_change = file["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["key"][0]["value"] == 20)
        .unwrap();
    assert_eq!(
        first_change["values"],
        json!({"arrow": null, "raw": null, "old": 2})
    );
    let removed = file["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "removed" && m["column"] == "class_label")
        .unwrap();
    assert_eq!(removed["values"], json!({"old": "dog"}), "id 5");

    // --max-listed bounds the list, the counts stay exact.
    let output = keyed(&new, &old, &["--max-listed", "3"]);
    let report = json(&output);
    let file = &report["files"][0];
    assert_eq!(file["mismatches"].as_array().unwrap().len(), 3);
    assert_eq!(file["mismatches_truncated"], true);
    assert_eq!(column(file, "label")["mismatches"], 7);

    // --fail-on never: the report is the same, the exit code 0.
    assert_eq!(code(&keyed(&new, &old, &["--fail-on", "never"])), 0);

    // The text report names the keys.
    let text = common::run([
        "diff".as_ref(),
        new.as_os_str(),
        "--against".as_ref(),
        old.as_os_str(),
        "--key".as_ref(),
        "id".as_ref(),
    ]);
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(out.contains("key id=10: label changed"), "{out}");
    let summary = format!(
        "  by key id against {}: 2998 rows matched, 4 changed, 2 added, 2 removed",
        old.display()
    );
    assert!(out.lines().any(|l| l == summary), "{out}");
    assert!(
        out.contains("old row 5 (row group 0, row 5) key id=5: label removed"),
        "{out}"
    );
}

#[test]
fn a_tiny_max_memory_spills_into_many_partitions_with_the_same_result() {
    let dir = temp_dir();
    let (new, old) = write_changed(dir.path());
    let strip = |mut report: Value| {
        let diff = report["files"][0]["keyed_diff"].take();
        (report, diff)
    };
    let (whole, whole_diff) = strip(json(&keyed(&new, &old, &[])));
    let (spilled, spilled_diff) = strip(json(&keyed(&new, &old, &["--max-memory", "2K"])));
    assert_eq!(whole_diff["partitions"], 1);
    assert!(
        spilled_diff["partitions"].as_u64().unwrap() > 16,
        "split again below the first partitioning: {spilled_diff}"
    );
    assert!(spilled_diff["spilled_bytes"].as_u64() > whole_diff["spilled_bytes"].as_u64());
    assert_eq!(spilled, whole);
    for field in ["matched", "added", "removed", "changed"] {
        assert_eq!(spilled_diff[field], whole_diff[field]);
    }
}

#[test]
fn a_key_twice_in_either_file_is_an_error_naming_the_keys_and_the_file() {
    let dir = temp_dir();
    let old = dir.path().join("old.parquet");
    let new = dir.path().join("new.parquet");
    write(&old, &rows(1000), 300);
    let mut doubled = rows(1000);
    doubled[400].0 = 17;
    doubled[900].0 = 17;
    doubled[901].0 = 42;
    write(&new, &doubled, 300);

    let output = keyed(&new, &old, &[]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    let report = json(&output);
    assert_valid(&report);
    let error = report["files"][0]["error"].as_str().unwrap();
    assert_eq!(
        error,
        "duplicate keys (2 repeated): (id=17) at rows 17 and 400, (id=42) at rows 42 and 901; a keyed diff needs each key once"
    );
    assert_eq!(report["files"][1]["error"], Value::Null);
    let log = stderr(&output);
    let line = format!("labelcheck: {}: {error}", new.display());
    assert!(log.lines().any(|l| l == line), "{log}");

    // The other way round, the older version is named.
    let output = keyed(&old, &new, &[]);
    assert_eq!(code(&output), 2);
    let report = json(&output);
    assert_eq!(report["files"][0]["error"], Value::Null);
    assert!(report["files"][1]["error"]
        .as_str()
        .unwrap()
        .starts_with("duplicate keys (2 repeated): (id=17) at rows 17 and 400"));

    // Found the same when the partitions are split to their last level.
    let output = keyed(&new, &old, &["--max-memory", "1K"]);
    assert_eq!(json(&output)["files"][0]["error"], error);
}

#[test]
fn a_key_column_the_older_version_lacks_or_a_nested_one_is_an_error() {
    let dir = temp_dir();
    let old = dir.path().join("old.parquet");
    write(&old, &rows(10), 10);
    let output = common::run([
        "diff".as_ref(),
        old.as_os_str(),
        "--against".as_ref(),
        old.as_os_str(),
        "--key".as_ref(),
        "nope".as_ref(),
    ]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("--key: no column named \"nope\""),
        "{}",
        stderr(&output)
    );
    // --key needs --against.
    let output = common::run([
        "diff".as_ref(),
        old.as_os_str(),
        "--key".as_ref(),
        "id".as_ref(),
    ]);
    assert_eq!(code(&output), 2);
    // … and a Parquet file there, not a dump.
    let dump = dir.path().join("labels.csv");
    std::fs::write(&dump, "label\n1\n").unwrap();
    let output = common::run([
        "diff".as_ref(),
        old.as_os_str(),
        "--against".as_ref(),
        dump.as_os_str(),
        "--key".as_ref(),
        "id".as_ref(),
    ]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("--against must name a Parquet file"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn composite_string_keys_match_across_row_groups() {
    let dir = temp_dir();
    let write_pairs = |path: &Path, rows: &[(&str, i64, i32)], group_rows: usize| {
        let shard: ArrayRef = Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.0)));
        let id: ArrayRef = Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.1)));
        let label: ArrayRef = Arc::new(Int32Array::from_iter_values(rows.iter().map(|r| r.2)));
        let batch =
            RecordBatch::try_from_iter([("shard", shard), ("id", id), ("label", label)]).unwrap();
        let properties = WriterProperties::builder()
            .set_max_row_group_row_count(Some(group_rows))
            .build();
        common::write_batch(path, &batch, Some(properties));
    };
    // (a, 1) and (b, 1) are different rows; ("a1", ...) would collide with a plain
    // concatenation of the key's text, which the canonical bytes' lengths prevent.
    let old_rows = [("a", 1, 0), ("b", 1, 1), ("a", 2, 1), ("a1", 1, 0)];
    let new_rows = [("a1", 1, 0), ("a", 2, 1), ("b", 1, 0), ("a", 1, 0)];
    let (old, new) = (
        dir.path().join("old.parquet"),
        dir.path().join("new.parquet"),
    );
    write_pairs(&old, &old_rows, 3);
    write_pairs(&new, &new_rows, 2);
    let output = common::run([
        "diff".as_ref(),
        new.as_os_str(),
        "--against".as_ref(),
        old.as_os_str(),
        "--key".as_ref(),
        "shard,id".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let report = json(&output);
    assert_valid(&report);
    let file = &report["files"][0];
    assert_eq!(file["keyed_diff"]["matched"], 4, "{}", stderr(&output));
    assert_eq!(file["keyed_diff"]["changed"], 1);
    let m = &file["mismatches"][0];
    assert_eq!(
        m["key"],
        json!([{"column": "shard", "value": "b"}, {"column": "id", "value": 1}])
    );
    assert_eq!(
        (m["row"].as_u64(), m["row_group"].as_u64()),
        (Some(2), Some(1))
    );
}

/// The `labelcheck-keyed-*` spill directories in `dir`.
fn spill_dirs(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("labelcheck-keyed-"))
        })
        .collect()
}

#[test]
fn no_spill_file_is_left_after_a_run() {
    let dir = temp_dir();
    let (new, old) = write_changed(dir.path());
    let tmp = temp_dir();
    for extra in [&[][..], &["--max-memory", "2K"][..]] {
        let output = Command::new(common::bin())
            .args([
                "diff".as_ref(),
                new.as_os_str(),
                "--against".as_ref(),
                old.as_os_str(),
            ])
            .args(["--key", "id"])
            .args(extra)
            .env("TMPDIR", tmp.path())
            .output()
            .unwrap();
        assert_eq!(code(&output), 1, "{}", stderr(&output));
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    }
}

#[cfg(unix)]
#[test]
fn sigint_during_the_diff_removes_the_spill_directory_and_ends_the_run_by_that_signal() {
    use std::os::unix::process::ExitStatusExt;

    let dir = temp_dir();
    let n = 3_000_000;
    let old_rows: Vec<Row> = (0..n).map(|i| (i, Some((i % 3) as i32), "cat")).collect();
    let (old, new) = (
        dir.path().join("old.parquet"),
        dir.path().join("new.parquet"),
    );
    write(&old, &old_rows, 1 << 20);
    write(&new, &shuffled(old_rows), 1 << 19);
    let tmp = temp_dir();
    let mut child = Command::new(common::bin())
        .args([
            "diff".as_ref(),
            new.as_os_str(),
            "--against".as_ref(),
            old.as_os_str(),
        ])
        .args(["--key", "id", "--max-memory", "64K", "--columns", "label"])
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while spill_dirs(tmp.path()).is_empty() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended ({status}) before its spill directory appeared");
        }
        assert!(Instant::now() < deadline, "no spill directory after 120 s");
        std::thread::sleep(Duration::from_millis(2));
    }
    // Let it write some spill files first.
    std::thread::sleep(Duration::from_millis(100));
    let killed = Command::new("kill")
        .arg("-INT")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(2), "{status}");
    assert_eq!(spill_dirs(tmp.path()), Vec::<PathBuf>::new());
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn every_format_carries_the_keyed_diff_and_ndjson_lines_follow_the_schema() {
    let dir = temp_dir();
    let (new, old) = write_changed(dir.path());
    let mut schema = common::report_schema();
    let object = schema.as_object_mut().unwrap();
    object.retain(|key, _| key.starts_with('$'));
    object.insert("$ref".into(), "#/$defs/ndjson_line".into());
    let validator = jsonschema::validator_for(&schema).unwrap();
    let output = keyed(&new, &old, &["--format", "ndjson"]);
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for line in &lines {
        let errors: Vec<String> = validator.iter_errors(line).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{line}: {errors:?}");
    }
    let file = lines.iter().find(|l| l["type"] == "file").unwrap();
    assert_eq!(file["keyed_diff"]["changed"], 4);
    let keyed_lines = lines.iter().filter(|l| l["key"].is_array()).count();
    assert_eq!(
        keyed_lines, 12,
        "4 changed, 2 added and 2 removed rows' columns"
    );

    // The other formats render the changes without failing.
    for format in ["csv", "junit", "html", "text"] {
        let output = keyed(&new, &old, &["--format", format]);
        assert_eq!(code(&output), 1, "{format}: {}", stderr(&output));
        assert!(!output.stdout.is_empty(), "{format}");
    }
}

#[test]
fn a_row_larger_than_the_bound_is_still_joined_and_a_bound_below_1k_is_refused() {
    let dir = temp_dir();
    let long_old: &'static str = Box::leak("a".repeat(3000).into_boxed_str());
    let long_new: &'static str = Box::leak("b".repeat(3000).into_boxed_str());
    let (old, new) = (
        dir.path().join("old.parquet"),
        dir.path().join("new.parquet"),
    );
    write(&old, &[(1, Some(0), long_old), (2, Some(1), "cat")], 2);
    write(&new, &[(2, Some(1), "cat"), (1, Some(0), long_new)], 2);
    let strip = |mut report: Value| {
        let diff = report["files"][0]["keyed_diff"].take();
        (report, diff)
    };
    let (whole, whole_diff) = strip(json(&keyed(&new, &old, &[])));
    let (tiny, tiny_diff) = strip(json(&keyed(&new, &old, &["--max-memory", "1K"])));
    assert_eq!(whole_diff["changed"], 1);
    assert_eq!(tiny_diff["changed"], 1, "{tiny_diff}");
    assert_eq!(tiny, whole);
    let output = keyed(&new, &old, &["--max-memory", "1000"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("--max-memory must be at least 1K"));
}

#[test]
fn a_keyed_report_read_back_renders_its_binary_keys_as_the_run_did() {
    use arrow_array::BinaryArray;
    use labelcheck::report::{self, Format, Report, WriterOptions};

    let dir = temp_dir();
    let write_keys = |path: &Path, rows: &[(&[u8], i32)]| {
        let key: ArrayRef = Arc::new(BinaryArray::from_iter_values(rows.iter().map(|r| r.0)));
        let label: ArrayRef = Arc::new(Int32Array::from_iter_values(rows.iter().map(|r| r.1)));
        let batch = RecordBatch::try_from_iter([("key", key), ("label", label)]).unwrap();
        common::write_batch(path, &batch, None);
    };
    let (old, new) = (
        dir.path().join("old.parquet"),
        dir.path().join("new.parquet"),
    );
    write_keys(&old, &[(&[0xff, 0x01], 0), (&[0x02], 1)]);
    write_keys(&new, &[(&[0x02], 1), (&[0xff, 0x01], 1)]);
    let run = |format: &str| {
        common::run([
            "diff".as_ref(),
            new.as_os_str(),
            "--against".as_ref(),
            old.as_os_str(),
            "--key".as_ref(),
            "key".as_ref(),
            "--format".as_ref(),
            format.as_ref(),
            "--color".as_ref(),
            "never".as_ref(),
        ])
        .stdout
    };
    let json = String::from_utf8(run("json")).unwrap();
    let report = Report::read(&json).unwrap();
    let mut writer = report::writer(
        Format::Text,
        WriterOptions {
            fail_on: report.summary.fail_on,
            color: false,
        },
    );
    let mut text = Vec::new();
    report::write(&report, writer.as_mut(), &mut text).unwrap();
    let direct = String::from_utf8(run("text")).unwrap();
    assert!(direct.contains("key key=0xff01: label changed"), "{direct}");
    assert_eq!(String::from_utf8(text).unwrap(), direct);
}
