//! JSON lines: one object per diagnostic, for scripts and editors.
//!
//! Schema (stable; fields are only ever added): `file`, `line`, `column`,
//! `end_line`, `end_column` (1-based, columns in Unicode scalar values),
//! `severity`, `code`, `message`, `help` (string or null), `labels`
//! (array of `{line, column, end_line, end_column, message, primary}`).

use crate::diagnostics::{Diagnostic, Label};
use serde_json::{Value, json};

fn label(d: &Diagnostic, l: &Label, primary: bool) -> Value {
    let start = d.file.line_col(l.span.start);
    let end = d.file.line_col(l.span.end);
    json!({
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
        "message": l.message,
        "primary": primary,
    })
}

pub fn to_json(d: &Diagnostic) -> Value {
    let start = d.start();
    let end = d.end();
    let labels: Vec<Value> = std::iter::once(label(d, &d.primary, true))
        .chain(d.secondary.iter().map(|l| label(d, l, false)))
        .collect();
    json!({
        "file": d.file.name,
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
        "severity": d.severity.as_str(),
        "code": d.code.as_str(),
        "message": d.message,
        "help": d.help,
        "labels": labels,
    })
}

/// Every diagnostic as one line of JSON, each line ending in `\n`.
pub fn to_json_lines(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(|d| format!("{}\n", to_json(d))).collect()
}
