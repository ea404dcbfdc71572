//! The remote-write 1.0 messages (`prometheus.WriteRequest` of
//! `prompb/remote.proto` and `types.proto`), derived with `prost` by hand:
//! no `protoc`, no build script. Field numbers are those of the spec.
//!
//! Only what the runtime reads is typed. Exemplars, native histograms and
//! metadata are kept as their raw encoded messages: the decoder counts them
//! and does not look inside, and these types encode whatever a test puts
//! there. The decoder does not build these types (a whole `WriteRequest`
//! in memory is many times its wire size; see `wire.rs`), but it accepts
//! exactly the messages [`WriteRequest::decode`](prost::Message::decode)
//! accepts: the property tests and the fuzz target check it.
//!
//! The encoder, [`encode_remote_write`], is what the tests and the load
//! generator send: the snappy-compressed body of `POST /api/v1/write`.

use prost::Message;

/// A remote-write request: the protobuf message inside the snappy body.
#[derive(Clone, PartialEq, Message)]
pub struct WriteRequest {
    /// One entry per series (a series may come in several entries).
    #[prost(message, repeated, tag = "1")]
    pub timeseries: Vec<TimeSeries>,
    /// `MetricMetadata` messages (help, unit, type), as Prometheus sends
    /// them; raw, the runtime only counts them.
    #[prost(bytes = "vec", repeated, tag = "3")]
    pub metadata: Vec<Vec<u8>>,
}

/// One series and its samples.
#[derive(Clone, PartialEq, Message)]
pub struct TimeSeries {
    /// The labels, `__name__` among them; the spec wants them sorted by
    /// name.
    #[prost(message, repeated, tag = "1")]
    pub labels: Vec<Label>,
    /// The float samples, oldest first.
    #[prost(message, repeated, tag = "2")]
    pub samples: Vec<Sample>,
    /// `Exemplar` messages, raw: counted, not read.
    #[prost(bytes = "vec", repeated, tag = "3")]
    pub exemplars: Vec<Vec<u8>>,
    /// Native `Histogram` messages, raw: counted, not read.
    #[prost(bytes = "vec", repeated, tag = "4")]
    pub histograms: Vec<Vec<u8>>,
}

/// One label.
#[derive(Clone, PartialEq, Eq, Message)]
pub struct Label {
    /// The label name (`__name__` for the metric name).
    #[prost(string, tag = "1")]
    pub name: String,
    /// Its value.
    #[prost(string, tag = "2")]
    pub value: String,
}

/// One float sample.
#[derive(Clone, PartialEq, Message)]
pub struct Sample {
    /// The value; a stale marker is the NaN of bits
    /// [`STALE_NAN_BITS`](super::STALE_NAN_BITS).
    #[prost(double, tag = "1")]
    pub value: f64,
    /// Milliseconds since the Unix epoch.
    #[prost(int64, tag = "2")]
    pub timestamp: i64,
}

/// A message too large for a snappy block (4 GiB or more).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a remote-write message of {len} bytes is too large for snappy (at most 4 GiB - 1)")]
pub struct EncodeError {
    /// The length of the protobuf message.
    pub len: usize,
}

impl WriteRequest {
    /// The body of a remote-write POST: this message, snappy-compressed in
    /// the block format (not the framed one), as `Content-Encoding: snappy`
    /// means in remote-write.
    pub fn to_body(&self) -> Result<Vec<u8>, EncodeError> {
        let message = self.encode_to_vec();
        snap::raw::Encoder::new()
            .compress_vec(&message)
            .map_err(|_| EncodeError { len: message.len() })
    }
}

/// The body of a remote-write request carrying `series`, each a list of
/// labels (`__name__` included) and a list of `(value, timestamp_ms)`.
///
/// Labels are written in the order given: Prometheus sorts them, so sort
/// them to send a conformant request (the decoder accepts either).
///
/// ```
/// use upkeep_runtime::decode::remote_write::{decode_remote_write, encode_remote_write};
///
/// let body = encode_remote_write(&[(
///     [("__name__", "node_load1"), ("host", "db1")],
///     [(0.5, 1_700_000_000_000)],
/// )])?;
/// let batch = decode_remote_write(&body, &Default::default())?;
/// assert_eq!(batch.samples[0].to_string(), r#"node_load1{host="db1"} 0.5 1700000000000"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn encode_remote_write<L, P, N, V>(series: &[(L, P)]) -> Result<Vec<u8>, EncodeError>
where
    L: AsRef<[(N, V)]>,
    P: AsRef<[(f64, i64)]>,
    N: AsRef<str>,
    V: AsRef<str>,
{
    let timeseries = series
        .iter()
        .map(|(labels, points)| TimeSeries {
            labels: labels
                .as_ref()
                .iter()
                .map(|(n, v)| Label { name: n.as_ref().to_owned(), value: v.as_ref().to_owned() })
                .collect(),
            samples: points
                .as_ref()
                .iter()
                .map(|&(value, timestamp)| Sample { value, timestamp })
                .collect(),
            exemplars: Vec::new(),
            histograms: Vec::new(),
        })
        .collect();
    WriteRequest { timeseries, metadata: Vec::new() }.to_body()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_the_wire_format_of_the_spec() {
        let request = WriteRequest {
            timeseries: vec![TimeSeries {
                labels: vec![Label { name: "a".into(), value: "b".into() }],
                samples: vec![Sample { value: 1.0, timestamp: 2 }],
                exemplars: vec![],
                histograms: vec![vec![]],
            }],
            metadata: vec![],
        };
        // timeseries (1, LEN) { labels (1, LEN) { name "a", value "b" },
        // samples (2, LEN) { value (1, I64) 1.0, timestamp (2, VARINT) 2 },
        // histograms (4, LEN) {} }
        let expected = [
            0x0a, 0x17, 0x0a, 0x06, 0x0a, 0x01, b'a', 0x12, 0x01, b'b', 0x12, 0x0b, 0x09, 0, 0, 0,
            0, 0, 0, 0xf0, 0x3f, 0x10, 0x02, 0x22, 0x00,
        ];
        assert_eq!(request.encode_to_vec(), expected);
        let body = request.to_body().unwrap_or_default();
        let raw = snap::raw::Decoder::new().decompress_vec(&body).unwrap_or_default();
        assert_eq!(raw, expected);
        // Block format: the body starts with the length, not a stream header.
        assert_eq!(body.first(), Some(&(expected.len() as u8)));
    }
}
