//! A comparison with unbounded intervals (stored as `f64::MAX`), a zero
//! bound, a very wide interval and p-values of zero stays readable in a
//! 1400 px window: no table overflows, no long number appears, the ratio
//! plot keeps its scale and marks the open sides with arrows.

use super::fixture::unbounded_session;
use super::harness::{check_page, open_browser, screenshot, screenshot_of, target_dir};
use perfwatch_html::{render_report, HtmlOptions};
use serde_json::json;

/// What the page says about its comparison view.
const MEASURE: &str = r#"(function () {
  var view = document.querySelector("section.comparison");
  var wraps = Array.prototype.map.call(view.querySelectorAll(".table-wrap"), function (w) {
    return { scroll: w.scrollWidth, client: w.clientWidth };
  });
  var heads = view.querySelectorAll("table.compare:not(.info) thead th");
  var last = heads[heads.length - 1].getBoundingClientRect();
  var bars = Array.prototype.map.call(view.querySelectorAll("svg.errbar"), function (s) {
    var w = s.querySelector("line.whisker");
    return w ? Math.abs(w.x2.baseVal.value - w.x1.baseVal.value) : -1;
  });
  return {
    wraps: wraps,
    page: { scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth },
    lastHeaderRight: last.right,
    window: window.innerWidth,
    text: view.innerText,
    bars: bars,
    arrows: view.querySelectorAll("svg.errbar polygon.arrow").length
  };
})()"#;

#[test]
fn unbounded_intervals_keep_the_comparison_readable_at_1400_px() {
    let Some(mut b) = open_browser() else { return };
    b.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
    )
    .unwrap();
    let target = target_dir();
    std::fs::create_dir_all(&target).unwrap();
    let page = target.join("perfwatch-unbounded-ci.html");
    let mut f = std::fs::File::create(&page).unwrap();
    render_report(&[unbounded_session()], &HtmlOptions::default(), &mut f).unwrap();
    drop(f);
    let shot = target.join("perfwatch-unbounded-ci.png");
    let report = check_page(&mut b, &page, &shot, false);
    screenshot(
        &mut b,
        &shot,
        1400.0,
        report["height"].as_f64().unwrap_or(900.0),
    );
    let view = b
        .eval(
            "(function () { var r = document.querySelector('section.comparison').getBoundingClientRect(); \
             return [r.left + window.scrollX, r.top + window.scrollY, r.width, r.height]; })()",
        )
        .unwrap();
    let rect: Vec<f64> = view
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap_or(0.0))
        .collect();
    let view_shot = target.join("perfwatch-unbounded-ci-comparison.png");
    screenshot_of(&mut b, &view_shot, [rect[0], rect[1], rect[2], rect[3]]);

    let m = b.eval(MEASURE).unwrap();
    for w in m["wraps"].as_array().unwrap() {
        assert!(
            w["scroll"].as_f64() <= w["client"].as_f64(),
            "a table overflows: {m:#}"
        );
    }
    assert!(
        m["page"]["scroll"].as_f64() <= m["page"]["client"].as_f64(),
        "{m:#}"
    );
    assert!(
        m["lastHeaderRight"].as_f64() <= m["window"].as_f64(),
        "the verdict column is off the page: {m:#}"
    );
    let text = m["text"].as_str().unwrap();
    assert!(text.contains("unbounded"), "{text}");
    assert!(text.contains("< 0.001"), "{text}");
    let longest_digits = text
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(longest_digits <= 6, "a long number in the view:\n{text}");
    // Every bounded bar keeps a visible length; open sides get arrows.
    let bars: Vec<f64> = m["bars"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_f64())
        .collect();
    assert!(bars[0] >= 3.0, "the wall-time bar collapsed: {bars:?}");
    assert!(m["arrows"].as_u64().unwrap_or(0) >= 3, "{m:#}");
}
