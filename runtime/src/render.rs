//! Values as people read them in messages and events: durations as
//! `2d 4h`, ratios as `81%`, bytes as `9.3 GB`, and `{name}` templates
//! filled in from an instance's labels and values.

/// A duration in seconds as `2d 4h`, `15m`, `42s`, `250ms`: the two largest
/// non-zero units, so a reader sees the size at a glance; `never` for +∞.
pub fn duration(seconds: f64) -> String {
    if seconds.is_nan() {
        return "unknown".into();
    }
    if seconds == f64::INFINITY {
        return "never".into();
    }
    if seconds < 0.0 {
        return format!("-{}", duration(-seconds));
    }
    if seconds < 1.0 && seconds > 0.0 {
        return format!("{}ms", (seconds * 1000.0).round());
    }
    const UNITS: [(&str, f64); 4] = [("d", 86400.0), ("h", 3600.0), ("m", 60.0), ("s", 1.0)];
    let mut rest = seconds.round();
    let mut parts = Vec::new();
    for (name, size) in UNITS {
        let n = (rest / size).floor();
        if n >= 1.0 {
            parts.push(format!("{n}{name}"));
            rest -= n * size;
        }
        if parts.len() == 2 {
            break;
        }
    }
    if parts.is_empty() { "0s".into() } else { parts.join(" ") }
}

/// A value in base units with the unit it has in the policy (`s`, `ratio`,
/// `bytes`, `B/s`, `1/s`, or any other unit's name), as text.
pub fn value(v: f64, unit: &str) -> String {
    if v.is_nan() {
        return "unknown".into();
    }
    match unit {
        "s" | "seconds" => duration(v),
        "ratio" | "%" => format!("{}%", short(v * 100.0)),
        "bytes" | "B" => bytes(v),
        "B/s" => format!("{}/s", bytes(v)),
        "" | "count" => short(v),
        per if per.starts_with("1/") => format!("{}/{}", short(v), &per[2..]),
        other => format!("{} {other}", short(v)),
    }
}

/// Bytes in decimal units, as disks are sold: `9.3 GB`.
pub fn bytes(v: f64) -> String {
    const UNITS: [&str; 6] = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut x = v;
    let mut i = 0;
    while x.abs() >= 1000.0 && i + 1 < UNITS.len() {
        x /= 1000.0;
        i += 1;
    }
    format!("{} {}", short(x), UNITS[i])
}

/// A number with at most three significant decimals, no trailing zeros.
pub fn short(v: f64) -> String {
    if v.is_infinite() {
        return if v > 0.0 { "∞".into() } else { "-∞".into() };
    }
    let text = if v.abs() >= 100.0 { format!("{v:.0}") } else { format!("{v:.3}") };
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if text == "-0" { "0".into() } else { text }
}

/// Fills `{name}` in a message template with `lookup(name)`; a name it does
/// not know stays as written, braces included. `{{` and `}}` are literal
/// braces.
pub fn template(text: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if tail.starts_with('{')
            && let Some(end) = tail.find('}')
        {
            let name = &tail[1..end];
            match lookup(name.trim()) {
                Some(v) => out.push_str(&v),
                None => out.push_str(&tail[..=end]),
            }
            rest = &tail[end + 1..];
            continue;
        }
        out.push_str(&tail[..1]);
        rest = &tail[1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(duration(187_200.0), "2d 4h");
        assert_eq!(duration(900.0), "15m");
        assert_eq!(duration(3_661.0), "1h 1m");
        assert_eq!(duration(0.25), "250ms");
        assert_eq!(duration(0.0), "0s");
        assert_eq!(duration(f64::INFINITY), "never");
        assert_eq!(duration(-60.0), "-1m");
    }

    #[test]
    fn values_carry_their_units() {
        assert_eq!(value(0.8125, "ratio"), "81.25%");
        assert_eq!(value(9.3e9, "bytes"), "9.3 GB");
        assert_eq!(value(1.5e6, "B/s"), "1.5 MB/s");
        assert_eq!(value(42.0, ""), "42");
        assert_eq!(value(342.0, "1/s"), "342/s");
        assert_eq!(value(23.5, "celsius"), "23.5 celsius");
        assert_eq!(value(f64::NAN, "bytes"), "unknown");
    }

    #[test]
    fn templates_fill_known_names_and_keep_the_rest() {
        let filled = template("{mount} on {host} fills in {eta} {{x}} {nope}", |n| match n {
            "mount" => Some("/".into()),
            "host" => Some("db1".into()),
            "eta" => Some("2d 4h".into()),
            _ => None,
        });
        assert_eq!(filled, "/ on db1 fills in 2d 4h {x} {nope}");
        assert_eq!(template("unclosed {brace", |_| None), "unclosed {brace");
    }
}
