//! `labelcheck hash` and `verify` on real files: a lock is the same bytes when regenerated,
//! survives re-encoding (and, keyed, shuffling and re-partitioning), and names what changed.

mod common;

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use common::{code, run, stderr, temp_dir, write_batch};
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use serde_json::Value;

const ROWS: i64 = 200_000;

/// Rows `0..ROWS`: an id, a string class, a boolean and a float score, with nulls.
fn labels(order: &[i64], flip: Option<i64>) -> RecordBatch {
    let class = |i: i64| match i % 7 {
        0 => None,
        1 | 2 => Some("dog"),
        _ => Some("cat"),
    };
    let id = Int64Array::from(order.to_vec());
    let species = StringArray::from(
        order
            .iter()
            .map(|&i| {
                let c = class(i);
                if Some(i) == flip {
                    c.map(|c| if c == "dog" { "cat" } else { "dog" })
                } else {
                    c
                }
            })
            .collect::<Vec<_>>(),
    );
    let is_pet = BooleanArray::from(order.iter().map(|&i| i % 3 != 0).collect::<Vec<_>>());
    let score = Float64Array::from(
        order
            .iter()
            .map(|&i| ((i * 7919) % 1000) as f64 / 997.0)
            .collect::<Vec<_>>(),
    );
    RecordBatch::try_from_iter([
        ("id", Arc::new(id) as ArrayRef),
        ("label", Arc::new(species) as ArrayRef),
        ("is_pet_label", Arc::new(is_pet) as ArrayRef),
        ("score_target", Arc::new(score) as ArrayRef),
    ])
    .unwrap()
}

fn in_order() -> Vec<i64> {
    (0..ROWS).collect()
}

/// A fixed permutation of the rows (a linear congruential shuffle: no RNG crate needed).
fn shuffled() -> Vec<i64> {
    let mut order = in_order();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for i in (1..order.len()).rev() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let j = (state >> 33) as usize % (i + 1);
        order.swap(i, j);
    }
    order
}

fn props() -> WriterProperties {
    WriterProperties::builder()
        .set_max_row_group_row_count(Some(50_000))
        .build()
}

/// The same values, laid out otherwise: other row groups, small pages, plain and delta
/// encodings, zstd.
fn other_layout() -> WriterProperties {
    WriterProperties::builder()
        .set_max_row_group_row_count(Some(17_000))
        .set_data_page_row_count_limit(999)
        .set_write_batch_size(999)
        .set_dictionary_enabled(false)
        .set_column_encoding("id".into(), Encoding::DELTA_BINARY_PACKED)
        .set_column_encoding("label".into(), Encoding::DELTA_BYTE_ARRAY)
        .set_statistics_enabled(EnabledStatistics::None)
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .build()
}

fn write(path: &Path, batch: &RecordBatch, properties: WriterProperties) {
    write_batch(path, batch, Some(properties));
}

fn hash(args: &[&str]) -> std::process::Output {
    let mut all = vec!["hash", "--quiet"];
    all.extend_from_slice(args);
    run(all)
}

fn verify_json(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["verify", "--quiet", "--format", "json"];
    all.extend_from_slice(args);
    let out = run(all);
    let code = code(&out);
    let value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(&out)
        )
    });
    (code, value)
}

/// Fails unless `value` follows docs/lock.schema.json: the lock itself, or with `def` one of
/// its `$defs` (`verification`).
fn assert_valid_lock(value: &Value, def: Option<&str>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/lock.schema.json");
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    if let Some(def) = def {
        schema["$ref"] = Value::String(format!("#/$defs/{def}"));
        for key in ["required", "properties", "additionalProperties", "type"] {
            schema.as_object_mut().unwrap().remove(key);
        }
    }
    let validator = jsonschema::validator_for(&schema).expect("valid JSON Schema");
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "not as docs/lock.schema.json says:\n{}\n{value:#}",
        errors.join("\n")
    );
}

/// The lock at `path`, checked against its schema.
fn read_lock(path: &Path) -> Value {
    let lock = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    assert_valid_lock(&lock, None);
    lock
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn verdicts(report: &Value) -> &Vec<Value> {
    report["columns"].as_array().unwrap()
}

fn verdict<'a>(report: &'a Value, column: &str) -> &'a Value {
    verdicts(report)
        .iter()
        .find(|c| c["column"] == column)
        .unwrap_or_else(|| panic!("no verdict for {column}: {report:#}"))
}

#[test]
fn a_lock_regenerated_is_the_same_bytes_whatever_the_threads() {
    let dir = temp_dir();
    let data = dir.path().join("data.parquet");
    write(&data, &labels(&in_order(), None), props());
    let (one, two) = (dir.path().join("one.lock"), dir.path().join("two.lock"));
    for (lock, threads) in [(&one, "1"), (&two, "2")] {
        let out = hash(&[
            path(&data),
            "--threads",
            threads,
            "--window-rows",
            "3000",
            "-o",
            path(lock),
        ]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let (a, b) = (std::fs::read(&one).unwrap(), std::fs::read(&two).unwrap());
    assert_eq!(a, b, "regenerated lock differs");
    let lock = read_lock(&one);
    assert_eq!(lock["lock_version"], 1);
    // Paths are relative to the lock's directory, so data and lock move together.
    assert_eq!(lock["files"][0]["path"], "data.parquet");
    let names: Vec<&str> = lock["files"][0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["column"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["label", "is_pet_label", "score_target"]);
    // Blocks: 200,000 rows are 4 blocks of 65,536.
    assert_eq!(
        lock["files"][0]["columns"][0]["blocks"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    // To stdout, the same lock but for the path as given.
    let out = hash(&[path(&data)]);
    assert_eq!(code(&out), 0);
    let stdout: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stdout["files"][0]["columns"], lock["files"][0]["columns"]);
}

#[test]
fn verify_passes_on_the_same_labels_written_otherwise_and_names_the_block_of_a_flip() {
    let dir = temp_dir();
    let (data, lock) = (
        dir.path().join("data.parquet"),
        dir.path().join("labels.lock"),
    );
    write(&data, &labels(&in_order(), None), props());
    assert_eq!(code(&hash(&[path(&data), "-o", path(&lock)])), 0);

    let rewritten = dir.path().join("rewritten.parquet");
    write(&rewritten, &labels(&in_order(), None), other_layout());
    let (status, report) = verify_json(&[path(&lock), path(&rewritten)]);
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(report["summary"]["changed"], 0);
    assert!(verdicts(&report).iter().all(|c| c["state"] == "unchanged"));

    // Verify with no FILE reads the lock's own files.
    let (status, _) = verify_json(&[path(&lock)]);
    assert_eq!(status, 0);

    // Row 70,000 (a "dog" or "cat") flipped: block 1, rows 65,536 to 131,071.
    let flipped = dir.path().join("flipped.parquet");
    let row = 70_001; // i % 7 == 1: a dog
    write(&flipped, &labels(&in_order(), Some(row)), other_layout());
    let (status, report) = verify_json(&[path(&lock), path(&flipped)]);
    assert_eq!(status, 1, "{report:#}");
    let label = verdict(&report, "label");
    assert_eq!(label["state"], "changed");
    assert_eq!(
        label["changed_blocks"],
        serde_json::json!([{"block": 1, "first": 65536, "last": 131071}])
    );
    assert_eq!(verdict(&report, "is_pet_label")["state"], "unchanged");
    // Allowed changes pass, and are still reported.
    let (status, report) = verify_json(&[path(&lock), path(&flipped), "--allow-changes"]);
    assert_eq!(status, 0);
    assert_eq!(report["summary"]["changed"], 1);
    // The text report names the rows.
    let out = run(["verify", "-q", path(&lock), path(&flipped)]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("label: CHANGED; changed rows 65536-131071; drift 0.000005"),
        "{text}"
    );
    assert!(text.contains("FAILED"), "{text}");
}

#[test]
fn a_row_count_change_and_a_missing_column_fail() {
    let dir = temp_dir();
    let (data, lock) = (
        dir.path().join("data.parquet"),
        dir.path().join("labels.lock"),
    );
    write(&data, &labels(&in_order(), None), props());
    assert_eq!(code(&hash(&[path(&data), "-o", path(&lock)])), 0);
    let shorter = dir.path().join("shorter.parquet");
    let batch = labels(&in_order(), None);
    write(&shorter, &batch.slice(0, 150_000), props());
    let (status, report) = verify_json(&[path(&lock), path(&shorter)]);
    assert_eq!(status, 1);
    let label = verdict(&report, "label");
    assert_eq!(
        label["rows"],
        serde_json::json!({"locked": 200000, "now": 150000})
    );
    // Blocks 2 and 3 differ (block 2 is partial now, block 3 gone).
    let blocks: Vec<u64> = label["changed_blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["block"].as_u64().unwrap())
        .collect();
    assert_eq!(blocks, [2, 3]);

    let fewer = dir.path().join("fewer.parquet");
    let batch = labels(&in_order(), None);
    write(&fewer, &batch.project(&[0, 1, 3]).unwrap(), props());
    let (status, report) = verify_json(&[path(&lock), path(&fewer)]);
    assert_eq!(status, 1);
    assert_eq!(verdict(&report, "is_pet_label")["state"], "missing");
    assert_eq!(verdict(&report, "label")["state"], "unchanged");
}

#[test]
fn a_keyed_lock_passes_shuffled_and_repartitioned_copies_and_names_the_changed_bucket() {
    let dir = temp_dir();
    let (data, lock) = (
        dir.path().join("data.parquet"),
        dir.path().join("keyed.lock"),
    );
    write(&data, &labels(&in_order(), None), props());
    let out = hash(&[path(&data), "--key", "id", "-o", path(&lock)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let locked = read_lock(&lock);
    assert_eq!(locked["key"], serde_json::json!(["id"]));
    // The key is checked, not locked as a label.
    assert!(locked["files"][0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["column"] != "id"));

    // Shuffled, and split into three files of other sizes and layouts.
    let order = shuffled();
    let batch = labels(&order, None);
    let parts = [(0, 80_000), (80_000, 20_000), (100_000, 100_000)];
    let mut files = Vec::new();
    for (i, (offset, len)) in parts.iter().enumerate() {
        let part = dir.path().join(format!("part-{i}.parquet"));
        write(&part, &batch.slice(*offset, *len), other_layout());
        files.push(part);
    }
    let mut args = vec![path(&lock)];
    args.extend(files.iter().map(|f| path(f)));
    let (status, report) = verify_json(&args);
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(report["matched_by"], "key");
    assert_eq!(verdict(&report, "label")["state"], "unchanged");

    // One label changed, somewhere in the shuffled files.
    let row = 123_457; // i % 7 == 1: a dog, now a cat
    let changed = labels(&order, Some(row));
    for (i, (offset, len)) in parts.iter().enumerate() {
        write(&files[i], &changed.slice(*offset, *len), other_layout());
    }
    let (status, report) = verify_json(&args);
    assert_eq!(status, 1, "{report:#}");
    let label = verdict(&report, "label");
    assert_eq!(label["state"], "changed");
    // Its bucket is the one its key falls in (FINGERPRINT.md, "Keyed fingerprints"): the
    // key's canonical row bytes are 01 and the id's eight little-endian bytes.
    let mut key = vec![1u8];
    key.extend_from_slice(&row.to_le_bytes());
    let bucket = labelcheck::keyed::bucket_of(&key);
    assert_eq!(label["changed_buckets"], serde_json::json!([bucket]));
    assert_eq!(verdict(&report, "is_pet_label")["state"], "unchanged");
}

#[test]
fn drift_is_measured_and_the_threshold_holds_at_its_value() {
    // 1,000 rows, 500 true: then 600 true. Total variation distance: 0.1.
    let dir = temp_dir();
    let write_bools = |path: &Path, trues: usize| {
        let values: Vec<bool> = (0..1000).map(|i| i < trues).collect();
        let batch = RecordBatch::try_from_iter([(
            "label",
            Arc::new(BooleanArray::from(values)) as ArrayRef,
        )])
        .unwrap();
        write(path, &batch, props());
    };
    let (old, new, lock) = (
        dir.path().join("old.parquet"),
        dir.path().join("new.parquet"),
        dir.path().join("labels.lock"),
    );
    write_bools(&old, 500);
    write_bools(&new, 600);
    assert_eq!(code(&hash(&[path(&old), "-o", path(&lock)])), 0);
    let (status, report) = verify_json(&[
        path(&lock),
        path(&new),
        "--allow-changes",
        "--max-drift",
        "0.1",
    ]);
    assert_eq!(status, 0, "{report:#}");
    let drift = &verdict(&report, "label")["drift"];
    assert!(
        (drift["distance"].as_f64().unwrap() - 0.1).abs() < 1e-12,
        "{drift}"
    );
    let (status, report) = verify_json(&[
        path(&lock),
        path(&new),
        "--allow-changes",
        "--max-drift",
        "0.09",
    ]);
    assert_eq!(status, 1);
    assert_eq!(report["summary"]["drifted"], 1);
    // Without --allow-changes the change fails whatever the drift allows.
    let (status, _) = verify_json(&[path(&lock), path(&new), "--max-drift", "0.5"]);
    assert_eq!(status, 1);
    let out = run([
        "verify",
        "-q",
        path(&lock),
        path(&new),
        "--max-drift",
        "1.5",
    ]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--max-drift 1.5"), "{}", stderr(&out));
}

#[test]
fn a_csv_source_lock_equals_the_parquet_lock() {
    let dir = temp_dir();
    let data = dir.path().join("data.parquet");
    let batch = labels(&in_order(), None);
    write(&data, &batch, props());
    let csv = dir.path().join("source.csv");
    let mut text = String::from("id,label,is_pet_label,score_target\n");
    let ids = batch
        .column(0)
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap();
    let label = batch
        .column(1)
        .as_any()
        .downcast_ref::<StringArray>()
        .unwrap();
    let pet = batch
        .column(2)
        .as_any()
        .downcast_ref::<BooleanArray>()
        .unwrap();
    let score = batch
        .column(3)
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap();
    for i in 0..batch.num_rows() {
        use arrow_array::Array;
        let l = if label.is_null(i) { "" } else { label.value(i) };
        text.push_str(&format!(
            "{},{l},{},{:?}\n",
            ids.value(i),
            pet.value(i),
            score.value(i)
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let (from_parquet, from_csv) = (dir.path().join("p.lock"), dir.path().join("c.lock"));
    let out = hash(&[path(&data), "--key", "id", "-o", path(&from_parquet)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = hash(&[
        "--csv",
        path(&csv),
        "--like",
        path(&data),
        "--key",
        "id",
        "-o",
        path(&from_csv),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (p, c) = (read_lock(&from_parquet), read_lock(&from_csv));
    assert_eq!(c["source"], "csv");
    assert_eq!(p["files"][0]["columns"], c["files"][0]["columns"]);
    assert_eq!(p["dataset"], c["dataset"]);
    // So the source's lock verifies the file written from it.
    let (status, report) = verify_json(&[path(&from_csv), path(&data)]);
    assert_eq!(status, 0, "{report:#}");

    // A source value the file does not hold: the lock of the CSV differs where it does.
    let changed = std::fs::read_to_string(&csv)
        .unwrap()
        .replacen("\n1,dog,", "\n1,cat,", 1);
    std::fs::write(&csv, changed).unwrap();
    let out = hash(&[
        "--csv",
        path(&csv),
        "--like",
        path(&data),
        "-o",
        path(&from_csv),
    ]);
    assert_eq!(code(&out), 0);
    let (status, report) = verify_json(&[path(&from_csv), path(&data)]);
    assert_eq!(status, 1);
    assert_eq!(
        verdict(&report, "label")["changed_blocks"],
        serde_json::json!([{"block": 0, "first": 0, "last": 65535}])
    );
    // A value the column's type cannot hold writes no lock.
    let bad = std::fs::read_to_string(&csv)
        .unwrap()
        .replacen("\n1,cat,true", "\n1,cat,maybe", 1);
    std::fs::write(&csv, bad).unwrap();
    let lock = dir.path().join("bad.lock");
    let out = hash(&[
        "--csv",
        path(&csv),
        "--like",
        path(&data),
        "-o",
        path(&lock),
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("no lock written"), "{}", stderr(&out));
    assert!(!lock.exists());
}

#[test]
fn lock_usage_errors_are_one_line_and_leave_nothing() {
    let dir = temp_dir();
    let data = dir.path().join("data.parquet");
    write(&data, &labels(&in_order(), None), props());
    // The lock over its own input.
    let out = hash(&[path(&data), "-o", path(&data)]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("refusing"), "{}", stderr(&out));
    // A key that is not there.
    let lock = dir.path().join("x.lock");
    let out = hash(&[path(&data), "--key", "nope", "-o", path(&lock)]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--key"), "{}", stderr(&out));
    assert!(!lock.exists(), "a refused lock leaves no file");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );
    // Not a lock; a lock of a later version.
    let out = run(["verify", path(&data)]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("not a labelcheck lock"),
        "{}",
        stderr(&out)
    );
    std::fs::write(&lock, r#"{"lock_version": 99}"#).unwrap();
    let out = run(["verify", path(&lock)]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("lock version 99 is newer"),
        "{}",
        stderr(&out)
    );
    // A positional lock of one file with two files given.
    assert_eq!(code(&hash(&[path(&data), "-o", path(&lock)])), 0);
    let out = run(["verify", path(&lock), path(&data), path(&data)]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("give as many FILEs"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
}

#[test]
fn a_column_whose_type_differs_between_files_is_two_dataset_columns() {
    use arrow_array::Int32Array;
    let dir = temp_dir();
    let (narrow, wide) = (dir.path().join("a.parquet"), dir.path().join("b.parquet"));
    let batch = |array: ArrayRef| RecordBatch::try_from_iter([("label", array)]).unwrap();
    write(
        &narrow,
        &batch(Arc::new(Int32Array::from(vec![0, 1, 1]))),
        props(),
    );
    write(
        &wide,
        &batch(Arc::new(Int64Array::from(vec![0, 1, 1]))),
        props(),
    );
    let lock = dir.path().join("labels.lock");
    let out = hash(&[path(&narrow), path(&wide), "-o", path(&lock)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lock_json = read_lock(&lock);
    let types: Vec<&str> = lock_json["dataset"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["physical_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["INT32", "INT64"]);
    let (status, _) = verify_json(&[path(&lock)]);
    assert_eq!(status, 0);
}

/// `labelcheck check` with `lock` in labelcheck.toml: the files are hashed as they are
/// checked and compared with the lock; a change fails the run in the report's `lock` section.
#[test]
fn check_with_a_configured_lock_verifies_it() {
    let dir = temp_dir();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    let data = dir.path().join("data/labels.parquet");
    write(&data, &labels(&in_order(), None), props());
    let lock = dir.path().join("labels.lock");
    assert_eq!(code(&hash(&[path(&data), "-o", path(&lock)])), 0);
    std::fs::write(
        dir.path().join("labelcheck.toml"),
        "files = [\"data/*.parquet\"]\nlock = \"labels.lock\"\n",
    )
    .unwrap();
    let check = |args: &[&str]| {
        std::process::Command::new(common::bin())
            .arg("check")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let out = check(&["--format", "json", "-q"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    common::assert_valid(&report);
    assert_eq!(report["lock"]["summary"]["passed"], true);
    assert_valid_lock(&report["lock"], Some("verification"));

    // One label flipped: the check fails, in the text report too, naming the rows.
    write(&data, &labels(&in_order(), Some(70_001)), props());
    let out = check(&["-q"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("data/labels.parquet: label: CHANGED; changed rows 65536-131071"),
        "{text}"
    );
    // In JUnit, the lock is a suite of its own: the changed column's case fails, naming the
    // rows; the others pass.
    let out = check(&["-q", "--format", "junit"]);
    assert_eq!(code(&out), 1);
    let xml = String::from_utf8(out.stdout).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite") && n.attribute("name") == Some("lock labels.lock"))
        .unwrap_or_else(|| panic!("no lock suite: {xml}"));
    assert_eq!(suite.attribute("tests"), Some("3"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    let failing: Vec<(&str, &str)> = suite
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .map(|f| {
            (
                f.parent().unwrap().attribute("name").unwrap(),
                f.attribute("message").unwrap(),
            )
        })
        .collect();
    assert_eq!(failing.len(), 1, "{xml}");
    assert_eq!(failing[0].0, "data/labels.parquet: label");
    assert!(
        failing[0]
            .1
            .starts_with("CHANGED; changed rows 65536-131071"),
        "{xml}"
    );
    let root = doc.root_element();
    assert_eq!(root.attribute("failures"), Some("1"), "{xml}");
    // A lock that cannot be read stops the run before any file is read.
    std::fs::write(&lock, "not json").unwrap();
    let out = check(&["-q"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("not a labelcheck lock"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
}
