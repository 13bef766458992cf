//! Brings ignored issues back when the time they were ignored for has passed, through the
//! writer so the change reaches every open dashboard. The writer is asked only when an issue is
//! due, so the check costs a read, not the write lock.

use crate::store::issues;
use crate::store::writer::Writer;
use chrono::Utc;
use sea_orm::{DatabaseConnection, PaginatorTrait};
use std::time::Duration;

/// How often ignore periods are checked: an issue comes back at most this late.
const INTERVAL: Duration = Duration::from_secs(30);

/// Runs forever.
pub async fn run(db: DatabaseConnection, writer: Writer) {
    let mut ticks = tokio::time::interval(INTERVAL);
    loop {
        ticks.tick().await;
        let now = Utc::now();
        match issues::ignore_over(now).count(&db).await {
            Ok(0) => continue,
            Ok(_) => {}
            Err(err) => {
                tracing::warn!("checking ignored issues failed: {err}");
                continue;
            }
        }
        match writer.wake_ignored(now).await {
            Ok(woken) => tracing::info!(issues = woken, "ignored issues came back"),
            Err(err) => tracing::warn!("bringing back ignored issues failed: {err}"),
        }
    }
}
