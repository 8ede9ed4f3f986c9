//! Lines on stderr. `eprintln!` panics when stderr cannot be written (a full disk, a closed
//! pipe), turning a log line into exit 101 and losing the run's real outcome; here a line
//! that cannot be written is dropped, since there is nowhere left to say so.

use std::fmt;
use std::io::{self, Write};

use crate::echo::Echo;

/// Writes `labelcheck: MESSAGE` as one line on stderr, `message` rendered by
/// [`Echo::message`] so that whatever it quotes (paths, column names, values) cannot split
/// the line or reach the terminal as control characters. Errors are ignored.
pub fn line(message: impl fmt::Display) {
    let line = format!("labelcheck: {}\n", Echo::message(&message.to_string()));
    // One write of the whole line, so lines from threads never interleave mid-line.
    let _ = io::stderr().lock().write_all(line.as_bytes());
}
