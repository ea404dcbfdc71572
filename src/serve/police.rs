//! What decoded samples must pass before they are queued: the caller's
//! tenant, and the clock.
//!
//! - **Tenant.** A tenant token writes only its own tenant's series. A
//!   sample's tenant is its `client` label (or the label a metric of the
//!   package renames to `client`): a sample whose tenant is another refuses
//!   the **whole request** (403, nothing applied: an agent sending another
//!   client's data is misconfigured, and half-applying its batch would hide
//!   that); a sample without one gets the caller's (so agents need not add
//!   `client` themselves). Admin tokens write any tenant's samples as they
//!   are.
//! - **Time.** A sample without a timestamp takes the clock's time (as
//!   InfluxDB stamps such lines with the server's time); on the manual
//!   clock before it is first set, it is refused. On the wall clock, a
//!   sample stamped more than `max_ahead` after now is refused (a host
//!   whose clock is wrong would otherwise hold evaluations back).

use super::auth::{Caller, Role};
use super::http::App;
use std::collections::HashMap;
use std::sync::Arc;
use upkeep_runtime::decode::{Label, Sample, find_label};

/// The samples that passed, and how many were refused, by reason.
#[derive(Debug, Default)]
pub struct Policed {
    pub samples: Vec<Sample>,
    pub refused: Vec<(&'static str, u64)>,
}

/// Why a sample was refused, in words.
pub fn explain(reason: &str) -> &'static str {
    match reason {
        "ahead" => "stamped too far ahead of the server's clock",
        "untimed" => "no timestamp, and the manual clock is not set",
        _ => "refused",
    }
}

/// Checks `samples` for `caller`: the samples to queue, or why the request
/// is refused (403).
pub fn check(app: &App, caller: &Caller, samples: Vec<Sample>) -> Result<Policed, String> {
    let mut samples = samples;
    if let Role::Tenant(tenant) = &caller.role {
        let names = app.shared.tenant_labels();
        tenant_only(&mut samples, &names, tenant, &caller.name)?;
    }
    let now = app.clock.now();
    let now_ms = now.map(|t| (t * 1000.0) as i64);
    let ahead_ms = if app.clock.is_manual() {
        None
    } else {
        now_ms.map(|n| n.saturating_add(app.config.max_ahead.as_millis() as i64))
    };
    let (mut untimed, mut ahead) = (0u64, 0u64);
    samples.retain_mut(|s| match (s.timestamp_ms, now_ms) {
        (None, Some(n)) => {
            s.timestamp_ms = Some(n);
            true
        }
        (None, None) => {
            untimed += 1;
            false
        }
        (Some(t), _) if ahead_ms.is_some_and(|limit| t > limit) => {
            ahead += 1;
            false
        }
        _ => true,
    });
    let refused: Vec<(&'static str, u64)> =
        [("ahead", ahead), ("untimed", untimed)].into_iter().filter(|(_, n)| *n > 0).collect();
    for (reason, n) in &refused {
        app.shared.counters.refused(reason, *n);
    }
    Ok(Policed { samples, refused })
}

/// Gives samples without a tenant label `tenant`'s; refuses any of
/// another tenant. Label sets are shared between samples of a series, so
/// each distinct set is checked and rebuilt once.
fn tenant_only(
    samples: &mut [Sample],
    names: &[String],
    tenant: &Arc<str>,
    token: &str,
) -> Result<(), String> {
    let mut rebuilt: HashMap<usize, Arc<[Label]>> = HashMap::new();
    for s in samples.iter_mut() {
        let key = Arc::as_ptr(&s.labels) as *const Label as usize;
        if let Some(labels) = rebuilt.get(&key) {
            s.labels = Arc::clone(labels);
            continue;
        }
        let mut missing = false;
        for name in names {
            match find_label(&s.labels, name) {
                Some(l) if *l.value != **tenant => {
                    return Err(format!(
                        "token `{token}` may only write tenant `{tenant}`'s series, and `{}` has \
                         {name}=\"{}\": nothing of this request was applied",
                        s.name, l.value
                    ));
                }
                Some(_) => {}
                None => missing = true,
            }
        }
        let labels = if missing {
            let mut labels = s.labels.to_vec();
            for name in names {
                if find_label(&labels, name).is_none() {
                    labels.push(Label { name: name.as_str().into(), value: Arc::clone(tenant) });
                    labels.sort();
                }
            }
            Arc::from(labels)
        } else {
            Arc::clone(&s.labels)
        };
        rebuilt.insert(key, Arc::clone(&labels));
        s.labels = labels;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(labels: &[(&str, &str)]) -> Sample {
        let mut labels: Vec<Label> =
            labels.iter().map(|(k, v)| Label { name: (*k).into(), value: (*v).into() }).collect();
        labels.sort();
        Sample { name: "up".into(), labels: labels.into(), value: 1.0, timestamp_ms: Some(0) }
    }

    #[test]
    fn a_tenant_gets_its_label_and_cannot_write_anothers() {
        let names = ["client".to_string()];
        let acme: Arc<str> = "acme".into();
        let mut ok = vec![sample(&[("host", "a")]), sample(&[("client", "acme"), ("host", "b")])];
        tenant_only(&mut ok, &names, &acme, "t").unwrap();
        assert_eq!(ok[0].to_string(), r#"up{client="acme",host="a"} 1 0"#);
        assert_eq!(ok[1].to_string(), r#"up{client="acme",host="b"} 1 0"#);
        let mut bad = vec![sample(&[("host", "a")]), sample(&[("client", "globex")])];
        let err = tenant_only(&mut bad, &names, &acme, "t").unwrap_err();
        assert!(err.contains("client=\"globex\""), "{err}");
        // A label some metric renames to `client` is checked too.
        let names = ["client".to_string(), "customer".to_string()];
        let mut renamed = vec![sample(&[("customer", "globex")])];
        assert!(tenant_only(&mut renamed, &names, &acme, "t").is_err());
    }
}
