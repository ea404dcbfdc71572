//! Printing diagnostics in the format the user asked for.

use crate::args::{ColorChoice, Format};
use std::io::{IsTerminal, Write};
use upkeep_compiler::render::{self, Style};
use upkeep_compiler::{Diagnostic, Severity};

/// Whether reports on standard error get colour.
pub fn style(choice: ColorChoice) -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => Style::Color,
        ColorChoice::Never => Style::Plain,
        ColorChoice::Auto if !no_color && std::io::stderr().is_terminal() => Style::Color,
        ColorChoice::Auto => Style::Plain,
    }
}

/// Prints all diagnostics; human-readable forms go to standard error,
/// machine-readable ones to standard output.
pub fn print(
    diagnostics: &[Diagnostic],
    format: Format,
    style: Style,
    files_checked: usize,
) -> std::io::Result<()> {
    match format {
        Format::Human => {
            let mut err = std::io::stderr().lock();
            for d in diagnostics {
                write!(err, "{}", render::graphical(d, style))?;
            }
            writeln!(err, "{}", summary(diagnostics, files_checked))?;
        }
        Format::Short => {
            let mut out = std::io::stdout().lock();
            for d in diagnostics {
                writeln!(out, "{}", render::short(d))?;
            }
            let mut err = std::io::stderr().lock();
            writeln!(err, "{}", summary(diagnostics, files_checked))?;
        }
        Format::Json => {
            std::io::stdout().lock().write_all(render::to_json_lines(diagnostics).as_bytes())?
        }
        Format::Sarif => {
            let log = render::to_sarif(diagnostics, env!("CARGO_PKG_VERSION"));
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &log)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// `checked 12 files: 2 errors, 1 warning` (or `…: no problems`).
pub fn summary(diagnostics: &[Diagnostic], files: usize) -> String {
    let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = diagnostics.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let found = match (errors, warnings) {
        (0, 0) => "no problems".to_string(),
        (e, 0) => plural(e, "error"),
        (0, w) => plural(w, "warning"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    };
    format!("checked {}: {found}", plural(files, "file"))
}
