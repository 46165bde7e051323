//! The versioned schema: migration steps and how a database file is
//! recognised as perfwatch's.
//!
//! `PRAGMA user_version` holds the number of migration steps applied;
//! `PRAGMA application_id` holds [`APPLICATION_ID`] so that a foreign SQLite
//! file is never mistaken for ours. Both are set in the same transaction as
//! the tables, so a file is either untouched or fully migrated.

use super::fail::{Fail, R};
use rusqlite::Connection;

/// `application_id` of perfwatch databases: the ASCII bytes `PfWt`.
pub const APPLICATION_ID: i32 = 0x5066_5774;

/// Migration steps, in order; step `n` takes the schema from version `n` to
/// `n + 1`. Append new steps; never edit a released one.
const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12];

/// The newest schema version this build knows.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Version 1: sessions, iterations, spans, baselines.
///
/// Whole-process figures are real columns (NULL when not measured, never
/// 0); collections that are only ever read whole are JSON text. Spans carry
/// their path so that per-stage history is plain SQL.
const V1: &str = "
CREATE TABLE sessions (
    id                TEXT PRIMARY KEY NOT NULL,
    seq               INTEGER NOT NULL UNIQUE,
    started_at        TEXT NOT NULL,
    finished_at       TEXT,
    benchmark         TEXT NOT NULL,
    command           TEXT NOT NULL,
    variants          TEXT NOT NULL,
    has_git           INTEGER NOT NULL,
    git_commit        TEXT,
    git_branch        TEXT,
    git_dirty         INTEGER,
    host              TEXT NOT NULL,
    perfwatch_version TEXT NOT NULL,
    status            TEXT NOT NULL
);
CREATE INDEX sessions_started ON sessions (started_at, seq);
CREATE INDEX sessions_benchmark ON sessions (benchmark, started_at);
CREATE INDEX sessions_commit ON sessions (git_commit);
CREATE INDEX sessions_branch ON sessions (git_branch, started_at);

CREATE TABLE iterations (
    session_id          TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    idx                 INTEGER NOT NULL,
    variant             TEXT NOT NULL,
    warmup              INTEGER NOT NULL,
    exit_code           INTEGER,
    signal              INTEGER,
    timed_out           INTEGER NOT NULL,
    wall_s              REAL,
    user_s              REAL,
    sys_s               REAL,
    max_rss_bytes       INTEGER,
    peak_tree_rss_bytes INTEGER,
    read_bytes          INTEGER,
    write_bytes         INTEGER,
    voluntary_cs        INTEGER,
    involuntary_cs      INTEGER,
    timeline            TEXT NOT NULL,
    counters            TEXT NOT NULL,
    gauges              TEXT NOT NULL,
    dropped_spans       TEXT NOT NULL,
    stderr_tail         TEXT,
    PRIMARY KEY (session_id, idx)
);

CREATE TABLE spans (
    session_id    TEXT NOT NULL,
    iteration_idx INTEGER NOT NULL,
    pos           INTEGER NOT NULL,
    span_id       INTEGER NOT NULL,
    parent_id     INTEGER,
    name          TEXT NOT NULL,
    path          TEXT NOT NULL,
    depth         INTEGER NOT NULL,
    tier          TEXT NOT NULL,
    component     TEXT,
    start_s       REAL,
    end_s         REAL,
    duration_s    REAL,
    ok            INTEGER NOT NULL,
    calls         INTEGER NOT NULL,
    failed_calls  INTEGER NOT NULL,
    total_s       REAL,
    attributes    TEXT NOT NULL,
    PRIMARY KEY (session_id, iteration_idx, pos),
    FOREIGN KEY (session_id, iteration_idx)
        REFERENCES iterations (session_id, idx) ON DELETE CASCADE
);
CREATE INDEX spans_path ON spans (path, session_id, iteration_idx);

CREATE TABLE baselines (
    name        TEXT PRIMARY KEY NOT NULL,
    created_at  TEXT NOT NULL,
    description TEXT
);

CREATE TABLE baseline_sessions (
    name       TEXT NOT NULL REFERENCES baselines (name) ON DELETE CASCADE,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    pos        INTEGER NOT NULL,
    PRIMARY KEY (name, session_id)
);
CREATE INDEX baseline_sessions_session ON baseline_sessions (session_id);
";

/// Version 2: the saved baseline a session was compared with when it ran,
/// so that every later analysis of the session compares with it again.
const V2: &str = "
ALTER TABLE sessions ADD COLUMN baseline TEXT;
";

/// Version 3: the shell start-up correction of a session (JSON) and the
/// origin of an imported one, whose file hash finds a repeated import.
const V3: &str = "
ALTER TABLE sessions ADD COLUMN shell_correction TEXT;
ALTER TABLE sessions ADD COLUMN import_tool TEXT;
ALTER TABLE sessions ADD COLUMN import_file TEXT;
ALTER TABLE sessions ADD COLUMN import_sha256 TEXT;
CREATE INDEX sessions_import_sha256 ON sessions (import_sha256);
";

/// Version 4: the process that measures a session (JSON; a `running`
/// session whose owner died is `abandoned`) and when the session was last
/// written.
const V4: &str = "
ALTER TABLE sessions ADD COLUMN owner TEXT;
ALTER TABLE sessions ADD COLUMN updated_at TEXT;
CREATE INDEX sessions_status ON sessions (status);
";

/// Version 5: each distinct stage path stored once, in `stage_paths`;
/// a span names its stage by id (NULL for a span folded into an
/// ancestor's stage, see `perfwatch_model::span_tree`). A path per span
/// made the file quadratic in the depth of a parent chain.
const V5: &str = "
CREATE TABLE stage_paths (
    id   INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE
);
INSERT OR IGNORE INTO stage_paths (path) SELECT DISTINCT path FROM spans;
ALTER TABLE spans ADD COLUMN stage INTEGER REFERENCES stage_paths (id);
UPDATE spans SET stage = (SELECT id FROM stage_paths WHERE stage_paths.path = spans.path);
DROP INDEX spans_path;
ALTER TABLE spans DROP COLUMN path;
CREATE INDEX spans_stage ON spans (stage, session_id, iteration_idx);
";

/// Version 6: the team server's bookkeeping. API tokens by the SHA-256
/// of their secret (never the secret), and the push queue: which session
/// is waiting for, or was accepted by, which server. And a generation per
/// benchmark, kept by triggers whoever writes: it grows with every change
/// to the benchmark's sessions (not their `updated_at` heartbeat) or
/// iterations, so that a reader tells in one query whether an answer it
/// computed earlier still stands (`Store::history_generation`).
const V6: &str = "
CREATE TABLE api_tokens (
    name       TEXT PRIMARY KEY NOT NULL,
    scope      TEXT NOT NULL,
    sha256     TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE pushes (
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    server     TEXT NOT NULL,
    queued_at  TEXT NOT NULL,
    pushed_at  TEXT,
    PRIMARY KEY (session_id, server)
);
CREATE INDEX pushes_waiting ON pushes (server, pushed_at);

CREATE TABLE history_generations (
    benchmark  TEXT PRIMARY KEY NOT NULL,
    generation INTEGER NOT NULL
);
INSERT INTO history_generations (benchmark, generation)
    SELECT benchmark, 1 FROM sessions WHERE true GROUP BY benchmark;
CREATE TRIGGER sessions_added AFTER INSERT ON sessions BEGIN
    INSERT INTO history_generations (benchmark, generation) VALUES (NEW.benchmark, 1)
    ON CONFLICT (benchmark) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER sessions_changed AFTER UPDATE OF
    started_at, finished_at, benchmark, command, variants, has_git, git_commit, git_branch, git_dirty, host, perfwatch_version, status, baseline, shell_correction, import_tool, import_file, import_sha256, owner
    ON sessions BEGIN
    INSERT INTO history_generations (benchmark, generation) VALUES (OLD.benchmark, 1)
    ON CONFLICT (benchmark) DO UPDATE SET generation = generation + 1;
    INSERT INTO history_generations (benchmark, generation) VALUES (NEW.benchmark, 1)
    ON CONFLICT (benchmark) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER sessions_deleted AFTER DELETE ON sessions BEGIN
    INSERT INTO history_generations (benchmark, generation) VALUES (OLD.benchmark, 1)
    ON CONFLICT (benchmark) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER iterations_added AFTER INSERT ON iterations BEGIN
    INSERT INTO history_generations (benchmark, generation)
        SELECT benchmark, 1 FROM sessions WHERE id = NEW.session_id
    ON CONFLICT (benchmark) DO UPDATE SET generation = generation + 1;
END;
";

/// v7: how a session was run adaptively (`--until-confident`), as JSON.
const V7: &str = "
ALTER TABLE sessions ADD COLUMN adaptive TEXT;
";

/// v8: the peak GPU memory of an iteration's tree as a column (derived
/// from its timeline when written), so that its history is plain SQL.
/// Older iterations had no GPU readings: NULL is right for them.
const V8: &str = "
ALTER TABLE iterations ADD COLUMN peak_gpu_memory_bytes INTEGER;
";

/// v10: service benchmarks — an iteration's service figures as JSON, and
/// the figures history reads as columns (derived from it when written).
const V10: &str = "
ALTER TABLE iterations ADD COLUMN service TEXT;
ALTER TABLE iterations ADD COLUMN startup_s REAL;
ALTER TABLE iterations ADD COLUMN shutdown_s REAL;
ALTER TABLE iterations ADD COLUMN latency_p50_s REAL;
ALTER TABLE iterations ADD COLUMN latency_p90_s REAL;
ALTER TABLE iterations ADD COLUMN latency_p99_s REAL;
ALTER TABLE iterations ADD COLUMN latency_p999_s REAL;
ALTER TABLE iterations ADD COLUMN throughput_rps REAL;
ALTER TABLE iterations ADD COLUMN error_rate REAL;
";

/// v9: monitored pipelines — the version of the program a session
/// measured, and the webhook deliveries of alert events (one row per
/// webhook, alert and event: the claim that keeps servers sharing a
/// database from sending an event twice).
const V9: &str = "
ALTER TABLE sessions ADD COLUMN program_version TEXT;
CREATE TABLE alert_deliveries (
    webhook    TEXT NOT NULL,
    alert_id   TEXT NOT NULL,
    event      TEXT NOT NULL,
    state      TEXT NOT NULL,
    attempts   INTEGER NOT NULL,
    next_at    TEXT,
    last_error TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (webhook, alert_id, event)
);
";

/// v11: an iteration's spans as one row of `iteration_spans` — a JSON
/// array of the former span rows in their order (`spans`, see
/// `spans.rs`), and each stage's summed time by stage id
/// (`stage_times`), which stage history reads. A row per span cost three
/// B-tree inserts per span (the row, its key and the stage index):
/// storing a monitored run cost more than receiving it. Kept apart from
/// `iterations`, whose scans (listings, metric history) stay as small.
const V11: &str = "
CREATE TABLE iteration_spans (
    session_id    TEXT NOT NULL,
    iteration_idx INTEGER NOT NULL,
    spans         TEXT NOT NULL,
    stage_times   TEXT NOT NULL,
    PRIMARY KEY (session_id, iteration_idx),
    FOREIGN KEY (session_id, iteration_idx)
        REFERENCES iterations (session_id, idx) ON DELETE CASCADE
);
INSERT INTO iteration_spans (session_id, iteration_idx, spans, stage_times)
SELECT i.session_id, i.idx,
    (SELECT json_group_array(json_object(
            'span_id', t.span_id, 'parent_id', t.parent_id, 'name', t.name, 'stage', t.stage,
            'depth', t.depth, 'tier', t.tier, 'component', t.component,
            'start_s', t.start_s, 'end_s', t.end_s,
            'ok', json(CASE WHEN t.ok THEN 'true' ELSE 'false' END),
            'calls', t.calls, 'failed_calls', t.failed_calls, 'total_s', t.total_s,
            'attributes', json(t.attributes)) ORDER BY t.pos)
     FROM spans t WHERE t.session_id = i.session_id AND t.iteration_idx = i.idx),
    (SELECT json_group_object(CAST(stage AS TEXT), total)
     FROM (SELECT t.stage AS stage, sum(t.duration_s) AS total FROM spans t
           WHERE t.session_id = i.session_id AND t.iteration_idx = i.idx
             AND t.stage IS NOT NULL AND t.duration_s IS NOT NULL
           GROUP BY t.stage))
FROM iterations i
WHERE EXISTS (SELECT 1 FROM spans t
              WHERE t.session_id = i.session_id AND t.iteration_idx = i.idx);
DROP TABLE spans;
";

/// v12: an iteration's insert no longer fires a trigger that grows its
/// benchmark's history generation (a subquery and an upsert for every
/// row: a batch of 64 monitored runs made 64); the store grows it once
/// per session and transaction instead (`sessions::iterations_added`).
/// From v12 on, new `iteration_spans.spans` hold each span as an array
/// of its fields, not an object (see `spans.rs`; older rows stay objects
/// and read the same): a build before v12 would not read them, and
/// refuses the file for its newer version.
const V12: &str = "
DROP TRIGGER IF EXISTS iterations_added;
";

/// What a database file holds, as far as recognising it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    /// `PRAGMA application_id`.
    pub application_id: i32,
    /// `PRAGMA user_version`.
    pub user_version: i64,
    /// Whether any table, index, view or trigger exists.
    pub has_schema: bool,
}

/// How a file's identity is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing in it yet: ours to initialise.
    Fresh,
    /// A perfwatch database at this schema version (≤ ours).
    Ours(i64),
    /// Someone else's database.
    Foreign(i32),
    /// A perfwatch database newer than this build.
    Newer(i64),
}

impl Identity {
    /// Reads the identity through SQLite. Call inside a transaction, so
    /// that the three reads see one snapshot.
    pub fn read(conn: &Connection) -> rusqlite::Result<Identity> {
        let application_id = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let user_version = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let objects: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        Ok(Identity {
            application_id,
            user_version,
            has_schema: objects > 0,
        })
    }

    /// Judges the identity.
    pub fn verdict(self) -> Verdict {
        if self.application_id == APPLICATION_ID {
            if self.user_version > SCHEMA_VERSION {
                Verdict::Newer(self.user_version)
            } else {
                Verdict::Ours(self.user_version)
            }
        } else if self.application_id != 0 || self.has_schema || self.user_version != 0 {
            Verdict::Foreign(self.application_id)
        } else {
            Verdict::Fresh
        }
    }
}

/// Brings the schema to [`SCHEMA_VERSION`] inside an immediate
/// transaction, re-checking the identity under the write lock (another
/// process may have migrated, or the file may have changed, since it was
/// inspected). Nothing is written unless the file is fresh or ours.
pub fn migrate(conn: &mut Connection) -> R<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let from = match Identity::read(&tx)?.verdict() {
        Verdict::Fresh => 0,
        Verdict::Ours(v) => v,
        Verdict::Foreign(id) => return Err(Fail::Foreign(id)),
        Verdict::Newer(v) => return Err(Fail::Newer(v)),
    };
    if from == SCHEMA_VERSION {
        return Ok(());
    }
    for step in &MIGRATIONS[from as usize..] {
        tx.execute_batch(step)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_table() {
        let id = |application_id, user_version, has_schema| Identity {
            application_id,
            user_version,
            has_schema,
        };
        let cases = [
            (id(0, 0, false), Verdict::Fresh),
            (id(0, 0, true), Verdict::Foreign(0)),
            (id(0, 3, false), Verdict::Foreign(0)),
            (id(7, 0, false), Verdict::Foreign(7)),
            (id(APPLICATION_ID, 1, true), Verdict::Ours(1)),
            (
                id(APPLICATION_ID, SCHEMA_VERSION + 1, true),
                Verdict::Newer(SCHEMA_VERSION + 1),
            ),
        ];
        for (identity, expected) in cases {
            assert_eq!(identity.verdict(), expected, "{identity:?}");
        }
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let identity = Identity::read(&conn).unwrap();
        assert_eq!(identity.verdict(), Verdict::Ours(SCHEMA_VERSION));
    }

    #[test]
    fn foreign_schema_is_left_alone() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (x)").unwrap();
        assert!(matches!(migrate(&mut conn), Err(Fail::Foreign(0))));
        let identity = Identity::read(&conn).unwrap();
        assert_eq!(identity.user_version, 0);
        assert_eq!(identity.application_id, 0);
    }
}
