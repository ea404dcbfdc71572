//! The versioned schema: `PRAGMA user_version` holds the number of
//! migrations applied; each migration runs in its own transaction together
//! with the version bump, so a crash leaves the store at one version or the
//! next, never in between.

use std::path::Path;

use rusqlite::Connection;

use super::StoreError;

/// The migrations, in order: migration `i` takes the store from version `i`
/// to version `i + 1`. Append only; never edit one that has shipped.
pub const MIGRATIONS: &[&str] = &[
    // 1: instance states, the input position, the remediation ledger.
    "
    CREATE TABLE input_position (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        position TEXT NOT NULL,
        watermark REAL,
        sequence INTEGER NOT NULL,
        saved_at_ms INTEGER NOT NULL
    );
    CREATE TABLE instances (
        policy TEXT NOT NULL,
        instance TEXT NOT NULL,
        state TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        PRIMARY KEY (policy, instance)
    ) WITHOUT ROWID;
    CREATE TABLE remediations (
        key TEXT PRIMARY KEY,
        policy TEXT NOT NULL,
        instance TEXT NOT NULL,
        episode INTEGER NOT NULL,
        step INTEGER NOT NULL,
        what TEXT NOT NULL,
        status TEXT NOT NULL
            CHECK (status IN ('started', 'completed', 'interrupted')),
        outcome TEXT,
        started_at_ms INTEGER NOT NULL,
        finished_at_ms INTEGER
    );
    CREATE INDEX remediations_by_time ON remediations (started_at_ms);
    CREATE INDEX remediations_by_instance
        ON remediations (policy, instance, started_at_ms);
    CREATE INDEX remediations_open ON remediations (status)
        WHERE status = 'started';
    ",
    // 2: the engine's snapshot beside the input position; the ledger keyed
    // by tenant too, with textual steps (`on crit#0`, `escalate#1`), what
    // triggered each action and when in event time, and the actions a
    // guard held back or a dry run recorded.
    "
    CREATE TABLE engine_snapshot (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        plan TEXT NOT NULL,
        data BLOB NOT NULL
    );
    CREATE TABLE ledger (
        key TEXT PRIMARY KEY,
        tenant TEXT,
        policy TEXT NOT NULL,
        instance TEXT NOT NULL,
        episode INTEGER NOT NULL,
        step TEXT NOT NULL,
        action TEXT NOT NULL,
        trigger TEXT NOT NULL,
        event_time REAL NOT NULL,
        what TEXT NOT NULL,
        status TEXT NOT NULL
            CHECK (status IN ('started', 'completed', 'interrupted', 'held', 'dry_run')),
        outcome TEXT,
        started_at_ms INTEGER NOT NULL,
        finished_at_ms INTEGER
    );
    INSERT INTO ledger (key, tenant, policy, instance, episode, step, action, trigger,
                        event_time, what, status, outcome, started_at_ms, finished_at_ms)
        SELECT json_array(NULL, policy, instance, episode, CAST(step AS TEXT)), NULL,
               policy, instance, episode, CAST(step AS TEXT), '', '', 0, what, status,
               outcome, started_at_ms, finished_at_ms
        FROM remediations;
    DROP TABLE remediations;
    CREATE INDEX ledger_by_time ON ledger (started_at_ms);
    CREATE INDEX ledger_by_instance ON ledger (policy, instance, started_at_ms);
    CREATE INDEX ledger_open ON ledger (status) WHERE status = 'started';
    ",
    // 3: the plan a snapshot was taken with, whole (JSON): a restart with a
    // changed package rebuilds the old engine from it and carries the state
    // of the unchanged policies over.
    "
    ALTER TABLE engine_snapshot ADD COLUMN plan_json TEXT;
    ",
];

/// The schema version this binary writes.
pub const VERSION: i64 = MIGRATIONS.len() as i64;

pub(super) fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Applies the migrations the store lacks; refuses a store newer than
/// [`VERSION`].
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let found = user_version(conn)?;
    if found > VERSION {
        return Err(StoreError::TooNew { path: path.to_path_buf(), found, known: VERSION });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
        // Another process may have migrated between our read and our lock.
        if user_version(&tx)? > i as i64 {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migration_2_carries_the_ledger_of_version_1_over() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO remediations (key, policy, instance, episode, step, what, status,
                 outcome, started_at_ms, finished_at_ms)
             VALUES ('k', 'disk', 'host=a', 3, 1, '{}', 'completed', '\"ok\"', 10, 20)",
            [],
        )
        .unwrap();
        migrate(&mut conn, Path::new(":memory:")).unwrap();
        assert_eq!(user_version(&conn).unwrap(), VERSION);
        let (key, step, status): (String, String, String) = conn
            .query_row("SELECT key, step, status FROM ledger", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(
            (key.as_str(), step.as_str(), status.as_str()),
            (r#"[null,"disk","host=a",3,"1"]"#, "1", "completed")
        );
    }
}
