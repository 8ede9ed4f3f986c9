//! Never destroy, never exhaust: the report never replaces an input, an interrupted run leaves
//! no temporary file, and nothing a file or a path holds can split a log line, reach a
//! terminal as control characters, or make a line unbounded. Closed or failing stdout and
//! stderr end the run with its normal code, never a panic; `--threads` is capped.
#![cfg(unix)]

mod common;

use std::fs::{self, OpenOptions};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use common::{bin, code, demo_file, json, run, stderr, temp_dir};
use parquet::arrow::ArrowWriter;

/// Files in `dir` whose names mark them as the report's temporary files.
fn temp_files(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(".labelcheck-") && name.ends_with(".tmp")
        })
        .collect()
}

fn assert_refused(output: &Output, role: &str, input: &Path) {
    assert_eq!(code(output), 2, "{}", stderr(output));
    let err = stderr(output);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.contains(&format!(
            "is the same file as {role} {}: refusing",
            input.display()
        )),
        "{err}"
    );
    assert!(output.stdout.is_empty(), "no report anywhere");
}

#[test]
fn output_that_is_an_input_by_any_name_is_refused_and_the_input_stays_whole() {
    let dir = temp_dir();
    let input = dir.path().join("x.parquet");
    fs::copy(demo_file(), &input).unwrap();
    let before = fs::read(&input).unwrap();
    let symlink = dir.path().join("link.parquet");
    std::os::unix::fs::symlink(&input, &symlink).unwrap();
    let hard_link = dir.path().join("hard.parquet");
    fs::hard_link(&input, &hard_link).unwrap();

    for destination in [&input, &symlink, &hard_link] {
        let output = run([
            "diff".as_ref(),
            input.as_os_str(),
            "-o".as_ref(),
            destination.as_os_str(),
        ]);
        assert_refused(&output, "the input", &input);
        assert_eq!(fs::read(&input).unwrap(), before, "-o {destination:?}");
        assert!(temp_files(dir.path()).is_empty(), "-o {destination:?}");
    }
    // Among several inputs, the one named is the one that matches.
    let other = dir.path().join("other.parquet");
    fs::copy(demo_file(), &other).unwrap();
    let output = run([
        "diff".as_ref(),
        other.as_os_str(),
        symlink.as_os_str(),
        "-o".as_ref(),
        hard_link.as_os_str(),
    ]);
    assert_refused(&output, "the input", &symlink);
    assert_eq!(fs::read(&input).unwrap(), before);
    assert!(fs::symlink_metadata(&symlink).unwrap().is_symlink());
}

#[test]
fn output_that_is_the_against_dump_is_refused() {
    let dir = temp_dir();
    let dump = dir.path().join("d.csv");
    fs::write(&dump, "label\n").unwrap();
    let output = run([
        "diff".as_ref(),
        demo_file().as_os_str(),
        "--against".as_ref(),
        dump.as_os_str(),
        "-o".as_ref(),
        dump.as_os_str(),
    ]);
    assert_refused(&output, "the --against dump", &dump);
    assert_eq!(fs::read_to_string(&dump).unwrap(), "label\n");
    assert!(temp_files(dir.path()).is_empty());
}

#[test]
fn stdout_appending_to_an_input_is_refused_directly_or_as_dev_stdout() {
    let dir = temp_dir();
    let input = dir.path().join("x.parquet");
    fs::copy(demo_file(), &input).unwrap();
    let before = fs::read(&input).unwrap();
    for extra in [&[][..], &["-o", "/dev/stdout"][..]] {
        // `labelcheck diff x.parquet >> x.parquet`: the shell cannot truncate it in append
        // mode, so it is whole until the report would be written.
        let appending = OpenOptions::new().append(true).open(&input).unwrap();
        let output = Command::new(bin())
            .arg("diff")
            .arg(&input)
            .args(extra)
            .stdout(appending)
            .output()
            .unwrap();
        let err = stderr(&output);
        assert_eq!(code(&output), 2, "{extra:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("is the same file as the input") && err.contains("x.parquet"),
            "{err}"
        );
        assert_eq!(fs::read(&input).unwrap(), before, "{extra:?}");
    }
    // Devices and new files stay allowed.
    for destination in ["/dev/null", "/dev/stdout"] {
        let output = run([
            "diff".as_ref(),
            input.as_os_str(),
            "-o".as_ref(),
            destination.as_ref(),
        ]);
        assert_eq!(code(&output), 0, "{destination}: {}", stderr(&output));
    }
}

/// Starts a run with `-o` that stays in progress until signalled: it logs one line per
/// missing input, and nobody reads its stderr, so once the pipe is full it waits, its
/// temporary report in place. Returns once the temporary file exists.
fn start_a_run_that_waits(dir: &Path, destination: &Path) -> Child {
    let inputs: Vec<PathBuf> = (0..4000)
        .map(|i| dir.join(format!("missing-{i:05}-{}.parquet", "x".repeat(60))))
        .collect();
    let mut child = Command::new(bin())
        .arg("diff")
        .args(&inputs)
        .arg("-o")
        .arg(destination)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while temp_files(dir).is_empty() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended ({status}) before its temporary file appeared");
        }
        assert!(Instant::now() < deadline, "no temporary file after 60 s");
        std::thread::sleep(Duration::from_millis(5));
    }
    child
}

#[test]
fn a_signal_during_a_run_removes_the_temporary_file_and_ends_the_run_by_that_signal() {
    for (name, number) in [("INT", 2), ("TERM", 15), ("HUP", 1)] {
        let dir = temp_dir();
        let destination = dir.path().join("report.json");
        fs::write(&destination, "old").unwrap();
        let mut child = start_a_run_that_waits(dir.path(), &destination);
        let killed = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        // Ended by the signal itself, as an uncaught one would: shells report 128 + n
        // (130, 143, 129) and stop a loop on Ctrl-C.
        assert_eq!(status.signal(), Some(number), "SIG{name}: {status}");
        assert_eq!(
            temp_files(dir.path()),
            Vec::<PathBuf>::new(),
            "SIG{name} left the temporary file"
        );
        assert_eq!(
            fs::read_to_string(&destination).unwrap(),
            "old",
            "SIG{name}"
        );
    }
}

/// A column name that tries every trick: colours, a newline, a carriage return, a bell, a
/// right-to-left override, C1 CSI, and U+FFFF, which XML 1.0 cannot carry.
const HOSTILE_NAME: &str = "label\x1b[31m\nfake line\rover\x07\u{202e}\u{9b}2J\u{ffff}";

/// A file with a hostile column name, a column named by 20,000 characters, and `label_str`
/// holding hostile values: ESC sequences, a newline, 20,000 characters.
fn write_hostile(path: &Path) {
    let long_name = "y".repeat(20_000);
    let schema = Arc::new(Schema::new(vec![
        Field::new(HOSTILE_NAME, DataType::Utf8, true),
        Field::new(&long_name, DataType::Utf8, true),
        Field::new("label_str", DataType::Utf8, true),
    ]));
    let hostile: ArrayRef = Arc::new(StringArray::from(vec![Some("a"), Some("b"), None]));
    let long: ArrayRef = Arc::new(StringArray::from(vec![Some("z"); 3]));
    let values: ArrayRef = Arc::new(StringArray::from(vec![
        "a\x1b]0;pwned\x07".to_owned(),
        "two\nlines\r".to_owned(),
        "z".repeat(20_000),
    ]));
    let batch = RecordBatch::try_new(schema.clone(), vec![hostile, long, values]).unwrap();
    let mut writer = ArrowWriter::try_new(fs::File::create(path).unwrap(), schema, None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

/// No control byte but the line ends; no line longer than `longest` characters.
fn assert_terminal_safe(what: &str, text: &str, longest: usize) {
    for (index, line) in text.lines().enumerate() {
        assert!(
            !line.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{what}, line {}: raw control characters in {line:?}",
            index + 1
        );
        assert!(
            line.chars().count() <= longest,
            "{what}, line {}: {} characters",
            index + 1,
            line.chars().count()
        );
    }
}

#[test]
fn hostile_column_names_and_values_reach_the_terminal_escaped_and_cut() {
    let dir = temp_dir();
    let path = dir.path().join("hostile.parquet");
    write_hostile(&path);

    let output = run([
        "diff".as_ref(),
        path.as_os_str(),
        "--all".as_ref(),
        "--timings".as_ref(),
        "--color".as_ref(),
        "never".as_ref(),
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = String::from_utf8(output.stdout.clone()).unwrap();
    assert_terminal_safe("text report", &text, 1000);
    assert!(
        text.contains(r"label\x1b[31m\nfake line\rover\x07\u{202e}\u{9b}2J\u{ffff}"),
        "{text}"
    );
    assert!(text.contains("…[19744 more characters]"), "{text}");
    let err = stderr(&output);
    assert_terminal_safe("stderr", &err, 1000);
    assert!(err.contains(r"label\x1b[31m\nfake line"), "{err}");

    // An unknown column: the message lists the file's columns, on stderr and in the report.
    let output = run([
        "diff".as_ref(),
        path.as_os_str(),
        "--columns".as_ref(),
        "nope\x1b[2J\nx".as_ref(),
    ]);
    assert_eq!(code(&output), 2);
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_terminal_safe("stderr", &err, 5000);
    assert_terminal_safe(
        "text report",
        &String::from_utf8_lossy(&output.stdout),
        5000,
    );

    // Values in mismatches (here with a dump that disagrees on every row).
    let dump = dir.path().join("dump.csv");
    fs::write(&dump, "label_str\nother\nother\nother\n").unwrap();
    let output = run([
        "diff".as_ref(),
        path.as_os_str(),
        "--against".as_ref(),
        dump.as_os_str(),
        "--color".as_ref(),
        "never".as_ref(),
    ]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert_terminal_safe("text report", &text, 1000);
    assert!(
        text.contains(r#"arrow "a\u{1b}]0;pwned\u{7}" / raw"#),
        "{text}"
    );
    assert!(text.contains("…[19746 more characters]"), "{text}");

    // JSON keeps names as data, but no message grows without bound.
    let output = run([
        "diff".as_ref(),
        path.as_os_str(),
        "--columns".as_ref(),
        "nope".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let report = json(&output);
    let error = report["files"][0]["error"].as_str().unwrap();
    assert!(error.chars().count() < 4200, "{} characters", error.len());
    assert!(error.ends_with(" more characters]"), "{error}");
}

#[test]
fn hostile_column_names_keep_junit_well_formed() {
    let dir = temp_dir();
    let path = dir.path().join("hostile.parquet");
    write_hostile(&path);
    let output = run([
        "diff".as_ref(),
        path.as_os_str(),
        "--all".as_ref(),
        "--format".as_ref(),
        "junit".as_ref(),
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let xml = String::from_utf8(output.stdout).unwrap();
    assert!(!xml.contains(['\x1b', '\u{9b}', '\u{ffff}']), "{xml}");
    let document = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let names: Vec<&str> = document
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .filter_map(|n| n.attribute("name"))
        .collect();
    assert!(
        names.iter().any(|n| n.starts_with("label\u{fffd}[31m")),
        "{names:?}"
    );
}

#[test]
fn a_newline_in_a_path_gives_one_line_per_error() {
    let dir = temp_dir();
    let path = dir.path().join("bad\nname.parquet");
    fs::write(&path, b"not parquet at all").unwrap();
    let output = run([
        "diff".as_ref(),
        path.as_os_str(),
        dir.path().join("gone\r\nname.parquet").as_os_str(),
    ]);
    assert_eq!(code(&output), 2);
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 2, "one line per file: {err}");
    assert!(err.contains(r"bad\nname.parquet: "), "{err}");
    assert!(err.contains(r"gone\r\nname.parquet: cannot open"), "{err}");
    let text = String::from_utf8(output.stdout).unwrap();
    assert_terminal_safe("text report", &text, 1000);
}

/// Runs `labelcheck ARGS` with stdout and stderr as given.
fn run_with(args: &[&str], stdout: Stdio, stderr: Stdio) -> std::process::ExitStatus {
    Command::new(bin())
        .args(args)
        .stdout(stdout)
        .stderr(stderr)
        .status()
        .unwrap()
}

/// A socket whose other end is already closed: every write fails with a broken pipe.
fn broken_pipe() -> Stdio {
    let (ours, theirs) = std::os::unix::net::UnixStream::pair().unwrap();
    drop(ours);
    Stdio::from(std::os::fd::OwnedFd::from(theirs))
}

fn dev_full() -> Stdio {
    Stdio::from(OpenOptions::new().write(true).open("/dev/full").unwrap())
}

#[test]
fn unwritable_stderr_never_panics_and_keeps_the_exit_code() {
    let missing = "/no/such/file.parquet";
    let demo = demo_file();
    let demo = demo.to_str().unwrap();
    for (what, stderr) in [
        ("stderr full", dev_full as fn() -> Stdio),
        ("stderr a broken pipe", broken_pipe),
    ] {
        let status = run_with(&["diff", missing], Stdio::null(), stderr());
        assert_eq!(status.code(), Some(2), "{what}: {status}");
        let status = run_with(&["diff", demo, "--timings"], Stdio::null(), stderr());
        assert_eq!(status.code(), Some(0), "{what}: {status}");
        // The report cannot be written either: exit 2, and the message is dropped quietly.
        let status = run_with(&["diff", demo], dev_full(), stderr());
        assert_eq!(status.code(), Some(2), "{what}: {status}");
    }
    // Closed outright: `2>&-`.
    let shell = |script: &str| {
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg("sh")
            .arg(bin())
            .arg(missing)
            .arg(demo)
            .output()
            .unwrap()
    };
    let closed = shell(r#""$1" diff "$2" 2>&-"#);
    assert_eq!(code(&closed), 2, "{}", stderr(&closed));
    let closed = shell(r#""$1" diff "$3" --timings 2>&- >&-"#);
    assert_eq!(code(&closed), 0, "{}", stderr(&closed));
}

#[test]
fn unwritable_stdout_never_panics() {
    let demo = demo_file();
    let demo = demo.to_str().unwrap();
    // A reader that stopped early (`| head`) is not a failure of the run.
    let status = run_with(&["diff", demo], broken_pipe(), Stdio::null());
    assert_eq!(status.code(), Some(0), "{status}");
    // A report that cannot be written is exit 2, with one line saying why.
    let output = Command::new(bin())
        .args(["diff", demo])
        .stdout(dev_full())
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("stdout: No space left on device"), "{err}");
    // ... and with nowhere to say why.
    let status = run_with(&["diff", demo], dev_full(), broken_pipe());
    assert_eq!(status.code(), Some(2), "{status}");
    // Closed outright: `>&-`.
    let closed = Command::new("sh")
        .args(["-c", r#""$1" diff "$2" >&-"#, "sh"])
        .arg(bin())
        .arg(demo)
        .output()
        .unwrap();
    assert_eq!(code(&closed), 0, "{}", stderr(&closed));
    assert!(stderr(&closed).is_empty(), "{}", stderr(&closed));
}

#[test]
fn threads_are_capped_with_one_note() {
    let output = run([
        "diff",
        demo_file().to_str().unwrap(),
        "--threads",
        "100000",
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("labelcheck: --threads 100000 capped to "),
        "{err}"
    );
    json(&output);
}
