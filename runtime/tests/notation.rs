//! Tests of `upkeep_runtime::notation`: promtool's expanding notation.

use proptest::prelude::*;
use upkeep_runtime::notation::{MAX_VALUES, NotationError, Problem, expand};

fn values(text: &str) -> Vec<Option<f64>> {
    expand(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn some(values: &[f64]) -> Vec<Option<f64>> {
    values.iter().copied().map(Some).collect()
}

#[track_caller]
fn error(text: &str, problem: Problem, token: &str, offset: usize) {
    let expected = NotationError { problem, token: token.to_string(), offset };
    assert_eq!(expand(text), Err(expected), "{text:?}");
}

#[test]
fn plain_numbers() {
    assert_eq!(values("1 2 3"), some(&[1.0, 2.0, 3.0]));
    assert_eq!(
        values("-1.5 +2 .5 1. 1e3 2.5E-1 010"),
        some(&[-1.5, 2.0, 0.5, 1.0, 1e3, 0.25, 10.0])
    );
    assert_eq!(values(""), vec![]);
    assert_eq!(values(" \t\r\n "), vec![]);
    assert_eq!(values("\t1\n2\r\n 3 "), some(&[1.0, 2.0, 3.0]));
}

#[test]
fn increasing_and_decreasing_runs_have_n_plus_one_values() {
    assert_eq!(values("0+10x3"), some(&[0.0, 10.0, 20.0, 30.0]));
    assert_eq!(values("10-2x2"), some(&[10.0, 8.0, 6.0]));
    assert_eq!(values("-1+0.5x2"), some(&[-1.0, -0.5, 0.0]));
    assert_eq!(values("7+3x0"), some(&[7.0]));
    // Built by repeated addition, as promtool does: 0.1 + 0.1 + 0.1.
    assert_eq!(values("0+0.1x3"), some(&[0.0, 0.1, 0.2, 0.30000000000000004]));
}

#[test]
fn repeated_values_have_n_plus_one() {
    assert_eq!(values("5x2"), some(&[5.0, 5.0, 5.0]));
    assert_eq!(values("5x0"), some(&[5.0]));
    assert_eq!(values("1x1 2"), some(&[1.0, 1.0, 2.0]));
    // No hexadecimal in series: `0x3` is zero, repeated.
    assert_eq!(values("0x3"), some(&[0.0; 4]));
}

#[test]
fn blanks_have_n() {
    assert_eq!(values("_"), vec![None]);
    assert_eq!(values("_x3"), vec![None; 3]);
    assert_eq!(values("_x0"), vec![]);
    assert_eq!(values("1 _x2 3"), vec![Some(1.0), None, None, Some(3.0)]);
}

#[test]
fn stale_is_missing() {
    assert_eq!(values("1 stale 2"), vec![Some(1.0), None, Some(2.0)]);
    assert_eq!(values("stale+1x2"), vec![None; 3]);
}

#[test]
fn infinities_and_nan() {
    let v = values("Inf -Inf +inf NaN nan Inf+1x1 -INF-1x1");
    let inf = f64::INFINITY;
    assert_eq!(v[..3], some(&[inf, -inf, inf]));
    assert!(v[3].is_some_and(f64::is_nan) && v[4].is_some_and(f64::is_nan));
    assert_eq!(v[5..], some(&[inf, inf, -inf, -inf]));
}

#[test]
fn errors_name_the_token_and_its_offset() {
    error("1 2 foo", Problem::UnknownWord, "foo", 4);
    error("1 Infx3", Problem::UnknownWord, "Infx3", 2);
    error("1+Infx3", Problem::UnknownWord, "Infx3", 2);
    error("stalex2", Problem::UnknownWord, "stalex2", 0);
    error("-stale", Problem::UnknownWord, "stale", 1);
    error("1x", Problem::BadCount, "x", 1);
    error("_x", Problem::BadCount, "x", 1);
    error("1 1+2x", Problem::BadCount, "x", 5);
    error("1x1.5", Problem::BadCount, "1.5", 2);
    error("1x1e3", Problem::BadCount, "1e3", 2);
    error("1xInf", Problem::BadCount, "Inf", 2);
    error("1x18446744073709551616", Problem::BadCount, "18446744073709551616", 2);
    error("1+2", Problem::MissingCount, "2", 2);
    error("1+2+3x4", Problem::MissingCount, "+", 3);
    error("1+-2x3", Problem::ExpectedValue, "-", 2);
    error("1 + 2", Problem::ExpectedValue, "+", 2);
    error("x3", Problem::ExpectedValue, "x", 0);
    error("1e400", Problem::BadNumber, "1e400", 0);
    error("2 1e", Problem::BadNumber, "1e", 2);
    error("1a", Problem::BadNumber, "1a", 0);
    error("1_000", Problem::BadNumber, "1_000", 0);
    error("1x3x4", Problem::TrailingText, "x", 3);
    error("_5", Problem::TrailingText, "5", 1);
    error("1.5.3", Problem::TrailingText, ".3", 3);
    error("1 é", Problem::UnexpectedCharacter, "é", 2);
    error("1,2", Problem::UnexpectedCharacter, ",", 1);
    error("1\u{a0}2", Problem::UnexpectedCharacter, "\u{a0}", 1);
}

#[test]
fn huge_expansions_are_refused_before_allocating() {
    error("0+1x1000000000", Problem::TooManyValues, "0+1x1000000000", 0);
    error("_x18446744073709551615", Problem::TooManyValues, "_x18446744073709551615", 0);
    error("1x18446744073709551615", Problem::TooManyValues, "1x18446744073709551615", 0);
    // The cap is on the whole series: 2 × 5,000,000 values pass it by 2.
    let half = format!("0x{}", MAX_VALUES / 2);
    let text = format!("{half} {half}");
    error(&text, Problem::TooManyValues, &half, half.len() + 1);
    let message = expand("_x10000001").map(|_| ()).unwrap_err().to_string();
    assert!(message.contains("10000000") && message.contains("byte 0"), "{message}");
}

/// A valid term and the number of values it expands to. Words (`Inf`,
/// `NaN`, `stale`) cannot be followed by `x`: the lexer would take it into
/// the word.
fn term() -> impl Strategy<Value = (String, usize)> {
    let unsigned = prop_oneof![
        (0.0..1e6f64).prop_map(|v| format!("{v}")),
        (0u32..1000).prop_map(|v| v.to_string()),
        (1u32..100, -10i32..10).prop_map(|(m, e)| format!("{m}e{e}")),
    ];
    let sign = prop_oneof![Just(""), Just("+"), Just("-")];
    let number = (sign.clone(), unsigned.clone()).prop_map(|(s, n)| format!("{s}{n}"));
    let word = prop_oneof![Just("Inf"), Just("-inf"), Just("NaN"), Just("stale")];
    let value = prop_oneof![number.clone(), word.prop_map(str::to_string)];
    let step_sign = prop_oneof![Just('+'), Just('-')];
    prop_oneof![
        value.clone().prop_map(|v| (v, 1)),
        (number, 0usize..50).prop_map(|(v, n)| (format!("{v}x{n}"), n + 1)),
        (value, step_sign, unsigned, 0usize..50)
            .prop_map(|(v, s, b, n)| (format!("{v}{s}{b}x{n}"), n + 1)),
        Just(("_".to_string(), 1)),
        (0usize..50).prop_map(|n| (format!("_x{n}"), n)),
    ]
}

proptest! {
    #[test]
    fn never_panics_on_any_text(text in any::<String>()) {
        match expand(&text) {
            Ok(values) => prop_assert!(values.len() <= MAX_VALUES),
            Err(e) => {
                let at = text.get(e.offset..).unwrap_or_default();
                prop_assert!(!e.token.is_empty() && at.starts_with(&e.token), "{e:?}");
            }
        }
    }

    #[test]
    fn never_panics_on_near_notation(text in "[-+0-9x_. eEinfaNstl\t\n]{0,40}") {
        match expand(&text) {
            Ok(values) => prop_assert!(values.len() <= MAX_VALUES),
            Err(e) => {
                let at = text.get(e.offset..).unwrap_or_default();
                prop_assert!(!e.token.is_empty() && at.starts_with(&e.token), "{e:?}");
            }
        }
    }

    #[test]
    fn valid_terms_expand_to_the_sum_of_their_lengths(
        terms in proptest::collection::vec(term(), 0..20),
        spaces in proptest::collection::vec("[ \t\r\n]{1,3}", 20),
    ) {
        let text: String = terms
            .iter()
            .zip(&spaces)
            .map(|((term, _), space)| format!("{space}{term}"))
            .collect();
        let values = expand(&text).map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
        prop_assert_eq!(values.len(), terms.iter().map(|(_, n)| n).sum::<usize>());
    }
}
