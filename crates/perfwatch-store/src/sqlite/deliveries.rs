//! Webhook deliveries of alert events: a claim per webhook, alert and
//! event; each retry claimed by bumping its attempts.

use super::fail::{Fail, R};
use crate::{Delivery, DeliveryState};
use rusqlite::{params_from_iter, Connection, Row, ToSql};

const COLUMNS: &str = "webhook, alert_id, event, state, attempts, next_at, last_error, updated_at";

fn delivery(row: &Row) -> R<Delivery> {
    let state: String = row.get(3)?;
    Ok(Delivery {
        webhook: row.get(0)?,
        alert_id: row.get(1)?,
        event: row.get(2)?,
        state: DeliveryState::parse(&state)
            .ok_or_else(|| Fail::Corrupt(format!("unknown delivery state `{state}`")))?,
        attempts: row.get(4)?,
        next_at: row.get(5)?,
        last_error: row.get(6)?,
        updated_at: row.get(7)?,
    })
}

/// Every row of a webhook.
pub fn list(conn: &Connection, webhook: &str) -> R<Vec<Delivery>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM alert_deliveries WHERE webhook = ?1 ORDER BY updated_at, alert_id, event"
    ))?;
    let mut rows = stmt.query([webhook])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(delivery(row)?);
    }
    Ok(out)
}

/// Inserts unless present; whether it did.
pub fn claim(conn: &Connection, d: &Delivery) -> R<bool> {
    let sql = format!(
        "INSERT INTO alert_deliveries ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (webhook, alert_id, event) DO NOTHING"
    );
    let state = d.state.key();
    Ok(conn.execute(&sql, params_from_iter(fields(d, &state)))? == 1)
}

/// Replaces the row when it still has `attempts_seen` attempts.
pub fn update(conn: &Connection, d: &Delivery, attempts_seen: u32) -> R<bool> {
    let state = d.state.key();
    let mut args = fields(d, &state).to_vec();
    args.push(&attempts_seen);
    Ok(conn.execute(
        "UPDATE alert_deliveries
         SET state = ?4, attempts = ?5, next_at = ?6, last_error = ?7, updated_at = ?8
         WHERE webhook = ?1 AND alert_id = ?2 AND event = ?3 AND attempts = ?9",
        params_from_iter(args),
    )? == 1)
}

/// The row's values, in [`COLUMNS`] order (`state`: its state's key).
fn fields<'a>(d: &'a Delivery, state: &'a &'static str) -> [&'a dyn ToSql; 8] {
    [
        &d.webhook,
        &d.alert_id,
        &d.event,
        state,
        &d.attempts,
        &d.next_at,
        &d.last_error,
        &d.updated_at,
    ]
}
