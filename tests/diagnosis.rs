//! Each diagnosis pattern, produced by a faulty decoder in the raw path's seat that changes
//! chosen rows: the report must name the pattern with the right numbers.

mod common;

use common::fixtures::{write_labels, Layout, PageVersion, Spec};
use common::temp_dir;
use labelcheck::decode::{ColumnDecoder, DecodeError, DecodedChunk, PageInfo};
use labelcheck::diagnosis::PatternKind;
use labelcheck::raw::RawFile;
use labelcheck::report::{Fault, Pattern};
use labelcheck::value::Values;

/// Chooses the rows to change: (row group, row within it, the page holding it, its value).
type Rule = dyn Fn(usize, usize, &PageInfo, i64) -> bool + Send + Sync;

/// The raw decoder, changing the non-null values its rule picks: booleans flip, integers
/// swap 0 and 1 (others gain 1).
struct Changer {
    inner: RawFile,
    rule: Box<Rule>,
}

impl ColumnDecoder for Changer {
    fn decode(&self, row_group: usize, leaf: usize) -> Result<DecodedChunk, DecodeError> {
        let mut chunk = self.inner.decode(row_group, leaf)?;
        let pages: Vec<PageInfo> = chunk.pages.iter().filter(|p| p.rows > 0).cloned().collect();
        let mut value = 0;
        for row in 0..chunk.slice.rows {
            if !chunk.slice.validity.get(row) {
                continue;
            }
            let page = pages
                .iter()
                .find(|p| p.first_row <= row && row < p.first_row + p.rows)
                .unwrap();
            match &mut chunk.slice.values {
                Values::Boolean(bits) => {
                    let old = bits.get(value);
                    if (self.rule)(row_group, row, page, i64::from(old)) {
                        let mut flipped = labelcheck::value::Bitmap::new();
                        bits.iter()
                            .enumerate()
                            .for_each(|(i, b)| flipped.push(if i == value { !b } else { b }));
                        *bits = flipped;
                    }
                }
                Values::Int32(ints) => {
                    let old = ints[value];
                    if (self.rule)(row_group, row, page, old.into()) {
                        ints[value] = match old {
                            0 => 1,
                            1 => 0,
                            other => other + 1,
                        };
                    }
                }
                Values::Int64(ints) => {
                    let old = ints[value];
                    if (self.rule)(row_group, row, page, old) {
                        ints[value] = old.wrapping_add(1);
                    }
                }
                other => panic!("no changer for {:?}", other.physical_type()),
            }
            value += 1;
        }
        Ok(chunk)
    }
}

/// Checks `column` of a fixture written with `spec`, with `rule` changing rows; returns the
/// column's diagnosis as (pattern, matching, of).
fn diagnose(spec: Spec, column: &str, rule: Box<Rule>) -> Vec<(PatternKind, u64, u64)> {
    let dir = temp_dir();
    let path = dir.path().join("d.parquet");
    write_labels(&path, &spec);
    let report = common::check_with_raw(&path, column, 5, |inner| Changer { inner, rule });
    let column = &report.files[0].columns[0];
    assert!(column.mismatches > 0, "the rule changed no row");
    column
        .diagnosis
        .iter()
        .map(|p| (p.pattern, p.matching, p.of))
        .collect()
}

fn has(diagnosis: &[(PatternKind, u64, u64)], pattern: PatternKind) -> bool {
    diagnosis
        .iter()
        .any(|&(p, matching, of)| p == pattern && matching == of)
}

/// Pages of 40 rows (a multiple of 8) in row groups of 400, so the not-a-multiple-of-8
/// pattern only fires where a test wants it.
fn even_pages() -> Spec {
    Spec {
        page_rows: 40,
        ..Spec::default()
    }
}

#[test]
fn first_values_of_pages() {
    let d = diagnose(
        even_pages(),
        "label",
        Box::new(|_, row, page, _| row - page.first_row < 3),
    );
    assert!(has(&d, PatternKind::PageStart), "{d:?}");
    assert!(!has(&d, PatternKind::PageEnd), "{d:?}");
    assert!(!has(&d, PatternKind::PagesNotMultipleOfEight), "{d:?}");
}

#[test]
fn last_values_of_pages() {
    let d = diagnose(
        even_pages(),
        "label",
        Box::new(|_, row, page, _| row + 2 >= page.first_row + page.rows),
    );
    assert!(has(&d, PatternKind::PageEnd), "{d:?}");
}

#[test]
fn row_group_boundaries() {
    let d = diagnose(
        even_pages(),
        "label",
        Box::new(|_, row, _, _| !(2..398).contains(&row)),
    );
    assert!(has(&d, PatternKind::RowGroupBoundary), "{d:?}");
}

#[test]
fn pages_whose_value_count_is_not_a_multiple_of_8() {
    // Pages of 37 rows; change rows in the middle of pages.
    let d = diagnose(
        Spec::default(),
        "label",
        Box::new(|_, row, page, _| row - page.first_row == 20),
    );
    assert!(has(&d, PatternKind::PagesNotMultipleOfEight), "{d:?}");
    assert!(has(&d, PatternKind::Uniform), "{d:?}");
}

#[test]
fn one_direction() {
    let d = diagnose(even_pages(), "label", Box::new(|_, _, _, value| value == 1));
    assert!(has(&d, PatternKind::OneDirection), "{d:?}");
}

#[test]
fn all_inside_one_page() {
    let d = diagnose(
        even_pages(),
        "label",
        Box::new(|rg, row, _, _| rg == 1 && (41..79).contains(&row)),
    );
    assert!(has(&d, PatternKind::OnePage), "{d:?}");
    assert!(!has(&d, PatternKind::Uniform), "{d:?}");
}

#[test]
fn dictionary_pages_only() {
    let d = diagnose(
        even_pages(),
        "label_i32",
        Box::new(|_, row, _, _| row % 50 == 7),
    );
    assert!(has(&d, PatternKind::DictionaryPagesOnly), "{d:?}");
}

#[test]
fn plain_pages_only() {
    let plain = Spec {
        layout: Layout::Plain,
        ..even_pages()
    };
    let d = diagnose(plain, "label_i32", Box::new(|_, row, _, _| row % 50 == 7));
    assert!(has(&d, PatternKind::PlainPagesOnly), "{d:?}");
}

#[test]
fn after_a_dictionary_fallback() {
    let fallback = Spec {
        layout: Layout::DictionaryFallback,
        version: PageVersion::V1,
        ..even_pages()
    };
    // label_i64 has more distinct values than the 16-byte dictionary holds.
    let d = diagnose(
        fallback,
        "label_i64",
        Box::new(|_, _, page, _| page.encoding.name() == "PLAIN"),
    );
    assert!(has(&d, PatternKind::AfterDictionaryFallback), "{d:?}");
}

#[test]
fn the_evidence_points_at_a_reader() {
    let d = diagnose(
        even_pages(),
        "label",
        Box::new(|_, row, _, _| row % 97 == 3),
    );
    assert!(has(&d, PatternKind::Evidence), "{d:?}");
}

/// Each column's name and diagnosis.
type Diagnosis = Vec<(String, Vec<Pattern>)>;

/// The diagnosis of each column of `parquet` against the dump `csv`, through the binary, with
/// `flag` saying what the dump is.
fn diagnose_against(parquet: &std::path::Path, csv: &std::path::Path, flag: &str) -> Diagnosis {
    let out = common::run([
        "diff",
        parquet.to_str().unwrap(),
        flag,
        csv.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let report = common::json(&out);
    common::assert_valid(&report);
    report["files"][0]["columns"]
        .as_array()
        .unwrap_or_else(|| panic!("{report:#}"))
        .iter()
        .map(|c| {
            let patterns = serde_json::from_value(c["diagnosis"].clone()).unwrap();
            (c["column"].as_str().unwrap().to_owned(), patterns)
        })
        .collect()
}

/// The pattern `pattern` of `column` in `diagnosis`, if it is there.
fn pattern_of<'a>(
    diagnosis: &'a Diagnosis,
    column: &str,
    pattern: PatternKind,
) -> Option<&'a Pattern> {
    diagnosis
        .iter()
        .find(|(c, _)| c == column)
        .unwrap_or_else(|| panic!("{column}: {diagnosis:#?}"))
        .1
        .iter()
        .find(|p| p.pattern == pattern)
}

/// Six rows of three objects with four coordinates each; the middle object's box is empty.
fn detections() -> Vec<common::nested::Objects> {
    (0..6)
        .map(|i| {
            Some(
                (0..3)
                    .map(|j| {
                        let bbox = if j == 1 {
                            vec![]
                        } else {
                            vec![f64::from(i), f64::from(j), 2.5, 3.5]
                        };
                        (Some(i * 3 + j), Some(bbox))
                    })
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn empty_lists_exported_as_null_are_a_swap_blamed_on_the_export() {
    use common::nested::{detection_dump, detection_file, BBOX};
    let dir = temp_dir();
    let (parquet, csv) = (dir.path().join("d.parquet"), dir.path().join("d.csv"));
    let rows = detections();
    detection_file(&parquet, &rows);
    // The export's reader turned every empty box into null.
    let mut exported = rows.clone();
    for row in &mut exported {
        row.as_mut().unwrap()[1].1 = None;
    }
    detection_dump(&csv, &exported);
    let diagnosis = diagnose_against(&parquet, &csv, "--against-export");
    let swap = pattern_of(&diagnosis, BBOX, PatternKind::EmptyNullSwap)
        .unwrap_or_else(|| panic!("{diagnosis:#?}"));
    assert_eq!(
        (swap.matching, swap.of, swap.fault),
        (6, 6, Some(Fault::DumpReader))
    );
    assert!(
        swap.message.ends_with("both decoders agree on the file: the reader that exported the dump read these levels wrong."),
        "{}",
        swap.message
    );
    // The middle box of three is at neither end of its list.
    assert!(pattern_of(&diagnosis, BBOX, PatternKind::ListBoundary).is_none());
}

#[test]
fn differences_at_the_ends_of_lists_are_a_list_boundary() {
    use common::nested::{detection_dump, detection_file, BBOX};
    let dir = temp_dir();
    let (parquet, csv) = (dir.path().join("d.parquet"), dir.path().join("d.csv"));
    let rows = detections();
    detection_file(&parquet, &rows);
    let mut source = rows.clone();
    // The last coordinate of a box, the first of another, the last object dropped, a box
    // without its first coordinate: each at an end of a list.
    fn bbox(rows: &mut [common::nested::Objects], row: usize, object: usize) -> &mut Vec<f64> {
        rows[row].as_mut().unwrap()[object].1.as_mut().unwrap()
    }
    bbox(&mut source, 0, 2)[3] = 9.5;
    bbox(&mut source, 1, 0)[0] = 9.5;
    source[2].as_mut().unwrap().pop();
    bbox(&mut source, 3, 2).remove(0);
    detection_dump(&csv, &source);
    let diagnosis = diagnose_against(&parquet, &csv, "--against-source");
    let boundary = pattern_of(&diagnosis, BBOX, PatternKind::ListBoundary)
        .unwrap_or_else(|| panic!("{diagnosis:#?}"));
    assert_eq!(
        (boundary.matching, boundary.of, boundary.fault),
        (4, 4, Some(Fault::Writer))
    );
    assert!(
        boundary
            .message
            .ends_with("the writer stored these levels wrong."),
        "{}",
        boundary.message
    );

    // One difference inside a box as well: not all are at an end.
    bbox(&mut source, 4, 0)[1] = 9.5;
    detection_dump(&csv, &source);
    let diagnosis = diagnose_against(&parquet, &csv, "--against-source");
    assert!(
        pattern_of(&diagnosis, BBOX, PatternKind::ListBoundary).is_none(),
        "{diagnosis:#?}"
    );
}

#[test]
fn rows_that_continue_on_the_next_page_are_named() {
    use common::nested::{spanning_file, spanning_rows, tags_dump};
    let dir = temp_dir();
    let (parquet, csv) = (dir.path().join("t.parquet"), dir.path().join("t.csv"));
    // Rows of three elements in pages of four entries: rows 1, 2, 5, 6, 9 and 10 begin on
    // one page and end on the next.
    let rows: Vec<Vec<i32>> = (0..12).map(|i| vec![i, 100 + i, 200 + i]).collect();
    let spanning = spanning_rows(&rows, 4);
    assert_eq!(spanning, [1, 2, 5, 6, 9, 10]);
    spanning_file(&parquet, &rows, 4);
    // Both decoders read the file as written.
    tags_dump(&csv, &rows);
    let out = common::run([
        "diff",
        parquet.to_str().unwrap(),
        "--against",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(
        common::code(&out),
        0,
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // The dump differs in the middle element of rows that span pages.
    let mut dumped = rows.clone();
    for &row in &spanning[..4] {
        dumped[row][1] = -1;
    }
    tags_dump(&csv, &dumped);
    let diagnosis = diagnose_against(&parquet, &csv, "--against");
    let column = diagnosis[0].0.clone();
    let across = pattern_of(&diagnosis, &column, PatternKind::RowAcrossPages)
        .unwrap_or_else(|| panic!("{diagnosis:#?}"));
    assert_eq!(
        (across.matching, across.of, across.fault),
        (4, 4, Some(Fault::WriterOrDumpReader))
    );
    assert!(
        across.message.starts_with("4 of 4 mismatches are rows that begin on one page and continue on the next (6 of 9 pages begin inside a row)"),
        "{}",
        across.message
    );
    // A row that does not span pages among them, and the pattern is gone.
    dumped[3][1] = -1;
    tags_dump(&csv, &dumped);
    let diagnosis = diagnose_against(&parquet, &csv, "--against");
    assert!(
        pattern_of(&diagnosis, &column, PatternKind::RowAcrossPages).is_none(),
        "{diagnosis:#?}"
    );
}

/// The diagnosis of the boxes of [`detections`] as the raw path reads them with `changes`.
fn diagnose_levels(changes: Vec<common::nested::LevelChange>) -> Vec<labelcheck::report::Pattern> {
    use common::nested::{detection_file, LevelChanger, BBOX};
    let dir = temp_dir();
    let parquet = dir.path().join("d.parquet");
    detection_file(&parquet, &detections());
    let report =
        common::check_with_raw(&parquet, BBOX, 100, |inner| LevelChanger { inner, changes });
    report.files[0].columns[0].diagnosis.clone()
}

#[test]
fn a_decoder_that_reads_levels_one_off_is_suspected() {
    use common::nested::LevelChange;
    // Empty boxes read as null: the middle box of every row (object 3i + 1).
    let swaps = diagnose_levels(
        (0..6)
            .map(|row| LevelChange::EmptyToNull {
                segment: 1,
                item: 3 * row + 1,
            })
            .collect(),
    );
    let swap = swaps
        .iter()
        .find(|p| p.pattern == PatternKind::EmptyNullSwap)
        .unwrap_or_else(|| panic!("{swaps:#?}"));
    assert_eq!(
        (swap.matching, swap.of, swap.fault),
        (6, 6, Some(Fault::Reader))
    );
    assert!(swap
        .message
        .ends_with("one of the two decoders reads these levels wrong."));

    // The last object of rows 0 and 2 read as the first of rows 1 and 3: four rows whose
    // lists differ at one end.
    let moved = diagnose_levels(
        [0, 2]
            .map(|row| LevelChange::LastElementToNext {
                segment: 0,
                item: row,
            })
            .to_vec(),
    );
    let boundary = moved
        .iter()
        .find(|p| p.pattern == PatternKind::ListBoundary)
        .unwrap_or_else(|| panic!("{moved:#?}"));
    assert_eq!(
        (boundary.matching, boundary.of, boundary.fault),
        (4, 4, Some(Fault::Reader))
    );
}
