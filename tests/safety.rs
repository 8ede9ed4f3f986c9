//! Never destroy: the report never replaces an input, and an interrupted run leaves no
//! temporary file.
#![cfg(unix)]

mod common;

use std::fs::{self, OpenOptions};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{bin, code, demo_file, run, stderr, temp_dir};

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
