//! Reading a label dump: CSV as RFC 4180 defines it, keeping what the `csv` crate's records
//! drop — whether each field was quoted — because the dump contract tells a null (an empty
//! *unquoted* field) from the empty string (`""`).

use std::fmt;

/// One field of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The field's text, quotes removed and doubled quotes undone.
    pub text: String,
    /// The field was enclosed in double quotes.
    pub quoted: bool,
}

/// One record of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 1-based line on which the record starts.
    pub line: usize,
    /// Its fields.
    pub fields: Vec<Field>,
}

/// A dump that is not well-formed CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    /// 1-based line where the problem is.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for CsvError {}

/// Splits CSV text into records. Lines end with LF or CRLF; a UTF-8 byte-order mark is
/// skipped; a final line ending is optional; blank lines are not records.
pub fn parse(bytes: &[u8]) -> Result<Vec<Record>, CsvError> {
    let text =
        std::str::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)).map_err(|e| {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            CsvError {
                line,
                message: "not UTF-8 text".into(),
            }
        })?;
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let start_line = line;
        let mut fields = Vec::new();
        loop {
            let mut field = String::new();
            let quoted = chars.peek() == Some(&'"');
            if quoted {
                chars.next();
                loop {
                    match chars.next() {
                        None => {
                            return Err(CsvError {
                                line: start_line,
                                message: "a quoted field is never closed".into(),
                            })
                        }
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some(c) => {
                            line += usize::from(c == '\n');
                            field.push(c);
                        }
                    }
                }
                if !matches!(chars.peek(), None | Some(',' | '\n' | '\r')) {
                    return Err(CsvError {
                        line,
                        message: "text follows a closing quote".into(),
                    });
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if matches!(c, ',' | '\n' | '\r') {
                        break;
                    }
                    if c == '"' {
                        return Err(CsvError {
                            line,
                            message: "a quote inside an unquoted field".into(),
                        });
                    }
                    field.push(c);
                    chars.next();
                }
            }
            fields.push(Field {
                text: field,
                quoted,
            });
            match chars.next() {
                Some(',') => continue,
                Some('\r') => {
                    if chars.next_if_eq(&'\n').is_none() {
                        return Err(CsvError {
                            line,
                            message: "a carriage return not followed by a line feed".into(),
                        });
                    }
                    line += 1;
                    break;
                }
                Some('\n') => {
                    line += 1;
                    break;
                }
                _ => break,
            }
        }
        let blank = fields.len() == 1 && fields[0].text.is_empty() && !fields[0].quoted;
        if !blank {
            records.push(Record {
                line: start_line,
                fields,
            });
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(record: &Record) -> Vec<(&str, bool)> {
        record
            .fields
            .iter()
            .map(|f| (f.text.as_str(), f.quoted))
            .collect()
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
            (records[5].line, fields(&records[5])),
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
        assert_eq!(records[0].fields[0].text, "a");
        assert_eq!(records[1].line, 3);
    }
}
