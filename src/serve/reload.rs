//! Building the runner at startup, and reloading (`SIGHUP`, `POST
//! /-/reload`): the package compiled again, its diagnostics kept as text
//! when it does not check (the running package then stays), and otherwise
//! a new engine taking over the running one through [`Runner::reload`]:
//! every series comes over, and each policy whose plan did not change keeps
//! its windows, its instances' states and `for` timers, and its schedule;
//! changed and new policies start afresh, removed ones are gone. The
//! dispatcher (ledger, channels, configuration) stays.
//!
//! A checkpoint is saved right after the reload (with `--state`), so that a
//! restart with the new package on disk finds a state of that package.

use crate::sink::Sink;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use upkeep_compiler::Severity;
use upkeep_compiler::plan::Plan;
use upkeep_compiler::render::{self, Style};
use upkeep_runtime::engine::Engine;
use upkeep_runtime::inventory::Inventory;
use upkeep_runtime::remediate::Dispatcher;
use upkeep_runtime::remediate::config::RuntimeConfig;
use upkeep_runtime::runner::{Resume, Runner, RunnerError};
use upkeep_runtime::series::TENANT_LABEL;
use upkeep_runtime::store::Store;

/// What is needed to build a runner for a plan.
#[derive(Clone, Debug)]
pub struct Rebuild {
    pub state: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub inventory: Option<PathBuf>,
    pub dry_run: bool,
    /// Seconds of event time between checkpoints (infinite without --state).
    pub checkpoint_every: f64,
}

/// What a reload did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ReloadReport {
    /// Policies of the new package.
    pub policies: usize,
    /// Those unchanged, which kept their instances' state.
    pub unchanged: usize,
}

/// The package's plan, or its error diagnostics as plain text.
pub fn compile(path: &Path) -> Result<Plan, String> {
    let crate::package::Compiled { diagnostics, mut plans, files } =
        crate::package::compile_all(path).map_err(|e| e.to_string())?;
    let errors: Vec<_> = diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    if !errors.is_empty() {
        let text: String = errors.iter().map(|d| render::graphical(d, Style::Plain)).collect();
        return Err(format!("{text}{}", crate::report::summary(&diagnostics, files)));
    }
    match plans.len() {
        1 => plans.pop().ok_or_else(|| "no package".to_string()),
        n => Err(format!("{} holds {n} packages: serve one", path.display())),
    }
}

/// The labels that carry a sample's tenant for `plan`: `client`, and each
/// exporter label some metric renames to `client`.
pub fn tenant_labels(plan: &Plan) -> Arc<[String]> {
    let mut labels = vec![TENANT_LABEL.to_string()];
    for m in &plan.metrics {
        for (ours, theirs) in &m.labels {
            if ours == TENANT_LABEL && !labels.contains(theirs) {
                labels.push(theirs.clone());
            }
        }
    }
    labels.into()
}

impl Rebuild {
    /// A runner for `plan`, restored from the store's checkpoint if any.
    pub fn open(&self, plan: &Plan) -> anyhow::Result<(Runner, Option<Resume>)> {
        let engine = self.engine(plan)?;
        let config = match &self.config {
            Some(path) => RuntimeConfig::load(path)?,
            None => RuntimeConfig::default(),
        };
        let store = match &self.state {
            Some(path) => Store::open(path)?,
            None => Store::in_memory()?,
        };
        let env = |name: &str| std::env::var(name).ok();
        let dry_run = self.dry_run || self.config.is_none();
        let dispatcher = Dispatcher::new(plan, config, &env, store, dry_run)?;
        Ok(Runner::open(plan, engine, dispatcher, self.checkpoint_every)?)
    }

    /// A new engine for `plan` (the inventory read again).
    fn engine(&self, plan: &Plan) -> anyhow::Result<Engine> {
        let inventory = match &self.inventory {
            Some(path) => {
                Some(Inventory::load(path).with_context(|| format!("reading {}", path.display()))?)
            }
            None => None,
        };
        Ok(Engine::new(plan, inventory)?)
    }
}

/// Why a reload did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SwapError {
    /// The new package cannot run (its engine cannot be built): the
    /// running one goes on.
    #[error("the new package cannot run: {0}")]
    Refused(String),
    /// The reload happened but its checkpoint could not be saved: the
    /// engine cannot go on.
    #[error(transparent)]
    Runner(#[from] RunnerError),
}

/// Runs `plan` from now on, keeping the state of unchanged policies.
pub fn swap(
    runner: &mut Runner,
    sink: &mut Sink,
    plan: &Plan,
    rebuild: &Rebuild,
) -> Result<ReloadReport, SwapError> {
    let engine = rebuild.engine(plan).map_err(|e| SwapError::Refused(format!("{e:#}")))?;
    let unchanged =
        runner.engine.policies.iter().filter(|p| plan.policies.contains(&p.plan)).count();
    runner.reload(plan, engine);
    runner.checkpoint(sink)?;
    Ok(ReloadReport { policies: plan.policies.len(), unchanged })
}
