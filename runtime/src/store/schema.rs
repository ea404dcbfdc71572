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
