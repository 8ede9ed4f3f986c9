//! How a column's path is written as one string — in reports, in `--columns` and in a dump's
//! header — so that every leaf has a spelling no other leaf shares.
//!
//! The segments of the schema path are joined with `.`; a segment that contains `.`, `"`, `#`
//! or `,`, is empty, or begins or ends with whitespace is written in double quotes with `"`
//! doubled, as SQL writes identifiers (`"Preorder FP equi."`, `a."b.c"`). Leaves that still
//! spell the same (duplicate names) get `#N`, N counting them from 1 in schema order
//! (`dup#1`, `dup#2`). The comma is quoted too so that a spelling survives `--columns`' list.

use std::fmt::Write as _;

/// A spelling read back: the segments it names and its `#N`, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spelled {
    /// The path's segments, quotes removed.
    pub segments: Vec<String>,
    /// The `#N` suffix: which of the leaves spelled alike, counted from 1.
    pub occurrence: Option<usize>,
}

/// True when `segment` must be quoted to be read back as itself.
fn needs_quotes(segment: &str) -> bool {
    segment.is_empty()
        || segment.contains(['.', '"', '#', ','])
        || segment.starts_with(char::is_whitespace)
        || segment.ends_with(char::is_whitespace)
}

/// Spells `segments`, with `#occurrence` when given.
pub fn spell<S: AsRef<str>>(segments: &[S], occurrence: Option<usize>) -> String {
    let mut out = String::new();
    for (i, segment) in segments.iter().enumerate() {
        let segment = segment.as_ref();
        if i > 0 {
            out.push('.');
        }
        if needs_quotes(segment) {
            out.push('"');
            out.push_str(&segment.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(segment);
        }
    }
    if let Some(n) = occurrence {
        let _ = write!(out, "#{n}");
    }
    out
}

/// Reads `text` as a spelling; `None` when it is not one (a plain name such as
/// `Preorder FP equi.`, whose last segment is empty and unquoted, is looked up as it is).
///
/// Lenient where nothing is ambiguous: a segment may be quoted when it need not be, and an
/// unquoted one may hold whitespace or a comma.
pub fn parse(text: &str) -> Option<Spelled> {
    let mut segments = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        let mut segment = String::new();
        if chars.next_if_eq(&'"').is_some() {
            loop {
                match chars.next()? {
                    '"' if chars.next_if_eq(&'"').is_some() => segment.push('"'),
                    '"' => break,
                    c => segment.push(c),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !matches!(c, '.' | '"' | '#')) {
                segment.push(c);
            }
            if segment.is_empty() {
                return None;
            }
        }
        segments.push(segment);
        match chars.next() {
            None => {
                return Some(Spelled {
                    segments,
                    occurrence: None,
                })
            }
            Some('.') => {}
            Some('#') => {
                let digits: String = chars.collect();
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let n = digits.parse().ok().filter(|&n: &usize| n > 0)?;
                return Some(Spelled {
                    segments,
                    occurrence: Some(n),
                });
            }
            // A quote after an unquoted segment, or text after a closing quote.
            Some(_) => return None,
        }
    }
}

/// A `--columns` list that cannot be split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--columns: a quote in {list:?} is never closed")]
pub struct UnclosedQuote {
    /// The list as given.
    pub list: String,
}

/// Splits a comma-separated list of names; a comma inside double quotes does not split it.
/// Each name is trimmed of surrounding whitespace (whitespace inside quotes stays).
pub fn split_list(list: &str) -> Result<Vec<String>, UnclosedQuote> {
    let mut names = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (at, c) in list.char_indices() {
        match c {
            // A doubled quote inside quotes closes and reopens: the state comes out right.
            '"' => quoted = !quoted,
            ',' if !quoted => {
                names.push(list[start..at].trim().to_owned());
                start = at + 1;
            }
            _ => {}
        }
    }
    if quoted {
        return Err(UnclosedQuote {
            list: list.to_owned(),
        });
    }
    names.push(list[start..].trim().to_owned());
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spelled(segments: &[&str], occurrence: Option<usize>) -> Option<Spelled> {
        Some(Spelled {
            segments: segments.iter().map(|s| s.to_string()).collect(),
            occurrence,
        })
    }

    #[test]
    fn spellings() {
        assert_eq!(spell(&["label"], None), "label");
        assert_eq!(spell(&["meta", "label"], None), "meta.label");
        assert_eq!(spell(&["Preorder FP equi."], None), "\"Preorder FP equi.\"");
        assert_eq!(spell(&["a.b"], None), "\"a.b\"");
        assert_eq!(spell(&["a", "b"], None), "a.b");
        assert_eq!(spell(&["say \"hi\""], None), "\"say \"\"hi\"\"\"");
        assert_eq!(spell(&[""], None), "\"\"");
        assert_eq!(spell(&[" x", "y ", "a b"], None), "\" x\".\"y \".a b");
        assert_eq!(spell(&["n#1", "a,b"], None), "\"n#1\".\"a,b\"");
        assert_eq!(spell(&["dup"], Some(2)), "dup#2");
        assert_eq!(spell(&["a.b"], Some(1)), "\"a.b\"#1");
    }

    #[test]
    fn parsing() {
        assert_eq!(parse("a.b"), spelled(&["a", "b"], None));
        assert_eq!(parse("\"a.b\""), spelled(&["a.b"], None));
        assert_eq!(parse("\"a\".b"), spelled(&["a", "b"], None));
        assert_eq!(parse("dup#2"), spelled(&["dup"], Some(2)));
        assert_eq!(parse("\"x\"\"y\"#10"), spelled(&["x\"y"], Some(10)));
        assert_eq!(parse("a b.c"), spelled(&["a b", "c"], None));
        assert_eq!(parse("\"\""), spelled(&[""], None));
        for plain in [
            "Preorder FP equi.",
            ".a",
            "a..b",
            "a#",
            "a#0",
            "a#x",
            "a#+1",
            "a#1.b",
            "a\"b\"",
            "\"a\"b",
            "\"open",
            "",
        ] {
            assert_eq!(parse(plain), None, "{plain:?}");
        }
    }

    #[test]
    fn every_spelling_reads_back_as_itself() {
        let pieces = [
            "a", "", ".", "\"", "#", ",", " ", "x y", "é", "\"\"", "1", "#2",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..5000 {
            let segments: Vec<String> = (0..1 + next(3))
                .map(|_| (0..next(4)).map(|_| pieces[next(pieces.len())]).collect())
                .collect();
            let occurrence = [None, Some(1), Some(12)][next(3)];
            let text = spell(&segments, occurrence);
            assert_eq!(
                parse(&text),
                Some(Spelled {
                    segments: segments.clone(),
                    occurrence
                }),
                "{text}"
            );
            assert_eq!(split_list(&text), Ok(vec![text.trim().to_owned()]));
        }
    }

    #[test]
    fn lists_split_outside_quotes() {
        assert_eq!(split_list("a,b").unwrap(), ["a", "b"]);
        assert_eq!(split_list(" a , b ").unwrap(), ["a", "b"]);
        assert_eq!(
            split_list("\"x,y\",z,\"say \"\"hi, there\"\"\"").unwrap(),
            ["\"x,y\"", "z", "\"say \"\"hi, there\"\"\""]
        );
        assert_eq!(split_list("a,").unwrap(), ["a", ""]);
        assert_eq!(
            split_list("a,\"b"),
            Err(UnclosedQuote {
                list: "a,\"b".into()
            })
        );
    }
}
