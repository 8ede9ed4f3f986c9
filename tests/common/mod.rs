//! Helpers shared by the integration tests: running the real binary, and fixtures.
#![allow(dead_code)]

pub mod craft;
pub mod fixtures;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_labelcheck"))
}

/// Runs `labelcheck ARGS` with no terminal and returns its output.
pub fn run<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(bin())
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("the binary runs")
}

/// Exit code, panicking on a signal.
pub fn code(output: &Output) -> i32 {
    output
        .status
        .code()
        .expect("exited normally, not by a signal")
}

/// stdout as JSON.
pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh temporary directory for one test.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// The demo file shipped in fixtures/.
pub fn demo_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo.parquet")
}

/// Asserts that a process did not panic and printed no backtrace.
pub fn assert_no_panic(output: &Output) {
    let err = stderr(output);
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "panic: {err}"
    );
}

/// The messages of the first file's findings in a JSON report.
pub fn finding_messages(report: &serde_json::Value) -> Vec<String> {
    report["files"][0]["findings"]
        .as_array()
        .expect("a findings array")
        .iter()
        .map(|f| f["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The footer's column chunk of `column` (dotted path) in `row_group`, read by the raw path.
pub fn column_chunk(
    path: &Path,
    column: &str,
    row_group: usize,
) -> labelcheck::raw::metadata::ColumnChunk {
    let source =
        std::sync::Arc::new(labelcheck::source::LocalFile::open(path).expect("the file opens"));
    let raw = labelcheck::raw::RawFile::open(source, Default::default()).expect("a Parquet file");
    let leaf = raw
        .leaves()
        .iter()
        .position(|l| l.dotted_path() == column)
        .expect("the column exists");
    raw.metadata().row_groups[row_group].columns[leaf].clone()
}
