//! One tick of one policy: evaluate its due rows, move each instance's
//! state machine on, and turn what changed into [`Event`]s with the
//! instance's labels, the policy's values and its rendered message.

use super::Engine;
use super::columns::Slot;
use super::evaluate::{evaluate, recycle};
use super::policy::{Instance, PolicyRt};
use crate::events::{ActionRecord, Event, SCHEMA_VERSION, rfc3339};
use crate::render;
use crate::series::{SeriesIndex, TENANT_LABEL};
use crate::state::{Change, InstanceState, LEVELS, Observation};
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

impl Engine {
    pub(super) fn tick(&mut self, p: u32, offset: u32, now: f64) {
        let pi = p as usize;
        if self.in_calendar(&self.policies[pi].plan.pause_during, now) {
            return;
        }
        // Taken out and put back, not cloned: the list can be long.
        let Some(rows) = self.schedule.rows.get_mut(&(p, offset)).map(std::mem::take) else {
            return;
        };
        if rows.is_empty() {
            self.schedule.rows.insert((p, offset), rows);
            return;
        }
        let quiet = self.in_calendar(&self.policies[pi].plan.quiet_during, now);
        // A task outside its `during` calendars is not due.
        let off_duty = self.policies[pi]
            .plan
            .task
            .as_ref()
            .is_some_and(|t| !t.during.is_empty() && !self.in_calendar(&t.during, now));
        let firing_deps = self.firing_dependencies(pi);
        let policy = &mut self.policies[pi];
        let fleet_room = fleet_room(policy);
        let fleet_room = &fleet_room[..];
        self.stats.evaluations += rows.len() as u64;
        self.stats.batches += 1;
        let batch = evaluate(policy, &self.index, rows, now);
        let width = batch.outputs.len();
        let mut events = TickEvents::default();
        let mut outputs = vec![f64::NAN; width];
        if policy.group_by.is_none() {
            // One row, one instance.
            for (k, r) in batch.rows.iter().enumerate() {
                for (j, o) in outputs.iter_mut().enumerate() {
                    *o = batch.value(j, k);
                }
                let i = policy.rows[*r as usize].instance;
                let ctx = TickContext {
                    index: &self.index,
                    firing_deps: &firing_deps,
                    now,
                    quiet,
                    off_duty,
                    fleet_room,
                };
                step_instance(policy, &ctx, i, &outputs, &mut events);
            }
        } else {
            // A group's outputs are the largest known of its rows' (a
            // condition holds for a group when it holds for one of its rows).
            let mut per_instance: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
            for (k, r) in batch.rows.iter().enumerate() {
                let instance = policy.rows[*r as usize].instance;
                let outs = per_instance.entry(instance).or_insert_with(|| vec![f64::NAN; width]);
                for (j, o) in outs.iter_mut().enumerate() {
                    let v = batch.value(j, k);
                    if o.is_nan() || v > *o {
                        *o = v;
                    }
                }
            }
            for (i, outs) in per_instance {
                let ctx = TickContext {
                    index: &self.index,
                    firing_deps: &firing_deps,
                    now,
                    quiet,
                    off_duty,
                    fleet_room,
                };
                step_instance(policy, &ctx, i, &outs, &mut events);
            }
        }
        let rows = recycle(policy, batch);
        self.schedule.rows.insert((p, offset), rows);
        let events = self.actuate(pi, now, events);
        self.events.extend(events);
    }

    /// For each policy this one depends on: the labels to match, and the
    /// values of those labels of its firing instances.
    fn firing_dependencies(&self, p: usize) -> Vec<(Vec<String>, HashSet<Vec<String>>)> {
        self.depends[p]
            .iter()
            .map(|(q, by)| {
                let dep = &self.policies[*q as usize];
                let keys = dep
                    .instances
                    .iter()
                    .filter(|i| i.firing_level().is_some())
                    .map(|i| identity_key(dep, &self.index, i, by))
                    .collect();
                (by.clone(), keys)
            })
            .collect()
    }
}

/// Per remediation with `at most P% of fleet` (or a task's `concurrency
/// N`): how many more instances may start it now — the share of the
/// policy's instances (at least one), or N, less those waiting for its
/// `verify`. Empty when no remediation has such a guard, which is the
/// common case and costs nothing.
fn fleet_room(policy: &PolicyRt) -> Vec<Cell<u32>> {
    let remediations = &policy.rules.remediations;
    let limit = |r: &crate::state::Remediation| -> Option<u32> {
        let share =
            r.fleet_share.map(|s| ((s * policy.instances.len() as f64).floor() as u32).max(1));
        let tasks = r.concurrency.filter(|_| r.rolling);
        match (share, tasks) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    };
    if remediations.iter().all(|r| limit(r).is_none()) {
        return Vec::new();
    }
    remediations
        .iter()
        .enumerate()
        .map(|(r, rem)| {
            let Some(allowed) = limit(rem) else { return Cell::new(u32::MAX) };
            let busy = policy
                .instances
                .iter()
                .filter(|i| i.state.as_ref().is_some_and(|s| s.is_verifying(r)))
                .count() as u32;
            Cell::new(allowed.saturating_sub(busy))
        })
        .collect()
}

/// The current state of a text `let` (`{state}`) for an instance, from the
/// series its first row reads for it.
fn state_text(policy: &PolicyRt, index: &SeriesIndex, i: &Instance, name: &str) -> Option<String> {
    let (_, column) = policy.texts.iter().find(|(n, _)| n == name)?;
    let row = policy.rows.get(i.rows().next()? as usize)?;
    let Slot::Series(ids) = row.slots.get(*column)? else { return None };
    let id = super::evaluate::newest(index, ids)?;
    index.series[id.0 as usize].state.as_deref().map(str::to_string)
}

/// What every instance of one tick shares.
struct TickContext<'a> {
    index: &'a SeriesIndex,
    firing_deps: &'a [(Vec<String>, HashSet<Vec<String>>)],
    now: f64,
    quiet: bool,
    /// A task outside its calendars: its condition counts as false.
    off_duty: bool,
    fleet_room: &'a [Cell<u32>],
}

/// The events of one evaluation of one policy, with the instance each is
/// about, and the outputs of the instances that have actions (an action
/// that fails escalates, and the escalation's events show those values).
#[derive(Debug, Default)]
pub(super) struct TickEvents {
    pub(super) events: Vec<Event>,
    pub(super) owners: Vec<u32>,
    pub(super) outputs: HashMap<u32, Vec<f64>>,
}

/// Moves instance `i` on with its outputs, and records its events.
fn step_instance(
    policy: &mut PolicyRt,
    ctx: &TickContext<'_>,
    i: u32,
    outputs: &[f64],
    events: &mut TickEvents,
) {
    let member = policy.plan.fleet_filter.is_none_or(|f| outputs.get(f) == Some(&1.0));
    if !member {
        return;
    }
    if ctx.off_duty && policy.instances[i as usize].state.is_none() {
        // Not due, and nothing to finish: as new it stays.
        return;
    }
    let off_duty_outputs;
    let outputs = if ctx.off_duty {
        let mut copy = outputs.to_vec();
        for c in &policy.rules.clauses {
            if let Some(o) = copy.get_mut(c.condition) {
                *o = 0.0;
            }
        }
        off_duty_outputs = copy;
        &off_duty_outputs[..]
    } else {
        outputs
    };
    let now = ctx.now;
    let instance = &policy.instances[i as usize];
    let silent_for = instance
        .rows()
        .map(|r| now - policy.last_sample(ctx.index, &policy.rows[r as usize]))
        .fold(f64::INFINITY, f64::min);
    // Most instances are as new and stay so: nothing more to work out.
    if instance.state.is_none() && !policy.rules.could_start(outputs, silent_for) {
        return;
    }
    let suppressed = ctx
        .firing_deps
        .iter()
        .any(|(by, keys)| keys.contains(&identity_key(policy, ctx.index, instance, by)));
    let obs = Observation {
        now,
        outputs,
        silent_for,
        suppressed,
        quiet: ctx.quiet,
        fleet_room: ctx.fleet_room,
    };
    let slot = &mut policy.instances[i as usize].state;
    let rules = &policy.rules;
    let state = slot.get_or_insert_with(|| Box::new(InstanceState::new(rules)));
    let before = state.episode_id();
    let changes = state.step(rules, &obs);
    let after = state.episode_id();
    if state.is_pristine() {
        *slot = None;
    }
    let episode = Episodes { before, after };
    for change in changes {
        if change.action.is_some() && !events.outputs.contains_key(&i) {
            events.outputs.insert(i, outputs.to_vec());
        }
        let instance = &policy.instances[i as usize];
        events.events.push(event(policy, ctx.index, instance, outputs, now, episode, change));
        events.owners.push(i);
    }
}

/// The tenant and the values of labels `by` for an instance (its identity,
/// then the labels of its first row and host): a dependency never crosses
/// tenants, even between hosts of the same name.
fn identity_key(
    policy: &PolicyRt,
    index: &SeriesIndex,
    i: &Instance,
    by: &[String],
) -> Vec<String> {
    std::iter::once(TENANT_LABEL)
        .chain(by.iter().map(String::as_str))
        .map(|l| lookup_label(policy, index, i, l).unwrap_or_default())
        .collect()
}

pub(super) fn lookup_label(
    policy: &PolicyRt,
    index: &SeriesIndex,
    i: &Instance,
    name: &str,
) -> Option<String> {
    if let Some(v) = policy.identity_label(i, name) {
        return Some(v.to_string());
    }
    let row = policy.rows.get(i.rows().next()? as usize)?;
    policy.row_label(index, row, name).map(str::to_string)
}

/// An instance's firing episode before and after one step.
#[derive(Clone, Copy, Debug)]
pub(super) struct Episodes {
    pub(super) before: Option<u64>,
    pub(super) after: Option<u64>,
}

pub(super) fn event(
    policy: &PolicyRt,
    index: &SeriesIndex,
    instance: &Instance,
    outputs: &[f64],
    now: f64,
    episodes: Episodes,
    change: Change,
) -> Event {
    let plan = &policy.plan;
    let values: BTreeMap<String, String> = plan
        .values
        .iter()
        .enumerate()
        .map(|(i, (name, o))| {
            let unit = plan.value_units.get(i).map_or("", String::as_str);
            (name.clone(), render::value(outputs.get(*o).copied().unwrap_or(f64::NAN), unit))
        })
        .collect();
    let lookup = |name: &str| -> Option<String> {
        values
            .get(name)
            .cloned()
            .or_else(|| state_text(policy, index, instance, name))
            .or_else(|| lookup_label(policy, index, instance, name))
    };
    let level_message = change.level.and_then(|l| {
        policy.rules.clauses.iter().filter(|c| c.level == l).find_map(|c| c.message.clone())
    });
    let message =
        level_message.or_else(|| plan.message.clone()).map(|m| render::template(&m, lookup));
    let identity = policy.identity(instance);
    let tenant = identity
        .iter()
        .find(|(k, _)| &**k == TENANT_LABEL)
        .map(|(_, v)| v.to_string())
        .or_else(|| plan.tenant.clone());
    let labels: BTreeMap<String, String> = identity
        .iter()
        .filter(|(k, _)| &**k != TENANT_LABEL)
        .map(|(k, v): &(Arc<str>, Arc<str>)| (k.to_string(), v.to_string()))
        .collect();
    let action_episode = change.action.as_ref().map(|a| a.episode);
    let action = change.action.map(|a| {
        let args =
            a.call.args.iter().map(|(k, v)| (k.clone(), render::template(v, lookup))).collect();
        ActionRecord {
            name: a.call.action.clone(),
            args,
            key: format!(
                "{}/{}/{}/{}/{}",
                tenant.as_deref().unwrap_or("-"),
                plan.name,
                crate::events::label_text(&labels, ","),
                a.episode,
                a.step
            ),
            trigger: a.trigger,
            step: a.step,
            dry_run: a.dry_run,
            timeout: a.call.timeout,
            retry: a.call.retry,
        }
    });
    let episode = action_episode.or(episodes.after).or(episodes.before);
    let closes_episode = change.kind == crate::events::EventKind::Resolved
        && episodes.before.is_some()
        && episodes.after.is_none();
    Event {
        v: SCHEMA_VERSION,
        time: rfc3339(now),
        ts: now,
        kind: change.kind,
        tenant,
        policy: plan.name.clone(),
        instance: labels,
        level: change.level.map(|l| LEVELS[l].to_string()),
        from: change.from.map(str::to_string),
        to: change.to.map(str::to_string),
        reason: change.reason,
        values: values.clone(),
        message,
        action,
        outcome: None,
        episode,
        closes_episode,
        labels: plan.labels.iter().map(|(k, v)| (k.clone(), render::template(v, lookup))).collect(),
    }
}
