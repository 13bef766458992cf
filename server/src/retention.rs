//! The retention job: every interval, deletes events past their age and issues' caps, a chunk
//! at a time through the writer, so ingestion goes on between chunks.

use crate::store::retention::Policy;
use crate::store::writer::Writer;
use chrono::Utc;
use std::time::Duration;

/// Events deleted per chunk.
const CHUNK: u64 = 1000;

#[derive(Clone, Copy, Debug)]
pub struct Retention {
    pub days: i64,
    pub max_events_per_issue: u64,
    pub interval: Duration,
}

impl Retention {
    /// Deletes everything past retention now; returns how many events went.
    pub async fn run_once(&self, writer: &Writer) -> u64 {
        let now = Utc::now();
        let policy = Policy {
            now,
            older_than: now - chrono::Duration::days(self.days),
            max_events_per_issue: self.max_events_per_issue,
            chunk: CHUNK,
        };
        let mut total = 0;
        loop {
            match writer.prune(policy).await {
                Ok(0) => break,
                Ok(deleted) => total += deleted,
                Err(err) => {
                    tracing::warn!("retention stopped for now: {err}");
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if total > 0 {
            tracing::info!(events = total, "retention deleted old events");
        }
        total
    }

    /// Runs forever, once per interval, the first time one interval after the start.
    pub async fn run(self, writer: Writer) {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + self.interval, self.interval);
        loop {
            ticks.tick().await;
            self.run_once(&writer).await;
        }
    }
}
