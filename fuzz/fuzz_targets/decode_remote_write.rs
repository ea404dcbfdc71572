//! The remote-write decoder takes any bytes, as a snappy body and as a bare
//! protobuf message, without panicking; refuses a message exactly when
//! prost's `WriteRequest::decode` does (limits aside); and what it yields
//! keeps the sample invariants and agrees with its counts.
//!
//! Small limits, so the fuzzer reaches the limit and reject paths.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prost::Message;
use upkeep_runtime::decode::remote_write::proto::WriteRequest;
use upkeep_runtime::decode::remote_write::{
    RemoteWriteBatch, RemoteWriteDecoder, RemoteWriteError, RemoteWriteLimits,
};

const KEPT: usize = 3;

fn limits() -> RemoteWriteLimits {
    RemoteWriteLimits {
        max_body_bytes: 1 << 16,
        max_decompressed_bytes: 1 << 16,
        max_samples: 1000,
        max_labels_per_series: 8,
        max_label_name_bytes: 16,
        max_label_value_bytes: 32,
        max_rejects_kept: KEPT,
        max_interned: 8,
    }
}

fn check(result: &Result<RemoteWriteBatch, RemoteWriteError>) {
    let batch = match result {
        Ok(batch) => batch,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let _ = batch.to_string();
    for s in &batch.samples {
        assert!(!s.name.is_empty() && s.timestamp_ms.is_some());
        assert!(s.labels.windows(2).all(|w| w[0].name < w[1].name));
        assert!(s.labels.iter().all(|l| !l.value.is_empty() && &*l.name != "__name__"));
    }
    assert!(batch.rejected_series <= batch.series);
    assert_eq!(batch.rejected.len() as u64, batch.rejected_series.min(KEPT as u64));
    assert!(batch.rejected.iter().map(|r| r.samples).sum::<u64>() <= batch.rejected_samples);
    assert!(batch.samples.len() as u64 + batch.rejected_samples <= 1000);
}

fuzz_target!(|input: &[u8]| {
    let mut decoder = RemoteWriteDecoder::new(limits());
    check(&decoder.decode(input));
    let ours = decoder.decode_message(input);
    check(&ours);
    if !ours.as_ref().is_err_and(RemoteWriteError::is_too_large) {
        let theirs = WriteRequest::decode(input);
        assert_eq!(ours.is_ok(), theirs.is_ok(), "ours {ours:?}, prost {theirs:?}");
    }
});
