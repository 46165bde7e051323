//! `analyze`: the one way any command, exporter or API route gets an
//! analysis of a session — summaries → comparisons → findings → health →
//! gate verdict, in that order, from the same options.

use crate::compare::{compare_against_first, compare_with_reference, pairing_note};
use crate::options::Options;
use crate::AppError;
use perfwatch_analysis::{diagnose, evaluate, health, summarize_session};
use perfwatch_model::{short_id, Iteration, Session, SessionExport};

/// A whole analysis of a session: the export of `perfwatch.session.v1`
/// with its summaries, comparisons, findings, health and (when gates were
/// given) the gate's verdict. Every renderer takes this one value.
pub type Analysis = SessionExport;

/// A reference to compare a session with: a saved baseline (its sessions
/// pooled), another session or an exported file, already summarised.
#[derive(Debug, Clone)]
pub struct ReferenceData {
    /// How the reference is named in comparisons (`baseline main`,
    /// `5b26d44f`, `old.json`).
    pub label: String,
    /// The reference's summaries.
    pub export: SessionExport,
}

/// The label of the candidate side of a comparison with a reference: the
/// session's short id, the same in every command.
pub fn candidate_label(session: &Session) -> String {
    short_id(&session.id).to_string()
}

/// Analyses a session: per-variant summaries and stage statistics; the
/// variants after the first compared with the first (alternatives side by
/// side); the session compared with `reference`, when given; findings;
/// health; and, when `opts.gates` is set, the gate's verdict.
///
/// A reference that shares no variant or metric with the session gives no
/// comparison and a note in [`SessionExport::notes`], never an error: the
/// rest of the analysis stands.
pub fn analyze(
    session: Session,
    iterations: Vec<Iteration>,
    reference: Option<&ReferenceData>,
    opts: &Options,
) -> Analysis {
    let (mut export, refused) = analyze_with(session, iterations, reference, opts);
    if let (Some(r), Some(e)) = (reference, refused) {
        export
            .notes
            .push(format!("not compared with {}: {e}", r.label));
    }
    export
}

/// [`analyze`] for a comparison that was asked for (`compare BASE
/// CANDIDATE`): a reference that shares nothing with the session is an
/// error rather than a note.
pub fn analyze_against(
    session: Session,
    iterations: Vec<Iteration>,
    reference: &ReferenceData,
    opts: &Options,
) -> Result<Analysis, AppError> {
    match analyze_with(session, iterations, Some(reference), opts) {
        (export, None) => Ok(export),
        (_, Some(e)) => Err(e),
    }
}

/// The analysis, and why the reference could not be compared, if it
/// could not.
fn analyze_with(
    session: Session,
    iterations: Vec<Iteration>,
    reference: Option<&ReferenceData>,
    opts: &Options,
) -> (Analysis, Option<AppError>) {
    let adaptive = crate::adaptive::verdict_of(&session, &iterations);
    let mut export = summarize_session(session, iterations, &opts.ci());
    export.adaptive = adaptive;
    export.comparisons = compare_against_first(&export, &opts.compare);
    let mut refused = None;
    if let Some(r) = reference {
        let label = candidate_label(&export.session);
        match compare_with_reference(&r.export, &r.label, &export, &label, &opts.compare) {
            Ok(c) => {
                export.comparisons.extend(c);
                let note = pairing_note(&r.export, &r.label, &export, &label);
                export.notes.extend(note);
            }
            Err(e) => refused = Some(e),
        }
    }
    export.findings = diagnose(&export, &opts.findings);
    let h = health(&export, &export.findings);
    export.gate = opts.gates.as_ref().map(|g| evaluate(g, &export, &h));
    export.health = Some(h);
    (export, refused)
}
