//! `upkeep test [PACKAGE] [--stdlib]`: runs `test` blocks in simulated time
//! and reports, for each failed expectation, what was expected and what
//! happened.

use crate::args::TestArgs;
use crate::{Outcome, UsageError, package, report};
use std::fmt::Write as _;
use upkeep_compiler::plan::{Plan, TestPlan};
use upkeep_runtime::testing;

pub fn run(args: &TestArgs) -> anyhow::Result<Outcome> {
    let style = report::style(args.color.color);
    let path = match (&args.package, args.stdlib) {
        (Some(p), _) => p.clone(),
        // The standard library's tests only need some package to load it:
        // an empty one is compiled from a temporary folder.
        (None, true) => std::env::temp_dir(),
        (None, false) => {
            return Err(UsageError("give a PACKAGE to test, or --stdlib".into()).into());
        }
    };
    let plan = if args.package.is_some() {
        match package::compile(&path, style)? {
            Some(plan) => plan,
            None => return Ok(Outcome::Problems),
        }
    } else {
        stdlib_plan()?
    };
    let selected: Vec<&TestPlan> = plan
        .tests
        .iter()
        .filter(|t| args.stdlib || !t.module.starts_with("std."))
        .filter(|t| args.package.is_some() || t.module.starts_with("std."))
        .filter(|t| args.filter.as_ref().is_none_or(|f| t.name.contains(f.as_str())))
        .collect();
    let mut text = String::new();
    let (mut passed, mut failed) = (0, 0);
    for test in &selected {
        let where_ = format!("{}:{}", test.module, test.line);
        match testing::run(&plan, test) {
            Ok(outcome) if outcome.ok() => {
                passed += 1;
                let _ = writeln!(
                    text,
                    "ok    {} ({where_}, {} expectations)",
                    test.name, outcome.passed
                );
            }
            Ok(outcome) => {
                failed += 1;
                let _ = writeln!(text, "FAIL  {} ({where_})", test.name);
                for f in &outcome.failures {
                    let _ = writeln!(text, "  line {}: {}", f.line, f.text);
                    let _ = writeln!(text, "    expected: {}", f.expected);
                    for (i, a) in f.actual.iter().enumerate() {
                        let head = if i == 0 { "actual:  " } else { "         " };
                        let _ = writeln!(text, "    {head} {a}");
                    }
                }
                let _ = writeln!(text, "  events of the run:");
                for e in &outcome.events {
                    let _ = writeln!(text, "    {}", testing::describe(e));
                }
            }
            Err(e) => {
                failed += 1;
                let _ = writeln!(text, "FAIL  {} ({where_}): {e}", test.name);
            }
        }
    }
    let _ = writeln!(text, "{passed} passed, {failed} failed");
    #[allow(clippy::print_stdout)]
    {
        print!("{text}");
    }
    Ok(if failed == 0 { Outcome::Clean } else { Outcome::Problems })
}

/// The Plan of the standard library alone (its templates' tests).
fn stdlib_plan() -> anyhow::Result<Plan> {
    let loader = upkeep_compiler::package::Loader::load_sources(&[(
        "stdlib-tests.upk",
        "use std.policies\n",
    )]);
    let package = loader
        .packages
        .first()
        .ok_or_else(|| UsageError("cannot load the standard library".into()))?;
    let (diagnostics, plan) = upkeep_compiler::sema::compile(package);
    plan.ok_or_else(|| {
        let first = diagnostics.first().map(|d| d.message.clone()).unwrap_or_default();
        UsageError(format!("the standard library does not compile: {first}")).into()
    })
}
