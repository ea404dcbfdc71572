//! `upkeep serve`'s security over real HTTP: 401 without a valid token on
//! every endpoint that needs one, a tenant token confined to its tenant's
//! series and instances (403 otherwise), admin-only endpoints, the body
//! limit (413), the per-token rate limit (429), and the manual clock that
//! cannot be turned on by accident.

#[path = "serve/harness.rs"]
mod harness;

use harness::{Options, Reply, Server, sha256};
use std::io::Write;
use upkeep_runtime::decode::remote_write::encode_remote_write;

const ACME: &str = "acme-token-0123456789";
const GLOBEX: &str = "globex-token-0123456789";
const ADMIN: &str = "admin-token-0123456789";
const SLOW: &str = "slow-token-0123456789";
const T0: i64 = 1_700_000_000;

const PACKAGE: &str = "use std.metrics.node
fleet all = hosts
policy load on all {
  every 10s
  warn when load1 > 4
}
";

/// A server with four tokens, small limits, on the manual clock.
fn server(dir: &std::path::Path) -> Server {
    let config = format!(
        "[serve]\nmax_body_bytes = 4096\nmax_decompressed_bytes = 8192\n\
         [[serve.tokens]]\nname = \"acme-agents\"\nsha256 = \"{}\"\ntenant = \"acme\"\n\
         [[serve.tokens]]\nname = \"globex-agents\"\nsha256 = \"{}\"\ntenant = \"globex\"\n\
         [[serve.tokens]]\nname = \"ops\"\nsha256 = \"{}\"\nadmin = true\n\
         [[serve.tokens]]\nname = \"slow\"\nsha256 = \"{}\"\ntenant = \"slow\"\nrate = 0.001\nburst = 2\n",
        sha256(ACME),
        sha256(GLOBEX),
        sha256(ADMIN),
        sha256(SLOW)
    );
    std::fs::write(dir.join("runtime.toml"), config).unwrap();
    std::fs::write(dir.join("p.upk"), PACKAGE).unwrap();
    let options = Options {
        config: Some(&dir.join("runtime.toml")),
        manual_clock: true,
        ..Default::default()
    };
    Server::start(&dir.join("p.upk"), options)
}

const ENDPOINTS: [(&str, &str); 9] = [
    ("POST", "/write"),
    ("POST", "/api/v2/write"),
    ("POST", "/api/v1/write"),
    ("POST", "/api/v1/import/jsonl"),
    ("POST", "/api/v1/import/prometheus"),
    ("GET", "/metrics"),
    ("GET", "/api/v1/alerts"),
    ("POST", "/-/reload"),
    ("POST", "/-/clock?t=1"),
];

#[test]
fn every_endpoint_but_the_probes_wants_a_valid_token() {
    let dir = tempfile::tempdir().unwrap();
    let server = server(dir.path());
    for (method, path) in ENDPOINTS {
        let none = server.call(method, path, None, &[], b"");
        assert_eq!(none.status, 401, "{method} {path}: {none:?}");
        assert_eq!(none.header("www-authenticate"), Some("Bearer"), "{path}");
        let wrong = server.call(method, path, Some("not-a-token"), &[], b"");
        assert_eq!(wrong.status, 401, "{method} {path}: {wrong:?}");
        assert!(wrong.body.contains("not valid"), "{path}: {}", wrong.body);
    }
    assert_eq!(server.get("/healthz", None).status, 200);
    assert_eq!(server.get("/readyz", None).status, 200);
    // Telegraf's ways of sending a token: `Token …`, and Basic's password.
    let line = format!("node,host=a load1=1 {T0}");
    let token = format!("Token {ACME}");
    let reply = server.call(
        "POST",
        "/api/v2/write?precision=s",
        None,
        &[("Authorization", &token)],
        line.as_bytes(),
    );
    assert_eq!(reply.status, 204, "{reply:?}");
    // "telegraf:<ACME>"
    let basic = "Basic dGVsZWdyYWY6YWNtZS10b2tlbi0wMTIzNDU2Nzg5";
    let reply = server.call(
        "POST",
        "/write?precision=s",
        None,
        &[("Authorization", basic)],
        line.as_bytes(),
    );
    assert_eq!(reply.status, 204, "{reply:?}");
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
    for secret in [ACME, GLOBEX, ADMIN, SLOW] {
        assert!(!log.contains(secret), "a token in the log:\n{log}");
    }
}

fn alerts(server: &Server, token: &str, query: &str) -> Reply {
    server.get(&format!("/api/v1/alerts{query}"), Some(token))
}

fn tenants(reply: &Reply) -> Vec<String> {
    assert_eq!(reply.status, 200, "{reply:?}");
    let body = reply.json();
    body["data"]["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            format!(
                "{}/{}",
                a["tenant"].as_str().unwrap_or("-"),
                a["instance"]["host"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn a_tenant_token_writes_and_reads_only_its_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let server = server(dir.path());
    let write =
        |token: &str, lines: &str| server.post("/write?precision=s", Some(token), lines.as_bytes());
    // No `client` label: the token's tenant is given.
    assert_eq!(write(ACME, &format!("node,host=a load1=5 {T0}")).status, 204);
    assert_eq!(write(ACME, &format!("node,client=acme,host=c load1=5 {T0}")).status, 204);
    // Another tenant's sample refuses the whole request.
    let mixed = format!("node,host=d load1=5 {T0}\nnode,client=globex,host=e load1=5 {T0}");
    let reply = write(ACME, &mixed);
    assert_eq!(reply.status, 403, "{reply:?}");
    assert_eq!(reply.json()["code"], "forbidden");
    assert!(
        reply.json()["message"].as_str().unwrap().contains("client=\"globex\""),
        "{}",
        reply.body
    );
    let series = [(
        vec![("__name__", "node_load1"), ("client", "globex"), ("host", "f")],
        vec![(5.0, T0 * 1000)],
    )];
    let reply = server.post("/api/v1/write", Some(ACME), &encode_remote_write(&series).unwrap());
    assert_eq!(reply.status, 403, "{reply:?}");
    // The admin writes for anyone.
    assert_eq!(write(ADMIN, &format!("node,client=globex,host=b load1=5 {T0}")).status, 204);
    assert_eq!(write(ADMIN, &format!("node,host=p load1=5 {T0}")).status, 204);
    server.clock((T0 + 10) as f64, Some(ADMIN));

    assert_eq!(tenants(&alerts(&server, ACME, "")), ["acme/a", "acme/c"]);
    assert_eq!(tenants(&alerts(&server, ACME, "?tenant=acme")), ["acme/a", "acme/c"]);
    assert_eq!(tenants(&alerts(&server, GLOBEX, "")), ["globex/b"]);
    assert_eq!(tenants(&alerts(&server, ADMIN, "")), ["acme/a", "acme/c", "globex/b", "-/p"]);
    assert_eq!(tenants(&alerts(&server, ADMIN, "?tenant=globex")), ["globex/b"]);
    let reply = alerts(&server, ACME, "?tenant=globex");
    assert_eq!(reply.status, 403, "{reply:?}");
    assert!(reply.body.contains("may only read tenant `acme`"), "{}", reply.body);

    let metrics = server.get("/metrics", Some(ACME));
    assert_eq!(metrics.status, 200);
    assert_eq!(
        metrics.body.matches("upkeep_instance_state{tenant=\"acme\"").count(),
        2,
        "{}",
        metrics.body
    );
    assert!(
        !metrics.body.contains("globex") && !metrics.body.contains("tenant=\"\""),
        "{}",
        metrics.body
    );
    assert!(!metrics.body.contains("upkeep_samples_received_total"), "{}", metrics.body);
    let all = server.get("/metrics", Some(ADMIN)).body;
    // The refused requests applied nothing: 4 samples were received.
    assert!(all.contains("upkeep_samples_received_total{format=\"influx\"} 4\n"), "{all}");
    assert!(
        all.contains("upkeep_http_requests_total{endpoint=\"write\",code=\"403\"} 1\n"),
        "{all}"
    );

    for path in ["/-/reload", "/-/clock?t=1700000020"] {
        let reply = server.post(path, Some(ACME), b"");
        assert_eq!(reply.status, 403, "{path}: {reply:?}");
    }
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
}

/// POSTs `body` to /write in chunks of 1 KiB, without a Content-Length, as
/// an admin, over a raw connection; returns the answer's status.
fn chunked_status(addr: &str, body: &[u8]) -> u16 {
    use std::io::{BufRead, BufReader};
    let mut stream = std::net::TcpStream::connect(addr.trim_start_matches("http://")).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
    let head = format!(
        "POST /write?precision=s HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {ADMIN}\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    for chunk in body.chunks(1024) {
        // The server may answer and close before the last chunk.
        if stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).is_err()
            || stream.write_all(chunk).is_err()
            || stream.write_all(b"\r\n").is_err()
        {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n");
    let mut status = String::new();
    BufReader::new(stream).read_line(&mut status).unwrap();
    status.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0)
}

#[test]
fn bodies_over_the_limit_get_413_and_callers_over_their_rate_429() {
    let dir = tempfile::tempdir().unwrap();
    let server = server(dir.path());
    let big = format!("node,host=a load1=1 {T0}\n").repeat(200);
    assert!(big.len() > 4096);
    let reply = server.post("/write?precision=s", Some(ADMIN), big.as_bytes());
    assert_eq!(reply.status, 413, "{reply:?}");
    assert_eq!(reply.json()["code"], "request too large");
    let reply = server.post("/api/v1/write", Some(ADMIN), big.as_bytes());
    assert_eq!(reply.status, 413, "{reply:?}");
    // A small gzip body that inflates past max_decompressed_bytes.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![b'\n'; 100_000]).unwrap();
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 4096);
    let reply = server.call("POST", "/write", Some(ADMIN), &[("Content-Encoding", "gzip")], &bomb);
    assert_eq!(reply.status, 413, "{reply:?}");
    assert!(reply.body.contains("inflates to more than"), "{}", reply.body);
    // A chunked body (no Content-Length) is cut at the limit too.
    assert_eq!(chunked_status(&server.addr, big.as_bytes()), 413);

    // `slow` may make two requests at once, then one every 1,000 s.
    let line = format!("node,host=s load1=1 {T0}");
    for _ in 0..2 {
        assert_eq!(server.post("/write?precision=s", Some(SLOW), line.as_bytes()).status, 204);
    }
    let reply = server.post("/write?precision=s", Some(SLOW), line.as_bytes());
    assert_eq!(reply.status, 429, "{reply:?}");
    let wait: u64 = reply.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!(wait >= 900, "{wait}");
    assert_eq!(server.get("/metrics", Some(SLOW)).status, 429);
    // Other tokens are not held back.
    assert_eq!(server.post("/write?precision=s", Some(ACME), line.as_bytes()).status, 204);
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
}

#[test]
fn the_manual_clock_is_off_unless_asked_and_never_off_loopback() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.upk"), PACKAGE).unwrap();
    let package = dir.path().join("p.upk");
    let server = Server::start(&package, Options::default());
    assert_eq!(server.post("/-/clock?t=1700000000", None, b"").status, 404);
    let metrics = server.get("/metrics", None).body;
    assert!(metrics.contains("upkeep_clock_manual 0\n"), "{metrics}");
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");

    let refused = |manual: bool| {
        let mut cmd = assert_cmd::Command::cargo_bin("upkeep").unwrap();
        cmd.arg("serve").arg(&package).args(["--listen", "0.0.0.0:0"]);
        cmd.timeout(harness::PATIENCE);
        if manual {
            cmd.env("UPKEEP_CLOCK", "manual");
        }
        let out = cmd.assert().code(2).get_output().stderr.clone();
        String::from_utf8(out).unwrap()
    };
    assert!(
        refused(false)
            .contains("refusing to listen on 0.0.0.0:0 (not loopback): no [[serve.tokens]]")
    );
    let config = dir.path().join("runtime.toml");
    let token =
        format!("[[serve.tokens]]\nname = \"ops\"\nsha256 = \"{}\"\nadmin = true\n", sha256(ADMIN));
    std::fs::write(&config, token).unwrap();
    let mut cmd = assert_cmd::Command::cargo_bin("upkeep").unwrap();
    cmd.arg("serve").arg(&package).args(["--listen", "0.0.0.0:0", "--config"]).arg(&config);
    cmd.env("UPKEEP_CLOCK", "manual").timeout(harness::PATIENCE);
    let out = cmd.assert().code(2).get_output().stderr.clone();
    assert!(String::from_utf8(out).unwrap().contains("UPKEEP_CLOCK=manual"));
    let _ = refused(true);
}
