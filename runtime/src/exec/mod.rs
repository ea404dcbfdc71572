//! The executor: runs the remediation actions that policies call, `exec` and
//! `webhook`, under the guards `timeout` and `retry N backoff D`.
//!
//! The engine decides *that* an action runs and renders its arguments (label
//! values filled into `{label}` templates); this module decides *how*: an
//! [`ActionRequest`] holds the finished argv or JSON body, and [`run`] (or
//! [`Executor::run`]) performs it and returns an [`ActionOutcome`]. Calls
//! block; the runtime calls them from worker threads, any number at once.
//!
//! - `exec` ([`ActionKind::Exec`]) never goes through a shell: each argv
//!   element reaches the program as one argument, whatever it contains. The
//!   environment is cleared except for the variables the request carries
//!   ([`default_env`], [`env_with_allow_list`]); the working directory is
//!   set; stdin is `/dev/null`; stdout and stderr are captured with a cap.
//!   The program runs in its own process group, and the whole group is
//!   killed at the timeout (SIGTERM, a grace period, SIGKILL), and when the
//!   program exits with processes left behind.
//! - `webhook` ([`ActionKind::Webhook`]) POSTs the JSON body, serialized by
//!   `serde_json` (so label values arrive escaped), with the idempotency key
//!   in `X-Upkeep-Key` and, when a secret is configured, an HMAC-SHA256 of
//!   the exact body bytes in `X-Upkeep-Signature` ([`signature`]).
//!
//! `docs/actions.md` describes the behaviour for operators and receivers.

mod capture;
mod prepare;
mod process;
mod webhook;

pub use prepare::{Limits, PrepareError, Prepared, prepare};
pub use webhook::{header_key, signature};

use serde_json::{Value, json};
use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// `PATH` of an `exec` child unless the configuration says otherwise.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/// `LANG` of an `exec` child unless the configuration says otherwise.
pub const DEFAULT_LANG: &str = "C.UTF-8";
/// Bytes kept of each output stream (stdout, stderr, a webhook's response).
pub const DEFAULT_OUTPUT_CAP: usize = 64 * 1024;
/// Time between SIGTERM and SIGKILL when a process group is stopped.
pub const DEFAULT_KILL_GRACE: Duration = Duration::from_secs(2);
/// Longer timeouts (and grace periods) are cut to this: a year.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 3600);

/// One action to perform, fully rendered by the caller.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionRequest {
    /// The idempotency key (`tenant/policy/instance/episode/step`, see
    /// `docs/events.md`): the same for every attempt of one remediation.
    pub key: String,
    /// What to do.
    pub kind: ActionKind,
    /// The limit of each attempt (`timeout D`).
    pub timeout: Duration,
    /// `retry N backoff D`: at most N more attempts after the first, with D
    /// between two attempts. `None` (or N = 0) is a single attempt.
    pub retry: Option<(u32, Duration)>,
}

/// The two kinds of remediation the executor performs.
#[derive(Clone, Debug, PartialEq)]
pub enum ActionKind {
    /// Run a program directly (never through a shell).
    Exec {
        /// The program (looked up in the child's `PATH` when it has no `/`)
        /// and its arguments, each passed as exactly one argument.
        argv: Vec<String>,
        /// The working directory of the program.
        cwd: PathBuf,
        /// The whole environment of the program: nothing else is inherited.
        env: Vec<(String, String)>,
    },
    /// POST a JSON body to a URL.
    Webhook {
        /// An `http://` or `https://` URL.
        url: String,
        /// The payload; serialized once, and those bytes are sent and signed.
        body: Value,
        /// Extra headers (`Authorization`, …). The executor's own headers
        /// (`Content-Type`, `Content-Length`, `X-Upkeep-*`) may not be set here.
        headers: Vec<(String, String)>,
        /// The HMAC-SHA256 key for `X-Upkeep-Signature`; no header without it.
        hmac_secret: Option<Vec<u8>>,
    },
}

/// How an action ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// The program exited 0, or the receiver answered 2xx.
    Succeeded,
    /// The program or the receiver reported a failure.
    Failed(Failure),
    /// The last attempt ran into its timeout (its process group was killed).
    TimedOut,
    /// The action could not be performed: a program that cannot be started,
    /// an invalid request, a connection that could not be made.
    Error(String),
    /// Dry run: recorded, nothing was run.
    DryRun,
}

/// The failure a program or a receiver reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The program exited with this non-zero code.
    Exit(i32),
    /// The program was ended by this signal (not sent by the executor).
    Signal(i32),
    /// The receiver answered with this non-2xx HTTP status.
    Http(u16),
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Succeeded => f.write_str("succeeded"),
            Status::Failed(Failure::Exit(code)) => write!(f, "failed: exit code {code}"),
            Status::Failed(Failure::Signal(sig)) => write!(f, "failed: killed by signal {sig}"),
            Status::Failed(Failure::Http(code)) => write!(f, "failed: HTTP {code}"),
            Status::TimedOut => f.write_str("timed out"),
            Status::Error(message) => write!(f, "error: {message}"),
            Status::DryRun => f.write_str("dry run"),
        }
    }
}

/// What [`run`] reports.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionOutcome {
    /// How the last attempt ended.
    pub status: Status,
    /// Attempts made: 1 + the retries used; 0 in a dry run.
    pub attempts: u32,
    /// Wall-clock time of all attempts and the waits between them.
    pub duration: Duration,
    /// The last attempt's stdout (for a webhook: the response body), capped;
    /// in a dry run, the one-line description of what would have run.
    pub stdout_excerpt: String,
    /// The last attempt's stderr, capped; empty for a webhook.
    pub stderr_excerpt: String,
}

impl ActionOutcome {
    /// The outcome as JSON, for events and logs: `status` as text,
    /// `attempts`, `duration_ms`, `stdout`, `stderr`.
    pub fn to_json(&self) -> Value {
        json!({
            "status": self.status.to_string(),
            "attempts": self.attempts,
            "duration_ms": u64::try_from(self.duration.as_millis()).unwrap_or(u64::MAX),
            "stdout": self.stdout_excerpt,
            "stderr": self.stderr_excerpt,
        })
    }
}

/// Whether actions are performed or only recorded (`dry run`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    /// Perform the action.
    #[default]
    Live,
    /// Record what would run; start no process, send no request.
    DryRun,
}

/// The executor's settings; [`Executor::default`] is what [`run`] uses.
#[derive(Clone, Debug)]
pub struct Executor {
    /// Live or dry run.
    pub mode: Mode,
    /// Bytes kept of each output stream: the first and the last half.
    pub output_cap: usize,
    /// Time between SIGTERM and SIGKILL when a process group is stopped.
    pub kill_grace: Duration,
}

impl Default for Executor {
    fn default() -> Self {
        Executor {
            mode: Mode::Live,
            output_cap: DEFAULT_OUTPUT_CAP,
            kill_grace: DEFAULT_KILL_GRACE,
        }
    }
}

/// Performs one request with the default [`Executor`] (live). Blocks until
/// the action has succeeded, or failed after its retries.
pub fn run(request: &ActionRequest) -> ActionOutcome {
    Executor::default().run(request)
}

/// The result of one attempt, before the retry loop decides.
#[derive(Debug)]
pub(crate) struct Attempt {
    pub(crate) status: Status,
    /// Whether another attempt may succeed (timeouts, failures, 5xx,
    /// connection errors), as opposed to a permanent error.
    pub(crate) retryable: bool,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Attempt {
    pub(crate) fn permanent(message: String) -> Attempt {
        Attempt {
            status: Status::Error(message),
            retryable: false,
            stdout: String::new(),
            stderr: String::new(),
        }
    }
}

impl Executor {
    /// An executor in the given mode with the default limits.
    pub fn new(mode: Mode) -> Executor {
        Executor { mode, ..Executor::default() }
    }

    /// Performs one request: attempts it, and while an attempt fails in a
    /// way that may pass (a failure, a timeout, a 5xx, a connection error)
    /// and retries are left, waits the backoff and attempts it again.
    pub fn run(&self, request: &ActionRequest) -> ActionOutcome {
        let start = Instant::now();
        if self.mode == Mode::DryRun {
            return ActionOutcome {
                status: Status::DryRun,
                attempts: 0,
                duration: start.elapsed(),
                stdout_excerpt: format!("would run: {}", request.describe()),
                stderr_excerpt: String::new(),
            };
        }
        let (retries, backoff) = request.retry.unwrap_or((0, Duration::ZERO));
        let max_attempts = retries.saturating_add(1);
        let mut attempts = 0;
        loop {
            attempts += 1;
            let attempt = self.attempt(request, attempts);
            let last = attempt.status == Status::Succeeded
                || !attempt.retryable
                || attempts >= max_attempts;
            if last {
                return ActionOutcome {
                    status: attempt.status,
                    attempts,
                    duration: start.elapsed(),
                    stdout_excerpt: attempt.stdout,
                    stderr_excerpt: attempt.stderr,
                };
            }
            std::thread::sleep(backoff);
        }
    }

    fn attempt(&self, request: &ActionRequest, number: u32) -> Attempt {
        // Deadlines are instants: an absurd timeout must not overflow one.
        let timeout = request.timeout.min(MAX_TIMEOUT);
        let executor = Executor { kill_grace: self.kill_grace.min(MAX_TIMEOUT), ..self.clone() };
        let executor = &executor;
        match &request.kind {
            ActionKind::Exec { argv, cwd, env } => {
                process::attempt(argv, cwd, env, timeout, executor)
            }
            ActionKind::Webhook { url, body, headers, hmac_secret } => webhook::attempt(
                &webhook::Post {
                    key: &request.key,
                    url,
                    body,
                    headers,
                    secret: hmac_secret.as_deref(),
                    attempt: number,
                },
                timeout,
                executor,
            ),
        }
    }
}

impl ActionRequest {
    /// What the request does, as JSON: the argv, working directory and the
    /// *names* of the environment variables, or the URL, body and the names
    /// of the extra headers. Never a secret, a header value or an
    /// environment value, so it may go into events and logs.
    pub fn to_record(&self) -> Value {
        let retry = self.retry.map(|(n, d)| json!({"times": n, "backoff_ms": millis(d)}));
        let what = match &self.kind {
            ActionKind::Exec { argv, cwd, env } => json!({
                "exec": argv,
                "cwd": cwd.to_string_lossy(),
                "env": env.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>(),
            }),
            ActionKind::Webhook { url, body, headers, hmac_secret } => json!({
                "webhook": url,
                "body": body,
                "headers": headers.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>(),
                "signed": hmac_secret.is_some(),
            }),
        };
        json!({
            "key": self.key,
            "action": what,
            "timeout_ms": millis(self.timeout),
            "retry": retry,
        })
    }

    /// [`ActionRequest::to_record`] as one line of JSON.
    pub fn describe(&self) -> String {
        self.to_record().to_string()
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The default environment of an `exec` child: `PATH` = [`DEFAULT_PATH`] and
/// `LANG` = [`DEFAULT_LANG`], nothing else.
pub fn default_env() -> Vec<(String, String)> {
    vec![("PATH".to_owned(), DEFAULT_PATH.to_owned()), ("LANG".to_owned(), DEFAULT_LANG.to_owned())]
}

/// [`default_env`] plus the variables of the runtime's own environment
/// named in `allow`, with their current values (a listed `PATH` or `LANG`
/// replaces the default; a listed variable that is not set is left out).
pub fn env_with_allow_list(allow: &[&str]) -> Vec<(String, String)> {
    let mut env = default_env();
    for name in allow {
        let Some(value) = std::env::var_os(name) else { continue };
        let value = value.to_string_lossy().into_owned();
        match env.iter_mut().find(|(existing, _)| existing == name) {
            Some(slot) => slot.1 = value,
            None => env.push(((*name).to_owned(), value)),
        }
    }
    env
}
