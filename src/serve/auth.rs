//! Who is calling: bearer tokens from `[[serve.tokens]]`, stored as
//! SHA-256 hashes and compared in constant time, each with its role (one
//! tenant, or admin) and its own rate limiter (GCRA, `governor`).
//!
//! A token is read from `Authorization: Bearer …` (Prometheus, vmagent,
//! curl), `Authorization: Token …` (Telegraf's InfluxDB v2 output) or the
//! password of `Authorization: Basic …` (Telegraf's InfluxDB v1 output;
//! the user name is ignored). Tokens are never logged: only their names.
//!
//! Without any configured token the server is *open*: every caller is an
//! admin named `anonymous` — allowed only on a loopback address (checked
//! at startup), for trying upkeep out on one machine.

use super::config::ServeConfig;
use axum::http::HeaderMap;
use base64::Engine as _;
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq;

/// What a caller may do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// Every tenant, reload, the manual clock.
    Admin,
    /// Only this tenant's series and instances.
    Tenant(Arc<str>),
}

/// An authenticated caller.
#[derive(Debug)]
pub struct Caller {
    /// The token's name from the configuration (`anonymous` when open).
    pub name: Arc<str>,
    pub role: Role,
    hash: [u8; 32],
    limiter: DefaultDirectRateLimiter,
}

impl Caller {
    /// Whether the caller may see `tenant`'s data (`None`: provider-wide).
    pub fn may_see(&self, tenant: Option<&str>) -> bool {
        match &self.role {
            Role::Admin => true,
            Role::Tenant(own) => tenant == Some(&**own),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// Why a request is not authenticated (401).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error(
        "no token: send `Authorization: Bearer TOKEN` (or `Token TOKEN`, or the token as the \
         Basic password)"
    )]
    Missing,
    #[error("the token is not valid")]
    Invalid,
}

/// The configured callers.
#[derive(Debug)]
pub struct Auth {
    callers: Vec<Caller>,
    /// No tokens configured: everyone is this admin.
    open: Option<Caller>,
}

/// `rate` requests per second (checked positive by the configuration),
/// `burst` at once.
fn limiter(rate: f64, burst: u32) -> DefaultDirectRateLimiter {
    let period = Duration::from_secs_f64(1.0 / rate.max(1e-6)).max(Duration::from_nanos(1));
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    let quota = Quota::with_period(period)
        .map_or_else(|| Quota::per_second(NonZeroU32::MAX), |q| q.allow_burst(burst));
    RateLimiter::direct(quota)
}

impl Auth {
    /// The callers of `config` (whose hashes [`ServeConfig::from_table`]
    /// checked are 64 hex digits).
    pub fn new(config: &ServeConfig) -> Auth {
        let callers: Vec<Caller> = config
            .tokens
            .iter()
            .map(|t| {
                let mut hash = [0u8; 32];
                for (i, byte) in hash.iter_mut().enumerate() {
                    let pair = t.sha256.get(2 * i..2 * i + 2).unwrap_or("00");
                    *byte = u8::from_str_radix(pair, 16).unwrap_or(0);
                }
                let role = match &t.tenant {
                    Some(tenant) if !t.admin => Role::Tenant(tenant.as_str().into()),
                    _ => Role::Admin,
                };
                Caller {
                    name: t.name.as_str().into(),
                    role,
                    hash,
                    limiter: limiter(
                        t.rate.unwrap_or(config.rate),
                        t.burst.unwrap_or(config.burst),
                    ),
                }
            })
            .collect();
        let open = callers.is_empty().then(|| Caller {
            name: "anonymous".into(),
            role: Role::Admin,
            hash: [0; 32],
            limiter: limiter(config.rate, config.burst),
        });
        Auth { callers, open }
    }

    /// Whether no token is configured (everyone is an admin).
    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// The caller a request's headers name.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<&Caller, AuthError> {
        if let Some(open) = &self.open {
            return Ok(open);
        }
        let token = token(headers).ok_or(AuthError::Missing)?;
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        // Every hash is compared, each in constant time.
        let mut found = None;
        for caller in &self.callers {
            if bool::from(digest.ct_eq(&caller.hash)) {
                found = Some(caller);
            }
        }
        found.ok_or(AuthError::Invalid)
    }

    /// Takes one request from the caller's allowance, or says how long
    /// to wait before the next one (429 with `Retry-After`).
    pub fn admit(caller: &Caller) -> Result<(), Duration> {
        caller
            .limiter
            .check()
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

/// The token of a request, from its `Authorization` header.
fn token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token") {
        return (!rest.is_empty()).then(|| rest.to_string());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD.decode(rest).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (_, password) = text.split_once(':')?;
        return (!password.is_empty()).then(|| password.to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn hex(token: &str) -> String {
        Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }

    fn auth() -> Auth {
        let text = format!(
            "rate = 0.001\nburst = 2\n[[tokens]]\nname = \"acme\"\nsha256 = \"{}\"\ntenant = \"acme\"\n\
             [[tokens]]\nname = \"ops\"\nsha256 = \"{}\"\nadmin = true",
            hex("acme-secret"),
            hex("ops-secret").to_uppercase()
        );
        Auth::new(&ServeConfig::from_table(&text.parse().unwrap()).unwrap())
    }

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(axum::http::header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn tokens_are_found_by_hash_in_every_scheme() {
        let a = auth();
        let name = |v: &str| a.authenticate(&headers(v)).map(|c| c.name.to_string());
        assert_eq!(name("Bearer acme-secret").unwrap(), "acme");
        assert_eq!(name("Token ops-secret").unwrap(), "ops");
        // "telegraf:ops-secret"
        assert_eq!(name("Basic dGVsZWdyYWY6b3BzLXNlY3JldA==").unwrap(), "ops");
        assert_eq!(name("Bearer nope"), Err(AuthError::Invalid));
        assert_eq!(name("Bearer"), Err(AuthError::Missing));
        assert_eq!(a.authenticate(&HeaderMap::new()).unwrap_err(), AuthError::Missing);
        let acme = a.authenticate(&headers("Bearer acme-secret")).unwrap();
        assert!(acme.may_see(Some("acme")) && !acme.may_see(Some("globex")));
        assert!(!acme.may_see(None) && !acme.is_admin());
    }

    #[test]
    fn each_token_has_its_own_allowance() {
        let a = auth();
        let acme = a.authenticate(&headers("Bearer acme-secret")).unwrap();
        let ops = a.authenticate(&headers("Bearer ops-secret")).unwrap();
        assert!(Auth::admit(acme).is_ok() && Auth::admit(acme).is_ok());
        let wait = Auth::admit(acme).unwrap_err();
        assert!(wait > Duration::from_secs(900), "{wait:?}");
        assert!(Auth::admit(ops).is_ok());
    }
}
