//! Copying a whole history from one store to another (`perfwatch db
//! copy`): SQLite to PostgreSQL and back, or between two files.
//!
//! Sessions are copied oldest first, each with its iterations and spans in
//! one [`Store::insert_whole_session`] (all of it or none), then read back
//! from the target and counted: a session whose iterations or spans do not
//! add up is deleted from the target again and the copy fails. Baselines
//! come last, once every session they name is there.
//!
//! Copying is idempotent: a session whose id the target holds already is
//! left as it is (and counted as "already there"), and so is a baseline of
//! the same name over the same sessions. A baseline of that name over
//! other sessions is reported and left alone unless
//! [`CopyOptions::overwrite_baselines`].
//!
//! What is not copied: API tokens (secrets of the server that made them)
//! and the push queue (bookkeeping of one machine's pushes). A copied
//! baseline keeps its creation time.

use crate::AppError;
use perfwatch_model::{short_id, Iteration, SessionStatus};
use perfwatch_store::{SessionFilter, Store, StoreError};
use std::collections::HashSet;

/// What [`copy_history`] may change in the target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CopyOptions {
    /// Replace a baseline of the target that has the same name but other
    /// sessions (otherwise it is reported and left as it is).
    pub overwrite_baselines: bool,
}

/// Counts of sessions and what they hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Sessions.
    pub sessions: u64,
    /// Iterations of those sessions, warm-ups included.
    pub iterations: u64,
    /// Spans (stage records) of those iterations.
    pub spans: u64,
}

impl Tally {
    /// The tally of one session's iterations.
    pub fn of(iterations: &[Iteration]) -> Tally {
        Tally {
            sessions: 1,
            iterations: iterations.len() as u64,
            spans: iterations.iter().map(|it| it.stages.len() as u64).sum(),
        }
    }

    fn add(&mut self, other: Tally) {
        self.sessions += other.sessions;
        self.iterations += other.iterations;
        self.spans += other.spans;
    }
}

/// A session both stores hold, with other counts in each (typically one
/// copied while it was still running, which went on in the source).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDiff {
    /// The session.
    pub id: String,
    /// Its counts in the source.
    pub source: Tally,
    /// Its counts in the target.
    pub target: Tally,
}

/// A baseline of the same name in both stores, over other sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineDiff {
    /// The baseline's name.
    pub name: String,
    /// Its sessions in the source.
    pub source: Vec<String>,
    /// Its sessions in the target (before any overwrite).
    pub target: Vec<String>,
}

/// What a copy did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyReport {
    /// Sessions copied, with their iterations and spans (checked in the
    /// target after copying).
    pub copied: Tally,
    /// Sessions the target held already, counted as the source has them.
    pub present: Tally,
    /// Sessions copied while still `running` in the source (their ids).
    pub running: Vec<String>,
    /// Sessions the target held already with other counts than the source.
    pub differing: Vec<SessionDiff>,
    /// Baselines copied.
    pub baselines_copied: Vec<String>,
    /// Baselines the target held already over the same sessions.
    pub baselines_present: Vec<String>,
    /// Baselines of the target replaced by the source's
    /// ([`CopyOptions::overwrite_baselines`]).
    pub baselines_overwritten: Vec<BaselineDiff>,
    /// Baselines of the target that differ from the source's and were left
    /// as they are.
    pub baselines_differing: Vec<BaselineDiff>,
}

/// Hooks called as a copy goes on (a progress bar); each defaults to
/// doing nothing.
pub trait CopyProgress {
    /// The copy found this many sessions in the source.
    fn start(&mut self, _sessions: u64) {}
    /// One session was copied or found already there.
    fn session_done(&mut self, _id: &str, _copied: bool) {}
}

impl CopyProgress for () {}

/// Copy every session and baseline of `from` into `to`; see the module
/// documentation for what is copied, skipped and checked.
///
/// A failure stops the copy: what was copied before it stays (each
/// session whole), and running the copy again goes on from there.
pub fn copy_history(
    from: &dyn Store,
    to: &dyn Store,
    options: CopyOptions,
    progress: &mut dyn CopyProgress,
) -> Result<CopyReport, AppError> {
    let mut rows = from.list_sessions(&SessionFilter::default())?;
    // Listed newest first; copied oldest first, so that the target lists
    // them in the same order.
    rows.reverse();
    let target_rows = to.list_sessions(&SessionFilter::default())?;
    let in_target: HashSet<String> = target_rows.into_iter().map(|r| r.session.id).collect();
    progress.start(rows.len() as u64);
    let mut report = CopyReport::default();
    for row in &rows {
        let id = &row.session.id;
        let (session, iterations) = from.load_session(id)?;
        let source = Tally::of(&iterations);
        if in_target.contains(id) {
            note_present(to, id, source, &mut report)?;
            progress.session_done(id, false);
            continue;
        }
        match to.insert_whole_session(&session, &iterations) {
            Ok(()) => {}
            // Written by someone else since the target was listed.
            Err(StoreError::SessionExists { .. }) => {
                note_present(to, id, source, &mut report)?;
                progress.session_done(id, false);
                continue;
            }
            Err(e) => return Err(e.into()),
        }
        check_copied(to, id, source)?;
        if session.status == SessionStatus::Running {
            report.running.push(id.clone());
        }
        report.copied.add(source);
        progress.session_done(id, true);
    }
    copy_baselines(from, to, options, &mut report)?;
    check_all_there(to, &rows)?;
    // A bulk load: the next reads should not wait for the database's own
    // maintenance to learn how big the tables now are.
    if report.copied.sessions > 0 {
        to.refresh_statistics()?;
    }
    Ok(report)
}

/// A session the target holds already: counted as present, and as
/// differing when the target's counts are not the source's.
fn note_present(
    to: &dyn Store,
    id: &str,
    source: Tally,
    report: &mut CopyReport,
) -> Result<(), AppError> {
    let (_, there) = to.load_session(id)?;
    let target = Tally::of(&there);
    if target != source {
        report.differing.push(SessionDiff {
            id: id.to_string(),
            source,
            target,
        });
    }
    report.present.add(source);
    Ok(())
}

/// Read a copied session back from the target and count it; on a
/// mismatch, take it out of the target again (so that the next copy
/// retries it) and fail.
fn check_copied(to: &dyn Store, id: &str, source: Tally) -> Result<(), AppError> {
    let (_, there) = to.load_session(id)?;
    let target = Tally::of(&there);
    if target == source {
        return Ok(());
    }
    let removed = to.delete_session(id).is_ok();
    Err(AppError::CopyMismatch(format!(
        "session {} has {} iterations and {} spans in the source but {} and {} in the target \
         after copying{}",
        short_id(id),
        source.iterations,
        source.spans,
        target.iterations,
        target.spans,
        if removed {
            "; it was removed from the target again"
        } else {
            ""
        }
    )))
}

/// Every session of the source is in the target now.
fn check_all_there(to: &dyn Store, rows: &[perfwatch_store::SessionRow]) -> Result<(), AppError> {
    let there: HashSet<String> = to
        .list_sessions(&SessionFilter::default())?
        .into_iter()
        .map(|r| r.session.id)
        .collect();
    let missing: Vec<&str> = rows
        .iter()
        .map(|r| r.session.id.as_str())
        .filter(|id| !there.contains(*id))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(AppError::CopyMismatch(format!(
        "{} of {} sessions are missing from the target after copying (first: {})",
        missing.len(),
        rows.len(),
        short_id(missing[0])
    )))
}

/// Copy the baselines, by name, after their sessions.
fn copy_baselines(
    from: &dyn Store,
    to: &dyn Store,
    options: CopyOptions,
    report: &mut CopyReport,
) -> Result<(), AppError> {
    for b in from.list_baselines()? {
        let existing = match to.get_baseline(&b.name) {
            Ok(existing) => Some(existing),
            Err(StoreError::BaselineNotFound { .. }) => None,
            Err(e) => return Err(e.into()),
        };
        match existing {
            None => {
                to.copy_baseline(&b, false)?;
                report.baselines_copied.push(b.name);
            }
            Some(there) if there.session_ids == b.session_ids => {
                report.baselines_present.push(b.name);
            }
            Some(there) => {
                let diff = BaselineDiff {
                    name: b.name.clone(),
                    source: b.session_ids.clone(),
                    target: there.session_ids,
                };
                if options.overwrite_baselines {
                    to.copy_baseline(&b, true)?;
                    report.baselines_overwritten.push(diff);
                } else {
                    report.baselines_differing.push(diff);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::{Session, Span, Tier};
    use perfwatch_store::SqliteStore;

    fn session(id: &str, started_at: &str, status: SessionStatus) -> Session {
        perfwatch_testkit::synthetic::bare_session(id, "b", started_at, status)
    }

    fn iterations(n: u32, spans: usize) -> Vec<Iteration> {
        (0..n)
            .map(|index| Iteration {
                index,
                variant: "default".into(),
                exit_code: Some(0),
                wall_s: 0.1 + f64::from(index) * 1e-3,
                stages: (0..spans)
                    .map(|k| Span {
                        id: k as u64 + 1,
                        parent: None,
                        name: format!("s{k}"),
                        tier: Tier::Component,
                        component: None,
                        start_s: 0.0,
                        end_s: 0.01,
                        ok: true,
                        calls: 1,
                        failed_calls: 0,
                        total_s: None,
                        attributes: Default::default(),
                    })
                    .collect(),
                ..Iteration::default()
            })
            .collect()
    }

    fn store(dir: &tempfile::TempDir, name: &str) -> SqliteStore {
        SqliteStore::open(&dir.path().join(name)).unwrap()
    }

    #[test]
    fn a_second_copy_copies_nothing_and_counts_everything_as_present() {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (store(&dir, "a.db"), store(&dir, "b.db"));
        let a = session("aaaa0001", "2026-01-01T00:00:00Z", SessionStatus::Complete);
        let b = session("bbbb0002", "2026-01-02T00:00:00Z", SessionStatus::Running);
        from.insert_whole_session(&a, &iterations(3, 2)).unwrap();
        from.insert_whole_session(&b, &iterations(2, 0)).unwrap();
        from.save_baseline("main", std::slice::from_ref(&a.id), Some("d"), false)
            .unwrap();

        let first = copy_history(&from, &to, CopyOptions::default(), &mut ()).unwrap();
        let expected = Tally {
            sessions: 2,
            iterations: 5,
            spans: 6,
        };
        assert_eq!(first.copied, expected);
        assert_eq!(first.present, Tally::default());
        assert_eq!(first.running, vec![b.id.clone()]);
        assert_eq!(first.baselines_copied, vec!["main".to_string()]);
        assert_eq!(to.get_baseline("main").unwrap().session_ids, vec![a.id]);

        let second = copy_history(&from, &to, CopyOptions::default(), &mut ()).unwrap();
        assert_eq!(second.copied, Tally::default());
        assert_eq!(second.present, expected);
        assert!(second.differing.is_empty());
        assert_eq!(second.baselines_present, vec!["main".to_string()]);
    }

    #[test]
    fn a_baseline_over_other_sessions_is_reported_and_kept_unless_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (store(&dir, "a.db"), store(&dir, "b.db"));
        let a = session("aaaa0001", "2026-01-01T00:00:00Z", SessionStatus::Complete);
        let c = session("cccc0003", "2026-01-03T00:00:00Z", SessionStatus::Complete);
        from.insert_whole_session(&a, &iterations(1, 0)).unwrap();
        from.save_baseline("main", std::slice::from_ref(&a.id), None, false)
            .unwrap();
        to.insert_whole_session(&c, &iterations(1, 0)).unwrap();
        to.save_baseline("main", std::slice::from_ref(&c.id), None, false)
            .unwrap();

        let kept = copy_history(&from, &to, CopyOptions::default(), &mut ()).unwrap();
        assert_eq!(
            kept.baselines_differing,
            vec![BaselineDiff {
                name: "main".into(),
                source: vec![a.id.clone()],
                target: vec![c.id.clone()],
            }]
        );
        assert_eq!(to.get_baseline("main").unwrap().session_ids, vec![c.id]);

        let options = CopyOptions {
            overwrite_baselines: true,
        };
        let replaced = copy_history(&from, &to, options, &mut ()).unwrap();
        assert_eq!(replaced.baselines_overwritten.len(), 1);
        assert_eq!(to.get_baseline("main").unwrap().session_ids, vec![a.id]);
    }

    #[test]
    fn a_session_present_with_other_counts_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (store(&dir, "a.db"), store(&dir, "b.db"));
        let a = session("aaaa0001", "2026-01-01T00:00:00Z", SessionStatus::Running);
        from.insert_whole_session(&a, &iterations(4, 1)).unwrap();
        to.insert_whole_session(&a, &iterations(2, 1)).unwrap();
        let report = copy_history(&from, &to, CopyOptions::default(), &mut ()).unwrap();
        assert_eq!(report.copied, Tally::default());
        assert_eq!(report.differing.len(), 1);
        assert_eq!(report.differing[0].source.iterations, 4);
        assert_eq!(report.differing[0].target.iterations, 2);
    }
}
