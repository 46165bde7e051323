//! OTLP metrics as plain data points: what a monitored program reports
//! beside its spans (a cache's hit rate, a pool's size and waits, a
//! queue's depth). Pure, as [`crate::map`].
//!
//! * A gauge, and a sum that is not monotonic (an up-down counter), is a
//!   [`PointKind::Gauge`]: its value is what it was at `time`.
//! * A monotonic sum is a [`PointKind::Counter`], cumulative (the total
//!   since `start`) or delta (the increase since the previous point).
//! * A histogram, exponential histogram or summary becomes two counters,
//!   `NAME.count` and `NAME.sum`, so that its mean over any interval is
//!   the quotient of their increases.
//!
//! A data point's attributes are part of its series' name:
//! `pool.waits{pool="db"}`, keys sorted, so that each series is one name.

use crate::map::any_string;
use crate::traced::{resource_attr, ATTR_SERVICE_NAME, VERSION_ATTRS};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::metrics::v1::metric::Data;
use opentelemetry_proto::tonic::metrics::v1::number_data_point::Value;
use opentelemetry_proto::tonic::metrics::v1::{AggregationTemporality, NumberDataPoint};
use std::collections::BTreeMap;

/// Longest series name kept, attributes included.
pub const MAX_NAME_BYTES: usize = 256;

/// How a point's value reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointKind {
    /// A value at an instant.
    Gauge,
    /// A count that only grows.
    Counter {
        /// The total since `start` (else the increase since the previous
        /// point).
        cumulative: bool,
    },
}

/// One data point of one series.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricPoint {
    /// `service.name` of the resource.
    pub service: String,
    /// The first of [`VERSION_ATTRS`] the resource gives.
    pub version: Option<String>,
    /// The series: the metric's name and its data point's attributes.
    pub name: String,
    /// How the value reads.
    pub kind: PointKind,
    /// The value.
    pub value: f64,
    /// Start of the counted interval (Unix ns; 0 when unknown).
    pub start_unix_ns: u64,
    /// When it was observed (Unix ns).
    pub time_unix_ns: u64,
}

/// Why a data point was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PointReject {
    /// The metric has no name, or the series' name is too long.
    BadName,
    /// No value, or one that is not finite.
    BadValue,
    /// No observation time.
    NoTime,
}

impl std::fmt::Display for PointReject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PointReject::BadName => "metric without a usable name",
            PointReject::BadValue => "data point without a finite value",
            PointReject::NoTime => "data point without a time",
        })
    }
}

/// The points of one request.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct MappedMetrics {
    /// Accepted points, in request order.
    pub points: Vec<MetricPoint>,
    /// Rejected data points, counted by reason.
    pub rejected: BTreeMap<PointReject, u64>,
}

impl MappedMetrics {
    /// Rejected data points in all.
    pub fn rejected_count(&self) -> u64 {
        self.rejected.values().sum()
    }

    /// `reason: count` pairs, for `partial_success`.
    pub fn rejected_message(&self) -> String {
        self.rejected
            .iter()
            .map(|(r, n)| format!("{r}: {n}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The series name of `metric` with `attributes`.
fn series_name(metric: &str, attributes: &[KeyValue]) -> String {
    if attributes.is_empty() {
        return metric.to_string();
    }
    let mut pairs: Vec<(String, String)> = attributes
        .iter()
        .map(|kv| {
            let v = kv.value.as_ref().map(any_string).unwrap_or_default();
            (kv.key.clone(), v)
        })
        .collect();
    pairs.sort();
    let inner: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", serde_json::Value::String(v.clone())))
        .collect();
    format!("{metric}{{{}}}", inner.join(","))
}

struct Sink<'a> {
    out: &'a mut MappedMetrics,
    service: &'a str,
    version: &'a Option<String>,
}

impl Sink<'_> {
    fn push(&mut self, name: String, kind: PointKind, value: Option<f64>, start: u64, time: u64) {
        let reject = if name.is_empty() || name.len() > MAX_NAME_BYTES {
            Some(PointReject::BadName)
        } else if !value.is_some_and(f64::is_finite) {
            Some(PointReject::BadValue)
        } else if time == 0 {
            Some(PointReject::NoTime)
        } else {
            None
        };
        if let Some(r) = reject {
            *self.out.rejected.entry(r).or_default() += 1;
            return;
        }
        self.out.points.push(MetricPoint {
            service: self.service.to_string(),
            version: self.version.clone(),
            name,
            kind,
            value: value.unwrap_or_default(),
            start_unix_ns: start,
            time_unix_ns: time,
        });
    }

    fn numbers(&mut self, metric: &str, kind: PointKind, points: &[NumberDataPoint]) {
        for p in points {
            let value = p.value.map(|v| match v {
                Value::AsDouble(d) => d,
                Value::AsInt(i) => i as f64,
            });
            let name = series_name(metric, &p.attributes);
            self.push(name, kind, value, p.start_time_unix_nano, p.time_unix_nano);
        }
    }

    /// `NAME.count` and `NAME.sum` of a distribution's point, counted
    /// over `(start, time)`.
    fn distribution(
        &mut self,
        metric: &str,
        attributes: &[KeyValue],
        cumulative: bool,
        count: u64,
        sum: Option<f64>,
        (start, time): (u64, u64),
    ) {
        let kind = PointKind::Counter { cumulative };
        let name = |suffix: &str| series_name(&format!("{metric}.{suffix}"), attributes);
        self.push(name("count"), kind, Some(count as f64), start, time);
        if let Some(sum) = sum {
            self.push(name("sum"), kind, Some(sum), start, time);
        }
    }
}

fn is_cumulative(temporality: i32) -> bool {
    temporality == AggregationTemporality::Cumulative as i32
}

/// Every data point of `req`, with its resource's service and version.
pub fn map_metrics(req: &ExportMetricsServiceRequest) -> MappedMetrics {
    let mut out = MappedMetrics::default();
    for resource_metrics in &req.resource_metrics {
        let resource = resource_metrics.resource.as_ref();
        let service = resource_attr(resource, ATTR_SERVICE_NAME)
            .unwrap_or_else(|| "unknown_service".to_string());
        let version = VERSION_ATTRS
            .iter()
            .find_map(|key| resource_attr(resource, key));
        let mut sink = Sink {
            out: &mut out,
            service: &service,
            version: &version,
        };
        for scope in &resource_metrics.scope_metrics {
            for metric in &scope.metrics {
                let name = metric.name.as_str();
                match &metric.data {
                    Some(Data::Gauge(g)) => sink.numbers(name, PointKind::Gauge, &g.data_points),
                    Some(Data::Sum(s)) => {
                        let kind = if s.is_monotonic {
                            PointKind::Counter {
                                cumulative: is_cumulative(s.aggregation_temporality),
                            }
                        } else {
                            PointKind::Gauge
                        };
                        sink.numbers(name, kind, &s.data_points);
                    }
                    Some(Data::Histogram(h)) => {
                        let cumulative = is_cumulative(h.aggregation_temporality);
                        for p in &h.data_points {
                            let at = (p.start_time_unix_nano, p.time_unix_nano);
                            sink.distribution(name, &p.attributes, cumulative, p.count, p.sum, at);
                        }
                    }
                    Some(Data::ExponentialHistogram(h)) => {
                        let cumulative = is_cumulative(h.aggregation_temporality);
                        for p in &h.data_points {
                            let at = (p.start_time_unix_nano, p.time_unix_nano);
                            sink.distribution(name, &p.attributes, cumulative, p.count, p.sum, at);
                        }
                    }
                    Some(Data::Summary(s)) => {
                        for p in &s.data_points {
                            let at = (p.start_time_unix_nano, p.time_unix_nano);
                            sink.distribution(name, &p.attributes, true, p.count, Some(p.sum), at);
                        }
                    }
                    None => *sink.out.rejected.entry(PointReject::BadValue).or_default() += 1,
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::Encoding;
    use crate::http::decode_message;

    #[test]
    fn gauges_sums_and_histograms_become_points() {
        let body = r#"{"resourceMetrics":[{"resource":{"attributes":[
            {"key":"service.name","value":{"stringValue":"player"}},
            {"key":"service.version","value":{"stringValue":"2.0"}}]},
          "scopeMetrics":[{"metrics":[
            {"name":"cache.hit_rate","gauge":{"dataPoints":[
               {"asDouble":0.75,"timeUnixNano":"2000"}]}},
            {"name":"pool.waits","sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[
               {"asInt":"7","startTimeUnixNano":"1000","timeUnixNano":"2000",
                "attributes":[{"key":"pool","value":{"stringValue":"db"}}]}]}},
            {"name":"queue.depth","sum":{"aggregationTemporality":1,"isMonotonic":false,"dataPoints":[
               {"asInt":"3","timeUnixNano":"2000"}]}},
            {"name":"fetch.duration","histogram":{"aggregationTemporality":1,"dataPoints":[
               {"count":"4","sum":2.5,"timeUnixNano":"2000"}]}},
            {"name":"","gauge":{"dataPoints":[{"asDouble":1,"timeUnixNano":"2000"}]}},
            {"name":"nan","gauge":{"dataPoints":[{"timeUnixNano":"2000"}]}}
          ]}]}]}"#;
        let req: ExportMetricsServiceRequest =
            decode_message(body.as_bytes(), Encoding::Json).unwrap();
        let m = map_metrics(&req);
        let names: Vec<(&str, PointKind, f64)> = m
            .points
            .iter()
            .map(|p| (p.name.as_str(), p.kind, p.value))
            .collect();
        assert_eq!(
            names,
            vec![
                ("cache.hit_rate", PointKind::Gauge, 0.75),
                (
                    "pool.waits{pool=\"db\"}",
                    PointKind::Counter { cumulative: true },
                    7.0
                ),
                ("queue.depth", PointKind::Gauge, 3.0),
                (
                    "fetch.duration.count",
                    PointKind::Counter { cumulative: false },
                    4.0
                ),
                (
                    "fetch.duration.sum",
                    PointKind::Counter { cumulative: false },
                    2.5
                ),
            ]
        );
        assert!(m.points.iter().all(|p| p.service == "player"));
        assert_eq!(m.points[0].version.as_deref(), Some("2.0"));
        assert_eq!(m.rejected[&PointReject::BadName], 1);
        assert_eq!(m.rejected[&PointReject::BadValue], 1);
        assert_eq!(m.rejected_count(), 2);
    }

    #[test]
    fn attribute_order_does_not_make_two_series() {
        let kv = |k: &str, v: &str| KeyValue {
            key: k.into(),
            value: Some(opentelemetry_proto::tonic::common::v1::AnyValue {
                value: Some(
                    opentelemetry_proto::tonic::common::v1::any_value::Value::StringValue(v.into()),
                ),
            }),
            ..Default::default()
        };
        let a = series_name("m", &[kv("b", "2"), kv("a", "1")]);
        let b = series_name("m", &[kv("a", "1"), kv("b", "2")]);
        assert_eq!(a, b);
        assert_eq!(a, "m{a=\"1\",b=\"2\"}");
        // Quotes inside values cannot forge another attribute.
        assert_eq!(
            series_name("m", &[kv("a", "1\",b=\"2")]),
            "m{a=\"1\\\",b=\\\"2\"}"
        );
    }
}
