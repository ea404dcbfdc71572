//! The remediation ledger: one row per remediation step the runtime has
//! started, keyed by an idempotency key (policy, instance, firing episode,
//! step). A key is started at most once: a key that completed is reported
//! with its outcome, and a key that was started but never finished (the
//! process died while it ran) is marked `interrupted` at the next startup,
//! never re-run blindly.
//!
//! Times are wall-clock milliseconds since the Unix epoch.

use std::fmt;

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Store, StoreError};

/// The idempotency key of one remediation step.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RemediationKey {
    pub policy: String,
    /// The instance key, as text.
    pub instance: String,
    /// The firing episode of the instance (the engine's episode count).
    pub episode: u64,
    /// The step of the remediation (or escalation) within the episode.
    pub step: u32,
}

impl RemediationKey {
    /// The key's text form, stored as the ledger's primary key: a JSON
    /// array, unambiguous whatever the names hold.
    pub fn text(&self) -> String {
        serde_json::json!([self.policy, self.instance, self.episode, self.step]).to_string()
    }
}

impl fmt::Display for RemediationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// How a finished remediation ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Finished, with the caller's outcome (JSON text).
    Completed { outcome: String, finished_at_ms: i64 },
    /// Started, then the process died before its outcome was known.
    Interrupted { marked_at_ms: i64 },
}

/// What [`Store::begin_remediation`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum Begin {
    /// Recorded as started: the caller runs it now.
    Started,
    /// Already started and not finished: the caller must not run it again.
    AlreadyStarted,
    /// Already finished (or interrupted): never run again.
    AlreadyDone(Outcome),
}

/// The state of a ledger row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerStatus {
    Started,
    Completed,
    Interrupted,
}

impl LedgerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerStatus::Started => "started",
            LedgerStatus::Completed => "completed",
            LedgerStatus::Interrupted => "interrupted",
        }
    }

    fn parse(s: &str) -> Result<LedgerStatus, StoreError> {
        match s {
            "started" => Ok(LedgerStatus::Started),
            "completed" => Ok(LedgerStatus::Completed),
            "interrupted" => Ok(LedgerStatus::Interrupted),
            other => Err(StoreError::Corrupt(format!("ledger status {other:?}"))),
        }
    }
}

/// One row of the ledger, for `upkeep history`.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    pub key: RemediationKey,
    /// What was run (JSON text from the caller).
    pub what: String,
    pub status: LedgerStatus,
    /// The outcome (JSON text) once completed.
    pub outcome: Option<String>,
    pub started_at_ms: i64,
    /// When it completed, or when it was marked interrupted.
    pub finished_at_ms: Option<i64>,
}

/// Which rows [`Store::history`] returns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryFilter {
    pub policy: Option<String>,
    pub instance: Option<String>,
    /// At most this many rows (the newest).
    pub limit: Option<usize>,
}

const COLUMNS: &str = "policy, instance, episode, step, what, status, outcome, \
                       started_at_ms, finished_at_ms";

fn row_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<(LedgerRow, String)> {
    let status: String = r.get(5)?;
    let episode: i64 = r.get(2)?;
    Ok((
        LedgerRow {
            key: RemediationKey {
                policy: r.get(0)?,
                instance: r.get(1)?,
                episode: episode as u64,
                step: r.get(3)?,
            },
            what: r.get(4)?,
            status: LedgerStatus::Started,
            outcome: r.get(6)?,
            started_at_ms: r.get(7)?,
            finished_at_ms: r.get(8)?,
        },
        status,
    ))
}

fn finish_row((mut row, status): (LedgerRow, String)) -> Result<LedgerRow, StoreError> {
    row.status = LedgerStatus::parse(&status)?;
    Ok(row)
}

impl Store {
    /// Records `key` as started, unless the ledger already has it: the
    /// caller runs the remediation only on [`Begin::Started`].
    pub fn begin_remediation(
        &mut self,
        key: &RemediationKey,
        started_at_ms: i64,
        what_json: &str,
    ) -> Result<Begin, StoreError> {
        let text = key.text();
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: Option<(String, Option<String>, Option<i64>)> = tx
            .query_row(
                "SELECT status, outcome, finished_at_ms FROM remediations WHERE key = ?1",
                [&text],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let begin = match found {
            None => {
                tx.execute(
                    "INSERT INTO remediations (key, policy, instance, episode, step, what,
                         status, started_at_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'started', ?7)",
                    params![
                        text,
                        key.policy,
                        key.instance,
                        key.episode as i64,
                        key.step,
                        what_json,
                        started_at_ms
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
            },
        };
        tx.commit()?;
        Ok(begin)
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
            "UPDATE remediations SET status = 'completed', outcome = ?2, finished_at_ms = ?3
             WHERE key = ?1 AND status = 'started'",
            params![text, outcome_json, finished_at_ms],
        )?;
        if changed == 1 {
            return Ok(());
        }
        let status: Option<String> = conn
            .query_row("SELECT status FROM remediations WHERE key = ?1", [&text], |r| r.get(0))
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
                "SELECT {COLUMNS} FROM remediations WHERE status = 'started'
                 ORDER BY started_at_ms, key"
            ))?;
            stmt.query_map([], row_of)?.collect::<Result<Vec<_>, _>>()?
        };
        tx.execute(
            "UPDATE remediations SET status = 'interrupted', finished_at_ms = ?1
             WHERE status = 'started'",
            [now_ms],
        )?;
        tx.commit()?;
        Ok(rows.into_iter().map(|(row, _)| row.key).collect())
    }

    /// The ledger's rows matching `filter`, newest first.
    pub fn history(&self, filter: &HistoryFilter) -> Result<Vec<LedgerRow>, StoreError> {
        let limit = filter.limit.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {COLUMNS} FROM remediations
             WHERE (?1 IS NULL OR policy = ?1) AND (?2 IS NULL OR instance = ?2)
             ORDER BY started_at_ms DESC, rowid DESC
             LIMIT ?3"
        ))?;
        let rows = stmt
            .query_map(params![filter.policy, filter.instance, limit], row_of)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(finish_row).collect()
    }
}
