//! `upkeep compile PATH --emit …`

use crate::args::{CompileArgs, Emit, Format};
use crate::{Outcome, inputs, report};
use std::io::Write;
use upkeep_compiler::check_file;
use upkeep_grammar::dump;

pub fn run(args: &CompileArgs) -> anyhow::Result<Outcome> {
    let files = inputs::expand(std::slice::from_ref(&args.path))?;
    let style = report::style(args.color.color);
    let mut outcome = Outcome::Clean;
    for path in &files {
        let file = match inputs::read(path) {
            Ok(file) => file,
            Err(d) => {
                report::print(&[*d], Format::Human, style, 1)?;
                outcome = Outcome::Problems;
                continue;
            }
        };
        let checked = check_file(file);
        if !checked.diagnostics.is_empty() {
            report::print(&checked.diagnostics, Format::Human, style, 1)?;
            outcome = Outcome::Problems;
            continue;
        }
        match args.emit {
            Emit::Ast => {
                let tree = dump::file(&checked.parsed.file).render(args.spans);
                std::io::stdout().lock().write_all(tree.as_bytes())?;
            }
        }
    }
    Ok(outcome)
}
