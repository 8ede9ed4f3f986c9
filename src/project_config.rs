//! `labelcheck.toml`, the project's settings for `labelcheck check`: which files, which
//! columns, what fails the run, which reports go where. The file is read and checked as a
//! whole — every key, type and range, the first problem named with its line — before any
//! Parquet file is read; [`crate::project`] then lets the flags override it and plans the run.
//! (Not to be confused with [`crate::config`], the validated configuration of one `diff` run
//! that both commands end up with.)

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::cli::Format;
use crate::report::FailOn;
use crate::spelling::split_list;

/// The config file's name, looked for in the working directory and the directories above.
pub const FILE_NAME: &str = "labelcheck.toml";

/// Largest config file read: a project's settings are a few hundred bytes, and a file of
/// megabytes is not one (nor should its parse be allowed to cost more).
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// A setting from the config file with the line it is on, for problems found after parsing
/// (a glob matching nothing, a step this build lacks).
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Its line in the file, from 1.
    pub line: usize,
}

/// One report the file asks for (`[[outputs]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputEntry {
    /// Its format.
    pub format: Format,
    /// Where it goes, resolved against the file's directory; `None` for stdout.
    pub path: Option<PathBuf>,
    /// The line of its `format`.
    pub line: usize,
}

/// The settings a config file gives, each `None` where the file leaves it out; paths are
/// resolved against the file's directory. Each key is the long flag of `labelcheck check`
/// of the same meaning, `-` written `_`.
#[derive(Debug, Clone, Default)]
pub struct ProjectConfig {
    /// The file, as found or given.
    pub path: PathBuf,
    /// The directory its paths are relative to.
    pub base: PathBuf,
    /// `files`: paths or globs, as written (expanded against `base` when the plan is made).
    pub files: Option<Located<Vec<String>>>,
    /// `columns`: one column name per item, as `--columns` reads a name.
    pub columns: Option<Located<Vec<String>>>,
    /// `all`.
    pub all: Option<Located<bool>>,
    /// `fail_on`.
    pub fail_on: Option<FailOn>,
    /// `max_listed`.
    pub max_listed: Option<usize>,
    /// `threads`.
    pub threads: Option<usize>,
    /// `window_rows`.
    pub window_rows: Option<usize>,
    /// `max_page_bytes`.
    pub max_page_bytes: Option<usize>,
    /// `max_footer_bytes`.
    pub max_footer_bytes: Option<u64>,
    /// `max_stream_bytes`.
    pub max_stream_bytes: Option<u64>,
    /// `no_crc`.
    pub no_crc: Option<bool>,
    /// `allow_special_files`.
    pub allow_special_files: Option<bool>,
    /// `timings`.
    pub timings: Option<bool>,
    /// `against`: the old version of the file.
    pub against: Option<Located<PathBuf>>,
    /// `key`: key columns matching rows with `against`.
    pub key: Option<Located<Vec<String>>>,
    /// `lock`: a lock the files must match.
    pub lock: Option<Located<PathBuf>>,
    /// `max_drift`: with `lock`, the distribution drift tolerated.
    pub max_drift: Option<Located<f64>>,
    /// `allow_changes`: with `lock`, changed values do not fail the run.
    pub allow_changes: Option<Located<bool>>,
    /// `outputs`: the reports to write.
    pub outputs: Option<Vec<OutputEntry>>,
}

/// The keys of the file's top level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// `files`
    Files,
    /// `columns`
    Columns,
    /// `all`
    All,
    /// `fail_on`
    FailOn,
    /// `max_listed`
    MaxListed,
    /// `threads`
    Threads,
    /// `window_rows`
    WindowRows,
    /// `max_page_bytes`
    MaxPageBytes,
    /// `max_footer_bytes`
    MaxFooterBytes,
    /// `max_stream_bytes`
    MaxStreamBytes,
    /// `no_crc`
    NoCrc,
    /// `allow_special_files`
    AllowSpecialFiles,
    /// `timings`
    Timings,
    /// `against`
    Against,
    /// `key`
    Key,
    /// `lock`
    Lock,
    /// `max_drift`
    MaxDrift,
    /// `allow_changes`
    AllowChanges,
    /// `outputs`
    Outputs,
}

impl Key {
    /// Every key, in the order docs/CONFIG.md lists them.
    pub const ALL: [Key; 19] = [
        Key::Files,
        Key::Columns,
        Key::All,
        Key::FailOn,
        Key::Outputs,
        Key::MaxListed,
        Key::Threads,
        Key::WindowRows,
        Key::MaxPageBytes,
        Key::MaxFooterBytes,
        Key::MaxStreamBytes,
        Key::NoCrc,
        Key::AllowSpecialFiles,
        Key::Timings,
        Key::Against,
        Key::Key,
        Key::Lock,
        Key::MaxDrift,
        Key::AllowChanges,
    ];

    /// The key as written in the file.
    pub fn name(self) -> &'static str {
        match self {
            Key::Files => "files",
            Key::Columns => "columns",
            Key::All => "all",
            Key::FailOn => "fail_on",
            Key::MaxListed => "max_listed",
            Key::Threads => "threads",
            Key::WindowRows => "window_rows",
            Key::MaxPageBytes => "max_page_bytes",
            Key::MaxFooterBytes => "max_footer_bytes",
            Key::MaxStreamBytes => "max_stream_bytes",
            Key::NoCrc => "no_crc",
            Key::AllowSpecialFiles => "allow_special_files",
            Key::Timings => "timings",
            Key::Against => "against",
            Key::Key => "key",
            Key::Lock => "lock",
            Key::MaxDrift => "max_drift",
            Key::AllowChanges => "allow_changes",
            Key::Outputs => "outputs",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|key| key.name() == name)
    }
}

/// The keys of one `[[outputs]]` entry.
const OUTPUT_KEYS: [&str; 2] = ["format", "path"];

/// A config file that cannot be used, with the line of the problem where it has one:
/// `labelcheck.toml:7: unknown key "colums" (did you mean "columns"?)`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ConfigFileError {
    /// The file, as found or given.
    pub file: PathBuf,
    /// The problem's line, from 1; `None` for the file as a whole.
    pub line: Option<usize>,
    /// What is wrong (boxed: errors travel up through every `Result` of the run).
    pub problem: Box<Problem>,
}

impl fmt::Display for ConfigFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file.display(), self.problem),
            None => write!(f, "{}: {}", self.file.display(), self.problem),
        }
    }
}

/// What is wrong with a config file.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// The file cannot be read.
    Unreadable(String),
    /// It is a directory, a pipe or a device.
    NotAFile,
    /// It is larger than [`MAX_FILE_BYTES`].
    TooLarge,
    /// It is not UTF-8, as TOML must be.
    NotUtf8,
    /// It is not TOML.
    Syntax(String),
    /// A key the file format does not have.
    UnknownKey {
        /// The key, with its table (`outputs.fromat`).
        key: String,
        /// The known key it is closest to.
        suggestion: Option<&'static str>,
    },
    /// A value of the wrong type.
    WrongType {
        /// The key.
        key: String,
        /// What it must be.
        expected: &'static str,
        /// What it is (a TOML type name).
        found: &'static str,
    },
    /// A number out of its range.
    OutOfRange {
        /// The key.
        key: String,
        /// The range, in words (`at least 1`).
        range: &'static str,
    },
    /// A string that is not one of the key's values.
    UnknownValue {
        /// The key.
        key: String,
        /// The value given.
        value: String,
        /// The values it can take.
        expected: Vec<String>,
        /// The one it is closest to.
        suggestion: Option<String>,
    },
    /// A column list item that is not exactly one name.
    NotOneName {
        /// The key.
        key: String,
        /// The item.
        item: String,
        /// Why: empty, several names, an unclosed quote.
        why: &'static str,
    },
    /// A `files` glob that matches no file.
    NoMatch {
        /// The pattern as written.
        pattern: String,
    },
    /// A `files` item that is not a valid glob.
    BadGlob {
        /// The pattern as written.
        pattern: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A directory a `files` glob had to list cannot be read.
    GlobUnreadable {
        /// The pattern as written.
        pattern: String,
        /// The directory or file.
        path: PathBuf,
        /// Why.
        error: String,
    },
    /// A key an entry needs is missing.
    Missing {
        /// The key.
        key: String,
    },
    /// Two keys that cannot both be given.
    Conflict {
        /// The later key.
        key: &'static str,
        /// The key it conflicts with.
        other: &'static str,
    },
    /// A key that means something only with another.
    Requires {
        /// The key given.
        key: &'static str,
        /// The key it needs.
        needs: &'static str,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreadable(e) => write!(f, "cannot read: {e}"),
            Self::NotAFile => f.write_str("is not a regular file"),
            Self::TooLarge => write!(
                f,
                "is larger than {} KiB: not a config file",
                MAX_FILE_BYTES >> 10
            ),
            Self::NotUtf8 => f.write_str("is not UTF-8 text, as TOML must be"),
            Self::Syntax(message) => write!(f, "not valid TOML: {message}"),
            Self::UnknownKey { key, suggestion } => {
                write!(f, "unknown key {key:?}")?;
                match suggestion {
                    Some(known) => write!(f, " (did you mean {known:?}?)"),
                    None => write!(f, " (docs/CONFIG.md lists the keys)"),
                }
            }
            Self::WrongType {
                key,
                expected,
                found,
            } => write!(f, "{key} must be {expected}, not {}", article(found)),
            Self::OutOfRange { key, range } => write!(f, "{key} must be {range}"),
            Self::UnknownValue {
                key,
                value,
                expected,
                suggestion,
            } => {
                write!(f, "{key} = {value:?} is not one of {}", expected.join(", "))?;
                match suggestion {
                    Some(known) => write!(f, " (did you mean {known:?}?)"),
                    None => Ok(()),
                }
            }
            Self::NotOneName { key, item, why } => {
                write!(
                    f,
                    "{key}: item {item:?} {why}; give one column name per item"
                )
            }
            Self::NoMatch { pattern } => write!(f, "files: {pattern:?} matches no file"),
            Self::BadGlob { pattern, reason } => {
                write!(f, "files: {pattern:?} is not a valid glob: {reason}")
            }
            Self::GlobUnreadable {
                pattern,
                path,
                error,
            } => write!(
                f,
                "files: {pattern:?}: cannot read {}: {error}",
                path.display()
            ),
            Self::Missing { key } => write!(f, "{key} is missing"),
            Self::Conflict { key, other } => {
                write!(f, "{key} and {other} cannot both be given")
            }
            Self::Requires { key, needs } => write!(f, "{key} needs {needs}"),
        }
    }
}

fn article(type_name: &str) -> String {
    let an = type_name.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {type_name}", if an { "an" } else { "a" })
}

/// The config file that applies in `dir`: `labelcheck.toml` there or in the nearest directory
/// above that has one, as cargo and ruff look for theirs — but never above the repository's
/// root (a directory holding `.git`), so a stray file in a parent of the checkout cannot steer
/// a CI run.
/// The path returned is relative to `dir` (`labelcheck.toml`, `../labelcheck.toml`), as
/// messages and the report's file names then read.
pub fn find(dir: &Path) -> Option<PathBuf> {
    let mut relative = PathBuf::new();
    for ancestor in dir.ancestors() {
        if ancestor.join(FILE_NAME).is_file() {
            return Some(relative.join(FILE_NAME));
        }
        relative.push("..");
        if ancestor.join(".git").exists() {
            return None;
        }
    }
    None
}

impl ProjectConfig {
    /// Reads and checks the file at `path` (shown in messages as given). Its relative paths
    /// are resolved against its own directory.
    pub fn load(path: &Path) -> Result<Self, ConfigFileError> {
        let fail = |problem| ConfigFileError {
            file: path.to_path_buf(),
            line: None,
            problem: Box::new(problem),
        };
        let text = read_text(path).map_err(fail)?;
        let base = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        Self::parse(&text, path, base)
    }

    /// Checks `text`, the contents of `path`, whose relative paths are relative to `base`.
    pub fn parse(text: &str, path: &Path, base: PathBuf) -> Result<Self, ConfigFileError> {
        let located = |span: std::ops::Range<usize>, problem| ConfigFileError {
            file: path.to_path_buf(),
            line: Some(line_of(text, span.start)),
            problem: Box::new(problem),
        };
        let table = DeTable::parse(text).map_err(|e| {
            let message = e.message().lines().next().unwrap_or("").trim().to_owned();
            match e.span() {
                Some(span) => located(span, Problem::Syntax(message)),
                None => ConfigFileError {
                    file: path.to_path_buf(),
                    line: None,
                    problem: Box::new(Problem::Syntax(message)),
                },
            }
        })?;
        let mut config = ProjectConfig {
            path: path.to_path_buf(),
            base: base.clone(),
            ..ProjectConfig::default()
        };
        let reader = Reader { text, base: &base };
        // The first problem in the file's order, whatever order the table keeps its keys in.
        let mut entries: Vec<_> = table.get_ref().iter().collect();
        entries.sort_by_key(|(key, _)| key.span().start);
        for (name, value) in entries {
            let Some(key) = Key::from_name(name.get_ref()) else {
                return Err(located(
                    name.span(),
                    Problem::UnknownKey {
                        key: name.get_ref().to_string(),
                        suggestion: suggest(name.get_ref(), Key::ALL.map(Key::name)),
                    },
                ));
            };
            reader
                .set(&mut config, key, value)
                .map_err(|(span, problem)| located(span, problem))?;
        }
        config
            .check_combinations()
            .map_err(|(line, problem)| ConfigFileError {
                file: path.to_path_buf(),
                line: Some(line),
                problem: Box::new(problem),
            })?;
        Ok(config)
    }

    /// Keys that contradict each other or mean nothing alone.
    fn check_combinations(&self) -> Result<(), (usize, Problem)> {
        if let (Some(_), Some(all)) = (&self.columns, &self.all) {
            if all.value {
                return Err((
                    all.line,
                    Problem::Conflict {
                        key: "all",
                        other: "columns",
                    },
                ));
            }
        }
        if let (Some(key), None) = (&self.key, &self.against) {
            return Err((
                key.line,
                Problem::Requires {
                    key: "key",
                    needs: "against (the old version whose rows it matches)",
                },
            ));
        }
        for (given, line) in [
            ("max_drift", self.max_drift.as_ref().map(|d| d.line)),
            ("allow_changes", self.allow_changes.as_ref().map(|a| a.line)),
        ] {
            if let (Some(line), None) = (line, &self.lock) {
                return Err((
                    line,
                    Problem::Requires {
                        key: given,
                        needs: "lock (it applies to verifying a lock)",
                    },
                ));
            }
        }
        Ok(())
    }
}

fn read_text(path: &Path) -> Result<String, Problem> {
    let unreadable = |e: std::io::Error| Problem::Unreadable(e.to_string());
    // `stat` before `open`: opening a FIFO would wait for a writer.
    let metadata = std::fs::metadata(path).map_err(unreadable)?;
    if !metadata.is_file() {
        return Err(Problem::NotAFile);
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(Problem::TooLarge);
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(unreadable)?
        // One byte past the limit tells a file that grew since the `stat`.
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Problem::TooLarge);
    }
    String::from_utf8(bytes).map_err(|_| Problem::NotUtf8)
}

/// `path` from the config file, relative to its directory `base`: as written when that is the
/// working directory, so reports name files as the user wrote them.
pub fn resolve(base: &Path, path: &str) -> PathBuf {
    if base == Path::new(".") {
        PathBuf::from(path)
    } else {
        base.join(path)
    }
}

/// The line, from 1, holding byte `at` of `text`.
fn line_of(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    1 + text.as_bytes()[..at]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// The known name closest to `given`, if it is close enough to be a slip: one edit (a
/// letter missing, extra, wrong, or two swapped) per three letters of the name, at least one;
/// `-` for `_` and capitals are no edit at all.
pub fn suggest<'a>(given: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let normalised = given.to_ascii_lowercase().replace('-', "_");
    known
        .into_iter()
        .map(|name| (edit_distance(&normalised, name), name))
        .filter(|&(distance, name)| distance <= (name.len() / 3).max(1))
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, name)| name)
}

/// Edits (insertions, deletions, substitutions, swaps of neighbours) from `a` to `b`: the
/// optimal string alignment distance, so that a swap is one slip, as typing makes it.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // d[i][j]: edits from a[..i] to b[..j].
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

type Span = std::ops::Range<usize>;
type Value<'i> = Spanned<DeValue<'i>>;

/// Turns values into settings, knowing the file's text (for lines) and directory (for paths).
struct Reader<'a> {
    text: &'a str,
    base: &'a Path,
}

impl Reader<'_> {
    fn line(&self, span: &Span) -> usize {
        line_of(self.text, span.start)
    }

    fn set(
        &self,
        config: &mut ProjectConfig,
        key: Key,
        value: &Value<'_>,
    ) -> Result<(), (Span, Problem)> {
        let name = key.name();
        let line = self.line(&value.span());
        match key {
            Key::Files => {
                let files = strings(name, value)?;
                if files.is_empty() {
                    return Err((
                        value.span(),
                        Problem::OutOfRange {
                            key: name.into(),
                            range: "at least one path or glob",
                        },
                    ));
                }
                if files.iter().any(String::is_empty) {
                    return Err((
                        value.span(),
                        Problem::OutOfRange {
                            key: name.into(),
                            range: "paths or globs, none of them empty",
                        },
                    ));
                }
                config.files = Some(Located { value: files, line });
            }
            Key::Columns => {
                let names = column_names(name, value)?;
                config.columns = Some(Located { value: names, line });
            }
            Key::Key => {
                let names = column_names(name, value)?;
                config.key = Some(Located { value: names, line });
            }
            Key::All => {
                config.all = Some(Located {
                    value: boolean(name, value)?,
                    line,
                })
            }
            Key::NoCrc => config.no_crc = Some(boolean(name, value)?),
            Key::AllowSpecialFiles => config.allow_special_files = Some(boolean(name, value)?),
            Key::Timings => config.timings = Some(boolean(name, value)?),
            Key::AllowChanges => {
                config.allow_changes = Some(Located {
                    value: boolean(name, value)?,
                    line,
                })
            }
            Key::FailOn => config.fail_on = Some(choice::<FailOn>(name, value)?),
            Key::MaxListed => config.max_listed = Some(integer(name, value, 0)?),
            Key::Threads => config.threads = Some(integer(name, value, 1)?),
            Key::WindowRows => config.window_rows = Some(integer(name, value, 1)?),
            Key::MaxPageBytes => config.max_page_bytes = Some(integer(name, value, 1)?),
            Key::MaxFooterBytes => config.max_footer_bytes = Some(integer(name, value, 0)?),
            Key::MaxStreamBytes => config.max_stream_bytes = Some(integer(name, value, 1)?),
            Key::Against => {
                config.against = Some(Located {
                    value: self.path(name, value)?,
                    line,
                })
            }
            Key::Lock => {
                config.lock = Some(Located {
                    value: self.path(name, value)?,
                    line,
                })
            }
            Key::MaxDrift => {
                let drift = match value.get_ref() {
                    DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
                    DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                        .ok()
                        .map(|i| i as f64),
                    other => return Err(wrong_type(name, "a number from 0 to 1", other, value)),
                };
                match drift.filter(|d| (0.0..=1.0).contains(d)) {
                    Some(drift) => config.max_drift = Some(Located { value: drift, line }),
                    None => {
                        return Err((
                            value.span(),
                            Problem::OutOfRange {
                                key: name.into(),
                                range: "from 0 to 1 (a total variation distance)",
                            },
                        ))
                    }
                }
            }
            Key::Outputs => config.outputs = Some(self.outputs(value)?),
        }
        Ok(())
    }

    fn path(&self, key: &str, value: &Value<'_>) -> Result<PathBuf, (Span, Problem)> {
        match value.get_ref() {
            DeValue::String(s) if s.is_empty() => Err((
                value.span(),
                Problem::OutOfRange {
                    key: key.into(),
                    range: "a path, not empty",
                },
            )),
            DeValue::String(s) => Ok(resolve(self.base, s.as_ref())),
            other => Err(wrong_type(key, "a path (a string)", other, value)),
        }
    }

    fn outputs(&self, value: &Value<'_>) -> Result<Vec<OutputEntry>, (Span, Problem)> {
        let expected = "an array of tables ([[outputs]] with format and path)";
        let DeValue::Array(entries) = value.get_ref() else {
            return Err(wrong_type("outputs", expected, value.get_ref(), value));
        };
        let mut outputs = Vec::with_capacity(entries.len());
        for entry in entries.iter() {
            let DeValue::Table(table) = entry.get_ref() else {
                return Err(wrong_type("outputs", expected, entry.get_ref(), entry));
            };
            let mut items: Vec<_> = table.iter().collect();
            items.sort_by_key(|(key, _)| key.span().start);
            let (mut format, mut path) = (None, None);
            for (key, item) in items {
                match key.get_ref().as_ref() {
                    "format" => {
                        format = Some((
                            choice::<Format>("outputs.format", item)?,
                            self.line(&item.span()),
                        ))
                    }
                    "path" => match item.get_ref() {
                        DeValue::String(s) if s.as_ref() == "-" => path = None,
                        DeValue::String(s) if s.is_empty() => {
                            return Err((
                                item.span(),
                                Problem::OutOfRange {
                                    key: "outputs.path".into(),
                                    range: "a path, or \"-\" for stdout",
                                },
                            ))
                        }
                        DeValue::String(s) => path = Some(resolve(self.base, s.as_ref())),
                        other => {
                            return Err(wrong_type(
                                "outputs.path",
                                "a path (a string)",
                                other,
                                item,
                            ))
                        }
                    },
                    unknown => {
                        return Err((
                            key.span(),
                            Problem::UnknownKey {
                                key: format!("outputs.{unknown}"),
                                suggestion: suggest(unknown, OUTPUT_KEYS),
                            },
                        ))
                    }
                }
            }
            let Some((format, line)) = format else {
                return Err((
                    entry.span(),
                    Problem::Missing {
                        key: "outputs.format".into(),
                    },
                ));
            };
            outputs.push(OutputEntry { format, path, line });
        }
        if outputs.is_empty() {
            return Err((
                value.span(),
                Problem::OutOfRange {
                    key: "outputs".into(),
                    range: "at least one output",
                },
            ));
        }
        Ok(outputs)
    }
}

fn wrong_type(
    key: &str,
    expected: &'static str,
    found: &DeValue<'_>,
    at: &Value<'_>,
) -> (Span, Problem) {
    (
        at.span(),
        Problem::WrongType {
            key: key.into(),
            expected,
            found: found.type_str(),
        },
    )
}

fn boolean(key: &str, value: &Value<'_>) -> Result<bool, (Span, Problem)> {
    match value.get_ref() {
        DeValue::Boolean(b) => Ok(*b),
        other => Err(wrong_type(key, "true or false", other, value)),
    }
}

/// A non-negative integer of at least `min` that fits `T`.
fn integer<T: TryFrom<u64>>(key: &str, value: &Value<'_>, min: u64) -> Result<T, (Span, Problem)> {
    let DeValue::Integer(i) = value.get_ref() else {
        return Err(wrong_type(key, "an integer", value.get_ref(), value));
    };
    let range = if min == 0 {
        "a non-negative integer"
    } else {
        "at least 1"
    };
    let out_of_range = || {
        (
            value.span(),
            Problem::OutOfRange {
                key: key.into(),
                range,
            },
        )
    };
    match i128::from_str_radix(i.as_str(), i.radix()) {
        Ok(n) if n >= i128::from(min) => u64::try_from(n)
            .ok()
            .and_then(|n| T::try_from(n).ok())
            .ok_or_else(out_of_range),
        _ => Err(out_of_range()),
    }
}

/// One of a clap value enum's names, as its flag takes them.
fn choice<T: ValueEnum>(key: &str, value: &Value<'_>) -> Result<T, (Span, Problem)> {
    let names: Vec<String> = T::value_variants()
        .iter()
        .filter_map(|v| v.to_possible_value())
        .map(|v| v.get_name().to_owned())
        .collect();
    let DeValue::String(given) = value.get_ref() else {
        return Err(wrong_type(key, "a string", value.get_ref(), value));
    };
    T::from_str(given, false).map_err(|_| {
        (
            value.span(),
            Problem::UnknownValue {
                key: key.into(),
                value: given.to_string(),
                suggestion: suggest(given, names.iter().map(String::as_str)).map(str::to_owned),
                expected: names,
            },
        )
    })
}

/// A string, or an array of strings.
fn strings(key: &str, value: &Value<'_>) -> Result<Vec<String>, (Span, Problem)> {
    let expected = "a string or an array of strings";
    match value.get_ref() {
        DeValue::String(s) => Ok(vec![s.to_string()]),
        DeValue::Array(items) => items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::String(s) => Ok(s.to_string()),
                other => Err(wrong_type(key, expected, other, item)),
            })
            .collect(),
        other => Err(wrong_type(key, expected, other, value)),
    }
}

/// Column names, one per item, each as `--columns` reads one name: an item that a comma
/// outside quotes would split is refused rather than silently read as two.
fn column_names(key: &str, value: &Value<'_>) -> Result<Vec<String>, (Span, Problem)> {
    let names = strings(key, value)?;
    if names.is_empty() {
        return Err((
            value.span(),
            Problem::OutOfRange {
                key: key.into(),
                range: "at least one column name",
            },
        ));
    }
    for name in &names {
        let why = match split_list(name) {
            Err(_) => Some("opens a quote it never closes"),
            Ok(parts) if parts.len() > 1 => {
                Some("holds a comma outside quotes (quote a name holding one: '\"a,b\"')")
            }
            Ok(parts) if parts[0].is_empty() => Some("is empty"),
            Ok(_) => None,
        };
        if let Some(why) = why {
            return Err((
                value.span(),
                Problem::NotOneName {
                    key: key.into(),
                    item: name.clone(),
                    why,
                },
            ));
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ProjectConfig, String> {
        ProjectConfig::parse(text, Path::new("labelcheck.toml"), PathBuf::from("."))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn suggestions_catch_slips_only() {
        let keys = Key::ALL.map(Key::name);
        assert_eq!(suggest("colums", keys), Some("columns"));
        assert_eq!(suggest("fail-on", keys), Some("fail_on"));
        assert_eq!(suggest("max_listd", keys), Some("max_listed"));
        assert_eq!(suggest("output", keys), Some("outputs"));
        assert_eq!(suggest("verbosity", keys), None);
        assert_eq!(suggest("paht", OUTPUT_KEYS), Some("path"));
        assert_eq!(suggest("xml", ["text", "json", "html", "junit"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("ab", "ba"), 1);
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("files = [\"a.parquet\"]\n\ncolums = [\"label\"]\n").unwrap_err();
        assert_eq!(
            e,
            "labelcheck.toml:3: unknown key \"colums\" (did you mean \"columns\"?)"
        );
        let e = parse("threads = \"4\"\n").unwrap_err();
        assert_eq!(
            e,
            "labelcheck.toml:1: threads must be an integer, not a string"
        );
        let e = parse("fail_on = \"mismatches\"\n").unwrap_err();
        assert!(e.contains("did you mean \"mismatch\"?"), "{e}");
        let e = parse("[[outputs]]\nformat = \"junit\"\npaht = \"x.xml\"\n").unwrap_err();
        assert_eq!(
            e,
            "labelcheck.toml:3: unknown key \"outputs.paht\" (did you mean \"path\"?)"
        );
        let e = parse("max_drift = 1.5\nlock = \"l\"\n").unwrap_err();
        assert!(
            e.starts_with("labelcheck.toml:1: max_drift must be from 0 to 1"),
            "{e}"
        );
    }

    #[test]
    fn a_whole_file() {
        let config = parse(
            "files = [\"data/*.parquet\"]\ncolumns = [\"label\", '\"a,b\"']\nfail_on = \"finding\"\n\
             max_listed = 0x10\n[[outputs]]\nformat = \"junit\"\npath = \"out/j.xml\"\n\
             [[outputs]]\nformat = \"text\"\n",
        )
        .unwrap();
        assert_eq!(config.max_listed, Some(16));
        assert_eq!(config.fail_on, Some(FailOn::Finding));
        let outputs = config.outputs.unwrap();
        assert_eq!(outputs[0].path.as_deref(), Some(Path::new("out/j.xml")));
        assert_eq!(outputs[1].path, None);
        assert_eq!(outputs[1].line, 9);
    }
}
