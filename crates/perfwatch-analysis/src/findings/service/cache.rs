//! `low_cache_hit_rate`: a cache the service reports on that mostly
//! misses under load ("cache `demo_cache` hits 23 % of lookups").
//!
//! A run's hit rate of a cache comes from its scraped metrics, only where
//! they exist:
//!
//! * counters `<prefix>hits<suffix>` with `<prefix>lookups<suffix>`
//!   (hits / lookups) or `<prefix>misses<suffix>` (hits / (hits +
//!   misses)) — their increase over the load, so the rate of the load
//!   itself; preferred;
//! * else a gauge whose name contains `hit_rate` or `hit_ratio`, read as a
//!   share between 0 and 1 (other values are skipped).
//!
//! A cache is named by its prefix (`demo_cache` for `demo_cache_hits_total`
//! and `demo_cache_hit_rate`). The rule fires when a cache's median hit
//! rate over the variant's counted runs is below `cache_hit_rate_low`
//! (0.5); one finding per variant, about its lowest cache, counting the
//! other low ones.
//!
//! What a better hit rate would save is not measured: `impact_s` is 0, and
//! the text says so. Where another variant of the session hits the same
//! cache more often with a lower median latency, the text shows both.

use super::super::context::VariantData;
use super::super::format::{pct, secs};
use super::super::{finding, FindingOptions, RuleKind};
use super::median_metric;
use perfwatch_model::{Finding, Iteration, Metric};
use perfwatch_stats::median;
use std::collections::BTreeMap;

/// One cache over a variant's runs.
#[derive(Debug, Clone)]
struct Cache {
    /// The metric(s) it was read from, as the text names them.
    source: String,
    /// Read from counters (over the load) rather than a gauge.
    counters: bool,
    /// Hit rate per run that reported it.
    rates: Vec<f64>,
}

pub(crate) fn find(all: &[VariantData], me: usize, opts: &FindingOptions) -> Vec<Finding> {
    low_cache(all, me, opts).into_iter().collect()
}

fn low_cache(all: &[VariantData], me: usize, opts: &FindingOptions) -> Option<Finding> {
    let v = &all[me];
    let low_below = opts.service.cache_hit_rate_low;
    let mut low: Vec<(String, Cache, f64)> = caches(v)
        .into_iter()
        .filter_map(|(name, c)| {
            let m = median(&c.rates)?;
            Some((name, c, m))
        })
        .filter(|(_, _, m)| *m < low_below)
        .collect();
    low.sort_by(|a, b| a.2.total_cmp(&b.2).then_with(|| a.0.cmp(&b.0)));
    let (name, cache, rate) = low.first()?;
    let mut f = finding(RuleKind::LowCacheHitRate, v, None);
    f.title = format!(
        "Cache `{name}` hits {} of lookups under load (below {})",
        pct(*rate),
        pct(low_below)
    );
    let e = &mut f.evidence;
    e.insert("hit_rate".into(), *rate);
    e.insert("runs".into(), cache.rates.len() as f64);
    e.insert(
        "from_counters".into(),
        if cache.counters { 1.0 } else { 0.0 },
    );
    e.insert("low_caches".into(), low.len() as f64);
    let p50 = median_metric(v, Metric::LatencyP50S);
    if let Some(p) = p50 {
        e.insert("p50_s".into(), p);
    }
    let better = better_variant(all, me, name, *rate, p50);
    if let Some((_, r, p)) = better {
        e.insert("better_variant_hit_rate".into(), r);
        e.insert("better_variant_p50_s".into(), p);
    }
    f.confidence = if cache.counters { 0.7 } else { 0.6 };
    let others = if low.len() > 1 {
        format!(" {} other caches are low too.", low.len() - 1)
    } else {
        String::new()
    };
    let compare = match (better, p50) {
        (Some((w, r, p)), Some(mine)) => format!(
            " Variant `{w}` hits {} with a p50 of {} against {} here.",
            pct(r),
            secs(p),
            secs(mine)
        ),
        _ => String::new(),
    };
    f.recommendation = format!(
        "Most lookups miss (read from {}), so most requests take the slow path. Check that \
         the cache holds the working set (evictions), that its keys carry no per-request \
         part (ids, time stamps), that entries do not expire too soon, and whether it \
         should be warmed at start-up.{others}{compare} No saving per run is claimed: what \
         a better hit rate would save is not measured.",
        cache.source
    );
    f.effort = Some("medium".into());
    Some(f)
}

/// Another variant whose same cache hits more often with a lower median
/// latency: its name, hit rate and p50.
fn better_variant<'a>(
    all: &'a [VariantData],
    me: usize,
    name: &str,
    rate: f64,
    p50: Option<f64>,
) -> Option<(&'a str, f64, f64)> {
    let p50 = p50?;
    all.iter()
        .enumerate()
        .filter(|&(i, _)| i != me)
        .filter_map(|(_, w)| {
            let r = median(&caches(w).remove(name)?.rates)?;
            let p = median_metric(w, Metric::LatencyP50S)?;
            (r > rate && p < p50).then_some((w.name, r, p))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// Every cache of the variant's runs, by name.
fn caches(v: &VariantData) -> BTreeMap<String, Cache> {
    let mut out: BTreeMap<String, Cache> = BTreeMap::new();
    for r in &v.runs {
        for (name, source, counters, rate) in run_rates(r.it) {
            let c = out.entry(name).or_insert_with(|| Cache {
                source,
                counters,
                rates: Vec::new(),
            });
            // A cache read from counters in one run and from its gauge in
            // another keeps one kind of figure.
            if c.counters == counters {
                c.rates.push(rate);
            }
        }
    }
    out
}

/// Fewest lookups in a run for its hit rate to count: a handful of
/// requests (a service still warming its lazy state when the load ended)
/// says nothing of the cache.
pub const MIN_LOOKUPS: f64 = 20.0;

/// `(cache name, source, from counters, hit rate)` of one run: counter
/// pairs first, gauges for the caches no pair covers. A pair with fewer
/// than [`MIN_LOOKUPS`] lookups gives no rate, and its gauge none either.
fn run_rates(it: &Iteration) -> Vec<(String, String, bool, f64)> {
    let mut out: Vec<(String, String, bool, f64)> = Vec::new();
    let mut covered: Vec<String> = Vec::new();
    for (hits_name, &hits) in &it.counters {
        let Some(at) = hits_name.find("hits") else {
            continue;
        };
        let (prefix, suffix) = (&hits_name[..at], &hits_name[at + "hits".len()..]);
        let partner = |word: &str| {
            let n = format!("{prefix}{word}{suffix}");
            it.counters.get(&n).map(|&v| (n, v))
        };
        let rate = if let Some((n, lookups)) = partner("lookups") {
            covered.push(cache_name(prefix, hits_name));
            (lookups >= MIN_LOOKUPS).then(|| (hits / lookups, n))
        } else if let Some((n, misses)) = partner("misses") {
            covered.push(cache_name(prefix, hits_name));
            (hits + misses >= MIN_LOOKUPS).then(|| (hits / (hits + misses), n))
        } else {
            None
        };
        if let Some((rate, n)) = rate.filter(|(r, _)| r.is_finite()) {
            let source = format!("`{hits_name}` / `{n}`");
            out.push((
                cache_name(prefix, hits_name),
                source,
                true,
                rate.clamp(0.0, 1.0),
            ));
        }
    }
    for (name, &value) in &it.gauges {
        let lower = name.to_ascii_lowercase();
        let Some(at) = lower.find("hit_rate").or_else(|| lower.find("hit_ratio")) else {
            continue;
        };
        let cache = cache_name(&name[..at], name);
        if (0.0..=1.0).contains(&value) && !covered.contains(&cache) {
            out.push((cache, format!("`{name}`"), false, value));
        }
    }
    out
}

/// A cache's name: the metric's prefix without trailing separators, or
/// the whole metric's name when the prefix is empty.
fn cache_name(prefix: &str, metric: &str) -> String {
    let p = prefix.trim_end_matches(['_', '.', ':', '-']);
    if p.is_empty() {
        metric.to_string()
    } else {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::testkit::{apply_rule, load, run, session, variant};
    use perfwatch_model::SessionExport;

    /// Four runs whose iteration gets `metrics` applied, at p50 `p50_s`.
    fn with(name: &str, p50_s: f64, metrics: impl Fn(&mut Iteration)) -> SessionExport {
        session(vec![variant(name, runs(p50_s, metrics))])
    }

    fn runs(p50_s: f64, metrics: impl Fn(&mut Iteration)) -> Vec<Iteration> {
        (0..4)
            .map(|i| {
                let mut r = run(i).service(0.2, 0.05, Some(load(100.0, p50_s, 3.0 * p50_s)));
                r.advance(1.0, true);
                let mut it = r.finish();
                metrics(&mut it);
                it
            })
            .collect()
    }

    fn counters(hits: f64, lookups: f64) -> impl Fn(&mut Iteration) {
        move |it: &mut Iteration| {
            it.counters.insert("demo_cache_hits_total".into(), hits);
            it.counters
                .insert("demo_cache_lookups_total".into(), lookups);
        }
    }

    #[test]
    fn a_handful_of_lookups_gives_no_rate_and_silences_the_gauge() {
        let s = with("lazy", 0.02, |it| {
            counters(0.0, 2.0)(it);
            it.gauges.insert("demo_cache_hit_rate".into(), 0.0);
        });
        assert!(apply_rule(find, &s).is_empty());
    }

    #[test]
    fn hits_against_lookups_give_the_rate_over_the_load() {
        // The gauge (since start-up) says 0.9; the counters over the load
        // say 0.25 and are preferred.
        let fs = apply_rule(
            find,
            &with("v", 0.01, |it| {
                counters(250.0, 1000.0)(it);
                it.gauges.insert("demo_cache_hit_rate".into(), 0.9);
            }),
        );
        assert_eq!(fs.len(), 1, "{fs:?}");
        let f = &fs[0];
        assert_eq!(f.evidence["hit_rate"], 0.25);
        assert_eq!(f.evidence["from_counters"], 1.0);
        assert_eq!(f.evidence["low_caches"], 1.0);
        assert!(
            f.title.starts_with("Cache `demo_cache` hits 25 %"),
            "{}",
            f.title
        );
        assert_eq!(f.impact_s, 0.0);
        assert!(f.recommendation.contains("No saving per run is claimed"));
    }

    #[test]
    fn a_hit_ratio_gauge_or_misses_counters_count_too() {
        let gauge = with("v", 0.01, |it| {
            it.gauges.insert("lru_hit_ratio".into(), 0.3);
        });
        assert_eq!(apply_rule(find, &gauge)[0].evidence["hit_rate"], 0.3);
        let misses = with("v", 0.01, |it| {
            it.counters.insert("cache.hits".into(), 100.0);
            it.counters.insert("cache.misses".into(), 300.0);
        });
        let fs = apply_rule(find, &misses);
        assert_eq!(fs[0].evidence["hit_rate"], 0.25);
        assert!(fs[0].title.contains("`cache`"), "{}", fs[0].title);
    }

    #[test]
    fn a_good_rate_or_no_cache_metric_is_silent() {
        assert!(apply_rule(find, &with("v", 0.01, counters(900.0, 1000.0))).is_empty());
        let none = with("v", 0.01, |it| {
            it.gauges.insert("demo_pool_size".into(), 4.0);
            it.counters.insert("demo_requests_total".into(), 1000.0);
        });
        assert!(apply_rule(find, &none).is_empty());
        // A percentage is no share: skipped, not read as a high rate.
        let percent = with("v", 0.01, |it| {
            it.gauges.insert("hit_rate_pct".into(), 20.0);
        });
        assert!(apply_rule(find, &percent).is_empty());
    }

    #[test]
    fn a_variant_that_hits_more_and_answers_faster_is_shown() {
        let s = session(vec![
            variant("small", runs(0.012, counters(200.0, 1000.0))),
            variant("large", runs(0.003, counters(920.0, 1000.0))),
        ]);
        let fs = apply_rule(find, &s);
        assert_eq!(fs.len(), 1);
        let f = &fs[0];
        assert_eq!(f.evidence["better_variant_hit_rate"], 0.92);
        assert_eq!(f.impact_s, 0.0);
        assert!(
            f.recommendation
                .contains("Variant `large` hits 92 % with a p50 of 3.0 ms against 12 ms here"),
            "{}",
            f.recommendation
        );
    }
}
