//! A `upkeep serve` process for a test: started on a port the OS picks
//! (the server logs the address it listens on), called over 127.0.0.1,
//! stopped with SIGTERM (or killed when the test fails first).

#![allow(dead_code)]

use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a test waits for something the server does (start, a log line,
/// exit) before failing; never an assertion bound, only a give-up point.
pub const PATIENCE: Duration = Duration::from_secs(60);

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `sha256 = "…"` of a token, as the configuration holds it.
pub fn sha256(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// An answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

pub struct Server {
    child: Option<Child>,
    /// `XDG_STATE_HOME` of the server (where its state goes without
    /// --state), when the test gave none: gone with the server.
    _state_home: Option<tempfile::TempDir>,
    pub addr: String,
    log: Arc<Mutex<String>>,
    agent: ureq::Agent,
}

/// How to start a server.
#[derive(Default)]
pub struct Options<'a> {
    pub config: Option<&'a Path>,
    pub manual_clock: bool,
    pub args: Vec<String>,
    /// `XDG_STATE_HOME` for the server [default: a folder of its own].
    pub state_home: Option<&'a Path>,
}

impl Server {
    /// Starts `upkeep serve PACKAGE --listen 127.0.0.1:0 ARGS…` and waits
    /// until it listens.
    pub fn start(package: &Path, options: Options<'_>) -> Server {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("upkeep"));
        cmd.arg("serve").arg(package).args(["--listen", "127.0.0.1:0", "--color", "never"]);
        if let Some(config) = options.config {
            cmd.arg("--config").arg(config);
        }
        cmd.args(&options.args);
        if options.manual_clock {
            cmd.env("UPKEEP_CLOCK", "manual");
        } else {
            cmd.env_remove("UPKEEP_CLOCK");
        }
        let own_home = match options.state_home {
            Some(home) => {
                cmd.env("XDG_STATE_HOME", home);
                None
            }
            None => {
                let home = tempfile::tempdir().unwrap();
                cmd.env("XDG_STATE_HOME", home.path());
                Some(home)
            }
        };
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("starting upkeep serve");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(PATIENCE))
            .build();
        let mut server = Server {
            child: Some(child),
            _state_home: own_home,
            addr: String::new(),
            log,
            agent: config.into(),
        };
        let line = server.wait_for_log("listening on http://");
        server.addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("address")
            .to_string();
        server
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits for a line of the log containing `needle` and returns it;
    /// fails if the server exits first.
    pub fn wait_for_log(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(line) = self.log().lines().find(|l| l.contains(needle)) {
                return line.to_string();
            }
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                std::thread::sleep(Duration::from_millis(50));
                panic!("upkeep serve exited ({status}) before `{needle}`:\n{}", self.log());
            }
            assert!(Instant::now() < deadline, "no `{needle}` in the log:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `method path` with a bearer token (if any), extra headers and a body.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        let uri = self.url(path);
        let mut builder = ureq::http::Request::builder().method(method).uri(&uri);
        if let Some(token) = token {
            builder = builder.header("Authorization", format!("Bearer {token}"));
        }
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let sent = if method == "GET" {
            self.agent.run(builder.body(()).expect("request"))
        } else {
            self.agent.run(builder.body(body.to_vec()).expect("request"))
        };
        let mut response = sent.unwrap_or_else(|e| panic!("{method} {uri}: {e}"));
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().unwrap_or_default();
        Reply { status, headers, body }
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: &[u8]) -> Reply {
        self.call("POST", path, token, &[], body)
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.call("GET", path, token, &[], b"")
    }

    /// Moves the manual clock (as the open server's anonymous admin, or
    /// with `token`) and checks it moved.
    pub fn clock(&self, t: f64, token: Option<&str>) {
        let reply = self.post(&format!("/-/clock?t={t}"), token, b"");
        assert_eq!(reply.status, 200, "{reply:?}");
    }

    pub fn signal(&self, name: &str) {
        let pid = self.child.as_ref().expect("running").id().to_string();
        let status = Command::new("kill").args([&format!("-{name}"), &pid]).status().unwrap();
        assert!(status.success());
    }

    /// SIGTERM, then waits for the exit; returns the status and the log.
    pub fn stop(mut self) -> (ExitStatus, String) {
        self.signal("TERM");
        let mut child = self.child.take().expect("running");
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                // The stderr reader may still hold the last lines.
                std::thread::sleep(Duration::from_millis(100));
                return (status, self.log());
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("upkeep serve did not stop:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The events of a JSON-lines file, each normalized for comparison: the
/// duration of an action's outcome (wall time) removed.
pub fn events(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(|l| {
            let mut e: serde_json::Value = serde_json::from_str(l).unwrap();
            if let Some(outcome) = e.get_mut("outcome").and_then(|o| o.as_object_mut()) {
                outcome.remove("duration_ms");
            }
            e
        })
        .collect()
}
