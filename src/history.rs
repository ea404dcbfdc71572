//! `upkeep history`: the remediation ledger of a state file, newest first —
//! every action the runtime performed (what ran, its outcome, how long it
//! took, an excerpt of its output), every action a guard held back and
//! why, every action a dry run recorded, and those a crash interrupted.

use crate::args::{HistoryArgs, HistoryFormat};
use crate::{Outcome, UsageError};
use serde_json::{Value, json};
use std::io::Write;
use upkeep_runtime::events::rfc3339;
use upkeep_runtime::store::{HistoryFilter, LedgerRow, LedgerStatus, Store};

pub fn run(args: &HistoryArgs) -> anyhow::Result<Outcome> {
    let path = match &args.state {
        Some(p) => p.clone(),
        None => upkeep_runtime::store::default_path()
            .ok_or_else(|| UsageError("no state file: give one with --state PATH".into()))?,
    };
    if !path.exists() {
        return Err(UsageError(format!("no state file at {}", path.display())).into());
    }
    let store = Store::open(&path)?;
    let filter = HistoryFilter {
        tenant: args.tenant.clone(),
        policy: args.policy.clone(),
        instance: args.instance.clone(),
        limit: Some(args.limit),
    };
    let rows = store.history(&filter)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        HistoryFormat::Json => {
            for row in &rows {
                writeln!(out, "{}", record(row))?;
            }
        }
        HistoryFormat::Table => table(&mut out, &rows)?,
    }
    Ok(Outcome::Clean)
}

/// One row as JSON: the key, the action, when (event time and wall clock),
/// the status with its outcome or reason, and what ran.
pub fn record(row: &LedgerRow) -> Value {
    let e = &row.entry;
    let parse = |text: &str| serde_json::from_str(text).unwrap_or(Value::Null);
    json!({
        "tenant": e.key.tenant,
        "policy": e.key.policy,
        "instance": e.key.instance,
        "episode": e.key.episode,
        "step": e.key.step,
        "action": e.action,
        "trigger": e.trigger,
        "event_time": rfc3339(e.event_time),
        "started_at": rfc3339(row.started_at_ms as f64 / 1000.0),
        "finished_at": row.finished_at_ms.map(|ms| rfc3339(ms as f64 / 1000.0)),
        "status": row.status.as_str(),
        "outcome": row.outcome.as_deref().map(parse),
        "what": parse(&e.what),
    })
}

fn table(out: &mut dyn Write, rows: &[LedgerRow]) -> std::io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "no actions recorded");
    }
    writeln!(out, "EVENT TIME            TENANT  POLICY / INSTANCE / STEP → ACTION: OUTCOME")?;
    for row in rows {
        let e = &row.entry;
        let time = rfc3339(e.event_time);
        let tenant = e.key.tenant.as_deref().unwrap_or("-");
        writeln!(
            out,
            "{time:<21} {tenant:<7} {} {{{}}} {}",
            e.key.policy, e.key.instance, e.key.step
        )?;
        writeln!(out, "{:30}→ {}: {}", "", e.action, outcome(row))?;
    }
    Ok(())
}

/// `succeeded in 12 ms: fixed db1`, `held: cooldown 10m`, `interrupted`.
fn outcome(row: &LedgerRow) -> String {
    let o: Value =
        row.outcome.as_deref().and_then(|t| serde_json::from_str(t).ok()).unwrap_or(Value::Null);
    let text = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    match row.status {
        LedgerStatus::Started => {
            "started, not finished (running now, or the runtime stopped)".into()
        }
        LedgerStatus::Interrupted => {
            "interrupted: started before the runtime stopped; not run again".into()
        }
        LedgerStatus::Held => format!("held: {}", text("reason")),
        LedgerStatus::DryRun => "dry run: recorded, not run".into(),
        LedgerStatus::Completed => {
            let ms = o.get("duration_ms").and_then(Value::as_u64).unwrap_or(0);
            let output = [text("stdout"), text("stderr")]
                .into_iter()
                .flat_map(|t| t.lines().map(str::to_string).collect::<Vec<_>>())
                .find(|l| !l.trim().is_empty())
                .map(|l| format!(": {}", excerpt(&l)))
                .unwrap_or_default();
            format!("{} in {ms} ms{output}", text("status"))
        }
    }
}

fn excerpt(line: &str) -> String {
    const MAX: usize = 80;
    match line.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_string(),
    }
}
