//! Loading a package and compiling it to a Plan, for the commands that run
//! policies (`run`, `test`).

use crate::args::Format;
use crate::{inputs, report};
use std::path::Path;
use upkeep_compiler::package::Loader;
use upkeep_compiler::plan::Plan;
use upkeep_compiler::{Severity, sema};

/// The Plan of the package at `path` (a folder with `upkeep.toml`, a
/// folder of files, or one file). On errors, prints them and returns `None`.
pub fn compile(path: &Path, style: upkeep_compiler::render::Style) -> anyhow::Result<Option<Plan>> {
    let files = inputs::expand(std::slice::from_ref(&path.to_path_buf()))?;
    let loader = Loader::load(&files);
    let mut diagnostics = loader.diagnostics;
    let mut plans = Vec::new();
    for package in &loader.packages {
        let (found, plan) = sema::compile(package);
        diagnostics.extend(found);
        plans.extend(plan);
    }
    let failed = diagnostics.iter().any(|d| d.severity == Severity::Error);
    if failed || plans.len() != 1 {
        if !failed && plans.len() > 1 {
            return Err(crate::UsageError(format!(
                "{} holds {} packages: run one at a time",
                path.display(),
                plans.len()
            ))
            .into());
        }
        let errors: Vec<_> =
            diagnostics.into_iter().filter(|d| d.severity == Severity::Error).collect();
        report::print(&errors, Format::Human, style, files.len())?;
        return Ok(None);
    }
    Ok(plans.pop())
}
