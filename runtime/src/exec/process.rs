//! One attempt of an `exec` action: the program in its own process group,
//! without a shell, with a cleared environment; its output captured with a
//! cap; the whole group stopped at the timeout, and whatever the program
//! left behind in its group stopped when it exits.

use super::capture::Reader;
use super::{Attempt, Executor, Failure, Status};
use nix::errno::Errno;
use nix::sys::signal::{Signal, killpg};
use nix::sys::wait::{WaitPidFlag, waitpid};
use nix::unistd::Pid;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The longest sleep between two looks at a running child.
const MAX_POLL: Duration = Duration::from_millis(20);
/// How long the output pipes may stay open once the group has been stopped.
const DRAIN_GRACE: Duration = Duration::from_millis(500);

pub(crate) fn attempt(
    argv: &[String],
    cwd: &Path,
    env: &[(String, String)],
    timeout: Duration,
    executor: &Executor,
) -> Attempt {
    let Some((program, args)) = argv.split_first() else {
        return Attempt::permanent("exec with an empty argument list".to_owned());
    };
    let mut command = Command::new(program);
    command
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // A new process group whose id is the child's pid: its descendants
        // inherit it, so one killpg reaches the whole tree.
        .process_group(0);
    let start = Instant::now();
    let mut child = match spawn(&mut command) {
        Ok(child) => child,
        Err(e) => {
            return Attempt::permanent(format!(
                "cannot start `{program}` in {}: {e}",
                cwd.display()
            ));
        }
    };
    let Ok(raw) = i32::try_from(child.id()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Attempt::permanent("child pid out of range".to_owned());
    };
    let group = Pid::from_raw(raw);
    let (stdout, stderr) = match (child.stdout.take(), child.stderr.take()) {
        (Some(out), Some(err)) => {
            (Reader::spawn(out, executor.output_cap), Reader::spawn(err, executor.output_cap))
        }
        _ => {
            let _ = stop_group(&mut child, group, Duration::ZERO);
            return Attempt::permanent("child without output pipes".to_owned());
        }
    };

    let exited = wait_until(&mut child, start + timeout);
    let timed_out = exited.is_none();
    let status = match exited {
        // The program ended: stop what it left running in its group.
        Some(result) => {
            let _ = stop_group(&mut child, group, executor.kill_grace);
            result
        }
        None => stop_group(&mut child, group, executor.kill_grace),
    };
    let until = Instant::now() + DRAIN_GRACE;
    let stdout = stdout.finish(until);
    let stderr = stderr.finish(until);
    let status = match (timed_out, status) {
        (true, _) => Status::TimedOut,
        (false, Ok(status)) => exit_status(status),
        (false, Err(e)) => Status::Error(format!("waiting for `{program}`: {e}")),
    };
    let retryable = matches!(status, Status::Failed(_) | Status::TimedOut);
    Attempt { status, retryable, stdout, stderr }
}

/// Starts the command. "Text file busy" (ETXTBSY) — the program file is
/// still open for writing somewhere, often only for the instant between
/// another thread's fork and exec — is retried a few times, briefly.
fn spawn(command: &mut Command) -> std::io::Result<Child> {
    let mut tries = 0;
    loop {
        match command.spawn() {
            Err(e) if e.raw_os_error() == Some(Errno::ETXTBSY as i32) && tries < 10 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
            result => return result,
        }
    }
}

fn exit_status(status: ExitStatus) -> Status {
    match (status.code(), status.signal()) {
        (Some(0), _) => Status::Succeeded,
        (Some(code), _) => Status::Failed(Failure::Exit(code)),
        (None, Some(signal)) => Status::Failed(Failure::Signal(signal)),
        (None, None) => Status::Error(format!("unknown exit status {status}")),
    }
}

/// Waits for the child to exit, until `deadline`; `None` if it is still
/// running then. The loop ends at the deadline at the latest.
fn wait_until(child: &mut Child, deadline: Instant) -> Option<std::io::Result<ExitStatus>> {
    let mut poll = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(Ok(status)),
            Ok(None) => {}
            Err(e) => return Some(Err(e)),
        }
        let now = Instant::now();
        if now >= deadline {
            return None;
        }
        std::thread::sleep(poll.min(deadline - now));
        poll = (poll * 2).min(MAX_POLL);
    }
}

/// Stops the process group led by `child`: nothing to do if the child has
/// exited and the group is empty; otherwise SIGTERM to the group, up to
/// `grace` for the child to exit and the group to empty, then SIGKILL to the
/// group. Returns the child's exit status (it is always reaped).
fn stop_group(child: &mut Child, group: Pid, grace: Duration) -> std::io::Result<ExitStatus> {
    let mut exit = child.try_wait()?;
    if let Some(status) = exit
        && group_is_empty(group)
    {
        return Ok(status);
    }
    let _ = killpg(group, Signal::SIGTERM);
    let until = Instant::now() + grace;
    let mut poll = Duration::from_millis(1);
    loop {
        if exit.is_none() {
            exit = child.try_wait()?;
        }
        if let Some(status) = exit
            && group_is_empty(group)
        {
            return Ok(status);
        }
        let now = Instant::now();
        if now >= until {
            break;
        }
        std::thread::sleep(poll.min(until - now));
        poll = (poll * 2).min(MAX_POLL);
    }
    let _ = killpg(group, Signal::SIGKILL);
    let status = match exit {
        Some(status) => status,
        None => child.wait()?,
    };
    reap_group(group);
    Ok(status)
}

/// Whether no process is left in the group. Only asked once the leader has
/// been reaped (its zombie would count otherwise). Orphans in the group that
/// were re-parented to this process (when it is PID 1 or a subreaper) are
/// reaped here, so their zombies do not count either.
fn group_is_empty(group: Pid) -> bool {
    reap_group(group);
    matches!(killpg(group, None), Err(Errno::ESRCH))
}

/// Reaps exited members of the group that are this process's children, if
/// any; never blocks. Called only after the group's leader has been reaped,
/// so it cannot take the leader's status from [`Child`].
fn reap_group(group: Pid) {
    let members = Pid::from_raw(-group.as_raw());
    // Bounded: a group holds finitely many exited children, and the loop
    // stops at the first call that reaps nothing.
    for _ in 0..1024 {
        match waitpid(members, Some(WaitPidFlag::WNOHANG)) {
            Ok(nix::sys::wait::WaitStatus::StillAlive) | Err(_) => break,
            Ok(_) => {}
        }
    }
}
