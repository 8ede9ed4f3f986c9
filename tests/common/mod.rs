//! Helpers shared by the integration tests: running the real binary, and fixtures.
#![allow(dead_code)]

pub mod craft;
pub mod fixtures;
pub mod hostile;
pub mod nested;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Every `.rs` file under `dir`, recursively, appended to `out`: for the tests that read the
/// crate's own source (the independence rule, the layout).
pub fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable source directory") {
        let path = entry.expect("a readable entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

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

/// docs/report.schema.json, parsed.
pub fn report_schema() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A validator for whole reports (`--format json`).
pub fn schema_validator() -> jsonschema::Validator {
    jsonschema::validator_for(&report_schema()).expect("the schema is valid JSON Schema")
}

/// Fails unless `report` follows docs/report.schema.json, naming each violation and where.
pub fn assert_valid(report: &serde_json::Value) {
    let errors: Vec<String> = schema_validator()
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "report does not match docs/report.schema.json:\n{}\n{report:#}",
        errors.join("\n")
    );
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

/// Checks `column` of the file at `path` with the arrow path against the raw decoder that
/// `wrap` builds around a fresh raw path — the seat tests put faulty decoders in.
pub fn check_with_raw<D: labelcheck::decode::ColumnDecoder>(
    path: &Path,
    column: &str,
    max_listed: usize,
    wrap: impl FnOnce(labelcheck::raw::RawFile) -> D,
) -> labelcheck::report::Report {
    check_with_raw_windowed(path, column, max_listed, 1 << 20, wrap)
}

/// [`check_with_raw`], decoding `window_rows` rows of a chunk at a time.
pub fn check_with_raw_windowed<D: labelcheck::decode::ColumnDecoder>(
    path: &Path,
    column: &str,
    max_listed: usize,
    window_rows: usize,
    wrap: impl FnOnce(labelcheck::raw::RawFile) -> D,
) -> labelcheck::report::Report {
    use labelcheck::check::{check_with, CheckOptions, FileFacts, FileToCheck, Witness};
    use labelcheck::columns::{choose, ColumnChoice};
    use labelcheck::decode::DecodeOptions;
    use labelcheck::raw::RawFile;

    let source = std::sync::Arc::new(labelcheck::source::LocalFile::open(path).unwrap());
    let arrow = labelcheck::arrow_path::ArrowFile::open(source.clone()).unwrap();
    let raw = RawFile::open(source.clone(), DecodeOptions::default()).unwrap();
    let facts = FileFacts::of(raw.metadata());
    let (columns, selection) =
        choose(raw.leaves(), &ColumnChoice::Named(vec![column.into()])).unwrap();
    let decoder = wrap(raw);
    let options = CheckOptions {
        columns: ColumnChoice::All,
        max_listed,
        decode: DecodeOptions::default(),
        window: 2,
        window_rows,
        against: None,
        old: None,
        timings: false,
    };
    let witnesses = [Witness::arrow(&arrow), Witness::raw(&decoder)];
    let name = path.file_name().unwrap().to_string_lossy();
    let file = FileToCheck {
        path: &name,
        facts: &facts,
        columns: &columns,
        selection,
        witnesses: &witnesses,
        screen: None,
        plan: None,
    };
    let file = check_with(&file, &options, &());
    labelcheck::report::Report::new(vec![file], labelcheck::report::FailOn::Mismatch, max_listed)
}

/// Runs `command` with its output captured and `stdin` (if any) piped to it, killing it (and
/// failing the test) if it has not ended within `seconds`: for inputs that could make the
/// binary wait forever.
pub fn run_within(command: &mut Command, stdin: Option<Vec<u8>>, seconds: u64) -> Output {
    use std::io::{Read, Write};
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let mut child = command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // The reader may stop early (a limit): a broken pipe here is expected.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("piped")));
    let stderr = drain(Box::new(child.stderr.take().expect("piped")));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(seconds) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running after {seconds} s: killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().expect("stdout drained"),
        stderr: stderr.join().expect("stderr drained"),
    }
}

/// `labelcheck ARGS` under `ulimit -v` of `limit_kib`, as a command to run.
pub fn limited(limit_kib: u64, args: &[&str]) -> Command {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!("ulimit -v {limit_kib} && exec \"$0\" \"$@\""))
        .arg(bin())
        .args(args)
        .env_remove("NO_COLOR");
    command
}

/// Writes `batch` to `path` with the parquet crate's arrow writer and `properties` (its
/// defaults when `None`): how the tests write real files.
#[allow(dead_code)]
pub fn write_batch(
    path: &Path,
    batch: &arrow_array::RecordBatch,
    properties: Option<parquet::file::properties::WriterProperties>,
) {
    let file = std::fs::File::create(path).unwrap();
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(file, batch.schema(), properties).unwrap();
    writer.write(batch).unwrap();
    writer.close().unwrap();
}
