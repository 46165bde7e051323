//! Session rows: insert, finish, list, resolve, read, delete.

use super::fail::{to_json, Fail, R};
use crate::record::{
    owner_is_dead, SessionRecord, NEWEST_FIRST, SESSION_COLUMNS, SESSION_COLUMN_COUNT,
};
use crate::{SessionFilter, SessionRow, StoreError};
use perfwatch_model::{Session, SessionStatus, ShellCorrection};
use rusqlite::{params, Connection, OptionalExtension, Row};

/// Inserts a new session.
pub fn insert(conn: &Connection, session: &Session) -> R<()> {
    if exists(conn, &session.id)? {
        return Err(StoreError::SessionExists {
            id: session.id.clone(),
        }
        .into());
    }
    let r = SessionRecord::encode(session).map_err(Fail::Corrupt)?;
    conn.execute(
        "INSERT INTO sessions (id, seq, started_at, finished_at, benchmark, command, variants,
             has_git, git_commit, git_branch, git_dirty, host, perfwatch_version, status,
             baseline, shell_correction, import_tool, import_file, import_sha256, owner,
             updated_at, adaptive, program_version)
         VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM sessions), ?2, ?3, ?4, ?5, ?6,
             ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
        params![
            r.id,
            r.started_at,
            r.finished_at,
            r.benchmark,
            r.command,
            r.variants,
            r.has_git,
            r.git_commit,
            r.git_branch,
            r.git_dirty,
            r.host,
            r.perfwatch_version,
            r.status,
            r.baseline,
            r.shell_correction,
            r.import_tool,
            r.import_file,
            r.import_sha256,
            r.owner,
            r.updated_at,
            r.adaptive,
            r.program_version,
        ],
    )?;
    Ok(())
}

/// Whether a session with this exact id exists.
pub fn exists(conn: &Connection, id: &str) -> R<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM sessions WHERE id = ?1", [id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Fails with `SessionNotFound` unless the session exists.
pub fn require(conn: &Connection, id: &str) -> R<()> {
    if exists(conn, id)? {
        Ok(())
    } else {
        Err(not_found(id))
    }
}

/// Records a session's shell start-up correction.
pub fn set_shell_correction(conn: &Connection, id: &str, correction: &ShellCorrection) -> R<()> {
    let changed = conn.execute(
        "UPDATE sessions SET shell_correction = ?2 WHERE id = ?1",
        params![id, to_json(correction)?],
    )?;
    if changed == 0 {
        return Err(not_found(id));
    }
    Ok(())
}

/// Records the end of a session.
pub fn finish(conn: &Connection, id: &str, status: SessionStatus, finished_at: &str) -> R<()> {
    let changed = conn.execute(
        "UPDATE sessions SET status = ?2, finished_at = ?3 WHERE id = ?1",
        params![id, status.key(), finished_at],
    )?;
    if changed == 0 {
        return Err(not_found(id));
    }
    Ok(())
}

/// Sessions matching `filter`, newest first, with iteration counts. The
/// page is chosen before iterations are counted, so that a page of 50
/// costs 50 sessions' iterations, not the whole history's.
pub fn list(conn: &Connection, filter: &SessionFilter) -> R<Vec<SessionRow>> {
    let sql = format!(
        "SELECT {SESSION_COLUMNS},
             count(i.idx),
             coalesce(sum(i.warmup = 0 AND i.timed_out = 0), 0),
             coalesce(sum(i.idx IS NOT NULL AND (i.timed_out <> 0 OR i.signal IS NOT NULL
                          OR coalesce(i.exit_code, -1) <> 0)), 0)
         FROM ({page}) s
         LEFT JOIN iterations i ON i.session_id = s.id
         GROUP BY s.id
         ORDER BY {NEWEST_FIRST}",
        page = page_sql()
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(page_params(filter))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let count =
            |i: usize| -> R<usize> { Ok(usize::try_from(row.get::<_, i64>(i)?).unwrap_or(0)) };
        out.push(SessionRow {
            session: session_from_row(row)?,
            iterations: count(SESSION_COLUMN_COUNT)?,
            counted: count(SESSION_COLUMN_COUNT + 1)?,
            failed: count(SESSION_COLUMN_COUNT + 2)?,
        });
    }
    Ok(out)
}

/// The sessions [`list`] lists, without their counts: no iteration read.
pub fn list_heads(conn: &Connection, filter: &SessionFilter) -> R<Vec<Session>> {
    let sql = format!(
        "SELECT {SESSION_COLUMNS} FROM ({page}) s",
        page = page_sql()
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(page_params(filter))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(session_from_row(row)?);
    }
    Ok(out)
}

/// The page of sessions a filter chooses, newest first (parameters from
/// [`page_params`]).
fn page_sql() -> String {
    format!(
        "SELECT * FROM sessions s
         WHERE (?1 IS NULL OR s.benchmark = ?1)
           AND (?2 IS NULL OR s.git_branch = ?2)
           AND (?3 IS NULL OR substr(s.git_commit, 1, length(?3)) = ?3)
           AND (?4 IS NULL OR s.status = ?4)
           AND (?6 IS NULL OR s.started_at >= ?6)
           AND (?8 IS NULL OR s.id IN (SELECT value FROM json_each(?8)))
         ORDER BY {NEWEST_FIRST}
         LIMIT ?5 OFFSET ?7"
    )
}

/// The parameters of [`page_sql`].
fn page_params(filter: &SessionFilter) -> impl rusqlite::Params + '_ {
    let limit = filter
        .limit
        .map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
    (
        filter.benchmark.as_deref(),
        filter.branch.as_deref(),
        filter.commit.as_deref(),
        filter.status.map(SessionStatus::key),
        limit,
        filter.since.as_deref(),
        i64::try_from(filter.offset).unwrap_or(i64::MAX),
        filter
            .ids
            .as_ref()
            .map(|ids| serde_json::to_string(ids).expect("strings serialise")),
    )
}

/// Whether the session has a counted iteration (one index probe).
pub fn has_counted_iteration(conn: &Connection, id: &str) -> R<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM iterations
                        WHERE session_id = ?1 AND warmup = 0 AND timed_out = 0)",
        [id],
        |r| r.get(0),
    )?)
}

/// A benchmark's generation, or the sum of all (see
/// [`Store::history_generation`](crate::Store::history_generation)).
pub fn generation(conn: &Connection, benchmark: Option<&str>) -> R<u64> {
    let n: i64 = conn.query_row(
        "SELECT coalesce(sum(generation), 0) FROM history_generations
         WHERE ?1 IS NULL OR benchmark = ?1",
        params![benchmark],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Every benchmark with its variants' names (see
/// [`Store::benchmark_variants`](crate::Store::benchmark_variants)): one
/// row per distinct declaration, newest first.
pub fn benchmark_variants(conn: &Connection) -> R<Vec<(String, Vec<String>)>> {
    let mut stmt = conn.prepare(
        "SELECT benchmark, variants FROM sessions
         GROUP BY benchmark, variants
         ORDER BY max(started_at) DESC, max(seq) DESC",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::new();
    for (benchmark, variants) in rows {
        let variants: Vec<perfwatch_model::VariantSpec> =
            super::fail::json(&variants, || format!("variants of benchmark {benchmark}"))?;
        crate::record::add_variants(&mut out, &benchmark, &variants);
    }
    Ok(out)
}

/// Reads one session.
pub fn get(conn: &Connection, id: &str) -> R<Session> {
    let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.id = ?1");
    // Cached: the dashboard reads a thousand sessions, and preparing this
    // statement (column names resolved against the table) was most of a
    // read. The iteration and span queries are not cached: measured,
    // caching them made `sessions --limit 1000` 16 % slower.
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(row) => session_from_row(row),
        None => Err(not_found(id)),
    }
}

/// The newest session imported from a file with this SHA-256 (by the
/// `sessions_import_sha256` index).
pub fn find_imported(conn: &Connection, sha256: &str) -> R<Option<Session>> {
    let sql = format!(
        "SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.import_sha256 = ?1
         ORDER BY {NEWEST_FIRST} LIMIT 1"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([sha256])?;
    match rows.next()? {
        Some(row) => Ok(Some(session_from_row(row)?)),
        None => Ok(None),
    }
}

/// Deletes a session; its iterations and spans go with it.
pub fn delete(conn: &Connection, id: &str) -> R<()> {
    require(conn, id)?;
    let mut stmt = conn.prepare(
        "SELECT DISTINCT name FROM baseline_sessions WHERE session_id = ?1 ORDER BY name",
    )?;
    let baselines = stmt
        .query_map([id], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    if !baselines.is_empty() {
        return Err(StoreError::SessionInBaseline {
            id: id.to_string(),
            baselines,
        }
        .into());
    }
    conn.execute("DELETE FROM sessions WHERE id = ?1", [id])?;
    Ok(())
}

/// Turns `spec` (a full id, a unique prefix, `latest` or `latest~N`) into
/// a full id.
pub fn resolve(conn: &Connection, spec: &str) -> R<String> {
    crate::lookup::resolve(&mut Lookup(conn), spec)
}

/// The queries of [`resolve`].
struct Lookup<'a>(&'a Connection);

impl crate::lookup::SessionLookup for Lookup<'_> {
    type Fail = Fail;

    fn nth_newest(&mut self, n: i64) -> R<Option<String>> {
        let sql = format!("SELECT s.id FROM sessions s ORDER BY {NEWEST_FIRST} LIMIT 1 OFFSET ?1");
        Ok(self.0.query_row(&sql, [n], |r| r.get(0)).optional()?)
    }

    fn exists(&mut self, id: &str) -> R<bool> {
        exists(self.0, id)
    }

    fn with_prefix(&mut self, prefix: &str, limit: i64) -> R<Vec<String>> {
        // Hex digits have no GLOB meaning, and a GLOB prefix uses the index.
        let sql = format!(
            "SELECT s.id FROM sessions s WHERE s.id GLOB ?1 || '*' ORDER BY {NEWEST_FIRST} LIMIT ?2"
        );
        let mut stmt = self.0.prepare(&sql)?;
        let ids = stmt
            .query_map(params![prefix, limit], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids)
    }
}

/// Builds a session from the columns of [`SESSION_COLUMNS`].
pub fn session_from_row(row: &Row<'_>) -> R<Session> {
    SessionRecord {
        id: row.get(0)?,
        started_at: row.get(1)?,
        finished_at: row.get(2)?,
        benchmark: row.get(3)?,
        command: row.get(4)?,
        variants: row.get(5)?,
        has_git: row.get(6)?,
        git_commit: row.get(7)?,
        git_branch: row.get(8)?,
        git_dirty: row.get(9)?,
        host: row.get(10)?,
        perfwatch_version: row.get(11)?,
        status: row.get(12)?,
        baseline: row.get(13)?,
        shell_correction: row.get(14)?,
        import_tool: row.get(15)?,
        import_file: row.get(16)?,
        import_sha256: row.get(17)?,
        owner: row.get(18)?,
        updated_at: row.get(19)?,
        adaptive: row.get(20)?,
        program_version: row.get(21)?,
    }
    .decode()
    .map_err(Fail::Corrupt)
}

/// Marks the session as written now and grows its benchmark's history
/// generation: call once per session after a transaction's iteration
/// inserts into it (once for a batch, not once per iteration: a trigger
/// per inserted row cost a monitored run as much as its own insert).
pub fn iterations_added(conn: &Connection, id: &str) -> R<()> {
    conn.prepare_cached("UPDATE sessions SET updated_at = ?2 WHERE id = ?1")?
        .execute(params![id, perfwatch_model::clock::now_rfc3339()])?;
    conn.prepare_cached(
        "INSERT INTO history_generations (benchmark, generation)
             SELECT benchmark, 1 FROM sessions WHERE id = ?1
         ON CONFLICT (benchmark) DO UPDATE SET generation = generation + 1",
    )?
    .execute(params![id])?;
    Ok(())
}

/// Marks every `running` session whose perfwatch died as `abandoned`,
/// finished when it was last written. Returns how many were marked.
pub fn mark_abandoned(conn: &Connection) -> R<usize> {
    let dead: Vec<String> = {
        let mut stmt = conn.prepare(
            "SELECT id, owner FROM sessions WHERE status = 'running' AND owner IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut dead = Vec::new();
        for row in rows {
            let (id, owner) = row?;
            if owner_is_dead(&owner) {
                dead.push(id);
            }
        }
        dead
    };
    for id in &dead {
        conn.execute(
            "UPDATE sessions SET status = 'abandoned', finished_at = coalesce(updated_at, started_at)
             WHERE id = ?1 AND status = 'running'",
            [id],
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
