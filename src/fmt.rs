//! `upkeep fmt [--check] PATH…` — formats files in place; with `--check`,
//! changes nothing and prints a diff of each file that is not formatted.
//! `-` formats standard input to standard output. A file with syntax
//! errors is never rewritten: its diagnostics are printed instead.

use crate::args::{FmtArgs, Format};
use crate::{Outcome, UsageError, inputs, report};
use std::io::{Read, Write};
use std::path::Path;
use upkeep_compiler::render::Style;
use upkeep_compiler::{Diagnostic, SourceFile};
use upkeep_grammar::format_source;

pub fn run(args: &FmtArgs) -> anyhow::Result<Outcome> {
    let style = report::style(args.color.color);
    if args.paths.iter().any(|p| p == Path::new("-")) {
        if args.paths.len() > 1 {
            return Err(UsageError(
                "`-` (standard input) cannot be combined with other paths".into(),
            )
            .into());
        }
        return format_stdin(args.check, style);
    }
    let files = inputs::expand(&args.paths)?;
    let mut outcome = Outcome::Clean;
    let mut unformatted = 0;
    for path in &files {
        let Some(file) = inputs::read_or_report(path, style)? else {
            outcome = Outcome::Problems;
            continue;
        };
        let formatted = match format_or_report(&file, style)? {
            Some(formatted) => formatted,
            None => {
                outcome = Outcome::Problems;
                continue;
            }
        };
        if formatted == file.text {
            continue;
        }
        if args.check {
            unformatted += 1;
            outcome = Outcome::Problems;
            print_diff(&file.name, &file.text, &formatted)?;
        } else {
            std::fs::write(path, &formatted)?;
        }
    }
    #[allow(clippy::print_stderr)]
    if args.check && unformatted > 0 {
        eprintln!(
            "{unformatted} of {} files are not formatted; run `upkeep fmt` on them",
            files.len()
        );
    }
    Ok(outcome)
}

/// The formatted text, or `None` after printing the file's syntax errors.
fn format_or_report(
    file: &std::sync::Arc<SourceFile>,
    style: Style,
) -> anyhow::Result<Option<String>> {
    match format_source(&file.text) {
        Ok(formatted) => Ok(Some(formatted)),
        Err(errors) => {
            let diagnostics: Vec<Diagnostic> =
                errors.iter().map(|e| Diagnostic::from_syntax(e, file)).collect();
            report::print(&diagnostics, Format::Human, style, 1)?;
            Ok(None)
        }
    }
}

fn format_stdin(check: bool, style: Style) -> anyhow::Result<Outcome> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    let file = SourceFile::new("<stdin>", text);
    let Some(formatted) = format_or_report(&file, style)? else { return Ok(Outcome::Problems) };
    if check {
        if formatted == file.text {
            return Ok(Outcome::Clean);
        }
        print_diff(&file.name, &file.text, &formatted)?;
        return Ok(Outcome::Problems);
    }
    std::io::stdout().lock().write_all(formatted.as_bytes())?;
    Ok(Outcome::Clean)
}

fn print_diff(name: &str, old: &str, new: &str) -> std::io::Result<()> {
    let diff = similar::TextDiff::from_lines(old, new);
    let mut out = std::io::stdout().lock();
    write!(
        out,
        "{}",
        diff.unified_diff().context_radius(2).header(name, &format!("{name} (formatted)"))
    )
}
