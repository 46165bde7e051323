//! Baselines: named references to one or more sessions.

use super::fail::{Fail, R};
use super::sessions;
use crate::{Baseline, StoreError};
use postgres::error::SqlState;
use postgres::Transaction;

/// Saves a baseline, replacing one of the same name only with `overwrite`;
/// created now unless `created_at` says when.
pub fn save(
    tx: &mut Transaction<'_>,
    name: &str,
    session_ids: &[String],
    description: Option<&str>,
    overwrite: bool,
    created_at: Option<&str>,
) -> R<Baseline> {
    let ids = crate::lookup::baseline_ids(name, session_ids)?;
    for id in &ids {
        sessions::require(tx, id)?;
    }
    let exists = tx
        .query_opt(
            "SELECT 1 FROM baselines WHERE name = $1 FOR UPDATE",
            &[&name],
        )?
        .is_some();
    if exists {
        if !overwrite {
            return Err(exists_error(name));
        }
        tx.execute("DELETE FROM baselines WHERE name = $1", &[&name])?;
    }
    let description = description.map(super::pg_text);
    let inserted = tx.execute(
        "INSERT INTO baselines (name, created_at, description)
         VALUES ($1,
             coalesce($3, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')), $2)",
        &[&name, &description, &created_at],
    );
    match inserted.map_err(Fail::from) {
        // Saved by another writer since the check above.
        Err(f) if f.code() == Some(&SqlState::UNIQUE_VIOLATION) => return Err(exists_error(name)),
        other => other?,
    };
    let positions: Vec<i64> = (0..ids.len() as i64).collect();
    tx.execute(
        "INSERT INTO baseline_sessions (name, session_id, pos)
         SELECT $1, * FROM unnest($2::text[], $3::bigint[])",
        &[&name, &ids, &positions],
    )?;
    get(tx, name)
}

fn exists_error(name: &str) -> Fail {
    StoreError::BaselineExists {
        name: name.to_string(),
    }
    .into()
}

/// One baseline.
pub fn get(tx: &mut Transaction<'_>, name: &str) -> R<Baseline> {
    let Some(row) = tx.query_opt(
        "SELECT created_at, description FROM baselines WHERE name = $1",
        &[&name],
    )?
    else {
        return Err(StoreError::BaselineNotFound {
            name: name.to_string(),
        }
        .into());
    };
    let session_ids = tx
        .query(
            "SELECT session_id FROM baseline_sessions WHERE name = $1 ORDER BY pos",
            &[&name],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    Ok(Baseline {
        name: name.to_string(),
        created_at: row.try_get(0)?,
        description: row.try_get(1)?,
        session_ids,
    })
}

/// Every baseline, by name.
pub fn list(tx: &mut Transaction<'_>) -> R<Vec<Baseline>> {
    let names: Vec<String> = tx
        .query("SELECT name FROM baselines ORDER BY name", &[])?
        .iter()
        .map(|r| r.get(0))
        .collect();
    names.iter().map(|name| get(tx, name)).collect()
}

/// Deletes a baseline; its sessions stay.
pub fn delete(tx: &mut Transaction<'_>, name: &str) -> R<()> {
    if tx.execute("DELETE FROM baselines WHERE name = $1", &[&name])? == 0 {
        return Err(StoreError::BaselineNotFound {
            name: name.to_string(),
        }
        .into());
    }
    Ok(())
}
