//! The action executor (`upkeep_runtime::exec`): `exec` without a shell,
//! with a cleared environment and a set working directory; whole process
//! trees killed at the timeout; capped output; retries; dry runs. The
//! webhook tests, against real HTTP servers on loopback, are in
//! `exec/webhook.rs`.

#[path = "exec/support.rs"]
mod support;
#[path = "exec/webhook.rs"]
mod webhook;

use std::fs;
use std::time::{Duration, Instant};
use support::{Reaper, exec, gone_within, read_pid, records, script};
use upkeep_runtime::exec::{ActionKind, Executor, Failure, Mode, Status, env_with_allow_list, run};

const SECOND: Duration = Duration::from_secs(1);

/// Label values a hostile exporter could send, each of which a shell would
/// interpret.
fn hostile() -> Vec<String> {
    vec![
        "; rm -rf /".to_owned(),
        "$(id)".to_owned(),
        "`id`".to_owned(),
        "a\nb".to_owned(),
        "'\"".to_owned(),
        "$HOME && echo pwned > /tmp/upkeep-pwned | cat".to_owned(),
        "*".to_owned(),
        "-rf".to_owned(),
        "\u{1b}[31mred\u{1b}[0m é 日本".to_owned(),
        // The kernel caps one argument at 128 KiB (MAX_ARG_STRLEN): this
        // long one still fits; see `an_argument_over_the_kernel_limit_*`.
        "x".repeat(120 * 1024),
        String::new(),
    ]
}

#[test]
fn hostile_label_values_reach_the_program_as_single_literal_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let recorder = script(dir.path(), "record.sh", support::RECORD_ARGV);
    let out = dir.path().join("argv");
    let values = hostile();
    let args: Vec<&str> = values.iter().map(String::as_str).collect();
    let request =
        exec(&recorder, &args, dir.path(), &[("OUT", out.to_str().unwrap())], 10 * SECOND);

    let outcome = run(&request);

    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    let got = records(&out);
    let want: Vec<Vec<u8>> = values.iter().map(|v| v.as_bytes().to_vec()).collect();
    assert_eq!(got.len(), want.len(), "one record per argument");
    for (i, (got, want)) in got.iter().zip(&want).enumerate() {
        assert!(got == want, "argument {i}: {} bytes arrived, {} sent", got.len(), want.len());
    }
    assert!(!std::path::Path::new("/tmp/upkeep-pwned").exists(), "nothing was interpreted");
}

#[test]
fn an_argument_over_the_kernel_limit_is_an_error_not_a_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let recorder = script(dir.path(), "record.sh", support::RECORD_ARGV);
    let out = dir.path().join("argv");
    let huge = "y".repeat(1024 * 1024);
    let mut request =
        exec(&recorder, &[&huge], dir.path(), &[("OUT", out.to_str().unwrap())], SECOND);
    request.retry = Some((3, Duration::from_millis(10)));

    let outcome = run(&request);

    let Status::Error(message) = &outcome.status else { panic!("{outcome:?}") };
    assert!(message.contains("too long"), "{message}");
    assert_eq!(outcome.attempts, 1, "a request that cannot start is not retried");
    assert!(!out.exists(), "the program did not run with a cut argument");
}

#[test]
fn a_nul_byte_in_an_argument_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let recorder = script(dir.path(), "record.sh", support::RECORD_ARGV);
    let out = dir.path().join("argv");
    let request = exec(&recorder, &["a\0b"], dir.path(), &[("OUT", out.to_str().unwrap())], SECOND);
    assert!(matches!(run(&request).status, Status::Error(_)));
    assert!(!out.exists());
}

#[test]
fn the_environment_is_the_allow_list_and_the_working_directory_is_set() {
    let dir = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let body = r#"env > "$OUT.env"
pwd -P > "$OUT.cwd"
"#;
    let probe = script(dir.path(), "probe.sh", body);
    let out = dir.path().join("probe");
    // Variables the test process has (cargo sets them), none of them allowed.
    for leaked in ["CARGO_MANIFEST_DIR", "CARGO_PKG_NAME"] {
        assert!(std::env::var_os(leaked).is_some(), "{leaked} is set in the test process");
    }
    let request = exec(&probe, &[], work.path(), &[("OUT", out.to_str().unwrap())], 10 * SECOND);

    assert_eq!(run(&request).status, Status::Succeeded);

    let env = fs::read_to_string(dir.path().join("probe.env")).unwrap();
    let names: Vec<&str> = env.lines().filter_map(|l| l.split_once('=')).map(|(k, _)| k).collect();
    assert!(!names.contains(&"CARGO_MANIFEST_DIR"), "{env}");
    assert!(!names.contains(&"CARGO_PKG_NAME"), "{env}");
    assert!(!names.contains(&"HOME"), "{env}");
    assert!(env.lines().any(|l| l == format!("PATH={}", upkeep_runtime::exec::DEFAULT_PATH)));
    assert!(env.lines().any(|l| l == "LANG=C.UTF-8"), "{env}");
    let cwd = fs::read_to_string(dir.path().join("probe.cwd")).unwrap();
    assert_eq!(cwd.trim_end(), work.path().canonicalize().unwrap().to_str().unwrap());

    // An allow-listed variable is passed through with its value.
    let allowed = env_with_allow_list(&["CARGO_PKG_NAME"]);
    assert!(allowed.contains(&("CARGO_PKG_NAME".to_owned(), "upkeep-runtime".to_owned())));
    assert!(allowed.iter().any(|(k, _)| k == "PATH"));
    assert!(!allowed.iter().any(|(k, _)| k == "CARGO_MANIFEST_DIR"));
}

#[test]
fn at_the_timeout_the_whole_process_tree_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    // A grandchild that ignores SIGTERM, so only the SIGKILL to the group
    // after the grace period ends it.
    let body = r#"echo $$ > "$DIR/leader.pid"
( trap '' TERM; sleep 300 & echo $! > "$DIR/grandchild.pid"; wait ) &
sleep 300
"#;
    let tree = script(dir.path(), "tree.sh", body);
    let leader_file = dir.path().join("leader.pid");
    let grandchild_file = dir.path().join("grandchild.pid");
    let _reaper = Reaper(vec![leader_file.clone(), grandchild_file.clone()]);
    let request = exec(&tree, &[], dir.path(), &[("DIR", dir.path().to_str().unwrap())], SECOND);
    let executor = Executor { kill_grace: Duration::from_millis(500), ..Executor::default() };

    let started = Instant::now();
    let outcome = executor.run(&request);
    let took = started.elapsed();

    assert_eq!(outcome.status, Status::TimedOut, "{outcome:?}");
    assert_eq!(outcome.attempts, 1);
    assert!(took >= SECOND && took < 5 * SECOND, "took {took:?}");
    let leader = read_pid(&leader_file);
    let grandchild = read_pid(&grandchild_file);
    assert!(gone_within(leader, 5 * SECOND), "the script {leader} survived");
    assert!(gone_within(grandchild, 5 * SECOND), "the grandchild {grandchild} survived");
}

#[test]
fn what_a_program_leaves_running_is_stopped_when_it_exits() {
    let dir = tempfile::tempdir().unwrap();
    // The background sleep also holds stdout open: the executor must not
    // wait for it.
    let body = r#"sleep 300 &
echo $! > "$DIR/left.pid"
echo done
"#;
    let leaver = script(dir.path(), "leave.sh", body);
    let left_file = dir.path().join("left.pid");
    let _reaper = Reaper(vec![left_file.clone()]);
    let request =
        exec(&leaver, &[], dir.path(), &[("DIR", dir.path().to_str().unwrap())], 60 * SECOND);

    let started = Instant::now();
    let outcome = run(&request);

    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    assert!(started.elapsed() < 10 * SECOND, "took {:?}", started.elapsed());
    assert_eq!(outcome.stdout_excerpt, "done\n");
    assert!(gone_within(read_pid(&left_file), 5 * SECOND), "the background sleep survived");
}

#[test]
fn output_is_captured_and_capped_while_the_pipe_is_drained() {
    let dir = tempfile::tempdir().unwrap();
    let body = "head -c 10485760 /dev/zero | tr '\\0' x\necho oops >&2\nexit 3\n";
    let noisy = script(dir.path(), "noisy.sh", body);
    let request = exec(&noisy, &[], dir.path(), &[], 20 * SECOND);

    let outcome = run(&request);

    assert_eq!(outcome.status, Status::Failed(Failure::Exit(3)), "{outcome:?}");
    let half = upkeep_runtime::exec::DEFAULT_OUTPUT_CAP / 2;
    let omitted = 10_485_760 - 2 * half;
    let want = format!("{}\n[… {omitted} bytes omitted …]\n{}", "x".repeat(half), "x".repeat(half));
    assert!(
        outcome.stdout_excerpt == want,
        "stdout excerpt of {} bytes",
        outcome.stdout_excerpt.len()
    );
    assert_eq!(outcome.stderr_excerpt, "oops\n");
}

#[test]
fn a_failing_program_is_retried_until_it_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let body = r#"n=$(cat "$DIR/count" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$DIR/count"
echo "attempt $n"
[ "$n" -ge 3 ]
"#;
    let flaky = script(dir.path(), "flaky.sh", body);
    let mut request =
        exec(&flaky, &[], dir.path(), &[("DIR", dir.path().to_str().unwrap())], 10 * SECOND);
    request.retry = Some((3, Duration::from_millis(100)));

    let outcome = run(&request);

    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    assert_eq!(outcome.attempts, 3);
    assert_eq!(outcome.stdout_excerpt, "attempt 3\n", "the last attempt's output");
    assert!(outcome.duration >= Duration::from_millis(200), "two backoffs: {:?}", outcome.duration);
    assert_eq!(fs::read_to_string(dir.path().join("count")).unwrap().trim(), "3");
}

#[test]
fn retries_run_out_and_the_last_failure_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let fails = script(dir.path(), "fails.sh", "echo \"$$\" >> \"$DIR/runs\"\nexit 7\n");
    let mut request =
        exec(&fails, &[], dir.path(), &[("DIR", dir.path().to_str().unwrap())], SECOND);
    request.retry = Some((2, Duration::from_millis(10)));

    let outcome = run(&request);

    assert_eq!(outcome.status, Status::Failed(Failure::Exit(7)));
    assert_eq!(outcome.attempts, 3);
    assert_eq!(fs::read_to_string(dir.path().join("runs")).unwrap().lines().count(), 3);
}

#[test]
fn a_timed_out_attempt_is_retried() {
    let dir = tempfile::tempdir().unwrap();
    let body = r#"if [ -e "$DIR/once" ]; then exit 0; fi
touch "$DIR/once"
exec sleep 300
"#;
    let slow_once = script(dir.path(), "slow.sh", body);
    let mut request = exec(
        &slow_once,
        &[],
        dir.path(),
        &[("DIR", dir.path().to_str().unwrap())],
        Duration::from_millis(300),
    );
    request.retry = Some((1, Duration::from_millis(10)));
    assert_eq!(run(&request).status, Status::Succeeded);
}

#[test]
fn a_missing_program_is_an_error_without_retries() {
    let dir = tempfile::tempdir().unwrap();
    let mut request = exec(&dir.path().join("nope"), &[], dir.path(), &[], SECOND);
    request.retry = Some((5, SECOND));
    let outcome = run(&request);
    assert!(matches!(outcome.status, Status::Error(_)), "{outcome:?}");
    assert_eq!(outcome.attempts, 1);
    assert!(outcome.duration < SECOND, "no backoff was waited");
}

#[test]
fn a_dry_run_records_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let recorder = script(dir.path(), "record.sh", support::RECORD_ARGV);
    let out = dir.path().join("argv");
    let request =
        exec(&recorder, &["; rm -rf /"], dir.path(), &[("OUT", out.to_str().unwrap())], SECOND);

    let outcome = Executor::new(Mode::DryRun).run(&request);

    assert_eq!(outcome.status, Status::DryRun);
    assert_eq!(outcome.attempts, 0);
    assert!(!out.exists(), "the recorder did not run");
    let line = outcome.stdout_excerpt.strip_prefix("would run: ").expect("a description");
    let record: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(record, request.to_record());
    assert_eq!(record["action"]["exec"][1], "; rm -rf /");
    assert_eq!(record["action"]["env"], serde_json::json!(["PATH", "LANG", "OUT"]));
    assert!(matches!(request.kind, ActionKind::Exec { .. }));
}

#[test]
fn an_unbounded_timeout_does_not_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let ok = script(dir.path(), "ok.sh", "exit 0\n");
    let mut request = exec(&ok, &[], dir.path(), &[], Duration::MAX);
    request.retry = Some((u32::MAX, Duration::MAX));
    let outcome = run(&request);
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(outcome.attempts, 1);
}
