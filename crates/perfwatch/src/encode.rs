//! Records to JSON Lines, in the span file format that perfwatch reads
//! (`perfwatch_model::span_file`): one object per line, ids `"<pid>-<n>"`,
//! times in nanoseconds since the Unix epoch.

use crate::clock::Converter;
use crate::record::{AggRec, Record, SpanRec, FLAG_ALLOC, FLAG_CANCELLED, FLAG_CLOSED_AT_EXIT};
use crate::tier::Site;
use std::io::Write;

/// What every line needs besides its record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    /// This process's id (the `<pid>` of ids).
    pub pid: u32,
    /// The enclosing span of the whole process (`PERFWATCH_PARENT_SPAN`).
    pub parent: Option<&'a str>,
    /// Ticks to Unix nanoseconds.
    pub conv: Converter,
}

/// Appends the line of `record`; false (nothing appended) when it cannot be
/// written as JSON (a non-finite value).
pub(crate) fn record(out: &mut Vec<u8>, record: &Record, cx: &Context<'_>) -> bool {
    match *record {
        Record::Span(ref span) => {
            self::span(out, span, cx);
            true
        }
        Record::Counter { name, value, span } => counter(out, name, value, span, cx),
        Record::Gauge { name, value, tick } => {
            if !value.is_finite() {
                return false;
            }
            out.extend_from_slice(b"{\"type\":\"gauge\",\"name\":");
            string(out, name);
            out.extend_from_slice(b",\"value\":");
            number(out, value);
            out.extend_from_slice(b",\"unix_ns\":");
            uint(out, cx.conv.unix_ns(tick));
            out.extend_from_slice(b"}\n");
            true
        }
    }
}

fn span(out: &mut Vec<u8>, s: &SpanRec, cx: &Context<'_>) {
    out.extend_from_slice(b"{\"type\":\"span\",");
    head(out, s.id, s.parent, s.site, cx);
    let start = cx.conv.unix_ns(s.start);
    out.extend_from_slice(b",\"start_unix_ns\":");
    uint(out, start);
    out.extend_from_slice(b",\"end_unix_ns\":");
    uint(out, cx.conv.unix_ns(s.end).max(start));
    out.extend_from_slice(if s.ok {
        b",\"ok\":true"
    } else {
        b",\"ok\":false"
    });
    if s.flags != 0 {
        out.extend_from_slice(b",\"attrs\":{");
        let mut first = true;
        let mut attr = |out: &mut Vec<u8>, key: &str, value: &dyn Fn(&mut Vec<u8>)| {
            if !std::mem::take(&mut first) {
                out.push(b',');
            }
            string(out, key);
            out.extend_from_slice(b":\"");
            value(out);
            out.push(b'"');
        };
        if s.flags & FLAG_ALLOC != 0 {
            attr(out, "alloc_bytes", &|o| uint(o, s.alloc_bytes));
            attr(out, "allocs", &|o| uint(o, s.allocs));
        }
        if s.flags & FLAG_CANCELLED != 0 {
            attr(out, "cancelled", &|o| o.extend_from_slice(b"true"));
        }
        if s.flags & FLAG_CLOSED_AT_EXIT != 0 {
            attr(out, "closed_at_exit", &|o| o.extend_from_slice(b"true"));
        }
        out.push(b'}');
    }
    out.extend_from_slice(b"}\n");
}

/// Appends the line of a folded stage.
pub(crate) fn agg(out: &mut Vec<u8>, a: &AggRec, cx: &Context<'_>) {
    out.extend_from_slice(b"{\"type\":\"agg\",");
    head(out, a.id, a.parent, a.site, cx);
    let start = cx.conv.unix_ns(a.start);
    out.extend_from_slice(b",\"start_unix_ns\":");
    uint(out, start);
    out.extend_from_slice(b",\"end_unix_ns\":");
    uint(out, cx.conv.unix_ns(a.end).max(start));
    out.extend_from_slice(b",\"calls\":");
    uint(out, a.calls);
    out.extend_from_slice(b",\"failed\":");
    uint(out, a.failed);
    out.extend_from_slice(b",\"total_ns\":");
    uint(out, cx.conv.duration_ns(a.total_ticks));
    out.extend_from_slice(b"}\n");
}

/// Appends the line of a counter increase; false when `value` is not
/// finite.
pub(crate) fn counter(
    out: &mut Vec<u8>,
    name: &str,
    value: f64,
    span: u64,
    cx: &Context<'_>,
) -> bool {
    if !value.is_finite() {
        return false;
    }
    out.extend_from_slice(b"{\"type\":\"counter\",\"name\":");
    string(out, name);
    out.extend_from_slice(b",\"value\":");
    number(out, value);
    if span != 0 || cx.parent.is_some() {
        out.extend_from_slice(b",\"span\":");
        id_or_parent(out, span, cx);
    }
    out.extend_from_slice(b"}\n");
    true
}

/// `"id":…,"parent":…,"name":…[,"tier":…][,"component":…]`
fn head(out: &mut Vec<u8>, id: u64, parent: u64, site: &Site, cx: &Context<'_>) {
    out.extend_from_slice(b"\"id\":");
    id_string(out, id, cx.pid);
    out.extend_from_slice(b",\"parent\":");
    id_or_parent(out, parent, cx);
    out.extend_from_slice(b",\"name\":");
    string(out, site.name());
    if let Some(tier) = site.tier() {
        out.extend_from_slice(b",\"tier\":\"");
        out.extend_from_slice(tier.key().as_bytes());
        out.push(b'"');
    }
    if let Some(component) = site.component() {
        out.extend_from_slice(b",\"component\":");
        string(out, component);
    }
}

/// A local id, or for 0 the process's enclosing span (`null` without one).
fn id_or_parent(out: &mut Vec<u8>, id: u64, cx: &Context<'_>) {
    match (id, cx.parent) {
        (0, Some(parent)) => string(out, parent),
        (0, None) => out.extend_from_slice(b"null"),
        (id, _) => id_string(out, id, cx.pid),
    }
}

/// `"<pid>-<n>"`
pub(crate) fn id_string(out: &mut Vec<u8>, id: u64, pid: u32) {
    out.push(b'"');
    uint(out, u64::from(pid));
    out.push(b'-');
    uint(out, id);
    out.push(b'"');
}

/// Two ASCII digits for each of 0..100.
const PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// A decimal integer, two digits per step (timestamps have 19).
fn uint(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        at -= 1;
        digits[at] = b'0' + n as u8;
    }
    out.extend_from_slice(&digits[at..]);
}

/// A finite `f64` as a JSON number (`8`, `0.25`, `-3`).
fn number(out: &mut Vec<u8>, value: f64) {
    // Writing to a Vec cannot fail.
    let _ = write!(out, "{value}");
}

/// A JSON string literal.
fn string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    // Stage names rarely need escaping: copy them whole.
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        return;
    }
    for &b in s.as_bytes() {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..=0x1f => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 15)]);
            }
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tier::Tier;
    use perfwatch_model::span_file::SpanRecord;

    static JOB: Site = Site::new("job", Some(Tier::System), None);
    static ODD: Site = Site::new("say \"hi\"\\\n\u{1}é", None, Some("dm"));

    fn cx(parent: Option<&str>) -> Context<'_> {
        Context {
            pid: 42,
            parent,
            conv: Converter::fixed(0, 1_700_000_000_000_000_000, 1.0),
        }
    }

    fn span_rec(site: &'static Site, parent: u64, flags: u8) -> Record {
        Record::Span(SpanRec {
            id: 2,
            parent,
            site,
            start: 100,
            end: 350,
            ok: flags == 0,
            flags,
            alloc_bytes: 4096,
            allocs: 3,
        })
    }

    fn line(r: &Record, cx: &Context<'_>) -> String {
        let mut out = Vec::new();
        assert!(record(&mut out, r, cx));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn lines_match_the_span_file_format() {
        let cases: Vec<(Record, Option<&str>, &str)> = vec![
            (
                span_rec(&JOB, 0, 0),
                None,
                r#"{"type":"span","id":"42-2","parent":null,"name":"job","tier":"system","start_unix_ns":1700000000000000100,"end_unix_ns":1700000000000000350,"ok":true}"#,
            ),
            (
                span_rec(&JOB, 0, 0),
                Some("7-1"),
                r#"{"type":"span","id":"42-2","parent":"7-1","name":"job","tier":"system","start_unix_ns":1700000000000000100,"end_unix_ns":1700000000000000350,"ok":true}"#,
            ),
            (
                span_rec(&ODD, 9, FLAG_ALLOC | FLAG_CLOSED_AT_EXIT),
                None,
                r#"{"type":"span","id":"42-2","parent":"42-9","name":"say \"hi\"\\\n\u0001é","component":"dm","start_unix_ns":1700000000000000100,"end_unix_ns":1700000000000000350,"ok":false,"attrs":{"alloc_bytes":"4096","allocs":"3","closed_at_exit":"true"}}"#,
            ),
            (
                Record::Counter {
                    name: "cache.hits",
                    value: 17.0,
                    span: 2,
                },
                None,
                r#"{"type":"counter","name":"cache.hits","value":17,"span":"42-2"}"#,
            ),
            (
                Record::Counter {
                    name: "bytes",
                    value: 0.25,
                    span: 0,
                },
                None,
                r#"{"type":"counter","name":"bytes","value":0.25}"#,
            ),
            (
                Record::Counter {
                    name: "bytes",
                    value: -3.0,
                    span: 0,
                },
                Some("7-1"),
                r#"{"type":"counter","name":"bytes","value":-3,"span":"7-1"}"#,
            ),
            (
                Record::Gauge {
                    name: "pool.size",
                    value: 8.0,
                    tick: 5,
                },
                None,
                r#"{"type":"gauge","name":"pool.size","value":8,"unix_ns":1700000000000000005}"#,
            ),
        ];
        for (rec, parent, expected) in cases {
            let got = line(&rec, &cx(parent));
            assert_eq!(got, format!("{expected}\n"));
            let parsed: SpanRecord = serde_json::from_str(&got).unwrap();
            if let SpanRecord::Span { name, .. } = parsed {
                assert!(name == "job" || name == ODD.name());
            }
        }
    }

    #[test]
    fn aggregates_parse_back() {
        let a = AggRec {
            id: 3,
            parent: 1,
            site: &JOB,
            start: 10,
            end: 20,
            calls: 100_000,
            failed: 2,
            total_ticks: 90_000_000,
        };
        let mut out = Vec::new();
        agg(&mut out, &a, &cx(None));
        let parsed: SpanRecord = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            parsed,
            SpanRecord::Agg {
                id: "42-3".into(),
                parent: Some("42-1".into()),
                name: "job".into(),
                tier: Some("system".into()),
                component: None,
                start_unix_ns: 1_700_000_000_000_000_010,
                end_unix_ns: 1_700_000_000_000_000_020,
                calls: 100_000,
                failed: 2,
                total_ns: 90_000_000,
            }
        );
    }

    #[test]
    fn non_finite_values_are_skipped() {
        let mut out = Vec::new();
        let nan = Record::Gauge {
            name: "g",
            value: f64::NAN,
            tick: 0,
        };
        let inf = Record::Counter {
            name: "c",
            value: f64::INFINITY,
            span: 0,
        };
        assert!(!record(&mut out, &nan, &cx(None)));
        assert!(!record(&mut out, &inf, &cx(None)));
        assert!(out.is_empty());
    }

    #[test]
    fn integers_format_at_the_edges() {
        for n in [
            0u64,
            9,
            10,
            99,
            100,
            101,
            1_234_567_890,
            1_700_000_000_000_000_005,
            u64::MAX,
        ] {
            let mut out = Vec::new();
            uint(&mut out, n);
            assert_eq!(String::from_utf8(out).unwrap(), n.to_string());
        }
    }
}
