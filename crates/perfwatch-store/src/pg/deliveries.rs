//! Webhook deliveries of alert events (see the SQLite backend's module
//! of the same name).

use super::fail::{Fail, R};
use super::pg_text;
use crate::{Delivery, DeliveryState};
use postgres::types::ToSql;
use postgres::{Row, Transaction};
use std::borrow::Cow;

const COLUMNS: &str = "webhook, alert_id, event, state, attempts, next_at, last_error, updated_at";

fn delivery(row: &Row) -> R<Delivery> {
    let state: String = row.try_get(3)?;
    let attempts: i64 = row.try_get(4)?;
    Ok(Delivery {
        webhook: row.try_get(0)?,
        alert_id: row.try_get(1)?,
        event: row.try_get(2)?,
        state: DeliveryState::parse(&state)
            .ok_or_else(|| Fail::Corrupt(format!("unknown delivery state `{state}`")))?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        next_at: row.try_get(5)?,
        last_error: row.try_get(6)?,
        updated_at: row.try_get(7)?,
    })
}

/// Every row of a webhook.
pub fn list(tx: &mut Transaction<'_>, webhook: &str) -> R<Vec<Delivery>> {
    tx.query(
        &format!(
            "SELECT {COLUMNS} FROM alert_deliveries WHERE webhook = $1
             ORDER BY updated_at, alert_id, event"
        ),
        &[&pg_text(webhook)],
    )?
    .iter()
    .map(delivery)
    .collect()
}

/// A delivery's column values, in [`COLUMNS`] order, for both the insert
/// and the update (text through [`pg_text`]).
struct Values<'a> {
    webhook: Cow<'a, str>,
    alert_id: Cow<'a, str>,
    event: Cow<'a, str>,
    state: &'static str,
    attempts: i64,
    next_at: &'a Option<String>,
    last_error: Option<Cow<'a, str>>,
    updated_at: &'a String,
}

impl<'a> Values<'a> {
    fn of(d: &'a Delivery) -> Values<'a> {
        Values {
            webhook: pg_text(&d.webhook),
            alert_id: pg_text(&d.alert_id),
            event: pg_text(&d.event),
            state: d.state.key(),
            attempts: i64::from(d.attempts),
            next_at: &d.next_at,
            last_error: d.last_error.as_deref().map(pg_text),
            updated_at: &d.updated_at,
        }
    }

    /// `$1` … `$8`.
    fn params(&self) -> [&(dyn ToSql + Sync); 8] {
        [
            &self.webhook,
            &self.alert_id,
            &self.event,
            &self.state,
            &self.attempts,
            self.next_at,
            &self.last_error,
            self.updated_at,
        ]
    }
}

/// Inserts unless present; whether it did.
pub fn claim(tx: &mut Transaction<'_>, d: &Delivery) -> R<bool> {
    Ok(tx.execute(
        &format!(
            "INSERT INTO alert_deliveries ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (webhook, alert_id, event) DO NOTHING"
        ),
        &Values::of(d).params(),
    )? == 1)
}

/// Replaces the row when it still has `attempts_seen` attempts.
pub fn update(tx: &mut Transaction<'_>, d: &Delivery, attempts_seen: u32) -> R<bool> {
    let values = Values::of(d);
    let seen = i64::from(attempts_seen);
    let mut params = values.params().to_vec();
    params.push(&seen);
    Ok(tx.execute(
        "UPDATE alert_deliveries
         SET state = $4, attempts = $5, next_at = $6, last_error = $7, updated_at = $8
         WHERE webhook = $1 AND alert_id = $2 AND event = $3 AND attempts = $9",
        &params,
    )? == 1)
}
