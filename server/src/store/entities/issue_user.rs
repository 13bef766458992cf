use sea_orm::entity::prelude::*;

/// A user an issue affected (`id:…`, `email:…`, `username:…` or `ip:…`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "issue_user")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub issue_id: i64,
    pub user_key: String,
    /// When the user's latest event arrived, to the minute (`None` before alerts counted users).
    pub last_seen: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
