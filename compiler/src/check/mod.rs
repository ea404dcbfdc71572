pub mod calendar;
pub mod pattern;
