//! `upkeep check PATH…`

use crate::args::CheckArgs;
use crate::{Outcome, inputs, report};
use upkeep_compiler::{Diagnostic, Severity, check_file};

pub fn run(args: &CheckArgs) -> anyhow::Result<Outcome> {
    let files = inputs::expand(&args.paths)?;
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for path in &files {
        match inputs::read(path) {
            Ok(file) => diagnostics.extend(check_file(file).diagnostics),
            Err(d) => diagnostics.push(*d),
        }
    }
    report::print(&diagnostics, args.format, report::style(args.color.color), files.len())?;
    let failed = diagnostics.iter().any(|d| d.severity == Severity::Error);
    Ok(if failed { Outcome::Problems } else { Outcome::Clean })
}
