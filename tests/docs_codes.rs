//! `docs/diagnostics.md` documents every code in the registry, in order,
//! under the registry's name for it.

use upkeep_compiler::Code;

#[test]
fn every_code_is_documented_in_order() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/diagnostics.md"))
        .unwrap();
    let headings: Vec<&str> = doc.lines().filter_map(|l| l.strip_prefix("### ")).collect();
    let expected: Vec<String> =
        Code::ALL.iter().map(|c| format!("{} {}", c.as_str(), c.slug())).collect();
    assert_eq!(headings, expected);
}
