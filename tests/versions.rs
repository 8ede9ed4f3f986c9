//! Two versions of a file compared by position: `labelcheck diff NEW --against OLD.parquet`.
//! Both files go through both decoders; the old version's raw decoder, realigned to the new
//! file's row groups, is the witness `old`; a row where it differs from the new file's agreeing
//! decoders is `changed`, and a flat column with few classes gets its transition matrix (text
//! table, JSON, and an HTML heat map rendered here in headless chromium).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use common::{assert_valid, code, json, run, stderr, temp_dir, write_batch};
use parquet::file::properties::WriterProperties;
use serde_json::Value;

/// Writes `labels` (a nullable INT64 column `label`, beside an unlabelled `id`) to `path`,
/// `group_rows` rows per row group and `page_rows` rows per page.
fn write_labels(path: &Path, labels: &[Option<i64>], group_rows: usize, page_rows: usize) {
    let ids: ArrayRef = Arc::new(Int64Array::from_iter_values(0..labels.len() as i64));
    let values: ArrayRef = Arc::new(Int64Array::from(labels.to_vec()));
    let batch = RecordBatch::try_from_iter([("id", ids), ("label", values)]).unwrap();
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(group_rows))
        .set_data_page_row_count_limit(page_rows)
        .set_write_batch_size(page_rows.min(1024))
        .build();
    write_batch(path, &batch, Some(properties));
}

/// The old labels: 0, 1, 2 in turn, every 97th row null.
fn old_labels(rows: usize) -> Vec<Option<i64>> {
    (0..rows)
        .map(|i| (i % 97 != 5).then_some(i as i64 % 3))
        .collect()
}

/// The old labels with 27 rows relabelled 0→1 and 3 rows 1→0, and those rows.
fn relabelled(old: &[Option<i64>]) -> (Vec<Option<i64>>, Vec<u64>) {
    let mut new = old.to_vec();
    let zeros = (0..old.len()).filter(|&i| old[i] == Some(0)).step_by(37);
    let ones = (0..old.len()).filter(|&i| old[i] == Some(1)).step_by(301);
    let mut changed: Vec<u64> = Vec::new();
    for i in zeros.take(27) {
        new[i] = Some(1);
        changed.push(i as u64);
    }
    for i in ones.take(3) {
        new[i] = Some(0);
        changed.push(i as u64);
    }
    changed.sort_unstable();
    (new, changed)
}

fn diff(new: &Path, old: &Path, more: &[&str]) -> std::process::Output {
    let mut args = vec![
        "diff".to_owned(),
        new.display().to_string(),
        "--against".to_owned(),
        old.display().to_string(),
        "--columns".to_owned(),
        "label".to_owned(),
    ];
    args.extend(more.iter().map(|s| (*s).to_owned()));
    run(args)
}

fn column(report: &Value, file: usize) -> &Value {
    &report["files"][file]["columns"][0]
}

/// `counts` of a transitions object as nested vectors.
fn matrix(transitions: &Value) -> Vec<Vec<u64>> {
    transitions["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_u64().unwrap())
                .collect()
        })
        .collect()
}

fn numbers(value: &Value) -> Vec<u64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect()
}

/// Two versions with 27 labels 0→1 and 3 labels 1→0, written with other row groups and
/// pages: every changed row found by position, nothing else, and the matrix says how.
#[test]
fn changed_labels_are_found_by_position_with_the_transition_matrix() {
    let dir = temp_dir();
    let old = old_labels(20_000);
    let (new, changed) = relabelled(&old);
    let (old_path, new_path) = (
        dir.path().join("old.parquet"),
        dir.path().join("new.parquet"),
    );
    write_labels(&old_path, &old, 7_000, 1_000);
    write_labels(&new_path, &new, 3_000, 450);

    // Small windows, so that the old version's rows are served across its row groups and
    // windows; one thread, then the default.
    for extra in [&["--window-rows", "333", "--threads", "1"][..], &[]] {
        let output = diff(
            &new_path,
            &old_path,
            &[&["--format", "json"], extra].concat(),
        );
        assert_eq!(code(&output), 1, "{}", stderr(&output));
        let report = json(&output);
        assert_valid(&report);
        assert_eq!(report["schema_version"], 5);
        let files = report["files"].as_array().unwrap();
        assert_eq!(files.len(), 2, "the new file, then the old on its own");
        assert_eq!(files[0]["path"], new_path.display().to_string());
        assert_eq!(files[1]["path"], old_path.display().to_string());

        let new_column = column(&report, 0);
        assert_eq!(
            new_column["mismatch_kinds"]["changed"], 30,
            "{new_column:#}"
        );
        assert_eq!(new_column["mismatches"], 30);
        // Every mismatch a change where the decoders agree: the column changed, as by key.
        assert_eq!(new_column["status"], "changed");
        assert_eq!(
            new_column["checked_by"],
            serde_json::json!(["arrow", "raw", "old"])
        );
        let listed: Vec<u64> = files[0]["mismatches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                assert_eq!(m["kind"], "changed");
                assert_eq!(m["fault"], "change");
                assert_eq!(m["values"]["arrow"], m["values"]["raw"]);
                assert_ne!(m["values"]["old"], m["values"]["raw"]);
                m["row"].as_u64().unwrap()
            })
            .collect();
        assert_eq!(listed, changed);
        // A change is no decoder fault: no diagnosis pattern.
        assert_eq!(new_column["diagnosis"], serde_json::json!([]));

        // The old version read through the new file's row groups is the old version.
        let old_column = column(&report, 1);
        assert_eq!(old_column["status"], "agree");
        assert_eq!(old_column["digests"]["raw"], new_column["digests"]["old"]);
        assert_ne!(new_column["digests"]["raw"], new_column["digests"]["old"]);

        let t = &new_column["transitions"];
        assert_eq!(t["classes"], serde_json::json!([0, 1, 2, null]), "{t:#}");
        let m = matrix(t);
        assert_eq!(m[0][1], 27);
        assert_eq!(m[1][0], 3);
        let off_diagonal: u64 = (0..4)
            .flat_map(|i| (0..4).map(move |j| (i, j)))
            .filter(|(i, j)| i != j)
            .map(|(i, j)| m[i][j])
            .sum();
        assert_eq!(off_diagonal, 30);
        let count = |labels: &[Option<i64>], class: Option<i64>| {
            labels.iter().filter(|&&l| l == class).count() as u64
        };
        let classes = [Some(0), Some(1), Some(2), None];
        assert_eq!(numbers(&t["old"]), classes.map(|c| count(&old, c)).to_vec());
        assert_eq!(numbers(&t["new"]), classes.map(|c| count(&new, c)).to_vec());
        assert_eq!(numbers(&t["added"]), vec![0; 4]);
        assert_eq!(numbers(&t["removed"]), vec![0; 4]);
        // The old file's own report has no old version.
        assert!(old_column.get("transitions").is_none());
    }

    // The text report: the changes on one line, then the matrix.
    let output = diff(&new_path, &old_path, &["--color", "never"]);
    assert_eq!(code(&output), 1);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("changes from the old version: 0→1: 27, 1→0: 3\n"),
        "{text}"
    );
    assert!(text.contains("CHANGED"), "{text}");
    let row_of_zero = text
        .lines()
        .find(|l| l.trim_start().starts_with("0 ") && l.contains("27"))
        .unwrap_or_else(|| panic!("a matrix row for class 0: {text}"));
    let cells: Vec<&str> = row_of_zero.split_whitespace().collect();
    assert_eq!(cells[2], "27", "0→1 in the matrix: {row_of_zero}");

    // CSV: the old version's value in the last field, `old`.
    let output = diff(&new_path, &old_path, &["--format", "csv"]);
    let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
    let header = reader.headers().unwrap().clone();
    assert_eq!(header.iter().next_back(), Some("old"));
    let first = reader.records().next().unwrap().unwrap();
    assert_eq!(&first[2], "changed");
    assert_eq!(first[4].parse::<u64>().unwrap(), changed[0]);
    let old_value = old[changed[0] as usize].unwrap().to_string();
    assert_eq!(first.iter().next_back(), Some(old_value.as_str()));

    // Changes fail the run unless told not to.
    let output = diff(&new_path, &old_path, &["--fail-on", "never"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

/// The same labels rewritten with other row groups, pages, encodings and codec: no change,
/// and the matrix is its diagonal.
#[test]
fn the_same_labels_rewritten_another_way_have_no_changes() {
    let dir = temp_dir();
    let labels = old_labels(10_000);
    let old_path = dir.path().join("old.parquet");
    write_labels(&old_path, &labels, 4_096, 512);
    let new_path = dir.path().join("new.parquet");
    let ids: ArrayRef = Arc::new(Int64Array::from_iter_values(0..labels.len() as i64));
    let values: ArrayRef = Arc::new(Int64Array::from(labels.clone()));
    let batch = RecordBatch::try_from_iter([("label", values), ("id", ids)]).unwrap();
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(999))
        .set_dictionary_enabled(false)
        .set_compression(parquet::basic::Compression::SNAPPY)
        .set_writer_version(parquet::file::properties::WriterVersion::PARQUET_2_0)
        .build();
    write_batch(&new_path, &batch, Some(properties));

    let output = diff(&new_path, &old_path, &["--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    assert_valid(&report);
    let column = column(&report, 0);
    assert_eq!(column["mismatches"], 0);
    assert_eq!(column["digests"]["old"], column["digests"]["raw"]);
    let m = matrix(&column["transitions"]);
    for (i, row) in m.iter().enumerate() {
        for (j, &rows) in row.iter().enumerate() {
            assert!(i == j || rows == 0, "off the diagonal: {m:?}");
        }
    }
    assert_eq!(m.iter().enumerate().map(|(i, r)| r[i]).sum::<u64>(), 10_000);
}

/// Rows beyond the other version's last are changes too: added when only the new file has
/// them, removed when only the old one does.
#[test]
fn rows_only_in_one_version_are_added_or_removed() {
    let dir = temp_dir();
    let labels = old_labels(5_000);
    let long = dir.path().join("long.parquet");
    let short = dir.path().join("short.parquet");
    write_labels(&long, &labels, 2_000, 300);
    write_labels(&short, &labels[..4_200], 1_500, 300);
    let tally = |range: std::ops::Range<usize>| {
        [Some(0), Some(1), Some(2), None]
            .map(|c| labels[range.clone()].iter().filter(|&&l| l == c).count() as u64)
            .to_vec()
    };

    for (new, old, added, removed) in [
        (&long, &short, tally(4_200..5_000), vec![0; 4]),
        (&short, &long, vec![0; 4], tally(4_200..5_000)),
    ] {
        let output = diff(new, old, &["--format", "json", "--window-rows", "700"]);
        assert_eq!(code(&output), 1, "{}", stderr(&output));
        let report = json(&output);
        assert_valid(&report);
        let column = column(&report, 0);
        assert_eq!(column["mismatch_kinds"]["changed"], 800, "{column:#}");
        let t = &column["transitions"];
        assert_eq!(numbers(&t["added"]), added, "{t:#}");
        assert_eq!(numbers(&t["removed"]), removed, "{t:#}");
        let first = &report["files"][0]["mismatches"][0];
        assert_eq!(first["row"], 4_200);
        // The side without the row has no value.
        let side = if new == &long { "old" } else { "raw" };
        assert!(first["values"].get(side).is_none(), "{first:#}");
    }
}

/// What `--against` names is told by its first bytes, not its name: Parquet called `.csv` is
/// an old version, a CSV called `.parquet` is a dump.
#[test]
fn an_old_version_is_told_from_a_dump_by_its_magic_not_its_name() {
    let dir = temp_dir();
    let labels = old_labels(1_000);
    let new_path = dir.path().join("new.parquet");
    write_labels(&new_path, &labels, 1_000, 100);
    let disguised = dir.path().join("labels.csv");
    std::fs::copy(&new_path, &disguised).unwrap();
    let output = diff(&new_path, &disguised, &["--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["files"].as_array().unwrap().len(), 2);
    assert!(column(&report, 0)["transitions"].is_object());

    // With a `row` column, so that a null label is not a blank line.
    let mut dump = String::from("row,label\n");
    for (row, label) in labels.iter().enumerate() {
        let label = label.map_or(String::new(), |l| l.to_string());
        dump.push_str(&format!("{row},{label}\n"));
    }
    let csv_named_parquet = dir.path().join("dump.parquet");
    std::fs::write(&csv_named_parquet, dump).unwrap();
    let output = diff(&new_path, &csv_named_parquet, &["--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["files"].as_array().unwrap().len(), 1);
    let column = column(&report, 0);
    assert!(column["digests"]["against"].is_string(), "{column:#}");
    assert!(column.get("transitions").is_none());

    // An old version is one file's: two files or a null token are usage errors.
    let output = run([
        "diff",
        new_path.to_str().unwrap(),
        new_path.to_str().unwrap(),
        "--against",
        disguised.to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("old version"),
        "{}",
        stderr(&output)
    );
    let output = diff(&new_path, &disguised, &["--null-token", "NA"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("--null-token"),
        "{}",
        stderr(&output)
    );
}

/// A column the old version lacks (or holds as another type) is not compared, and says so;
/// the other columns still are.
#[test]
fn a_column_the_old_version_lacks_is_a_finding_and_the_rest_is_compared() {
    let dir = temp_dir();
    let labels = old_labels(2_000);
    let old_path = dir.path().join("old.parquet");
    write_labels(&old_path, &labels, 2_000, 500);
    let new_path = dir.path().join("new.parquet");
    let values: ArrayRef = Arc::new(Int64Array::from(labels.clone()));
    let names: ArrayRef = Arc::new(StringArray::from_iter_values(
        (0..labels.len()).map(|i| format!("c{}", i % 4)),
    ));
    let batch = RecordBatch::try_from_iter([("label", values), ("target", names)]).unwrap();
    write_batch(&new_path, &batch, None);
    let output = run([
        "diff",
        new_path.to_str().unwrap(),
        "--against",
        old_path.to_str().unwrap(),
        "--columns",
        "label,target",
        "--format",
        "json",
    ]);
    let report = json(&output);
    assert_valid(&report);
    assert_eq!(code(&output), 1, "a missing column fails the run");
    let columns = report["files"][0]["columns"].as_array().unwrap();
    assert_eq!(columns[0]["mismatches"], 0);
    assert!(columns[0]["transitions"].is_object());
    assert!(columns[1]["digests"].get("old").is_none());
    assert!(columns[1].get("transitions").is_none());
    let findings = common::finding_messages(&report);
    assert!(
        findings
            .iter()
            .any(|f| f.contains("\"target\"") && f.contains("has no such column")),
        "{findings:?}"
    );
}

/// Beyond `MAX_CLASSES` (20) classes a matrix is no longer read at a glance: none is given,
/// while every change is still found.
#[test]
fn a_column_with_more_than_twenty_classes_has_changes_but_no_matrix() {
    let dir = temp_dir();
    let old: Vec<Option<i64>> = (0..3_000).map(|i| Some(i % 21)).collect();
    let mut new = old.clone();
    new[10] = Some(99);
    let (old_path, new_path) = (
        dir.path().join("old.parquet"),
        dir.path().join("new.parquet"),
    );
    write_labels(&old_path, &old, 3_000, 1_000);
    write_labels(&new_path, &new, 3_000, 1_000);
    let output = diff(&new_path, &old_path, &["--format", "json"]);
    assert_eq!(code(&output), 1);
    let report = json(&output);
    assert_valid(&report);
    assert_eq!(column(&report, 0)["mismatch_kinds"]["changed"], 1);
    assert!(column(&report, 0).get("transitions").is_none());

    let twenty: Vec<Option<i64>> = (0..3_000).map(|i| Some(i % 20)).collect();
    write_labels(&old_path, &twenty, 3_000, 1_000);
    write_labels(&new_path, &twenty, 3_000, 1_000);
    let report = json(&diff(&new_path, &old_path, &["--format", "json"]));
    let classes = column(&report, 0)["transitions"]["classes"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(classes, 20);
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// Runs headless `browser` on `html` with `what` (`--screenshot=…` or `--dump-dom`).
fn browse(browser: &str, html: &Path, dir: &Path, what: &str) -> std::process::Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1200,1100",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(what)
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium runs")
}

/// The screenshot's pixels as RGB, and its width.
fn pixels(png_path: &Path) -> (Vec<[u8; 3]>, usize) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buffer).unwrap();
    let channels = info.color_type.samples();
    let pixels = buffer[..info.buffer_size()]
        .chunks(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    (pixels, info.width as usize)
}

/// Pixels within a few units of `colour` on each channel.
fn of_colour(pixels: &[[u8; 3]], colour: [u8; 3]) -> usize {
    pixels
        .iter()
        .filter(|p| (0..3).all(|c| p[c].abs_diff(colour[c]) <= 6))
        .count()
}

/// The HTML report of two versions, as chromium renders it: the heat map's cells carry the
/// matrix's counts, the bars both versions' class totals, and the screenshot shows them — the
/// kept cells' blue, the bars' two colours — on a page that is not blank.
#[test]
fn the_transition_heat_map_and_class_bars_render_in_a_headless_browser() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have chromium: .ci/run installs it"
        );
        eprintln!("note: no chromium on this machine; the HTML rendering test did not run");
        return;
    };
    let dir = temp_dir();
    let old = old_labels(6_000);
    let (new, _) = relabelled(&old);
    let (old_path, new_path) = (
        dir.path().join("old.parquet"),
        dir.path().join("new.parquet"),
    );
    write_labels(&old_path, &old, 2_500, 400);
    write_labels(&new_path, &new[..5_900], 1_000, 400);
    let html: PathBuf = dir.path().join("report.html");
    let output = diff(
        &new_path,
        &old_path,
        &["--format", "html", "-o", html.to_str().unwrap()],
    );
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let report = json(&diff(&new_path, &old_path, &["--format", "json"]));
    let t = &column(&report, 0)["transitions"];
    let m = matrix(t);
    let removed = numbers(&t["removed"]);
    assert!(removed.iter().sum::<u64>() == 100, "{t:#}");

    // The DOM chromium built from the page: every cell and bar with its counts.
    let dom = browse(browser, &html, dir.path(), "--dump-dom");
    let dom = String::from_utf8(dom.stdout).unwrap();
    assert!(
        dom.contains("<svg class=\"heatmap\""),
        "no heat map in: {dom}"
    );
    let attribute = |element: &str, name: &str| -> String {
        let at = element.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        element[at..at + element[at..].find('"').unwrap()].to_owned()
    };
    let marks = |class: &str| -> Vec<String> {
        dom.split(&format!("<g class=\"{class}"))
            .skip(1)
            .map(|rest| rest[..rest.find('>').unwrap()].to_owned())
            .collect()
    };
    let labels = ["0", "1", "2", "null"];
    let heat = marks("heat ");
    assert_eq!(heat.len(), 4 * 4 + 4, "a 4×4 matrix and a removed column");
    for element in &heat {
        let (old, new) = (
            attribute(element, "data-old"),
            attribute(element, "data-new"),
        );
        let rows: u64 = attribute(element, "data-rows").parse().unwrap();
        let i = labels.iter().position(|l| *l == old).unwrap();
        let expected = match labels.iter().position(|l| *l == new) {
            Some(j) => m[i][j],
            None => {
                assert_eq!(new, "absent");
                removed[i]
            }
        };
        assert_eq!(rows, expected, "cell {old}→{new}");
    }
    assert!(heat.iter().any(|e| e.starts_with("changed\"")
        && attribute(e, "data-old") == "0"
        && attribute(e, "data-new") == "1"
        && attribute(e, "data-rows") == "27"));
    for (version, totals) in [("old", numbers(&t["old"])), ("new", numbers(&t["new"]))] {
        let bars = marks(&format!("bar {version}\""));
        assert_eq!(bars.len(), 4, "one {version} bar per class");
        for (bar, expected) in bars.iter().zip(&totals) {
            assert_eq!(
                &attribute(bar, "data-rows").parse::<u64>().unwrap(),
                expected
            );
        }
    }

    // What it looks like: not blank, and the heat map's and bars' colours are drawn.
    let shot = dir.path().join("report.png");
    let run = browse(
        browser,
        &html,
        dir.path(),
        &format!("--screenshot={}", shot.display()),
    );
    assert!(shot.exists(), "no screenshot: {}", stderr(&run));
    let (pixels, _) = pixels(&shot);
    let ink = pixels.iter().filter(|p| p.iter().any(|&c| c < 200)).count();
    assert!(ink > 20_000, "the page looks blank: {ink} inked pixels");
    // The fullest kept cells are solid blue (#2563eb); the bars amber and teal.
    let blue = of_colour(&pixels, [0x25, 0x63, 0xeb]);
    assert!(blue > 3 * 44 * 30, "kept cells drawn: {blue} blue pixels");
    let amber = of_colour(&pixels, [0xf5, 0x9e, 0x0b]);
    let teal = of_colour(&pixels, [0x0d, 0x94, 0x88]);
    assert!(
        amber > 3 * 200 * 8 && teal > 3 * 200 * 8,
        "both versions' bars drawn: {amber} amber, {teal} teal pixels"
    );
}

/// An old version whose chunk cannot be read mid-column: its own report says so, and the new
/// file's column says its rows after are not compared with it, and gives no matrix of part of
/// them.
#[test]
fn an_old_version_that_fails_mid_column_says_what_was_not_compared() {
    use parquet::file::reader::{FileReader, SerializedFileReader};

    let dir = temp_dir();
    let labels = old_labels(4_000);
    let (old_path, new_path) = (
        dir.path().join("old.parquet"),
        dir.path().join("new.parquet"),
    );
    write_labels(&old_path, &labels, 1_000, 500);
    write_labels(&new_path, &labels, 1_000, 500);
    let reader = SerializedFileReader::new(std::fs::File::open(&old_path).unwrap()).unwrap();
    let offset = reader.metadata().row_group(2).column(1).data_page_offset() as usize;
    let mut bytes = std::fs::read(&old_path).unwrap();
    // The page header's first bytes: neither decoder can read the page.
    for byte in &mut bytes[offset..offset + 8] {
        *byte ^= 0x5a;
    }
    std::fs::write(&old_path, bytes).unwrap();

    let output = diff(&new_path, &old_path, &["--format", "json"]);
    let report = json(&output);
    assert_valid(&report);
    assert_ne!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(column(&report, 1)["status"], "unreadable");
    let new_column = column(&report, 0);
    assert_eq!(
        new_column["checked_by"],
        serde_json::json!(["arrow", "raw"])
    );
    assert!(new_column.get("transitions").is_none(), "{new_column:#}");
    let findings = common::finding_messages(&report);
    assert!(
        findings
            .iter()
            .any(|f| f.contains("the old version's rows could not all be read")),
        "{findings:?}"
    );
}

/// A new file without row groups has nothing to serve the old version's rows with: a finding
/// says they were not compared, and the run fails.
#[test]
fn an_empty_new_file_against_an_old_version_with_rows_says_so() {
    let dir = temp_dir();
    let (old_path, new_path) = (
        dir.path().join("old.parquet"),
        dir.path().join("new.parquet"),
    );
    write_labels(&old_path, &old_labels(100), 100, 100);
    write_labels(&new_path, &[], 100, 100);
    let output = diff(&new_path, &old_path, &["--format", "json"]);
    let report = json(&output);
    assert_valid(&report);
    assert_eq!(report["files"][0]["row_groups"], 0, "{report:#}");
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let findings = common::finding_messages(&report);
    assert!(
        findings
            .iter()
            .any(|f| f.contains("has 100 rows and this file none")),
        "{findings:?}"
    );
}
