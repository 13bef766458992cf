//! The dispatcher: delivers what the writer queued in the outbox, after the commit. It wakes when
//! the writer says a batch queued deliveries, and when the next retry is due. Each delivery is
//! attempted with its idempotency id; a failure that is worth it is retried with exponential
//! backoff and jitter (or after the receiver's `Retry-After`, if later), up to
//! [`MAX_ATTEMPTS`]; then, or on a refusal, it is given up with the reason recorded. Every
//! attempt updates the delivery log and the channel's failing state through the writer, which
//! tells open dashboards. Each channel's hourly cap ([`cap`]) holds back what would exceed it,
//! to go out as one digest once the channel has room.
//! Delivery is at least once: a crash between a send and its record sends it again, with the
//! same id.

use super::cap;
use super::compose;
use super::format::{self, Outgoing};
use super::mail::{Mailer, To};
use super::send::{Answer, Outbound, Verdict};
use crate::live::hub::LiveHub;
use crate::store::alerts::{channels, deliveries, subscriptions};
use crate::store::entities::{alert_channel, alert_delivery};
use crate::store::notifications;
use crate::store::writer::{StoreError, Writer};
use app::alerts::{ChannelKind, DIGEST, Delivery, DeliveryState};
use app::live::LiveChange;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use rand::Rng;
use sea_orm::{DatabaseConnection, DbErr};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Why a delivery whose issue, rule or channel was deleted meanwhile is given up.
pub(super) const GONE: &str = "what it tells of is gone";
/// Attempts per delivery: with a 2-minute first retry, the last comes about an hour after the first.
pub const MAX_ATTEMPTS: i32 = 6;
/// Deliveries read per round, and attempted at once.
const ROUND: u64 = 32;
const IN_FLIGHT: usize = 4;
/// The longest sleep between two looks at the outbox, should a wake-up be missed.
const IDLE: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct Dispatcher {
    pub db: DatabaseConnection,
    /// Records each attempt.
    pub writer: Writer,
    pub outbound: Outbound,
    /// Sends email channels' alerts; `None` without `--smtp-url`.
    pub mailer: Option<Mailer>,
    pub outbox: Arc<Notify>,
    pub hub: LiveHub,
    pub public_url: String,
    /// The wait before the first retry; it doubles for each one after.
    pub retry_base: Duration,
}

impl Dispatcher {
    /// Runs forever.
    pub async fn run(self) {
        loop {
            let personal = self.mail_personal().await.unwrap_or_else(|err| {
                tracing::warn!("sending personal emails failed: {err}");
                0
            });
            match self.round().await {
                Ok(0) if personal == 0 => {}
                Ok(_) => continue,
                Err(err) => tracing::warn!("delivering alerts failed: {err}"),
            }
            let next_due = async {
                let alerts = deliveries::next_due(&self.db).await?;
                let mails = notifications::next_due(&self.db).await?;
                Ok::<_, DbErr>(alerts.into_iter().chain(mails).min())
            };
            let wait = match next_due.await {
                Ok(Some(due)) => (due - Utc::now()).to_std().unwrap_or_default().min(IDLE),
                Ok(None) => IDLE,
                Err(err) => {
                    tracing::warn!("reading the alert outbox failed: {err}");
                    IDLE
                }
            };
            if !wait.is_zero() {
                // `notified` keeps a wake-up sent while the round ran.
                let _ = tokio::time::timeout(wait, self.outbox.notified()).await;
            }
        }
    }

    /// Attempts the deliveries due now, as far as their channels' caps allow; returns how many
    /// were due.
    async fn round(&self) -> Result<usize, DbErr> {
        let now = Utc::now();
        let due = deliveries::due(&self.db, now, ROUND).await?;
        let count = due.len();
        let mut by_channel: BTreeMap<(i64, i64), Vec<alert_delivery::Model>> = BTreeMap::new();
        for row in due {
            by_channel.entry((row.project_id, row.channel_id)).or_default().push(row);
        }
        let mut sends = Vec::new();
        for ((project_id, channel_id), rows) in by_channel {
            let Some(channel) = channels::get(&self.db, project_id, channel_id).await? else { continue };
            let sent = deliveries::sent_since(&self.db, channel.id, now - cap::WINDOW).await?;
            let plan = cap::plan(u32::try_from(channel.hourly_cap).unwrap_or(1), &sent, rows, now);
            if !plan.hold.is_empty() {
                let (hold, until) = (plan.hold, plan.until);
                tracing::info!(channel = channel.id, held = hold.len(), "the channel's hourly cap holds alerts back");
                retrying(|| self.writer.hold(hold.clone(), until)).await?;
            }
            if plan.digest
                && let Some(digest) = retrying(|| self.writer.digest(channel.clone())).await?
            {
                sends.push((channel.clone(), digest));
            }
            sends.extend(plan.send.into_iter().map(|row| (channel.clone(), row)));
        }
        let results: Vec<Result<(), DbErr>> = futures::stream::iter(sends)
            .map(|(channel, row)| self.deliver(channel, row))
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
        results.into_iter().collect::<Result<(), DbErr>>()?;
        Ok(count)
    }

    async fn deliver(&self, channel: alert_channel::Model, row: alert_delivery::Model) -> Result<(), DbErr> {
        let kind = ChannelKind::parse(&channel.kind).unwrap_or(ChannelKind::Webhook);
        let secret = channel.secret.as_deref();
        let message = if row.trigger == DIGEST {
            compose::digest(&self.db, &row, &self.public_url).await?.map(|digest| format::digest(kind, &digest, secret))
        } else {
            compose::notification(&self.db, &row, &self.public_url)
                .await?
                .map(|notification| format::message(kind, &notification, secret))
        };
        let Some(message) = message else {
            return self.record(row, Answer::unsent(GONE, Verdict::GiveUp)).await;
        };
        let answer = self.send(&channel, &row.delivery_id, &message).await;
        tracing::info!(
            delivery = row.delivery_id,
            channel = channel.id,
            status = answer.status,
            "alert delivery attempted: {}",
            answer.error.as_deref().unwrap_or("sent")
        );
        self.record(row, answer).await
    }

    async fn record(&self, row: alert_delivery::Model, answer: Answer) -> Result<(), DbErr> {
        let now = Utc::now();
        let (state, retry_at) = next(&answer, row.attempts + 1, self.retry_base, now);
        let attempt = deliveries::Attempt {
            at: now,
            status_code: answer.status,
            error: answer.error.clone(),
            latency_ms: u32::try_from(answer.latency.as_millis()).unwrap_or(u32::MAX),
            state,
            retry_at,
        };
        retrying(|| self.writer.record_attempt(row.clone(), attempt.clone())).await
    }

    /// Sends a sample alert to the channel now, through the real formatter, and logs it.
    pub async fn test_send(
        &self,
        channel: &crate::store::entities::alert_channel::Model,
        project_name: String,
    ) -> Result<Delivery, DbErr> {
        let delivery_id = uuid::Uuid::new_v4().to_string();
        let notification =
            compose::test_notification(delivery_id.clone(), channel.project_id, project_name, &self.public_url);
        let kind = ChannelKind::parse(&channel.kind).unwrap_or(ChannelKind::Webhook);
        let message = format::message(kind, &notification, channel.secret.as_deref());
        let answer = self.send(channel, &delivery_id, &message).await;
        let now = Utc::now();
        let sent = answer.verdict == Verdict::Delivered;
        let attempt = deliveries::Attempt {
            at: now,
            status_code: answer.status,
            error: answer.error.clone(),
            latency_ms: u32::try_from(answer.latency.as_millis()).unwrap_or(u32::MAX),
            state: if sent { DeliveryState::Sent } else { DeliveryState::Failed },
            retry_at: None,
        };
        let row = deliveries::log_test(&self.db, channel, delivery_id, &attempt).await?;
        channels::record_result(&self.db, channel.id, answer.error.as_deref().filter(|_| !sent), now).await?;
        let delivery = deliveries::info(row, channel.name.clone(), None);
        self.publish(delivery.clone());
        Ok(delivery)
    }

    /// Posts the message to the channel's URL, or mails it to the channel's addresses (or to the
    /// project's members who opted in).
    async fn send(&self, channel: &alert_channel::Model, delivery_id: &str, message: &Outgoing) -> Answer {
        let (mail, mailer) = match (message, &self.mailer) {
            (Outgoing::Http(message), _) => return self.outbound.send(&channel.url, message).await,
            (Outgoing::Mail(_), None) => return Answer::unsent(super::mail::NOT_CONFIGURED, Verdict::GiveUp),
            (Outgoing::Mail(mail), Some(mailer)) => (mail, mailer),
        };
        if ChannelKind::parse(&channel.kind) != Some(ChannelKind::Members) {
            return mailer.send(To::Listed(&channel.url), mail, delivery_id).await;
        }
        match subscriptions::recipients(&self.db, channel.project_id).await {
            Ok(members) if members.is_empty() => {
                Answer::unsent("no member has opted in to this project's alert emails", Verdict::GiveUp)
            }
            Ok(members) => mailer.send(To::Hidden(&members), mail, delivery_id).await,
            Err(err) => Answer::unsent(
                format!("the members who opted in could not be read: {err}"),
                Verdict::Retry { after: None },
            ),
        }
    }

    fn publish(&self, delivery: Delivery) {
        self.hub.publish([LiveChange::DeliveryChanged { delivery: Box::new(delivery) }]);
    }
}

/// Asks the writer until it has room: a busy ingest fills its queue, and an attempt not
/// recorded would be sent again.
pub(super) async fn retrying<T, F: Future<Output = Result<T, StoreError>>>(job: impl Fn() -> F) -> Result<T, DbErr> {
    loop {
        match job().await {
            Err(StoreError::QueueFull) => tokio::time::sleep(Duration::from_millis(100)).await,
            Err(err) => return Err(DbErr::Custom(format!("recording an alert delivery: {err}"))),
            Ok(done) => return Ok(done),
        }
    }
}

/// What comes after an attempt (the `attempt`-th): done, given up, or another try at a time.
pub(super) fn next(
    answer: &Answer,
    attempt: i32,
    base: Duration,
    now: DateTime<Utc>,
) -> (DeliveryState, Option<DateTime<Utc>>) {
    match answer.verdict {
        Verdict::Delivered => (DeliveryState::Sent, None),
        Verdict::GiveUp => (DeliveryState::Failed, None),
        Verdict::Retry { .. } if attempt >= MAX_ATTEMPTS => (DeliveryState::Failed, None),
        Verdict::Retry { after } => {
            let doubled = base.saturating_mul(1 << (attempt - 1).clamp(0, 16));
            let jittered = doubled.mul_f64(rand::rng().random_range(0.8..1.2));
            let wait = after.map_or(jittered, |after| after.max(jittered));
            (DeliveryState::Pending, Some(now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(verdict: Verdict) -> Answer {
        Answer { status: Some(500), error: Some("HTTP 500".to_owned()), latency: Duration::ZERO, verdict }
    }

    #[test]
    fn retries_back_off_exponentially_with_jitter_and_stop_after_the_last_attempt() {
        let now = Utc::now();
        let base = Duration::from_secs(120);
        let mut total = chrono::Duration::zero();
        for attempt in 1..MAX_ATTEMPTS {
            let (state, at) = next(&answer(Verdict::Retry { after: None }), attempt, base, now);
            assert_eq!(state, DeliveryState::Pending);
            let wait = at.expect("a retry") - now;
            let expected = 120 * (1 << (attempt - 1));
            assert!(wait.num_seconds() >= expected * 8 / 10 && wait.num_seconds() <= expected * 12 / 10, "{wait}");
            total += wait;
        }
        assert!((45..=80).contains(&total.num_minutes()), "about an hour in all: {total}");
        assert_eq!(
            next(&answer(Verdict::Retry { after: None }), MAX_ATTEMPTS, base, now),
            (DeliveryState::Failed, None)
        );
    }

    #[test]
    fn a_later_retry_after_wins_over_the_backoff() {
        let now = Utc::now();
        let (_, at) =
            next(&answer(Verdict::Retry { after: Some(Duration::from_secs(900)) }), 1, Duration::from_secs(120), now);
        assert_eq!((at.expect("a retry") - now).num_seconds(), 900);
        let (_, at) =
            next(&answer(Verdict::Retry { after: Some(Duration::from_secs(1)) }), 1, Duration::from_secs(120), now);
        assert!((at.expect("a retry") - now).num_seconds() >= 96);
    }

    #[test]
    fn a_refusal_is_given_up_and_a_success_is_sent() {
        let now = Utc::now();
        assert_eq!(next(&answer(Verdict::GiveUp), 1, Duration::from_secs(1), now), (DeliveryState::Failed, None));
        assert_eq!(next(&answer(Verdict::Delivered), 1, Duration::from_secs(1), now), (DeliveryState::Sent, None));
    }
}
