//! `upkeep serve PACKAGE`: the runtime as a service. Metrics come in over
//! HTTP (InfluxDB line protocol, Prometheus remote-write, JSON lines,
//! Prometheus text), are evaluated on the wall clock by the same runner
//! as `upkeep run` (engine, dispatcher, checkpoints), and the state can be
//! watched (`/metrics`, `/api/v1/alerts`). `docs/operations.md` is the
//! operator's guide.
//!
//! Threads: tokio's workers run the HTTP server and the handlers, which
//! decode request bodies in parallel (on the blocking pool) and queue the
//! samples on a bounded channel; one engine thread (`engine.rs`) owns the
//! runner. `SIGTERM`/`SIGINT` stop accepting connections, let the requests
//! in flight finish, then the engine thread drains the queue, applies what
//! is due and saves a last checkpoint: exit 0. `SIGHUP` reloads.

mod auth;
mod clock;
mod config;
mod engine;
mod http;
mod ingest;
mod metrics;
mod police;
mod read;
mod reload;

use crate::args::ServeArgs;
use crate::sink::Sink;
use crate::{Outcome, UsageError, package, report};
use anyhow::Context;
use engine::{Command, EngineThread, Shared};
use http::App;
use reload::{Rebuild, ReloadReport};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{mpsc, oneshot};
use upkeep_runtime::remediate::config::RuntimeConfig;

/// A line on standard error (journald adds the time). Never given a token.
pub fn log(message: &str) {
    #[allow(clippy::print_stderr)]
    {
        eprintln!("upkeep serve: {message}");
    }
}

pub fn run(args: &ServeArgs) -> anyhow::Result<Outcome> {
    let style = report::style(args.color.color);
    let Some(plan) = package::compile(&args.package, style)? else {
        return Ok(Outcome::Problems);
    };
    let runtime_config = match &args.config {
        Some(path) => RuntimeConfig::load(path).map_err(|e| UsageError(e.to_string()))?,
        None => RuntimeConfig::default(),
    };
    let mut config = config::ServeConfig::from_table(&runtime_config.serve)
        .map_err(|e| UsageError(e.to_string()))?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    let clock = clock::Clock::from_env(std::env::var(clock::CLOCK_ENV).ok().as_deref())
        .map_err(|e| UsageError(e.to_string()))?;
    let auth = auth::Auth::new(&config);
    if !config.listen.ip().is_loopback() && (auth.is_open() || clock.is_manual()) {
        let why = if auth.is_open() {
            "no [[serve.tokens]] are configured"
        } else {
            "UPKEEP_CLOCK=manual"
        };
        return Err(UsageError(format!(
            "refusing to listen on {} (not loopback): {why}",
            config.listen
        ))
        .into());
    }
    // A service keeps its state: --state, else the default location
    // (--no-state for a trial in memory).
    let state = match (&args.state, args.no_state) {
        (Some(path), _) => Some(path.clone()),
        (None, true) => None,
        (None, false) => Some(upkeep_runtime::store::default_path().ok_or_else(|| {
            UsageError("no state location: set HOME or XDG_STATE_HOME, or give --state PATH".into())
        })?),
    };
    match &state {
        Some(path) => log(&format!("state: {}", path.display())),
        None => log("state: in memory (--no-state), gone at exit"),
    }
    let rebuild = Rebuild {
        state: state.clone(),
        config: args.config.clone(),
        inventory: args.inventory.clone(),
        dry_run: args.dry_run,
        checkpoint_every: if state.is_some() {
            args.checkpoint_every.as_secs_f64()
        } else {
            f64::INFINITY
        },
    };
    let (runner, resume) = rebuild.open(&plan)?;
    let sink = match &args.events {
        Some(path) => Sink::file(path, resume.as_ref().and_then(|r| r.events_len))
            .with_context(|| format!("opening {}", path.display()))?,
        None => Sink::stdout(),
    };
    if let Some(r) = &resume {
        log(&format!("continuing from the checkpoint at {:.3}", r.watermark));
    }
    let clock = Arc::new(clock);
    let delay = if clock.is_manual() { Duration::ZERO } else { config.delay };
    let shared = Arc::new(Shared::default());
    let (tx, rx) = mpsc::channel(config.queue_batches.max(1));
    let policies = plan.policies.len();
    let thread = EngineThread::new(
        runner,
        sink,
        Arc::clone(&clock),
        delay,
        Arc::clone(&shared),
        rebuild,
        &plan,
    );
    let failsafe = Failsafe(Arc::clone(&shared));
    let engine = std::thread::Builder::new()
        .name("upkeep-engine".into())
        .spawn(move || {
            let result = thread.run(rx);
            std::mem::forget(failsafe);
            result
        })
        .context("starting the engine thread")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("upkeep-http")
        .build()
        .context("starting the HTTP runtime")?;
    if auth.is_open() {
        log("no [[serve.tokens]] configured: every caller on this machine is an admin");
    }
    if clock.is_manual() {
        log(
            "UPKEEP_CLOCK=manual: evaluations follow POST /-/clock, not the wall clock (tests only)",
        );
    }
    let app = Arc::new(App {
        config,
        auth,
        clock,
        engine: tx,
        shared: Arc::clone(&shared),
        decoders: Default::default(),
        reload: ReloadHandle { package: args.package.clone(), lock: tokio::sync::Mutex::new(()) },
    });
    let served = runtime.block_on(serve(app, policies));
    // Cancels the tick and SIGHUP tasks, whose senders then close the queue.
    runtime.shutdown_timeout(Duration::from_secs(5));
    let engine_result = engine.join();
    served?;
    match engine_result {
        Ok(Ok(())) => {
            match &state {
                Some(path) => log(&format!("stopped; state saved in {}", path.display())),
                None => log("stopped (--no-state: the state was in memory)"),
            }
            Ok(Outcome::Clean)
        }
        Ok(Err(e)) => {
            log(&format!("the engine stopped: {e}"));
            Ok(Outcome::Problems)
        }
        Err(_) => {
            log("the engine thread panicked");
            Ok(Outcome::Problems)
        }
    }
}

/// Marks the engine as failed when its thread ends without returning (a panic).
struct Failsafe(Arc<Shared>);

impl Drop for Failsafe {
    fn drop(&mut self) {
        self.0.failed.store(true, Ordering::Release);
        self.0.failure.notify_one();
    }
}

async fn serve(app: Arc<App>, policies: usize) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(app.config.listen)
        .await
        .with_context(|| format!("listening on {}", app.config.listen))?;
    let address = listener.local_addr()?;
    let mut term = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let reloader = Arc::clone(&app);
    tokio::spawn(async move {
        while hangup.recv().await.is_some() {
            log("SIGHUP: reloading the package");
            // The outcome is logged by the reload itself.
            let _ = reloader.reload.reload(&reloader).await;
        }
    });
    if !app.clock.is_manual() {
        let ticks = app.engine.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(Duration::from_secs(1));
            loop {
                interval.tick().await;
                let _ = ticks.try_send(Command::Tick);
            }
        });
    }
    log(&format!("listening on http://{address} ({policies} policies)"));
    let shared = Arc::clone(&app.shared);
    let stopping = Arc::new(tokio::sync::Notify::new());
    let signalled = Arc::clone(&stopping);
    let stop = async move {
        tokio::select! {
            _ = term.recv() => log("SIGTERM: stopping"),
            _ = interrupt.recv() => log("SIGINT: stopping"),
            () = shared.failure.notified() => log("the engine stopped: stopping"),
        }
        shared.stopping.store(true, Ordering::Release);
        signalled.notify_one();
    };
    let service = http::router(app).into_make_service_with_connect_info::<SocketAddr>();
    let server = axum::serve(listener, service).with_graceful_shutdown(stop);
    // In-flight requests may finish, but a client that never does must not
    // keep the state from being saved (systemd would kill us unsaved).
    let grace = async move {
        stopping.notified().await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        served = server => served?,
        () = grace => log(&format!(
            "requests still open {} s after the signal: stopping without them",
            SHUTDOWN_GRACE.as_secs()
        )),
    }
    Ok(())
}

/// How long in-flight requests may take to finish after a stop signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// Reloads, one at a time.
#[derive(Debug)]
pub struct ReloadHandle {
    package: PathBuf,
    lock: tokio::sync::Mutex<()>,
}

/// Why a reload did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    #[error("the package does not check")]
    Refused(String),
    #[error("{0}")]
    Failed(String),
    #[error("the engine has stopped")]
    Stopped,
}

impl ReloadHandle {
    /// Compiles the package again and, if it checks, has the engine thread
    /// run it. Logs the outcome (with the diagnostics when refused).
    pub async fn reload(&self, app: &App) -> Result<ReloadReport, ReloadError> {
        let _one_at_a_time = self.lock.lock().await;
        let path = self.package.clone();
        let compiled = tokio::task::spawn_blocking(move || reload::compile(&path))
            .await
            .map_err(|e| ReloadError::Failed(e.to_string()))?;
        let counters = &app.shared.counters;
        let plan = match compiled {
            Ok(plan) => plan,
            Err(diagnostics) => {
                log(&format!("reload refused, the running package stays:\n{diagnostics}"));
                counters.reload("refused");
                return Err(ReloadError::Refused(diagnostics));
            }
        };
        let (done, wait) = oneshot::channel();
        let command = Command::Reload { plan: Box::new(plan), done };
        app.engine.send(command).await.map_err(|_| ReloadError::Stopped)?;
        match wait.await {
            Ok(Ok(report)) => {
                log(&format!(
                    "reloaded: {} policies, {} unchanged (their instances keep their state)",
                    report.policies, report.unchanged
                ));
                counters.reload("ok");
                Ok(report)
            }
            Ok(Err(message)) => {
                log(&format!("reload failed, the running package stays: {message}"));
                counters.reload("failed");
                Err(ReloadError::Failed(message))
            }
            Err(_) => Err(ReloadError::Stopped),
        }
    }
}
