//! Storing a session that was measured elsewhere (a `perfwatch.session.v1`
//! document pushed to the team server): validated before anything is
//! written, all of it or nothing, and idempotent by session id.

use crate::load::{parse_placed, DocumentError, Raw};
use crate::AppError;
use perfwatch_model::{Iteration, Session};
use perfwatch_store::{is_valid_session_id, Store, StoreError};
use std::collections::BTreeMap;

/// What [`store_document`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    /// The session was new, and is stored now.
    Created,
    /// The same session, with the same iterations, was stored already:
    /// nothing was written.
    AlreadyStored,
}

/// A document's session and iterations, checked as the store would check
/// them but before anything is written, so that a bad document is refused
/// with the path of its offending field.
pub fn parse_for_store(text: &str) -> Result<Raw, DocumentError> {
    let (session, placed) = parse_placed(text)?;
    if !is_valid_session_id(&session.id) {
        return Err(DocumentError {
            field: Some("session.id".into()),
            message: format!(
                "invalid session id `{}`: expected 4 to 64 lowercase hex digits",
                session.id
            ),
        });
    }
    // Iteration indices are the session's execution order, unique across
    // its variants.
    let mut seen: BTreeMap<u32, &str> = BTreeMap::new();
    for (at, it) in &placed {
        if let Some(first) = seen.insert(it.index, at) {
            return Err(DocumentError {
                field: Some(format!("{at}.index")),
                message: format!(
                    "iteration index {} appears twice (first at {first})",
                    it.index
                ),
            });
        }
    }
    Ok((session, placed.into_iter().map(|(_, it)| it).collect()))
}

/// Stores a whole session (all of it, or nothing). A session whose id is
/// stored already is not stored again: with the same contents the answer
/// is [`Ingested::AlreadyStored`]; with other contents it is an
/// [`AppError::Conflict`] and nothing changes.
pub fn store_document(
    store: &dyn Store,
    session: &Session,
    iterations: &[Iteration],
) -> Result<Ingested, AppError> {
    if let Some(outcome) = compare_stored(store, session, iterations)? {
        return outcome;
    }
    match store.insert_whole_session(session, iterations) {
        Ok(()) => Ok(Ingested::Created),
        // Stored by another writer between the check and the insert.
        Err(StoreError::SessionExists { .. }) => compare_stored(store, session, iterations)?
            .unwrap_or_else(|| Err(conflict(&session.id))),
        Err(e) => Err(e.into()),
    }
}

/// `None` when no session of this id is stored; otherwise whether the
/// stored one is the same.
fn compare_stored(
    store: &dyn Store,
    session: &Session,
    iterations: &[Iteration],
) -> Result<Option<Result<Ingested, AppError>>, AppError> {
    let (stored, mut stored_its) = match store.load_session(&session.id) {
        Ok(found) => found,
        Err(StoreError::SessionNotFound { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut given: Vec<&Iteration> = iterations.iter().collect();
    given.sort_by_key(|it| it.index);
    stored_its.sort_by_key(|it| it.index);
    let same = stored == *session
        && stored_its.len() == given.len()
        && stored_its.iter().zip(&given).all(|(a, b)| a == *b);
    Ok(Some(if same {
        Ok(Ingested::AlreadyStored)
    } else {
        Err(conflict(&session.id))
    }))
}

fn conflict(id: &str) -> AppError {
    AppError::Conflict(format!(
        "session {id} is stored already with other contents; nothing was changed \
         (delete it first to replace it)"
    ))
}
