//! The TOML inventory: one `[[host]]` table per host, with `host = "NAME"`,
//! an optional `client`, and any other keys as labels. A label's value is
//! text: a string, or an integer or boolean, taken as its text (`rack = 12`
//! is `"12"`, `0x1F` is `"31"`); a float, date, array or table is an error,
//! as its text would be ambiguous (`1.10` reads as `1.1`). An empty string
//! means no label, as an empty CSV cell does.
//!
//! Parsed with the `toml` crate's spanned document (`DeTable`), so every
//! error names the `[[host]]` table and its line.

use super::{ErrorKind, Inventory, InventoryError, Location, is_name, line_of, suggest_name};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

pub(super) fn parse(text: &str) -> Result<Inventory, InventoryError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let line = |offset: usize| line_of(text.as_bytes(), offset);
    let document = DeTable::parse(text).map_err(|e| {
        let at = e.span().map_or(Location::File, |s| Location::Line(line(s.start)));
        InventoryError::new(at, ErrorKind::Syntax(e.message().trim().to_string()))
    })?;
    let mut inventory = Inventory::new();
    for (key, value) in document.get_ref().iter() {
        let at = Location::Line(line(key.span().start));
        if key.get_ref() != "host" {
            let key = key.get_ref().to_string();
            return Err(InventoryError::new(at, ErrorKind::UnexpectedTopLevel { key }));
        }
        let DeValue::Array(tables) = value.get_ref() else {
            return Err(InventoryError::new(at, ErrorKind::HostNotTables));
        };
        for (i, table) in tables.iter().enumerate() {
            let at = Location::Table { index: i + 1, line: line(table.span().start) };
            let DeValue::Table(table) = table.get_ref() else {
                return Err(InventoryError::new(at, ErrorKind::HostNotTables));
            };
            host(&mut inventory, table, at)?;
        }
    }
    Ok(inventory)
}

/// Adds the host of one `[[host]]` table.
fn host(
    inventory: &mut Inventory,
    table: &DeTable<'_>,
    at: Location,
) -> Result<(), InventoryError> {
    let fail = |kind| InventoryError::new(at, kind);
    let mut host = None;
    let mut client = None;
    let mut labels = Vec::new();
    for (key, value) in table.iter() {
        let key = key.get_ref().as_ref();
        if !is_name(key) {
            let suggestion = suggest_name(key);
            return Err(fail(ErrorKind::BadLabelName { name: key.to_string(), suggestion }));
        }
        let value = text(key, value).map_err(fail)?;
        match key {
            "host" => host = Some(value),
            "client" => client = Some(value).filter(|c| !c.is_empty()),
            _ if value.is_empty() => {}
            _ => labels.push((key.to_string(), value)),
        }
    }
    let Some(host) = host else {
        let has_name = table.iter().any(|(k, _)| k.get_ref() == "name");
        return Err(fail(ErrorKind::MissingHostKey { has_name }));
    };
    inventory.insert(host, client, labels, at)
}

/// A value as label text.
fn text(key: &str, value: &Spanned<DeValue<'_>>) -> Result<String, ErrorKind> {
    let found = match value.get_ref() {
        DeValue::String(s) => return Ok(s.to_string()),
        DeValue::Boolean(b) => return Ok(b.to_string()),
        DeValue::Integer(i) => match i128::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => return Ok(n.to_string()),
            Err(_) => "an integer out of range",
        },
        DeValue::Float(_) => "a float",
        DeValue::Datetime(_) => "a date or time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    };
    Err(ErrorKind::NotText { key: key.to_string(), found })
}
