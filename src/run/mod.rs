//! `upkeep run PACKAGE --input FILE|-`: replays a metric stream through a
//! policy package in event time, performs the actions it decides (with
//! `--config`; recorded only without), and writes the events as JSON lines.
//! With `--state`, the run is durable: a run after a crash continues from
//! the last checkpoint (docs/state.md).

mod summary;

use crate::args::RunArgs;
use crate::sink::Sink;
use crate::{Outcome, UsageError, package, report};
use anyhow::Context;
use std::fs::File;
use std::io::{BufReader, IsTerminal, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use upkeep_runtime::decode::{DecodeOptions, Decoder, Format, Reason};
use upkeep_runtime::engine::Engine;
use upkeep_runtime::inventory::Inventory;
use upkeep_runtime::remediate::Dispatcher;
use upkeep_runtime::remediate::config::RuntimeConfig;
use upkeep_runtime::runner::Runner;
use upkeep_runtime::store::Store;

pub fn run(args: &RunArgs) -> anyhow::Result<Outcome> {
    let style = report::style(args.color.color);
    let Some(plan) = package::compile(&args.package, style)? else {
        return Ok(Outcome::Problems);
    };
    let format: Format = match &args.format {
        Some(f) => f.parse().map_err(|e| UsageError(format!("{e}")))?,
        None => guess_format(&args.input),
    };
    let inventory = match &args.inventory {
        Some(path) => {
            Some(Inventory::load(path).with_context(|| format!("reading {}", path.display()))?)
        }
        None => None,
    };
    let mut engine = Engine::new(&plan, inventory)?;
    // Recorded metrics cannot come from the future: a sample stamped more
    // than a day after now is a broken clock, and would otherwise move event
    // time past every other sample.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(f64::INFINITY, |d| d.as_secs_f64());
    engine.set_time_limit(now + 86_400.0);
    let dispatcher = dispatcher(args, &plan)?;
    let every = args.checkpoint_every.as_secs_f64();
    let every = if args.state.is_some() { every } else { f64::INFINITY };
    let (mut runner, resume) = Runner::open(&plan, engine, dispatcher, every)?;
    let mut sink = match &args.events {
        Some(path) => Sink::file(path, resume.as_ref().and_then(|r| r.events_len))
            .with_context(|| format!("opening {}", path.display()))?,
        None => Sink::stdout(),
    };
    let (reader, size) = open(&args.input)?;
    let progress = Progress::new(size, args.input.to_string_lossy() != "-");
    let position = Arc::new(AtomicU64::new(0));
    let counted = CountingReader { inner: reader, read: Arc::clone(&position) };
    let options = DecodeOptions { strict: args.strict, ..DecodeOptions::default() };
    let mut decoder =
        Decoder::with_options(BufReader::with_capacity(1 << 16, counted), format, options);
    let started = Instant::now();
    let mut strict_failure = None;
    let mut n: u64 = 0;
    // From a pipe (`tail -f … | upkeep run --input -`), an event is worth
    // seeing when it happens, not 65,536 samples later.
    let live = args.input.to_string_lossy() == "-";
    for item in decoder.by_ref() {
        match item {
            Ok(sample) => {
                runner.ingest(&sample, &mut sink)?;
                if live {
                    let before = sink.written;
                    runner.drain(&mut sink)?;
                    if sink.written > before {
                        sink.flush()?;
                    }
                }
            }
            Err(e) if matches!(e.reason, Reason::Io(_)) => {
                // Not a bad line: the input itself cannot be read.
                return Err(UsageError(format!(
                    "cannot read input {}: {}",
                    args.input.display(),
                    e.reason
                ))
                .into());
            }
            Err(e) if args.strict => {
                strict_failure = Some(e);
                break;
            }
            Err(_) => {}
        }
        n += 1;
        if n.is_multiple_of(65_536) {
            runner.drain(&mut sink)?;
            progress.update(position.load(Ordering::Relaxed));
        }
    }
    // The evaluations due at the last sample's time (also after a --strict
    // stop: what was read before the bad line is reported in full), and the
    // last checkpoint.
    let last = runner.engine.now();
    runner.finish(last, &mut sink)?;
    progress.finish();
    let stats = decoder.into_stats();
    let elapsed = started.elapsed().as_secs_f64();
    summary::print(
        &runner,
        args,
        resume.as_ref(),
        &stats,
        &sink.counts,
        elapsed,
        strict_failure.as_ref(),
    );
    // The process ends here: freeing millions of windows one by one would
    // only cost time (4% of a large replay), the OS takes the memory back.
    std::mem::forget(runner);
    Ok(if strict_failure.is_some() { Outcome::Problems } else { Outcome::Clean })
}

/// The dispatcher: the configuration's transport and channels (none
/// without `--config`: every action is then recorded only), over the
/// `--state` store or one in memory.
fn dispatcher(args: &RunArgs, plan: &upkeep_compiler::plan::Plan) -> anyhow::Result<Dispatcher> {
    let config = match &args.config {
        Some(path) => RuntimeConfig::load(path).map_err(|e| UsageError(e.to_string()))?,
        None => RuntimeConfig::default(),
    };
    let store = match &args.state {
        Some(path) => Store::open(path)?,
        None => Store::in_memory()?,
    };
    let dry_run = args.dry_run || args.config.is_none();
    let env = |name: &str| std::env::var(name).ok();
    Dispatcher::new(plan, config, &env, store, dry_run)
        .map_err(|e| UsageError(e.to_string()).into())
}

/// Counts the bytes read, for the progress bar.
struct CountingReader<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn open(path: &std::path::Path) -> anyhow::Result<(Box<dyn Read>, Option<u64>)> {
    if path.to_string_lossy() == "-" {
        return Ok((Box::new(std::io::stdin().lock()), None));
    }
    let file = File::open(path)
        .map_err(|e| UsageError(format!("cannot read input {}: {e}", path.display())))?;
    let size = file.metadata().ok().map(|m| m.len());
    Ok((Box::new(file), size))
}

/// The format from the file's extension: `.influx`/`.lp`, `.prom`, `.om`
/// (OpenMetrics), `.jsonl`/`.ndjson`; Influx line protocol otherwise.
fn guess_format(path: &std::path::Path) -> Format {
    let name = path.to_string_lossy();
    let ext = name.rsplit('.').next().unwrap_or("");
    match ext {
        "prom" | "txt" => Format::Prometheus,
        "om" | "openmetrics" => Format::OpenMetrics,
        "jsonl" | "ndjson" => Format::JsonLines,
        _ => Format::Influx,
    }
}

/// A progress bar on standard error when it is a terminal and the input a
/// file of known size.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new(size: Option<u64>, is_file: bool) -> Progress {
        let show = is_file && std::io::stderr().is_terminal();
        Progress(size.filter(|s| show && *s > (8 << 20)).map(|s| {
            let bar = indicatif::ProgressBar::new(s);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            ) {
                bar.set_style(style);
            }
            bar
        }))
    }

    fn update(&self, position: u64) {
        if let Some(bar) = &self.0 {
            bar.set_position(position);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
