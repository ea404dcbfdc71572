//! Message templates as the runtime gets them: what the planner already
//! knows (a template's text arguments) filled in, the rest left as `{name}`
//! for the runtime to fill from labels and values.

use crate::sema::lower::{Lowered, Lowerer};

/// A message with the text constants in scope filled in (a template's
/// `{service}`), so that the runtime sees only labels and values.
pub fn constants_in(text: &str, lw: &Lowerer<'_, '_>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        let Some(close) = tail.find('}') else { break };
        let name = tail[1..close].trim();
        match lw.scope.get(name) {
            Some(Lowered::Text(crate::plan::TextSource::Const(t))) if !tail.starts_with("{{") => {
                out.push_str(t)
            }
            _ => out.push_str(&tail[..=close]),
        }
        rest = &tail[close + 1..];
    }
    out.push_str(rest);
    out
}
