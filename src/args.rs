//! Command-line arguments (clap derive). The CLI reference in
//! `docs/cli.md` documents exactly these.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "upkeep",
    version,
    about = "Policy language and runtime for proactive IT maintenance"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check policy files and report every problem found.
    Check(CheckArgs),
    /// Format policy files in the canonical layout.
    Fmt(FmtArgs),
    /// Compile policy files and print an intermediate form.
    Compile(CompileArgs),
    /// Replay a metric stream through a package in event time; events go out as JSON lines.
    Run(RunArgs),
    /// Run the `test` blocks of a package (and of the standard library with `--stdlib`).
    Test(TestArgs),
    /// Run a package as a service: metrics in over HTTP, evaluated on the wall clock.
    Serve(ServeArgs),
    /// List the actions the runtime took, held back or recorded, newest first.
    History(HistoryArgs),
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The state file of `upkeep run --state` or `upkeep serve --state` [default:
    /// $XDG_STATE_HOME/upkeep/state.db, else ~/.local/state/upkeep/state.db].
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// Only this policy (as events name it: `disk_space(mount: "/")`).
    #[arg(long, value_name = "NAME")]
    pub policy: Option<String>,
    /// Only instances whose labels contain this text: `host=db1`.
    #[arg(long, value_name = "LABELS")]
    pub instance: Option<String>,
    /// Only this client.
    #[arg(long, value_name = "NAME")]
    pub tenant: Option<String>,
    /// At most this many rows, the newest.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub limit: usize,
    /// A table for people, or one JSON object per line.
    #[arg(long, value_enum, default_value_t = HistoryFormat::Table)]
    pub format: HistoryFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The package: a folder with `upkeep.toml`, a folder of `.upk` files, or one file.
    #[arg(value_name = "PACKAGE")]
    pub package: PathBuf,
    /// The address to listen on [default: `[serve] listen` of --config, else 127.0.0.1:9097].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,
    /// Keep the state here: the engine, checkpoints, the remediation ledger. A restart with
    /// the same file continues where the last process stopped [default:
    /// $XDG_STATE_HOME/upkeep/state.db, else ~/.local/state/upkeep/state.db].
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// Keep no state file: the state is in memory and gone at exit (for trials).
    #[arg(long, conflicts_with = "state")]
    pub no_state: bool,
    /// The runtime configuration: `[serve]` (tokens, limits), `[exec]`, channels
    /// (docs/operations.md). Without it, actions are recorded, not run.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Write the events to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
    /// Host labels (role, site, os, …) from an inventory file, CSV or TOML (docs/inventory.md).
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,
    /// Record every action (events, ledger), run none, send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Time between checkpoints of --state (e.g. 1m, 5m).
    #[arg(long, value_name = "DURATION", default_value = "1m", value_parser = parse_duration)]
    pub checkpoint_every: std::time::Duration,
    #[command(flatten)]
    pub color: ColorArg,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The package: a folder with `upkeep.toml`, a folder of `.upk` files, or one file.
    #[arg(value_name = "PACKAGE")]
    pub package: PathBuf,
    /// The metric stream: a file, or `-` for standard input.
    #[arg(long, short = 'i', value_name = "FILE|-")]
    pub input: PathBuf,
    /// The stream's format: influx, prom, openmetrics or jsonl [default: from the file's
    /// extension (.prom, .om, .jsonl), else influx].
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Write the events to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
    /// Stop at the first malformed line (exit 1) instead of counting it and going on.
    #[arg(long)]
    pub strict: bool,
    /// Host labels (role, site, os, …) from an inventory file, CSV or TOML (docs/inventory.md).
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,
    /// The runtime configuration: how `exec` actions reach hosts, notification channels
    /// (docs/actions.md, docs/channels.md). Without it, actions are recorded, not run.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Record every action (events, ledger), run none, send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Keep the state here: the engine, checkpoints, the remediation ledger. A run with the
    /// same file continues where the last one stopped [default: in memory, gone at exit].
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// Event time between checkpoints of --state (e.g. 1m, 5m).
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub checkpoint_every: std::time::Duration,
    #[command(flatten)]
    pub color: ColorArg,
}

/// A duration on the command line: `90s`, `5m`, `1h 30m`.
fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let d: jiff::SignedDuration =
        text.parse().map_err(|e| format!("`{text}` is not a duration (90s, 5m): {e}"))?;
    std::time::Duration::try_from(d).map_err(|_| format!("`{text}` is negative"))
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// The package: a folder with `upkeep.toml`, a folder of `.upk` files, or one file.
    #[arg(value_name = "PACKAGE")]
    pub package: Option<PathBuf>,
    /// Also run the tests of the standard library's templates.
    #[arg(long)]
    pub stdlib: bool,
    /// Run only the tests whose name contains this text.
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    #[command(flatten)]
    pub color: ColorArg,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or folders to check (folders are searched for `*.upk`, recursively).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Treat warnings as errors (exit 1 if there are any).
    #[arg(long)]
    pub deny_warnings: bool,
    #[command(flatten)]
    pub color: ColorArg,
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files or folders to format; `-` formats standard input to standard output.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Change nothing; list the files that are not formatted (with a diff) and exit 1 if any.
    #[arg(long)]
    pub check: bool,
    #[command(flatten)]
    pub color: ColorArg,
}

#[derive(Debug, Args)]
pub struct CompileArgs {
    /// The file to compile.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
    /// What to print.
    #[arg(long, value_enum)]
    pub emit: Emit,
    /// Write the output to this file instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Show byte spans (`@start..end`) on every node.
    #[arg(long)]
    pub spans: bool,
    #[command(flatten)]
    pub color: ColorArg,
}

#[derive(Debug, Args)]
pub struct ColorArg {
    /// When to use colour in reports: `auto` uses it on a terminal unless `NO_COLOR` is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Reports with source excerpts, on standard error.
    Human,
    /// One line per diagnostic: `file:line:col: error[CODE]: message`.
    Short,
    /// One JSON object per line, on standard output.
    Json,
    /// A SARIF 2.1.0 log, on standard output.
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    /// The syntax tree.
    Ast,
    /// The syntax tree with the type (and unit) of every expression.
    Typed,
    /// Each policy's evaluator IR: input columns, nodes, outputs.
    Ir,
    /// Each policy's evaluator as cranelift IR, as the JIT compiles it.
    Clif,
    /// The compiled package (the Plan the runtime loads), as JSON.
    Plan,
}
