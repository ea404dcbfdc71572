//! `upkeep test`: runs a `test` block in simulated time. The test's series
//! are generated as an exporter would write them, fed to an engine running
//! the policies under test from time 0, and each `expect` is checked at its
//! time (or, without `at`, over the whole run).

mod expect;
mod generate;

pub use expect::{Failure, describe};
pub use generate::{DEFAULT_STEP, GenerateError};

use crate::engine::{Engine, EngineError};
use crate::events::Event;
use upkeep_compiler::plan::{Generator, Plan, TestPlan};

/// What running one test found.
#[derive(Debug)]
pub struct TestOutcome {
    /// Expectations that held.
    pub passed: usize,
    pub failures: Vec<Failure>,
    /// Every event of the run, for reports.
    pub events: Vec<Event>,
}

impl TestOutcome {
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TestError {
    #[error(transparent)]
    Generate(#[from] GenerateError),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// Runs `test` with the metrics and calendars of `plan`.
pub fn run(plan: &Plan, test: &TestPlan) -> Result<TestOutcome, TestError> {
    let mut engine = Engine::with_policies(plan, test.policies.clone(), None)?;
    let end = end_of(test);
    let mut samples = Vec::new();
    for generator in &test.series {
        samples.extend(generate::samples(generator, &plan.metrics, test.tenant.as_deref(), end)?);
    }
    // Stable: samples at one time keep the order of the `series` lines.
    samples.sort_by_key(|s| s.timestamp_ms.unwrap_or(0));
    let mut times: Vec<f64> = test.expectations.iter().filter_map(|e| e.at).collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    let mut checker = expect::Checker::new(test);
    let mut events = Vec::new();
    let mut next_time = times.iter().copied().peekable();
    for sample in &samples {
        let t = sample.timestamp_ms.unwrap_or(0) as f64 / 1000.0;
        while let Some(at) = next_time.next_if(|at| *at < t) {
            engine.finish(at);
            events.extend(engine.drain_events());
            checker.check_at(&engine, &events, at);
        }
        engine.ingest(sample);
    }
    for at in next_time {
        engine.finish(at);
        events.extend(engine.drain_events());
        checker.check_at(&engine, &events, at);
    }
    engine.finish(end);
    events.extend(engine.drain_events());
    checker.check_whole_run(&engine, &events);
    let (passed, failures) = checker.finish();
    Ok(TestOutcome { passed, failures, events })
}

/// The end of a test: the end of its longest series or its last `at`.
fn end_of(test: &TestPlan) -> f64 {
    let series_end = test.series.iter().map(|s| {
        let step = s.every.unwrap_or(DEFAULT_STEP);
        match (&s.values, s.duration) {
            (_, Some(d)) => d,
            (Generator::Notation(text), None) => crate::notation::expand(text)
                .map_or(0.0, |v| v.len().saturating_sub(1) as f64 * step),
            _ => 0.0,
        }
    });
    let at = test.expectations.iter().filter_map(|e| e.at);
    series_end.chain(at).fold(0.0, f64::max)
}
