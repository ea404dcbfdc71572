//! Capped capture of an output stream: the first and the last half of the
//! cap are kept, the middle is counted and dropped. A reader thread drains
//! the pipe to its end whatever the cap, so the child never blocks on a
//! full pipe.

use std::collections::VecDeque;
use std::io::{ErrorKind, Read};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The first `half` bytes, the last `half` bytes, and how many were dropped
/// in between.
#[derive(Debug)]
pub(crate) struct Capped {
    half: usize,
    head: Vec<u8>,
    tail: VecDeque<u8>,
    dropped: u64,
}

impl Capped {
    /// A buffer keeping at most `cap` bytes (at least 2).
    pub(crate) fn new(cap: usize) -> Capped {
        let half = (cap / 2).max(1);
        Capped { half, head: Vec::new(), tail: VecDeque::new(), dropped: 0 }
    }

    pub(crate) fn push(&mut self, mut bytes: &[u8]) {
        let room = self.half - self.head.len();
        if room > 0 {
            let take = room.min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
        }
        if bytes.len() >= self.half {
            // Everything in the tail, and this chunk's start, is dropped.
            let skip = bytes.len() - self.half;
            self.dropped += (self.tail.len() + skip) as u64;
            self.tail.clear();
            self.tail.extend(&bytes[skip..]);
            return;
        }
        self.tail.extend(bytes);
        let excess = self.tail.len().saturating_sub(self.half);
        if excess > 0 {
            self.tail.drain(..excess);
            self.dropped += excess as u64;
        }
    }

    /// The kept bytes as text (invalid UTF-8 replaced), with the marker
    /// `[… N bytes omitted …]` where bytes were dropped.
    pub(crate) fn excerpt(&self) -> String {
        let (a, b) = self.tail.as_slices();
        let tail: Vec<u8> = [a, b].concat();
        if self.dropped == 0 {
            let all = [self.head.as_slice(), tail.as_slice()].concat();
            return String::from_utf8_lossy(&all).into_owned();
        }
        format!(
            "{}\n[… {} bytes omitted …]\n{}",
            String::from_utf8_lossy(&self.head),
            self.dropped,
            String::from_utf8_lossy(&tail)
        )
    }
}

/// A thread reading one stream into a shared [`Capped`].
#[derive(Debug)]
pub(crate) struct Reader {
    buffer: Arc<Mutex<Capped>>,
    thread: JoinHandle<()>,
}

impl Reader {
    pub(crate) fn spawn<R: Read + Send + 'static>(mut stream: R, cap: usize) -> Reader {
        let buffer = Arc::new(Mutex::new(Capped::new(cap)));
        let shared = Arc::clone(&buffer);
        let thread = std::thread::spawn(move || {
            let mut chunk = [0u8; 16 * 1024];
            loop {
                match stream.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => {
                        shared.lock().unwrap_or_else(PoisonError::into_inner).push(&chunk[..n])
                    }
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    Err(_) => break,
                }
            }
        });
        Reader { buffer, thread }
    }

    /// The excerpt once the stream has ended, or, if it is still open at
    /// `until` (a process outside the group holds the pipe), what was read so
    /// far with a note; the thread then ends on its own with the pipe.
    pub(crate) fn finish(self, until: Instant) -> String {
        let mut poll = Duration::from_millis(1);
        while !self.thread.is_finished() && Instant::now() < until {
            std::thread::sleep(poll.min(until.saturating_duration_since(Instant::now())));
            poll = (poll * 2).min(Duration::from_millis(20));
        }
        let open = !self.thread.is_finished();
        if !open {
            let _ = self.thread.join();
        }
        let mut text = self.buffer.lock().unwrap_or_else(PoisonError::into_inner).excerpt();
        if open {
            text.push_str(
                "\n[… output still open after the process group ended; capture stopped …]",
            );
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::Capped;

    #[test]
    fn short_output_is_kept_whole() {
        let mut c = Capped::new(8);
        c.push(b"ab");
        c.push(b"cdef");
        c.push(b"gh");
        assert_eq!(c.excerpt(), "abcdefgh");
    }

    #[test]
    fn long_output_keeps_head_and_tail_and_counts_the_rest() {
        for chunk in [1, 3, 4, 5, 100] {
            let mut c = Capped::new(8);
            let data: Vec<u8> = (b'a'..=b'z').collect();
            for piece in data.chunks(chunk) {
                c.push(piece);
            }
            assert_eq!(c.excerpt(), "abcd\n[… 18 bytes omitted …]\nwxyz", "chunk {chunk}");
        }
    }
}
