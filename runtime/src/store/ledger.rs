//! The remediation ledger: one row per action the runtime started, held
//! back or recorded in a dry run, keyed by an idempotency key (tenant,
//! policy, instance, firing episode, step). A key is started at most once:
//! a key that completed is reported with its outcome, and a key that was
//! started but never finished (the process died while it ran) is marked
//! `interrupted` at the next startup, never re-run blindly.
//!
//! Times are wall-clock milliseconds since the Unix epoch, except
//! `event_time`, the event time (seconds) of the evaluation that decided.

use std::fmt;

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Store, StoreError};

/// The idempotency key of one action of one firing episode.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RemediationKey {
    pub tenant: Option<String>,
    pub policy: String,
    /// The instance's labels, as text (`host=db1,mount=/`).
    pub instance: String,
    /// The firing episode of the instance (counted from 1).
    pub episode: u64,
    /// The step within the episode: `on crit#0`, `escalate#1`.
    pub step: String,
}

impl RemediationKey {
    /// The key's text form, stored as the ledger's primary key: a JSON
    /// array, unambiguous whatever the names hold.
    pub fn text(&self) -> String {
        serde_json::json!([self.tenant, self.policy, self.instance, self.episode, self.step])
            .to_string()
    }
}

impl fmt::Display for RemediationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// One action as the ledger records it.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerEntry {
    pub key: RemediationKey,
    /// The action's name: `restart_service`.
    pub action: String,
    /// `on crit`, `escalate after 15m`.
    pub trigger: String,
    /// Event time of the evaluation that decided, in seconds.
    pub event_time: f64,
    /// What runs (JSON text, without secrets).
    pub what: String,
}

/// How a finished remediation ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Finished, with the caller's outcome (JSON text).
    Completed { outcome: String, finished_at_ms: i64 },
    /// Started, then the process died before its outcome was known.
    Interrupted { marked_at_ms: i64 },
    /// Held back by a guard or recorded in a dry run: never run.
    NotRun { status: LedgerStatus, outcome: String },
}

/// What [`Store::begin_remediation`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum Begin {
    /// Recorded as started: the caller runs it now.
    Started,
    /// Already started and not finished: the caller must not run it again.
    AlreadyStarted,
    /// Already finished (or interrupted, held, dry run): never run again.
    AlreadyDone(Outcome),
}

/// The state of a ledger row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerStatus {
    Started,
    Completed,
    Interrupted,
    /// A guard held it back; the outcome says which.
    Held,
    /// Recorded only (`dry run`, `--dry-run`).
    DryRun,
}

impl LedgerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerStatus::Started => "started",
            LedgerStatus::Completed => "completed",
            LedgerStatus::Interrupted => "interrupted",
            LedgerStatus::Held => "held",
            LedgerStatus::DryRun => "dry_run",
        }
    }

    fn parse(s: &str) -> Result<LedgerStatus, StoreError> {
        match s {
            "started" => Ok(LedgerStatus::Started),
            "completed" => Ok(LedgerStatus::Completed),
            "interrupted" => Ok(LedgerStatus::Interrupted),
            "held" => Ok(LedgerStatus::Held),
            "dry_run" => Ok(LedgerStatus::DryRun),
            other => Err(StoreError::Corrupt(format!("ledger status {other:?}"))),
        }
    }
}

/// One row of the ledger, for `upkeep history`.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    pub entry: LedgerEntry,
    pub status: LedgerStatus,
    /// The outcome (JSON text) once completed; the reason when held.
    pub outcome: Option<String>,
    pub started_at_ms: i64,
    /// When it completed, or when it was marked interrupted.
    pub finished_at_ms: Option<i64>,
}

/// Which rows [`Store::history`] returns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryFilter {
    pub tenant: Option<String>,
    pub policy: Option<String>,
    /// Rows whose instance text contains this (`host=db1`).
    pub instance: Option<String>,
    /// At most this many rows (the newest).
    pub limit: Option<usize>,
}

const COLUMNS: &str = "tenant, policy, instance, episode, step, action, trigger, event_time, \
                       what, status, outcome, started_at_ms, finished_at_ms";

fn row_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<(LedgerRow, String)> {
    let episode: i64 = r.get(3)?;
    let row = LedgerRow {
        entry: LedgerEntry {
            key: RemediationKey {
                tenant: r.get(0)?,
                policy: r.get(1)?,
                instance: r.get(2)?,
                episode: episode as u64,
                step: r.get(4)?,
            },
            action: r.get(5)?,
            trigger: r.get(6)?,
            event_time: r.get(7)?,
            what: r.get(8)?,
        },
        status: LedgerStatus::Started,
        outcome: r.get(10)?,
        started_at_ms: r.get(11)?,
        finished_at_ms: r.get(12)?,
    };
    Ok((row, r.get(9)?))
}

fn finish_row((mut row, status): (LedgerRow, String)) -> Result<LedgerRow, StoreError> {
    row.status = LedgerStatus::parse(&status)?;
    Ok(row)
}

impl Store {
    /// Records the action as started, unless the ledger already has its
    /// key: the caller runs it only on [`Begin::Started`].
    pub fn begin_remediation(
        &mut self,
        entry: &LedgerEntry,
        started_at_ms: i64,
    ) -> Result<Begin, StoreError> {
        self.insert_once(entry, LedgerStatus::Started, None, started_at_ms)
    }

    /// Records an action that is not run — held back by a guard, or a dry
    /// run — with its reason, unless the key is already there.
    pub fn record_not_run(
        &mut self,
        entry: &LedgerEntry,
        status: LedgerStatus,
        outcome_json: &str,
        at_ms: i64,
    ) -> Result<Begin, StoreError> {
        self.insert_once(entry, status, Some(outcome_json), at_ms)
    }

    fn insert_once(
        &mut self,
        entry: &LedgerEntry,
        status: LedgerStatus,
        outcome: Option<&str>,
        at_ms: i64,
    ) -> Result<Begin, StoreError> {
        let text = entry.key.text();
        // A savepoint: its own transaction, or part of a batch's.
        let tx = self.conn_mut().savepoint()?;
        let found: Option<(String, Option<String>, Option<i64>)> = tx
            .query_row(
                "SELECT status, outcome, finished_at_ms FROM ledger WHERE key = ?1",
                [&text],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let begin = match found {
            None => {
                let k = &entry.key;
                let finished = (status != LedgerStatus::Started).then_some(at_ms);
                tx.execute(
                    "INSERT INTO ledger (key, tenant, policy, instance, episode, step, action,
                         trigger, event_time, what, status, outcome, started_at_ms, finished_at_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                    params![
                        text,
                        k.tenant,
                        k.policy,
                        k.instance,
                        k.episode as i64,
                        k.step,
                        entry.action,
                        entry.trigger,
                        entry.event_time,
                        entry.what,
                        status.as_str(),
                        outcome,
                        at_ms,
                        finished,
                    ],
                )?;
                Begin::Started
            }
            Some((status, outcome, finished)) => match LedgerStatus::parse(&status)? {
                LedgerStatus::Started => Begin::AlreadyStarted,
                LedgerStatus::Completed => Begin::AlreadyDone(Outcome::Completed {
                    outcome: outcome.unwrap_or_default(),
                    finished_at_ms: finished.unwrap_or_default(),
                }),
                LedgerStatus::Interrupted => Begin::AlreadyDone(Outcome::Interrupted {
                    marked_at_ms: finished.unwrap_or_default(),
                }),
                s @ (LedgerStatus::Held | LedgerStatus::DryRun) => {
                    Begin::AlreadyDone(Outcome::NotRun {
                        status: s,
                        outcome: outcome.unwrap_or_default(),
                    })
                }
            },
        };
        tx.commit()?;
        Ok(begin)
    }

    /// Starts a batch: the ledger writes until [`Store::commit_batch`] are
    /// one transaction, one sync to disk for all of an evaluation's actions.
    pub fn begin_batch(&mut self) -> Result<(), StoreError> {
        self.conn().execute_batch("BEGIN IMMEDIATE")?;
        Ok(())
    }

    /// Commits a batch: on `Ok`, every write of it is on disk.
    pub fn commit_batch(&mut self) -> Result<(), StoreError> {
        if let Err(e) = self.conn().execute_batch("COMMIT") {
            let _ = self.conn().execute_batch("ROLLBACK");
            return Err(e.into());
        }
        Ok(())
    }

    /// Records the outcome of a started remediation. A key that is not in
    /// the ledger, or is no longer `started`, is an error.
    pub fn finish_remediation(
        &mut self,
        key: &RemediationKey,
        outcome_json: &str,
        finished_at_ms: i64,
    ) -> Result<(), StoreError> {
        let text = key.text();
        let conn = self.conn();
        let changed = conn.execute(
            "UPDATE ledger SET status = 'completed', outcome = ?2, finished_at_ms = ?3
             WHERE key = ?1 AND status = 'started'",
            params![text, outcome_json, finished_at_ms],
        )?;
        if changed == 1 {
            return Ok(());
        }
        let status: Option<String> = conn
            .query_row("SELECT status FROM ledger WHERE key = ?1", [&text], |r| r.get(0))
            .optional()?;
        Err(match status {
            Some(status) => StoreError::NotStarted { key: text, status },
            None => StoreError::UnknownKey { key: text },
        })
    }

    /// At startup, before any remediation runs: marks every key started but
    /// never finished as `interrupted`, and returns them (oldest first) so
    /// the caller can report them.
    pub fn mark_interrupted_on_startup(
        &mut self,
        now_ms: i64,
    ) -> Result<Vec<RemediationKey>, StoreError> {
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        let rows = {
            let mut stmt = tx.prepare(&format!(
                "SELECT {COLUMNS} FROM ledger WHERE status = 'started'
                 ORDER BY started_at_ms, key"
            ))?;
            stmt.query_map([], row_of)?.collect::<Result<Vec<_>, _>>()?
        };
        tx.execute(
            "UPDATE ledger SET status = 'interrupted', finished_at_ms = ?1
             WHERE status = 'started'",
            [now_ms],
        )?;
        tx.commit()?;
        Ok(rows.into_iter().map(|(row, _)| row.entry.key).collect())
    }

    /// The ledger's rows matching `filter`, newest first.
    pub fn history(&self, filter: &HistoryFilter) -> Result<Vec<LedgerRow>, StoreError> {
        let limit = filter.limit.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {COLUMNS} FROM ledger
             WHERE (?1 IS NULL OR policy = ?1) AND (?2 IS NULL OR instr(instance, ?2) > 0)
               AND (?3 IS NULL OR tenant = ?3)
             ORDER BY started_at_ms DESC, rowid DESC
             LIMIT ?4"
        ))?;
        let rows = stmt
            .query_map(params![filter.policy, filter.instance, filter.tenant, limit], row_of)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(finish_row).collect()
    }

    /// The rows of one firing episode of one instance, oldest first (to
    /// resolve the notifications an episode sent when it ends).
    pub fn episode_rows(
        &self,
        tenant: Option<&str>,
        policy: &str,
        instance: &str,
        episode: u64,
    ) -> Result<Vec<LedgerRow>, StoreError> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {COLUMNS} FROM ledger
             WHERE tenant IS ?1 AND policy = ?2 AND instance = ?3 AND episode = ?4
             ORDER BY rowid"
        ))?;
        let rows = stmt
            .query_map(params![tenant, policy, instance, episode as i64], row_of)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(finish_row).collect()
    }
}
