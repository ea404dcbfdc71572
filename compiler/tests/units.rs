//! The units module against the real `stdlib/std/units.upk`: exact
//! conversions, canonical dimensions, literals, unit expressions, display,
//! every error kind, and property tests that nothing panics.

use proptest::prelude::*;
use upkeep_compiler::units::{
    Dimension, ScaleProblem, UndeclaredHint, Unit, UnitError, UnitErrorKind, UnitTable,
};
use upkeep_grammar::Span;
use upkeep_grammar::ast::{
    BinaryOp, Expr, ExprKind, Ident, Item, Quantity, StrLit, StrPart, UnaryOp, UnitDecl, UnitExpr,
    UnitName,
};

const STD_UNITS: &str = include_str!("../../stdlib/std/units.upk");

/// The unit declarations of a source text, which must parse.
fn unit_decls(src: &str) -> Vec<UnitDecl> {
    let parsed = upkeep_grammar::parse(src);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    parsed
        .file
        .items
        .into_iter()
        .filter_map(|item| if let Item::Unit(u) = item { Some(u) } else { None })
        .collect()
}

/// A table from `std.units` followed by `extra`, and the errors of `extra`.
fn table_with(extra: &str) -> (UnitTable, Vec<UnitError>) {
    let decls = unit_decls(&format!("{STD_UNITS}\n{extra}"));
    UnitTable::from_declarations(&decls)
}

fn std_table() -> UnitTable {
    let (table, errors) = table_with("");
    assert!(errors.is_empty(), "std.units must build cleanly: {errors:?}");
    table
}

/// The value and dimension of a literal such as `1.5GiB`.
fn q(table: &UnitTable, literal: &str) -> (f64, Dimension) {
    try_q(table, literal).unwrap_or_else(|e| panic!("{literal}: {e}"))
}

fn try_q(table: &UnitTable, literal: &str) -> Result<(f64, Dimension), UnitError> {
    table.quantity(&Quantity::from_token(literal), Span::new(100, 100 + literal.len()))
}

/// The unit expression of `metric m: gauge<TEXT>`, evaluated.
fn ty(table: &UnitTable, text: &str) -> Result<Unit, UnitError> {
    let src = format!("metric m: gauge<{text}>");
    let parsed = upkeep_grammar::parse(&src);
    assert!(parsed.errors.is_empty(), "{text}: {:?}", parsed.errors);
    match &parsed.file.items[0] {
        Item::Metric(m) => table.eval(m.unit.as_ref().expect("a unit")),
        other => panic!("not a metric: {other:?}"),
    }
}

fn dim(table: &UnitTable, text: &str) -> Dimension {
    ty(table, text).unwrap_or_else(|e| panic!("{text}: {e}")).dim
}

/// The errors of declarations added after `std.units`.
fn decl_errors(extra: &str) -> Vec<UnitError> {
    table_with(extra).1
}

fn only_error(extra: &str) -> UnitError {
    let errors = decl_errors(extra);
    assert_eq!(errors.len(), 1, "{extra}: {errors:?}");
    errors.into_iter().next().expect("one error")
}

// ------------------------------------------------------------------ exactness

#[test]
fn every_si_and_iec_prefix_is_exact() {
    let t = std_table();
    let bytes = t.bytes().expect("bytes");
    for (k, prefix) in ["K", "M", "G", "T", "P", "E"].iter().enumerate() {
        let k = k as i32 + 1;
        let si = q(&t, &format!("1{prefix}B"));
        let iec = q(&t, &format!("1{prefix}iB"));
        assert_eq!(si, (1000f64.powi(k), bytes.clone()), "{prefix}B");
        assert_eq!(iec, (1024f64.powi(k), bytes.clone()), "{prefix}iB");
        assert_ne!(si.0, iec.0, "{prefix}B and {prefix}iB are different units");
        // The table's scales are the exact integers, not rounded floats.
        let want = (1024u128.pow(k as u32), 1);
        assert_eq!(t.lookup(&format!("{prefix}iB")).and_then(|u| u.scale.as_ratio()), Some(want));
    }
    assert_eq!(q(&t, "1GiB"), q(&t, "1073741824B"));
    assert_eq!(q(&t, "1GiB").0, 1_073_741_824.0);
    assert_eq!(q(&t, "1KB").0, 1000.0);
    assert_eq!(q(&t, "1KiB").0, 1024.0);
    assert_eq!(q(&t, "1bit").0, 0.125);
    assert_eq!(q(&t, "1Gbit").0, 125_000_000.0);
}

#[test]
fn every_duration_unit_is_exact() {
    let t = std_table();
    let s = t.seconds().expect("seconds");
    let cases = [
        ("1ms", 0.001),
        ("250ms", 0.25),
        ("1s", 1.0),
        ("1m", 60.0),
        ("1min", 60.0),
        ("1h", 3600.0),
        ("1d", 86400.0),
        ("1w", 604_800.0),
        ("10m", 600.0),
        ("3d", 259_200.0),
    ];
    for (literal, seconds) in cases {
        assert_eq!(q(&t, literal), (seconds, s.clone()), "{literal}");
    }
    assert_eq!(t.lookup("w").and_then(|u| u.scale.as_ratio()), Some((604_800, 1)));
    assert_eq!(t.lookup("ms").and_then(|u| u.scale.as_ratio()), Some((1, 1000)));
}

#[test]
fn fractional_literals_round_once() {
    let t = std_table();
    assert_eq!(q(&t, "1.5GiB").0, 1.5 * 1_073_741_824.0);
    assert_eq!(q(&t, "20%"), (0.2, Dimension::one()));
    assert_eq!(q(&t, "87%").0, 0.87, "87/100 in one division, not 87 * 0.01");
    assert_eq!(q(&t, "0.1GB").0, 1e8);
    assert_eq!(q(&t, "2.5e-3s").0, 0.0025);
    assert_eq!(q(&t, "1e6"), (1e6, Dimension::one()));
    assert_eq!(q(&t, "5"), (5.0, Dimension::one()));
    assert_eq!(q(&t, "0B").0, 0.0);
    assert_eq!(q(&t, "3ppm").0, 3e-6);
}

// ------------------------------------------------------------------ dimensions and literals

#[test]
fn dimensions_are_canonical() {
    let t = std_table();
    assert_eq!(dim(&t, "bytes * seconds / seconds"), dim(&t, "bytes"));
    assert!(dim(&t, "bytes / bytes").is_dimensionless());
    assert_eq!(dim(&t, "B / s"), dim(&t, "bytes / seconds"));
    assert_eq!(dim(&t, "s^-1"), dim(&t, "1 / s"));
    assert_eq!(dim(&t, "seconds * bytes"), dim(&t, "bytes * seconds"));
    assert_eq!(dim(&t, "(B / s)^2"), dim(&t, "B^2 / s^2"));
    assert!(dim(&t, "s^2 / (s * s)").is_dimensionless());
}

#[test]
fn type_units_evaluate_with_their_scale() {
    let t = std_table();
    let unit = ty(&t, "bytes / s").unwrap();
    assert_eq!((unit.factor(), t.display(&unit.dim)), (1.0, "bytes/seconds".to_string()));
    let pct = ty(&t, "percent").unwrap();
    assert_eq!((pct.scale.as_ratio(), pct.dim.is_dimensionless()), (Some((1, 100)), true));
    assert_eq!(ty(&t, "count * s^-1").unwrap(), ty(&t, "s^-1").unwrap());
    assert_eq!(ty(&t, "1").unwrap(), Unit::one());
    assert_eq!(ty(&t, "KiB / ms").unwrap().scale.as_ratio(), Some((1_024_000, 1)));
    // A gauge<percent> sample of 87 is 0.87 after the recorded conversion.
    let ratio = t.lookup("ratio").unwrap();
    let factor = pct.conversion_to(ratio).unwrap();
    assert_eq!(factor.apply(87.0), 0.87);
    assert_eq!(pct.conversion_to(&ty(&t, "bytes").unwrap()), None);
}

#[test]
fn rate_suffixes() {
    let t = std_table();
    let per_s = dim(&t, "s^-1");
    let bytes_per_s = dim(&t, "B / s");
    assert_eq!(q(&t, "10MB/s"), (1e7, bytes_per_s.clone()));
    assert_eq!(q(&t, "1Gbit/s"), (1.25e8, bytes_per_s.clone()));
    assert_eq!(q(&t, "100/s"), (100.0, per_s.clone()));
    assert_eq!(q(&t, "6/min"), (0.1, per_s.clone()));
    assert_eq!(q(&t, "2GB/h").1, bytes_per_s);
    assert_eq!(q(&t, "1%/d").1, per_s);
}

#[test]
fn counts_are_dimensionless_so_counter_rates_compare_with_per_second() {
    let t = std_table();
    assert_eq!(t.lookup("count"), Some(&Unit::one()));
    // rate(counter<count> over 5m) has the counter's unit per second …
    let rate = t.lookup("count").unwrap().div(t.lookup("s").unwrap()).unwrap();
    // … which is the dimension of `10/s`.
    assert_eq!(rate.dim, q(&t, "10/s").1);
    assert_eq!(t.display(&rate.dim), "1/seconds");
}

#[test]
fn user_units_extend_the_table() {
    let (mut t, errors) =
        table_with("unit celsius\nunit requests\nunit krps = 1000 * requests / s");
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(q(&t, "27celsius").0, 27.0);
    assert_eq!(t.display(&q(&t, "2krps").1), "requests/seconds");
    assert_eq!(q(&t, "2krps").0, 2000.0);
    let more = unit_decls("unit kelvin\nunit mK = kelvin / 1000");
    assert!(more.iter().all(|d| t.declare(d).is_none()));
    assert_eq!(q(&t, "5mK").0, 0.005);
    assert!(t.names().any(|n| n == "mK"));
}

// ------------------------------------------------------------------ display

#[test]
fn display_forms() {
    let t = std_table();
    let cases = [
        ("bytes / seconds", "bytes/seconds", "B/s"),
        ("bytes", "bytes", "B"),
        ("s^-1", "1/seconds", "1/s"),
        ("ratio", "1", "1"),
        ("B * s", "bytes*seconds", "B*s"),
        ("B^2 / s^3", "bytes^2/seconds^3", "B^2/s^3"),
    ];
    for (expr, canonical, friendly) in cases {
        let d = dim(&t, expr);
        assert_eq!(t.display(&d), canonical, "{expr}");
        assert_eq!(t.display_friendly(&d), friendly, "{expr}");
    }
    let (t, _) = table_with("unit celsius\nunit nodes\nunit Bps = B / s");
    assert_eq!(t.display(&dim(&t, "celsius / (s * nodes)")), "celsius/(seconds*nodes)");
    assert_eq!(t.display_friendly(&dim(&t, "B / s")), "Bps", "a whole-dimension name wins");
}

#[test]
fn format_value_examples() {
    let t = std_table();
    let s = t.seconds().unwrap();
    let bytes = t.bytes().unwrap();
    let cases: [(f64, &Dimension, &str); 14] = [
        (187_200.0, &s, "2d 4h"),
        (2700.0, &s, "45m"),
        (12.0, &s, "12s"),
        (0.25, &s, "250ms"),
        (90.0, &s, "1m 30s"),
        (1.5, &s, "1.5s"),
        (12_000.0, &s, "3h 20m"),
        (86_399.9, &s, "1d"),
        (0.0, &s, "0s"),
        (-3600.0, &s, "-1h"),
        (1_610_612_736.0, &bytes, "1.5 GiB"),
        (512.0, &bytes, "512 B"),
        (1_048_575.0, &bytes, "1 MiB"),
        (1_099_511_627_776.0, &bytes, "1 TiB"),
    ];
    for (value, d, want) in cases {
        assert_eq!(t.format_value(value, d), want, "{value}");
    }
    assert_eq!(t.format_value(0.87, &Dimension::one()), "87%");
    assert_eq!(t.format_value(0.875, &Dimension::one()), "87.5%");
    assert_eq!(t.format_value(1e7, &dim(&t, "B / s")), "10 MB/s");
    assert_eq!(t.format_value(12.5, &dim(&t, "s^-1")), "12.5/s");
    assert_eq!(t.format_value(3.0, &dim(&t, "B * s")), "3 B*s");
    assert_eq!(t.format_value(f64::NAN, &s), "NaN");
    let (c, _) = table_with("unit celsius");
    assert_eq!(c.format_value(27.0, &dim(&c, "celsius")), "27 celsius");
    // Without std.units there are no names to choose from: plain numbers.
    let (bare, _) = UnitTable::from_declarations(&unit_decls("unit seconds"));
    assert_eq!(bare.format_value(90.0, &bare.seconds().unwrap()), "90 seconds");
}

// ------------------------------------------------------------------ errors

#[test]
fn unknown_suffixes_suggest_the_nearest_units() {
    let t = std_table();
    let e = try_q(&t, "5mins").unwrap_err();
    assert_eq!(e.message(), "`mins` is not a unit");
    assert_eq!(e.help().unwrap(), "did you mean `min` (60 seconds)?");
    assert_eq!(e.span, Span::new(101, 105), "the span is the suffix");
    let e = try_q(&t, "10Gb").unwrap_err();
    assert_eq!(e.message(), "`Gb` is not a unit");
    assert_eq!(e.help().unwrap(), "did you mean `GB` (1e9 bytes) or `Gbit` (125000000 bytes)?");
    let e = try_q(&t, "10MB/sec").unwrap_err();
    assert_eq!(e.span, Span::new(105, 108), "the span is the bad part of the rate");
    assert!(e.help().unwrap().contains("`seconds`"), "{:?}", e.help());
    let e = try_q(&t, "3furlongs").unwrap_err();
    assert!(e.help().unwrap().starts_with("declare it with"));
    let e = ty(&t, "byte / s").unwrap_err();
    assert!(matches!(&e.kind, UnitErrorKind::UnknownUnit { name, .. } if name == "byte"));
    assert!(e.help().unwrap().contains("`bytes`"));
}

#[test]
fn every_error_kind_is_reported() {
    use UnitErrorKind as K;
    let e = only_error("unit B");
    assert!(matches!(e.kind, K::DuplicateUnit { ref name, .. } if name == "B"), "{e:?}");
    for (src, found) in [
        ("unit x = \"s\"", "a string"),
        ("unit x = 1 < 2", "a comparison"),
        ("unit x = max(B)", "a function call"),
        ("unit x = B + B", "an addition"),
        ("unit x = true", "a boolean"),
    ] {
        let e = only_error(src);
        assert_eq!(e.kind, K::NotAUnitExpression { found }, "{src}");
    }
    for (src, problem) in [
        ("unit x = 0 * B", ScaleProblem::Zero),
        ("unit x = B / 0", ScaleProblem::Zero),
        ("unit x = -B", ScaleProblem::Negative),
        ("unit x = 2 * -1", ScaleProblem::Negative),
    ] {
        assert_eq!(only_error(src).kind, K::NonPositiveScale { problem }, "{src}");
    }
    let e = only_error("unit x = 2 * furlong");
    assert!(matches!(e.kind, K::UndeclaredInDefinition { ref name, .. } if name == "furlong"));
    let e = only_error("unit x = 2 * y\nunit y = 3 * B");
    assert!(matches!(
        e.kind,
        K::UndeclaredInDefinition { hint: UndeclaredHint::DeclaredLater(_), .. }
    ));
    assert!(e.help().unwrap().contains("declared further down"));
    let e = only_error("unit x = 2 * x");
    assert!(matches!(e.kind, K::UndeclaredInDefinition { hint: UndeclaredHint::Itself, .. }));
    let e = only_error("unit x = 10mins");
    assert!(matches!(e.kind, K::UndeclaredInDefinition { ref name, .. } if name == "mins"));

    let t = std_table();
    assert_eq!(ty(&t, "s^200").unwrap_err().kind, K::ExponentOverflow);
    let many = vec!["s"; 128].join(" * ");
    assert_eq!(only_error(&format!("unit x = {many}")).kind, K::ExponentOverflow);
    assert_eq!(only_error("unit x = 1e300 * 1e300 * B").kind, K::ScaleOutOfRange);
    assert_eq!(only_error("unit x = 1e-300 * 1e-300").kind, K::ScaleOutOfRange);
    assert_eq!(ty(&t, "EiB^40").unwrap_err().kind, K::ScaleOutOfRange);
    assert!(matches!(try_q(&t, "1e400B").unwrap_err().kind, K::InvalidNumber { .. }));
    assert!(matches!(try_q(&t, "1e300EiB").unwrap_err().kind, K::InvalidNumber { .. }));
    for src in ["unit \"a b\" = 1", "unit \"\" = 1", "unit \"2x\" = 1", "unit \"{x}\" = 1"] {
        assert!(matches!(only_error(src).kind, K::InvalidSymbol { .. }), "{src}");
    }
    // A broken unit is remembered: its uses are follow-on errors, not "unknown".
    let (t, errors) = table_with("unit x = \"s\"\nunit y = 2 * x");
    assert_eq!(errors.len(), 2);
    assert!(errors[1].is_follow_on() && !errors[0].is_follow_on());
    assert!(t.is_broken("x") && t.is_broken("y"));
    assert!(matches!(try_q(&t, "5x").unwrap_err().kind, K::BrokenUnit { .. }));
    let ids: std::collections::HashSet<&str> = [
        K::UnknownUnit { name: String::new(), suggestions: vec![] },
        K::UndeclaredInDefinition { name: String::new(), hint: UndeclaredHint::Itself },
        K::DuplicateUnit { name: String::new(), first: Span::default() },
        K::NotAUnitExpression { found: "" },
        K::NonPositiveScale { problem: ScaleProblem::Zero },
        K::ExponentOverflow,
        K::ScaleOutOfRange,
        K::InvalidNumber { text: String::new() },
        K::InvalidSymbol { symbol: String::new() },
        K::BrokenUnit { name: String::new() },
    ]
    .iter()
    .map(UnitErrorKind::id)
    .collect();
    assert_eq!(ids.len(), 10, "each kind has its own id");
}

#[test]
fn forward_references_are_judged_by_order_not_offset() {
    // Two files: the use sits at a large offset in the first, the
    // declaration at offset 0 in the second, which comes later.
    let first = unit_decls("\n\n\n\nunit x = 2 * y");
    let second = unit_decls("unit y = 3");
    let (_, errors) = UnitTable::from_declarations(first.iter().chain(&second));
    assert!(
        matches!(
            errors[..],
            [UnitError {
                kind: UnitErrorKind::UndeclaredInDefinition {
                    hint: UndeclaredHint::DeclaredLater(_),
                    ..
                },
                ..
            }]
        ),
        "{errors:?}"
    );
}

#[test]
fn every_error_has_a_message_and_all_but_follow_ons_a_help() {
    let sources = [
        "unit B",
        "unit x = \"s\"",
        "unit x = 0 * B",
        "unit x = -B",
        "unit x = y",
        "unit x = 1e300 * 1e300",
        "unit \"a b\" = 1",
        "unit z = x",
    ];
    for src in sources {
        for e in decl_errors(src) {
            assert!(!e.message().is_empty());
            assert_eq!(e.help().is_none(), e.is_follow_on(), "{src}: {e:?}");
            assert_eq!(e.to_string(), e.message());
        }
    }
}

// ------------------------------------------------------------------ properties

const NAMES: &[&str] = &[
    "bytes", "seconds", "ratio", "count", "percent", "B", "KB", "GB", "EB", "KiB", "GiB", "EiB",
    "bit", "Gbit", "s", "ms", "m", "min", "h", "d", "w", "ppm",
];

fn unit_expr() -> impl Strategy<Value = UnitExpr> {
    let sp = Span::default();
    let leaf = prop_oneof![
        4 => proptest::sample::select(NAMES).prop_map(move |n| UnitExpr::Name(Ident::new(n, sp))),
        1 => Just(UnitExpr::One(sp)),
    ];
    leaf.prop_recursive(3, 12, 2, move |inner| {
        prop_oneof![
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| UnitExpr::Mul(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| UnitExpr::Div(Box::new(a), Box::new(b))),
            (inner, -3i32..=3).prop_map(move |(a, n)| UnitExpr::Pow(Box::new(a), n, sp)),
        ]
    })
}

fn close(a: f64, b: f64) -> bool {
    a == b || ((a - b) / a.abs().max(b.abs())).abs() <= 4.0 * f64::EPSILON
}

fn expr() -> impl Strategy<Value = Expr> {
    let sp = Span::default();
    let number = "[0-9]{1,4}(\\.[0-9]{1,3})?(e-?[0-9]{1,3})?";
    let leaf = prop_oneof![
        (number, proptest::option::of("[A-Za-z%]{0,4}(/[A-Za-z]{0,3})?"))
            .prop_map(|(number, unit)| ExprKind::Quantity(Quantity { number, unit })),
        proptest::sample::select(NAMES)
            .prop_map(|n| ExprKind::Name(Ident::new(n, Span::default()))),
        "[a-z]{1,3}".prop_map(|n| ExprKind::Name(Ident::new(n, Span::default()))),
        Just(ExprKind::Error),
        Just(ExprKind::Bool(true)),
        Just(ExprKind::Str(StrLit { raw: "s".into(), parts: vec![], span: Span::default() })),
    ]
    .prop_map(move |kind| Expr::new(kind, sp));
    leaf.prop_recursive(4, 24, 2, move |inner| {
        let ops = proptest::sample::select(vec![
            BinaryOp::Mul,
            BinaryOp::Div,
            BinaryOp::Mul,
            BinaryOp::Div,
            BinaryOp::Add,
            BinaryOp::Lt,
            BinaryOp::And,
        ]);
        prop_oneof![
            (ops, inner.clone(), inner.clone()).prop_map(move |(op, lhs, rhs)| {
                Expr::new(ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, sp)
            }),
            inner.prop_map(move |e| {
                Expr::new(ExprKind::Unary { op: UnaryOp::Neg, operand: Box::new(e) }, sp)
            }),
        ]
    })
}

fn decl() -> impl Strategy<Value = UnitDecl> {
    let name = prop_oneof![
        "[a-z]{1,3}".prop_map(|n| UnitName::Ident(Ident::new(n, Span::default()))),
        proptest::sample::select(NAMES)
            .prop_map(|n| UnitName::Ident(Ident::new(n, Span::default()))),
        ".{0,3}".prop_map(|raw| UnitName::Symbol(StrLit {
            parts: vec![StrPart::Text(raw.clone())],
            raw,
            span: Span::default(),
        })),
    ];
    (name, proptest::option::of(expr()), 0usize..1000).prop_map(|(name, value, at)| UnitDecl {
        name,
        value,
        span: Span::new(at, at + 5),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn eval_is_a_homomorphism(a in unit_expr(), b in unit_expr()) {
        let t = std_table();
        let (Ok(ua), Ok(ub)) = (t.eval(&a), t.eval(&b)) else { return Ok(()) };
        let product = UnitExpr::Mul(Box::new(a.clone()), Box::new(b.clone()));
        let quotient = UnitExpr::Div(Box::new(a.clone()), Box::new(b));
        if let Ok(p) = t.eval(&product) {
            prop_assert_eq!(&p.dim, &ua.dim.mul(&ub.dim).unwrap());
            prop_assert!(close(p.factor(), ua.factor() * ub.factor()), "{} vs {}", p.factor(), ua.factor() * ub.factor());
        }
        if let Ok(q) = t.eval(&quotient) {
            prop_assert_eq!(&q.dim, &ua.dim.div(&ub.dim).unwrap());
            prop_assert!(close(q.factor(), ua.factor() / ub.factor()));
        }
        // a / a is exactly one while the scale is exact, and about one after.
        let itself = t.eval(&UnitExpr::Div(Box::new(a.clone()), Box::new(a))).unwrap();
        prop_assert!(itself.dim.is_dimensionless());
        if ua.scale.is_exact() {
            prop_assert_eq!(itself, Unit::one());
        } else {
            prop_assert!(close(itself.factor(), 1.0));
        }
    }

    #[test]
    fn from_declarations_never_panics(decls in proptest::collection::vec(decl(), 0..12), value in any::<f64>()) {
        let std = unit_decls(STD_UNITS);
        let (t, errors) = UnitTable::from_declarations(std.iter().chain(&decls));
        for e in &errors {
            let _ = (e.message(), e.help());
        }
        for u in t.names().filter_map(|n| t.lookup(n)) {
            prop_assert!(u.factor().is_finite() && u.factor() > 0.0);
            let _ = (t.display(&u.dim), t.display_friendly(&u.dim), t.format_value(value, &u.dim));
        }
    }

    #[test]
    fn quantities_never_panic(text in "[0-9]{1,3}(\\.[0-9])?(e-?[0-9]{1,4})?[A-Za-z%/]{0,6}", start in 0usize..50, end in 0usize..50) {
        let t = std_table();
        let _ = t.quantity(&Quantity::from_token(&text), Span::new(start, end));
    }
}
