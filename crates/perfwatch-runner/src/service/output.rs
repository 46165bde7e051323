//! Reading a service's output as it comes: the tail of stderr for
//! messages, and the readiness line of [`Ready::LogLine`](super::Ready).
//!
//! The runner's own stderr reader keeps a tail but shows no line before
//! the end, so the service reads its pipes here, one thread each.

use crate::process::Ring;
use std::fs::File;
use std::io::Read;
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// The text that tells readiness, and when it was first seen.
#[derive(Debug)]
pub(super) struct LineWatch {
    needle: Vec<u8>,
    seen: Mutex<Option<Instant>>,
}

impl LineWatch {
    /// Watch for `text`.
    pub fn new(text: &str) -> Arc<LineWatch> {
        Arc::new(LineWatch {
            needle: text.as_bytes().to_vec(),
            seen: Mutex::new(None),
        })
    }

    /// When the text was first seen, if it was.
    pub fn seen_at(&self) -> Option<Instant> {
        *self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn mark(&self, at: Instant) {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.is_none() {
            *seen = Some(at);
        }
    }
}

/// Finds a needle in a stream read in chunks, across chunk boundaries.
#[derive(Debug)]
struct Finder {
    watch: Arc<LineWatch>,
    /// The end of what was read so far, one byte shorter than the needle.
    carry: Vec<u8>,
    found: bool,
}

impl Finder {
    fn new(watch: Arc<LineWatch>) -> Finder {
        Finder {
            watch,
            carry: Vec::new(),
            found: false,
        }
    }

    /// Look at the next chunk; true once the needle has been seen.
    fn feed(&mut self, chunk: &[u8]) -> bool {
        if self.found {
            return true;
        }
        let needle = &self.watch.needle;
        let mut hay = std::mem::take(&mut self.carry);
        hay.extend_from_slice(chunk);
        self.found = needle.is_empty() || hay.windows(needle.len()).any(|w| w == &needle[..]);
        if self.found {
            self.watch.mark(Instant::now());
        } else {
            let keep = hay.len().saturating_sub(needle.len().saturating_sub(1));
            self.carry = hay.split_off(keep);
        }
        self.found
    }
}

/// A thread draining one pipe of the service to its end.
#[derive(Debug)]
pub(super) struct Reader {
    tail: Arc<Mutex<Ring>>,
    done: mpsc::Receiver<()>,
}

impl Reader {
    /// Drain `pipe` on a thread, after `early` (what was read before),
    /// keeping its tail and telling `watch` when its text passes.
    pub fn start(
        mut pipe: File,
        early: Vec<u8>,
        watch: Option<Arc<LineWatch>>,
    ) -> std::io::Result<Reader> {
        let tail = Arc::new(Mutex::new(Ring::default()));
        let shared = Arc::clone(&tail);
        let (tx, done) = mpsc::channel();
        let mut finder = watch.map(Finder::new);
        let mut take = move |chunk: &[u8]| {
            if let Some(f) = finder.as_mut() {
                f.feed(chunk);
            }
            shared.lock().unwrap_or_else(|p| p.into_inner()).push(chunk);
        };
        std::thread::Builder::new()
            .name("perfwatch-service-output".into())
            .spawn(move || {
                if !early.is_empty() {
                    take(&early);
                }
                let mut chunk = [0u8; 8192];
                loop {
                    match pipe.read(&mut chunk) {
                        Ok(0) => break,
                        Ok(n) => take(&chunk[..n]),
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(_) => break,
                    }
                }
                let _ = tx.send(());
            })?;
        Ok(Reader { tail, done })
    }

    /// The last lines, waiting up to `wait` for the pipe to close (a
    /// process left behind may hold it open; the thread then ends when
    /// that process closes it).
    pub fn finish(self, wait: Duration) -> Option<String> {
        let _ = self.done.recv_timeout(wait);
        let tail = self.tail.lock().unwrap_or_else(|p| p.into_inner());
        tail.text()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_is_found_across_chunk_boundaries() {
        let cases: &[(&[&str], bool)] = &[
            (&["listen", "ing\n"], true),
            (&["l", "i", "s", "t", "e", "n", "i", "n", "g"], true),
            (&["xx listening on 80\n"], true),
            (&["listen\n", "ing"], false),
            (&["listenin"], false),
        ];
        for &(chunks, want) in cases {
            let watch = LineWatch::new("listening");
            let mut f = Finder::new(Arc::clone(&watch));
            let found = chunks.iter().fold(false, |_, c| f.feed(c.as_bytes()));
            assert_eq!(found, want, "{chunks:?}");
            assert_eq!(watch.seen_at().is_some(), want, "{chunks:?}");
        }
    }
}
