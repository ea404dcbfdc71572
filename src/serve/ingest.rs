//! The write endpoints: a body in (gzip allowed for the text formats,
//! snappy for remote-write), decoded off the async threads, checked
//! against the caller's tenant and the clock (see `police.rs`), queued for
//! the engine thread, and an answer saying what was accepted and what was
//! rejected and why.
//!
//! Answers follow what the senders expect. Text formats answer as InfluxDB
//! does: 204 when everything was accepted; 400 with a JSON body (`code`,
//! `message`, and upkeep's `accepted`, `rejected`, `errors`) when lines or
//! samples were rejected — the good ones *are* applied, and Telegraf does
//! not send a 400 batch again. Remote-write answers 204, or 400 with a text
//! body when series were refused (the rest applied; Prometheus drops a
//! batch on 4xx). Limits give 413, another tenant's samples 403 (nothing
//! of the request applied), a full queue or a stopped engine 503 with
//! `Retry-After` (all senders retry 5xx).

use super::http::{self, App, Shape, State};
use super::police::{self, Policed};
use axum::body::{Body, Bytes};
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use std::collections::HashMap;
use std::io::Read;
use upkeep_runtime::decode::remote_write::{RemoteWriteDecoder, RemoteWriteLimits};
use upkeep_runtime::decode::{DecodeError, DecodeOptions, Decoder, Format, Precision, Sample};

pub async fn influx_v1(state: State, headers: HeaderMap, uri: Uri, body: Body) -> Response {
    text(state, "write", Format::Influx, headers, uri, body).await
}

pub async fn influx_v2(state: State, headers: HeaderMap, uri: Uri, body: Body) -> Response {
    text(state, "api_v2_write", Format::Influx, headers, uri, body).await
}

pub async fn jsonl(state: State, headers: HeaderMap, uri: Uri, body: Body) -> Response {
    text(state, "import_jsonl", Format::JsonLines, headers, uri, body).await
}

pub async fn prometheus(state: State, headers: HeaderMap, uri: Uri, body: Body) -> Response {
    text(state, "import_prometheus", Format::Prometheus, headers, uri, body).await
}

/// What a text body gave.
struct Decoded {
    samples: Vec<Sample>,
    bad_lines: u64,
    errors: Vec<DecodeError>,
}

async fn text(
    axum::extract::State(app): State,
    endpoint: &'static str,
    format: Format,
    headers: HeaderMap,
    uri: Uri,
    body: Body,
) -> Response {
    let caller = match app.gate(endpoint, &headers, Shape::Json) {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    let fail =
        |status, message: &str| app.done(endpoint, http::error(status, Shape::Json, message));
    let precision = match precision(&uri) {
        Ok(p) => p,
        Err(message) => return fail(StatusCode::BAD_REQUEST, &message),
    };
    let gzip = match headers.get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap_or("?")) {
        None | Some("identity") => false,
        Some(e) if e.eq_ignore_ascii_case("gzip") => true,
        Some(e) => {
            let message = format!("Content-Encoding `{e}` is not supported (gzip or identity)");
            return fail(StatusCode::UNSUPPORTED_MEDIA_TYPE, &message);
        }
    };
    let body = match read_body(&app, &headers, body).await {
        Ok(body) => body,
        Err((status, message)) => return fail(status, &message),
    };
    let inflate_limit = app.config.max_decompressed_bytes;
    let decoded = tokio::task::spawn_blocking(move || {
        let inflated;
        let text: &[u8] = if gzip {
            inflated = inflate(&body, inflate_limit)?;
            &inflated
        } else {
            &body
        };
        let options = DecodeOptions { precision, ..DecodeOptions::default() };
        let mut decoder = Decoder::with_options(text, format, options);
        let samples: Vec<Sample> = decoder.by_ref().filter_map(Result::ok).collect();
        let stats = decoder.into_stats();
        Ok(Decoded { samples, bad_lines: stats.bad_lines, errors: stats.first_errors })
    })
    .await;
    let decoded = match decoded {
        Ok(Ok(decoded)) => decoded,
        Ok(Err((status, message))) => return fail(status, &message),
        Err(e) => return fail(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let Decoded { samples, bad_lines, errors } = decoded;
    let Policed { samples, refused } = match police::check(&app, caller, samples) {
        Ok(p) => p,
        Err(message) => return fail(StatusCode::FORBIDDEN, &message),
    };
    let accepted = samples.len();
    app.shared.counters.samples(format.name(), accepted as u64, bad_lines);
    if let Err(response) = enqueue(&app, samples, Shape::Json).await {
        return app.done(endpoint, response);
    }
    if bad_lines == 0 && refused.is_empty() {
        return app.done(endpoint, StatusCode::NO_CONTENT.into_response());
    }
    let mut message = format!("accepted {accepted} samples");
    if bad_lines > 0 {
        message.push_str(&format!("; rejected {bad_lines} malformed lines"));
        if let Some(first) = errors.first() {
            message.push_str(&format!(", the first: {first}"));
        }
    }
    message.push_str(&refusals(&refused));
    let errors: Vec<serde_json::Value> = errors
        .iter()
        .map(|e| serde_json::json!({"line": e.line, "reason": e.reason.to_string(), "excerpt": e.excerpt}))
        .collect();
    let body = serde_json::json!({
        "code": "invalid",
        "message": message,
        "accepted": accepted,
        "rejected_lines": bad_lines,
        "refused_samples": refused.iter().map(|(r, n)| (r.to_string(), *n)).collect::<HashMap<_, _>>(),
        "errors": errors,
    });
    app.done(endpoint, http::json(StatusCode::BAD_REQUEST, &body))
}

pub async fn remote_write(
    axum::extract::State(app): State,
    headers: HeaderMap,
    body: Body,
) -> Response {
    const ENDPOINT: &str = "api_v1_write";
    let caller = match app.gate(ENDPOINT, &headers, Shape::Text) {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    let fail =
        |status, message: &str| app.done(ENDPOINT, http::error(status, Shape::Text, message));
    let encoding = headers.get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap_or("?"));
    if encoding.is_some_and(|e| !e.eq_ignore_ascii_case("snappy")) {
        let message = "remote-write bodies must be snappy-compressed (Content-Encoding: snappy)";
        return fail(StatusCode::UNSUPPORTED_MEDIA_TYPE, message);
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    if content_type.is_some_and(|t| t.contains("io.prometheus.write.v2")) {
        let message = "remote-write 2.0 is not supported: send 1.0 (prometheus.WriteRequest)";
        return fail(StatusCode::UNSUPPORTED_MEDIA_TYPE, message);
    }
    let body = match read_body(&app, &headers, body).await {
        Ok(body) => body,
        Err((status, message)) => return fail(status, &message),
    };
    let pooled = lock(&app.decoders).pop();
    let mut decoder = pooled.unwrap_or_else(|| {
        RemoteWriteDecoder::new(RemoteWriteLimits {
            max_body_bytes: app.config.max_body_bytes,
            max_decompressed_bytes: app.config.max_decompressed_bytes,
            ..RemoteWriteLimits::default()
        })
    });
    let decoded = tokio::task::spawn_blocking(move || {
        let batch = decoder.decode(&body);
        (decoder, batch)
    })
    .await;
    let batch = match decoded {
        Ok((decoder, batch)) => {
            let mut pool = lock(&app.decoders);
            if pool.len() < 8 {
                pool.push(decoder);
            }
            batch
        }
        Err(e) => return fail(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let mut batch = match batch {
        Ok(batch) => batch,
        Err(e) if e.is_too_large() => return fail(StatusCode::PAYLOAD_TOO_LARGE, &e.to_string()),
        Err(e) => return fail(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let samples = std::mem::take(&mut batch.samples);
    let Policed { samples, refused } = match police::check(&app, caller, samples) {
        Ok(p) => p,
        Err(message) => return fail(StatusCode::FORBIDDEN, &message),
    };
    let accepted = samples.len();
    let counters = &app.shared.counters;
    counters.samples("remote_write", accepted as u64, batch.rejected_series);
    if let Err(response) = enqueue(&app, samples, Shape::Text).await {
        return app.done(ENDPOINT, response);
    }
    if batch.rejected_series == 0 && refused.is_empty() {
        return app.done(ENDPOINT, StatusCode::NO_CONTENT.into_response());
    }
    let mut message = format!("accepted {accepted} samples of {} series", batch.series);
    if batch.rejected_series > 0 {
        let (n, samples) = (batch.rejected_series, batch.rejected_samples);
        let reasons: Vec<String> = batch.rejected.iter().map(ToString::to_string).collect();
        message
            .push_str(&format!("; refused {n} series ({samples} samples): {}", reasons.join("; ")));
    }
    message.push_str(&refusals(&refused));
    fail(StatusCode::BAD_REQUEST, &message)
}

/// `; refused N samples: reason (M)…`, or nothing.
fn refusals(refused: &[(&'static str, u64)]) -> String {
    if refused.is_empty() {
        return String::new();
    }
    let parts: Vec<String> =
        refused.iter().map(|(reason, n)| format!("{} ({n})", police::explain(reason))).collect();
    format!("; refused samples: {}", parts.join(", "))
}

/// Hands samples to the engine thread, waiting while its queue is full.
async fn enqueue(app: &App, samples: Vec<Sample>, shape: Shape) -> Result<(), Response> {
    if samples.is_empty() {
        return Ok(());
    }
    let command = super::engine::Command::Samples(samples);
    match app.engine.send_timeout(command, app.config.queue_timeout).await {
        Ok(()) => Ok(()),
        Err(tokio::sync::mpsc::error::SendTimeoutError::Timeout(_)) => {
            let message = "the engine is behind: its queue stayed full; send again later";
            let r = http::error(StatusCode::SERVICE_UNAVAILABLE, shape, message);
            Err(http::retry_after(r, std::time::Duration::from_secs(1)))
        }
        Err(tokio::sync::mpsc::error::SendTimeoutError::Closed(_)) => {
            let message = "the engine has stopped";
            let r = http::error(StatusCode::SERVICE_UNAVAILABLE, shape, message);
            Err(http::retry_after(r, std::time::Duration::from_secs(5)))
        }
    }
}

/// The body, at most `max_body_bytes` of it (413 past that).
async fn read_body(
    app: &App,
    headers: &HeaderMap,
    body: Body,
) -> Result<Bytes, (StatusCode, String)> {
    let limit = app.config.max_body_bytes;
    let too_large = || {
        let message = format!("request body is larger than the limit of {limit} bytes");
        (StatusCode::PAYLOAD_TOO_LARGE, message)
    };
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    match http_body_util::Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Err(e) => Err((StatusCode::BAD_REQUEST, format!("reading the request body: {e}"))),
    }
}

/// A gzip body, inflated to at most `limit` bytes (413 past that).
fn inflate(body: &[u8], limit: usize) -> Result<Vec<u8>, (StatusCode, String)> {
    let mut out = Vec::with_capacity(body.len().saturating_mul(4).min(limit));
    let mut reader = flate2::read::GzDecoder::new(body).take(limit as u64 + 1);
    reader
        .read_to_end(&mut out)
        .map_err(|e| (StatusCode::BAD_REQUEST, format!("invalid gzip body: {e}")))?;
    if out.len() > limit {
        let message = format!("the gzip body inflates to more than the limit of {limit} bytes");
        return Err((StatusCode::PAYLOAD_TOO_LARGE, message));
    }
    Ok(out)
}

/// `precision` of the query: `ns` (default), `us`, `ms`, `s` (and
/// InfluxDB v1's `n`, `u`).
fn precision(uri: &Uri) -> Result<Precision, String> {
    let Query(params) = Query::<HashMap<String, String>>::try_from_uri(uri)
        .map_err(|e| format!("invalid query string: {e}"))?;
    match params.get("precision").map(String::as_str) {
        None | Some("ns" | "n" | "") => Ok(Precision::Nanoseconds),
        Some("us" | "u" | "µ") => Ok(Precision::Microseconds),
        Some("ms") => Ok(Precision::Milliseconds),
        Some("s") => Ok(Precision::Seconds),
        Some(other) => Err(format!("precision `{other}` is not one of ns, us, ms, s")),
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}
