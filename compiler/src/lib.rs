//! The Upkeep compiler: diagnostics and checking of policy files.
//!
//! Today it checks syntax; name resolution, types and units, lowering and
//! the evaluators come in later stages, each returning [`Diagnostic`] values.

pub mod diagnostics;
pub mod render;

pub use diagnostics::{Code, Diagnostic, Label, Severity, SourceFile};

use std::sync::Arc;
use upkeep_grammar::Parsed;

/// The result of checking one file.
#[derive(Debug)]
pub struct Checked {
    pub file: Arc<SourceFile>,
    pub parsed: Parsed,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses and checks one file, returning the tree and every diagnostic.
pub fn check_file(file: Arc<SourceFile>) -> Checked {
    let parsed = upkeep_grammar::parse(&file.text);
    let diagnostics = parsed.errors.iter().map(|e| Diagnostic::from_syntax(e, &file)).collect();
    Checked { file, parsed, diagnostics }
}
