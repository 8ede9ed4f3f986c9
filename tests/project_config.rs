//! `labelcheck check` and labelcheck.toml, through the real binary on real files: several
//! outputs from one run, flags over the file, the file found from a subdirectory (not above
//! the repository), and every problem in the file a one-line error naming the file, line and
//! key before any Parquet file is read or any report written.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::craft::{boolean_file, boolean_page, crc_of, TRUE_COUNT};
use common::{assert_no_panic, assert_valid, bin, code, stderr, temp_dir};

/// Runs `labelcheck check ARGS` in `dir`, with no terminal.
fn check_in(dir: &Path, args: &[&str]) -> Output {
    let output = Command::new(bin())
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("the binary runs");
    assert_no_panic(&output);
    output
}

/// 30 labels over two pages, their checksums right.
fn good_file() -> Vec<u8> {
    let labels: Vec<bool> = (0..30).map(|i| i % 3 == 0).collect();
    let mut pages = vec![boolean_page(&labels[..13]), boolean_page(&labels[13..])];
    for page in &mut pages {
        page.crc = Some(crc_of(&page.body));
    }
    boolean_file(&pages, &TRUE_COUNT)
}

/// The same labels with the first page's bytes changed after its checksum was written: a
/// `crc` finding, which fails the run under the default `fail_on`.
fn corrupted_file() -> Vec<u8> {
    let labels: Vec<bool> = (0..30).map(|i| i % 3 == 0).collect();
    let mut pages = vec![boolean_page(&labels[..13]), boolean_page(&labels[13..])];
    for page in &mut pages {
        page.crc = Some(crc_of(&page.body));
    }
    pages[0].body[0] ^= 1;
    boolean_file(&pages, &TRUE_COUNT)
}

/// A project: `data/good.parquet`, `data/more/also.parquet`, and labelcheck.toml holding
/// `config`. A `.git` marks it as a repository root.
fn project(config: &str) -> tempfile::TempDir {
    let dir = temp_dir();
    std::fs::create_dir_all(dir.path().join("data/more")).unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join("data/good.parquet"), good_file()).unwrap();
    std::fs::write(dir.path().join("data/more/also.parquet"), good_file()).unwrap();
    std::fs::write(dir.path().join("labelcheck.toml"), config).unwrap();
    dir
}

fn one_line(output: &Output) -> String {
    let err = stderr(output);
    assert_eq!(err.lines().count(), 1, "one line on stderr: {err}");
    err.trim_end().to_owned()
}

#[test]
fn one_run_writes_every_output() {
    let dir = project(
        r#"
files = ["data/**/*.parquet"]
columns = ["label"]

[[outputs]]
format = "junit"
path = "reports/labels.xml"

[[outputs]]
format = "json"
path = "reports/labels.json"

[[outputs]]
format = "text"
"#,
    );
    std::fs::create_dir(dir.path().join("reports")).unwrap();
    let out = check_in(dir.path(), &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(text.contains("OK: 2 files"), "{text}");

    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("reports/labels.json")).unwrap(),
    )
    .unwrap();
    assert_valid(&json);
    let paths: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    // Paths as written in the file, relative to it; each glob's matches sorted.
    assert_eq!(paths, ["data/good.parquet", "data/more/also.parquet"]);

    let junit = std::fs::read_to_string(dir.path().join("reports/labels.xml")).unwrap();
    let xml = roxmltree::Document::parse(&junit).unwrap();
    let suites = xml.root_element();
    assert_eq!(suites.attribute("tests"), Some("2"), "{junit}");
    assert_eq!(suites.attribute("failures"), Some("0"), "{junit}");
    // Nothing but the reports: no temporary file left beside them.
    let mut left: Vec<String> = std::fs::read_dir(dir.path().join("reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["labels.json", "labels.xml"]);
}

#[test]
fn a_corrupted_file_fails_the_run_in_every_output() {
    let dir = project(
        r#"
files = ["data/*.parquet"]
[[outputs]]
format = "junit"
path = "labels.xml"
[[outputs]]
format = "ndjson"
"#,
    );
    std::fs::write(dir.path().join("data/bad.parquet"), corrupted_file()).unwrap();
    let out = check_in(dir.path(), &[]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_str(
        String::from_utf8(out.stdout.clone())
            .unwrap()
            .lines()
            .last()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(summary["files"], 2);
    assert_eq!(summary["exit_code"], 1);
    let junit = std::fs::read_to_string(dir.path().join("labels.xml")).unwrap();
    assert!(junit.contains("type=\"crc\""), "{junit}");
}

#[test]
fn flags_override_the_file() {
    let dir = project(
        r#"
files = ["data/good.parquet"]
fail_on = "never"
max_listed = 5
[[outputs]]
format = "json"
path = "labels.json"
"#,
    );
    std::fs::write(dir.path().join("data/bad.parquet"), corrupted_file()).unwrap();
    // FILE arguments replace `files`; `fail_on = "never"` still applies.
    let out = check_in(dir.path(), &["data/bad.parquet"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("labels.json")).unwrap())
            .unwrap();
    assert_eq!(json["files"][0]["path"], "data/bad.parquet");
    assert_eq!(json["summary"]["fail_on"], "never");
    assert_eq!(json["summary"]["max_listed"], 5);

    // --fail-on over fail_on, --format over outputs (one report, to stdout), --max-listed
    // over max_listed.
    std::fs::remove_file(dir.path().join("labels.json")).unwrap();
    let out = check_in(
        dir.path(),
        &[
            "data/bad.parquet",
            "--fail-on",
            "mismatch",
            "--format",
            "json",
            "--max-listed",
            "7",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let json = common::json(&out);
    assert_eq!(json["summary"]["fail_on"], "mismatch");
    assert_eq!(json["summary"]["max_listed"], 7);
    assert!(!dir.path().join("labels.json").exists());
}

#[test]
fn found_from_a_subdirectory_but_not_above_the_repository() {
    let dir = project("files = [\"data/good.parquet\"]\n");
    let sub = dir.path().join("data/more");
    let out = check_in(&sub, &["--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("using ../../labelcheck.toml"),
        "{}",
        stderr(&out)
    );
    // The file's paths are relative to the file, so the report names them from here.
    assert_eq!(
        common::json(&out)["files"][0]["path"],
        "../../data/good.parquet"
    );

    // A repository inside the project: its root stops the search.
    let inner = dir.path().join("data/inner");
    std::fs::create_dir_all(inner.join(".git")).unwrap();
    let out = check_in(&inner, &[]);
    assert_eq!(code(&out), 2);
    assert!(
        one_line(&out).contains("no files to check"),
        "{}",
        stderr(&out)
    );

    // --config names a file anywhere; its paths are relative to it.
    let out = check_in(
        &inner,
        &["--config", "../../labelcheck.toml", "--format", "json"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        common::json(&out)["files"][0]["path"],
        "../../data/good.parquet"
    );
    let out = check_in(&inner, &["--config", "nowhere.toml"]);
    assert_eq!(code(&out), 2);
    assert!(
        one_line(&out).starts_with("labelcheck: nowhere.toml: cannot read:"),
        "{}",
        stderr(&out)
    );
}

/// Each bad file, and the exact line it must give. The reports' path holds a report from
/// before, which must survive each run unchanged, and the file listed is not Parquet, so a
/// run that read it would say so on stderr: the one line proves it was never read.
#[test]
fn every_problem_is_one_line_naming_the_file_line_and_key_before_any_work() {
    let cases: &[(&str, &str)] = &[
        (
            "files = [\"data/trap.parquet\"]\n\ncolums = [\"label\"]\n",
            "labelcheck.toml:3: unknown key \"colums\" (did you mean \"columns\"?)",
        ),
        (
            "files = [\"data/trap.parquet\"]\nverbosity = 3\n",
            "labelcheck.toml:2: unknown key \"verbosity\" (docs/CONFIG.md lists the keys)",
        ),
        (
            "files = [\"data/trap.parquet\"]\nthreads = \"4\"\n",
            "labelcheck.toml:2: threads must be an integer, not a string",
        ),
        (
            "files = [\"data/trap.parquet\"]\nmax_listed = -1\n",
            "labelcheck.toml:2: max_listed must be a non-negative integer",
        ),
        (
            "files = [\"data/trap.parquet\"]\nall = \"yes\"\n",
            "labelcheck.toml:2: all must be true or false, not a string",
        ),
        (
            "files = [\"data/trap.parquet\"]\nfail_on = \"findings\"\n",
            "labelcheck.toml:2: fail_on = \"findings\" is not one of mismatch, finding, never \
             (did you mean \"finding\"?)",
        ),
        (
            "files = [\"data/trap.parquet\", \"data/*.parq\"]\n",
            "labelcheck.toml:1: files: \"data/*.parq\" matches no file",
        ),
        (
            "files = [\"data/[good.parquet\"]\n",
            "labelcheck.toml:1: files: \"data/[good.parquet\" is not a valid glob: invalid range pattern",
        ),
        (
            "files = [\"data/trap.parquet\", \"\"]\n",
            "labelcheck.toml:1: files must be paths or globs, none of them empty",
        ),
        (
            "files = []\n",
            "labelcheck.toml:1: files must be at least one path or glob",
        ),
        (
            "files = 3\n",
            "labelcheck.toml:1: files must be a string or an array of strings, not an integer",
        ),
        (
            "files = [\"data/trap.parquet\"]\ncolumns = [\"label,id\"]\n",
            "labelcheck.toml:2: columns: item \"label,id\" holds a comma outside quotes \
             (quote a name holding one: '\"a,b\"'); give one column name per item",
        ),
        (
            "files = [\"data/trap.parquet\"]\ncolumns = [\"label\"]\nall = true\n",
            "labelcheck.toml:3: all and columns cannot both be given",
        ),
        (
            "files = [\"data/trap.parquet\"]\nkey = \"id\"\n",
            "labelcheck.toml:2: key needs against (the old version whose rows it matches)",
        ),
        (
            "files = [\"data/trap.parquet\"]\nmax_drift = 0.1\n",
            "labelcheck.toml:2: max_drift needs lock (it applies to verifying a lock)",
        ),
        (
            "files = [\"data/trap.parquet\"]\nlock = \"labels.lock\"\nmax_drift = 2\n",
            "labelcheck.toml:3: max_drift must be from 0 to 1 (a total variation distance)",
        ),
        (
            "files = [\"data/trap.parquet\"]\n[[outputs]]\nformat = \"xml\"\n",
            "labelcheck.toml:3: outputs.format = \"xml\" is not one of text, json, ndjson, csv, \
             junit, html",
        ),
        (
            "files = [\"data/trap.parquet\"]\n[[outputs]]\nformat = \"json\"\nfile = \"r.json\"\n",
            "labelcheck.toml:4: unknown key \"outputs.file\" (docs/CONFIG.md lists the keys)",
        ),
        (
            "files = [\"data/trap.parquet\"]\n[[outputs]]\nfromat = \"json\"\n",
            "labelcheck.toml:3: unknown key \"outputs.fromat\" (did you mean \"format\"?)",
        ),
        (
            "files = [\"data/trap.parquet\"]\n[[outputs]]\npath = \"r.json\"\n",
            "labelcheck.toml:2: outputs.format is missing",
        ),
        (
            "files = [\"data/trap.parquet\"]\n[[outputs]]\nformat = \"json\"\npath = \"r.json\"\n\
             [[outputs]]\nformat = \"csv\"\npath = \"./r.json\"\n",
            "labelcheck.toml:6: outputs: ./r.json already receives another report",
        ),
        (
            "files = [\"data/trap.parquet\"]\n[[outputs]]\nformat = \"json\"\n\
             path = \"data/trap.parquet\"\n",
            "labelcheck.toml:3: outputs: data/trap.parquet is the same file as the input \
             data/trap.parquet: refusing to write the report over it",
        ),
        (
            "files = [\"data/trap.parquet\"]\n[[outputs]]\nformat = \"json\"\n\
             path = \"labelcheck.toml\"\n",
            "labelcheck.toml:3: outputs: labelcheck.toml is the same file as the config file \
             labelcheck.toml: refusing to write the report over it",
        ),
        (
            "files = [\"data/trap.parquet\"\n",
            "labelcheck.toml:1: not valid TOML: unclosed array, expected `]`",
        ),
        (
            "files = [\"data/trap.parquet\"]\nfiles = [\"x\"]\n",
            "labelcheck.toml:2: not valid TOML: duplicate key",
        ),
    ];
    let trap = b"not a Parquet file: reading it is a logged error";
    let dir = project("files = [\"data/trap.parquet\"]\n");
    std::fs::write(dir.path().join("data/trap.parquet"), trap).unwrap();
    let out = check_in(dir.path(), &[]);
    assert!(
        stderr(&out).contains("data/trap.parquet: "),
        "{}",
        stderr(&out)
    );
    for (config, expected) in cases {
        let dir = project(config);
        std::fs::write(dir.path().join("data/trap.parquet"), trap).unwrap();
        let before = b"a report from before\n";
        std::fs::write(dir.path().join("r.json"), before).unwrap();
        let entries = |dir: &Path| std::fs::read_dir(dir).unwrap().count();
        let count = entries(dir.path());
        let out = check_in(dir.path(), &[]);
        assert_eq!(code(&out), 2, "{config}");
        assert_eq!(
            one_line(&out),
            format!("labelcheck: {expected}"),
            "{config}"
        );
        assert!(out.stdout.is_empty(), "{config}");
        assert_eq!(std::fs::read(dir.path().join("r.json")).unwrap(), before);
        assert_eq!(entries(dir.path()), count, "a file was created: {config}");
        assert_eq!(
            std::fs::read(dir.path().join("data/trap.parquet")).unwrap(),
            trap
        );
    }
}

#[test]
fn flag_problems_name_the_flag() {
    let dir = project("files = [\"data/good.parquet\"]\n");
    for (args, expected) in [
        (
            &["--max-drift", "0.1"][..],
            "labelcheck: --max-drift needs --lock or `lock` in the config file",
        ),
        (
            &["--key", "id"][..],
            "labelcheck: --key needs --against (the old version whose rows it matches)",
        ),
        (
            &["--threads", "0"][..],
            "labelcheck: --threads must be at least 1",
        ),
        (
            &["-o", "data/good.parquet"][..],
            "labelcheck: -o data/good.parquet is the same file as the input data/good.parquet: \
             refusing to write the report over it",
        ),
    ] {
        let out = check_in(dir.path(), args);
        assert_eq!(code(&out), 2, "{args:?}");
        assert_eq!(one_line(&out), expected, "{args:?}");
    }
}

/// `against` (and `key`) in the file run `diff NEW --against OLD.parquet`: both files are in
/// the report, and a label that differs is a `changed` row that fails the run; `against`
/// with several files is refused up front.
#[test]
fn against_in_the_file_compares_with_the_old_version() {
    let dir = project("files = [\"data/good.parquet\"]\nagainst = \"data/more/also.parquet\"\n");
    let out = check_in(dir.path(), &["--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid(&report);
    let paths: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(paths[1].ends_with("also.parquet"), "{paths:?}");
    assert!(report["files"][0]["columns"][0]["digests"]
        .get("old")
        .is_some());

    // The old version's labels differ in one row: a changed row, exit 1.
    let labels: Vec<bool> = (0..30).map(|i| i % 3 == 0 || i == 7).collect();
    let mut pages = vec![boolean_page(&labels[..13]), boolean_page(&labels[13..])];
    for page in &mut pages {
        page.crc = Some(crc_of(&page.body));
    }
    std::fs::write(
        dir.path().join("data/more/also.parquet"),
        boolean_file(&pages, &TRUE_COUNT),
    )
    .unwrap();
    let out = check_in(dir.path(), &["--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["files"][0]["mismatches"][0]["kind"], "changed");
    assert_eq!(report["files"][0]["mismatches"][0]["row"], 7);

    let dir = project("files = [\"data/**/*.parquet\"]\nagainst = \"data/more/also.parquet\"\n");
    let out = check_in(dir.path(), &[]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        one_line(&out),
        "labelcheck: labelcheck.toml:2: against: compares one file with its old version, \
         and the run has 2 files"
    );
    assert!(out.stdout.is_empty());
}
