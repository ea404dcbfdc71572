//! The summary `upkeep run` prints on standard error: what was read, what
//! was applied or dropped and why, the evaluations, the events by policy,
//! level and kind, what the actions did, and where the state is.

use crate::args::RunArgs;
use crate::sink::Counts;
use std::fmt::Write;
use upkeep_runtime::decode::{DecodeError, Stats};
use upkeep_runtime::runner::{Resume, Runner};

#[allow(clippy::print_stderr)]
pub fn print(
    runner: &Runner,
    args: &RunArgs,
    resume: Option<&Resume>,
    stats: &Stats,
    counts: &Counts,
    seconds: f64,
    strict_failure: Option<&DecodeError>,
) {
    let mut text = String::new();
    // Writing to a String cannot fail.
    let _ = write_summary(&mut text, runner, args, resume, stats, counts, seconds, strict_failure);
    eprint!("{text}");
}

#[allow(clippy::too_many_arguments)]
fn write_summary(
    text: &mut String,
    runner: &Runner,
    args: &RunArgs,
    resume: Option<&Resume>,
    stats: &Stats,
    counts: &Counts,
    seconds: f64,
    strict_failure: Option<&DecodeError>,
) -> std::fmt::Result {
    let engine = &runner.engine;
    let e = &engine.stats;
    let rate = if seconds > 0.0 { stats.samples as f64 / seconds } else { 0.0 };
    if let Some(r) = resume {
        writeln!(
            text,
            "continued from the checkpoint at {}: {} samples up to it were applied before and skipped",
            upkeep_runtime::events::rfc3339(r.watermark),
            runner.skipped
        )?;
        if let Some((unchanged, of)) = r.carried {
            writeln!(
                text,
                "the package changed since: {unchanged} of {of} policies are unchanged and kept their state; the others start afresh"
            )?;
        }
    }
    writeln!(
        text,
        "read {} samples from {} lines in {seconds:.2}s ({rate:.0} samples/s): {} applied to {} series of {} hosts, {} of metrics no policy reads, {} out of order",
        stats.samples,
        stats.lines,
        e.samples,
        engine.index.len(),
        engine.index.hosts.len(),
        e.unused,
        e.out_of_order,
    )?;
    if e.out_of_range > 0 {
        writeln!(
            text,
            "{} samples stamped before 1970 or more than a day in the future were dropped",
            e.out_of_range
        )?;
    }
    if e.untimed > 0 {
        writeln!(
            text,
            "{} samples without a time before the first timed one were dropped",
            e.untimed
        )?;
    }
    if stats.bad_lines > 0 {
        let lines = if stats.bad_lines == 1 { "line" } else { "lines" };
        write!(text, "{} bad {lines}", stats.bad_lines)?;
        let shown = stats.first_errors.len();
        if (shown as u64) < stats.bad_lines {
            writeln!(text, " (the first {shown}):")?;
        } else {
            writeln!(text, ":")?;
        }
        for error in &stats.first_errors {
            writeln!(text, "  {error}")?;
        }
    }
    writeln!(text, "{} evaluations in {} batches", e.evaluations, e.batches)?;
    if counts.is_empty() {
        writeln!(text, "no events")?;
    } else {
        writeln!(text, "events by policy and level:")?;
        for ((policy, level, kind), n) in counts {
            let level = if level.is_empty() { String::new() } else { format!(" {level}") };
            writeln!(text, "  {policy}{level} {kind}: {n}")?;
        }
    }
    actions(text, runner, args)?;
    if let Some(error) = strict_failure {
        writeln!(text, "stopped at the first bad line (--strict): {error}")?;
    }
    Ok(())
}

fn actions(text: &mut String, runner: &Runner, args: &RunArgs) -> std::fmt::Result {
    let d = runner.dispatcher();
    let s = &d.stats;
    match d.interrupted_at_start.len() {
        0 => {}
        1 => writeln!(
            text,
            "1 action was running when the last run stopped: recorded as interrupted, not run again"
        )?,
        n => writeln!(
            text,
            "{n} actions were running when the last run stopped: recorded as interrupted, not run again"
        )?,
    }
    let mut parts = Vec::new();
    if s.performed > 0 {
        parts.push(format!(
            "{} performed ({} succeeded, {} failed)",
            s.performed, s.succeeded, s.failed
        ));
    }
    if s.from_ledger > 0 {
        parts.push(format!("{} already done before a restart (not run again)", s.from_ledger));
    }
    if s.interrupted > 0 {
        parts.push(format!("{} interrupted", s.interrupted));
    }
    if s.held > 0 {
        parts.push(format!("{} held back by guards", s.held));
    }
    if s.dry_run > 0 {
        parts.push(format!("{} recorded only", s.dry_run));
    }
    if !parts.is_empty() {
        writeln!(text, "actions: {}", parts.join(", "))?;
    }
    if args.config.is_none() && s.dry_run > 0 {
        writeln!(text, "  (no --config: actions are recorded, not run; see docs/actions.md)")?;
    } else if args.dry_run && s.dry_run > 0 {
        writeln!(text, "  (--dry-run: nothing was run or sent)")?;
    }
    if s.store_errors > 0 {
        writeln!(
            text,
            "{} writes to the state store failed (those actions were not run)",
            s.store_errors
        )?;
    }
    if let Some(path) = &args.state {
        let each = if runner.checkpoints > 0 {
            runner.checkpoint_seconds * 1000.0 / runner.checkpoints as f64
        } else {
            0.0
        };
        writeln!(
            text,
            "state: {} ({} checkpoints, {each:.1} ms each); `upkeep history --state {}` lists the actions",
            path.display(),
            runner.checkpoints,
            path.display()
        )?;
    }
    Ok(())
}
