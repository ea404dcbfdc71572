//! A server's life: graceful shutdown with a last checkpoint that a restart
//! continues from, and reloads (a broken package refused while the old one
//! keeps evaluating; a changed threshold taking effect; SIGHUP and `POST
//! /-/reload`).

use super::harness::{Options, Server, events};
use super::{PACKAGE, T0, package};
use upkeep_runtime::store::Store;

fn options(state: &std::path::Path, events: &std::path::Path) -> Options<'static> {
    Options {
        manual_clock: true,
        args: vec![
            "--state".into(),
            state.display().to_string(),
            "--events".into(),
            events.display().to_string(),
        ],
        ..Options::default()
    }
}

fn load(server: &Server, host: &str, value: f64, t: i64) {
    let line = format!("node,host={host} load1={value} {t}\n");
    let reply = server.post("/write?precision=s", None, line.as_bytes());
    assert_eq!(reply.status, 204, "{reply:?}");
}

/// The hosts of the `load` policy's non-ok instances.
fn loaded(server: &Server) -> Vec<String> {
    let body = server.get("/api/v1/alerts?policy=load", None).json();
    let mut hosts: Vec<String> = body["data"]["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["instance"]["host"].as_str().unwrap().to_string())
        .collect();
    hosts.sort();
    hosts
}

fn kinds(path: &std::path::Path) -> Vec<String> {
    events(path)
        .iter()
        .map(|e| {
            format!(
                "{} {} {}",
                e["kind"].as_str().unwrap(),
                e["policy"].as_str().unwrap(),
                e["instance"]["host"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn a_stop_saves_a_checkpoint_that_a_restart_continues_from() {
    let dir = tempfile::tempdir().unwrap();
    let (state, events_file) = (dir.path().join("state.db"), dir.path().join("events.jsonl"));
    let pkg = package(dir.path(), PACKAGE);
    let server = Server::start(&pkg, options(&state, &events_file));
    load(&server, "a", 5.0, T0);
    server.clock((T0 + 10) as f64, None);
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
    assert!(log.contains("SIGTERM: stopping") && log.contains("stopped; state saved"), "{log}");
    let checkpoint = Store::open(&state).unwrap().load_checkpoint().unwrap().expect("a checkpoint");
    assert_eq!(checkpoint.position.watermark, Some((T0 + 10) as f64));
    assert!(checkpoint.snapshot.is_some());
    assert_eq!(kinds(&events_file), ["firing load a"]);

    let mut server = Server::start(&pkg, options(&state, &events_file));
    server.wait_for_log(&format!("continuing from the checkpoint at {}.000", T0 + 10));
    assert_eq!(loaded(&server), ["a"], "the instance kept its state");
    load(&server, "a", 1.0, T0 + 20);
    server.clock((T0 + 20) as f64, None);
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
    assert_eq!(kinds(&events_file), ["firing load a", "resolved load a"]);
}

/// Available memory of host `m` far below the `memory` policy's 1 GiB.
fn low_memory(server: &Server, t: i64) {
    let line = format!("node_memory,host=m MemAvailable_bytes=1 {t}\n");
    assert_eq!(server.post("/write?precision=s", None, line.as_bytes()).status, 204);
}

fn memory_state(server: &Server) -> String {
    let body = server.get("/api/v1/alerts?policy=memory", None).json();
    body["data"]["alerts"][0]["state"].as_str().unwrap_or("ok").to_string()
}

#[test]
fn a_reload_refuses_a_broken_package_and_keeps_unchanged_policies_state() {
    let dir = tempfile::tempdir().unwrap();
    let (state, events_file) = (dir.path().join("state.db"), dir.path().join("events.jsonl"));
    let pkg = package(dir.path(), PACKAGE);
    let mut server = Server::start(&pkg, options(&state, &events_file));
    load(&server, "a", 5.0, T0);
    low_memory(&server, T0);
    server.clock((T0 + 10) as f64, None);
    assert_eq!(loaded(&server), ["a"]);
    assert_eq!(memory_state(&server), "pending", "`for 30s` runs from T0");

    std::fs::write(&pkg, PACKAGE.replace("warn when load1 > 4", "warn when load1 >")).unwrap();
    let reply = server.post("/-/reload", None, b"");
    assert_eq!(reply.status, 422, "{reply:?}");
    let body = reply.json();
    assert_eq!(body["status"], "refused");
    assert!(body["diagnostics"].as_str().unwrap().contains("expected an expression"), "{body}");
    // The log is read by another thread: wait (bounded) for the line.
    server.wait_for_log("reload refused, the running package stays");
    // The old package goes on evaluating.
    load(&server, "b", 5.0, T0 + 20);
    low_memory(&server, T0 + 20);
    server.clock((T0 + 20) as f64, None);
    assert_eq!(loaded(&server), ["a", "b"]);

    // A higher threshold for `load`, by SIGHUP: 5 no longer fires, 7 does;
    // `memory` is unchanged and its `for` goes on from T0.
    std::fs::write(&pkg, PACKAGE.replace("load1 > 4", "load1 > 6")).unwrap();
    server.signal("HUP");
    server.wait_for_log("reloaded: 2 policies, 1 unchanged");
    load(&server, "c", 5.0, T0 + 30);
    load(&server, "d", 7.0, T0 + 30);
    low_memory(&server, T0 + 30);
    server.clock((T0 + 30) as f64, None);
    assert_eq!(loaded(&server), ["d"]);
    assert_eq!(memory_state(&server), "firing", "30s after T0, not after the reload");
    let reply = server.post("/-/reload", None, b"");
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json()["report"]["unchanged"], 2);
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
    assert_eq!(
        kinds(&events_file),
        ["firing load a", "pending memory m", "firing load b", "firing load d", "firing memory m",]
    );

    // The state file now belongs to the new package: a restart takes it.
    let mut server = Server::start(&pkg, options(&state, &events_file));
    server.wait_for_log("continuing from the checkpoint");
    assert_eq!(memory_state(&server), "firing");
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
}

#[test]
fn a_request_in_flight_at_the_signal_is_finished_and_its_samples_kept() {
    use std::io::{BufRead, BufReader, Write};
    let dir = tempfile::tempdir().unwrap();
    let (state, events_file) = (dir.path().join("state.db"), dir.path().join("events.jsonl"));
    let pkg = package(dir.path(), PACKAGE);
    let mut server = Server::start(&pkg, options(&state, &events_file));
    server.clock((T0 + 10) as f64, None);
    // A request whose body is half sent when SIGTERM comes.
    let mut stream =
        std::net::TcpStream::connect(server.addr.trim_start_matches("http://")).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
    let head = format!(
        "POST /write?precision=s HTTP/1.1\r\nHost: {}\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n",
        server.addr
    );
    let line = format!("node,host=in-flight load1=5 {}\n", T0 + 5);
    let (first, rest) = line.split_at(10);
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(format!("{:x}\r\n{first}\r\n", first.len()).as_bytes()).unwrap();
    stream.flush().unwrap();
    server.signal("TERM");
    server.wait_for_log("SIGTERM: stopping");
    stream.write_all(format!("{:x}\r\n{rest}\r\n0\r\n\r\n", rest.len()).as_bytes()).unwrap();
    let mut status = String::new();
    BufReader::new(stream).read_line(&mut status).unwrap();
    assert!(status.starts_with("HTTP/1.1 204"), "{status}");
    let (exit, log) = server.stop();
    assert!(exit.success(), "{log}");
    // Its sample was applied before the last checkpoint: the saved engine
    // holds the host's series (its name is in the snapshot's bytes).
    let checkpoint = Store::open(&state).unwrap().load_checkpoint().unwrap().expect("a checkpoint");
    let data = checkpoint.snapshot.expect("the engine's snapshot").data;
    let holds = |name: &[u8]| data.windows(name.len()).any(|w| w == name);
    assert!(holds(b"in-flight"), "{log}");
    assert!(!holds(b"never-sent"));
}

#[test]
fn without_state_the_service_keeps_it_in_the_default_place_and_no_state_keeps_none() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = package(dir.path(), PACKAGE);
    let home = dir.path().join("state-home");
    let options = || Options { manual_clock: true, state_home: Some(&home), ..Options::default() };
    let server = Server::start(&pkg, options());
    load(&server, "a", 5.0, T0);
    server.clock((T0 + 10) as f64, None);
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
    let default = home.join("upkeep/state.db");
    assert!(log.contains(&format!("state: {}", default.display())), "{log}");
    let saved = Store::open(&default).unwrap().load_checkpoint().unwrap().expect("a checkpoint");
    assert_eq!(saved.position.watermark, Some((T0 + 10) as f64));

    let other = dir.path().join("other-home");
    let trial = Server::start(
        &pkg,
        Options { args: vec!["--no-state".into()], state_home: Some(&other), ..options() },
    );
    let (status, log) = trial.stop();
    assert!(status.success() && log.contains("state: in memory (--no-state)"), "{log}");
    assert!(!other.join("upkeep").exists());
}
