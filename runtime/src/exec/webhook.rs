//! One attempt of a `webhook` action: a POST of the JSON body with the
//! idempotency key, an HMAC-SHA256 signature when a secret is configured,
//! and one timeout for the whole exchange. 2xx is success; 5xx, 408, 429,
//! timeouts and connection errors may pass on a retry; other statuses and
//! invalid requests are permanent.

use super::capture::Capped;
use super::{Attempt, Executor, Failure, Status};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::time::Duration;
use ureq::Agent;

/// Response bytes read at most (the excerpt keeps `output_cap` of them).
const MAX_RESPONSE_READ: u64 = 1024 * 1024;

/// Headers the executor sets itself; a request may not set them.
const RESERVED: [&str; 6] = [
    "content-type",
    "content-length",
    "transfer-encoding",
    "x-upkeep-key",
    "x-upkeep-attempt",
    "x-upkeep-signature",
];

/// What one POST carries.
#[derive(Debug)]
pub(crate) struct Post<'a> {
    pub(crate) key: &'a str,
    pub(crate) url: &'a str,
    pub(crate) body: &'a Value,
    pub(crate) headers: &'a [(String, String)],
    pub(crate) secret: Option<&'a [u8]>,
    pub(crate) attempt: u32,
}

/// The value of `X-Upkeep-Signature` for `body` signed with `secret`:
/// `sha256=` and the lower-case hex HMAC-SHA256 of the exact bytes.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    // HMAC takes keys of any length (an empty one included), so this
    // cannot fail; the `else` only avoids a panic path.
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(body);
    let tag = mac.finalize().into_bytes();
    let mut out = String::with_capacity(7 + 2 * tag.len());
    out.push_str("sha256=");
    for byte in tag.iter() {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Keys longer than this are sent hashed.
const MAX_HEADER_KEY: usize = 200;

/// The value of `X-Upkeep-Key` for an idempotency key: the key itself when
/// it is printable ASCII of at most 200 bytes, else `sha256:` and the hex
/// SHA-256 of the key. Label values may hold line breaks or a megabyte,
/// which no header can carry; the hash is as stable as the key (the same
/// on every attempt and after a restart), so receivers deduplicate on it.
pub fn header_key(key: &str) -> String {
    let printable = key.bytes().all(|b| (0x20..0x7f).contains(&b));
    if printable && key.len() <= MAX_HEADER_KEY {
        return key.to_string();
    }
    let digest = Sha256::digest(key.as_bytes());
    let mut out = String::from("sha256:");
    for byte in digest.iter() {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    out
}

pub(crate) fn attempt(post: &Post<'_>, timeout: Duration, executor: &Executor) -> Attempt {
    if let Some((name, _)) =
        post.headers.iter().find(|(name, _)| RESERVED.contains(&name.to_ascii_lowercase().as_str()))
    {
        return Attempt::permanent(format!("header `{name}` is set by the executor"));
    }
    let body = match serde_json::to_vec(post.body) {
        Ok(bytes) => bytes,
        Err(e) => return Attempt::permanent(format!("body cannot be serialized: {e}")),
    };
    let agent: Agent = Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        // A redirect is answered as it is (a permanent failure): a POST is not
        // replayed to another address.
        .max_redirects(0)
        .max_redirects_will_error(false)
        // No proxy from the environment: where webhooks go is configuration.
        .proxy(None)
        .user_agent(concat!("upkeep/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut request = agent
        .post(post.url)
        .header("Content-Type", "application/json")
        .header("X-Upkeep-Key", header_key(post.key))
        .header("X-Upkeep-Attempt", post.attempt.to_string());
    if let Some(secret) = post.secret {
        request = request.header("X-Upkeep-Signature", signature(secret, &body));
    }
    for (name, value) in post.headers {
        request = request.header(name, value);
    }
    match request.send(&body[..]) {
        Ok(mut response) => {
            let code = response.status().as_u16();
            let mut excerpt = Capped::new(executor.output_cap);
            let mut bytes = Vec::new();
            // The status decides; a body that cannot be read is left out.
            let _ = response.body_mut().as_reader().take(MAX_RESPONSE_READ).read_to_end(&mut bytes);
            excerpt.push(&bytes);
            let (status, retryable) = match code {
                200..=299 => (Status::Succeeded, false),
                408 | 429 | 500..=599 => (Status::Failed(Failure::Http(code)), true),
                _ => (Status::Failed(Failure::Http(code)), false),
            };
            Attempt { status, retryable, stdout: excerpt.excerpt(), stderr: String::new() }
        }
        Err(e) => failed(e),
    }
}

/// Classifies a transport error: timeouts and connection trouble (refused,
/// reset, unreachable, closed early, no DNS answer) may pass on a retry; a
/// malformed URL, header or response, or a TLS failure (which ureq reports
/// as invalid data), will not.
fn failed(error: ureq::Error) -> Attempt {
    use std::io::ErrorKind as K;
    use ureq::Error as E;
    let (status, retryable) = match &error {
        E::Timeout(_) => (Status::TimedOut, true),
        E::Io(io) if matches!(io.kind(), K::TimedOut | K::WouldBlock) => (Status::TimedOut, true),
        E::Io(io) => {
            let transient = matches!(
                io.kind(),
                K::ConnectionRefused
                    | K::ConnectionReset
                    | K::ConnectionAborted
                    | K::NotConnected
                    | K::BrokenPipe
                    | K::UnexpectedEof
                    | K::AddrNotAvailable
                    | K::NetworkUnreachable
                    | K::HostUnreachable
                    | K::NetworkDown
                    | K::Interrupted
            );
            (Status::Error(error.to_string()), transient)
        }
        E::ConnectionFailed | E::HostNotFound | E::BodyStalled => {
            (Status::Error(error.to_string()), true)
        }
        _ => (Status::Error(error.to_string()), false),
    };
    Attempt { status, retryable, stdout: String::new(), stderr: String::new() }
}

#[cfg(test)]
mod tests {
    #[test]
    fn signature_matches_rfc_4231_test_case_2() {
        assert_eq!(
            super::signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    use super::header_key;

    #[test]
    fn keys_a_header_cannot_carry_are_sent_hashed_and_stable() {
        assert_eq!(header_key("acme/disk/host=db1/1/on crit#0"), "acme/disk/host=db1/1/on crit#0");
        let odd = "acme/disk/host=a\nb/1/on crit#0";
        let hashed = header_key(odd);
        assert!(hashed.starts_with("sha256:") && hashed.len() == 7 + 64, "{hashed}");
        assert_eq!(hashed, header_key(odd), "the same on every attempt");
        assert_ne!(hashed, header_key("acme/disk/host=a\nc/1/on crit#0"));
        assert!(header_key(&"x".repeat(201)).starts_with("sha256:"));
        assert_eq!(header_key(&"x".repeat(200)), "x".repeat(200));
    }
}
