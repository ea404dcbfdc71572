//! `upkeep compile PATH --emit …`

use crate::args::{CompileArgs, Emit, Format};
use crate::{Outcome, inputs, report};
use std::io::Write;
use upkeep_compiler::package::Loader;
use upkeep_compiler::{Severity, check_file, sema};
use upkeep_grammar::dump;

pub fn run(args: &CompileArgs) -> anyhow::Result<Outcome> {
    let files = inputs::expand(std::slice::from_ref(&args.path))?;
    let style = report::style(args.color.color);
    match args.emit {
        Emit::Ast => {
            let mut outcome = Outcome::Clean;
            for path in &files {
                let Some(file) = inputs::read_or_report(path, style)? else {
                    outcome = Outcome::Problems;
                    continue;
                };
                let checked = check_file(file);
                if !checked.diagnostics.is_empty() {
                    report::print(&checked.diagnostics, Format::Human, style, 1)?;
                    outcome = Outcome::Problems;
                    continue;
                }
                let tree = dump::file(&checked.parsed.file).render(args.spans);
                std::io::stdout().lock().write_all(tree.as_bytes())?;
            }
            Ok(outcome)
        }
        Emit::Typed => typed(&files, args.spans, style),
        Emit::Ir | Emit::Clif | Emit::Plan => plan(&files, args, style),
    }
}

/// Compiles the packages of `files` and prints their IR or their Plan.
fn plan(
    files: &[std::path::PathBuf],
    args: &CompileArgs,
    style: upkeep_compiler::render::Style,
) -> anyhow::Result<Outcome> {
    let loader = Loader::load(files);
    let mut diagnostics = loader.diagnostics;
    let mut plans = Vec::new();
    for package in &loader.packages {
        let (found, plan) = sema::compile(package);
        diagnostics.extend(found);
        plans.extend(plan);
    }
    if diagnostics.iter().any(|d| d.severity == Severity::Error) || plans.is_empty() {
        report::print(&diagnostics, Format::Human, style, files.len())?;
        return Ok(Outcome::Problems);
    }
    let text = match args.emit {
        Emit::Ir => plans
            .iter()
            .flat_map(|p| p.policies.iter())
            .map(upkeep_compiler::plan::text::policy_ir)
            .collect::<Vec<_>>()
            .join("\n"),
        Emit::Clif => {
            let mut text = String::new();
            for p in plans.iter().flat_map(|p| p.policies.iter()) {
                text.push_str(&format!("; policy {} ({})\n", p.name, p.evaluator));
                text.push_str(&upkeep_compiler::jit::clif_text(&p.graph)?);
                text.push('\n');
            }
            text
        }
        _ if plans.len() == 1 => serde_json::to_string_pretty(&plans[0])? + "\n",
        _ => serde_json::to_string_pretty(&plans)? + "\n",
    };
    match &args.output {
        Some(path) => std::fs::write(path, text)?,
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(Outcome::Clean)
}

/// The typed tree of every requested module, after a full check.
fn typed(
    files: &[std::path::PathBuf],
    spans: bool,
    style: upkeep_compiler::render::Style,
) -> anyhow::Result<Outcome> {
    let loader = Loader::load(files);
    let mut diagnostics = loader.diagnostics;
    let mut trees = Vec::new();
    for package in &loader.packages {
        let analysis = sema::analyse(package);
        diagnostics.extend(analysis.diagnostics);
        for module in package.modules.iter().filter(|m| m.requested) {
            let types = analysis.types.get(&module.id).map(Vec::as_slice).unwrap_or_default();
            trees.push(sema::typed_tree(&module.parsed.file, types, spans));
        }
    }
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        report::print(&diagnostics, Format::Human, style, files.len())?;
        return Ok(Outcome::Problems);
    }
    let mut out = std::io::stdout().lock();
    for tree in trees {
        out.write_all(tree.as_bytes())?;
    }
    Ok(Outcome::Clean)
}
