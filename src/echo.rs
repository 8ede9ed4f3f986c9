//! Text that came from a file or a path, made safe to put on a terminal or in a log line.
//!
//! A column name, a string value, a `created_by` or a path can hold anything: a newline that
//! splits a one-line error in two, ESC sequences a terminal obeys (colours, cursor moves, a
//! window title), a carriage return that overwrites what came before, a bidirectional
//! override that reorders what the reader sees — and megabytes of it. Every sink that writes
//! such text for people (stderr, the text report) renders it through [`Echo`]: control and
//! invisible formatting characters become escapes (`\n`, `\x1b`, `\u{7f}`, `\u{202e}`),
//! ordinary Unicode stays as it is, and the text is cut at a limit with a marker saying how
//! much was left out. Machine formats (JSON, CSV) carry such text as data, unchanged;
//! HTML and XML use [`crate::report`]'s markup escaping.
//!
//! Backslashes are not doubled: a path `C:\data` stays readable, at the price that an escape
//! and the same characters typed literally look alike. The rendering is for reading only.

use std::fmt::{self, Write};

/// Most characters shown of a name or value from inside a file (a column name, a string
/// value, the writer's name): enough for any real one.
pub const NAME_CHARS: usize = 256;

/// Most characters shown of a path or a whole message: PATH_MAX, so a real path is never cut,
/// while a message quoting a file's contents cannot grow without bound.
pub const MESSAGE_CHARS: usize = 4096;

/// Text rendered for a terminal: [`Display`](fmt::Display) writes it escaped and cut.
#[derive(Debug, Clone, Copy)]
pub struct Echo<'a> {
    text: &'a str,
    limit: usize,
}

impl<'a> Echo<'a> {
    /// A name or value from inside a file, cut at [`NAME_CHARS`].
    pub fn name(text: &'a str) -> Self {
        Self {
            text,
            limit: NAME_CHARS,
        }
    }

    /// A path, or a message that may quote a file's contents, cut at [`MESSAGE_CHARS`].
    pub fn message(text: &'a str) -> Self {
        Self {
            text,
            limit: MESSAGE_CHARS,
        }
    }
}

impl fmt::Display for Echo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The limit counts characters written, escapes included, so the output is bounded
        // however the text is made up; the marker counts characters of the text left out.
        let mut written = 0;
        let mut chars = self.text.chars();
        while let Some(c) = chars.next() {
            let width = escaped_width(c);
            if written + width > self.limit {
                let left_out = 1 + chars.count();
                return write!(f, "…[{left_out} more characters]");
            }
            write_escaped(f, c)?;
            written += width;
        }
        Ok(())
    }
}

/// `text` rendered by [`Echo::name`], as a `String` (for padding to a column width).
pub fn name(text: &str) -> String {
    Echo::name(text).to_string()
}

/// `text` rendered by [`Echo::message`], as a `String`.
pub fn message(text: &str) -> String {
    Echo::message(text).to_string()
}

/// `text` cut at [`MESSAGE_CHARS`] characters with the same marker as [`Echo`], but not
/// escaped: for messages stored in the report, where JSON, CSV and markup escape for
/// themselves but nothing else bounds their length.
pub fn bound(text: &mut String) {
    if let Some((cut, _)) = text.char_indices().nth(MESSAGE_CHARS) {
        let left_out = text[cut..].chars().count();
        text.truncate(cut);
        let _ = write!(text, "…[{left_out} more characters]");
    }
}

/// True for characters that must not reach a terminal as they are: C0 and C1 controls
/// (newline and tab included), DEL, and the invisible formatting characters that move or
/// reorder text (bidirectional embeddings, overrides and isolates; line and paragraph
/// separators; the BOM and zero-width characters) and the noncharacters U+FFFE and U+FFFF.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
                | '\u{feff}'
                | '\u{fffe}'
                | '\u{ffff}'
        )
}

fn escaped_width(c: char) -> usize {
    match c {
        '\n' | '\r' | '\t' => 2,
        c if (c as u32) < 0x80 && needs_escape(c) => 4,
        // `\u{`, the hex digits, `}`
        c if needs_escape(c) => 4 + (u32::BITS - (c as u32).leading_zeros()).div_ceil(4) as usize,
        _ => 1,
    }
}

fn write_escaped(f: &mut fmt::Formatter<'_>, c: char) -> fmt::Result {
    match c {
        '\n' => f.write_str("\\n"),
        '\r' => f.write_str("\\r"),
        '\t' => f.write_str("\\t"),
        c if (c as u32) < 0x80 && needs_escape(c) => write!(f, "\\x{:02x}", c as u32),
        c if needs_escape(c) => write!(f, "\\u{{{:x}}}", c as u32),
        c => f.write_char(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_unicode_kept() {
        assert_eq!(name("a\nb\r\tc"), "a\\nb\\r\\tc");
        assert_eq!(name("\x1b[31mred\x07"), "\\x1b[31mred\\x07");
        assert_eq!(name("del\x7f c1\u{9b}"), "del\\x7f c1\\u{9b}");
        assert_eq!(name("év\u{202e}il"), "év\\u{202e}il");
        assert_eq!(name("étiquette 標籤 🏷"), "étiquette 標籤 🏷");
        assert_eq!(name(r"C:\data"), r"C:\data");
    }

    #[test]
    fn long_text_is_cut_with_a_count_of_what_was_left_out() {
        let long = "x".repeat(NAME_CHARS + 10);
        let shown = name(&long);
        assert_eq!(
            shown,
            format!("{}…[10 more characters]", "x".repeat(NAME_CHARS))
        );
        assert_eq!(name(&"x".repeat(NAME_CHARS)), "x".repeat(NAME_CHARS));
        // Escapes count toward the limit, so the output stays bounded.
        let escapes = "\x1b".repeat(NAME_CHARS);
        let shown = name(&escapes);
        assert!(shown.chars().count() <= NAME_CHARS + 30, "{shown}");
        assert!(shown.ends_with(&format!(
            "…[{} more characters]",
            NAME_CHARS - NAME_CHARS / 4
        )));
    }

    #[test]
    fn bound_cuts_without_escaping() {
        let mut short = "a\nb".to_owned();
        bound(&mut short);
        assert_eq!(short, "a\nb");
        let mut long = "é".repeat(MESSAGE_CHARS + 3);
        bound(&mut long);
        assert_eq!(
            long,
            format!("{}…[3 more characters]", "é".repeat(MESSAGE_CHARS))
        );
    }
}
