//! Webhook tests: each starts a real HTTP receiver on 127.0.0.1 (tiny_http
//! in a thread) that records what arrives and answers as scripted.

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use upkeep_runtime::exec::{ActionKind, ActionRequest, Failure, Status, run, signature};

/// What the receiver answers, request after request (the last one repeats).
#[derive(Clone, Copy, Debug)]
enum Reply {
    Status(u16),
    /// Read the request and never answer it.
    Silence,
}

#[derive(Debug)]
struct Received {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A loopback HTTP server; stops (and its thread ends) when dropped.
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    fn start(replies: &[Reply]) -> Receiver {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind loopback");
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, flag, replies) = (Arc::clone(&received), Arc::clone(&stop), replies.to_vec());
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
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
                let mut log = log.lock().unwrap();
                log.push(Received { headers, body });
                match replies[(log.len() - 1).min(replies.len() - 1)] {
                    Reply::Status(code) => {
                        let response = tiny_http::Response::from_string(format!("answer {code}"))
                            .with_status_code(code);
                        let _ = request.respond(response);
                    }
                    Reply::Silence => held.push(request),
                }
            }
        });
        Receiver {
            url: format!("http://127.0.0.1:{port}/hook"),
            received,
            stop,
            thread: Some(thread),
        }
    }

    fn received(&self) -> std::sync::MutexGuard<'_, Vec<Received>> {
        self.received.lock().unwrap()
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

fn webhook(
    url: &str,
    body: Value,
    secret: Option<&[u8]>,
    retry: Option<(u32, Duration)>,
) -> ActionRequest {
    ActionRequest {
        key: "acme/disk_space/host=db1/7/0".to_owned(),
        kind: ActionKind::Webhook {
            url: url.to_owned(),
            body,
            headers: vec![("Authorization".to_owned(), "Bearer t0ken".to_owned())],
            hmac_secret: secret.map(<[u8]>::to_vec),
        },
        timeout: Duration::from_secs(5),
        retry,
    }
}

#[test]
fn hostile_values_arrive_as_escaped_json_and_the_signature_verifies() {
    let receiver = Receiver::start(&[Reply::Status(201)]);
    let mut values = super::hostile();
    values.push("x".repeat(1024 * 1024));
    values.push("quote \" backslash \\ tab \t nul \u{0} del \u{7f}".to_owned());
    let body = json!({"host": "; rm -rf /", "values": values, "nested": {"cmd": "$(id)"}});
    let secret = b"s3cret key";
    let request = webhook(&receiver.url, body.clone(), Some(secret), None);

    let outcome = run(&request);

    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    assert_eq!(outcome.stdout_excerpt, "answer 201");
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    let got = &received[0];
    // Valid JSON equal to the input, with every control character escaped.
    let parsed: Value = serde_json::from_slice(&got.body).expect("valid JSON");
    assert_eq!(parsed, body);
    assert!(!got.body.iter().any(|b| *b < 0x20), "raw control bytes in the body");
    assert_eq!(got.header("Content-Type"), Some("application/json"));
    assert_eq!(got.header("X-Upkeep-Key"), Some("acme/disk_space/host=db1/7/0"));
    assert_eq!(got.header("X-Upkeep-Attempt"), Some("1"));
    assert_eq!(got.header("Authorization"), Some("Bearer t0ken"));
    // The receiver's check, done independently of the executor's code.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).unwrap();
    mac.update(&got.body);
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(got.header("X-Upkeep-Signature"), Some(format!("sha256={hex}").as_str()));
    assert_ne!(got.header("X-Upkeep-Signature").unwrap(), signature(b"another key", &got.body));
}

#[test]
fn without_a_secret_there_is_no_signature() {
    let receiver = Receiver::start(&[Reply::Status(200)]);
    let outcome = run(&webhook(&receiver.url, json!({"a": 1}), None, None));
    assert_eq!(outcome.status, Status::Succeeded);
    let received = receiver.received();
    assert_eq!(received[0].header("X-Upkeep-Signature"), None);
    assert_eq!(received[0].body, br#"{"a":1}"#);
}

#[test]
fn a_server_error_is_retried_with_the_same_key() {
    let receiver = Receiver::start(&[Reply::Status(500), Reply::Status(200)]);
    let request = webhook(&receiver.url, json!({}), None, Some((3, Duration::from_millis(50))));

    let outcome = run(&request);

    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    assert_eq!(outcome.attempts, 2);
    let received = receiver.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].header("X-Upkeep-Key"), received[1].header("X-Upkeep-Key"));
    assert_eq!(received[1].header("X-Upkeep-Attempt"), Some("2"));
}

#[test]
fn a_client_error_is_permanent_and_not_retried() {
    let receiver = Receiver::start(&[Reply::Status(400), Reply::Status(200)]);
    let request = webhook(&receiver.url, json!({}), None, Some((3, Duration::from_millis(10))));

    let outcome = run(&request);

    assert_eq!(outcome.status, Status::Failed(Failure::Http(400)));
    assert_eq!(outcome.attempts, 1);
    assert_eq!(outcome.stdout_excerpt, "answer 400");
    assert_eq!(receiver.received().len(), 1);
}

#[test]
fn a_server_that_never_answers_times_out() {
    let receiver = Receiver::start(&[Reply::Silence]);
    let mut request = webhook(&receiver.url, json!({}), None, None);
    request.timeout = Duration::from_secs(1);

    let started = Instant::now();
    let outcome = run(&request);
    let took = started.elapsed();

    assert_eq!(outcome.status, Status::TimedOut, "{outcome:?}");
    assert!(took >= Duration::from_millis(900) && took < Duration::from_secs(4), "took {took:?}");
    assert_eq!(receiver.received().len(), 1);
}

#[test]
fn a_refused_connection_is_retried_then_reported() {
    // A port that was just free: bind, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let request = webhook(&url, json!({}), None, Some((2, Duration::from_millis(10))));

    let outcome = run(&request);

    assert!(matches!(outcome.status, Status::Error(_)), "{outcome:?}");
    assert_eq!(outcome.attempts, 3);
}

#[test]
fn headers_owned_by_the_executor_cannot_be_overridden() {
    let receiver = Receiver::start(&[Reply::Status(200)]);
    let mut request = webhook(&receiver.url, json!({}), Some(b"k"), None);
    if let ActionKind::Webhook { headers, .. } = &mut request.kind {
        headers.push(("x-upkeep-signature".to_owned(), "sha256=forged".to_owned()));
    }
    let outcome = run(&request);
    assert!(matches!(outcome.status, Status::Error(_)), "{outcome:?}");
    assert_eq!(receiver.received().len(), 0, "nothing was sent");
}

#[test]
fn a_redirect_is_not_followed_and_not_retried() {
    let receiver = Receiver::start(&[Reply::Status(302), Reply::Status(200)]);
    let request = webhook(&receiver.url, json!({}), None, Some((2, Duration::from_millis(10))));
    let outcome = run(&request);
    assert_eq!(outcome.status, Status::Failed(Failure::Http(302)));
    assert_eq!(outcome.attempts, 1);
    assert_eq!(receiver.received().len(), 1);
}

#[test]
fn https_is_spoken_and_a_failed_handshake_is_an_error() {
    // TLS is compiled in: an https URL to a server that answers in plain
    // HTTP fails in the handshake (not with "TLS not enabled"), and is not
    // retried. The server answers every connection it gets within 10 s.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let connections = Arc::new(Mutex::new(0));
    let count = Arc::clone(&connections);
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let server = std::thread::spawn(move || {
        let until = Instant::now() + Duration::from_secs(10);
        while !flag.load(Ordering::SeqCst) && Instant::now() < until {
            let Ok((mut stream, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            };
            *count.lock().unwrap() += 1;
            let _ = stream.set_nonblocking(false);
            let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
            let mut hello = [0u8; 512];
            let _ = std::io::Read::read(&mut stream, &mut hello);
            let _ = std::io::Write::write_all(&mut stream, b"HTTP/1.1 400 Bad Request\r\n\r\n");
        }
    });
    let url = format!("https://127.0.0.1:{port}/hook");
    let mut request = webhook(&url, json!({}), None, Some((2, Duration::from_millis(10))));
    request.timeout = Duration::from_secs(3);

    let outcome = run(&request);
    stop.store(true, Ordering::SeqCst);
    let _ = server.join();

    let Status::Error(message) = &outcome.status else { panic!("{outcome:?}") };
    assert!(!message.to_lowercase().contains("not enabled"), "{message}");
    assert_eq!(outcome.attempts, 1, "{message}");
    assert_eq!(*connections.lock().unwrap(), 1);
}
