//! Helpers for tests/exec.rs: fixture scripts written into a temporary
//! directory, requests built around them, and checks on processes.

use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::{Pid, getpgrp};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use upkeep_runtime::exec::{ActionKind, ActionRequest, default_env};

/// Writes an executable `#!/bin/sh` script into `dir`.
pub fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, format!("#!/bin/sh\n{body}")).expect("write script");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod script");
    path
}

/// The recorder: writes each of its arguments, NUL-terminated, to `$OUT`.
pub const RECORD_ARGV: &str = r#"for a in "$@"; do printf '%s\0' "$a"; done > "$OUT"
"#;

/// An `exec` request running `program` with `args` in `cwd`, with the default
/// environment plus `extra`.
pub fn exec(
    program: &Path,
    args: &[&str],
    cwd: &Path,
    extra: &[(&str, &str)],
    timeout: Duration,
) -> ActionRequest {
    let mut argv = vec![program.to_string_lossy().into_owned()];
    argv.extend(args.iter().map(|a| (*a).to_owned()));
    let mut env = default_env();
    env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    ActionRequest {
        key: "acme/disk_space/host=db1/1/0".to_owned(),
        kind: ActionKind::Exec { argv, cwd: cwd.to_owned(), env },
        timeout,
        retry: None,
    }
}

/// The NUL-terminated records of a file written by [`RECORD_ARGV`].
pub fn records(path: &Path) -> Vec<Vec<u8>> {
    let bytes = fs::read(path).expect("the recorder wrote its file");
    assert_eq!(bytes.last(), Some(&0), "records end with NUL");
    bytes[..bytes.len() - 1].split(|b| *b == 0).map(<[u8]>::to_vec).collect()
}

/// The pid written into `path` by a fixture script, waiting for it briefly.
pub fn read_pid(path: &Path) -> i32 {
    for _ in 0..100 {
        if let Ok(text) = fs::read_to_string(path)
            && let Ok(pid) = text.trim().parse()
        {
            return pid;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("no pid in {}", path.display());
}

/// Whether `pid` is a live process: `/proc/PID` exists and is not a zombie.
pub fn alive(pid: i32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name in parentheses: `123 (sleep) S …`.
        Ok(stat) => stat.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z')),
        Err(_) => false,
    }
}

/// Polls until `pid` has gone, for at most `limit`; whether it went.
pub fn gone_within(pid: i32, limit: Duration) -> bool {
    let polls = limit.as_millis() / 20 + 1;
    for _ in 0..polls {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    !alive(pid)
}

/// Kills, when dropped, the processes named by pid files and the process
/// groups they lead, so a failing test leaves no `sleep 300` behind. Only
/// processes still alive are signalled, and never this process's own group.
#[derive(Debug)]
pub struct Reaper(pub Vec<PathBuf>);

impl Drop for Reaper {
    fn drop(&mut self) {
        let own_group = getpgrp();
        for path in &self.0 {
            let Ok(text) = fs::read_to_string(path) else { continue };
            let Ok(pid) = text.trim().parse::<i32>() else { continue };
            let pid = Pid::from_raw(pid);
            if pid != own_group {
                let _ = killpg(pid, Signal::SIGKILL);
            }
            if alive(pid.as_raw()) {
                let _ = kill(pid, Signal::SIGKILL);
            }
        }
    }
}
