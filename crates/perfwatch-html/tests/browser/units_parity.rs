//! The page script formats chart ticks and tooltips itself: it must print
//! every figure of `perfwatch_report::units::samples` — edge cases and a
//! spread of magnitudes, in every unit — exactly as the Rust side does.

use super::harness::{check_page, open_browser, target_dir};
use perfwatch_html::{render_report, HtmlOptions};
use perfwatch_report::units::{samples, unit_key};

/// `v` as JavaScript reads it back with `Number(…)`.
fn js_number(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else {
        format!("{v:?}")
    }
}

#[test]
fn chart_labels_match_the_rust_reference_table() {
    let Some(mut b) = open_browser() else { return };
    let target = target_dir();
    std::fs::create_dir_all(&target).unwrap();
    let page = target.join("perfwatch-units.html");
    let mut f = std::fs::File::create(&page).unwrap();
    render_report(&[], &HtmlOptions::default(), &mut f).unwrap();
    drop(f);
    check_page(&mut b, &page, &target.join("perfwatch-units.png"), false);

    let table = samples();
    let rows: Vec<(&str, String)> = table
        .iter()
        .map(|s| (unit_key(s.unit), js_number(s.value)))
        .collect();
    let json = serde_json::to_string(&rows).unwrap();
    let expr = format!(
        "JSON.parse({}).map(function (r) {{ var v = Number(r[1]); \
         return [perfwatchUnits.format(r[0], v), perfwatchUnits.tick(r[0], v)]; }})",
        serde_json::to_string(&json).unwrap()
    );
    let got = b.eval(&expr).unwrap();
    let got = got.as_array().expect("an array of labels");
    assert_eq!(got.len(), table.len());
    let mismatches: Vec<String> = table
        .iter()
        .zip(got)
        .filter(|(s, g)| g[0] != s.text.as_str() || g[1] != s.tick.as_str())
        .map(|(s, g)| {
            format!(
                "{:?} {:e}: Rust {:?} / {:?}, script {} / {}",
                s.unit, s.value, s.text, s.tick, g[0], g[1]
            )
        })
        .collect();
    assert!(
        mismatches.is_empty(),
        "{} of {} labels differ:\n{}",
        mismatches.len(),
        table.len(),
        mismatches[..mismatches.len().min(20)].join("\n")
    );
}
