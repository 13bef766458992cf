//! Brings ignored issues back when the time they were ignored for has passed, through the
//! writer so the change reaches every open dashboard.

use crate::store::writer::Writer;
use chrono::Utc;
use std::time::Duration;

/// How often ignore periods are checked: an issue comes back at most this late.
const INTERVAL: Duration = Duration::from_secs(30);

/// Runs forever.
pub async fn run(writer: Writer) {
    // The first check waits a period too, so that starting up leaves the writer to events.
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + INTERVAL, INTERVAL);
    loop {
        ticks.tick().await;
        match writer.wake_ignored(Utc::now()).await {
            Ok(0) => {}
            Ok(woken) => tracing::info!(issues = woken, "ignored issues came back"),
            Err(err) => tracing::warn!("checking ignored issues failed: {err}"),
        }
    }
}
