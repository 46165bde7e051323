//! Session rows: insert, finish, list, resolve, read, delete.

use super::fail::{Fail, R};
use super::{pg_opt, pg_text};
use crate::record::{
    owner_is_dead, to_json, SessionRecord, NEWEST_FIRST, SESSION_COLUMNS, SESSION_COLUMN_COUNT,
};
use crate::{SessionFilter, SessionRow, StoreError};
use perfwatch_model::{Session, SessionStatus, ShellCorrection};
use postgres::error::SqlState;
use postgres::{Row, Transaction};

/// Inserts a new session.
pub fn insert(tx: &mut Transaction<'_>, session: &Session) -> R<()> {
    let r = SessionRecord::encode(session).map_err(Fail::Corrupt)?;
    let inserted = tx.execute(
        "INSERT INTO sessions (id, started_at, finished_at, benchmark, command, variants,
             has_git, git_commit, git_branch, git_dirty, host, perfwatch_version, status,
             baseline, shell_correction, import_tool, import_file, import_sha256, owner,
             updated_at, adaptive, program_version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
             $18, $19, $20, $21, $22)",
        &[
            &r.id,
            &r.started_at,
            &r.finished_at,
            &pg_text(&r.benchmark),
            &pg_text(&r.command),
            &r.variants,
            &r.has_git,
            &pg_opt(&r.git_commit),
            &pg_opt(&r.git_branch),
            &r.git_dirty,
            &r.host,
            &pg_text(&r.perfwatch_version),
            &r.status,
            &pg_opt(&r.baseline),
            &r.shell_correction,
            &pg_opt(&r.import_tool),
            &pg_opt(&r.import_file),
            &r.import_sha256,
            &r.owner,
            &r.updated_at,
            &r.adaptive,
            &pg_opt(&r.program_version),
        ],
    );
    match inserted.map_err(Fail::from) {
        Err(f) if f.code() == Some(&SqlState::UNIQUE_VIOLATION) => Err(StoreError::SessionExists {
            id: session.id.clone(),
        }
        .into()),
        other => other.map(drop),
    }
}

/// Whether a session with this exact id exists.
pub fn exists(tx: &mut Transaction<'_>, id: &str) -> R<bool> {
    Ok(tx
        .query_opt("SELECT 1 FROM sessions WHERE id = $1", &[&id])?
        .is_some())
}

/// Fails with `SessionNotFound` unless the session exists.
pub fn require(tx: &mut Transaction<'_>, id: &str) -> R<()> {
    if exists(tx, id)? {
        Ok(())
    } else {
        Err(not_found(id))
    }
}

/// Records a session's shell start-up correction.
pub fn set_shell_correction(
    tx: &mut Transaction<'_>,
    id: &str,
    correction: &ShellCorrection,
) -> R<()> {
    let json = to_json(correction).map_err(Fail::Corrupt)?;
    let changed = tx.execute(
        "UPDATE sessions SET shell_correction = $2 WHERE id = $1",
        &[&id, &json],
    )?;
    if changed == 0 {
        return Err(not_found(id));
    }
    Ok(())
}

/// Records the end of a session.
pub fn finish(
    tx: &mut Transaction<'_>,
    id: &str,
    status: SessionStatus,
    finished_at: &str,
) -> R<()> {
    let changed = tx.execute(
        "UPDATE sessions SET status = $2, finished_at = $3 WHERE id = $1",
        &[&id, &status.key(), &finished_at],
    )?;
    if changed == 0 {
        return Err(not_found(id));
    }
    Ok(())
}

/// Marks the session as written now (each iteration does).
pub fn touch(tx: &mut Transaction<'_>, id: &str) -> R<()> {
    tx.execute(
        "UPDATE sessions SET updated_at = $2 WHERE id = $1",
        &[&id, &perfwatch_model::clock::now_rfc3339()],
    )?;
    Ok(())
}

/// Sessions matching `filter`, newest first, with iteration counts. The
/// page is chosen before iterations are counted, so that a page of 50
/// costs 50 sessions' iterations, not the whole history's.
pub fn list(tx: &mut Transaction<'_>, filter: &SessionFilter) -> R<Vec<SessionRow>> {
    let sql = format!(
        // The counts are a LATERAL subquery, one index lookup per chosen
        // session: a plain join after the LIMIT let the planner hash-join
        // a sequential scan of every iteration (7 ms at 1,000 sessions,
        // growing with the history; 1.5 ms this way).
        "SELECT {SESSION_COLUMNS}, c.iterations, c.counted, c.failed
         FROM ({page}) s
         CROSS JOIN LATERAL (
             SELECT count(i.idx) AS iterations,
                 count(i.idx) FILTER (WHERE NOT i.warmup AND NOT i.timed_out) AS counted,
                 count(i.idx) FILTER (WHERE i.timed_out OR i.signal IS NOT NULL
                                       OR coalesce(i.exit_code, -1) <> 0) AS failed
             FROM iterations i WHERE i.session_id = s.id) c
         ORDER BY {NEWEST_FIRST}",
        page = page_sql()
    );
    let rows = page_query(tx, &sql, filter)?;
    rows.iter()
        .map(|row| {
            let count = |i: usize| usize::try_from(row.get::<_, i64>(i)).unwrap_or(0);
            Ok(SessionRow {
                session: session_from_row(row)?,
                iterations: count(SESSION_COLUMN_COUNT),
                counted: count(SESSION_COLUMN_COUNT + 1),
                failed: count(SESSION_COLUMN_COUNT + 2),
            })
        })
        .collect()
}

/// The sessions [`list`] lists, without their counts: no iteration read.
pub fn list_heads(tx: &mut Transaction<'_>, filter: &SessionFilter) -> R<Vec<Session>> {
    let sql = format!(
        "SELECT {SESSION_COLUMNS} FROM ({page}) s",
        page = page_sql()
    );
    page_query(tx, &sql, filter)?
        .iter()
        .map(session_from_row)
        .collect()
}

/// The page of sessions a filter chooses, newest first (parameters bound
/// by [`page_query`]).
fn page_sql() -> String {
    format!(
        "SELECT * FROM sessions s
         WHERE ($1::text IS NULL OR s.benchmark = $1)
           AND ($2::text IS NULL OR s.git_branch = $2)
           AND ($3::text IS NULL OR starts_with(s.git_commit, $3))
           AND ($4::text IS NULL OR s.status = $4)
           AND ($6::text IS NULL OR s.started_at >= $6)
           AND ($8::text[] IS NULL OR s.id = ANY($8))
         ORDER BY {NEWEST_FIRST}
         LIMIT $5 OFFSET $7"
    )
}

/// Runs `sql`, which selects from [`page_sql`], with the filter's parameters.
fn page_query(
    tx: &mut Transaction<'_>,
    sql: &str,
    filter: &SessionFilter,
) -> R<Vec<postgres::Row>> {
    let limit: Option<i64> = filter.limit.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
    Ok(tx.query(
        sql,
        &[
            &filter.benchmark.as_deref().map(pg_text),
            &filter.branch.as_deref().map(pg_text),
            &filter.commit.as_deref().map(pg_text),
            &filter.status.map(SessionStatus::key),
            &limit,
            &filter.since.as_deref().map(pg_text),
            &i64::try_from(filter.offset).unwrap_or(i64::MAX),
            &filter.ids,
        ],
    )?)
}

/// Whether the session has a counted iteration (one index probe).
pub fn has_counted_iteration(tx: &mut Transaction<'_>, id: &str) -> R<bool> {
    Ok(tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM iterations
                            WHERE session_id = $1 AND NOT warmup AND NOT timed_out)",
            &[&pg_text(id)],
        )?
        .try_get(0)?)
}

/// A benchmark's generation, or the sum of all (see
/// [`Store::history_generation`](crate::Store::history_generation)).
pub fn generation(tx: &mut Transaction<'_>, benchmark: Option<&str>) -> R<u64> {
    let n: i64 = tx
        .query_one(
            "SELECT coalesce(sum(generation), 0)::bigint FROM history_generations
             WHERE $1::text IS NULL OR benchmark = $1",
            &[&benchmark.map(pg_text)],
        )?
        .try_get(0)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Every benchmark with its variants' names (see
/// [`Store::benchmark_variants`](crate::Store::benchmark_variants)): one
/// row per distinct declaration, newest first.
pub fn benchmark_variants(tx: &mut Transaction<'_>) -> R<Vec<(String, Vec<String>)>> {
    let rows = tx.query(
        "SELECT benchmark, variants FROM sessions
         GROUP BY benchmark, variants
         ORDER BY max(started_at) DESC, max(seq) DESC",
        &[],
    )?;
    let mut out = Vec::new();
    for row in &rows {
        let benchmark: String = row.try_get(0)?;
        let variants: Vec<perfwatch_model::VariantSpec> =
            crate::record::from_json(row.try_get(1)?, || {
                format!("variants of benchmark {benchmark}")
            })
            .map_err(Fail::Corrupt)?;
        crate::record::add_variants(&mut out, &benchmark, &variants);
    }
    Ok(out)
}

/// Reads one session.
pub fn get(tx: &mut Transaction<'_>, id: &str) -> R<Session> {
    let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.id = $1");
    match tx.query_opt(&sql, &[&id])? {
        Some(row) => session_from_row(&row),
        None => Err(not_found(id)),
    }
}

/// The newest session imported from a file with this SHA-256.
pub fn find_imported(tx: &mut Transaction<'_>, sha256: &str) -> R<Option<Session>> {
    let sql = format!(
        "SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.import_sha256 = $1
         ORDER BY {NEWEST_FIRST} LIMIT 1"
    );
    tx.query_opt(&sql, &[&sha256])?
        .map(|row| session_from_row(&row))
        .transpose()
}

/// Deletes a session; its iterations and spans go with it.
pub fn delete(tx: &mut Transaction<'_>, id: &str) -> R<()> {
    require(tx, id)?;
    let baselines: Vec<String> = tx
        .query(
            "SELECT DISTINCT name FROM baseline_sessions WHERE session_id = $1 ORDER BY name",
            &[&id],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if !baselines.is_empty() {
        return Err(StoreError::SessionInBaseline {
            id: id.to_string(),
            baselines,
        }
        .into());
    }
    tx.execute("DELETE FROM sessions WHERE id = $1", &[&id])?;
    Ok(())
}

/// Turns `spec` (a full id, a unique prefix, `latest` or `latest~N`) into
/// a full id.
pub fn resolve(tx: &mut Transaction<'_>, spec: &str) -> R<String> {
    crate::lookup::resolve(&mut Lookup(tx), spec)
}

/// The queries of [`resolve`].
struct Lookup<'a, 'b>(&'a mut Transaction<'b>);

impl crate::lookup::SessionLookup for Lookup<'_, '_> {
    type Fail = Fail;

    fn nth_newest(&mut self, n: i64) -> R<Option<String>> {
        let sql = format!("SELECT s.id FROM sessions s ORDER BY {NEWEST_FIRST} LIMIT 1 OFFSET $1");
        Ok(self.0.query_opt(&sql, &[&n])?.map(|r| r.get(0)))
    }

    fn exists(&mut self, id: &str) -> R<bool> {
        exists(self.0, id)
    }

    fn with_prefix(&mut self, prefix: &str, limit: i64) -> R<Vec<String>> {
        // Hex digits have no LIKE meaning; the text_pattern_ops index serves it.
        let sql = format!(
            "SELECT s.id FROM sessions s WHERE s.id LIKE $1 || '%' ORDER BY {NEWEST_FIRST} LIMIT $2"
        );
        Ok(self
            .0
            .query(&sql, &[&prefix, &limit])?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }
}

/// Builds a session from the columns of [`SESSION_COLUMNS`].
pub fn session_from_row(row: &Row) -> R<Session> {
    SessionRecord {
        id: row.try_get(0)?,
        started_at: row.try_get(1)?,
        finished_at: row.try_get(2)?,
        benchmark: row.try_get(3)?,
        command: row.try_get(4)?,
        variants: row.try_get(5)?,
        has_git: row.try_get(6)?,
        git_commit: row.try_get(7)?,
        git_branch: row.try_get(8)?,
        git_dirty: row.try_get(9)?,
        host: row.try_get(10)?,
        perfwatch_version: row.try_get(11)?,
        status: row.try_get(12)?,
        baseline: row.try_get(13)?,
        shell_correction: row.try_get(14)?,
        import_tool: row.try_get(15)?,
        import_file: row.try_get(16)?,
        import_sha256: row.try_get(17)?,
        owner: row.try_get(18)?,
        updated_at: row.try_get(19)?,
        adaptive: row.try_get(20)?,
        program_version: row.try_get(21)?,
    }
    .decode()
    .map_err(Fail::Corrupt)
}

/// Marks every `running` session whose perfwatch died (on this machine)
/// as `abandoned`, finished when it was last written.
pub fn mark_abandoned(tx: &mut Transaction<'_>) -> R<usize> {
    let dead: Vec<String> = tx
        .query(
            "SELECT id, owner FROM sessions WHERE status = 'running' AND owner IS NOT NULL",
            &[],
        )?
        .iter()
        .filter(|r| owner_is_dead(r.get::<_, &str>(1)))
        .map(|r| r.get(0))
        .collect();
    for id in &dead {
        tx.execute(
            "UPDATE sessions SET status = 'abandoned', finished_at = coalesce(updated_at, started_at)
             WHERE id = $1 AND status = 'running'",
            &[id],
        )?;
    }
    Ok(dead.len())
}

/// The error for a session that does not exist.
pub fn not_found(spec: &str) -> Fail {
    StoreError::SessionNotFound {
        spec: spec.to_string(),
    }
    .into()
}
