//! `upkeep compile --emit typed`: the syntax tree with each expression's
//! type, units resolved.

use std::collections::HashMap;
use upkeep_grammar::Span;
use upkeep_grammar::ast::File;
use upkeep_grammar::dump::{self, Node};

/// The tree of `file`, each expression node followed by `: TYPE`.
pub fn typed_tree(file: &File, types: &[(Span, String)], spans: bool) -> String {
    let by_span: HashMap<Span, &str> = types.iter().map(|(s, t)| (*s, t.as_str())).collect();
    let mut root = dump::file(file);
    annotate(&mut root, &by_span);
    root.render(spans)
}

/// Puts the type on the deepest node of each typed span: a wrapper node
/// (`for`, `arg`) has the same span as the expression inside it.
fn annotate(node: &mut Node, types: &HashMap<Span, &str>) {
    let child_has_same_span = node.children.iter().any(|c| c.span == node.span);
    if !child_has_same_span && let Some(ty) = types.get(&node.span) {
        node.label = format!("{}: {ty}", node.label);
    }
    for child in &mut node.children {
        annotate(child, types);
    }
}
