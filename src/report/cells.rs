//! A mismatch's cells as the formats for people show them (text, JUnit, HTML): a nested row
//! can hold thousands of values, and a line that quotes them all hides the one that differs.
//! Each list on the way to the first place where the witnesses' cells differ shows a few
//! items around it; every other list its first few; what is left out is counted (`…5 more`,
//! counting the elements a [`Cell::More`] of the report already stands for). Flat cells are
//! shown whole, as before. The machine formats (JSON, NDJSON, CSV) carry the cells as the
//! report holds them.

use super::Cell;

/// Items shown on each side of the item on the way to the difference.
const AROUND: usize = 3;
/// Items shown of a list off the way to the difference: its first ones (a bounding box's four
/// coordinates stay whole).
const FIRST: usize = 4;

/// Where the cells of one mismatch first differ: at each list level, the index of the item on
/// the way, counted among the items the cells hold ([`Cell::More`] markers included). Empty for
/// flat cells, and where the cells are not all lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Focus {
    items: Vec<usize>,
}

/// How a line format writes one value and marks the item where the cells differ.
pub struct Style<'a> {
    /// Writes one value that is not a list (escaped as the format needs).
    pub leaf: &'a dyn Fn(&Cell) -> String,
    /// Text around the item where the cells differ, if the format marks it.
    pub mark: Option<(&'a str, &'a str)>,
}

impl Focus {
    /// The first place where `cells` differ, descending while all of them are lists.
    pub fn of<'a>(cells: impl IntoIterator<Item = &'a Cell>) -> Self {
        let mut level: Vec<&Cell> = cells.into_iter().collect();
        let mut items = Vec::new();
        while level.len() > 1 {
            let Some(lists) = level
                .iter()
                .map(|cell| match cell {
                    Cell::List(items) => Some(items.as_slice()),
                    _ => None,
                })
                .collect::<Option<Vec<&[Cell]>>>()
            else {
                break;
            };
            let shortest = lists.iter().map(|l| l.len()).min().unwrap_or(0);
            let longest = lists.iter().map(|l| l.len()).max().unwrap_or(0);
            match (0..shortest).find(|&i| lists.iter().any(|l| !same(&l[i], &lists[0][i]))) {
                Some(index) => {
                    items.push(index);
                    level = lists.iter().map(|l| &l[index]).collect();
                }
                // One list goes on where the others end: its first extra item.
                None if shortest < longest => {
                    items.push(shortest);
                    break;
                }
                None => break,
            }
        }
        Self { items }
    }

    /// `cell` as the line formats show it, around this focus.
    pub fn show(&self, cell: &Cell, style: &Style<'_>) -> String {
        let mut out = String::new();
        show(cell, Some(&self.items), style, &mut out);
        out
    }
}

/// Writes `cell`; `path` is the rest of the way to the difference while the cell lies on it.
fn show(cell: &Cell, path: Option<&[usize]>, style: &Style<'_>, out: &mut String) {
    let Cell::List(items) = cell else {
        match cell {
            Cell::More(count) => out.push_str(&more(*count)),
            leaf => out.push_str(&(style.leaf)(leaf)),
        }
        return;
    };
    let on_path = path.and_then(|p| p.first().copied());
    let shown = match on_path {
        Some(index) if items.len() > 2 * AROUND + 1 => {
            let index = index.min(items.len() - 1);
            let start = index
                .saturating_sub(AROUND)
                .min(items.len() - (2 * AROUND + 1));
            start..start + 2 * AROUND + 1
        }
        Some(_) => 0..items.len(),
        None => 0..items.len().min(FIRST),
    };
    out.push('[');
    let mut first = true;
    let mut separate = |out: &mut String| {
        if !std::mem::take(&mut first) {
            out.push_str(", ");
        }
    };
    let before = elements(&items[..shown.start]);
    if before > 0 {
        separate(out);
        out.push_str(&more(before));
    }
    for (index, item) in items.iter().enumerate().take(shown.end).skip(shown.start) {
        separate(out);
        let rest = path.filter(|_| on_path == Some(index)).map(|p| &p[1..]);
        match (rest, style.mark) {
            (Some([]), Some((open, close))) => {
                out.push_str(open);
                show(item, rest, style, out);
                out.push_str(close);
            }
            _ => show(item, rest, style, out),
        }
    }
    let after = elements(&items[shown.end..]);
    if after > 0 {
        separate(out);
        out.push_str(&more(after));
    }
    out.push(']');
}

/// The elements `items` stand for: one each, and those a marker counts.
fn elements(items: &[Cell]) -> usize {
    items
        .iter()
        .map(|item| match item {
            Cell::More(count) => *count,
            _ => 1,
        })
        .sum()
}

/// Left-out elements, as [`Cell::More`] is displayed.
fn more(count: usize) -> String {
    Cell::More(count).to_string()
}

/// The same cell, floats by their bits (a NaN is the same NaN).
fn same(a: &Cell, b: &Cell) -> bool {
    match (a, b) {
        (Cell::Float(x), Cell::Float(y)) => x.to_bits() == y.to_bits(),
        (Cell::List(x), Cell::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (a, b) => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(values: impl IntoIterator<Item = i64>) -> Cell {
        Cell::List(values.into_iter().map(Cell::Int).collect())
    }

    fn plain(cell: &Cell) -> String {
        cell.to_string()
    }

    const PLAIN: Style<'static> = Style {
        leaf: &plain,
        mark: Some(("<", ">")),
    };

    #[test]
    fn a_long_row_shows_a_window_around_its_difference() {
        // 40 boxes, the 30th one differs in its second coordinate.
        let boxes = |changed: f64| {
            Cell::List(
                (0..40)
                    .map(|i| {
                        let second = if i == 30 { changed } else { 2.0 };
                        Cell::List(vec![
                            Cell::Float(i as f64),
                            Cell::Float(second),
                            Cell::Float(3.0),
                            Cell::Float(4.0),
                            Cell::Float(5.0),
                        ])
                    })
                    .collect(),
            )
        };
        let (a, b) = (boxes(2.0), boxes(7.5));
        let focus = Focus::of([&a, &b]);
        assert_eq!(focus.items, [30, 1]);
        let shown = focus.show(&b, &PLAIN);
        assert!(
            shown.starts_with("[…27 more, [27.0, 2.0, 3.0, 4.0, …1 more], "),
            "{shown}"
        );
        assert!(shown.contains("[30.0, <7.5>, 3.0, 4.0, 5.0]"), "{shown}");
        assert!(
            shown.ends_with("[33.0, 2.0, 3.0, 4.0, …1 more], …6 more]"),
            "{shown}"
        );
    }

    #[test]
    fn markers_of_the_report_are_counted_with_what_is_left_out() {
        // As a mismatch holds a long list: 50 left out, then 20 elements, then 30.
        let mut items = vec![Cell::More(50)];
        items.extend((50..70).map(Cell::Int));
        items.push(Cell::More(30));
        let (a, mut b) = (Cell::List(items.clone()), items);
        b[11] = Cell::Int(-1);
        let b = Cell::List(b);
        let focus = Focus::of([&a, &b]);
        assert_eq!(focus.items, [11]);
        assert_eq!(
            focus.show(&b, &PLAIN),
            "[…57 more, 57, 58, 59, <-1>, 61, 62, 63, …36 more]"
        );
    }

    #[test]
    fn a_list_longer_on_one_side_is_shown_at_its_end() {
        let (a, b) = (ints(0..12), ints(0..11));
        let focus = Focus::of([&a, &b]);
        assert_eq!(focus.items, [11]);
        assert_eq!(focus.show(&a, &PLAIN), "[…5 more, 5, 6, 7, 8, 9, 10, <11>]");
        assert_eq!(focus.show(&b, &PLAIN), "[…4 more, 4, 5, 6, 7, 8, 9, 10]");
    }

    #[test]
    fn flat_cells_and_nulls_are_shown_whole() {
        let (a, b) = (Cell::Int(1), Cell::Null);
        let focus = Focus::of([&a, &b]);
        assert_eq!(focus, Focus::default());
        assert_eq!(focus.show(&a, &PLAIN), "1");
        let (list, null) = (ints(0..9), Cell::Null);
        let focus = Focus::of([&list, &null]);
        assert_eq!(focus.show(&list, &PLAIN), "[0, 1, 2, 3, …5 more]");
        assert_eq!(
            Focus::of([&Cell::Float(f64::NAN), &Cell::Float(f64::NAN)]),
            Focus::default()
        );
    }
}
