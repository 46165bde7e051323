//! Keeps the tail of a child's stderr in a bounded buffer.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Bytes of stderr kept.
const KEEP_BYTES: usize = 4096;
/// Lines of stderr shown.
const KEEP_LINES: usize = 20;

/// The last [`KEEP_BYTES`] bytes of a stream.
#[derive(Debug, Default)]
pub(crate) struct Ring(VecDeque<u8>);

impl Ring {
    /// Keeps `chunk`, forgetting what falls out of the last bytes.
    pub(crate) fn push(&mut self, chunk: &[u8]) {
        let data = &chunk[chunk.len().saturating_sub(KEEP_BYTES)..];
        let overflow = (self.0.len() + data.len()).saturating_sub(KEEP_BYTES);
        self.0.drain(..overflow);
        self.0.extend(data);
    }

    /// The last [`KEEP_LINES`] lines, `None` when blank.
    pub(crate) fn text(&self) -> Option<String> {
        let (a, c) = self.0.as_slices();
        tail_text(&[a, c].concat(), KEEP_LINES)
    }
}

/// Keeps the tail of a child's stderr: read by a worker thread
/// ([`StderrTail::capture`]), or by the caller's own poll loop
/// ([`StderrTail::inline`], [`StderrTail::pump`]).
#[derive(Debug)]
pub(crate) enum StderrTail {
    /// A worker drains the pipe into the shared ring.
    Thread {
        buf: Arc<Mutex<Ring>>,
        done: mpsc::Receiver<()>,
    },
    /// The caller reads the non-blocking pipe when it is readable.
    Inline {
        pipe: File,
        ring: Ring,
        echo: bool,
        eof: bool,
    },
}

impl StderrTail {
    /// Drain `pipe` on a thread, keeping the last bytes; with `echo`, copy
    /// everything to our own stderr as well.
    pub fn capture(
        mut pipe: impl Read + Send + 'static,
        echo: bool,
    ) -> std::io::Result<StderrTail> {
        let buf = Arc::new(Mutex::new(Ring::default()));
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
                b.push(&chunk[..n]);
            }
            let _ = tx.send(());
        })?;
        Ok(StderrTail::Thread { buf, done })
    }

    /// Keep the tail of `pipe` as the caller reads it with
    /// [`pump`](Self::pump) whenever [`fd`](Self::fd) is readable.
    pub fn inline(pipe: impl Into<OwnedFd>, echo: bool) -> std::io::Result<StderrTail> {
        let pipe = File::from(pipe.into());
        set_nonblocking(&pipe)?;
        Ok(StderrTail::Inline {
            pipe,
            ring: Ring::default(),
            echo,
            eof: false,
        })
    }

    /// The descriptor to poll for reading; `None` once at its end (or
    /// read by a thread).
    pub fn fd(&self) -> Option<RawFd> {
        match self {
            StderrTail::Inline {
                pipe, eof: false, ..
            } => Some(pipe.as_raw_fd()),
            _ => None,
        }
    }

    /// Read what the pipe holds now, without blocking.
    pub fn pump(&mut self) {
        let StderrTail::Inline {
            pipe,
            ring,
            echo,
            eof,
        } = self
        else {
            return;
        };
        let mut chunk = [0u8; 8192];
        while !*eof {
            match pipe.read(&mut chunk) {
                Ok(0) => *eof = true,
                Ok(n) => {
                    if *echo {
                        let _ = std::io::stderr().write_all(&chunk[..n]);
                    }
                    ring.push(&chunk[..n]);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return,
                Err(_) => *eof = true,
            }
        }
    }

    /// The last lines, waiting up to `wait` for the pipe to close (a
    /// process left behind may hold it open; then a reader thread is
    /// abandoned and ends when that process closes it).
    pub fn finish(mut self, wait: Duration) -> Option<String> {
        let deadline = Instant::now() + wait;
        loop {
            self.pump();
            let Some(fd) = self.fd() else { break };
            if !poll_readable(fd, deadline) {
                break;
            }
        }
        match self {
            StderrTail::Thread { buf, done } => {
                let _ = done.recv_timeout(wait);
                let b = buf.lock().ok()?;
                b.text()
            }
            StderrTail::Inline { ring, .. } => ring.text(),
        }
    }
}

fn set_nonblocking(file: &File) -> std::io::Result<()> {
    // A pipe's read end has no other status flag to keep (close-on-exec is
    // a descriptor flag), so set O_NONBLOCK without reading them first.
    // SAFETY: fcntl on a descriptor we own; no pointers.
    if unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Wait until `fd` is readable (`true`) or `deadline` passes (`false`).
pub(crate) fn poll_readable(fd: RawFd, deadline: Instant) -> bool {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let ms = i32::try_from(left.as_millis()).unwrap_or(i32::MAX);
        let mut p = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        let n = unsafe { libc::poll(&mut p, 1, ms) };
        if n >= 0 || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            return n > 0;
        }
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

    #[test]
    fn inline_reading_keeps_the_tail_too() {
        let (reader, mut writer) = std::io::pipe().unwrap();
        let mut tail = StderrTail::inline(reader, false).unwrap();
        let fd = tail.fd().unwrap();
        let feeder = std::thread::spawn(move || {
            for i in 0..10_000 {
                writeln!(writer, "line {i}").unwrap();
            }
        });
        // Read as the supervisor does: whenever the pipe is readable.
        while tail.fd().is_some() {
            poll_readable(fd, Instant::now() + Duration::from_secs(5));
            tail.pump();
        }
        feeder.join().unwrap();
        let text = tail.finish(Duration::from_secs(5)).unwrap();
        assert_eq!(text.lines().count(), KEEP_LINES);
        assert!(text.ends_with("line 9999"));
    }
}
