//! Following a span file as the probe appends to it: each read returns
//! the records of the lines completed since the last one. A partial last
//! line waits for its end; a file that does not exist yet (or any more)
//! reads as nothing; a line that does not parse is skipped (the runner
//! counts it when it reads the whole file at the iteration's end).

use perfwatch_model::span_file::SpanRecord;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Most bytes read per call, so that a huge file is followed in steps
/// rather than read whole between two frames.
const MAX_READ: usize = 4 << 20;

/// Longest line kept while waiting for its end; a longer one is skipped.
const MAX_LINE: usize = 1 << 20;

/// A span file followed from its start.
#[derive(Debug)]
pub struct SpanTail {
    path: PathBuf,
    offset: u64,
    /// The bytes of a line whose end has not been written yet.
    partial: Vec<u8>,
    /// Skipping the rest of a line longer than [`MAX_LINE`].
    skipping: bool,
}

impl SpanTail {
    /// Follows `path` from its first byte.
    pub fn new(path: &Path) -> SpanTail {
        SpanTail {
            path: path.to_path_buf(),
            offset: 0,
            partial: Vec::new(),
            skipping: false,
        }
    }

    /// The file followed.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The records of the lines completed since the last call.
    pub fn read(&mut self) -> Vec<SpanRecord> {
        let Ok(mut file) = File::open(&self.path) else {
            return Vec::new();
        };
        if file.seek(SeekFrom::Start(self.offset)).is_err() {
            return Vec::new();
        }
        let mut bytes = Vec::new();
        let Ok(n) = (&mut file).take(MAX_READ as u64).read_to_end(&mut bytes) else {
            return Vec::new();
        };
        self.offset += n as u64;
        self.feed(&bytes)
    }

    /// The records of the complete lines in `partial` + `bytes`; keeps
    /// what follows the last newline.
    fn feed(&mut self, bytes: &[u8]) -> Vec<SpanRecord> {
        let mut out = Vec::new();
        let mut rest = bytes;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            let (line, tail) = rest.split_at(end);
            rest = &tail[1..];
            if std::mem::take(&mut self.skipping) {
                self.partial.clear();
                continue;
            }
            self.partial.extend_from_slice(line);
            let parsed = std::str::from_utf8(&self.partial)
                .ok()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .and_then(|l| serde_json::from_str::<SpanRecord>(l).ok());
            out.extend(parsed);
            self.partial.clear();
        }
        if !self.skipping {
            self.partial.extend_from_slice(rest);
            if self.partial.len() > MAX_LINE {
                self.partial.clear();
                self.skipping = true;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const A: &str = r#"{"type":"span","id":"1-1","name":"a","start_unix_ns":1,"end_unix_ns":2}"#;
    const B: &str = r#"{"type":"span","id":"1-2","name":"b","start_unix_ns":3,"end_unix_ns":4}"#;

    fn names(records: &[SpanRecord]) -> Vec<String> {
        records
            .iter()
            .map(|r| match r {
                SpanRecord::Span { name, .. } => name.to_string(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_missing_file_reads_as_nothing_until_it_appears() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("spans.jsonl");
        let mut tail = SpanTail::new(&path);
        assert!(tail.read().is_empty());
        std::fs::write(&path, format!("{A}\n")).unwrap();
        assert_eq!(names(&tail.read()), ["a"]);
    }

    #[test]
    fn a_partial_last_line_waits_for_its_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("spans.jsonl");
        let mut f = File::create(&path).unwrap();
        write!(f, "{A}\n{}", &B[..20]).unwrap();
        let mut tail = SpanTail::new(&path);
        assert_eq!(names(&tail.read()), ["a"]);
        assert!(tail.read().is_empty());
        writeln!(f, "{}", &B[20..]).unwrap();
        assert_eq!(names(&tail.read()), ["b"]);
        assert!(tail.read().is_empty());
    }

    #[test]
    fn a_line_that_does_not_parse_is_skipped() {
        let mut tail = SpanTail::new(Path::new("/nonexistent"));
        let got = tail.feed(format!("not json\n\n{A}\n{{\"type\":\"span\"}}\n").as_bytes());
        assert_eq!(names(&got), ["a"]);
    }

    #[test]
    fn a_line_longer_than_the_limit_is_skipped_whole() {
        let mut tail = SpanTail::new(Path::new("/nonexistent"));
        assert!(tail.feed(&vec![b'x'; MAX_LINE + 1]).is_empty());
        assert!(tail.feed(b"still the long line\n").is_empty());
        assert_eq!(names(&tail.feed(format!("{B}\n").as_bytes())), ["b"]);
    }
}
