//! Baselines: named references to one or more sessions.

use super::fail::R;
use super::sessions;
use crate::{Baseline, StoreError};
use rusqlite::{params, Connection, OptionalExtension};

/// Saves a baseline, replacing one of the same name only with `overwrite`;
/// created now unless `created_at` says when.
pub fn save(
    conn: &Connection,
    name: &str,
    session_ids: &[String],
    description: Option<&str>,
    overwrite: bool,
    created_at: Option<&str>,
) -> R<Baseline> {
    let ids = crate::lookup::baseline_ids(name, session_ids)?;
    for id in &ids {
        sessions::require(conn, id)?;
    }
    if exists(conn, name)? {
        if !overwrite {
            return Err(StoreError::BaselineExists {
                name: name.to_string(),
            }
            .into());
        }
        conn.execute("DELETE FROM baselines WHERE name = ?1", [name])?;
    }
    conn.execute(
        "INSERT INTO baselines (name, created_at, description)
         VALUES (?1, coalesce(?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')), ?2)",
        params![name, description, created_at],
    )?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO baseline_sessions (name, session_id, pos) VALUES (?1, ?2, ?3)",
    )?;
    for (pos, id) in ids.iter().enumerate() {
        stmt.execute(params![name, id, pos as i64])?;
    }
    get(conn, name)
}

/// Whether a baseline of this name exists.
fn exists(conn: &Connection, name: &str) -> R<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM baselines WHERE name = ?1",
            [name],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// One baseline.
pub fn get(conn: &Connection, name: &str) -> R<Baseline> {
    let row = conn
        .query_row(
            "SELECT created_at, description FROM baselines WHERE name = ?1",
            [name],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)),
        )
        .optional()?;
    let Some((created_at, description)) = row else {
        return Err(StoreError::BaselineNotFound {
            name: name.to_string(),
        }
        .into());
    };
    let mut stmt = conn
        .prepare_cached("SELECT session_id FROM baseline_sessions WHERE name = ?1 ORDER BY pos")?;
    let session_ids = stmt
        .query_map([name], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Baseline {
        name: name.to_string(),
        created_at,
        description,
        session_ids,
    })
}

/// Every baseline, by name.
pub fn list(conn: &Connection) -> R<Vec<Baseline>> {
    let mut stmt = conn.prepare("SELECT name FROM baselines ORDER BY name")?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    names.iter().map(|name| get(conn, name)).collect()
}

/// Deletes a baseline; its sessions stay.
pub fn delete(conn: &Connection, name: &str) -> R<()> {
    if conn.execute("DELETE FROM baselines WHERE name = ?1", [name])? == 0 {
        return Err(StoreError::BaselineNotFound {
            name: name.to_string(),
        }
        .into());
    }
    Ok(())
}
