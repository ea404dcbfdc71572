//! One-line tests of every syntax diagnostic: source in, the short rendering
//! of its diagnostics out. Each line was read and judged right by a person;
//! change one only when the message really should change.

use upkeep_compiler::{SourceFile, check_file, render};

fn check(src: &str) -> String {
    let checked = check_file(SourceFile::new("t.upk", src));
    checked.diagnostics.iter().map(render::short).collect::<Vec<_>>().join("\n")
}

/// Wraps clauses in a policy so each case can be one line.
fn in_policy(clauses: &str) -> String {
    check(&format!("policy p on f {{\n{clauses}\n}}\n"))
}

#[test]
fn lexical() {
    assert_eq!(
        in_policy("warn when x > 4 $ 2"),
        "t.upk:2:17: error[E0001]: unexpected character `$`"
    );
    assert_eq!(
        in_policy("warn when x > 90 %"),
        "t.upk:2:18: error[E0002]: `%` must follow a number directly"
    );
    assert_eq!(in_policy("message \"open"), "t.upk:2:9: error[E0003]: this string is never closed");
    assert_eq!(
        in_policy(r#"message "a\qb""#),
        r"t.upk:2:11: error[E0004]: unknown escape `\q` in a string"
    );
    assert_eq!(
        in_policy(r#"message "{host is down""#),
        "t.upk:2:10: error[E0005]: `{` in a string starts an interpolation that is never closed"
    );
    assert_eq!(
        in_policy(r#"message "{a + b}""#),
        "t.upk:2:10: error[E0006]: `{a + b}` is not a name that can be interpolated"
    );
    assert_eq!(in_policy(r#"message "a}""#), "t.upk:2:11: error[E0007]: a single `}` in a string");
}

#[test]
fn grammar() {
    assert_eq!(
        check("rule x on f {}"),
        "t.upk:1:1: error[E0010]: expected a declaration such as `policy`, `fleet` or `use`, found `rule`"
    );
    assert_eq!(
        check("fn f() = 1 +"),
        "t.upk:1:13: error[E0011]: the file ends where an expression was expected"
    );
    assert_eq!(
        check("policy p on f {\n every 1m\n"),
        "t.upk:1:15: error[E0012]: this `{` is never closed"
    );
    assert_eq!(check("tenant a\n)"), "t.upk:2:1: error[E0013]: this `)` closes nothing");
    assert_eq!(
        in_policy("warn when x > 1 for 5"),
        "t.upk:2:21: error[E0014]: expected a duration such as `5m` after `for`, found `5`"
    );
    assert_eq!(
        check("fleet f = hosts where a = \"b\""),
        "t.upk:1:25: error[E0015]: `=` cannot compare values"
    );
    assert_eq!(
        in_policy("warn when m{a==\"b\"} > 1"),
        "t.upk:2:14: error[E0016]: label matchers use `=`, not `==`"
    );
    assert_eq!(
        in_policy("warn x > 1"),
        "t.upk:2:6: error[E0017]: expected `when` after the level `warn`"
    );
    assert_eq!(
        in_policy("warn when 1 < x < 2"),
        "t.upk:2:17: error[E0018]: comparisons cannot be chained"
    );
    assert_eq!(check("metric m: gague"), "t.upk:1:11: error[E0019]: unknown metric kind `gague`");
    assert_eq!(
        check("metric m: gauge<2 * B>"),
        "t.upk:1:17: error[E0020]: `2` cannot appear in a unit; only `1` can"
    );
    assert_eq!(
        check("metric m: gauge<B^0>"),
        "t.upk:1:19: error[E0021]: `0` is not a valid unit exponent"
    );
    assert_eq!(in_policy("evry 1m"), "t.upk:2:1: error[E0022]: unexpected word `evry`");
    assert_eq!(
        check(&format!("fn f() = {}", "-".repeat(300))),
        "t.upk:1:265: error[E0023]: more than 256 operators in one expression"
    );
}

#[test]
fn durations_need_units_after_every_duration_keyword() {
    for (clause, col) in [
        ("every 5", 7),
        ("keep 5", 6),
        ("nodata 5 => warn", 8),
        ("flapping 3 changes in 5", 23),
        ("warn when x recover when y for 5", 32),
        ("on crit { cooldown 5 }", 20),
        ("on crit { verify x within 5 }", 27),
        ("on crit { at most 3 per 5 }", 25),
        ("on crit { a() timeout 5 }", 23),
        ("on crit { a() retry 2 backoff 5 }", 31),
        ("escalate { after 5 a() }", 18),
    ] {
        let out = in_policy(clause);
        assert!(out.contains("error[E0014]"), "{clause}: {out}");
        assert!(out.starts_with(&format!("t.upk:2:{col}:")), "{clause}: {out}");
    }
}

#[test]
fn three_independent_mistakes_give_three_reports() {
    let src = "fleet db = hosts where role = \"db\"\n\
               policy a on db {\n  warn when x > 1 for 10\n}\n\
               policy b on db {\n  crit x < 2\n}\n";
    assert_eq!(
        check(src),
        "t.upk:1:29: error[E0015]: `=` cannot compare values\n\
         t.upk:3:23: error[E0014]: expected a duration such as `10m` after `for`, found `10`\n\
         t.upk:6:8: error[E0017]: expected `when` after the level `crit`"
    );
}

#[test]
fn clean_files_have_no_diagnostics() {
    assert_eq!(in_policy("every 1m\nwarn when x > 80% for 5m recover when x < 70%"), "");
}
