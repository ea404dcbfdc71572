//! Checkpoints: how far the input has been applied, and the instance states
//! that this input produced, written in one transaction so that after a
//! crash the states and the position always agree. Samples fed again after
//! a restart, from before the saved position, are then skipped by the
//! caller rather than counted twice.
//!
//! A checkpoint is a delta: its upserts and deletions are applied to the
//! instance rows already stored, and its position replaces the stored one.
//! [`Store::load_checkpoint`] gives back the whole: the position and every
//! stored instance row.

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Store, StoreError};

/// How far the input has been applied.
#[derive(Debug, Clone, PartialEq)]
pub struct InputPosition {
    /// Opaque to the store: a file offset, broker offsets, a line number.
    pub position: String,
    /// The event-time watermark, in seconds since the Unix epoch.
    pub watermark: Option<f64>,
}

/// One instance's state, as JSON (the engine's `InstanceState` is
/// serde-serialisable).
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceRow {
    pub policy: String,
    /// The instance key, as text.
    pub instance: String,
    /// The state, as JSON text.
    pub state: String,
}

impl InstanceRow {
    /// Decodes the state.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, StoreError> {
        serde_json::from_str(&self.state).map_err(|e| {
            StoreError::Corrupt(format!("state of {} / {}: {e}", self.policy, self.instance))
        })
    }
}

/// The engine's snapshot (see `engine::snapshot`), for the plan it was
/// taken with.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineSnapshot {
    /// The plan's fingerprint: the snapshot restores only into that plan.
    pub plan: String,
    pub data: Vec<u8>,
    /// The plan itself, as JSON, when the saver kept it (to carry state
    /// over to a changed package).
    pub plan_json: Option<String>,
}

/// A checkpoint: the input position, the engine's snapshot, and the
/// instance changes since the previous checkpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    pub position: InputPosition,
    /// Rows written (inserted or replaced).
    pub upserts: Vec<InstanceRow>,
    /// (policy, instance) rows removed.
    pub deletions: Vec<(String, String)>,
    /// Wall-clock time of the save, in milliseconds since the Unix epoch.
    pub saved_at_ms: i64,
    /// Counts checkpoints saved to this store; set by the store (ignored on
    /// save, filled in on load).
    pub sequence: i64,
    /// Replaces the stored snapshot when present.
    pub snapshot: Option<EngineSnapshot>,
}

impl Checkpoint {
    /// An empty checkpoint at `position`.
    pub fn new(position: InputPosition, saved_at_ms: i64) -> Checkpoint {
        Checkpoint {
            position,
            upserts: Vec::new(),
            deletions: Vec::new(),
            saved_at_ms,
            sequence: 0,
            snapshot: None,
        }
    }

    /// Adds an upsert of `state`, serialised as JSON.
    pub fn upsert<T: Serialize>(
        &mut self,
        policy: &str,
        instance: &str,
        state: &T,
    ) -> Result<(), StoreError> {
        let state = serde_json::to_string(state)
            .map_err(|e| StoreError::Corrupt(format!("state of {policy} / {instance}: {e}")))?;
        self.upserts.push(InstanceRow {
            policy: policy.to_owned(),
            instance: instance.to_owned(),
            state,
        });
        Ok(())
    }

    /// Adds a deletion.
    pub fn delete(&mut self, policy: &str, instance: &str) {
        self.deletions.push((policy.to_owned(), instance.to_owned()));
    }
}

impl Store {
    /// Saves a checkpoint in one transaction: either all of it is stored,
    /// or (after a crash or an error) none of it. Returns its sequence
    /// number.
    pub fn save_instances(&mut self, checkpoint: &Checkpoint) -> Result<i64, StoreError> {
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        let sequence: i64 = tx
            .query_row("SELECT sequence FROM input_position WHERE id = 1", [], |r| r.get(0))
            .optional()?
            .unwrap_or(0)
            + 1;
        {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO instances (policy, instance, state, sequence)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (policy, instance)
                 DO UPDATE SET state = excluded.state, sequence = excluded.sequence",
            )?;
            for row in &checkpoint.upserts {
                upsert.execute(params![row.policy, row.instance, row.state, sequence])?;
            }
            let mut delete =
                tx.prepare_cached("DELETE FROM instances WHERE policy = ?1 AND instance = ?2")?;
            for (policy, instance) in &checkpoint.deletions {
                delete.execute(params![policy, instance])?;
            }
        }
        if let Some(snapshot) = &checkpoint.snapshot {
            tx.execute(
                "INSERT INTO engine_snapshot (id, plan, data, plan_json) VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET plan = excluded.plan, data = excluded.data,
                     plan_json = excluded.plan_json",
                params![snapshot.plan, snapshot.data, snapshot.plan_json],
            )?;
        }
        tx.execute(
            "INSERT INTO input_position (id, position, watermark, sequence, saved_at_ms)
             VALUES (1, ?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET position = excluded.position,
                 watermark = excluded.watermark, sequence = excluded.sequence,
                 saved_at_ms = excluded.saved_at_ms",
            params![
                checkpoint.position.position,
                checkpoint.position.watermark,
                sequence,
                checkpoint.saved_at_ms
            ],
        )?;
        tx.commit()?;
        Ok(sequence)
    }

    /// The last saved position with every stored instance row (as upserts,
    /// ordered by policy then instance); `None` if nothing was ever saved.
    pub fn load_checkpoint(&self) -> Result<Option<Checkpoint>, StoreError> {
        let conn = self.conn();
        let Some((position, watermark, sequence, saved_at_ms)) = conn
            .query_row(
                "SELECT position, watermark, sequence, saved_at_ms
                 FROM input_position WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?
        else {
            return Ok(None);
        };
        let mut stmt = conn.prepare_cached(
            "SELECT policy, instance, state FROM instances ORDER BY policy, instance",
        )?;
        let upserts = stmt
            .query_map([], |r| {
                Ok(InstanceRow { policy: r.get(0)?, instance: r.get(1)?, state: r.get(2)? })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let snapshot = conn
            .query_row("SELECT plan, data, plan_json FROM engine_snapshot WHERE id = 1", [], |r| {
                Ok(EngineSnapshot { plan: r.get(0)?, data: r.get(1)?, plan_json: r.get(2)? })
            })
            .optional()?;
        Ok(Some(Checkpoint {
            position: InputPosition { position, watermark },
            upserts,
            deletions: Vec::new(),
            saved_at_ms,
            sequence,
            snapshot,
        }))
    }
}
