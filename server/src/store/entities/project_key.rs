use sea_orm::entity::prelude::*;

/// A DSN key: SDKs authenticate with its public key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project_key")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    #[sea_orm(unique)]
    pub public_key: String,
    pub label: String,
    pub active: bool,
    pub created_at: DateTimeUtc,
    /// Events per minute this key may send; `None` means the server's default.
    pub rate_limit_per_minute: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
