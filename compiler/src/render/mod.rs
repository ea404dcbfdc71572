//! Rendering diagnostics for people and for tools: miette's graphical
//! report, a one-line `short` form (used by the snapshot tests), JSON lines,
//! and SARIF 2.1.0 for code-scanning services.

mod json;
mod sarif;

pub use json::to_json_lines;
pub use sarif::to_sarif;

use crate::diagnostics::{Diagnostic, MietteView};
use miette::{GraphicalReportHandler, GraphicalTheme};

/// How graphical reports are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Colour and Unicode box drawing, for a terminal.
    Color,
    /// Unicode, no colour: for pipes, logs and snapshots.
    Plain,
}

/// miette's graphical report, e.g. for a terminal.
pub fn graphical(diagnostic: &Diagnostic, style: Style) -> String {
    let theme = match style {
        Style::Color => GraphicalTheme::unicode(),
        Style::Plain => GraphicalTheme::unicode_nocolor(),
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, &MietteView::new(diagnostic)).is_err() {
        // Rendering into a String cannot fail for I/O reasons; fall back to
        // the short form rather than lose the diagnostic.
        return short(diagnostic);
    }
    out
}

/// `file:line:col: error[E0014]: message`, one line per diagnostic.
pub fn short(d: &Diagnostic) -> String {
    let at = d.start();
    format!(
        "{}:{}:{}: {}[{}]: {}",
        d.file.name,
        at.line,
        at.column,
        d.severity.as_str(),
        d.code.as_str(),
        d.message
    )
}
