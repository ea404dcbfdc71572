//! The Upkeep runtime: metric streams in, policy states out.
//!
//! The crate follows the runtime's path in the architecture:
//!
//! - [`decode`]: streaming decoders for InfluxDB line protocol, Prometheus
//!   text, OpenMetrics and JSON lines;
//! - [`series`]: the series index and the host table, keyed by (tenant, host);
//! - [`window`]: incremental windows for the window functions;
//! - [`engine`]: scheduling and batch evaluation on event time;
//! - [`state`]: the instance state machine;
//! - [`events`]: what comes out, with [`render`] for values and messages;
//! - [`exec`]: the executor of remediation actions (programs without a
//!   shell, killed as a process group; signed webhooks), not yet called by
//!   the engine;
//! - [`store`]: the durable state (SQLite): checkpoints of instance states
//!   with the input position, and the remediation ledger; not yet used by
//!   the engine;
//! - [`calendar`], [`inventory`], [`notation`]: calendars in time zones,
//!   host inventories, promtool's series notation.

pub mod calendar;
pub mod decode;
pub mod engine;
pub mod events;
pub mod exec;
pub mod inventory;
pub mod notation;
pub mod render;
pub mod series;
pub mod state;
pub mod store;
pub mod testing;
pub mod window;
