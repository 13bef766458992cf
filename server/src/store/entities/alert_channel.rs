use sea_orm::entity::prelude::*;

/// Where a project's alerts go; `kind` is `app::alerts::ChannelKind`. The URL and secret are
/// secrets: they never leave the server unmasked.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_channel")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    pub kind: String,
    pub url: String,
    /// The generic webhook's signing secret.
    pub secret: Option<String>,
    pub created_at: DateTimeUtc,
    /// Since when deliveries fail, while they do.
    pub failing_since: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    /// Deliveries sent in a rolling hour at most; what it holds back goes out as one digest.
    pub hourly_cap: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
