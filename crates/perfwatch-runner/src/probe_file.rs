//! The span file source: programs (through the probe library, or by hand)
//! append JSON Lines [`SpanRecord`]s to the file named by `PERFWATCH_SPANS`.

use crate::source::{Collected, SpanLimit, SpanSource, DEFAULT_MAX_SPANS, OVER_SPAN_LIMIT};
use perfwatch_model::owner::{Liveness, Owner};
use perfwatch_model::span_file::{SpanRecord, ENV_SPANS};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// The start of every span directory's name.
const DIR_PREFIX: &str = "perfwatch-spans-";

/// Remove the span directories under `parent` whose perfwatch died on
/// this boot of this machine (best effort: another user's are left alone
/// by the file system's permissions).
fn remove_abandoned_dirs(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(DIR_PREFIX)) else {
            continue;
        };
        // `PID-TICKS-RANDOM`: the owner's tag is the first two fields.
        let mut fields = rest.splitn(3, '-');
        let (Some(pid), Some(ticks)) = (fields.next(), fields.next()) else {
            continue;
        };
        let dead = Owner::from_tag(&format!("{pid}-{ticks}"))
            .is_some_and(|o| o.liveness() == Liveness::Dead);
        if dead && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Longest line read; longer ones are dropped as `line too long`.
const MAX_LINE: usize = 1 << 20;

/// A [`SpanSource`] that gives each iteration a fresh span file in a
/// private temporary directory, reads it after the command exits and
/// deletes it. A garbage or truncated file never fails the run: unusable
/// lines are counted as dropped, by reason, and so are span records past
/// the span limit ([`SpanSource::set_max_spans`]).
#[derive(Debug)]
pub struct ProbeFileSource {
    dir: tempfile::TempDir,
    max_spans: usize,
}

impl ProbeFileSource {
    /// Span files in a new directory under the system's temporary directory.
    pub fn new() -> std::io::Result<ProbeFileSource> {
        Self::in_dir(&std::env::temp_dir())
    }

    /// Span files in a new directory under `parent`.
    ///
    /// The directory's name carries its owner (`perfwatch-spans-PID-TICKS-…`,
    /// see [`Owner::tag`]); a perfwatch that was killed cannot remove its
    /// own, so each new one first removes those of owners that died.
    pub fn in_dir(parent: &Path) -> std::io::Result<ProbeFileSource> {
        let owner = Owner::current();
        remove_abandoned_dirs(parent);
        let prefix = match &owner {
            Some(o) => format!("{DIR_PREFIX}{}-", o.tag()),
            None => DIR_PREFIX.to_string(),
        };
        let dir = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir_in(parent)?;
        Ok(ProbeFileSource {
            dir,
            max_spans: DEFAULT_MAX_SPANS,
        })
    }

    /// The span file of iteration `index`.
    pub fn path(&self, index: u32) -> PathBuf {
        self.dir.path().join(format!("spans-{index}.jsonl"))
    }
}

impl SpanSource for ProbeFileSource {
    fn set_max_spans(&mut self, max_spans: usize) {
        self.max_spans = max_spans;
    }

    fn begin(&mut self, index: u32) -> std::io::Result<Vec<(String, String)>> {
        // The directory is private and the name unique to the iteration,
        // so there is nothing to clear first.
        let path = self.path(index);
        Ok(vec![(
            ENV_SPANS.to_string(),
            path.to_string_lossy().into_owned(),
        )])
    }

    fn live_file(&self, index: u32) -> Option<PathBuf> {
        Some(self.path(index))
    }

    fn finish(&mut self, index: u32) -> Collected {
        let path = self.path(index);
        let collected = match std::fs::File::open(&path) {
            Ok(f) => parse_span_lines(f, self.max_spans),
            // Nothing written: nothing to remove either.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Collected::default(),
            Err(_) => {
                let mut c = Collected::default();
                c.dropped.insert("unreadable span file".into(), 1);
                c
            }
        };
        let _ = std::fs::remove_file(&path);
        collected
    }
}

/// Parse JSON Lines span records, counting unusable lines by reason:
/// `invalid UTF-8`, `invalid JSON`, `invalid record` (JSON, but not a
/// span record), `truncated line` (cut off: the writer died mid-line),
/// `line too long`. Blank lines are ignored. Span records past the first
/// `max_spans` are counted as [`OVER_SPAN_LIMIT`] as they are read (never
/// held), so memory stays bounded however long the file.
pub fn parse_span_lines(input: impl Read, max_spans: usize) -> Collected {
    let mut out = Collected::default();
    let mut limit = SpanLimit::new(max_spans);
    let mut reader = BufReader::new(input);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = match (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
        {
            Ok(0) => break,
            Ok(n) => n,
            Err(_) => {
                count(&mut out, "unreadable span file");
                break;
            }
        };
        let complete = line.last() == Some(&b'\n');
        if n > MAX_LINE && !complete {
            count(&mut out, "line too long");
            if skip_line(&mut reader).is_err() {
                break;
            }
            continue;
        }
        let Ok(text) = std::str::from_utf8(&line) else {
            count(&mut out, "invalid UTF-8");
            continue;
        };
        let text = text.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<SpanRecord>(text) {
            Ok(record) if limit.admit(&record) => out.records.push(record),
            Ok(_) => count(&mut out, OVER_SPAN_LIMIT),
            Err(e) => count(&mut out, reason(&e)),
        }
    }
    out
}

fn reason(e: &serde_json::Error) -> &'static str {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => "truncated line",
        Category::Syntax | Category::Io => "invalid JSON",
        Category::Data => "invalid record",
    }
}

fn count(out: &mut Collected, reason: &str) {
    out.drop_one(reason);
}

/// Discard the rest of an over-long line.
fn skip_line(reader: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GOOD: &str =
        r#"{"type":"span","id":"1","name":"job","start_unix_ns":10,"end_unix_ns":20}"#;

    /// Issue 13, item 11: one `perfwatch-spans-XXXX` folder leaked per
    /// killed perfwatch. A new source removes those of dead owners only.
    #[test]
    fn span_dirs_of_dead_perfwatches_are_removed_and_live_ones_kept() {
        let parent = tempfile::tempdir().unwrap();
        let me = Owner::current().unwrap();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead_pid = child.id();
        child.wait().unwrap();
        let dead = Owner {
            pid: dead_pid,
            ..me.clone()
        };
        let dead_dir = parent
            .path()
            .join(format!("{DIR_PREFIX}{}-abc123", dead.tag()));
        std::fs::create_dir(&dead_dir).unwrap();
        std::fs::write(dead_dir.join("spans-0.jsonl"), GOOD).unwrap();
        let live_dir = parent
            .path()
            .join(format!("{DIR_PREFIX}{}-def456", me.tag()));
        std::fs::create_dir(&live_dir).unwrap();
        let unrelated = parent.path().join(format!("{DIR_PREFIX}old-style"));
        std::fs::create_dir(&unrelated).unwrap();
        let source = ProbeFileSource::in_dir(parent.path()).unwrap();
        assert!(!dead_dir.exists());
        assert!(live_dir.exists() && unrelated.exists());
        let name = source.path(0);
        let name = name
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            name.starts_with(&format!("{DIR_PREFIX}{}-", me.tag())),
            "{name}"
        );
    }

    #[test]
    fn counts_bad_lines_by_reason() {
        let text = format!(
            "{GOOD}\n\nnot json\n{{\"type\":\"span\",\"id\":\"2\"}}\n\
             {{\"type\":\"weird\"}}\n\u{0}\u{1}\n{GOOD}\n{{\"type\":\"span\",\"id\":\"3\",\"na"
        );
        let mut bytes = text.into_bytes();
        bytes.extend_from_slice(b"\n\xff\xfe\n");
        let c = parse_span_lines(&bytes[..], DEFAULT_MAX_SPANS);
        assert_eq!(c.records.len(), 2);
        let dropped: Vec<(&str, u64)> = c.dropped.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(
            dropped,
            vec![
                ("invalid JSON", 2),
                ("invalid UTF-8", 1),
                ("invalid record", 2),
                ("truncated line", 1),
            ]
        );
    }

    #[test]
    fn a_last_line_without_newline_still_counts() {
        let c = parse_span_lines(GOOD.as_bytes(), DEFAULT_MAX_SPANS);
        assert_eq!(c.records.len(), 1);
        assert!(c.dropped.is_empty());
        let cut = &GOOD[..GOOD.len() - 5];
        let c = parse_span_lines(cut.as_bytes(), DEFAULT_MAX_SPANS);
        assert_eq!(c.dropped.get("truncated line"), Some(&1));
    }

    #[test]
    fn over_long_lines_are_skipped() {
        let mut text = "x".repeat(MAX_LINE + 10);
        text.push('\n');
        text.push_str(GOOD);
        let c = parse_span_lines(text.as_bytes(), DEFAULT_MAX_SPANS);
        assert_eq!(c.records.len(), 1);
        assert_eq!(c.dropped.get("line too long"), Some(&1));
    }

    #[test]
    fn a_span_file_over_the_span_limit_keeps_the_limit_and_counts_the_rest() {
        let counter = r#"{"type":"counter","name":"rows","value":1}"#;
        let mut text = String::new();
        for i in 0..10 {
            text.push_str(&GOOD.replace(r#""id":"1""#, &format!(r#""id":"{i}""#)));
            text.push('\n');
            text.push_str(counter);
            text.push('\n');
        }
        let c = parse_span_lines(text.as_bytes(), 4);
        let spans = c
            .records
            .iter()
            .filter(|r| crate::source::is_span(r))
            .count();
        assert_eq!(spans, 4);
        assert_eq!(c.records.len(), 4 + 10, "counters are not spans");
        assert_eq!(c.dropped.get(OVER_SPAN_LIMIT), Some(&6));
        assert_eq!(c.dropped.len(), 1);

        let mut src = ProbeFileSource::new().unwrap();
        src.set_max_spans(3);
        let env = src.begin(0).unwrap();
        std::fs::write(&env[0].1, &text).unwrap();
        let c = src.finish(0);
        assert_eq!(c.dropped.get(OVER_SPAN_LIMIT), Some(&7));
    }

    #[test]
    fn a_source_hands_out_fresh_files_and_deletes_them() {
        let mut src = ProbeFileSource::new().unwrap();
        let env = src.begin(3).unwrap();
        assert_eq!(env[0].0, "PERFWATCH_SPANS");
        let path = PathBuf::from(&env[0].1);
        assert_eq!(src.finish(3), Collected::default(), "no file, nothing");
        std::fs::write(&path, format!("{GOOD}\n{{broken\n")).unwrap();
        let c = src.finish(3);
        assert_eq!(c.records.len(), 1);
        assert_eq!(c.dropped.get("invalid JSON"), Some(&1));
        assert!(!path.exists());
    }

    use perfwatch_testkit::arbitrary_or_mangled;

    proptest! {
        /// A span file is written by any program: whatever it holds, it is
        /// read (and its records assembled) without a panic.
        #[test]
        fn span_file_parser_never_panics_on_arbitrary_bytes(
            bytes in arbitrary_or_mangled(include_bytes!("../../../fuzz/seeds/span_file/all-record-types.jsonl")),
            max_spans in 0usize..8,
        ) {
            let collected = parse_span_lines(bytes.as_slice(), max_spans);
            let _ = crate::assemble(collected.records, 1_700_000_000_000_000_000);
        }
    }
}
