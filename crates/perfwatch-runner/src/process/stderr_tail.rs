//! Keeps the tail of a child's stderr in a bounded buffer.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Bytes of stderr kept.
const KEEP_BYTES: usize = 4096;
/// Lines of stderr shown.
const KEEP_LINES: usize = 20;

/// A reader (on a worker thread) draining a child's stderr into a ring buffer.
#[derive(Debug)]
pub(crate) struct StderrTail {
    buf: Arc<Mutex<VecDeque<u8>>>,
    done: mpsc::Receiver<()>,
}

impl StderrTail {
    /// Drain `pipe` on a thread, keeping the last bytes; with `echo`, copy
    /// everything to our own stderr as well.
    pub fn capture(
        mut pipe: impl Read + Send + 'static,
        echo: bool,
    ) -> std::io::Result<StderrTail> {
        let buf = Arc::new(Mutex::new(VecDeque::with_capacity(KEEP_BYTES)));
        let shared = Arc::clone(&buf);
        let (tx, done) = mpsc::channel();
        super::workers::run(move || {
            let mut chunk = [0u8; 8192];
            loop {
                let n = match pipe.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(_) => break,
                };
                if echo {
                    let _ = std::io::stderr().write_all(&chunk[..n]);
                }
                let Ok(mut b) = shared.lock() else { break };
                let data = &chunk[n.saturating_sub(KEEP_BYTES)..n];
                let overflow = (b.len() + data.len()).saturating_sub(KEEP_BYTES);
                b.drain(..overflow);
                b.extend(data);
            }
            let _ = tx.send(());
        })?;
        Ok(StderrTail { buf, done })
    }

    /// The last lines, waiting up to `wait` for the pipe to close (a
    /// process left behind may hold it open; then the thread is abandoned
    /// and ends when that process closes it).
    pub fn finish(self, wait: Duration) -> Option<String> {
        let _ = self.done.recv_timeout(wait);
        let b = self.buf.lock().ok()?;
        let (a, c) = b.as_slices();
        tail_text(&[a, c].concat(), KEEP_LINES)
    }
}

/// The last `max_lines` lines of `bytes` as text, `None` when blank.
pub(crate) fn tail_text(bytes: &[u8], max_lines: usize) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_end();
    if text.trim().is_empty() {
        return None;
    }
    let lines: Vec<&str> = text.lines().collect();
    Some(lines[lines.len().saturating_sub(max_lines)..].join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_lines() {
        let cases: &[(&str, usize, Option<&str>)] = &[
            ("", 3, None),
            ("  \n\n", 3, None),
            ("a\nb\nc\nd\n", 2, Some("c\nd")),
            ("one line", 5, Some("one line")),
        ];
        for &(input, n, want) in cases {
            assert_eq!(tail_text(input.as_bytes(), n).as_deref(), want, "{input:?}");
        }
    }

    #[test]
    fn the_buffer_is_bounded() {
        let data: Vec<u8> = (0..10_000)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect();
        let tail = StderrTail::capture(std::io::Cursor::new(data), false).unwrap();
        let text = tail.finish(Duration::from_secs(5)).unwrap();
        assert_eq!(text.lines().count(), KEEP_LINES);
        assert!(text.ends_with("line 9999"));
    }
}
