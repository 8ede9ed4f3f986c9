//! The binary as users run it: exit codes, the JSON contract, the text report, bad input.

mod common;

use std::fs;

use common::fixtures::{write_labels, Spec};
use common::{assert_no_panic, assert_valid, code, demo_file, json, run, stderr, temp_dir};

#[test]
fn clap_definition_is_consistent() {
    use clap::CommandFactory;
    labelcheck::cli::Cli::command().debug_assert();
}

#[test]
fn demo_file_agrees_and_exits_zero() {
    let output = run(["diff", demo_file().to_str().unwrap(), "--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    assert_valid(&report);
    let file = &report["files"][0];
    assert_eq!(file["selection"], "labels");
    let names: Vec<&str> = file["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["column"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"label") && !names.contains(&"id"),
        "{names:?}"
    );
    assert_eq!(report["summary"]["mismatches"], 0);
    assert_eq!(report["summary"]["exit_code"], 0);
}

#[test]
fn text_report_has_a_table_and_a_verdict_without_colour_when_piped() {
    let output = run(["diff", demo_file().to_str().unwrap()]);
    assert_eq!(code(&output), 0);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("column") && text.contains("fingerprint") && text.contains("agree"),
        "{text}"
    );
    assert!(
        text.lines().last().unwrap().starts_with("OK: 1 file"),
        "{text}"
    );
    assert!(
        !text.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
    let forced = run(["diff", demo_file().to_str().unwrap(), "--color", "always"]);
    assert!(String::from_utf8(forced.stdout).unwrap().contains("\x1b["));
}

#[test]
fn all_and_named_columns() {
    let dir = temp_dir();
    let path = dir.path().join("f.parquet");
    write_labels(&path, &Spec::default());
    let p = path.to_str().unwrap();
    let all = json(&run(["diff", p, "--all", "--format", "json"]));
    assert_eq!(all["files"][0]["columns"].as_array().unwrap().len(), 11);
    assert_eq!(all["files"][0]["selection"], "all");
    let named = run([
        "diff",
        p,
        "--columns",
        "meta.label,label_str",
        "--format",
        "json",
    ]);
    assert_eq!(code(&named), 0, "{}", stderr(&named));
    let named = json(&named);
    assert_valid(&named);
    let names: Vec<_> = named["files"][0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["column"].clone())
        .collect();
    assert_eq!(names, ["meta.label", "label_str"]);
    // A struct's name selects the leaves under it.
    let group = json(&run(["diff", p, "--columns", "meta", "--format", "json"]));
    assert_eq!(group["files"][0]["columns"][0]["column"], "meta.label");
}

#[test]
fn unknown_column_is_a_one_line_error_and_exit_2() {
    let output = run(["diff", demo_file().to_str().unwrap(), "--columns", "nope"]);
    assert_eq!(code(&output), 2);
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("demo.parquet") && err.contains("no column named \"nope\""),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["diff"],
        vec!["diff", "x.parquet", "--all", "--columns", "a"],
        vec!["diff", "x.parquet", "--format", "yaml"],
        vec!["diff", "x.parquet", "--threads", "0"],
        vec!["diff", "x.parquet", "--columns", "a,,b"],
        vec!["frobnicate"],
    ] {
        let output = run(&args);
        assert_eq!(code(&output), 2, "{args:?}: {}", stderr(&output));
        assert!(!stderr(&output).is_empty());
        assert!(output.stdout.is_empty(), "{args:?}");
    }
    assert_eq!(code(&run(["--help"])), 0);
    assert_eq!(code(&run(["--version"])), 0);
}

#[test]
fn missing_file_names_the_file() {
    let output = run(["diff", "/no/such/file.parquet", "--format", "json"]);
    assert_eq!(code(&output), 2);
    let err = stderr(&output);
    assert!(
        err.starts_with("labelcheck: /no/such/file.parquet: cannot open:"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
    let report = json(&output);
    assert_valid(&report);
    assert!(report["files"][0]["error"]
        .as_str()
        .unwrap()
        .contains("cannot open"));
}

#[test]
fn non_parquet_and_truncated_files_are_clean_errors() {
    let dir = temp_dir();
    let text = dir.path().join("notes.parquet");
    fs::write(&text, "this is not parquet, just text that is long enough").unwrap();
    let output = run(["diff", text.to_str().unwrap()]);
    assert_eq!(code(&output), 2);
    assert_no_panic(&output);
    assert!(
        stderr(&output).contains("not a Parquet file"),
        "{}",
        stderr(&output)
    );

    let empty = dir.path().join("empty.parquet");
    fs::write(&empty, "").unwrap();
    let output = run(["diff", empty.to_str().unwrap()]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("too small"), "{}", stderr(&output));

    let bytes = fs::read(demo_file()).unwrap();
    for keep in [4, 100, bytes.len() / 2, bytes.len() - 9, bytes.len() - 1] {
        let cut = dir.path().join(format!("cut{keep}.parquet"));
        fs::write(&cut, &bytes[..keep]).unwrap();
        let output = run(["diff", cut.to_str().unwrap(), "--format", "json"]);
        assert_no_panic(&output);
        assert_eq!(code(&output), 2, "truncated at {keep}: {}", stderr(&output));
        let err = stderr(&output);
        assert!(
            err.contains(&format!("cut{keep}.parquet")) && err.lines().count() == 1,
            "{err}"
        );
        assert_valid(&json(&output));
    }

    let directory = run(["diff", dir.path().to_str().unwrap()]);
    assert_eq!(code(&directory), 2);
    assert!(stderr(&directory).contains("directory"));
}

#[test]
fn a_bad_file_does_not_stop_the_others() {
    let output = run([
        "diff",
        "/no/such.parquet",
        demo_file().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 2);
    let report = json(&output);
    assert_eq!(report["summary"]["files"], 2);
    assert_eq!(report["files"][1]["columns"][0]["status"], "agree");
}

#[test]
fn output_file_is_written_atomically_and_devices_directly() {
    let dir = temp_dir();
    let target = dir.path().join("report.json");
    fs::write(&target, "old").unwrap();
    let output = run([
        "diff",
        demo_file().to_str().unwrap(),
        "--format",
        "json",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 0);
    assert!(
        output.stdout.is_empty(),
        "the report went to the file, not stdout"
    );
    let written: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&target).unwrap()).unwrap();
    assert_valid(&written);
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary files left: {leftovers:?}");

    let null = run(["diff", demo_file().to_str().unwrap(), "-o", "/dev/null"]);
    assert_eq!(code(&null), 0, "{}", stderr(&null));
    let meta = fs::metadata("/dev/null").unwrap();
    assert!(!meta.is_file(), "/dev/null is still a device");

    let stdout = run([
        "diff",
        demo_file().to_str().unwrap(),
        "--format",
        "json",
        "-o",
        "/dev/stdout",
    ]);
    assert_eq!(code(&stdout), 0, "{}", stderr(&stdout));
    json(&stdout);

    let bad = run([
        "diff",
        demo_file().to_str().unwrap(),
        "-o",
        "/no/such/dir/report.json",
    ]);
    assert_eq!(code(&bad), 2);
    assert!(stderr(&bad).contains("/no/such/dir/report.json"));
}

/// A file whose INT_8 column `label` holds 300, which the annotation cannot hold, in every
/// third of `rows` rows: the arrow reader narrows it, the raw path does not, so a third of
/// the rows mismatch.
fn out_of_range_file(path: &std::path::Path, rows: usize) {
    use parquet::data_type::Int32Type;
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use std::sync::Arc;

    let schema =
        parquet::schema::parser::parse_message_type("message m { required int32 label (INT_8); }")
            .unwrap();
    let properties = WriterProperties::builder()
        .set_dictionary_enabled(false)
        .build();
    let mut writer = SerializedFileWriter::new(
        fs::File::create(path).unwrap(),
        Arc::new(schema),
        Arc::new(properties),
    )
    .unwrap();
    let values: Vec<i32> = (0..rows)
        .map(|i| if i % 3 == 0 { 300 } else { 1 })
        .collect();
    let mut group = writer.next_row_group().unwrap();
    let mut column = group.next_column().unwrap().unwrap();
    column
        .typed::<Int32Type>()
        .write_batch(&values, None, None)
        .unwrap();
    column.close().unwrap();
    group.close().unwrap();
    writer.close().unwrap();
}

#[test]
fn max_listed_caps_the_list_over_the_run_not_the_counts() {
    let dir = temp_dir();
    let (a, b) = (dir.path().join("a.parquet"), dir.path().join("b.parquet"));
    out_of_range_file(&a, 3000);
    out_of_range_file(&b, 3000);
    // (cap, listed per file, truncated per file): the cap spans both files, in order.
    for (cap, listed, truncated) in [
        ("1500", [1000, 500], [false, true]),
        ("10", [10, 0], [true, true]),
        ("0", [0, 0], [true, true]),
        ("2000", [1000, 1000], [false, false]),
    ] {
        let output = run([
            "diff",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--format",
            "json",
            "--max-listed",
            cap,
        ]);
        assert_eq!(code(&output), 1, "{}", stderr(&output));
        let report = json(&output);
        assert_valid(&report);
        for (i, file) in report["files"].as_array().unwrap().iter().enumerate() {
            let mismatches = file["mismatches"].as_array().unwrap();
            assert_eq!(mismatches.len(), listed[i], "cap {cap}, file {i}");
            assert_eq!(
                file["mismatches_truncated"], truncated[i],
                "cap {cap}, file {i}"
            );
            // Listed in row order, from the first.
            let rows: Vec<u64> = mismatches
                .iter()
                .map(|m| m["row"].as_u64().unwrap())
                .collect();
            assert!(rows
                .iter()
                .copied()
                .eq((0..listed[i] as u64).map(|r| r * 3)));
            assert_eq!(file["columns"][0]["mismatches"], 1000, "counts stay exact");
        }
        assert_eq!(report["summary"]["mismatches"], 2000);
        assert_eq!(report["summary"]["max_listed"], cap.parse::<u64>().unwrap());
    }
    // The text report says how many more there are.
    let text = run([
        "diff",
        a.to_str().unwrap(),
        "--max-listed",
        "5",
        "--color",
        "never",
    ]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("… and 995 more (see --format json)"),
        "{text}"
    );
}

#[test]
fn the_tool_never_writes_to_its_input() {
    let dir = temp_dir();
    let path = dir.path().join("in.parquet");
    write_labels(&path, &Spec::default());
    let before = fs::read(&path).unwrap();
    let modified = fs::metadata(&path).unwrap().modified().unwrap();
    let output = run(["diff", path.to_str().unwrap(), "--all"]);
    assert_eq!(code(&output), 0);
    assert_eq!(fs::read(&path).unwrap(), before);
    assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), modified);
}

#[test]
fn timings_are_reported_per_column_and_phase_only_when_asked() {
    let demo = demo_file();
    let plain = json(&run(["diff", demo.to_str().unwrap(), "--format", "json"]));
    assert!(plain["files"][0].get("timings").is_none());
    assert!(plain["files"][0]["columns"][0].get("timings").is_none());

    let output = run([
        "diff",
        demo.to_str().unwrap(),
        "--format",
        "json",
        "--timings",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    assert_valid(&report);
    let file = &report["files"][0];
    let wall =
        file["timings"]["open"].as_f64().unwrap() + file["timings"]["check"].as_f64().unwrap();
    assert!(wall > 0.0, "{file:#}");
    let columns = file["columns"].as_array().unwrap();
    for column in columns {
        let phases = &column["timings"];
        // A phase per witness in the list: no dump, so no `against` seconds.
        assert!(phases.get("against").is_none(), "{column:#}");
        for phase in ["arrow", "raw", "compare", "fingerprint", "metadata"] {
            assert!(
                phases[phase].as_f64().unwrap() >= 0.0,
                "{phase}: {column:#}"
            );
        }
        // Both decoders ran on every column of this file.
        assert!(phases["arrow"].as_f64().unwrap() > 0.0, "{column:#}");
        assert!(phases["raw"].as_f64().unwrap() > 0.0, "{column:#}");
    }
    // The table goes to stderr, one row per column, and stdout stays the report alone.
    let log = stderr(&output);
    assert!(log.contains("timings for"), "{log}");
    for column in columns {
        let name = column["column"].as_str().unwrap();
        assert!(
            log.lines().any(|l| l.trim_start().starts_with(name)),
            "{name} missing from {log}"
        );
    }
}
