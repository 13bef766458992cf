//! Deliveries: the outbox (pending rows, written by the writer in the transaction that made a
//! rule fire, or by a test send) and the log of how each went, one row per notification and
//! channel with its latest attempt. A delivery the channel's hourly cap holds back waits `held`
//! until the channel has room, then goes out with the others held in one digest.

use crate::store::entities::{alert_channel, alert_delivery, alert_rule};
use app::alerts::{DIGEST, Delivery, DeliveryState, TEST};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, sea_query::Expr,
};
use std::collections::HashMap;

/// A notification to queue.
#[derive(Clone, Debug)]
pub struct Pending {
    pub project_id: i64,
    pub channel_id: i64,
    pub rule_id: Option<i64>,
    pub issue_id: Option<i64>,
    pub trigger: &'static str,
    pub event_id: Option<String>,
}

/// How one attempt went, and what comes next.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub latency_ms: u32,
    /// `Pending` to try again at `retry_at`.
    pub state: DeliveryState,
    pub retry_at: Option<DateTime<Utc>>,
}

/// Queues the notifications, due at once.
pub async fn queue(
    db: &impl ConnectionTrait,
    pending: &[Pending],
    now: DateTime<Utc>,
) -> Result<Vec<alert_delivery::Model>, DbErr> {
    let mut rows = Vec::with_capacity(pending.len());
    for new in pending {
        let row = alert_delivery::ActiveModel {
            delivery_id: Set(uuid::Uuid::new_v4().to_string()),
            project_id: Set(new.project_id),
            channel_id: Set(new.channel_id),
            rule_id: Set(new.rule_id),
            issue_id: Set(new.issue_id),
            trigger: Set(new.trigger.to_owned()),
            event_id: Set(new.event_id.clone()),
            state: Set(DeliveryState::Pending.as_str().to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        rows.push(row);
    }
    Ok(rows)
}

/// Logs a test send that was made already.
pub async fn log_test(
    db: &impl ConnectionTrait,
    channel: &alert_channel::Model,
    delivery_id: String,
    attempt: &Attempt,
) -> Result<alert_delivery::Model, DbErr> {
    alert_delivery::ActiveModel {
        delivery_id: Set(delivery_id),
        project_id: Set(channel.project_id),
        channel_id: Set(channel.id),
        trigger: Set(TEST.to_owned()),
        state: Set(attempt.state.as_str().to_owned()),
        attempts: Set(1),
        next_attempt_at: Set(attempt.at),
        created_at: Set(attempt.at),
        attempted_at: Set(Some(attempt.at)),
        status_code: Set(attempt.status_code.map(i32::from)),
        error: Set(attempt.error.clone()),
        latency_ms: Set(Some(i32::try_from(attempt.latency_ms).unwrap_or(i32::MAX))),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// The states the dispatcher looks at again when their time comes.
const WAITING: [&str; 2] = [DeliveryState::Pending.as_str(), DeliveryState::Held.as_str()];

/// Pending and held deliveries due by `now`, oldest first.
pub async fn due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<alert_delivery::Model>, DbErr> {
    alert_delivery::Entity::find()
        .filter(alert_delivery::Column::State.is_in(WAITING))
        .filter(alert_delivery::Column::NextAttemptAt.lte(now))
        .order_by_asc(alert_delivery::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// When the next pending or held delivery is due.
pub async fn next_due(db: &impl ConnectionTrait) -> Result<Option<DateTime<Utc>>, DbErr> {
    alert_delivery::Entity::find()
        .select_only()
        .column(alert_delivery::Column::NextAttemptAt)
        .filter(alert_delivery::Column::State.is_in(WAITING))
        .order_by_asc(alert_delivery::Column::NextAttemptAt)
        .into_tuple()
        .one(db)
        .await
}

pub async fn record(
    db: &impl ConnectionTrait,
    row: alert_delivery::Model,
    attempt: &Attempt,
) -> Result<alert_delivery::Model, DbErr> {
    let attempts = row.attempts.saturating_add(1);
    let mut active = row.into_active_model();
    active.attempts = Set(attempts);
    active.attempted_at = Set(Some(attempt.at));
    active.status_code = Set(attempt.status_code.map(i32::from));
    active.error = Set(attempt.error.clone());
    active.latency_ms = Set(Some(i32::try_from(attempt.latency_ms).unwrap_or(i32::MAX)));
    active.state = Set(attempt.state.as_str().to_owned());
    if let Some(retry_at) = attempt.retry_at {
        active.next_attempt_at = Set(retry_at);
    }
    active.update(db).await
}

/// When the channel's deliveries sent since then were sent, oldest first (test sends aside).
pub async fn sent_since(
    db: &impl ConnectionTrait,
    channel_id: i64,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, DbErr> {
    alert_delivery::Entity::find()
        .select_only()
        .column(alert_delivery::Column::AttemptedAt)
        .filter(alert_delivery::Column::ChannelId.eq(channel_id))
        .filter(alert_delivery::Column::State.eq(DeliveryState::Sent.as_str()))
        .filter(alert_delivery::Column::AttemptedAt.gte(since))
        .filter(alert_delivery::Column::Trigger.ne(TEST))
        .order_by_asc(alert_delivery::Column::AttemptedAt)
        .into_tuple::<Option<DateTime<Utc>>>()
        .all(db)
        .await
        .map(|times| times.into_iter().flatten().collect())
}

/// Holds the deliveries back until the channel has room again; returns them as they are now.
pub async fn hold(
    db: &impl ConnectionTrait,
    ids: Vec<i64>,
    until: DateTime<Utc>,
) -> Result<Vec<alert_delivery::Model>, DbErr> {
    alert_delivery::Entity::update_many()
        .col_expr(alert_delivery::Column::State, Expr::value(DeliveryState::Held.as_str()))
        .col_expr(alert_delivery::Column::NextAttemptAt, Expr::value(until))
        .filter(alert_delivery::Column::Id.is_in(ids.clone()))
        .exec(db)
        .await?;
    alert_delivery::Entity::find().filter(alert_delivery::Column::Id.is_in(ids)).all(db).await
}

/// Gathers every delivery the channel holds into a new pending digest, due now; returns the
/// digest and what it holds, or nothing when nothing is held.
pub async fn digest(
    db: &impl ConnectionTrait,
    channel: &alert_channel::Model,
    now: DateTime<Utc>,
) -> Result<Option<(alert_delivery::Model, Vec<alert_delivery::Model>)>, DbErr> {
    let held = held(db, channel.id).await?;
    if held.is_empty() {
        return Ok(None);
    }
    let pending = Pending {
        project_id: channel.project_id,
        channel_id: channel.id,
        rule_id: None,
        issue_id: None,
        trigger: DIGEST,
        event_id: None,
    };
    let Some(digest) = queue(db, &[pending], now).await?.pop() else { return Ok(None) };
    alert_delivery::Entity::update_many()
        .col_expr(alert_delivery::Column::State, Expr::value(DeliveryState::Digested.as_str()))
        .col_expr(alert_delivery::Column::Digest, Expr::value(digest.delivery_id.clone()))
        .filter(alert_delivery::Column::Id.is_in(held.iter().map(|row| row.id)))
        .exec(db)
        .await?;
    let carried = of_digest(db, &digest.delivery_id).await?;
    Ok(Some((digest, carried)))
}

async fn held(db: &impl ConnectionTrait, channel_id: i64) -> Result<Vec<alert_delivery::Model>, DbErr> {
    alert_delivery::Entity::find()
        .filter(alert_delivery::Column::ChannelId.eq(channel_id))
        .filter(alert_delivery::Column::State.eq(DeliveryState::Held.as_str()))
        .order_by_asc(alert_delivery::Column::Id)
        .all(db)
        .await
}

/// The deliveries a digest carries, oldest first.
pub async fn of_digest(db: &impl ConnectionTrait, digest: &str) -> Result<Vec<alert_delivery::Model>, DbErr> {
    alert_delivery::Entity::find()
        .filter(alert_delivery::Column::Digest.eq(digest))
        .order_by_asc(alert_delivery::Column::Id)
        .all(db)
        .await
}

/// An issue's deliveries, newest first.
pub async fn of_issue(db: &impl ConnectionTrait, issue_id: i64, limit: u64) -> Result<Vec<Delivery>, DbErr> {
    let rows = alert_delivery::Entity::find()
        .filter(alert_delivery::Column::IssueId.eq(issue_id))
        .order_by_desc(alert_delivery::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    infos(db, rows).await
}

/// A channel's deliveries, newest first.
pub async fn of_channel(db: &impl ConnectionTrait, channel_id: i64, limit: u64) -> Result<Vec<Delivery>, DbErr> {
    let rows = alert_delivery::Entity::find()
        .filter(alert_delivery::Column::ChannelId.eq(channel_id))
        .order_by_desc(alert_delivery::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    infos(db, rows).await
}

/// The deliveries as the API shows them, with their channels' and rules' names.
pub async fn infos(db: &impl ConnectionTrait, rows: Vec<alert_delivery::Model>) -> Result<Vec<Delivery>, DbErr> {
    let channel_ids: Vec<i64> = rows.iter().map(|row| row.channel_id).collect();
    let rule_ids: Vec<i64> = rows.iter().filter_map(|row| row.rule_id).collect();
    let channels: HashMap<i64, String> = alert_channel::Entity::find()
        .select_only()
        .columns([alert_channel::Column::Id, alert_channel::Column::Name])
        .filter(alert_channel::Column::Id.is_in(channel_ids))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let rules: HashMap<i64, String> = alert_rule::Entity::find()
        .select_only()
        .columns([alert_rule::Column::Id, alert_rule::Column::Name])
        .filter(alert_rule::Column::Id.is_in(rule_ids))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let channel = channels.get(&row.channel_id).cloned().unwrap_or_default();
            let rule = row.rule_id.and_then(|id| rules.get(&id).cloned());
            info(row, channel, rule)
        })
        .collect())
}

pub fn info(row: alert_delivery::Model, channel: String, rule: Option<String>) -> Delivery {
    Delivery {
        id: row.delivery_id,
        project_id: row.project_id,
        channel_id: row.channel_id,
        channel,
        rule_id: row.rule_id,
        rule,
        issue_id: row.issue_id,
        trigger: row.trigger,
        state: DeliveryState::parse(&row.state).unwrap_or(DeliveryState::Pending),
        attempts: u32::try_from(row.attempts).unwrap_or_default(),
        created_at: row.created_at,
        attempted_at: row.attempted_at,
        status_code: row.status_code.and_then(|code| u16::try_from(code).ok()),
        error: row.error,
        latency_ms: row.latency_ms.and_then(|ms| u32::try_from(ms).ok()),
        digest: row.digest,
    }
}
