//! `Store` for `SqliteStore`: each method is one transaction.

use super::spans::StageIds;
use super::{access, baselines, deliveries, iterations, series, sessions, SqliteStore};
use crate::id::check_session_id;
use crate::{
    Baseline, Delivery, GenerationStep, PushEntry, Result, SeriesPoint, SeriesQuery, SessionFilter,
    SessionRow, Store, TokenRow, TokenScope,
};
use perfwatch_model::{Iteration, ServiceRun, Session, SessionStatus, ShellCorrection};

impl Store for SqliteStore {
    fn location(&self) -> String {
        self.location_str().to_string()
    }

    fn create_session(&self, session: &Session) -> Result<()> {
        check_session_id(&session.id)?;
        self.write(|tx| sessions::insert(tx, session))
    }

    fn add_iteration(&self, session_id: &str, iteration: &Iteration) -> Result<()> {
        self.write(|tx| {
            iterations::insert(tx, &mut StageIds::default(), session_id, iteration)?;
            sessions::iterations_added(tx, session_id)
        })
    }

    fn add_iterations(&self, batch: &[(&str, &Iteration)]) -> Result<()> {
        self.write(|tx| iterations::insert_batch(tx, batch))
    }

    fn add_iterations_stepped(
        &self,
        batch: &[(&str, &Iteration)],
    ) -> Result<Option<GenerationStep>> {
        // A write transaction holds SQLite's one write lock from its
        // start: no other writer's change falls between the two reads.
        self.write(|tx| {
            let before = sessions::generation(tx, None)?;
            iterations::insert_batch(tx, batch)?;
            let after = sessions::generation(tx, None)?;
            Ok(Some(GenerationStep { before, after }))
        })
    }

    fn set_shell_correction(&self, id: &str, correction: &ShellCorrection) -> Result<()> {
        self.write(|tx| sessions::set_shell_correction(tx, id, correction))
    }

    fn insert_whole_session(&self, session: &Session, its: &[Iteration]) -> Result<()> {
        self.write(|tx| {
            sessions::insert(tx, session)?;
            let mut stages = StageIds::default();
            for it in its {
                iterations::insert(tx, &mut stages, &session.id, it)?;
            }
            sessions::iterations_added(tx, &session.id)
        })
    }

    fn finish_session(&self, id: &str, status: SessionStatus, finished_at: &str) -> Result<()> {
        self.write(|tx| sessions::finish(tx, id, status, finished_at))
    }

    fn checkpoint(&self) -> Result<()> {
        self.checkpoint_wal()
    }

    fn refresh_statistics(&self) -> Result<()> {
        self.write(|tx| Ok(tx.execute_batch("PRAGMA optimize")?))
    }

    fn list_sessions(&self, filter: &SessionFilter) -> Result<Vec<SessionRow>> {
        self.read(|tx| sessions::list(tx, filter))
    }

    fn list_session_heads(&self, filter: &SessionFilter) -> Result<Vec<Session>> {
        self.read(|tx| sessions::list_heads(tx, filter))
    }

    fn has_counted_iteration(&self, id: &str) -> Result<bool> {
        self.read(|tx| sessions::has_counted_iteration(tx, id))
    }

    fn history_generation(&self, benchmark: Option<&str>) -> Result<u64> {
        self.read(|tx| sessions::generation(tx, benchmark))
    }

    fn counted_walls(&self, wanted: &[(&str, &str)]) -> Result<Vec<Vec<f64>>> {
        self.read(|tx| iterations::counted_walls(tx, wanted))
    }

    fn counted_service_runs(&self, wanted: &[(&str, &str)]) -> Result<Vec<Vec<ServiceRun>>> {
        self.read(|tx| iterations::counted_service_runs(tx, wanted))
    }

    fn benchmark_variants(&self) -> Result<Vec<(String, Vec<String>)>> {
        self.read(|tx| sessions::benchmark_variants(tx))
    }

    fn resolve_session(&self, spec: &str) -> Result<String> {
        self.read(|tx| sessions::resolve(tx, spec))
    }

    fn load_session(&self, id: &str) -> Result<(Session, Vec<Iteration>)> {
        self.read(|tx| Ok((sessions::get(tx, id)?, iterations::load(tx, id)?)))
    }

    fn load_recent(&self, id: &str, last: usize) -> Result<(Session, Vec<Iteration>)> {
        self.read(|tx| {
            let session = sessions::get(tx, id)?;
            let from = iterations::recent_start(tx, id, last)?;
            Ok((session, iterations::load_from(tx, id, from)?))
        })
    }

    fn newest_index(&self, id: &str) -> Result<Option<u32>> {
        self.read(|tx| iterations::recent_start(tx, id, 1))
    }

    fn find_imported(&self, sha256: &str) -> Result<Option<Session>> {
        self.read(|tx| sessions::find_imported(tx, sha256))
    }

    fn delete_session(&self, id: &str) -> Result<()> {
        self.write(|tx| sessions::delete(tx, id))
    }

    fn save_baseline(
        &self,
        name: &str,
        session_ids: &[String],
        description: Option<&str>,
        overwrite: bool,
    ) -> Result<Baseline> {
        self.write(|tx| baselines::save(tx, name, session_ids, description, overwrite, None))
    }

    fn copy_baseline(&self, baseline: &Baseline, overwrite: bool) -> Result<Baseline> {
        self.write(|tx| {
            baselines::save(
                tx,
                &baseline.name,
                &baseline.session_ids,
                baseline.description.as_deref(),
                overwrite,
                Some(&baseline.created_at),
            )
        })
    }

    fn list_baselines(&self) -> Result<Vec<Baseline>> {
        self.read(|tx| baselines::list(tx))
    }

    fn get_baseline(&self, name: &str) -> Result<Baseline> {
        self.read(|tx| baselines::get(tx, name))
    }

    fn delete_baseline(&self, name: &str) -> Result<()> {
        self.write(|tx| baselines::delete(tx, name))
    }

    fn series(&self, query: &SeriesQuery) -> Result<Vec<SeriesPoint>> {
        self.read(|tx| series::query(tx, query))
    }

    fn create_token(&self, name: &str, scope: TokenScope, sha256: &str) -> Result<TokenRow> {
        self.write(|tx| access::create_token(tx, name, scope, sha256))
    }

    fn list_tokens(&self) -> Result<Vec<TokenRow>> {
        self.read(|tx| access::list_tokens(tx))
    }

    fn revoke_token(&self, name: &str) -> Result<TokenRow> {
        self.write(|tx| access::revoke_token(tx, name))
    }

    fn find_token(&self, sha256: &str) -> Result<Option<TokenRow>> {
        self.read(|tx| access::find_token(tx, sha256))
    }

    fn queue_push(&self, session_id: &str, server: &str) -> Result<()> {
        self.write(|tx| access::queue_push(tx, session_id, server))
    }

    fn mark_pushed(&self, session_id: &str, server: &str) -> Result<()> {
        self.write(|tx| access::mark_pushed(tx, session_id, server))
    }

    fn push_queue(&self, server: Option<&str>, include_pushed: bool) -> Result<Vec<PushEntry>> {
        self.read(|tx| access::push_queue(tx, server, include_pushed))
    }

    fn forget_pushes(&self, ids: Option<&[String]>, server: Option<&str>) -> Result<usize> {
        self.write(|tx| access::forget_pushes(tx, ids, server))
    }

    fn deliveries(&self, webhook: &str) -> Result<Vec<Delivery>> {
        self.read(|tx| deliveries::list(tx, webhook))
    }

    fn claim_delivery(&self, delivery: &Delivery) -> Result<bool> {
        self.write(|tx| deliveries::claim(tx, delivery))
    }

    fn update_delivery(&self, delivery: &Delivery, attempts_seen: u32) -> Result<bool> {
        self.write(|tx| deliveries::update(tx, delivery, attempts_seen))
    }
}
