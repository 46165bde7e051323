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

/// The pattern that tells readiness, and when a line first matched it.
#[derive(Debug)]
pub(super) struct LineWatch {
    pattern: regex::bytes::Regex,
    seen: Mutex<Option<Instant>>,
}

/// The longest partial line kept while waiting for its end: a service
/// that writes megabytes without a newline is matched on its start only.
const MAX_LINE: usize = 64 * 1024;

impl LineWatch {
    /// Watch for a line matching `pattern` (a regular expression); an
    /// invalid pattern is a message.
    pub fn new(pattern: &str) -> Result<Arc<LineWatch>, String> {
        let pattern = regex::bytes::Regex::new(pattern)
            .map_err(|e| format!("the readiness line `{pattern}` is not a valid pattern: {e}"))?;
        Ok(Arc::new(LineWatch {
            pattern,
            seen: Mutex::new(None),
        }))
    }

    /// When a line first matched, if one did.
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

/// Matches the lines of a stream read in chunks, across chunk
/// boundaries; a line not ended yet is tried as it stands too (a prompt
/// printed without a newline counts).
#[derive(Debug)]
struct Finder {
    watch: Arc<LineWatch>,
    /// The line read so far, without its end.
    line: Vec<u8>,
    found: bool,
}

impl Finder {
    fn new(watch: Arc<LineWatch>) -> Finder {
        Finder {
            watch,
            line: Vec::new(),
            found: false,
        }
    }

    /// Look at the next chunk; true once a line has matched.
    fn feed(&mut self, chunk: &[u8]) -> bool {
        if self.found {
            return true;
        }
        let mut rest = chunk;
        while !rest.is_empty() && !self.found {
            let (part, ended) = match rest.iter().position(|&b| b == b'\n') {
                Some(i) => (&rest[..i], true),
                None => (rest, false),
            };
            let room = MAX_LINE.saturating_sub(self.line.len());
            self.line.extend_from_slice(&part[..part.len().min(room)]);
            let line = self.line.strip_suffix(b"\r").unwrap_or(&self.line);
            self.found = self.watch.pattern.is_match(line);
            rest = if ended { &rest[part.len() + 1..] } else { &[] };
            if ended {
                self.line.clear();
            }
        }
        if self.found {
            self.watch.mark(Instant::now());
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
            let watch = LineWatch::new("listening").unwrap();
            let mut f = Finder::new(Arc::clone(&watch));
            let found = chunks.iter().fold(false, |_, c| f.feed(c.as_bytes()));
            assert_eq!(found, want, "{chunks:?}");
            assert_eq!(watch.seen_at().is_some(), want, "{chunks:?}");
        }
    }

    #[test]
    fn the_readiness_line_is_a_pattern_matched_per_line() {
        let cases: &[(&[&str], bool)] = &[
            (&["Listening on port 8", "123\r\n"], true),
            (&["started\nListening on port x\n"], false),
            (&["port 8123 Listening on port\n"], false),
            (&["noise\n", "Listening on port 1\n"], true),
        ];
        for &(chunks, want) in cases {
            let watch = LineWatch::new(r"^Listening on port \d+$").unwrap();
            let mut f = Finder::new(Arc::clone(&watch));
            let found = chunks.iter().fold(false, |_, c| f.feed(c.as_bytes()));
            assert_eq!(found, want, "{chunks:?}");
        }
        assert!(LineWatch::new("(unclosed")
            .unwrap_err()
            .contains("(unclosed"));
    }
}
