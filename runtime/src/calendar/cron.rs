//! Cron schedules at run time: the five-field matcher behind
//! `cron "0 3 * * SUN" for 2h`.
//!
//! The dialect is the compiler's (`compiler/src/check/calendar/cron.rs`,
//! whose parser is private to the checker, hence this second copy): minute,
//! hour, day of month, month, day of week; each field `*`, a number, a range
//! `a-b`, a list `a,b`, a step `*/n`, `a-b/n` or `a/n` (from `a` to the end
//! of the field); months `JAN`–`DEC` and days `SUN`–`SAT` in any case; `0`
//! and `7` both Sunday. When both day fields are restricted, a day matches if
//! either does; a day field counts as unrestricted when it starts with `*`
//! (so `*/2` too), as in Vixie cron and in the compiler's check.
//!
//! Matching minutes are civil minutes of the calendar's zone, turned into
//! instants by the rules of the [parent module](super).

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};

use super::{instant, timestamp};

const MONTHS: [&str; 12] =
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// A parsed schedule: each field as a bit set of the values it matches.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Schedule {
    minutes: u64,
    hours: u64,
    doms: u64,
    months: u64,
    /// Bit 0 is Sunday (a `7` is folded into it).
    dows: u64,
    dom_star: bool,
    dow_star: bool,
}

impl Schedule {
    pub(super) fn parse(text: &str) -> Result<Schedule, String> {
        let fields: Vec<&str> = text.split_whitespace().collect();
        let &[minute, hour, dom, month, dow] = fields.as_slice() else {
            return Err(format!("a cron schedule has five fields, not {}", fields.len()));
        };
        let dows = field(dow, 0, 7, &DAYS)?;
        Ok(Schedule {
            minutes: field(minute, 0, 59, &[])?,
            hours: field(hour, 0, 23, &[])?,
            doms: field(dom, 1, 31, &[])?,
            months: field(month, 1, 12, &MONTHS)?,
            dows: (dows | dows >> 7 & 1) & 0x7f,
            dom_star: dom.starts_with('*'),
            dow_star: dow.starts_with('*'),
        })
    }

    fn matches_day(&self, day: Date) -> bool {
        let bit = |set: u64, i: i8| set & 1 << i != 0;
        let dom = bit(self.doms, day.day());
        let dow = bit(self.dows, day.weekday().to_sunday_zero_offset());
        let day_ok = if self.dom_star || self.dow_star { dom && dow } else { dom || dow };
        day_ok && bit(self.months, day.month())
    }

    /// Whether some matching civil minute `m` has `m <= t < m + seconds`.
    ///
    /// Only minutes whose wall-clock reading can belong to an instant in
    /// `(t - seconds, t]` are tried: readings are instants shifted by the
    /// zone's offset, so those between `t - seconds` plus the smallest offset
    /// in effect meanwhile and `t` plus the largest. Days and hours outside
    /// the schedule are skipped whole, so the work is bounded by the days
    /// the window spans and the matching minutes among them.
    pub(super) fn contains(&self, zone: &TimeZone, t: f64, seconds: f64) -> bool {
        let (Some(low), Some(high)) = (timestamp(t - seconds), timestamp(t)) else {
            return false;
        };
        let first = zone.to_offset(low).seconds();
        let (mut least, mut most) = (first, first);
        for transition in zone.following(low).take_while(|tr| tr.timestamp() <= high) {
            let offset = transition.offset().seconds();
            (least, most) = (least.min(offset), most.max(offset));
        }
        // The range of readings, in seconds of "civil time read as UTC".
        let from = (t - seconds + f64::from(least)).floor() as i64;
        let to = (t + f64::from(most)).floor() as i64;
        let (Some(mut day), Some(last)) = (reading(from), reading(to)) else {
            return false;
        };
        while day <= last {
            if self.matches_day(day) && self.day_contains(zone, day, from..=to, t, seconds) {
                return true;
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => return false,
            }
        }
        false
    }

    fn day_contains(
        &self,
        zone: &TimeZone,
        day: Date,
        readings: std::ops::RangeInclusive<i64>,
        t: f64,
        seconds: f64,
    ) -> bool {
        let Ok(midnight) = Offset::UTC.to_timestamp(day.at(0, 0, 0, 0)) else { return false };
        let midnight = midnight.as_second();
        for hour in (0..24).filter(|h| self.hours & 1 << h != 0) {
            let hour_start = midnight + hour * 3600;
            if hour_start + 3599 < *readings.start() || hour_start > *readings.end() {
                continue;
            }
            for minute in (0..60).filter(|m| self.minutes & 1 << m != 0) {
                if !readings.contains(&(hour_start + minute * 60)) {
                    continue;
                }
                let dt = day.at(hour as i8, minute as i8, 0, 0);
                if let Some(start) = instant(zone, dt).map(|s| s as f64)
                    && start <= t
                    && t < start + seconds
                {
                    return true;
                }
            }
        }
        false
    }
}

/// The civil date of a reading (civil seconds read as UTC).
fn reading(seconds: i64) -> Option<Date> {
    let ts = Timestamp::from_second(seconds).ok()?;
    Some(Offset::UTC.to_datetime(ts).date())
}

/// The values a field matches, as a bit set.
fn field(text: &str, min: u32, max: u32, names: &[&str]) -> Result<u64, String> {
    let mut set = 0u64;
    for item in text.split(',') {
        let (base, step) = match item.split_once('/') {
            Some((base, step)) => match step.parse::<u32>() {
                Ok(n) if n > 0 && step.bytes().all(|b| b.is_ascii_digit()) => (base, Some(n)),
                _ => return Err(format!("`/{step}` is not a step")),
            },
            None => (item, None),
        };
        let (low, high) = if base == "*" {
            (min, max)
        } else if let Some((a, b)) = base.split_once('-') {
            let (low, high) = (value(a, min, max, names)?, value(b, min, max, names)?);
            if low > high {
                return Err(format!("the range `{base}` goes backwards"));
            }
            (low, high)
        } else {
            let v = value(base, min, max, names)?;
            (v, if step.is_some() { max } else { v })
        };
        for v in (low..=high).step_by(step.unwrap_or(1) as usize) {
            set |= 1 << v;
        }
    }
    Ok(set)
}

fn value(text: &str, min: u32, max: u32, names: &[&str]) -> Result<u32, String> {
    if !text.is_empty() && text.len() <= 3 && text.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(format!("`{text}` is not between {min} and {max}")),
        };
    }
    match names.iter().position(|n| n.eq_ignore_ascii_case(text)) {
        // Months count from 1, days of the week from 0 (Sunday).
        Some(i) => Ok(i as u32 + min),
        None => Err(format!("`{text}` is not a valid value")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Schedule {
        Schedule::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn fields_expand_as_the_compiler_does() {
        let s = parse("*/20 0-6/3 1,15 jan-Mar SUN");
        assert_eq!(s.minutes, 1 | 1 << 20 | 1 << 40);
        assert_eq!(s.hours, 1 | 1 << 3 | 1 << 6);
        assert_eq!(s.doms, 1 << 1 | 1 << 15);
        assert_eq!(s.months, 0b1110);
        assert_eq!(s.dows, 1);
        assert_eq!(parse("50/5 * * * *").minutes, 1 << 50 | 1 << 55);
        // 7 is Sunday; 5-7 is Friday, Saturday and Sunday.
        assert_eq!(parse("0 0 * * 5-7").dows, 1 | 1 << 5 | 1 << 6);
        assert_eq!(parse("0 0 * * 7").dows, 1);
        let s = parse("0 0 */2 * fri");
        assert!(s.dom_star && !s.dow_star);
    }

    #[test]
    fn bad_schedules_are_refused() {
        for bad in [
            "",
            "0 3 * *",
            "0 3 * * * *",
            "60 * * * *",
            "* 24 * * *",
            "* * 0 * *",
            "* * * 13 *",
            "* * * * 8",
            "*/0 * * * *",
            "5-1 * * * *",
            "* * * * FOO",
            "@daily",
            "* * ? * *",
            "* * L * *",
            "1,,2 * * * *",
            "*/x * * * *",
            "-1 * * * *",
        ] {
            assert!(Schedule::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
