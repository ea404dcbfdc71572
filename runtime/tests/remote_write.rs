//! The remote-write decoder through its public API: bodies made by the
//! encoder (and by hand, for what the encoder never writes) decode to the
//! samples they carry; bad series are refused one by one with a reason;
//! bad or oversized bodies are refused whole with a typed error; and, as
//! properties with fixed case counts, any bytes decode without panicking,
//! exactly when prost's `WriteRequest::decode` accepts them, and valid
//! series survive encode → decode to the bit.

use proptest::prelude::*;
use prost::Message;
use std::sync::Arc;
use upkeep_runtime::decode::Sample;
use upkeep_runtime::decode::remote_write::proto::{Label, TimeSeries, WriteRequest};
use upkeep_runtime::decode::remote_write::{
    RejectReason, RemoteWriteBatch, RemoteWriteDecoder, RemoteWriteError, RemoteWriteLimits,
    STALE_NAN_BITS, decode_remote_write, encode_remote_write, is_stale_marker, proto,
};

type Series = (Vec<(&'static str, &'static str)>, Vec<(f64, i64)>);

fn body(series: &[Series]) -> Vec<u8> {
    encode_remote_write(series).unwrap_or_default()
}

fn decode(series: &[Series]) -> RemoteWriteBatch {
    decode_remote_write(&body(series), &RemoteWriteLimits::default()).unwrap_or_else(|e| {
        panic!("refused: {e}");
    })
}

fn texts(batch: &RemoteWriteBatch) -> Vec<String> {
    batch.samples.iter().map(Sample::to_string).collect()
}

fn stale() -> f64 {
    f64::from_bits(STALE_NAN_BITS)
}

#[test]
fn decodes_series_with_sorted_labels_and_every_value() {
    let batch = decode(&[
        (
            vec![("__name__", "node_load1"), ("instance", "db1:9100"), ("job", "node")],
            vec![(0.5, 1_700_000_000_000), (f64::INFINITY, 1_700_000_015_000)],
        ),
        // Unsorted, `__name__` last, an empty value, values of every kind.
        (
            vec![("zone", "eu"), ("a", ""), ("host", "é \"q\"\n"), ("__name__", "x:y")],
            vec![(f64::NEG_INFINITY, -5), (f64::NAN, 0), (stale(), 1), (-2.5e9, i64::MAX)],
        ),
    ]);
    assert_eq!(
        texts(&batch),
        [
            r#"node_load1{instance="db1:9100",job="node"} 0.5 1700000000000"#,
            r#"node_load1{instance="db1:9100",job="node"} +Inf 1700000015000"#,
            r#"x:y{host="é \"q\"\n",zone="eu"} -Inf -5"#,
            r#"x:y{host="é \"q\"\n",zone="eu"} NaN 0"#,
            r#"x:y{host="é \"q\"\n",zone="eu"} NaN 1"#,
            r#"x:y{host="é \"q\"\n",zone="eu"} -2500000000 9223372036854775807"#,
        ]
    );
    // Values are kept to the bit: the stale marker is not any NaN.
    let bits: Vec<u64> = batch.samples.iter().map(|s| s.value.to_bits()).collect();
    assert_eq!(bits[4], STALE_NAN_BITS);
    assert!(is_stale_marker(batch.samples[4].value) && !is_stale_marker(batch.samples[3].value));
    assert_eq!((batch.series, batch.unsorted_series, batch.rejected_series), (2, 1, 0));
    assert!(
        batch.samples.iter().all(|s| s.timestamp_ms.is_some() && s.label("__name__").is_none())
    );
    assert_eq!(batch.to_string(), "accepted 6 samples of 2 series");
}

#[test]
fn keeps_negative_zero_that_prost_does_not_write() {
    // prost omits a double equal to 0.0, -0.0 included (Go's encoder keeps
    // it): a -0 sent by Prometheus is kept, one sent by our encoder is 0.
    let sample = [[0x09].as_slice(), &(-0.0f64).to_bits().to_le_bytes(), &[0x10, 0x05]].concat();
    let label = [0x0a, 0x08].iter().chain(b"__name__").chain(&[0x12, 0x01, b'z']).copied();
    let series: Vec<u8> = [vec![0x0a, 0x0d], label.collect(), vec![0x12, 0x0b], sample].concat();
    let message = [vec![0x0a, series.len() as u8], series].concat();
    let mut decoder = RemoteWriteDecoder::new(RemoteWriteLimits::default());
    let batch = decoder.decode_message(&message).unwrap_or_default();
    assert_eq!(texts(&batch), ["z -0 5"]);
    assert_eq!(texts(&decode(&[(vec![("__name__", "z")], vec![(-0.0, 5)])])), ["z 0 5"]);
}

#[test]
fn samples_share_names_and_label_sets_across_series_and_requests() {
    let series: Vec<Series> = vec![
        (vec![("__name__", "up"), ("job", "a")], vec![(1.0, 1), (1.0, 2)]),
        (vec![("job", "a"), ("__name__", "up")], vec![(0.0, 3)]),
    ];
    let mut decoder = RemoteWriteDecoder::new(RemoteWriteLimits::default());
    let first = decoder.decode(&body(&series)).unwrap_or_default();
    let again = decoder.decode(&body(&series)).unwrap_or_default();
    let all: Vec<&Sample> = first.samples.iter().chain(&again.samples).collect();
    assert_eq!(all.len(), 6);
    for s in &all {
        assert!(Arc::ptr_eq(&s.labels, &all[0].labels) && Arc::ptr_eq(&s.name, &all[0].name));
    }
}

#[test]
fn refuses_bad_series_one_by_one_and_keeps_the_rest() {
    let ok = vec![(1.0, 1)];
    let batch = decode(&[
        (vec![("__name__", "good")], ok.clone()),
        (vec![("job", "x")], vec![(1.0, 1), (2.0, 2)]),
        (vec![("__name__", "")], ok.clone()),
        (vec![("__name__", "bad-name")], ok.clone()),
        (vec![("__name__", "m"), ("bad.label", "x")], ok.clone()),
        (vec![("__name__", "m"), ("job", "a"), ("job", "b")], ok.clone()),
        (vec![("__name__", "m"), ("__name__", "n")], ok.clone()),
        (vec![("__name__", "also_good"), ("__meta", "kept")], ok.clone()),
    ]);
    assert_eq!(texts(&batch), ["good 1 1", r#"also_good{__meta="kept"} 1 1"#]);
    let reasons: Vec<(u64, &str, u64, String)> = batch
        .rejected
        .iter()
        .map(|r| (r.series, r.metric.as_str(), r.samples, r.reason.to_string()))
        .collect();
    let no_name = "no metric name (`__name__` label)".to_owned();
    assert_eq!(
        reasons,
        [
            (1, "", 2, no_name.clone()),
            (2, "", 1, no_name),
            (3, "bad-name", 1, "invalid metric name `bad-name`".into()),
            (4, "m", 1, "invalid label name `bad.label`".into()),
            (5, "m", 1, "duplicate label `job`".into()),
            (6, "m", 1, "duplicate label `__name__`".into()),
        ]
    );
    assert_eq!((batch.series, batch.rejected_series, batch.rejected_samples), (8, 6, 7));
    assert!(batch.to_string().starts_with(
        "accepted 2 samples of 8 series; refused 6 series (7 samples): series 1: no metric name"
    ));
}

#[test]
fn keeps_the_first_rejects_and_counts_all() {
    let bad: Vec<Series> = (0..5).map(|_| (vec![("job", "x")], vec![(1.0, 1)])).collect();
    let limits = RemoteWriteLimits { max_rejects_kept: 2, ..RemoteWriteLimits::default() };
    let batch = decode_remote_write(&body(&bad), &limits).unwrap_or_default();
    assert_eq!((batch.rejected.len(), batch.rejected_series), (2, 5));
    assert!(batch.to_string().ends_with("; and 3 more"), "{batch}");
}

#[test]
fn counts_histograms_exemplars_and_metadata_without_failing() {
    let request = WriteRequest {
        timeseries: vec![
            TimeSeries {
                labels: vec![Label { name: "__name__".into(), value: "rpc_seconds".into() }],
                samples: vec![],
                exemplars: vec![],
                // A native histogram (count 3, sum 1.5), and an empty one.
                histograms: vec![vec![0x08, 3, 0x19, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f], vec![]],
            },
            TimeSeries {
                labels: vec![Label { name: "__name__".into(), value: "up".into() }],
                samples: vec![proto::Sample { value: 1.0, timestamp: 7 }],
                exemplars: vec![vec![0x11, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]],
                histograms: vec![],
            },
        ],
        metadata: vec![vec![0x08, 1, 0x12, 2, b'u', b'p'], vec![], vec![]],
    };
    let body = request.to_body().unwrap_or_default();
    let batch = decode_remote_write(&body, &RemoteWriteLimits::default()).unwrap_or_default();
    assert_eq!(texts(&batch), ["up 1 7"]);
    let counts = (batch.histograms_ignored, batch.exemplars_ignored, batch.metadata_ignored);
    assert_eq!((counts, batch.rejected_series), ((2, 1, 3), 0));
    assert_eq!(
        batch.to_string(),
        "accepted 1 sample of 2 series; skipped 2 native histograms, 1 exemplar, 3 metadata entries"
    );
}

#[test]
fn refuses_a_decompression_bomb_before_allocating() {
    // Eight bytes claiming 4 GiB - 1 of output: refused from the header.
    let bomb = [0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x61, 0x62];
    let err = decode_remote_write(&bomb, &RemoteWriteLimits::default()).err();
    let limit = 64 << 20;
    assert_eq!(err, Some(RemoteWriteError::DecompressedTooLarge { len: u32::MAX as usize, limit }));
    assert!(err.is_some_and(|e| e.is_too_large()));
    // A real one: 4 MiB of zeros compress to about 200 KB.
    let zeros = snap::raw::Encoder::new().compress_vec(&vec![0; 4 << 20]).unwrap_or_default();
    assert!(zeros.len() < 250_000);
    let limits = RemoteWriteLimits { max_decompressed_bytes: 1 << 20, ..Default::default() };
    let err = decode_remote_write(&zeros, &limits).err();
    assert_eq!(err, Some(RemoteWriteError::DecompressedTooLarge { len: 4 << 20, limit: 1 << 20 }));
}

#[test]
fn refuses_bodies_that_are_not_snappy_protobuf() {
    let good = body(&[(vec![("__name__", "up"), ("job", "node")], vec![(1.0, 1)])]);
    let limits = RemoteWriteLimits::default();
    // Every cut of a good body is refused, none panics.
    for cut in 0..good.len() {
        let err = decode_remote_write(&good[..cut], &limits).err();
        assert!(matches!(err, Some(RemoteWriteError::Snappy(_))), "cut at {cut}: {err:?}");
    }
    // The framed (streaming) snappy format is not what remote-write sends.
    let mut framed = snap::write::FrameEncoder::new(Vec::new());
    std::io::Write::write_all(
        &mut framed,
        &snap::raw::Decoder::new().decompress_vec(&good).unwrap_or_default(),
    )
    .ok();
    let framed = framed.into_inner().unwrap_or_default();
    assert!(matches!(decode_remote_write(&framed, &limits), Err(RemoteWriteError::Snappy(_))));
    // Snappy around bytes that are not protobuf: the error says where.
    let garbage =
        snap::raw::Encoder::new().compress_vec(&[0x0a, 0x02, 0x0a, 0x05]).unwrap_or_default();
    let err = decode_remote_write(&garbage, &limits).err();
    assert_eq!(
        err.map(|e| e.to_string()),
        Some("invalid protobuf at byte 2 of the decompressed body: field of 5 bytes, 0 left in the message".into())
    );
    // A label that is not UTF-8 fails the request, as it does for prost.
    let message = [0x0a, 0x05, 0x0a, 0x03, 0x0a, 0x01, 0xff];
    assert!(WriteRequest::decode(&message[..]).is_err());
    let mut decoder = RemoteWriteDecoder::new(limits);
    let err = decoder.decode_message(&message).err();
    assert!(matches!(err, Some(RemoteWriteError::Protobuf { at: 6, .. })), "{err:?}");
}

#[test]
fn holds_requests_and_series_to_the_limits() {
    let series: Vec<Series> =
        vec![(vec![("__name__", "up"), ("job", "node")], vec![(1.0, 1), (2.0, 2), (3.0, 3)])];
    let good = body(&series);
    let limits = |f: fn(&mut RemoteWriteLimits)| {
        let mut l = RemoteWriteLimits::default();
        f(&mut l);
        l
    };
    let len = good.len();
    let err = decode_remote_write(&good, &limits(|l| l.max_body_bytes = 10)).err();
    assert_eq!(err, Some(RemoteWriteError::BodyTooLarge { len, limit: 10 }));
    let err = decode_remote_write(&good, &limits(|l| l.max_samples = 2)).err();
    assert_eq!(err, Some(RemoteWriteError::TooManySamples { limit: 2 }));
    assert!(decode_remote_write(&good, &limits(|l| l.max_samples = 3)).is_ok());
    let refused = |l: RemoteWriteLimits| {
        let batch = decode_remote_write(&good, &l).unwrap_or_default();
        assert!(batch.samples.is_empty());
        batch.rejected.into_iter().next().map(|r| r.reason)
    };
    let reason = refused(limits(|l| l.max_labels_per_series = 1));
    assert_eq!(reason, Some(RejectReason::TooManyLabels { count: 2, limit: 1 }));
    let reason = refused(limits(|l| l.max_label_name_bytes = 3));
    let name = "__name__".to_owned();
    assert_eq!(reason, Some(RejectReason::LabelNameTooLong { name, len: 8, limit: 3 }));
    let reason = refused(limits(|l| l.max_label_value_bytes = 3));
    let name = "job".to_owned();
    assert_eq!(reason, Some(RejectReason::LabelValueTooLong { name, len: 4, limit: 3 }));
}

/// A protobuf-like message: fields 1 to 5 of every wire type, nested
/// messages and groups, strings that may not be UTF-8, and series made of
/// real labels and samples among them; so valid and invalid requests,
/// series, labels and samples all come up.
fn message() -> impl Strategy<Value = Vec<u8>> {
    let leaf = prop_oneof![
        (1u8..6, any::<u64>()).prop_map(|(t, v)| field(t, 0, &varint(v))),
        (1u8..6, any::<[u8; 8]>()).prop_map(|(t, v)| field(t, 1, &v)),
        (1u8..6, any::<[u8; 4]>()).prop_map(|(t, v)| field(t, 5, &v)),
        (1u8..6, prop::collection::vec(any::<u8>(), 0..6)).prop_map(|(t, v)| len_field(t, &v)),
        (1u8..3, "[a-z_é]{0,5}").prop_map(|(t, v)| len_field(t, v.as_bytes())),
    ];
    let node = leaf.prop_recursive(4, 48, 6, |inner| {
        let body = prop::collection::vec(inner, 0..6).prop_map(|f| f.concat());
        prop_oneof![
            4 => (1u8..6, body.clone()).prop_map(|(t, b)| len_field(t, &b)),
            1 => (1u8..6, body).prop_map(|(t, b)| [field(t, 3, &[]), b, field(t, 4, &[])].concat()),
        ]
    });
    // Fields of a series: labels (`__name__` often), samples, and noise.
    let part = prop_oneof![
        3 => ("__name__|[a-z]{1,2}", "[a-z:.]{0,2}").prop_map(|(n, v)| {
            len_field(1, &[len_field(1, n.as_bytes()), len_field(2, v.as_bytes())].concat())
        }),
        3 => (any::<u64>(), any::<i64>()).prop_map(|(v, t)| {
            len_field(2, &[field(1, 1, &v.to_le_bytes()), field(2, 0, &varint(t as u64))].concat())
        }),
        1 => node.clone(),
    ];
    let series = prop::collection::vec(part, 0..6).prop_map(|p| len_field(1, &p.concat()));
    let top = prop_oneof![2 => series, 1 => node];
    (prop::collection::vec(top, 0..6), any::<u16>(), any::<u8>()).prop_map(|(f, at, byte)| {
        let mut m = f.concat();
        // Now and then, one corrupted byte.
        if byte < 40 && !m.is_empty() {
            let i = usize::from(at) % m.len();
            m[i] ^= byte | 1;
        }
        m
    })
}

fn varint(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
    out
}

fn field(tag: u8, wire_type: u8, payload: &[u8]) -> Vec<u8> {
    [vec![(tag << 3) | wire_type], payload.to_vec()].concat()
}

fn len_field(tag: u8, payload: &[u8]) -> Vec<u8> {
    [field(tag, 2, &varint(payload.len() as u64)), payload.to_vec()].concat()
}

/// The decoder's answer agrees with prost's and with the request prost
/// decodes: every series and sample accounted for.
fn agrees_with_prost(message: &[u8]) {
    let limits = RemoteWriteLimits { max_rejects_kept: 3, ..RemoteWriteLimits::default() };
    let ours = RemoteWriteDecoder::new(limits).decode_message(message);
    let theirs = WriteRequest::decode(message);
    assert_eq!(ours.is_ok(), theirs.is_ok(), "ours {ours:?}, prost {theirs:?}");
    let (Ok(batch), Ok(request)) = (ours, theirs) else { return };
    let series = &request.timeseries;
    let samples: usize = series.iter().map(|s| s.samples.len()).sum();
    assert_eq!(batch.series, series.len() as u64);
    assert_eq!(batch.samples.len() as u64 + batch.rejected_samples, samples as u64);
    let histograms: usize = series.iter().map(|s| s.histograms.len()).sum();
    assert_eq!(batch.histograms_ignored, histograms as u64);
    assert_eq!(batch.metadata_ignored, request.metadata.len() as u64);
    assert_eq!(batch.rejected.len() as u64, batch.rejected_series.min(3));
    for s in &batch.samples {
        assert!(s.labels.windows(2).all(|w| w[0].name < w[1].name));
        assert!(s.labels.iter().all(|l| !l.value.is_empty() && &*l.name != "__name__"));
    }
}

/// Labels as the encoder takes them.
type Labels = Vec<(String, String)>;

/// A valid series: a metric name, unique label names in any order, values
/// of any bits (NaN payloads included), any timestamps.
fn valid_series() -> impl Strategy<Value = (String, Labels, Vec<(u64, i64)>)> {
    let labels = prop::collection::btree_map("[a-zA-Z_][a-zA-Z0-9_]{0,8}", "\\PC{0,6}", 0..5)
        .prop_map(|m| m.into_iter().filter(|(n, _)| n != "__name__").collect::<Vec<_>>())
        .prop_shuffle();
    let bits = prop_oneof![any::<u64>(), Just((-0.0f64).to_bits()), Just(STALE_NAN_BITS)];
    let points = prop::collection::vec((bits, any::<i64>()), 0..4);
    ("[a-zA-Z_:][a-zA-Z0-9_:]{0,12}", labels, points)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_are_decoded_or_refused_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let limits = RemoteWriteLimits::default();
        let _ = decode_remote_write(&bytes, &limits);
        agrees_with_prost(&bytes);
    }

    #[test]
    fn protobuf_like_messages_are_judged_as_prost_judges_them(m in message()) {
        agrees_with_prost(&m);
        let body = snap::raw::Encoder::new().compress_vec(&m).unwrap_or_default();
        let direct = RemoteWriteDecoder::new(RemoteWriteLimits::default()).decode_message(&m);
        // Compared as text: NaN samples are not equal to themselves.
        let via_snappy = decode_remote_write(&body, &RemoteWriteLimits::default());
        prop_assert_eq!(format!("{via_snappy:?}"), format!("{direct:?}"));
    }

    #[test]
    fn valid_series_survive_encode_then_decode(series in prop::collection::vec(valid_series(), 0..6)) {
        let input: Vec<(Labels, Vec<(f64, i64)>)> = series
            .iter()
            .map(|(name, labels, points)| {
                let mut all = labels.clone();
                all.push(("__name__".to_owned(), name.clone()));
                (all, points.iter().map(|&(bits, t)| (f64::from_bits(bits), t)).collect())
            })
            .collect();
        let body = encode_remote_write(&input).unwrap_or_default();
        let batch = decode_remote_write(&body, &RemoteWriteLimits::default());
        prop_assert!(batch.is_ok(), "{:?}", batch);
        let batch = batch.unwrap_or_default();
        let mut expected = Vec::new();
        for (name, labels, points) in &series {
            let mut labels: Vec<_> = labels.iter().filter(|(_, v)| !v.is_empty()).cloned().collect();
            labels.sort();
            for &(bits, t) in points {
                // prost writes -0.0 as the default, 0 (see above).
                let bits = if bits == (-0.0f64).to_bits() { 0 } else { bits };
                expected.push((name.clone(), labels.clone(), bits, Some(t)));
            }
        }
        let got: Vec<_> = batch
            .samples
            .iter()
            .map(|s| {
                let labels = s.labels.iter().map(|l| (l.name.to_string(), l.value.to_string())).collect();
                (s.name.to_string(), labels, s.value.to_bits(), s.timestamp_ms)
            })
            .collect();
        prop_assert_eq!(got, expected);
        prop_assert_eq!(batch.rejected_series, 0);
    }
}
