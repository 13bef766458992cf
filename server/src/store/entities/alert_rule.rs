use sea_orm::entity::prelude::*;

/// A project's alert rule; `triggers` is the JSON of `Vec<app::alerts::Trigger>`, `filter` a query
/// of the search language.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_rule")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    pub triggers: String,
    pub filter: String,
    pub interval_minutes: i32,
    pub enabled: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
