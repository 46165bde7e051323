//! Reading `/proc`: per-process figures, I/O counters and children.
//!
//! Parsed by hand: three small text formats, read many times a second, so
//! the reader reuses its buffers.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::sync::OnceLock;

/// A process id.
pub(crate) type Pid = i32;

/// The fields of `/proc/<pid>/stat` the runner uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stat {
    /// State letter (`R`, `S`, `Z`, …).
    pub state: u8,
    /// Parent pid.
    pub ppid: Pid,
    /// Process group id.
    pub pgrp: Pid,
    /// User + system CPU time of the process and of the children it
    /// reaped (utime + stime + cutime + cstime), in clock ticks.
    pub cpu_ticks: u64,
    /// Threads.
    pub threads: u32,
    /// Start time after boot, in clock ticks: with the pid, it names one
    /// process even if the pid is reused.
    pub start_time: u64,
    /// Resident pages.
    pub rss_pages: u64,
}

impl Stat {
    /// Exited, not yet reaped.
    pub fn is_zombie(&self) -> bool {
        self.state == b'Z' || self.state == b'X'
    }
}

/// Storage I/O counters of `/proc/<pid>/io`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Io {
    /// `read_bytes`: bytes fetched from storage.
    pub read: u64,
    /// `write_bytes`: bytes sent (or to be sent) to storage.
    pub write: u64,
}

impl std::ops::Add for Io {
    type Output = Io;
    fn add(self, o: Io) -> Io {
        Io {
            read: self.read.saturating_add(o.read),
            write: self.write.saturating_add(o.write),
        }
    }
}

/// Parse `/proc/<pid>/stat`. The command name is in parentheses and may
/// contain spaces and parentheses itself, so fields are counted from the
/// last `)`.
pub(crate) fn parse_stat(text: &str) -> Option<Stat> {
    let rest = &text[text.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_ascii_whitespace().take(22).collect();
    if f.len() < 22 {
        return None;
    }
    // f[i] is field i + 3 of proc(5).
    let num = |i: usize| f[i].parse::<u64>().ok();
    Some(Stat {
        state: *f[0].as_bytes().first()?,
        ppid: f[1].parse().ok()?,
        pgrp: f[2].parse().ok()?,
        cpu_ticks: num(11)? + num(12)? + num(13)? + num(14)?,
        threads: f[17].parse().ok()?,
        start_time: num(19)?,
        rss_pages: f[21].parse::<i64>().ok()?.max(0) as u64,
    })
}

/// Parse `/proc/<pid>/io`.
pub(crate) fn parse_io(text: &str) -> Option<Io> {
    let mut read = None;
    let mut write = None;
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("read_bytes:") {
            read = v.trim().parse().ok();
        } else if let Some(v) = line.strip_prefix("write_bytes:") {
            write = v.trim().parse().ok();
        }
    }
    Some(Io {
        read: read?,
        write: write?,
    })
}

/// Parse a list of pids separated by whitespace (a `children` file).
pub(crate) fn parse_pids(text: &str, out: &mut Vec<Pid>) {
    out.extend(
        text.split_ascii_whitespace()
            .filter_map(|p| p.parse::<Pid>().ok()),
    );
}

/// Whether this kernel has `/proc/<pid>/task/<tid>/children`
/// (`CONFIG_PROC_CHILDREN`); without it children are found by scanning.
pub(crate) fn children_files_supported() -> bool {
    static SUPPORTED: OnceLock<bool> = OnceLock::new();
    *SUPPORTED.get_or_init(|| std::path::Path::new("/proc/thread-self/children").exists())
}

/// Clock ticks per second (`_SC_CLK_TCK`).
pub(crate) fn clock_ticks() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        // SAFETY: sysconf reads a constant; no memory is passed.
        let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        if t > 0 {
            t as f64
        } else {
            100.0
        }
    })
}

/// Page size in bytes.
pub(crate) fn page_size() -> u64 {
    static PAGE: OnceLock<u64> = OnceLock::new();
    *PAGE.get_or_init(|| {
        // SAFETY: sysconf reads a constant; no memory is passed.
        let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        if p > 0 {
            p as u64
        } else {
            4096
        }
    })
}

/// Reset this process's peak resident size ("high water mark") to its
/// current size, best effort.
///
/// Linux charges a program the peak resident size of the process that
/// spawned it: `exec` folds the replaced address space's peak — for
/// `vfork`/`posix_spawn`, ours — into the new program's `ru_maxrss`. So
/// before each direct spawn the runner lowers our peak to our current
/// size; what remains is a floor of our current resident size under every
/// child's `max_rss_bytes` (8–16 MB for the CLI). Children of the
/// [`spawner`](crate::spawner) do not inherit our peak and need no reset;
/// this is for the direct spawns without it (library use, old kernels).
pub(crate) fn reset_own_peak_rss() {
    use std::io::Write;
    // Opened once: this runs between two measured iterations.
    static CLEAR_REFS: std::sync::OnceLock<Option<File>> = std::sync::OnceLock::new();
    let file = CLEAR_REFS.get_or_init(|| {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/proc/self/clear_refs")
            .ok()
    });
    if let Some(mut f) = file.as_ref() {
        let _ = f.write_all(b"5");
    }
}

/// Every process's stat and a parent → children map, from one scan.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub stats: HashMap<Pid, Stat>,
    pub children: HashMap<Pid, Vec<Pid>>,
}

/// Reads `/proc` files into reused buffers.
#[derive(Debug, Default)]
pub(crate) struct ProcReader {
    path: String,
    bytes: Vec<u8>,
    text: String,
    pids: Vec<Pid>,
}

impl ProcReader {
    fn read(&mut self, path: std::fmt::Arguments<'_>) -> bool {
        use std::fmt::Write;
        self.path.clear();
        let _ = self.path.write_fmt(path);
        self.text.clear();
        let Ok(mut f) = File::open(&self.path) else {
            return false;
        };
        // A plain read loop: `read_to_string` first asks for the file's
        // size and position, two more system calls per file that `/proc`
        // files cannot answer usefully. These files are `seq_file`s, which
        // fill the buffer as far as they have data: a short read is the
        // end, no need to read again for the 0.
        self.bytes.clear();
        let mut chunk = [0u8; 4096];
        loop {
            match f.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => {
                    self.bytes.extend_from_slice(&chunk[..n]);
                    if n < chunk.len() {
                        break;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        match std::str::from_utf8(&self.bytes) {
            Ok(t) => {
                self.text.push_str(t);
                true
            }
            Err(_) => false,
        }
    }

    /// `/proc/<pid>/stat`, `None` when the process is gone.
    pub fn stat(&mut self, pid: Pid) -> Option<Stat> {
        if !self.read(format_args!("/proc/{pid}/stat")) {
            return None;
        }
        parse_stat(&self.text)
    }

    /// `/proc/<pid>/io`, `None` when gone or unreadable (permissions, no
    /// `CONFIG_TASK_IO_ACCOUNTING`).
    pub fn io(&mut self, pid: Pid) -> Option<Io> {
        if !self.read(format_args!("/proc/{pid}/io")) {
            return None;
        }
        parse_io(&self.text)
    }

    /// Append the children of every thread of `pid` to `out`; `threads`
    /// is its thread count from `stat` (one thread: no directory listing).
    pub fn children(&mut self, pid: Pid, threads: u32, out: &mut Vec<Pid>) {
        if threads == 1 {
            if self.read(format_args!("/proc/{pid}/task/{pid}/children")) {
                parse_pids(&self.text, out);
            }
            return;
        }
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            return;
        };
        for task in tasks.flatten() {
            let name = task.file_name();
            let Some(tid) = name.to_str() else { continue };
            if self.read(format_args!("/proc/{pid}/task/{tid}/children")) {
                parse_pids(&self.text, out);
            }
        }
    }

    /// Scan all of `/proc` (used when `children` files are missing).
    pub fn scan(&mut self) -> Scan {
        let mut scan = Scan::default();
        self.pids.clear();
        if let Ok(dir) = std::fs::read_dir("/proc") {
            for entry in dir.flatten() {
                if let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse().ok()) {
                    self.pids.push(pid);
                }
            }
        }
        for pid in std::mem::take(&mut self.pids) {
            if let Some(st) = self.stat(pid) {
                scan.children.entry(st.ppid).or_default().push(pid);
                scan.stats.insert(pid, st);
            }
        }
        scan
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_with_awkward_names() {
        let line = "4242 (we (ird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 \
                    7 3 2 1 20 0 5 0 12345 1000000 250 18446744073709551615 \
                    1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0";
        let st = parse_stat(line).unwrap();
        assert_eq!(
            st,
            Stat {
                state: b'S',
                ppid: 1,
                pgrp: 4242,
                cpu_ticks: 13,
                threads: 5,
                start_time: 12345,
                rss_pages: 250,
            }
        );
        assert!(!st.is_zombie());
        assert_eq!(parse_stat("1 (x) S 0"), None);
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn parses_io_and_children() {
        let io = "rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 4096\n\
                  write_bytes: 8192\ncancelled_write_bytes: 0\n";
        assert_eq!(
            parse_io(io),
            Some(Io {
                read: 4096,
                write: 8192
            })
        );
        assert_eq!(parse_io("rchar: 1\n"), None);
        let mut pids = Vec::new();
        parse_pids("12 34 56 ", &mut pids);
        assert_eq!(pids, vec![12, 34, 56]);
    }

    #[test]
    fn reads_our_own_process() {
        let mut r = ProcReader::default();
        let me = std::process::id() as Pid;
        let st = r.stat(me).unwrap();
        assert!(st.threads >= 1);
        assert!(st.rss_pages > 0);
        assert_eq!(r.stat(-5), None);
        let scan = r.scan();
        assert!(scan.stats.contains_key(&me));
        assert!(scan.children[&st.ppid].contains(&me));
    }
}
