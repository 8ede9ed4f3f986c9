//! Each diagnosis pattern, produced by a faulty decoder in the raw path's seat that changes
//! chosen rows: the report must name the pattern with the right numbers.

mod common;

use common::fixtures::{write_labels, Layout, PageVersion, Spec};
use common::temp_dir;
use labelcheck::decode::{ColumnDecoder, DecodeError, DecodedChunk, PageInfo};
use labelcheck::diagnosis::PatternKind;
use labelcheck::raw::RawFile;
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
