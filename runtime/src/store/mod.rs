//! The durable state store: one SQLite file holding the instance states, how
//! far the input has been applied, and the remediation ledger.
//!
//! SQLite is compiled in (rusqlite's `bundled` feature), opened in WAL mode
//! with `synchronous=FULL`, so that a commit is on disk before the call
//! returns: a remediation recorded as started is never forgotten by a power
//! cut, and so never re-run blindly. See `docs/state.md`.
//!
//! - [`schema`]: the versioned schema and its migrations;
//! - [`checkpoint`]: the engine's snapshot, instance states and the input
//!   position, saved in one transaction;
//! - [`ledger`]: the remediation ledger, keyed by an idempotency key.

pub mod checkpoint;
pub mod ledger;
pub mod schema;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub use checkpoint::EngineSnapshot;
pub use checkpoint::{Checkpoint, InputPosition, InstanceRow};
pub use ledger::{
    Begin, HistoryFilter, LedgerEntry, LedgerRow, LedgerStatus, Outcome, RemediationKey,
};

/// What can go wrong with the state store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("state store {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot create the directory {path} for the state store: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "state store {path} has schema version {found}, newer than the {known} this \
         upkeep knows: use a newer upkeep, or another --state file"
    )]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error("state store: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("remediation {key} cannot be finished: it is {status}")]
    NotStarted { key: String, status: String },
    #[error("remediation {key} is not in the ledger")]
    UnknownKey { key: String },
    #[error("state store holds a bad value: {0}")]
    Corrupt(String),
}

/// An open state store. One process writes to a store at a time.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating it and its directory if needed) the store at `path`,
    /// and brings its schema up to date. A store written by a newer upkeep
    /// (a schema version this binary does not know) is refused.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|source| StoreError::CreateDir { path: dir.to_path_buf(), source })?;
        }
        let open_err = |source| StoreError::Open { path: path.clone(), source };
        let mut conn = Connection::open(&path).map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(open_err)?;
        // WAL: readers (a future `upkeep history`) do not block the writer,
        // and a commit is one append to the log. FULL: the log is synced at
        // every commit (see the module header).
        let mode: String =
            conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)).map_err(open_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Corrupt(format!("journal mode {mode} instead of wal")));
        }
        conn.pragma_update(None, "synchronous", "FULL").map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", true).map_err(open_err)?;
        schema::migrate(&mut conn, &path)?;
        Ok(Store { conn, path })
    }

    /// A store in memory, gone at exit: the same ledger and checkpoints for
    /// a run without `--state` (a replay that is repeatable).
    pub fn in_memory() -> Result<Store, StoreError> {
        let path = PathBuf::from(":memory:");
        let mut conn = Connection::open_in_memory()
            .map_err(|source| StoreError::Open { path: path.clone(), source })?;
        schema::migrate(&mut conn, &path)?;
        Ok(Store { conn, path })
    }

    /// Whether the store is [`Store::in_memory`].
    pub fn is_in_memory(&self) -> bool {
        self.path.as_os_str() == ":memory:"
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open store (always [`schema::VERSION`]
    /// once opened).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(schema::user_version(&self.conn)?)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

/// The wall clock in milliseconds since the Unix epoch, as the ledger and
/// checkpoints record times (0 before 1970, saturated far after).
pub fn now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The store's location when no `--state PATH` is given:
/// `$XDG_STATE_HOME/upkeep/state.db` when `XDG_STATE_HOME` is set to an
/// absolute path, else `$HOME/.local/state/upkeep/state.db`; `None` when
/// neither variable is usable (the caller then asks for `--state`).
pub fn default_path() -> Option<PathBuf> {
    default_path_from(
        std::env::var_os("XDG_STATE_HOME").map(PathBuf::from),
        std::env::var_os("HOME").map(PathBuf::from),
    )
}

/// [`default_path`] with the environment given, for tests.
pub fn default_path_from(
    xdg_state_home: Option<PathBuf>,
    home: Option<PathBuf>,
) -> Option<PathBuf> {
    let base = match xdg_state_home.filter(|p| p.is_absolute()) {
        Some(xdg) => xdg,
        None => home.filter(|p| p.is_absolute())?.join(".local/state"),
    };
    Some(base.join("upkeep").join("state.db"))
}
