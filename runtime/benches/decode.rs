//! Decoder throughput, in samples per second, for each input format.
//!
//! Each format gets a generated stream (fixed seed) of what a fleet sends:
//! Telegraf's cpu/disk/mem/net/system measurements as line protocol,
//! node_exporter-like series as Prometheus text, OpenMetrics and JSON lines,
//! 500 hosts × 10 scrapes. Measured in one run, so the ratios hold on a noisy
//! machine:
//!
//! - `split_lines`: finding the newlines, the least any decoder must do;
//! - `split_parse_f64`: that plus cutting out each value and
//!   `str::parse::<f64>` of it (no names, no labels, no checks), the floor
//!   for a text decoder;
//! - `decode`: `upkeep_runtime::decode::Decoder`, owned samples with
//!   interned names and label sets, every line checked;
//! - for line protocol, `influxdb_line_protocol`: the ecosystem's parser
//!   (`parse_lines` over the whole buffer; it builds no samples);
//! - for JSON lines, `serde_json_value`: parsing each line into a
//!   `serde_json::Value`.
//!
//! Run: `cargo bench -p upkeep-runtime --bench decode`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::fmt::Write;
use std::hint::black_box;
use upkeep_runtime::decode::{Decoder, Format};

const HOSTS: usize = 500;
const SCRAPES: usize = 10;

/// xorshift64*: a fixed, dependency-free source of plausible numbers.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn float(&mut self, scale: f64) -> f64 {
        // Two decimals, as agents print them.
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64 * scale * 100.0).round() / 100.0
    }
    fn int(&mut self, max: u64) -> u64 {
        self.next() % max
    }
}

/// A stream and the number of samples in it.
struct Stream {
    text: String,
    samples: u64,
}

fn influx() -> Stream {
    let (mut rng, mut text, mut samples) = (Rng(0x5eed), String::new(), 0);
    for scrape in 0..SCRAPES {
        let ts = 1_700_000_000_000_000_000u64 + scrape as u64 * 10_000_000_000;
        for h in 0..HOSTS {
            let host = format!("host{h:04}.example.net");
            for cpu in ["cpu0", "cpu1", "cpu-total"] {
                let _ = writeln!(
                    text,
                    "cpu,cpu={cpu},host={host} usage_idle={},usage_user={},usage_system={},usage_iowait={},usage_steal=0 {ts}",
                    rng.float(100.0),
                    rng.float(50.0),
                    rng.float(20.0),
                    rng.float(5.0)
                );
                samples += 5;
            }
            for (device, path) in
                [("sda1", "/"), ("sdb1", "/var/lib/postgresql"), ("sdc1", "/mnt/backup\\ 2")]
            {
                let _ = writeln!(
                    text,
                    "disk,device={device},fstype=ext4,host={host},mode=rw,path={path} free={}i,total=107374182400i,used={}i,used_percent={},inodes_free={}i {ts}",
                    rng.int(1 << 36),
                    rng.int(1 << 36),
                    rng.float(100.0),
                    rng.int(1 << 22)
                );
                samples += 5;
            }
            let _ = writeln!(
                text,
                "mem,host={host} available={}i,used_percent={},free={}i,cached={}i {ts}",
                rng.int(1 << 34),
                rng.float(100.0),
                rng.int(1 << 33),
                rng.int(1 << 33)
            );
            samples += 4;
            let _ = writeln!(
                text,
                "net,host={host},interface=eth0 bytes_recv={}i,bytes_sent={}i,err_in=0i,err_out=0i,drop_in={}i {ts}",
                rng.int(1 << 40),
                rng.int(1 << 40),
                rng.int(100)
            );
            samples += 5;
            let _ = writeln!(
                text,
                "system,host={host} load1={},load5={},load15={},n_cpus=2i,n_users={}i,uptime={}i {ts}",
                rng.float(4.0),
                rng.float(4.0),
                rng.float(4.0),
                rng.int(5),
                rng.int(1 << 24)
            );
            samples += 6;
        }
    }
    Stream { text, samples }
}

/// The node_exporter-like series of one host at one time, as
/// `(name, labels, value)`.
fn node_series(rng: &mut Rng, host: &str) -> Vec<(&'static str, String, f64)> {
    let mut out = Vec::new();
    for cpu in 0..2 {
        for mode in ["idle", "user", "system", "iowait"] {
            let labels = format!("cpu=\"{cpu}\",host=\"{host}\",mode=\"{mode}\"");
            out.push(("node_cpu_seconds_total", labels, rng.float(1e6)));
        }
    }
    for (device, mount) in [("/dev/sda1", "/"), ("/dev/sdb1", "/var/lib/postgresql")] {
        let labels =
            format!("device=\"{device}\",fstype=\"ext4\",host=\"{host}\",mountpoint=\"{mount}\"");
        out.push(("node_filesystem_avail_bytes", labels.clone(), rng.int(1 << 36) as f64));
        out.push(("node_filesystem_size_bytes", labels, 107_374_182_400.0));
    }
    for name in ["node_load1", "node_load5", "node_load15"] {
        out.push((name, format!("host=\"{host}\""), rng.float(4.0)));
    }
    out.push((
        "node_memory_MemAvailable_bytes",
        format!("host=\"{host}\""),
        rng.int(1 << 34) as f64,
    ));
    for name in ["node_network_receive_bytes_total", "node_network_transmit_bytes_total"] {
        out.push((name, format!("device=\"eth0\",host=\"{host}\""), rng.int(1 << 40) as f64));
    }
    out
}

fn prometheus(open_metrics: bool) -> Stream {
    let (mut rng, mut text, mut samples) = (Rng(0x5eed), String::new(), 0);
    for scrape in 0..SCRAPES {
        let ms = 1_700_000_000_000u64 + scrape as u64 * 10_000;
        for h in 0..HOSTS {
            let host = format!("host{h:04}.example.net");
            text.push_str("# HELP node_load1 1m load average.\n# TYPE node_load1 gauge\n");
            for (name, labels, value) in node_series(&mut rng, &host) {
                let _ = if open_metrics {
                    writeln!(text, "{name}{{{labels}}} {value} {}.{:03}", ms / 1000, ms % 1000)
                } else {
                    writeln!(text, "{name}{{{labels}}} {value} {ms}")
                };
                samples += 1;
            }
            if open_metrics {
                text.push_str("# EOF\n");
            }
        }
    }
    Stream { text, samples }
}

fn jsonl() -> Stream {
    let (mut rng, mut text, mut samples) = (Rng(0x5eed), String::new(), 0);
    for scrape in 0..SCRAPES {
        let ms = 1_700_000_000_000u64 + scrape as u64 * 10_000;
        for h in 0..HOSTS {
            let host = format!("host{h:04}.example.net");
            for (name, labels, value) in node_series(&mut rng, &host) {
                // `a="x",b="y"` → `"a":"x","b":"y"`
                let labels = labels.replace("=\"", "\":\"").replace("\",", "\",\"");
                let _ = writeln!(
                    text,
                    r#"{{"name":"{name}","labels":{{"{labels}}},"value":{value},"timestamp":{ms}}}"#
                );
                samples += 1;
            }
        }
    }
    Stream { text, samples }
}

/// The baseline: values cut out with `split` and parsed, nothing checked.
fn split_parse(format: Format, text: &str) -> f64 {
    let mut sum = 0.0;
    for line in text.lines() {
        match format {
            Format::Influx => {
                let fields = line.split(' ').nth(1).unwrap_or_default();
                for field in fields.split(',') {
                    let value = field.split('=').nth(1).unwrap_or_default().trim_end_matches('i');
                    sum += value.parse::<f64>().unwrap_or(0.0);
                }
            }
            Format::JsonLines => {
                let value = line.split("\"value\":").nth(1).unwrap_or_default();
                sum += value.split(',').next().unwrap_or_default().parse::<f64>().unwrap_or(0.0);
            }
            _ if line.starts_with('#') => {}
            _ => sum += line.rsplit(' ').nth(1).unwrap_or_default().parse::<f64>().unwrap_or(0.0),
        }
    }
    sum
}

fn decode(c: &mut Criterion) {
    let streams = [
        (Format::Influx, influx()),
        (Format::Prometheus, prometheus(false)),
        (Format::OpenMetrics, prometheus(true)),
        (Format::JsonLines, jsonl()),
    ];
    for (format, stream) in &streams {
        let bytes = stream.text.as_bytes();
        let mut group = c.benchmark_group(format!("decode_{format}"));
        group.throughput(Throughput::Elements(stream.samples));
        group.sample_size(20);
        let id = |name: &str| BenchmarkId::new(name, stream.samples);
        group.bench_function(id("split_lines"), |b| {
            b.iter(|| memchr::memchr_iter(b'\n', black_box(bytes)).count())
        });
        group.bench_function(id("split_parse_f64"), |b| {
            b.iter(|| split_parse(*format, black_box(&stream.text)))
        });
        group.bench_function(id("decode"), |b| {
            b.iter(|| {
                let mut decoder = Decoder::new(black_box(bytes), *format);
                let sum: f64 = decoder.by_ref().flatten().map(|s| s.value).sum();
                assert_eq!(decoder.stats().samples, stream.samples);
                assert_eq!(decoder.stats().bad_lines, 0);
                sum
            })
        });
        if *format == Format::Influx {
            group.bench_function(id("influxdb_line_protocol"), |b| {
                b.iter(|| {
                    influxdb_line_protocol::parse_lines(black_box(&stream.text))
                        .map(|line| line.map_or(0, |l| l.field_set.len()))
                        .sum::<usize>()
                })
            });
        }
        if *format == Format::JsonLines {
            group.bench_function(id("serde_json_value"), |b| {
                b.iter(|| {
                    black_box(&stream.text)
                        .lines()
                        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                        .count()
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, decode);
criterion_main!(benches);
