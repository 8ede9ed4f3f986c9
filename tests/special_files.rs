//! Inputs and dumps that are not regular files: FIFOs, devices, pipes. Refused before they are
//! opened unless `--allow-special-files`; when allowed, never a hang (a FIFO without a writer
//! reads as empty) and never more memory than the limits. Every run has a deadline, so a
//! regression that waits on a FIFO fails the test instead of hanging it.

#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::craft::{boolean_file, boolean_page, TRUE_COUNT};
use common::{bin, code, json, limited, run_within, stderr, temp_dir};

/// Seconds any run here may take; the checks themselves take milliseconds.
const DEADLINE: u64 = 30;

/// Address space for runs where memory is the point (as in tests/limits.rs).
const LIMIT_KIB: u64 = 1 << 20;

fn labels() -> Vec<bool> {
    (0..100).map(|i: usize| i.is_multiple_of(3)).collect()
}

/// A one-column file of `labels()` and the dump that matches it, in `dir`.
fn file_and_dump(dir: &Path) -> (PathBuf, String) {
    let path = dir.join("labels.parquet");
    std::fs::write(&path, boolean_file(&[boolean_page(&labels())], &TRUE_COUNT)).unwrap();
    let mut dump = String::from("row,label\n");
    for (row, label) in labels().iter().enumerate() {
        dump.push_str(&format!("{row},{label}\n"));
    }
    (path, dump)
}

fn fifo(dir: &Path) -> PathBuf {
    let path = dir.join("fifo");
    let status = Command::new("mkfifo")
        .arg(&path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    path
}

/// `labelcheck ARGS` with a deadline, `stdin` piped in if given.
fn run(args: &[&str], stdin: Option<Vec<u8>>) -> Output {
    run_within(Command::new(bin()).args(args), stdin, DEADLINE)
}

fn assert_one_line(output: &Output, expect: &str) {
    let log = stderr(output);
    assert!(log.contains(expect), "{expect:?} not in {log}");
    assert_eq!(log.lines().count(), 1, "{log}");
}

#[test]
fn a_fifo_is_refused_before_it_is_opened() {
    let dir = temp_dir();
    let (parquet, _) = file_and_dump(dir.path());
    let fifo = fifo(dir.path());
    let fifo = fifo.to_str().unwrap();

    let output = run(&["diff", fifo], None);
    assert_eq!(code(&output), 2);
    assert_one_line(
        &output,
        "fifo: cannot open: is a FIFO (a pipe), not a regular file; --allow-special-files reads it",
    );

    let output = run(
        &["diff", parquet.to_str().unwrap(), "--against", fifo],
        None,
    );
    assert_eq!(code(&output), 1);
    assert_one_line(
        &output,
        "fifo: cannot read the dump: is a FIFO (a pipe), not a regular file; --allow-special-files reads it",
    );
}

#[test]
fn an_allowed_fifo_without_a_writer_reads_as_empty_at_once() {
    let dir = temp_dir();
    let (parquet, _) = file_and_dump(dir.path());
    let fifo = fifo(dir.path());
    let fifo = fifo.to_str().unwrap();

    let output = run(&["diff", fifo, "--allow-special-files"], None);
    assert_eq!(code(&output), 2);
    assert_one_line(&output, "fifo: file is 0 bytes, too small to be Parquet");

    let output = run(
        &[
            "diff",
            parquet.to_str().unwrap(),
            "--against",
            fifo,
            "--allow-special-files",
        ],
        None,
    );
    assert_eq!(code(&output), 1);
    assert_one_line(&output, "fifo: the dump is empty; it is not compared");
}

#[test]
fn a_device_is_refused_and_an_allowed_one_is_read_within_the_limits() {
    let dir = temp_dir();
    let (parquet, _) = file_and_dump(dir.path());
    let parquet = parquet.to_str().unwrap();

    let output = run(&["diff", parquet, "--against", "/dev/zero"], None);
    assert_eq!(code(&output), 1);
    assert_one_line(
        &output,
        "/dev/zero: cannot read the dump: is a character device, not a regular file",
    );
    let output = run(&["diff", "/dev/zero"], None);
    assert_eq!(code(&output), 2);
    assert_one_line(&output, "/dev/zero: cannot open: is a character device");

    // Allowed, /dev/zero is an endless run of NUL bytes: one endless field of the dump, an
    // endless Parquet input. Both stop at their limit, far inside the address space.
    let args = [
        "diff",
        parquet,
        "--against",
        "/dev/zero",
        "--allow-special-files",
    ];
    let output = run_within(&mut limited(LIMIT_KIB, &args), None, DEADLINE);
    assert_eq!(code(&output), 1);
    assert_one_line(
        &output,
        "/dev/zero: line 1: a field is longer than 1048576 bytes, the most a dump field may hold; the dump is not compared",
    );
    let args = [
        "diff",
        "/dev/zero",
        "--allow-special-files",
        "--max-stream-bytes",
        "100000000",
    ];
    let output = run_within(&mut limited(LIMIT_KIB, &args), None, DEADLINE);
    assert_eq!(code(&output), 2);
    assert_one_line(
        &output,
        "/dev/zero: cannot open: holds more than 100000000 bytes, the most --max-stream-bytes allows",
    );
}

#[test]
fn pipes_are_read_with_the_flag() {
    let dir = temp_dir();
    let (parquet, dump) = file_and_dump(dir.path());
    let bytes = std::fs::read(&parquet).unwrap();
    let from_file = run(
        &["diff", parquet.to_str().unwrap(), "--format", "json"],
        None,
    );
    assert_eq!(code(&from_file), 0, "{}", stderr(&from_file));

    // A Parquet file from a pipe is read into memory and checked like the file.
    let args = ["diff", "/dev/stdin", "--format", "json"];
    let refused = run(&args, Some(bytes.clone()));
    assert_eq!(code(&refused), 2);
    assert_one_line(&refused, "/dev/stdin: cannot open: is a FIFO (a pipe)");
    let piped = run(
        &[&args[..], &["--allow-special-files"]].concat(),
        Some(bytes.clone()),
    );
    assert_eq!(code(&piped), 0, "{}", stderr(&piped));
    let digests = |output: &Output| json(output)["files"][0]["columns"][0]["digests"].clone();
    assert_eq!(digests(&piped), digests(&from_file));
    // Beyond --max-stream-bytes, it is refused.
    let small = run(
        &[
            &args[..],
            &["--allow-special-files", "--max-stream-bytes", "100"],
        ]
        .concat(),
        Some(bytes),
    );
    assert_eq!(code(&small), 2);
    assert_one_line(
        &small,
        "/dev/stdin: cannot open: holds more than 100 bytes, the most --max-stream-bytes allows",
    );

    // A dump from a pipe is compared.
    let output = run(
        &[
            "diff",
            parquet.to_str().unwrap(),
            "--against",
            "/dev/stdin",
            "--allow-special-files",
            "--format",
            "json",
        ],
        Some(dump.into_bytes()),
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    let column = &report["files"][0]["columns"][0];
    assert_eq!(column["digests"]["against"], column["digests"]["raw"]);
}
