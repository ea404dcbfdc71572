//! The Upkeep compiler: diagnostics, packages and modules, names, types and
//! units. Lowering and the evaluators come in later stages; every stage
//! returns [`Diagnostic`] values and leaves rendering to the edge.

pub mod check;
pub mod diagnostics;
pub mod ir;
pub mod jit;
pub mod package;
pub mod plan;
pub mod render;
pub mod resolve;
pub mod sema;
mod suggest;
pub mod units;

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

/// Loads the packages holding `files` (following `use`) and checks them:
/// syntax, names, types and units. Returns every diagnostic.
pub fn check_paths(files: &[std::path::PathBuf]) -> Vec<Diagnostic> {
    let loader = package::Loader::load(files);
    let mut diagnostics = loader.diagnostics;
    for package in &loader.packages {
        diagnostics.extend(sema::check_package(package));
    }
    diagnostics
}

/// Checks a package held in memory: `(module path, source)` pairs.
pub fn check_sources(sources: &[(&str, &str)]) -> Vec<Diagnostic> {
    let loader = package::Loader::load_sources(sources);
    let mut diagnostics = loader.diagnostics;
    for package in &loader.packages {
        diagnostics.extend(sema::check_package(package));
    }
    diagnostics
}
