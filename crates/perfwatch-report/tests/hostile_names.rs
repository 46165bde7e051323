//! Untrusted text (benchmark, variant and stage names, commands, finding
//! titles, gate details) through every text renderer: CSV cells that a
//! spreadsheet would read as formulas get a `'`, figures stay numbers; the
//! terminal and Markdown show control and bidirectional characters escaped.

use crate::fixture;
use perfwatch_model::{GateReport, Health, RuleResult, SessionExport, SessionStatus};
use perfwatch_report::markdown::render_ci_summary;
use perfwatch_report::terminal::{render_gate, render_health, render_sessions};
use perfwatch_report::{
    CsvRenderer, MarkdownRenderer, Render, SessionListRow, TerminalOptions, TerminalRenderer,
    CSV_COLUMNS,
};

/// Names a hostile perfwatch.toml, span file or imported result may hold.
const HOSTILE: [&str; 7] = [
    "=cmd|' /C calc'!A0",
    "@SUM(1)",
    "+1+1",
    "-2",
    "\x1b[2J",
    "a\u{202e}b",
    "\u{7}",
];

/// What must never reach a terminal or a Markdown file raw.
const RAW: [&str; 3] = ["\x1b", "\u{202e}", "\u{7}"];

/// The fixture with every user string replaced by hostile ones: variant
/// `i` is named `HOSTILE[i]` followed by a hostile tail, stage paths and
/// finding titles embed escape sequences, the command and benchmark too.
fn hostile_export() -> SessionExport {
    let mut export = fixture::export();
    let names = ["=cmd|' /C calc'!A0\x1b[2J", "-2\u{202e}\u{7}"];
    let old: Vec<String> = export.variants.iter().map(|v| v.name.clone()).collect();
    let rename = |name: &mut String| {
        if let Some(i) = old.iter().position(|o| o == name) {
            *name = names[i].to_string();
        }
    };
    export.session.benchmark = "bench\x1b]0;owned\u{7}\u{202e}".into();
    export.session.command.argv = vec!["printf".into(), "\x1b[2J\u{9b}31m".into()];
    for spec in &mut export.session.variants {
        rename(&mut spec.name);
        spec.description = Some("desc\x1b[31m".into());
    }
    for variant in &mut export.variants {
        rename(&mut variant.name);
        variant.description = Some("desc\x1b[31m".into());
        for it in &mut variant.iterations {
            rename(&mut it.variant);
        }
        for stage in &mut variant.stages {
            stage.path = format!("{}\x1b[2J\u{202e}", stage.path);
        }
        variant.warnings.push("stage `x\x1b[2J` ran once".into());
    }
    for c in &mut export.comparisons {
        rename(&mut c.baseline);
        rename(&mut c.candidate);
        if let Some(stage) = &mut c.stage {
            stage.push_str("\x1b[2J\u{202e}");
        }
    }
    for f in &mut export.findings {
        f.title = "stage `a\x1b[2J\u{202e}b` dominates".into();
        f.stage = Some("a\x1b[2J\u{202e}b".into());
        f.recommendation = "look at \u{7}it".into();
    }
    export.notes.push("note on `\x1b[2J`".into());
    export.health = Some(health());
    export.gate = Some(gate());
    export
}

fn health() -> Health {
    Health {
        score: 40,
        breakdown: vec![("stage a\x1b[2J".into(), 10, "slow\u{202e}".into())],
    }
}

fn gate() -> GateReport {
    GateReport::new(vec![RuleResult {
        rule: "max_stage a\x1b[2J".into(),
        passed: false,
        actual: "2 s".into(),
        limit: "1 s".into(),
        detail: "stage `a\u{202e}b` \u{7}".into(),
    }])
}

fn assert_no_raw_controls(text: &str, what: &str) {
    for raw in RAW {
        assert!(!text.contains(raw), "{what} holds {raw:?}:\n{text}");
    }
}

#[test]
fn csv_cells_that_start_a_formula_are_prefixed() {
    let mut export = fixture::export();
    // One iteration per hostile name, each variant with a negative-free
    // figure so that the numeric columns can be checked too.
    let template = export.variants[0].clone();
    export.variants = HOSTILE
        .iter()
        .map(|name| {
            let mut v = template.clone();
            v.name = (*name).to_string();
            v.iterations.truncate(1);
            v
        })
        .collect();
    export.session.id = "-1e3".into();
    let text = CsvRenderer.render_to_string(&export).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let column = |name: &str| CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let want = [
        "'=cmd|' /C calc'!A0",
        "'@SUM(1)",
        "'+1+1",
        "'-2",
        "\x1b[2J",
        "a\u{202e}b",
        "\u{7}",
    ];
    assert_eq!(rows.len(), want.len());
    for (row, want) in rows.iter().zip(want) {
        assert_eq!(&row[column("variant")], want);
        assert_eq!(&row[column("session_id")], "'-1e3");
        // Figures are numbers, as measured.
        let wall: f64 = row[column("wall_s")].parse().unwrap();
        assert_eq!(wall, template.iterations[0].wall_s);
    }
}

#[test]
fn csv_figures_stay_numbers_when_negative() {
    let mut export = fixture::export();
    export.variants[0].iterations[0].exit_code = Some(-2);
    export.variants[0].iterations[0].signal = Some(-1);
    let text = CsvRenderer.render_to_string(&export).unwrap();
    let row = text.lines().nth(1).unwrap();
    assert!(row.contains(",-2,-1,"), "{row}");
    assert!(!row.contains('\''), "{row}");
}

#[test]
fn terminal_summary_shows_hostile_names_escaped() {
    let export = hostile_export();
    for options in [
        TerminalOptions::default(),
        TerminalOptions {
            verbose: true,
            ..TerminalOptions::default()
        },
    ] {
        let mut text = TerminalRenderer::new(options)
            .render_to_string(&export)
            .unwrap();
        let mut out = Vec::new();
        render_health(export.health.as_ref().unwrap(), &options, &mut out).unwrap();
        render_gate(export.gate.as_ref().unwrap(), &options, &mut out).unwrap();
        text.push_str(&String::from_utf8(out).unwrap());
        assert_no_raw_controls(&text, "terminal summary");
        assert!(text.contains("\\u{1b}[2J"), "{text}");
        assert!(text.contains("\\u{202e}"), "{text}");
    }
}

#[test]
fn colored_terminal_summary_has_only_its_own_escape_codes() {
    let export = hostile_export();
    let options = TerminalOptions {
        color: true,
        ..TerminalOptions::default()
    };
    let text = TerminalRenderer::new(options)
        .render_to_string(&export)
        .unwrap();
    // Every ESC left is a colour (SGR) code perfwatch wrote: `ESC [ digits ; m`.
    for (at, _) in text.match_indices('\x1b') {
        let code: String = text[at + 1..].chars().take_while(|c| *c != 'm').collect();
        assert!(
            code.starts_with('[') && code[1..].chars().all(|c| c.is_ascii_digit() || c == ';'),
            "foreign escape sequence at {at}: {:?}",
            &text[at..(at + 12).min(text.len())]
        );
    }
    assert!(!text.contains("\x1b[2J"));
    assert!(!text.contains('\u{202e}'));
}

#[test]
fn session_list_shows_hostile_names_escaped() {
    let rows: Vec<SessionListRow> = HOSTILE
        .iter()
        .map(|name| SessionListRow {
            id: "0123456789abcdef".into(),
            started_at: "2025-01-02T03:04:05Z".into(),
            benchmark: (*name).into(),
            variants: vec![(*name).into()],
            iterations: 3,
            status: SessionStatus::Complete,
            commit: None,
            branch: Some(format!("b{name}")),
            version: None,
            wall_median: Some(-0.5),
            latency_p99_s: None,
        })
        .collect();
    let mut out = Vec::new();
    render_sessions(&rows, &TerminalOptions::default(), &mut out).unwrap();
    assert_no_raw_controls(&String::from_utf8(out).unwrap(), "session list");
}

#[test]
fn markdown_export_shows_hostile_names_escaped() {
    let export = hostile_export();
    let text = MarkdownRenderer.render_to_string(&export).unwrap();
    assert_no_raw_controls(&text, "Markdown report");
    // Shown, not dropped: `\u{1b}` escaped for Markdown.
    assert!(text.contains(r"\\u\{1b\}"), "{text}");
    let summary = render_ci_summary(std::slice::from_ref(&export)).unwrap();
    assert_no_raw_controls(&summary, "Markdown CI summary");
}
