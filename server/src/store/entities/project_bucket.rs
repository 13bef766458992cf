use sea_orm::entity::prelude::*;

/// A project's events of one level in one bucket of time (5 or 60 minutes long), and the
/// issues those events opened: the project charts, kept by the writer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project_bucket")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub minutes: i32,
    pub start: DateTimeUtc,
    pub level: String,
    pub events: i64,
    pub new_issues: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
