//! The host inventory: the host list an MSP keeps in its RMM or PSA (host,
//! client, site, role, os, any other column), so that fleets can filter on
//! host labels the series do not carry (`fleet db = hosts where role ==
//! "db"`).
//!
//! Two formats, described in `docs/inventory.md`: CSV with a header row
//! ([`Inventory::from_csv`]) and TOML `[[host]]` tables
//! ([`Inventory::from_toml`]). Hosts are keyed by (client, host): two
//! clients can both have a `dc1`. A host's labels are its columns (empty
//! ones left out) plus `host` and, when it has one, `client`, sorted by
//! name.

mod csv_file;
mod error;
mod toml_file;

pub use error::{ErrorKind, InventoryError, Location};

use std::collections::BTreeMap;
use std::path::Path;

/// One host of the inventory, as [`Inventory::iter`] lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InventoryHost<'a> {
    pub client: Option<&'a str>,
    pub host: &'a str,
    /// Sorted by name; includes `host`, and `client` when there is one.
    pub labels: &'a [(String, String)],
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    client: Option<String>,
    labels: Vec<(String, String)>,
    /// Where it was defined, to point at it when it is defined again.
    at: Location,
}

/// The hosts of an inventory file, keyed by (client, host).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inventory {
    /// Host name → its entries, one per client, sorted by client (no
    /// client first).
    hosts: BTreeMap<String, Vec<Entry>>,
    len: usize,
}

impl Inventory {
    /// An inventory without hosts: every lookup finds nothing.
    pub fn new() -> Self {
        Inventory::default()
    }

    /// Reads a CSV host list: a header row with a `host` column, an
    /// optional `client` column, and any other columns as labels.
    pub fn from_csv(text: &str) -> Result<Inventory, InventoryError> {
        csv_file::parse(text)
    }

    /// Reads a TOML host list: `[[host]]` tables with `host = "NAME"`, an
    /// optional `client`, and any other keys as labels.
    pub fn from_toml(text: &str) -> Result<Inventory, InventoryError> {
        toml_file::parse(text)
    }

    /// Reads an inventory file, CSV or TOML by its extension (`.csv`,
    /// `.toml`, in any case). Errors name the file.
    pub fn load(path: &Path) -> Result<Inventory, InventoryError> {
        let in_file = |mut e: InventoryError| {
            e.file = Some(path.to_path_buf());
            e
        };
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let parse = if extension.eq_ignore_ascii_case("csv") {
            csv_file::parse
        } else if extension.eq_ignore_ascii_case("toml") {
            toml_file::parse
        } else {
            return Err(in_file(InventoryError::new(Location::File, ErrorKind::UnknownFormat)));
        };
        let bytes = std::fs::read(path)
            .map_err(|e| in_file(InventoryError::new(Location::File, ErrorKind::Read(e))))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let bad = e.utf8_error().valid_up_to();
            let line = line_of(&e.as_bytes()[..bad], bad);
            in_file(InventoryError::new(Location::Line(line), ErrorKind::NotUtf8))
        })?;
        parse(&text).map_err(in_file)
    }

    /// The labels of `host`, sorted by name. With `tenant` `Some(client)`:
    /// that client's entry for the host, or else an entry without a client
    /// (a host listed for every client). With `None` (provider-wide): only
    /// an entry without a client; a client's host is not found. Host names
    /// are compared exactly, case included.
    pub fn host_labels(&self, tenant: Option<&str>, host: &str) -> Option<&[(String, String)]> {
        let entries = self.hosts.get(host)?;
        let find = |client: Option<&str>| entries.iter().find(|e| e.client.as_deref() == client);
        tenant.and_then(|t| find(Some(t))).or_else(|| find(None)).map(|e| e.labels.as_slice())
    }

    /// How many (client, host) entries there are.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every entry, by host name, then by client (no client first).
    pub fn iter(&self) -> impl Iterator<Item = InventoryHost<'_>> + '_ {
        self.hosts.iter().flat_map(|(host, entries)| {
            entries.iter().map(move |e| InventoryHost {
                client: e.client.as_deref(),
                host,
                labels: &e.labels,
            })
        })
    }

    /// Adds a host. `labels` are the other columns, empty ones already
    /// left out, each name checked and at most once.
    fn insert(
        &mut self,
        host: String,
        client: Option<String>,
        mut labels: Vec<(String, String)>,
        at: Location,
    ) -> Result<(), InventoryError> {
        let fail = |kind| Err(InventoryError::new(at, kind));
        if host.is_empty() {
            return fail(ErrorKind::EmptyHost);
        }
        if let Some(c) = &client
            && !is_name(c)
        {
            return fail(ErrorKind::BadClient { client: c.clone(), suggestion: suggest_name(c) });
        }
        let entries = self.hosts.entry(host.clone()).or_default();
        let slot = match entries.binary_search_by(|e| e.client.cmp(&client)) {
            Ok(i) => {
                let first = entries[i].at;
                return fail(ErrorKind::DuplicateHost { host, client, first });
            }
            Err(i) => i,
        };
        labels.push(("host".to_string(), host));
        if let Some(c) = &client {
            labels.push(("client".to_string(), c.clone()));
        }
        labels.sort();
        entries.insert(slot, Entry { client, labels, at });
        self.len += 1;
        Ok(())
    }
}

/// A label or tenant name: a letter or `_`, then letters, digits and `_`
/// (ASCII), as names are in the language and label names in Prometheus.
pub(crate) fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The nearest name to `s`, for an error message: lower case, every other
/// character `_`, and `_` in front of a leading digit.
pub(crate) fn suggest_name(s: &str) -> String {
    let mut name: String = s
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        name.insert(0, '_');
    }
    name
}

/// The line (from 1) of byte `offset` in `text`.
pub(crate) fn line_of(text: &[u8], offset: usize) -> u64 {
    let newlines = text[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count();
    newlines as u64 + 1
}
