//! Calendars as the runtime evaluates them: recurring windows of civil
//! time in a time zone, for `quiet during`, `pause during` and tasks.

use serde::{Deserialize, Serialize};

/// `calendar patch_night = monthly 2nd tue 22:00 for 4h in "Europe/Berlin"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarPlan {
    /// The calendar's name as policies refer to it.
    pub name: String,
    pub module: String,
    /// An IANA zone; `None` is the tenant's zone (UTC until tenants get one).
    pub zone: Option<String>,
    pub rule: CalendarRule,
}

/// When the windows of a calendar start, and how long each lasts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum CalendarRule {
    /// Windows starting on the given days of the week (0 = Monday …
    /// 6 = Sunday); `daily` lists all seven. `weekly sat,sun` without hours
    /// starts at minute 0 and ends at minute 1440 (the end of the day).
    Weekly { days: Vec<u8>, window: DayWindow },
    /// The nth given weekday of each month (`2nd tue`): `nth` is 1 to 4,
    /// or -1 for `last`.
    MonthlyWeekday { nth: i8, weekday: u8, window: DayWindow },
    /// The nth day of each month: 1 to 28, or -1 for `last`.
    MonthlyDay { day: i8, window: DayWindow },
    /// A five-field cron schedule (checked by the compiler); each match
    /// opens a window of `seconds`.
    Cron { schedule: String, seconds: f64 },
}

/// A window inside a day: from a civil minute of the day, to another civil
/// minute (the next day's when not after the start: `22:00..02:00`), or for
/// a duration in seconds of elapsed time (`22:00 for 4h`, which is 4 real
/// hours even across a daylight-saving change).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DayWindow {
    /// Minutes after midnight, 0 to 1439.
    pub start_minute: u32,
    pub end: WindowEnd,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum WindowEnd {
    /// Minutes after midnight, 1 to 1440 (`24:00`).
    Minute(u32),
    Seconds(f64),
}
