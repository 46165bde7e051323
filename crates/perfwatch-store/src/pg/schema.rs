//! The PostgreSQL schema and its migrations.
//!
//! `perfwatch_schema` holds one row: the number of migration steps
//! applied. A database with perfwatch's table names but no such row is
//! someone else's and is left alone; a newer version is refused. The
//! migration runs in one transaction under an advisory lock, so two
//! processes starting at once migrate once.

use super::fail::{Fail, R};
use crate::StoreError;
use postgres::Client;

/// Migration steps, in order; step `n` takes the schema from version `n`
/// to `n + 1`. Append new steps; never edit a released one.
const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5];

/// The newest PostgreSQL schema version this build knows.
pub const PG_SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The advisory lock key held while migrating (ASCII `PfWt`).
const MIGRATION_LOCK: i64 = 0x5066_5774;

/// Tables perfwatch makes; finding one without `perfwatch_schema` means
/// the database is not ours.
const OUR_TABLES: &[&str] = &[
    "sessions",
    "iterations",
    "spans",
    "stage_paths",
    "baselines",
    "baseline_sessions",
    "api_tokens",
    "pushes",
    "history_generations",
    "alert_deliveries",
];

/// Version 1: the SQLite schema at its version 6, in PostgreSQL's types
/// (the generations' triggers run at commit — deferred — so that a
/// writer holds its benchmark's generation row only while it commits):
/// figures as `double precision`/`bigint` (NULL when not measured),
/// collections as JSON text, times as RFC 3339 text. The captured stderr
/// is UTF-8 in `bytea`: a program's output may hold NUL, which text cannot.
const V1: &str = "
CREATE TABLE sessions (
    id                TEXT PRIMARY KEY,
    seq               BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    started_at        TEXT NOT NULL,
    finished_at       TEXT,
    benchmark         TEXT NOT NULL,
    command           TEXT NOT NULL,
    variants          TEXT NOT NULL,
    has_git           BOOLEAN NOT NULL,
    git_commit        TEXT,
    git_branch        TEXT,
    git_dirty         BOOLEAN,
    host              TEXT NOT NULL,
    perfwatch_version TEXT NOT NULL,
    status            TEXT NOT NULL,
    baseline          TEXT,
    shell_correction  TEXT,
    import_tool       TEXT,
    import_file       TEXT,
    import_sha256     TEXT,
    owner             TEXT,
    updated_at        TEXT
);
CREATE INDEX sessions_id_prefix ON sessions (id text_pattern_ops);
CREATE INDEX sessions_started ON sessions (started_at, seq);
CREATE INDEX sessions_benchmark ON sessions (benchmark, started_at);
CREATE INDEX sessions_commit ON sessions (git_commit);
CREATE INDEX sessions_branch ON sessions (git_branch, started_at);
CREATE INDEX sessions_import_sha256 ON sessions (import_sha256);
CREATE INDEX sessions_status ON sessions (status);

CREATE TABLE iterations (
    session_id          TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    idx                 BIGINT NOT NULL,
    variant             TEXT NOT NULL,
    warmup              BOOLEAN NOT NULL,
    exit_code           INTEGER,
    signal              INTEGER,
    timed_out           BOOLEAN NOT NULL,
    wall_s              DOUBLE PRECISION,
    user_s              DOUBLE PRECISION,
    sys_s               DOUBLE PRECISION,
    max_rss_bytes       BIGINT,
    peak_tree_rss_bytes BIGINT,
    read_bytes          BIGINT,
    write_bytes         BIGINT,
    voluntary_cs        BIGINT,
    involuntary_cs      BIGINT,
    timeline            TEXT NOT NULL,
    counters            TEXT NOT NULL,
    gauges              TEXT NOT NULL,
    dropped_spans       TEXT NOT NULL,
    stderr_tail         BYTEA,
    PRIMARY KEY (session_id, idx)
);

CREATE TABLE stage_paths (
    id   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    path TEXT NOT NULL UNIQUE
);

CREATE TABLE spans (
    session_id    TEXT NOT NULL,
    iteration_idx BIGINT NOT NULL,
    pos           BIGINT NOT NULL,
    span_id       BIGINT NOT NULL,
    parent_id     BIGINT,
    name          TEXT NOT NULL,
    stage         BIGINT REFERENCES stage_paths (id),
    depth         BIGINT NOT NULL,
    tier          TEXT NOT NULL,
    component     TEXT,
    start_s       DOUBLE PRECISION,
    end_s         DOUBLE PRECISION,
    duration_s    DOUBLE PRECISION,
    ok            BOOLEAN NOT NULL,
    calls         BIGINT NOT NULL,
    failed_calls  BIGINT NOT NULL,
    total_s       DOUBLE PRECISION,
    attributes    TEXT NOT NULL,
    PRIMARY KEY (session_id, iteration_idx, pos),
    FOREIGN KEY (session_id, iteration_idx)
        REFERENCES iterations (session_id, idx) ON DELETE CASCADE
);
CREATE INDEX spans_stage ON spans (stage, session_id, iteration_idx);

CREATE TABLE baselines (
    name        TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL,
    description TEXT
);

CREATE TABLE baseline_sessions (
    name       TEXT NOT NULL REFERENCES baselines (name) ON DELETE CASCADE,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    pos        BIGINT NOT NULL,
    PRIMARY KEY (name, session_id)
);
CREATE INDEX baseline_sessions_session ON baseline_sessions (session_id);

CREATE TABLE api_tokens (
    name       TEXT PRIMARY KEY,
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
    benchmark  TEXT PRIMARY KEY,
    generation BIGINT NOT NULL
);
CREATE FUNCTION perfwatch_bump_generation(name TEXT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO history_generations AS g (benchmark, generation) VALUES (name, 1)
    ON CONFLICT (benchmark) DO UPDATE SET generation = g.generation + 1
$$;
CREATE FUNCTION perfwatch_session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN PERFORM perfwatch_bump_generation(OLD.benchmark); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM perfwatch_bump_generation(NEW.benchmark); END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION perfwatch_iteration_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM perfwatch_bump_generation(s.benchmark) FROM sessions s WHERE s.id = NEW.session_id;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER sessions_generation
    AFTER INSERT OR DELETE OR UPDATE OF
        started_at, finished_at, benchmark, command, variants, has_git, git_commit, git_branch, git_dirty, host, perfwatch_version, status, baseline, shell_correction, import_tool, import_file, import_sha256, owner
    ON sessions DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION perfwatch_session_changed();
CREATE CONSTRAINT TRIGGER iterations_generation
    AFTER INSERT ON iterations DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION perfwatch_iteration_added();
";

/// v2: how a session was run adaptively (`--until-confident`), as JSON.
const V2: &str = "
ALTER TABLE sessions ADD COLUMN adaptive TEXT;
";

/// v3: the peak GPU memory of an iteration's tree as a column (see the
/// SQLite schema's v8).
const V3: &str = "
ALTER TABLE iterations ADD COLUMN peak_gpu_memory_bytes BIGINT;
";

/// v4: the version of the program a session measured and the webhook
/// deliveries of alert events (see the SQLite schema's v9).
const V4: &str = "
ALTER TABLE sessions ADD COLUMN program_version TEXT;
CREATE TABLE alert_deliveries (
    webhook    TEXT NOT NULL,
    alert_id   TEXT NOT NULL,
    event      TEXT NOT NULL,
    state      TEXT NOT NULL,
    attempts   BIGINT NOT NULL,
    next_at    TEXT,
    last_error TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (webhook, alert_id, event)
);
";

/// v5: service benchmarks (see the SQLite schema's v10).
const V5: &str = "
ALTER TABLE iterations ADD COLUMN service TEXT;
ALTER TABLE iterations ADD COLUMN startup_s DOUBLE PRECISION;
ALTER TABLE iterations ADD COLUMN shutdown_s DOUBLE PRECISION;
ALTER TABLE iterations ADD COLUMN latency_p50_s DOUBLE PRECISION;
ALTER TABLE iterations ADD COLUMN latency_p90_s DOUBLE PRECISION;
ALTER TABLE iterations ADD COLUMN latency_p99_s DOUBLE PRECISION;
ALTER TABLE iterations ADD COLUMN latency_p999_s DOUBLE PRECISION;
ALTER TABLE iterations ADD COLUMN throughput_rps DOUBLE PRECISION;
ALTER TABLE iterations ADD COLUMN error_rate DOUBLE PRECISION;
";

/// What the database holds, as far as recognising it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No perfwatch table yet: ours to initialise.
    Fresh,
    /// A perfwatch database at this schema version (≤ ours).
    Ours(i64),
    /// A table of our names that is not ours.
    Foreign(String),
    /// A perfwatch database newer than this build.
    Newer(i64),
}

/// Reads the schema's identity in the current search path.
pub fn verdict(client: &mut impl postgres::GenericClient) -> R<Verdict> {
    let has_schema_table: bool = client
        .query_one("SELECT to_regclass('perfwatch_schema') IS NOT NULL", &[])?
        .get(0);
    if has_schema_table {
        let version: Option<i64> = client
            .query_opt("SELECT version FROM perfwatch_schema", &[])?
            .map(|r| r.get(0));
        return Ok(match version {
            Some(v) if v > PG_SCHEMA_VERSION => Verdict::Newer(v),
            Some(v) => Verdict::Ours(v),
            None => Verdict::Fresh,
        });
    }
    for table in OUR_TABLES {
        let exists: bool = client
            .query_one("SELECT to_regclass($1) IS NOT NULL", &[table])?
            .get(0);
        if exists {
            return Ok(Verdict::Foreign(table.to_string()));
        }
    }
    Ok(Verdict::Fresh)
}

/// Brings the schema to [`PG_SCHEMA_VERSION`] in one transaction under
/// the migration lock, re-checking the identity once the lock is held.
///
/// The lock is a session-level advisory lock taken *before* the
/// transaction begins: a transaction that waited for it inside would go
/// on reading the catalogue as it was before the other process's
/// migration (measured: "relation sessions already exists" with six
/// processes starting at once).
pub fn migrate(client: &mut Client, location: &str) -> R<()> {
    // Nothing to do, the common case: no lock, no write.
    if verdict(client)? == Verdict::Ours(PG_SCHEMA_VERSION) {
        return Ok(());
    }
    client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])?;
    let migrated = migrate_locked(client, location);
    let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]);
    migrated?;
    unlocked?;
    Ok(())
}

fn migrate_locked(client: &mut Client, location: &str) -> R<()> {
    let mut tx = client.transaction()?;
    let from = match verdict(&mut tx)? {
        Verdict::Fresh => 0,
        Verdict::Ours(v) => v,
        Verdict::Foreign(table) => {
            return Err(StoreError::ForeignPostgres {
                location: location.to_string(),
                table,
            }
            .into())
        }
        Verdict::Newer(v) => return Err(newer(location, v)),
    };
    if from == PG_SCHEMA_VERSION {
        return Ok(());
    }
    if from == 0 {
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS perfwatch_schema (version BIGINT NOT NULL);
             DELETE FROM perfwatch_schema;
             INSERT INTO perfwatch_schema (version) VALUES (0);",
        )?;
    }
    for step in &MIGRATIONS[from as usize..] {
        tx.batch_execute(step)?;
    }
    tx.execute(
        "UPDATE perfwatch_schema SET version = $1",
        &[&PG_SCHEMA_VERSION],
    )?;
    tx.commit()?;
    Ok(())
}

/// Checks, without writing, that the database is perfwatch's and not
/// newer; a database without perfwatch's tables is empty.
pub fn check_existing(client: &mut Client, location: &str) -> R<()> {
    match verdict(client)? {
        Verdict::Ours(v) if v == PG_SCHEMA_VERSION => Ok(()),
        // An older schema is migrated, as SQLite's read-only open does.
        Verdict::Ours(_) => migrate(client, location),
        Verdict::Fresh => Err(StoreError::Empty {
            path: location.into(),
        }
        .into()),
        Verdict::Foreign(table) => Err(StoreError::ForeignPostgres {
            location: location.to_string(),
            table,
        }
        .into()),
        Verdict::Newer(v) => Err(newer(location, v)),
    }
}

fn newer(location: &str, found: i64) -> Fail {
    StoreError::NewerSchema {
        path: location.into(),
        found,
        supported: PG_SCHEMA_VERSION,
    }
    .into()
}
