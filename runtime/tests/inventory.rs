//! The host inventory: both formats read the same small MSP (two clients
//! sharing a host name, a host for every client), lookups follow the
//! tenant rule, and every error names its place and what to fix.

use std::path::{Path, PathBuf};
use upkeep_runtime::inventory::{ErrorKind, Inventory, InventoryError, Location};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inventory").join(name)
}

fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// An entry as owned (client, host, labels).
type Entry = (Option<String>, String, Vec<(String, String)>);

/// An error case: the text, where the error is, and a test of its kind.
type Case = (&'static str, Location, fn(&ErrorKind) -> bool);

/// Every entry, in the inventory's order.
fn entries(inventory: &Inventory) -> Vec<Entry> {
    inventory
        .iter()
        .map(|h| (h.client.map(str::to_string), h.host.to_string(), h.labels.to_vec()))
        .collect()
}

fn csv_error(text: &str) -> InventoryError {
    Inventory::from_csv(text).expect_err("the CSV should be refused")
}

fn toml_error(text: &str) -> InventoryError {
    Inventory::from_toml(text).expect_err("the TOML should be refused")
}

#[test]
fn both_formats_read_the_same_msp() {
    let csv = Inventory::load(&fixture("msp.csv")).unwrap();
    let toml = Inventory::load(&fixture("msp.toml")).unwrap();
    assert_eq!(csv.len(), 5);
    assert_eq!(entries(&csv), entries(&toml));
    let order: Vec<(Option<&str>, &str)> = csv.iter().map(|h| (h.client, h.host)).collect();
    assert_eq!(
        order,
        [
            (Some("acme"), "db1"),
            (Some("acme"), "dc1"),
            (Some("globex"), "dc1"),
            (None, "fw1"),
            (Some("acme"), "web1"),
        ],
        "by host, then client"
    );
}

#[test]
fn labels_are_sorted_and_include_host_and_client() {
    let inventory = Inventory::load(&fixture("msp.csv")).unwrap();
    assert_eq!(
        inventory.host_labels(Some("acme"), "db1").unwrap(),
        labels(&[
            ("client", "acme"),
            ("host", "db1"),
            ("notes", "primary, replicated"),
            ("os", "linux"),
            ("role", "db"),
            ("site", "hq"),
        ])
    );
    // Empty cells are no label; a host without a client has no `client`.
    assert_eq!(
        inventory.host_labels(None, "fw1").unwrap(),
        labels(&[("host", "fw1"), ("notes", "shared edge"), ("role", "firewall")])
    );
}

#[test]
fn csv_quoting_follows_rfc_4180() {
    let inventory = Inventory::load(&fixture("msp.csv")).unwrap();
    let dc1 = inventory.host_labels(Some("globex"), "dc1").unwrap();
    assert!(dc1.contains(&("notes".to_string(), "says \"hi\"".to_string())), "{dc1:?}");
    let quoted = Inventory::from_csv("\"host\",\"site\"\n\"db1\",\" hq, 2nd floor \"\n").unwrap();
    assert_eq!(
        quoted.host_labels(None, "db1").unwrap(),
        labels(&[("host", "db1"), ("site", "hq, 2nd floor")]),
        "spaces around a cell's text are trimmed, even inside quotes"
    );
}

#[test]
fn a_shared_host_name_is_found_per_tenant() {
    let inventory = Inventory::load(&fixture("msp.toml")).unwrap();
    let site = |tenant, host| {
        let found = inventory.host_labels(tenant, host)?;
        found.iter().find(|(k, _)| k == "site").map(|(_, v)| v.as_str())
    };
    assert_eq!(site(Some("acme"), "dc1"), Some("hq"));
    assert_eq!(site(Some("globex"), "dc1"), Some("main"));
    assert!(inventory.host_labels(Some("initech"), "dc1").is_none(), "not another client's");
    assert!(inventory.host_labels(None, "dc1").is_none(), "provider-wide: clientless rows only");
    assert!(inventory.host_labels(Some("globex"), "db1").is_none());
    // A host without a client is found for every tenant, and provider-wide.
    assert!(inventory.host_labels(Some("initech"), "fw1").is_some());
    assert!(inventory.host_labels(None, "fw1").is_some());
    assert!(inventory.host_labels(None, "FW1").is_none(), "host names are compared exactly");
    assert!(Inventory::new().host_labels(None, "fw1").is_none());
}

#[test]
fn a_client_row_wins_over_a_clientless_row_of_the_same_host() {
    let inventory = Inventory::from_csv("host,client,role\nmon,,shared\nmon,acme,own\n").unwrap();
    let role = |tenant| {
        let found = inventory.host_labels(tenant, "mon").unwrap();
        found.iter().find(|(k, _)| k == "role").map(|(_, v)| v.clone()).unwrap()
    };
    assert_eq!([role(Some("acme")), role(Some("globex")), role(None)], ["own", "shared", "shared"]);
}

#[test]
fn csv_lines_count_comments_and_blank_lines() {
    let e = csv_error("# hosts\nhost,client\n\ndb1,acme\n# moved\ndb1,acme\n");
    assert_eq!(e.location, Location::Line(6));
    assert!(matches!(&e.kind, ErrorKind::DuplicateHost { first: Location::Line(4), .. }), "{e}");
    assert_eq!(
        e.to_string(),
        "line 6: host `db1` of client `acme` is listed twice (first at line 4): delete or merge one"
    );
}

#[test]
fn csv_lines_are_right_after_blank_lines_and_with_any_line_break() {
    for (text, line) in [
        ("host,role\n\n\n\ndb1,db,x\n", 5),
        ("# one\n# two\nhost,role\ndb1,db,x\n", 4),
        ("host,role\r\n\r\ndb1,db\r\n#\r\nweb1,web,x\r\n", 5),
        ("host,role\rdb1,db\r\rweb1\r", 4),
        ("host,role\n\"db1\",\"a\"\"b\"\n,,\n  ,  \nweb1\n", 5),
    ] {
        assert_eq!(csv_error(text).location, Location::Line(line), "{text:?}");
    }
    let e = csv_error("# c\n\nName,Role\n");
    assert_eq!(e.location, Location::Line(3), "the header's own line");
}

#[test]
fn rows_of_empty_cells_are_skipped() {
    let inventory = Inventory::from_csv("host,client,role\n,,\ndb1,acme,db\n , , \n").unwrap();
    assert_eq!(inventory.len(), 1);
}

#[test]
fn a_byte_order_mark_and_crlf_are_accepted() {
    let inventory = Inventory::from_csv("\u{feff}host,role\r\ndb1,db\r\n").unwrap();
    assert_eq!(
        inventory.host_labels(None, "db1").unwrap(),
        labels(&[("host", "db1"), ("role", "db")])
    );
    let inventory = Inventory::from_toml("\u{feff}[[host]]\r\nhost = \"db1\"\r\n").unwrap();
    assert_eq!(inventory.len(), 1);
}

#[test]
fn a_header_alone_and_an_empty_toml_file_have_no_hosts() {
    assert!(Inventory::from_csv("host,client,role\n").unwrap().is_empty());
    assert!(Inventory::from_toml("# nothing yet\n").unwrap().is_empty());
}

#[test]
fn csv_errors() {
    let cases: &[Case] = &[
        ("", Location::File, |k| matches!(k, ErrorKind::NoHeader)),
        ("# only a comment\n\n", Location::File, |k| matches!(k, ErrorKind::NoHeader)),
        (
            "Host,Client\ndb1,acme\n",
            Location::Line(1),
            |k| matches!(k, ErrorKind::NoHostColumn { columns } if columns == "`Host`, `Client`"),
        ),
        ("host,,role\n", Location::Line(1), |k| {
            matches!(k, ErrorKind::EmptyColumnName { column: 2 })
        }),
        (
            "host,Device Name\n",
            Location::Line(1),
            |k| matches!(k, ErrorKind::BadLabelName { name, suggestion } if name == "Device Name" && suggestion == "device_name"),
        ),
        (
            "host,9lives\n",
            Location::Line(1),
            |k| matches!(k, ErrorKind::BadLabelName { suggestion, .. } if suggestion == "_9lives"),
        ),
        (
            "host,role,role\n",
            Location::Line(1),
            |k| matches!(k, ErrorKind::DuplicateColumn { name } if name == "role"),
        ),
        ("host,role\ndb1,db\nweb1,web,extra\n", Location::Line(3), |k| {
            matches!(k, ErrorKind::CellCount { expected: 2, found: 3 })
        }),
        ("host,role\ndb1\n", Location::Line(2), |k| {
            matches!(k, ErrorKind::CellCount { expected: 2, found: 1 })
        }),
        ("host,role\ndb1,\"db\nweb1,web\n", Location::Line(2), |k| {
            matches!(k, ErrorKind::MultilineCell)
        }),
        ("host,role\n,db\n", Location::Line(2), |k| matches!(k, ErrorKind::EmptyHost)),
        (
            "host,client\ndb1,Acme Corp\n",
            Location::Line(2),
            |k| matches!(k, ErrorKind::BadClient { client, suggestion } if client == "Acme Corp" && suggestion == "acme_corp"),
        ),
        ("host,client\ndc1,\ndc1,\n", Location::Line(3), |k| {
            matches!(k, ErrorKind::DuplicateHost { client: None, first: Location::Line(2), .. })
        }),
    ];
    for (text, location, kind) in cases {
        let e = csv_error(text);
        assert_eq!(e.location, *location, "{text:?}: {e}");
        assert!(kind(&e.kind), "{text:?}: {e:?}");
        assert!(e.file.is_none());
    }
}

#[test]
fn toml_errors() {
    let cases: &[Case] = &[
        ("[[host]]\nhost = \"db1\nrole = \"db\"\n", Location::Line(2), |k| {
            matches!(k, ErrorKind::Syntax(_))
        }),
        (
            "[[hosts]]\nhost = \"db1\"\n",
            Location::Line(1),
            |k| matches!(k, ErrorKind::UnexpectedTopLevel { key } if key == "hosts"),
        ),
        ("host = \"db1\"\n", Location::Line(1), |k| matches!(k, ErrorKind::HostNotTables)),
        ("host = [\"db1\"]\n", Location::Table { index: 1, line: 1 }, |k| {
            matches!(k, ErrorKind::HostNotTables)
        }),
        (
            "[[host]]\nhost = \"a\"\n\n[[host]]\nrole = \"db\"\n",
            Location::Table { index: 2, line: 4 },
            |k| matches!(k, ErrorKind::MissingHostKey { has_name: false }),
        ),
        ("[[host]]\nname = \"db1\"\n", Location::Table { index: 1, line: 1 }, |k| {
            matches!(k, ErrorKind::MissingHostKey { has_name: true })
        }),
        (
            "[[host]]\nhost = \"db1\"\nos-version = \"22.04\"\n",
            Location::Table { index: 1, line: 1 },
            |k| matches!(k, ErrorKind::BadLabelName { suggestion, .. } if suggestion == "os_version"),
        ),
        (
            "[[host]]\nhost = \"db1\"\nversion = 1.10\n",
            Location::Table { index: 1, line: 1 },
            |k| matches!(k, ErrorKind::NotText { key, found: "a float" } if key == "version"),
        ),
        (
            "[[host]]\nhost = \"db1\"\nsince = 2024-01-01\n",
            Location::Table { index: 1, line: 1 },
            |k| matches!(k, ErrorKind::NotText { found: "a date or time", .. }),
        ),
        (
            "[[host]]\nhost = \"db1\"\nroles = [\"db\"]\n",
            Location::Table { index: 1, line: 1 },
            |k| matches!(k, ErrorKind::NotText { found: "an array", .. }),
        ),
        (
            "[[host]]\nhost = \"db1\"\n[host.extra]\nrack = \"4\"\n",
            Location::Table { index: 1, line: 1 },
            |k| matches!(k, ErrorKind::NotText { key, found: "a table" } if key == "extra"),
        ),
        (
            "[[host]]\nhost = 12\nclient = 7\n",
            Location::Table { index: 1, line: 1 },
            |k| matches!(k, ErrorKind::BadClient { client, suggestion } if client == "7" && suggestion == "_7"),
        ),
        ("[[host]]\nhost = \"\"\n", Location::Table { index: 1, line: 1 }, |k| {
            matches!(k, ErrorKind::EmptyHost)
        }),
        (
            "[[host]]\nhost = \"db1\"\nclient = \"Acme Corp\"\n",
            Location::Table { index: 1, line: 1 },
            |k| matches!(k, ErrorKind::BadClient { suggestion, .. } if suggestion == "acme_corp"),
        ),
        (
            "[[host]]\nhost = \"dc1\"\nclient = \"acme\"\n[[host]]\nhost = \"dc1\"\nclient = \"globex\"\n\
             [[host]]\nhost = \"dc1\"\nclient = \"acme\"\n",
            Location::Table { index: 3, line: 7 },
            |k| {
                matches!(
                    k,
                    ErrorKind::DuplicateHost { first: Location::Table { index: 1, line: 1 }, .. }
                )
            },
        ),
    ];
    for (text, location, kind) in cases {
        let e = toml_error(text);
        assert_eq!(e.location, *location, "{text:?}: {e}");
        assert!(kind(&e.kind), "{text:?}: {e:?}");
    }
}

#[test]
fn toml_integers_and_booleans_are_label_text() {
    let inventory = Inventory::from_toml(
        "[[host]]\nhost = \"db1\"\nrack = 12\nslot = 0x1F\nbig = 1_000\nmanaged = true\nsite = \"\"\n",
    )
    .unwrap();
    assert_eq!(
        inventory.host_labels(None, "db1").unwrap(),
        labels(&[
            ("big", "1000"),
            ("host", "db1"),
            ("managed", "true"),
            ("rack", "12"),
            ("slot", "31")
        ]),
        "an empty string is no label"
    );
    let inline =
        Inventory::from_toml("host = [{ host = \"a\" }, { host = \"b\", client = \"acme\" }]\n")
            .unwrap();
    assert_eq!(inline.len(), 2, "an inline array of tables is the same list");
}

#[test]
fn error_messages_say_what_to_fix() {
    assert_eq!(
        toml_error("[[host]]\nname = \"db1\"\n").to_string(),
        "[[host]] table 1 (line 1): no `host` key: every [[host]] table needs `host = \"NAME\"` \
         (the host's name is the `host` key, not `name`)"
    );
    assert_eq!(
        toml_error("[[host]]\nhost = \"db1\"\nversion = 1.5\n").to_string(),
        "[[host]] table 1 (line 1): `version` is a float, and labels are text: write it in quotes \
         (`version = \"…\"`)"
    );
    assert_eq!(
        csv_error("host,role\ndb1,db,x\n").to_string(),
        "line 2: 3 cells, but the header has 2: quote cells that contain a comma"
    );
    assert_eq!(
        csv_error("name,role\n").to_string(),
        "line 1: no `host` column (the columns are `name`, `role`): name the column of host names `host`"
    );
}

#[test]
fn load_chooses_the_format_by_extension_and_names_the_file() {
    let upper = Inventory::load(&fixture("upper.CSV")).unwrap();
    assert_eq!(upper.len(), 1, "extensions in any case");
    let e = Inventory::load(&fixture("hosts.yaml")).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::UnknownFormat));
    assert_eq!(e.file.as_deref(), Some(fixture("hosts.yaml").as_path()));
    let message = e.to_string();
    assert!(message.contains("hosts.yaml: ") && message.contains("`.csv` or `.toml`"), "{message}");
    let e = Inventory::load(&fixture("missing.csv")).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Read(_)), "{e}");
    assert!(e.to_string().contains("missing.csv: cannot read the inventory: "), "{e}");
    let e = Inventory::load(&fixture("latin1.csv")).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::NotUtf8), "{e}");
    assert_eq!(e.location, Location::Line(2));
    assert!(
        e.to_string().ends_with("latin1.csv: line 2: not UTF-8 text: save the file as UTF-8"),
        "{e}"
    );
    let e = Inventory::load(&fixture("missing.toml")).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Read(_)));
}
