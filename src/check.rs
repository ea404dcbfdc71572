//! `upkeep check PATH…`

use crate::args::CheckArgs;
use crate::{Outcome, inputs, report};
use upkeep_compiler::{Severity, check_paths};

pub fn run(args: &CheckArgs) -> anyhow::Result<Outcome> {
    let files = inputs::expand(&args.paths)?;
    let mut diagnostics = check_paths(&files);
    if args.deny_warnings {
        for d in &mut diagnostics {
            d.severity = Severity::Error;
        }
    }
    report::print(&diagnostics, args.format, report::style(args.color.color), files.len())?;
    let failed = diagnostics.iter().any(|d| d.severity == Severity::Error);
    Ok(if failed { Outcome::Problems } else { Outcome::Clean })
}
