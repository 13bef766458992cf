use sea_orm::entity::prelude::*;

/// One email to one user about an issue assigned to them or a comment on it: written `pending`
/// by the writer in the transaction of the assignment or comment (the outbox), then attempted by
/// the dispatcher until `sent` or `failed`. `delivery_id` is its `Message-ID`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "personal_notification")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub delivery_id: String,
    pub user_id: i64,
    pub issue_id: i64,
    /// The assignment or comment it tells of.
    pub activity_id: i64,
    /// `app::alerts::DeliveryState`: pending, sent or failed.
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub attempted_at: Option<DateTimeUtc>,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
