//! The insides of blocks: policy and task clauses, remediation steps,
//! escalation steps and test items, one per line.
//!
//! A level clause's own `message` stays on the level's line, after
//! everything else in the clause; a standalone `message` clause (the
//! policy's default) gets a line of its own. Clauses keep their order. So the
//! parser reads each message back as it was, whether it attaches a message
//! to a level by position (a `message` right after a level without one) or
//! by line (a `message` on the level's line).

use super::expr::{arg_list, expr, matcher_set, names, string};
use super::layout::{self, RECORD};
use super::printer::Printer;
use crate::ast::*;

/// `{ clauses }` of a policy or task; `closer` is where its `}` is.
pub(super) fn clauses(p: &mut Printer<'_>, clauses: &[Clause], closer: usize) {
    layout::block(p, clauses, closer, |c| c.span, clause);
}

fn clause(p: &mut Printer<'_>, c: &Clause) {
    let closer = c.span.end.saturating_sub(1);
    match &c.kind {
        ClauseKind::Every { interval, jitter } => {
            p.word("every ");
            expr(p, interval);
            if let Some(jitter) = jitter {
                p.word(" jitter ");
                expr(p, jitter);
            }
        }
        ClauseKind::Let { name, value } => {
            p.word("let ");
            p.word(&name.name);
            p.word(" = ");
            expr(p, value);
        }
        ClauseKind::Level(level) => level_clause(p, level),
        ClauseKind::Keep(duration) => keyword_expr(p, "keep ", duration),
        ClauseKind::Nodata { after, outcome } => {
            keyword_expr(p, "nodata ", after);
            p.word(" => ");
            p.word(&outcome.name);
        }
        ClauseKind::Flapping { changes, window } => {
            keyword_expr(p, "flapping ", changes);
            keyword_expr(p, " changes in ", window);
        }
        ClauseKind::Message(text) => {
            p.word("message ");
            string(p, text);
        }
        ClauseKind::Labels(fields) => {
            p.word("labels ");
            layout::sequence(p, RECORD, fields, closer, |f| f.span, super::expr::field);
        }
        ClauseKind::On { level, steps } => {
            p.word("on ");
            p.word(&level.name);
            p.word(" ");
            layout::block(p, steps, closer, |s| s.span, step);
        }
        ClauseKind::Escalate(steps) => {
            p.word("escalate ");
            layout::block(p, steps, closer, |s| s.span, escalation_step);
        }
        ClauseKind::Quiet(calendar) => {
            p.word("quiet during ");
            p.word(&calendar.name);
        }
        ClauseKind::Pause(calendar) => {
            p.word("pause during ");
            p.word(&calendar.name);
        }
        ClauseKind::Depends { policy, on } => {
            p.word("depends on ");
            p.word(&policy.name);
            if let Some(labels) = on {
                p.word(" by (");
                names(p, labels);
                p.word(")");
            }
        }
        ClauseKind::During(calendar) => {
            p.word("during ");
            p.word(&calendar.name);
        }
        ClauseKind::When(cond) => keyword_expr(p, "when ", cond),
        ClauseKind::Step(s) => step(p, s),
        ClauseKind::Error => p.word(p.source().slice(c.span)),
    }
}

fn keyword_expr(p: &mut Printer<'_>, keyword: &str, e: &Expr) {
    p.word(keyword);
    expr(p, e);
}

/// `warn when COND [for …] [recover when COND [for D]] [message "…"]`
fn level_clause(p: &mut Printer<'_>, level: &LevelClause) {
    p.word(&level.level.name);
    keyword_expr(p, " when ", &level.cond);
    match &level.hold {
        None => {}
        Some(Hold::Duration(duration)) => keyword_expr(p, " for ", duration),
        Some(Hold::Checks(n)) => {
            keyword_expr(p, " for ", n);
            p.word(" checks");
        }
        Some(Hold::OfChecks(n, m)) => {
            keyword_expr(p, " for ", n);
            keyword_expr(p, " of ", m);
            p.word(" checks");
        }
    }
    if let Some(recover) = &level.recover {
        keyword_expr(p, " recover when ", &recover.cond);
        if let Some(hold) = &recover.hold {
            keyword_expr(p, " for ", hold);
        }
    }
    if let Some(message) = &level.message {
        p.word(" message ");
        string(p, message);
    }
}

fn step(p: &mut Printer<'_>, s: &Step) {
    match &s.kind {
        StepKind::Run(call) => action_call(p, call),
        StepKind::Verify { cond, within } => {
            keyword_expr(p, "verify ", cond);
            keyword_expr(p, " within ", within);
        }
        StepKind::Cooldown(duration) => keyword_expr(p, "cooldown ", duration),
        StepKind::AtMost { count, per, then_escalate } => {
            keyword_expr(p, "at most ", count);
            keyword_expr(p, " per ", per);
            if *then_escalate {
                p.word(" then escalate");
            }
        }
        StepKind::AtMostOfFleet(share) => {
            keyword_expr(p, "at most ", share);
            p.word(" of fleet");
        }
        StepKind::Concurrency(n) => keyword_expr(p, "concurrency ", n),
        StepKind::DryRun => p.word("dry run"),
        StepKind::Error => p.word(p.source().slice(s.span)),
    }
}

/// `restart(host, "nginx") timeout 2m retry 2 backoff 30s`
fn action_call(p: &mut Printer<'_>, call: &ActionCall) {
    p.word(&call.action.name);
    p.word("(");
    arg_list(p, &call.args);
    p.word(")");
    if let Some(timeout) = &call.timeout {
        keyword_expr(p, " timeout ", timeout);
    }
    if let Some(retry) = &call.retry {
        keyword_expr(p, " retry ", &retry.count);
        if let Some(backoff) = &retry.backoff {
            keyword_expr(p, " backoff ", backoff);
        }
    }
}

/// `after 15m open_ticket(queue: "NOC")`
fn escalation_step(p: &mut Printer<'_>, s: &EscalationStep) {
    keyword_expr(p, "after ", &s.after);
    p.word(" ");
    action_call(p, &s.call);
}

pub(super) fn test_item(p: &mut Printer<'_>, t: &TestItem) {
    match &t.kind {
        TestItemKind::Series { metric, labels, value, every, duration } => {
            p.word("series ");
            p.word(&metric.name);
            // `m{}` and `m` are the same tree; print the short one.
            if !labels.is_empty() {
                matcher_set(p, labels);
            }
            keyword_expr(p, " = ", value);
            if let Some(every) = every {
                keyword_expr(p, " every ", every);
            }
            if let Some(duration) = duration {
                keyword_expr(p, " for ", duration);
            }
        }
        TestItemKind::Expect { what, on, at } => {
            p.word("expect ");
            expectation(p, what);
            if let Some(on) = on {
                p.word(" on ");
                matcher_set(p, on);
            }
            if let Some(at) = at {
                keyword_expr(p, " at ", at);
            }
        }
        TestItemKind::Error => p.word(p.source().slice(t.span)),
    }
}

fn expectation(p: &mut Printer<'_>, what: &Expectation) {
    match what {
        Expectation::State { level, state } => {
            p.word(&level.name);
            if let Some(state) = state {
                p.word(" ");
                p.word(&state.name);
            }
        }
        Expectation::Action(action) => {
            p.word("action ");
            p.word(&action.name);
        }
        Expectation::NoAction(action) => {
            p.word("no action");
            if let Some(action) = action {
                p.word(" ");
                p.word(&action.name);
            }
        }
        Expectation::Event(kind) => {
            p.word("event ");
            p.word(&kind.name);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::ast::ClauseKind;
    use crate::dump;
    use crate::format::format_source;
    use crate::parse;

    fn fmt(src: &str) -> String {
        format_source(src).unwrap_or_else(|e| panic!("{src}: {e:?}"))
    }

    fn tree(src: &str) -> String {
        dump::file(&parse(src).file).render(false)
    }

    /// How many messages belong to a level, and how many stand alone.
    fn messages(src: &str) -> (usize, usize) {
        let parsed = parse(src);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let mut counts = (0, 0);
        for item in &parsed.file.items {
            let crate::ast::Item::Policy(policy) = item else { continue };
            for clause in &policy.clauses {
                match &clause.kind {
                    ClauseKind::Level(level) if level.message.is_some() => counts.0 += 1,
                    ClauseKind::Message(_) => counts.1 += 1,
                    _ => {}
                }
            }
        }
        counts
    }

    #[test]
    fn a_level_message_stays_on_its_line_and_a_standalone_one_stays_apart() {
        let src = r#"policy p on f {
  warn when x > 1 message "a"
  message "b"
  crit when x > 2
  message "c"
  info when x in [1,
    2] message "d"
}
"#;
        let out = fmt(src);
        assert_eq!(tree(&out), tree(src));
        assert_eq!(messages(&out), messages(src));
        assert!(out.contains("  warn when x > 1 message \"a\"\n  message \"b\"\n"), "{out}");
        assert!(out.contains("  info when x in [1, 2] message \"d\"\n"), "{out}");
        // Whichever way the parser reads `c`, it reads the output the same way.
        let attached = messages(src).0 == 3;
        let c = if attached { "  crit when x > 2 message \"c\"\n" } else { "  message \"c\"\n" };
        assert!(out.contains(c), "{out}");
    }

    #[test]
    fn a_level_message_follows_a_list_broken_over_lines() {
        let long = format!("\"{}\", \"{}\"", "a".repeat(50), "b".repeat(50));
        let src = format!("policy p on f {{\n  warn when x in [{long}] message \"m\"\n}}\n");
        let out = fmt(&src);
        assert!(out.contains("  ] message \"m\"\n"), "{out}");
        assert_eq!(tree(&out), tree(&src));
        assert_eq!(messages(&out), (1, 0));
    }

    #[test]
    fn clauses_and_steps_one_per_line() {
        let src = r#"task t on f { during n when a   restart(host) timeout 2m retry 2 backoff 30s dry run
at most 10% of fleet concurrency 2 }
policy p(a: text = "x") on f { every 1m jitter 10s keep 5m nodata 15m => keep
flapping 5 changes in 1h labels {team: "ops"} quiet during n pause during n
depends on q by (host, site) warn when a for 3 of 5 checks recover when b for 2m
crit when b for 3 checks on crit { verify a within 1m cooldown 1h at most 3 per 1d then escalate }
escalate { after 15m page("x") } on warn {} }"#;
        assert_eq!(
            fmt(src),
            r#"task t on f {
  during n
  when a
  restart(host) timeout 2m retry 2 backoff 30s
  dry run
  at most 10% of fleet
  concurrency 2
}
policy p(a: text = "x") on f {
  every 1m jitter 10s
  keep 5m
  nodata 15m => keep
  flapping 5 changes in 1h
  labels { team: "ops" }
  quiet during n
  pause during n
  depends on q by (host, site)
  warn when a for 3 of 5 checks recover when b for 2m
  crit when b for 3 checks
  on crit {
    verify a within 1m
    cooldown 1h
    at most 3 per 1d then escalate
  }
  escalate {
    after 15m page("x")
  }
  on warn {}
}
"#
        );
    }

    #[test]
    fn test_items() {
        let src = r#"test t { series m{} = 1 series d{host="a"} = 30GB - 1GB * t/1m every 1m for 40m
expect warn firing on {host="a"} at 21m expect ok expect event flapping
expect no action expect no action page expect action page on {} }"#;
        assert_eq!(
            fmt(src),
            r#"test t {
  series m = 1
  series d{host="a"} = 30GB - 1GB * t / 1m every 1m for 40m
  expect warn firing on {host="a"} at 21m
  expect ok
  expect event flapping
  expect no action
  expect no action page
  expect action page on {}
}
"#
        );
    }
}
