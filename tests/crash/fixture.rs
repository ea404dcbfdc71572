//! The crash test's world: a package whose remediation verifies and fails,
//! with three escalation steps; a remediation program that records each
//! run and can be made slow; a notification file; a metric stream fed
//! line by line through a pipe; and the runtime started, killed with
//! SIGKILL, and started again on the same state.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// 2026-11-28T00:00:00Z.
pub const T0: u64 = 1_795_824_000;

pub struct World {
    pub dir: tempfile::TempDir,
}

impl World {
    pub fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // Records each run (one line: its arguments); sleeps while the file
        // `slow` exists, after saying it started, so that a test can kill the
        // runtime in the middle of it.
        let fix = root.join("fix");
        std::fs::write(
            &fix,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{runs}'\n\
                 if [ -e '{slow}' ]; then echo $$ > '{started}'; while [ -e '{slow}' ]; do sleep 0.05; done; fi\n\
                 echo \"fixed $1\"\n",
                runs = root.join("runs").display(),
                slow = root.join("slow").display(),
                started = root.join("started").display(),
            ),
        )
        .unwrap();
        std::fs::set_permissions(&fix, std::fs::Permissions::from_mode(0o755)).unwrap();
        let pkg = root.join("pkg");
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(pkg.join("upkeep.toml"), "[package]\nname = \"crash\"\n").unwrap();
        std::fs::write(pkg.join("app.upk"), package(&fix)).unwrap();
        std::fs::write(
            root.join("runtime.toml"),
            format!(
                "[exec]\nvia = []\ntimeout = \"1m\"\n\n[channels.page]\nkind = \"file\"\npath = \"{}\"\n",
                root.join("pages.jsonl").display()
            ),
        )
        .unwrap();
        World { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `upkeep run` reading the stream from its standard input.
    pub fn start(&self) -> Child {
        Command::new(assert_cmd::cargo::cargo_bin("upkeep"))
            .args(["run", "pkg", "--input", "-", "--format", "prom"])
            .args(["--config", "runtime.toml", "--state", "state.db", "--events", "events.jsonl"])
            .args(["--checkpoint-every", "1m"])
            .current_dir(self.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// Feeds minutes `from..to` of the stream.
    pub fn feed(child: &mut Child, from: u64, to: u64) {
        let stdin = child.stdin.as_mut().unwrap();
        stdin.write_all(stream(from, to).as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    /// Feeds the whole stream, closes the input and waits for the end.
    pub fn finish(mut child: Child) -> String {
        World::feed(&mut child, 0, MINUTES);
        drop(child.stdin.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{stderr}");
        stderr
    }

    /// Waits (bounded) until `check` holds for the events written so far.
    pub fn wait_for(&self, what: &str, check: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let events = std::fs::read_to_string(self.path("events.jsonl")).unwrap_or_default();
            if check(&events) {
                return;
            }
            assert!(Instant::now() < deadline, "waited a minute for {what}; events:\n{events}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A file of the world, with its folder written `DIR`.
    pub fn read(&self, name: &str) -> String {
        let text = std::fs::read_to_string(self.path(name)).unwrap_or_default();
        text.replace(&self.dir.path().display().to_string(), "DIR")
    }

    pub fn events(&self) -> Vec<serde_json::Value> {
        normalized(&self.read("events.jsonl"), self.dir.path())
    }
}

/// SIGKILL, as a crash: no flush, no last checkpoint.
pub fn kill(mut child: Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

fn package(fix: &Path) -> String {
    format!(
        r#"metric app.errors: gauge<count> from "app_errors"
fleet all = hosts
action fix(host: host) = exec ["{fix}", host]
action page(who: text) = notify "page:{{who}}"
policy app on all {{
  every 1m
  let errors = app.errors
  crit when errors > 10 for 3m
  message "{{host}}: {{errors}} errors"
  on crit {{
    fix(host) timeout 1m
    verify errors < 10 within 5m
  }}
  escalate {{
    after 10m page("first")
    after 20m page("second")
    after 30m page("third")
  }}
}}
"#,
        fix = fix.display()
    )
}

/// Minutes in the stream.
pub const MINUTES: u64 = 80;

/// One sample a minute per host. h1's errors are high from minute 5 to 60
/// (pending at 5, firing at 8, the fix at 8, its verify fails at 13: the
/// escalation starts then, its steps 10 minutes apart); h2's from 20 to 24
/// (pending, then cancelled: it never fires).
fn stream(from: u64, to: u64) -> String {
    let mut s = String::new();
    for m in from..to {
        let t = (T0 + 60 * m) * 1000;
        let h1 = if (5..60).contains(&m) { 50 } else { 0 };
        let h2 = if (20..22).contains(&m) { 50 } else { 0 };
        s += &format!("app_errors{{host=\"h1\"}} {h1} {t}\napp_errors{{host=\"h2\"}} {h2} {t}\n");
    }
    s
}

/// The events without what differs from run to run: how long actions
/// took, and the temporary folder.
pub fn normalized(events: &str, dir: &Path) -> Vec<serde_json::Value> {
    let dir = dir.display().to_string();
    events
        .replace(&dir, "DIR")
        .lines()
        .map(|l| {
            let mut e: serde_json::Value = serde_json::from_str(l).unwrap();
            if let Some(o) = e.get_mut("outcome").and_then(|o| o.as_object_mut()) {
                o.remove("duration_ms");
            }
            e
        })
        .collect()
}
