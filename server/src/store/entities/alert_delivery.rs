use sea_orm::entity::prelude::*;

/// One notification to one channel: written `pending` by the writer in the transaction that made
/// its rule fire (the outbox), then attempted by the dispatcher until `sent` or `failed` (the
/// delivery log). `delivery_id` is the idempotency id receivers see.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_delivery")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub delivery_id: String,
    pub project_id: i64,
    pub channel_id: i64,
    /// `None` for a test send, or once the rule was deleted.
    pub rule_id: Option<i64>,
    pub issue_id: Option<i64>,
    /// `app::alerts::Trigger::name`, or `test`.
    pub trigger: String,
    /// The event that made the rule fire.
    pub event_id: Option<String>,
    /// `app::alerts::DeliveryState`.
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub attempted_at: Option<DateTimeUtc>,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub latency_ms: Option<i32>,
    /// The `delivery_id` of the digest that carried it, once the hourly cap held it back.
    pub digest: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
