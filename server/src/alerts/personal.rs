//! Sending personal emails — an issue assigned to its reader, a comment on one — from their
//! outbox ([`crate::store::notifications`]), with the alert dispatcher's retries: the same SMTP
//! relay, backoff and attempts, each recorded through the writer.

use super::compose::issue_url;
use super::dispatch::{Dispatcher, GONE, next, retrying};
use super::format::email::{self, Personal};
use super::mail::{NOT_CONFIGURED, To};
use super::send::{Answer, Verdict};
use crate::store::alerts::deliveries::Attempt;
use crate::store::entities::personal_notification;
use crate::store::notifications::{self, Told};
use app::dto::ActivityKind;
use chrono::Utc;
use futures::StreamExt;
use sea_orm::DbErr;

/// Emails read per round, and sent at once.
const ROUND: u64 = 32;
const IN_FLIGHT: usize = 4;

impl Dispatcher {
    /// Sends the personal emails due now; returns how many were due.
    pub(super) async fn mail_personal(&self) -> Result<usize, DbErr> {
        let due = notifications::due(&self.db, Utc::now(), ROUND).await?;
        let count = due.len();
        let results: Vec<Result<(), DbErr>> =
            futures::stream::iter(due).map(|row| self.mail(row)).buffer_unordered(IN_FLIGHT).collect().await;
        results.into_iter().collect::<Result<(), DbErr>>()?;
        Ok(count)
    }

    async fn mail(&self, row: personal_notification::Model) -> Result<(), DbErr> {
        let answer = match (notifications::told(&self.db, &row).await?, &self.mailer) {
            (None, _) => Answer::unsent(GONE, Verdict::GiveUp),
            (Some(_), None) => Answer::unsent(NOT_CONFIGURED, Verdict::GiveUp),
            (Some(told), Some(mailer)) => {
                let link = issue_url(&self.public_url, told.issue.id);
                let mail = email::personal(&personal(&told, &link, &row.delivery_id));
                mailer.send(To::Listed(&told.to), &mail, &row.delivery_id).await
            }
        };
        tracing::info!(
            notification = row.delivery_id,
            "personal email attempted: {}",
            answer.error.as_deref().unwrap_or("sent")
        );
        let now = Utc::now();
        let (state, retry_at) = next(&answer, row.attempts + 1, self.retry_base, now);
        let attempt = Attempt {
            at: now,
            status_code: answer.status,
            error: answer.error,
            latency_ms: u32::try_from(answer.latency.as_millis()).unwrap_or(u32::MAX),
            state,
            retry_at,
        };
        retrying(|| self.writer.record_mail(row.clone(), attempt.clone())).await
    }
}

/// What the email says of what was done.
fn personal<'a>(told: &'a Told, link: &'a str, delivery: &'a str) -> Personal<'a> {
    let by = told.by.as_deref().unwrap_or("Faultline");
    let (what, said, comment) = match &told.kind {
        ActivityKind::Commented { text } => {
            ("New comment", format!("{by} commented on an issue assigned to you:"), Some(text.as_str()))
        }
        _ => ("Assigned to you", format!("{by} assigned this issue to you."), None),
    };
    Personal { project: &told.project, what, said, title: &told.issue.title, comment, link, delivery }
}
