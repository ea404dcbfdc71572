//! From a policy to a process: a label value reaches the program of an
//! `exec` action as one literal argument, whatever it contains, through the
//! whole path — series label, instance, `on crit` call, action event, the
//! action's argv template, the executor.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;
use std::time::Duration;
use upkeep_compiler::package::Loader;
use upkeep_runtime::decode::{Label, Sample};
use upkeep_runtime::engine::Engine;
use upkeep_runtime::events::EventKind;
use upkeep_runtime::exec::{Limits, Prepared, Status, prepare, run};

#[test]
fn hostile_label_values_reach_the_program_as_single_literal_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("argv");
    let recorder = dir.path().join("record");
    // Writes each argument, NUL-terminated: any splitting or expansion by a
    // shell would show as more, fewer or different arguments.
    std::fs::write(
        &recorder,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done > '{}'\n",
            out.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&recorder, std::fs::Permissions::from_mode(0o755)).unwrap();
    let source = format!(
        r#"use std.metrics.node
fleet all = hosts
action record(host: host, note: text = "default {{x}}") = exec ["{}", host, "disk of {{host}}", note]
policy load on all {{
  every 1m
  crit when load1 > 4
  on crit {{
    record(host)
  }}
}}
"#,
        recorder.display()
    );
    let loader = Loader::load_sources(&[("main", &source)]);
    let (diagnostics, plan) = upkeep_compiler::sema::compile(&loader.packages[0]);
    let plan = plan.unwrap_or_else(|| panic!("{diagnostics:?}"));
    let hostile = "; rm -rf / $(id) `id` 'x\" \n*";
    let mut engine = Engine::new(&plan, None).unwrap();
    let labels: Arc<[Label]> = vec![Label { name: "host".into(), value: hostile.into() }].into();
    engine.ingest(&Sample { name: "node_load1".into(), labels, value: 9.0, timestamp_ms: Some(0) });
    engine.finish(0.0);
    let event = engine
        .drain_events()
        .find(|e| e.kind == EventKind::Action)
        .expect("the remediation is due");
    let record = event.action.expect("an action event names its action");
    let action = plan.actions.iter().find(|a| a.name == record.name).unwrap();
    let limits =
        Limits { cwd: dir.path().to_owned(), timeout: Duration::from_secs(10), retry: None };
    let args: BTreeMap<String, String> = record.args.clone().into_iter().collect();
    let Prepared::Run(request) = prepare(action, &args, &record.key, &limits).unwrap() else {
        panic!("an exec action runs a program");
    };
    let outcome = run(&request);
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    let written = std::fs::read(&out).unwrap();
    let argv: Vec<&[u8]> = written.split(|b| *b == 0).filter(|a| !a.is_empty()).collect();
    let expected = [hostile.to_string(), format!("disk of {hostile}"), "default {x}".to_string()];
    let expected: Vec<&[u8]> = expected.iter().map(|s| s.as_bytes()).collect();
    assert_eq!(argv, expected);
}
