//! The investigations as text: bisections and attributions in the
//! terminal (snapshots, 80 columns, colour only when asked) and in
//! Markdown (snapshots, user text escaped).

use crate::widths::assert_fits;
use perfwatch_model::investigation::{AttributionReport, BisectReport};
use perfwatch_report::investigation::{
    attribution_markdown, attribution_terminal, bisect_markdown, bisect_terminal,
};
use perfwatch_report::TerminalOptions;
use perfwatch_testkit::investigation::{
    ambiguous, attribution, first_bad, no_difference, screened,
};

const SCRIPT: &str = "<script>alert(1)</script>";

fn at(width: usize) -> TerminalOptions {
    TerminalOptions {
        width,
        ..TerminalOptions::default()
    }
}

fn bisect_text(r: &BisectReport, opts: TerminalOptions) -> String {
    let mut out = Vec::new();
    bisect_terminal(r, &opts, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn attribution_text(r: &AttributionReport, opts: TerminalOptions) -> String {
    let mut out = Vec::new();
    attribution_terminal(r, &opts, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// A subject, a benchmark name and a reason far wider than a terminal.
fn long_bisect() -> BisectReport {
    let mut r = ambiguous();
    let long = "Rework the whole activation path so that every job waits on a condition \
                variable instead of polling, and document why in the README at length";
    r.benchmark = format!("a-benchmark-with-a-very-long-name-{}", "x".repeat(60));
    r.metric = "stage:job/track/activate/inner/deeper/deepest/and/more/segments".into();
    for s in &mut r.steps {
        s.commit.subject = long.to_string();
    }
    r.steps[1].reason = Some(format!("build failed: {}", "error ".repeat(30)));
    for c in &mut r.suspects {
        c.subject = long.to_string();
    }
    r
}

#[test]
fn bisect_terminal_names_the_first_bad_commit_and_its_effect() {
    let text = bisect_text(&first_bad(), at(80));
    assert_fits(&text, 80);
    assert!(
        text.contains("first bad commit: 78dde6e Make the cache lock fair"),
        "{text}"
    );
    assert!(text.contains("effect 1.120× [1.100×, 1.140×]"), "{text}");
    assert!(text.contains("3 steps, 60 runs in all"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn bisect_terminal_with_no_difference_has_nothing_to_bisect() {
    let text = bisect_text(&no_difference(), at(80));
    assert_fits(&text, 80);
    assert!(
        text.contains("no difference between the endpoints: nothing to bisect"),
        "{text}"
    );
    assert!(!text.contains("step  "), "no steps table: {text}");
    insta::assert_snapshot!(text);
}

#[test]
fn bisect_terminal_ambiguous_lists_the_suspects_and_why() {
    let text = bisect_text(&ambiguous(), at(80));
    assert_fits(&text, 80);
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("one of 2 commits"), "{text}");
    assert!(
        words.contains("daa66d2 Add a retry to the fetcher (ambiguous after 40 runs)"),
        "{text}"
    );
    assert!(
        words.contains("(skipped: build failed: cargo exited with 101)"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn bisect_terminal_interrupted_says_so() {
    let mut r = first_bad();
    r.outcome = perfwatch_model::investigation::BisectOutcome::Interrupted;
    r.first_bad = None;
    let text = bisect_text(&r, at(80));
    assert!(text.contains("interrupted before an answer"), "{text}");
    assert!(!text.contains("effect "), "{text}");
}

#[test]
fn bisect_terminal_fits_80_columns_with_a_long_subject() {
    let r = long_bisect();
    let text = bisect_text(&r, at(80));
    assert_fits(&text, 80);
    assert!(text.contains("activation…"), "the subject is cut: {text}");
    assert!(text.contains("on stage"), "{text}");
    let mut wide = long_bisect();
    wide.outcome = perfwatch_model::investigation::BisectOutcome::FirstBad;
    wide.first_bad = Some(r.suspects[0].clone());
    wide.effect = first_bad().effect;
    assert_fits(&bisect_text(&wide, at(80)), 80);
    assert_fits(&bisect_text(&wide, at(120)), 120);
}

#[test]
fn bisect_terminal_colours_verdicts_only_when_asked() {
    let plain = bisect_text(&first_bad(), at(80));
    assert!(!plain.contains('\x1b'), "{plain}");
    let colour = TerminalOptions {
        color: true,
        ..at(80)
    };
    let text = bisect_text(&first_bad(), colour);
    assert!(text.contains("\x1b[32mgood"), "{text:?}");
    assert!(text.contains("\x1b[31mbad"), "{text:?}");
}

#[test]
fn bisect_terminal_shows_hostile_subjects_escaped() {
    let mut r = first_bad();
    r.steps[0].commit.subject = "\x1b[2Jcleared\u{202e}".into();
    let text = bisect_text(&r, at(80));
    assert!(
        !text.contains('\x1b') && !text.contains('\u{202e}'),
        "{text:?}"
    );
}

#[test]
fn bisect_markdown_puts_the_conclusion_first() {
    let text = bisect_markdown(&first_bad());
    insta::assert_snapshot!(text);
}

#[test]
fn bisect_markdown_of_an_ambiguous_outcome_lists_the_suspects() {
    insta::assert_snapshot!(bisect_markdown(&ambiguous()));
}

#[test]
fn bisect_markdown_escapes_commit_subjects() {
    let mut r = first_bad();
    r.commits[3].subject = SCRIPT.into();
    r.first_bad = Some(r.commits[3].clone());
    r.steps[2].commit.subject = SCRIPT.into();
    r.steps[0].commit.subject = "a | b".into();
    let text = bisect_markdown(&r);
    assert!(!text.contains("<script>"), "{text}");
    assert!(text.contains(r"\<script\>alert(1)\</script\>"), "{text}");
    assert!(text.contains(r"a \| b"), "{text}");
    // Every row of the steps table keeps its seven cells.
    for row in text
        .lines()
        .filter(|l| l.starts_with("| ") && !l.contains("step"))
    {
        assert_eq!(row.matches(" | ").count(), 6, "{row}");
    }
}

#[test]
fn attribution_terminal_reads_effects_as_percentages_and_where_they_went() {
    let text = attribution_text(&attribution(), at(80));
    assert_fits(&text, 80);
    assert!(text.contains("+38.0% [+34.0%, +42.0%]"), "{text}");
    let activate = text
        .lines()
        .find(|l| l.contains("job/track/activate"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        activate.contains("94.0%"),
        "the share beside its stage: {text}"
    );
    assert!(text.contains("no effect [-2.0%, +1.5%]"), "{text}");
    assert!(text.contains("DEMO_WAIT × DEMO_CACHE"), "{text}");
    assert!(text.contains("DEMO_CACHE  unset → 1"), "{text}");
    assert!(
        text.contains("wall time 1.20 s with before's settings → 1.70 s with after's"),
        "{text}"
    );
    // Only the stage with a significant effect is listed under it.
    let by_stage = &text[text.find("By stage").unwrap()..];
    assert!(
        by_stage.contains("job/track/activate (300 ms): DEMO_WAIT +420 ms"),
        "{by_stage}"
    );
    assert!(!by_stage.contains("job/load"), "{by_stage}");
    // Seconds give way at 80 columns; at the default width they are shown.
    let wide = attribution_text(&attribution(), TerminalOptions::default());
    assert!(
        wide.contains("+38.0% [+34.0%, +42.0%]    +456 ms"),
        "{wide}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn attribution_terminal_renders_the_confirmation_under_its_heading() {
    let text = attribution_text(&screened(), at(80));
    assert_fits(&text, 80);
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("Plackett–Burman screening (4 rows)"),
        "{text}"
    );
    let confirmed = text.find("Confirmed on the top settings").expect(&text);
    assert!(text[confirmed..].contains("full 2^2 design"), "{text}");
    assert!(text.contains("args        --fast → unset"), "{text}");
    assert!(
        text.contains("DEMO_CACHE  no effect [-3.0%, +3.0%]"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn attribution_terminal_fits_80_columns_with_long_names_and_values() {
    let mut r = screened();
    r.factors[2].base = Some(format!("--threads 8 {}", "--verbose ".repeat(20)));
    r.factors[0].name = format!("DEMO_{}", "VERY_LONG_".repeat(8));
    r.wall[0].factors[0] = r.factors[0].name.clone();
    let c = r.confirmation.as_mut().unwrap();
    c.wall[0].stage = Some(format!("job/{}/activate", "nested/".repeat(20)));
    c.stages[0].path = format!("job/{}/activate", "nested/".repeat(20));
    c.stages[0].terms[0].factors = vec!["X".repeat(100)];
    let text = attribution_text(&r, at(80));
    assert_fits(&text, 80);
}

#[test]
fn attribution_terminal_colours_effects_only_when_asked() {
    assert!(!attribution_text(&attribution(), at(80)).contains('\x1b'));
    let colour = TerminalOptions {
        color: true,
        ..at(80)
    };
    let text = attribution_text(&attribution(), colour);
    assert!(text.contains("\x1b[31m+38.0%"), "{text:?}");
}

#[test]
fn attribution_markdown_tables_settings_effects_and_stages() {
    insta::assert_snapshot!(attribution_markdown(&screened()));
}

#[test]
fn attribution_markdown_escapes_names_and_values() {
    let mut r = attribution();
    r.factors[0].candidate = Some(SCRIPT.into());
    r.factors[1].name = "A|B".into();
    r.benchmark = SCRIPT.into();
    r.wall[1].factors = vec!["A|B".into()];
    let text = attribution_markdown(&r);
    assert!(!text.contains("<script>alert(1)</script> "), "{text}");
    assert!(
        text.contains(r"## Attribution: \<script\>alert(1)\</script\>"),
        "{text}"
    );
    assert!(text.contains("`<script>alert(1)</script>`"), "{text}");
    assert!(
        text.contains(r"`A\|B`") && text.contains(r"A\|B |"),
        "{text}"
    );
}
