//! Read-only questions about the engine's current state, for the read side
//! of `upkeep serve` (`/api/v1/alerts`, the `upkeep_instance_state`
//! series of `/metrics`): which instances are not ok, and how.
//!
//! An instance's tenant and labels are those its events carry (see
//! `events.rs`): the identity's `client` label, else the policy's tenant;
//! the other identity labels, sorted by name.

use super::Engine;
use crate::series::TENANT_LABEL;
use crate::state::LEVELS;

/// One instance with at least one level that is not `ok`.
#[derive(Clone, Debug, PartialEq)]
pub struct ActiveInstance {
    pub policy: String,
    /// The client, or `None` for a provider-wide instance.
    pub tenant: Option<String>,
    /// The identity labels without the tenant's, sorted by name.
    pub labels: Vec<(String, String)>,
    /// Each level that is not `ok`, lowest first.
    pub levels: Vec<LevelStatus>,
}

/// One level of an [`ActiveInstance`].
#[derive(Clone, Debug, PartialEq)]
pub struct LevelStatus {
    pub level: &'static str,
    /// `pending`, `firing`, `resolved`, `suppressed`, `flapping`.
    pub state: &'static str,
    /// Since when (event time, seconds) it has been pending or firing.
    pub since: Option<f64>,
}

impl Engine {
    /// Every instance that is not `ok` on some level, policy by policy in
    /// the engine's order, instances in the order they appeared. Walks all
    /// instances; those that never left `ok` cost a pointer test each.
    pub fn active_instances(&self) -> Vec<ActiveInstance> {
        let mut out = Vec::new();
        for policy in &self.policies {
            for instance in &policy.instances {
                let Some(state) = &instance.state else { continue };
                if state.is_ok() {
                    continue;
                }
                let levels: Vec<LevelStatus> = (0..LEVELS.len())
                    .map(|l| LevelStatus {
                        level: LEVELS[l],
                        state: instance.state_of(l),
                        since: state.since(&policy.rules, l),
                    })
                    .filter(|s| s.state != "ok")
                    .collect();
                let identity = policy.identity(instance);
                let tenant = identity
                    .iter()
                    .find(|(k, _)| &**k == TENANT_LABEL)
                    .map(|(_, v)| v.to_string())
                    .or_else(|| policy.plan.tenant.clone());
                let labels = identity
                    .iter()
                    .filter(|(k, _)| &**k != TENANT_LABEL)
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                out.push(ActiveInstance {
                    policy: policy.plan.name.clone(),
                    tenant,
                    labels,
                    levels,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::decode::{Decoder, Format};
    use crate::engine::Engine;
    use upkeep_compiler::package::Loader;

    fn engine(source: &str) -> Engine {
        let loader = Loader::load_sources(&[("main", source)]);
        let (diagnostics, plan) = upkeep_compiler::sema::compile(&loader.packages[0]);
        let errors: Vec<_> = diagnostics.iter().map(|d| d.message.clone()).collect();
        Engine::new(&plan.unwrap_or_else(|| panic!("{errors:?}")), None).unwrap()
    }

    #[test]
    fn lists_the_instances_that_are_not_ok_with_their_levels() {
        let mut e = engine(
            "use std.metrics.node\nfleet all = hosts\n\
             policy load on all {\n  every 10s\n  warn when load1 > 2\n  crit when load1 > 4 for 1m\n}\n",
        );
        let input = "node_load1{client=\"acme\",host=\"a\"} 5 1000000\n\
                     node_load1{client=\"acme\",host=\"b\"} 1 1000000\n\
                     node_load1 3 1000000\n";
        for s in Decoder::new(input.as_bytes(), Format::Prometheus).flatten() {
            e.ingest(&s);
        }
        e.finish(1010.0);
        let active = e.active_instances();
        let text: Vec<String> = active
            .iter()
            .map(|a| {
                let levels: Vec<String> = a
                    .levels
                    .iter()
                    .map(|l| format!("{} {} since {:?}", l.level, l.state, l.since))
                    .collect();
                format!("{} {:?} {:?} {levels:?}", a.policy, a.tenant, a.labels)
            })
            .collect();
        assert_eq!(
            text,
            [
                r#"load Some("acme") [("host", "a")] ["warn firing since Some(1000.0)", "crit pending since Some(1000.0)"]"#,
                r#"load None [] ["warn firing since Some(1000.0)"]"#,
            ]
        );
    }
}
