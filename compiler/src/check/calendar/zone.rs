//! Time zones (E0408, E0409): `in "Europe/Berlin"` must name a zone of the
//! IANA time zone database.
//!
//! The names come from the database bundled into the binary (jiff's copy of
//! tzdata), never from the machine's `/usr/share/zoneinfo`, so a file checks
//! the same everywhere. Names are matched exactly: the database's own lookup
//! ignores case, but zone names are case-sensitive on most systems a policy
//! may be exported to, so `europe/berlin` gets a did-you-mean instead.
//!
//! Abbreviations and UTC offsets are refused with the zone to write instead:
//! an offset does not move with daylight saving time, and neither does `EST`
//! or `MST`, which the database has but as fixed offsets — whoever writes
//! `EST` almost always means New York time, which is EDT half the year.

use std::sync::{Arc, OnceLock};

use jiff::tz::TimeZoneDatabase;
use upkeep_grammar::ast::StrLit;

use crate::{Code, Diagnostic, Label, SourceFile};

/// Abbreviations in common use, with the zone most people mean by them.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("EST", "America/New_York"),
    ("EDT", "America/New_York"),
    ("CST", "America/Chicago"),
    ("CDT", "America/Chicago"),
    ("MST", "America/Denver"),
    ("MDT", "America/Denver"),
    ("PST", "America/Los_Angeles"),
    ("PDT", "America/Los_Angeles"),
    ("AKST", "America/Anchorage"),
    ("AKDT", "America/Anchorage"),
    ("BST", "Europe/London"),
    ("IST", "Asia/Kolkata"),
    ("CEST", "Europe/Berlin"),
    ("EEST", "Europe/Athens"),
    ("WEST", "Europe/Lisbon"),
    ("MSK", "Europe/Moscow"),
    ("JST", "Asia/Tokyo"),
    ("KST", "Asia/Seoul"),
    ("SGT", "Asia/Singapore"),
    ("HKT", "Asia/Hong_Kong"),
    ("AEST", "Australia/Sydney"),
    ("AEDT", "Australia/Sydney"),
    ("ACST", "Australia/Adelaide"),
    ("AWST", "Australia/Perth"),
    ("NZST", "Pacific/Auckland"),
    ("NZDT", "Pacific/Auckland"),
    ("SAST", "Africa/Johannesburg"),
    ("BRT", "America/Sao_Paulo"),
];

/// Names in the database that are refused anyway: fixed offsets that read
/// like the name of a region's time.
const MISLEADING: &[&str] = &["EST", "MST"];

/// Every zone name in the bundled database, sorted.
fn zone_names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let db = TimeZoneDatabase::bundled();
        let mut names: Vec<String> = db.available().map(|n| n.as_str().to_string()).collect();
        names.sort();
        names
    })
}

/// Whether `name` is a zone of the bundled database, spelled as it spells it.
pub fn is_known_zone(name: &str) -> bool {
    zone_names().binary_search_by(|n| n.as_str().cmp(name)).is_ok() && !MISLEADING.contains(&name)
}

/// Checks the `in "TZ"` of a calendar.
pub(super) fn check(zone: &StrLit, file: &Arc<SourceFile>, out: &mut Vec<Diagnostic>) {
    // An interpolated zone is not a plain string; the parser gives plain ones only.
    let Some(name) = zone.as_plain() else { return };
    if is_known_zone(&name) {
        return;
    }
    let label = Label::new(zone.span, "not an IANA time zone");
    if let Some(help) = abbreviation_help(&name) {
        let what = if utc_offset(&name.trim().to_ascii_uppercase()).is_some() {
            "a UTC offset"
        } else {
            "an abbreviation"
        };
        let message = format!("`{name}` is {what}, not a time zone");
        out.push(
            Diagnostic::error(Code::TimeZoneAbbreviation, file, message, label).with_help(help),
        );
        return;
    }
    let mut d = Diagnostic::error(
        Code::UnknownTimeZone,
        file,
        format!("unknown time zone `{name}`"),
        label,
    );
    d = match suggestion(&name) {
        Some(zone) => d.with_help(format!("did you mean `{zone}`?")),
        None => d.with_help(
            "time zones are IANA names such as `Europe/Berlin`, `America/New_York` or `UTC`",
        ),
    };
    out.push(d);
}

/// The closest zone name: the same name in another case, a small typo, or
/// a city written without its region (`Berlin` → `Europe/Berlin`).
fn suggestion(name: &str) -> Option<&'static str> {
    let names = zone_names();
    let usable = || names.iter().map(String::as_str).filter(|n| !MISLEADING.contains(n));
    if let Some(same) = usable().find(|n| n.eq_ignore_ascii_case(name)) {
        return Some(same);
    }
    // Users write spaces where the database has underscores.
    let underscored = name.trim().replace(' ', "_");
    if let Some(found) = crate::suggest::closest(&underscored, usable()) {
        return Some(found);
    }
    if !name.contains('/') {
        let city =
            |n: &&str| n.rsplit('/').next().is_some_and(|c| c.eq_ignore_ascii_case(&underscored));
        return usable().find(city);
    }
    None
}

/// Help for an abbreviation (`PST`) or an offset (`UTC+1`, `+05:30`).
fn abbreviation_help(name: &str) -> Option<String> {
    let upper = name.trim().to_ascii_uppercase();
    if let Some((abbr, zone)) = ABBREVIATIONS.iter().find(|(a, _)| *a == upper) {
        return Some(if MISLEADING.contains(abbr) {
            format!(
                "the database's `{abbr}` is a fixed offset all year, with no daylight saving \
                 time; for the region's local time write `{zone}`"
            )
        } else {
            format!(
                "an abbreviation is not a time zone: write the region's zone, such as `{zone}`, \
                 which moves in and out of daylight saving time by itself"
            )
        });
    }
    let (hours, minutes) = utc_offset(&upper)?;
    let fixed = if minutes == 0 && (-14..=12).contains(&-hours) {
        // POSIX-style names count the other way: UTC+1 is `Etc/GMT-1`.
        let etc = if hours == 0 { "Etc/UTC".to_string() } else { format!("Etc/GMT{:+}", -hours) };
        format!(
            "; for a fixed offset with no daylight saving write `{etc}` (the sign of `Etc/GMT` names is inverted)"
        )
    } else {
        String::new()
    };
    Some(format!(
        "an offset does not follow daylight saving time: write the zone of the place, \
         such as `Europe/Berlin` or `America/New_York`{fixed}"
    ))
}

/// `UTC+1`, `GMT-05:00`, `+0530`, `UTC+5:30` as signed hours and minutes.
fn utc_offset(text: &str) -> Option<(i32, u32)> {
    let rest =
        text.strip_prefix("UTC").or_else(|| text.strip_prefix("GMT")).unwrap_or(text).trim_start();
    let (sign, rest) = match rest.as_bytes().first()? {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return None,
    };
    let rest = rest.trim_start();
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() == 4 && rest.is_ascii() => rest.split_at(2),
        None => (rest, "0"),
    };
    let all_digits =
        |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(h) || !all_digits(m) {
        return None;
    }
    let (h, m): (i32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 14 && m < 60).then_some((sign * h, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_database_knows_the_usual_zones() {
        for zone in ["Europe/Berlin", "America/New_York", "UTC", "Etc/GMT-1", "CET", "Asia/Kolkata"]
        {
            assert!(is_known_zone(zone), "{zone}");
        }
        assert!(!is_known_zone("europe/berlin"));
        assert!(!is_known_zone("EST"));
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggestion("Europe/Berln"), Some("Europe/Berlin"));
        assert_eq!(suggestion("europe/berlin"), Some("Europe/Berlin"));
        assert_eq!(suggestion("Berlin"), Some("Europe/Berlin"));
        assert_eq!(suggestion("New York"), Some("America/New_York"));
        assert_eq!(suggestion("Mars/Olympus_Mons"), None);
    }

    #[test]
    fn offsets() {
        assert_eq!(utc_offset("UTC+1"), Some((1, 0)));
        assert_eq!(utc_offset("GMT-05:00"), Some((-5, 0)));
        assert_eq!(utc_offset("+0530"), Some((5, 30)));
        assert_eq!(utc_offset("UTC"), None);
        assert!(abbreviation_help("UTC+1").is_some_and(|h| h.contains("`Etc/GMT-1`")));
        assert!(abbreviation_help("PST").is_some_and(|h| h.contains("America/Los_Angeles")));
    }
}
