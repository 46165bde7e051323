//! The pages of the investigations: self-contained like every page, the
//! report itself as the data, one point per measured commit and one bar
//! per wall-time effect, user text escaped.

use super::{assert_offline, island};
use perfwatch_html::{render_attribution, render_bisect, CONTENT_SECURITY_POLICY};
use perfwatch_model::investigation::{AttributionReport, BisectReport};
use perfwatch_testkit::investigation::{
    ambiguous, attribution, first_bad, no_difference, screened, wide_first_bad,
};

const SCRIPT: &str = "<script>alert(1)</script>";
const ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;";

/// Points of the commit axis: the endpoints and every step.
fn points(html: &str) -> usize {
    html.matches("class=\"point ").count()
}

/// Bars of the effect charts.
fn bars(html: &str) -> usize {
    html.matches("<rect class=\"bar ").count()
}

fn assert_one_script_set(html: &str) {
    // The skeleton's three script elements, none injected.
    assert_eq!(html.matches("<script").count(), 3);
    assert_eq!(html.matches("</script>").count(), 3);
}

#[test]
fn bisect_page_is_self_contained_and_carries_the_report() {
    let r = first_bad();
    let html = render_bisect(&r).unwrap();
    assert!(html.contains(CONTENT_SECURITY_POLICY));
    assert_offline(&html);
    let back: BisectReport = serde_json::from_str(island(&html)).unwrap();
    assert_eq!(back, r);
    assert!(
        html.contains("First bad commit: 78dde6e Make the cache lock fair"),
        "{html}"
    );
    assert!(html.contains("1.120×"), "the effect");
    assert!(html.contains("<table class=\"sortable steps\">"));
}

#[test]
fn bisect_plot_has_one_point_per_measured_commit() {
    for r in [first_bad(), ambiguous(), wide_first_bad()] {
        let html = render_bisect(&r).unwrap();
        assert_eq!(points(&html), r.steps.len() + 2, "steps and endpoints");
        for (i, s) in r.steps.iter().enumerate() {
            let point = format!(
                "class=\"point step verdict-{}\" data-step=\"{}\" data-position=\"{}\"",
                s.verdict.label(),
                i + 1,
                s.position
            );
            assert!(html.contains(&point), "{point}");
        }
    }
    let html = render_bisect(&wide_first_bad()).unwrap();
    assert_eq!(html.matches("class=\"first-bad\"").count(), 1);
    assert!(html.contains(">first bad: 8ff3478<"), "{html}");
    // The skipped commit is drawn on the axis, with its reason in its title.
    assert!(html.contains("skipped (build failed)</title>"), "{html}");
}

#[test]
fn bisect_without_steps_has_no_plot() {
    let html = render_bisect(&no_difference()).unwrap();
    assert!(html.contains("No difference between the endpoints: nothing to bisect"));
    assert_eq!(points(&html), 0);
}

#[test]
fn bisect_page_escapes_commit_subjects() {
    let mut r = ambiguous();
    r.benchmark = SCRIPT.into();
    for s in &mut r.steps {
        s.commit.subject = SCRIPT.into();
    }
    r.suspects[0].subject = SCRIPT.into();
    let html = render_bisect(&r).unwrap();
    assert!(
        !html.contains("<script>alert"),
        "an injected script element"
    );
    // Title, heading, suspect, table cells and point titles.
    assert!(
        html.matches(ESCAPED).count() >= 2 + 1 + 2 * r.steps.len(),
        "{html}"
    );
    assert_one_script_set(&html);
    assert!(!island(&html).contains('<'));
}

#[test]
fn attribution_chart_has_one_bar_per_wall_term() {
    let r = attribution();
    let html = render_attribution(&r).unwrap();
    assert!(html.contains(CONTENT_SECURITY_POLICY));
    assert_offline(&html);
    let back: AttributionReport = serde_json::from_str(island(&html)).unwrap();
    assert_eq!(back, r);
    assert_eq!(bars(&html), r.wall.len());
    let muted = r.wall.iter().filter(|t| !t.significant).count();
    assert_eq!(
        html.matches("<rect class=\"bar up muted\"").count()
            + html.matches("<rect class=\"bar down muted\"").count(),
        muted
    );
    assert!(html.contains("+38.0% [+34.0%, +42.0%]"));
    assert!(html.contains("94.0% in job/track/activate"));
    assert!(html.contains("no effect [-2.0%, +1.5%]"));
    // Every stage term is a row of the stage table, muted when not
    // significant.
    let stage_rows = r.stages.iter().map(|s| s.terms.len()).sum::<usize>();
    let table = &html[html.find("stage-effects").unwrap()..];
    assert_eq!(table.matches("<td class=\"stage\">").count(), stage_rows);
}

#[test]
fn attribution_page_shows_the_confirmation_too() {
    let r = screened();
    let html = render_attribution(&r).unwrap();
    let confirmation = r.confirmation.as_ref().unwrap();
    assert_eq!(bars(&html), r.wall.len() + confirmation.wall.len());
    let at = html.find("Confirmed on the top settings").expect("heading");
    assert!(html[at..].contains("full 2^2 design"));
    assert!(html[..at].contains("Plackett–Burman screening (4 rows)"));
}

#[test]
fn attribution_page_escapes_names_and_values() {
    let mut r = attribution();
    r.benchmark = SCRIPT.into();
    r.baseline = SCRIPT.into();
    r.factors[0].candidate = Some(SCRIPT.into());
    r.factors[1].name = SCRIPT.into();
    r.wall[1].factors = vec![SCRIPT.into()];
    r.stages[0].path = SCRIPT.into();
    let html = render_attribution(&r).unwrap();
    assert!(
        !html.contains("<script>alert"),
        "an injected script element"
    );
    assert!(html.matches(ESCAPED).count() >= 8, "{html}");
    assert_one_script_set(&html);
}

/// Writes `/tmp/pw-bisect.html` and `/tmp/pw-attr.html` to look at:
/// `cargo test -p perfwatch-html --test render -- --ignored write_investigation_pages`.
#[test]
#[ignore = "writes pages to /tmp for a screenshot"]
fn write_investigation_pages() {
    std::fs::write(
        "/tmp/pw-bisect.html",
        render_bisect(&wide_first_bad()).unwrap(),
    )
    .unwrap();
    std::fs::write(
        "/tmp/pw-attr.html",
        render_attribution(&screened()).unwrap(),
    )
    .unwrap();
}
