//! The HTTP surface: routes, the state every handler shares, the gate every
//! authenticated request passes (401 without a valid token, 429 over the
//! token's rate), and error answers in the two shapes senders understand:
//! InfluxDB's JSON `{"code","message"}` and remote-write's plain text.
//!
//! | route | who | what |
//! |---|---|---|
//! | `POST /write`, `POST /api/v2/write` | token | InfluxDB line protocol (`precision`) |
//! | `POST /api/v1/write` | token | Prometheus remote-write 1.0 |
//! | `POST /api/v1/import/jsonl` | token | JSON lines (docs/input-formats.md) |
//! | `POST /api/v1/import/prometheus` | token | Prometheus text format |
//! | `GET /metrics`, `GET /api/v1/alerts` | token | the read side, filtered to the caller's tenant |
//! | `POST /-/reload` | admin | recompile the package |
//! | `POST /-/clock?t=SECONDS` | admin, loopback, `UPKEEP_CLOCK=manual` | move the test clock |
//! | `GET /healthz`, `GET /readyz` | anyone | liveness, readiness |

use super::auth::{Auth, AuthError, Caller};
use super::clock::Clock;
use super::config::ServeConfig;
use super::engine::{Command, Shared};
use super::{ingest, read};
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use upkeep_runtime::decode::remote_write::RemoteWriteDecoder;

/// What every handler shares.
#[derive(Debug)]
pub struct App {
    pub config: ServeConfig,
    pub auth: Auth,
    pub clock: Arc<Clock>,
    pub engine: mpsc::Sender<Command>,
    pub shared: Arc<Shared>,
    /// Remote-write decoders, reused so that their interners share names
    /// and label sets across requests.
    pub decoders: Mutex<Vec<RemoteWriteDecoder>>,
    /// Asks the server to recompile the package (`SIGHUP` does the same).
    pub reload: super::ReloadHandle,
}

pub type State = axum::extract::State<Arc<App>>;

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/write", post(ingest::influx_v1))
        .route("/api/v2/write", post(ingest::influx_v2))
        .route("/api/v1/write", post(ingest::remote_write))
        .route("/api/v1/import/jsonl", post(ingest::jsonl))
        .route("/api/v1/import/prometheus", post(ingest::prometheus))
        .route("/metrics", get(read::metrics))
        .route("/api/v1/alerts", get(read::alerts))
        .route("/healthz", get(read::healthz))
        .route("/readyz", get(read::readyz))
        .route("/-/reload", post(read::reload))
        .route("/-/clock", post(read::clock))
        .with_state(app)
}

/// How an error answer is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `{"code":"…","message":"…"}`, as InfluxDB answers.
    Json,
    /// The message as plain text, as remote-write receivers answer.
    Text,
}

/// An error answer.
pub fn error(status: StatusCode, shape: Shape, message: &str) -> Response {
    match shape {
        Shape::Json => json(status, &serde_json::json!({"code": code(status), "message": message})),
        Shape::Text => (status, format!("{message}\n")).into_response(),
    }
}

/// A JSON answer.
pub fn json(status: StatusCode, value: &serde_json::Value) -> Response {
    let mut response = (status, format!("{value}\n")).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// InfluxDB's error codes for the statuses it uses.
fn code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "invalid",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not found",
        413 => "request too large",
        415 => "unsupported media type",
        422 => "unprocessable entity",
        429 => "too many requests",
        503 => "unavailable",
        _ => "internal error",
    }
}

/// `Retry-After: N` (whole seconds, at least 1) on an answer.
pub fn retry_after(mut response: Response, wait: std::time::Duration) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    if let Ok(v) = HeaderValue::from_str(&seconds.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

impl App {
    /// The caller, or the answer: 401 without a valid token, 429 over its
    /// rate. Counts the refusal under `endpoint`.
    // The answer is the error: it goes back to the client as it is.
    #[allow(clippy::result_large_err)]
    pub fn gate(
        &self,
        endpoint: &'static str,
        headers: &HeaderMap,
        shape: Shape,
    ) -> Result<&Caller, Response> {
        let caller = match self.auth.authenticate(headers) {
            Ok(caller) => caller,
            Err(e) => {
                let mut r = error(StatusCode::UNAUTHORIZED, shape, &e.to_string());
                let challenge = if e == AuthError::Missing {
                    "Bearer"
                } else {
                    "Bearer error=\"invalid_token\""
                };
                r.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
                return Err(self.done(endpoint, r));
            }
        };
        if let Err(wait) = Auth::admit(caller) {
            let message = format!("token `{}` is over its rate of requests", caller.name);
            let r = retry_after(error(StatusCode::TOO_MANY_REQUESTS, shape, &message), wait);
            return Err(self.done(endpoint, r));
        }
        Ok(caller)
    }

    /// Counts an answer under `endpoint` and returns it.
    pub fn done(&self, endpoint: &'static str, response: Response) -> Response {
        self.shared.counters.request(endpoint, response.status().as_u16());
        response
    }
}
