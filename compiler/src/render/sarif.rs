//! SARIF 2.1.0, the format code-scanning services (GitHub, Azure DevOps,
//! GitLab) read. One run, one rule per diagnostic code that occurs.

use crate::diagnostics::{Code, Diagnostic, Label, Severity};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn region(d: &Diagnostic, l: &Label) -> Value {
    let start = d.file.line_col(l.span.start);
    let end = d.file.line_col(l.span.end);
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    })
}

fn location(d: &Diagnostic, l: &Label, id: Option<usize>) -> Value {
    let mut loc = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(&d.file.name) },
            "region": region(d, l),
        },
        "message": { "text": l.message },
    });
    if let Some(id) = id {
        loc["id"] = json!(id);
    }
    loc
}

/// A relative URI for a path as the user gave it (forward slashes, spaces
/// and other reserved characters percent-encoded).
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn result(d: &Diagnostic, rule_index: usize) -> Value {
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let related: Vec<Value> =
        d.secondary.iter().enumerate().map(|(i, l)| location(d, l, Some(i + 1))).collect();
    let mut r = json!({
        "ruleId": d.code.as_str(),
        "ruleIndex": rule_index,
        "level": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "message": { "text": text },
        "locations": [location(d, &d.primary, None)],
    });
    if !related.is_empty() {
        r["relatedLocations"] = Value::Array(related);
    }
    r
}

/// A complete SARIF log for these diagnostics.
pub fn to_sarif(diagnostics: &[Diagnostic], tool_version: &str) -> Value {
    let codes: Vec<Code> =
        diagnostics.iter().map(|d| d.code).collect::<BTreeSet<_>>().into_iter().collect();
    let rules: Vec<Value> = codes
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "name": c.slug(),
                "shortDescription": { "text": c.summary() },
            })
        })
        .collect();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| result(d, codes.iter().position(|c| *c == d.code).unwrap_or(0)))
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "upkeep",
                    "version": tool_version,
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(uri("examples/msp/acme.upk"), "examples/msp/acme.upk");
        assert_eq!(uri("my dir\\a#b.upk"), "my%20dir/a%23b.upk");
    }
}
