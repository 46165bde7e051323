//! Every table of the terminal view fits 80 columns: the demo's stage and
//! comparison tables, shortened or with columns left out by priority, and
//! the whole view.

use crate::demo_fixture;
use perfwatch_model::SessionExport;
use perfwatch_report::terminal::{render_comparisons, render_stage_matrix, render_stages};
use perfwatch_report::{Render, TerminalOptions, TerminalRenderer};
use unicode_width::UnicodeWidthStr;

/// Panics unless every line of `text` (plain) is at most `width` columns.
pub fn assert_fits(text: &str, width: usize) {
    assert!(!text.contains('\x1b'), "plain text expected");
    for line in text.lines() {
        assert!(
            line.width() <= width,
            "a line of {} columns > {width}:\n{line}\n\n{text}",
            line.width()
        );
    }
}

/// The terminal view of `export`, checked to fit `options.width`.
pub fn render_at(export: &SessionExport, options: TerminalOptions) -> String {
    let text = TerminalRenderer::new(options)
        .render_to_string(export)
        .unwrap();
    assert_fits(&text, options.width);
    text
}

fn at(width: usize) -> TerminalOptions {
    TerminalOptions {
        width,
        ..TerminalOptions::default()
    }
}

fn to_string(write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    write(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn demo_stage_table_at_80_columns() {
    let export = demo_fixture::export();
    let text = to_string(|out| render_stages(&export.variants[0].stages, &at(80), out));
    assert_fits(&text, 80);
    insta::assert_snapshot!(text);
}

#[test]
fn demo_stage_matrix_at_80_columns() {
    let export = demo_fixture::export();
    let text = to_string(|out| render_stage_matrix(&export.variants, &at(80), out));
    assert_fits(&text, 80);
    insta::assert_snapshot!(text);
}

#[test]
fn demo_comparison_table_at_80_columns() {
    let export = demo_fixture::export();
    let text = to_string(|out| render_comparisons(&export.comparisons, &at(80), out));
    assert_fits(&text, 80);
    insta::assert_snapshot!(text);
}

#[test]
fn demo_comparison_table_verbose_at_80_columns_keeps_the_verdicts() {
    let export = demo_fixture::export();
    let options = TerminalOptions {
        verbose: true,
        ..at(80)
    };
    let text = to_string(|out| render_comparisons(&export.comparisons, &options, out));
    assert_fits(&text, 80);
    let improved = text.lines().filter(|l| l.ends_with("improved")).count();
    assert_eq!(improved, 5, "{text}");
}

#[test]
fn demo_at_80_and_120_columns() {
    let export = demo_fixture::export();
    for width in [80, 120] {
        render_at(&export, at(width));
        render_at(
            &export,
            TerminalOptions {
                verbose: true,
                ..at(width)
            },
        );
    }
}

#[test]
fn long_stage_paths_and_variant_names_keep_the_columns_aligned() {
    let mut export = demo_fixture::export();
    let long = "job/track/an_extremely_long_stage_name_that_goes_on/and_on_and_on/fetch";
    for v in &mut export.variants {
        v.stages[2].path = long.into();
        v.name = format!("{} --with a very long command line", v.name);
    }
    let text = to_string(|out| render_stage_matrix(&export.variants, &at(80), out));
    assert_fits(&text, 80);
    // Every row's figures end in the same column.
    let ends: Vec<usize> = text.lines().skip(3).map(UnicodeWidthStr::width).collect();
    assert!(ends.windows(2).all(|w| w[0] == w[1]), "{text}");
    assert!(text.contains('…'), "{text}");
}

#[test]
fn many_variants_leave_the_last_ones_out_and_name_them() {
    let mut export = demo_fixture::export();
    let template = export.variants[1].clone();
    for k in 0..6 {
        let mut v = template.clone();
        v.name = format!("after-{k}");
        export.variants.push(v);
    }
    let text = to_string(|out| render_stage_matrix(&export.variants, &at(80), out));
    assert_fits(&text, 80);
    assert!(
        text.contains("more variants, left out to fit 80 columns"),
        "{text}"
    );
    assert!(text.contains("after-5"), "{text}");
}
