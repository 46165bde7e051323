//! API tokens and the push queue.

use super::fail::{Fail, R};
use super::sessions;
use crate::{PushEntry, StoreError, TokenRow, TokenScope};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::sync::LazyLock;

/// Now, as stored: RFC 3339 UTC with milliseconds.
const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// Columns read by [`token_from_row`].
const TOKEN_COLUMNS: &str = "name, scope, sha256, created_at, revoked_at";

fn token_from_row(
    r: &Row<'_>,
) -> rusqlite::Result<(String, String, String, String, Option<String>)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn token(row: (String, String, String, String, Option<String>)) -> R<TokenRow> {
    let (name, scope, sha256, created_at, revoked_at) = row;
    let scope = TokenScope::parse(&scope)
        .ok_or_else(|| Fail::Corrupt(format!("token `{name}` has unknown scope `{scope}`")))?;
    Ok(TokenRow {
        name,
        scope,
        sha256,
        created_at,
        revoked_at,
    })
}

/// Stores a new token.
pub fn create_token(conn: &Connection, name: &str, scope: TokenScope, sha256: &str) -> R<TokenRow> {
    crate::id::check_token_name(name)?;
    let exists = conn
        .query_row("SELECT 1 FROM api_tokens WHERE name = ?1", [name], |_| {
            Ok(())
        })
        .optional()?
        .is_some();
    if exists {
        return Err(StoreError::TokenExists { name: name.into() }.into());
    }
    conn.execute(
        &format!(
            "INSERT INTO api_tokens (name, scope, sha256, created_at) VALUES (?1, ?2, ?3, {NOW})"
        ),
        params![name, scope.key(), sha256],
    )?;
    get_token(conn, name)
}

fn get_token(conn: &Connection, name: &str) -> R<TokenRow> {
    let row = conn
        .query_row(
            &format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE name = ?1"),
            [name],
            token_from_row,
        )
        .optional()?;
    match row {
        Some(row) => token(row),
        None => Err(StoreError::TokenNotFound { name: name.into() }.into()),
    }
}

/// Every token, by name.
pub fn list_tokens(conn: &Connection) -> R<Vec<TokenRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY name"
    ))?;
    let rows = stmt
        .query_map([], token_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(token).collect()
}

/// Revokes a token (once: a second revocation keeps the first time).
pub fn revoke_token(conn: &Connection, name: &str) -> R<TokenRow> {
    conn.execute(
        &format!("UPDATE api_tokens SET revoked_at = coalesce(revoked_at, {NOW}) WHERE name = ?1"),
        [name],
    )?;
    get_token(conn, name)
}

/// The unrevoked token with this hash.
pub fn find_token(conn: &Connection, sha256: &str) -> R<Option<TokenRow>> {
    // Every authenticated request asks: parsed once per connection.
    static FIND: LazyLock<String> = LazyLock::new(|| {
        format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE sha256 = ?1 AND revoked_at IS NULL")
    });
    conn.prepare_cached(&FIND)?
        .query_row([sha256], token_from_row)
        .optional()?
        .map(token)
        .transpose()
}

/// Queues a session for a server (nothing when already there).
pub fn queue_push(conn: &Connection, session_id: &str, server: &str) -> R<()> {
    sessions::require(conn, session_id)?;
    conn.execute(
        &format!(
            "INSERT INTO pushes (session_id, server, queued_at) VALUES (?1, ?2, {NOW})
             ON CONFLICT (session_id, server) DO NOTHING"
        ),
        params![session_id, server],
    )?;
    Ok(())
}

/// Marks a session as accepted by a server.
pub fn mark_pushed(conn: &Connection, session_id: &str, server: &str) -> R<()> {
    queue_push(conn, session_id, server)?;
    conn.execute(
        &format!(
            "UPDATE pushes SET pushed_at = coalesce(pushed_at, {NOW})
             WHERE session_id = ?1 AND server = ?2"
        ),
        params![session_id, server],
    )?;
    Ok(())
}

/// Drops waiting push entries.
pub fn forget_pushes(conn: &Connection, ids: Option<&[String]>, server: Option<&str>) -> R<usize> {
    let ids = ids.map(|ids| serde_json::to_string(ids).expect("strings serialise"));
    Ok(conn.execute(
        "DELETE FROM pushes
         WHERE pushed_at IS NULL AND (?1 IS NULL OR server = ?1)
           AND (?2 IS NULL OR session_id IN (SELECT value FROM json_each(?2)))",
        params![server, ids],
    )?)
}

/// Push entries, oldest first.
pub fn push_queue(
    conn: &Connection,
    server: Option<&str>,
    include_pushed: bool,
) -> R<Vec<PushEntry>> {
    let mut stmt = conn.prepare(
        "SELECT p.session_id, p.server, p.queued_at, p.pushed_at
         FROM pushes p JOIN sessions s ON s.id = p.session_id
         WHERE (?1 IS NULL OR p.server = ?1) AND (?2 OR p.pushed_at IS NULL)
         ORDER BY p.queued_at, s.started_at, s.seq",
    )?;
    let rows = stmt
        .query_map(params![server, include_pushed], |r| {
            Ok(PushEntry {
                session_id: r.get(0)?,
                server: r.get(1)?,
                queued_at: r.get(2)?,
                pushed_at: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
