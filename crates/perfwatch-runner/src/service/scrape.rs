//! The service's own figures: its Prometheus text exposition, fetched
//! before and after the load and turned into an iteration's counters
//! (increase over the load) and gauges (value after it).

use super::probe::parse_url;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Longest wait for each step of a scrape (connect, write, each read).
const SCRAPE_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest exposition read: more is an error, not a truncated parse.
const MAX_BODY: usize = 16 << 20;

/// One scrape's samples by kind, each named `name` or
/// `name{label="value",…}` (labels sorted).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exposition {
    /// Counters' values.
    pub counters: BTreeMap<String, f64>,
    /// Gauges' (and untyped samples') values.
    pub gauges: BTreeMap<String, f64>,
}

/// Fetch and parse the exposition at `url` (plain `http://`). Histograms
/// and summaries are left out (their quantiles are not one figure).
pub fn scrape(url: &str) -> Result<Exposition, String> {
    let fail = |why: String| format!("scrape `{url}`: {why}");
    let body = fetch(url).map_err(fail)?;
    parse(&body).map_err(fail)
}

/// The figures of the load between two scrapes: a counter's increase (its
/// value after, when it was reset or absent before), a gauge's value after.
pub fn difference(before: &Exposition, after: &Exposition) -> Exposition {
    let counters = after
        .counters
        .iter()
        .map(|(name, &v)| {
            let increase = match before.counters.get(name) {
                Some(&b) if b <= v => v - b,
                _ => v,
            };
            (name.clone(), increase)
        })
        .collect();
    Exposition {
        counters,
        gauges: after.gauges.clone(),
    }
}

fn fetch(url: &str) -> Result<String, String> {
    let (host, port, path) = parse_url(url)?;
    let addr = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| e.to_string())?
        .next()
        .ok_or("no address")?;
    let mut s = TcpStream::connect_timeout(&addr, SCRAPE_TIMEOUT).map_err(|e| e.to_string())?;
    let io = |e: std::io::Error| e.to_string();
    s.set_read_timeout(Some(SCRAPE_TIMEOUT)).map_err(io)?;
    s.set_write_timeout(Some(SCRAPE_TIMEOUT)).map_err(io)?;
    // HTTP/1.0: the answer is never chunked and ends with the connection.
    let request = format!(
        "GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\nUser-Agent: perfwatch\r\nAccept: text/plain\r\n\r\n"
    );
    s.write_all(request.as_bytes()).map_err(io)?;
    let mut raw = Vec::new();
    s.take(MAX_BODY as u64 + 1)
        .read_to_end(&mut raw)
        .map_err(io)?;
    if raw.len() > MAX_BODY {
        return Err(format!("the answer is over {} MiB", MAX_BODY >> 20));
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no complete HTTP answer")?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let status = head.split_whitespace().nth(1).unwrap_or("");
    if !status.starts_with('2') {
        return Err(format!(
            "answered `{}`",
            head.lines().next().unwrap_or("").trim()
        ));
    }
    String::from_utf8(raw[split + 4..].to_vec()).map_err(|_| "the answer is not UTF-8".into())
}

fn parse(text: &str) -> Result<Exposition, String> {
    // The series of histograms and summaries (`_bucket`, `_sum`, `_count`,
    // quantiles) are no single figure of the load: left out.
    let distributions: Vec<&str> = text
        .lines()
        .filter_map(|l| {
            let mut words = l.strip_prefix("# TYPE ")?.split_whitespace();
            let name = words.next()?;
            matches!(words.next()?, "histogram" | "summary" | "gaugehistogram").then_some(name)
        })
        .collect();
    let of_distribution = |metric: &str| {
        distributions.iter().any(|d| {
            metric
                .strip_prefix(d)
                .is_some_and(|rest| ["", "_bucket", "_sum", "_count", "_created"].contains(&rest))
        })
    };
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).map_err(|e| e.to_string())?;
    let mut out = Exposition::default();
    for sample in scrape.samples {
        if of_distribution(&sample.metric) {
            continue;
        }
        let mut labels: Vec<(&String, &String)> = sample.labels.iter().collect();
        labels.sort();
        let name = if labels.is_empty() {
            sample.metric.clone()
        } else {
            let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
            format!("{}{{{}}}", sample.metric, inner.join(","))
        };
        match sample.value {
            prometheus_parse::Value::Counter(v) if v.is_finite() => {
                out.counters.insert(name, v);
            }
            prometheus_parse::Value::Gauge(v) | prometheus_parse::Value::Untyped(v)
                if v.is_finite() =>
            {
                out.gauges.insert(name, v);
            }
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# HELP demo_requests_total Playlist requests.
# TYPE demo_requests_total counter
demo_requests_total 120
# TYPE demo_cache_hit_rate gauge
demo_cache_hit_rate 0.75
# TYPE http_requests_total counter
http_requests_total{route=\"/b\",code=\"200\"} 7
# TYPE latency histogram
latency_bucket{le=\"0.1\"} 3
latency_bucket{le=\"+Inf\"} 4
latency_sum 0.5
latency_count 4
";

    #[test]
    fn counters_and_gauges_are_read_with_their_labels() {
        let e = parse(TEXT).unwrap();
        assert_eq!(e.counters["demo_requests_total"], 120.0);
        assert_eq!(
            e.counters["http_requests_total{code=\"200\",route=\"/b\"}"],
            7.0
        );
        assert_eq!(e.gauges["demo_cache_hit_rate"], 0.75);
        assert!(!e
            .gauges
            .keys()
            .chain(e.counters.keys())
            .any(|k| k.starts_with("latency")));
    }

    #[test]
    fn counters_give_their_increase_and_a_reset_counts_from_zero() {
        let before = Exposition {
            counters: BTreeMap::from([("a".into(), 10.0), ("b".into(), 50.0)]),
            gauges: BTreeMap::from([("g".into(), 1.0)]),
        };
        let after = Exposition {
            counters: BTreeMap::from([("a".into(), 25.0), ("b".into(), 5.0), ("c".into(), 3.0)]),
            gauges: BTreeMap::from([("g".into(), 4.0)]),
        };
        let d = difference(&before, &after);
        assert_eq!(d.counters["a"], 15.0);
        assert_eq!(d.counters["b"], 5.0, "reset: counts from zero");
        assert_eq!(d.counters["c"], 3.0, "new: counts whole");
        assert_eq!(d.gauges["g"], 4.0);
    }

    #[test]
    fn a_scrape_of_a_closed_port_is_a_message() {
        let port = super::super::free_port().unwrap();
        let err = scrape(&format!("http://127.0.0.1:{port}/metrics")).unwrap_err();
        assert!(err.starts_with("scrape `http://127.0.0.1:"), "{err}");
    }
}
