use sea_orm::entity::prelude::*;

/// One stored event. `payload` is the normalized event as zstd-compressed JSON.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub issue_id: i64,
    /// The SDK's id: 32 lowercase hex characters, unique per project.
    pub event_id: String,
    pub timestamp: DateTimeUtc,
    pub received: DateTimeUtc,
    pub level: String,
    pub title: String,
    pub payload: Vec<u8>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
