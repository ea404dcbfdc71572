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
//! - [`remediate`]: the dispatcher the engine hands its actions to: the
//!   ledger that makes them run once, guards across instances, the runtime
//!   configuration (`[exec]` transport, channels);
//! - [`runner`]: the engine made durable: checkpoints beside the input
//!   position and the events output, restarts that apply input once;
//! - [`exec`]: the executor of remediation actions (programs without a
//!   shell, killed as a process group; signed webhooks);
//! - [`notify`]: notification channels (PagerDuty, Alertmanager, tickets,
//!   webhooks, files), configured outside policy files;
//! - [`store`]: the durable state (SQLite): checkpoints of the engine with
//!   the input position, and the remediation ledger;
//! - [`calendar`], [`inventory`], [`notation`]: calendars in time zones,
//!   host inventories, promtool's series notation.

pub mod calendar;
pub mod decode;
pub mod engine;
pub mod events;
pub mod exec;
pub mod inventory;
pub mod notation;
pub mod notify;
pub mod remediate;
pub mod render;
pub mod runner;
pub mod series;
pub mod state;
pub mod store;
pub mod testing;
pub mod window;
