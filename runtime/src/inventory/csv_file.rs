//! The CSV inventory: a header row naming the columns, one of them `host`,
//! then one row per host. Read with the `csv` crate (RFC 4180 quoting:
//! `"a, b"`, `"say ""hi"""`), with spaces around cells trimmed, `#`
//! comment lines, blank lines and rows of empty cells (spreadsheets export
//! them) skipped, and a UTF-8 byte order mark (as spreadsheets write it)
//! ignored.
//!
//! Line numbers are our own: the `csv` crate's `Position::line` is wrong
//! after blank and comment lines (rust-csv issue 208), and its byte offset
//! points at the start of the skipped lines, so [`line`] skips them again.

use super::{ErrorKind, Inventory, InventoryError, Location, is_name, suggest_name};
use csv::{ReaderBuilder, StringRecord, Trim};

/// Which column holds what, from the header row.
struct Columns {
    count: usize,
    host: usize,
    client: Option<usize>,
    /// (column, label name) of every other column.
    labels: Vec<(usize, String)>,
}

pub(super) fn parse(text: &str) -> Result<Inventory, InventoryError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        None => return Err(InventoryError::new(Location::File, ErrorKind::NoHeader)),
        Some(record) => record.map_err(|e| syntax(text, e))?,
    };
    let columns =
        columns(&header).map_err(|kind| InventoryError::new(line(text, &header), kind))?;
    let mut inventory = Inventory::new();
    for record in records {
        let record = record.map_err(|e| syntax(text, e))?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let at = line(text, &record);
        let fail = |kind| InventoryError::new(at, kind);
        if record.len() != columns.count {
            let (expected, found) = (columns.count, record.len());
            return Err(fail(ErrorKind::CellCount { expected, found }));
        }
        if record.iter().any(|cell| cell.contains(['\n', '\r'])) {
            return Err(fail(ErrorKind::MultilineCell));
        }
        let host = record[columns.host].to_string();
        let client = columns.client.map(|i| &record[i]).filter(|c| !c.is_empty());
        let labels = columns
            .labels
            .iter()
            .filter(|(i, _)| !record[*i].is_empty())
            .map(|(i, name)| (name.clone(), record[*i].to_string()))
            .collect();
        inventory.insert(host, client.map(str::to_string), labels, at)?;
    }
    Ok(inventory)
}

fn columns(header: &StringRecord) -> Result<Columns, ErrorKind> {
    let mut host = None;
    let mut client = None;
    let mut labels = Vec::new();
    for (i, name) in header.iter().enumerate() {
        if name.is_empty() {
            return Err(ErrorKind::EmptyColumnName { column: i + 1 });
        }
        if !is_name(name) {
            let suggestion = suggest_name(name);
            return Err(ErrorKind::BadLabelName { name: name.to_string(), suggestion });
        }
        if header.iter().take(i).any(|earlier| earlier == name) {
            return Err(ErrorKind::DuplicateColumn { name: name.to_string() });
        }
        match name {
            "host" => host = Some(i),
            "client" => client = Some(i),
            _ => labels.push((i, name.to_string())),
        }
    }
    let Some(host) = host else {
        let columns = header.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
        return Err(ErrorKind::NoHostColumn { columns });
    };
    Ok(Columns { count: header.len(), host, client, labels })
}

/// The line a record starts on.
fn line(text: &str, record: &StringRecord) -> Location {
    record.position().map_or(Location::File, |p| line_at(text, p))
}

fn syntax(text: &str, error: csv::Error) -> InventoryError {
    let at = error.position().map_or(Location::File, |p| line_at(text, p));
    InventoryError::new(at, ErrorKind::Syntax(error.to_string()))
}

/// The line of the record the `csv` crate says starts at `position`: past
/// the line breaks, blank lines and comment lines it skipped. Line breaks
/// are `\n`, `\r\n` and a lone `\r`, as for the `csv` crate.
fn line_at(text: &str, position: &csv::Position) -> Location {
    let bytes = text.as_bytes();
    let mut start = usize::try_from(position.byte()).unwrap_or(bytes.len()).min(bytes.len());
    loop {
        match bytes.get(start) {
            Some(b'\r' | b'\n') => start += 1,
            Some(b'#') => {
                start =
                    memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i + 1);
            }
            _ => break,
        }
    }
    let before = &bytes[..start];
    let lone_cr =
        before.iter().enumerate().filter(|&(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
    let breaks = memchr::memchr_iter(b'\n', before).count() + lone_cr.count();
    Location::Line(breaks as u64 + 1)
}
