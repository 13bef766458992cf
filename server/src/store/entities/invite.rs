use sea_orm::entity::prelude::*;

/// A one-time link that lets a teammate create an account, optionally with a project role.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invite")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// sha256 of the link's token, hex.
    #[sea_orm(unique)]
    pub token_hash: String,
    pub project_id: Option<i64>,
    pub role: Option<String>,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub accepted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
