//! Diagnostics as data: one type for every problem Upkeep reports, with a
//! stable [`Code`], a primary label, secondary labels and help.
//!
//! Phases produce [`Diagnostic`] values; rendering (graphical, short, JSON,
//! SARIF) happens at the edge, in [`crate::render`].

mod codes;
mod from_syntax;
mod source;

pub use codes::Code;
pub use source::{LineCol, SourceFile};

use miette::{LabeledSpan, SourceCode};
use std::fmt;
use std::sync::Arc;
use upkeep_grammar::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A span with the text shown under it.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Label { span, message: message.into() }
    }
}

/// One problem in one file.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    /// The file the spans point into.
    pub file: Arc<SourceFile>,
}

impl Diagnostic {
    pub fn error(
        code: Code,
        file: &Arc<SourceFile>,
        message: impl Into<String>,
        primary: Label,
    ) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            primary,
            secondary: Vec::new(),
            help: None,
            file: Arc::clone(file),
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_secondary(mut self, label: Label) -> Self {
        self.secondary.push(label);
        self
    }

    /// Where the primary label starts, as a line and column.
    pub fn start(&self) -> LineCol {
        self.file.line_col(self.primary.span.start)
    }

    /// Where the primary label ends.
    pub fn end(&self) -> LineCol {
        self.file.line_col(self.primary.span.end)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// The file, as miette reads it: the text under the user's file name.
struct NamedText<'a>(&'a SourceFile);

impl SourceCode for NamedText<'_> {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let contents = self.0.text.read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.0.name.clone(),
            contents.data(),
            *contents.span(),
            contents.line(),
            contents.column(),
            contents.line_count(),
        )))
    }
}

/// A [`Diagnostic`] seen through miette's trait, for the graphical renderer.
pub struct MietteView<'a> {
    diagnostic: &'a Diagnostic,
    source: NamedText<'a>,
}

impl<'a> MietteView<'a> {
    pub fn new(diagnostic: &'a Diagnostic) -> Self {
        MietteView { diagnostic, source: NamedText(&diagnostic.file) }
    }
}

impl fmt::Debug for MietteView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl fmt::Display for MietteView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.diagnostic, f)
    }
}

impl std::error::Error for MietteView<'_> {}

impl miette::Diagnostic for MietteView<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diagnostic.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let d = self.diagnostic;
        let len = d.file.text.len();
        let to_miette = move |label: &Label, primary: bool| {
            let start = label.span.start.min(len);
            let end = label.span.end.clamp(start, len);
            let span = miette::SourceSpan::from(start..end);
            if primary {
                LabeledSpan::new_primary_with_span(Some(label.message.clone()), span)
            } else {
                LabeledSpan::new_with_span(Some(label.message.clone()), span)
            }
        };
        let labels = std::iter::once(to_miette(&d.primary, true))
            .chain(d.secondary.iter().map(move |l| to_miette(l, false)));
        Some(Box::new(labels))
    }
}
