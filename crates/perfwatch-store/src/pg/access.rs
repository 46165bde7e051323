//! API tokens and the push queue.

use super::fail::{Fail, R};
use super::sessions;
use crate::{PushEntry, StoreError, TokenRow, TokenScope};
use postgres::error::SqlState;
use postgres::{Row, Transaction};

/// Now, as stored: RFC 3339 UTC with milliseconds (as SQLite writes it).
const NOW: &str =
    "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

/// Columns read by [`token`].
const TOKEN_COLUMNS: &str = "name, scope, sha256, created_at, revoked_at";

fn token(row: &Row) -> R<TokenRow> {
    let name: String = row.try_get(0)?;
    let scope: String = row.try_get(1)?;
    let scope = TokenScope::parse(&scope)
        .ok_or_else(|| Fail::Corrupt(format!("token `{name}` has unknown scope `{scope}`")))?;
    Ok(TokenRow {
        name,
        scope,
        sha256: row.try_get(2)?,
        created_at: row.try_get(3)?,
        revoked_at: row.try_get(4)?,
    })
}

/// Stores a new token.
pub fn create_token(
    tx: &mut Transaction<'_>,
    name: &str,
    scope: TokenScope,
    sha256: &str,
) -> R<TokenRow> {
    crate::id::check_token_name(name)?;
    let inserted = tx.query_one(
        &format!(
            "INSERT INTO api_tokens (name, scope, sha256, created_at) VALUES ($1, $2, $3, {NOW})
             RETURNING {TOKEN_COLUMNS}"
        ),
        &[&name, &scope.key(), &sha256],
    );
    match inserted.map_err(Fail::from) {
        Err(f) if f.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
            Err(StoreError::TokenExists { name: name.into() }.into())
        }
        Err(f) => Err(f),
        Ok(row) => token(&row),
    }
}

/// Every token, by name.
pub fn list_tokens(tx: &mut Transaction<'_>) -> R<Vec<TokenRow>> {
    tx.query(
        &format!("SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY name"),
        &[],
    )?
    .iter()
    .map(token)
    .collect()
}

/// Revokes a token (once: a second revocation keeps the first time).
pub fn revoke_token(tx: &mut Transaction<'_>, name: &str) -> R<TokenRow> {
    let row = tx.query_opt(
        &format!(
            "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, {NOW}) WHERE name = $1
             RETURNING {TOKEN_COLUMNS}"
        ),
        &[&name],
    )?;
    match row {
        Some(row) => token(&row),
        None => Err(StoreError::TokenNotFound { name: name.into() }.into()),
    }
}

/// The unrevoked token with this hash.
pub fn find_token(tx: &mut Transaction<'_>, sha256: &str) -> R<Option<TokenRow>> {
    tx.query_opt(
        &format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE sha256 = $1 AND revoked_at IS NULL"),
        &[&sha256],
    )?
    .as_ref()
    .map(token)
    .transpose()
}

/// Queues a session for a server (nothing when already there).
pub fn queue_push(tx: &mut Transaction<'_>, session_id: &str, server: &str) -> R<()> {
    sessions::require(tx, session_id)?;
    tx.execute(
        &format!(
            "INSERT INTO pushes (session_id, server, queued_at) VALUES ($1, $2, {NOW})
             ON CONFLICT (session_id, server) DO NOTHING"
        ),
        &[&session_id, &server],
    )?;
    Ok(())
}

/// Marks a session as accepted by a server.
pub fn mark_pushed(tx: &mut Transaction<'_>, session_id: &str, server: &str) -> R<()> {
    queue_push(tx, session_id, server)?;
    tx.execute(
        &format!(
            "UPDATE pushes SET pushed_at = coalesce(pushed_at, {NOW})
             WHERE session_id = $1 AND server = $2"
        ),
        &[&session_id, &server],
    )?;
    Ok(())
}

/// Drops waiting push entries.
pub fn forget_pushes(
    tx: &mut Transaction<'_>,
    ids: Option<&[String]>,
    server: Option<&str>,
) -> R<usize> {
    let n = tx.execute(
        "DELETE FROM pushes
         WHERE pushed_at IS NULL AND ($1::text IS NULL OR server = $1)
           AND ($2::text[] IS NULL OR session_id = ANY($2))",
        &[&server, &ids],
    )?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// Push entries, oldest first.
pub fn push_queue(
    tx: &mut Transaction<'_>,
    server: Option<&str>,
    include_pushed: bool,
) -> R<Vec<PushEntry>> {
    let rows = tx.query(
        "SELECT p.session_id, p.server, p.queued_at, p.pushed_at
         FROM pushes p JOIN sessions s ON s.id = p.session_id
         WHERE ($1::text IS NULL OR p.server = $1) AND ($2 OR p.pushed_at IS NULL)
         ORDER BY p.queued_at, s.started_at, s.seq",
        &[&server, &include_pushed],
    )?;
    rows.iter()
        .map(|r| {
            Ok(PushEntry {
                session_id: r.try_get(0)?,
                server: r.try_get(1)?,
                queued_at: r.try_get(2)?,
                pushed_at: r.try_get(3)?,
            })
        })
        .collect()
}
