//! Where `upkeep run` and `upkeep serve` write events: a file (which a
//! restart cuts back to its length at the last checkpoint, so that every
//! event is in it once) or standard output (which cannot be cut back:
//! after a restart, events since the last checkpoint appear again).
//! Counts events for the summary.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;
use upkeep_runtime::events::Event;
use upkeep_runtime::runner::EventSink;

/// Events by (policy, level, kind).
pub type Counts = BTreeMap<(String, String, String), u64>;

pub struct Sink {
    out: Output,
    pub counts: Counts,
    /// Events written so far.
    pub written: u64,
}

enum Output {
    File(BufWriter<File>),
    /// Not locked: the sink moves to `serve`'s engine thread (the buffer
    /// takes the lock once per 8 KiB).
    Stdout(BufWriter<std::io::Stdout>),
}

impl Sink {
    pub fn stdout() -> Sink {
        Sink {
            out: Output::Stdout(BufWriter::new(std::io::stdout())),
            counts: Counts::new(),
            written: 0,
        }
    }

    /// The events file: new, or on a restart, the one the last run wrote,
    /// cut back to `keep` bytes (what the last checkpoint covered).
    pub fn file(path: &Path, keep: Option<u64>) -> std::io::Result<Sink> {
        let file = match keep {
            None => File::create(path)?,
            Some(len) => {
                let mut file = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .open(path)?;
                let now = file.metadata()?.len();
                if now < len {
                    return Err(std::io::Error::other(format!(
                        "{} holds {now} bytes, fewer than the {len} the state says were written: \
                         it is not the events file of this state",
                        path.display()
                    )));
                }
                file.set_len(len)?;
                file.seek(SeekFrom::End(0))?;
                file
            }
        };
        Ok(Sink { out: Output::File(BufWriter::new(file)), counts: Counts::new(), written: 0 })
    }

    /// Hands what is buffered to the file or pipe (no sync to disk).
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.writer().flush()
    }

    fn writer(&mut self) -> &mut dyn Write {
        match &mut self.out {
            Output::File(w) => w,
            Output::Stdout(w) => w,
        }
    }
}

impl EventSink for Sink {
    fn write(&mut self, event: &Event) -> std::io::Result<()> {
        let level = event.level.clone().unwrap_or_default();
        let key = (event.policy.clone(), level, event.kind.name().to_string());
        *self.counts.entry(key).or_default() += 1;
        self.written += 1;
        let out = self.writer();
        out.write_all(event.to_json().as_bytes())?;
        out.write_all(b"\n")
    }

    fn sync(&mut self) -> std::io::Result<Option<u64>> {
        match &mut self.out {
            Output::File(w) => {
                w.flush()?;
                let file = w.get_mut();
                file.sync_data()?;
                Ok(Some(file.stream_position()?))
            }
            Output::Stdout(w) => {
                w.flush()?;
                Ok(None)
            }
        }
    }
}
