//! The parsers' scratch output for one line, before interning.
//!
//! A parser never allocates per token: every name and label it finds is a
//! [`Span`], either into the line itself (the common case: no escapes) or
//! into a scratch buffer that holds the unescaped text. Scratch spans are
//! numbered from the line's length on, so one `Span` type covers both and
//! resolving one needs no tag. All buffers are reused from line to line.

use super::error::Reason;

/// A piece of text: `start..end` in the line when `start` is below the
/// line's length, otherwise `start - len..end - len` in the scratch buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Span {
    start: usize,
    end: usize,
}

/// A value found on the line, with the span of its series name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawSample {
    pub(crate) name: Span,
    pub(crate) value: f64,
    pub(crate) timestamp_ms: Option<i64>,
}

/// Everything one line yields; see the module header.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    base: usize,
    scratch: String,
    /// Where text is put together before it is copied to `scratch`.
    tmp: String,
    pub(crate) labels: Vec<(Span, Span)>,
    pub(crate) samples: Vec<RawSample>,
    /// Values present but not numeric (line-protocol string fields).
    pub(crate) skipped: u64,
}

impl Parsed {
    /// Starts a new line of `len` bytes; keeps the buffers' capacity.
    pub(crate) fn reset(&mut self, len: usize) {
        self.base = len;
        self.scratch.clear();
        self.labels.clear();
        self.samples.clear();
        self.skipped = 0;
    }

    /// The text of `span`; `line` must be the line given to [`reset`](Self::reset).
    pub(crate) fn text<'a>(&'a self, line: &'a str, span: Span) -> &'a str {
        let text = if span.start < self.base {
            line.get(span.start..span.end)
        } else {
            self.scratch.get(span.start - self.base..span.end - self.base)
        };
        // Spans are made by this module at character boundaries; an empty
        // string is the harmless answer should that ever not hold.
        text.unwrap_or_default()
    }

    /// The span of `piece`, a sub-slice of `line` (the current line), as
    /// it is written.
    pub(crate) fn span_of(line: &str, piece: &str) -> Span {
        let offset = offset_in(line, piece);
        Span { start: offset, end: offset + piece.len() }
    }

    /// The span of `piece`, a sub-slice of `line` (the current line), with
    /// escapes resolved: `\x` becomes `unescape(x)` when that is `Some`, and
    /// stays as written otherwise. Allocation-free unless the piece has a
    /// backslash.
    pub(crate) fn unescaped(
        &mut self,
        line: &str,
        piece: &str,
        unescape: impl Fn(char) -> Option<char>,
    ) -> Span {
        if memchr::memchr(b'\\', piece.as_bytes()).is_none() {
            return Self::span_of(line, piece);
        }
        let start = self.base + self.scratch.len();
        let mut chars = piece.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                self.scratch.push(c);
                continue;
            }
            match chars.next() {
                Some(next) => match unescape(next) {
                    Some(u) => self.scratch.push(u),
                    None => {
                        self.scratch.push('\\');
                        self.scratch.push(next);
                    }
                },
                None => self.scratch.push('\\'),
            }
        }
        Span { start, end: self.base + self.scratch.len() }
    }

    /// The span of `text` copied into the scratch buffer (JSON strings,
    /// which serde_json has already unescaped).
    pub(crate) fn copied(&mut self, text: &str) -> Span {
        let start = self.base + self.scratch.len();
        self.scratch.push_str(text);
        Span { start, end: self.base + self.scratch.len() }
    }

    /// The span of a text made from those of `a` and `b` by `join`
    /// (line protocol's `measurement_field` names).
    pub(crate) fn joined(
        &mut self,
        line: &str,
        a: Span,
        b: Span,
        join: impl FnOnce(&str, &str, &mut String),
    ) -> Span {
        let mut tmp = std::mem::take(&mut self.tmp);
        tmp.clear();
        join(self.text(line, a), self.text(line, b), &mut tmp);
        let span = self.copied(&tmp);
        self.tmp = tmp;
        span
    }

    /// The span of `span`'s text rewritten by `rewrite`, or `span` itself
    /// when `keep` accepts the text as it is.
    pub(crate) fn rewritten(
        &mut self,
        line: &str,
        span: Span,
        keep: impl FnOnce(&str) -> bool,
        rewrite: impl FnOnce(&str, &mut String),
    ) -> Span {
        if keep(self.text(line, span)) {
            return span;
        }
        let mut tmp = std::mem::take(&mut self.tmp);
        tmp.clear();
        rewrite(self.text(line, span), &mut tmp);
        let fresh = self.copied(&tmp);
        self.tmp = tmp;
        fresh
    }

    /// Whether `span` is empty.
    pub(crate) fn is_empty(span: Span) -> bool {
        span.start == span.end
    }

    /// Sorts the labels by name and rejects a name given twice.
    pub(crate) fn sort_labels(&mut self, line: &str) -> Result<(), Reason> {
        let mut labels = std::mem::take(&mut self.labels);
        // Exporters and Telegraf mostly write labels already sorted.
        if !labels.is_sorted_by(|a, b| self.text(line, a.0) <= self.text(line, b.0)) {
            labels.sort_unstable_by(|a, b| self.text(line, a.0).cmp(self.text(line, b.0)));
        }
        let duplicate = labels
            .windows(2)
            .find_map(|w| match w {
                [a, b] if self.text(line, a.0) == self.text(line, b.0) => Some(a.0),
                _ => None,
            })
            .map(|span| Reason::DuplicateLabel(self.text(line, span).to_owned()));
        self.labels = labels;
        duplicate.map_or(Ok(()), Err)
    }
}

/// `s` without leading spaces and tabs.
pub(crate) fn skip_blanks(s: &str) -> &str {
    s.trim_start_matches([' ', '\t'])
}

/// `s` split at `at`, which the parsers find at an ASCII delimiter and so at
/// a character boundary; all of `s` and nothing should it ever not be one.
pub(crate) fn split(s: &str, at: usize) -> (&str, &str) {
    s.split_at_checked(at).unwrap_or((s, ""))
}

/// `ms` rounded to an integer, when it is finite and fits an `i64`.
pub(crate) fn round_millis(ms: f64) -> Option<i64> {
    let ms = ms.round();
    // 2^63 is exact in f64 (i64::MAX is not), and NaN is in no range.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    (-TWO_63..TWO_63).contains(&ms).then_some(ms as i64)
}

/// The byte offset of `inner`, a sub-slice of `outer`, within it.
pub(crate) fn offset_in(outer: &str, inner: &str) -> usize {
    (inner.as_ptr() as usize).saturating_sub(outer.as_ptr() as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prom_escape(c: char) -> Option<char> {
        match c {
            '\\' => Some('\\'),
            '"' => Some('"'),
            'n' => Some('\n'),
            _ => None,
        }
    }

    #[test]
    fn spans_resolve_into_the_line_or_the_scratch_buffer() {
        let line = r#"a\"b plain tail\"#;
        let mut p = Parsed::default();
        p.reset(line.len());
        let esc = p.unescaped(line, &line[..4], prom_escape);
        let plain = p.unescaped(line, &line[5..10], prom_escape);
        let tail = p.unescaped(line, &line[11..], prom_escape);
        let unknown = p.unescaped(line, r"x\qy", prom_escape);
        assert_eq!(p.text(line, esc), "a\"b");
        assert_eq!(plain, Span { start: 5, end: 10 });
        assert_eq!(p.text(line, plain), "plain");
        assert_eq!(p.text(line, tail), "tail\\");
        assert_eq!(p.text(line, unknown), r"x\qy");
    }

    #[test]
    fn sorts_labels_and_finds_duplicates() {
        let line = "b a c a";
        let mut p = Parsed::default();
        p.reset(line.len());
        let at = |i: usize| Span { start: i, end: i + 1 };
        p.labels = vec![(at(0), at(0)), (at(2), at(2)), (at(4), at(4))];
        assert_eq!(p.sort_labels(line), Ok(()));
        let names: Vec<_> = p.labels.iter().map(|l| p.text(line, l.0)).collect();
        assert_eq!(names, ["a", "b", "c"]);
        p.labels.push((at(6), at(6)));
        assert_eq!(p.sort_labels(line), Err(Reason::DuplicateLabel("a".into())));
    }
}
