//! `upkeep-load`: a load generator for `upkeep serve`, for the benchmark
//! in BENCHMARKS.md ("Serve: ingest over HTTP"). It reads a line-protocol
//! file (as `scripts/bench/generate` writes it, in time order), cuts it
//! into batches of `--batch` lines (line protocol) or samples
//! (remote-write), and sends them from `--connections` threads to a
//! server started with `UPKEEP_CLOCK=manual` on 127.0.0.1.
//!
//! The clock follows the data: once every batch of a window (`--window`
//! batches) is answered, a clock thread moves the server's clock to the
//! newest time sent so far, and the engine applies those samples and runs
//! the evaluations due, while the senders go on with the next windows (at
//! most `--lag` windows ahead of the clock). The run ends when the last
//! clock step is answered: the rate is samples accepted by the server
//! (from its `/metrics`) per second of that whole time.
//!
//! Bounded: only loopback addresses, at most `--max-seconds` (then it
//! stops sending and reports what it did) and the file's batches once.

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};
use upkeep_runtime::decode::remote_write::encode_remote_write;
use upkeep_runtime::decode::{Decoder, Format};

#[derive(Debug, Parser)]
#[command(name = "upkeep-load", about = "Load generator for `upkeep serve` (loopback only)")]
struct Args {
    /// The server, on a loopback address: http://127.0.0.1:PORT.
    #[arg(long)]
    url: String,
    /// Line protocol, nanosecond timestamps, in time order.
    #[arg(long)]
    input: std::path::PathBuf,
    #[arg(long, value_enum, default_value_t = Mode::Influx)]
    mode: Mode,
    /// Lines (influx) or samples (remote-write) per request.
    #[arg(long, default_value_t = 5000)]
    batch: usize,
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// Batches per clock step.
    #[arg(long, default_value_t = 20)]
    window: usize,
    /// Windows the senders may be ahead of the clock.
    #[arg(long, default_value_t = 2)]
    lag: usize,
    /// An admin token, if the server has tokens.
    #[arg(long)]
    token: Option<String>,
    /// Stop sending after this long.
    #[arg(long, default_value_t = 300)]
    max_seconds: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Mode {
    Influx,
    RemoteWrite,
}

/// One request body and the newest time (seconds) in it.
struct Batch {
    body: Vec<u8>,
    newest: f64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let host = args.url.strip_prefix("http://").unwrap_or("").split(['/', ':']).next();
    if !matches!(host, Some("127.0.0.1" | "localhost" | "[")) {
        bail!("--url must be http://127.0.0.1:PORT (loopback only), not {}", args.url);
    }
    let text =
        std::fs::read(&args.input).with_context(|| format!("reading {}", args.input.display()))?;
    let batches = match args.mode {
        Mode::Influx => influx_batches(&text, args.batch),
        Mode::RemoteWrite => remote_write_batches(&text, args.batch)?,
    };
    drop(text);
    let windows: Vec<&[Batch]> = batches.chunks(args.window.max(1)).collect();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into();
    let before = received(&agent, &args)?;
    let path = match args.mode {
        Mode::Influx => "/api/v2/write?precision=ns",
        Mode::RemoteWrite => "/api/v1/write",
    };
    let next = AtomicUsize::new(0);
    let answered: Vec<AtomicUsize> = windows.iter().map(|_| AtomicUsize::new(0)).collect();
    let clocked = (Mutex::new(0usize), Condvar::new());
    let stop = AtomicBool::new(false);
    let latencies = Mutex::new(Vec::with_capacity(batches.len()));
    let failures = AtomicUsize::new(0);
    let running = AtomicUsize::new(args.connections.max(1));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.max_seconds);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        for _ in 0..args.connections.max(1) {
            scope.spawn(|| {
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= batches.len() || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let w = i / args.window.max(1);
                    // Not too far ahead of the clock: pending samples cost memory.
                    let mut done = clocked.0.lock().unwrap_or_else(|p| p.into_inner());
                    while w >= *done + args.lag && !stop.load(Ordering::Relaxed) {
                        done = clocked.1.wait(done).unwrap_or_else(|p| p.into_inner());
                    }
                    drop(done);
                    let t = Instant::now();
                    let ok = send(&agent, &args, path, &batches[i].body);
                    mine.push(t.elapsed().as_secs_f64());
                    if !ok {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                    answered[w].fetch_add(1, Ordering::Release);
                    if Instant::now() > deadline {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
                latencies.lock().unwrap_or_else(|p| p.into_inner()).extend(mine);
                running.fetch_sub(1, Ordering::Release);
            });
        }
        // The clock, one window behind the data.
        let mut newest = f64::NEG_INFINITY;
        let mut result = Ok(());
        for (w, window) in windows.iter().enumerate() {
            while answered[w].load(Ordering::Acquire) < window.len() {
                if running.load(Ordering::Acquire) == 0 {
                    break; // stopped at the deadline: this window is not whole
                }
                std::thread::sleep(Duration::from_micros(200));
            }
            newest = window.iter().map(|b| b.newest).fold(newest, f64::max);
            result = clock(&agent, &args, newest);
            let mut done = clocked.0.lock().unwrap_or_else(|p| p.into_inner());
            *done = w + 1;
            clocked.1.notify_all();
            drop(done);
            if result.is_err() || stop.load(Ordering::Relaxed) {
                break;
            }
        }
        // Wakes the senders under the lock, so that none misses it.
        let guard = clocked.0.lock().unwrap_or_else(|p| p.into_inner());
        stop.store(true, Ordering::Relaxed);
        clocked.1.notify_all();
        drop(guard);
        result
    })?;
    let elapsed = started.elapsed().as_secs_f64();
    let samples = received(&agent, &args)? - before;
    let mut lat = latencies.into_inner().unwrap_or_default();
    lat.sort_by(f64::total_cmp);
    let pct = |q: f64| {
        lat.get(((lat.len() as f64 * q) as usize).min(lat.len().saturating_sub(1)))
            .copied()
            .unwrap_or(f64::NAN)
    };
    let report = serde_json::json!({
        "mode": format!("{:?}", args.mode),
        "requests": lat.len(),
        "failed_requests": failures.load(Ordering::Relaxed),
        "samples": samples,
        "seconds": elapsed,
        "samples_per_second": samples as f64 / elapsed,
        "latency_p50_ms": pct(0.50) * 1e3,
        "latency_p99_ms": pct(0.99) * 1e3,
        "latency_max_ms": lat.last().copied().unwrap_or(f64::NAN) * 1e3,
    });
    #[allow(clippy::print_stdout)]
    {
        println!("{report}");
    }
    Ok(())
}

/// Batches of `n` lines, cut at line ends.
fn influx_batches(text: &[u8], n: usize) -> Vec<Batch> {
    let mut out = Vec::new();
    let mut lines = text.split_inclusive(|b| *b == b'\n').peekable();
    while lines.peek().is_some() {
        let mut body = Vec::new();
        let mut newest = f64::NEG_INFINITY;
        for line in lines.by_ref().take(n.max(1)) {
            let stamp = line.trim_ascii_end().rsplit(|b| *b == b' ').next().unwrap_or_default();
            if let Some(ns) = std::str::from_utf8(stamp).ok().and_then(|s| s.parse::<i64>().ok()) {
                newest = newest.max(ns as f64 / 1e9);
            }
            body.extend_from_slice(line);
        }
        out.push(Batch { body, newest });
    }
    out
}

/// The same samples as remote-write requests of `n` samples each.
fn remote_write_batches(text: &[u8], n: usize) -> anyhow::Result<Vec<Batch>> {
    type Series = (Vec<(String, String)>, Vec<(f64, i64)>);
    let mut out = Vec::new();
    let mut series: Vec<Series> = Vec::with_capacity(n);
    let mut newest = f64::NEG_INFINITY;
    let mut flush = |series: &mut Vec<Series>, newest: &mut f64| -> anyhow::Result<()> {
        if !series.is_empty() {
            out.push(Batch { body: encode_remote_write(series)?, newest: *newest });
            series.clear();
        }
        Ok(())
    };
    for sample in Decoder::new(text, Format::Influx).flatten() {
        let ms = sample.timestamp_ms.unwrap_or_default();
        newest = newest.max(ms as f64 / 1000.0);
        let mut labels = vec![("__name__".to_string(), sample.name.to_string())];
        labels.extend(sample.labels.iter().map(|l| (l.name.to_string(), l.value.to_string())));
        series.push((labels, vec![(sample.value, ms)]));
        if series.len() >= n.max(1) {
            flush(&mut series, &mut newest)?;
        }
    }
    flush(&mut series, &mut newest)?;
    Ok(out)
}

fn request(
    agent: &ureq::Agent,
    args: &Args,
    path: &str,
) -> ureq::RequestBuilder<ureq::typestate::WithBody> {
    let mut r = agent.post(format!("{}{path}", args.url.trim_end_matches('/')));
    if let Some(token) = &args.token {
        r = r.header("Authorization", format!("Bearer {token}"));
    }
    r
}

fn send(agent: &ureq::Agent, args: &Args, path: &str, body: &[u8]) -> bool {
    let mut r = request(agent, args, path);
    if args.mode == Mode::RemoteWrite {
        r = r.header("Content-Encoding", "snappy").header("Content-Type", "application/x-protobuf");
    }
    r.send(body).is_ok_and(|resp| resp.status().is_success())
}

fn clock(agent: &ureq::Agent, args: &Args, t: f64) -> anyhow::Result<()> {
    let mut reply = request(agent, args, &format!("/-/clock?t={t}")).send_empty()?;
    if !reply.status().is_success() {
        let body = reply.body_mut().read_to_string().unwrap_or_default();
        bail!(
            "moving the clock to {t}: {} {body} (is the server on UPKEEP_CLOCK=manual?)",
            reply.status()
        );
    }
    Ok(())
}

/// `upkeep_samples_received_total`, all formats.
fn received(agent: &ureq::Agent, args: &Args) -> anyhow::Result<u64> {
    let mut r = agent.get(format!("{}/metrics", args.url.trim_end_matches('/')));
    if let Some(token) = &args.token {
        r = r.header("Authorization", format!("Bearer {token}"));
    }
    let text = r.call()?.body_mut().read_to_string()?;
    Ok(text
        .lines()
        .filter(|l| l.starts_with("upkeep_samples_received_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum())
}
