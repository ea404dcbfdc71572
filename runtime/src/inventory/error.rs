//! Inventory errors: where in the file the problem is, and what to fix.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Where an error is in an inventory file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// The file as a whole: it cannot be read, is not a known format, or
    /// has no header row.
    File,
    /// A line, from 1: the first line of a CSV record, or a TOML line.
    Line(u64),
    /// The `index`-th `[[host]]` table of a TOML file (from 1), which
    /// starts on `line`.
    Table { index: usize, line: u64 },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File => Ok(()),
            Location::Line(line) => write!(f, "line {line}"),
            Location::Table { index, line } => write!(f, "[[host]] table {index} (line {line})"),
        }
    }
}

/// An inventory that cannot be loaded: the file (when read by
/// [`Inventory::load`](super::Inventory::load)), the place in it, and what
/// is wrong. Displayed as `hosts.csv: line 4: …`.
#[derive(Debug, thiserror::Error)]
#[error("{}{}{kind}", file_prefix(file), location_prefix(location))]
pub struct InventoryError {
    pub file: Option<PathBuf>,
    pub location: Location,
    pub kind: ErrorKind,
}

fn file_prefix(file: &Option<PathBuf>) -> String {
    file.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default()
}

fn location_prefix(location: &Location) -> String {
    match location {
        Location::File => String::new(),
        other => format!("{other}: "),
    }
}

impl InventoryError {
    pub(crate) fn new(location: Location, kind: ErrorKind) -> Self {
        InventoryError { file: None, location, kind }
    }
}

/// What is wrong, each message saying how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    #[error("cannot read the inventory: {0}")]
    Read(io::Error),
    #[error("an inventory file's name must end in `.csv` or `.toml`")]
    UnknownFormat,
    #[error("not UTF-8 text: save the file as UTF-8")]
    NotUtf8,
    /// The CSV or TOML syntax is broken; the parser's message.
    #[error("{0}")]
    Syntax(String),
    #[error("no header row: the first line must name the columns, one of them `host`")]
    NoHeader,
    #[error("no `host` column (the columns are {columns}): name the column of host names `host`")]
    NoHostColumn { columns: String },
    #[error("column {column} has no name: name it or delete it")]
    EmptyColumnName { column: usize },
    #[error("two columns are named `{name}`: rename or delete one")]
    DuplicateColumn { name: String },
    #[error(
        "`{name}` is not a label name: use letters, digits and `_`, not starting with a digit \
         (for example `{suggestion}`)"
    )]
    BadLabelName { name: String, suggestion: String },
    #[error("{found} cells, but the header has {expected}: quote cells that contain a comma")]
    CellCount { expected: usize, found: usize },
    #[error("a cell runs over several lines: close the `\"` it opens")]
    MultilineCell,
    #[error("no host name: every host needs one")]
    EmptyHost,
    #[error("no `host` key: every [[host]] table needs `host = \"NAME\"`{}", if *has_name {
        " (the host's name is the `host` key, not `name`)"
    } else {
        ""
    })]
    MissingHostKey { has_name: bool },
    #[error(
        "client `{client}` is not a tenant name: use letters, digits and `_`, not starting \
         with a digit, as in the policy files' `tenant {suggestion}`"
    )]
    BadClient { client: String, suggestion: String },
    #[error(
        "host `{host}` {} is listed twice (first at {first}): delete or merge one",
        describe_client(client)
    )]
    DuplicateHost { host: String, client: Option<String>, first: Location },
    #[error("`{key}` is {found}, and labels are text: write it in quotes (`{key} = \"…\"`)")]
    NotText { key: String, found: &'static str },
    #[error("`{key}` at the top level: an inventory holds only `[[host]]` tables")]
    UnexpectedTopLevel { key: String },
    #[error("`host` at the top level must be `[[host]]` tables, one per host")]
    HostNotTables,
}

fn describe_client(client: &Option<String>) -> String {
    match client {
        Some(c) => format!("of client `{c}`"),
        None => "without a client".to_string(),
    }
}
