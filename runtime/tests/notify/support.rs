//! Shared by the notification tests: a fixed event (trigger and resolve),
//! config parsing with a fake environment, canonical JSON for snapshots, and
//! a loopback HTTP receiver (tiny_http in a thread) that records requests.

use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use upkeep_runtime::events::{Event, EventKind};
use upkeep_runtime::notify::{ChannelError, Channels, ChannelsConfig};

/// The secrets of the fake environment; tests look for them in outputs.
pub const PD_KEY: &str = "pd-routing-key-0123456789abcdef";
pub const ACME_PD_KEY: &str = "acme-routing-key-fedcba9876543210";
pub const CHAT_SECRET: &str = "chat-hmac-secret-5up3r";
pub const CHAT_TOKEN: &str = "chat-bearer-token-t0k3n";
/// A chat incoming-webhook URL, whose path is its token.
pub const CHAT_URL_TOKEN: &str = "url-token-T0B0x9999";

pub fn env(name: &str) -> Option<String> {
    let value = match name {
        "UPKEEP_PAGERDUTY_KEY" => PD_KEY,
        "ACME_PD_KEY" => ACME_PD_KEY,
        "UPKEEP_CHAT_SECRET" => CHAT_SECRET,
        "CHAT_TOKEN" => CHAT_TOKEN,
        "CHAT_URL" => "https://chat.example/hooks/url-token-T0B0x9999",
        "EMPTY" => "",
        _ => return None,
    };
    Some(value.to_owned())
}

pub fn parse(text: &str) -> Result<ChannelsConfig, toml::de::Error> {
    toml::from_str(text)
}

pub fn channels(text: &str) -> Result<Channels, ChannelError> {
    let config = parse(text).unwrap_or_else(|e| panic!("config does not parse: {e}"));
    Channels::new(&config, &env)
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// The `action` event of `on crit { page("dba-oncall") }`.
pub fn trigger_event() -> Event {
    Event {
        v: 1,
        time: "2026-11-28T01:41:00Z".into(),
        ts: 1_764_294_060.0,
        kind: EventKind::Action,
        tenant: Some("acme".into()),
        policy: "disk_full".into(),
        instance: map(&[("host", "acme-db1"), ("mount", "/var/lib/postgresql")]),
        level: Some("crit".into()),
        from: None,
        to: None,
        reason: "on crit".into(),
        values: map(&[("used", "91.4%")]),
        message: Some("/var/lib/postgresql on acme-db1 is 91.4% full".into()),
        // The action record is left out: no channel reads it, and its shape
        // is the engine's business (the webhook and file kinds pass it on).
        action: None,
        outcome: None,
        episode: Some(1),
        closes_episode: false,
        labels: map(&[("category", "capacity")]),
    }
}

/// The `resolved` event that ends the episode of [`trigger_event`].
pub fn resolve_event() -> Event {
    Event {
        time: "2026-11-28T02:10:00Z".into(),
        ts: 1_764_295_800.0,
        kind: EventKind::Resolved,
        from: Some("firing".into()),
        to: Some("resolved".into()),
        reason: "condition false".into(),
        values: map(&[("used", "71.0%")]),
        message: Some("/var/lib/postgresql on acme-db1 is 71.0% full".into()),
        closes_episode: true,
        ..trigger_event()
    }
}

/// `value` with every object's keys inserted in sorted order, so that a
/// snapshot does not depend on serde_json's `preserve_order` feature (which
/// another crate of the workspace may switch on).
pub fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k.clone(), canonical(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(&canonical(value)).unwrap()
}

#[derive(Debug)]
pub struct Received {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the body is JSON")
    }
}

/// A loopback HTTP server answering `status` to everything; it stops (and
/// its thread ends) when dropped.
pub struct Receiver {
    pub base: String,
    received: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    pub fn start(status: u16) -> Receiver {
        Receiver::run(status, false)
    }

    /// Answers `status` with the request's own body.
    pub fn echo(status: u16) -> Receiver {
        Receiver::run(status, true)
    }

    fn run(status: u16, echo: bool) -> Receiver {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind loopback");
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, flag) = (Arc::clone(&received), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            // Bounded: at most 60 s, whatever the test does.
            let until = Instant::now() + Duration::from_secs(60);
            while !flag.load(Ordering::SeqCst) && Instant::now() < until {
                let Ok(Some(mut request)) = server.recv_timeout(Duration::from_millis(20)) else {
                    continue;
                };
                let headers = request
                    .headers()
                    .iter()
                    .map(|h| (h.field.as_str().to_string(), h.value.as_str().to_owned()))
                    .collect();
                let mut body = Vec::new();
                request.as_reader().read_to_end(&mut body).expect("read body");
                let path = request.url().to_owned();
                let answer = if echo { body.clone() } else { b"{\"status\":\"success\"}".to_vec() };
                log.lock().unwrap().push(Received { path, headers, body });
                let reply = tiny_http::Response::from_data(answer).with_status_code(status);
                let _ = request.respond(reply);
            }
        });
        Receiver { base: format!("http://127.0.0.1:{port}"), received, stop, thread: Some(thread) }
    }

    pub fn take(&self) -> Vec<Received> {
        std::mem::take(&mut *self.received.lock().unwrap())
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
