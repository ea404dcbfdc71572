//! JSON lines: one object per line,
//! `{"name": "disk_free", "labels": {"host": "db1"}, "value": 1.5, "timestamp": 1700000000000}`.
//!
//! `name` and `value` are required; `labels` (an object of strings) and
//! `timestamp` (integer milliseconds, or an RFC 3339 string) are optional;
//! any other key is an error, so that a misspelt `timestmap` is reported
//! rather than silently dropped. `value` is a number, a boolean (1 or 0), or
//! a string holding a number (`"NaN"`, `"+Inf"`, `"-Inf"`: JSON has none).
//!
//! serde_json reads the object through seeds that write straight into the
//! line's scratch buffers, so decoding allocates nothing per line.

use super::error::Reason;
use super::parsed::{Parsed, RawSample, Span, round_millis};
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// Decodes one line into `out` (which the caller has reset).
pub(crate) fn parse(line: &str, out: &mut Parsed) -> Result<(), Reason> {
    if line.trim().is_empty() {
        return Ok(());
    }
    let mut fields = Fields::default();
    let mut de = serde_json::Deserializer::from_str(line);
    Object { out: &mut *out, fields: &mut fields }
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(json_reason)?;
    let name = fields.name.ok_or(Reason::Missing("`name`"))?;
    if Parsed::is_empty(name) {
        return Err(Reason::Empty("`name`"));
    }
    let value = fields.value.ok_or(Reason::Missing("`value`"))?;
    out.sort_labels(line)?;
    out.samples.push(RawSample { name, value, timestamp_ms: fields.timestamp_ms });
    Ok(())
}

/// serde_json's message, with the position said as a column: the line
/// number is the decoder's (serde_json only ever sees line 1), and column 0
/// (which it gives for a value of the wrong type at the top) says nothing.
fn json_reason(e: serde_json::Error) -> Reason {
    let message = e.to_string();
    let message = match message.rsplit_once(" at line 1 column ") {
        Some((text, "0")) => text.to_owned(),
        Some((text, column)) => format!("{text} at column {column}"),
        None => message,
    };
    Reason::Json(message)
}

/// The keys of a line; any other is an error naming the expected ones.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum Key {
    Name,
    Labels,
    Value,
    Timestamp,
}

#[derive(Default)]
struct Fields {
    name: Option<Span>,
    value: Option<f64>,
    timestamp_ms: Option<i64>,
    seen_labels: bool,
}

/// The whole line's object.
struct Object<'p> {
    out: &'p mut Parsed,
    fields: &'p mut Fields,
}

impl<'de> DeserializeSeed<'de> for Object<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Object<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with `name`, `value`, and optionally `labels` and `timestamp`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        fn once<E: de::Error>(seen: bool, key: &'static str) -> Result<(), E> {
            if seen { Err(E::duplicate_field(key)) } else { Ok(()) }
        }
        let Object { out, fields } = self;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Name => {
                    once(fields.name.is_some(), "name")?;
                    fields.name = Some(map.next_value_seed(Text { out: &mut *out })?);
                }
                Key::Labels => {
                    once(fields.seen_labels, "labels")?;
                    fields.seen_labels = true;
                    map.next_value_seed(Labels { out: &mut *out })?;
                }
                Key::Value => {
                    once(fields.value.is_some(), "value")?;
                    fields.value = Some(map.next_value_seed(Number)?);
                }
                Key::Timestamp => {
                    once(fields.timestamp_ms.is_some(), "timestamp")?;
                    fields.timestamp_ms = map.next_value_seed(Timestamp)?;
                }
            }
        }
        Ok(())
    }
}

/// A string, copied into the scratch buffer.
struct Text<'p> {
    out: &'p mut Parsed,
}

impl<'de> DeserializeSeed<'de> for Text<'_> {
    type Value = Span;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Span, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for Text<'_> {
    type Value = Span;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Span, E> {
        Ok(self.out.copied(s))
    }
}

/// The `labels` object (or `null`), pushed onto the line's labels.
struct Labels<'p> {
    out: &'p mut Parsed,
}

impl<'de> DeserializeSeed<'de> for Labels<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Labels<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of string label values")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(name) = map.next_key_seed(Text { out: &mut *self.out })? {
            if Parsed::is_empty(name) {
                return Err(de::Error::custom("empty label name"));
            }
            let value = map.next_value_seed(Text { out: &mut *self.out })?;
            // As in Prometheus, an empty value is the same as no label.
            if !Parsed::is_empty(value) {
                self.out.labels.push((name, value));
            }
        }
        Ok(())
    }
}

/// The `value`: a number, a boolean, or a string holding a number.
struct Number;

impl<'de> DeserializeSeed<'de> for Number {
    type Value = f64;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<f64, D::Error> {
        d.deserialize_any(self)
    }
}

impl Visitor<'_> for Number {
    type Value = f64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, a boolean, or a string such as \"NaN\", \"+Inf\" or \"-Inf\"")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<f64, E> {
        Ok(if v { 1.0 } else { 0.0 })
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<f64, E> {
        s.trim().parse().map_err(|_| E::invalid_value(de::Unexpected::Str(s), &self))
    }
}

/// The `timestamp`: integer (or fractional, rounded) milliseconds, an
/// RFC 3339 string, or `null`.
struct Timestamp;

impl<'de> DeserializeSeed<'de> for Timestamp {
    type Value = Option<i64>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<i64>, D::Error> {
        d.deserialize_any(self)
    }
}

impl Visitor<'_> for Timestamp {
    type Value = Option<i64>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("milliseconds since the Unix epoch or an RFC 3339 time")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<i64>, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<i64>, E> {
        Ok(Some(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<i64>, E> {
        i64::try_from(v).map(Some).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<i64>, E> {
        round_millis(v).map(Some).ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Option<i64>, E> {
        s.parse::<jiff::Timestamp>()
            .map(|t| Some(t.as_millisecond()))
            .map_err(|_| E::invalid_value(de::Unexpected::Str(s), &self))
    }
}
