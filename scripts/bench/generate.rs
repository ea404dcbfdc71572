//! Writes the end-to-end benchmark's metric stream in all four input formats.
//!
//! A standalone program (no crates), built by `scripts/bench/generate`:
//!
//!     rustc -O --edition 2024 scripts/bench/generate.rs -o generate
//!     generate OUTDIR [--hosts N] [--steps N]
//!
//! Writes `OUTDIR/samples.influx`, `samples.prom`, `samples.om`,
//! `samples.jsonl` (the same samples in each) and `OUTDIR/manifest.txt`.
//!
//! The fleet: N hosts (default 10,000) of 100 clients, each scraped every
//! 10 s for `steps` scrapes (default 51, so that there are at least 10M
//! samples with 10 hosts unreachable for 20 scrapes), the scrapes of one
//! step spread over the 10 s as Prometheus spreads its targets. Per host, 20
//! node_exporter series:
//!
//! | series | labels |
//! |---|---|
//! | node_filesystem_{avail_bytes,size_bytes,files,files_free} | mountpoint="/" |
//! | node_filesystem_{avail_bytes,size_bytes} | mountpoint="/var" |
//! | node_memory_{MemTotal,MemAvailable,SwapTotal,SwapFree}_bytes | |
//! | node_load1, node_load5 | |
//! | node_cpu_seconds_total (counter) | cpu="0" and "1" mode="idle"; cpu="0" mode="iowait" |
//! | up | |
//! | node_network_receive_bytes_total (counter) | device="eth0" |
//! | node_timex_offset_seconds, node_timex_sync_status | |
//! | node_systemd_unit_state | name="nginx.service", state (value 1) |
//!
//! every one with `client`, `host` and `job="node"`. Values are a pure
//! function of (host, step, series), so the four files agree. A few hosts
//! of each class misbehave (full disks, leaks, load, clocks, a failed
//! service, unreachable hosts, a reboot that resets the counters), so that
//! the benchmark's policies fire for a few hundred instances and the state
//! machine and the events are exercised.
//!
//! Formats, as the tools write them:
//! - influx: Telegraf's line protocol, one line per measurement and tag set
//!   (`node_filesystem,… avail_bytes=…,size_bytes=…`; `up` as a field of the
//!   `prometheus` measurement), floats as Go's `FormatFloat(v, 'f', -1)`,
//!   nanosecond timestamps;
//! - prom: Prometheus text, values as Go's `FormatFloat(v, 'g', -1)` as
//!   client_golang writes them (`5.2613349376e+10`), millisecond timestamps,
//!   one `# TYPE` block at the top;
//! - om: the same as OpenMetrics, timestamps in seconds with three decimals,
//!   `# EOF` after each scrape step;
//! - jsonl: the JSON lines schema of docs/input-formats.md.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// 2026-01-01T00:00:00Z, in milliseconds.
const T0_MS: i64 = 1_767_225_600_000;
const STEP_MS: i64 = 10_000;
const CLIENTS: usize = 100;
const GB: f64 = 1e9;
const GIB: f64 = 1_073_741_824.0;
const MB: f64 = 1e6;

#[derive(Clone, Copy)]
struct Config {
    hosts: usize,
    steps: usize,
}

/// splitmix64 of a few integers: the source of every "random" number.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A number in [0, 1) for (host, step, key).
fn unit(h: usize, s: usize, key: u64) -> f64 {
    let x = mix(mix(mix(h as u64) ^ (s as u64).wrapping_mul(0x1000_0001)) ^ key);
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// A per-host constant in [0, 1).
fn fixed(h: usize, key: u64) -> f64 {
    unit(h, usize::MAX, key)
}

/// `v` rounded to a multiple of `step` (a whole number, such as a block size).
fn round_to(v: f64, step: f64) -> f64 {
    (v / step).round() * step
}

/// `v` rounded to `digits` decimals, as agents print them.
fn decimals(v: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (v * scale).round() / scale
}

/// What a host reports at one step.
struct Values {
    root_avail: f64,
    root_size: f64,
    root_files: f64,
    root_files_free: f64,
    var_avail: f64,
    var_size: f64,
    mem_total: f64,
    mem_avail: f64,
    swap_total: f64,
    swap_free: f64,
    load1: f64,
    load5: f64,
    cpu0_idle: f64,
    cpu1_idle: f64,
    cpu0_iowait: f64,
    net_rx: f64,
    offset: f64,
    synced: f64,
    unit_state: &'static str,
    /// Unreachable: only `up 0` is written.
    down: bool,
}

fn values(h: usize, s: usize) -> Values {
    let sf = s as f64;
    // Filesystem "/": 50 to 500 GB, 30–70 % used, a little noise.
    let root_size = [50.0, 100.0, 200.0, 500.0][(fixed(h, 1) * 4.0) as usize] * GB;
    // Normal hosts write 50–250 kB per scrape interval, give or take 20 kB:
    // their free space falls steadily, so that the trend policies (time_until,
    // predict over a few samples) fire only for the hosts meant to fire.
    let written = sf * (50e3 + 200e3 * fixed(h, 3)) + 40e3 * (unit(h, s, 3) - 0.5);
    let mut root_used = 0.30 + 0.40 * fixed(h, 2) + written / root_size;
    match h % 500 {
        7 => root_used = 0.96,                              // full: crit
        8 => root_used = if s < 20 { 0.75 } else { 0.86 },  // warn from step 20
        9 => root_used = 0.70 + 0.005 * sf,                 // filling: warn, then crit
        10 => root_used = if s < 25 { 0.95 } else { 0.50 }, // cleaned up: resolves
        _ => {}
    }
    let root_avail = round_to(root_size * (1.0 - root_used), 4096.0);
    let root_files = 6_553_600.0;
    let mut free_inodes = 0.5 + 0.4 * fixed(h, 4);
    if h % 1000 == 21 {
        free_inodes = 0.02;
    }
    // 0–20 inodes a scrape interval; 2,000 on the hosts short of them.
    let inodes_used = if h % 1000 == 21 { 2000.0 } else { (20.0 * fixed(h, 5)).round() };
    let root_files_free = (root_files * free_inodes).round() - inodes_used * sf;
    // Filesystem "/var": 20 GB.
    let var_size = 20.0 * GB;
    let var_avail = if h % 300 == 13 {
        // Filling at 10 MB/s: empty in about 17 minutes.
        (10.0 * GB - sf * 100.0 * MB).max(0.0)
    } else {
        let written = sf * (20e3 + 80e3 * fixed(h, 7)) + 16e3 * (unit(h, s, 7) - 0.5);
        round_to(var_size * (0.4 + 0.4 * fixed(h, 6)) - written, 4096.0)
    };
    // Memory.
    let mem_total = [4.0, 8.0, 16.0, 32.0, 64.0][(fixed(h, 8) * 5.0) as usize] * GIB;
    let mut mem_share = 0.40 + 0.30 * fixed(h, 9) + 0.002 * (unit(h, s, 10) - 0.5);
    match h % 700 {
        5 => mem_share = 0.03,                               // short: crit
        6 => mem_share = 0.30 - 0.004 * sf,                  // leaking
        7 => mem_share = if s % 2 == 0 { 0.2 } else { 0.6 }, // churning
        _ => {}
    }
    let mem_avail = round_to(mem_total * mem_share, 4096.0);
    let swap_total = 2.0 * GIB;
    let swap_share = if h % 600 == 4 { 0.05 } else { 0.90 + 0.10 * fixed(h, 11) };
    let swap_free = round_to(swap_total * swap_share, 4096.0);
    // Load.
    let base = 0.05 + 1.45 * fixed(h, 12);
    let (mut load1, mut load5) = (base + 0.3 * unit(h, s, 13), base + 0.1 * unit(h, s, 14));
    if h % 400 == 11 {
        load1 = 9.0 + unit(h, s, 13);
        load5 = 7.5 + 0.2 * unit(h, s, 14);
    } else if h % 400 == 12 && (30..34).contains(&s) {
        load1 = 18.0;
    }
    let (load1, load5) = (decimals(load1, 2), decimals(load5, 2));
    // CPU counters (seconds): two CPUs, idle share 65–95 %; a reboot at step
    // 25 restarts every counter of host h % 1000 == 500.
    let rebooted = h % 1000 == 500 && s >= 25;
    let ticks = if rebooted { sf - 25.0 } else { sf };
    let since_boot = |start: f64| if rebooted { 0.0 } else { start };
    let busy = if h % 250 == 17 { 0.97 } else { 0.05 + 0.30 * fixed(h, 15) };
    let iowait = if h % 350 == 19 { 0.40 } else { 0.001 + 0.009 * fixed(h, 16) };
    let cpu0_idle = decimals(since_boot(1e5 + 1e6 * fixed(h, 17)) + 10.0 * (1.0 - busy) * ticks, 2);
    let cpu1_idle = decimals(since_boot(1e5 + 1e6 * fixed(h, 18)) + 10.0 * (1.0 - busy) * ticks, 2);
    let cpu0_iowait = decimals(since_boot(1e3 + 1e4 * fixed(h, 19)) + 10.0 * iowait * ticks, 2);
    // Network: 1–10 MB/s received, 200 MB/s on a few hosts.
    let rx_rate = if h % 450 == 23 { 200.0 * MB } else { MB * (1.0 + 9.0 * fixed(h, 20)) };
    let net_rx = (since_boot(1e12 * fixed(h, 21)) + rx_rate * 10.0 * ticks).round();
    // Clock: within ±0.5 ms; 0.3 s off, or 2 s off and unsynchronised.
    let mut offset = 0.001 * (unit(h, s, 22) - 0.5);
    let mut synced = 1.0;
    match h % 900 {
        2 => offset = 0.3 + 0.01 * unit(h, s, 22),
        3 => {
            offset = 2.0;
            synced = 0.0;
        }
        _ => {}
    }
    let offset = decimals(offset, 9);
    let unit_state = match h % 800 {
        9 if s >= 15 => "failed",
        10 if (20..22).contains(&s) => "activating",
        _ => "active",
    };
    Values {
        root_avail,
        root_size,
        root_files,
        root_files_free,
        var_avail,
        var_size,
        mem_total,
        mem_avail,
        swap_total,
        swap_free,
        load1,
        load5,
        cpu0_idle,
        cpu1_idle,
        cpu0_iowait,
        net_rx,
        offset,
        synced,
        unit_state,
        down: h % 1000 == 3 && (10..30).contains(&s),
    }
}

/// One sample for the per-sample formats: name, labels other than the
/// common three, value.
type Row<'a> = (&'static str, Vec<(&'static str, &'a str)>, f64);

fn rows(v: &Values) -> Vec<Row<'_>> {
    let root = vec![("device", "/dev/sda1"), ("fstype", "ext4"), ("mountpoint", "/")];
    let var = vec![("device", "/dev/sdb1"), ("fstype", "xfs"), ("mountpoint", "/var")];
    vec![
        ("node_filesystem_avail_bytes", root.clone(), v.root_avail),
        ("node_filesystem_size_bytes", root.clone(), v.root_size),
        ("node_filesystem_files", root.clone(), v.root_files),
        ("node_filesystem_files_free", root, v.root_files_free),
        ("node_filesystem_avail_bytes", var.clone(), v.var_avail),
        ("node_filesystem_size_bytes", var, v.var_size),
        ("node_memory_MemTotal_bytes", vec![], v.mem_total),
        ("node_memory_MemAvailable_bytes", vec![], v.mem_avail),
        ("node_memory_SwapTotal_bytes", vec![], v.swap_total),
        ("node_memory_SwapFree_bytes", vec![], v.swap_free),
        ("node_load1", vec![], v.load1),
        ("node_load5", vec![], v.load5),
        ("node_cpu_seconds_total", vec![("cpu", "0"), ("mode", "idle")], v.cpu0_idle),
        ("node_cpu_seconds_total", vec![("cpu", "1"), ("mode", "idle")], v.cpu1_idle),
        ("node_cpu_seconds_total", vec![("cpu", "0"), ("mode", "iowait")], v.cpu0_iowait),
        ("up", vec![], 1.0),
        ("node_network_receive_bytes_total", vec![("device", "eth0")], v.net_rx),
        ("node_timex_offset_seconds", vec![], v.offset),
        ("node_timex_sync_status", vec![], v.synced),
        (
            "node_systemd_unit_state",
            vec![("name", "nginx.service"), ("state", v.unit_state), ("type", "service")],
            1.0,
        ),
    ]
}

/// Go's `strconv.FormatFloat(v, 'g', -1, 64)`, as Prometheus exporters
/// write values: shortest digits, exponent form below 1e-4 and from 1e6.
fn go_g(v: f64, out: &mut String) {
    if v == 0.0 {
        out.push('0');
        return;
    }
    let e = format!("{v:e}");
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        let _ = write!(out, "{mantissa}e{sign}{:02}", exp.abs());
    } else {
        let _ = write!(out, "{v}");
    }
}

/// Go's `FormatFloat(v, 'f', -1, 64)`, as Telegraf writes line protocol.
fn go_f(v: f64, out: &mut String) {
    let _ = write!(out, "{v}");
}

#[derive(Clone, Copy, PartialEq)]
enum Fmt {
    Influx,
    Prom,
    Om,
    Jsonl,
}

impl Fmt {
    fn file(self) -> &'static str {
        match self {
            Fmt::Influx => "samples.influx",
            Fmt::Prom => "samples.prom",
            Fmt::Om => "samples.om",
            Fmt::Jsonl => "samples.jsonl",
        }
    }
}

const TYPES: [(&str, &str); 13] = [
    ("node_filesystem_avail_bytes", "gauge"),
    ("node_filesystem_size_bytes", "gauge"),
    ("node_filesystem_files", "gauge"),
    ("node_filesystem_files_free", "gauge"),
    ("node_memory_MemTotal_bytes", "gauge"),
    ("node_memory_MemAvailable_bytes", "gauge"),
    ("node_memory_SwapTotal_bytes", "gauge"),
    ("node_memory_SwapFree_bytes", "gauge"),
    ("node_load1", "gauge"),
    ("node_load5", "gauge"),
    ("node_cpu_seconds_total", "counter"),
    ("up", "gauge"),
    ("node_network_receive_bytes_total", "counter"),
];

/// What one writer produced.
struct Written {
    samples: u64,
    lines: u64,
    bytes: u64,
}

fn write_format(fmt: Fmt, cfg: Config, dir: &Path) -> std::io::Result<Written> {
    let path = dir.join(fmt.file());
    let mut out = BufWriter::with_capacity(1 << 20, File::create(&path)?);
    let mut buf = String::with_capacity(1 << 16);
    let (mut samples, mut lines, mut bytes) = (0u64, 0u64, 0u64);
    let hosts: Vec<String> = (0..cfg.hosts).map(|h| format!("host-{h:05}")).collect();
    let clients: Vec<String> = (0..CLIENTS).map(|c| format!("client-{c:02}")).collect();
    if matches!(fmt, Fmt::Prom | Fmt::Om) {
        for (name, kind) in TYPES.iter().chain(&[
            ("node_timex_offset_seconds", "gauge"),
            ("node_timex_sync_status", "gauge"),
            ("node_systemd_unit_state", "gauge"),
        ]) {
            // OpenMetrics names a counter's family without `_total`.
            let family = match (fmt, *kind) {
                (Fmt::Om, "counter") => name.trim_end_matches("_total"),
                _ => name,
            };
            let _ = writeln!(buf, "# TYPE {family} {kind}");
            lines += 1;
        }
    }
    for s in 0..cfg.steps {
        for h in 0..cfg.hosts {
            // Targets spread over the interval, in time order.
            let ms = T0_MS + s as i64 * STEP_MS + (h as i64 * STEP_MS) / cfg.hosts as i64;
            let (client, host) = (clients[h % CLIENTS].as_str(), hosts[h].as_str());
            let v = values(h, s);
            let n = if fmt == Fmt::Influx {
                influx(&v, client, host, ms, &mut buf, &mut lines)
            } else {
                per_sample(fmt, &v, client, host, ms, &mut buf, &mut lines)
            };
            samples += n;
            if buf.len() > (1 << 16) - 4096 {
                out.write_all(buf.as_bytes())?;
                bytes += buf.len() as u64;
                buf.clear();
            }
        }
        if fmt == Fmt::Om {
            buf.push_str("# EOF\n");
            lines += 1;
        }
    }
    out.write_all(buf.as_bytes())?;
    bytes += buf.len() as u64;
    out.flush()?;
    Ok(Written { samples, lines, bytes })
}

fn per_sample(
    fmt: Fmt,
    v: &Values,
    client: &str,
    host: &str,
    ms: i64,
    buf: &mut String,
    lines: &mut u64,
) -> u64 {
    let mut n = 0;
    for (name, extra, value) in rows(v) {
        if v.down && name != "up" {
            continue;
        }
        let value = if name == "up" && v.down { 0.0 } else { value };
        let mut labels = extra;
        labels.extend([("client", client), ("host", host), ("job", "node")]);
        labels.sort_unstable();
        match fmt {
            Fmt::Prom | Fmt::Om => {
                buf.push_str(name);
                buf.push('{');
                for (i, (k, val)) in labels.iter().enumerate() {
                    if i > 0 {
                        buf.push(',');
                    }
                    let _ = write!(buf, "{k}=\"{val}\"");
                }
                buf.push_str("} ");
                go_g(value, buf);
                if fmt == Fmt::Prom {
                    let _ = writeln!(buf, " {ms}");
                } else {
                    let _ = writeln!(buf, " {}.{:03}", ms / 1000, ms % 1000);
                }
            }
            Fmt::Jsonl => {
                let _ = write!(buf, "{{\"name\":\"{name}\",\"labels\":{{");
                for (i, (k, val)) in labels.iter().enumerate() {
                    if i > 0 {
                        buf.push(',');
                    }
                    let _ = write!(buf, "\"{k}\":\"{val}\"");
                }
                buf.push_str("},\"value\":");
                go_f(value, buf);
                let _ = writeln!(buf, ",\"timestamp\":{ms}}}");
            }
            Fmt::Influx => unreachable!(),
        }
        *lines += 1;
        n += 1;
    }
    n
}

fn influx(v: &Values, client: &str, host: &str, ms: i64, buf: &mut String, lines: &mut u64) -> u64 {
    let ns = ms * 1_000_000;
    let common = |buf: &mut String,
                  measurement: &str,
                  before_host: &[(&str, &str)],
                  after_job: &[(&str, &str)]| {
        buf.push_str(measurement);
        let _ = write!(buf, ",client={client}");
        for (k, val) in before_host {
            let _ = write!(buf, ",{k}={val}");
        }
        let _ = write!(buf, ",host={host},job=node");
        for (k, val) in after_job {
            let _ = write!(buf, ",{k}={val}");
        }
        buf.push(' ');
    };
    let fields = |buf: &mut String, fs: &[(&str, f64)]| {
        for (i, (k, val)) in fs.iter().enumerate() {
            if i > 0 {
                buf.push(',');
            }
            buf.push_str(k);
            buf.push('=');
            go_f(*val, buf);
        }
        let _ = writeln!(buf, " {ns}");
    };
    if v.down {
        common(buf, "prometheus", &[], &[]);
        fields(buf, &[("up", 0.0)]);
        *lines += 1;
        return 1;
    }
    common(
        buf,
        "node_filesystem",
        &[("device", "/dev/sda1"), ("fstype", "ext4")],
        &[("mountpoint", "/")],
    );
    fields(
        buf,
        &[
            ("avail_bytes", v.root_avail),
            ("files", v.root_files),
            ("files_free", v.root_files_free),
            ("size_bytes", v.root_size),
        ],
    );
    common(
        buf,
        "node_filesystem",
        &[("device", "/dev/sdb1"), ("fstype", "xfs")],
        &[("mountpoint", "/var")],
    );
    fields(buf, &[("avail_bytes", v.var_avail), ("size_bytes", v.var_size)]);
    common(buf, "node_memory", &[], &[]);
    fields(
        buf,
        &[
            ("MemAvailable_bytes", v.mem_avail),
            ("MemTotal_bytes", v.mem_total),
            ("SwapFree_bytes", v.swap_free),
            ("SwapTotal_bytes", v.swap_total),
        ],
    );
    common(buf, "node", &[], &[]);
    fields(buf, &[("load1", v.load1), ("load5", v.load5)]);
    common(buf, "node_cpu", &[("cpu", "0")], &[("mode", "idle")]);
    fields(buf, &[("seconds_total", v.cpu0_idle)]);
    common(buf, "node_cpu", &[("cpu", "1")], &[("mode", "idle")]);
    fields(buf, &[("seconds_total", v.cpu1_idle)]);
    common(buf, "node_cpu", &[("cpu", "0")], &[("mode", "iowait")]);
    fields(buf, &[("seconds_total", v.cpu0_iowait)]);
    common(buf, "prometheus", &[], &[]);
    fields(buf, &[("up", 1.0)]);
    common(buf, "node_network", &[("device", "eth0")], &[]);
    fields(buf, &[("receive_bytes_total", v.net_rx)]);
    common(buf, "node_timex", &[], &[]);
    fields(buf, &[("offset_seconds", v.offset), ("sync_status", v.synced)]);
    common(
        buf,
        "node_systemd",
        &[],
        &[("name", "nginx.service"), ("state", v.unit_state), ("type", "service")],
    );
    fields(buf, &[("unit_state", 1.0)]);
    *lines += 11;
    20
}

fn usage() -> ! {
    eprintln!("usage: generate OUTDIR [--hosts N] [--steps N]");
    std::process::exit(2);
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dir: Option<PathBuf> = None;
    let mut cfg = Config { hosts: 10_000, steps: 51 };
    while let Some(a) = args.next() {
        let mut number =
            || args.next().and_then(|n| n.replace('_', "").parse().ok()).unwrap_or_else(|| usage());
        match a.as_str() {
            "--hosts" => cfg.hosts = number(),
            "--steps" => cfg.steps = number(),
            "-h" | "--help" => usage(),
            _ if dir.is_none() && !a.starts_with("--") => dir = Some(a.into()),
            _ => usage(),
        }
    }
    let Some(dir) = dir else { usage() };
    if cfg.hosts == 0 || cfg.steps == 0 {
        usage();
    }
    std::fs::create_dir_all(&dir).expect("creating the output directory");
    let started = std::time::Instant::now();
    let results: Vec<(Fmt, Written)> = std::thread::scope(|scope| {
        let handles: Vec<_> = [Fmt::Influx, Fmt::Prom, Fmt::Om, Fmt::Jsonl]
            .into_iter()
            .map(|f| {
                let dir = &dir;
                scope.spawn(move || (f, write_format(f, cfg, dir).expect("writing a stream")))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a writer panicked")).collect()
    });
    let samples = results[0].1.samples;
    for (f, w) in &results {
        assert_eq!(w.samples, samples, "{} has a different number of samples", f.file());
    }
    let mut manifest = format!(
        "hosts={}\nsteps={}\nseries_per_host=20\nsamples={samples}\nstart_ms={T0_MS}\nstep_ms={STEP_MS}\n",
        cfg.hosts, cfg.steps
    );
    for (f, w) in &results {
        let name = f.file().trim_start_matches("samples.");
        let _ = writeln!(manifest, "{name}.lines={}\n{name}.bytes={}", w.lines, w.bytes);
    }
    std::fs::write(dir.join("manifest.txt"), &manifest).expect("writing the manifest");
    eprint!("{manifest}");
    eprintln!("generated in {:.1}s", started.elapsed().as_secs_f64());
}
