//! The read side and the admin endpoints: `/metrics`, `/api/v1/alerts`,
//! `/healthz`, `/readyz`, `/-/reload`, `/-/clock`.
//!
//! Reads come from what the engine thread last published (at most a
//! second old on the wall clock). A tenant token sees only its tenant's
//! instances: `/api/v1/alerts` is filtered to it (asking for another
//! tenant is 403), and its `/metrics` holds only its `upkeep_instance_state`
//! series, not the process's health, which is the operator's.

use super::auth::Role;
use super::http::{self, Shape, State};
use super::metrics::{self, View};
use axum::extract::{ConnectInfo, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;

pub async fn metrics(axum::extract::State(app): State, headers: HeaderMap) -> Response {
    let caller = match app.gate("metrics", &headers, Shape::Text) {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    let published = app.shared.published();
    let view = match &caller.role {
        Role::Admin => View::All,
        Role::Tenant(t) => View::Tenant(t),
    };
    let text = metrics::render(&published, &app.shared.counters, app.clock.is_manual(), view);
    let mut response = (StatusCode::OK, text).into_response();
    let kind = HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8");
    response.headers_mut().insert(header::CONTENT_TYPE, kind);
    app.done("metrics", response)
}

pub async fn alerts(axum::extract::State(app): State, headers: HeaderMap, uri: Uri) -> Response {
    const ENDPOINT: &str = "alerts";
    let caller = match app.gate(ENDPOINT, &headers, Shape::Json) {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    let fail =
        |status, message: &str| app.done(ENDPOINT, http::error(status, Shape::Json, message));
    let params = match Query::<HashMap<String, String>>::try_from_uri(&uri) {
        Ok(Query(p)) => p,
        Err(e) => return fail(StatusCode::BAD_REQUEST, &format!("invalid query string: {e}")),
    };
    if let Some(key) = params.keys().find(|k| !["tenant", "policy", "level"].contains(&k.as_str()))
    {
        let message = format!("unknown parameter `{key}` (tenant, policy, level)");
        return fail(StatusCode::BAD_REQUEST, &message);
    }
    let tenant = params.get("tenant").map(String::as_str);
    if let (Role::Tenant(own), Some(asked)) = (&caller.role, tenant)
        && asked != &**own
    {
        let message = format!("token `{}` may only read tenant `{own}`", caller.name);
        return fail(StatusCode::FORBIDDEN, &message);
    }
    let published = app.shared.published();
    let mut alerts = Vec::new();
    for a in &published.instances {
        let t = a.tenant.as_deref();
        if !caller.may_see(t) || tenant.is_some_and(|want| t != Some(want)) {
            continue;
        }
        if params.get("policy").is_some_and(|p| *p != a.policy) {
            continue;
        }
        for l in &a.levels {
            if params.get("level").is_some_and(|want| want != l.level) {
                continue;
            }
            let instance: serde_json::Map<String, serde_json::Value> =
                a.labels.iter().map(|(k, v)| (k.clone(), v.clone().into())).collect();
            let since = l.since.map(upkeep_runtime::events::rfc3339);
            alerts.push(serde_json::json!({
                "tenant": t, "policy": a.policy, "instance": instance, "level": l.level,
                "state": l.state, "since": since,
            }));
        }
    }
    let body = serde_json::json!({
        "status": "success",
        "data": {"alerts": alerts, "time": finite(published.engine_time)},
    });
    app.done(ENDPOINT, http::json(StatusCode::OK, &body))
}

fn finite(t: f64) -> Option<f64> {
    t.is_finite().then_some(t)
}

/// 200 while the engine thread works; 503 once it stopped on an error.
pub async fn healthz(axum::extract::State(app): State) -> Response {
    let response = if app.shared.failed.load(Ordering::Acquire) {
        (StatusCode::SERVICE_UNAVAILABLE, "engine stopped\n").into_response()
    } else {
        (StatusCode::OK, "ok\n").into_response()
    };
    app.done("healthz", response)
}

/// 200 when samples are being taken; 503 while starting or stopping.
pub async fn readyz(axum::extract::State(app): State) -> Response {
    let ready =
        app.shared.ready.load(Ordering::Acquire) && !app.shared.stopping.load(Ordering::Acquire);
    let response = if ready {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready\n").into_response()
    };
    app.done("readyz", response)
}

/// Recompiles the package: 200 with what changed, 422 with the
/// diagnostics when it does not check (the running package stays).
pub async fn reload(axum::extract::State(app): State, headers: HeaderMap) -> Response {
    const ENDPOINT: &str = "reload";
    let caller = match app.gate(ENDPOINT, &headers, Shape::Json) {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    if !caller.is_admin() {
        let message = format!("token `{}` is not an admin token", caller.name);
        return app.done(ENDPOINT, http::error(StatusCode::FORBIDDEN, Shape::Json, &message));
    }
    let response = match app.reload.reload(&app).await {
        Ok(report) => {
            http::json(StatusCode::OK, &serde_json::json!({"status": "reloaded", "report": report}))
        }
        Err(super::ReloadError::Refused(diagnostics)) => http::json(
            StatusCode::UNPROCESSABLE_ENTITY,
            &serde_json::json!({"code": "unprocessable entity", "status": "refused",
                "message": "the package does not check: the running one stays", "diagnostics": diagnostics}),
        ),
        Err(e) => http::error(StatusCode::SERVICE_UNAVAILABLE, Shape::Json, &e.to_string()),
    };
    app.done(ENDPOINT, response)
}

/// Moves the manual clock (tests): `POST /-/clock?t=SECONDS`; answers once
/// the samples due and the evaluations due have run.
pub async fn clock(
    axum::extract::State(app): State,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    const ENDPOINT: &str = "clock";
    if !app.clock.is_manual() {
        return app.done(ENDPOINT, StatusCode::NOT_FOUND.into_response());
    }
    let caller = match app.gate(ENDPOINT, &headers, Shape::Json) {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    let fail =
        |status, message: &str| app.done(ENDPOINT, http::error(status, Shape::Json, message));
    if !caller.is_admin() || !peer.ip().is_loopback() {
        return fail(StatusCode::FORBIDDEN, "the clock is moved by an admin over loopback only");
    }
    let t = Query::<HashMap<String, String>>::try_from_uri(&uri)
        .ok()
        .and_then(|Query(p)| p.get("t").cloned())
        .unwrap_or_default();
    let t = match app.clock.set(&t) {
        Ok(t) => t,
        Err(e) => return fail(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let (done, wait) = tokio::sync::oneshot::channel();
    let sent = app.engine.send(super::engine::Command::Advance { t, done }).await;
    if sent.is_err() || wait.await.is_err() {
        return fail(StatusCode::SERVICE_UNAVAILABLE, "the engine has stopped");
    }
    app.done(ENDPOINT, http::json(StatusCode::OK, &serde_json::json!({"time": t})))
}
