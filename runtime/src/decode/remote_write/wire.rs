//! A walk over the fields of a protobuf message, without building it.
//!
//! `prost` decodes a message whole: a `WriteRequest` becomes a `Vec` of
//! `TimeSeries`, each four `Vec`s, and every label two `String`s. An empty
//! series is 2 bytes on the wire and 96 in memory, so a 64 MiB body of them
//! would take 3 GiB before a single check ran. The decoder instead walks the
//! request and each series field by field with [`Fields`], reads labels as
//! `&str` borrowed from the body ([`label`]) and samples as two numbers
//! ([`sample`]), and keeps only what it has checked.
//!
//! The walk accepts and rejects exactly what prost does: the same varint,
//! key, length, wire-type and UTF-8 rules, the last of a repeated scalar
//! wins, unknown fields are skipped (groups included, to prost's nesting
//! limit). The property tests and the fuzz target check that the decoder
//! and `proto::WriteRequest::decode` agree on every input.

use super::RemoteWriteError;

/// prost's recursion limit: messages and groups nested deeper are errors.
const RECURSION_LIMIT: usize = 100;

/// What a field holds. A group has been skipped already.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Value<'a> {
    Varint(u64),
    Fixed64(u64),
    Fixed32,
    Bytes(&'a [u8]),
    Group,
}

impl Value<'_> {
    fn wire_type(self) -> &'static str {
        match self {
            Value::Varint(_) => "varint",
            Value::Fixed64(_) => "64-bit",
            Value::Fixed32 => "32-bit",
            Value::Bytes(_) => "length-delimited",
            Value::Group => "group",
        }
    }
}

/// One field: its number, where it is in the body, its value.
#[derive(Debug, Clone, Copy)]
pub(super) struct Field<'a> {
    pub(super) tag: u32,
    /// Offset of the key in the body.
    pub(super) at: usize,
    /// Offset of the payload of a length-delimited field in the body.
    pub(super) data_at: usize,
    pub(super) value: Value<'a>,
}

impl<'a> Field<'a> {
    /// The payload of a length-delimited field (a message or a string),
    /// or the error prost gives such a field of another wire type.
    pub(super) fn bytes(self) -> Result<&'a [u8], RemoteWriteError> {
        match self.value {
            Value::Bytes(bytes) => Ok(bytes),
            other => Err(self.wrong_type(other, "length-delimited")),
        }
    }

    fn wrong_type(self, found: Value<'_>, expected: &str) -> RemoteWriteError {
        RemoteWriteError::Protobuf {
            at: self.at,
            what: format!("field {} is {}, expected {expected}", self.tag, found.wire_type()),
        }
    }
}

/// The fields of one message, in wire order; stops after the first error.
#[derive(Debug)]
pub(super) struct Fields<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Offset of `buf` in the body, for error positions.
    base: usize,
    /// How deep groups may nest: prost's limit less this message's depth.
    depth_left: usize,
    failed: bool,
}

impl<'a> Fields<'a> {
    /// The fields of `buf`, a message at offset `base` of the body and at
    /// `depth` (0 for the request, 1 for a series, 2 for a label).
    pub(super) fn new(buf: &'a [u8], base: usize, depth: usize) -> Self {
        let depth_left = RECURSION_LIMIT.saturating_sub(depth);
        Fields { buf, pos: 0, base, depth_left, failed: false }
    }

    fn error(&self, at: usize, what: impl Into<String>) -> RemoteWriteError {
        RemoteWriteError::Protobuf { at: self.base + at, what: what.into() }
    }

    fn varint(&mut self) -> Result<u64, RemoteWriteError> {
        let start = self.pos;
        let mut value = 0u64;
        for i in 0..10 {
            let Some(&byte) = self.buf.get(self.pos) else {
                return Err(self.error(start, "truncated varint"));
            };
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte < 0x80 {
                // The tenth byte holds the 64th bit only.
                return if i == 9 && byte > 1 {
                    Err(self.error(start, "varint overflows 64 bits"))
                } else {
                    Ok(value)
                };
            }
        }
        Err(self.error(start, "varint longer than 10 bytes"))
    }

    /// A key: field number and wire type (0 to 5).
    fn key(&mut self) -> Result<(u32, u8), RemoteWriteError> {
        let at = self.pos;
        let key = self.varint()?;
        let key = u32::try_from(key).map_err(|_| self.error(at, format!("invalid key {key}")))?;
        let wire_type = (key & 7) as u8;
        if wire_type > 5 {
            return Err(self.error(at, format!("invalid wire type {wire_type}")));
        }
        if key >> 3 == 0 {
            return Err(self.error(at, "field number 0"));
        }
        Ok((key >> 3, wire_type))
    }

    /// The next `len` bytes, of the field whose key is at `at`.
    fn take(&mut self, len: u64, at: usize) -> Result<&'a [u8], RemoteWriteError> {
        let left = self.buf.len().saturating_sub(self.pos);
        let len = usize::try_from(len).ok().filter(|&n| n <= left).ok_or_else(|| {
            self.error(at, format!("field of {len} bytes, {left} left in the message"))
        })?;
        let bytes = self.buf.get(self.pos..self.pos + len).unwrap_or_default();
        self.pos += len;
        Ok(bytes)
    }

    /// Skips a group whose start key (field `tag`) has been read, as
    /// prost's `skip_field` does; iterative, so depth costs no stack.
    fn skip_group(&mut self, tag: u32) -> Result<(), RemoteWriteError> {
        let mut open = vec![tag];
        while let Some(&innermost) = open.last() {
            let at = self.pos;
            let (tag, wire_type) = self.key()?;
            if wire_type == 4 {
                if tag != innermost {
                    return Err(self.error(at, format!("group {innermost} ended by {tag}")));
                }
                open.pop();
                continue;
            }
            if open.len() >= self.depth_left {
                return Err(self.error(at, "groups nested too deeply"));
            }
            match wire_type {
                0 => self.varint().map(drop)?,
                1 => self.take(8, at).map(drop)?,
                2 => {
                    let len = self.varint()?;
                    self.take(len, at).map(drop)?;
                }
                3 => open.push(tag),
                _ => self.take(4, at).map(drop)?,
            }
        }
        Ok(())
    }

    fn field(&mut self) -> Result<Field<'a>, RemoteWriteError> {
        let at = self.pos;
        let (tag, wire_type) = self.key()?;
        let mut data_at = self.pos;
        let value = match wire_type {
            0 => Value::Varint(self.varint()?),
            1 => Value::Fixed64(self.take(8, at).map(fixed64)?),
            2 => {
                let len = self.varint()?;
                data_at = self.pos;
                Value::Bytes(self.take(len, at)?)
            }
            3 => self.skip_group(tag).map(|()| Value::Group)?,
            4 => return Err(self.error(at, format!("end of group {tag} outside a group"))),
            _ => self.take(4, at).map(|_| Value::Fixed32)?,
        };
        Ok(Field { tag, at: self.base + at, data_at: self.base + data_at, value })
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<Field<'a>, RemoteWriteError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.buf.len() {
            return None;
        }
        let field = self.field();
        self.failed = field.is_err();
        Some(field)
    }
}

fn fixed64(bytes: &[u8]) -> u64 {
    <[u8; 8]>::try_from(bytes).map(u64::from_le_bytes).unwrap_or_default()
}

/// A `Label` message at `at` in the body: `(name, value)`, borrowed.
pub(super) fn label(bytes: &[u8], at: usize) -> Result<(&str, &str), RemoteWriteError> {
    let (mut name, mut value) = ("", "");
    for field in Fields::new(bytes, at, 2) {
        let field = field?;
        let slot = match field.tag {
            1 => &mut name,
            2 => &mut value,
            _ => continue,
        };
        *slot = std::str::from_utf8(field.bytes()?).map_err(|_| RemoteWriteError::Protobuf {
            at: field.data_at,
            what: format!("label {} is not UTF-8", if field.tag == 1 { "name" } else { "value" }),
        })?;
    }
    Ok((name, value))
}

/// A `Sample` message at `at` in the body: `(value, timestamp)`.
pub(super) fn sample(bytes: &[u8], at: usize) -> Result<(f64, i64), RemoteWriteError> {
    let (mut value, mut timestamp) = (0.0, 0);
    for field in Fields::new(bytes, at, 2) {
        let field = field?;
        match (field.tag, field.value) {
            (1, Value::Fixed64(bits)) => value = f64::from_bits(bits),
            (2, Value::Varint(v)) => timestamp = v as i64,
            (1, other) => return Err(field.wrong_type(other, "64-bit")),
            (2, other) => return Err(field.wrong_type(other, "varint")),
            _ => {}
        }
    }
    Ok((value, timestamp))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(buf: &[u8]) -> Result<Vec<(u32, Value<'_>)>, RemoteWriteError> {
        Fields::new(buf, 0, 0).map(|f| f.map(|f| (f.tag, f.value))).collect()
    }

    #[test]
    fn reads_each_wire_type() {
        let buf =
            [0x08, 0x96, 0x01, 0x11, 1, 2, 3, 4, 5, 6, 7, 8, 0x1a, 2, b'h', b'i', 0x25, 0, 0, 0, 0];
        let fields = walk(&buf);
        assert_eq!(
            fields,
            Ok(vec![
                (1, Value::Varint(150)),
                (2, Value::Fixed64(0x0807_0605_0403_0201)),
                (3, Value::Bytes(b"hi")),
                (4, Value::Fixed32)
            ])
        );
        // Group 5 holding a varint field and group 6: skipped whole.
        assert_eq!(walk(&[0x2b, 0x08, 0x01, 0x33, 0x34, 0x2c]), Ok(vec![(5, Value::Group)]));
    }

    #[test]
    fn refuses_what_prost_refuses() {
        let bad: &[&[u8]] = &[
            &[0x08],                                                             // varint value missing
            &[0x08, 0xff],                                                       // varint truncated
            &[0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02], // > 64 bits
            &[0x0a, 0x05, 1, 2],             // length past the end
            &[0x0e],                         // wire type 6
            &[0x00],                         // field number 0
            &[0x0c],                         // end group outside a group
            &[0x0b, 0x14],                   // group 1 ended by 2
            &[0x0b, 0x08, 0x01],             // group never ended
            &[0x11, 1, 2, 3],                // fixed64 cut short
            &[0x80, 0x80, 0x80, 0x80, 0x10], // key above u32
        ];
        for b in bad {
            assert!(walk(b).is_err(), "{b:x?} accepted");
        }
        let deep: Vec<u8> = [vec![0x0b; 120], vec![0x0c; 120]].concat();
        assert!(walk(&deep).is_err());
        let shallow: Vec<u8> = [vec![0x0b; 10], vec![0x0c; 10]].concat();
        assert!(walk(&shallow).is_ok());
    }

    #[test]
    fn errors_give_the_offset_in_the_body() {
        // Field 1 (varint 1), then field 1 of 9 bytes with none left.
        let buf = [0x08, 0x01, 0x0a, 0x09];
        let err = Fields::new(&buf, 100, 0).find_map(Result::err);
        assert!(matches!(err, Some(RemoteWriteError::Protobuf { at: 102, .. })), "{err:?}");
    }

    #[test]
    fn reads_labels_and_samples_as_prost_does() {
        // The last of a repeated field wins; unknown fields are skipped.
        let l = [0x0a, 1, b'a', 0x12, 1, b'b', 0x0a, 1, b'c', 0x18, 7];
        assert_eq!(label(&l, 0), Ok(("c", "b")));
        assert_eq!(label(&[], 0), Ok(("", "")));
        assert!(label(&[0x0a, 1, 0xff], 0).is_err(), "not UTF-8");
        assert!(label(&[0x08, 1], 0).is_err(), "name as a varint");
        let mut s = vec![0x09];
        s.extend_from_slice(&(-1.5f64).to_bits().to_le_bytes());
        s.extend_from_slice(&[0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
        assert_eq!(sample(&s, 0), Ok((-1.5, -1)));
        assert_eq!(sample(&[], 0), Ok((0.0, 0)));
        assert!(sample(&[0x08, 1], 0).is_err(), "value as a varint");
        assert!(sample(&[0x11, 0, 0, 0, 0, 0, 0, 0, 0], 0).is_err(), "timestamp as 64-bit");
    }
}
