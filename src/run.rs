//! `upkeep run PACKAGE --input FILE|-`: replays a metric stream through a
//! policy package in event time and writes the events as JSON lines.

use crate::args::RunArgs;
use crate::{Outcome, UsageError, package, report};
use anyhow::Context;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use upkeep_runtime::decode::{DecodeOptions, Decoder, Format, Reason};
use upkeep_runtime::engine::Engine;
use upkeep_runtime::inventory::Inventory;

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
    let (reader, size) = open(&args.input)?;
    let progress = Progress::new(size, args.input.to_string_lossy() != "-");
    let position = Arc::new(AtomicU64::new(0));
    let counted = CountingReader { inner: reader, read: Arc::clone(&position) };
    let options = DecodeOptions { strict: args.strict, ..DecodeOptions::default() };
    let mut decoder =
        Decoder::with_options(BufReader::with_capacity(1 << 16, counted), format, options);
    let mut out: Box<dyn Write> = match &args.events {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let started = Instant::now();
    let mut counts: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    let mut strict_failure = None;
    let mut last_time = f64::NEG_INFINITY;
    let mut n: u64 = 0;
    for item in decoder.by_ref() {
        match item {
            Ok(sample) => {
                engine.ingest(&sample);
                last_time = engine.now();
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
            write_events(&mut engine, &mut out, &mut counts)?;
            progress.update(position.load(Ordering::Relaxed));
        }
    }
    // The evaluations due at the last sample's time (also after a --strict
    // stop: what was read before the bad line is reported in full).
    if last_time.is_finite() {
        engine.finish(last_time);
    }
    write_events(&mut engine, &mut out, &mut counts)?;
    out.flush()?;
    progress.finish();
    let stats = decoder.into_stats();
    summary(&engine, &stats, &counts, started.elapsed().as_secs_f64(), strict_failure.as_ref())?;
    // The process ends here: freeing millions of windows one by one would
    // only cost time (4% of a large replay), the OS takes the memory back.
    std::mem::forget(engine);
    Ok(if strict_failure.is_some() { Outcome::Problems } else { Outcome::Clean })
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

fn write_events(
    engine: &mut Engine,
    out: &mut dyn Write,
    counts: &mut BTreeMap<(String, String, String), u64>,
) -> anyhow::Result<()> {
    for event in engine.drain_events() {
        let level = event.level.clone().unwrap_or_default();
        *counts.entry((event.policy.clone(), level, event.kind.name().to_string())).or_default() +=
            1;
        out.write_all(event.to_json().as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
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

#[allow(clippy::print_stderr)]
fn summary(
    engine: &Engine,
    stats: &upkeep_runtime::decode::Stats,
    counts: &BTreeMap<(String, String, String), u64>,
    seconds: f64,
    strict_failure: Option<&upkeep_runtime::decode::DecodeError>,
) -> anyhow::Result<()> {
    let e = &engine.stats;
    let rate = if seconds > 0.0 { stats.samples as f64 / seconds } else { 0.0 };
    let mut text = format!(
        "read {} samples from {} lines in {seconds:.2}s ({rate:.0} samples/s): {} applied to {} series of {} hosts, {} of metrics no policy reads, {} out of order\n",
        stats.samples,
        stats.lines,
        e.samples,
        engine.index.len(),
        engine.index.hosts.len(),
        e.unused,
        e.out_of_order,
    );
    if e.out_of_range > 0 {
        text += &format!(
            "{} samples stamped before 1970 or more than a day in the future were dropped\n",
            e.out_of_range
        );
    }
    if e.untimed > 0 {
        text += &format!(
            "{} samples without a time before the first timed one were dropped\n",
            e.untimed
        );
    }
    if stats.bad_lines > 0 {
        let lines = if stats.bad_lines == 1 { "line" } else { "lines" };
        text += &format!("{} bad {lines}", stats.bad_lines);
        let shown = stats.first_errors.len();
        text += &if (shown as u64) < stats.bad_lines {
            format!(" (the first {shown}):\n")
        } else {
            ":\n".to_string()
        };
        for error in &stats.first_errors {
            text += &format!("  {error}\n");
        }
    }
    text += &format!("{} evaluations in {} batches\n", e.evaluations, e.batches);
    if counts.is_empty() {
        text += "no events\n";
    } else {
        text += "events by policy and level:\n";
        for ((policy, level, kind), n) in counts {
            let level = if level.is_empty() { String::new() } else { format!(" {level}") };
            text += &format!("  {policy}{level} {kind}: {n}\n");
        }
    }
    if let Some(error) = strict_failure {
        text += &format!("stopped at the first bad line (--strict): {error}\n");
    }
    eprint!("{text}");
    Ok(())
}
