//! The module graph: `use` must not go round in a circle.

use crate::diagnostics::{Code, Diagnostic, Label};
use crate::package::{ModuleId, Package};
use upkeep_grammar::ast::Item;

/// Reports each import cycle once, at the `use` that closes it.
pub fn check_cycles(package: &Package, diagnostics: &mut Vec<Diagnostic>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let edges: Vec<Vec<(ModuleId, upkeep_grammar::Span)>> = package
        .modules
        .iter()
        .map(|m| {
            m.parsed
                .file
                .items
                .iter()
                .filter_map(|i| match i {
                    Item::Use(u) => package.by_path.get(&u.path.name).map(|t| (*t, u.path.span)),
                    _ => None,
                })
                .collect()
        })
        .collect();
    let mut marks = vec![Mark::New; package.modules.len()];
    // Iterative depth-first search: (module, next edge index), and the path.
    for start in 0..package.modules.len() {
        if marks[start] != Mark::New {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        marks[start] = Mark::Active;
        while let Some((node, edge)) = stack.last_mut() {
            let (node, index) = (*node, *edge);
            let Some(&(target, span)) = edges[node].get(index) else {
                marks[node] = Mark::Done;
                stack.pop();
                continue;
            };
            *edge += 1;
            match marks[target.0] {
                Mark::New => {
                    marks[target.0] = Mark::Active;
                    stack.push((target.0, 0));
                }
                Mark::Active => {
                    let from = stack.iter().position(|(n, _)| *n == target.0).unwrap_or(0);
                    let cycle: Vec<&str> = stack[from..]
                        .iter()
                        .map(|(n, _)| package.modules[*n].path.as_str())
                        .collect();
                    let module = &package.modules[node];
                    diagnostics.push(
                        Diagnostic::error(
                            Code::ImportCycle,
                            &module.file,
                            format!(
                                "modules use each other in a cycle: {} -> {}",
                                cycle.join(" -> "),
                                package.modules[target.0].path
                            ),
                            Label::new(span, "this `use` closes the cycle"),
                        )
                        .with_help("move what both modules need into a third module that both use"),
                    );
                }
                Mark::Done => {}
            }
        }
    }
}
