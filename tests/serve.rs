//! End-to-end tests of `upkeep serve` over real HTTP on 127.0.0.1, with
//! servers the tests start and stop: the same samples through `serve` (on
//! the manual clock) and through `run` give the same events; every ingest
//! format, with partial rejects; the read side; graceful shutdown with a
//! checkpoint a restart continues from; reload. Authentication and limits
//! are in `serve_auth.rs`.

#[path = "serve/harness.rs"]
mod harness;

use harness::{Options, Server, events, root};
use std::io::Write;
use upkeep_runtime::decode::remote_write::encode_remote_write;
use upkeep_runtime::decode::{Decoder, Format, Sample};

fn night() -> String {
    std::fs::read_to_string(root().join("examples/msp/streams/night.prom")).unwrap()
}

/// A remote-write series: labels, then (value, milliseconds) points.
type Series = (Vec<(String, String)>, Vec<(f64, i64)>);

/// The labels of a sample for remote-write, `__name__` included.
fn rw_labels(s: &Sample) -> Vec<(String, String)> {
    let mut labels = vec![("__name__".to_string(), s.name.to_string())];
    labels.extend(s.labels.iter().map(|l| (l.name.to_string(), l.value.to_string())));
    labels
}

#[test]
fn serve_on_the_manual_clock_gives_the_events_of_run() {
    let dir = tempfile::tempdir().unwrap();
    let run_events = dir.path().join("run.jsonl");
    let input = root().join("examples/msp/streams/night.prom");
    assert_cmd::Command::cargo_bin("upkeep")
        .unwrap()
        .args(["run", "examples/msp", "--input"])
        .arg(&input)
        .arg("--events")
        .arg(&run_events)
        .current_dir(root())
        .assert()
        .success();

    let serve_events = dir.path().join("serve.jsonl");
    let args = vec!["--events".into(), serve_events.display().to_string()];
    let server = Server::start(
        &root().join("examples/msp"),
        Options { manual_clock: true, args, ..Options::default() },
    );
    // The first half as Prometheus text in chunks, the second as
    // remote-write batches: both paths, in the file's order.
    let text = night();
    let lines: Vec<&str> = text.lines().collect();
    let half = lines.len() / 2;
    for chunk in lines[..half].chunks(2000) {
        let reply = server.post("/api/v1/import/prometheus", None, chunk.join("\n").as_bytes());
        assert_eq!(reply.status, 204, "{reply:?}");
    }
    let rest = lines[half..].join("\n");
    let samples: Vec<Sample> =
        Decoder::new(rest.as_bytes(), Format::Prometheus).flatten().collect();
    let last = samples.last().unwrap().timestamp_ms.unwrap() as f64 / 1000.0;
    for chunk in samples.chunks(1500) {
        let series: Vec<Series> = chunk
            .iter()
            .map(|s| (rw_labels(s), vec![(s.value, s.timestamp_ms.unwrap())]))
            .collect();
        let body = encode_remote_write(&series).unwrap();
        let reply = server.call(
            "POST",
            "/api/v1/write",
            None,
            &[("Content-Encoding", "snappy"), ("Content-Type", "application/x-protobuf")],
            &body,
        );
        assert_eq!(reply.status, 204, "{reply:?}");
    }
    // Nothing is evaluated before the clock moves.
    assert_eq!(events(&serve_events).len(), 0);
    server.clock(last, None);
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
    let (served, ran) = (events(&serve_events), events(&run_events));
    assert!(ran.len() > 50, "the example's night has events: {}", ran.len());
    assert_eq!(served.len(), ran.len());
    for (s, r) in served.iter().zip(&ran) {
        assert_eq!(s, r);
    }
}

const PACKAGE: &str = "use std.metrics.node
fleet all = hosts
policy load on all {
  every 10s
  warn when load1 > 4
}
policy memory on all {
  every 10s
  crit when mem.available < 1GiB for 30s
}
";

const T0: i64 = 1_700_000_000;

fn package(dir: &std::path::Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("p.upk");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn every_format_is_taken_and_bad_lines_are_reported_with_the_rest_applied() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        &package(dir.path(), PACKAGE),
        Options { manual_clock: true, ..Default::default() },
    );
    let ok = |path: &str, body: &[u8], headers: &[(&str, &str)]| {
        let reply = server.call("POST", path, None, headers, body);
        assert_eq!(reply.status, 204, "{path}: {reply:?}");
    };
    ok("/write?db=x&precision=s", format!("node,host=a load1=5 {T0}\n").as_bytes(), &[]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(format!("node,host=b load1=1 {}\n", T0 * 1_000_000_000).as_bytes()).unwrap();
    ok("/api/v2/write?org=o&bucket=b", &gz.finish().unwrap(), &[("Content-Encoding", "gzip")]);
    let jsonl = format!(
        "{{\"name\":\"node_load1\",\"labels\":{{\"host\":\"c\"}},\"value\":6,\"timestamp\":{}}}\n",
        T0 * 1000
    );
    ok("/api/v1/import/jsonl", jsonl.as_bytes(), &[]);
    let series = [(vec![("__name__", "node_load1"), ("host", "d")], vec![(7.0, T0 * 1000)])];
    let body = encode_remote_write(&series).unwrap();
    ok("/api/v1/write", &body, &[]);

    // Bad lines: 400, what was wrong, and the good lines applied.
    let mixed = format!("node,host=e load1=9 {T0}\nnode,host=f load1=1.2.3 {T0}\nnot a line\n");
    let reply = server.post("/write?precision=s", None, mixed.as_bytes());
    assert_eq!(reply.status, 400, "{reply:?}");
    let body = reply.json();
    assert_eq!((body["code"].as_str(), body["accepted"].as_u64()), (Some("invalid"), Some(1)));
    assert_eq!(body["rejected_lines"], 2);
    assert_eq!(body["errors"][0]["line"], 2);
    assert!(body["message"].as_str().unwrap().contains("invalid float value `1.2.3`"), "{body}");
    let reply = server.post("/write?precision=h", None, b"x v=1");
    assert_eq!(reply.status, 400);
    assert!(reply.body.contains("precision `h`"), "{}", reply.body);

    // Remote-write: a bad series refused, the rest applied; bad bodies.
    let series = [
        (vec![("__name__", "node_load1"), ("host", "g")], vec![(8.0, T0 * 1000)]),
        (vec![("__name__", "node_load1"), ("host", "h"), ("host", "i")], vec![(8.0, T0 * 1000)]),
    ];
    let body = encode_remote_write(&series).unwrap();
    let reply = server.post("/api/v1/write", None, &body);
    assert_eq!(reply.status, 400, "{reply:?}");
    assert!(
        reply.body.starts_with("accepted 1 samples of 2 series; refused 1 series"),
        "{}",
        reply.body
    );
    assert!(reply.body.contains("duplicate label `host`"), "{}", reply.body);
    assert_eq!(server.post("/api/v1/write", None, b"not snappy").status, 400);
    let reply = server.call("POST", "/api/v1/write", None, &[("Content-Encoding", "gzip")], &body);
    assert_eq!(reply.status, 415);

    // What was accepted is evaluated: hosts a, c, d, e and g have load1 > 4.
    server.clock((T0 + 10) as f64, None);
    let alerts = server.get("/api/v1/alerts?policy=load", None).json();
    let mut hosts: Vec<&str> = alerts["data"]["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["instance"]["host"].as_str().unwrap())
        .collect();
    hosts.sort();
    assert_eq!(hosts, ["a", "c", "d", "e", "g"]);
    let metrics = server.get("/metrics", None).body;
    for line in [
        "upkeep_samples_received_total{format=\"influx\"} 3\n",
        "upkeep_samples_received_total{format=\"jsonl\"} 1\n",
        "upkeep_samples_received_total{format=\"remote_write\"} 2\n",
        "upkeep_bad_lines_total{format=\"influx\"} 2\n",
        "upkeep_bad_lines_total{format=\"remote_write\"} 1\n",
        "upkeep_instance_state{tenant=\"\",policy=\"load\",level=\"warn\",state=\"firing\",host=\"a\"} 1\n",
    ] {
        assert!(metrics.contains(line), "{line} not in:\n{metrics}");
    }
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
}

/// `since` of the levels in the read-side test: T0 (and T0 + 30 s), as
/// `/api/v1/alerts` writes them.
const SINCE: &str = r#""2023-11-14T22:13:20Z""#;
const SINCE_30: &str = r#""2023-11-14T22:13:50Z""#;

#[test]
fn the_read_side_answers_and_filters() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        &package(dir.path(), PACKAGE),
        Options { manual_clock: true, ..Default::default() },
    );
    assert_eq!(server.get("/healthz", None).status, 200);
    assert_eq!(server.get("/readyz", None).status, 200);
    let lines = format!(
        "node,client=acme,host=a load1=5 {T0}\nnode_memory,client=acme,host=a MemAvailable_bytes=1 {T0}\n\
         node,client=globex,host=b load1=5 {T0}\n"
    );
    assert_eq!(server.post("/write?precision=s", None, lines.as_bytes()).status, 204);
    server.clock((T0 + 10) as f64, None);
    let alerts = |query: &str| -> Vec<String> {
        let body = server.get(&format!("/api/v1/alerts{query}"), None).json();
        assert_eq!(body["status"], "success");
        body["data"]["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                format!(
                    "{} {} {} {} {} {}",
                    a["tenant"],
                    a["policy"],
                    a["instance"]["host"],
                    a["level"],
                    a["state"],
                    a["since"]
                )
            })
            .collect()
    };
    assert_eq!(
        alerts(""),
        [
            format!(r#""acme" "load" "a" "warn" "firing" {SINCE}"#),
            format!(r#""globex" "load" "b" "warn" "firing" {SINCE}"#),
            format!(r#""acme" "memory" "a" "crit" "pending" {SINCE}"#),
        ]
    );
    assert_eq!(
        alerts("?tenant=globex"),
        [format!(r#""globex" "load" "b" "warn" "firing" {SINCE}"#)]
    );
    assert_eq!(
        alerts("?level=crit&tenant=acme"),
        [format!(r#""acme" "memory" "a" "crit" "pending" {SINCE}"#)]
    );
    assert_eq!(alerts("?policy=nope"), Vec::<String>::new());
    assert_eq!(server.get("/api/v1/alerts?tenat=acme", None).status, 400);
    let metrics = server.get("/metrics", None);
    assert_eq!(metrics.header("content-type"), Some("text/plain; version=0.0.4; charset=utf-8"));
    assert!(metrics.body.contains("upkeep_evaluations_total 6\n"), "{}", metrics.body);
    assert!(metrics.body.contains("upkeep_evaluation_step_seconds_count 1\n"), "{}", metrics.body);
    assert!(metrics.body.contains("upkeep_clock_manual 1\n"));
    // The memory level fires once its `for` is over.
    let more = format!("node_memory,client=acme,host=a MemAvailable_bytes=1 {}\n", T0 + 30);
    assert_eq!(server.post("/write?precision=s", None, more.as_bytes()).status, 204);
    server.clock((T0 + 40) as f64, None);
    // Firing since its `for` was over: the evaluation at T0 + 30.
    let firing = format!(r#""acme" "memory" "a" "crit" "firing" {SINCE_30}"#);
    assert!(alerts("?level=crit").contains(&firing), "{:?}", alerts("?level=crit"));
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
}

#[path = "serve/lifecycle.rs"]
mod lifecycle;
