//! What went wrong with one input line: a typed [`Reason`], the line number
//! and a short excerpt of the line, so a bad line in a multi-gigabyte replay
//! can be found and fixed.
//!
//! Errors are values: the decoder counts and keeps them (see
//! [`Stats`](super::Stats)) and the caller decides how to render them.

use thiserror::Error;

/// At most this many characters of the offending line are kept.
pub const EXCERPT_CHARS: usize = 120;

/// At most this many characters of an offending token are quoted in a
/// [`Reason`], so that an error never holds a large part of its line twice.
const TOKEN_CHARS: usize = 40;

/// A line that could not be decoded (or, for [`Reason::Io`], a read that
/// failed and ended the stream).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {reason}: `{excerpt}`")]
pub struct DecodeError {
    /// 1-based line number in the input; blank and comment lines count.
    pub line: u64,
    /// Why the line was rejected.
    pub reason: Reason,
    /// The start of the line, at most [`EXCERPT_CHARS`] characters (then
    /// `…`), invalid UTF-8 replaced by `�`.
    pub excerpt: String,
}

impl DecodeError {
    pub(crate) fn new(line: u64, reason: Reason, text: &[u8]) -> Self {
        DecodeError { line, reason, excerpt: excerpt(text) }
    }
}

/// Why a line was rejected. The display form is a short lower-case phrase
/// ("invalid float value `1.2.3`") meant to follow a line number.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Reason {
    /// Reading the input failed; the stream ends here.
    #[error("read failed: {0}")]
    Io(String),
    /// The line is not UTF-8 text.
    #[error("not valid UTF-8")]
    InvalidUtf8,
    /// The line is longer than the configured limit; it is skipped whole.
    #[error("longer than {limit} bytes")]
    LineTooLong {
        /// [`DecodeOptions::max_line_bytes`](super::DecodeOptions::max_line_bytes).
        limit: usize,
    },
    /// A required part is absent ("measurement", "field set", "value", …).
    #[error("missing {0}")]
    Missing(&'static str),
    /// A part that must not be empty is ("tag key", "field key", …).
    #[error("empty {0}")]
    Empty(&'static str),
    /// The next character is not one the grammar allows here.
    #[error("expected {expected}, found {found}")]
    Expected {
        /// What the grammar wanted ("`=`", "a label name", …).
        expected: &'static str,
        /// What was there: a quoted character or "end of line".
        found: String,
    },
    /// A quoted string or a label set is not closed on its line.
    #[error("unterminated {0}")]
    Unterminated(&'static str),
    /// A token that does not parse as what it must be.
    #[error("invalid {what} `{text}`")]
    Invalid {
        /// "float value", "timestamp", "metric name", …
        what: &'static str,
        /// The token, at most 40 characters.
        text: String,
    },
    /// The same label (tag) name appears twice on one line.
    #[error("duplicate label `{0}`")]
    DuplicateLabel(String),
    /// A JSON line that does not match the schema (serde_json's message,
    /// which names the column).
    #[error("{0}")]
    Json(String),
}

impl Reason {
    /// [`Reason::Invalid`] quoting at most 40 characters of `text`.
    pub(crate) fn invalid(what: &'static str, text: &str) -> Self {
        Reason::Invalid { what, text: truncate(text, TOKEN_CHARS) }
    }

    /// [`Reason::Expected`] describing the start of `rest` (or the end of
    /// the line when it is empty).
    pub(crate) fn expected(expected: &'static str, rest: &str) -> Self {
        let found = match rest.chars().next() {
            Some(c) => format!("`{}`", c.escape_debug()),
            None => "end of line".to_owned(),
        };
        Reason::Expected { expected, found }
    }
}

/// The excerpt of a line kept in an error: valid UTF-8, bounded length.
pub(crate) fn excerpt(text: &[u8]) -> String {
    // Four bytes per character at most: decoding a bounded prefix keeps this
    // cheap for a line of megabytes.
    let prefix = text.get(..EXCERPT_CHARS * 4).unwrap_or(text);
    let lossy = String::from_utf8_lossy(prefix);
    match lossy.char_indices().nth(EXCERPT_CHARS) {
        Some((at, _)) => format!("{}…", lossy.get(..at).unwrap_or_default()),
        None if prefix.len() < text.len() => format!("{lossy}…"),
        None => lossy.into_owned(),
    }
}

/// The first `max` characters of `s`, followed by `…` when it was longer.
fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", s.get(..at).unwrap_or_default()),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_bounded_and_marked() {
        assert_eq!(excerpt(b"cpu value=1"), "cpu value=1");
        let long = "x".repeat(1000);
        let e = excerpt(long.as_bytes());
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
        assert!(e.ends_with('…'));
        assert_eq!(excerpt(b"a\xffb"), "a\u{fffd}b");
        // A multi-byte character is never split.
        let wide = "é".repeat(500);
        assert_eq!(excerpt(wide.as_bytes()).chars().count(), EXCERPT_CHARS + 1);
    }

    #[test]
    fn reasons_read_as_phrases() {
        let e = DecodeError::new(7, Reason::invalid("float value", "1.2.3"), b"m f=1.2.3");
        assert_eq!(e.to_string(), "line 7: invalid float value `1.2.3`: `m f=1.2.3`");
        assert_eq!(Reason::expected("`=`", "").to_string(), "expected `=`, found end of line");
        assert_eq!(Reason::expected("`=`", "\tx").to_string(), "expected `=`, found `\\t`");
    }
}
