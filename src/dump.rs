//! Reading a label dump: CSV as RFC 4180 defines it, keeping what the `csv` crate's records
//! drop — whether each field was quoted — because the dump contract tells a null (an empty
//! *unquoted* field) from the empty string (`""`).
//!
//! The dump is read as a stream, one record at a time into a reused [`Record`], through a
//! fixed buffer: a dump may be a pipe, and a hostile one must cost no more than [`Limits`]
//! allow. Whatever breaks a limit is an error naming the line and the limit.

use std::fmt;
use std::io::{self, Read};

/// Most bytes one field may hold: labels are short, and a list column's JSON array of a
/// thousand labels is a few kilobytes.
pub const MAX_FIELD_BYTES: usize = 1 << 20;

/// Most fields one record may hold: far more label columns than a file has.
pub const MAX_FIELDS: usize = 1 << 16;

/// Characters of a field quoted in a message; the rest is only counted.
const EXCERPT_CHARS: usize = 40;

/// Size of the read buffer.
const BUFFER_BYTES: usize = 64 << 10;

const BOM: &[u8] = b"\xef\xbb\xbf";

/// What a dump may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most bytes the whole dump may hold (`--max-dump-bytes`).
    pub max_bytes: u64,
    /// Most bytes one field may hold, quotes removed.
    pub max_field_bytes: usize,
    /// Most fields one record may hold.
    pub max_fields: usize,
}

impl Limits {
    /// The fixed limits on fields, with `max_bytes` for the whole dump.
    pub fn with_max_bytes(max_bytes: u64) -> Self {
        Self {
            max_bytes,
            max_field_bytes: MAX_FIELD_BYTES,
            max_fields: MAX_FIELDS,
        }
    }
}

/// One field of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    /// The field's text, quotes removed and doubled quotes undone.
    pub text: &'a str,
    /// The field was enclosed in double quotes.
    pub quoted: bool,
}

/// One record of the file; [`Reader::next_record`] refills it, keeping its allocations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// 1-based line on which the record starts.
    pub line: u64,
    /// The fields' texts, one after another.
    text: String,
    /// Where each field's text ends in `text`, and whether it was quoted.
    ends: Vec<(usize, bool)>,
}

impl Record {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when the record has no fields (only before it is first read).
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The field at `index`, if there is one.
    pub fn field(&self, index: usize) -> Option<Field<'_>> {
        let &(end, quoted) = self.ends.get(index)?;
        let start = index.checked_sub(1).map_or(0, |before| self.ends[before].0);
        Some(Field {
            text: &self.text[start..end],
            quoted,
        })
    }

    /// The fields in order.
    pub fn fields(&self) -> impl Iterator<Item = Field<'_>> + '_ {
        (0..self.len()).filter_map(|index| self.field(index))
    }

    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    /// A lone empty unquoted field: what a blank line reads as.
    fn is_blank(&self) -> bool {
        self.ends == [(0, false)]
    }
}

/// A dump that is not well-formed CSV, breaks a limit, or cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    /// 1-based line where the problem is.
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for CsvError {}

/// Reads CSV records from a byte stream. Lines end with LF or CRLF; a UTF-8 byte-order mark
/// is skipped; a final line ending is optional; blank lines are not records.
pub struct Reader<R> {
    input: R,
    limits: Limits,
    buffer: Box<[u8]>,
    /// Unread bytes are `buffer[start..end]`.
    start: usize,
    end: usize,
    /// Bytes taken from `input` so far.
    taken: u64,
    input_ended: bool,
    /// 1-based line of the next unread byte.
    line: u64,
    /// The field being read, before its UTF-8 is checked.
    field: Vec<u8>,
}

impl<R: Read> Reader<R> {
    /// Starts reading `input`, skipping a byte-order mark.
    pub fn new(input: R, limits: Limits) -> Result<Self, CsvError> {
        let mut reader = Self {
            input,
            limits,
            buffer: vec![0; BUFFER_BYTES].into_boxed_slice(),
            start: 0,
            end: 0,
            taken: 0,
            input_ended: false,
            line: 1,
            field: Vec::new(),
        };
        // A pipe may deliver the mark a byte at a time.
        while reader.end < BOM.len() && reader.read_more()? {}
        if reader.buffer[..reader.end].starts_with(BOM) {
            reader.start = BOM.len();
        }
        Ok(reader)
    }

    /// Reads the next record into `record`; false at the end of the input.
    pub fn next_record(&mut self, record: &mut Record) -> Result<bool, CsvError> {
        loop {
            record.clear();
            record.line = self.line;
            if self.peek()?.is_none() {
                return Ok(false);
            }
            self.read_fields(record)?;
            if !record.is_blank() {
                return Ok(true);
            }
        }
    }

    fn read_fields(&mut self, record: &mut Record) -> Result<(), CsvError> {
        loop {
            if record.len() == self.limits.max_fields {
                return Err(self.error_at(
                    record.line,
                    format!(
                        "the record has more than {} fields, the most a dump may have",
                        self.limits.max_fields
                    ),
                ));
            }
            let field_line = self.line;
            let quoted = self.peek()? == Some(b'"');
            if quoted {
                self.start += 1;
                self.read_quoted(record.line, field_line)?;
            } else {
                self.read_unquoted(field_line)?;
            }
            match std::str::from_utf8(&self.field) {
                Ok(text) => record.text.push_str(text),
                Err(e) => {
                    let before = &self.field[..e.valid_up_to()];
                    let line = field_line + before.iter().filter(|&&b| b == b'\n').count() as u64;
                    return Err(self.error_at(line, "not UTF-8 text".into()));
                }
            }
            record.ends.push((record.text.len(), quoted));
            match self.next_byte()? {
                Some(b',') => {}
                Some(b'\n') => {
                    self.line += 1;
                    return Ok(());
                }
                Some(b'\r') => {
                    if self.peek()? != Some(b'\n') {
                        return Err(
                            self.error("a carriage return not followed by a line feed".into())
                        );
                    }
                    self.start += 1;
                    self.line += 1;
                    return Ok(());
                }
                None => return Ok(()),
                Some(other) => {
                    return Err(self.error(format!("unexpected byte {other:#04x} after a field")))
                }
            }
        }
    }

    /// Reads an unquoted field into `self.field`, up to the delimiter after it.
    fn read_unquoted(&mut self, field_line: u64) -> Result<(), CsvError> {
        self.field.clear();
        while self.fill()? {
            let unread = &self.buffer[self.start..self.end];
            let stop = unread
                .iter()
                .position(|b| matches!(b, b',' | b'\n' | b'\r' | b'"'));
            self.take_into_field(stop.unwrap_or(unread.len()), field_line)?;
            if stop.is_some() {
                if self.buffer[self.start] == b'"' {
                    return Err(self.error("a quote inside an unquoted field".into()));
                }
                break;
            }
        }
        Ok(())
    }

    /// Reads a quoted field (its opening quote already taken) into `self.field`.
    fn read_quoted(&mut self, record_line: u64, field_line: u64) -> Result<(), CsvError> {
        self.field.clear();
        loop {
            if !self.fill()? {
                return Err(self.error_at(record_line, "a quoted field is never closed".into()));
            }
            let unread = &self.buffer[self.start..self.end];
            let quote = unread.iter().position(|&b| b == b'"');
            let run = quote.unwrap_or(unread.len());
            self.line += unread[..run].iter().filter(|&&b| b == b'\n').count() as u64;
            self.take_into_field(run, field_line)?;
            if quote.is_none() {
                continue;
            }
            self.start += 1;
            if self.peek()? != Some(b'"') {
                break;
            }
            // A doubled quote is one quote of the text.
            self.start += 1;
            self.field.push(b'"');
            self.check_field_length(field_line)?;
        }
        match self.peek()? {
            None | Some(b',' | b'\n' | b'\r') => Ok(()),
            Some(_) => Err(self.error("text follows a closing quote".into())),
        }
    }

    /// Moves the next `count` unread bytes into the field being read.
    fn take_into_field(&mut self, count: usize, field_line: u64) -> Result<(), CsvError> {
        self.field
            .extend_from_slice(&self.buffer[self.start..self.start + count]);
        self.start += count;
        self.check_field_length(field_line)
    }

    fn check_field_length(&self, field_line: u64) -> Result<(), CsvError> {
        if self.field.len() > self.limits.max_field_bytes {
            return Err(self.error_at(
                field_line,
                format!(
                    "a field is longer than {} bytes, the most a dump field may hold",
                    self.limits.max_field_bytes
                ),
            ));
        }
        Ok(())
    }

    fn peek(&mut self) -> Result<Option<u8>, CsvError> {
        Ok(if self.fill()? {
            Some(self.buffer[self.start])
        } else {
            None
        })
    }

    fn next_byte(&mut self) -> Result<Option<u8>, CsvError> {
        let byte = self.peek()?;
        self.start += usize::from(byte.is_some());
        Ok(byte)
    }

    /// Makes sure an unread byte is buffered; false at the end of the input.
    fn fill(&mut self) -> Result<bool, CsvError> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
            return self.read_more();
        }
        Ok(true)
    }

    /// Appends what the input gives next to the buffer; false at its end. The buffer never
    /// takes a byte beyond `max_bytes`, so the limit's error names the line where it is crossed.
    fn read_more(&mut self) -> Result<bool, CsvError> {
        if self.input_ended {
            return Ok(false);
        }
        let room = self.limits.max_bytes - self.taken;
        if room == 0 {
            // Every byte allowed has been read: one more, and the dump is too long.
            return match self.read_input(0, 1)? {
                0 => Ok(false),
                _ => Err(self.error(format!(
                    "the dump goes on past {} bytes, the most --max-dump-bytes allows",
                    self.limits.max_bytes
                ))),
            };
        }
        let space = self.buffer.len() - self.end;
        let wanted = usize::try_from(room).map_or(space, |room| room.min(space));
        let count = self.read_input(self.end, wanted)?;
        self.end += count;
        self.taken += count as u64;
        Ok(count > 0)
    }

    /// Reads up to `count` bytes into the buffer at `at`; 0 at the end of the input.
    fn read_input(&mut self, at: usize, count: usize) -> Result<usize, CsvError> {
        loop {
            match self.input.read(&mut self.buffer[at..at + count]) {
                Ok(0) => {
                    self.input_ended = true;
                    return Ok(0);
                }
                Ok(read) => return Ok(read),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.error(format!("cannot read the dump: {e}"))),
            }
        }
    }

    fn error(&self, message: String) -> CsvError {
        self.error_at(self.line, message)
    }

    fn error_at(&self, line: u64, message: String) -> CsvError {
        CsvError { line, message }
    }
}

/// `text` quoted for a message, cut after its first characters: a field can be a megabyte
/// long, and a message is one line.
pub fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        None => format!("{text:?}"),
        Some((cut, _)) => format!("{:?}… ({} bytes)", &text[..cut], text.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOMY: Limits = Limits {
        max_bytes: u64::MAX,
        max_field_bytes: MAX_FIELD_BYTES,
        max_fields: MAX_FIELDS,
    };

    /// Gives its bytes a few at a time, as a pipe may.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let count = self.0.len().min(out.len()).min(self.1);
            out[..count].copy_from_slice(&self.0[..count]);
            self.0 = &self.0[count..];
            Ok(count)
        }
    }

    type Parsed = Vec<(u64, Vec<(String, bool)>)>;

    fn parse_with(input: impl Read, limits: Limits) -> Result<Parsed, CsvError> {
        let mut reader = Reader::new(input, limits)?;
        let mut record = Record::default();
        let mut records = Vec::new();
        while reader.next_record(&mut record)? {
            let fields = record
                .fields()
                .map(|f| (f.text.to_owned(), f.quoted))
                .collect();
            records.push((record.line, fields));
        }
        Ok(records)
    }

    fn parse(bytes: &[u8]) -> Result<Parsed, CsvError> {
        let whole = parse_with(bytes, ROOMY);
        // Read a byte at a time, the same records come out.
        assert_eq!(parse_with(Trickle(bytes, 1), ROOMY), whole);
        whole
    }

    fn fields(record: &(u64, Vec<(String, bool)>)) -> Vec<(&str, bool)> {
        record.1.iter().map(|(t, q)| (t.as_str(), *q)).collect()
    }

    #[test]
    fn quoting_is_kept_and_undone() {
        let records =
            parse(b"row,label\r\n0,\"\"\n1,\n2,\"say \"\"hi\"\", then go\"\n3,\"two\nlines\"\n4,x")
                .unwrap();
        assert_eq!(records.len(), 6);
        assert_eq!(fields(&records[1]), [("0", false), ("", true)]);
        assert_eq!(fields(&records[2]), [("1", false), ("", false)]);
        assert_eq!(
            fields(&records[3]),
            [("2", false), ("say \"hi\", then go", true)]
        );
        assert_eq!(fields(&records[4]), [("3", false), ("two\nlines", true)]);
        assert_eq!(
            (records[5].0, fields(&records[5])),
            (7, vec![("4", false), ("x", false)])
        );
    }

    #[test]
    fn malformed_csv_names_the_line() {
        for (text, line, message) in [
            (&b"a\n\"open"[..], 2, "never closed"),
            (b"a\n\"x\"y", 2, "follows a closing quote"),
            (b"a\nx\"y", 2, "quote inside"),
            (b"a\n\xff", 2, "UTF-8"),
            (b"a\n\"x\n\xff\"", 3, "UTF-8"),
            (b"a\nx\ry", 2, "carriage return"),
        ] {
            let error = parse(text).unwrap_err();
            assert_eq!(error.line, line, "{error}");
            assert!(error.message.contains(message), "{error}");
        }
    }

    #[test]
    fn bom_and_blank_lines() {
        let records = parse(b"\xef\xbb\xbfa\n\n1\n").unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].1[0].0, "a");
        assert_eq!(records[1].0, 3);
        assert_eq!(parse(b"\xef\xbb").unwrap_err().message, "not UTF-8 text");
        assert!(parse(b"").unwrap().is_empty());
    }

    #[test]
    fn limits_name_the_line_and_the_limit() {
        let limits = Limits {
            max_bytes: 20,
            max_field_bytes: 4,
            max_fields: 3,
        };
        for (text, line, message) in [
            (&b"a,b\n12345\n"[..], 2, "longer than 4 bytes"),
            (b"a,b\n\"1\n\"\"345\"\n", 2, "longer than 4 bytes"),
            (b"a\n1,2,3,4\n", 2, "more than 3 fields"),
            (b"a\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", 11, "past 20 bytes"),
        ] {
            for chunk in [1, 3, BUFFER_BYTES] {
                let error = parse_with(Trickle(text, chunk), limits).unwrap_err();
                assert_eq!(error.line, line, "{error}");
                assert!(error.message.contains(message), "{error}");
            }
        }
        // Exactly at each limit is fine.
        assert_eq!(
            parse_with(&b"a,b,c\n1234,\"1\"\"3\"\n1\n"[..], limits)
                .unwrap()
                .len(),
            3
        );
    }

    #[test]
    fn excerpts_are_short() {
        assert_eq!(excerpt("yes"), "\"yes\"");
        let long = "é".repeat(1000);
        let shown = excerpt(&long);
        assert!(shown.ends_with("… (2000 bytes)"), "{shown}");
        assert_eq!(shown.chars().filter(|&c| c == 'é').count(), EXCERPT_CHARS);
    }
}
