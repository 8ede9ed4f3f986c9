//! Truncation and corruption sweeps: every prefix of a small multi-encoding file, and every
//! single-byte corruption of it (xor 0xFF and xor 0x01), through both paths in-process. Each
//! case must end in an answer — agreement, a mismatch, a finding or an error — never a panic.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::fixtures::{write_labels, Layout, PageVersion, Spec};
use common::temp_dir;
use labelcheck::check::{check_file, CheckOptions, Progress};
use labelcheck::columns::ColumnChoice;
use labelcheck::decode::DecodeOptions;
use labelcheck::report::{FailOn, FileReport, Outcome, Report};
use labelcheck::source::InMemory;

/// A case that takes this long has hung.
const HANG: Duration = Duration::from_secs(30);

fn fixture(layout: Layout, version: PageVersion) -> Vec<u8> {
    let dir = temp_dir();
    let path = dir.path().join("sweep.parquet");
    let spec = Spec {
        layout,
        version,
        rows: 60,
        row_group_rows: 25,
        page_rows: 9,
        ..Spec::default()
    };
    write_labels(&path, &spec);
    std::fs::read(&path).unwrap()
}

fn options() -> CheckOptions {
    CheckOptions {
        columns: ColumnChoice::All,
        max_listed: 10,
        // Small enough that a corrupted size claim fails fast.
        decode: DecodeOptions {
            verify_crc: true,
            max_page_bytes: 1 << 20,
            max_footer_bytes: 1 << 20,
            ..DecodeOptions::default()
        },
        window: 2,
        window_rows: 1 << 20,
        against: None,
        old: None,
        timings: false,
    }
}

fn no_progress(_: u64) -> Box<dyn Progress> {
    Box::new(())
}

/// Runs one case; returns its outcome, or the panic message.
fn run_case(bytes: Vec<u8>) -> Result<Outcome, String> {
    catch_unwind(AssertUnwindSafe(|| {
        let source = Arc::new(InMemory::new("case.parquet", bytes));
        let file: FileReport = check_file("case.parquet", source, &options(), &no_progress);
        Report::new(vec![file], FailOn::Mismatch, 10).outcome()
    }))
    .map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

#[derive(Default, Debug)]
struct Tally {
    agree: usize,
    disagree: usize,
    error: usize,
}

fn sweep(name: &str, original: &[u8], cases: impl Iterator<Item = (String, Vec<u8>)>) -> Tally {
    let mut tally = Tally::default();
    let mut panics = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    for (label, bytes) in cases {
        let started = Instant::now();
        let outcome = run_case(bytes);
        if started.elapsed() > slowest.0 {
            slowest = (started.elapsed(), label.clone());
        }
        match outcome {
            Ok(Outcome::Agree) => tally.agree += 1,
            Ok(Outcome::Disagree) => tally.disagree += 1,
            Ok(Outcome::Error) => tally.error += 1,
            Err(message) => panics.push(format!("{label}: {message}")),
        }
    }
    assert!(
        panics.is_empty(),
        "{name}: {} of the cases panicked (file of {} bytes):\n{}",
        panics.len(),
        original.len(),
        panics[..panics.len().min(20)].join("\n")
    );
    // Not a speed goal: a case this slow on a 12 KB file is a hang.
    assert!(
        slowest.0 < HANG,
        "{name}: {} took {:?}",
        slowest.1,
        slowest.0
    );
    eprintln!("{name}: {tally:?}, slowest case {:?}", slowest.0);
    tally
}

fn truncations(bytes: &[u8]) -> impl Iterator<Item = (String, Vec<u8>)> + '_ {
    (0..bytes.len()).map(|len| (format!("prefix {len}"), bytes[..len].to_vec()))
}

fn corruptions(bytes: &[u8]) -> impl Iterator<Item = (String, Vec<u8>)> + '_ {
    (0..bytes.len()).flat_map(move |at| {
        [0xffu8, 0x01].into_iter().map(move |mask| {
            let mut copy = bytes.to_vec();
            copy[at] ^= mask;
            (format!("byte {at} ^ {mask:#04x}"), copy)
        })
    })
}

#[test]
fn every_prefix_is_an_error_not_a_panic() {
    for (layout, version) in [
        (Layout::Dictionary, PageVersion::V1),
        (Layout::Delta, PageVersion::V2),
    ] {
        let bytes = fixture(layout, version);
        assert_eq!(run_case(bytes.clone()), Ok(Outcome::Agree));
        let tally = sweep(
            &format!("truncation {layout:?} {version:?}"),
            &bytes,
            truncations(&bytes),
        );
        // Without its footer no prefix is a Parquet file.
        assert_eq!(tally.agree + tally.disagree, 0, "{tally:?}");
    }
}

#[test]
fn every_single_byte_corruption_is_answered_without_a_panic() {
    for (layout, version) in [
        (Layout::Dictionary, PageVersion::V1),
        (Layout::Delta, PageVersion::V2),
    ] {
        let bytes = fixture(layout, version);
        let tally = sweep(
            &format!("corruption {layout:?} {version:?}"),
            &bytes,
            corruptions(&bytes),
        );
        assert!(tally.disagree + tally.error > 0, "{tally:?}");
    }
}

/// The arrow reader panics on some corrupt pages; the binary reports that as the arrow path
/// failing, exit 1 or 2, with no panic message on stderr.
#[test]
fn a_panic_inside_the_arrow_reader_is_that_path_failing() {
    use labelcheck::arrow_path::ArrowFile;
    use labelcheck::decode::ColumnDecoder;
    let bytes = fixture(Layout::Dictionary, PageVersion::V1);
    let panicking = (0..bytes.len())
        .map(|at| {
            let mut copy = bytes.clone();
            copy[at] ^= 0xff;
            copy
        })
        .find(|copy| {
            let Ok(file) = ArrowFile::open(Arc::new(InMemory::new("x", copy.clone()))) else { return false };
            (0..file.num_row_groups()).any(|rg| {
                (0..12).any(|leaf| matches!(file.decode(rg, leaf), Err(e) if e.to_string().contains("the arrow reader failed with an internal error")))
            })
        })
        .expect("some corruption makes the arrow reader panic");
    let dir = temp_dir();
    let path = dir.path().join("panics-arrow.parquet");
    std::fs::write(&path, panicking).unwrap();
    let output = common::run(["diff", path.to_str().unwrap(), "--all", "--format", "json"]);
    common::assert_no_panic(&output);
    assert!(matches!(common::code(&output), 1 | 2));
    let report = common::json(&output);
    assert!(
        report
            .to_string()
            .contains("the arrow reader failed with an internal error"),
        "{report}"
    );
}
