//! Firing episodes of an instance: the remediations of `on LEVEL` with
//! their guards (`cooldown`, `at most`, `verify`), and the escalation
//! steps timed from the start of the episode. Part of [`InstanceState`]'s
//! step; actions come out as [`Change`]s, never run here.

use super::clause::truth;
use super::instance::{
    ActionChange, Change, Episode, InstanceState, LevelState, Observation, overlay,
};
use super::rules::{LEVELS, Rules};
use crate::events::EventKind;

impl InstanceState {
    /// Episodes, remediations and escalation steps.
    pub(super) fn step_episode(
        &mut self,
        rules: &Rules,
        obs: &Observation<'_>,
        before: &[LevelState; 3],
        out: &mut Vec<Change>,
    ) {
        let now = obs.now;
        if self.firing_level().is_none() {
            // The episode ends; a remediation waiting for its verify gets
            // its answer now if the verify holds (the fix worked, and the
            // condition cleared with it), else none: the problem went away.
            for (r, guard) in rules.remediations.iter().zip(&mut self.guards) {
                if guard.verifying.take().is_some()
                    && r.verify.and_then(|(o, _)| truth(obs.outputs.get(o).copied()?)) == Some(true)
                {
                    out.push(overlay(EventKind::Verified, Some(r.level), "verify held".into()));
                }
            }
            self.episode = None;
            return;
        }
        if self.episode.is_none() {
            self.episodes += 1;
            self.episode = Some(Episode {
                id: self.episodes,
                start: now,
                next_step: 0,
                advanced: 0.0,
                completed: false,
            });
        }
        let held = self.held_because(obs);
        let episode_id = self.episode.as_ref().map_or(0, |e| e.id);
        let mut escalate_now = false;
        for (index, r) in rules.remediations.iter().enumerate() {
            let became =
                self.levels[r.level] == LevelState::Firing && before[r.level] != LevelState::Firing;
            let guard = &mut self.guards[index];
            if let Some(deadline) = guard.verifying {
                let ok = r.verify.and_then(|(o, _)| truth(obs.outputs.get(o).copied()?));
                if ok == Some(true) {
                    guard.verifying = None;
                    if r.rolling
                        && let Some(ep) = self.episode.as_mut()
                    {
                        ep.completed = true;
                    }
                    out.push(overlay(EventKind::Verified, Some(r.level), "verify held".into()));
                } else if now >= deadline {
                    guard.verifying = None;
                    escalate_now = true;
                    let within = r.verify.map_or(0.0, |v| v.1);
                    let why = format!("not true within {}", crate::render::duration(within));
                    out.push(overlay(EventKind::VerifyFailed, Some(r.level), why));
                }
            }
            let due = if r.rolling {
                self.levels[r.level] == LevelState::Firing && guard.done_in != Some(episode_id)
            } else {
                became
            };
            if !due {
                continue;
            }
            let trigger = format!("on {}", LEVELS[r.level]);
            while guard.runs.front().is_some_and(|t| r.at_most.is_some_and(|a| *t <= now - a.1)) {
                guard.runs.pop_front();
            }
            let mut waiting = false;
            let guard_reason = if let Some(why) = &held {
                Some(why.clone())
            } else if let Some(c) =
                r.cooldown.filter(|c| guard.runs.back().is_some_and(|t| now - t < *c))
            {
                Some(format!("cooldown {}", crate::render::duration(c)))
            } else if let Some((n, per, then)) =
                r.at_most.filter(|(n, _, _)| guard.runs.len() >= *n as usize)
            {
                escalate_now |= then;
                Some(format!("at most {n} per {}", crate::render::duration(per)))
            } else {
                match obs.fleet_room.get(index) {
                    Some(room) if room.get() == 0 => {
                        waiting = r.rolling;
                        Some(match r.fleet_share {
                            Some(share) => {
                                format!("at most {}% of fleet under remediation", share * 100.0)
                            }
                            None => format!(
                                "concurrency {}: waiting for a host to finish",
                                r.concurrency.unwrap_or(1)
                            ),
                        })
                    }
                    Some(room) => {
                        room.set(room.get().saturating_sub(1));
                        None
                    }
                    None => None,
                }
            };
            if waiting {
                // A task waits for room: it says so once, and tries again at
                // the next evaluation.
                if guard.waiting_in == Some(episode_id) {
                    continue;
                }
                guard.waiting_in = Some(episode_id);
            } else if r.rolling {
                guard.done_in = Some(episode_id);
            }
            for (i, call) in r.actions.iter().enumerate() {
                let kind = if guard_reason.is_some() { EventKind::Held } else { EventKind::Action };
                out.push(Change {
                    kind,
                    level: Some(r.level),
                    from: None,
                    to: None,
                    reason: guard_reason.clone().unwrap_or_else(|| trigger.clone()),
                    action: Some(ActionChange {
                        call: call.clone(),
                        trigger: trigger.clone(),
                        episode: episode_id,
                        step: format!("{trigger}#{i}"),
                        dry_run: r.dry_run,
                    }),
                });
            }
            if guard_reason.is_none() {
                guard.runs.push_back(now);
                if let Some((_, within)) = r.verify {
                    guard.verifying = Some(now + within);
                } else if r.rolling
                    && let Some(ep) = self.episode.as_mut()
                {
                    ep.completed = true;
                }
            }
        }
        self.escalate(rules, now, escalate_now, held.as_deref(), out);
    }

    /// An `on LEVEL` remediation of the current episode failed (its action
    /// failed after its retries, or was interrupted without a `verify` to
    /// decide): like a failed `verify`, the escalation starts at once.
    /// Returns the escalation steps now due.
    pub fn remediation_failed(&mut self, rules: &Rules, now: f64, episode: u64) -> Vec<Change> {
        let mut out = Vec::new();
        if let Some(ep) = self.episode.as_mut().filter(|e| e.id == episode) {
            ep.completed = false;
            let held = if self.suppressed {
                Some("suppressed: a policy it depends on fires")
            } else if self.flapping {
                Some("flapping")
            } else {
                None
            };
            self.escalate(rules, now, true, held, &mut out);
        }
        out
    }

    fn held_because(&self, obs: &Observation<'_>) -> Option<String> {
        if self.suppressed {
            Some("suppressed: a policy it depends on fires".into())
        } else if self.flapping {
            Some("flapping".into())
        } else if obs.quiet {
            Some("quiet during a calendar".into())
        } else {
            None
        }
    }

    fn escalate(
        &mut self,
        rules: &Rules,
        now: f64,
        at_once: bool,
        held: Option<&str>,
        out: &mut Vec<Change>,
    ) {
        let Some(ep) = self.episode.as_mut() else { return };
        if ep.completed {
            return;
        }
        if at_once && let Some((after, _)) = rules.escalation.get(ep.next_step) {
            ep.advanced = ep.advanced.max(ep.start + after - now);
        }
        while let Some((after, call)) = rules.escalation.get(ep.next_step) {
            if ep.start + after - ep.advanced > now {
                break;
            }
            let trigger = format!("escalate after {}", crate::render::duration(*after));
            out.push(Change {
                kind: if held.is_some() { EventKind::Held } else { EventKind::Action },
                level: self.levels.iter().rposition(|l| *l == LevelState::Firing),
                from: None,
                to: None,
                reason: held.map_or_else(|| trigger.clone(), str::to_string),
                action: Some(ActionChange {
                    call: call.clone(),
                    trigger,
                    episode: ep.id,
                    step: format!("escalate#{}", ep.next_step),
                    dry_run: false,
                }),
            });
            ep.next_step += 1;
        }
    }
}
