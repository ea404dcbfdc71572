//! Loading a package and compiling it to a Plan, for the commands that run
//! policies (`run`, `test`, `serve` and its reload).

use crate::args::Format;
use crate::{inputs, report};
use std::path::Path;
use upkeep_compiler::package::Loader;
use upkeep_compiler::plan::Plan;
use upkeep_compiler::{Severity, sema};

/// What compiling the packages under a path gave: every diagnostic, the
/// plans of the packages that compiled, and how many files were read.
pub struct Compiled {
    pub diagnostics: Vec<upkeep_compiler::Diagnostic>,
    pub plans: Vec<Plan>,
    pub files: usize,
}

/// Compiles every package under `path`, reporting nothing.
pub fn compile_all(path: &Path) -> anyhow::Result<Compiled> {
    let files = inputs::expand(std::slice::from_ref(&path.to_path_buf()))?;
    let loader = Loader::load(&files);
    let mut diagnostics = loader.diagnostics;
    let mut plans = Vec::new();
    for package in &loader.packages {
        let (found, plan) = sema::compile(package);
        diagnostics.extend(found);
        plans.extend(plan);
    }
    Ok(Compiled { diagnostics, plans, files: files.len() })
}

/// The Plan of the package at `path` (a folder with `upkeep.toml`, a
/// folder of files, or one file). On errors, prints them and returns `None`.
pub fn compile(path: &Path, style: upkeep_compiler::render::Style) -> anyhow::Result<Option<Plan>> {
    let Compiled { diagnostics, mut plans, files } = compile_all(path)?;
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
        report::print(&errors, Format::Human, style, files)?;
        return Ok(None);
    }
    Ok(plans.pop())
}
