//! Fires the rules waiting for issues left unresolved and unassigned, once a minute, through the
//! writer (which owns issue and outbox rows). The writer is asked only when a rule is due, so the
//! check costs a read, not the write lock.

use crate::store::alerts::unattended;
use crate::store::writer::Writer;
use chrono::Utc;
use sea_orm::DatabaseConnection;
use std::time::Duration;

/// How often: an unattended issue is told of at most this late.
const INTERVAL: Duration = Duration::from_secs(60);

/// Runs forever.
pub async fn run(db: DatabaseConnection, writer: Writer) {
    let mut ticks = tokio::time::interval(INTERVAL);
    loop {
        ticks.tick().await;
        let now = Utc::now();
        match unattended::any_due(&db, now).await {
            Ok(false) => continue,
            Ok(true) => {}
            Err(err) => {
                tracing::warn!("checking for unattended issues failed: {err}");
                continue;
            }
        }
        match writer.fire_unattended(now).await {
            Ok(queued) => tracing::info!(deliveries = queued, "alerts fired for unattended issues"),
            Err(err) => tracing::warn!("firing alerts for unattended issues failed: {err}"),
        }
    }
}
