//! Human units, the one implementation every renderer uses (terminal,
//! Markdown and, through `perfwatch-html`, the HTML pages): times
//! auto-scaled to ns/µs/ms/s, bytes in binary multiples, plain counts,
//! percentages, ratios, p-values and confidence levels.
//!
//! Every function takes an already-computed figure and only formats it.
//! A figure that is missing or not a number prints as [`NA`]; an unbounded
//! one (an interval bound of `f64::MAX`, as the analysis stores it, or an
//! infinity) as [`UNBOUNDED`]. Neither ever prints as a number, and no
//! figure prints with more than a handful of digits: magnitudes beyond
//! the usual range switch to scientific notation (`1.80e308 s`).
//!
//! The chart script of the HTML pages follows the same rules (it formats
//! axis ticks and tooltips); [`samples`] is the table both are checked
//! against.

mod digits;
mod samples;
mod time_unit;

pub use samples::{samples, Sample};
pub use time_unit::TimeUnit;

use digits::{fixed, sci, sig3, sig3_at_least, sign, trim_zeros};
use perfwatch_model::metric::Unit;
use perfwatch_model::Metric;

/// What a figure that was not measured (or is not a number) prints as.
pub const NA: &str = "–";

/// What an unbounded interval bound or change prints as.
pub const UNBOUNDED: &str = "unbounded";

/// Time units from the largest down, with their size in seconds.
const TIME_UNITS: [(&str, f64); 4] = [("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)];

/// Byte units above bytes, binary multiples.
const BYTE_UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];

/// Magnitudes from which a figure is printed in scientific notation.
const SCI_ABOVE: f64 = 1e9;
/// Durations below this many seconds print in scientific notation.
const SCI_BELOW_S: f64 = 1e-12;
/// Byte counts from which scientific notation is used (about 888 PiB).
const SCI_ABOVE_BYTES: f64 = 1e18;
/// Plain numbers below this magnitude (but not zero) print in scientific
/// notation.
const SCI_BELOW: f64 = 1e-3;

/// Whether `x` stands for "no bound": an infinity, or `f64::MAX` (or
/// more), which is how the analysis stores an unbounded interval in JSON.
pub fn is_unbounded(x: f64) -> bool {
    x.is_infinite() || x.abs() >= f64::MAX
}

/// A duration given in seconds, auto-scaled to the largest unit in which
/// it is at least 1 after rounding: `95.0 ns`, `812 µs`, `45.6 ms`,
/// `1.23 s`, `1234 s` (999.96 µs is `1.00 ms`, not `1000 µs`). Zero is
/// `0 s`. Inside [`with_time_unit`], every duration is in that one unit.
pub fn format_duration(seconds: f64) -> String {
    if !seconds.is_finite() {
        return NA.to_string();
    }
    if let Some(unit) = FIXED_TIME_UNIT.get() {
        return unit.format(seconds);
    }
    if seconds == 0.0 {
        return "0 s".to_string();
    }
    let abs = seconds.abs();
    if !(SCI_BELOW_S..SCI_ABOVE).contains(&abs) {
        return format!("{}{} s", sign(seconds), sci(abs));
    }
    let (name, size) = TIME_UNITS
        .iter()
        .find(|(_, size)| sig3_at_least(abs / size, 1.0))
        .copied()
        .unwrap_or(TIME_UNITS[TIME_UNITS.len() - 1]);
    format!("{}{} {name}", sign(seconds), sig3(abs / size))
}

thread_local! {
    /// The unit of [`with_time_unit`], on this thread.
    static FIXED_TIME_UNIT: std::cell::Cell<Option<TimeUnit>> = const { std::cell::Cell::new(None) };
}

/// Run `render` with every duration [`format_duration`] formats shown in
/// `unit` (`-u/--time-unit`: the terminal view and the Markdown and table
/// exports; JSON and CSV keep seconds). `None` scales each duration on its
/// own, as usual.
pub fn with_time_unit<T>(unit: Option<TimeUnit>, render: impl FnOnce() -> T) -> T {
    let before = FIXED_TIME_UNIT.replace(unit);
    // Restored even when `render` panics.
    struct Restore(Option<TimeUnit>);
    impl Drop for Restore {
        fn drop(&mut self) {
            FIXED_TIME_UNIT.set(self.0);
        }
    }
    let _restore = Restore(before);
    render()
}

/// A byte count in binary units: `512 B`, `1.50 KiB`, `120 MiB`, `3.00 GiB`.
/// Fractional bytes (a mean) round to whole bytes below 1 KiB; a value
/// that rounds up to 1024 of a unit moves to the next one.
pub fn format_bytes(bytes: f64) -> String {
    if !bytes.is_finite() {
        return NA.to_string();
    }
    let abs = bytes.abs();
    if abs >= SCI_ABOVE_BYTES {
        return format!("{}{} B", sign(bytes), sci(abs));
    }
    let whole = fixed(abs, 0);
    if abs.round() < 1024.0 {
        let sign = if whole == "0" { "" } else { sign(bytes) };
        return format!("{sign}{whole} B");
    }
    let mut value = abs / 1024.0;
    let mut unit = 0;
    while sig3_at_least(value, 1024.0) && unit + 1 < BYTE_UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{}{} {}", sign(bytes), sig3(value), BYTE_UNITS[unit])
}

/// A plain count or number: whole numbers and numbers from 100 up as
/// integers (`12345`, `151`), others with up to three significant digits
/// and no trailing zeros (`2.5`, `12.3`, `0.62`); below 0.001 and from
/// 1e9 up in scientific notation.
pub fn format_count(count: f64) -> String {
    if !count.is_finite() {
        return NA.to_string();
    }
    let abs = count.abs();
    if abs >= SCI_ABOVE || (abs > 0.0 && abs < SCI_BELOW) {
        return format!("{}{}", sign(count), sci(abs));
    }
    let text = if abs.fract() == 0.0 || abs >= 100.0 {
        fixed(abs, 0)
    } else {
        trim_zeros(&sig3(abs)).to_string()
    };
    let sign = if text == "0" { "" } else { sign(count) };
    format!("{sign}{text}")
}

/// A number of unknown unit (finding evidence): the same rules as
/// [`format_count`].
pub fn format_number(v: f64) -> String {
    format_count(v)
}

/// A figure in the given unit.
pub fn format_value(unit: Unit, value: f64) -> String {
    match unit {
        Unit::Seconds => format_duration(value),
        Unit::Bytes => format_bytes(value),
        Unit::Count => format_count(value),
        Unit::PerSecond => format!("{}/s", format_count(value)),
        Unit::Fraction => format_fraction(value),
    }
}

/// A share as a percentage with three significant digits: `0.0123` →
/// `1.23 %`, `0` → `0 %`.
pub fn format_fraction(value: f64) -> String {
    if !value.is_finite() {
        return NA.to_string();
    }
    format!("{} %", format_count(value * 100.0))
}

/// A figure for a chart axis: [`format_value`] without trailing zeros
/// before the unit (`50 ms` rather than `50.0 ms`, `1.5 s`).
pub fn format_tick(unit: Unit, value: f64) -> String {
    let text = format_value(unit, value);
    if text.contains('e') {
        return text;
    }
    match text.split_once(' ') {
        Some((number, unit)) => format!("{} {unit}", trim_zeros(number)),
        None => trim_zeros(&text).to_string(),
    }
}

/// An optional figure in the given unit; absent prints as [`NA`].
pub fn format_opt(unit: Unit, value: Option<f64>) -> String {
    value.map_or_else(|| NA.to_string(), |v| format_value(unit, v))
}

/// The unit of a metric key: a known [`Metric`], or by suffix (`total_s`,
/// `self_s` → seconds; `…_bytes` → bytes); anything else is a count.
pub fn unit_for_key(key: &str) -> Unit {
    match key.parse::<Metric>() {
        Ok(metric) => metric.unit(),
        Err(_) if key.ends_with("_s") => Unit::Seconds,
        Err(_) if key.ends_with("_bytes") => Unit::Bytes,
        Err(_) => Unit::Count,
    }
}

/// The short name of a unit shared with the page script: `s`, `bytes`,
/// `count`, `rps`, `fraction`.
pub fn unit_key(unit: Unit) -> &'static str {
    match unit {
        Unit::Seconds => "s",
        Unit::Bytes => "bytes",
        Unit::Count => "count",
        Unit::PerSecond => "rps",
        Unit::Fraction => "fraction",
    }
}

/// A signed percentage change with one decimal: `+12.3%`, `-4.0%`,
/// `+0.0%` for a change that rounds to nothing; [`UNBOUNDED`] for a change
/// over a zero baseline.
pub fn format_change_pct(pct: f64) -> String {
    if pct.is_nan() {
        return NA.to_string();
    }
    if is_unbounded(pct) {
        return if pct > 0.0 { UNBOUNDED } else { NA }.to_string();
    }
    let abs = pct.abs();
    if abs >= SCI_ABOVE {
        return format!("{}{}%", if pct < 0.0 { "-" } else { "+" }, sci(abs));
    }
    let text = fixed(abs, 1);
    let sign = if pct < 0.0 && text != "0.0" { "-" } else { "+" };
    format!("{sign}{text}%")
}

/// One bound of a ratio's interval as a change: `-100.0%` for 0,
/// [`UNBOUNDED`] for an unbounded one, [`NA`] when not a number.
pub fn format_change_bound(ratio_bound: f64) -> String {
    if ratio_bound.is_nan() {
        return NA.to_string();
    }
    if is_unbounded(ratio_bound) {
        return if ratio_bound > 0.0 { UNBOUNDED } else { NA }.to_string();
    }
    format_change_pct((ratio_bound - 1.0) * 100.0)
}

/// A ratio's confidence interval as changes: `[+8.1%, +16.0%]`,
/// `[+5.0%, unbounded]`; [`NA`] when a bound is not a number (the
/// interval is undefined).
pub fn format_change_ci(ci_low: f64, ci_high: f64) -> String {
    if ci_low.is_nan() || ci_high.is_nan() {
        return NA.to_string();
    }
    format!(
        "[{}, {}]",
        format_change_bound(ci_low),
        format_change_bound(ci_high)
    )
}

/// A ratio such as `0.775×` (three decimals below 10, three significant
/// digits above); [`UNBOUNDED`] for an unbounded one.
pub fn format_ratio(ratio: f64) -> String {
    if ratio.is_nan() {
        return NA.to_string();
    }
    if is_unbounded(ratio) {
        return if ratio > 0.0 { UNBOUNDED } else { NA }.to_string();
    }
    let abs = ratio.abs();
    let text = if abs >= SCI_ABOVE {
        sci(abs)
    } else if abs < 10.0 {
        fixed(abs, 3)
    } else {
        sig3(abs)
    };
    format!("{}{text}×", sign(ratio))
}

/// How many times faster, slower, larger or smaller (a factor of at
/// least 1, as in "1.98 times faster"): two decimals (`1.98`), whole
/// numbers from 1000 on (`1234`), scientific notation for the huge;
/// [`UNBOUNDED`] for an infinite one.
pub fn format_factor(x: f64) -> String {
    if x.is_nan() {
        return NA.to_string();
    }
    if is_unbounded(x) {
        return if x > 0.0 { UNBOUNDED } else { NA }.to_string();
    }
    let abs = x.abs();
    let text = if abs >= SCI_ABOVE {
        sci(abs)
    } else if abs >= 1000.0 {
        sig3(abs)
    } else {
        fixed(abs, 2)
    };
    format!("{}{text}", if x < 0.0 { "-" } else { "" })
}

/// A ratio's confidence interval: `[0.741×, 0.806×]`, `[1.10×, unbounded]`;
/// [`NA`] when undefined.
pub fn format_ratio_ci(ci_low: f64, ci_high: f64) -> String {
    if ci_low.is_nan() || ci_high.is_nan() {
        return NA.to_string();
    }
    format!("[{}, {}]", format_ratio(ci_low), format_ratio(ci_high))
}

/// A share 0..1 as a percentage with one decimal: `62.5%`.
pub fn format_share(share: f64) -> String {
    if !share.is_finite() {
        return NA.to_string();
    }
    let pct = share * 100.0;
    let abs = pct.abs();
    if abs >= SCI_ABOVE {
        return format!("{}{}%", sign(pct), sci(abs));
    }
    let text = fixed(abs, 1);
    let sign = if text == "0.0" { "" } else { sign(pct) };
    format!("{sign}{text}%")
}

/// A p-value with three decimals; below 0.001 as `< 0.001` (never
/// `0.000`).
pub fn format_p(p: f64) -> String {
    if !p.is_finite() {
        return NA.to_string();
    }
    if p < 0.001 {
        "< 0.001".to_string()
    } else {
        fixed(p, 3)
    }
}

/// A confidence level as a percentage without needless decimals: `0.95`
/// → `95%`, `0.9` → `90%`, `0.995` → `99.5%`.
pub fn format_level(confidence: f64) -> String {
    if !confidence.is_finite() {
        return NA.to_string();
    }
    format!("{}%", trim_zeros(&fixed(confidence.abs() * 100.0, 2)))
}

/// The label of an interval at `confidence`: `95% CI`, `90% CI`.
pub fn ci_label(confidence: f64) -> String {
    format!("{} CI", format_level(confidence))
}

/// A figure of a finding's evidence, formatted by its key: `…_s` as a
/// duration, `…_bytes` as bytes, shares and fractions (`share`,
/// `…_share`, `share:…`, `…_fraction`) as percentages, `…_pct` as a
/// percentage already, anything else as a number.
pub fn format_evidence(key: &str, v: f64) -> String {
    let is_share = key == "share"
        || key.ends_with("_share")
        || key.starts_with("share:")
        || key.ends_with("_fraction");
    if key.ends_with("_s") {
        format_duration(v)
    } else if key.ends_with("_bytes") {
        format_bytes(v)
    } else if is_share {
        format_share(v)
    } else if key.ends_with("_pct") {
        format_share(v / 100.0)
    } else {
        format_number(v)
    }
}

#[cfg(test)]
mod tests;
